"""The dashboard's figures as count tables, one grouped query each, before suppression.

Every query is limited to the offices in `Filters.office_ids`, which services.resolve_filters
has checked against what the user may see. Months are UTC calendar months; calls are counted
per day and hour in each office's own time zone.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, func, select, tuple_

from migrantdesk.calls.models import Call
from migrantdesk.cases.facts import CaseCategory
from migrantdesk.cases.models import Case, CaseStatus, Priority
from migrantdesk.core.db import db
from migrantdesk.guidance.deadlines import NOTICE_CATEGORIES
from migrantdesk.leaflets.models import Leaflet, LeafletDownload
from migrantdesk.stats.suppression import Table


@dataclass(frozen=True)
class Filters:
    date_from: date
    date_to: date
    office_ids: tuple[int, ...]
    category: str | None = None
    origin: str | None = None
    host: str | None = None

    @property
    def start(self) -> datetime:
        return datetime.combine(self.date_from, time(), UTC)

    @property
    def end(self) -> datetime:
        """Exclusive: midnight after the last day."""
        return datetime.combine(self.date_to + timedelta(days=1), time(), UTC)

    def months(self) -> list[str]:
        found, month = [], self.date_from.replace(day=1)
        while month <= self.date_to:
            found.append(month.strftime("%Y-%m"))
            month = (month + timedelta(days=32)).replace(day=1)
        return found

    def as_dict(self) -> dict[str, Any]:
        return {"date_from": self.date_from.isoformat(), "date_to": self.date_to.isoformat(),
                "office": list(self.office_ids), "category": self.category,
                "origin": self.origin, "host": self.host}


def _postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def month_of(column: Any) -> ColumnElement[Any]:
    """The UTC month of a timestamp: a timestamp on PostgreSQL (date_trunc is much cheaper per
    row than to_char), a 'YYYY-MM' text on SQLite; month_key() reads either."""
    if _postgresql():
        return func.date_trunc("month", func.timezone("UTC", column))
    return func.strftime("%Y-%m", column)


def hour_of(column: Any) -> ColumnElement[Any]:
    if _postgresql():
        return func.date_trunc("hour", func.timezone("UTC", column))
    return func.strftime("%Y-%m-%d %H", column)


def month_key(value: Any) -> str:
    return value.strftime("%Y-%m") if isinstance(value, datetime) else str(value)


def hour_moment(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC)
    return datetime.strptime(value, "%Y-%m-%d %H").replace(tzinfo=UTC)


def case_conditions(filters: Filters) -> list[ColumnElement[bool]]:
    conditions = [Case.office_id.in_(filters.office_ids), Case.opened_at >= filters.start,
                  Case.opened_at < filters.end]
    if filters.category:
        conditions.append(Case.category == filters.category)
    if filters.host:
        conditions.append(Case.host_country == filters.host)
    return conditions


def _table(rows: list[str], columns: list[str], found: Any) -> Table:
    """A table from (row key, column key, count) results; unknown keys are added at the end."""
    rows, columns = list(rows), list(columns)
    grid: dict[tuple[str, str], int] = {}
    for row_key, column_key, count in found:
        row_key, column_key = str(row_key), str(column_key)
        if row_key not in rows:
            rows.append(row_key)
        if column_key not in columns:
            columns.append(column_key)
        grid[row_key, column_key] = grid.get((row_key, column_key), 0) + int(count)
    return Table(rows, columns, [[grid.get((r, c), 0) for c in columns] for r in rows])


def cases_by_category_status(filters: Filters) -> Table:
    found = db.session.execute(
        select(Case.category, Case.status, func.count())
        .where(*case_conditions(filters)).group_by(Case.category, Case.status))
    categories = [filters.category] if filters.category else [str(c) for c in CaseCategory]
    return _table(categories, [str(s) for s in CaseStatus],
                  ((c, getattr(s, "value", s), n) for c, s, n in found))


def cases_by_office_month(filters: Filters) -> Table:
    month = month_of(Case.opened_at)
    found = db.session.execute(
        select(Case.office_id, month, func.count())
        .where(*case_conditions(filters)).group_by(Case.office_id, month))
    return _table([str(i) for i in filters.office_ids], filters.months(),
                  ((office, month_key(m), n) for office, m, n in found))


def notices_by_month(filters: Filters) -> Table:
    month = month_of(Case.opened_at)
    categories = sorted(NOTICE_CATEGORIES)
    if filters.category:
        categories = [c for c in categories if c == filters.category]
    found = db.session.execute(
        select(Case.category, month, func.count())
        .where(*case_conditions(filters), Case.category.in_(categories))
        .group_by(Case.category, month))
    return _table(categories, filters.months(),
                  ((category, month_key(m), n) for category, m, n in found))


def open_urgent_by_office(filters: Filters) -> Table:
    """Urgent cases still open now, among those opened in the period."""
    found = db.session.execute(
        select(Case.office_id, func.count())
        .where(*case_conditions(filters), Case.priority == Priority.URGENT,
               Case.status.not_in([CaseStatus.RESOLVED, CaseStatus.CLOSED]))
        .group_by(Case.office_id))
    return _table([str(i) for i in filters.office_ids], ["urgent_open"],
                  ((office, "urgent_open", n) for office, n in found))


def fact_breakdown(filters: Filters, category: str, fact: str) -> Table | None:
    """Cases of one category by one recorded fact (document kind, remittance channel)."""
    if filters.category and filters.category != category:
        return None
    value = Case.facts[fact].as_string()
    found = db.session.execute(
        select(value, func.count())
        .where(*case_conditions(filters), Case.category == category).group_by(value))
    return _table(["cases"], [], (("cases", key if key is not None else "", n)
                                  for key, n in found))


def _call_conditions(filters: Filters) -> list[ColumnElement[bool]]:
    # A day wider on each side: the local days of offices east and west of UTC.
    return [Call.office_id.in_(filters.office_ids),
            Call.started_at >= filters.start - timedelta(days=1),
            Call.started_at < filters.end + timedelta(days=1)]


def _calls_by_hour(filters: Filters, timezones: dict[int, str]) -> list[tuple[datetime, int]]:
    """Calls counted per local hour: grouped by UTC hour in SQL, shifted per office here."""
    hour = hour_of(Call.started_at)
    statement: Select[Any] = select(Call.office_id, hour, func.count())  # type: ignore[assignment]
    statement = statement.where(*_call_conditions(filters))
    if filters.category or filters.host:  # only calls about a case can have those
        statement = statement.join(Case, and_(Case.id == Call.case_id))
        if filters.category:
            statement = statement.where(Case.category == filters.category)
        if filters.host:
            statement = statement.where(Case.host_country == filters.host)
    local = []
    for office_id, utc_hour, count in db.session.execute(
            statement.group_by(Call.office_id, hour)):
        moment = hour_moment(utc_hour).astimezone(ZoneInfo(timezones.get(office_id, "UTC")))
        if filters.date_from <= moment.date() <= filters.date_to:
            local.append((moment, int(count)))
    return local


def calls_tables(filters: Filters, timezones: dict[int, str]) -> tuple[Table, Table]:
    """Calls per day and per hour of day (local time), each a one-row table."""
    per_day: dict[str, int] = defaultdict(int)
    per_hour: dict[str, int] = defaultdict(int)
    for moment, count in _calls_by_hour(filters, timezones):
        per_day[moment.date().isoformat()] += count
        per_hour[f"{moment.hour:02d}"] += count
    days = []
    day = filters.date_from
    while day <= filters.date_to:
        days.append(day.isoformat())
        day += timedelta(days=1)
    hours = [f"{h:02d}" for h in range(24)]
    return (Table(["calls"], days, [[per_day.get(d, 0) for d in days]]),
            Table(["calls"], hours, [[per_hour.get(h, 0) for h in hours]]))


def leaflet_downloads(filters: Filters) -> Table:
    """Downloads by leaflet language (rows) and origin country (columns)."""
    conditions = [Leaflet.office_id.in_(filters.office_ids),
                  LeafletDownload.day >= filters.date_from, LeafletDownload.day <= filters.date_to]
    if filters.origin:
        conditions.append(Leaflet.origin_country == filters.origin)
    if filters.host:
        conditions.append(Leaflet.host_country == filters.host)
    found = db.session.execute(
        select(Leaflet.language, Leaflet.origin_country, func.sum(LeafletDownload.count))
        .join(Leaflet, Leaflet.id == LeafletDownload.leaflet_id).where(*conditions)
        .group_by(Leaflet.language, Leaflet.origin_country))
    return _table([], [], found)


@dataclass
class Medians:
    """Per category: how many cases and their median hours to first response / resolution."""

    first_response: dict[str, tuple[int, float | None]]
    resolution: dict[str, tuple[int, float | None]]


def response_medians(filters: Filters) -> Medians:
    result = Medians({}, {})
    if _postgresql():
        # One pass: ordered-set aggregates skip NULLs, and the grouping sets give every
        # category and all categories together.
        responded = func.extract("epoch", Case.first_response_at - Case.opened_at) / 3600
        resolved = func.extract("epoch", Case.resolved_at - Case.opened_at) / 3600
        statement = (select(Case.category, func.count(Case.first_response_at),
                            func.percentile_cont(0.5).within_group(responded),
                            func.count(Case.resolved_at),
                            func.percentile_cont(0.5).within_group(resolved))
                     .where(*case_conditions(filters))
                     .group_by(func.grouping_sets(tuple_(Case.category), tuple_())))
        for category, n_first, first, n_resolved, resolution in db.session.execute(statement):
            key = category if category is not None else "*"
            result.first_response[key] = (int(n_first), _float(first))
            result.resolution[key] = (int(n_resolved), _float(resolution))
        return result
    for target, column in ((result.first_response, Case.first_response_at),
                           (result.resolution, Case.resolved_at)):
        hours = (func.julianday(column) - func.julianday(Case.opened_at)) * 24
        grouped: dict[str, list[float]] = defaultdict(list)
        for category, value in db.session.execute(
                select(Case.category, hours).where(*case_conditions(filters),
                                                   column.is_not(None))):
            grouped[category].append(float(value))
            grouped["*"].append(float(value))
        for key, values in grouped.items():
            target[key] = (len(values), statistics.median(values))
    return result


def _float(value: Any) -> float | None:
    return float(value) if value is not None else None
