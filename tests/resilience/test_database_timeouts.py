"""Database settings for crash safety and short waits: SQLite in WAL mode with a busy timeout on
every connection, PostgreSQL with lock and statement timeouts; a lock wait that runs out is a
503 with Retry-After, not a 500."""

from __future__ import annotations

import sqlite3
import threading
import time
from contextlib import closing

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from migrantdesk import create_app
from migrantdesk.config import Config, TestingConfig
from migrantdesk.core.db import db
from tests.cases.test_cases_api import open_case
from tests.conftest import login, scalar
from tests.resilience.conftest import is_postgres


@pytest.fixture
def impatient_app(app):
    """The same database, with a 300 ms lock timeout and production's statement timeout."""
    impatient = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=app.config[
        "SQLALCHEMY_DATABASE_URI"], DATABASE_LOCK_TIMEOUT_MS=300,
        DATABASE_STATEMENT_TIMEOUT_MS=Config.DATABASE_STATEMENT_TIMEOUT_MS,
        LEAFLET_STORE=app.config["LEAFLET_STORE"])
    yield impatient
    with impatient.app_context():
        db.engine.dispose()


@pytest.fixture
def other_session(app):
    """A raw connection of another process-like client, outside the app's pool."""
    url = make_url(str(app.config["SQLALCHEMY_DATABASE_URI"]))
    if is_postgres(app):
        connection = psycopg.connect(url.set(drivername="postgresql").render_as_string(
            hide_password=False))
    else:
        connection = sqlite3.connect(url.database, isolation_level=None)
    with closing(connection):
        yield connection


def test_every_sqlite_connection_uses_wal_a_busy_timeout_and_foreign_keys(app):
    if is_postgres(app):
        pytest.skip("SQLite only")
    with app.app_context():
        connections = [db.engine.connect() for _ in range(3)]  # three pool connections at once
        try:
            for connection in connections:
                pragma = connection.exec_driver_sql
                assert pragma("PRAGMA journal_mode").scalar() == "wal"
                assert pragma("PRAGMA busy_timeout").scalar() == 5000
                assert pragma("PRAGMA foreign_keys").scalar() == 1
                assert pragma("PRAGMA synchronous").scalar() >= 1  # never OFF
        finally:
            for connection in connections:
                connection.close()


def test_postgresql_connections_have_short_lock_and_statement_timeouts(app, impatient_app):
    if not is_postgres(app):
        pytest.skip("PostgreSQL only")
    assert scalar(app, "SHOW lock_timeout") == "3s"
    assert (Config.DATABASE_LOCK_TIMEOUT_MS, Config.DATABASE_STATEMENT_TIMEOUT_MS) == (
        3000, 30000)
    assert scalar(impatient_app, "SHOW lock_timeout") == "300ms"
    assert scalar(impatient_app, "SHOW statement_timeout") == "30s"
    # The similarity threshold set for every connection is kept alongside.
    assert float(scalar(app, "SHOW pg_trgm.similarity_threshold")) == 0.5


def test_an_edit_stuck_behind_a_lock_answers_503_with_retry_after(
        app, impatient_app, world, operator_a, other_session):
    case = open_case(operator_a)
    client = login(impatient_app.test_client(), world.user("a"))
    if is_postgres(app):
        other_session.execute("SELECT id FROM cases WHERE id = %s FOR UPDATE", (case["id"],))
    else:  # SQLite locks the whole file; its busy timeout is 5 s
        other_session.execute("BEGIN IMMEDIATE")
    response = client.patch(f"/api/v1/cases/{case['id']}",
                            json={"version": case["version"], "summary": "Locked out"})
    other_session.rollback() if is_postgres(app) else other_session.execute("ROLLBACK")
    assert response.status_code == 503, response.get_json()
    assert response.headers["Retry-After"] == "1"
    assert response.get_json()["error"]["code"] == "database_busy"
    assert scalar(app, "SELECT summary FROM cases") == "Received a summons at work"
    retried = client.patch(f"/api/v1/cases/{case['id']}",
                           json={"version": case["version"], "summary": "Locked out"})
    assert retried.status_code == 200


def test_a_key_claimed_by_a_running_request_answers_409_in_progress(
        app, impatient_app, world, other_session):
    if not is_postgres(app):
        pytest.skip("on SQLite the whole file is locked: a 503 as above")
    client = login(impatient_app.test_client(), world.user("a"))
    other_session.execute(
        "INSERT INTO idempotency_keys (user_id, key, fingerprint, status, body, created_at) "
        "VALUES (%s, 'busy-key', 'x', 201, '{}', now())", (world.user("a").id,))
    response = client.post("/api/v1/calls", json={"summary": "Retry"},
                           headers={"Idempotency-Key": "busy-key"})
    assert response.status_code == 409, response.get_json()
    assert response.headers["Retry-After"] == "1"
    assert list(response.get_json()["error"]["fields"]) == ["Idempotency-Key"]
    other_session.rollback()  # the first request failed: the key is free
    response = client.post("/api/v1/calls", json={"summary": "Retry"},
                           headers={"Idempotency-Key": "busy-key"})
    assert response.status_code == 201
    assert scalar(app, "SELECT count(*) FROM calls") == 1


def test_a_request_waiting_on_a_key_replays_the_answer_once_the_first_commits(
        app, world, operator_a, other_session):
    """The loser of a race on one key waits for the winner's commit, then answers its result."""
    body = {"summary": "Raced"}
    first = operator_a.post("/api/v1/calls", json=body, headers={"Idempotency-Key": "first"})
    with app.app_context():
        fingerprint, stored = db.session.execute(text(
            "SELECT fingerprint, body FROM idempotency_keys WHERE key = 'first'")).one()
        db.session.remove()
    marker = "%s" if is_postgres(app) else "?"
    if not is_postgres(app):
        other_session.execute("BEGIN IMMEDIATE")
    insert = ("INSERT INTO idempotency_keys (user_id, key, fingerprint, status, body, "
              "created_at) VALUES (?, 'raced', ?, 201, ?, CURRENT_TIMESTAMP)")
    other_session.execute(insert.replace("?", marker), (world.user("a").id, fingerprint, stored))
    answers = []
    waiting = threading.Thread(target=lambda: answers.append(operator_a.post(
        "/api/v1/calls", json=body, headers={"Idempotency-Key": "raced"})))
    waiting.start()
    time.sleep(0.5)
    assert not answers  # still waiting on the winner's transaction
    other_session.commit() if is_postgres(app) else other_session.execute("COMMIT")
    waiting.join(timeout=10)
    assert answers[0].status_code == 201
    assert answers[0].headers["Idempotent-Replayed"] == "true"
    assert answers[0].get_json() == first.get_json()
    assert scalar(app, "SELECT count(*) FROM calls") == 1
