"""A small office history for retention and erasure: one migrant whose only case is closed,
one whose closed case is under legal hold, one with an open case, and an unidentified call."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import select, text

from migrantdesk.core.db import Base, db
from tests.migrants.test_migrants_api import ASANOV

# Everything personal about Asanov, as stored or as searched.
ASANOV_TRACES = ("Асанов", "Бакыт", "Asanov", "Bakyt", "asanov", "bakit", "9123456789",
                 "996555123456", "AC 1234567", "AC1234567", "Stroymontazh", "Petrov", "1990-04-12")
KARIMOVA = {**ASANOV, "surname_cyrl": "Каримова", "surname_latn": "Karimova",
            "given_names_cyrl": "Гульнара", "given_names_latn": "Gulnara",
            "phones": [{"number": "+996 700 111 222"}], "documents": [],
            "birth_date": "1985-02-03"}
TURSUNOV = {**ASANOV, "surname_cyrl": "Турсунов", "surname_latn": "Tursunov",
            "given_names_cyrl": "Эркин", "given_names_latn": "Erkin",
            "phones": [{"number": "+996 777 333 444"}], "documents": [],
            "birth_date": "1979-07-07"}
WAGES = {"employer": "OOO Stroymontazh", "amount_owed": "50000.00", "currency": "RUB",
         "has_contract": False, "period_from": "2026-06-01"}


@dataclass
class History:
    asanov: int
    asanov_case: int
    asanov_call: int
    karimova: int
    karimova_case: int
    tursunov: int
    tursunov_case: int
    unidentified_call: int


def years_later(years: int) -> str:
    today = date.today()
    return (today.replace(year=today.year + years) if (today.month, today.day) != (2, 29)
            else today + timedelta(days=365 * years)).isoformat()


def _case(client, migrant_id: int, category: str, summary: str, facts: dict, *,
          close: bool) -> int:
    response = client.post("/api/v1/cases", json={
        "migrant_id": migrant_id, "category": category, "summary": summary, "facts": facts})
    assert response.status_code == 201, response.get_json()
    case = response.get_json()
    if close:
        closed = client.post(f"/api/v1/cases/{case['id']}/transitions",
                             json={"to": "closed", "version": case["version"]})
        assert closed.status_code == 200, closed.get_json()
    return case["id"]


def _register(client, person: dict) -> int:
    response = client.post("/api/v1/migrants", json=person)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


@pytest.fixture
def history(operator_a) -> History:
    asanov = _register(operator_a, ASANOV)
    call = operator_a.post("/api/v1/calls", json={
        "caller_phone": "+7 912 345 67 89", "summary": "Asanov Bakyt: wages unpaid by Petrov",
        "migrant_id": asanov}).get_json()["id"]
    response = operator_a.post("/api/v1/cases", json={
        "migrant_id": asanov, "category": "wage_labour_dispute",
        "summary": "Bakyt Asanov is owed wages by brigadier Petrov", "facts": WAGES})
    case = response.get_json()
    operator_a.post(f"/api/v1/calls/{call}/link", json={"case_id": case["id"]})
    operator_a.post(f"/api/v1/cases/{case['id']}/notes", json={"body": "Petrov promised pay"})
    operator_a.post(f"/api/v1/cases/{case['id']}/tasks", json={
        "title": "Ask Asanov for the contract", "due_on": "2026-12-01"})
    version = operator_a.get(f"/api/v1/cases/{case['id']}").get_json()["version"]
    closed = operator_a.post(f"/api/v1/cases/{case['id']}/transitions",
                             json={"to": "closed", "version": version, "reason": "Paid"})
    assert closed.status_code == 200, closed.get_json()
    karimova = _register(operator_a, KARIMOVA)
    karimova_case = _case(operator_a, karimova, "detention_abroad", "Karimova detained",
                          {"facility": "SIZO-1"}, close=True)
    tursunov = _register(operator_a, TURSUNOV)
    tursunov_case = _case(operator_a, tursunov, "information_request", "Asked about patents",
                          {"topic": "patent"}, close=False)
    unidentified = operator_a.post("/api/v1/calls", json={
        "caller_phone": "+7 903 111 22 33", "summary": "Gave no name"}).get_json()["id"]
    return History(asanov, case["id"], call, karimova, karimova_case, tursunov, tursunov_case,
                   unidentified)


def retention(app: Flask, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=["retention", "run", *args])
    assert result.exit_code == 0, result.output
    return result.output


def database_text(app: Flask) -> str:
    """Every row of every table, as text: where a leak would show."""
    with app.app_context():
        return "\n".join(str(row) for table in Base.metadata.sorted_tables
                         for row in db.session.execute(select(table)))


def statistics(app: Flask) -> dict[str, object]:
    """What the statistics count: cases by office, category, status and closing day; calls,
    notes, tasks; migrants by citizenship and birth year."""
    queries = {
        "cases": "SELECT office_id, category, status, host_country, opened_at, closed_at "
                 "FROM cases",
        "calls": "SELECT office_id, direction, language, started_at, case_id, migrant_id "
                 "FROM calls",
        "notes": "SELECT case_id, author_id, created_at FROM case_notes",
        "tasks": "SELECT case_id, due_on, kind FROM case_tasks",
        "citizenships": "SELECT migrant_id, country, acquired_how FROM citizenships",
        "migrants": "SELECT office_id, home_region, host_city, preferred_language FROM migrants",
        "guidance": "SELECT case_id, migrant_id, template_id, text_sha256 FROM guidance_given",
    }
    with app.app_context():
        return {name: Counter(tuple(row) for row in db.session.execute(text(sql)))
                for name, sql in queries.items()}
