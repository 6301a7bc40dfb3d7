"""The category-specific fact form of the hotline screen, generated from the category's fact
schema (cases.facts): one control per fact, by the fact's type, with a translated label.

Reading the form back gives the partial update cases.services.update_case merges: only the
controls the operator changed since the form was drawn (the form carries the values it was
drawn with), so saving never writes back stale values over a colleague's change. A blank
control means "not known" (None removes the key), an unticked box too.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from flask_babel import get_locale
from flask_babel import gettext as _
from marshmallow import fields, validate

from migrantdesk.calls.labels import CHOICE_LABELS
from migrantdesk.cases.facts import FACT_SCHEMAS, CaseCategory
from migrantdesk.cases.labels import CATEGORY_LABELS, FACT_LABELS
from migrantdesk.core.countries import KNOWN_COUNTRIES
from migrantdesk.core.web import localised


@dataclass(frozen=True)
class FactField:
    name: str
    label: str
    kind: str  # date, datetime, checkbox, select, country, number, decimal, text, textarea
    choices: tuple[tuple[str, str], ...] = ()
    max_length: int | None = None


def category_choices() -> list[tuple[str, str]]:
    """Every category with its translated name, in the order of the fact sheet."""
    return [(str(category), str(CATEGORY_LABELS.get(category, category)))
            for category in CaseCategory]


def category_label(category: str) -> str:
    return str(CATEGORY_LABELS.get(category, category))


def country_choices() -> tuple[tuple[str, str], ...]:
    """The known countries named in the interface's language, alphabetically."""
    names = Locale.parse(str(get_locale() or "en")).territories
    return tuple(sorted(((code, names.get(code, code)) for code in KNOWN_COUNTRIES),
                        key=lambda pair: pair[1]))


def _language_name(tag: str) -> str:
    try:
        return (Locale.parse(tag.replace("-", "_")).get_display_name(
            str(get_locale() or "en")) or tag).capitalize()
    except (ValueError, LookupError):
        return tag


def _choice_label(name: str, value: str) -> str:
    if name == "language":
        return _language_name(value)
    return str(CHOICE_LABELS.get(value, value.replace("_", " ")))


def _max_length(field: fields.Field) -> int | None:
    for validator in field.validators:
        if isinstance(validator, validate.Length):
            return validator.max
    return None


def _kind(field: fields.Field) -> tuple[str, tuple[str, ...]]:
    for validator in field.validators:
        if isinstance(validator, validate.OneOf):
            return "select", tuple(str(choice) for choice in validator.choices)
        if isinstance(validator, validate.Regexp) and "{2}" in validator.regex.pattern:
            return "country", ()
    if isinstance(field, fields.AwareDateTime):
        return "datetime", ()
    if isinstance(field, fields.Date):
        return "date", ()
    if isinstance(field, fields.Boolean):
        return "checkbox", ()
    if isinstance(field, fields.Integer):
        return "number", ()
    if isinstance(field, fields.Decimal):
        return "decimal", ()
    length = _max_length(field)
    return ("textarea" if length and length >= 500 else "text"), ()


def fact_fields(category: str) -> list[FactField]:
    """The controls of one category's fact form, in the schema's order."""
    schema = FACT_SCHEMAS[CaseCategory(category)]
    built = []
    for name, field in schema._declared_fields.items():
        kind, values = _kind(field)
        choices = tuple((value, _choice_label(name, value)) for value in values)
        if kind == "country":
            kind, choices = "select", country_choices()
        built.append(FactField(name, str(FACT_LABELS.get(name, name.replace("_", " "))), kind,
                               choices, _max_length(field)))
    return built


def form_values(category: str, facts: Mapping[str, Any], timezone: str) -> dict[str, str]:
    """Stored facts as the controls show them; a moment in the office's local time."""
    values: dict[str, str] = {}
    for field in fact_fields(category):
        value = facts.get(field.name)
        if value is None:
            continue
        if field.kind == "datetime":
            moment = datetime.fromisoformat(str(value)).astimezone(ZoneInfo(timezone))
            values[field.name] = moment.strftime("%Y-%m-%dT%H:%M")
        elif field.kind == "checkbox":
            values[field.name] = "1" if value else ""
        else:
            values[field.name] = str(value)
    return values


def loaded_values(form: Mapping[str, str]) -> dict[str, str]:
    """The values the form was drawn with (its hidden `facts_loaded` field)."""
    try:
        loaded = json.loads(form.get("facts_loaded") or "{}")
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {}


def typed_values(category: str, form: Mapping[str, str]) -> dict[str, str]:
    """What each control holds now, as the form shows it."""
    return {field.name: ("1" if form.get(field.name) else "") if field.kind == "checkbox"
            else (form.get(field.name) or "").strip() for field in fact_fields(category)}


def changed_values(category: str, form: Mapping[str, str]) -> dict[str, str]:
    """The controls the operator changed since the form was drawn."""
    loaded = loaded_values(form)
    return {name: value for name, value in typed_values(category, form).items()
            if value != loaded.get(name, "")}


def read_facts(category: str, form: Mapping[str, str], timezone: str) -> dict[str, Any]:
    """The operator's changes as a partial facts update: blank is None (not known); a local
    date and time becomes an aware moment in the office's time zone; typing errors are left
    to the schema, which names them."""
    changes: dict[str, Any] = {}
    changed = changed_values(category, form)
    for field in fact_fields(category):
        if field.name not in changed:
            continue
        raw = changed[field.name]
        if field.kind == "checkbox":
            changes[field.name] = True if raw else None
        elif not raw:
            changes[field.name] = None
        elif field.kind == "datetime":
            try:
                local = datetime.fromisoformat(raw)
            except ValueError:
                changes[field.name] = raw
            else:
                changes[field.name] = local.replace(tzinfo=ZoneInfo(timezone)).isoformat()
        elif field.kind == "number":
            changes[field.name] = int(raw) if raw.lstrip("-").isdigit() else raw
        else:
            changes[field.name] = raw
    return changes


def fact_errors(category: str, fields_messages: Mapping[str, Any]) -> dict[str, list[str]]:
    """cases.facts speaks English without an app context; the form shows its messages in
    the user's language, beside each control."""
    labels = {field.name: field.label for field in fact_fields(category)}
    errors: dict[str, list[str]] = {}
    for name, messages in fields_messages.items():
        texts = messages if isinstance(messages, list) else [str(messages)]
        errors[name] = [_fact_message(str(text), labels) for text in texts]
    return errors


def _fact_message(text: str, labels: Mapping[str, str]) -> str:
    if text == "Must not be in the future.":
        return _("Must not be in the future.")
    if text.startswith("Must not be before ") and text.endswith("."):
        earlier = text[len("Must not be before "):-1]
        return _("Must not be before “%(field)s”.", field=labels.get(earlier, earlier))
    if text.startswith("Must be an ISO 4217"):
        return _("Three capital letters, e.g. RUB.")
    if text.startswith("Must be greater than") or text.startswith("Must be less than"):
        return _("Out of range.")
    return localised(text)
