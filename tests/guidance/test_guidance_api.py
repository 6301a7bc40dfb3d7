"""Guidance through the API: two-person review, what applies to a case, guidance given."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from migrantdesk.auth.permissions import Role
from migrantdesk.core.db import db
from migrantdesk.guidance import library, services
from migrantdesk.guidance.models import (
    CitizenshipPosition,
    ContentStatus,
    GuidanceGiven,
    GuidanceRule,
    GuidanceTemplate,
)
from tests.cases.test_cases_api import open_case

PUBLISHED = ContentStatus.PUBLISHED


def provision(key, article, verification, effective_from=date(2003, 1, 1), jurisdiction="RU"):
    return services.create_provision(None, key, {
        "jurisdiction": jurisdiction, "instrument": f"Criminal Code ({jurisdiction})",
        "article": article, "part": None, "title": f"Article {article}",
        "summary": {"en": f"Summary of {article}.", "ru": f"Кратко о статье {article}."},
        "penalty": None, "penalty_text": None, "effective_from": effective_from,
        "effective_to": None, "source_citation": "Test source", "source_url": None,
        "verification": verification, "verification_note": None}, status=PUBLISHED)


TEMPLATE = {
    "topic": "mobilisation_notice", "origin_country": "KG", "host_country": "RU",
    "title": {"ru": "Повестка", "en": "Call-up notice"},
    "body": {"ru": "Ничего не подписывайте. Свяжитесь с консульством.",
             "en": "Sign nothing. Contact the consulate."},
    "provision_keys": ["KG-CC-256"],
}


@pytest.fixture
def content(app):
    with app.app_context():
        provision("KG-CC-256", "256", "needs_verification", date(2021, 12, 1), "KG")
        provision("RU-CC-328-1", "328", "confirmed")
        library.create(None, GuidanceTemplate, "KG-RU-MOBILISATION", dict(TEMPLATE),
                       status=PUBLISHED)
        library.create(None, GuidanceRule, "KG-NOTICE-IN-RU", {
            "name": "Notice to a Kyrgyz citizen in Russia", "description": None,
            "conditions": {"all": [{"category": ["mobilisation_notice"]}, {"origin": ["KG"]},
                                   {"host_country": ["RU"]}]},
            "template_keys": ["KG-RU-MOBILISATION"], "provision_keys": []}, status=PUBLISHED)
        library.create(None, GuidanceRule, "RU-CITIZEN-NOTICE", {
            "name": "Notice to a Russian citizen", "description": None,
            "conditions": {"all": [{"category": ["mobilisation_notice"]},
                                   {"citizenship": "RU"}]},
            "template_keys": [], "provision_keys": ["RU-CC-328-1"]}, status=PUBLISHED)
        db.session.add(CitizenshipPosition(
            origin_country="KG", other_country="RU", stance="prohibited", risk="high",
            reasons={"en": ["No KG–RU treaty."], "ru": ["Договора КР–РФ нет."]},
            provision_keys=[], source_citation="MFA KG", verification="confirmed"))
        db.session.commit()
        template_id = db.session.scalar(select(GuidanceTemplate.id))
    return {"template_id": template_id}


def dual_citizen_case(client, hours_to_appear=48):
    appear_by = (datetime.now(UTC) + timedelta(hours=hours_to_appear)).isoformat()
    return open_case(client, facts={"received_on": "2026-11-20", "appear_by": appear_by})


def test_a_draft_needs_a_second_lawyers_approval(client_for):
    author, colleague = client_for("a", Role.LAWYER), client_for("a", Role.CONSUL)
    operator = client_for("a", Role.OPERATOR)
    draft = author.post("/api/v1/guidance/templates", json={
        **TEMPLATE, "key": "KG-RU-TEST", "provision_keys": []})
    assert draft.status_code == 201, draft.get_json()
    item = draft.get_json()["id"]
    assert author.post(f"/api/v1/guidance/templates/{item}/submit").status_code == 200
    own = author.post(f"/api/v1/guidance/templates/{item}/approve")
    assert own.status_code == 403
    assert operator.post(f"/api/v1/guidance/templates/{item}/approve").status_code == 403
    approved = colleague.post(f"/api/v1/guidance/templates/{item}/approve")
    assert approved.status_code == 200
    assert approved.get_json()["status"] == "published"
    assert approved.get_json()["approved_by_id"] is not None


def test_operators_cannot_write_legal_content(client_for):
    response = client_for("a", Role.OPERATOR).post("/api/v1/guidance/templates",
                                                   json={**TEMPLATE, "key": "KG-RU-X"})
    assert response.status_code == 403


def test_editing_a_published_version_is_409_pointing_to_a_new_version(client_for, content):
    lawyer = client_for("a", Role.LAWYER)
    item = content["template_id"]
    response = lawyer.patch(f"/api/v1/guidance/templates/{item}",
                            json={"body": {"ru": "Другое", "en": "Other"}})
    assert response.status_code == 409
    assert response.get_json()["error"]["next_step"] == "create a new version"
    version = lawyer.post(f"/api/v1/guidance/templates/{item}/versions",
                          json={"body": {"ru": "Новая редакция.", "en": "New wording."}})
    assert version.status_code == 201
    assert (version.get_json()["version"], version.get_json()["status"]) == (2, "draft")
    history = lawyer.get(f"/api/v1/guidance/templates/{item}/history").get_json()
    assert [(h["version"], h["status"]) for h in history] == [(1, "published"), (2, "draft")]


def test_a_template_without_russian_or_english_text_is_refused(client_for):
    response = client_for("a", Role.LAWYER).post("/api/v1/guidance/templates", json={
        **TEMPLATE, "key": "KG-RU-Y", "title": {"ky": "Чакыруу"}, "body": {"ky": "Текст"}})
    assert response.status_code == 422
    assert "title" in response.get_json()["error"]["fields"]


def test_case_shows_guidance_unverified_provisions_deadline_and_risk(operator_a, content):
    case = dual_citizen_case(operator_a)  # Asanov holds KG and RU citizenship
    page = operator_a.get(f"/api/v1/cases/{case['id']}/guidance")
    assert page.status_code == 200, page.get_json()
    body = page.get_json()
    assert [t["key"] for t in body["templates"]] == ["KG-RU-MOBILISATION"]
    assert {p["key"] for p in body["provisions"]} == {"KG-CC-256", "RU-CC-328-1"}
    assert body["unverified_provision_keys"] == ["KG-CC-256"]
    assert body["deadline"]["urgent"] and 47 <= body["deadline"]["hours_left"] <= 48
    assert body["risk"]["level"] == "high"
    assert body["situation"]["citizenships"] == ["KG", "RU"]


def test_given_guidance_is_kept_verbatim_and_flagged_once_superseded(
        app, client_for, operator_a, content):
    case = dual_citizen_case(operator_a)
    call = operator_a.post("/api/v1/calls", json={"case_id": case["id"]}).get_json()
    given = operator_a.post(f"/api/v1/cases/{case['id']}/guidance/given", json={
        "template_id": content["template_id"], "language": "ru", "call_id": call["id"]})
    assert given.status_code == 201, given.get_json()
    record = given.get_json()
    assert record["text"].startswith("Повестка\n\nНичего не подписывайте.")
    assert "Кратко о статье 256." in record["text"]
    lawyer, consul = client_for("a", Role.LAWYER), client_for("a", Role.CONSUL)
    assert operator_a.get(f"/api/v1/cases/{case['id']}/guidance").get_json()[
        "templates"][0]["version"] == 1
    draft = lawyer.post(f"/api/v1/guidance/templates/{content['template_id']}/versions",
                        json={"body": {"ru": "Новая редакция.", "en": "New wording."}})
    lawyer.post(f"/api/v1/guidance/templates/{draft.get_json()['id']}/submit")
    assert consul.post(
        f"/api/v1/guidance/templates/{draft.get_json()['id']}/approve").status_code == 200
    # The newly approved version is what the hotline screen offers from now on.
    assert operator_a.get(f"/api/v1/cases/{case['id']}/guidance").get_json()[
        "templates"][0]["version"] == 2
    history = operator_a.get(f"/api/v1/cases/{case['id']}/guidance/given").get_json()
    assert len(history) == 1
    assert history[0]["superseded"] is True
    assert history[0]["template_version"] == 1
    assert history[0]["text"] == record["text"]
    with app.app_context():
        stored = db.session.scalars(select(GuidanceGiven)).one()
        assert (stored.text, stored.text_sha256) == (record["text"], record["text_sha256"])
        stored.text = "rewritten"
        with pytest.raises(RuntimeError, match="never changed"):
            db.session.flush()
        db.session.rollback()


def test_giving_guidance_in_a_language_not_written_lists_the_available_ones(
        operator_a, content):
    case = dual_citizen_case(operator_a)
    response = operator_a.post(f"/api/v1/cases/{case['id']}/guidance/given", json={
        "template_id": content["template_id"], "language": "tk"})
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"]["language"][0].endswith(": en, ru")


def test_dry_run_tells_whether_draft_conditions_match_a_case(client_for, operator_a, content):
    case = dual_citizen_case(operator_a)
    lawyer = client_for("a", Role.LAWYER)
    hit = lawyer.post("/api/v1/guidance/rules/dry-run", json={
        "case_id": case["id"], "conditions": {"citizenship": "RU"}})
    miss = lawyer.post("/api/v1/guidance/rules/dry-run", json={
        "case_id": case["id"], "conditions": {"citizenship": "TJ"}})
    assert hit.get_json()["matches"] is True and miss.get_json()["matches"] is False
    bad = lawyer.post("/api/v1/guidance/rules/dry-run", json={
        "case_id": case["id"], "conditions": {"all": [{"origin": "KG"}]}})
    assert bad.status_code == 422
    assert "conditions.all[0].origin" in bad.get_json()["error"]["fields"]["conditions"][0]


def test_another_consulate_cannot_see_a_cases_guidance(operator_a, operator_b, content):
    case = dual_citizen_case(operator_a)
    assert operator_b.get(f"/api/v1/cases/{case['id']}/guidance").status_code == 404
    assert operator_b.get(f"/api/v1/cases/{case['id']}/guidance/given").status_code == 404
    assert operator_b.post(f"/api/v1/cases/{case['id']}/guidance/given", json={
        "template_id": content["template_id"], "language": "ru"}).status_code == 404
