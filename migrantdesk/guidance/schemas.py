"""marshmallow schemas for provisions: one entry of the content file, and its penalty."""

from __future__ import annotations

from datetime import date
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate, validates_schema

from migrantdesk.core.countries import KNOWN_COUNTRIES
from migrantdesk.guidance.models import ProvisionStatus, Verification

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
    status = fields.Enum(ProvisionStatus, by_value=True, required=True)
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
        if data.get("effective_to") and data["effective_to"] <= data["effective_from"]:
            raise ValidationError("Must be after effective_from.", "effective_to")
        missing = [tag for tag in REQUIRED_LANGUAGES if tag not in data["summary"]]
        if missing:
            raise ValidationError(f"Missing language(s): {', '.join(missing)}.", "summary")
