"""Typed case facts: one schema per category, JSON-ready output, field-named errors."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from migrantdesk.cases.facts import (
    FACT_SCHEMAS,
    SENSITIVE_CATEGORIES,
    CaseCategory,
    merge_facts,
    validate_facts,
)
from migrantdesk.core.errors import ValidationFailed

SEED_CODES = {
    "mobilisation_notice", "military_contract_pressure", "foreign_service_prosecution_risk",
    "dual_citizenship_risk", "departure_blocked", "stay_limit_overrun", "ruid_qr_entry",
    "biometric_data", "entry_refusal_or_expulsion", "forged_documents", "eu_deportation",
    "irregular_recruitment", "asylum_abroad", "us_entry_restriction", "remittance_interruption",
    "discrimination_police_abuse", "detention_abroad", "wage_labour_dispute", "document_status",
    "extremist_recruitment_approach", "information_request",
}


def field_errors(category, facts) -> dict:
    with pytest.raises(ValidationFailed) as caught:
        validate_facts(category, facts)
    assert caught.value.status == 422
    return caught.value.fields["facts"]


def test_categories_are_the_21_seed_codes():
    assert {category.value for category in CaseCategory} == SEED_CODES


def test_every_category_has_a_facts_schema():
    assert set(FACT_SCHEMAS) == set(CaseCategory)


def test_every_category_accepts_empty_facts():
    for category in CaseCategory:
        assert validate_facts(category, {}) == {}
        assert validate_facts(category, None) == {}


def test_sensitive_categories_are_the_restricted_ones():
    assert {category.value for category in SENSITIVE_CATEGORIES} == {
        "mobilisation_notice", "military_contract_pressure", "foreign_service_prosecution_risk",
        "detention_abroad", "asylum_abroad", "extremist_recruitment_approach"}


def test_mobilisation_notice_facts_round_trip_to_json():
    facts = {
        "received_on": "2022-09-23", "issuing_office": "Military commissariat, Moscow",
        "delivery": "at_work", "appear_by": "2022-09-26T09:00:00+03:00",
        "anything_signed": True, "what_was_signed": "Receipt of the notice",
        "scan_attached": False,
    }
    stored = validate_facts("mobilisation_notice", facts)
    assert stored == facts
    assert json.loads(json.dumps(stored)) == stored
    assert validate_facts(CaseCategory.MOBILISATION_NOTICE, stored) == stored


def test_only_given_keys_are_stored_and_null_is_dropped():
    stored = validate_facts("mobilisation_notice", {"delivery": "by_post", "appear_by": None})
    assert stored == {"delivery": "by_post"}


def test_remittance_amount_is_stored_as_a_two_place_string():
    stored = validate_facts("remittance_interruption",
                            {"amount": 15000, "currency": "RUB", "since": "2022-03-04",
                             "dependants": 4})
    assert stored == {"amount": "15000.00", "currency": "RUB", "since": "2022-03-04",
                      "dependants": 4}


def test_unknown_fact_is_rejected_naming_the_field():
    errors = field_errors("mobilisation_notice", {"received_on": "2022-09-23", "rank": "x"})
    assert list(errors) == ["rank"]


def test_wrong_type_is_rejected_naming_the_field():
    errors = field_errors("detention_abroad", {"consular_visits": "twice", "facility": 7})
    assert set(errors) == {"consular_visits", "facility"}


def test_value_outside_the_choices_is_rejected():
    assert "delivery" in field_errors("mobilisation_notice", {"delivery": "pigeon"})
    assert "status" in field_errors("document_status", {"status": "stolen?"})


def test_naive_appear_by_is_rejected():
    assert "appear_by" in field_errors("mobilisation_notice",
                                       {"appear_by": "2022-09-26T09:00:00"})


def test_overlong_text_is_rejected():
    assert "issuing_office" in field_errors("mobilisation_notice", {"issuing_office": "x" * 201})


def test_amount_must_be_positive_and_currency_iso():
    errors = field_errors("remittance_interruption", {"amount": "0", "currency": "rub"})
    assert set(errors) == {"amount", "currency"}


def test_days_used_is_bounded_by_a_year():
    assert "days_used" in field_errors("stay_limit_overrun", {"days_used": 367})
    assert validate_facts("stay_limit_overrun", {"days_used": 91}) == {"days_used": 91}


def test_future_received_on_is_rejected():
    next_week = (date.today() + timedelta(days=7)).isoformat()
    errors = field_errors("mobilisation_notice", {"received_on": next_week})
    assert list(errors) == ["received_on"]


def test_today_is_not_in_the_future():
    today = date.today().isoformat()
    assert validate_facts("detention_abroad", {"detained_on": today}) == {"detained_on": today}


def test_exit_before_entry_is_rejected():
    errors = field_errors("stay_limit_overrun",
                          {"entry_date": "2025-03-01", "exit_date": "2025-02-01"})
    assert list(errors) == ["exit_date"]


def test_period_to_before_period_from_is_rejected():
    errors = field_errors("wage_labour_dispute",
                          {"period_from": "2024-05-01", "period_to": "2024-04-30"})
    assert list(errors) == ["period_to"]


def test_unknown_category_is_rejected():
    with pytest.raises(ValidationFailed) as caught:
        validate_facts("tax_advice", {})
    message = caught.value.fields["category"][0]
    assert message.startswith("Unknown category; one of: ")
    assert "mobilisation_notice" in message


def test_facts_that_are_not_an_object_are_rejected():
    assert field_errors("information_request", ["topic"])


def test_merge_removes_a_key_set_to_none_and_keeps_the_rest():
    current = validate_facts("stay_limit_overrun",
                             {"entry_date": "2025-01-10", "days_used": 95,
                              "stay_basis": "visa_free"})
    merged = merge_facts("stay_limit_overrun", current,
                         {"stay_basis": None, "exit_date": "2025-04-20"})
    assert merged == {"entry_date": "2025-01-10", "days_used": 95, "exit_date": "2025-04-20"}


def test_merge_revalidates_the_merged_facts():
    current = {"entry_date": "2025-01-10"}
    with pytest.raises(ValidationFailed) as caught:
        merge_facts("stay_limit_overrun", current, {"exit_date": "2025-01-01"})
    assert list(caught.value.fields["facts"]) == ["exit_date"]


def test_merge_rejects_clearing_an_unknown_key():
    with pytest.raises(ValidationFailed) as caught:
        merge_facts("detention_abroad", {"facility": "SIZO-1"}, {"facilty": None})
    assert list(caught.value.fields["facts"]) == ["facilty"]
