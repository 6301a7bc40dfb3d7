"""Staff pages for cases: the filtered list, the case page with its timeline and forms, and
each user's tasks due. Every write goes through cases.services with the version the page was
rendered with, so a stale edit is refused and shown, never applied over a colleague's."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as WerkzeugResponse

from migrantdesk.auth.guard import actor, require
from migrantdesk.auth.permissions import Scope
from migrantdesk.cases import browse, labels, services, timeline
from migrantdesk.cases.facts import CaseCategory
from migrantdesk.cases.models import CaseStatus, Priority
from migrantdesk.cases.schemas import (
    CaseFilterSchema,
    CaseUpdateSchema,
    NoteFormSchema,
    TaskDoneFormSchema,
    TaskFormSchema,
    TransitionSchema,
)
from migrantdesk.core import formats
from migrantdesk.core.errors import Conflict, DomainError, ValidationFailed
from migrantdesk.core.web import FormFailure, load_form, safe_next
from migrantdesk.migrants.services import get_migrant

pages = Blueprint("cases_pages", __name__)


formats.register(pages)


def fact_value(value: Any) -> str:
    """A stored fact as a person reads it: yes/no, dates in the user's language."""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, str) and len(value) == 10 and value[4:5] == "-" and value[7:8] == "-":
        try:
            return formats.local_date(value)
        except ValueError:
            return value
    if isinstance(value, str) and "T" in value and value[4:5] == "-":
        try:
            return formats.office_datetime(datetime.fromisoformat(value))
        except ValueError:
            return value
    return str(value).replace("_", " ") if isinstance(value, str) and " " not in value \
        else str(value)


@pages.app_context_processor
def case_helpers() -> dict[str, Any]:
    return {"case_labels": labels, "case_fact_value": fact_value}


# --- the list ---------------------------------------------------------------------------------

def _filter_choices() -> dict[str, Any]:
    return {
        "statuses": [(s.value, labels.status_label(s)) for s in CaseStatus],
        "categories": sorted(((c.value, labels.category_label(c)) for c in CaseCategory),
                             key=lambda choice: choice[1]),
        "priorities": [(p.value, labels.priority_label(p)) for p in reversed(Priority)],
        "assignees": [("me", _("Me")), ("unassigned", _("Unassigned"))]
        + [(str(u.id), u.name) for u in browse.colleagues(actor()) if u.id != actor().id],
        "dues": [("overdue", _("Overdue tasks")), ("today", _("Tasks due today"))],
        "sorts": [("priority", _("Priority, then last change")),
                  ("updated", _("Last change"))],
    }


@pages.route("/cases", methods=["GET", "POST"])
@require(Scope.CASES_READ)
def case_list():
    # Free text may be a person's name: it travels only in a POST body, never in a URL that
    # proxies and access logs keep. The other filters work as links too (GET).
    given: Mapping[str, Any] = request.form if request.method == "POST" else {
        name: value for name, value in request.args.items() if name != "q"}
    context = _filter_choices()
    try:
        filters = load_form(CaseFilterSchema(), given)
        page, sort = filters.pop("page"), filters.pop("sort")
        found = browse.find_cases(actor(), filters, page=page, sort=sort)
    except ValidationFailed as invalid:
        return render_template("cases/list.html", errors=FormFailure(invalid), form=given,
                               found=None, **context), invalid.status
    return render_template("cases/list.html", form=given, found=found, **context)


# --- one case ---------------------------------------------------------------------------------

def _render_case(case_id: int, *, submitted: str | None = None,
                 error: DomainError | None = None) -> tuple[str, int]:
    """The case as stored now; after a refused write, the user's input stays in the form
    that was sent, its errors beside its fields, and a stale edit names who got there first."""
    case = services.get_case(actor(), case_id)
    migrant = get_migrant(actor(), case.migrant_id)
    changed = None
    if isinstance(error, Conflict):
        changed = {"by": timeline.staff_name(case.updated_by_id), "at": case.updated_at}
    colleagues = browse.colleagues(actor())
    body = render_template(
        "cases/case.html", case=case, migrant=migrant,
        events=timeline.case_timeline(actor(), case), can_write=actor().can(Scope.CASES_WRITE),
        colleagues=colleagues, colleague_choices=[(u.id, u.name) for u in colleagues],
        today=browse.office_today(actor()),
        priorities=[(p.value, labels.priority_label(p)) for p in reversed(Priority)],
        submitted=submitted, errors=FormFailure(error), no_errors=FormFailure(),
        form=request.form if error else {},
        changed=changed)
    return body, error.status if error else 200


