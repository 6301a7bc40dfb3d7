"""Guidance editor forms: HTML form fields to the API's content shape and back. Texts kept per
language are one textarea per language (`body_ru`), lists of keys are typed separated by spaces,
commas or lines, and a rule's conditions and a provision's penalty are JSON; the API's own
marshmallow schemas then validate the result, so a form and the API refuse the same things."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from marshmallow import Schema

from migrantdesk.core.errors import ValidationFailed
from migrantdesk.core.web import load_form
from migrantdesk.guidance.schemas import (
    ProvisionCreateSchema,
    RuleCreateSchema,
    RuleFieldsSchema,
    TemplateCreateSchema,
    TemplateFieldsSchema,
)

PER_LANGUAGE = {"provisions": ("summary",), "templates": ("title", "body"), "rules": ()}
KEY_LISTS = {"provisions": (), "templates": ("provision_keys",),
             "rules": ("template_keys", "provision_keys")}
JSON_FIELDS = {"provisions": ("penalty",), "templates": (), "rules": ("conditions",)}
# Staff write Russian and English first; other languages appear once a version has them.
FIRST_LANGUAGES = ("ru", "en")


def languages_of(content: Mapping[str, Any] | None, kind: str) -> list[str]:
    present: set[str] = set()
    for name in PER_LANGUAGE[kind]:
        present |= set((content or {}).get(name) or {})
    return [*FIRST_LANGUAGES, *sorted(present - set(FIRST_LANGUAGES))]


def schema_for(kind: str, *, with_key: bool) -> Schema:
    if kind == "provisions":
        return ProvisionCreateSchema() if with_key else ProvisionCreateSchema(exclude=("key",))
    if kind == "templates":
        return TemplateCreateSchema() if with_key else TemplateFieldsSchema()
    return RuleCreateSchema() if with_key else RuleFieldsSchema()


def _keys(text: str) -> list[str]:
    return [key for key in re.split(r"[\s,;]+", text.strip()) if key]


def _json(text: str) -> Any:
    """A JSON value, or a ValueError whose message names the line and column."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(_("Not valid JSON (line %(line)d, column %(column)d): %(problem)s",
                           line=error.lineno, column=error.colno, problem=error.msg)) from None


def content_from_form(kind: str, form: Mapping[str, str], *, with_key: bool,
                      languages: list[str]) -> dict[str, Any]:
    """The content the form describes, validated by the API's schema; ValidationFailed names
    the form fields at fault."""
    # Browsers send textarea lines ending in CRLF: stored as typed they would change every
    # text of a new version, invisibly.
    form = {name: value.replace("\r\n", "\n") for name, value in form.items()}
    data: dict[str, Any] = {name: value for name, value in form.items()
                            if name != "csrf_token"}
    problems: dict[str, list[str]] = {}
    for name in PER_LANGUAGE[kind]:
        data[name] = {lang: form.get(f"{name}_{lang}", "").strip() for lang in languages
                      if form.get(f"{name}_{lang}", "").strip()}
    for name in KEY_LISTS[kind]:
        data[name] = _keys(form.get(name, ""))
    for name in JSON_FIELDS[kind]:
        text = form.get(name, "").strip()
        if not text:
            data[name] = None if name == "penalty" else ""
            continue
        try:
            data[name] = _json(text)
        except ValueError as error:
            problems[name] = [str(error)]
            data.pop(name)
    try:
        content = load_form(schema_for(kind, with_key=with_key), data)
    except ValidationFailed as invalid:
        problems = {**invalid.fields, **problems}
        content = {}
    if problems:
        raise ValidationFailed(_("Some fields are invalid."), problems)
    return content


def form_from_content(kind: str, content: Mapping[str, Any]) -> dict[str, str]:
    """The form fields showing this content, for a new version or an edit."""
    form: dict[str, str] = {}
    for name, value in content.items():
        if name in PER_LANGUAGE[kind]:
            for lang, text in (value or {}).items():
                form[f"{name}_{lang}"] = text
        elif name in KEY_LISTS[kind]:
            form[name] = "\n".join(value or [])
        elif name in JSON_FIELDS[kind]:
            form[name] = "" if value is None else json.dumps(value, ensure_ascii=False, indent=2)
        else:
            form[name] = "" if value is None else str(value)
    return form
