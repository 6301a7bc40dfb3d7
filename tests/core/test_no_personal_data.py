"""No personal data where it does not belong: canary values planted in a migrant's record, a
case, a note and a call must not reach any log line (every logger, at DEBUG), any audit row,
any error answer, or another consulate's answers and the public pages."""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import text

from migrantdesk.auth.permissions import Role
from migrantdesk.core.db import db
from migrantdesk.migrants import services as migrant_services
from tests.cases.test_cases_api import NOTICE

CANARIES = {
    "surname": "Qwzcanarysurname",
    "given": "Vxjcanarygiven",
    "phone": "+996 555 918 273",
    "phone_digits": "996555918273",
    "passport": "ZQ7719283",
    "note": "Canarynote about the employer Yzfirm",
    "summary": "Canarysummary of the hotline call",
    "email": "canary.staffer@example.org",
}
MIGRANT = {
    "surname_latn": CANARIES["surname"], "given_names_latn": CANARIES["given"],
    "birth_date": "1991-02-03", "host_city": "Moscow",
    "phones": [{"number": CANARIES["phone"], "label": "mobile"}],
    "citizenships": [{"country": "KG", "acquired_how": "birth"}],
    "consents": [{"purpose": "case_handling", "method": "verbal_on_call",
                  "given_on": "2026-11-01"}],
    "documents": [{"kind": "foreign_passport", "number": CANARIES["passport"],
                   "issuing_country": "KG", "issued_on": "2019-01-01",
                   "expires_on": "2029-01-01"}],
}


def leaked(text_blob: str) -> list[str]:
    lowered = text_blob.lower()
    return [name for name, value in CANARIES.items() if value.lower() in lowered]


@pytest.fixture
def everything_logged(caplog):
    caplog.set_level(logging.DEBUG)  # the root logger: every library's records propagate here
    for name in ("sqlalchemy.engine", "werkzeug", "flask_limiter", "migrantdesk"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    yield caplog
    for name in ("sqlalchemy.engine", "werkzeug", "flask_limiter", "migrantdesk"):
        logging.getLogger(name).setLevel(logging.NOTSET)


def test_canaries_stay_in_their_records(app, client_for, world, everything_logged, monkeypatch):
    operator = client_for("a", Role.OPERATOR)
    errors: list[str] = []  # every 4xx/5xx answer body

    def answer(response, *expected):
        assert response.status_code in expected, (response.status_code, response.get_data())
        if response.status_code >= 400:
            errors.append(response.get_data(as_text=True))
        return response.get_json()

    migrant = answer(operator.post("/api/v1/migrants", json=MIGRANT), 201)
    case = answer(operator.post("/api/v1/cases", json={
        "migrant_id": migrant["id"], "category": "mobilisation_notice",
        "summary": CANARIES["note"], "facts": NOTICE}), 201)
    answer(operator.post(f"/api/v1/cases/{case['id']}/notes", json={"body": CANARIES["note"]}),
           201)
    call = answer(operator.post("/api/v1/calls", json={
        "migrant_id": migrant["id"], "summary": CANARIES["summary"]}), 201)
    # Reads, searches and edits, as the hotline does them.
    answer(operator.get(f"/api/v1/migrants/{migrant['id']}"), 200)
    for query in (CANARIES["surname"], CANARIES["phone"], CANARIES["passport"]):
        found = answer(operator.get("/api/v1/calls/caller-search", query_string={"q": query}),
                       200)
        assert CANARIES["surname"] in json.dumps(found)  # found, so the search really ran
    answer(operator.patch(f"/api/v1/calls/{call['id']}", json={
        "summary": CANARIES["summary"] + " again"}), 200)
    # Errors of every kind, with the canaries in the input.
    answer(operator.post("/api/v1/migrants", json={
        **MIGRANT, "birth_date": "2999-01-01",
        "phones": [{"number": CANARIES["surname"]}]}), 422)
    answer(operator.post("/api/v1/migrants", json={**MIGRANT, "surname_latn": 7}), 422)
    answer(operator.post("/api/v1/migrants", data="{" + CANARIES["surname"],
                         content_type="application/json"), 400)
    answer(operator.patch(f"/api/v1/migrants/{migrant['id']}", json={
        "version": 99, "surname_latn": CANARIES["surname"] + "x"}), 409)
    answer(operator.post(f"/api/v1/cases/{case['id']}/notes", json={
        "body": CANARIES["note"], "unknown": CANARIES["passport"]}), 422)
    answer(operator.post("/api/v1/auth/login", json={
        "email": CANARIES["email"], "password": CANARIES["passport"]}), 401)
    # Another consulate sees nothing of it, not even through search.
    other = client_for("b", Role.OPERATOR)
    answer(other.get(f"/api/v1/migrants/{migrant['id']}"), 404)
    answer(other.get(f"/api/v1/cases/{case['id']}"), 404)
    seen_by_other = [
        other.get("/api/v1/migrants").get_data(as_text=True),
        other.get("/api/v1/cases").get_data(as_text=True),
        other.get("/api/v1/calls").get_data(as_text=True),
        other.get("/api/v1/calls/caller-search",
                  query_string={"q": CANARIES["surname"]}).get_data(as_text=True),
        app.test_client().get("/leaflets").get_data(as_text=True),
        app.test_client().get("/api/v1/leaflets").get_data(as_text=True),
    ]
    # A crash whose exception message carries personal data (as a driver's error may).
    def crash(*args, **kwargs):
        raise RuntimeError(f"cannot load {CANARIES['surname']} {CANARIES['passport']}")
    monkeypatch.setattr(migrant_services, "get_migrant", crash)
    answer(operator.get(f"/api/v1/migrants/{migrant['id']}"), 500)

    logged = "\n".join(record.getMessage() + (record.exc_text or "")
                       for record in everything_logged.records)
    assert "unhandled RuntimeError" in logged  # the crash was logged, without its message
    assert "SELECT" in logged  # SQL was logged at this level: only its parameters must not be
    with app.app_context():
        audit_rows = db.session.execute(text("SELECT * FROM audit_events")).all()
    assert len(audit_rows) >= 10
    assert leaked(logged) == []
    assert leaked(repr(audit_rows)) == []
    assert leaked("\n".join(errors)) == []
    assert leaked("\n".join(seen_by_other)) == []
