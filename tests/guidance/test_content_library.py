from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select

from migrantdesk.core.audit import AuditEvent
from migrantdesk.core.db import db
from migrantdesk.guidance import engine, library, review
from migrantdesk.guidance.content import ContentError, import_provisions
from migrantdesk.guidance.content_library import (
    DEFAULT_CONTENT_DIR,
    import_all,
    import_library,
)
from migrantdesk.guidance.models import (
    CitizenshipPosition,
    ContentStatus,
    GuidanceRule,
    GuidanceTemplate,
    Provision,
    RiskLevel,
    Topic,
)

FILES = ("provisions.yaml", "templates.yaml", "rules.yaml", "citizenship_positions.yaml")
SHIPPED_COUNTS = {GuidanceTemplate: 24, GuidanceRule: 25, CitizenshipPosition: 5}
CONTENT_MODELS = (Provision, GuidanceTemplate, GuidanceRule, CitizenshipPosition, AuditEvent)

Documents = dict[str, Any]


def content_dir(tmp_path: Path, change: Callable[[Documents], None] | None = None,
                translations: bool = True) -> Path:
    """A copy of the shipped content; `change` edits the parsed files before they are written."""
    documents = {name: yaml.safe_load((DEFAULT_CONTENT_DIR / name).read_text(encoding="utf-8"))
                 for name in FILES}
    if change:
        change(documents)
    directory = tmp_path / "content"
    directory.mkdir(exist_ok=True)
    if translations:
        shutil.copytree(DEFAULT_CONTENT_DIR / "translations", directory / "translations",
                        dirs_exist_ok=True)
    for name, document in documents.items():
        (directory / name).write_text(yaml.safe_dump(document, allow_unicode=True,
                                                     sort_keys=False), encoding="utf-8")
    return directory


def entry(documents: Documents, section: str, key: str) -> dict[str, Any]:
    """The entry of templates.yaml or rules.yaml with this key."""
    file = f"{section}.yaml"
    return next(e for e in documents[file][section] if e["key"] == key)


def counts() -> dict[type, int]:
    return {model: db.session.scalar(select(func.count()).select_from(model)) or 0
            for model in CONTENT_MODELS}


def rejection(directory: Path) -> ContentError:
    with pytest.raises(ContentError) as caught:
        import_all(directory)
    assert set(counts().values()) == {0}, "nothing may be written, not even the provisions"
    return caught.value


# --- the shipped content -----------------------------------------------------------------------

def test_the_shipped_content_imports_every_template_rule_and_position(app_context):
    report = import_all()
    db.session.commit()

    stored = counts()
    assert {model: stored[model] for model in SHIPPED_COUNTS} == SHIPPED_COUNTS
    assert len(report.provisions.created) == stored[Provision] == 33
    assert (len(report.templates.created), len(report.rules.created),
            len(report.positions.created)) == tuple(SHIPPED_COUNTS.values())
    for item in [*db.session.scalars(select(GuidanceTemplate)),
                 *db.session.scalars(select(GuidanceRule))]:
        assert (item.version, item.status) == (1, ContentStatus.PUBLISHED), item.key
        assert item.published_at is not None
    for template in db.session.scalars(select(GuidanceTemplate)):
        assert {"ru", "en"} <= set(template.title) and set(template.title) == set(template.body)


def test_every_topic_and_origin_country_has_published_guidance(app_context):
    import_all()
    templates = list(db.session.scalars(select(GuidanceTemplate)))
    assert {t.topic for t in templates} == set(Topic)
    for topic in (Topic.MOBILISATION_NOTICE, Topic.FOREIGN_ARMY, Topic.DUAL_CITIZENSHIP):
        assert {t.origin_country for t in templates if t.topic == topic} == {
            "KG", "UZ", "TJ", "KZ", "TM"}


def test_military_and_dual_citizenship_texts_give_the_standard_advice(app_context):
    """Sign nothing unadvised, contact the mission, and (dual nationals) two lawyers."""
    import_all()
    military = (Topic.MOBILISATION_NOTICE, Topic.FOREIGN_ARMY, Topic.DUAL_CITIZENSHIP)
    for template in db.session.scalars(select(GuidanceTemplate)
                                       .where(GuidanceTemplate.topic.in_(military))):
        english, russian = template.body["en"], template.body["ru"]
        assert "sign" in english and "подписывайте" in russian, template.key
        assert "consulate" in english and "консульств" in russian, template.key
        assert "a lawyer in Russia and a lawyer in" in english, template.key
        assert "с юристом в России и с юристом в" in russian, template.key


