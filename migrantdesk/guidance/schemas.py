"""marshmallow schemas for provisions: one entry of the content file, and its penalty."""

from __future__ import annotations

from datetime import date
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate, validates_schema

from migrantdesk.core.api import ID_RANGE
from migrantdesk.core.countries import KNOWN_COUNTRIES
from migrantdesk.guidance.models import ContentStatus, Topic, TranslationReview, Verification

KEY_PATTERN = r"^[A-Z]{2}-[A-Z0-9][A-Z0-9.-]*$"
LANGUAGE_TAG = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
# Staff read provisions in Russian or English first; other languages follow when translated.
REQUIRED_LANGUAGES = ("en", "ru")


class _Amount(fields.Float):
    """Whole numbers stay whole (5, not 5.0); fractions such as 2.5 years stay as given."""

    def _format_num(self, value: Any) -> float:
        number = super()._format_num(value)
        return int(number) if number.is_integer() else number


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError("Must not be empty.")


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class RangeSchema(_Strict):
    min = _Amount(load_default=None, allow_none=True, validate=validate.Range(min=0))
    max = _Amount(load_default=None, allow_none=True, validate=validate.Range(min=0))

    @validates_schema
    def _bounds(self, data: dict[str, Any], **kwargs: Any) -> None:
        low, high = data.get("min"), data.get("max")
        if low is None and high is None:
            raise ValidationError("Give min, max or both (use null for no such penalty).")
        if low is not None and high is not None and low > high:
            raise ValidationError("Must not be above max.", "min")


class FineSchema(RangeSchema):
    unit = fields.String(required=True, validate=validate.Length(min=1, max=20))


class PenaltySchema(_Strict):
    prison_years = fields.Nested(RangeSchema, load_default=None, allow_none=True)
    fine = fields.Nested(FineSchema, load_default=None, allow_none=True)
    other = fields.List(fields.String(validate=_not_blank), load_default=list)


class ProvisionEntrySchema(_Strict):
    """One entry of content/provisions.yaml; unknown fields are rejected, not ignored."""

    key = fields.String(required=True, validate=validate.Regexp(
        KEY_PATTERN, error="Use upper-case country-prefixed keys such as RU-CC-328-1."))
    version = fields.Integer(load_default=1, strict=True, validate=validate.Range(min=1))
    status = fields.Enum(ContentStatus, by_value=True, required=True)
    jurisdiction = fields.String(required=True, validate=validate.OneOf(
        sorted(KNOWN_COUNTRIES), error="Unknown jurisdiction {input!r}."))
    instrument = fields.String(required=True, validate=validate.Length(min=1, max=300))
    article = fields.String(load_default=None, allow_none=True,
                            validate=validate.Length(min=1, max=20))
    part = fields.String(load_default=None, allow_none=True,
                         validate=validate.Length(min=1, max=20))
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    summary = fields.Dict(keys=fields.String(validate=validate.Regexp(LANGUAGE_TAG)),
                          values=fields.String(validate=_not_blank), required=True)
    # Stated explicitly, even as null: null means no source gives the penalty.
    penalty = fields.Nested(PenaltySchema, required=True, allow_none=True)
    penalty_text = fields.String(load_default=None, allow_none=True, validate=_not_blank)
    effective_from = fields.Date(required=True)
    effective_to = fields.Date(load_default=None, allow_none=True)
    source_citation = fields.String(required=True, validate=_not_blank)
    source_url = fields.Url(load_default=None, allow_none=True, schemes={"http", "https"})
    verification = fields.Enum(Verification, by_value=True, required=True)
    verification_note = fields.String(load_default=None, allow_none=True, validate=_not_blank)

    @pre_load
    def _strip(self, data: Any, **kwargs: Any) -> Any:
        if not isinstance(data, dict):
            return data
        return {name: value.strip() if isinstance(value, str) else value
                for name, value in data.items()}

    @validates_schema
    def _consistent(self, data: dict[str, Any], **kwargs: Any) -> None:
        for name in ("effective_from", "effective_to"):
            if type(data.get(name)) not in (date, type(None)):
                raise ValidationError("A date without a time, e.g. 2022-09-24.", name)
        # A partial load (PATCH, new version) may hold either date or none: the service checks
        # the merged provision.
        if data.get("effective_to") and data.get("effective_from") \
                and data["effective_to"] <= data["effective_from"]:
            raise ValidationError("Must be after effective_from.", "effective_to")
        summary = data.get("summary", dict.fromkeys(REQUIRED_LANGUAGES))
        missing = [tag for tag in REQUIRED_LANGUAGES if tag not in summary]
        if missing:
            raise ValidationError(f"Missing language(s): {', '.join(missing)}.", "summary")


# --- the API ---------------------------------------------------------------------------------

class ProvisionCreateSchema(ProvisionEntrySchema):
    class Meta:
        exclude = ("version", "status")


class _Reviewed(Schema):
    id = fields.Integer()
    key = fields.String()
    version = fields.Integer()
    status = fields.Enum(ContentStatus, by_value=True)
    supersedes_id = fields.Integer(allow_none=True)
    author_id = fields.Integer(allow_none=True)
    approved_by_id = fields.Integer(allow_none=True)
    created_at = fields.AwareDateTime()
    published_at = fields.AwareDateTime(allow_none=True)


class ProvisionSchema(_Reviewed):
    jurisdiction = fields.String()
    instrument = fields.String()
    article = fields.String(allow_none=True)
    part = fields.String(allow_none=True)
    title = fields.String()
    summary = fields.Dict()
    penalty = fields.Dict(allow_none=True)
    penalty_text = fields.String(allow_none=True)
    effective_from = fields.Date()
    effective_to = fields.Date(allow_none=True)
    source_citation = fields.String()
    source_url = fields.String(allow_none=True)
    verification = fields.Enum(Verification, by_value=True)
    verification_note = fields.String(allow_none=True)


