"""What the guidance editor pages ask of the library: one entry point per step for every kind
of legal content (provisions, templates, rules), the catalogue with its filters, the review
queue, differences between versions, and a preview on a real case."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from migrantdesk.auth.models import User
from migrantdesk.auth.permissions import Scope
from migrantdesk.core import audit
from migrantdesk.core.audit import AuditAction, AuditEvent
from migrantdesk.core.db import db
from migrantdesk.core.errors import NotFound
from migrantdesk.guidance import casework, engine, library, review, services
from migrantdesk.guidance.models import (
    ContentStatus,
    GuidanceRule,
    GuidanceTemplate,
    Provision,
    ReviewedContent,
)

KINDS: dict[str, type[ReviewedContent]] = {
    "provisions": Provision, "templates": GuidanceTemplate, "rules": GuidanceRule}
KIND_OF: dict[type, str] = {model: kind for kind, model in KINDS.items()}


def model_of(kind: str) -> type[ReviewedContent]:
    if kind not in KINDS:
        raise NotFound("content kind")
    return KINDS[kind]


def get(kind: str, item_id: int) -> Any:
    return review.get_item(model_of(kind), item_id)


def fields_of(kind: str) -> tuple[str, ...]:
    if kind == "provisions":
        return services.CONTENT_FIELDS
    return library.FIELDS[model_of(kind)]


def content_of(item: Any) -> dict[str, Any]:
    return {name: getattr(item, name) for name in fields_of(KIND_OF[type(item)])}


def create(actor: User, kind: str, key: str, content: dict[str, Any]) -> Any:
    if kind == "provisions":
        return services.create_provision(actor, key, content)
    return library.create(actor, model_of(kind), key, content)  # type: ignore[type-var]


def new_version(actor: User, item: Any, content: dict[str, Any]) -> Any:
    """Version n+1 of the item's key with this content, as a draft."""
    if isinstance(item, Provision):
        return services.new_version(actor, item.key, content)
    return library.new_version(actor, type(item), item.key, content)


def update_draft(actor: User, item: Any, content: dict[str, Any]) -> Any:
    if isinstance(item, Provision):
        return services.update_draft(actor, item, content)
    return library.update_draft(actor, item, content)


def country_of(item: Any) -> str | None:
    return item.jurisdiction if isinstance(item, Provision) else getattr(
        item, "origin_country", None)


def label_of(item: Any, language: str) -> str:
    """What a list shows for an item: its title in the reader's language, or its name."""
    if isinstance(item, GuidanceTemplate):
        return item.title.get(language) or item.title.get("en") or item.key
    if isinstance(item, GuidanceRule):
        return item.name
    return str(item.title)


def catalogue(kind: str | None = None, status: str | None = None, country: str | None = None,
              topic: str | None = None) -> list[Any]:
    """Every version of the content that fits the filters, by kind, key and newest first.
    Country means a provision's jurisdiction or a template's origin; topic only templates."""
    found: list[Any] = []
    for name, model in KINDS.items():
        if kind and name != kind:
            continue
        if topic and model is not GuidanceTemplate:
            continue
        statement = select(model).order_by(model.key, model.version.desc())
        if status:
            statement = statement.where(model.status == status)
        if country:
            if model is Provision:
                statement = statement.where(Provision.jurisdiction == country)
            elif model is GuidanceTemplate:
                statement = statement.where(GuidanceTemplate.origin_country == country)
            else:
                continue
        if topic:
            statement = statement.where(GuidanceTemplate.topic == topic)
        found += db.session.scalars(statement)
    return found


def awaiting_review(actor: User) -> list[Any]:
    """Versions in review that the actor may approve: someone else's, for lawyers and consuls."""
    if not actor.can(Scope.GUIDANCE_PUBLISH):
        return []
    waiting: list[Any] = []
    for model in KINDS.values():
        waiting += db.session.scalars(select(model).where(
            model.status == ContentStatus.IN_REVIEW,
            (model.author_id != actor.id) | model.author_id.is_(None)).order_by(model.key))
    return waiting


def people(items: list[Any]) -> dict[int, str]:
    """Names of the authors and approvers of these items, in one query."""
    ids = {i for item in items for i in (item.author_id, item.approved_by_id) if i}
    if not ids:
        return {}
    return {row.id: row.name for row in db.session.execute(
        select(User.id, User.name).where(User.id.in_(ids)))}


def last_editor(item: Any) -> str | None:
    """The name of whoever last created or changed this version, from the audit trail."""
    return db.session.scalar(
        select(User.name).join(AuditEvent, AuditEvent.user_id == User.id)
        .where(AuditEvent.entity_type == review.entity_name(item),
               AuditEvent.entity_id == item.id,
               AuditEvent.action.in_((AuditAction.CREATE, AuditAction.UPDATE)))
        .order_by(AuditEvent.id.desc()).limit(1))


@dataclass
class FieldDiff:
    name: str
    language: str | None
    lines: list[str]


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)
    return str(value)


def differences(old: Any, new: Any) -> list[FieldDiff]:
    """A unified diff per changed field, and per language for texts kept per language."""
    if type(old) is not type(new) or old.key != new.key:
        raise NotFound(review.entity_name(new))
    before, after = content_of(old), content_of(new)
    found = []
    for name in fields_of(KIND_OF[type(new)]):
        was, now = before[name], after[name]
        if name in ("title", "body", "summary") and isinstance(now, dict):
            pairs = [(lang, (was or {}).get(lang), now.get(lang))
                     for lang in sorted(set(was or {}) | set(now))]
        else:
            pairs = [(None, was, now)]
        for language, a, b in pairs:
            if a == b:
                continue
            lines = list(difflib.unified_diff(_as_text(a).splitlines(), _as_text(b).splitlines(),
                                              f"v{old.version}", f"v{new.version}",
                                              lineterm="", n=2))
            if lines[2:]:
                found.append(FieldDiff(name, language, lines[2:]))
    return found


@dataclass
class RenderedTemplate:
    template: GuidanceTemplate
    language: str
    text: str
    missing_provisions: list[str]


@dataclass
class Preview:
    case_id: int
    situation: Any
    matches: bool | None  # None for a template: it has no conditions of its own
    texts: list[RenderedTemplate]


def preview(actor: User, item: Any, case_id: int, language: str) -> Preview:
    """How a (draft) template or rule works out on a real case of the actor's office: whether
    the rule matches, and the text staff would read out, with the provisions in force on the
    date of the case's event. Nothing is saved but the audit entry for reading the case."""
    if isinstance(item, Provision):
        raise NotFound("preview")
    if isinstance(item, GuidanceRule):
        outcome = casework.dry_run(actor, case_id, item.conditions)
    else:
        outcome = casework.dry_run(actor, case_id, {"all": []})
        outcome["matches"] = None
    situation = outcome["situation"]
    audit.record(actor, AuditAction.READ, "case", case_id, details={
        "preview": review.entity_name(item), "item_id": item.id})
    published = engine.current_library()
    if isinstance(item, GuidanceRule):
        templates = [published.templates[key] for key in item.template_keys
                     if key in published.templates]
    else:
        templates = [item]
    texts = []
    for template in templates:
        lang = language if language in template.body else "ru"
        provisions, missing = [], []
        for key in template.provision_keys:
            provision = published.provision_in_force(key, situation.event_date)
            (provisions.append(provision) if provision else missing.append(key))
        texts.append(RenderedTemplate(template, lang,
                                      casework.render_text(template, provisions, lang), missing))
    return Preview(case_id, situation, outcome["matches"], texts)
