"""Phone numbers: stored in E.164, accepted in any format a caller or clerk types."""

from __future__ import annotations

import re

import phonenumbers
from marshmallow import ValidationError, fields

from migrantdesk.core.countries import PHONE_REGION


def e164_or_error(raw: str, country_hint: str | None) -> str:
    """The E.164 form of a number; local numbers are read in the hinted country's plan."""
    region = PHONE_REGION.get(country_hint or "", country_hint) if country_hint else None
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as error:
        raise ValidationError("Not a phone number; use +<country code><number>.") from error
    if not phonenumbers.is_possible_number(number) or not phonenumbers.is_valid_number(number):
        raise ValidationError("This phone number cannot exist.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def digits_of(raw: str) -> str:
    return re.sub(r"\D", "", raw)


class PhoneNumber(fields.String):
    """A string field that loads to E.164; a number without a country code needs the host
    country's plan, which the schema passes in its context as ``phone_region``."""

    def __init__(self, region: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.region = region

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        raw = super()._deserialize(value, attr, data, **kwargs)
        return e164_or_error(raw, self.region)
