"""Leaflets in the migrants' languages, through HTTP: a Kyrgyz leaflet from import to
verification, the catalogue in every visitor's language, the page offering the languages that
exist, and the unreviewed-translation notice."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
import yaml

from migrantdesk.auth.permissions import Role
from migrantdesk.core.db import db
from migrantdesk.guidance import translations
from migrantdesk.guidance.content_library import import_all
from migrantdesk.leaflets import rendering, services
from tests.cases.test_cases_api import open_case
from tests.guidance.test_content_library import content_dir
from tests.guidance.test_translations import FIXTURES
from tests.leaflets.test_leaflets import pdf_text
from tests.leaflets.test_rendering import leaflet

KEY = "KG-RU-MOBILISATION"
KY_TITLE = "Россиядагы мобилизация чакыруу кагазы: Кыргызстандын жарандарына"
KY_NOTICE = "Бул котормону эне тили кыргыз тили болгон юрист азырынча текшере элек."


def words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def library(app, world, tmp_path):
    """Import the shipped library with a Kyrgyz translation; call again with a `change` to the
    translation file to import a new version of it."""
    directory = content_dir(tmp_path, translations=False)
    (directory / "translations").mkdir()

    def load(change=None, review="unreviewed"):
        document = yaml.safe_load((FIXTURES / "ky.yaml").read_text(encoding="utf-8"))
        document["templates"][0]["review"] = review
        if change:
            document["templates"][0]["body"] = change(document["templates"][0]["body"])
        (directory / "translations" / "ky.yaml").write_text(
            yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
        with app.app_context():
            import_all(directory)
            db.session.commit()
    load()
    return load


def current_template(client) -> dict:
    [template] = client.get(f"/api/v1/guidance/templates?key={KEY}&status=published").get_json()
    return template


def publish(client, template_id: int, language: str) -> dict:
    response = client.post("/api/v1/leaflets/publish",
                           json={"template_id": template_id, "language": language})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_newcomer_gets_a_kyrgyz_leaflet_that_says_current_then_superseded(
        app, client_for, library):
    lawyer = client_for("a", Role.LAWYER)
    first = publish(lawyer, current_template(lawyer)["id"], "ky")
    visitor = app.test_client()

    listed = visitor.get("/api/v1/leaflets?language=ky&origin_country=KG").get_json()
    assert [(item["code"], item["title"]) for item in listed] == [(first["code"], KY_TITLE)]
    page = visitor.get("/leaflets?language=ky", headers={"Accept-Language": "ky"})
    assert page.status_code == 200 and '<html lang="ky">' in page.text
    assert "<h1>Эскертмелер</h1>" in page.text and KY_TITLE in page.text
    assert first["download_url"] in page.text and ">кыргызча<" in page.text

    text = words(pdf_text(visitor.get(first["download_url"]).data))
    assert KY_TITLE in text and KY_NOTICE in text
    assert "Ишеним телефону" in text and "Мыйзам эмне дейт" in text
    # The provisions are cited the way the region cites them, never in English.
    assert "УК КР, ст. 256" in text and "Criminal Code" not in text
    [printed_url] = re.findall(r"https?://\S+/v/[A-Z0-9]+", text)
    assert printed_url.endswith(first["verify_url"])

    scanned = visitor.get(printed_url)
    assert scanned.status_code == 200 and '<html lang="ky">' in scanned.text
    assert 'data-state="current"' in scanned.text and "Бул эскертме күчүндө." in scanned.text
    assert KY_NOTICE in scanned.text

    library(change=lambda body: body.replace("Эмне кылуу керек:", "Эмне кылыш керек:"))
    newer = current_template(lawyer)
    assert newer["version"] == 2 and "Эмне кылыш керек:" in newer["body"]["ky"]
    second = publish(lawyer, newer["id"], "ky")

    rescanned = visitor.get(printed_url)
    assert 'data-state="superseded"' in rescanned.text
    assert "Бул эскертменин ордуна жаңысы чыккан." in rescanned.text
    assert second["download_url"] in rescanned.text and second["code"] in rescanned.text
    assert [item["code"] for item in visitor.get("/api/v1/leaflets?language=ky").get_json()
            ] == [second["code"]]


def test_a_reviewed_translation_prints_no_notice(client_for, library):
    library(review="reviewed")
    lawyer = client_for("a", Role.LAWYER)
    preview = lawyer.post("/api/v1/leaflets/preview",
                          json={"template_id": current_template(lawyer)["id"], "language": "ky"})
    text = words(pdf_text(preview.data))
    assert KY_TITLE in text and KY_NOTICE not in text


def test_russian_and_english_leaflets_print_no_notice_and_cite_as_before(client_for, library):
    lawyer = client_for("a", Role.LAWYER)
    template_id = current_template(lawyer)["id"]
    russian = words(pdf_text(lawyer.post("/api/v1/leaflets/preview", json={
        "template_id": template_id, "language": "ru"}).data))
    english = words(pdf_text(lawyer.post("/api/v1/leaflets/preview", json={
        "template_id": template_id, "language": "en"}).data))
    assert "УК КР, ст. 256" in russian and "юрист — носителем языка" not in russian
    assert "Criminal Code of the Kyrgyz Republic" in english and "native-speaking" not in english


def test_a_language_the_template_lacks_is_refused_with_those_it_has(client_for, library):
    lawyer = client_for("a", Role.LAWYER)
    response = lawyer.post("/api/v1/leaflets/publish", json={
        "template_id": current_template(lawyer)["id"], "language": "tg"})
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"]["language"] == ["Доступно: en, ky, ru"]


def test_a_language_without_leaflets_gets_a_page_offering_those_that_exist(
        app, client_for, library):
    lawyer = client_for("a", Role.LAWYER)
    template_id = current_template(lawyer)["id"]
    publish(lawyer, template_id, "ky")
    publish(lawyer, template_id, "ru")

    page = app.test_client().get("/leaflets?language=tg", headers={"Accept-Language": "tg"})
    assert page.status_code == 200 and '<html lang="tg">' in page.text
    assert "Ба ин забон ҳоло дастурамал нест." in page.text
    assert re.findall(r'data-available="([^"]+)"', page.text) == ["ky", "ru"]
    assert ">кыргызча<" in page.text and ">русский<" in page.text
    # Only languages that have leaflets for the other filters are offered.
    other = app.test_client().get("/leaflets?language=tg&origin_country=UZ")
    assert "data-available" not in other.text and "No leaflets match." in other.text


def test_an_unknown_language_on_the_catalogue_page_is_a_404_listing_those_that_exist(app):
    page = app.test_client().get("/leaflets?language=xx", headers={"Accept-Language": "kk"})
    assert page.status_code == 404 and '<html lang="kk">' in page.text
    assert "Мұндай атаумен ештеңе жоқ." in page.text
    assert set(re.findall(r'data-exists="([^"]+)"', page.text)) == {
        "ky", "ru", "uz-Latn", "uz-Cyrl", "tg", "kk", "tk", "en"}


@pytest.mark.parametrize(("header", "lang", "heading"), [
    ("en", "en", "Briefing leaflets"), ("ru", "ru", "Памятки"), ("ky", "ky", "Эскертмелер"),
    ("kk", "kk", "Жаднамалар"), ("uz-Latn", "uz-Latn", "Eslatmalar"),
    ("uz-Cyrl", "uz-Cyrl", "Эслатмалар"), ("tg", "tg", "Дастурамалҳо"),
    ("tk", "tk", "Ýatlatmalar"),
])
def test_the_catalogue_page_speaks_the_visitors_language(app, header, lang, heading):
    page = app.test_client().get("/leaflets", headers={"Accept-Language": header})
    assert page.status_code == 200
    assert f'<html lang="{lang}">' in page.text and f"<h1>{heading}</h1>" in page.text


def test_a_case_briefing_comes_in_kyrgyz(operator_a, world):
    case = open_case(operator_a)
    response = operator_a.get(f"/api/v1/cases/{case['id']}/briefing.pdf?language=ky")
    assert response.status_code == 200
    text = words(pdf_text(response.data))
    assert "Консулдукта алган кеңешиңиз" in text and "Ишеним телефону" in text


@pytest.mark.parametrize("language", ["ky", "kk", "uz-Latn", "uz-Cyrl", "tg", "tk"])
def test_each_languages_labels_and_notice_are_printable_and_printed(app, language):
    with app.test_request_context():
        labels, notice = services._labels(language), services.unreviewed_notice(language)
    content = leaflet(language=language, labels=labels, notice=notice)
    assert notice != services.unreviewed_notice("en")

    pdf, problems = rendering.render_for_publishing(content)

    assert problems == [] and pdf is not None
    text = words(pdf_text(pdf))
    assert notice in text and labels["hotline"] in text and labels["law"] in text


@pytest.mark.parametrize(("key", "article", "part", "language", "cited"), [
    ("RU-CC-328-1", "328", "1", "ky", "УК РФ, ст. 328, ч. 1"),
    ("TJ-CC-401-NOTE", "401", "note", "tg", "УК РТ, ст. 401, примечание"),
    ("KZ-CAO-496", "496", None, "kk", "КоАП РК, ст. 496"),
    ("RU-DECREE-647", None, None, "tk", "Russiýa"),
    ("UZ-CIT-SINGLE", None, None, "uz-Cyrl", "Ўзбекистон"),
])
def test_provisions_are_cited_without_their_english_names(key, article, part, language, cited):
    provision = SimpleNamespace(key=key, jurisdiction=key[:2], article=article, part=part,
                                instrument="Criminal Code", title="Mercenarism")
    assert services._citation(provision, language) == cited


def test_the_translated_languages_are_the_leaflet_languages_but_russian_and_english():
    assert {*translations.LANGUAGES, "ru", "en"} == set(services.LEAFLET_LANGUAGES)