def _write(case_id: int, submitted: str, change: Callable[[], Any], done: str) -> Any:
    """Run one change; on success back to the case (PRG), else the page with the problem."""
    try:
        change()
    except (Conflict, ValidationFailed) as refused:
        return _render_case(case_id, submitted=submitted, error=refused)
    flash(done, "info")
    return redirect(url_for("cases_pages.case_page", case_id=case_id, _anchor=submitted), 303)


@pages.route("/cases/<int:case_id>")
@require(Scope.CASES_READ)
def case_page(case_id: int):
    return _render_case(case_id)


@pages.route("/cases/<int:case_id>/notes", methods=["POST"])
@require(Scope.CASES_WRITE)
def add_note(case_id: int):
    def change() -> None:
        note = load_form(NoteFormSchema(), request.form)
        services.add_note(actor(), case_id, note["body"], version=note["version"])
    return _write(case_id, "note", change, _("The note is added."))


@pages.route("/cases/<int:case_id>/tasks", methods=["POST"])
@require(Scope.CASES_WRITE)
def add_task(case_id: int):
    def change() -> None:
        try:
            task = load_form(TaskFormSchema(), request.form)
            version = task.pop("version")
            services.add_task(actor(), case_id, task, version=version)
        except ValidationFailed as invalid:
            # The assignment form has its own assignee_id: the summary must link to this one.
            if "assignee_id" in invalid.fields:
                invalid.fields["task_assignee_id"] = invalid.fields.pop("assignee_id")
            raise
    return _write(case_id, "task", change, _("The task is added."))


@pages.route("/cases/<int:case_id>/tasks/<int:task_id>/done", methods=["POST"])
@require(Scope.CASES_WRITE)
def complete_task(case_id: int, task_id: int) -> WerkzeugResponse | tuple[str, int]:
    back = safe_next(request.form.get("next"), "")

    def change() -> None:
        given = load_form(TaskDoneFormSchema(), request.form)
        services.set_task_done(actor(), case_id, task_id, True, version=given.get("version"))
    if back:  # from the task list: nothing typed there to keep
        change()
        flash(_("The task is done."), "info")
        return redirect(back, 303)
    return _write(case_id, "tasks", change, _("The task is done."))  # type: ignore[no-any-return]


@pages.route("/cases/<int:case_id>/status", methods=["POST"])
@require(Scope.CASES_WRITE)
def change_status(case_id: int):
    def change() -> None:
        move = load_form(TransitionSchema(), request.form)
        services.transition_case(actor(), case_id, **move)
    return _write(case_id, "status", change, _("The status is changed."))


@pages.route("/cases/<int:case_id>/assignee", methods=["POST"])
@require(Scope.CASES_WRITE)
def assign(case_id: int):
    def change() -> None:
        given = load_form(CaseUpdateSchema(only=("version", "assignee_id")), request.form)
        given.setdefault("assignee_id", None)  # the blank choice: nobody
        services.update_case(actor(), case_id, given)
    return _write(case_id, "assignee", change, _("The case is assigned."))


@pages.route("/cases/<int:case_id>/priority", methods=["POST"])
@require(Scope.CASES_WRITE)
def change_priority(case_id: int):
    def change() -> None:
        given = load_form(CaseUpdateSchema(only=("version", "priority")), request.form)
        if "priority" not in given:
            raise ValidationFailed(_("Some fields are invalid."), {"priority": [_("Required.")]})
        services.update_case(actor(), case_id, given)
    return _write(case_id, "priority", change, _("The priority is changed."))


# --- my tasks ---------------------------------------------------------------------------------

@pages.route("/tasks")
@require(Scope.CASES_READ)
def my_tasks():
    today = browse.office_today(actor())
    return render_template("cases/tasks.html", today=today,
                           tasks=browse.my_tasks_due(actor(), today))
