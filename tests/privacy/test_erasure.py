"""POST /api/v1/migrants/<id>/erasure: refused while a case is open or held, otherwise the
migrant and everything personal about them is anonymised now."""

from __future__ import annotations

from migrantdesk.auth.permissions import Role
from tests.calls.test_calls_api import search
from tests.privacy.conftest import ASANOV_TRACES, History, database_text, statistics
from tests.privacy.test_retention import audit_events, hold


def erase(client, migrant_id, reason="migrant_request"):
    return client.post(f"/api/v1/migrants/{migrant_id}/erasure", json={"reason": reason})


def test_erasure_is_refused_naming_open_and_held_cases(app, client_for, history: History):
    consul = client_for("a", Role.CONSUL)
    before = database_text(app)
    response = erase(consul, history.tursunov)
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "erasure_blocked"
    assert error["blocking_cases"] == [
        {"case_id": history.tursunov_case, "status": "new", "reasons": ["open"]}]
    assert error["fields"]["cases"] == [f"Дело {history.tursunov_case}: не закрыто"]
    hold(consul, history.karimova_case)
    held = erase(consul, history.karimova).get_json()["error"]
    assert held["blocking_cases"] == [
        {"case_id": history.karimova_case, "status": "closed", "reasons": ["legal_hold"]}]
    assert "правовой блокировкой" in held["fields"]["cases"][0]
    assert database_text(app).count("Karimova") == before.count("Karimova")


def test_erasure_anonymises_the_migrant_and_their_cases_now(app, client_for, operator_a, world,
                                                           history: History):
    # An earlier call from Asanov's number that nobody linked to him goes too.
    operator_a.post("/api/v1/calls", json={"caller_phone": "+996 555 123 456"})
    consul = client_for("a", Role.CONSUL)
    before = statistics(app)
    response = erase(consul, history.asanov, "consent_withdrawn")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["case_ids"] == [history.asanov_case]
    assert [trace for trace in ASANOV_TRACES if trace in database_text(app)] == []
    assert statistics(app) == before
    for query in ("Asanov Bakyt", "+996 555 123 456", "+79123456789", "AC1234567"):
        assert search(operator_a, query) == {"migrants": [], "unlinked_calls": []}, query
    migrant = operator_a.get(f"/api/v1/migrants/{history.asanov}").get_json()
    assert migrant["anonymised_at"] and migrant["given_names_cyrl"] is None
    assert "Karimova" in database_text(app)  # nobody else is touched
    deleted = audit_events(app, "delete")
    assert deleted == [("migrant", history.asanov, world.user("a", Role.CONSUL).id,
                        {"reason": "consent_withdrawn", "case_ids": [history.asanov_case]})]
    anonymised = audit_events(app)
    assert {(kind, entity, details["trigger"]) for kind, entity, _, details in anonymised} == {
        ("case", history.asanov_case, "erasure"), ("migrant", history.asanov, "erasure")}
    again = erase(consul, history.asanov)
    assert again.status_code == 200 and len(audit_events(app)) == len(anonymised)


def test_erasure_needs_a_consul_or_admin_of_the_office_and_a_reason(client_for,
                                                                    history: History):
    assert erase(client_for("a", Role.OPERATOR), history.asanov).status_code == 403
    assert erase(client_for("a", Role.LAWYER), history.asanov).status_code == 403
    assert erase(client_for("b", Role.CONSUL), history.asanov).status_code == 404
    no_reason = client_for("a", Role.ADMIN).post(
        f"/api/v1/migrants/{history.asanov}/erasure", json={})
    assert no_reason.status_code == 422 and "reason" in no_reason.get_json()["error"]["fields"]
    assert erase(client_for("a", Role.ADMIN), history.asanov, "no_longer_needed"
                 ).status_code == 200
