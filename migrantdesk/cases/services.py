"""Cases: intake, facts, status workflow, assignment, follow-up tasks and notes."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload, selectinload

from migrantdesk.auth.models import User
from migrantdesk.cases.facts import merge_facts, validate_facts
from migrantdesk.cases.models import (
    ALLOWED_TRANSITIONS,
    Case,
    CaseNote,
    CaseStatus,
    CaseTask,
    Priority,
)
from migrantdesk.core import audit
from migrantdesk.core.audit import AuditAction
from migrantdesk.core.db import db, get_in_office, utcnow
from migrantdesk.core.errors import NotFound, ValidationFailed
from migrantdesk.guidance.deadlines import NOTICE_CATEGORIES, notice_deadline
from migrantdesk.migrants.models import Migrant
from migrantdesk.migrants.services import ensure_version
from migrantdesk.offices.services import office_of

# Migrant, assignee and tasks joined in one statement, notes in a second.
_CASE_PAGE = (joinedload(Case.migrant), joinedload(Case.assignee), joinedload(Case.tasks),
              selectinload(Case.notes))


def _colleague(actor: User, user_id: int | None, field: str) -> int | None:
    """A user id of the actor's own office, or a 422 naming the field."""
    if user_id is None:
        return None
    office_id = db.session.scalar(select(User.office_id).where(User.id == user_id))
    if office_id != actor.office_id:
        raise ValidationFailed(_("Some fields are invalid."),
                               {field: [_("No such user in your office.")]})
    return user_id


def _migrant_of_office(actor: User, migrant_id: int) -> Migrant:
    migrant = db.session.scalars(select(Migrant).where(
        Migrant.id == migrant_id, Migrant.office_id == actor.office_id)).first()
    if migrant is None:
        raise ValidationFailed(_("Some fields are invalid."),
                               {"migrant_id": [_("No such migrant in your office.")]})
    return migrant


def _escalate_notice(case: Case) -> None:
    """A notice with 72 hours or less to appear, or with papers signed, is urgent."""
    if case.category in NOTICE_CATEGORIES and notice_deadline(case.facts, utcnow()).urgent:
        case.priority = Priority.URGENT


def create_case(actor: User, data: dict[str, Any]) -> Case:
    migrant = _migrant_of_office(actor, data["migrant_id"])
    host_country = data.get("host_country") or office_of(actor).host_country
    case = Case(
        office_id=actor.office_id, migrant_id=migrant.id, category=data["category"],
        summary=data["summary"], host_country=host_country, priority=data["priority"],
        facts=validate_facts(data["category"], data["facts"]),
        assignee_id=_colleague(actor, data.get("assignee_id"), "assignee_id"),
        updated_by_id=actor.id,
    )
    _escalate_notice(case)
    db.session.add(case)
    db.session.flush()
    audit.record(actor, AuditAction.CREATE, "case", case.id, fields=sorted(data),
                 details={"category": str(case.category)})
    return case


def get_case(actor: User, case_id: int) -> Case:
    """One case with its migrant, assignee, tasks and notes; the read is audited."""
    case = get_in_office(Case, case_id, actor.office_id, *_CASE_PAGE)
    audit.record(actor, AuditAction.READ, "case", case.id)
    return case


def update_case(actor: User, case_id: int, changes: dict[str, Any]) -> Case:
    case = get_in_office(Case, case_id, actor.office_id, *_CASE_PAGE)
    ensure_version(case, changes.pop("version"), _("case"))
    if "facts" in changes:
        changes["facts"] = merge_facts(case.category, case.facts, changes["facts"])
    if "assignee_id" in changes:
        changes["assignee_id"] = _colleague(actor, changes["assignee_id"], "assignee_id")
    changed = audit.changed_fields(case, changes)
    if "facts" in changed and case.priority != Priority.URGENT:
        _escalate_notice(case)
        if case.priority == Priority.URGENT:
            changed.append("priority")
    if changed:
        case.updated_by_id = actor.id
        db.session.flush()
        audit.record(actor, AuditAction.UPDATE, "case", case.id, fields=changed)
    return case


