from __future__ import annotations

import subprocess

from sqlalchemy import text

from migrantdesk.core.db import db
from tests.cases.test_cases_api import open_case
from tests.guidance.test_guidance_api import content  # noqa: F401  (fixture)
from tests.migrants.test_migrants_api import ASANOV

OTHER_PERSON = {**ASANOV, "surname_cyrl": "Каримова", "surname_latn": "Karimova",
                "given_names_cyrl": "Гульнара", "given_names_latn": "Gulnara",
                "phones": [{"number": "+996 700 111 222"}], "documents": []}


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode()


def test_briefing_has_the_guidance_given_and_no_one_elses_data(app, operator_a, content):  # noqa: F811
    case = open_case(operator_a)
    other = operator_a.post("/api/v1/migrants", json=OTHER_PERSON).get_json()
    open_case(operator_a, migrant_id=other["id"], summary="Карimova case")
    operator_a.post(f"/api/v1/cases/{case['id']}/guidance/given", json={
        "template_id": content["template_id"], "language": "ru"})
    operator_a.post(f"/api/v1/cases/{case['id']}/tasks", json={
        "title": "Перезвонить по повестке", "due_on": "2026-12-01"})
    response = operator_a.get(f"/api/v1/cases/{case['id']}/briefing.pdf?language=ru")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    words = " ".join(pdf_text(response.data).split())
    assert "Асанов" in words and "Ничего не подписывайте." in words
    assert "Перезвонить по повестке" in words
    assert "Каримова" not in words and "Karimova" not in words
    with app.app_context():
        exports = db.session.execute(text(
            "SELECT entity_id FROM audit_events WHERE action = 'export'")).scalars().all()
    assert exports == [case["id"]]


def test_another_consulate_cannot_get_a_briefing(operator_a, operator_b):
    case = open_case(operator_a)
    assert operator_b.get(
        f"/api/v1/cases/{case['id']}/briefing.pdf?language=ru").status_code == 404
