from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from migrantdesk.config import PROJECT_ROOT

LOCALES = PROJECT_ROOT / "locales"


def msgids(path: Path) -> set[str]:
    with path.open("rb") as handle:
        return {m.id for m in read_po(handle) if m.id}


def test_messages_pot_is_in_sync_with_the_code(tmp_path):
    fresh = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
                    str(LOCALES / "babel.cfg"), "-k", "_l", "-k", "lazy_gettext",
                    "--no-location", "-o", str(fresh), "."],
                   cwd=PROJECT_ROOT, check=True, capture_output=True)
    assert msgids(fresh) == msgids(LOCALES / "messages.pot"), "run scripts/i18n"


def test_russian_catalogue_translates_every_message():
    with (LOCALES / "ru" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalogue = read_po(handle)
    untranslated = [m.id for m in catalogue if m.id and (not m.string or m.fuzzy)]
    assert untranslated == []
    assert {m.id for m in catalogue if m.id} == msgids(LOCALES / "messages.pot")


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
                                     headers={"Accept-Language": "ky,ru;q=0.8,en;q=0.5"})
    assert response.get_json()["error"]["message"] == "Пожалуйста, войдите в систему."
