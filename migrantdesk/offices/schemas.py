from __future__ import annotations

import zoneinfo

from marshmallow import Schema, ValidationError, fields, validate

from migrantdesk.core.countries import KNOWN_COUNTRIES, OriginCountry
from migrantdesk.migrants.phones import PhoneNumber


def _timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError("Unknown IANA time zone, e.g. Europe/Moscow.")


_CODE = validate.Regexp(r"^[a-z0-9-]{2,40}$", error="Lower-case letters, digits and dashes.")
_NAME = validate.Length(min=2, max=200)
_HOST = validate.OneOf(sorted(KNOWN_COUNTRIES))


class OfficeSchema(Schema):
    id = fields.Integer(dump_only=True)
    code = fields.String(required=True, validate=_CODE)
    name = fields.String(required=True, validate=_NAME)
    country = fields.Enum(OriginCountry, by_value=True, required=True)
    host_country = fields.String(required=True, validate=_HOST)
    city = fields.String(required=True, validate=validate.Length(min=1, max=100))
    address = fields.String(allow_none=True, validate=validate.Length(max=300))
    hotline_numbers = fields.List(PhoneNumber(), load_default=list)
    timezone = fields.String(required=True, validate=_timezone)


class OfficeUpdateSchema(Schema):
    """Every field optional and without defaults, so a PATCH changes only what it names."""

    name = fields.String(validate=_NAME)
    host_country = fields.String(validate=_HOST)
    city = fields.String(validate=validate.Length(min=1, max=100))
    address = fields.String(allow_none=True, validate=validate.Length(max=300))
    hotline_numbers = fields.List(PhoneNumber())
    timezone = fields.String(validate=_timezone)
