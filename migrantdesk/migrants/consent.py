"""Consent as data: which processing purposes a migrant has validly consented to, and the
check every service makes before acting for one of those purposes.

A consent is valid on a day when it was given on or before that day, does not expire on or
before it (`expires_on` is the first day it no longer holds) and was not withdrawn on or
before it. Which action needs which purpose:

- case_handling: open a case; change its facts, summary, priority, assignee or status; add
  a task or a note; record guidance given; print the migrant's briefing;
- call_back: a task of kind call_back; an outbound call to (or linked to) a known migrant;
- sharing_with_lawyer: assigning a case to a lawyer;
- statistics: row-level statistics exports (`consented_migrant_ids`);
- none: resolving or closing a case (stopping the processing), logging an inbound call,
  identified or not, and reading any record.

Reading stays possible without consent so that staff can see a withdrawal and close the case.
An anonymised migrant refuses every action: the record is kept for statistics only.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, and_, or_, select

from migrantdesk.auth.models import User
from migrantdesk.core import audit
from migrantdesk.core.audit import AuditAction
from migrantdesk.core.db import db, get_in_office, utcnow
from migrantdesk.core.errors import Conflict, ValidationFailed
from migrantdesk.migrants.models import Consent, ConsentPurpose, Migrant

PURPOSE_LABELS = {
    ConsentPurpose.CASE_HANDLING: _l("handling their case"),
    ConsentPurpose.CALL_BACK: _l("being called back"),
    ConsentPurpose.SHARING_WITH_LAWYER: _l("sharing their case with a lawyer"),
    ConsentPurpose.STATISTICS: _l("being counted in statistics"),
}


class ConsentMissing(Conflict):
    """409: the request is well-formed, but the migrant's record does not allow it yet;
    recording their consent and sending the same request again succeeds."""

    code = "consent_missing"

    def __init__(self, migrant_id: int, missing: list[ConsentPurpose]) -> None:
        labels = ", ".join(str(PURPOSE_LABELS[purpose]) for purpose in missing)
        super().__init__(
            _("The migrant has not given valid consent to %(purposes)s. Record their consent "
              "first.", purposes=labels),
            {"consents": [_("Missing valid consent: %(purpose)s", purpose=str(purpose))
                          for purpose in missing]},
            migrant_id=migrant_id, missing_purposes=[str(purpose) for purpose in missing])


class RecordAnonymised(Conflict):
    code = "anonymised"

    def __init__(self, entity: str) -> None:
        super().__init__(_("This %(entity)s was anonymised; it is kept for statistics only and "
                           "cannot be changed.", entity=entity))


def today() -> date:
    return date.today()


def is_valid(consent: Consent, on: date | None = None) -> bool:
    on = on or today()
    return (consent.given_on <= on
            and (consent.expires_on is None or consent.expires_on > on)
            and (consent.withdrawn_on is None or consent.withdrawn_on > on))


def valid_on(on: date | None = None) -> ColumnElement[bool]:
    """SQL condition on Consent: the same rule as is_valid."""
    on = on or today()
    return and_(Consent.given_on <= on,
                or_(Consent.expires_on.is_(None), Consent.expires_on > on),
                or_(Consent.withdrawn_on.is_(None), Consent.withdrawn_on > on))


def consented_migrant_ids(purpose: ConsentPurpose, on: date | None = None) -> Select:
    """SELECT of the ids of migrants with valid consent to `purpose` on a day; use it as
    `Migrant.id.in_(consented_migrant_ids(ConsentPurpose.STATISTICS))` (row-level exports)."""
    return select(Consent.migrant_id).where(Consent.purpose == purpose, valid_on(on)).distinct()


def purposes_of(consents: Iterable[Consent], on: date | None = None) -> dict[str, list[str]]:
    """{"valid": [...], "missing": [...]} purposes on a day, for the migrant's representation."""
    valid = {ConsentPurpose(c.purpose) for c in consents if is_valid(c, on)}
    return {"valid": [str(p) for p in ConsentPurpose if p in valid],
            "missing": [str(p) for p in ConsentPurpose if p not in valid]}


