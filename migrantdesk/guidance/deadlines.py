"""Mobilisation-notice deadline: when the person must appear, and how long is left."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

URGENT_WITHIN_HOURS = 72
# Case categories whose facts carry a notice: a date to appear, papers signed.
NOTICE_CATEGORIES = frozenset({"mobilisation_notice", "military_contract_pressure"})


@dataclass(frozen=True)
class NoticeDeadline:
    deadline: datetime | None
    hours_left: float | None
    signed: bool
    urgent: bool
    reasons: tuple[str, ...]


def notice_deadline(facts: dict[str, Any], now: datetime) -> NoticeDeadline:
    """The deadline of a notice from its facts (`appear_by`, `anything_signed`, and for contract
    pressure `papers_signed`). Urgent with 72 hours or less left, or once anything is signed."""
    raw = facts.get("appear_by")
    deadline = datetime.fromisoformat(raw) if isinstance(raw, str) else raw
    hours_left = None if deadline is None else round(
        (deadline - now).total_seconds() / 3600, 1)
    signed = bool(facts.get("anything_signed") or facts.get("papers_signed"))
    reasons = []
    if hours_left is not None and hours_left <= URGENT_WITHIN_HOURS:
        reasons.append("deadline_passed" if hours_left < 0 else "deadline_within_72_hours")
    if signed:
        reasons.append("something_signed")
    return NoticeDeadline(deadline, hours_left, signed, bool(reasons), tuple(reasons))
