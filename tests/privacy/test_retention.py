"""`flask retention run`: closed cases past retention and their migrants are anonymised;
a legal hold, an open case or a longer period keeps them; a second run changes nothing."""

from __future__ import annotations

from sqlalchemy import select

from migrantdesk.auth.permissions import Role
from migrantdesk.core.audit import AuditEvent
from migrantdesk.core.db import db
from tests.calls.test_calls_api import search
from tests.guidance.test_guidance_api import content  # noqa: F401  (fixture)
from tests.privacy.conftest import (
    ASANOV_TRACES,
    History,
    database_text,
    retention,
    statistics,
    years_later,
)


def audit_events(app, action="anonymise"):
    with app.app_context():
        return [(e.entity_type, e.entity_id, e.user_id, e.details) for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))]


def hold(client, case_id, reason="Prosecutor's request 12/345"):
    response = client.put(f"/api/v1/cases/{case_id}/legal-hold", json={"reason": reason})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_dry_run_lists_what_is_past_retention_and_changes_nothing(app, history: History):
    before = database_text(app)
    output = retention(app, "--dry-run", "--today", years_later(6))
    assert f"Would anonymise 1 closed cases past retention: {history.asanov_case}\n" in output
    assert "  wage_labour_dispute: 1" in output
    assert f"Would anonymise 1 migrants: {history.asanov}\n" in output
    assert "Would anonymise 1 calls nobody was identified on" in output
    assert "Asanov" not in output
    assert database_text(app) == before
    assert audit_events(app) == []


def test_run_anonymises_the_case_and_its_migrant_and_keeps_the_statistics(
        app, operator_a, history: History, content):  # noqa: F811
    operator_a.post(f"/api/v1/cases/{history.asanov_case}/transitions",
                    json={"to": "in_progress", "version": operator_a.get(
                        f"/api/v1/cases/{history.asanov_case}").get_json()["version"]})
    given = operator_a.post(f"/api/v1/cases/{history.asanov_case}/guidance/given", json={
        "template_id": content["template_id"], "language": "ru"})
    assert given.status_code == 201, given.get_json()
    case = operator_a.get(f"/api/v1/cases/{history.asanov_case}").get_json()
    operator_a.post(f"/api/v1/cases/{history.asanov_case}/transitions",
                    json={"to": "resolved", "version": case["version"]})
    operator_a.post(f"/api/v1/cases/{history.asanov_case}/transitions",
                    json={"to": "closed", "version": case["version"] + 1})
    before = statistics(app)
    assert any(trace in database_text(app) for trace in ASANOV_TRACES)

    output = retention(app, "--today", years_later(6))
    assert f"Anonymised 1 closed cases past retention: {history.asanov_case}\n" in output
    assert f"Anonymised 1 migrants: {history.asanov}\n" in output
    assert "Anonymised 1 calls nobody was identified on" in output

    assert statistics(app) == before
    leaked = [trace for trace in ASANOV_TRACES if trace in database_text(app)]
    assert leaked == []
    migrant = operator_a.get(f"/api/v1/migrants/{history.asanov}").get_json()
    assert migrant["anonymised_at"] is not None and migrant["birth_year"] == 1990
    assert (migrant["surname_cyrl"], migrant["surname_latn"], migrant["birth_date"],
            migrant["phones"], migrant["documents"]) == (None, None, None, [], [])
    assert {c["country"] for c in migrant["citizenships"]} == {"KG", "RU"}
    case = operator_a.get(f"/api/v1/cases/{history.asanov_case}").get_json()
    assert case["summary"] == "" and case["allowed_transitions"] == []
    assert case["facts"] == {"amount_owed": "50000.00", "currency": "RUB",
                             "has_contract": False, "period_from": "2026-06-01"}
    assert [n["body"] for n in case["notes"]] == ["", ""]  # the note and the closing reason
    given_now = operator_a.get(f"/api/v1/cases/{history.asanov_case}/guidance/given").get_json()
    assert given_now[0]["text"] == given.get_json()["text"]  # names no one; kept as given
    events = audit_events(app)
    assert sorted((kind, entity, user) for kind, entity, user, _ in events) == sorted([
        ("case", history.asanov_case, None), ("migrant", history.asanov, None),
        ("call", history.unidentified_call, None)])
    assert all(details["trigger"] == "retention" for *_, details in events)


def test_after_the_run_a_search_for_the_name_phone_or_document_finds_nothing(
        app, operator_a, history: History):
    assert search(operator_a, "Асанов Бакыт")["migrants"]
    retention(app, "--today", years_later(6))
    for query in ("Асанов Бакыт", "Asanov", "+7 912 345-67-89", "996555123456", "AC 1234567"):
        found = search(operator_a, query)
        assert found == {"migrants": [], "unlinked_calls": []}, query
    assert [m["id"] for m in search(operator_a, "Каримова")["migrants"]] == [history.karimova]


def test_second_run_changes_nothing(app, history: History):
    retention(app, "--today", years_later(6))
    events, text_after = audit_events(app), database_text(app)
    output = retention(app, "--today", years_later(6))
    assert "Anonymised 0 closed cases past retention: none" in output
    assert "Anonymised 0 migrants: none" in output
    assert audit_events(app) == events and database_text(app) == text_after


