"""The statistics API and dashboard: small cells never leave the system in any format, bad
filters are a 400 naming the parameter, and other offices' figures never leak."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import zipfile

import pytest
from sqlalchemy import text

from migrantdesk.auth.permissions import Role
from migrantdesk.core.db import db
from tests.stats.helpers import (
    CRAFTED_A,
    CRAFTED_B,
    SENSITIVE,
    assert_published_safely,
    cell,
    seed_cases,
    table_by_key,
)

SENSITIVE_TABLES = {"notices_by_month"}


@pytest.fixture
def crafted(app, world):
    seed_cases(app, world.office_a.id, CRAFTED_A)
    seed_cases(app, world.office_b.id, CRAFTED_B)
    return world


def test_small_counts_are_hidden_and_cannot_be_worked_out_in_the_api(client_for, crafted):
    result = client_for("a", Role.MANAGER).get("/api/v1/stats").get_json()
    by_status = table_by_key(result, "cases_by_category_status")
    assert cell(by_status, "information_request", "new") == "<5"
    assert cell(by_status, "wage_labour_dispute", "resolved") == "<5"
    assert cell(by_status, "mobilisation_notice", "new") == "<10"  # sensitive: 7 < 10
    assert cell(by_status, "detention_abroad", "new") == "<10"
    assert cell(by_status, "information_request", "in_progress") == 20
    detention = next(r for r in by_status["rows"] if r["key"] == "detention_abroad")
    assert detention["total"] == "<10"
    for table in result["tables"]:
        assert_published_safely(table, sensitive=table["key"] in SENSITIVE_TABLES)


def _csv_lines(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode())))


def _xlsx_cells(body: bytes) -> tuple[list[str], list[float], str]:
    with zipfile.ZipFile(io.BytesIO(body)) as workbook:
        sheet = workbook.read("xl/worksheets/sheet1.xml").decode()
    strings = [html.unescape(s) for s in re.findall(r"<t[^>]*>([^<]*)</t>", sheet)]
    numbers = [float(v) for v in re.findall(r'<c r="[A-Z]+\d+"[^>]*><v>([^<]*)</v>', sheet)]
    return strings, numbers, sheet


def _expected_long_form(tables):
    lines = []
    for table in tables:
        for row in [*table["rows"], table["totals"]] if table["totals"] else table["rows"]:
            for column, value in zip(table["columns"], row["cells"], strict=True):
                lines.append((table["title"], row["label"], column["label"],
                              "" if value is None else str(value)))
            if table["totals"]:
                lines.append((table["title"], row["label"], "Total", str(row["total"])))
    return lines


def test_no_small_count_leaves_in_csv_xlsx_json_or_the_page(client_for, crafted):
    manager = client_for("a", Role.MANAGER)
    manager.get("/api/v1/auth/me")
    published = manager.get("/api/v1/stats").get_json()["tables"]
    small = {str(v) for v in range(1, 5)}

    response = manager.get("/api/v1/stats/export?format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    lines = _csv_lines(response.get_data())
    assert lines[0] == ["table", "row", "column", "value"]
    assert [tuple(line) for line in lines[1:]] == _expected_long_form(published)
    by_status = [line for line in lines if line[0] == published[0]["title"]]
    assert not {line[3] for line in by_status} & small
    sensitive_rows = {r["label"] for r in published[0]["rows"] if r["key"] in SENSITIVE}
    assert not {line[3] for line in by_status if line[1] in sensitive_rows} & \
        {str(v) for v in range(1, 10)}

    as_json = manager.get("/api/v1/stats/export?format=json")
    assert as_json.status_code == 200
    assert json.loads(as_json.get_data())["tables"] == published

    workbook = manager.get("/api/v1/stats/export?format=xlsx")
    assert workbook.status_code == 200
    strings, numbers, _sheet = _xlsx_cells(workbook.get_data())
    expected = [float(line[3]) for line in _expected_long_form(published)
                if re.fullmatch(r"[0-9.]+", line[3])]
    assert sorted(numbers) == sorted(expected)
    assert not {n for n in numbers if n == int(n)} & {1.0, 2.0, 3.0, 4.0}
    assert {"<5", "<10", "x"} <= set(strings)

    one = manager.get("/api/v1/stats/export?format=csv&table=cases_by_category_status")
    assert {line[0] for line in _csv_lines(one.get_data())[1:]} == {published[0]["title"]}

    page = manager.get("/stats").get_data(as_text=True)
    section = page.split('id="table-cases_by_category_status"')[1].split("</table>")[0]
    shown = re.findall(r'<td class="num">([^<]*)</td>', section)
    assert "&lt;5" in shown and "&lt;10" in shown
    assert not set(shown) & small


def test_exports_of_figures_are_audited_without_personal_data(app, client_for, crafted):
    client_for("a", Role.MANAGER).get(
        "/api/v1/stats/export?format=csv&category=information_request")
    with app.app_context():
        rows = db.session.execute(text(
            "SELECT action, entity_type, details FROM audit_events WHERE entity_type = "
            "'statistics' ORDER BY id")).all()
    assert [(r[0], r[1]) for r in rows] == [("read", "statistics"), ("export", "statistics")]
    details = rows[-1][2] if isinstance(rows[-1][2], dict) else json.loads(rows[-1][2])
    assert details["filters"]["category"] == "information_request"
    assert details["format"] == "csv"


@pytest.mark.parametrize("query, field", [
    ("date_from=2026-05-01&date_to=2026-04-01", "date_from"),
    ("category=haircut", "category"),
    ("origin=XX", "origin"),
    ("host=ZZ", "host"),
    ("office=abc", "office"),
    ("date_to=yesterday", "date_to"),
    ("colour=red", "colour"),
])
@pytest.mark.parametrize("path", ["/api/v1/stats", "/api/v1/stats/export",
                                  "/api/v1/stats/cases/export"])
def test_bad_filters_are_a_400_naming_the_parameter(client_for, world, query, field, path):
    response = client_for("a", Role.CONSUL).get(f"{path}?{query}")
    assert response.status_code == 400, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == "invalid_query" and field in error["fields"]


def test_a_background_export_with_a_bad_filter_is_refused(client_for, world):
    response = client_for("a", Role.CONSUL).post("/api/v1/stats/exports?category=haircut")
    assert response.status_code == 400
    assert "category" in response.get_json()["error"]["fields"]


@pytest.mark.parametrize("path", ["/api/v1/stats", "/api/v1/stats/export?format=csv",
                                  "/api/v1/stats/cases/export?format=csv"])
def test_asking_for_another_office_is_refused_never_answered_empty(client_for, crafted, path):
    separator = "&" if "?" in path else "?"
    response = client_for("a", Role.CONSUL).get(
        f"{path}{separator}office={crafted.office_b.id}")
    assert response.status_code == 403
    assert response.get_json()["error"]["fields"] == {"office": [str(crafted.office_b.id)]}


def test_managers_see_only_their_own_office(client_for, crafted):
    result = client_for("b", Role.MANAGER).get("/api/v1/stats").get_json()
    assert [o["key"] for o in result["offices"]] == [str(crafted.office_b.id)]
    by_status = table_by_key(result, "cases_by_category_status")
    assert by_status["totals"]["total"] == 50
    assert cell(by_status, "information_request", "new") == 50


def test_administrators_see_every_office_and_may_pick_some(client_for, crafted):
    admin = client_for("a", Role.ADMIN)
    everything = admin.get("/api/v1/stats").get_json()
    assert {o["key"] for o in everything["offices"]} == {str(crafted.office_a.id),
                                                         str(crafted.office_b.id)}
    by_office = table_by_key(everything, "cases_by_office_month")
    assert {r["key"] for r in by_office["rows"]} == {str(crafted.office_a.id),
                                                     str(crafted.office_b.id)}
    only_b = admin.get(f"/api/v1/stats?office={crafted.office_b.id}").get_json()
    assert table_by_key(only_b, "cases_by_category_status")["totals"]["total"] == 50
    kg_only = admin.get("/api/v1/stats?origin=UZ").get_json()
    assert [o["key"] for o in kg_only["offices"]] == [str(crafted.office_b.id)]


def test_filters_narrow_the_figures(client_for, crafted):
    manager = client_for("a", Role.MANAGER)
    only = manager.get("/api/v1/stats?category=information_request").get_json()
    by_status = table_by_key(only, "cases_by_category_status")
    assert [r["key"] for r in by_status["rows"]] == ["information_request"]
    assert cell(by_status, "information_request", "in_progress") == 20
    old = manager.get("/api/v1/stats?date_from=2020-01-01&date_to=2020-12-31").get_json()
    assert table_by_key(old, "cases_by_category_status")["totals"]["total"] == 0
    sensitive = manager.get("/api/v1/stats?category=mobilisation_notice").get_json()
    for table in sensitive["tables"]:
        assert_published_safely(table, sensitive=True)


def test_operators_and_lawyers_get_no_figures(client_for, world):
    for role in (Role.OPERATOR, Role.LAWYER):
        response = client_for("a", role).get("/api/v1/stats")
        assert response.status_code == 403


def test_medians_are_shown_only_for_groups_of_at_least_the_threshold(client_for, crafted):
    result = client_for("a", Role.MANAGER).get("/api/v1/stats").get_json()
    medians = table_by_key(result, "response_times")
    rows = {r["key"]: r["cells"] for r in medians["rows"]}
    assert rows["information_request"] == [5.0, 30.0]  # 28 responded, 8 closed
    assert rows["wage_labour_dispute"][1] == "<5"  # 2 resolved
    assert rows["mobilisation_notice"][0] == 5.0  # 15 responded
    assert rows["*"][0] == 5.0


def test_the_dashboard_page_speaks_the_users_language(app, client_for, crafted):
    page = client_for("a", Role.MANAGER).get("/stats")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Статистика дел" in html and "Дела по категориям и статусам" in html
    assert html.count("<svg") >= 5 and 'role="img"' in html
    assert "Повестка о мобилизации или призыве" in html
    bad = client_for("a", Role.MANAGER).get("/stats?date_from=2026-05-02&date_to=2026-05-01")
    assert bad.status_code == 400
    assert "date_from" in bad.get_data(as_text=True)


def test_the_dashboard_is_for_statistics_readers_only(client_for, world):
    assert client_for("a", Role.OPERATOR).get("/stats").status_code == 403


def test_the_api_is_described_in_openapi(app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    statistics = spec["paths"]["/api/v1/stats"]["get"]
    assert {p["name"] for p in statistics["parameters"]} == {
        "date_from", "date_to", "office", "category", "origin", "host"}
    assert "/api/v1/stats/cases/export" in spec["paths"]
    assert "post" in spec["paths"]["/api/v1/stats/exports"]
