"""The case list staff filter and page through, and each user's tasks due: the queries behind
the case pages, scoped to the actor's office."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import Select, case, exists, func, or_, select
from sqlalchemy.orm import joinedload

from migrantdesk.auth.models import User
from migrantdesk.auth.permissions import ROLE_SCOPES, Scope
from migrantdesk.calls import search
from migrantdesk.cases.models import Case, CaseTask, Priority
from migrantdesk.core import audit
from migrantdesk.core.audit import AuditAction
from migrantdesk.core.db import db
from migrantdesk.core.errors import ValidationFailed
from migrantdesk.offices.services import office_of

PER_PAGE = 25
# Migrants a free-text search may lead to; the case list then shows all their cases.
TEXT_CANDIDATES = 50
# "#123" or "123": the case reference staff read out from a letter or an earlier call.
_REFERENCE = re.compile(r"^#?\s*(\d{1,9})$")

_PRIORITY_RANK = case((Case.priority == Priority.URGENT, 0), (Case.priority == Priority.HIGH, 1),
                      (Case.priority == Priority.NORMAL, 2), else_=3)
_NEXT_DUE = (select(func.min(CaseTask.due_on))
             .where(CaseTask.case_id == Case.id, CaseTask.done_at.is_(None))
             .correlate(Case).scalar_subquery())


def office_today(actor: User, now: datetime | None = None) -> date:
    """Today where the consulate is: "due today" must not flip at midnight UTC."""
    zone = ZoneInfo(office_of(actor).timezone)
    return (now.astimezone(zone) if now else datetime.now(zone)).date()


def colleagues(actor: User) -> list[User]:
    """Active staff of the actor's office whose role works on cases, by name."""
    roles = [role for role, scopes in ROLE_SCOPES.items() if Scope.CASES_WRITE in scopes]
    return list(db.session.scalars(select(User).where(
        User.office_id == actor.office_id, User.active.is_(True), User.role.in_(roles))
        .order_by(User.name, User.id)))


@dataclass
class CaseRow:
    case: Case
    next_due: date | None


@dataclass
class CaseListPage:
    rows: list[CaseRow]
    total: int
    urgent: int
    page: int
    pages: int


def _open_task_due(condition: Any) -> Any:
    return exists().where(CaseTask.case_id == Case.id, CaseTask.done_at.is_(None), condition)


def _assignee(statement: Select, actor: User, assignee: str) -> Select:
    if assignee == "me":
        return statement.where(Case.assignee_id == actor.id)
    if assignee == "unassigned":
        return statement.where(Case.assignee_id.is_(None))
    user_id = int(assignee)
    if db.session.scalar(select(User.office_id).where(User.id == user_id)) != actor.office_id:
        raise ValidationFailed(_("Some fields are invalid."),
                               {"assignee": [_("No such user in your office.")]})
    return statement.where(Case.assignee_id == user_id)


def _free_text(statement: Select, actor: User, text: str) -> Select:
    """A case reference, or the migrant's name (either script), phone or document number
    through the repeat-caller search, which ranks and caps what it finds."""
    matches, _calls = search.search_callers(actor.office_id, text, TEXT_CANDIDATES)
    wanted: Any = Case.migrant_id.in_([m.id for m in matches])
    reference = _REFERENCE.match(text.strip())
    if reference:
        wanted = or_(wanted, Case.id == int(reference.group(1)))
    return statement.where(wanted)


def _filtered(actor: User, filters: dict[str, Any], today: date) -> Select:
    statement = select(Case).where(Case.office_id == actor.office_id)
    for name in ("status", "category", "priority"):
        if filters.get(name) is not None:
            statement = statement.where(getattr(Case, name) == filters[name])
    if filters.get("assignee"):
        statement = _assignee(statement, actor, filters["assignee"])
    if filters.get("due") == "overdue":
        statement = statement.where(_open_task_due(CaseTask.due_on < today))
    elif filters.get("due") == "today":
        statement = statement.where(_open_task_due(CaseTask.due_on == today))
    if (filters.get("q") or "").strip():
        statement = _free_text(statement, actor, filters["q"])
    return statement


def find_cases(actor: User, filters: dict[str, Any], *, page: int = 1, sort: str = "priority",
               per_page: int = PER_PAGE) -> CaseListPage:
    """One page of the office's cases matching the filters (status, category, priority,
    assignee "me"/"unassigned"/user id, due "overdue"/"today", free text q), with the total
    and each case's next open task. The search is audited with the ids shown, not the text."""
    statement = _filtered(actor, filters, office_today(actor))
    counted = statement.with_only_columns(Case.id, Case.priority).subquery()
    total, urgent = db.session.execute(select(
        func.count(), func.count().filter(counted.c.priority == Priority.URGENT))).one()
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    order = ((_PRIORITY_RANK, Case.updated_at.desc(), Case.id.desc()) if sort == "priority"
             else (Case.updated_at.desc(), Case.id.desc()))
    rows = db.session.execute(
        statement.add_columns(_NEXT_DUE.label("next_due"))
        .options(joinedload(Case.migrant), joinedload(Case.assignee))
        .order_by(*order).limit(per_page).offset((page - 1) * per_page)).all()
    found = [CaseRow(row[0], row.next_due) for row in rows]
    audit.record(actor, AuditAction.SEARCH, "case",
                 details={"result_ids": [r.case.id for r in found],
                          "filters": sorted(name for name, value in filters.items() if value)})
    return CaseListPage(found, total, urgent, page, pages)


@dataclass
class DueTask:
    task: CaseTask
    case: Case


def my_tasks_due(actor: User, today: date) -> list[DueTask]:
    """The actor's open tasks due today or earlier, oldest first, with case and migrant."""
    rows = db.session.execute(
        select(CaseTask, Case).join(Case, Case.id == CaseTask.case_id)
        .options(joinedload(Case.migrant))
        .where(Case.office_id == actor.office_id, CaseTask.assignee_id == actor.id,
               CaseTask.done_at.is_(None), CaseTask.due_on <= today)
        .order_by(CaseTask.due_on, _PRIORITY_RANK, CaseTask.id)).all()
    audit.record(actor, AuditAction.SEARCH, "case_task",
                 details={"result_ids": [task.id for task, _case in rows]})
    return [DueTask(task, case_) for task, case_ in rows]
