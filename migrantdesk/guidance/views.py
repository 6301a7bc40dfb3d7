"""/api/v1/guidance: provisions, templates and rules through review; positions; dry runs.
/api/v1/cases/<id>/guidance: what applies to a case, and the record of guidance given."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import Schema
from sqlalchemy import select

from migrantdesk.auth.guard import actor, require
from migrantdesk.auth.permissions import Scope
from migrantdesk.core.api import Blueprint
from migrantdesk.core.db import db
from migrantdesk.guidance import casework, library, review, services
from migrantdesk.guidance.models import (
    CitizenshipPosition,
    GuidanceRule,
    GuidanceTemplate,
    Provision,
    ReviewedContent,
)
from migrantdesk.guidance.schemas import (
    ContentListQuerySchema,
    DryRunResultSchema,
    DryRunSchema,
    GiveGuidanceSchema,
    GuidanceGivenSchema,
    PositionSchema,
    ProvisionCreateSchema,
    ProvisionSchema,
    ReasonSchema,
    RuleCreateSchema,
    RuleFieldsSchema,
    RuleSchema,
    SelectionSchema,
    TemplateCreateSchema,
    TemplateFieldsSchema,
    TemplateSchema,
)

blp = Blueprint("guidance", __name__, url_prefix="/api/v1/guidance",
                description="Legal provisions, guidance templates and rules, with review")
case_blp = Blueprint("case_guidance", __name__, url_prefix="/api/v1/cases",
                     description="Guidance applicable to a case and guidance given")


def _list_content(model: type[ReviewedContent], query: dict[str, Any]) -> list[Any]:
    statement = select(model).order_by(model.key, model.version)
    for name, value in query.items():
        statement = statement.where(getattr(model, name) == value)
    return list(db.session.scalars(statement))


def _content_routes(path: str, model: type, schema: type[Schema], create_schema: type[Schema],
                    fields_schema: type[Schema], create: Callable[..., Any],
                    update: Callable[..., Any], new_version: Callable[..., Any]) -> None:
    """The same review lifecycle endpoints for each kind of legal content."""
    name = path.rstrip("s")

    @blp.route(f"/{path}", endpoint=f"list_{path}")
    @require(Scope.GUIDANCE_READ)
    @blp.arguments(ContentListQuerySchema, location="query")
    @blp.response(200, schema(many=True))
    def list_items(query):
        if model is not Provision:
            query.pop("jurisdiction", None)
        return _list_content(model, query)

    @blp.route(f"/{path}", methods=["POST"], endpoint=f"create_{name}")
    @require(Scope.GUIDANCE_WRITE)
    @blp.arguments(create_schema)
    @blp.response(201, schema)
    def create_item(content):
        return create(actor(), content.pop("key"), content)

    @blp.route(f"/{path}/<int:item_id>", endpoint=f"get_{name}")
    @require(Scope.GUIDANCE_READ)
    @blp.response(200, schema)
    def get_item(item_id):
        return review.get_item(model, item_id)

    @blp.route(f"/{path}/<int:item_id>", methods=["PATCH"], endpoint=f"update_{name}")
    @require(Scope.GUIDANCE_WRITE)
    @blp.arguments(fields_schema(partial=True))
    @blp.response(200, schema)
    def update_item(changes, item_id):
        return update(actor(), review.get_item(model, item_id), changes)

    @blp.route(f"/{path}/<int:item_id>/versions", methods=["POST"],
               endpoint=f"new_{name}_version")
    @require(Scope.GUIDANCE_WRITE)
    @blp.arguments(fields_schema(partial=True))
    @blp.response(201, schema)
    def new_item_version(changes, item_id):
        return new_version(actor(), review.get_item(model, item_id).key, changes)

    @blp.route(f"/{path}/<int:item_id>/history", endpoint=f"{name}_history")
    @require(Scope.GUIDANCE_READ)
    @blp.response(200, schema(many=True))
    def item_history(item_id):
        return review.versions_of(model, review.get_item(model, item_id).key)

    @blp.route(f"/{path}/<int:item_id>/submit", methods=["POST"], endpoint=f"submit_{name}")
    @require(Scope.GUIDANCE_WRITE)
    @blp.response(200, schema)
    def submit_item(item_id):
        return review.submit(actor(), review.get_item(model, item_id))

    @blp.route(f"/{path}/<int:item_id>/approve", methods=["POST"], endpoint=f"approve_{name}")
    @require(Scope.GUIDANCE_PUBLISH)
    @blp.response(200, schema)
    def approve_item(item_id):
        """Publish a version in review; the approver must not be its author (403)."""
        return review.approve(actor(), review.get_item(model, item_id))

    @blp.route(f"/{path}/<int:item_id>/send-back", methods=["POST"],
               endpoint=f"send_back_{name}")
    @require(Scope.GUIDANCE_PUBLISH)
    @blp.arguments(ReasonSchema)
    @blp.response(200, schema)
    def send_back_item(body, item_id):
        return review.send_back(actor(), review.get_item(model, item_id), body["reason"])

    @blp.route(f"/{path}/<int:item_id>/retire", methods=["POST"], endpoint=f"retire_{name}")
    @require(Scope.GUIDANCE_PUBLISH)
    @blp.arguments(ReasonSchema)
    @blp.response(200, schema)
    def retire_item(body, item_id):
        return review.retire(actor(), review.get_item(model, item_id), body["reason"])


_content_routes("provisions", Provision, ProvisionSchema, ProvisionCreateSchema,
                ProvisionCreateSchema, services.create_provision, services.update_draft,
                services.new_version)
_content_routes("templates", GuidanceTemplate, TemplateSchema, TemplateCreateSchema,
                TemplateFieldsSchema,
                lambda who, key, content: library.create(who, GuidanceTemplate, key, content),
                library.update_draft,
                lambda who, key, changes: library.new_version(who, GuidanceTemplate, key,
                                                              changes))
_content_routes("rules", GuidanceRule, RuleSchema, RuleCreateSchema, RuleFieldsSchema,
                lambda who, key, content: library.create(who, GuidanceRule, key, content),
                library.update_draft,
                lambda who, key, changes: library.new_version(who, GuidanceRule, key, changes))


@blp.route("/rules/dry-run", methods=["POST"])
@require(Scope.GUIDANCE_WRITE, Scope.CASES_READ)
@blp.arguments(DryRunSchema)
@blp.response(200, DryRunResultSchema)
def dry_run_rule(body):
    """Would these (draft) conditions match this case? Nothing is saved."""
    library.check_conditions(body["conditions"])
    return casework.dry_run(actor(), body["case_id"], body["conditions"])


@blp.route("/citizenship-positions")
@require(Scope.GUIDANCE_READ)
@blp.response(200, PositionSchema(many=True))
def citizenship_positions():
    return list(db.session.scalars(select(CitizenshipPosition).order_by(
        CitizenshipPosition.origin_country, CitizenshipPosition.other_country)))


@case_blp.route("/<int:case_id>/guidance")
@require(Scope.CASES_READ, Scope.GUIDANCE_READ)
@case_blp.response(200, SelectionSchema)
def case_guidance(case_id):
    """Templates and provisions that apply (as in force on the event date), unverified
    provisions, the notice deadline and the dual-citizenship risk."""
    return casework.applicable_guidance(actor(), case_id)


@case_blp.route("/<int:case_id>/guidance/given", methods=["POST"])
@require(Scope.CASES_WRITE, Scope.GUIDANCE_READ)
@case_blp.arguments(GiveGuidanceSchema)
@case_blp.response(201, GuidanceGivenSchema)
def give_guidance(body, case_id):
    record = casework.give_guidance(actor(), case_id, **body)
    return casework.GivenEntry(record, db.session.get(GuidanceTemplate, record.template_id),
                               False, [])


@case_blp.route("/<int:case_id>/guidance/given")
@require(Scope.CASES_READ, Scope.GUIDANCE_READ)
@case_blp.response(200, GuidanceGivenSchema(many=True))
def guidance_given(case_id):
    """What was given on this case, newest first; superseded guidance is flagged."""
    return casework.guidance_history(actor(), case_id)
