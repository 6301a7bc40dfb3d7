from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import text

from migrantdesk.core.db import db
from tests.migrants.test_migrants_api import ASANOV

NOTICE = {"received_on": "2026-11-20", "issuing_office": "Military commissariat, Moscow",
          "anything_signed": False}


def open_case(client, **overrides):
    migrant_id = overrides.pop("migrant_id", None) or client.post(
        "/api/v1/migrants", json=ASANOV).get_json()["id"]
    body = {"migrant_id": migrant_id, "category": "mobilisation_notice",
            "summary": "Received a summons at work", "facts": NOTICE, **overrides}
    response = client.post("/api/v1/cases", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_case_opens_with_typed_facts_and_the_office_host_country(operator_a):
    case = open_case(operator_a)
    page = operator_a.get(f"/api/v1/cases/{case['id']}").get_json()
    assert page["status"] == "new" and page["host_country"] == "RU"
    assert page["facts"] == NOTICE
    assert page["migrant"]["surname_latn"] == "Asanov"
    assert page["allowed_transitions"] == ["closed", "in_progress"]


def test_reading_a_case_is_audited(app, operator_a, world):
    case = open_case(operator_a)
    operator_a.get(f"/api/v1/cases/{case['id']}")
    with app.app_context():
        reads = db.session.execute(text(
            "SELECT user_id, entity_id FROM audit_events WHERE action = 'read' "
            "AND entity_type = 'case'")).all()
    assert [tuple(r) for r in reads] == [(world.user("a").id, case["id"])]


def test_unknown_category_is_rejected(operator_a):
    migrant_id = operator_a.post("/api/v1/migrants", json=ASANOV).get_json()["id"]
    response = operator_a.post("/api/v1/cases", json={
        "migrant_id": migrant_id, "category": "alien_abduction", "summary": "?"})
    assert response.status_code == 422
    assert "category" in response.get_json()["error"]["fields"]


def test_facts_of_the_wrong_shape_are_rejected_naming_the_fact(app, operator_a):
    migrant_id = operator_a.post("/api/v1/migrants", json=ASANOV).get_json()["id"]
    response = operator_a.post("/api/v1/cases", json={
        "migrant_id": migrant_id, "category": "mobilisation_notice", "summary": "x",
        "facts": {"received_on": "yesterday", "colour": "red"}})
    assert response.status_code == 422
    facts_errors = response.get_json()["error"]["fields"]["facts"]
    assert set(facts_errors) == {"received_on", "colour"}
    with app.app_context():
        assert db.session.execute(text("SELECT count(*) FROM cases")).scalar_one() == 0


def test_status_follows_the_workflow_and_can_reopen(operator_a):
    case = open_case(operator_a)
    path = f"/api/v1/cases/{case['id']}/transitions"
    version = case["version"]
    for target in ("in_progress", "waiting", "resolved", "closed", "in_progress"):
        response = operator_a.post(path, json={"to": target, "version": version})
        assert response.status_code == 200, (target, response.get_json())
        assert response.get_json()["status"] == target
        version = response.get_json()["version"]
    assert response.get_json()["closed_at"] is None


def test_forbidden_transition_is_refused_and_nothing_changes(operator_a):
    case = open_case(operator_a)
    response = operator_a.post(f"/api/v1/cases/{case['id']}/transitions",
                               json={"to": "resolved", "version": case["version"]})
    assert response.status_code == 422
    assert "to" in response.get_json()["error"]["fields"]
    assert operator_a.get(f"/api/v1/cases/{case['id']}").get_json()["status"] == "new"


def test_concurrent_edit_gets_409_and_keeps_the_first_change(operator_a, client_for):
    case = open_case(operator_a)
    lawyer = client_for("a", "lawyer")
    first = lawyer.patch(f"/api/v1/cases/{case['id']}",
                         json={"version": case["version"], "priority": "urgent"})
    assert first.status_code == 200
    second = operator_a.patch(f"/api/v1/cases/{case['id']}",
                              json={"version": case["version"], "priority": "low"})
    assert second.status_code == 409
    assert operator_a.get(f"/api/v1/cases/{case['id']}").get_json()["priority"] == "urgent"


def test_facts_are_merged_and_a_null_removes_one(operator_a):
    case = open_case(operator_a)
    response = operator_a.patch(f"/api/v1/cases/{case['id']}", json={
        "version": case["version"], "facts": {"anything_signed": True, "issuing_office": None}})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["facts"] == {"received_on": "2026-11-20",
                                            "anything_signed": True}


def test_tasks_and_notes_appear_on_the_case_and_in_my_tasks(operator_a, world):
    case = open_case(operator_a)
    me = world.user("a").id
    today = date.today()
    task = operator_a.post(f"/api/v1/cases/{case['id']}/tasks", json={
        "title": "Call back about the summons", "due_on": today.isoformat(),
        "assignee_id": me}).get_json()
    operator_a.post(f"/api/v1/cases/{case['id']}/tasks", json={
        "title": "Later", "due_on": (today + timedelta(days=3)).isoformat(), "assignee_id": me})
    note = operator_a.post(f"/api/v1/cases/{case['id']}/notes",
                           json={"body": "Advised not to sign anything."})
    assert note.status_code == 201
    due = operator_a.get("/api/v1/cases/tasks/due").get_json()
    assert [t["title"] for t in due] == ["Call back about the summons"]
    done = operator_a.patch(f"/api/v1/cases/{case['id']}/tasks/{task['id']}", json={"done": True})
    assert done.get_json()["done_at"] is not None
    assert operator_a.get("/api/v1/cases/tasks/due").get_json() == []
    page = operator_a.get(f"/api/v1/cases/{case['id']}").get_json()
    assert len(page["tasks"]) == 2 and page["notes"][0]["body"] == "Advised not to sign anything."
    assert page["version"] > case["version"]


def test_assignee_from_another_office_is_rejected(operator_a, world):
    case = open_case(operator_a)
    response = operator_a.patch(f"/api/v1/cases/{case['id']}", json={
        "version": case["version"], "assignee_id": world.user("b").id})
    assert response.status_code == 422
    assert "assignee_id" in response.get_json()["error"]["fields"]


def test_case_list_filters_by_status_and_category(operator_a):
    first = open_case(operator_a)
    open_case(operator_a, migrant_id=first["migrant_id"], category="remittance_interruption",
              facts={"amount": "15000.00", "currency": "RUB"})
    listed = operator_a.get("/api/v1/cases?category=remittance_interruption").get_json()
    assert [c["category"] for c in listed] == ["remittance_interruption"]
    assert operator_a.get("/api/v1/cases?status=closed").get_json() == []
    bad = operator_a.get("/api/v1/cases?status=sleeping")
    assert bad.status_code == 422 and "status" in bad.get_json()["error"]["fields"]


def test_case_detail_takes_at_most_four_sql_statements(operator_a, count_statements):
    case = open_case(operator_a)
    operator_a.post(f"/api/v1/cases/{case['id']}/tasks",
                    json={"title": "Check", "due_on": "2026-12-01"})
    operator_a.post(f"/api/v1/cases/{case['id']}/notes", json={"body": "One"})
    operator_a.post(f"/api/v1/cases/{case['id']}/notes", json={"body": "Two"})
    with count_statements() as counter:
        response = operator_a.get(f"/api/v1/cases/{case['id']}")
    assert response.status_code == 200
    assert len(response.get_json()["notes"]) == 2
    assert len(counter.statements) <= 4, counter.statements


def test_a_notice_due_within_72_hours_makes_the_case_urgent(operator_a):
    soon = (datetime.now(UTC) + timedelta(hours=48)).isoformat()
    case = open_case(operator_a, facts={**NOTICE, "appear_by": soon})
    assert case["priority"] == "urgent"


def test_signing_papers_later_makes_the_case_urgent(operator_a):
    case = open_case(operator_a)
    assert case["priority"] == "normal"
    response = operator_a.patch(f"/api/v1/cases/{case['id']}", json={
        "version": case["version"], "facts": {"anything_signed": True}})
    assert response.get_json()["priority"] == "urgent"
