"""Rate limits for public endpoints and login (Flask-Limiter). Counters live in memory, or in
Redis when REDIS_URL is set so every worker shares them; visitors' addresses are never written
to disk, and login counters are keyed by a digest of the e-mail, not the e-mail itself."""

from __future__ import annotations

import hashlib

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address)


def public_limit() -> str:
    return str(current_app.config["PUBLIC_RATE_LIMIT"])


def login_limit() -> str:
    """Attempts on one account from one address."""
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def login_address_limit() -> str:
    """Attempts on any accounts from one address (a consulate's staff may share one)."""
    return str(current_app.config["LOGIN_ADDRESS_RATE_LIMIT"])


def account_and_address() -> str:
    body = request.get_json(silent=True)
    email = body.get("email") if isinstance(body, dict) else None
    email = email.strip().lower() if isinstance(email, str) else ""
    digest = hashlib.sha256(email.encode()).hexdigest()[:24]
    return f"{get_remote_address()}/{digest}"


def init_app(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)
