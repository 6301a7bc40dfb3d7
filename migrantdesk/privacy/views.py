from __future__ import annotations

from migrantdesk.auth.guard import actor, require
from migrantdesk.auth.permissions import Scope
from migrantdesk.core.api import Blueprint
from migrantdesk.privacy import services
from migrantdesk.privacy.schemas import (
    ErasureRequestSchema,
    ErasureResultSchema,
    LegalHoldSchema,
    LegalHoldStateSchema,
)

blp = Blueprint("privacy", __name__, url_prefix="/api/v1",
                description="Legal holds on cases and erasure of a migrant's personal data")


@blp.route("/cases/<int:case_id>/legal-hold", methods=["PUT"])
@require(Scope.PRIVACY_MANAGE)
@blp.arguments(LegalHoldSchema)
@blp.response(200, LegalHoldStateSchema)
def set_legal_hold(hold, case_id):
    """Keep the case and its migrant from anonymisation and erasure until the hold is lifted."""
    return services.set_legal_hold(actor(), case_id, hold["reason"])


@blp.route("/cases/<int:case_id>/legal-hold", methods=["DELETE"])
@require(Scope.PRIVACY_MANAGE)
@blp.response(200, LegalHoldStateSchema)
def clear_legal_hold(case_id):
    return services.clear_legal_hold(actor(), case_id)


@blp.route("/migrants/<int:migrant_id>/erasure", methods=["POST"])
@require(Scope.PRIVACY_MANAGE)
@blp.arguments(ErasureRequestSchema)
@blp.response(200, ErasureResultSchema)
def erase_migrant(request, migrant_id):
    """Remove the migrant's names, birth date, phones, documents and every case's free text
    now; refused (409, naming the cases) while a case is open or under legal hold."""
    return services.erase_migrant(actor(), migrant_id, request["reason"])
