"""Back up and restore the whole deployment: the database and the leaflet store, described by a
manifest (app version, Alembic revision, row counts, SHA-256 of every file)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from importlib.metadata import version
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, select, table

from migrantdesk.backup import databases
from migrantdesk.backup.errors import BackupError
from migrantdesk.core.db import Base, db, utcnow
from migrantdesk.leaflets.store import store_root

MANIFEST = "manifest.json"
FORMAT = 1
DATABASE_FILE = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
STORE_DIR = "leaflets"


def _backend() -> str:
    name = db.engine.dialect.name
    if name not in DATABASE_FILE:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {name}.")
    return name


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _files(root: Path) -> dict[str, dict[str, Any]]:
    return {path.relative_to(root).as_posix(): {"sha256": _sha256(path),
                                                "bytes": path.stat().st_size}
            for path in sorted(root.rglob("*")) if path.is_file() and path.name != MANIFEST}


def _write_atomically(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)


def create_backup(target: Path) -> dict[str, Any]:
    """Copy the database, then the leaflet store, into `target` (new or empty) and write the
    manifest last: a backup without a manifest is incomplete and cannot be restored. Returns
    the manifest."""
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty; back up into a new folder.")
    target.mkdir(parents=True, exist_ok=True)
    backend = _backend()
    database_file = target / DATABASE_FILE[backend]
    if backend == "sqlite":
        databases.sqlite_copy(databases.sqlite_path(db.engine.url), database_file)
        counts, revision = databases.sqlite_counts(database_file)
    else:
        counts, revision = databases.pg_dump(db.engine, database_file)
    # Leaflets are stored (under their hash) before the row naming them commits and are never
    # deleted, so copying the store after the database snapshot includes every file it names.
    store = store_root()
    if store.is_dir():
        shutil.copytree(store, target / STORE_DIR, ignore=shutil.ignore_patterns("*.tmp"))
    manifest = {
        "format": FORMAT, "app_version": version("migrantdesk"),
        "created_at": utcnow().isoformat(), "database": backend, "alembic_revision": revision,
        "row_counts": counts, "files": _files(target),
    }
    _write_atomically(target / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True))
    return manifest


def read_manifest(source: Path) -> dict[str, Any]:
    """The manifest of a complete backup whose files all match their SHA-256."""
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{source} has no {MANIFEST}: not a complete backup.") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
    found = _files(source)
    damaged = sorted(name for name, described in manifest["files"].items()
                     if found.get(name, {}).get("sha256") != described["sha256"])
    extra = sorted(set(found) - set(manifest["files"]))
    if damaged or extra:
        raise BackupError(f"The backup in {source} is damaged: missing or changed "
                          f"{damaged}, unexpected {extra}.")
    return manifest


def database_is_empty() -> bool:
    """True when no table of the application holds a row (a new or freshly migrated database)."""
    existing = set(inspect(db.engine).get_table_names())
    with db.engine.connect() as connection:
        return not any(connection.execute(select(1).select_from(table(name)).limit(1)).first()
                       for name in Base.metadata.tables if name in existing)


def _store_is_empty() -> bool:
    store = store_root()
    return not store.is_dir() or not any(path.is_file() for path in store.rglob("*"))


def _replace_store(source: Path) -> None:
    """Swap the leaflet store for the backup's copy; readers see the old or the new one."""
    store = store_root()
    store.parent.mkdir(parents=True, exist_ok=True)
    incoming = Path(tempfile.mkdtemp(dir=store.parent, prefix=".restoring-"))
    if source.is_dir():
        shutil.copytree(source, incoming, dirs_exist_ok=True)
    outgoing = store.parent / f".replaced-{incoming.name}"
    if store.exists():
        store.rename(outgoing)
    incoming.rename(store)
    shutil.rmtree(outgoing, ignore_errors=True)


def restore_backup(source: Path, *, force: bool = False) -> dict[str, Any]:
    """Replace the database and the leaflet store with a backup, then check every table's row
    count against the manifest. Refuses a non-empty target unless `force`. Returns the
    manifest."""
    manifest = read_manifest(source)
    backend = _backend()
    if manifest["database"] != backend:
        raise BackupError(f"This is a {manifest['database']} backup; the configured database "
                          f"is {backend}.")
    if not force and not (database_is_empty() and _store_is_empty()):
        raise BackupError("The database or the leaflet store is not empty; restoring would "
                          "replace it. Use --force to do so.")
    db.session.remove()
    db.engine.dispose()  # no pooled connection may keep the old tables open
    database_file = source / DATABASE_FILE[backend]
    if backend == "sqlite":
        target = databases.sqlite_path(db.engine.url)
        target.parent.mkdir(parents=True, exist_ok=True)
        databases.sqlite_copy(database_file, target)
        counts, _revision = databases.sqlite_counts(target)
    else:
        databases.pg_restore(db.engine, database_file)
        with db.engine.connect() as connection:
            counts, _revision = databases.pg_counts(connection)
    _replace_store(source / STORE_DIR)
    if counts != manifest["row_counts"]:
        differing = sorted(name for name in set(counts) | set(manifest["row_counts"])
                           if counts.get(name) != manifest["row_counts"].get(name))
        raise BackupError(f"Restored, but row counts differ from the manifest in {differing}.")
    return manifest
