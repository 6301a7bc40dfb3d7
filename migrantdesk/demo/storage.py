"""Bulk inserts for the demo commands: reserved ids and one executemany INSERT per table."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, insert, select

from migrantdesk.core.db import db
from migrantdesk.demo.people import Person
from migrantdesk.migrants.models import (
    Citizenship,
    IdentityDocument,
    Migrant,
    MigrantPhone,
)
from migrantdesk.migrants.name_words import fill_name_words


def reserve_ids(model: type[Any], count: int) -> list[int]:
    """Primary keys for `count` new rows. Children can then be inserted without RETURNING,
    which makes psycopg parse each page's huge VALUES statement (three times slower)."""
    table = model.__table__
    if db.session.get_bind().dialect.name == "postgresql":
        sequence = func.pg_get_serial_sequence(table.name, "id")
        return list(db.session.scalars(
            select(func.nextval(sequence)).select_from(func.generate_series(1, count))))
    first = (db.session.scalar(select(func.max(table.c.id))) or 0) + 1  # one writer: SQLite
    return list(range(first, first + count))


def insert_rows(model: type[Any], rows: list[dict[str, Any]], *, ids: bool = False) -> list[int]:
    """One executemany INSERT of plain dicts; with `ids`, the rows get reserved ids first and
    the ids are returned in the order of the rows."""
    # Core, not the ORM's bulk mode: that starts a new statement wherever the set of non-null
    # keys changes (a migrant with no Cyrillic name), thousands per batch.
    if not rows:
        return []
    new_ids = reserve_ids(model, len(rows)) if ids else []
    for row, new_id in zip(rows, new_ids, strict=False):
        row["id"] = new_id
    db.session.execute(insert(model.__table__), rows)
    return new_ids


def insert_people(people: list[Person]) -> list[int]:
    """Insert migrants with their name words, phones, documents and citizenships."""
    ids = insert_rows(Migrant, [person.row for person in people], ids=True)
    pairs = list(zip(ids, people, strict=True))
    if ids:  # from the search keys just written: on PostgreSQL, without a row per word
        fill_name_words(db.session, min(ids), max(ids))
    insert_rows(MigrantPhone, [{"migrant_id": i, "e164": e164, "label": "other" if n else "mobile"}
                               for i, p in pairs for n, e164 in enumerate(p.phones)])
    insert_rows(IdentityDocument, [{"migrant_id": i, **d} for i, p in pairs for d in p.documents])
    insert_rows(Citizenship, [{"migrant_id": i, **c} for i, p in pairs for c in p.citizenships])
    return ids