def require(migrant: Migrant | int, *purposes: ConsentPurpose, on: date | None = None) -> None:
    """Raise ConsentMissing (409) naming every purpose among `purposes` without valid consent
    on the day, or RecordAnonymised (409) for an anonymised migrant. One statement."""
    migrant_id = migrant if isinstance(migrant, int) else migrant.id
    rows = db.session.execute(
        select(Migrant.anonymised_at, Consent.purpose)
        .outerjoin(Consent, and_(Consent.migrant_id == Migrant.id,
                                 Consent.purpose.in_(purposes), valid_on(on)))
        .where(Migrant.id == migrant_id)).all()
    if rows and rows[0].anonymised_at is not None:
        raise RecordAnonymised(_("migrant"))
    held = {row.purpose for row in rows}
    missing = [purpose for purpose in purposes if purpose not in held]
    if missing:
        raise ConsentMissing(migrant_id, missing)


def consent_status(actor: User, migrant_id: int, *, audited: bool = False) -> dict[str, Any]:
    """Every consent record of a migrant of the actor's office, with the purposes that hold
    today and those missing; `audited` records the read."""
    migrant = get_in_office(Migrant, migrant_id, actor.office_id)
    if audited:
        audit.record(actor, AuditAction.READ, "consent", migrant.id)
    consents = list(db.session.scalars(select(Consent).where(
        Consent.migrant_id == migrant.id).order_by(Consent.id)))
    return {"migrant_id": migrant.id, "consents": consents, **purposes_of(consents)}


def _editable_migrant(actor: User, migrant_id: int) -> Migrant:
    migrant = get_in_office(Migrant, migrant_id, actor.office_id)
    if migrant.anonymised_at is not None:
        raise RecordAnonymised(_("migrant"))
    return migrant


def _call_of_office(actor: User, call_id: int | None) -> int | None:
    from migrantdesk.calls.models import Call  # calls import migrants, not the reverse

    if call_id is not None and db.session.scalar(select(Call.id).where(
            Call.id == call_id, Call.office_id == actor.office_id)) is None:
        raise ValidationFailed(_("Some fields are invalid."),
                               {"call_id": [_("No such call in your office.")]})
    return call_id


def record_consents(actor: User, migrant_id: int, data: dict[str, Any]) -> list[Consent]:
    """Record consent to one or more purposes in one act (typically said on the phone during
    a call); returns the new consent records. Earlier records stay as the history."""
    migrant = _editable_migrant(actor, migrant_id)
    given_on = data.get("given_on") or today()
    expires_on = data.get("expires_on")
    if expires_on is not None and expires_on <= given_on:
        raise ValidationFailed(_("Some fields are invalid."),
                               {"expires_on": [_("Must be after the day consent was given.")]})
    call_id = _call_of_office(actor, data.get("call_id"))
    consents = [Consent(migrant_id=migrant.id, purpose=purpose, method=data["method"],
                        given_on=given_on, expires_on=expires_on, call_id=call_id,
                        recorded_by_id=actor.id)
                for purpose in dict.fromkeys(data["purposes"])]
    db.session.add_all(consents)
    _touch(migrant, actor)
    db.session.flush()
    audit.record(actor, AuditAction.CREATE, "consent", migrant.id, fields=["consents"],
                 details={"purposes": [str(c.purpose) for c in consents],
                          "method": str(data["method"]), "consent_ids": [c.id for c in consents]})
    return consents


def withdraw_consents(actor: User, migrant_id: int, purposes: list[ConsentPurpose],
                      on: date | None = None) -> list[Consent]:
    """Mark the consents to `purposes` that are valid on the day as withdrawn from that day;
    returns those changed (none when nothing was valid: withdrawing twice is harmless)."""
    migrant = _editable_migrant(actor, migrant_id)
    on = on or today()
    withdrawn = list(db.session.scalars(select(Consent).where(
        Consent.migrant_id == migrant.id, Consent.purpose.in_(purposes), valid_on(on))))
    for consent in withdrawn:
        consent.withdrawn_on = on
    if withdrawn:
        _touch(migrant, actor)
        db.session.flush()
        audit.record(actor, AuditAction.UPDATE, "consent", migrant.id, fields=["withdrawn_on"],
                     details={"purposes": sorted({str(c.purpose) for c in withdrawn}),
                              "consent_ids": [c.id for c in withdrawn]})
    return withdrawn


def _touch(migrant: Migrant, actor: User) -> None:
    """A consent change is a change of the migrant: a concurrent editor sees a new version."""
    migrant.updated_by_id = actor.id
    migrant.updated_at = utcnow()

