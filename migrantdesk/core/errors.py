"""Domain errors and the single JSON error shape: {"error": {code, message, fields}}."""

from __future__ import annotations

import logging
import sqlite3
import traceback
from typing import Any

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import DataError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str = "", fields: dict[str, Any] | None = None,
                 **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        self.extra = extra


class ValidationFailed(DomainError):
    status = 422
    code = "validation_failed"


class NotFound(DomainError):
    status = 404
    code = "not_found"

    def __init__(self, entity: str = "resource") -> None:
        super().__init__(f"{entity} not found")


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"


class Conflict(DomainError):
    status = 409
    code = "conflict"


def error_response(status: int, code: str, message: str,
                   fields: dict[str, Any] | None = None, /, **extra: Any):
    # Positional-only: extra may hold any name, "status" of a record included.
    body: dict[str, Any] = {"code": code, "message": message, "fields": fields or {}}
    body.update(extra)
    response = jsonify(error=body)
    if extra.get("retry_after"):
        response.headers["Retry-After"] = str(extra["retry_after"])
    return response, status


# PostgreSQL: lock_timeout, statement_timeout, serialization failure, deadlock.
_TRANSIENT_SQLSTATES = frozenset({"55P03", "57014", "40001", "40P01"})
_SQLITE_BUSY_CODES = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})


def is_lock_timeout(error: OperationalError) -> bool:
    """A lock wait that ran out (PostgreSQL lock_timeout, SQLite busy_timeout)."""
    original = error.orig
    if isinstance(original, sqlite3.OperationalError):
        # Extended codes (SQLITE_BUSY_SNAPSHOT…) keep the primary code in the low byte.
        return (getattr(original, "sqlite_errorcode", 0) & 0xFF) in _SQLITE_BUSY_CODES
    return getattr(original, "sqlstate", None) == "55P03"


def is_transient(error: OperationalError) -> bool:
    """An error that a retry a moment later will likely not meet again."""
    return is_lock_timeout(error) or getattr(error.orig, "sqlstate", None) in _TRANSIENT_SQLSTATES


def _wants_page() -> bool:
    """Staff pages and public pages get an HTML error page; the API gets the JSON shape."""
    return not request.path.startswith("/api/") and request.headers.get("HX-Request") != "true"


def error_reply(status: int, code: str, message: str,
                fields: dict[str, Any] | None = None, /, **extra: Any):
    if _wants_page():
        return render_template("errors/page.html", status=status, code=code,
                               message=message), status
    return error_response(status, code, message, fields, **extra)


def _flatten_webargs(messages: dict[str, Any]) -> dict[str, Any]:
    """webargs nests errors by location ({"json": {...}}); clients want field → messages."""
    fields: dict[str, Any] = {}
    for location_errors in messages.values():
        if isinstance(location_errors, dict):
            fields.update(location_errors)
    return fields


def handle_http_exception(error: HTTPException):
    data = getattr(error, "data", None) or {}
    messages = data.get("messages") or data.get("errors")
    if error.code in (400, 422) and messages:
        fields = _flatten_webargs(messages)
        if "json" in messages and isinstance(messages["json"], list):
            return error_response(400, "malformed_json", _("The request body is not valid JSON."),
                                  {"body": messages["json"]})
        return error_response(422, "validation_failed", _("Some fields are invalid."), fields)
    code = (error.name or "error").lower().replace(" ", "_")
    headers = data.get("headers")
    response, status = error_reply(error.code or 500, code,
                                   data.get("message") or error.description or "")
    if headers:
        response.headers.update(headers)
    return response, status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def handle_domain_error(error: DomainError):
        return error_reply(error.status, error.code, error.message, error.fields, **error.extra)

    @app.errorhandler(StaleDataError)
    def handle_stale(error: StaleDataError):
        return error_reply(
            409, "conflict", _("Someone else changed this record; reload and apply your change."))

    @app.errorhandler(OverflowError)  # SQLite: an int past 64 bits
    @app.errorhandler(DataError)  # PostgreSQL: a number or text too large for its column
    def handle_out_of_range(error: Exception):
        # Schemas bound ids and lengths; this is the last line for a value one of them missed.
        # Only the type is logged: the driver's message quotes the value.
        log.warning("value out of range for the database: %s", type(error).__name__)
        return error_response(422, "out_of_range",
                              _("A value is too large or too long for what it describes."))

    @app.errorhandler(OperationalError)
    def handle_database_busy(error: OperationalError):
        if not is_transient(error):
            return handle_unexpected(error)
        from migrantdesk.core.db import db  # core.db imports this module

        db.session.rollback()  # the failed transaction is over; the message may read the user
        log.warning("database busy: %s", type(error.orig).__name__)
        return error_response(503, "database_busy",
                              _("The database is busy; please retry in a moment."),
                              retry_after=app.config.get("BUSY_RETRY_AFTER_SECONDS", 1))

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return handle_http_exception(error)
        # Only the exception type: messages may carry personal data from the request.
        log.error("unhandled %s\n%s", type(error).__name__,
                  "".join(traceback.format_tb(error.__traceback__)))
        return error_reply(500, "internal_error", _("Something went wrong on our side."))

    app.register_error_handler(HTTPException, handle_http_exception)
