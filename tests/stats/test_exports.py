"""Case-row exports (pseudonymised, audited, consuls and admins only), spreadsheet formula
injection, background export jobs in-process and on RQ, and the response timestamps."""

from __future__ import annotations

import csv
import io
import json
import re
import time
import zipfile

import pytest
from sqlalchemy import select, text

from migrantdesk.auth.permissions import Role
from migrantdesk.cases.models import Case
from migrantdesk.core.db import db
from migrantdesk.stats.exports import CASE_COLUMNS, neutralise
from tests.cases.test_cases_api import open_case
from tests.conftest import login, make_office, make_user
from tests.stats.helpers import CRAFTED_A, PERSONAL, seed_cases

CASES_IN_A = sum(n for _c, _s, n in CRAFTED_A)


def _rows(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode())))


def _sheet(body: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(body)) as workbook:
        return workbook.read("xl/worksheets/sheet1.xml").decode()


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_text_a_spreadsheet_would_run_is_made_inert(value):
    assert neutralise(value) == "'" + value


def test_plain_values_are_left_alone():
    assert [neutralise(v) for v in ("RU", "2026-01-01", 12, None, "a=b")] == \
        ["RU", "2026-01-01", 12, None, "a=b"]


def test_case_rows_leave_pseudonymised_in_every_format(app, client_for, world):
    seed_cases(app, world.office_a.id, CRAFTED_A)
    consul = client_for("a", Role.CONSUL)
    response = consul.get("/api/v1/stats/cases/export?format=csv")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert not [word for word in PERSONAL if word in body]
    rows = _rows(response.get_data())
    assert tuple(rows[0]) == CASE_COLUMNS and len(rows) == CASES_IN_A
    assert all(re.fullmatch(r"[0-9a-f]{16}", r["case_ref"]) for r in rows)
    assert len({r["case_ref"] for r in rows}) == CASES_IN_A
    assert len({r["migrant_ref"] for r in rows}) == 1  # one migrant, always the same ref
    with app.app_context():
        ids = {str(i) for i in db.session.scalars(select(Case.id))}
    assert not ids & {r["case_ref"] for r in rows}
    responded = [r for r in rows if r["hours_to_first_response"]]
    assert {r["hours_to_first_response"] for r in responded} == {"5.0"}
    again = _rows(consul.get("/api/v1/stats/cases/export?format=csv").get_data())
    assert [r["case_ref"] for r in again] == [r["case_ref"] for r in rows]

    as_json = json.loads(consul.get("/api/v1/stats/cases/export?format=json").get_data())
    assert [r["case_ref"] for r in as_json] == [r["case_ref"] for r in rows]
    assert not [w for w in PERSONAL if w in json.dumps(as_json, ensure_ascii=False)]
    sheet = _sheet(consul.get("/api/v1/stats/cases/export?format=xlsx").get_data())
    assert rows[0]["case_ref"] in sheet
    assert not [w for w in PERSONAL if w in sheet]


def test_case_exports_are_audited_and_for_consuls_and_admins_only(app, client_for, world):
    seed_cases(app, world.office_a.id, CRAFTED_A[:2])
    assert client_for("a", Role.MANAGER).get(
        "/api/v1/stats/cases/export").status_code == 403
    assert client_for("a", Role.ADMIN).get("/api/v1/stats/cases/export").status_code == 200
    client_for("a", Role.CONSUL).get("/api/v1/stats/cases/export?format=json").get_data()
    with app.app_context():
        rows = db.session.execute(text(
            "SELECT user_id, details FROM audit_events WHERE action = 'export' "
            "AND entity_type = 'stats_cases' ORDER BY id")).all()
    assert [r[0] for r in rows] == [world.user("a", Role.ADMIN).id,
                                    world.user("a", Role.CONSUL).id]
    details = rows[-1][1] if isinstance(rows[-1][1], dict) else json.loads(rows[-1][1])
    assert details["format"] == "json" and details["filters"]["office"] == [world.office_a.id]


@pytest.fixture
def formula_office(app):
    with app.app_context():
        office = make_office("=cmd|' /C calc'!A0", name="@SUM(1+1) consulate")
        consul = make_user(office, Role.CONSUL)
        db.session.commit()
        office_id = office.id
        db.session.refresh(consul)
        db.session.expunge(consul)
        db.session.remove()
    seed_cases(app, office_id, [("information_request", "new", 6)])
    return login(app.test_client(), consul)


def test_formulas_in_office_codes_and_names_are_neutralised(formula_office):
    rows = _rows(formula_office.get("/api/v1/stats/cases/export?format=csv").get_data())
    assert {r["office"] for r in rows} == {"'=cmd|' /C calc'!A0"}
    figures = list(csv.reader(io.StringIO(formula_office.get(
        "/api/v1/stats/export?format=csv&table=cases_by_office_month").get_data(as_text=True))))
    assert {line[1] for line in figures[1:]} >= {"'@SUM(1+1) consulate"}
    for path in ("/api/v1/stats/cases/export?format=xlsx", "/api/v1/stats/export?format=xlsx"):
        sheet = _sheet(formula_office.get(path).get_data())
        assert "<f>" not in sheet  # every text is a string cell, never a formula
        assert 't="inlineStr"' in sheet


