"""The staff leaflet management pages: published guidance × languages with their leaflets,
preview, publish, revoke with a reason, download statistics; roles, CSRF and offices."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text

from migrantdesk.auth.permissions import Role
from migrantdesk.core.db import db
from migrantdesk.leaflets import downloads as leaflet_downloads
from tests.conftest import login
from tests.leaflets import test_leaflets
from tests.leaflets.test_leaflets import pdf_text

published_template = test_leaflets.template_id  # a published guidance template (fixture)


def html(response) -> str:
    return response.get_data(as_text=True)


def rows(app, sql: str, **params):
    with app.app_context():
        return [tuple(r) for r in db.session.execute(text(sql), params).all()]


def publish_by_page(client, template_id, language="ru", page_format="A5"):
    return client.post("/leaflets/manage/publish", data={
        "template_id": template_id, "language": language, "page_format": page_format})


def test_manage_page_lists_each_language_of_published_guidance(client_for, published_template):
    page = html(client_for("a", Role.CONSUL).get("/leaflets/manage"))
    assert "Повестка о мобилизации" in page and "Mobilisation notice" in page
    assert page.count('name="template_id"') == 2  # ru and en
    assert "Пока нет" in page and "Опубликовать" in page
    assert 'formtarget="_blank"' in page  # the preview opens in a new tab


def test_publishing_from_the_page_stores_a_current_leaflet(app, client_for, published_template):
    consul = client_for("a", Role.CONSUL)
    response = publish_by_page(consul, published_template, page_format="A4")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"#series-{published_template}-ru")
    (code, page_format, state), = rows(
        app, "SELECT code, page_format, revoked_at IS NULL FROM leaflets")
    assert page_format == "A4" and state
    page = html(consul.get("/leaflets/manage"))
    assert f"Памятка опубликована, её код — {code}." in page
    assert "Действующая" in page and code in page


def test_preview_is_a_pdf_shown_inline_and_stores_nothing(app, client_for, published_template):
    response = client_for("a", Role.OPERATOR).post("/leaflets/manage/preview", data={
        "template_id": published_template, "language": "en", "page_format": "A5"})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("inline")
    assert "Mobilisation notice" in pdf_text(response.data)
    assert rows(app, "SELECT count(*) FROM leaflets") == [(0,)]


def test_a_language_without_a_template_text_is_refused_on_the_page(app, client_for,
                                                                   published_template):
    response = publish_by_page(client_for("a", Role.CONSUL), published_template, language="tg")
    assert response.status_code == 422
    assert "Доступно: en, ru" in html(response)
    assert rows(app, "SELECT count(*) FROM leaflets") == [(0,)]


def test_revoking_needs_a_reason_shown_beside_the_field(app, client_for, published_template):
    consul = client_for("a", Role.CONSUL)
    publish_by_page(consul, published_template)
    leaflet_id = rows(app, "SELECT id FROM leaflets")[0][0]
    refused = consul.post(f"/leaflets/manage/{leaflet_id}/revoke", data={"reason": ""})
    assert refused.status_code == 422
    page = html(refused)
    assert (f'<p class="field-error" id="error-reason-{leaflet_id}">Обязательное поле.</p>'
            in page)
    assert f'aria-describedby="error-reason-{leaflet_id}"' in page
    assert rows(app, "SELECT revoked_at FROM leaflets") == [(None,)]
    done = consul.post(f"/leaflets/manage/{leaflet_id}/revoke",
                       data={"reason": "Изменился закон"})
    assert done.status_code == 303
    assert rows(app, "SELECT revocation_reason FROM leaflets") == [("Изменился закон",)]
    page = html(consul.get("/leaflets/manage"))
    assert "Отозвана" in page and "Изменился закон" in page


def test_download_statistics_are_a_localised_table(app, client_for, published_template):
    consul = client_for("a", Role.CONSUL)
    publish_by_page(consul, published_template)
    leaflet_id = rows(app, "SELECT id FROM leaflets")[0][0]
    with app.app_context():
        for _ in range(1234):
            leaflet_downloads.pending[(leaflet_id, date(2026, 11, 2))] += 1
    page = html(consul.get("/leaflets/manage/stats"))
    assert "1\xa0234" in page  # Russian groups thousands with a no-break space
    assert "2 нояб. 2026" in page and "KG-RU-MOBILISATION v1" in page and "русский" in page


def test_operators_preview_but_cannot_publish_revoke_or_see_statistics(
        app, client_for, published_template):
    operator = client_for("a", Role.OPERATOR)
    page = html(operator.get("/leaflets/manage"))
    assert "Просмотр (в новой вкладке)" in page and "Опубликовать" not in page
    assert publish_by_page(operator, published_template).status_code == 403
    assert operator.get("/leaflets/manage/stats").status_code == 403
    assert client_for("a", Role.MANAGER).get("/leaflets/manage").status_code == 403
    assert rows(app, "SELECT count(*) FROM leaflets") == [(0,)]


def test_another_consulate_cannot_revoke_by_url(app, client_for, published_template):
    publish_by_page(client_for("a", Role.CONSUL), published_template)
    leaflet_id = rows(app, "SELECT id FROM leaflets")[0][0]
    response = client_for("b", Role.CONSUL).post(f"/leaflets/manage/{leaflet_id}/revoke",
                                                 data={"reason": "Не наша"})
    assert response.status_code == 404
    assert rows(app, "SELECT revoked_at FROM leaflets") == [(None,)]


def test_management_forms_need_the_csrf_token(app, world, published_template):
    consul = login(app.test_client(), world.user("a", Role.CONSUL))
    del consul.environ_base["HTTP_X_CSRFTOKEN"]
    assert publish_by_page(consul, published_template).status_code == 400
    assert rows(app, "SELECT count(*) FROM leaflets") == [(0,)]
