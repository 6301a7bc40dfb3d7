"""Removing personal data for good, a batch of cases or migrants at a time, in set-based
statements (the retention run may meet a hundred thousand cases on its first night).

What goes and what stays, so that statistics stay right:

- a case loses its summary, its free-text facts (cases.facts.free_text_facts), the text of
  its notes and task titles, and the phone numbers and summaries of its calls; it keeps its
  category, status, office, host country, dates, priority, the other facts, and how many
  notes, tasks and calls it had;
- a migrant loses their names, birth date (the year stays), phones, identity documents,
  search key and name words, and the phone numbers and summaries of their calls, including
  calls from their numbers that nobody linked to them; they keep office, citizenships, home
  region, host city, language and consent records;
- guidance given is kept unchanged: it is the text of a template and of provisions, which
  names no one (guidance.casework.render_text), and it is an immutable record.

Every anonymised row gets an audit event with ids, category and trigger, never a value.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, delete, exists, insert, select, update

from migrantdesk.calls.models import Call
from migrantdesk.cases.facts import free_text_facts
from migrantdesk.cases.models import Case, CaseNote, CaseTask
from migrantdesk.core.audit import AuditAction, AuditEvent
from migrantdesk.core.db import db
from migrantdesk.migrants.models import (
    IdentityDocument,
    Migrant,
    MigrantNameWord,
    MigrantPhone,
    NameWord,
)

_CASES = cast(Table, Case.__table__)
_MIGRANTS = cast(Table, Migrant.__table__)
_CALL_SCRUB = {"caller_phone": None, "summary": None}


def kept_facts(category: str, facts: dict[str, Any] | None) -> dict[str, Any]:
    """The facts of a case without its free text."""
    drop = free_text_facts(category)
    return {key: value for key, value in (facts or {}).items() if key not in drop}


def _audit(rows: list[dict[str, Any]], entity_type: str, now: datetime,
           actor_id: int | None) -> None:
    if rows:
        db.session.execute(insert(AuditEvent), [
            {"occurred_at": now, "user_id": actor_id, "office_id": row["office_id"],
             "action": AuditAction.ANONYMISE, "entity_type": entity_type,
             "entity_id": row["id"], "fields": None, "details": row["details"]}
            for row in rows])


def anonymise_cases(cases: Sequence[Any], now: datetime, trigger: str,
                    actor_id: int | None = None) -> int:
    """Anonymise cases given as rows with id, office_id, category, facts and closed_at (the
    caller has locked them); returns how many were changed. Already anonymised ones are left
    alone, so a second run changes nothing."""
    if not cases:
        return 0
    ids = [case.id for case in cases]
    # Dates (updated_at included) stay as they were: statistics count by them.
    db.session.execute(
        update(_CASES)
        .where(_CASES.c.id == bindparam("case_id"), _CASES.c.anonymised_at.is_(None))
        .values(summary="", facts=bindparam("kept"), anonymised_at=now,
                version=_CASES.c.version + 1, updated_at=_CASES.c.updated_at),
        [{"case_id": case.id, "kept": kept_facts(case.category, case.facts)} for case in cases])
    db.session.execute(update(CaseNote).where(CaseNote.case_id.in_(ids)).values(body=""))
    db.session.execute(update(CaseTask).where(CaseTask.case_id.in_(ids)).values(title=""))
    db.session.execute(update(Call).where(Call.case_id.in_(ids)).values(**_CALL_SCRUB))
    _audit([{"id": case.id, "office_id": case.office_id,
             "details": {"trigger": trigger, "category": str(case.category),
                         "closed_on": case.closed_at.date().isoformat() if case.closed_at
                         else None}}
            for case in cases], "case", now, actor_id)
    return len(ids)


def anonymise_migrants(migrants: Sequence[Any], now: datetime, trigger: str,
                       actor_id: int | None = None) -> int:
    """Anonymise migrants given as rows with id, office_id and birth_date (the caller has
    locked them and anonymised their cases); returns how many were changed."""
    if not migrants:
        return 0
    ids = [migrant.id for migrant in migrants]
    phones = list(db.session.execute(
        select(MigrantPhone.e164, Migrant.office_id).join(Migrant)
        .where(MigrantPhone.migrant_id.in_(ids))))
    words = list(db.session.execute(
        select(MigrantNameWord.office_id, MigrantNameWord.word)
        .where(MigrantNameWord.migrant_id.in_(ids)).distinct()))
    db.session.execute(
        update(_MIGRANTS)
        .where(_MIGRANTS.c.id == bindparam("migrant_id"), _MIGRANTS.c.anonymised_at.is_(None))
        .values(surname_cyrl=None, given_names_cyrl=None, surname_latn=None,
                given_names_latn=None, birth_date=None, birth_year=bindparam("year"),
                search_key="", anonymised_at=now, version=_MIGRANTS.c.version + 1,
                updated_at=_MIGRANTS.c.updated_at),
        [{"migrant_id": m.id, "year": _year(m.birth_date)} for m in migrants])
    for model in (MigrantNameWord, MigrantPhone, IdentityDocument):
        db.session.execute(delete(model).where(model.migrant_id.in_(ids)))
    db.session.execute(update(Call).where(Call.migrant_id.in_(ids)).values(**_CALL_SCRUB))
    _scrub_unlinked_calls_from(phones)
    _forget_uncarried_words(words)
    _audit([{"id": m.id, "office_id": m.office_id, "details": {"trigger": trigger}}
            for m in migrants], "migrant", now, actor_id)
    return len(ids)


def scrub_unidentified_calls(calls: Sequence[Any], now: datetime) -> int:
    """Clear the phone number and summary of calls given as rows with id and office_id
    (nobody was identified on them; the caller has locked them)."""
    if not calls:
        return 0
    db.session.execute(update(Call).where(Call.id.in_([call.id for call in calls]),
                                          Call.migrant_id.is_(None)).values(**_CALL_SCRUB))
    _audit([{"id": call.id, "office_id": call.office_id, "details": {"trigger": "retention"}}
            for call in calls], "call", now, None)
    return len(calls)


def _year(birth_date: date | str | None) -> int | None:
    if birth_date is None:
        return None
    return birth_date.year if isinstance(birth_date, date) else int(str(birth_date)[:4])


def _scrub_unlinked_calls_from(phones: Sequence[tuple[str, int]]) -> None:
    """Calls from the anonymised people's numbers that nobody linked to them: a search for
    the number must not find them either."""
    for office_id in {office for _, office in phones}:
        numbers = sorted({e164 for e164, office in phones if office == office_id})
        # Found through the B-tree on caller_phone, then filtered here: with `migrant_id IS
        # NULL` in the statement, PostgreSQL picks the partial trigram index made for the
        # search's suffix patterns, which is a hundred times slower for equality.
        found = db.session.execute(select(Call.id, Call.migrant_id).where(
            Call.office_id == office_id, Call.caller_phone.in_(numbers)))
        unlinked = [call.id for call in found if call.migrant_id is None]
        if unlinked:
            db.session.execute(update(Call).where(Call.id.in_(unlinked),
                                                  Call.migrant_id.is_(None))
                               .values(**_CALL_SCRUB))


def _forget_uncarried_words(words: Sequence[tuple[int, str]]) -> None:
    """Drop from the offices' name vocabularies the words nobody carries any more: a rare
    surname is itself a trace of the person."""
    for office_id in {office for office, _ in words}:
        candidates = sorted({word for office, word in words if office == office_id})
        carried = exists().where(MigrantNameWord.office_id == NameWord.office_id,
                                 MigrantNameWord.word == NameWord.word)
        db.session.execute(delete(NameWord).where(
            and_(NameWord.office_id == office_id, NameWord.word.in_(candidates), ~carried)))
