"""Idempotent creation: a phone app that retries a POST with the same `Idempotency-Key` gets the
first answer back instead of a second call or case.

A key already answered is replayed without running the view. Otherwise the view runs and its
response is stored in a row unique per (user, key), in the request's own transaction, so it
commits with the record it describes. A concurrent request with the same key waits on that
unique index (PostgreSQL) or on the write lock (SQLite) until the first commits, then rolls its
own record back and replays the first answer. A request that fails (4xx/5xx) rolls back and
stores nothing, so the client may retry the same key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from copy import deepcopy
from datetime import datetime, timedelta
from functools import wraps
from typing import Any, TypeVar

from flask import Response, current_app, make_response, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, delete, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Mapped, mapped_column

from migrantdesk.core import audit
from migrantdesk.core.audit import AuditAction
from migrantdesk.core.db import Base, db, utcnow
from migrantdesk.core.errors import Conflict, DomainError, is_lock_timeout

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255

View = TypeVar("View", bound=Callable[..., Any])


class IdempotencyKey(Base):
    """A key a user sent with a creating request, and the answer that request got."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH))
    # SHA-256 of method, path and body: the same key with another request is refused.
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[int]
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class InvalidKey(DomainError):
    status = 400
    code = "invalid_idempotency_key"


class KeyReused(DomainError):
    status = 422
    code = "idempotency_key_reused"


_HEADER_DOC = {
    "in": "header", "name": HEADER, "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
    "description": (
        "Any unique string (a UUID) chosen by the client. Retrying with the same key and the "
        "same body returns the first response with the header Idempotent-Replayed: true and "
        "creates nothing; the same key with another body is refused with 422, and 409 answers "
        "while the first request is still running. Keys expire after "
        "IDEMPOTENCY_KEY_TTL_HOURS (24 by default)."),
}


def _key_from_header() -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not key or len(key) > MAX_KEY_LENGTH or not (key.isascii() and key.isprintable()):
        raise InvalidKey(_("The Idempotency-Key header is invalid."), {HEADER: [_(
            "Use 1 to %(max)d printable ASCII characters, for example a UUID.",
            max=MAX_KEY_LENGTH)]})
    return key


def _fingerprint() -> str:
    """Method, path and body; JSON bodies are compared by content, not by key order or spacing."""
    raw = request.get_data(cache=True)
    try:
        body = json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        body = raw
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.path.encode(), body):
        digest.update(part + b"\0")
    return digest.hexdigest()


def _ttl() -> timedelta:
    return timedelta(hours=current_app.config["IDEMPOTENCY_KEY_TTL_HOURS"])


def _stored(user_id: int, key: str) -> IdempotencyKey | None:
    return db.session.scalars(select(IdempotencyKey).where(
        IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)).first()


def _earlier(user_id: int, key: str) -> IdempotencyKey | None:
    """The committed answer to this key, if any; an expired one is deleted (the key is free)."""
    earlier = _stored(user_id, key)
    if earlier is not None and earlier.created_at <= utcnow() - _ttl():
        db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.id == earlier.id))
        db.session.expunge(earlier)
        return None
    return earlier


def _keep(user_id: int, key: str, fingerprint: str, response: Response
          ) -> IdempotencyKey | None:
    """Store the answer beside the record it describes. None when this request won; else the
    answer of a concurrent request that committed the key first (this one must roll back)."""
    db.session.add(IdempotencyKey(user_id=user_id, key=key, fingerprint=fingerprint,
                                  status=response.status_code,
                                  body=response.get_data(as_text=True)))
    try:
        db.session.flush()
    except IntegrityError:
        # The unique index made us wait for the other request's commit: undo our record.
        db.session.rollback()
        winner = _stored(user_id, key)
        if winner is None:
            raise _in_progress() from None
        return winner
    except OperationalError as error:
        if is_lock_timeout(error):
            db.session.rollback()  # the message's locale may need the user reloaded
            raise _in_progress() from error
        raise
    return None


def _in_progress() -> Conflict:
    return Conflict(_("A request with this Idempotency-Key is still being processed; "
                      "retry in a moment."), {HEADER: [_("This key is in use.")]},
                    retry_after=1)


def _replay(earlier: IdempotencyKey, fingerprint: str, entity_type: str) -> Response:
    if earlier.fingerprint != fingerprint:
        raise KeyReused(_("This Idempotency-Key was used with a different request."),
                        {HEADER: [_("Use a new key for a new request.")]})
    response = current_app.response_class(earlier.body, status=earlier.status,
                                          mimetype="application/json")
    response.headers[REPLAYED_HEADER] = "true"
    entity_id = json.loads(earlier.body).get("id")
    # The replayed body holds personal data: it is a read like any other.
    audit.record(current_user, AuditAction.READ, entity_type, entity_id,
                 details={"idempotent_replay": True})
    return response


def idempotent(entity_type: str) -> Callable[[View], View]:
    """Honour an Idempotency-Key header on a view that creates a record (of `entity_type`).
    Place it under `require(...)`, above the flask-smorest argument and response decorators."""
    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            key = _key_from_header()
            if key is None:
                return view(*args, **kwargs)
            fingerprint = _fingerprint()
            user_id = current_user.id
            earlier = _earlier(user_id, key)
            if earlier is not None:
                return _replay(earlier, fingerprint, entity_type)
            response = make_response(view(*args, **kwargs))
            if response.status_code >= 400:
                return response  # rolled back, key and all: the client may retry it
            winner = _keep(user_id, key, fingerprint, response)
            return response if winner is None else _replay(winner, fingerprint, entity_type)
        wrapper._apidoc = deepcopy(getattr(wrapper, "_apidoc", {}))  # type: ignore[attr-defined]
        manual = wrapper._apidoc.setdefault("manual_doc", {})  # type: ignore[attr-defined]
        manual["parameters"] = [*manual.get("parameters", []), _HEADER_DOC]
        return wrapper  # type: ignore[return-value]
    return decorate


def purge_expired(now: datetime | None = None) -> int:
    """Delete keys older than IDEMPOTENCY_KEY_TTL_HOURS; returns how many were deleted."""
    cutoff = (now or utcnow()) - _ttl()
    result = db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at <= cutoff))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
