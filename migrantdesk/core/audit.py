"""The audit trail: who read or changed what, in the same transaction as the act."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, func, select
from sqlalchemy.orm import Mapped, mapped_column

from migrantdesk.auth.permissions import Scope
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



# --- reading the trail (the audit log viewer and its export) ---------------------------------

@dataclass(frozen=True)
class AuditFilter:
    """What the viewer narrows the trail to; `since` and `until` are whole UTC days."""

    office_id: int | None = None
    user_id: int | None = None
    action: str | None = None
    entity_type: str | None = None
    entity_id: int | None = None
    since: date | None = None
    until: date | None = None

    def given(self) -> dict[str, Any]:
        """The filters in use, as plain values (ids, codes and dates: nothing personal)."""
        return {name: str(value) for name, value in vars(self).items() if value is not None}


@dataclass
class AuditPage:
    events: list[AuditEvent]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def sees_every_office(actor: Any) -> bool:
    """Administrators read the whole trail; consuls only their own office's."""
    return bool(actor.can(Scope.OFFICES_ADMIN))


def _conditions(actor: Any, filters: AuditFilter) -> list[Any]:
    office = filters.office_id if sees_every_office(actor) else actor.office_id
    conditions: list[Any] = []
    if office is not None:
        conditions.append(AuditEvent.office_id == office)
    for column, value in ((AuditEvent.user_id, filters.user_id),
                          (AuditEvent.action, filters.action),
                          (AuditEvent.entity_type, filters.entity_type),
                          (AuditEvent.entity_id, filters.entity_id)):
        if value is not None:
            conditions.append(column == value)
    if filters.since is not None:
        conditions.append(AuditEvent.occurred_at >= datetime.combine(filters.since, time(),
                                                                     tzinfo=UTC))
    if filters.until is not None:
        conditions.append(AuditEvent.occurred_at < datetime.combine(
            filters.until + timedelta(days=1), time(), tzinfo=UTC))
    return conditions


def search_events(actor: Any, filters: AuditFilter, page: int = 1,
                  per_page: int = 50) -> AuditPage:
    """One page of the events the actor may read that fit the filters, newest first."""
    conditions = _conditions(actor, filters)
    total = db.session.scalar(select(func.count()).select_from(AuditEvent).where(*conditions))
    page = max(1, page)
    events = list(db.session.scalars(
        select(AuditEvent).where(*conditions)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(per_page).offset((page - 1) * per_page)))
    return AuditPage(events, total or 0, page, per_page)


def export_events(actor: Any, filters: AuditFilter,
                  batch: int = 1000) -> tuple[int, Iterator[list[AuditEvent]]]:
    """How many events an export holds, and the events in batches newest first (by id, so
    rows written while the file streams neither repeat nor shift). The export is audited."""
    conditions = _conditions(actor, filters)
    total = db.session.scalar(select(func.count()).select_from(AuditEvent).where(*conditions))
    newest = db.session.scalar(select(func.max(AuditEvent.id)).where(*conditions))
    record(actor, AuditAction.EXPORT, "audit_events", None,
           details={"filters": filters.given(), "rows": total or 0})

    def batches() -> Iterator[list[AuditEvent]]:
        below = (newest or 0) + 1
        while True:
            found = list(db.session.scalars(
                select(AuditEvent).where(*conditions, AuditEvent.id < below)
                .order_by(AuditEvent.id.desc()).limit(batch)))
            if not found:
                return
            yield found
            below = found[-1].id
    return total or 0, batches()


def entity_types(actor: Any) -> list[str]:
    """The kinds of records the actor's trail mentions, for the viewer's filter."""
    conditions = _conditions(actor, AuditFilter())
    return list(db.session.scalars(select(AuditEvent.entity_type).where(*conditions)
                                   .distinct().order_by(AuditEvent.entity_type)))


# Spreadsheets run a cell starting with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def spreadsheet_safe(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text