def test_no_shipped_text_repeats_the_exit_permit_rumour_or_the_leave_russia_opinion(app_context):
    import_all()
    texts = [text for t in db.session.scalars(select(GuidanceTemplate))
             for part in (t.title, t.body) for text in part.values()]
    texts += [reason for p in db.session.scalars(select(CitizenshipPosition))
              for reasons in p.reasons.values() for reason in reasons]
    for text in texts:
        assert "Aeroflot" not in text and "Аэрофлот" not in text
        assert "leave Russia" not in text and "покиньте Россию" not in text


def test_a_second_import_changes_nothing(app_context):
    import_all()
    db.session.commit()
    before = counts()

    report = import_all()
    db.session.commit()

    assert counts() == before
    for section in (report.provisions, report.templates, report.rules):
        assert section.created == section.superseded == section.newer_in_database == []
    assert len(report.templates.unchanged) == SHIPPED_COUNTS[GuidanceTemplate]
    assert report.positions.created == report.positions.updated == []


def test_the_library_imports_on_its_own_against_provisions_already_stored(app_context):
    import_provisions(DEFAULT_CONTENT_DIR / "provisions.yaml")
    report = import_library()
    assert report.provisions is None
    assert len(report.rules.created) == SHIPPED_COUNTS[GuidanceRule]


def test_the_library_without_its_provisions_is_rejected(app_context):
    with pytest.raises(ContentError) as caught:
        import_library()
    assert {p.field for p in caught.value.problems} == {"provision_keys"}
    assert counts()[GuidanceTemplate] == 0


# --- rejected content: the position is given and nothing is written ---------------------------

def test_a_rule_naming_an_unknown_provision_rejects_everything(app_context, tmp_path):
    def change(documents: Documents) -> None:
        entry(documents, "rules", "RULE-UZ-CONTRACT-RU")["provision_keys"].append("UZ-CC-999")

    [problem] = rejection(content_dir(tmp_path, change)).problems

    assert (problem.file, problem.section, problem.key, problem.field) == (
        "rules.yaml", "rules", "RULE-UZ-CONTRACT-RU", "provision_keys")
    assert problem.reason == "Unknown provision(s): UZ-CC-999."
    text = (tmp_path / "content" / "rules.yaml").read_text(encoding="utf-8").splitlines()
    assert text[problem.line - 1].strip() == "provision_keys:"
    assert f"rules.yaml, line {problem.line}, rules[{problem.index}] (RULE-UZ-CONTRACT-RU), " \
           "provision_keys: Unknown provision(s): UZ-CC-999." == str(problem)


def test_a_template_without_russian_text_is_rejected(app_context, tmp_path):
    def change(documents: Documents) -> None:
        del entry(documents, "templates", "KZ-RU-MOBILISATION")["body"]["ru"]

    [problem] = rejection(content_dir(tmp_path, change)).problems
    assert (problem.file, problem.index, problem.key, problem.field, problem.reason) == (
        "templates.yaml", 3, "KZ-RU-MOBILISATION", "body", "Missing language(s): ru.")


def test_an_unknown_field_is_rejected(app_context, tmp_path):
    def change(documents: Documents) -> None:
        documents["citizenship_positions.yaml"]["citizenship_positions"][2]["urgency"] = "high"

    [problem] = rejection(content_dir(tmp_path, change)).problems
    assert (problem.file, problem.index, problem.key, problem.field, problem.reason) == (
        "citizenship_positions.yaml", 2, "TJ-RU", "urgency", "Unknown field.")


def test_every_problem_in_every_file_is_listed_in_file_order(app_context, tmp_path):
    def change(documents: Documents) -> None:
        documents["provisions.yaml"]["provisions"][0]["source_citation"] = ""
        entry(documents, "templates", "RU-STAY-90")["topic"] = "visas"
        entry(documents, "rules", "RULE-DETENTION")["template_keys"] = ["GEN-POLICE"]

    problems = rejection(content_dir(tmp_path, change)).problems
    assert [(p.file, p.key, p.field) for p in problems] == [
        ("provisions.yaml", "KG-CC-256", "source_citation"),
        ("templates.yaml", "RU-STAY-90", "topic"),
        ("rules.yaml", "RULE-DETENTION", "template_keys")]


