"""Guidance templates and rules: drafts, checks and new versions (review.py publishes them)."""

from __future__ import annotations

from typing import Any, TypeVar

from flask_babel import gettext as _
from sqlalchemy import select

from migrantdesk.core import audit
from migrantdesk.core.audit import AuditAction
from migrantdesk.core.db import db
from migrantdesk.core.errors import Conflict, ValidationFailed
from migrantdesk.guidance import review
from migrantdesk.guidance.conditions import ConditionError, validate_condition
from migrantdesk.guidance.models import (
    ContentStatus,
    GuidanceRule,
    GuidanceTemplate,
    Provision,
    ReviewedContent,
)

# Russian and English first; other languages are added as translated, reviewed versions.
FIRST_LANGUAGES = ("ru", "en")
TEMPLATE_FIELDS = ("topic", "origin_country", "host_country", "title", "body", "provision_keys",
                   "translation_review")
RULE_FIELDS = ("name", "description", "conditions", "template_keys", "provision_keys")
FIELDS: dict[type, tuple[str, ...]] = {GuidanceTemplate: TEMPLATE_FIELDS,
                                       GuidanceRule: RULE_FIELDS}

Item = TypeVar("Item", GuidanceTemplate, GuidanceRule)


def content_of(item: GuidanceTemplate | GuidanceRule) -> dict[str, Any]:
    return {name: getattr(item, name) for name in FIELDS[type(item)]}


def _unknown_keys(model: type[ReviewedContent], keys: list[str]) -> list[str]:
    if not keys:
        return []
    known = set(db.session.scalars(select(model.key).where(model.key.in_(keys))))
    return [key for key in keys if key not in known]


def check_template(content: dict[str, Any]) -> None:
    problems: dict[str, list[str]] = {}
    for name in ("title", "body"):
        missing = [lang for lang in FIRST_LANGUAGES if not (content.get(name) or {}).get(lang)]
        if missing:
            problems[name] = [_("Text in %(languages)s is required.",
                                languages=", ".join(missing))]
    if set(content.get("title") or {}) != set(content.get("body") or {}):
        problems.setdefault("title", []).append(_("Title and body need the same languages."))
    translated = set(content.get("title") or {}) - set(FIRST_LANGUAGES)
    stray = sorted(set(content.get("translation_review") or {}) - translated)
    if stray:
        problems["translation_review"] = [_("No translation in %(languages)s to review.",
                                            languages=", ".join(stray))]
    unknown = _unknown_keys(Provision, content.get("provision_keys") or [])
    if unknown:
        problems["provision_keys"] = [_("Unknown provision: %(keys)s", keys=", ".join(unknown))]
    if problems:
        raise ValidationFailed(_("The template is incomplete."), problems)


def check_conditions(conditions: Any) -> None:
    """422 naming the malformed part of a rule's conditions."""
    try:
        validate_condition(conditions, "conditions")
    except ConditionError as error:
        raise ValidationFailed(_("The conditions are malformed."),
                               {"conditions": [str(error)]}) from error


def check_rule(content: dict[str, Any]) -> None:
    problems: dict[str, list[str]] = {}
    try:
        check_conditions(content.get("conditions"))
    except ValidationFailed as error:
        problems.update(error.fields)
    for name, model in (("template_keys", GuidanceTemplate), ("provision_keys", Provision)):
        unknown = _unknown_keys(model, content.get(name) or [])
        if unknown:
            problems[name] = [_("Unknown: %(keys)s", keys=", ".join(unknown))]
    if not (content.get("template_keys") or content.get("provision_keys")):
        problems["template_keys"] = [_("A rule must select a template or a provision.")]
    if problems:
        raise ValidationFailed(_("The rule is incomplete."), problems)


CHECKS = {GuidanceTemplate: check_template, GuidanceRule: check_rule}


def create(actor: Any, model: type[Item], key: str, content: dict[str, Any], *,
           version: int = 1, supersedes: Item | None = None,
           status: ContentStatus = ContentStatus.DRAFT) -> Item:
    """A new version of a template or rule; a key already in use needs new_version instead."""
    CHECKS[model](content)
    if version == 1 and review.latest_version(model, key) is not None:
        raise Conflict(_("%(key)s exists: create a new version of it.", key=key),
                       {"key": [_("Already in use.")]})
    item = model(key=key, version=version, supersedes_id=supersedes.id if supersedes else None,
                 author_id=getattr(actor, "id", None), status=ContentStatus.DRAFT, **content)
    db.session.add(item)
    db.session.flush()
    audit.record(actor, AuditAction.CREATE, review.entity_name(model), item.id,
                 fields=sorted(content), details={"key": key, "version": version})
    if status == ContentStatus.PUBLISHED:
        review.publish(actor, item)
    return item


def new_version(actor: Any, model: type[Item], key: str, changes: dict[str, Any]) -> Item:
    latest = review.base_for_new_version(model, key)
    return create(actor, model, key, content_of(latest) | changes,
                  version=latest.version + 1, supersedes=latest)


def update_draft(actor: Any, item: Item, changes: dict[str, Any]) -> Item:
    review.ensure_editable(item)
    CHECKS[type(item)](content_of(item) | changes)
    changed = audit.changed_fields(item, changes)
    if changed:
        db.session.flush()
        audit.record(actor, AuditAction.UPDATE, review.entity_name(item), item.id,
                     fields=changed, details={"key": item.key, "version": item.version})
    return item
