"""Rate limits for public endpoints (Flask-Limiter). Counters live in memory, or in Redis when
REDIS_URL is set so every worker shares them; visitors' addresses are never written to disk."""

from __future__ import annotations

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address)


def public_limit() -> str:
    return str(current_app.config["PUBLIC_RATE_LIMIT"])


def init_app(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)