@pytest.mark.parametrize(("change", "file", "key", "field_name", "reason"), [
    (lambda d: entry(d, "rules", "RULE-KG-NOTICE-RU")["conditions"]["all"].__setitem__(
        0, {"origin": "KG"}),
     "rules.yaml", "RULE-KG-NOTICE-RU", "conditions", "conditions.all[0].origin"),
    (lambda d: entry(d, "rules", "RULE-KG-NOTICE-RU")["conditions"]["all"].__setitem__(
        2, {"category": ["mobilization_notice"]}),
     "rules.yaml", "RULE-KG-NOTICE-RU", "conditions", "unknown category 'mobilization_notice'"),
    (lambda d: entry(d, "rules", "RULE-WORK-PATENT-RU")["conditions"]["all"][2].__setitem__(
        "fact", "patent_kind"),
     "rules.yaml", "RULE-WORK-PATENT-RU", "conditions", "no case category records a fact"),
    (lambda d: entry(d, "rules", "RULE-STAY-LIMIT-RU").__setitem__("template_keys", ["X-1"]),
     "rules.yaml", "RULE-STAY-LIMIT-RU", "template_keys", "Unknown template(s): X-1."),
    (lambda d: d["templates.yaml"]["templates"].append(
        dict(entry(d, "templates", "GEN-DETENTION"))),
     "templates.yaml", "GEN-DETENTION", None, "already given at templates[23]"),
    (lambda d: entry(d, "templates", "GEN-DETENTION").__setitem__("version", 2),
     "templates.yaml", "GEN-DETENTION", "version", "must run 1, 2, 3"),
    (lambda d: entry(d, "templates", "GEN-DETENTION").__setitem__("status", "draft"),
     "templates.yaml", "GEN-DETENTION", "status", "Shipped content is published"),
    (lambda d: entry(d, "templates", "GEN-DETENTION").pop("origin_country"),
     "templates.yaml", "GEN-DETENTION", "origin_country", "Missing data"),
    (lambda d: d["citizenship_positions.yaml"]["citizenship_positions"][0].__setitem__(
        "verification", "confirmed"),
     "citizenship_positions.yaml", "KG-RU", "verification", "KG-CC-256 (needs_verification)"),
    (lambda d: d["citizenship_positions.yaml"]["citizenship_positions"][4].__setitem__(
        "verification_note", None),
     "citizenship_positions.yaml", "TM-RU", "verification_note", "Say what is uncertain"),
    (lambda d: d["citizenship_positions.yaml"]["citizenship_positions"].append(
        dict(d["citizenship_positions.yaml"]["citizenship_positions"][1])),
     "citizenship_positions.yaml", "UZ-RU", None, "UZ-RU is already given"),
], ids=["malformed-condition", "misspelt-category", "unknown-fact", "unknown-template",
        "duplicate-key", "version-gap", "draft-status", "origin-not-stated",
        "position-more-certain-than-its-provisions", "unconfirmed-position-without-note",
        "duplicate-position"])
def test_invalid_content_is_rejected_with_its_place(app_context, tmp_path, change, file, key,
                                                     field_name, reason):
    # A changed version also leaves the translations of the old one behind: look at this file's.
    [problem] = [p for p in rejection(content_dir(tmp_path, change)).problems
                 if not p.file.startswith("translations/")]
    assert (problem.file, problem.key, problem.field) == (file, key, field_name)
    assert reason in problem.reason
    assert problem.line is not None


def test_a_missing_file_rejects_the_import(app_context, tmp_path):
    directory = content_dir(tmp_path)
    (directory / "rules.yaml").unlink()
    [problem] = rejection(directory).problems
    assert (problem.file, problem.index, problem.reason) == ("rules.yaml", None,
                                                             "File not found.")


# --- changes become new versions -----------------------------------------------------------

def test_a_changed_template_becomes_version_2_and_version_1_is_retired(app_context, tmp_path):
    import_all()
    db.session.commit()

    def change(documents: Documents) -> None:
        entry(documents, "templates", "KG-RU-MOBILISATION")["body"]["en"] += "\n\nChecked."

    report = import_all(content_dir(tmp_path, change))
    db.session.commit()

    assert report.templates.superseded == ["KG-RU-MOBILISATION"]
    assert len(report.templates.unchanged) == SHIPPED_COUNTS[GuidanceTemplate] - 1
    assert report.rules.superseded == [] and report.provisions.superseded == []
    first, second = review.versions_of(GuidanceTemplate, "KG-RU-MOBILISATION")
    assert (first.status, second.status) == (ContentStatus.RETIRED, ContentStatus.PUBLISHED)
    assert (second.version, second.supersedes_id) == (2, first.id)
    assert second.body["en"].endswith("Checked.") and not first.body["en"].endswith("Checked.")
    assert engine.load_library().templates["KG-RU-MOBILISATION"].id == second.id


