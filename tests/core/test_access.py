"""Access rules proven over the app's whole URL map: login everywhere but an explicit public
list, scopes per role, and 404 for every record of another consulate."""

from __future__ import annotations

import re

import pytest

from migrantdesk.auth.guard import PUBLIC_ENDPOINTS
from migrantdesk.auth.permissions import ROLE_SCOPES, Role
from tests.cases.test_cases_api import open_case
from tests.leaflets.test_leaflets import template_id  # noqa: F401 (fixture)

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


# A valid request body (or query) for every route that names a record, so that a refusal can
# only come from the record's office, never from validation.
BODIES = {
    "offices.update_office": {"city": "Bishkek"},
    "users.update_user": {"name": "Renamed"},
    "migrants.update_migrant": {"version": 1, "host_city": "Kazan"},
    "cases.update_case": {"version": 1, "priority": "low"},
    "cases.transition_case": {"to": "in_progress", "version": 1},
    "cases.add_task": {"title": "Call back", "due_on": "2026-12-01"},
    "cases.update_task": {"done": True},
    "cases.add_note": {"body": "Spoke to the employer"},
    "calls.update_call": {"summary": "Called back"},
    "calls.link_call": {"migrant_id": None},  # filled with the migrant's id below
    "case_guidance.give_guidance": {"template_id": None, "language": "ru"},
    "leaflets_api.revoke": {"reason": "Wrong address"},
    "leaflets_pages.revoke": {"reason": "Wrong address"},
    "migrants.record_consents": {"purposes": ["call_back"]},
    "migrants.withdraw_consents": {"purposes": ["statistics"]},
    "privacy.set_legal_hold": {"reason": "Court request"},
    "privacy.erase_migrant": {"reason": "migrant_request"},  # refused: the case is open
}
QUERIES = {"case_briefing.case_briefing": {"language": "ru"}}
# Content and accounts that are not any one consulate's: the legal library is shared by all,
# and administrators manage every office's users and offices by design.
SHARED = ("guidance.", "guidance_pages.")
GLOBAL_FOR_ADMIN = ("offices.", "users.", "admin_pages.")
MISSING_ID = 2**31 - 1


def records_of_office_a(client_for, world, template: int) -> tuple[dict[str, int], list[str]]:
    """One record of every kind in office a, and text that only they contain."""
    operator = client_for("a", Role.OPERATOR)
    case = open_case(operator, summary="Zyxmarker summary")
    task = operator.post(f"/api/v1/cases/{case['id']}/tasks", json={
        "title": "Zyxmarker task", "due_on": "2026-12-01"}).get_json()
    call = operator.post("/api/v1/calls", json={"case_id": case["id"],
                                                "summary": "Zyxmarker call"}).get_json()
    operator.post(f"/api/v1/cases/{case['id']}/notes", json={"body": "Zyxmarker note"})
    token = operator.post("/api/v1/auth/tokens", json={"name": "Zyxmarker"}).get_json()
    leaflet = client_for("a", Role.LAWYER).post("/api/v1/leaflets/publish", json={
        "template_id": template, "language": "ru"}).get_json()
    ids = {"case_id": case["id"], "migrant_id": case["migrant_id"], "task_id": task["id"],
           "call_id": call["id"], "token_id": token["id"], "leaflet_id": leaflet["id"],
           "office_id": world.office_a.id, "user_id": world.user("a", Role.OPERATOR).id}
    return ids, ["Zyxmarker", "Asanov", "Асанов"]


def office_routes(app):
    """(endpoint, method, rule) of every route whose URL names a tenant-owned record."""
    for rule in app.url_map.iter_rules():
        if not rule.arguments or rule.endpoint in PUBLIC_ENDPOINTS \
                or rule.endpoint.startswith(SHARED):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, rule


def request_for(client, endpoint, method, rule, ids, template):
    path = rule.build({name: ids.get(name, MISSING_ID) for name in rule.arguments},
                      append_unknown=False)[1]
    body = dict(BODIES.get(endpoint, {}))
    if "migrant_id" in body:
        body["migrant_id"] = ids["migrant_id"]
    if "template_id" in body:
        body["template_id"] = template
    if not path.startswith("/api/"):  # pages take forms
        return client.open(path, method=method, data=body if method != "GET" else None,
                           query_string=QUERIES.get(endpoint))
    return client.open(path, method=method, json=body if method != "GET" else None,
                       query_string=QUERIES.get(endpoint))


