"""Countries the product knows: the five origin states and the host countries."""

from __future__ import annotations

from enum import StrEnum


class OriginCountry(StrEnum):
    """The states whose consulates use MigrantDesk."""

    KG = "KG"
    UZ = "UZ"
    TJ = "TJ"
    KZ = "KZ"
    TM = "TM"


# ISO 3166-1 alpha-2 codes seen as host or citizenship countries (seed-facts §3).
KNOWN_COUNTRIES = frozenset({
    "KG", "UZ", "TJ", "KZ", "TM", "RU", "BY", "TR", "CZ", "FI", "DE", "LT", "PL", "KR",
    "JP", "AE", "SA", "QA", "US", "GB", "AF", "CN", "UA", "AM", "AZ", "GE", "IT", "ES",
})

# Region used to read a phone number written without its country code.
PHONE_REGION = {"KG": "KG", "UZ": "UZ", "TJ": "TJ", "KZ": "KZ", "TM": "TM", "RU": "RU"}