def test_legal_hold_and_longer_periods_keep_cases_and_their_migrants(
        app, client_for, history: History):
    consul = client_for("a", Role.CONSUL)
    state = hold(consul, history.karimova_case)
    assert state["legal_hold"] is True and state["legal_hold_reason"].startswith("Prosecutor")
    # Detention is kept ten years: at eleven only the hold keeps it.
    output = retention(app, "--today", years_later(11))
    assert f"past retention: {history.asanov_case}\n" in output
    assert f"Anonymised 1 migrants: {history.asanov}\n" in output
    assert "Karimova" in database_text(app) and "SIZO-1" in database_text(app)
    cleared = consul.delete(f"/api/v1/cases/{history.karimova_case}/legal-hold")
    assert cleared.status_code == 200 and cleared.get_json()["legal_hold"] is False
    assert "Would anonymise 0 closed cases past retention: none" in retention(
        app, "--dry-run", "--today", years_later(6))  # 6 years: detention is not due yet
    output = retention(app, "--today", years_later(11))
    assert f"Anonymised 1 closed cases past retention: {history.karimova_case}\n" in output
    assert f"Anonymised 1 migrants: {history.karimova}\n" in output
    assert "Karimova" not in database_text(app) and "SIZO-1" not in database_text(app)
    # Tursunov's case is open: neither it nor he is touched, however late.
    assert "Tursunov" in database_text(app) and "Asked about patents" in database_text(app)
    holds = audit_events(app, "update")
    assert ("case", history.karimova_case) in [(kind, entity) for kind, entity, *_ in holds]
    assert "12/345" not in str(holds)


def test_a_migrant_with_a_case_still_kept_keeps_their_identity(app, operator_a,
                                                                history: History):
    newer = operator_a.post("/api/v1/cases", json={
        "migrant_id": history.asanov, "category": "mobilisation_notice",
        "summary": "Summons", "facts": {}}).get_json()
    operator_a.post(f"/api/v1/cases/{newer['id']}/transitions",
                    json={"to": "closed", "version": newer["version"]})
    output = retention(app, "--today", years_later(6))
    assert f"past retention: {history.asanov_case}\n" in output
    assert "Anonymised 0 migrants" in output
    migrant = operator_a.get(f"/api/v1/migrants/{history.asanov}").get_json()
    assert migrant["surname_latn"] == "Asanov" and migrant["anonymised_at"] is None
    assert operator_a.get(f"/api/v1/cases/{history.asanov_case}").get_json()["summary"] == ""
    output = retention(app, "--today", years_later(11))
    assert f"past retention: {history.karimova_case}, {newer['id']}\n" in output
    assert f"Anonymised 2 migrants: {history.asanov}, {history.karimova}\n" in output


def test_an_anonymised_case_or_migrant_cannot_be_changed(app, operator_a, client_for,
                                                         history: History):
    retention(app, "--today", years_later(6))
    case_path = f"/api/v1/cases/{history.asanov_case}"
    version = operator_a.get(case_path).get_json()["version"]
    attempts = [
        ("POST", f"{case_path}/transitions", {"to": "in_progress", "version": version}),
        ("PATCH", case_path, {"version": version, "summary": "Back again"}),
        ("POST", f"{case_path}/notes", {"body": "x"}),
        ("PATCH", f"/api/v1/migrants/{history.asanov}", {"version": 2, "surname_latn": "A"}),
        ("POST", f"/api/v1/migrants/{history.asanov}/consents", {"purposes": ["statistics"]}),
        ("POST", "/api/v1/cases", {"migrant_id": history.asanov, "category": "biometric_data",
                                   "summary": "x"}),
        ("POST", "/api/v1/calls", {"migrant_id": history.asanov}),
        ("PATCH", f"/api/v1/calls/{history.asanov_call}", {"summary": "Asanov again"}),
    ]
    for method, path, body in attempts:
        response = operator_a.open(path, method=method, json=body)
        assert response.status_code == 409, (method, path, response.get_json())
        assert response.get_json()["error"]["code"] == "anonymised"
    consul = client_for("a", Role.CONSUL)
    assert consul.put(f"{case_path}/legal-hold", json={"reason": "Court"}).status_code == 409


def test_legal_hold_is_for_consuls_and_admins_of_the_office(client_for, history: History):
    path = f"/api/v1/cases/{history.karimova_case}/legal-hold"
    assert client_for("a", Role.OPERATOR).put(path, json={"reason": "Court"}).status_code == 403
    assert client_for("b", Role.CONSUL).put(path, json={"reason": "Court"}).status_code == 404
    short = client_for("a", Role.ADMIN).put(path, json={"reason": ""})
    assert short.status_code == 422 and "reason" in short.get_json()["error"]["fields"]
    assert hold(client_for("a", Role.ADMIN), history.karimova_case)["legal_hold"] is True


def test_wrong_retention_configuration_is_refused_naming_the_entry(app, history: History):
    periods = app.config["RETENTION_PERIODS"]
    try:
        app.config["RETENTION_PERIODS"] = {**periods, "alien_abduction": 3}
        result = app.test_cli_runner().invoke(args=["retention", "run"])
        assert result.exit_code != 0 and "alien_abduction" in result.output
        app.config["RETENTION_PERIODS"] = {"information_request": 1}
        result = app.test_cli_runner().invoke(args=["retention", "run"])
        assert result.exit_code != 0 and "'default'" in result.output
    finally:
        app.config["RETENTION_PERIODS"] = periods
    assert "Asanov" in database_text(app)


def test_only_free_text_facts_are_removed():
    from migrantdesk.cases.facts import free_text_facts

    assert free_text_facts("wage_labour_dispute") == {"employer"}
    assert free_text_facts("document_status") == {"number", "issuer"}
    assert free_text_facts("mobilisation_notice") == {"issuing_office", "what_was_signed"}
    # Choices, country and currency codes, dates, flags and counts are kept for statistics.
    assert free_text_facts("eu_deportation") == {"employer"}
    assert free_text_facts("asylum_abroad") == set()
