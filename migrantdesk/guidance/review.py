"""The lifecycle of legal content — provisions, guidance templates and rules:
draft → in review → published → retired, and two people: the author, and a second lawyer or
consul who approves. Published versions are never edited; a change is a new version."""

from __future__ import annotations

from typing import Any, TypeVar

from flask_babel import gettext as _
from sqlalchemy import select

from migrantdesk.auth.permissions import Scope
from migrantdesk.core import audit
from migrantdesk.core.audit import AuditAction
from migrantdesk.core.db import db, utcnow
from migrantdesk.core.errors import Conflict, NotFound, PermissionDenied
from migrantdesk.guidance.models import (
    ContentStatus,
    GuidanceRule,
    GuidanceTemplate,
    Provision,
    ReviewedContent,
)

Item = TypeVar("Item", bound=ReviewedContent)

ENTITY_NAMES: dict[type, str] = {
    Provision: "provision", GuidanceTemplate: "guidance_template", GuidanceRule: "guidance_rule",
}


def entity_name(item_or_model: Any) -> str:
    model = item_or_model if isinstance(item_or_model, type) else type(item_or_model)
    return ENTITY_NAMES[model]


def get_item(model: type[Item], item_id: int) -> Item:
    item = db.session.get(model, item_id)
    if item is None:
        raise NotFound(entity_name(model))
    return item


def versions_of(model: type[Item], key: str) -> list[Item]:
    return list(db.session.scalars(
        select(model).where(model.key == key).order_by(model.version)))


def latest_version(model: type[Item], key: str) -> Item | None:
    """The highest version of an item, whatever its status."""
    return db.session.scalars(select(model).where(model.key == key)
                              .order_by(model.version.desc()).limit(1)).first()


def base_for_new_version(model: type[Item], key: str) -> Item:
    """The version a new one builds on; Conflict while a draft or review is already open."""
    latest = latest_version(model, key)
    if latest is None:
        raise NotFound(entity_name(model))
    if latest.status in (ContentStatus.DRAFT, ContentStatus.IN_REVIEW):
        raise Conflict(_("Version %(version)s of %(key)s is still open (%(status)s): edit "
                         "that one instead of creating another version.",
                         version=latest.version, key=key, status=latest.status),
                       draft_id=latest.id)
    return latest


def ensure_editable(item: ReviewedContent) -> None:
    """Only drafts change in place; anything else is a 409 pointing to a new version."""
    if item.status == ContentStatus.IN_REVIEW:
        raise Conflict(_("Version %(version)s of %(key)s is in review; it can be edited once "
                         "it is sent back to draft.", version=item.version, key=item.key),
                       key=item.key)
    if item.status != ContentStatus.DRAFT:
        raise Conflict(_("Version %(version)s of %(key)s is %(status)s and is never edited in "
                         "place: create a new version instead.", version=item.version,
                         key=item.key, status=item.status),
                       next_step="create a new version", key=item.key)


def set_status(actor: Any, item: ReviewedContent, status: ContentStatus,
               reason: str | None = None) -> None:
    previous = item.status
    item.status = status
    details = {"key": item.key, "version": item.version, "from": str(previous), "to": str(status)}
    if reason:
        details["reason"] = reason
    audit.record(actor, AuditAction.UPDATE, entity_name(item), item.id, fields=["status"],
                 details=details)


def publish(actor: Any, item: Item, *, approved_by: Any = None) -> Item:
    """Publish a version and retire the published versions it replaces. The state change the
    review ends with; the content import uses it directly for shipped, sourced content."""
    if item.status == ContentStatus.PUBLISHED:
        return item
    model = type(item)
    earlier = db.session.scalars(select(model).where(
        model.key == item.key, model.version < item.version,
        model.status == ContentStatus.PUBLISHED))
    for replaced in earlier:
        set_status(actor, replaced, ContentStatus.RETIRED, reason="superseded")
    item.approved_by_id = getattr(approved_by, "id", None)
    item.published_at = utcnow()
    set_status(actor, item, ContentStatus.PUBLISHED)
    db.session.flush()
    return item


def submit(actor: Any, item: Item) -> Item:
    if item.status != ContentStatus.DRAFT:
        raise Conflict(_("Only a draft can be sent for review."), status=str(item.status))
    set_status(actor, item, ContentStatus.IN_REVIEW)
    return item


def send_back(actor: Any, item: Item, reason: str) -> Item:
    _require_in_review(item)
    set_status(actor, item, ContentStatus.DRAFT, reason=reason)
    return item


def approve(actor: Any, item: Item) -> Item:
    """Publish a version in review; the approver is a lawyer or consul who is not its author."""
    if not actor.can(Scope.GUIDANCE_PUBLISH):
        raise PermissionDenied(_("Only a lawyer or a consul can approve legal content."))
    if item.author_id == actor.id:
        raise PermissionDenied(_("A second person must approve: you wrote this version."))
    _require_in_review(item)
    return publish(actor, item, approved_by=actor)


def retire(actor: Any, item: Item, reason: str) -> Item:
    if item.status != ContentStatus.PUBLISHED:
        raise Conflict(_("Only a published version can be retired."), status=str(item.status))
    set_status(actor, item, ContentStatus.RETIRED, reason=reason)
    return item


def _require_in_review(item: ReviewedContent) -> None:
    if item.status != ContentStatus.IN_REVIEW:
        raise Conflict(_("This version is not in review."), status=str(item.status))
