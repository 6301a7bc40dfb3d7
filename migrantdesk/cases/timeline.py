"""A case's history in one list: calls, notes, tasks, status changes and guidance given, in
time order, with the names of the staff involved and what replaced superseded guidance."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from migrantdesk.auth.models import User
from migrantdesk.calls.models import Call
from migrantdesk.cases.models import Case
from migrantdesk.core.audit import AuditAction, AuditEvent
from migrantdesk.core.db import db
from migrantdesk.guidance.casework import GivenEntry, guidance_history
from migrantdesk.guidance.models import ContentStatus, GuidanceTemplate


@dataclass
class Event:
    """One line of the timeline; `kind` is call, note, task, task_done, status or guidance."""

    at: datetime
    kind: str
    by_id: int | None
    subject: Any = None
    details: dict[str, Any] = field(default_factory=dict)
    by: str = ""


def _status_changes(case: Case) -> list[Event]:
    """Status moves are kept in the audit trail (who, when, from, to), not on the case."""
    changes = db.session.scalars(select(AuditEvent).where(
        AuditEvent.entity_type == "case", AuditEvent.entity_id == case.id,
        AuditEvent.office_id == case.office_id, AuditEvent.action == AuditAction.UPDATE))
    return [Event(change.occurred_at, "status", change.user_id, details=change.details or {})
            for change in changes if (change.details or {}).get("to")]


def _replacements(entries: list[GivenEntry]) -> dict[str, GuidanceTemplate]:
    """The version now published for each template key whose given version was superseded."""
    keys = {e.template.key for e in entries if e.superseded}
    if not keys:
        return {}
    current = db.session.scalars(select(GuidanceTemplate).where(
        GuidanceTemplate.key.in_(keys), GuidanceTemplate.status == ContentStatus.PUBLISHED))
    return {template.key: template for template in current}


def case_timeline(actor: User, case: Case) -> list[Event]:
    """Everything that happened on a case (loaded with its tasks and notes), oldest first."""
    calls = db.session.scalars(select(Call).where(
        Call.case_id == case.id, Call.office_id == case.office_id))
    events = [Event(call.started_at, "call", call.operator_id, call) for call in calls]
    events += [Event(note.created_at, "note", note.author_id, note) for note in case.notes]
    for task in case.tasks:
        events.append(Event(task.created_at, "task", None, task))
        if task.done_at is not None:
            events.append(Event(task.done_at, "task_done", None, task))
    events += _status_changes(case)
    given = guidance_history(actor, case.id)
    replacements = _replacements(given)
    for entry in given:
        replaced_by = replacements.get(entry.template.key) if entry.superseded else None
        if replaced_by is not None and replaced_by.id == entry.template.id:
            replaced_by = None  # the template stands; a provision changed under it
        events.append(Event(entry.given_at, "guidance", entry.given_by_id, entry,
                            {"replaced_by": replaced_by}))
    _name_staff(events)
    return sorted(events, key=lambda e: (e.at or datetime.min.replace(tzinfo=UTC), e.kind))


def _name_staff(events: list[Event]) -> None:
    ids = {e.by_id for e in events if e.by_id is not None}
    names = {row.id: row.name for row in db.session.execute(
        select(User.id, User.name).where(User.id.in_(ids)))} if ids else {}
    for event in events:
        event.by = names.get(event.by_id, "") if event.by_id is not None else ""


def staff_name(user_id: int | None) -> str:
    """The name of a colleague (for "changed by"), or an empty string."""
    if user_id is None:
        return ""
    return db.session.scalar(select(User.name).where(User.id == user_id)) or ""
