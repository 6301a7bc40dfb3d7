"""The hotline screen through the Flask test client: each step's form and fragment, errors
beside the fields in the user's language, stale edits, office scoping, roles and CSRF."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from migrantdesk.auth.models import User
from migrantdesk.auth.permissions import Role
from migrantdesk.core.db import db
from migrantdesk.guidance.content_library import import_all
from tests.conftest import scalar
from tests.migrants.test_migrants_api import ASANOV


def speak(app, world, label: str, role: Role, language: str) -> None:
    with app.app_context():
        db.session.get(User, world.user(label, role).id).preferred_language = language
        db.session.commit()


@pytest.fixture
def operator(app, world, client_for):
    speak(app, world, "a", Role.OPERATOR, "en")
    return client_for("a", Role.OPERATOR)


@pytest.fixture
def guidance_library(app):
    with app.app_context():
        import_all()
        db.session.commit()


def start(client, phone: str = "") -> int:
    response = client.post("/hotline/calls", data={"caller_phone": phone})
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def migrant(client, **overrides) -> int:
    response = client.post("/api/v1/migrants", json={**ASANOV, **overrides})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def with_case(client, category: str = "mobilisation_notice") -> tuple[int, int]:
    call_id = start(client)
    client.post(f"/hotline/calls/{call_id}/caller", data={"migrant_id": migrant(client)})
    response = client.post(f"/hotline/calls/{call_id}/cases",
                           data={"category": category, "summary": "Summons at work"})
    assert response.status_code == 302, response.get_data(as_text=True)
    return call_id, scalar(client.application, "SELECT case_id FROM calls WHERE id = :i",
                           i=call_id)


def html(response) -> str:
    return response.get_data(as_text=True)


def test_starting_a_call_logs_it_at_once_and_opens_its_screen(app, operator):
    landing = html(operator.get("/hotline"))
    assert "Start a call" in landing and "<kbd>Alt</kbd>+<kbd>N</kbd>" in landing
    call_id = start(operator, "8 912 345 67 89")
    assert scalar(app, "SELECT caller_phone FROM calls WHERE id = :i", i=call_id) == \
        "+79123456789"
    page = html(operator.get(f"/hotline/calls/{call_id}"))
    assert f"Call {call_id}" in page and "Started at" in page
    assert re.search(r'<input id="field-q" name="q" type="search"[^>]*autofocus', page)
    assert 'aria-live="polite"' in page


def test_search_finds_a_caller_across_scripts_with_a_typo_within_the_office_only(
        operator, client_for):
    own = migrant(operator)
    migrant(client_for("b", Role.OPERATOR))  # the same person registered in Kazan
    call_id = start(operator)
    found = html(operator.post(f"/hotline/calls/{call_id}/search", data={"q": "Асанав Бакыт"}))
    assert "1 caller found." in found
    assert f'name="migrant_id" value="{own}"' in found
    assert "Асанов" in found and "Asanov" in found and "born 1990" in found
    assert "phone …6789" in found and "0 open cases" in found
    assert html(operator.post(f"/hotline/calls/{call_id}/search", data={"q": "As"})).count(
        "Type at least 3 characters") == 1
    # Names and numbers never travel in a URL.
    assert operator.get(f"/hotline/calls/{call_id}/search?q=Asanov").status_code == 405


def test_search_by_number_shows_earlier_unidentified_calls_from_it(operator):
    earlier = start(operator, "+7 912 345-67-89")
    operator.post(f"/hotline/calls/{earlier}/end", data={"summary": "Asked about patents"})
    call_id = start(operator)
    found = html(operator.post(f"/hotline/calls/{call_id}/search", data={"q": "89123456789"}))
    assert "Earlier calls from this number" in found and "Asked about patents" in found


def test_another_offices_call_answers_404(operator, client_for):
    call_id = start(client_for("b", Role.OPERATOR))
    assert operator.get(f"/hotline/calls/{call_id}").status_code == 404
    assert operator.post(f"/hotline/calls/{call_id}/search", data={"q": "Asanov"}
                         ).status_code == 404
    assert operator.post(f"/hotline/calls/{call_id}/end", data={"summary": "x"}
                         ).status_code == 404


def test_choosing_a_caller_links_the_call_and_offers_their_open_cases(app, operator):
    migrant_id = migrant(operator)
    operator.post("/api/v1/cases", json={"migrant_id": migrant_id, "category": "document_status",
                                         "summary": "Passport lost"})
    call_id = start(operator)
    assert operator.post(f"/hotline/calls/{call_id}/caller",
                         data={"migrant_id": migrant_id}).status_code == 302
    assert scalar(app, "SELECT migrant_id FROM calls WHERE id = :i", i=call_id) == migrant_id
    page = html(operator.get(f"/hotline/calls/{call_id}"))
    assert "Document status" in page and "Passport lost" in page
    assert '<option value="mobilisation_notice"' in page and "Mobilisation notice" in page
    # The wrong person chosen: the call is unidentified again and the search is back.
    assert operator.post(f"/hotline/calls/{call_id}/caller/forget").status_code == 302
    assert scalar(app, "SELECT migrant_id FROM calls WHERE id = :i", i=call_id) is None
    assert 'id="field-q"' in html(operator.get(f"/hotline/calls/{call_id}"))


def test_a_new_caller_is_registered_with_verbal_consent_and_linked(app, operator):
    call_id = start(operator)
    response = operator.post(f"/hotline/calls/{call_id}/new-caller", data={
        "surname_cyrl": "Токтогулов", "surname_latn": "Toktogulov", "phone": "+996 555 765 432",
        "citizenship": ["KG", "RU"], "preferred_language": "ky",
        "consent": ["case_handling", "call_back"]})
    assert response.status_code == 302
    migrant_id = scalar(app, "SELECT migrant_id FROM calls WHERE id = :i", i=call_id)
    assert scalar(app, "SELECT surname_latn FROM migrants WHERE id = :i", i=migrant_id) == \
        "Toktogulov"
    assert scalar(app, "SELECT count(*) FROM consents WHERE migrant_id = :i "
                       "AND method = 'verbal_on_call'", i=migrant_id) == 2
    assert scalar(app, "SELECT count(*) FROM citizenships WHERE migrant_id = :i",
                  i=migrant_id) == 2


def test_new_caller_errors_show_beside_the_fields_in_russian_keeping_the_input(
        app, world, client_for):
    speak(app, world, "a", Role.OPERATOR, "ru")
    client = client_for("a", Role.OPERATOR)
    call_id = start(client)
    response = client.post(f"/hotline/calls/{call_id}/new-caller", data={
        "surname_cyrl": "Асанов", "given_names_cyrl": "Бакыт", "phone": "12345",
        "consent": ["case_handling"]})
    assert response.status_code == 422
    page = html(response)
    assert re.search(r'id="error-phone">[^<]*номер', page), page
    assert 'value="Бакыт"' in page and 'value="12345"' in page
    assert re.search(r'id="consent-case_handling"[^>]*checked', page)
    assert scalar(app, "SELECT count(*) FROM migrants") == 0
    nameless = html(client.post(f"/hotline/calls/{call_id}/new-caller",
                                data={"given_names_cyrl": "Бакыт"}))
    assert re.search(r'id="error-surname_cyrl">Укажите фамилию', nameless)


def test_a_case_refused_for_missing_consent_offers_to_record_it(app, operator):
    call_id = start(operator)
    migrant_id = migrant(operator, consents=[])
    linked = operator.post(f"/hotline/calls/{call_id}/caller", data={"migrant_id": migrant_id})
    assert linked.status_code in (302, 303), linked.get_data(as_text=True)[-800:]
    response = operator.post(f"/hotline/calls/{call_id}/cases",
                             data={"category": "mobilisation_notice", "summary": "Summons"})
    assert response.status_code == 409  # migrants.consent refuses case work without consent
    page = html(response)
    assert "cannot be opened without the caller" in page
    assert re.search(r'id="give-consent-case_handling"[^>]*checked', page)
    assert 'value="Summons"' in page
    # The call's own summary is not filled with the case's.
    assert re.search(r'<textarea id="field-summary"[^>]*>\s*</textarea>', page)
    assert operator.post(f"/hotline/calls/{call_id}/consent",
                         data={"consent": "case_handling"}).status_code == 302
    assert scalar(app, "SELECT purpose FROM consents WHERE migrant_id = :i",
                  i=migrant_id) == "case_handling"


def test_the_fact_form_is_generated_from_the_category_schema(operator):
    call_id, _case_id = with_case(operator)
    page = html(operator.get(f"/hotline/calls/{call_id}"))
    assert re.search(r'<input id="field-received_on" name="received_on" type="date"', page)
    assert re.search(r'<input id="field-appear_by" name="appear_by" type="datetime-local"', page)
    assert re.search(r'<select id="field-delivery" name="delivery"', page)
    assert '<option value="via_employer" >Through the employer</option>' in page
    assert re.search(r'<input id="field-anything_signed" name="anything_signed" '
                     r'type="checkbox"', page)
    assert '<label for="field-received_on">Notice received on</label>' in page


def test_saving_facts_stores_them_and_refreshes_the_guidance(app, operator, guidance_library):
    call_id, case_id = with_case(operator)
    appear = (datetime.now(UTC) + timedelta(hours=50)).astimezone(ZoneInfo("Europe/Moscow"))
    response = operator.post(f"/hotline/calls/{call_id}/facts", headers={"HX-Request": "true"},
                             data={"version": 1, "received_on": "2026-11-20",
                                   "appear_by": appear.strftime("%Y-%m-%dT%H:%M"),
                                   "delivery": "at_work"})
    assert response.status_code == 200, html(response)
    assert response.headers["HX-Trigger"] == "facts-saved"
    assert "Facts saved." in html(response)
    facts = operator.get(f"/api/v1/cases/{case_id}").get_json()["facts"]
    assert facts["received_on"] == "2026-11-20" and facts["delivery"] == "at_work"
    assert facts["appear_by"].endswith("+03:00")
    panel = html(operator.get(f"/hotline/calls/{call_id}/guidance"))
    # The caller has no language on record: the Russian text.
    assert "Повестка о мобилизации в России: гражданам Кыргызстана" in panel
    assert "URGENT" in panel and re.search(r"(49|50)(\.\d)? hours left", panel)
    assert "Dual-citizenship risk" in panel and "Source" in panel
    assert "needs verification" in panel or "reported, one source" in panel
    assert "Not yet verified" not in panel


def test_fact_errors_show_beside_the_fields_in_russian_with_the_input_kept(
        app, world, client_for):
    speak(app, world, "a", Role.OPERATOR, "ru")
    client = client_for("a", Role.OPERATOR)
    call_id, case_id = with_case(client)
    response = client.post(f"/hotline/calls/{call_id}/facts", headers={"HX-Request": "true"},
                           data={"version": 1, "received_on": "2099-01-01",
                                 "issuing_office": "Военкомат ЦАО"})
    assert response.status_code == 422
    page = html(response)
    assert re.search(r'id="error-received_on">Не может быть в будущем', page), page
    assert 'value="2099-01-01"' in page and 'value="Военкомат ЦАО"' in page
    assert 'aria-describedby="error-received_on"' in page
    assert client.get(f"/api/v1/cases/{case_id}").get_json()["facts"] == {}


def test_a_stale_fact_edit_says_who_changed_the_case_and_keeps_the_input(
        app, world, operator, client_for):
    call_id, case_id = with_case(operator)
    colleague = client_for("a", Role.LAWYER)
    assert colleague.patch(f"/api/v1/cases/{case_id}", json={
        "version": 1, "facts": {"issuing_office": "Commissariat"}}).status_code == 200
    # The operator's form was drawn before the colleague's change: issuing office blank.
    response = operator.post(f"/hotline/calls/{call_id}/facts", headers={"HX-Request": "true"},
                             data={"version": 1, "facts_loaded": "{}", "issuing_office": "",
                                   "what_was_signed": "Nothing yet"})
    assert response.status_code == 409
    page = html(response)
    assert f"{world.user('a', Role.LAWYER).name} changed this case at" in page
    assert "Reload the case" in page
    # Their change is loaded, the operator's input kept and marked, the version current.
    assert 'value="Commissariat"' in page and ">Nothing yet</textarea>" in page
    assert re.search(r'id="hint-what_was_signed">your input<', page)
    assert 'id="hint-issuing_office"' not in page
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    loaded = re.search(r'name="facts_loaded" value="([^"]*)"', page).group(1)
    assert operator.get(f"/api/v1/cases/{case_id}").get_json()["facts"] == {
        "issuing_office": "Commissariat"}
    saved = operator.post(f"/hotline/calls/{call_id}/facts", headers={"HX-Request": "true"},
                          data={"version": version, "facts_loaded": unescape(loaded),
                                "issuing_office": "Commissariat",
                                "what_was_signed": "Nothing yet"})
    assert saved.status_code == 200
    assert operator.get(f"/api/v1/cases/{case_id}").get_json()["facts"] == {
        "issuing_office": "Commissariat", "what_was_signed": "Nothing yet"}


def test_saving_sends_only_what_the_operator_changed(operator, client_for):
    call_id, case_id = with_case(operator)
    page = html(operator.get(f"/hotline/calls/{call_id}"))
    loaded = re.search(r'name="facts_loaded" value="([^"]*)"', page).group(1)
    assert loaded == "{}"
    client_for("a", Role.LAWYER).patch(f"/api/v1/cases/{case_id}", json={
        "version": 1, "facts": {"delivery": "by_post"}})
    # A stale form that did not touch `delivery` does not clear it (the version still guards).
    response = operator.post(f"/hotline/calls/{call_id}/facts", data={
        "version": 2, "facts_loaded": "{}", "delivery": "", "received_on": "2026-11-20"})
    assert response.status_code == 302
    assert operator.get(f"/api/v1/cases/{case_id}").get_json()["facts"] == {
        "delivery": "by_post", "received_on": "2026-11-20"}


def test_marking_guidance_as_given_records_it_with_the_call(app, operator, guidance_library):
    call_id, case_id = with_case(operator)
    template_id = scalar(app, "SELECT id FROM guidance_templates WHERE key = 'KG-RU-MOBILISATION'")
    response = operator.post(f"/hotline/calls/{call_id}/guidance",
                             headers={"HX-Request": "true"},
                             data={"template_id": template_id, "language": "ru"})
    assert response.status_code == 200
    assert "Recorded as given." in html(response) and "Mark as given again" in html(response)
    row = db_row(app, "SELECT case_id, call_id, language FROM guidance_given")
    assert row == (case_id, call_id, "ru")


def db_row(app, sql: str):
    with app.app_context():
        return tuple(db.session.execute(text(sql)).one())


def test_the_template_says_which_languages_exist_when_the_callers_is_missing(
        app, operator, guidance_library):
    call_id = start(operator)
    operator.post(f"/hotline/calls/{call_id}/caller", data={
        "migrant_id": migrant(operator, preferred_language="tk")})
    operator.post(f"/hotline/calls/{call_id}/cases", data={
        "category": "mobilisation_notice", "summary": "Summons"})
    panel = html(operator.get(f"/hotline/calls/{call_id}/guidance"))
    # The Kyrgyz consulate's mobilisation template is translated into Kyrgyz, not Turkmen.
    assert "Not available in Turkmen. Available in: " in panel and "Kyrgyz" in panel
    assert "Shown in Russian." in panel
    assert "Повестка о мобилизации в России" in panel


def test_ending_the_call_saves_summary_and_outcome_and_resets_the_screen(app, operator):
    call_id = start(operator)
    response = operator.post(f"/hotline/calls/{call_id}/end", headers={"HX-Request": "true"},
                             data={"summary": "Advised not to sign.", "outcome": "advice_given",
                                   "language": "ru"})
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == f"/hotline?ended={call_id}"
    row = db_row(app, "SELECT summary, outcome, language, ended_at IS NOT NULL FROM calls")
    assert row == ("Advised not to sign.", "advice_given", "ru", True)
    landing = html(operator.get(f"/hotline?ended={call_id}"))
    assert f'data-ended-call="{call_id}"' in landing and "Ready for the next call" in landing
    bad = operator.post(f"/hotline/calls/{call_id}/end", data={"outcome": "hung_up"})
    assert bad.status_code == 422 and 'id="error-outcome"' in html(bad)


@pytest.mark.parametrize("role", [Role.MANAGER, Role.ADMIN])
def test_roles_without_calls_write_are_refused(client_for, role):
    client = client_for("a", role)
    assert client.get("/hotline").status_code == 403
    assert client.post("/hotline/calls").status_code == 403
    assert client.post("/hotline/calls/1/search", data={"q": "Asanov"}).status_code == 403


def test_every_hotline_form_needs_the_csrf_token(app, operator):
    call_id = start(operator)
    del operator.environ_base["HTTP_X_CSRFTOKEN"]
    for path in ("/hotline/calls", f"/hotline/calls/{call_id}/search",
                 f"/hotline/calls/{call_id}/end"):
        assert operator.post(path, data={"q": "Asanov", "summary": "x"}).status_code == 400
    assert scalar(app, "SELECT count(*) FROM calls") == 1
    assert scalar(app, "SELECT summary FROM calls") is None