def test_a_changed_rule_becomes_a_new_version_and_is_selected(app_context, tmp_path):
    import_all()

    def change(documents: Documents) -> None:
        entry(documents, "rules", "RULE-RU-CITIZEN-NOTICE")["provision_keys"].remove(
            "RU-CC-352-1")

    report = import_all(content_dir(tmp_path, change))
    assert report.rules.superseded == ["RULE-RU-CITIZEN-NOTICE"]
    [rule] = [r for r in engine.load_library().rules if r.key == "RULE-RU-CITIZEN-NOTICE"]
    assert rule.version == 2 and "RU-CC-352-1" not in rule.provision_keys


def test_a_changed_position_is_updated_in_place_and_audited(app_context, tmp_path):
    import_all()
    db.session.commit()

    def change(documents: Documents) -> None:
        documents["citizenship_positions.yaml"]["citizenship_positions"][2]["risk"] = "low"

    report = import_all(content_dir(tmp_path, change))
    db.session.commit()

    assert (report.positions.updated, len(report.positions.unchanged)) == (["TJ-RU"], 4)
    position = db.session.scalars(select(CitizenshipPosition).where(
        CitizenshipPosition.origin_country == "TJ")).one()
    assert position.risk == RiskLevel.LOW and counts()[CitizenshipPosition] == 5
    assert db.session.scalars(select(AuditEvent).where(
        AuditEvent.entity_type == "citizenship_position",
        AuditEvent.entity_id == position.id).order_by(AuditEvent.id)).all()[-1].fields == ["risk"]


def test_a_change_waits_while_a_draft_of_the_same_key_is_open(app_context, tmp_path):
    import_all()
    library.new_version(None, GuidanceTemplate, "GEN-DETENTION", {"provision_keys": []})
    db.session.commit()
    before = counts()

    def change(documents: Documents) -> None:
        entry(documents, "templates", "GEN-DETENTION")["title"]["en"] = "Detained?"

    with pytest.raises(ContentError) as caught:
        import_all(content_dir(tmp_path, change))
    [problem] = caught.value.problems
    assert problem.key == "GEN-DETENTION" and "finish or send back" in problem.reason
    db.session.rollback()
    assert counts() == before


def test_a_newer_version_made_through_review_is_kept(app_context):
    import_all()
    titles = dict(engine.load_library().templates["GEN-DETENTION"].title)
    titles.update(ru="Задержание", en="Detention")  # every translated language keeps a title
    draft = library.new_version(None, GuidanceTemplate, "GEN-DETENTION", {"title": titles})
    review.publish(None, draft)

    report = import_all()
    assert report.templates.newer_in_database == ["GEN-DETENTION"]
    assert engine.load_library().templates["GEN-DETENTION"].title["en"] == "Detention"


# --- the command ----------------------------------------------------------------------------

def test_cli_imports_everything_and_reports_counts(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["guidance", "import"])
    assert first.exit_code == 0, first.output
    assert "provisions: 33 created" in first.output
    assert "templates: 24 created" in first.output and "rules: 25 created" in first.output
    assert "citizenship positions: 5 created, 0 updated, 0 unchanged" in first.output
    again = runner.invoke(args=["guidance", "import"])
    assert "templates: 0 created, 24 unchanged, 0 superseded" in again.output


def test_cli_exits_1_with_the_problem_list_and_writes_nothing(app, tmp_path):
    def change(documents: Documents) -> None:
        entry(documents, "rules", "RULE-DETENTION")["provision_keys"] = ["RU-CC-999"]

    directory = content_dir(tmp_path, change)
    result = app.test_cli_runner().invoke(args=["guidance", "import", str(directory)])
    assert result.exit_code == 1
    assert "nothing was imported" in result.output
    assert "rules[24] (RULE-DETENTION), provision_keys: Unknown provision(s): RU-CC-999." \
        in result.output
    with app.app_context():
        assert set(counts().values()) == {0}
