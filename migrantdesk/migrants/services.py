"""Migrants: create, read (audited), update with optimistic locking."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from migrantdesk.auth.models import User
from migrantdesk.core import audit
from migrantdesk.core.audit import AuditAction
from migrantdesk.core.db import db, get_in_office
from migrantdesk.core.errors import Conflict, ValidationFailed
from migrantdesk.core.text import document_key, search_key
from migrantdesk.migrants.consent import RecordAnonymised
from migrantdesk.migrants.models import (
    Citizenship,
    Consent,
    IdentityDocument,
    Migrant,
    MigrantPhone,
)
from migrantdesk.migrants.name_words import replace_name_words
from migrantdesk.migrants.phones import e164_or_error
from migrantdesk.offices.models import Office
from migrantdesk.offices.services import office_of

_FULL_RECORD = (selectinload(Migrant.phones), selectinload(Migrant.citizenships),
                selectinload(Migrant.documents), selectinload(Migrant.consents))
_NAME_FIELDS = ("surname_cyrl", "given_names_cyrl", "surname_latn", "given_names_latn")


def _phones(raw_phones: list[dict], office: Office) -> list[MigrantPhone]:
    """E.164 phones; a local number is read in the host country's plan, then the origin's."""
    phones: list[MigrantPhone] = []
    errors: dict[int, dict[str, object]] = {}
    for index, raw in enumerate(raw_phones):
        for hint in (office.host_country, office.country):
            try:
                e164 = e164_or_error(raw["number"], hint)
                break
            except ValidationError as error:
                message = error.messages
        else:
            errors[index] = {"number": message}
            continue
        if all(p.e164 != e164 for p in phones):
            phones.append(MigrantPhone(e164=e164, label=raw.get("label")))
    if errors:
        raise ValidationFailed(_("Some fields are invalid."), {"phones": errors})
    return phones


def _replace_collections(migrant: Migrant, data: dict[str, Any], office: Office) -> list[str]:
    changed = []
    if "phones" in data:
        migrant.phones = _phones(data["phones"], office)
        changed.append("phones")
    if "citizenships" in data:
        countries = [c["country"] for c in data["citizenships"]]
        if len(set(countries)) != len(countries):
            raise ValidationFailed(_("Some fields are invalid."),
                                   {"citizenships": [_("Each country only once.")]})
        migrant.citizenships = [Citizenship(**c) for c in data["citizenships"]]
        changed.append("citizenships")
    if "documents" in data:
        migrant.documents = [IdentityDocument(**d, number_key=document_key(d["number"]))
                             for d in data["documents"]]
        changed.append("documents")
    if "consents" in data:
        migrant.consents = [Consent(**c) for c in data["consents"]]
        changed.append("consents")
    return changed


def _refresh_search_key(migrant: Migrant) -> None:
    """Recompute the search key from the name fields and give the migrant its words (the
    caller search reads those), flushing the migrant first: the words need its id."""
    migrant.search_key = search_key(*(getattr(migrant, name) for name in _NAME_FIELDS))
    db.session.flush()
    replace_name_words(db.session, migrant.id, migrant.office_id, migrant.search_key)


def create_migrant(actor: User, data: dict[str, Any]) -> Migrant:
    office = office_of(actor)
    scalars = {k: v for k, v in data.items()
               if k not in ("phones", "citizenships", "documents", "consents")}
    migrant = Migrant(office_id=actor.office_id, updated_by_id=actor.id, phones=[],
                      citizenships=[], documents=[], consents=[], **scalars)
    for consent in data.get("consents", []):
        consent["recorded_by_id"] = actor.id
    _replace_collections(migrant, data, office)
    db.session.add(migrant)
    _refresh_search_key(migrant)
    audit.record(actor, AuditAction.CREATE, "migrant", migrant.id, fields=sorted(data))
    return migrant


def get_migrant(actor: User, migrant_id: int) -> Migrant:
    """The full record of one migrant of the actor's office; the read is audited."""
    migrant = get_in_office(Migrant, migrant_id, actor.office_id, *_FULL_RECORD)
    audit.record(actor, AuditAction.READ, "migrant", migrant.id)
    return migrant


def ensure_version(entity: Any, expected_version: int, entity_name: str) -> None:
    """409 when the client edited an older version than the stored one."""
    if entity.version != expected_version:
        raise Conflict(
            _("Someone else changed this %(entity)s; reload and apply your change again.",
              entity=entity_name),
            current_version=entity.version,
            updated_by_id=entity.updated_by_id,
            updated_at=entity.updated_at.isoformat() if entity.updated_at else None,
        )


def update_migrant(actor: User, migrant_id: int, changes: dict[str, Any]) -> Migrant:
    migrant = get_in_office(Migrant, migrant_id, actor.office_id, *_FULL_RECORD)
    if migrant.anonymised_at is not None:
        raise RecordAnonymised(_("migrant"))
    ensure_version(migrant, changes.pop("version"), _("migrant"))
    office = office_of(actor)
    for consent in changes.get("consents", []):
        consent["recorded_by_id"] = actor.id
    changed = _replace_collections(migrant, changes, office)
    scalars = {k: v for k, v in changes.items() if k not in changed}
    changed += audit.changed_fields(migrant, scalars)
    if not changed:
        return migrant
    migrant.updated_by_id = actor.id
    if set(changed) & set(_NAME_FIELDS):
        _refresh_search_key(migrant)
    db.session.flush()
    audit.record(actor, AuditAction.UPDATE, "migrant", migrant.id, fields=changed)
    return migrant


def list_migrants(actor: User, page: int, per_page: int) -> list[Migrant]:
    migrants = list(db.session.scalars(
        select(Migrant).where(Migrant.office_id == actor.office_id)
        .order_by(Migrant.id.desc()).limit(per_page).offset((page - 1) * per_page)))
    audit.record(actor, AuditAction.SEARCH, "migrant",
                 details={"result_ids": [m.id for m in migrants]})
    return migrants
