"""Cases: intake, facts, status workflow, assignment, follow-up tasks and notes."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload, selectinload

from migrantdesk.auth.models import User
from migrantdesk.auth.permissions import Role
from migrantdesk.cases.facts import merge_facts, validate_facts
from migrantdesk.cases.models import (
    ALLOWED_TRANSITIONS,
    Case,
    CaseNote,
    CaseStatus,
    CaseTask,
    Priority,
    TaskKind,
)
from migrantdesk.core import audit
from migrantdesk.core.audit import AuditAction
from migrantdesk.core.db import db, get_in_office, utcnow
from migrantdesk.core.errors import NotFound, ValidationFailed
from migrantdesk.guidance.deadlines import NOTICE_CATEGORIES, notice_deadline
from migrantdesk.migrants import consent
from migrantdesk.migrants.consent import RecordAnonymised
from migrantdesk.migrants.models import ConsentPurpose, Migrant
from migrantdesk.migrants.services import ensure_version
from migrantdesk.offices.services import office_of

_STOPPING = frozenset({CaseStatus.RESOLVED, CaseStatus.CLOSED})

# Migrant, assignee and tasks joined in one statement, notes in a second.
_CASE_PAGE = (joinedload(Case.migrant), joinedload(Case.assignee), joinedload(Case.tasks),
              selectinload(Case.notes))


def _colleague(actor: User, user_id: int | None, field: str) -> int | None:
    """A user id of the actor's own office, or a 422 naming the field."""
    return _colleague_and_role(actor, user_id, field)[0]


def _colleague_and_role(actor: User, user_id: int | None, field: str
                        ) -> tuple[int | None, Role | None]:
    if user_id is None:
        return None, None
    found = db.session.execute(select(User.office_id, User.role).where(User.id == user_id)).first()
    if found is None or found.office_id != actor.office_id:
        raise ValidationFailed(_("Some fields are invalid."),
                               {field: [_("No such user in your office.")]})
    return user_id, Role(found.role)


def _assignment_purposes(role: Role | None) -> tuple[ConsentPurpose, ...]:
    """Handing a case to a lawyer shares it with them (migrants.consent)."""
    return (ConsentPurpose.SHARING_WITH_LAWYER,) if role == Role.LAWYER else ()


def check_processing(case: Case, *purposes: ConsentPurpose) -> None:
    """Refuse (409) to act on an anonymised case, or for purposes the migrant has not validly
    consented to today; the briefing and the guidance given call this too."""
    if case.anonymised_at is not None:
        raise RecordAnonymised(_("case"))
    consent.require(case.migrant_id, *purposes)


def _migrant_of_office(actor: User, migrant_id: int) -> Migrant:
    # FOR SHARE: the retention run, which locks the migrants it anonymises, cannot anonymise
    # this one while a case is being opened for them, nor the other way round.
    migrant = db.session.scalars(select(Migrant).where(
        Migrant.id == migrant_id, Migrant.office_id == actor.office_id)
        .with_for_update(read=True)).first()
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
    assignee_id, role = _colleague_and_role(actor, data.get("assignee_id"), "assignee_id")
    case = Case(
        office_id=actor.office_id, migrant_id=migrant.id, category=data["category"],
        summary=data["summary"], host_country=host_country, priority=data["priority"],
        facts=validate_facts(data["category"], data["facts"]),
        assignee_id=assignee_id, updated_by_id=actor.id,
    )
    consent.require(migrant, ConsentPurpose.CASE_HANDLING, *_assignment_purposes(role))
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
    role = None
    if "assignee_id" in changes:
        changes["assignee_id"], role = _colleague_and_role(actor, changes["assignee_id"],
                                                           "assignee_id")
    if changes:
        reassigned = changes.get("assignee_id", case.assignee_id) != case.assignee_id
        check_processing(case, ConsentPurpose.CASE_HANDLING,
                         *_assignment_purposes(role if reassigned else None))
    changed = audit.changed_fields(case, changes)
    if "facts" in changed and case.priority != Priority.URGENT:
        _escalate_notice(case)
        if case.priority == Priority.URGENT:
            changed.append("priority")
    if changed:
        case.updated_by_id = actor.id
        db.session.flush()
        audit.record(actor, AuditAction.UPDATE, "case", case.id, fields=changed)
    if "assignee_id" in changed:  # the page shows the new assignee, not the one loaded
        db.session.refresh(case, ["assignee"])
    return case


def transition_case(actor: User, case_id: int, to: CaseStatus, version: int,
                    reason: str | None = None) -> Case:
    case = get_in_office(Case, case_id, actor.office_id, *_CASE_PAGE)
    ensure_version(case, version, _("case"))
    current = CaseStatus(case.status)
    # Stopping the processing (resolve, close) needs no consent: a withdrawal must not keep
    # a case open.
    check_processing(case, *(() if to in _STOPPING else (ConsentPurpose.CASE_HANDLING,)))
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
        _add_note(actor, case, reason)
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


def _case_at(actor: User, case_id: int, version: int | None) -> Case:
    """The case, checked against the version the client last read when it sends one."""
    case = get_in_office(Case, case_id, actor.office_id)
    if version is not None:
        ensure_version(case, version, _("case"))
    return case


def add_task(actor: User, case_id: int, data: dict[str, Any], *,
             version: int | None = None) -> CaseTask:
    case = _case_at(actor, case_id, version)
    kind = data.get("kind", TaskKind.FOLLOW_UP)
    task = CaseTask(case_id=case.id, title=data["title"], due_on=data["due_on"], kind=kind,
                    assignee_id=_colleague(actor, data.get("assignee_id"), "assignee_id"))
    check_processing(case, ConsentPurpose.CASE_HANDLING,
                     *((ConsentPurpose.CALL_BACK,) if kind == TaskKind.CALL_BACK else ()))
    db.session.add(task)
    _touch(case, actor)
    db.session.flush()
    audit.record(actor, AuditAction.CREATE, "case_task", task.id,
                 details={"case_id": case.id})
    return task


def set_task_done(actor: User, case_id: int, task_id: int, done: bool, *,
                  version: int | None = None) -> CaseTask:
    case = _case_at(actor, case_id, version)
    task = db.session.scalars(select(CaseTask).where(
        CaseTask.id == task_id, CaseTask.case_id == case.id)).first()
    if task is None:
        raise NotFound("task")
    check_processing(case)  # ticking a task off needs no consent, but not on a frozen case
    if done != (task.done_at is not None):
        task.done_at = utcnow() if done else None
        _touch(case, actor)
        db.session.flush()
        audit.record(actor, AuditAction.UPDATE, "case_task", task.id, fields=["done_at"],
                     details={"case_id": case.id})
    return task


def add_note(actor: User, case_id: int, body: str, *, case: Case | None = None,
             version: int | None = None) -> CaseNote:
    case = case or _case_at(actor, case_id, version)
    check_processing(case, ConsentPurpose.CASE_HANDLING)
    return _add_note(actor, case, body)


def _add_note(actor: User, case: Case, body: str) -> CaseNote:
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

