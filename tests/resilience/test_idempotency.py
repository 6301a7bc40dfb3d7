"""Idempotency-Key on creating requests: a retry answers the first response and creates nothing."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from sqlalchemy import text, update

from migrantdesk.auth.permissions import Role
from migrantdesk.core.db import db, utcnow
from migrantdesk.core.idempotency import IdempotencyKey, purge_expired
from tests.cases.test_cases_api import NOTICE
from tests.conftest import login, scalar
from tests.migrants.test_migrants_api import ASANOV

CALL = {"caller_phone": "8 912 345-67-89", "language": "ky", "summary": "Unpaid wages"}


def post_call(client, key, body=CALL):
    return client.post("/api/v1/calls", json=body, headers={"Idempotency-Key": key})


def test_a_retried_call_returns_the_first_response_and_logs_one_call(app, operator_a):
    first = post_call(operator_a, "4b1f6c1e-call-1")
    again = post_call(operator_a, "4b1f6c1e-call-1")
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert scalar(app, "SELECT count(*) FROM calls") == 1
    assert scalar(app, "SELECT count(*) FROM audit_events WHERE action = 'create'") == 1
    # The replayed body holds personal data, so the replay is audited as a read of that call.
    assert scalar(app, "SELECT entity_id FROM audit_events WHERE action = 'read' "
                       "AND entity_type = 'call'") == first.get_json()["id"]


def test_the_same_json_in_another_key_order_is_the_same_request(app, operator_a):
    post_call(operator_a, "order")
    reordered = operator_a.post("/api/v1/calls", headers={
        "Idempotency-Key": "order", "Content-Type": "application/json"},
        data=json.dumps(dict(reversed(CALL.items())), indent=2))
    assert reordered.status_code == 201
    assert reordered.headers["Idempotent-Replayed"] == "true"
    assert scalar(app, "SELECT count(*) FROM calls") == 1


def test_a_key_reused_for_another_body_is_refused_naming_the_header(app, operator_a):
    post_call(operator_a, "reused")
    response = post_call(operator_a, "reused", {**CALL, "summary": "Another call"})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "idempotency_key_reused"
    assert list(error["fields"]) == ["Idempotency-Key"]
    assert scalar(app, "SELECT count(*) FROM calls") == 1


def test_a_key_reused_on_another_endpoint_is_refused(app, operator_a):
    migrant = operator_a.post("/api/v1/migrants", json=ASANOV,
                              headers={"Idempotency-Key": "k1"})
    assert migrant.status_code == 201
    response = post_call(operator_a, "k1")
    assert response.status_code == 422
    assert scalar(app, "SELECT count(*) FROM calls") == 0


@pytest.mark.parametrize("key", ["", "x" * 256, "ключ", "tab\there"])
def test_a_malformed_key_is_a_400_naming_the_header(app, operator_a, key):
    response = post_call(operator_a, key)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid_idempotency_key"
    assert list(error["fields"]) == ["Idempotency-Key"]
    assert scalar(app, "SELECT count(*) FROM calls") == 0


def test_the_longest_key_allowed_works(operator_a):
    key = "k" * 255
    assert post_call(operator_a, key).status_code == 201
    assert post_call(operator_a, key).headers["Idempotent-Replayed"] == "true"


def test_without_a_key_every_post_creates_a_record(app, operator_a):
    operator_a.post("/api/v1/calls", json=CALL)
    operator_a.post("/api/v1/calls", json=CALL)
    assert scalar(app, "SELECT count(*) FROM calls") == 2
    assert scalar(app, "SELECT count(*) FROM idempotency_keys") == 0


def test_keys_belong_to_one_user(app, operator_a, client_for):
    colleague = client_for("a", Role.LAWYER)
    assert post_call(operator_a, "shared-key").status_code == 201
    other = post_call(colleague, "shared-key")
    assert other.status_code == 201 and "Idempotent-Replayed" not in other.headers
    assert scalar(app, "SELECT count(*) FROM calls") == 2


def test_a_failed_request_does_not_use_up_its_key(app, operator_a):
    bad = post_call(operator_a, "fix-and-retry", {**CALL, "caller_phone": "12"})
    assert bad.status_code == 422
    assert scalar(app, "SELECT count(*) FROM idempotency_keys") == 0
    good = post_call(operator_a, "fix-and-retry")
    assert good.status_code == 201 and "Idempotent-Replayed" not in good.headers


def test_a_retried_case_returns_the_same_case(app, operator_a):
    migrant_id = operator_a.post("/api/v1/migrants", json=ASANOV).get_json()["id"]
    body = {"migrant_id": migrant_id, "category": "mobilisation_notice",
            "summary": "Received a summons at work", "facts": NOTICE}
    first = operator_a.post("/api/v1/cases", json=body, headers={"Idempotency-Key": "case-1"})
    again = operator_a.post("/api/v1/cases", json=body, headers={"Idempotency-Key": "case-1"})
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert scalar(app, "SELECT count(*) FROM cases") == 1
    note = {"body": "Called back"}
    path = f"/api/v1/cases/{first.get_json()['id']}/notes"
    for _ in range(2):
        assert operator_a.post(path, json=note, headers={
            "Idempotency-Key": "note-1"}).status_code == 201
    assert scalar(app, "SELECT count(*) FROM case_notes") == 1


def test_an_expired_key_may_be_used_again_and_is_purged(app, operator_a):
    post_call(operator_a, "old")
    with app.app_context():
        db.session.execute(update(IdempotencyKey).values(
            created_at=utcnow() - timedelta(hours=25)))
        db.session.commit()
    fresh = post_call(operator_a, "old", {**CALL, "summary": "A day later"})
    assert fresh.status_code == 201 and "Idempotent-Replayed" not in fresh.headers
    assert scalar(app, "SELECT count(*) FROM calls") == 2
    post_call(operator_a, "older")
    with app.app_context():
        db.session.execute(text("UPDATE idempotency_keys SET created_at = :t WHERE key = 'old'"),
                           {"t": utcnow() - timedelta(hours=30)})
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["idempotency", "purge"])
    assert result.exit_code == 0, result.output
    assert "1 expired" in result.output
    with app.app_context():
        assert purge_expired() == 0
        assert list(db.session.scalars(text("SELECT key FROM idempotency_keys"))) == ["older"]


def test_concurrent_requests_with_one_key_create_one_call(app, world):
    """Eight clients, each its own connection, send the same request at the same moment."""
    clients = [login(app.test_client(), world.user("a")) for _ in range(8)]
    barrier = threading.Barrier(len(clients))
    responses: list = [None] * len(clients)

    def send(index: int) -> None:
        barrier.wait()
        responses[index] = post_call(clients[index], "same-moment")

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(r.status_code for r in responses)
    # A loser waits for the winner and replays it, or is told to retry (409, or 503 when the
    # wait outlasts the busy timeout on an overloaded machine); never a second call.
    assert set(statuses) <= {201, 409, 503}, [r.get_json() for r in responses]
    created = [r for r in responses if r.status_code == 201]
    assert created, statuses
    assert len({json.dumps(r.get_json(), sort_keys=True) for r in created}) == 1
    assert sum("Idempotent-Replayed" not in r.headers for r in created) == 1
    for conflict in (r for r in responses if r.status_code in (409, 503)):
        assert conflict.headers["Retry-After"] == "1"
    assert scalar(app, "SELECT count(*) FROM calls") == 1


def test_openapi_documents_the_header_on_creating_requests(app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/calls", "/api/v1/cases", "/api/v1/migrants",
                 "/api/v1/cases/{case_id}/notes", "/api/v1/cases/{case_id}/tasks"):
        names = [p.get("name") for p in spec["paths"][path]["post"].get("parameters", [])]
        assert "Idempotency-Key" in names, path
    get_names = [p.get("name") for p in spec["paths"]["/api/v1/calls"]["get"].get(
        "parameters", [])]
    assert "Idempotency-Key" not in get_names
