"""Schemas of the guidance library's content files (templates, rules, citizenship positions)
and the vocabulary checks of rule conditions; content_library.py reads and writes the files."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from functools import cache
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate, validates_schema

from migrantdesk.cases.facts import FACT_SCHEMAS, CaseCategory
from migrantdesk.core.countries import KNOWN_COUNTRIES
from migrantdesk.guidance import library
from migrantdesk.guidance.conditions import ConditionError, validate_condition
from migrantdesk.guidance.content import (
    DEFAULT_PROVISIONS_FILE,
)
from migrantdesk.guidance.models import (
    CitizenshipStance,
    ContentStatus,
    RiskLevel,
    Topic,
    Verification,
)
from migrantdesk.guidance.schemas import LANGUAGE_TAG

DEFAULT_CONTENT_DIR = DEFAULT_PROVISIONS_FILE.parent
PROVISIONS_FILE = DEFAULT_PROVISIONS_FILE.name
LIBRARY_KEY = r"^[A-Z0-9]+(-[A-Z0-9.]+)*$"
POSITION_FIELDS = ("stance", "risk", "reasons", "provision_keys", "source_citation",
                   "verification", "verification_note")
CERTAINTY = {Verification.NEEDS_VERIFICATION: 0, Verification.REPORTED: 1,
              Verification.CONFIRMED: 2}
_CATEGORIES = frozenset(category.value for category in CaseCategory)



def _not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError("Must not be empty.")


def _plain(value: Any) -> Any:
    """Strings stripped and YAML dates as ISO strings (JSON columns hold no dates)."""
    if isinstance(value, dict):
        return {name: _plain(inner) for name, inner in value.items()}
    if isinstance(value, list):
        return [_plain(inner) for inner in value]
    if isinstance(value, date):
        return value.isoformat()
    return value.strip() if isinstance(value, str) else value


def _country(*, nullable: bool) -> fields.String:
    return fields.String(required=True, allow_none=nullable, validate=validate.OneOf(
        sorted(KNOWN_COUNTRIES), error="Unknown country code {input!r}."))


def _per_language(values: fields.Field) -> fields.Dict:
    return fields.Dict(keys=fields.String(validate=validate.Regexp(LANGUAGE_TAG)),
                       values=values, required=True)


def _keys() -> fields.List:
    return fields.List(fields.String(validate=_not_blank), load_default=list)


def _missing_languages(data: dict[str, Any], *names: str) -> dict[str, list[str]]:
    errors = {}
    for name in names:
        missing = [tag for tag in library.FIRST_LANGUAGES if tag not in data[name]]
        if missing:
            errors[name] = [f"Missing language(s): {', '.join(missing)}."]
    return errors


def _repeated(data: dict[str, Any], *names: str) -> dict[str, list[str]]:
    errors = {}
    for name in names:
        seen = [key for position, key in enumerate(data[name]) if key in data[name][:position]]
        if seen:
            errors[name] = [f"Given twice: {', '.join(seen)}."]
    return errors


class _Strict(Schema):
    class Meta:
        unknown = RAISE

    @pre_load
    def _plain_values(self, data: Any, **kwargs: Any) -> Any:
        return _plain(data) if isinstance(data, dict) else data


class _Versioned(_Strict):
    key = fields.String(required=True, validate=[validate.Length(max=60), validate.Regexp(
        LIBRARY_KEY, error="Use upper-case keys such as KG-RU-MOBILISATION.")])
    version = fields.Integer(load_default=1, strict=True, validate=validate.Range(min=1))
    status = fields.String(required=True, validate=validate.Equal(
        ContentStatus.PUBLISHED.value,
        error="Shipped content is published; drafts are written and reviewed in the app."))


class TemplateEntrySchema(_Versioned):
    """One entry of templates.yaml."""

    topic = fields.Enum(Topic, by_value=True, required=True)
    origin_country = _country(nullable=True)  # null: any origin, stated on purpose
    host_country = _country(nullable=True)
    title = _per_language(fields.String(validate=[_not_blank, validate.Length(max=200)]))
    body = _per_language(fields.String(validate=_not_blank))
    provision_keys = _keys()

    @validates_schema
    def _complete(self, data: dict[str, Any], **kwargs: Any) -> None:
        errors = _missing_languages(data, "title", "body") | _repeated(data, "provision_keys")
        if not errors.keys() & {"title", "body"} and set(data["title"]) != set(data["body"]):
            errors["body"] = ["Title and body need the same languages."]
        if errors:
            raise ValidationError(errors)


class RuleEntrySchema(_Versioned):
    """One entry of rules.yaml."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(load_default=None, allow_none=True, validate=_not_blank)
    conditions = fields.Dict(required=True)
    template_keys = _keys()
    provision_keys = _keys()

    @validates_schema
    def _complete(self, data: dict[str, Any], **kwargs: Any) -> None:
        errors = _repeated(data, "template_keys", "provision_keys")
        try:
            validate_condition(data["conditions"], "conditions")
        except ConditionError as error:
            errors["conditions"] = [str(error)]
        else:
            unknown_words = list(_vocabulary_problems(data["conditions"], "conditions"))
            if unknown_words:
                errors["conditions"] = unknown_words
        if not (data["template_keys"] or data["provision_keys"]):
            errors["template_keys"] = ["A rule must select a template or a provision."]
        if errors:
            raise ValidationError(errors)


