"""Provisions: the shipped content, the all-or-nothing importer, versions and dates in force."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select

from migrantdesk.core.audit import AuditEvent
from migrantdesk.core.db import db
from migrantdesk.core.errors import Conflict
from migrantdesk.guidance import review, services
from migrantdesk.guidance.content import (
    DEFAULT_PROVISIONS_FILE,
    ContentError,
    import_provisions,
)
from migrantdesk.guidance.models import ContentStatus, Provision, Verification
from tests.conftest import make_office, make_user

SHIPPED_KEYS_BY_JURISDICTION = {"KG": 4, "UZ": 3, "TJ": 5, "KZ": 4, "TM": 1, "RU": 16}
DROP = object()


def entry(**overrides: Any) -> dict[str, Any]:
    """A valid content-file entry; `field=DROP` leaves the field out."""
    fields: dict[str, Any] = {
        "key": "RU-CC-999", "version": 1, "status": "published", "jurisdiction": "RU",
        "instrument": "Criminal Code of the Russian Federation", "article": "999", "part": None,
        "title": "A test provision",
        "summary": {"en": "A test provision.", "ru": "Проверочное положение."},
        "penalty": {"prison_years": {"min": 1, "max": 3}, "fine": None, "other": []},
        "penalty_text": "1 to 3 years.", "effective_from": date(2020, 1, 1),
        "effective_to": None, "source_citation": "A test source", "source_url": None,
        "verification": "reported", "verification_note": None,
    }
    fields.update(overrides)
    return {name: value for name, value in fields.items() if value is not DROP}


def document(*entries: dict[str, Any]) -> str:
    return yaml.safe_dump({"provisions": list(entries)}, allow_unicode=True, sort_keys=False)


def stored_count(model: type = Provision) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def by_key(key: str) -> list[Provision]:
    return services.versions_of(key)


def rejection(text: str) -> ContentError:
    with pytest.raises(ContentError) as caught:
        import_provisions(text)
    assert stored_count() == 0 and stored_count(AuditEvent) == 0, "nothing may be written"
    return caught.value


# --- the shipped content ------------------------------------------------------------------

def test_shipped_file_imports_every_provision_with_its_source_and_verification(app_context):
    report = import_provisions(DEFAULT_PROVISIONS_FILE)
    db.session.commit()

    provisions = db.session.scalars(select(Provision)).all()
    assert len(report.created) == len(provisions) == sum(SHIPPED_KEYS_BY_JURISDICTION.values())
    counts: dict[str, int] = {}
    for provision in provisions:
        counts[provision.jurisdiction] = counts.get(provision.jurisdiction, 0) + 1
        assert provision.source_citation.strip(), provision.key
        assert provision.verification in set(Verification), provision.key
        assert {"en", "ru"} <= set(provision.summary), provision.key
        assert provision.status == ContentStatus.PUBLISHED and provision.published_at
        if provision.verification != Verification.CONFIRMED:
            assert provision.verification_note, f"{provision.key} must say what is uncertain"
    assert counts == SHIPPED_KEYS_BY_JURISDICTION


def test_penalties_not_found_in_sources_are_never_filled_in(app_context):
    import_provisions(DEFAULT_PROVISIONS_FILE)
    not_found = db.session.scalars(
        select(Provision).where(Provision.penalty_text == "not found in sources")).all()
    assert {p.key for p in not_found} == {"KG-CC-416", "TJ-CC-401", "TJ-CC-401-1", "KZ-CC-170"}
    assert all(p.penalty is None for p in not_found)


def test_second_import_of_the_same_file_changes_nothing(app_context):
    import_provisions(DEFAULT_PROVISIONS_FILE)
    db.session.commit()
    rows, events = stored_count(), stored_count(AuditEvent)

    report = import_provisions(DEFAULT_PROVISIONS_FILE)
    db.session.commit()

    assert report.created == report.superseded == report.newer_in_database == []
    assert len(report.unchanged) == rows
    assert (stored_count(), stored_count(AuditEvent)) == (rows, events)


def test_kg_256_keeps_the_split_confidence_of_the_fact_sheet(app_context):
    import_provisions(DEFAULT_PROVISIONS_FILE)
    [kg_256] = by_key("KG-CC-256")
    assert kg_256.verification == Verification.NEEDS_VERIFICATION
    assert "article: reported" in kg_256.verification_note
    assert "range: needs-verification" in kg_256.verification_note
    assert kg_256.penalty["prison_years"] == {"min": None, "max": 10}
    assert "5 to 10 years" in kg_256.penalty_text and "up to 10 years" in kg_256.penalty_text
    assert kg_256.effective_from == date(2021, 10, 28)


# --- rejected files -----------------------------------------------------------------------

def test_missing_source_rejects_the_whole_file_with_its_position(app_context):
    text = document(entry(key="RU-CC-997"), entry(key="RU-CC-998", article="998"),
                    entry(source_citation=DROP))
    error = rejection(text)
    [problem] = error.problems
    assert (problem.index, problem.key, problem.field) == (2, "RU-CC-999", "source_citation")
    assert problem.line is not None and "provisions[2] (RU-CC-999)" in str(problem)


def test_empty_source_is_rejected_like_a_missing_one(app_context):
    [problem] = rejection(document(entry(source_citation="   "))).problems
    assert (problem.index, problem.field) == (0, "source_citation")


def test_overlapping_periods_for_the_same_article_are_rejected(app_context):
    text = document(
        entry(key="RU-CC-999-OLD", effective_from=date(2020, 1, 1),
              effective_to=date(2023, 1, 1)),
        entry(key="RU-CC-999-NEW", effective_from=date(2022, 9, 24)))
    [problem] = rejection(text).problems
    assert (problem.index, problem.key, problem.field) == (1, "RU-CC-999-NEW", "effective_from")
    assert "overlaps" in problem.reason and "RU-CC-999-OLD" in problem.reason
    lines = text.splitlines()
    assert lines[problem.line - 1].strip().startswith("effective_from: 2022-09-24")


def test_consecutive_periods_for_the_same_article_are_accepted(app_context):
    report = import_provisions(document(
        entry(key="RU-CC-999-OLD", effective_to=date(2022, 9, 24)),
        entry(key="RU-CC-999-NEW", effective_from=date(2022, 9, 24))))
    assert sorted(report.created) == ["RU-CC-999-NEW", "RU-CC-999-OLD"]


def test_an_unknown_field_is_rejected(app_context):
    [problem] = rejection(document(entry(), entry(key="RU-CC-998", prison=5))).problems
    assert (problem.index, problem.key, problem.field) == (1, "RU-CC-998", "prison")
    assert problem.reason == "Unknown field."


@pytest.mark.parametrize(("entries", "index", "field_name"), [
    ([entry(jurisdiction="XX")], 0, "jurisdiction"),
    ([entry(effective_to=date(2020, 1, 1))], 0, "effective_to"),
    ([entry(effective_to=date(2019, 1, 1))], 0, "effective_to"),
    ([entry(), entry(title="The same key and version again")], 1, "version"),
    ([entry(version=2)], 0, "version"),
    ([entry(summary={"en": "English only."})], 0, "summary"),
    ([entry(penalty={"prison_years": {"min": 10, "max": 5}})], 0, "penalty.prison_years.min"),
    ([entry(penalty=DROP)], 0, "penalty"),
    ([entry(article=256)], 0, "article"),
], ids=["unknown-jurisdiction", "empty-period", "period-backwards", "duplicate-key-version",
        "version-gap", "russian-missing", "penalty-min-above-max", "penalty-not-stated",
        "article-not-a-string"])
def test_invalid_entries_are_rejected_with_their_field(app_context, entries, index, field_name):
    problems = rejection(document(*entries)).problems
    assert [(p.index, p.field) for p in problems] == [(index, field_name)]


def test_every_problem_is_listed_not_only_the_first(app_context):
    problems = rejection(document(entry(jurisdiction="XX"), entry(key="RU-CC-998",
                                                                  source_citation=""))).problems
    assert [(p.index, p.field) for p in problems] == [(0, "jurisdiction"),
                                                       (1, "source_citation")]


def test_a_key_given_twice_in_one_entry_is_rejected(app_context):
    text = document(entry()).replace("title: A test provision",
                                     "title: A test provision\n  title: Again")
    [problem] = rejection(text).problems
    assert "given twice" in problem.reason and problem.line is not None


# --- versions -----------------------------------------------------------------------------

def test_a_changed_entry_becomes_a_new_version_superseding_the_old(app_context):
    import_provisions(document(entry()))
    report = import_provisions(document(entry(penalty_text="1 to 3 years (checked).")))
    assert report.superseded == ["RU-CC-999"]

    first, second = by_key("RU-CC-999")
    assert (first.status, second.status) == (ContentStatus.RETIRED, ContentStatus.PUBLISHED)
    assert (second.version, second.supersedes_id) == (2, first.id)
    assert first.penalty_text == "1 to 3 years."
    assert services.provisions_in_force("RU", date(2024, 1, 1)) == [second]


def test_editing_a_published_version_is_a_conflict_pointing_to_a_new_version(app_context):
    import_provisions(DEFAULT_PROVISIONS_FILE)
    [published] = by_key("RU-CC-328-1")
    with pytest.raises(Conflict) as caught:
        services.update_draft(None, published, {"penalty_text": "changed"})
    assert caught.value.status == 409
    assert "create a new version" in caught.value.message
    db.session.expire_all()
    assert by_key("RU-CC-328-1")[0].penalty_text.startswith("Fine up to 200,000 RUB")


def test_new_version_is_a_draft_superseding_the_published_one(app_context):
    lawyer = make_user(make_office())
    import_provisions(DEFAULT_PROVISIONS_FILE)
    [first] = by_key("KG-CC-256")

    draft = services.new_version(lawyer, "KG-CC-256",
                                 {"verification_note": "Checked against the 2021 code text."})
    assert (draft.version, draft.status, draft.supersedes_id) == (2, ContentStatus.DRAFT,
                                                                  first.id)
    assert draft.author_id == lawyer.id and draft.penalty == first.penalty
    assert first.status == ContentStatus.PUBLISHED  # until the draft is published
    assert draft not in services.provisions_in_force("KG", date(2026, 1, 1))

    services.update_draft(lawyer, draft, {"penalty_text": "Up to 10 years."})
    with pytest.raises(Conflict):
        services.new_version(lawyer, "KG-CC-256", {})

    review.publish(lawyer, draft)
    assert first.status == ContentStatus.RETIRED
    in_force = services.provisions_in_force("KG", date(2026, 1, 1))
    assert draft in in_force and first not in in_force


def test_reimport_keeps_a_newer_version_made_through_review(app_context):
    import_provisions(document(entry()))
    review.publish(None, services.new_version(None, "RU-CC-999", {"title": "Reviewed"}))
    report = import_provisions(document(entry()))
    assert report.newer_in_database == ["RU-CC-999"]
    assert [p.title for p in by_key("RU-CC-999")] == ["A test provision", "Reviewed"]


# --- in force on a date -------------------------------------------------------------------

def in_force(jurisdiction: str | None, on: date) -> set[str]:
    return {p.key for p in services.provisions_in_force(jurisdiction, on)}


def test_ruid_is_voluntary_in_2025_and_mandatory_from_july_2026(app_context):
    import_provisions(DEFAULT_PROVISIONS_FILE)
    assert "RU-RUID-VOLUNTARY" in in_force("RU", date(2025, 7, 1))
    assert "RU-RUID-MANDATORY" not in in_force("RU", date(2025, 7, 1))
    assert "RU-RUID-VOLUNTARY" not in in_force("RU", date(2026, 7, 2))
    assert "RU-RUID-MANDATORY" in in_force("RU", date(2026, 7, 2))
    assert not {"RU-RUID-VOLUNTARY", "RU-RUID-MANDATORY"} & in_force("RU", date(2025, 6, 29))


def test_a_provision_is_not_in_force_before_its_effective_date(app_context):
    import_provisions(DEFAULT_PROVISIONS_FILE)
    assert "RU-CC-337" not in in_force("RU", date(2022, 9, 1))
    assert "RU-CC-337" in in_force("RU", date(2022, 9, 24))
    assert "RU-DECREE-647" in in_force("RU", date(2022, 9, 21))


def test_effective_to_is_exclusive_and_jurisdiction_filters(app_context):
    import_provisions(DEFAULT_PROVISIONS_FILE)
    assert "TM-RU-DUAL-AGREEMENT" in in_force("TM", date(2015, 4, 30))
    assert "TM-RU-DUAL-AGREEMENT" not in in_force("TM", date(2015, 5, 1))
    everywhere = in_force(None, date(2025, 7, 1))
    assert {"KG-CC-256", "UZ-CC-154", "KZ-CC-172", "RU-CC-328-1"} <= everywhere
    assert all(key.startswith("KZ-") for key in in_force("KZ", date(2025, 7, 1)))


# --- the command --------------------------------------------------------------------------

def test_cli_imports_the_shipped_file_and_reports_counts(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["guidance", "import-provisions"])
    assert first.exit_code == 0, first.output
    assert "33 created, 0 unchanged, 0 superseded" in first.output
    again = runner.invoke(args=["guidance", "import-provisions"])
    assert "0 created, 33 unchanged, 0 superseded" in again.output


def test_cli_exits_1_with_the_problem_list_and_writes_nothing(app, tmp_path):
    bad = tmp_path / "provisions.yaml"
    bad.write_text(document(entry(), entry(key="RU-CC-998", source_citation="")),
                   encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["guidance", "import-provisions", str(bad)])
    assert result.exit_code == 1
    assert "nothing was imported" in result.output
    assert "provisions[1] (RU-CC-998), source_citation" in result.output
    with app.app_context():
        assert stored_count() == 0
