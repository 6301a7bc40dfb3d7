"""Exports as CSV, XLSX and JSON, produced as a stream of chunks so memory stays flat.

Aggregates leave as published by services.publish (suppressed), in long form: one line per
table, row, column and value. Case rows leave pseudonymised: a keyed SHA-256 of the case and
of the migrant id stands for them (stable across exports, not reversible without the key),
with codes and dates only: no names, phones, document numbers, summaries or facts.

Spreadsheet formula injection: any text starting with =, +, -, @, a tab or a carriage return
gets a leading apostrophe in CSV; XLSX cells are always written as strings, never formulas.
On PostgreSQL the case CSV is COPY's own output of a SELECT that does the same, streamed
block by block from the server.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

import xlsxwriter
from flask import current_app
from sqlalchemy import Engine, func, select
from sqlalchemy.dialects import postgresql

from migrantdesk.cases.models import Case
from migrantdesk.core.db import db
from migrantdesk.migrants.consent import consented_migrant_ids
from migrantdesk.migrants.models import ConsentPurpose
from migrantdesk.offices.models import Office
from migrantdesk.stats.aggregates import Filters, case_conditions

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CASE_COLUMNS = ("case_ref", "migrant_ref", "office", "category", "status", "priority",
                "host_country", "opened_on", "closed_on", "hours_to_first_response",
                "hours_to_resolution")
CHUNK_ROWS = 2000

Progress = Callable[[int], None]


def neutralise(value: Any) -> Any:
    """A text a spreadsheet would run as a formula, made inert with a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def pseudonym_key() -> str:
    return hmac.new(current_app.config["SECRET_KEY"].encode(), b"stats-pseudonyms",
                    hashlib.sha256).hexdigest()


def pseudonym(key: str, kind: str, entity_id: int) -> str:
    """The same on PostgreSQL (sha256() in SQL) and here."""
    return hashlib.sha256(f"{key}:{kind}:{entity_id}".encode()).hexdigest()[:16]


# --- aggregates -------------------------------------------------------------------------------

def aggregate_lines(tables: list[dict[str, Any]]) -> Iterator[tuple[Any, ...]]:
    yield ("table", "row", "column", "value")
    for table in tables:
        columns = [c["label"] for c in table["columns"]]
        rows = list(table["rows"]) + ([table["totals"]] if table.get("totals") else [])
        for row in rows:
            for column, value in zip(columns, row["cells"], strict=True):
                yield (table["title"], row["label"], column, "" if value is None else value)
            if row.get("total") is not None and table.get("totals"):
                yield (table["title"], row["label"], "Total", row["total"])


def aggregates_stream(tables: list[dict[str, Any]], fmt: str) -> Iterator[bytes]:
    if fmt == "json":
        yield json.dumps({"tables": tables}, ensure_ascii=False).encode()
    elif fmt == "xlsx":
        yield from xlsx_stream(aggregate_lines(tables))
    else:
        yield from csv_stream(aggregate_lines(tables))


# --- writers ----------------------------------------------------------------------------------

def csv_stream(lines: Iterable[tuple[Any, ...]], progress: Progress | None = None
               ) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    pending = 0
    for line in lines:
        writer.writerow([neutralise(v) for v in line])
        pending += 1
        if pending == CHUNK_ROWS:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
            if progress:
                progress(pending)
            pending = 0
    yield buffer.getvalue().encode()
    if progress and pending:
        progress(pending)


def xlsx_stream(lines: Iterable[tuple[Any, ...]], progress: Progress | None = None
                ) -> Iterator[bytes]:
    """An .xlsx is a zip: written row by row to a temporary file (constant_memory), then sent
    in blocks and deleted."""
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        workbook = xlsxwriter.Workbook(path, {"constant_memory": True,
                                              "strings_to_formulas": False,
                                              "strings_to_numbers": False,
                                              "strings_to_urls": False})
        sheet = workbook.add_worksheet("data")
        for row_number, line in enumerate(lines):
            for column, value in enumerate(line):
                if isinstance(value, int | float) and not isinstance(value, bool):
                    sheet.write_number(row_number, column, value)
                elif value is not None and value != "":
                    sheet.write_string(row_number, column, str(value))
            if progress and row_number and row_number % CHUNK_ROWS == 0:
                progress(CHUNK_ROWS)
        workbook.close()
        with open(path, "rb") as produced:
            while block := produced.read(64 * 1024):
                yield block
    finally:
        os.unlink(path)


def json_stream(lines: Iterable[tuple[Any, ...]], progress: Progress | None = None
                ) -> Iterator[bytes]:
    """A JSON array of objects, written one row at a time."""
    iterator = iter(lines)
    header = next(iterator)
    yield b"["
    first, pending = True, []
    for line in iterator:
        pending.append(("" if first else ",") + json.dumps(dict(zip(header, line, strict=True)),
                                                            ensure_ascii=False))
        first = False
        if len(pending) == CHUNK_ROWS:
            yield "".join(pending).encode()
            pending = []
            if progress:
                progress(CHUNK_ROWS)
    yield ("".join(pending) + "]").encode()


# --- case rows --------------------------------------------------------------------------------