_COUNTRY = validate.OneOf(sorted(KNOWN_COUNTRIES), error="Unknown country code.")


class TemplateFieldsSchema(_Strict):
    topic = fields.Enum(Topic, by_value=True, required=True)
    origin_country = fields.String(allow_none=True, load_default=None, validate=_COUNTRY)
    host_country = fields.String(allow_none=True, load_default=None, validate=_COUNTRY)
    title = fields.Dict(keys=fields.String(validate=validate.Regexp(LANGUAGE_TAG)),
                        values=fields.String(validate=_not_blank), required=True)
    body = fields.Dict(keys=fields.String(validate=validate.Regexp(LANGUAGE_TAG)),
                       values=fields.String(validate=_not_blank), required=True)
    provision_keys = fields.List(fields.String(validate=validate.Regexp(KEY_PATTERN)),
                                 load_default=list)
    translation_review = fields.Dict(
        keys=fields.String(validate=validate.Regexp(LANGUAGE_TAG)),
        values=fields.String(validate=validate.OneOf([state.value for state in TranslationReview])),
        load_default=dict,
        metadata={"description": "Per translated language (not ru or en): `reviewed` once a "
                  "native-speaking lawyer has checked it; until then leaflets say that the "
                  "Russian text prevails. A language left out counts as unreviewed."})


class TemplateCreateSchema(TemplateFieldsSchema):
    key = fields.String(required=True, validate=validate.Regexp(KEY_PATTERN))


class TemplateSchema(_Reviewed, TemplateFieldsSchema):
    pass


class RuleFieldsSchema(_Strict):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(allow_none=True, load_default=None)
    conditions = fields.Dict(required=True, metadata={
        "description": "Rule language: see migrantdesk/guidance/conditions.py"})
    template_keys = fields.List(fields.String(validate=validate.Regexp(KEY_PATTERN)),
                                load_default=list)
    provision_keys = fields.List(fields.String(validate=validate.Regexp(KEY_PATTERN)),
                                 load_default=list)


class RuleCreateSchema(RuleFieldsSchema):
    key = fields.String(required=True, validate=validate.Regexp(KEY_PATTERN))


class RuleSchema(_Reviewed, RuleFieldsSchema):
    pass


class ReasonSchema(_Strict):
    reason = fields.String(required=True, validate=validate.Length(min=3, max=500))


class ContentListQuerySchema(_Strict):
    key = fields.String()
    status = fields.Enum(ContentStatus, by_value=True)
    jurisdiction = fields.String(validate=_COUNTRY, metadata={"description": "Provisions only"})


class SituationSchema(Schema):
    category = fields.String()
    origin = fields.String()
    host_country = fields.String()
    citizenships = fields.Function(lambda s: sorted(s.citizenships))
    event_date = fields.Date()


class DryRunSchema(_Strict):
    case_id = fields.Integer(required=True, validate=ID_RANGE)
    conditions = fields.Dict(required=True)


class DryRunResultSchema(Schema):
    matches = fields.Boolean()
    situation = fields.Nested(SituationSchema)


class PositionSchema(Schema):
    origin_country = fields.String()
    other_country = fields.String()
    stance = fields.String()
    risk = fields.String()
    reasons = fields.Dict()
    provision_keys = fields.List(fields.String())
    source_citation = fields.String()
    verification = fields.String()
    verification_note = fields.String(allow_none=True)


class RiskSchema(Schema):
    level = fields.String(allow_none=True)
    positions = fields.List(fields.Nested(PositionSchema))
    unknown_pairs = fields.List(fields.List(fields.String()))


class DeadlineSchema(Schema):
    deadline = fields.AwareDateTime(allow_none=True)
    hours_left = fields.Float(allow_none=True)
    signed = fields.Boolean()
    urgent = fields.Boolean()
    reasons = fields.List(fields.String())


class RuleBriefSchema(Schema):
    id = fields.Integer()
    key = fields.String()
    version = fields.Integer()
    name = fields.String()


class SelectionSchema(Schema):
    situation = fields.Nested(SituationSchema)
    rules = fields.List(fields.Nested(RuleBriefSchema))
    templates = fields.List(fields.Nested(TemplateSchema))
    provisions = fields.List(fields.Nested(ProvisionSchema))
    unverified_provision_keys = fields.Function(lambda s: [p.key for p in s.unverified])
    not_in_force = fields.List(fields.String())
    deadline = fields.Nested(DeadlineSchema, allow_none=True)
    risk = fields.Nested(RiskSchema)


class GiveGuidanceSchema(_Strict):
    template_id = fields.Integer(required=True, validate=ID_RANGE)
    language = fields.String(required=True, validate=validate.Regexp(LANGUAGE_TAG))
    call_id = fields.Integer(allow_none=True, load_default=None, validate=ID_RANGE)


class GuidanceGivenSchema(Schema):
    id = fields.Integer()
    case_id = fields.Integer()
    call_id = fields.Integer(allow_none=True)
    template_id = fields.Integer()
    template_key = fields.Function(lambda e: e.template.key)
    template_version = fields.Function(lambda e: e.template.version)
    provision_ids = fields.List(fields.Integer())
    language = fields.String()
    text = fields.String()
    text_sha256 = fields.String()
    given_by_id = fields.Integer()
    given_at = fields.AwareDateTime()
    superseded = fields.Boolean()
    superseded_because = fields.List(fields.String())
