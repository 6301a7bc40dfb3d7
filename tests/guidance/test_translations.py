"""Template translations (content/translations/<tag>.yaml): imported with the templates as new
versions carrying the language and its review state, or rejected as a whole with file, line,
entry and field."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from migrantdesk.auth.permissions import Role
from migrantdesk.core.db import db
from migrantdesk.guidance.content_library import import_all
from migrantdesk.guidance.models import ContentStatus, GuidanceTemplate
from tests.guidance.test_content_library import content_dir, counts, rejection

FIXTURES = Path(__file__).with_name("translations")
KEY = "KG-RU-MOBILISATION"


def translated_dir(tmp_path: Path, change: Callable[[dict], None] | None = None,
                   name: str = "ky.yaml") -> Path:
    """The shipped content with the Kyrgyz fixture translation, edited by `change`."""
    directory = content_dir(tmp_path, translations=False)
    (directory / "translations").mkdir(exist_ok=True)
    document = yaml.safe_load((FIXTURES / "ky.yaml").read_text(encoding="utf-8"))
    if change:
        change(document)
    (directory / "translations" / name).write_text(
        yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return directory


def versions() -> list[GuidanceTemplate]:
    return list(db.session.scalars(select(GuidanceTemplate).where(GuidanceTemplate.key == KEY)
                                   .order_by(GuidanceTemplate.version)))


def test_a_translation_becomes_a_new_version_with_its_review_state(app_context, tmp_path):
    import_all(content_dir(tmp_path, translations=False))
    db.session.commit()

    report = import_all(translated_dir(tmp_path))
    db.session.commit()

    assert report.templates.superseded == [KEY]
    old, new = versions()
    assert (old.status, new.status) == (ContentStatus.RETIRED, ContentStatus.PUBLISHED)
    assert new.title["ky"].startswith("Россиядагы мобилизация")
    assert "256-берене" in new.body["ky"]
    assert (new.title["ru"], new.body["en"]) == (old.title["ru"], old.body["en"])
    assert new.translation_review == {"ky": "unreviewed"}
    assert not new.translation_reviewed("ky") and new.translation_reviewed("ru")


def test_importing_a_translation_twice_changes_nothing(app_context, tmp_path):
    directory = translated_dir(tmp_path)
    first = import_all(directory)
    db.session.commit()
    before = counts()

    again = import_all(directory)
    db.session.commit()

    assert KEY in first.templates.created and again.templates.superseded == []
    assert counts() == before
    [template] = versions()
    assert template.translation_review == {"ky": "unreviewed"}


def test_a_changed_translation_or_review_makes_another_version(app_context, tmp_path):
    import_all(translated_dir(tmp_path))
    db.session.commit()

    def reviewed(document: dict) -> None:
        document["templates"][0]["review"] = "reviewed"

    report = import_all(translated_dir(tmp_path, reviewed))
    db.session.commit()

    assert report.templates.superseded == [KEY]
    assert [t.translation_review for t in versions()] == [{"ky": "unreviewed"},
                                                          {"ky": "reviewed"}]
    assert versions()[-1].translation_reviewed("ky")


def test_the_template_api_shows_the_review_state_and_checks_it(app, client_for, tmp_path):
    with app.app_context():
        import_all(translated_dir(tmp_path))
        db.session.commit()
    lawyer = client_for("a", Role.LAWYER)
    [listed] = lawyer.get(f"/api/v1/guidance/templates?key={KEY}").get_json()
    assert listed["translation_review"] == {"ky": "unreviewed"}

    draft = lawyer.post(f"/api/v1/guidance/templates/{listed['id']}/versions",
                        json={"translation_review": {"ky": "reviewed"}})
    assert draft.status_code == 201 and draft.get_json()["translation_review"] == {
        "ky": "reviewed"}
    stray = lawyer.patch(f"/api/v1/guidance/templates/{draft.get_json()['id']}",
                         json={"translation_review": {"tg": "reviewed"}})
    assert stray.status_code == 422
    assert "tg" in stray.get_json()["error"]["fields"]["translation_review"][0]
    wrong = lawyer.patch(f"/api/v1/guidance/templates/{draft.get_json()['id']}",
                         json={"translation_review": {"ky": "approved"}})
    assert wrong.status_code == 422
    assert "translation_review" in wrong.get_json()["error"]["fields"]


# --- rejected: nothing at all is written, and the problem says where ---------------------------

def only_problem(directory: Path):
    [problem] = rejection(directory).problems
    return problem


def line_of(directory: Path, problem, name: str = "ky.yaml") -> str:
    text = (directory / "translations" / name).read_text(encoding="utf-8").splitlines()
    return text[problem.line - 1].strip()


def test_a_translation_of_an_unknown_template_is_rejected(app_context, tmp_path):
    def change(document: dict) -> None:
        document["templates"][0]["key"] = "KG-RU-WEATHER"

    directory = translated_dir(tmp_path, change)
    problem = only_problem(directory)
    assert (problem.file, problem.index, problem.field) == ("translations/ky.yaml", 0, "key")
    assert "KG-RU-WEATHER" in problem.reason and line_of(directory, problem).startswith("- key:")
    assert str(problem).startswith(f"translations/ky.yaml, line {problem.line}, templates[0]")


@pytest.mark.parametrize("version", [2, 0])
def test_a_translation_of_another_version_than_the_current_one_is_rejected(
        app_context, tmp_path, version):
    def change(document: dict) -> None:
        document["templates"][0]["translates_version"] = version

    directory = translated_dir(tmp_path, change)
    problem = only_problem(directory)
    assert (problem.file, problem.key, problem.field) == (
        "translations/ky.yaml", KEY, "translates_version")
    assert line_of(directory, problem) == f"translates_version: {version}"


def test_a_stale_translation_is_rejected_once_the_template_changes(app_context, tmp_path):
    directory = translated_dir(tmp_path)
    templates = yaml.safe_load((directory / "templates.yaml").read_text(encoding="utf-8"))
    first = next(e for e in templates["templates"] if e["key"] == KEY)
    templates["templates"].append({**first, "version": 2, "body": {
        **first["body"], "ru": first["body"]["ru"] + " Обновлено.",
        "en": first["body"]["en"] + " Updated."}})
    (directory / "templates.yaml").write_text(yaml.safe_dump(templates, allow_unicode=True,
                                                             sort_keys=False), encoding="utf-8")
    problem = only_problem(directory)
    assert problem.field == "translates_version"
    assert "version 2, not 1" in problem.reason


@pytest.mark.parametrize(("language", "name", "says"), [
    ("de", "de.yaml", "Unknown language 'de'"),
    ("ru", "ru.yaml", "(they are in templates.yaml)"),
    ("kk", "ky.yaml", "must be named kk.yaml"),
])
def test_a_language_that_is_not_a_leaflet_language_or_its_file_is_rejected(
        app_context, tmp_path, language, name, says):
    def change(document: dict) -> None:
        document["language"] = language

    directory = translated_dir(tmp_path, change, name=name)
    problem = only_problem(directory)
    assert problem.file == f"translations/{name}" and says in problem.reason
    assert line_of(directory, problem, name) == f"language: {language}"


def test_unknown_fields_and_review_states_are_rejected(app_context, tmp_path):
    def change(document: dict) -> None:
        document["templates"][0]["review"] = "approved"
        document["templates"][0]["translator"] = "someone"

    problems = rejection(translated_dir(tmp_path, change)).problems
    assert sorted((p.field, p.index) for p in problems) == [("review", 0), ("translator", 0)]


def test_a_translation_given_twice_is_rejected(app_context, tmp_path):
    def change(document: dict) -> None:
        document["templates"].append(dict(document["templates"][0]))

    problem = only_problem(translated_dir(tmp_path, change))
    assert (problem.index, problem.field) == (1, "key")
    assert "already translated at templates[0]" in problem.reason


def test_a_translation_that_loses_a_list_item_or_a_paragraph_is_rejected(app_context, tmp_path):
    def change(document: dict) -> None:
        body = document["templates"][0]["body"]
        document["templates"][0]["body"] = body.replace("\n- Дароо", " Дароо")

    problem = only_problem(translated_dir(tmp_path, change))
    assert problem.field == "body"
    assert "3 paragraph(s) with 0, 3, 0 list item(s)" in problem.reason
    assert "3 paragraph(s) with 0, 2, 0 list item(s)" in problem.reason


def test_a_translation_that_changes_a_figure_is_rejected(app_context, tmp_path):
    def change(document: dict) -> None:
        body = document["templates"][0]["body"]
        document["templates"][0]["body"] = body.replace("10 жылга", "12 жылга")

    problem = only_problem(translated_dir(tmp_path, change))
    assert problem.field == "body"
    assert "missing 10" in problem.reason and "not in the Russian text 12" in problem.reason


def test_figures_are_compared_however_their_digits_are_grouped():
    from migrantdesk.guidance.translations import _figures

    assert _figures("10 000 рублей, 2,8592; ст. 256, 416") == {"10000", "2.8592", "256", "416"}
    assert _figures("10\u00a0000 rubl, 2.8592; 256-modda, 416") == {"10000", "2.8592", "256",
                                                                     "416"}


def test_without_a_translations_folder_nothing_changes(app_context, tmp_path):
    directory = translated_dir(tmp_path)
    shutil.rmtree(directory / "translations")
    import_all(directory)
    [template] = versions()
    assert set(template.title) == {"ru", "en"} and template.translation_review == {}
