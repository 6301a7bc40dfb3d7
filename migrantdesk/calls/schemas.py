from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from migrantdesk.calls.models import CallDirection, CallOutcome
from migrantdesk.core.api import ID_RANGE, PageQuerySchema
from migrantdesk.migrants.schemas import MigrantSummarySchema

_LANGUAGE = validate.OneOf(["ru", "ky", "uz", "uz-Latn", "uz-Cyrl", "tg", "kk", "tk", "en",
                            "kaa", "other"])


class CallCreateSchema(Schema):
    started_at = fields.AwareDateTime(metadata={"description": "Defaults to now"})
    ended_at = fields.AwareDateTime(allow_none=True)
    direction = fields.Enum(CallDirection, by_value=True, load_default=CallDirection.INBOUND)
    caller_phone = fields.String(allow_none=True, validate=validate.Length(min=3, max=40),
                                 metadata={"description": "Any format; stored as E.164"})
    language = fields.String(allow_none=True, validate=_LANGUAGE)
    summary = fields.String(allow_none=True, validate=validate.Length(max=10_000))
    migrant_id = fields.Integer(allow_none=True, validate=ID_RANGE)
    case_id = fields.Integer(allow_none=True, validate=ID_RANGE)

    @validates_schema
    def _ends_after_start(self, data: dict, **kwargs: object) -> None:
        started, ended = data.get("started_at"), data.get("ended_at")
        if started and ended and ended < started:
            raise ValidationError("Must not be before the start.", "ended_at")


class CallUpdateSchema(Schema):
    ended_at = fields.AwareDateTime(allow_none=True)
    language = fields.String(allow_none=True, validate=_LANGUAGE)
    summary = fields.String(allow_none=True, validate=validate.Length(max=10_000))
    outcome = fields.Enum(CallOutcome, by_value=True, allow_none=True)


class CallLinkSchema(Schema):
    migrant_id = fields.Integer(allow_none=True, validate=ID_RANGE)
    case_id = fields.Integer(allow_none=True, validate=ID_RANGE)

    @validates_schema
    def _something_to_link(self, data: dict, **kwargs: object) -> None:
        if not data.get("migrant_id") and not data.get("case_id"):
            raise ValidationError("Give a migrant_id, a case_id or both.", "migrant_id")


class CallSchema(Schema):
    id = fields.Integer()
    office_id = fields.Integer()
    operator_id = fields.Integer()
    started_at = fields.AwareDateTime()
    ended_at = fields.AwareDateTime(allow_none=True)
    direction = fields.Enum(CallDirection, by_value=True)
    caller_phone = fields.String(allow_none=True)
    language = fields.String(allow_none=True)
    summary = fields.String(allow_none=True)
    outcome = fields.Enum(CallOutcome, by_value=True, allow_none=True)
    migrant_id = fields.Integer(allow_none=True)
    case_id = fields.Integer(allow_none=True)


class CallListQuerySchema(PageQuerySchema):
    migrant_id = fields.Integer(validate=ID_RANGE)
    case_id = fields.Integer(validate=ID_RANGE)
    unlinked = fields.Boolean(metadata={"description": "Only calls not linked to a migrant"})


class CallerSearchQuerySchema(Schema):
    q = fields.String(required=True, validate=validate.Length(
        min=3, max=100, error="Type at least 3 characters (at most 100)."),
        metadata={"description": "A phone number in any format, a name in any script, "
                                 "or a document number"})


class CallerMatchSchema(MigrantSummarySchema):
    phones = fields.List(fields.String())
    open_cases = fields.Integer()
    score = fields.Float()
    matched_on = fields.List(fields.String())


class CallerSearchResultSchema(Schema):
    migrants = fields.List(fields.Nested(CallerMatchSchema))
    unlinked_calls = fields.List(fields.Nested(CallSchema))
