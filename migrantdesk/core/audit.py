"""The audit trail: who read or changed what, in the same transaction as the act."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from migrantdesk.core.db import Base, db, utcnow


class AuditAction(StrEnum):
    READ = "read"
    SEARCH = "search"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    EXPORT = "export"
    # Personal data removed for good (retention or erasure); the row stays for statistics.
    ANONYMISE = "anonymise"
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_office_occurred", "office_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id", ondelete="SET NULL"))
    action: Mapped[AuditAction] = mapped_column()
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None]
    # Names of the fields changed, never their personal values.
    fields: Mapped[list[str] | None] = mapped_column(JSON)
    # Non-personal context: status transitions, result ids of a search, export size.
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)


def record(actor: Any, action: AuditAction, entity_type: str, entity_id: int | None = None,
           *, fields: list[str] | None = None, details: dict[str, Any] | None = None,
           office_id: int | None = None) -> AuditEvent:
    """Add an audit event to the current transaction; it commits or rolls back with the act."""
    event = AuditEvent(
        user_id=getattr(actor, "id", None),
        office_id=office_id if office_id is not None else getattr(actor, "office_id", None),
        action=action, entity_type=entity_type, entity_id=entity_id,
        fields=sorted(fields) if fields else None, details=details,
    )
    db.session.add(event)
    return event


def changed_fields(target: Any, changes: dict[str, Any]) -> list[str]:
    """Apply changes to a model and return the names of fields whose value really changed."""
    changed = []
    for name, value in changes.items():
        if getattr(target, name) != value:
            setattr(target, name, value)
            changed.append(name)
    return changed