def test_access_sweep_no_record_of_another_consulate_is_reachable(
        app, client_for, world, template_id):  # noqa: F811
    """Every route that names a record x every role of consulate b, on consulate a's record:
    the answer is exactly the one for a record that does not exist (404 once the role may use
    the route), never a success. Then consulate a's own staff reach the same requests."""
    ids, markers = records_of_office_a(client_for, world, template_id)
    missing = dict.fromkeys(ids, MISSING_ID)
    routes = list(office_routes(app))
    checked = cross_office_successes = 0
    for role in Role:
        staff_b = client_for("b", role)
        for endpoint, method, rule in routes:
            if role is Role.ADMIN and endpoint.startswith(GLOBAL_FOR_ADMIN):
                continue
            real = request_for(staff_b, endpoint, method, rule, ids, template_id)
            absent = request_for(staff_b, endpoint, method, rule, missing, template_id)
            checked += 1
            if real.status_code < 400:
                cross_office_successes += 1
            where = (role, method, rule.rule, real.status_code, real.get_data(as_text=True))
            assert real.status_code == absent.status_code, where
            if rule.rule.startswith("/api/"):  # pages answer with the same HTML error page
                assert real.get_json()["error"]["code"] == absent.get_json()["error"][
                    "code"], where
            scopes = getattr(app.view_functions[endpoint], "required_scopes", ())
            # A page may refuse an empty form before it looks the record up; that answer is
            # the same for a missing record (checked above), so it tells nothing either.
            if set(scopes) <= ROLE_SCOPES[role] and rule.rule.startswith("/api/"):
                assert real.status_code == 404, where
        # Listings and searches of consulate b show nothing of consulate a.
        for path in routes_without_arguments(app):
            # Pages echo their own filters back into links: search through the API only.
            query = {"q": "Asanov"} if path.startswith("/api/") else None
            text = staff_b.get(path, query_string=query).get_data(as_text=True)
            assert not [m for m in markers if m in text], (role, path)
    print(f"\naccess sweep: {checked} cross-office requests over {len(routes)} routes and "
          f"{len(Role)} roles, {cross_office_successes} cross-office successes")
    assert cross_office_successes == 0 and len(routes) >= 20
    # The same requests succeed for consulate a, so the bodies above are valid.
    staff_a = {role: client_for("a", role) for role in (Role.OPERATOR, Role.CONSUL, Role.ADMIN)}
    for endpoint, method, rule in routes:
        if not rule.rule.startswith("/api/") or not set(rule.arguments) <= set(ids):
            continue  # pages take forms, and export jobs are proven in their own tests
        scopes = set(getattr(app.view_functions[endpoint], "required_scopes", ()))
        # API tokens are their owner's alone (the operator's); others by a role holding them.
        role = Role.OPERATOR if endpoint.startswith("auth.") else next(
            r for r in (Role.CONSUL, Role.ADMIN) if scopes <= ROLE_SCOPES[r])
        own = request_for(staff_a[role], endpoint, method, rule, ids, template_id)
        assert own.status_code not in (403, 404, 422) and own.status_code < 500, (
            method, rule.rule, own.status_code, own.get_data(as_text=True)[:300])


def routes_without_arguments(app):
    for endpoint, method, path in routes(app):
        if method == "GET" and "1" not in path.split("/") and endpoint not in PUBLIC_ENDPOINTS:
            yield path


def test_another_consulates_migrant_cannot_be_linked_to_a_call(operator_a, operator_b):
    migrant_id = open_case(operator_a)["migrant_id"]
    own_call = operator_b.post("/api/v1/calls", json={}).get_json()["id"]
    linked = operator_b.post(f"/api/v1/calls/{own_call}/link", json={"migrant_id": migrant_id})
    assert linked.status_code == 422  # another office's migrant is "no such migrant"


def test_office_list_shows_only_the_own_consulate_except_to_admins(client_for, world):
    assert [o["id"] for o in client_for("b", Role.OPERATOR).get(
        "/api/v1/offices").get_json()] == [world.office_b.id]
    assert client_for("b", Role.OPERATOR).get(
        f"/api/v1/offices/{world.office_a.id}").status_code == 404
    assert len(client_for("a", Role.ADMIN).get("/api/v1/offices").get_json()) == 2
