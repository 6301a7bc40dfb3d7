from __future__ import annotations

from datetime import date

from migrantdesk.auth.guard import actor, require
from migrantdesk.auth.permissions import Scope
from migrantdesk.cases import services
from migrantdesk.cases.schemas import (
    CaseCreateSchema,
    CaseListQuerySchema,
    CaseSchema,
    CaseSummarySchema,
    CaseUpdateSchema,
    NoteCreateSchema,
    NoteSchema,
    TaskCreateSchema,
    TaskSchema,
    TaskUpdateSchema,
    TransitionSchema,
)
from migrantdesk.core.api import Blueprint
from migrantdesk.core.idempotency import idempotent

blp = Blueprint("cases", __name__, url_prefix="/api/v1/cases",
                description="Cases: facts, status workflow, tasks and notes")


@blp.route("")
@require(Scope.CASES_READ)
@blp.arguments(CaseListQuerySchema, location="query")
@blp.response(200, CaseSummarySchema(many=True))
def list_cases(query):
    return services.list_cases(actor(), **query)


@blp.route("", methods=["POST"])
@require(Scope.CASES_WRITE)
@idempotent("case")
@blp.arguments(CaseCreateSchema)
@blp.response(201, CaseSummarySchema)
def create_case(new_case):
    return services.create_case(actor(), new_case)


@blp.route("/<int:case_id>")
@require(Scope.CASES_READ)
@blp.response(200, CaseSchema)
def get_case(case_id):
    return services.get_case(actor(), case_id)


@blp.route("/<int:case_id>", methods=["PATCH"])
@require(Scope.CASES_WRITE)
@blp.arguments(CaseUpdateSchema)
@blp.response(200, CaseSchema)
def update_case(changes, case_id):
    return services.update_case(actor(), case_id, changes)


@blp.route("/<int:case_id>/transitions", methods=["POST"])
@require(Scope.CASES_WRITE)
@blp.arguments(TransitionSchema)
@blp.response(200, CaseSchema)
def transition_case(transition, case_id):
    return services.transition_case(actor(), case_id, **transition)


@blp.route("/<int:case_id>/tasks", methods=["POST"])
@require(Scope.CASES_WRITE)
@idempotent("case_task")
@blp.arguments(TaskCreateSchema)
@blp.response(201, TaskSchema)
def add_task(new_task, case_id):
    return services.add_task(actor(), case_id, new_task)


@blp.route("/<int:case_id>/tasks/<int:task_id>", methods=["PATCH"])
@require(Scope.CASES_WRITE)
@blp.arguments(TaskUpdateSchema)
@blp.response(200, TaskSchema)
def update_task(change, case_id, task_id):
    return services.set_task_done(actor(), case_id, task_id, change["done"])


@blp.route("/<int:case_id>/notes", methods=["POST"])
@require(Scope.CASES_WRITE)
@idempotent("case_note")
@blp.arguments(NoteCreateSchema)
@blp.response(201, NoteSchema)
def add_note(new_note, case_id):
    return services.add_note(actor(), case_id, new_note["body"])


@blp.route("/tasks/due")
@require(Scope.CASES_READ)
@blp.response(200, TaskSchema(many=True))
def my_tasks_due():
    """The current user's open tasks due today or earlier."""
    return services.tasks_due(actor(), date.today())
