from __future__ import annotations

from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from migrantdesk.core.api import PageQuerySchema
from migrantdesk.core.countries import KNOWN_COUNTRIES
from migrantdesk.migrants import consent as consent_rules
from migrantdesk.migrants.models import (
    AcquisitionMode,
    ConsentMethod,
    ConsentPurpose,
    DocumentKind,
    DocumentStatus,
)

_COUNTRY = validate.OneOf(sorted(KNOWN_COUNTRIES), error="Unknown country code.")
_NAME = validate.Length(min=1, max=100)


def not_in_future(value: date) -> None:
    if value > date.today():
        raise ValidationError("Must not be in the future.")


def _plausible_birth_date(value: date) -> None:
    not_in_future(value)
    if value.year < 1900:
        raise ValidationError("Must be after 1900.")


class PhoneSchema(Schema):
    number = fields.String(required=True, load_only=True,
                           validate=validate.Length(min=3, max=40),
                           metadata={"description": "Any format; stored as E.164"})
    e164 = fields.String(dump_only=True)
    label = fields.String(allow_none=True, validate=validate.Length(max=40))


class CitizenshipSchema(Schema):
    id = fields.Integer(dump_only=True)
    country = fields.String(required=True, validate=_COUNTRY)
    acquired_how = fields.Enum(AcquisitionMode, by_value=True,
                               load_default=AcquisitionMode.UNKNOWN)
    acquired_on = fields.Date(allow_none=True, validate=not_in_future)
    renounced_on = fields.Date(allow_none=True, validate=not_in_future)


class IdentityDocumentSchema(Schema):
    id = fields.Integer(dump_only=True)
    kind = fields.Enum(DocumentKind, by_value=True, required=True)
    number = fields.String(required=True, validate=validate.Length(min=3, max=40))
    issuing_country = fields.String(allow_none=True, validate=_COUNTRY)
    issued_on = fields.Date(allow_none=True, validate=not_in_future)
    expires_on = fields.Date(allow_none=True)
    status = fields.Enum(DocumentStatus, by_value=True, load_default=DocumentStatus.VALID)

    @validates_schema
    def _expiry_after_issue(self, data: dict, **kwargs: object) -> None:
        issued, expires = data.get("issued_on"), data.get("expires_on")
        if issued and expires and expires < issued:
            raise ValidationError("Must not be before the issue date.", "expires_on")


class _ValidToday(fields.Boolean):
    """Whether the consent being dumped holds today (migrants.consent)."""

    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = None) -> bool:
        return consent_rules.is_valid(obj)


class _PurposesToday(fields.Nested):
    """The purposes the migrant being dumped has valid consent to today, and those missing."""

    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = None) -> Any:
        return consent_rules.purposes_of(obj.consents)


class ConsentSchema(Schema):
    id = fields.Integer(dump_only=True)
    purpose = fields.Enum(ConsentPurpose, by_value=True, required=True)
    method = fields.Enum(ConsentMethod, by_value=True, required=True)
    given_on = fields.Date(required=True, validate=not_in_future)
    expires_on = fields.Date(allow_none=True, metadata={
        "description": "First day the consent no longer holds"})
    withdrawn_on = fields.Date(allow_none=True, validate=not_in_future)
    call_id = fields.Integer(dump_only=True, allow_none=True)
    valid = _ValidToday(dump_only=True, metadata={"description": "Whether it holds today"})


class ConsentGrantSchema(Schema):
    """Consent to one or more purposes, as the migrant gives it (on the phone, typically)."""

    purposes = fields.List(fields.Enum(ConsentPurpose, by_value=True), required=True,
                           validate=validate.Length(min=1))
    method = fields.Enum(ConsentMethod, by_value=True, load_default=ConsentMethod.VERBAL_ON_CALL)
    given_on = fields.Date(validate=not_in_future, metadata={"description": "Defaults to today"})
    expires_on = fields.Date(allow_none=True, metadata={
        "description": "First day the consent no longer holds; none: until withdrawn"})
    call_id = fields.Integer(allow_none=True, metadata={
        "description": "The call during which it was given"})


class ConsentWithdrawalSchema(Schema):
    purposes = fields.List(fields.Enum(ConsentPurpose, by_value=True), required=True,
                           validate=validate.Length(min=1))
    on = fields.Date(validate=not_in_future, metadata={"description": "Defaults to today"})


class ConsentStatusSchema(Schema):
    migrant_id = fields.Integer()
    valid = fields.List(fields.String(), metadata={"description": "Purposes that hold today"})
    missing = fields.List(fields.String(), metadata={
        "description": "Purposes without valid consent today"})
    consents = fields.List(fields.Nested(ConsentSchema))


class _MigrantFields(Schema):
    surname_cyrl = fields.String(allow_none=True, validate=_NAME)
    given_names_cyrl = fields.String(allow_none=True, validate=validate.Length(max=150))
    surname_latn = fields.String(allow_none=True, validate=_NAME)
    given_names_latn = fields.String(allow_none=True, validate=validate.Length(max=150))
    birth_date = fields.Date(allow_none=True, validate=_plausible_birth_date)
    home_region = fields.String(allow_none=True, validate=validate.Length(max=100))
    host_city = fields.String(allow_none=True, validate=validate.Length(max=100))
    preferred_language = fields.String(allow_none=True, validate=validate.Length(max=10))
    phones = fields.List(fields.Nested(PhoneSchema))
    citizenships = fields.List(fields.Nested(CitizenshipSchema))
    documents = fields.List(fields.Nested(IdentityDocumentSchema))
    consents = fields.List(fields.Nested(ConsentSchema))


class MigrantCreateSchema(_MigrantFields):
    @validates_schema
    def _has_a_surname(self, data: dict, **kwargs: object) -> None:
        if not (data.get("surname_cyrl") or data.get("surname_latn")):
            raise ValidationError("A surname in Cyrillic or Latin script is required.",
                                  "surname_cyrl")


class MigrantUpdateSchema(_MigrantFields):
    """Fields given replace the stored ones (lists as a whole); `version` guards the edit."""

    version = fields.Integer(required=True, metadata={"description": "Version you last read"})


class ConsentPurposesSchema(Schema):
    valid = fields.List(fields.String())
    missing = fields.List(fields.String())


class MigrantSchema(_MigrantFields):
    id = fields.Integer()
    office_id = fields.Integer()
    version = fields.Integer()
    birth_year = fields.Integer(allow_none=True)
    anonymised_at = fields.AwareDateTime(allow_none=True)
    consent_purposes = _PurposesToday(ConsentPurposesSchema, metadata={
        "description": "Purposes with valid consent today, and those missing"})
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class MigrantSummarySchema(Schema):
    id = fields.Integer()
    surname_cyrl = fields.String()
    given_names_cyrl = fields.String()
    surname_latn = fields.String()
    given_names_latn = fields.String()
    birth_date = fields.Date()


class MigrantListQuerySchema(PageQuerySchema):
    pass