class PositionEntrySchema(_Strict):
    """One entry of citizenship_positions.yaml."""

    origin_country = _country(nullable=False)
    other_country = _country(nullable=False)
    stance = fields.Enum(CitizenshipStance, by_value=True, required=True)
    risk = fields.Enum(RiskLevel, by_value=True, required=True)
    reasons = _per_language(fields.List(fields.String(validate=_not_blank),
                                        validate=validate.Length(min=1)))
    provision_keys = _keys()
    source_citation = fields.String(required=True, validate=_not_blank)
    verification = fields.Enum(Verification, by_value=True, required=True)
    verification_note = fields.String(load_default=None, allow_none=True, validate=_not_blank)

    @validates_schema
    def _complete(self, data: dict[str, Any], **kwargs: Any) -> None:
        errors = _missing_languages(data, "reasons") | _repeated(data, "provision_keys")
        if data["origin_country"] == data["other_country"]:
            errors["other_country"] = ["Must differ from origin_country."]
        if data["verification"] != Verification.CONFIRMED and not data["verification_note"]:
            errors["verification_note"] = ["Say what is uncertain: the position is not confirmed."]
        if errors:
            raise ValidationError(errors)


@cache
def _fact_names() -> frozenset[str]:
    return frozenset(name for schema in FACT_SCHEMAS.values() for name in schema().fields)


def _vocabulary_problems(condition: dict[str, Any], where: str) -> Iterator[str]:
    """Words the rule language accepts but no case can have: a misspelt category, country or
    fact would make a rule silently never match."""
    if "fact" in condition:
        if condition["fact"] not in _fact_names():
            yield f"{where}.fact: no case category records a fact {condition['fact']!r}"
        return
    ((name, argument),) = condition.items()
    if name in ("all", "any"):
        for index, part in enumerate(argument):
            yield from _vocabulary_problems(part, f"{where}.{name}[{index}]")
    elif name == "not":
        yield from _vocabulary_problems(argument, f"{where}.not")
    elif name in ("citizenship", "origin", "host_country", "category"):
        known = _CATEGORIES if name == "category" else KNOWN_COUNTRIES
        unknown = [value for value in ([argument] if name == "citizenship" else argument)
                   if value not in known]
        if unknown:
            yield f"{where}.{name}: unknown {'category' if name == 'category' else 'country'} " \
                  f"{', '.join(map(repr, unknown))}"
