"""Leaflets end to end: publish, public catalogue, download by hash, verification by code,
supersession, revocation, counts and limits."""

from __future__ import annotations

import subprocess
from datetime import date

import pytest
from sqlalchemy import select

from migrantdesk import create_app
from migrantdesk.auth.permissions import Role
from migrantdesk.config import TestingConfig
from migrantdesk.core.db import db
from migrantdesk.guidance import library, services
from migrantdesk.guidance.models import ContentStatus, GuidanceTemplate
from migrantdesk.leaflets.models import LeafletDownload

TEMPLATE = {
    "topic": "mobilisation_notice", "origin_country": "KG", "host_country": "RU",
    "title": {"ru": "Повестка о мобилизации", "en": "Mobilisation notice"},
    "body": {"ru": "Ничего не подписывайте.\n\n- Свяжитесь с консульством.",
             "en": "Sign nothing.\n\n- Contact the consulate."},
    "provision_keys": ["KG-CC-256"],
}


@pytest.fixture
def template_id(app, world):
    with app.app_context():
        services.create_provision(None, "KG-CC-256", {
            "jurisdiction": "KG", "instrument": "Уголовный кодекс КР", "article": "256",
            "part": None, "title": "Участие в вооружённых конфликтах",
            "summary": {"en": "Taking part in hostilities abroad.",
                        "ru": "Участие в военных действиях за рубежом."},
            "penalty": None, "penalty_text": None, "effective_from": date(2021, 12, 1),
            "effective_to": None, "source_citation": "Test", "source_url": None,
            "verification": "reported", "verification_note": None},
            status=ContentStatus.PUBLISHED)
        template = library.create(None, GuidanceTemplate, "KG-RU-MOBILISATION",
                                  dict(TEMPLATE), status=ContentStatus.PUBLISHED)
        db.session.commit()
        return template.id


def publish(client, template_id, language="ru"):
    response = client.post("/api/v1/leaflets/publish",
                           json={"template_id": template_id, "language": language})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode()


def new_template_version(client_for, template_id):
    lawyer, consul = client_for("a", Role.LAWYER), client_for("a", Role.CONSUL)
    draft = lawyer.post(f"/api/v1/guidance/templates/{template_id}/versions", json={
        "body": {"ru": "Новая редакция.", "en": "New wording."}}).get_json()
    lawyer.post(f"/api/v1/guidance/templates/{draft['id']}/submit")
    assert consul.post(f"/api/v1/guidance/templates/{draft['id']}/approve").status_code == 200
    return draft["id"]


def test_newcomer_downloads_a_current_leaflet_then_sees_it_superseded(
        app, client_for, template_id):
    lawyer = client_for("a", Role.LAWYER)
    first = publish(lawyer, template_id)
    visitor = app.test_client()
    listed = visitor.get("/api/v1/leaflets?language=ru&origin_country=KG").get_json()
    assert [item["code"] for item in listed] == [first["code"]]
    download = visitor.get(first["download_url"])
    assert download.status_code == 200
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["ETag"] == f'"{first["pdf_sha256"]}"'
    assert "immutable" in download.headers["Cache-Control"]
    assert "max-age=31536000" in download.headers["Cache-Control"]
    text = pdf_text(download.data)
    assert "Повестка о мобилизации" in text and first["code"] in text
    page = visitor.get(first["verify_url"])
    assert page.status_code == 200 and 'data-state="current"' in page.text
    assert 'lang="ru"' in page.text

    newer_template = new_template_version(client_for, template_id)
    # The advice changed but no new leaflet exists yet: the printed one must not say current.
    assert 'data-state="superseded"' in visitor.get(first["verify_url"]).text
    assert visitor.get("/api/v1/leaflets").get_json() == []
    second = publish(lawyer, newer_template)
    page = visitor.get(first["verify_url"])
    assert 'data-state="superseded"' in page.text
    assert second["download_url"] in page.text
    assert [item["code"] for item in visitor.get("/api/v1/leaflets").get_json()] == [
        second["code"]]


