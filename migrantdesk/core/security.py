"""Security headers on every response, and a per-request nonce for inline scripts.

Templates that need an inline script write `<script nonce="{{ csp_nonce() }}">`; any other
inline script is refused by the browser. Inline styles stay allowed: the pages use a few
`style` attributes and a `<style>` block, and styles cannot run code.
"""

from __future__ import annotations

import logging
import re
import secrets

from flask import Flask, Response, current_app, g, request

# ReDoc's script (OPENAPI_REDOC_URL, pinned to one file on a CDN) runs on the docs page only.
DOCS_ENDPOINT = "api-docs.openapi_redoc"

PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
    "accelerometer", "camera", "geolocation", "gyroscope", "magnetometer", "microphone",
    "payment", "usb", "interest-cohort"))


def csp_nonce() -> str:
    """This request's nonce (made on first use): the same value in every tag and the header."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return str(g.csp_nonce)


def content_security_policy() -> str:
    script_sources = ["'self'"]
    if "csp_nonce" in g:
        script_sources.append(f"'nonce-{g.csp_nonce}'")
    worker_sources = ["'self'"]
    if request.endpoint == DOCS_ENDPOINT:
        script_sources.append(current_app.config["OPENAPI_REDOC_URL"])
        worker_sources.append("blob:")  # ReDoc searches the document in a web worker
    directives = {
        "default-src": ["'self'"],
        "script-src": script_sources,
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "worker-src": worker_sources,
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def _add_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy())
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")  # frame-ancestors for older browsers
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    # HSTS only where the app is served over TLS (secure cookies say so); not on the demo's http.
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


_QUERY = re.compile(r"\?[^\s\"]*")


def _without_query(value: object) -> object:
    return _QUERY.sub("?…", value) if isinstance(value, str) else value


class AccessLogWithoutQueries(logging.Filter):
    """Access logs keep method, path and status but not query strings (nor Referer's), which
    can carry names, phone or document numbers (GET /api/v1/calls/caller-search?q=…)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, dict):  # gunicorn.access: a dict of format atoms
            for atom, value in record.args.items():
                record.args[atom] = _without_query(value)
            for atom in ("q", "{query_string}e"):
                if atom in record.args:
                    record.args[atom] = ""
        elif isinstance(record.args, tuple):  # werkzeug: ('GET /path?q=… HTTP/1.1', …)
            record.args = tuple(_without_query(arg) for arg in record.args)
        record.msg = _without_query(record.msg)
        return True


class NoResultRows(logging.Filter):
    """SQLAlchemy logs every result row at DEBUG: people's names and numbers. The statements
    (INFO) stay, with their parameters hidden by the engine's hide_parameters."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


_access_log_filter = AccessLogWithoutQueries()
_no_result_rows = NoResultRows()


def init_app(app: Flask) -> None:
    app.after_request(_add_headers)
    for name in ("werkzeug", "gunicorn.access"):
        logging.getLogger(name).addFilter(_access_log_filter)  # added once per process
    logging.getLogger("sqlalchemy.engine.Engine").addFilter(_no_result_rows)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
