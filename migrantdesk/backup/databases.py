"""Consistent copies of the database: SQLite's online backup API, pg_dump/pg_restore for
PostgreSQL. Each copy comes with the row count of every table, read from the same snapshot."""

from __future__ import annotations

import os
import sqlite3
import subprocess  # nosec B404 -- pg_dump/pg_restore, fixed argument lists
from contextlib import closing
from pathlib import Path

from sqlalchemy import Connection, Engine
from sqlalchemy.engine import URL

from migrantdesk.backup.errors import BackupError

RowCounts = dict[str, int]


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# SQLite ----------------------------------------------------------------------------------


def sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up.")
    return Path(url.database)


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)


def sqlite_counts(path: Path) -> tuple[RowCounts, str | None]:
    """Row counts per table and the Alembic revision of a SQLite file."""
    with closing(_read_only(path)) as connection:
        tables = [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name")]
        # B608: table names come from the database's own catalogue, quoted as identifiers.
        counts = {table: connection.execute(
            f"SELECT count(*) FROM {_quoted(table)}").fetchone()[0]  # noqa: S608  # nosec B608
            for table in tables}
        revision = None
        if "alembic_version" in counts:
            revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        return counts, revision[0] if revision else None


def sqlite_copy(source: Path, target: Path) -> None:
    """Page-by-page copy through SQLite's backup API: consistent while others keep writing.
    The copy is a single file (rollback journal, not WAL): nothing else to carry along."""
    with closing(_read_only(source)) as src, \
            closing(sqlite3.connect(target, timeout=30)) as dst:
        src.backup(dst, pages=4096)
        dst.execute("PRAGMA journal_mode=DELETE")


# PostgreSQL ------------------------------------------------------------------------------


def _pg_environment(url: URL) -> dict[str, str]:
    """libpq settings for pg_dump/pg_restore: the password travels in the environment, never on
    a command line (visible in `ps`) nor in a log."""
    settings = {"PGHOST": url.host, "PGPORT": str(url.port) if url.port else None,
                "PGUSER": url.username, "PGPASSWORD": url.password, "PGDATABASE": url.database,
                "PGSSLMODE": url.query.get("sslmode")}  # type: ignore[dict-item]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    environment.update({k: str(v) for k, v in settings.items() if v})
    return environment


def _run(command: list[str], url: URL) -> None:
    # B603: a fixed pg_dump/pg_restore argument list, no shell; the password goes by environment.
    result = subprocess.run(command, env=_pg_environment(url), capture_output=True,  # noqa: S603  # nosec B603
                            text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed (exit {result.returncode}): "
                          f"{result.stderr.strip()[-2000:]}")


def pg_counts(connection: Connection) -> tuple[RowCounts, str | None]:
    tables = [row[0] for row in connection.exec_driver_sql(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1")]
    # B608: table names come from the database's own catalogue, quoted as identifiers.
    counts = {table: int(connection.exec_driver_sql(
        f"SELECT count(*) FROM {_quoted(table)}").scalar_one())  # noqa: S608  # nosec B608
        for table in tables}
    revision = None
    if "alembic_version" in counts:
        revision = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    return counts, revision


def pg_dump(engine: Engine, target: Path) -> tuple[RowCounts, str | None]:
    """pg_dump -Fc of the snapshot the row counts are read from (exported to pg_dump)."""
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            snapshot = connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
            counts, revision = pg_counts(connection)
            # The exporting transaction stays open until pg_dump has imported the snapshot.
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                  f"--snapshot={snapshot}", f"--file={target}"], engine.url)
    return counts, revision


def pg_restore(engine: Engine, source: Path) -> None:
    """Replace the database's objects with the dump's, in one transaction."""
    _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
          "--single-transaction", "--exit-on-error", f"--dbname={engine.url.database}",
          str(source)], engine.url)
