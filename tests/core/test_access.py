"""Access rules proven over the app's whole URL map: login everywhere but an explicit public
list, scopes per role, and 404 for every record of another consulate."""

from __future__ import annotations

import re

import pytest

from migrantdesk.auth.guard import PUBLIC_ENDPOINTS
from migrantdesk.auth.permissions import ROLE_SCOPES, Role
from tests.cases.test_cases_api import open_case

EXPECTED_PUBLIC = {"index", "static", "leaflets_api.catalogue", "leaflets.catalogue_page",
                   "leaflets.download", "leaflets.verify", "auth.csrf_token", "auth.login",
                   "auth_pages.login",
                   "api-docs.openapi_json", "api-docs.openapi_redoc"}
# Own-account endpoints every logged-in user may use, whatever the role.
ANY_LOGGED_IN_USER = {"auth.logout", "auth.me", "auth.update_me", "auth.list_tokens",
                      "auth.create_token", "auth.revoke_token", "auth_pages.logout",
                      "auth_pages.account", "admin_pages.own_tokens",
                      "admin_pages.revoke_own_token"}


def routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            path = re.sub(r"<(?:\w+:)?\w+>", "1", rule.rule)
            yield rule.endpoint, method, path


def send(client, method, path):
    return client.open(path, method=method, json={} if method != "GET" else None)


def refused_login(response, path):
    """The API answers 401; a page sends the browser to the sign-in page, keeping the way back."""
    if path.startswith("/api/"):
        return response.status_code == 401
    return response.status_code == 302 and "/login?next=" in response.headers["Location"]


def test_public_endpoints_are_exactly_the_listed_ones():
    assert PUBLIC_ENDPOINTS == EXPECTED_PUBLIC


def test_every_other_route_needs_login(app):
    client = app.test_client()
    checked = 0
    for endpoint, method, path in routes(app):
        if endpoint in PUBLIC_ENDPOINTS:
            continue
        response = send(client, method, path)
        if method == "GET":
            assert refused_login(response, path), (method, path, response.status_code)
        else:  # an anonymous write is stopped by CSRF or by the login check
            assert response.status_code == 400 or refused_login(response, path), (method, path)
            client.environ_base["HTTP_X_CSRFTOKEN"] = client.get(
                "/api/v1/auth/csrf").get_json()["csrf_token"]
            assert refused_login(send(client, method, path), path), (method, path)
        checked += 1
    assert checked >= 30


def test_every_protected_route_declares_its_scopes(app):
    undeclared = [endpoint for endpoint, _method, _path in routes(app)
                  if endpoint not in PUBLIC_ENDPOINTS | ANY_LOGGED_IN_USER
                  and not getattr(app.view_functions[endpoint], "required_scopes", None)]
    assert undeclared == []


@pytest.mark.parametrize("role", list(Role))
def test_each_role_reaches_exactly_the_routes_its_scopes_allow(app, client_for, role):
    client = client_for("a", role)
    for endpoint, method, path in routes(app):
        scopes = getattr(app.view_functions[endpoint], "required_scopes", None)
        if not scopes:
            continue
        response = send(client, method, path)
        allowed = set(scopes) <= ROLE_SCOPES[role]
        if allowed:
            assert response.status_code not in (401, 403), (role, method, path)
        else:
            assert response.status_code == 403, (role, method, path, response.status_code)
            if path.startswith("/api/"):
                assert response.get_json()["error"]["code"] == "forbidden"


def test_staff_of_another_consulate_get_404_for_every_record(app, operator_a, operator_b):
    case = open_case(operator_a)
    migrant_id, case_id = case["migrant_id"], case["id"]
    task_id = operator_a.post(f"/api/v1/cases/{case_id}/tasks", json={
        "title": "Call back", "due_on": "2026-12-01"}).get_json()["id"]
    call_id = operator_a.post("/api/v1/calls", json={"case_id": case_id}).get_json()["id"]
    attempts = [
        ("GET", f"/api/v1/migrants/{migrant_id}", None),
        ("PATCH", f"/api/v1/migrants/{migrant_id}", {"version": 1, "host_city": "Kazan"}),
        ("GET", f"/api/v1/cases/{case_id}", None),
        ("PATCH", f"/api/v1/cases/{case_id}", {"version": case["version"], "priority": "low"}),
        ("POST", f"/api/v1/cases/{case_id}/transitions",
         {"to": "in_progress", "version": case["version"]}),
        ("POST", f"/api/v1/cases/{case_id}/tasks", {"title": "x", "due_on": "2026-12-01"}),
        ("PATCH", f"/api/v1/cases/{case_id}/tasks/{task_id}", {"done": True}),
        ("POST", f"/api/v1/cases/{case_id}/notes", {"body": "x"}),
        ("GET", f"/api/v1/calls/{call_id}", None),
        ("PATCH", f"/api/v1/calls/{call_id}", {"summary": "x"}),
        ("POST", f"/api/v1/calls/{call_id}/link", {"migrant_id": migrant_id}),
    ]
    for method, path, body in attempts:
        response = operator_b.open(path, method=method, json=body)
        assert response.status_code == 404, (method, path, response.get_json())
    own_call = operator_b.post("/api/v1/calls", json={}).get_json()["id"]
    linked = operator_b.post(f"/api/v1/calls/{own_call}/link", json={"migrant_id": migrant_id})
    assert linked.status_code == 422  # another office's migrant is "no such migrant"
    for listing in ("/api/v1/migrants", "/api/v1/cases"):
        assert operator_b.get(listing).get_json() == []
    assert [c["id"] for c in operator_b.get("/api/v1/calls").get_json()] == [own_call]
    untouched = operator_a.get(f"/api/v1/cases/{case_id}").get_json()
    assert untouched["status"] == "new" and untouched["notes"] == []


def test_office_list_shows_only_the_own_consulate_except_to_admins(client_for, world):
    assert [o["id"] for o in client_for("b", Role.OPERATOR).get(
        "/api/v1/offices").get_json()] == [world.office_b.id]
    assert client_for("b", Role.OPERATOR).get(
        f"/api/v1/offices/{world.office_a.id}").status_code == 404
    assert len(client_for("a", Role.ADMIN).get("/api/v1/offices").get_json()) == 2
