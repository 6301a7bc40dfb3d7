from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from migrantdesk.guidance.conditions import (
    ConditionError,
    Situation,
    event_date_of,
    matches,
    validate_condition,
)
from migrantdesk.guidance.deadlines import notice_deadline

KG_RU_NOTICE = Situation(category="mobilisation_notice", origin="KG", host_country="RU",
                         citizenships=frozenset({"KG", "RU"}),
                         facts={"anything_signed": False, "delivery": "at_work"},
                         event_date=date(2026, 11, 20))


@pytest.mark.parametrize(("condition", "expected"), [
    ({"citizenship": "RU"}, True),
    ({"citizenship": "TJ"}, False),
    ({"all": [{"origin": ["KG"]}, {"host_country": ["RU", "KZ"]}]}, True),
    ({"any": [{"category": ["detention_abroad"]}, {"citizenship": "UZ"}]}, False),
    ({"not": {"citizenship": "UZ"}}, True),
    ({"fact": "anything_signed", "equals": False}, True),
    ({"fact": "appear_by", "present": True}, False),
    ({"fact": "delivery", "in": ["at_work", "via_employer"]}, True),
    ({"event_on_or_after": "2022-09-21"}, True),
    ({"event_before": "2025-01-01"}, False),
])
def test_conditions_evaluate_over_the_situation(condition, expected):
    validate_condition(condition)
    assert matches(condition, KG_RU_NOTICE) is expected


@pytest.mark.parametrize(("condition", "where"), [
    ({"citizenship": "Russia"}, "when.citizenship"),
    ({"all": []}, "when.all"),
    ({"any": [{"origin": "KG"}]}, "when.any[0].origin"),
    ({"eval": "__import__('os')"}, "unknown condition 'eval'"),
    ({"fact": "amount", "greater": 5}, "when: fact needs"),
    ({"event_before": "next week"}, "when.event_before"),
    ({"origin": ["KG"], "host_country": ["RU"]}, "exactly one key"),
])
def test_malformed_conditions_are_refused_with_their_place(condition, where):
    with pytest.raises(ConditionError, match=where.replace("[", r"\[").replace("(", r"\(")):
        validate_condition(condition)


def test_event_date_comes_from_the_facts_or_the_opening_day():
    assert event_date_of({"received_on": "2022-09-22"}, date(2026, 1, 1)) == date(2022, 9, 22)
    assert event_date_of({}, date(2026, 1, 1)) == date(2026, 1, 1)
    # Asked in June about a journey in July: the rules in force on the journey count.
    assert event_date_of({"travel_date": "2026-07-05"}, date(2026, 6, 20)) == date(2026, 7, 5)


def test_notice_with_three_days_left_is_urgent_and_with_a_week_is_not():
    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    soon = notice_deadline({"appear_by": (now + timedelta(hours=71)).isoformat()}, now)
    later = notice_deadline({"appear_by": (now + timedelta(days=7)).isoformat()}, now)
    assert soon.urgent and soon.hours_left == 71.0 and soon.reasons == (
        "deadline_within_72_hours",)
    assert not later.urgent and later.hours_left == 168.0


def test_a_signed_paper_makes_a_notice_urgent_even_without_a_date():
    result = notice_deadline({"anything_signed": True}, datetime.now(UTC))
    assert result.urgent and result.deadline is None and result.reasons == ("something_signed",)


def test_a_passed_deadline_is_reported_as_passed():
    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    result = notice_deadline({"appear_by": "2026-11-22T09:00:00+00:00"}, now)
    assert result.hours_left == -24.0 and result.reasons == ("deadline_passed",)
