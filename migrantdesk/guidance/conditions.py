"""The rule language: declarative conditions over a case's situation, stored as JSON.

A condition is a mapping with exactly one key:

    {"all": [cond, ...]}  {"any": [cond, ...]}  {"not": cond}
    {"citizenship": "RU"}                 the migrant holds this citizenship on the event date
    {"origin": ["KG", "UZ"]}              the consulate's country is one of these
    {"host_country": ["RU"]}              the case's host country is one of these
    {"category": ["mobilisation_notice"]}
    {"fact": "anything_signed", "equals": true}   also "present": true / "in": [...]
    {"event_on_or_after": "2022-09-21"}   {"event_before": "2025-01-01"}

Rules are data that lawyers edit, so every condition is validated before it is saved and
evaluated without eval(): a plain recursive interpreter over this small vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

# The fact that dates the event, by category; a case without one is dated by its opening.
# An entry question is dated by the journey: the rules in force when the person crosses.
EVENT_DATE_FACTS = ("travel_date", "received_on", "decided_on", "detained_on", "occurred_on",
                    "applied_on", "approached_on", "taken_on", "since", "entry_date",
                    "second_citizenship_on")

_LIST_PREDICATES = {"origin", "host_country", "category"}
_DATE_PREDICATES = {"event_on_or_after", "event_before"}
_FACT_TESTS = {"equals", "present", "in"}


class ConditionError(ValueError):
    """A condition that does not follow the rule language; the message says where."""


@dataclass(frozen=True)
class Situation:
    """What the rules may look at: a snapshot of one case on its event date."""

    category: str
    origin: str
    host_country: str
    citizenships: frozenset[str]
    facts: dict[str, Any] = field(default_factory=dict)
    event_date: date = field(default_factory=date.today)


def event_date_of(facts: dict[str, Any], opened_on: date) -> date:
    for name in EVENT_DATE_FACTS:
        value = facts.get(name)
        if value:
            return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return opened_on


def validate_condition(condition: Any, where: str = "when") -> None:
    """Raise ConditionError naming the path of the first malformed part."""
    if not isinstance(condition, dict):
        raise ConditionError(f"{where}: a condition is a mapping")
    if "fact" in condition:
        tests = set(condition) - {"fact"}
        if not isinstance(condition["fact"], str) or len(tests) != 1 or not tests <= _FACT_TESTS:
            raise ConditionError(f"{where}: fact needs a name and one of {sorted(_FACT_TESTS)}")
        if "in" in condition and not isinstance(condition["in"], list):
            raise ConditionError(f"{where}.in: a list")
        return
    if len(condition) != 1:
        raise ConditionError(f"{where}: exactly one key, got {sorted(condition)}")
    ((name, argument),) = condition.items()
    if name in ("all", "any"):
        if not isinstance(argument, list) or not argument:
            raise ConditionError(f"{where}.{name}: a non-empty list of conditions")
        for index, part in enumerate(argument):
            validate_condition(part, f"{where}.{name}[{index}]")
    elif name == "not":
        validate_condition(argument, f"{where}.not")
    elif name == "citizenship":
        if not (isinstance(argument, str) and len(argument) == 2):
            raise ConditionError(f"{where}.citizenship: a two-letter country code")
    elif name in _LIST_PREDICATES:
        if not (isinstance(argument, list) and argument
                and all(isinstance(v, str) for v in argument)):
            raise ConditionError(f"{where}.{name}: a non-empty list of codes")
    elif name in _DATE_PREDICATES:
        try:
            date.fromisoformat(str(argument))
        except ValueError as error:
            raise ConditionError(f"{where}.{name}: an ISO date (YYYY-MM-DD)") from error
    else:
        raise ConditionError(f"{where}: unknown condition {name!r}")


def matches(condition: dict[str, Any], situation: Situation) -> bool:
    """Whether the situation satisfies a (validated) condition."""
    if "fact" in condition:
        value = situation.facts.get(condition["fact"])
        if "equals" in condition:
            return bool(value == condition["equals"])
        if "in" in condition:
            return value in condition["in"]
        return (value is not None) == bool(condition["present"])
    ((name, argument),) = condition.items()
    if name == "all":
        return all(matches(part, situation) for part in argument)
    if name == "any":
        return any(matches(part, situation) for part in argument)
    if name == "not":
        return not matches(argument, situation)
    if name == "citizenship":
        return argument in situation.citizenships
    if name in _LIST_PREDICATES:
        return getattr(situation, name) in argument
    if name == "event_on_or_after":
        return situation.event_date >= date.fromisoformat(str(argument))
    return situation.event_date < date.fromisoformat(str(argument))  # event_before
