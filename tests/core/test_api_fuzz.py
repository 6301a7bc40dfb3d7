"""Schemathesis against the app's own OpenAPI document: every operation, valid and invalid
input, with the bearer token of a real user whose role may use it; no answer may be a 5xx.

SCHEMATHESIS_EXAMPLES sets the examples per operation and mode (default 5, so the sweep stays
well under a minute on 2 cores); the seed is fixed, so a failure repeats."""

from __future__ import annotations

import os
import re

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.generation.modes import GenerationMode
from sqlalchemy import update

from migrantdesk.auth.models import ApiToken, User
from migrantdesk.auth.permissions import ROLE_SCOPES, Role
from migrantdesk.core.db import db
from tests.cases.test_cases_api import open_case
from tests.leaflets.test_leaflets import template_id  # noqa: F401 (fixture)

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "5"))
# Roles tried in this order: the first whose scopes cover an operation calls it.
ROLES = (Role.CONSUL, Role.ADMIN, Role.LAWYER, Role.OPERATOR, Role.MANAGER)


def bearer_tokens(client_for) -> dict[Role, str]:
    tokens = {}
    for role in ROLES:
        created = client_for("a", role).post("/api/v1/auth/tokens", json={"name": "fuzz"})
        tokens[role] = created.get_json()["secret"]
    return tokens


def role_for(app, method: str, path: str) -> Role:
    adapter = app.url_map.bind("localhost")
    endpoint, _args = adapter.match(re.sub(r"{\w+}", "1", path), method=method)
    scopes = set(getattr(app.view_functions[endpoint], "required_scopes", ()))
    return next((role for role in ROLES if scopes <= ROLE_SCOPES[role]), Role.CONSUL)


def real_records(client_for, world, template: int) -> dict[str, int]:
    """Ids of records that exist in office a, so that valid input reaches the business rules."""
    operator = client_for("a", Role.OPERATOR)
    case = open_case(operator)
    task = operator.post(f"/api/v1/cases/{case['id']}/tasks", json={
        "title": "Call back", "due_on": "2026-12-01"}).get_json()
    call = operator.post("/api/v1/calls", json={"case_id": case["id"]}).get_json()
    return {"case_id": case["id"], "migrant_id": case["migrant_id"], "task_id": task["id"],
            "call_id": call["id"], "item_id": template, "office_id": world.office_a.id,
            "user_id": world.user("a", Role.OPERATOR).id}


def restore_accounts(app) -> None:
    """Fuzzed input may deactivate a user or revoke a token; the next operation starts afresh."""
    with app.app_context():
        db.session.execute(update(User).values(active=True, locked_until=None,
                                               failed_logins=0))
        db.session.execute(update(ApiToken).values(revoked_at=None))
        db.session.commit()


def fuzz(strategy, headers: dict[str, str], server_errors: list[str]) -> int:
    """Send the examples the strategy draws; note every 5xx. Returns the number sent."""
    sent = 0

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def exercise(case) -> None:
        nonlocal sent
        sent += 1
        try:  # under TESTING an unhandled exception reaches the test instead of a 500
            status = str(case.call(headers=headers).status_code)
        except Exception as error:  # noqa: BLE001
            status = f"500 {type(error).__name__}: {error}"
        if status.startswith("5"):
            server_errors.append(f"{status:.200} {case.method} {case.formatted_path} "
                                 f"body={case.body!r:.300} query={case.query!r:.200}")

    exercise()
    return sent


def test_no_operation_answers_with_a_server_error(app, client_for, world, template_id):  # noqa: F811
    tokens = bearer_tokens(client_for)
    records = real_records(client_for, world, template_id)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    server_errors: list[str] = []
    calls = operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        role = role_for(app, operation.method.upper(), operation.path)
        headers = {"Authorization": f"Bearer {tokens[role]}"}
        path_ids = {name: records[name] for name in re.findall(r"{(\w+)}", operation.path)
                    if name in records}
        operations += 1
        # Valid input on records that exist, then invalid input anywhere.
        for mode, fixed in ((GenerationMode.POSITIVE, path_ids), (GenerationMode.NEGATIVE, {})):
            strategy = operation.as_strategy(generation_mode=mode,
                                             path_parameters=fixed or None)
            restore_accounts(app)
            calls += fuzz(strategy, headers, server_errors)
    print(f"\nschemathesis: {operations} operations, {calls} requests, "
          f"{len(server_errors)} server errors")
    assert operations >= 70
    assert server_errors == [], "\n".join(server_errors[:20])