def _hours(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return round((end - start).total_seconds() / 3600, 1)


def _day(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).date().isoformat() if moment else None


def row_conditions(filters: Filters) -> list[Any]:
    """The cases of migrants who consented to statistics: only they leave as rows (figures are
    counts of everyone, suppressed)."""
    return [*case_conditions(filters),
            Case.migrant_id.in_(consented_migrant_ids(ConsentPurpose.STATISTICS))]


def case_lines(engine: Engine, filters: Filters, key: str) -> Iterator[tuple[Any, ...]]:
    """The header, then one pseudonymised line per case, read in batches from the server on a
    connection of its own (no app context needed while the response streams)."""
    statement = (select(Case.id, Case.migrant_id, Office.code, Case.category, Case.status,
                        Case.priority, Case.host_country, Case.opened_at, Case.closed_at,
                        Case.first_response_at, Case.resolved_at)
                 .join(Office, Office.id == Case.office_id)
                 .where(*row_conditions(filters)).order_by(Case.id))
    yield CASE_COLUMNS
    with engine.connect() as connection:
        rows = connection.execution_options(yield_per=CHUNK_ROWS).execute(statement)
        for (case_id, migrant_id, office, category, status, priority, host, opened, closed,
             responded, resolved) in rows:
            yield (pseudonym(key, "case", case_id), pseudonym(key, "migrant", migrant_id),
                   office, str(category), str(status), str(priority), host, _day(opened),
                   _day(closed), _hours(opened, responded), _hours(opened, resolved))


def count_cases(filters: Filters) -> int:
    return int(db.session.scalar(select(func.count()).select_from(Case).where(
        *row_conditions(filters))) or 0)


def _copy_select(filters: Filters, key: str) -> Any:
    """case_lines as one SELECT for COPY; values are bound client-side as literals (all of
    them validated: ids, dates, enum values, a hex key)."""
    from psycopg import sql

    def text_cell(expression: str) -> str:
        return (f"CASE WHEN left({expression}, 1) IN ('=', '+', '-', '@', chr(9), chr(13)) "
                f"THEN '''' || {expression} ELSE {expression} END")

    def ref(kind: str, column: str) -> str:
        return (f"left(encode(sha256(convert_to({{key}} || ':{kind}:' || {column}::text, "
                f"'UTF8')), 'hex'), 16)")

    def hours(column: str) -> str:
        return f"round((extract(epoch from {column} - c.opened_at) / 3600)::numeric, 1)"

    consented = consented_migrant_ids(ConsentPurpose.STATISTICS).compile(
        dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    conditions = ["c.office_id = ANY({offices})", "c.opened_at >= {start}",
                  "c.opened_at < {end}", f"c.migrant_id IN ({consented})"]
    values: dict[str, Any] = {"key": sql.Literal(key),
                              "offices": sql.Literal(list(filters.office_ids)),
                              "start": sql.Literal(filters.start), "end": sql.Literal(filters.end)}
    if filters.category:
        conditions.append("c.category = {category}")
        values["category"] = sql.Literal(filters.category)
    if filters.host:
        conditions.append("c.host_country = {host}")
        values["host"] = sql.Literal(filters.host)
    # Constant SQL; every value is a psycopg Literal (B608 below).
    query = (
        f"SELECT {ref('case', 'c.id')} AS case_ref, "  # noqa: S608  # nosec B608
        f"{ref('migrant', 'c.migrant_id')} "
        f"AS migrant_ref, {text_cell('o.code')} AS office, c.category, c.status, c.priority, "
        f"c.host_country, to_char(timezone('UTC', c.opened_at), 'YYYY-MM-DD') AS opened_on, "
        f"to_char(timezone('UTC', c.closed_at), 'YYYY-MM-DD') AS closed_on, "
        f"{hours('c.first_response_at')} AS hours_to_first_response, "
        f"{hours('c.resolved_at')} AS hours_to_resolution "
        f"FROM cases c JOIN offices o ON o.id = c.office_id WHERE {' AND '.join(conditions)} "
        f"ORDER BY c.id")
    return sql.SQL("COPY (" + query + ") TO STDOUT WITH (FORMAT csv, HEADER)").format(**values)


def case_csv_copy(engine: Engine, filters: Filters, key: str,
                  progress: Progress | None = None) -> Iterator[bytes]:
    """COPY's CSV, block by block, on a connection of its own held while the stream lasts."""
    statement = _copy_select(filters, key)
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        with cursor.copy(statement) as copy:  # type: ignore[attr-defined]
            for block in copy:
                data = bytes(block)
                if progress:
                    progress(data.count(b"\n"))
                yield data
        connection.commit()
    finally:
        connection.close()


def cases_stream(engine: Engine, filters: Filters, fmt: str, key: str,
                 progress: Progress | None = None) -> Iterator[bytes]:
    """The case rows in a format, as chunks; nothing is read before the first chunk is asked
    for, and the connection is given back when the stream ends or is closed."""
    if fmt == "csv" and engine.dialect.name == "postgresql":
        return case_csv_copy(engine, filters, key, progress)
    writer = {"csv": csv_stream, "xlsx": xlsx_stream, "json": json_stream}[fmt]
    return writer(case_lines(engine, filters, key), progress)
