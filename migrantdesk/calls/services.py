"""The hotline call log: log a call in seconds, identify the caller later."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import select

from migrantdesk.auth.models import User
from migrantdesk.calls import search
from migrantdesk.calls.models import Call, CallDirection
from migrantdesk.cases.models import Case
from migrantdesk.core import audit
from migrantdesk.core.audit import AuditAction
from migrantdesk.core.db import db, get_in_office, utcnow
from migrantdesk.core.errors import ValidationFailed
from migrantdesk.migrants import consent
from migrantdesk.migrants.consent import RecordAnonymised
from migrantdesk.migrants.models import ConsentPurpose, Migrant
from migrantdesk.migrants.phones import e164_or_error
from migrantdesk.offices.models import Office
from migrantdesk.offices.services import office_of


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(_("Some fields are invalid."), {field: [message]})


def _caller_phone(raw: str | None, office: Office) -> str | None:
    if not raw:
        return None
    for hint in (office.host_country, office.country):
        try:
            return e164_or_error(raw, hint)
        except ValidationError:
            continue
    raise _invalid("caller_phone", _("This phone number cannot exist."))


def _resolve_link(actor: User, migrant_id: int | None, case_id: int | None
                  ) -> tuple[int | None, int | None]:
    """Check a migrant and case belong to the actor's office and to each other."""
    case_migrant = None
    if case_id is not None:
        found = db.session.execute(select(Case.migrant_id, Case.anonymised_at).where(
            Case.id == case_id, Case.office_id == actor.office_id)).first()
        if found is None:
            raise _invalid("case_id", _("No such case in your office."))
        if found.anonymised_at is not None:
            raise RecordAnonymised(_("case"))
        case_migrant = found.migrant_id
    if migrant_id is not None:
        exists = db.session.scalar(select(Migrant.id).where(
            Migrant.id == migrant_id, Migrant.office_id == actor.office_id))
        if exists is None:
            raise _invalid("migrant_id", _("No such migrant in your office."))
        if case_migrant is not None and case_migrant != migrant_id:
            raise _invalid("case_id", _("This case belongs to another migrant."))
    return migrant_id or case_migrant, case_id


def _check_consent(migrant_id: int | None, direction: CallDirection) -> None:
    """Any inbound call may be logged; calling a known migrant back needs their consent, and
    nothing new is attached to an anonymised migrant."""
    if migrant_id is not None:
        consent.require(migrant_id, *((ConsentPurpose.CALL_BACK,)
                                      if direction == CallDirection.OUTBOUND else ()))


def log_call(actor: User, data: dict[str, Any]) -> Call:
    office = office_of(actor)
    migrant_id, case_id = _resolve_link(actor, data.get("migrant_id"), data.get("case_id"))
    _check_consent(migrant_id, data["direction"])
    call = Call(
        office_id=actor.office_id, operator_id=actor.id,
        started_at=data.get("started_at") or utcnow(), ended_at=data.get("ended_at"),
        direction=data["direction"], caller_phone=_caller_phone(data.get("caller_phone"), office),
        language=data.get("language"), summary=data.get("summary"),
        migrant_id=migrant_id, case_id=case_id,
    )
    db.session.add(call)
    db.session.flush()
    audit.record(actor, AuditAction.CREATE, "call", call.id, fields=sorted(data))
    return call


def get_call(actor: User, call_id: int) -> Call:
    call = get_in_office(Call, call_id, actor.office_id)
    audit.record(actor, AuditAction.READ, "call", call.id)
    return call


def update_call(actor: User, call_id: int, changes: dict[str, Any]) -> Call:
    call = get_in_office(Call, call_id, actor.office_id)
    if call.migrant_id is not None:
        consent.require(call.migrant_id)  # nothing is written back onto an anonymised person
    ended = changes.get("ended_at")
    if ended is not None and ended < call.started_at:
        raise _invalid("ended_at", _("Must not be before the start."))
    changed = audit.changed_fields(call, changes)
    if changed:
        audit.record(actor, AuditAction.UPDATE, "call", call.id, fields=changed)
    return call


def link_call(actor: User, call_id: int, migrant_id: int | None, case_id: int | None) -> Call:
    call = get_in_office(Call, call_id, actor.office_id)
    migrant_id, case_id = _resolve_link(actor, migrant_id, case_id)
    _check_consent(migrant_id, CallDirection(call.direction))
    changed = audit.changed_fields(call, {"migrant_id": migrant_id, "case_id": case_id})
    if changed:
        audit.record(actor, AuditAction.UPDATE, "call", call.id, fields=changed)
    return call


def list_calls(actor: User, *, page: int, per_page: int, migrant_id: int | None = None,
               case_id: int | None = None, unlinked: bool | None = None) -> list[Call]:
    statement = select(Call).where(Call.office_id == actor.office_id)
    if migrant_id is not None:
        statement = statement.where(Call.migrant_id == migrant_id)
    if case_id is not None:
        statement = statement.where(Call.case_id == case_id)
    if unlinked:
        statement = statement.where(Call.migrant_id.is_(None))
    calls = list(db.session.scalars(statement.order_by(Call.started_at.desc())
                                    .limit(per_page).offset((page - 1) * per_page)))
    audit.record(actor, AuditAction.SEARCH, "call", details={"result_ids": [c.id for c in calls]})
    return calls


def search_callers(actor: User, query: str, limit: int) -> dict[str, list]:
    """Ranked migrants matching a phone, name or document number, plus earlier unlinked
    calls from the same number. The search is audited with result ids, not the query."""
    migrants, unlinked_calls = search.search_callers(actor.office_id, query, limit)
    audit.record(actor, AuditAction.SEARCH, "migrant",
                 details={"result_ids": [m.id for m in migrants],
                          "call_ids": [c.id for c in unlinked_calls]})
    return {"migrants": migrants, "unlinked_calls": unlinked_calls}
