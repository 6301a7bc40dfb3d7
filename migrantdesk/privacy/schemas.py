from __future__ import annotations

from marshmallow import Schema, fields, validate

from migrantdesk.privacy.services import ErasureReason


class LegalHoldSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=3, max=500), metadata={
        "description": "Who asked for the hold and their reference (a court, a prosecutor)"})


class LegalHoldStateSchema(Schema):
    case_id = fields.Integer(attribute="id")
    legal_hold = fields.Boolean()
    legal_hold_reason = fields.String(allow_none=True)
    legal_hold_by_id = fields.Integer(allow_none=True)
    legal_hold_at = fields.AwareDateTime(allow_none=True)
    version = fields.Integer()


class ErasureRequestSchema(Schema):
    reason = fields.Enum(ErasureReason, by_value=True, required=True)


class ErasureResultSchema(Schema):
    migrant_id = fields.Integer()
    anonymised_at = fields.AwareDateTime()
    case_ids = fields.List(fields.Integer(), metadata={"description": "Cases anonymised with it"})
