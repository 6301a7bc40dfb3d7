"""Cases and calls for the statistics benchmarks, made inside PostgreSQL with generate_series.

One consulate gets `migrants` bare migrants, `cases` cases opened over the last year (every
category, status and priority, with response and resolution times, and the facts the
dashboard breaks down: document kinds and remittance channels) and `calls` calls, spread over
the hours of the day. Only the missing rows are added, so running it again is instant:

    .venv/bin/python -m benchmarks.stats_export --cases 1000000   # creates them on first run
"""

from __future__ import annotations

import sys
import time

import psycopg

from benchmarks._harness import libpq_conninfo
from migrantdesk.cases.facts import CaseCategory

_STATUSES = "ARRAY['new','in_progress','in_progress','waiting','resolved','resolved','closed']"
_PRIORITIES = "ARRAY['low','normal','normal','normal','high','urgent']"
_DOCUMENTS = "ARRAY['national_passport','foreign_passport','russian_passport','work_patent']"
_CHANNELS = "ARRAY['bank_transfer','money_transfer_system','card','cash_courier']"

_MIGRANTS = """
INSERT INTO migrants (office_id, surname_latn, search_key, created_at, updated_at, version)
SELECT %(office)s, 'Bench', 'bench ' || n, now() - interval '400 days', now(), 1
FROM generate_series(1, %(count)s) AS n"""

# Categories are skewed (squares of uniform numbers favour the first ones), so some months
# of the rare ones are small cells. random() sits in a subquery's select list: evaluated per
# row there (in a LATERAL subquery that does not refer to n it would be evaluated once).
_CASES = f"""
INSERT INTO cases (office_id, migrant_id, category, host_country, summary, facts, status,
                   priority, opened_at, updated_at, closed_at, first_response_at, resolved_at,
                   version)
SELECT %(office)s, %(first_migrant)s + (n %% %(migrants)s), category,
       CASE WHEN n %% 17 = 0 THEN 'KZ' ELSE 'RU' END, 'Benchmark case',
       CASE category
         WHEN 'document_status' THEN json_build_object(
           'document_kind', ({_DOCUMENTS})[1 + n %% 4])
         WHEN 'remittance_interruption' THEN json_build_object(
           'channel', ({_CHANNELS})[1 + n %% 4])
         ELSE '{{}}'::json END,
       status, ({_PRIORITIES})[1 + (n / 7) %% 6], opened,
       opened + interval '3 days',
       CASE WHEN status = 'closed' THEN opened + interval '3 days' END,
       CASE WHEN status <> 'new' THEN opened + (n %% 2880) * interval '1 minute' END,
       CASE WHEN status IN ('resolved', 'closed')
            THEN opened + (n %% 40) * interval '1 day' + interval '1 hour' END,
       1
FROM (SELECT n, (%(categories)s::text[])[1 + floor(power(random(), 2) * %(ncat)s)::int]
             AS category, ({_STATUSES})[1 + n %% 7] AS status,
             now() - random() * interval '365 days' AS opened
      FROM generate_series(1, %(count)s) AS n) AS generated"""

_CALLS = """
INSERT INTO calls (office_id, operator_id, started_at, ended_at, direction, caller_phone,
                   language, created_at)
SELECT %(office)s, %(operator)s, started, started + interval '5 minutes',
       CASE WHEN n %% 4 = 0 THEN 'outbound' ELSE 'inbound' END,
       '+7916' || lpad((n %% 10000000)::text, 7, '0'), 'ru', started
FROM (SELECT n, date_trunc('day', now() - random() * interval '365 days')
                + (6 + power(random(), 1.5) * 18) * interval '1 hour' AS started
      FROM generate_series(1, %(count)s) AS n) AS generated"""


def _count(connection: psycopg.Connection, table: str, office_id: int) -> int:
    row = connection.execute(f"SELECT count(*) FROM {table} WHERE office_id = %s",  # noqa: S608
                             (office_id,)).fetchone()
    return int(row[0]) if row else 0


def ensure_stats_population(url: str, office_id: int, operator_id: int, *, migrants: int,
                            cases: int, calls: int) -> dict[str, int]:
    """Add what is missing of the office's migrants, cases and calls; returns the counts."""
    categories = [str(c) for c in CaseCategory]
    with psycopg.connect(libpq_conninfo(url)) as connection:
        missing_migrants = migrants - _count(connection, "migrants", office_id)
        if missing_migrants > 0:
            _timed(connection, "migrants", _MIGRANTS,
                   {"office": office_id, "count": missing_migrants})
        first, have = connection.execute(
            "SELECT min(id), count(*) FROM migrants WHERE office_id = %s", (office_id,)).fetchone()
        missing_cases = cases - _count(connection, "cases", office_id)
        if missing_cases > 0:
            _timed(connection, "cases", _CASES, {
                "office": office_id, "count": missing_cases, "first_migrant": first,
                "migrants": have, "categories": categories, "ncat": len(categories)})
        missing_calls = calls - _count(connection, "calls", office_id)
        if missing_calls > 0:
            _timed(connection, "calls", _CALLS,
                   {"office": office_id, "operator": operator_id, "count": missing_calls})
        connection.execute("ANALYZE migrants")
        connection.execute("ANALYZE cases")
        connection.execute("ANALYZE calls")
        connection.commit()
        return {table: _count(connection, table, office_id)
                for table in ("migrants", "cases", "calls")}


def _timed(connection: psycopg.Connection, label: str, statement: str,
           parameters: dict[str, object]) -> None:
    started = time.perf_counter()
    connection.execute(statement, parameters)  # type: ignore[arg-type]
    connection.commit()
    print(f"inserted {parameters['count']:,} {label} in {time.perf_counter() - started:.1f} s",
          file=sys.stderr)
