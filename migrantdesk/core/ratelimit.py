"""Rate limits for public endpoints (Flask-Limiter). Counters live in this process's memory, or
in Redis when REDIS_URL is set so every worker shares them; visitors' addresses are never
written to disk."""

from __future__ import annotations

import time

from flask import Flask, current_app
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


def init_app(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI",
                          app.config.get("REDIS_URL") or "process-memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)