def transition_case(actor: User, case_id: int, to: CaseStatus, version: int,
                    reason: str | None = None) -> Case:
    case = get_in_office(Case, case_id, actor.office_id, *_CASE_PAGE)
    ensure_version(case, version, _("case"))
    current = CaseStatus(case.status)
    if to not in ALLOWED_TRANSITIONS[current]:
        raise ValidationFailed(
            _("A case that is %(current)s cannot move to %(target)s.", current=current,
              target=to),
            {"to": [_("Allowed: %(allowed)s", allowed=", ".join(case.allowed_transitions))]})
    case.status = to
    case.closed_at = utcnow() if to == CaseStatus.CLOSED else None
    _stamp_response(case, to)
    case.updated_by_id = actor.id
    db.session.flush()
    audit.record(actor, AuditAction.UPDATE, "case", case.id, fields=["status"],
                 details={"from": str(current), "to": str(to), "reopened":
                          current in (CaseStatus.RESOLVED, CaseStatus.CLOSED)
                          and to == CaseStatus.IN_PROGRESS})
    if reason:
        add_note(actor, case.id, reason, case=case)
    return case


def _stamp_response(case: Case, to: CaseStatus | None) -> None:
    """Keep the timestamps of time-to-first-response and time-to-resolution statistics."""
    now = utcnow()
    if case.first_response_at is None:
        case.first_response_at = now
    if to in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
        case.resolved_at = case.resolved_at or now
    elif to is not None:
        case.resolved_at = None


def _touch(case: Case, actor: User) -> None:
    """A child change bumps the case version, so a concurrent editor sees it."""
    case.updated_by_id = actor.id
    case.updated_at = utcnow()


def add_task(actor: User, case_id: int, data: dict[str, Any]) -> CaseTask:
    case = get_in_office(Case, case_id, actor.office_id)
    task = CaseTask(case_id=case.id, title=data["title"], due_on=data["due_on"],
                    assignee_id=_colleague(actor, data.get("assignee_id"), "assignee_id"))
    db.session.add(task)
    _touch(case, actor)
    db.session.flush()
    audit.record(actor, AuditAction.CREATE, "case_task", task.id,
                 details={"case_id": case.id})
    return task


def set_task_done(actor: User, case_id: int, task_id: int, done: bool) -> CaseTask:
    case = get_in_office(Case, case_id, actor.office_id)
    task = db.session.scalars(select(CaseTask).where(
        CaseTask.id == task_id, CaseTask.case_id == case.id)).first()
    if task is None:
        raise NotFound("task")
    if done != (task.done_at is not None):
        task.done_at = utcnow() if done else None
        _touch(case, actor)
        db.session.flush()
        audit.record(actor, AuditAction.UPDATE, "case_task", task.id, fields=["done_at"],
                     details={"case_id": case.id})
    return task


def add_note(actor: User, case_id: int, body: str, *, case: Case | None = None) -> CaseNote:
    case = case or get_in_office(Case, case_id, actor.office_id)
    note = CaseNote(case_id=case.id, author_id=actor.id, body=body)
    db.session.add(note)
    _touch(case, actor)
    _stamp_response(case, None)
    db.session.flush()
    audit.record(actor, AuditAction.CREATE, "case_note", note.id, details={"case_id": case.id})
    return note


def _case_filters(statement: Select, actor: User, filters: dict[str, Any]) -> Select:
    statement = statement.where(Case.office_id == actor.office_id)
    for name in ("status", "category", "priority", "assignee_id", "migrant_id"):
        if filters.get(name) is not None:
            statement = statement.where(getattr(Case, name) == filters[name])
    return statement


def list_cases(actor: User, *, page: int, per_page: int, **filters: Any) -> list[Case]:
    statement = _case_filters(select(Case), actor, filters).order_by(Case.updated_at.desc())
    cases = list(db.session.scalars(statement.limit(per_page).offset((page - 1) * per_page)))
    audit.record(actor, AuditAction.SEARCH, "case",
                 details={"result_ids": [c.id for c in cases]})
    return cases


def tasks_due(actor: User, on: date) -> list[CaseTask]:
    """Open tasks of the actor due on or before a date, oldest first."""
    return list(db.session.scalars(
        select(CaseTask).join(Case).where(
            Case.office_id == actor.office_id, CaseTask.assignee_id == actor.id,
            CaseTask.done_at.is_(None), CaseTask.due_on <= on).order_by(CaseTask.due_on)))

