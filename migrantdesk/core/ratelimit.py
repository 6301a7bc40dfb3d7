"""Rate limits for public endpoints and login (Flask-Limiter). Counters live in this process's
memory, or in Redis when REDIS_URL is set so every worker shares them; visitors' addresses are
never written to disk, and login counters are keyed by a digest of the e-mail, not the e-mail."""

from __future__ import annotations

import hashlib
import time

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits.storage import MemoryStorage

limiter = Limiter(key_func=get_remote_address)


class ProcessMemoryStorage(MemoryStorage):
    """limits' memory storage without its expiry timer thread, which it starts anew for every
    burst of requests more than 10 ms apart (a thread start per download under real traffic).
    Counters already expire when read; the sweep that frees forgotten ones runs at most once a
    minute, inline."""

    STORAGE_SCHEME = ["process-memory"]
    SWEEP_EVERY_SECONDS = 60.0

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: str):
        super().__init__(uri, wrap_exceptions, **options)
        self.timer.cancel()
        self._next_sweep = time.monotonic() + self.SWEEP_EVERY_SECONDS

    def _MemoryStorage__schedule_expiry(self) -> None:  # noqa: N802 - overrides the private hook
        if time.monotonic() >= self._next_sweep:
            self._next_sweep = time.monotonic() + self.SWEEP_EVERY_SECONDS
            self._MemoryStorage__expire_events()  # type: ignore[attr-defined]


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
    email = body.get("email") if isinstance(body, dict) else request.form.get("email")
    email = email.strip().lower() if isinstance(email, str) else ""
    digest = hashlib.sha256(email.encode()).hexdigest()[:24]
    return f"{get_remote_address()}/{digest}"


def init_app(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI",
                          app.config.get("REDIS_URL") or "process-memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)
