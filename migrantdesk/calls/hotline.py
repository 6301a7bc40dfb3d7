"""What the hotline screen does, on top of the calls, migrants, cases and guidance services:
one call followed from its start to its summary. Every step writes through those services,
so the call is in the log from its first second and a lost session loses nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from migrantdesk.auth.models import User
from migrantdesk.calls import services as calls
from migrantdesk.calls.models import Call, CallDirection
from migrantdesk.cases import services as cases
from migrantdesk.cases.models import Case, CaseStatus
from migrantdesk.core.db import db, get_in_office, utcnow
from migrantdesk.core.errors import NotFound
from migrantdesk.migrants import consent
from migrantdesk.migrants import services as migrants
from migrantdesk.migrants.models import Consent, ConsentMethod, ConsentPurpose, Migrant
from migrantdesk.offices.models import Office
from migrantdesk.offices.services import office_of

OPEN_CASES_SHOWN = 20
_CLOSED = (CaseStatus.RESOLVED, CaseStatus.CLOSED)


@dataclass
class CallScreen:
    """Everything the screen shows for one call: the caller once identified, their open
    cases, and the case this call is about once chosen."""

    call: Call
    office: Office
    migrant: Migrant | None = None
    open_cases: list[Case] | None = None
    case: Case | None = None

    @property
    def missing_consents(self) -> list[str]:
        """Purposes the caller has no valid consent for today (verbal consent can be taken
        on the call)."""
        if self.migrant is None:
            return []
        today = date.today()
        valid = {c.purpose for c in self.migrant.consents
                 if c.withdrawn_on is None and (c.expires_on is None or c.expires_on >= today)}
        return [str(p) for p in ConsentPurpose if p not in valid]


def start_call(actor: User, caller_phone: str | None = None) -> Call:
    """Log an inbound call now, before anything is known about the caller."""
    return calls.log_call(actor, {"direction": CallDirection.INBOUND,
                                  "caller_phone": caller_phone or None})


def call_screen(actor: User, call_id: int) -> CallScreen:
    """The call with its caller and case as the screen shows them; every read is audited by
    the services it goes through."""
    call = calls.get_call(actor, call_id)
    screen = CallScreen(call, office_of(actor))
    if call.migrant_id is not None:
        screen.migrant = migrants.get_migrant(actor, call.migrant_id)
        found = cases.list_cases(actor, page=1, per_page=OPEN_CASES_SHOWN,
                                 migrant_id=call.migrant_id)
        screen.open_cases = [case for case in found if case.status not in _CLOSED]
    if call.case_id is not None:
        screen.case = cases.get_case(actor, call.case_id)
    return screen


def choose_caller(actor: User, call_id: int, migrant_id: int) -> Call:
    """The caller is this migrant: link the call (and forget any case chosen for another)."""
    return calls.link_call(actor, call_id, migrant_id, None)


def forget_caller(actor: User, call_id: int) -> Call:
    """The operator chose the wrong person: the call is unidentified again."""
    return calls.link_call(actor, call_id, None, None)


def choose_case(actor: User, call_id: int, case_id: int) -> Call:
    return calls.link_call(actor, call_id, None, case_id)


def register_caller(actor: User, call_id: int, data: dict[str, Any],
                    consents: list[str]) -> Migrant:
    """A new migrant from the caller's answers, with the consents they gave verbally on
    this call, and the call linked to them."""
    calls.get_call(actor, call_id)  # 404 before anything is written
    today = date.today()
    data["consents"] = [{"purpose": ConsentPurpose(purpose), "given_on": today,
                         "method": ConsentMethod.VERBAL_ON_CALL} for purpose in consents]
    migrant = migrants.create_migrant(actor, data)
    calls.link_call(actor, call_id, migrant.id, None)
    return migrant


def record_verbal_consent(actor: User, call_id: int, purposes: list[str]) -> list[Consent]:
    """Consents the caller gave on this call, added to those they already have."""
    call = get_in_office(Call, call_id, actor.office_id)
    if call.migrant_id is None:
        return []
    return consent.record_consents(actor, call.migrant_id, {
        "purposes": [ConsentPurpose(purpose) for purpose in purposes],
        "method": ConsentMethod.VERBAL_ON_CALL, "call_id": call.id})


def open_case_on_call(actor: User, call_id: int, data: dict[str, Any]) -> Case:
    """A new case for the call's caller, and the call linked to it."""
    call = get_in_office(Call, call_id, actor.office_id)
    case = cases.create_case(actor, {**data, "migrant_id": call.migrant_id})
    calls.link_call(actor, call_id, None, case.id)
    return case


def save_facts(actor: User, call_id: int, version: int, facts: dict[str, Any]) -> Case:
    """The facts of the call's case, guarded by the version the operator saw."""
    call = get_in_office(Call, call_id, actor.office_id)
    if call.case_id is None:
        raise NotFound("case")
    return cases.update_case(actor, call.case_id, {"version": version, "facts": facts})


def last_change(actor: User, case_id: int) -> tuple[str | None, Any]:
    """Who last changed a case of the actor's office and when, for a stale-edit message."""
    row = db.session.execute(
        select(User.name, Case.updated_at).join(User, User.id == Case.updated_by_id, isouter=True)
        .where(Case.id == case_id, Case.office_id == actor.office_id)).first()
    return (row.name, row.updated_at) if row else (None, None)


def end_call(actor: User, call_id: int, changes: dict[str, Any]) -> Call:
    """The summary and outcome; the call ends now (once: ending again keeps the first end)."""
    call = get_in_office(Call, call_id, actor.office_id)
    if call.ended_at is None:
        changes = {**changes, "ended_at": utcnow()}
    return calls.update_call(actor, call_id, changes)
