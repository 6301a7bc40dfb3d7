from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from flask_babel import force_locale, gettext

from migrantdesk.config import PROJECT_ROOT, Config
from migrantdesk.core.i18n import babel

LOCALES = PROJECT_ROOT / "locales"
# Every interface language but English, the source language of the messages.
CATALOGUES = [language for language in Config.LANGUAGES if language != "en"]
_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def msgids(path: Path) -> set[str]:
    with path.open("rb") as handle:
        return {m.id for m in read_po(handle) if m.id}


def catalogue(language: str) -> Catalog:
    with (LOCALES / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle)


def public_msgids() -> set[str]:
    """The messages a migrant reads: leaflet PDFs and briefings, the catalogue page, /v/."""
    found: set[str] = set()
    for path in (PROJECT_ROOT / "templates" / "leaflets").glob("*.html"):
        if not path.name.startswith("manage"):  # staff pages
            found |= {m[1] for m in extract_from_file("jinja2.ext:babel_extract", str(path))}
    for path in (PROJECT_ROOT / "migrantdesk" / "leaflets").glob("*.py"):
        if path.name != "pages.py":  # staff pages
            found |= {m[1] for m in extract_from_file("python", str(path))}
    return found


def test_messages_pot_is_in_sync_with_the_code(tmp_path):
    fresh = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
                    str(LOCALES / "babel.cfg"), "-k", "_l", "-k", "lazy_gettext",
                    "--no-location", "-o", str(fresh), "."],
                   cwd=PROJECT_ROOT, check=True, capture_output=True)
    assert msgids(fresh) == msgids(LOCALES / "messages.pot"), "run scripts/i18n"


def test_russian_catalogue_translates_every_message():
    untranslated = [m.id for m in catalogue("ru") if m.id and (not m.string or m.fuzzy)]
    assert untranslated == []
    assert {m.id for m in catalogue("ru") if m.id} == msgids(LOCALES / "messages.pot")


def test_a_catalogue_ships_for_every_interface_language_and_no_other():
    shipped = {path.parent.parent.name for path in LOCALES.glob("*/LC_MESSAGES/messages.po")}
    assert shipped == set(CATALOGUES)


@pytest.mark.parametrize("language", CATALOGUES)
def test_every_catalogue_is_in_sync_and_translates_what_migrants_read(language):
    messages = catalogue(language)
    assert {m.id for m in messages if m.id} == msgids(LOCALES / "messages.pot"), "scripts/i18n"
    public = public_msgids()
    assert "This leaflet is current." in public and "Hotline" in public
    missing = sorted(m.id for m in messages
                     if m.id in public and (not m.string or m.fuzzy))
    assert missing == []


@pytest.mark.parametrize("language", CATALOGUES)
def test_translations_keep_every_placeholder(language):
    def placeholders(text: str | tuple[str, ...]) -> list[str]:
        forms = (text,) if isinstance(text, str) else text
        return sorted({found for form in forms if form for found in _PLACEHOLDER.findall(form)})

    changed = [m.id for m in catalogue(language) if m.id and m.string and any(m.string)
               and placeholders(m.id) != placeholders(m.string)]
    assert changed == []


@pytest.mark.parametrize("language", CATALOGUES)
def test_babel_and_flask_babel_know_each_locale(app, language):
    assert str(Locale.parse(language)) == language
    with app.test_request_context():
        assert language in {str(locale) for locale in babel.list_translations()}
        with force_locale(language):
            assert gettext("This leaflet is current.") != "This leaflet is current."


def test_api_errors_come_in_the_browser_language(app):
    response = app.test_client().get("/api/v1/cases", headers={"Accept-Language": "ru,en;q=0.5"})
    assert response.status_code == 401
    assert response.get_json()["error"]["message"] == "Пожалуйста, войдите в систему."


def test_api_errors_follow_the_users_own_language_setting(client_for):
    client = client_for("a")
    client.patch("/api/v1/auth/me", json={"preferred_language": "ru"})
    response = client.post("/api/v1/calls", json={"caller_phone": "12345"},
                           headers={"Accept-Language": "en"})
    assert response.get_json()["error"]["message"] == "Некоторые поля заполнены неверно."


def test_a_browser_language_without_translation_falls_to_the_next_one_it_accepts(app):
    response = app.test_client().get("/api/v1/cases",
                                     headers={"Accept-Language": "fa,ru;q=0.8,en;q=0.5"})
    assert response.get_json()["error"]["message"] == "Пожалуйста, войдите в систему."


@pytest.mark.parametrize(("header", "message"), [
    ("ky,ru;q=0.8", "Сураныч, системага кириңиз."),
    ("uz-Latn,ru;q=0.8", "Iltimos, tizimga kiring."),
    ("uz-Cyrl", "Илтимос, тизимга киринг."),
    ("tk", "Ulgama giriň."),
    # A region or no script at all: the language still wins over the second choice.
    ("uz-UZ,ru;q=0.8", "Iltimos, tizimga kiring."),
    ("kk-KZ,ru;q=0.8", "Жүйеге кіріңіз."),
    ("ru;q=0.5,tg-TJ", "Лутфан, ба система ворид шавед."),
])
def test_a_migrants_own_language_is_now_served(app, header, message):
    response = app.test_client().get("/api/v1/cases", headers={"Accept-Language": header})
    assert response.get_json()["error"]["message"] == message


def hotline_msgids() -> set[str]:
    """What an operator reads on the hotline screen: its templates, its code and the layout."""
    found: set[str] = set()
    for path in [*(PROJECT_ROOT / "templates" / "calls").glob("*.html"),
                 PROJECT_ROOT / "templates" / "staff.html"]:
        found |= {m[1] for m in extract_from_file("jinja2.ext:babel_extract", str(path))}
    for path in (PROJECT_ROOT / "migrantdesk" / "calls").glob("*.py"):
        found |= {m[1] for m in extract_from_file("python", str(path))}
    return {m if isinstance(m, str) else m[0] for m in found}


@pytest.mark.parametrize("language", ["ru", "ky", "uz_Latn", "tg", "kk"])
def test_every_interface_catalogue_translates_the_hotline_screen(language):
    wanted = hotline_msgids()
    assert "Start a call" in wanted or len(wanted) > 50
    missing = sorted(m.id if isinstance(m.id, str) else m.id[0] for m in catalogue(language)
                     if (m.id if isinstance(m.id, str) else (m.id or ("",))[0]) in wanted
                     and (not m.string or not any(m.string if isinstance(m.string, tuple)
                                                  else (m.string,))))
    assert missing == []


@pytest.mark.parametrize("language", ["ru", "ky", "uz_Latn", "tg", "kk"])
def test_the_whole_staff_interface_is_translated_into_each_interface_language(language):
    """Uzbek Cyrillic and Turkmen are leaflet languages: there only what migrants read must be."""
    empty = [m.id for m in catalogue(language)
             if m.id and not (m.string if isinstance(m.string, str) else any(m.string))]
    assert empty == []