def test_a_cached_copy_revalidates_without_counting_a_download(app, client_for, template_id):
    leaflet = publish(client_for("a", Role.LAWYER), template_id)
    visitor = app.test_client()
    visitor.get(leaflet["download_url"])
    again = visitor.get(leaflet["download_url"],
                        headers={"If-None-Match": f'"{leaflet["pdf_sha256"]}"'})
    assert again.status_code == 304
    with app.app_context():
        assert db.session.scalars(select(LeafletDownload.count)).all() == [1]
    stats = client_for("a", Role.LAWYER).get("/api/v1/leaflets/stats").get_json()
    assert [(s["language"], s["downloads"]) for s in stats] == [("ru", 1)]


def test_a_revoked_leaflet_says_why_and_leaves_the_catalogue(app, client_for, template_id):
    lawyer = client_for("a", Role.LAWYER)
    leaflet = publish(lawyer, template_id)
    revoked = lawyer.post(f"/api/v1/leaflets/{leaflet['id']}/revoke",
                          json={"reason": "Статья изменена"})
    assert revoked.status_code == 200 and revoked.get_json()["state"] == "revoked"
    page = app.test_client().get(leaflet["verify_url"])
    assert 'data-state="revoked"' in page.text and "Статья изменена" in page.text
    assert app.test_client().get("/api/v1/leaflets").get_json() == []


def test_another_consulate_cannot_revoke_and_operators_cannot_publish(
        client_for, template_id):
    leaflet = publish(client_for("a", Role.LAWYER), template_id)
    assert client_for("b", Role.LAWYER).post(
        f"/api/v1/leaflets/{leaflet['id']}/revoke", json={"reason": "not ours"}).status_code == 404
    assert client_for("a", Role.OPERATOR).post("/api/v1/leaflets/publish", json={
        "template_id": template_id, "language": "ru"}).status_code == 403


def test_unknown_topic_or_language_is_a_404_listing_what_exists(app):
    response = app.test_client().get("/api/v1/leaflets?language=xx")
    assert response.status_code == 404
    assert "ky" in response.get_json()["error"]["fields"]["language"]
    response = app.test_client().get("/api/v1/leaflets?topic=weather")
    assert "mobilisation_notice" in response.get_json()["error"]["fields"]["topic"]


def test_a_language_without_translation_is_refused_with_the_languages_that_exist(
        client_for, template_id):
    response = client_for("a", Role.LAWYER).post("/api/v1/leaflets/publish", json={
        "template_id": template_id, "language": "ky"})
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"]["language"][0].endswith("en, ru")


def test_the_catalogue_page_offers_the_languages_that_exist(app, client_for, template_id):
    publish(client_for("a", Role.LAWYER), template_id)
    page = app.test_client().get("/leaflets?language=tg", headers={"Accept-Language": "ru"})
    assert page.status_code == 200
    assert 'data-available="ru"' in page.text


def test_a_draft_can_be_previewed_before_publishing(client_for, template_id):
    lawyer = client_for("a", Role.LAWYER)
    draft = lawyer.post(f"/api/v1/guidance/templates/{template_id}/versions", json={
        "title": {"ru": "Черновик памятки", "en": "Draft leaflet"}}).get_json()
    preview = lawyer.post("/api/v1/leaflets/preview",
                          json={"template_id": draft["id"], "language": "ru"})
    assert preview.status_code == 200 and preview.mimetype == "application/pdf"
    assert "Черновик памятки" in pdf_text(preview.data)


def test_public_endpoints_are_rate_limited(app):
    limited = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=app.config[
        "SQLALCHEMY_DATABASE_URI"], PUBLIC_RATE_LIMIT="3 per minute")
    visitor = limited.test_client()
    statuses = [visitor.get("/api/v1/leaflets").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert visitor.get("/api/v1/leaflets").get_json()["error"]["code"] == "too_many_requests"