def _wait(client, job_id, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = client.get(f"/api/v1/stats/exports/{job_id}").get_json()
        if job["state"] in ("done", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} still {job['state']}")


def test_a_background_case_export_runs_and_only_its_office_downloads_it(app, client_for, world):
    seed_cases(app, world.office_a.id, CRAFTED_A)
    consul = client_for("a", Role.CONSUL)
    started = consul.post("/api/v1/stats/exports?kind=cases&format=csv")
    assert started.status_code == 202, started.get_json()
    job = _wait(consul, started.get_json()["id"])
    assert job["state"] == "done" and job["progress"] == 100
    assert job["rows_done"] >= CASES_IN_A and job["rows_total"] == CASES_IN_A
    download = consul.get(job["download_url"])
    assert download.status_code == 200
    direct = consul.get("/api/v1/stats/cases/export?format=csv").get_data()
    assert download.get_data() == direct
    for other in (client_for("b", Role.CONSUL), client_for("a", Role.MANAGER)):
        assert other.get(f"/api/v1/stats/exports/{job['id']}").status_code == 404
        assert other.get(job["download_url"]).status_code == 404
    with app.app_context():
        audited = db.session.execute(text(
            "SELECT count(*) FROM audit_events WHERE action = 'export' "
            "AND entity_type = 'stats_cases' AND entity_id = :id"), {"id": job["id"]}).scalar()
    assert audited == 1


def test_managers_may_not_start_case_exports_but_may_export_figures(client_for, world):
    manager = client_for("a", Role.MANAGER)
    refused = manager.post("/api/v1/stats/exports?kind=cases")
    assert refused.status_code == 403 and "kind" in refused.get_json()["error"]["fields"]
    started = manager.post("/api/v1/stats/exports?kind=aggregates&format=xlsx")
    assert started.status_code == 202
    job = _wait(manager, started.get_json()["id"])
    assert job["state"] == "done"
    body = manager.get(job["download_url"]).get_data()
    assert body[:2] == b"PK"


def test_an_expired_export_is_gone(app, client_for, world):
    consul = client_for("a", Role.CONSUL)
    job = _wait(consul, consul.post("/api/v1/stats/exports?format=json").get_json()["id"])
    with app.app_context():
        db.session.execute(text("UPDATE stats_export_jobs SET expires_at = :past"),
                           {"past": "2000-01-01 00:00:00"})
        db.session.commit()
    assert consul.get(job["download_url"]).status_code == 410


def test_exports_run_on_an_rq_queue_when_redis_is_configured(app, client_for, world):
    redis = pytest.importorskip("redis")
    from rq import Queue, SimpleWorker

    url = "redis://127.0.0.1:6379/13"
    try:
        connection = redis.Redis.from_url(url)
        connection.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    connection.flushdb()
    seed_cases(app, world.office_a.id, CRAFTED_A)
    consul = client_for("a", Role.CONSUL)
    app.config["REDIS_URL"] = url
    try:
        started = consul.post("/api/v1/stats/exports?kind=cases&format=json").get_json()
    finally:
        app.config["REDIS_URL"] = None
    assert consul.get(f"/api/v1/stats/exports/{started['id']}").get_json()["state"] == "queued"
    queue = Queue("migrantdesk-stats", connection=connection)
    assert queue.count == 1
    with app.app_context():
        SimpleWorker([queue], connection=connection).work(burst=True)
        db.session.remove()
    job = consul.get(f"/api/v1/stats/exports/{started['id']}").get_json()
    assert job["state"] == "done"
    rows = json.loads(consul.get(job["download_url"]).get_data())
    assert len(rows) == CASES_IN_A
    connection.flushdb()


def test_case_services_keep_the_response_timestamps(app, operator_a):
    case = open_case(operator_a)
    path = f"/api/v1/cases/{case['id']}"

    def stamps():
        with app.app_context():
            found = db.session.get(Case, case["id"])
            return found.first_response_at, found.resolved_at

    assert stamps() == (None, None)
    moved = operator_a.post(f"{path}/transitions", json={"to": "in_progress", "version": 1})
    first, resolved = stamps()
    assert first is not None and resolved is None
    version = moved.get_json()["version"]
    moved = operator_a.post(f"{path}/transitions", json={"to": "resolved", "version": version})
    assert stamps()[0] == first and stamps()[1] is not None
    operator_a.post(f"{path}/transitions", json={"to": "in_progress",
                                                 "version": moved.get_json()["version"]})
    assert stamps() == (first, None)


def test_a_note_is_a_first_response(app, operator_a):
    case = open_case(operator_a)
    operator_a.post(f"/api/v1/cases/{case['id']}/notes", json={"body": "Called back"})
    with app.app_context():
        assert db.session.get(Case, case["id"]).first_response_at is not None


def test_case_rows_leave_only_for_migrants_who_consented_to_statistics(app, client_for, world):
    consented = seed_cases(app, world.office_a.id, [("wage_labour_dispute", "new", 3)])
    with app.app_context():
        refusing = db.session.scalar(text(
            "INSERT INTO migrants (office_id, search_key, version, created_at, updated_at) "
            "VALUES (:o, '', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP) RETURNING id"),
            {"o": world.office_a.id})
        db.session.execute(text(
            "UPDATE cases SET migrant_id = :m WHERE id = (SELECT min(id) FROM cases)"),
            {"m": refusing})
        db.session.commit()
    consul = client_for("a", Role.CONSUL)
    response = consul.get("/api/v1/stats/cases/export?format=csv")
    assert response.status_code == 200
    rows = _rows(response.data)
    assert len(rows) == 2  # the case of the migrant without statistics consent stays home
    assert len({row["migrant_ref"] for row in rows}) == 1
    assert consented
