"""Legal holds on cases, and erasure of one migrant on request."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from migrantdesk.auth.models import User
from migrantdesk.cases.models import Case, CaseStatus
from migrantdesk.core import audit
from migrantdesk.core.audit import AuditAction
from migrantdesk.core.db import db, get_in_office, utcnow
from migrantdesk.core.errors import Conflict, NotFound
from migrantdesk.migrants.consent import RecordAnonymised
from migrantdesk.migrants.models import Migrant
from migrantdesk.privacy.anonymise import anonymise_cases, anonymise_migrants


class ErasureReason(StrEnum):
    MIGRANT_REQUEST = "migrant_request"  # the person asked for their data to be erased
    CONSENT_WITHDRAWN = "consent_withdrawn"
    NO_LONGER_NEEDED = "no_longer_needed"
    UNLAWFULLY_PROCESSED = "unlawfully_processed"


class ErasureBlocked(Conflict):
    code = "erasure_blocked"

    def __init__(self, blocking: list[dict[str, Any]]) -> None:
        super().__init__(
            _("This migrant cannot be erased yet: close their open cases and have any legal "
              "hold lifted first."),
            {"cases": [_("Case %(number)s: %(why)s", number=block["case_id"],
                         why=", ".join(_reason_label(reason) for reason in block["reasons"]))
                       for block in blocking]},
            blocking_cases=blocking)


def _reason_label(reason: str) -> str:
    return _("under legal hold") if reason == "legal_hold" else _("not closed")


def set_legal_hold(actor: User, case_id: int, reason: str) -> Case:
    """Put a case (and so its migrant) under legal hold, or change the reason of a hold."""
    case = get_in_office(Case, case_id, actor.office_id)
    if case.anonymised_at is not None:
        raise RecordAnonymised(_("case"))
    change = "changed" if case.legal_hold_at is not None else "set"
    if change == "set":
        case.legal_hold_at, case.legal_hold_by_id = utcnow(), actor.id
    case.legal_hold_reason = reason
    db.session.flush()
    # The reason may name people (a court's case): it stays on the case, not in the trail.
    audit.record(actor, AuditAction.UPDATE, "case", case.id, fields=["legal_hold"],
                 details={"legal_hold": change})
    return case


def clear_legal_hold(actor: User, case_id: int) -> Case:
    case = get_in_office(Case, case_id, actor.office_id)
    if case.legal_hold_at is not None:
        case.legal_hold_at = case.legal_hold_by_id = case.legal_hold_reason = None
        db.session.flush()
        audit.record(actor, AuditAction.UPDATE, "case", case.id, fields=["legal_hold"],
                     details={"legal_hold": "cleared"})
    return case


def _blocking(cases: Sequence[Any]) -> list[dict[str, Any]]:
    blocking = []
    for case in cases:
        reasons = (["legal_hold"] if case.legal_hold_at is not None else []) + \
            (["open"] if case.status != CaseStatus.CLOSED else [])
        if reasons:
            blocking.append({"case_id": case.id, "status": str(case.status), "reasons": reasons})
    return blocking


def erase_migrant(actor: User, migrant_id: int, reason: ErasureReason) -> dict[str, Any]:
    """Anonymise a migrant of the actor's office and all their cases now, whatever the
    retention periods; refused (409, naming the cases) while a case is open or under legal
    hold. Erasing an already anonymised migrant changes nothing."""
    migrant = db.session.execute(
        select(Migrant.id, Migrant.office_id, Migrant.birth_date, Migrant.anonymised_at)
        .where(Migrant.id == migrant_id, Migrant.office_id == actor.office_id)
        .with_for_update()).first()
    if migrant is None:
        raise NotFound("migrant")
    cases = db.session.execute(
        select(Case.id, Case.office_id, Case.category, Case.facts, Case.closed_at,
               Case.status, Case.legal_hold_at, Case.anonymised_at)
        .where(Case.migrant_id == migrant.id).order_by(Case.id).with_for_update()).all()
    blocking = _blocking(cases)
    if blocking:
        raise ErasureBlocked(blocking)
    now = utcnow()
    erased = [case for case in cases if case.anonymised_at is None]
    anonymise_cases(erased, now, "erasure", actor.id)
    if migrant.anonymised_at is None:
        anonymise_migrants([migrant], now, "erasure", actor.id)
        audit.record(actor, AuditAction.DELETE, "migrant", migrant.id,
                     details={"reason": str(reason), "case_ids": [case.id for case in cases]})
    db.session.flush()
    db.session.expire_all()  # the statements above bypassed the identity map
    return {"migrant_id": migrant.id, "anonymised_at": migrant.anonymised_at or now,
            "case_ids": [case.id for case in cases]}
