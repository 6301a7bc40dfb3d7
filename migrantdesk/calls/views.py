from __future__ import annotations

from flask import current_app

from migrantdesk.auth.guard import actor, require
from migrantdesk.auth.permissions import Scope
from migrantdesk.calls import services
from migrantdesk.calls.schemas import (
    CallCreateSchema,
    CallerSearchQuerySchema,
    CallerSearchResultSchema,
    CallLinkSchema,
    CallListQuerySchema,
    CallSchema,
    CallUpdateSchema,
)
from migrantdesk.core.api import Blueprint
from migrantdesk.core.idempotency import idempotent

blp = Blueprint("calls", __name__, url_prefix="/api/v1/calls",
                description="Hotline call log and repeat-caller search")


@blp.route("")
@require(Scope.CALLS_READ)
@blp.arguments(CallListQuerySchema, location="query")
@blp.response(200, CallSchema(many=True))
def list_calls(query):
    return services.list_calls(actor(), **query)


@blp.route("", methods=["POST"])
@require(Scope.CALLS_WRITE)
@idempotent("call")
@blp.arguments(CallCreateSchema)
@blp.response(201, CallSchema)
def log_call(new_call):
    return services.log_call(actor(), new_call)


@blp.route("/<int:call_id>")
@require(Scope.CALLS_READ)
@blp.response(200, CallSchema)
def get_call(call_id):
    return services.get_call(actor(), call_id)


@blp.route("/<int:call_id>", methods=["PATCH"])
@require(Scope.CALLS_WRITE)
@blp.arguments(CallUpdateSchema)
@blp.response(200, CallSchema)
def update_call(changes, call_id):
    return services.update_call(actor(), call_id, changes)


@blp.route("/<int:call_id>/link", methods=["POST"])
@require(Scope.CALLS_WRITE)
@blp.arguments(CallLinkSchema)
@blp.response(200, CallSchema)
def link_call(link, call_id):
    return services.link_call(actor(), call_id, link.get("migrant_id"), link.get("case_id"))


@blp.route("/caller-search")
@require(Scope.MIGRANTS_READ, Scope.CALLS_READ)
@blp.arguments(CallerSearchQuerySchema, location="query")
@blp.response(200, CallerSearchResultSchema)
def caller_search(query):
    """Find a repeat caller by phone (any format), name (any script) or document number."""
    return services.search_callers(actor(), query["q"], current_app.config["SEARCH_RESULT_LIMIT"])
