"""Consents of the demo migrants, as a hotline records them: nearly everyone agrees on the
first call to their case being handled (a few withdraw later), everyone who is called back or
whose case went to a lawyer agreed to that, and about one in five declines statistics."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from migrantdesk.auth.models import User
from migrantdesk.auth.permissions import Role
from migrantdesk.calls.models import Call, CallDirection
from migrantdesk.cases.models import Case
from migrantdesk.core.db import db
from migrantdesk.demo.storage import insert_rows
from migrantdesk.migrants.models import Consent, ConsentMethod, ConsentPurpose, Migrant

P, M = ConsentPurpose, ConsentMethod


def _day_between(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, max((last - first).days, 0)))


def _consents_of(rng: random.Random, given: date, today: date, called_back: bool,
                 with_lawyer: bool) -> list[dict[str, Any]]:
    rows = [{"purpose": P.CASE_HANDLING, "method": M.VERBAL_ON_CALL, "given_on": given}]
    if rng.random() < 0.03 and given < today:
        rows[0]["withdrawn_on"] = _day_between(rng, given + timedelta(days=1), today)
    if called_back or rng.random() < 0.5:
        rows.append({"purpose": P.CALL_BACK, "method": M.VERBAL_ON_CALL, "given_on": given})
    if with_lawyer or rng.random() < 0.05:
        rows.append({"purpose": P.SHARING_WITH_LAWYER, "method": M.WRITTEN,
                     "given_on": _day_between(rng, given, min(given + timedelta(days=3), today))})
    if rng.random() < 0.8:
        written = rng.random() < 0.1  # a paper form valid for a year; some have run out
        rows.append({"purpose": P.STATISTICS, "method": M.WRITTEN if written
                     else M.VERBAL_ON_CALL, "given_on": given,
                     "expires_on": given + timedelta(days=365) if written else None})
    return rows


def seed_consents(rng: random.Random, recorder_by_office: dict[int, int], now: datetime) -> int:
    """Consent records for every migrant already seeded; returns how many were written."""
    lawyers = select(User.id).where(User.role == Role.LAWYER)
    with_lawyer = set(db.session.scalars(
        select(Case.migrant_id).where(Case.assignee_id.in_(lawyers))))
    called_back = set(db.session.scalars(select(Call.migrant_id).where(
        Call.direction == CallDirection.OUTBOUND, Call.migrant_id.is_not(None))))
    rows = []
    for migrant_id, office_id, created in db.session.execute(
            select(Migrant.id, Migrant.office_id, Migrant.created_at).order_by(Migrant.id)):
        for row in _consents_of(rng, created.date(), now.date(), migrant_id in called_back,
                                migrant_id in with_lawyer):
            rows.append({"migrant_id": migrant_id, "expires_on": None, "withdrawn_on": None,
                         "recorded_by_id": recorder_by_office[office_id], **row})
    insert_rows(Consent, rows)
    return len(rows)
