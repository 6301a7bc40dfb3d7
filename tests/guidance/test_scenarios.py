"""Which guidance the SHIPPED content selects, scenario by scenario: citizenships × host country
× situation × date, with the exact set of templates and provisions (and what a matching rule
cites that was not yet, or no longer, in force on the event date)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from migrantdesk.core.db import db
from migrantdesk.guidance import engine
from migrantdesk.guidance.conditions import Situation
from migrantdesk.guidance.content_library import import_all
from migrantdesk.guidance.models import CitizenshipStance, RiskLevel

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

# What Russian law says to a Russian citizen who receives a notice (RULE-RU-CITIZEN-NOTICE).
RU_CITIZEN_NOTICE = {"RU-CC-328-1", "RU-CC-332", "RU-CC-337", "RU-CC-338", "RU-CC-352-1",
                     "RU-CIT-MILITARY-REGISTRATION"}
RU_CONTRACT_INCENTIVES = {"RU-CIT-MILITARY-CONTRACT", "RU-DECREE-2024-CITIZENSHIP"}


@dataclass(frozen=True)
class Scenario:
    id: str
    situation: Situation
    templates: set[str]
    provisions: set[str]
    not_in_force: set[str] = field(default_factory=set)


def scenario(id: str, category: str, origin: str, host: str, citizenships: set[str],
             on: date, *, templates: set[str], provisions: set[str],
             not_in_force: set[str] | None = None, **facts: Any) -> Scenario:
    return Scenario(id, Situation(category, origin, host, frozenset(citizenships), facts, on),
                    templates, provisions, not_in_force or set())


SCENARIOS = [
    # --- mobilisation notices ----------------------------------------------------------------
    scenario("kyrgyz-russian-dual-with-a-notice-gets-both-criminal-codes",
             "mobilisation_notice", "KG", "RU", {"KG", "RU"}, date(2026, 11, 20),
             anything_signed=False,
             templates={"KG-RU-MOBILISATION", "KG-RU-DUAL-CITIZENSHIP"},
             provisions={"KG-CC-256", "RU-DECREE-647", "KG-CIT-DUAL", "KG-RU-AGREEMENT-1996",
                         *RU_CITIZEN_NOTICE}),
    # KG-CIT-DUAL carries the fact sheet's check date (Nov 2026) as a placeholder
    # effective_from, so earlier events list it as not in force until its real date is added.
    scenario("kyrgyz-russian-dual-in-2025-lacks-the-undated-kyrgyz-citizenship-rule",
             "mobilisation_notice", "KG", "RU", {"KG", "RU"}, date(2025, 3, 10),
             templates={"KG-RU-MOBILISATION", "KG-RU-DUAL-CITIZENSHIP"},
             provisions={"KG-CC-256", "RU-DECREE-647", "KG-RU-AGREEMENT-1996",
                         *RU_CITIZEN_NOTICE},
             not_in_force={"KG-CIT-DUAL"}),
    scenario("kyrgyz-citizen-with-a-notice-gets-no-russian-evasion-article",
             "mobilisation_notice", "KG", "RU", {"KG"}, date(2026, 11, 20),
             templates={"KG-RU-MOBILISATION"}, provisions={"KG-CC-256", "RU-DECREE-647"}),
    scenario("notice-before-the-decree-gets-none-of-the-september-2022-amendments",
             "mobilisation_notice", "KG", "RU", {"KG", "RU"}, date(2022, 9, 1),
             templates={"KG-RU-MOBILISATION", "KG-RU-DUAL-CITIZENSHIP"},
             provisions={"KG-CC-256", "KG-RU-AGREEMENT-1996", "RU-CC-328-1", "RU-CC-338"},
             not_in_force={"RU-DECREE-647", "RU-CC-332", "RU-CC-337", "RU-CC-352-1",
                           "RU-CIT-MILITARY-REGISTRATION", "KG-CIT-DUAL"}),
    scenario("uzbek-russian-dual-between-the-decree-and-the-amendments",
             "mobilisation_notice", "UZ", "RU", {"UZ", "RU"}, date(2022, 9, 22),
             templates={"UZ-RU-MOBILISATION", "UZ-RU-DUAL-CITIZENSHIP"},
             provisions={"UZ-CC-154", "UZ-CC-154-1", "RU-DECREE-647", "RU-CC-328-1",
                         "RU-CC-338"},
             not_in_force={"RU-CC-332", "RU-CC-337", "RU-CC-352-1",
                           "RU-CIT-MILITARY-REGISTRATION", "UZ-CIT-SINGLE"}),
    scenario("tajik-russian-dual-with-a-notice-gets-the-treaty-and-the-narrowing",
             "mobilisation_notice", "TJ", "RU", {"TJ", "RU"}, date(2026, 3, 2),
             templates={"TJ-RU-MOBILISATION", "TJ-RU-DUAL-CITIZENSHIP"},
             provisions={"TJ-CC-401-1", "TJ-CC-NARROWING", "TJ-RU-DUAL-TREATY",
                         "RU-DECREE-647", *RU_CITIZEN_NOTICE}),
    scenario("kazakh-citizen-with-a-notice",
             "mobilisation_notice", "KZ", "RU", {"KZ"}, date(2025, 10, 1),
             templates={"KZ-RU-MOBILISATION"}, provisions={"KZ-CC-172", "RU-DECREE-647"}),
    scenario("turkmen-citizen-with-a-notice-gets-no-turkmen-article",
             "mobilisation_notice", "TM", "RU", {"TM"}, date(2025, 10, 1),
             templates={"TM-RU-MOBILISATION"}, provisions={"RU-DECREE-647"}),
    # --- contract pressure --------------------------------------------------------------------
    scenario("uzbek-citizen-pressed-to-sign-a-contract-in-russia",
             "military_contract_pressure", "UZ", "RU", {"UZ"}, date(2025, 5, 1),
             recruiter_type="private_military_company", papers_signed=False,
             templates={"UZ-RU-FOREIGN-ARMY"},
             provisions={"UZ-CC-154", "UZ-CC-154-1", *RU_CONTRACT_INCENTIVES}),
    scenario("kazakh-citizen-pressed-to-sign-a-contract-in-russia",
             "military_contract_pressure", "KZ", "RU", {"KZ"}, date(2025, 5, 1),
             templates={"KZ-RU-FOREIGN-ARMY"},
             provisions={"KZ-CC-172", "KZ-CC-170", *RU_CONTRACT_INCENTIVES}),
    scenario("tajik-citizen-pressed-to-sign-gets-the-exemption-for-those-who-return",
             "military_contract_pressure", "TJ", "RU", {"TJ"}, date(2025, 5, 1),
             templates={"TJ-RU-FOREIGN-ARMY"},
             provisions={"TJ-CC-401", "TJ-CC-401-1", "TJ-CC-401-NOTE", "TJ-CC-NARROWING",
                         *RU_CONTRACT_INCENTIVES}),
    scenario("kyrgyz-citizen-considering-foreign-service-gets-the-home-articles",
             "foreign_service_prosecution_risk", "KG", "RU", {"KG"}, date(2025, 11, 1),
             status="considering", templates={"KG-RU-FOREIGN-ARMY"},
             provisions={"KG-CC-256", "KG-CC-416", *RU_CONTRACT_INCENTIVES}),
    scenario("contract-pressure-in-2023-predates-the-family-citizenship-decree",
             "military_contract_pressure", "TM", "RU", {"TM"}, date(2023, 6, 1),
             templates={"TM-RU-FOREIGN-ARMY"}, provisions={"RU-CIT-MILITARY-CONTRACT"},
             not_in_force={"RU-DECREE-2024-CITIZENSHIP"}),
    # --- dual citizenship ---------------------------------------------------------------------
    scenario("tajik-russian-dual-asking-about-dual-citizenship",
             "dual_citizenship_risk", "TJ", "RU", {"TJ", "RU"}, date(2026, 1, 15),
             templates={"TJ-RU-DUAL-CITIZENSHIP"},
             provisions={"TJ-RU-DUAL-TREATY", "TJ-CC-401-1", "TJ-CC-NARROWING", "RU-CC-328-1",
                         "RU-CIT-MILITARY-REGISTRATION"}),
    scenario("uzbek-russian-dual-in-2023-predates-the-dated-uzbek-citizenship-rule",
             "dual_citizenship_risk", "UZ", "RU", {"UZ", "RU"}, date(2023, 5, 1),
             templates={"UZ-RU-DUAL-CITIZENSHIP"},
             provisions={"UZ-CC-154", "UZ-CC-154-1", "RU-CC-328-1"},
             not_in_force={"UZ-CIT-SINGLE", "RU-CIT-MILITARY-REGISTRATION"}),
    scenario("kazakh-who-took-russian-citizenship-gets-the-loss-and-the-fine",
             "dual_citizenship_risk", "KZ", "RU", {"KZ", "RU"}, date(2026, 2, 10),
             templates={"KZ-RU-DUAL-CITIZENSHIP"},
             provisions={"KZ-CIT-SINGLE", "KZ-CAO-496", "KZ-CC-172", "RU-CC-328-1",
                         "RU-CIT-MILITARY-REGISTRATION"}),
    scenario("turkmen-russian-dual-sees-the-agreement-lapsed-in-2015",
             "dual_citizenship_risk", "TM", "RU", {"TM", "RU"}, date(2025, 4, 1),
             templates={"TM-RU-DUAL-CITIZENSHIP"},
             provisions={"RU-CC-328-1", "RU-CIT-MILITARY-REGISTRATION"},
             not_in_force={"TM-RU-DUAL-AGREEMENT"}),
    # --- stay and entry -----------------------------------------------------------------------
    scenario("stay-question-in-2024-predates-the-calendar-year-rule",
             "stay_limit_overrun", "UZ", "RU", {"UZ"}, date(2024, 6, 1),
             templates={"RU-STAY-90"}, provisions=set(),
             not_in_force={"RU-FOREIGNERS-STAY-90", "RU-FZ-260-REGISTER"}),
    scenario("stay-question-in-2025-gets-90-days-per-calendar-year",
             "stay_limit_overrun", "TJ", "RU", {"TJ"}, date(2025, 3, 1),
             templates={"RU-STAY-90"}, provisions={"RU-FOREIGNERS-STAY-90", "RU-FZ-260-REGISTER"}),
    scenario("ruid-in-july-2025-is-voluntary",
             "ruid_qr_entry", "KZ", "RU", {"KZ"}, date(2025, 7, 10),
             templates={"RU-RUID-VOLUNTARY-ENTRY"}, provisions={"RU-RUID-VOLUNTARY"}),
    scenario("ruid-in-july-2026-is-mandatory",
             "ruid_qr_entry", "KZ", "RU", {"KZ"}, date(2026, 7, 10),
             templates={"RU-RUID-MANDATORY-ENTRY"}, provisions={"RU-RUID-MANDATORY"}),
    scenario("ruid-before-the-experiment-began",
             "ruid_qr_entry", "UZ", "RU", {"UZ"}, date(2025, 6, 1),
             templates={"RU-RUID-VOLUNTARY-ENTRY"}, provisions=set(),
             not_in_force={"RU-RUID-VOLUNTARY"}),
    scenario("biometrics-question-gets-the-deadlines-of-274-fz",
             "biometric_data", "UZ", "RU", {"UZ"}, date(2025, 2, 1),
             templates={"RU-MEDICAL-FINGERPRINTS"}, provisions={"RU-FZ-274-BIOMETRICS"}),
    scenario("moscow-patent-in-2026-gets-the-2026-amount-only",
             "document_status", "TJ", "RU", {"TJ"}, date(2026, 2, 1), document_kind="work_patent",
             templates={"RU-WORK-PATENT-MOSCOW"}, provisions={"RU-MOSCOW-PATENT-2026"},
             not_in_force={"RU-MOSCOW-PATENT-2024"}),
    scenario("moscow-patent-in-2025-has-no-sourced-amount",
             "document_status", "UZ", "RU", {"UZ"}, date(2025, 5, 1), document_kind="work_patent",
             templates={"RU-WORK-PATENT-MOSCOW"}, provisions=set(),
             not_in_force={"RU-MOSCOW-PATENT-2024", "RU-MOSCOW-PATENT-2026"}),
    scenario("lost-passport-is-not-a-patent-question",
             "document_status", "UZ", "RU", {"UZ"}, date(2025, 5, 1),
             document_kind="national_passport", templates=set(), provisions=set()),
    scenario("expulsion-before-the-register-of-controlled-persons",
             "entry_refusal_or_expulsion", "TJ", "RU", {"TJ"}, date(2025, 1, 20),
             templates={"RU-EXPULSION-REGISTER"}, provisions=set(),
             not_in_force={"RU-FZ-260-REGISTER"}),
    # --- money and detention; hosts other than Russia -------------------------------------
    scenario("kyrgyz-remittances-from-russia-get-the-mir-card-cut",
             "remittance_interruption", "KG", "RU", {"KG"}, date(2025, 2, 1),
             templates={"RU-REMITTANCES", "KG-RU-REMITTANCES"}, provisions=set()),
    scenario("tajik-remittances-from-russia-get-the-bank-of-russia-limits-only",
             "remittance_interruption", "TJ", "RU", {"TJ"}, date(2025, 2, 1),
             templates={"RU-REMITTANCES"}, provisions=set()),
    scenario("kyrgyz-remittances-from-kazakhstan-get-no-russian-guidance",
             "remittance_interruption", "KG", "KZ", {"KG"}, date(2025, 2, 1),
             templates=set(), provisions=set()),
    scenario("kyrgyz-citizen-detained-in-germany-gets-generic-advice-and-no-russian-law",
             "detention_abroad", "KG", "DE", {"KG"}, date(2025, 9, 3),
             templates={"GEN-DETENTION"}, provisions=set()),
    scenario("tajik-asylum-seeker-in-germany-gets-nothing-russian",
             "asylum_abroad", "TJ", "DE", {"TJ"}, date(2025, 9, 3),
             templates=set(), provisions=set()),
]


@pytest.fixture
def library(app_context) -> engine.Library:
    import_all()
    db.session.commit()
    return engine.load_library()


def select(library: engine.Library, situation: Situation) -> engine.Selection:
    return engine.select_guidance(library, situation, NOW)


@pytest.mark.parametrize("case", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_the_shipped_rules_select_exactly_this_guidance(library, case):
    selection = select(library, case.situation)

    assert {t.key for t in selection.templates} == case.templates
    assert {p.key for p in selection.provisions} == case.provisions
    assert set(selection.not_in_force) == case.not_in_force
    for provision in selection.provisions:
        assert provision.effective_from <= case.situation.event_date
        assert provision.effective_to is None or case.situation.event_date < provision.effective_to


def test_the_scenarios_exercise_every_shipped_template(library):
    selected = {t.key for case in SCENARIOS for t in select(library, case.situation).templates}
    assert selected == set(library.templates)


def test_a_notice_due_within_72_hours_is_urgent_and_unconfirmed_provisions_are_flagged(library):
    situation = Situation("mobilisation_notice", "KG", "RU", frozenset({"KG", "RU"}),
                          {"appear_by": (NOW + timedelta(hours=48)).isoformat()},
                          date(2026, 11, 21))
    selection = select(library, situation)
    assert selection.deadline is not None and selection.deadline.urgent
    assert "KG-CC-256" in {p.key for p in selection.unverified}
    assert "RU-CC-328-1" not in {p.key for p in selection.unverified}


# --- dual-citizenship risk ----------------------------------------------------------------------

@pytest.mark.parametrize(("origin", "level", "stance"), [
    ("KG", RiskLevel.HIGH, CitizenshipStance.PROHIBITED),
    ("UZ", RiskLevel.HIGH, CitizenshipStance.PROHIBITED),
    ("TJ", RiskLevel.MEDIUM, CitizenshipStance.TREATY),
    ("KZ", RiskLevel.HIGH, CitizenshipStance.PENALISED),
    ("TM", RiskLevel.MEDIUM, CitizenshipStance.TOLERATED),
], ids=["kyrgyz-russian-high", "uzbek-russian-high", "tajik-russian-treaty-medium",
        "kazakh-russian-penalised-high", "turkmen-russian-tolerated-medium"])
def test_dual_citizenship_with_russia_has_the_positions_risk(library, origin, level, stance):
    situation = Situation("dual_citizenship_risk", origin, "RU", frozenset({origin, "RU"}))
    risk = select(library, situation).risk
    [position] = risk.positions
    assert (risk.level, position.stance, risk.unknown_pairs) == (level, stance, [])
    assert {"ru", "en"} <= set(position.reasons)
    assert any("mobilisation" in reason for reason in position.reasons["en"])


@pytest.mark.parametrize("origin", ["KG", "UZ", "KZ"])
def test_the_reasons_say_a_russian_passport_does_not_protect_at_home(library, origin):
    position = library.positions[(origin, "RU")]
    assert any("does not protect at home" in reason for reason in position.reasons["en"])
    assert any("не защищает дома" in reason for reason in position.reasons["ru"])


def test_a_pair_without_a_position_is_unknown_at_medium_risk(library):
    risk = select(library, Situation("dual_citizenship_risk", "KG", "KZ",
                                     frozenset({"KG", "KZ"}))).risk
    assert (risk.level, risk.positions, risk.unknown_pairs) == (RiskLevel.MEDIUM, [],
                                                                [("KG", "KZ")])


def test_the_highest_risk_of_several_second_citizenships_counts(library):
    risk = select(library, Situation("dual_citizenship_risk", "KG", "RU",
                                     frozenset({"KG", "KZ", "RU"}))).risk
    assert risk.level == RiskLevel.HIGH
    assert [(p.origin_country, p.other_country) for p in risk.positions] == [("KG", "RU")]
    assert risk.unknown_pairs == [("KG", "KZ")]


def test_one_citizenship_carries_no_dual_citizenship_risk(library):
    risk = select(library, Situation("information_request", "UZ", "RU",
                                     frozenset({"UZ"}))).risk
    assert (risk.level, risk.positions, risk.unknown_pairs) == (None, [], [])
