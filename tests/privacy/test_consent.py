"""Consent as data: actions refused for a purpose without valid consent, and consent given
on the phone in one request."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select, text

from migrantdesk.auth.permissions import Role
from migrantdesk.core.audit import AuditEvent
from migrantdesk.core.db import db
from migrantdesk.migrants.consent import consented_migrant_ids
from migrantdesk.migrants.models import ConsentPurpose
from tests.cases.test_cases_api import NOTICE, open_case
from tests.migrants.test_migrants_api import ASANOV, count

WITHOUT_CONSENT = {**ASANOV, "consents": []}
TODAY = date.today()


def new_case(client, migrant_id, **overrides):
    return client.post("/api/v1/cases", json={
        "migrant_id": migrant_id, "category": "mobilisation_notice",
        "summary": "Received a summons at work", "facts": NOTICE, **overrides})


def register(client, person=WITHOUT_CONSENT) -> int:
    response = client.post("/api/v1/migrants", json=person)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def refused(response, *missing):
    assert response.status_code == 409, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "consent_missing"
    assert error["missing_purposes"] == list(missing)
    return error


def test_case_is_refused_without_consent_naming_what_is_missing(app, operator_a):
    migrant_id = register(operator_a)
    error = refused(new_case(operator_a, migrant_id), "case_handling")
    assert error["migrant_id"] == migrant_id
    assert error["fields"]["consents"] == ["Нет действующего согласия: case_handling"]
    # Staff read Russian by default; the message says what to do.
    assert "ведение его дела" in error["message"]
    assert count(app, "cases") == 0


def test_consent_given_on_the_call_lets_the_case_open(app, operator_a):
    call = operator_a.post("/api/v1/calls", json={"caller_phone": "+7 912 345 67 89"}).get_json()
    migrant_id = register(operator_a)
    refused(new_case(operator_a, migrant_id), "case_handling")
    given = operator_a.post(f"/api/v1/migrants/{migrant_id}/consents", json={
        "purposes": ["case_handling", "call_back"], "call_id": call["id"]})
    assert given.status_code == 201, given.get_json()
    status = given.get_json()
    assert status["valid"] == ["case_handling", "call_back"]
    assert status["missing"] == ["sharing_with_lawyer", "statistics"]
    assert {(c["method"], c["given_on"], c["call_id"], c["valid"]) for c in status["consents"]} \
        == {("verbal_on_call", TODAY.isoformat(), call["id"], True)}
    case = new_case(operator_a, migrant_id)
    assert case.status_code == 201, case.get_json()
    task = operator_a.post(f"/api/v1/cases/{case.get_json()['id']}/tasks", json={
        "title": "Call back about the notice", "due_on": "2026-12-01", "kind": "call_back"})
    assert task.status_code == 201 and task.get_json()["kind"] == "call_back"
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(
            AuditEvent.entity_type == "consent")).all()
    assert [(e.entity_id, e.details["purposes"]) for e in events] == [
        (migrant_id, ["case_handling", "call_back"])]
    assert "912" not in str([(e.fields, e.details) for e in events])


def test_expired_consent_is_not_valid(operator_a):
    migrant_id = register(operator_a, {**ASANOV, "consents": [{
        "purpose": "case_handling", "method": "written", "given_on": "2024-01-10",
        "expires_on": TODAY.isoformat()}]})
    migrant = operator_a.get(f"/api/v1/migrants/{migrant_id}").get_json()
    assert migrant["consent_purposes"]["valid"] == []
    assert "case_handling" in migrant["consent_purposes"]["missing"]
    assert migrant["consents"][0]["valid"] is False
    refused(new_case(operator_a, migrant_id), "case_handling")


def test_consent_given_for_a_later_day_is_not_valid_yet(operator_a):
    migrant_id = register(operator_a)
    # A written form dated tomorrow is refused as in the future; a consent from today holds.
    tomorrow = operator_a.post(f"/api/v1/migrants/{migrant_id}/consents", json={
        "purposes": ["case_handling"], "given_on": (TODAY + timedelta(days=1)).isoformat()})
    assert tomorrow.status_code == 422 and "given_on" in tomorrow.get_json()["error"]["fields"]
    expires_first = operator_a.post(f"/api/v1/migrants/{migrant_id}/consents", json={
        "purposes": ["case_handling"], "expires_on": TODAY.isoformat()})
    assert expires_first.status_code == 422
    assert "expires_on" in expires_first.get_json()["error"]["fields"]
    nothing = operator_a.post(f"/api/v1/migrants/{migrant_id}/consents", json={"purposes": []})
    assert nothing.status_code == 422 and "purposes" in nothing.get_json()["error"]["fields"]
    assert operator_a.get(f"/api/v1/migrants/{migrant_id}/consents").get_json()["consents"] == []


def test_withdrawn_consent_stops_processing_but_the_case_can_still_be_closed(operator_a):
    case = open_case(operator_a)
    migrant_id, path = case["migrant_id"], f"/api/v1/cases/{case['id']}"
    withdrawn = operator_a.post(f"/api/v1/migrants/{migrant_id}/consents/withdrawal",
                                json={"purposes": ["case_handling"]})
    assert withdrawn.status_code == 200
    assert withdrawn.get_json()["consents"][0]["withdrawn_on"] == TODAY.isoformat()
    assert "case_handling" in withdrawn.get_json()["missing"]
    refused(operator_a.patch(path, json={"version": case["version"], "priority": "high"}),
            "case_handling")
    refused(operator_a.post(f"{path}/notes", json={"body": "Called again"}), "case_handling")
    refused(operator_a.post(f"{path}/tasks", json={"title": "x", "due_on": "2026-12-01"}),
            "case_handling")
    refused(operator_a.post(f"{path}/transitions",
                            json={"to": "in_progress", "version": case["version"]}),
            "case_handling")
    refused(operator_a.get(f"{path}/briefing.pdf?language=ru"), "case_handling")
    assert operator_a.get(path).status_code == 200  # reading stays possible
    closed = operator_a.post(f"{path}/transitions", json={
        "to": "closed", "version": case["version"], "reason": "Consent withdrawn"})
    assert closed.status_code == 200, closed.get_json()
    assert closed.get_json()["status"] == "closed"
    again = operator_a.post(f"/api/v1/migrants/{migrant_id}/consents/withdrawal",
                            json={"purposes": ["case_handling"]})
    assert again.status_code == 200 and len(again.get_json()["consents"]) == 1


def test_calling_back_needs_consent_to_be_called_but_answering_never_does(operator_a):
    case = open_case(operator_a)  # ASANOV consented to case handling only
    migrant_id = case["migrant_id"]
    refused(operator_a.post(f"/api/v1/cases/{case['id']}/tasks", json={
        "title": "Call back", "due_on": "2026-12-01", "kind": "call_back"}), "call_back")
    assert operator_a.post(f"/api/v1/cases/{case['id']}/tasks", json={
        "title": "Check the decision", "due_on": "2026-12-01"}).status_code == 201
    refused(operator_a.post("/api/v1/calls", json={
        "direction": "outbound", "migrant_id": migrant_id}), "call_back")
    outbound = operator_a.post("/api/v1/calls", json={"direction": "outbound"}).get_json()
    refused(operator_a.post(f"/api/v1/calls/{outbound['id']}/link",
                            json={"migrant_id": migrant_id}), "call_back")
    for inbound in ({"migrant_id": migrant_id}, {"case_id": case["id"]},
                    {"caller_phone": "+996 700 000 111"}, {}):
        assert operator_a.post("/api/v1/calls", json=inbound).status_code == 201, inbound
    operator_a.post(f"/api/v1/migrants/{migrant_id}/consents", json={"purposes": ["call_back"]})
    assert operator_a.post("/api/v1/calls", json={
        "direction": "outbound", "migrant_id": migrant_id}).status_code == 201


def test_assigning_a_case_to_a_lawyer_needs_consent_to_share_it(operator_a, world):
    lawyer, colleague = world.user("a", Role.LAWYER), world.user("a", Role.CONSUL)
    migrant_id = register(operator_a)
    error = refused(new_case(operator_a, migrant_id, assignee_id=lawyer.id),
                    "case_handling", "sharing_with_lawyer")
    assert len(error["fields"]["consents"]) == 2
    operator_a.post(f"/api/v1/migrants/{migrant_id}/consents",
                    json={"purposes": ["case_handling"], "method": "written"})
    case = new_case(operator_a, migrant_id, assignee_id=colleague.id).get_json()
    path = f"/api/v1/cases/{case['id']}"
    refused(operator_a.patch(path, json={"version": case["version"], "assignee_id": lawyer.id}),
            "sharing_with_lawyer")
    operator_a.post(f"/api/v1/migrants/{migrant_id}/consents",
                    json={"purposes": ["sharing_with_lawyer"], "method": "electronic"})
    assigned = operator_a.patch(path, json={"version": case["version"], "assignee_id": lawyer.id})
    assert assigned.status_code == 200 and assigned.get_json()["assignee"]["id"] == lawyer.id


def test_statistics_exports_see_only_migrants_consenting_on_the_day(app, operator_a):
    def with_statistics(**consent):
        return register(operator_a, {**ASANOV, "consents": [
            {"purpose": "statistics", "method": "written", **consent}]})

    counted = with_statistics(given_on="2025-01-01")
    expired = with_statistics(given_on="2025-01-01", expires_on="2025-06-01")
    withdrawn = with_statistics(given_on="2025-01-01", withdrawn_on="2025-03-01")
    register(operator_a)  # no consent at all
    with app.app_context():
        def ids(on):
            return set(db.session.scalars(consented_migrant_ids(ConsentPurpose.STATISTICS, on)))
        assert ids(None) == {counted}
        assert ids(date(2025, 2, 1)) == {counted, expired, withdrawn}
        assert ids(date(2024, 12, 31)) == set()
        assert set(db.session.scalars(select(text("id")).select_from(text("migrants")).where(
            text("id IN (SELECT migrant_id FROM consents)")))) == {counted, expired, withdrawn}


def test_consents_of_another_consulate_answer_404(operator_a, operator_b):
    migrant_id = register(operator_a)
    call_b = operator_b.post("/api/v1/calls", json={}).get_json()["id"]
    for method, path, body in (
            ("GET", f"/api/v1/migrants/{migrant_id}/consents", None),
            ("POST", f"/api/v1/migrants/{migrant_id}/consents", {"purposes": ["statistics"]}),
            ("POST", f"/api/v1/migrants/{migrant_id}/consents/withdrawal",
             {"purposes": ["statistics"]})):
        assert operator_b.open(path, method=method, json=body).status_code == 404, path
    other_call = operator_a.post(f"/api/v1/migrants/{migrant_id}/consents", json={
        "purposes": ["statistics"], "call_id": call_b})
    assert other_call.status_code == 422 and "call_id" in other_call.get_json()["error"]["fields"]
