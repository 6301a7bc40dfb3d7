"""Dates, times, numbers, languages and countries as staff read them: in the user's language
(Babel) and, for moments, in the time zone of the user's consulate."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from flask import Blueprint
from flask_babel import get_locale
from flask_login import current_user


def _locale() -> Locale:
    return get_locale() or Locale.parse("en")


def office_datetime(value: datetime | None, format: str = "short") -> str:
    """A UTC timestamp in the office's time zone (the clock on the consulate's wall)."""
    if value is None:
        return ""
    zone = ZoneInfo(current_user.office.timezone)
    return babel_dates.format_datetime(value, format, tzinfo=zone, locale=_locale())


def local_date(value: date | str | None, format: str = "medium") -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return babel_dates.format_date(value, format, locale=_locale())


def number(value: Any) -> str:
    return babel_numbers.format_decimal(value, locale=_locale())


def country_name(code: str) -> str:
    """A country's name in the user's language (Babel's territory names)."""
    return _locale().territories.get(code, code)


def language_name(tag: str | None) -> str:
    """A language tag such as "uz-Latn" named in the user's language."""
    if not tag:
        return ""
    try:
        return Locale.parse(tag.replace("-", "_")).get_display_name(_locale()) or tag
    except (ValueError, LookupError):
        return tag


def register(pages: Blueprint) -> None:
    """Make the formats available to the templates (as filters and functions)."""
    pages.add_app_template_filter(office_datetime, "office_datetime")
    pages.add_app_template_filter(local_date, "local_date")
    pages.add_app_template_filter(number, "local_number")
    pages.add_app_template_global(country_name, "country_name")
    pages.add_app_template_global(language_name, "language_name")
