"""Input the schemathesis sweep (tests/core/test_api_fuzz.py) found crashing the app, pinned
down: each is now a 4xx naming what is wrong, and nothing is written."""

from __future__ import annotations

from migrantdesk.auth.permissions import Role
from tests.cases.test_cases_api import open_case
from tests.conftest import scalar
from tests.leaflets.test_leaflets import template_id  # noqa: F401 (fixture)

HUGE = 2**70


def test_an_id_beyond_the_database_range_in_a_url_is_a_404(operator_a, client_for):
    for path in (f"/api/v1/cases/{HUGE}", f"/api/v1/migrants/{2**31}", f"/api/v1/calls/{HUGE}"):
        response = operator_a.get(path)
        assert response.status_code == 404, path
        assert response.get_json()["error"]["code"] == "not_found"
    assert client_for("a", Role.OPERATOR).delete(
        f"/api/v1/auth/tokens/{HUGE}").status_code == 404


def test_an_id_beyond_the_database_range_in_a_body_or_query_is_a_422_naming_it(
        app, operator_a):
    created = operator_a.post("/api/v1/cases", json={
        "migrant_id": HUGE, "category": "mobilisation_notice", "summary": "Summons"})
    assert created.status_code == 422
    assert list(created.get_json()["error"]["fields"]) == ["migrant_id"]
    call = operator_a.post("/api/v1/calls", json={"case_id": 2**31})
    assert call.status_code == 422 and "case_id" in call.get_json()["error"]["fields"]
    listing = operator_a.get("/api/v1/cases", query_string={"page": 10**18})
    assert listing.status_code == 422 and "page" in listing.get_json()["error"]["fields"]
    assert scalar(app, "SELECT count(*) FROM cases") == 0
    assert scalar(app, "SELECT count(*) FROM calls") == 0


def test_a_partial_provision_edit_without_summary_or_dates_is_checked_not_crashed(
        client_for, template_id):  # noqa: F811
    lawyer = client_for("a", Role.LAWYER)
    provision_id = lawyer.get("/api/v1/guidance/provisions").get_json()[0]["id"]
    # The published provision cannot be edited in place (409), but the body is understood.
    edited = lawyer.patch(f"/api/v1/guidance/provisions/{provision_id}", json={})
    assert edited.status_code == 409
    draft = lawyer.post(f"/api/v1/guidance/provisions/{provision_id}/versions",
                        json={"effective_to": "2020-01-01"})
    assert draft.status_code == 422  # before effective_from 2021-12-01, of the merged version
    assert "effective_to" in draft.get_json()["error"]["fields"]


def test_a_conflict_reporting_the_records_status_is_answered(client_for, template_id):  # noqa: F811
    lawyer = client_for("a", Role.LAWYER)
    provision_id = lawyer.get("/api/v1/guidance/provisions").get_json()[0]["id"]
    response = lawyer.post(f"/api/v1/guidance/provisions/{provision_id}/submit")
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "conflict" and error["status"] == "published"


def test_a_value_the_database_refuses_is_a_422_without_the_value(app, operator_a, monkeypatch):
    from sqlalchemy.exc import DataError

    from migrantdesk.cases import services

    def refuse(*args, **kwargs):
        raise DataError("INSERT … Qwzsecret", {"surname": "Qwzsecret"}, Exception("too long"))
    case = open_case(operator_a)
    monkeypatch.setattr(services, "get_case", refuse)
    response = operator_a.get(f"/api/v1/cases/{case['id']}")
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "out_of_range"
    assert "Qwzsecret" not in response.get_data(as_text=True)
