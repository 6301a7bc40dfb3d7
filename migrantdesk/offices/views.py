from __future__ import annotations

from migrantdesk.auth.guard import actor, require
from migrantdesk.auth.permissions import Scope
from migrantdesk.core.api import Blueprint
from migrantdesk.offices import services
from migrantdesk.offices.schemas import OfficeSchema, OfficeUpdateSchema

blp = Blueprint("offices", __name__, url_prefix="/api/v1/offices",
                description="Consulates and embassies")


@blp.route("")
@require(Scope.OFFICES_READ)
@blp.response(200, OfficeSchema(many=True))
def list_offices():
    return services.visible_offices(actor())


@blp.route("", methods=["POST"])
@require(Scope.OFFICES_ADMIN)
@blp.arguments(OfficeSchema)
@blp.response(201, OfficeSchema)
def create_office(new_office):
    return services.create_office(actor(), **new_office)


@blp.route("/<int:office_id>")
@require(Scope.OFFICES_READ)
@blp.response(200, OfficeSchema)
def get_office(office_id):
    return services.get_office(actor(), office_id)


@blp.route("/<int:office_id>", methods=["PATCH"])
@require(Scope.OFFICES_ADMIN)
@blp.arguments(OfficeUpdateSchema)
@blp.response(200, OfficeSchema)
def update_office(changes, office_id):
    return services.update_office(actor(), services.get_office(actor(), office_id), changes)
