"""Provisions: create, version, edit drafts, and find what was in force on a date."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import and_, func, or_, select

from migrantdesk.core import audit
from migrantdesk.core.audit import AuditAction
from migrantdesk.core.countries import KNOWN_COUNTRIES
from migrantdesk.core.db import db
from migrantdesk.core.errors import NotFound, ValidationFailed
from migrantdesk.guidance import review
from migrantdesk.guidance.models import ContentStatus, Provision, Verification

# What a version says; everything else (key, version, status, people, times) is bookkeeping.
CONTENT_FIELDS = (
    "jurisdiction", "instrument", "article", "part", "title", "summary", "penalty",
    "penalty_text", "effective_from", "effective_to", "source_citation", "source_url",
    "verification", "verification_note",
)


def content_of(provision: Provision) -> dict[str, Any]:
    return {name: getattr(provision, name) for name in CONTENT_FIELDS}


def get_provision(provision_id: int) -> Provision:
    provision = db.session.get(Provision, provision_id)
    if provision is None:
        raise NotFound("provision")
    return provision


def latest_version(key: str) -> Provision | None:
    return review.latest_version(Provision, key)


def versions_of(key: str) -> list[Provision]:
    return review.versions_of(Provision, key)


def check_content(content: dict[str, Any]) -> None:
    """Raise ValidationFailed unless the content could be published as it stands."""
    problems: dict[str, list[str]] = {}
    unknown = sorted(set(content) - set(CONTENT_FIELDS))
    for name in unknown:
        problems[name] = ["Not a provision field."]
    if content.get("jurisdiction") not in KNOWN_COUNTRIES:
        problems["jurisdiction"] = ["Unknown country code."]
    if not (content.get("source_citation") or "").strip():
        problems["source_citation"] = ["A provision needs its source."]
    if not content.get("title"):
        problems["title"] = ["Missing."]
    if not isinstance(content.get("effective_from"), date):
        problems["effective_from"] = ["A provision needs the date it took effect."]
    elif content.get("effective_to") is not None and \
            content["effective_to"] <= content["effective_from"]:
        problems["effective_to"] = ["Must be after effective_from."]
    try:
        Verification(str(content.get("verification")))
    except ValueError:
        problems["verification"] = ["One of: " + ", ".join(v.value for v in Verification)]
    if problems:
        raise ValidationFailed("The provision is incomplete or inconsistent.", problems)


def create_provision(actor: Any, key: str, content: dict[str, Any], *, version: int = 1,
                     supersedes: Provision | None = None,
                     status: ContentStatus = ContentStatus.DRAFT) -> Provision:
    """A new version row with this content; published at once when status says so."""
    check_content(content)
    provision = Provision(key=key, version=version, status=ContentStatus.DRAFT,
                          supersedes_id=supersedes.id if supersedes else None,
                          author_id=getattr(actor, "id", None), **content)
    db.session.add(provision)
    db.session.flush()
    audit.record(actor, AuditAction.CREATE, "provision", provision.id,
                 fields=list(CONTENT_FIELDS),
                 details={"key": key, "version": version,
                          "supersedes_id": provision.supersedes_id})
    if status == ContentStatus.PUBLISHED:
        review.publish(actor, provision)
    elif status != ContentStatus.DRAFT:
        review.set_status(actor, provision, status)
    return provision


def new_version(actor: Any, key: str, changes: dict[str, Any]) -> Provision:
    """Version n+1 of the provision as a draft, superseding the latest version.

    Raises NotFound for an unknown key and Conflict while the latest version is still a draft
    or in review (that one is edited instead)."""
    latest = review.base_for_new_version(Provision, key)
    content = content_of(latest) | changes
    return create_provision(actor, key, content, version=latest.version + 1, supersedes=latest)


def update_draft(actor: Any, provision: Provision, changes: dict[str, Any]) -> Provision:
    """Change a draft in place; anything past draft is a Conflict (409)."""
    review.ensure_editable(provision)
    check_content(content_of(provision) | changes)
    changed = audit.changed_fields(provision, changes)
    if changed:
        audit.record(actor, AuditAction.UPDATE, "provision", provision.id, fields=changed,
                     details={"key": provision.key, "version": provision.version})
    return provision


def provisions_in_force(jurisdiction: str | None, as_of: date) -> list[Provision]:
    """Published provisions in force on `as_of` (effective_from ≤ as_of < effective_to), the
    latest published version of each key, ordered by jurisdiction and key."""
    latest = (select(Provision.key, func.max(Provision.version).label("version"))
              .where(Provision.status == ContentStatus.PUBLISHED)
              .group_by(Provision.key).subquery())
    statement = (
        select(Provision)
        .join(latest, and_(Provision.key == latest.c.key, Provision.version == latest.c.version))
        .where(Provision.effective_from <= as_of,
               or_(Provision.effective_to.is_(None), Provision.effective_to > as_of))
        .order_by(Provision.jurisdiction, Provision.key))
    if jurisdiction is not None:
        statement = statement.where(Provision.jurisdiction == jurisdiction)
    return list(db.session.scalars(statement))
