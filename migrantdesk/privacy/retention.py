"""The retention run: what is kept past its time is anonymised (privacy.anonymise).

Three rules, each as of the day `today`:

1. a case closed longer ago than its category's period (config RETENTION_PERIODS, "default"
   for the rest), and not under legal hold, loses its free text;
2. a migrant whose cases have all been anonymised (or who never had one), and whose last
   contact (their record changed, a call linked to them) is older than the default period,
   loses their identity — so a legal hold on any of their cases keeps them too;
3. a call nobody was identified on loses its phone number and summary after
   RETENTION_UNIDENTIFIED_CALL_YEARS (done before 2, which also clears the calls from the
   anonymised migrants' numbers that nobody linked to them).

The run works in batches, each committed by the caller's `after_batch`, and is safe to run
at any time and any number of times: rows are picked with FOR UPDATE SKIP LOCKED on
PostgreSQL (a case being edited waits for the next run), every statement re-checks that
its row is not anonymised yet, and a second run finds nothing to do.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, or_, select, true

from migrantdesk.calls.models import Call
from migrantdesk.cases.facts import CaseCategory
from migrantdesk.cases.models import Case, CaseStatus
from migrantdesk.core.db import db, utcnow
from migrantdesk.migrants.models import Migrant
from migrantdesk.privacy.anonymise import (
    anonymise_cases,
    anonymise_migrants,
    scrub_unidentified_calls,
)

BATCH_SIZE = 500
DEFAULT = "default"


@dataclass
class RetentionReport:
    """What a run anonymised (or, dry, would): ids only, never a personal value."""

    today: date
    dry_run: bool
    case_ids: list[int] = field(default_factory=list)
    migrant_ids: list[int] = field(default_factory=list)
    unidentified_calls: int = 0
    cases_by_category: Counter[str] = field(default_factory=Counter)


def retention_periods(configured: dict[str, int]) -> dict[str, int]:
    """The configured periods, checked: whole years of at least 1, known categories, and a
    default. Raises ValueError naming the wrong entry."""
    if DEFAULT not in configured:
        raise ValueError("RETENTION_PERIODS needs a 'default' entry")
    for key, years in configured.items():
        if key != DEFAULT and key not in set(CaseCategory):
            raise ValueError(f"RETENTION_PERIODS: unknown case category {key!r}")
        if not isinstance(years, int) or isinstance(years, bool) or years < 1:
            raise ValueError(f"RETENTION_PERIODS[{key!r}] must be a whole number of years >= 1")
    return dict(configured)


def years_before(today: date, years: int) -> datetime:
    """Midnight UTC of the same day `years` earlier (29 February falls back to the 28th)."""
    try:
        day = today.replace(year=today.year - years)
    except ValueError:
        day = today.replace(year=today.year - years, day=28)
    return datetime.combine(day, time.min, tzinfo=UTC)


def case_is_due(today: date, periods: dict[str, int]) -> ColumnElement[bool]:
    """Closed, not under hold, not anonymised, and closed before its category's cutoff."""
    special = [category for category in periods if category != DEFAULT]
    past = [and_(Case.category == category,
                 Case.closed_at < years_before(today, periods[category]))
            for category in special]
    past.append(and_(Case.category.not_in(special) if special else true(),
                     Case.closed_at < years_before(today, periods[DEFAULT])))
    return and_(Case.status == CaseStatus.CLOSED, Case.closed_at.is_not(None),
                Case.legal_hold_at.is_(None), Case.anonymised_at.is_(None), or_(*past))


def migrant_is_due(today: date, periods: dict[str, int], *,
                   cases_done: bool = False) -> ColumnElement[bool]:
    """Not anonymised, no contact since the default cutoff, and every case anonymised — or,
    before the cases are done (a dry run), due now."""
    cutoff = years_before(today, periods[DEFAULT])
    kept = [Case.migrant_id == Migrant.id, Case.anonymised_at.is_(None)]
    if not cases_done:
        kept.append(~case_is_due(today, periods))
    recent_call = exists().where(Call.migrant_id == Migrant.id, Call.started_at >= cutoff)
    return and_(Migrant.anonymised_at.is_(None), Migrant.created_at < cutoff,
                Migrant.updated_at < cutoff, ~exists().where(*kept), ~recent_call)


def _unidentified_call_is_due(today: date, years: int) -> ColumnElement[bool]:
    return and_(Call.migrant_id.is_(None), Call.case_id.is_(None),
                Call.started_at < years_before(today, years),
                or_(Call.caller_phone.is_not(None), Call.summary.is_not(None)))


def _batches(statement: Select, id_column: Any, locking: bool) -> Any:
    """Rows of `statement` in id order, BATCH_SIZE at a time; locked (skipping rows others
    hold) when `locking`. Keyset paging, so a row left unchanged is not picked again."""
    last = 0
    while True:
        page = statement.where(id_column > last).order_by(id_column).limit(BATCH_SIZE)
        if locking:
            page = page.with_for_update(skip_locked=True, of=id_column.table)
        rows = db.session.execute(page).all()
        if not rows:
            return
        last = rows[-1].id
        yield rows


def run_retention(today: date, periods: dict[str, int], unidentified_call_years: int, *,
                  dry_run: bool = False,
                  after_batch: Callable[[], None] = lambda: None) -> RetentionReport:
    """Anonymise what is past retention on `today` (nothing is changed when `dry_run`)."""
    periods = retention_periods(periods)
    report = RetentionReport(today=today, dry_run=dry_run)
    now = utcnow()
    due_cases = select(Case.id, Case.office_id, Case.category, Case.facts, Case.closed_at) \
        .where(case_is_due(today, periods))
    for rows in _batches(due_cases, Case.id, locking=not dry_run):
        if not dry_run:
            anonymise_cases(rows, now, "retention")
            after_batch()
        report.case_ids += [row.id for row in rows]
        report.cases_by_category.update(str(row.category) for row in rows)
    # Calls before migrants: the migrants' step also clears calls from their numbers, which
    # would make a dry run's count of these differ from the real run's.
    due_calls = select(Call.id, Call.office_id) \
        .where(_unidentified_call_is_due(today, unidentified_call_years))
    for rows in _batches(due_calls, Call.id, locking=not dry_run):
        if not dry_run:
            scrub_unidentified_calls(rows, now)
            after_batch()
        report.unidentified_calls += len(rows)
    due_migrants = select(Migrant.id, Migrant.office_id, Migrant.birth_date) \
        .where(migrant_is_due(today, periods, cases_done=not dry_run))
    for rows in _batches(due_migrants, Migrant.id, locking=not dry_run):
        if not dry_run:
            anonymise_migrants(rows, now, "retention")
            after_batch()
        report.migrant_ids += [row.id for row in rows]
    return report
