"""The name words of migrants (the words of their search keys), which repeat-caller search
reads instead of the search keys: a vocabulary per office and who carries which word.

The functions take a Session or a Connection, so the migrants services, the bulk demo
inserts and the migration that introduced the tables all write the words the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, Insert, delete, exists, func, insert, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, scoped_session

from migrantdesk.migrants.models import NAME_WORD_LENGTH, Migrant, MigrantNameWord, NameWord

Executor = Session | scoped_session[Any] | Connection
BACKFILL_BATCH = 50_000


def name_words(search_key: str) -> list[str]:
    """The distinct words of a search key as they are stored (cut to NAME_WORD_LENGTH)."""
    return list(dict.fromkeys(word[:NAME_WORD_LENGTH] for word in search_key.split()))


def _connection(executor: Executor) -> Connection:
    return executor if isinstance(executor, Connection) else executor.connection()


def _new_vocabulary(connection: Connection) -> Insert:
    """INSERT into name_words that skips the words the office already has."""
    if connection.dialect.name == "postgresql":
        return postgresql.insert(NameWord).on_conflict_do_nothing()
    return sqlite.insert(NameWord).on_conflict_do_nothing()


def add_name_words(executor: Executor, migrants: Iterable[tuple[int, int, str]]) -> int:
    """Store the name words of migrants given as (id, office id, search key) that have none
    yet; new words join their office's vocabulary. Returns the number of words stored."""
    carried = [{"migrant_id": migrant_id, "office_id": office_id, "word": word}
               for migrant_id, office_id, key in migrants for word in name_words(key)]
    if not carried:
        return 0
    connection = _connection(executor)
    # Sorted, so that two transactions adding the same new words wait for each other
    # instead of deadlocking.
    vocabulary = sorted({(row["office_id"], row["word"]) for row in carried})
    connection.execute(_new_vocabulary(connection),
                       [{"office_id": office_id, "word": word} for office_id, word in vocabulary])
    connection.execute(insert(MigrantNameWord), carried)
    return len(carried)


def replace_name_words(executor: Executor, migrant_id: int, office_id: int,
                       search_key: str) -> None:
    """Give a migrant the words of its (new) search key instead of the ones it had."""
    connection = _connection(executor)
    connection.execute(delete(MigrantNameWord).where(MigrantNameWord.migrant_id == migrant_id))
    add_name_words(connection, [(migrant_id, office_id, search_key)])


# PostgreSQL splits the keys itself: a million migrants take seconds, not minutes.
_BACKFILL_VOCABULARY = text("""
    INSERT INTO name_words (office_id, word)
    SELECT DISTINCT m.office_id, left(w.word, :length)
    FROM migrants m CROSS JOIN LATERAL unnest(string_to_array(m.search_key, ' ')) AS w(word)
    WHERE m.id BETWEEN :first AND :last AND w.word <> ''
    ORDER BY 1, 2
    ON CONFLICT DO NOTHING""")
_BACKFILL_CARRIERS = text("""
    INSERT INTO migrant_name_words (migrant_id, office_id, word)
    SELECT DISTINCT m.id, m.office_id, left(w.word, :length)
    FROM migrants m CROSS JOIN LATERAL unnest(string_to_array(m.search_key, ' ')) AS w(word)
    WHERE m.id BETWEEN :first AND :last AND w.word <> ''
      AND NOT EXISTS (SELECT 1 FROM migrant_name_words c WHERE c.migrant_id = m.id)""")


def fill_name_words(executor: Executor, first: int, last: int) -> int:
    """Store the name words of the migrants with ids first..last that have none (rows written
    without the services, by the bulk inserts or before the words existed). Returns the
    number of words stored."""
    connection = _connection(executor)
    bounds = {"first": first, "last": last, "length": NAME_WORD_LENGTH}
    if connection.dialect.name == "postgresql":
        connection.execute(_BACKFILL_VOCABULARY, bounds)
        return connection.execute(_BACKFILL_CARRIERS, bounds).rowcount
    wordless = connection.execute(
        select(Migrant.id, Migrant.office_id, Migrant.search_key)
        .where(Migrant.id.between(first, last),
               ~exists().where(MigrantNameWord.migrant_id == Migrant.id))).all()
    return add_name_words(connection, [(row.id, row.office_id, row.search_key)
                                       for row in wordless])


def backfill_name_words(executor: Executor, batch: int = BACKFILL_BATCH) -> int:
    """Store the name words of every migrant that has none, `batch` ids per statement (the
    migration that introduced the words calls this). Returns the number of words stored."""
    connection = _connection(executor)
    low, high = connection.execute(select(func.min(Migrant.id), func.max(Migrant.id))).one()
    if low is None:
        return 0
    return sum(fill_name_words(connection, first, min(first + batch - 1, high))
               for first in range(low, high + 1, batch))
