from __future__ import annotations

from migrantdesk.auth.guard import actor, require
from migrantdesk.auth.permissions import Scope
from migrantdesk.core.api import Blueprint
from migrantdesk.core.idempotency import idempotent
from migrantdesk.migrants import consent, services
from migrantdesk.migrants.schemas import (
    ConsentGrantSchema,
    ConsentStatusSchema,
    ConsentWithdrawalSchema,
    MigrantCreateSchema,
    MigrantListQuerySchema,
    MigrantSchema,
    MigrantSummarySchema,
    MigrantUpdateSchema,
)

blp = Blueprint("migrants", __name__, url_prefix="/api/v1/migrants",
                description="Migrants, their citizenships, documents and consents")


@blp.route("")
@require(Scope.MIGRANTS_READ)
@blp.arguments(MigrantListQuerySchema, location="query")
@blp.response(200, MigrantSummarySchema(many=True))
def list_migrants(query):
    return services.list_migrants(actor(), **query)


@blp.route("", methods=["POST"])
@require(Scope.MIGRANTS_WRITE)
@idempotent("migrant")
@blp.arguments(MigrantCreateSchema)
@blp.response(201, MigrantSchema)
def create_migrant(new_migrant):
    return services.create_migrant(actor(), new_migrant)


@blp.route("/<int:migrant_id>")
@require(Scope.MIGRANTS_READ)
@blp.response(200, MigrantSchema)
def get_migrant(migrant_id):
    return services.get_migrant(actor(), migrant_id)


@blp.route("/<int:migrant_id>", methods=["PATCH"])
@require(Scope.MIGRANTS_WRITE)
@blp.arguments(MigrantUpdateSchema)
@blp.response(200, MigrantSchema)
def update_migrant(changes, migrant_id):
    return services.update_migrant(actor(), migrant_id, changes)


@blp.route("/<int:migrant_id>/consents")
@require(Scope.MIGRANTS_READ)
@blp.response(200, ConsentStatusSchema)
def consent_status(migrant_id):
    """Every consent record, with the purposes that hold today and those missing."""
    return consent.consent_status(actor(), migrant_id, audited=True)


@blp.route("/<int:migrant_id>/consents", methods=["POST"])
@require(Scope.MIGRANTS_WRITE)
@blp.arguments(ConsentGrantSchema)
@blp.response(201, ConsentStatusSchema)
def record_consents(grant, migrant_id):
    """Record consent to one or more purposes at once, e.g. said on the phone during a call."""
    consent.record_consents(actor(), migrant_id, grant)
    return consent.consent_status(actor(), migrant_id)


@blp.route("/<int:migrant_id>/consents/withdrawal", methods=["POST"])
@require(Scope.MIGRANTS_WRITE)
@blp.arguments(ConsentWithdrawalSchema)
@blp.response(200, ConsentStatusSchema)
def withdraw_consents(withdrawal, migrant_id):
    """Withdraw consent to purposes from a day (today by default); later actions for those
    purposes are refused until consent is given again."""
    consent.withdraw_consents(actor(), migrant_id, withdrawal["purposes"], withdrawal.get("on"))
    return consent.consent_status(actor(), migrant_id)
