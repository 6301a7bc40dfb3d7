"""`flask backup create|restore`: a restored backup holds exactly the rows and leaflet files that
were backed up, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from migrantdesk import create_app
from migrantdesk.config import TestingConfig
from migrantdesk.core.db import Base, db
from migrantdesk.leaflets import store
from tests.cases.test_cases_api import open_case
from tests.conftest import login

PDFS = [b"%PDF-1.7 leaflet one", b"%PDF-1.7 leaflet two \xd0\x9a"]


def contents(flask_app) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order, and the Alembic revision."""
    with flask_app.app_context(), db.engine.connect() as connection:
        tables = {table.name: [tuple(row) for row in connection.execute(
            select(table).order_by(*table.primary_key.columns))]
            for table in Base.metadata.sorted_tables}
        tables["alembic_version"] = [tuple(row) for row in connection.execute(
            text("SELECT version_num FROM alembic_version"))]
    return tables


def store_files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*")
            if p.is_file()}


def cli(flask_app, *args: str):
    return flask_app.test_cli_runner().invoke(args=["backup", *args])


@pytest.fixture
def fresh_url(database, tmp_path):
    """An empty database of the same kind as the test database, dropped afterwards."""
    if not database.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    url = make_url(database.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"{url.database}_restore"
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield url.set(database=name).render_as_string(hide_password=False)
    with server.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    server.dispose()


@pytest.fixture(autouse=True)
def own_store(app, tmp_path):
    """A leaflet store of this test's own (the app's is shared by the whole session)."""
    shared = app.config["LEAFLET_STORE"]
    app.config["LEAFLET_STORE"] = str(tmp_path / "leaflets")
    yield
    app.config["LEAFLET_STORE"] = shared


@pytest.fixture
def seeded(app, operator_a, operator_b):
    open_case(operator_a)
    open_case(operator_b, summary="Passport kept by the employer")
    for key in ("seed-1", "seed-2"):
        operator_a.post("/api/v1/calls", json={"summary": "Wages", "caller_phone": "+79123456789"},
                        headers={"Idempotency-Key": key})
    with app.app_context():
        hashes = [store.put(pdf) for pdf in PDFS]
    return hashes


def test_backup_then_restore_into_a_fresh_database_gives_back_every_row_and_leaflet(
        app, world, seeded, tmp_path, fresh_url, operator_a):
    before, leaflets = contents(app), store_files(Path(app.config["LEAFLET_STORE"]))
    assert before["cases"] and before["calls"] and before["idempotency_keys"] and len(leaflets) == 2

    result = cli(app, "create", str(tmp_path / "backup"))
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["alembic_revision"] == before["alembic_version"][0][0]
    assert manifest["row_counts"]["cases"] == 2 and manifest["row_counts"]["calls"] == 2
    assert {name for name in manifest["files"] if name.startswith("leaflets/")} == {
        f"leaflets/{name}" for name in leaflets}
    assert "backed up" in result.output and "leaflet files" in result.output

    # Damage the original after the backup.
    with app.app_context():
        db.session.execute(text("DELETE FROM calls"))
        db.session.execute(text("UPDATE cases SET summary = 'overwritten'"))
        db.session.commit()
    with app.app_context():
        store.path_of(seeded[0]).unlink()

    restored_store = tmp_path / "restored-leaflets"
    fresh_app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=fresh_url,
                           LEAFLET_STORE=str(restored_store))
    result = cli(fresh_app, "restore", str(tmp_path / "backup"))
    assert result.exit_code == 0, result.output
    assert contents(fresh_app) == before
    assert store_files(restored_store) == leaflets
    # The restored database carries on: sequences continue after the restored ids.
    client = login(fresh_app.test_client(), world.user("a"))
    response = client.post("/api/v1/calls", json={"summary": "After the restore"})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["id"] > max(row[0] for row in before["calls"])
    with fresh_app.app_context():
        db.engine.dispose()


def test_restore_refuses_a_database_with_data_unless_forced(app, world, seeded, tmp_path):
    assert cli(app, "create", str(tmp_path / "backup")).exit_code == 0
    before, leaflets = contents(app), store_files(Path(app.config["LEAFLET_STORE"]))
    with app.app_context():
        db.session.execute(text("DELETE FROM calls"))
        db.session.commit()
    stray = Path(app.config["LEAFLET_STORE"]) / "ff" / "stray.pdf"
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"not from the backup")

    refused = cli(app, "restore", str(tmp_path / "backup"))
    assert refused.exit_code != 0 and "--force" in refused.output
    assert contents(app)["calls"] == []

    forced = cli(app, "restore", "--force", str(tmp_path / "backup"))
    assert forced.exit_code == 0, forced.output
    assert contents(app) == before
    assert store_files(Path(app.config["LEAFLET_STORE"])) == leaflets


def test_a_damaged_or_incomplete_backup_is_refused_before_anything_changes(
        app, world, seeded, tmp_path):
    backup = tmp_path / "backup"
    assert cli(app, "create", str(backup)).exit_code == 0
    database_file = next(p for p in backup.iterdir() if p.name.startswith("database."))
    damaged = bytearray(database_file.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    database_file.write_bytes(bytes(damaged))
    before = contents(app)
    result = cli(app, "restore", "--force", str(backup))
    assert result.exit_code != 0 and "damaged" in result.output
    (backup / "manifest.json").unlink()
    result = cli(app, "restore", "--force", str(backup))
    assert result.exit_code != 0 and "not a complete backup" in result.output
    assert contents(app) == before


def test_backing_up_into_a_folder_with_files_is_refused(app, world, tmp_path):
    (tmp_path / "backup").mkdir()
    (tmp_path / "backup" / "old.txt").write_text("keep me")
    result = cli(app, "create", str(tmp_path / "backup"))
    assert result.exit_code != 0 and "not empty" in result.output
    assert os.listdir(tmp_path / "backup") == ["old.txt"]


def test_a_backup_taken_while_calls_are_logged_is_consistent(app, world, tmp_path, fresh_url):
    """Every call in the copy has its audit entry, and the manifest's counts are the copy's:
    the backup is one moment of the database although writes went on."""
    client = login(app.test_client(), world.user("a"))
    stop = threading.Event()
    logged: list[int] = []

    def keep_logging() -> None:
        while not stop.is_set():
            logged.append(client.post("/api/v1/calls", json={"summary": "busy line"}).status_code)

    writer = threading.Thread(target=keep_logging)
    writer.start()
    try:
        while len(logged) < 5:
            stop.wait(0.01)
        result = cli(app, "create", str(tmp_path / "backup"))
        during = len(logged)
    finally:
        stop.set()
        writer.join()
    assert result.exit_code == 0, result.output
    assert set(logged) == {201} and len(logged) > during >= 5
    fresh_app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=fresh_url,
                           LEAFLET_STORE=str(tmp_path / "restored-leaflets"))
    # restore checks every table's count against the manifest
    assert cli(fresh_app, "restore", str(tmp_path / "backup")).exit_code == 0
    with fresh_app.app_context():
        calls = db.session.execute(text("SELECT count(*) FROM calls")).scalar_one()
        audited = db.session.execute(text(
            "SELECT count(*) FROM audit_events WHERE entity_type = 'call' "
            "AND action = 'create'")).scalar_one()
        db.session.remove()
        db.engine.dispose()
    assert calls == audited >= 5
