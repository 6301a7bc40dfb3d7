"""Which guidance applies to a case: rules over its situation select templates and the
provisions in force on the date of the event (not today), plus the notice deadline and the
dual-citizenship risk."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select

from migrantdesk.core.db import db
from migrantdesk.guidance.conditions import Situation, matches
from migrantdesk.guidance.deadlines import NOTICE_CATEGORIES, NoticeDeadline, notice_deadline
from migrantdesk.guidance.models import (
    CitizenshipPosition,
    ContentStatus,
    GuidanceRule,
    GuidanceTemplate,
    Provision,
    RiskLevel,
    Verification,
)

_RISK_ORDER = [RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH]


@dataclass
class Library:
    """Published legal content held in memory, so a case is evaluated without queries."""

    rules: list[GuidanceRule]
    templates: dict[str, GuidanceTemplate]
    provisions: dict[str, list[Provision]]  # published versions, newest first
    positions: dict[tuple[str, str], CitizenshipPosition] = field(default_factory=dict)

    def rows(self) -> list[Any]:
        return [*self.rules, *self.templates.values(),
                *(p for versions in self.provisions.values() for p in versions),
                *self.positions.values()]

    def provision_in_force(self, key: str, on: date) -> Provision | None:
        for provision in self.provisions.get(key, ()):
            if provision.effective_from <= on and (
                    provision.effective_to is None or on < provision.effective_to):
                return provision
        return None


_cache: dict[str, tuple[tuple[int, ...], Library]] = {}


def _content_revision() -> tuple[int, ...]:
    """Changes whenever any legal content row is added or changed (lock_version counts every
    update of a row; published rows are never deleted), at the cost of one small query."""
    values = []
    for model in (Provision, GuidanceTemplate, GuidanceRule, CitizenshipPosition):
        values += [select(aggregate).scalar_subquery() for aggregate in (
            func.count(model.id), func.coalesce(func.max(model.id), 0),
            func.coalesce(func.sum(model.lock_version), 0))]
    row = db.session.execute(select(*values)).one()
    return tuple(int(value) for value in row)


def current_library() -> Library:
    """The published library, reloaded only when the content has changed since last time."""
    bind_key = str(db.engine.url)
    revision = _content_revision()
    cached = _cache.get(bind_key)
    if cached is None or cached[0] != revision:
        library = load_library()
        for row in library.rows():  # the cached rows outlive this session, read-only
            db.session.expunge(row)
        _cache[bind_key] = (revision, library)
        return library
    return cached[1]


def load_library() -> Library:
    published = ContentStatus.PUBLISHED
    rules = list(db.session.scalars(select(GuidanceRule).where(GuidanceRule.status == published)
                                    .order_by(GuidanceRule.key)))
    templates = {t.key: t for t in db.session.scalars(
        select(GuidanceTemplate).where(GuidanceTemplate.status == published)
        .order_by(GuidanceTemplate.version))}
    provisions: dict[str, list[Provision]] = defaultdict(list)
    for provision in db.session.scalars(select(Provision).where(Provision.status == published)
                                        .order_by(Provision.version.desc())):
        provisions[provision.key].append(provision)
    positions = {(p.origin_country, p.other_country): p
                 for p in db.session.scalars(select(CitizenshipPosition))}
    return Library(rules, templates, dict(provisions), positions)


@dataclass
class DualCitizenshipRisk:
    level: RiskLevel | None
    positions: list[CitizenshipPosition]
    unknown_pairs: list[tuple[str, str]]


@dataclass
class Selection:
    situation: Situation
    rules: list[GuidanceRule]
    templates: list[GuidanceTemplate]
    provisions: list[Provision]
    # Keys a matching rule or template cites that were not in force on the event date.
    not_in_force: list[str]
    deadline: NoticeDeadline | None
    risk: DualCitizenshipRisk

    @property
    def unverified(self) -> list[Provision]:
        return [p for p in self.provisions if p.verification != Verification.CONFIRMED]


def _template_fits(template: GuidanceTemplate, situation: Situation) -> bool:
    return (template.origin_country in (None, situation.origin)
            and template.host_country in (None, situation.host_country))


def dual_citizenship_risk(library: Library, situation: Situation) -> DualCitizenshipRisk:
    others = sorted(situation.citizenships - {situation.origin})
    positions, unknown = [], []
    for other in others:
        position = library.positions.get((situation.origin, other))
        if position is None:
            unknown.append((situation.origin, other))
        else:
            positions.append(position)
    levels = [RiskLevel(p.risk) for p in positions] + [RiskLevel.MEDIUM] * len(unknown)
    level = max(levels, key=_RISK_ORDER.index) if levels else None
    return DualCitizenshipRisk(level, positions, unknown)


def select_guidance(library: Library, situation: Situation, now: datetime) -> Selection:
    """Everything that applies to the situation; provisions as in force on its event date."""
    rules = [rule for rule in library.rules if matches(rule.conditions, situation)]
    template_keys = list(dict.fromkeys(k for rule in rules for k in rule.template_keys))
    templates = [library.templates[k] for k in template_keys
                 if k in library.templates and _template_fits(library.templates[k], situation)]
    provision_keys = list(dict.fromkeys(
        [k for rule in rules for k in rule.provision_keys]
        + [k for template in templates for k in template.provision_keys]))
    provisions, not_in_force = [], []
    for key in provision_keys:
        provision = library.provision_in_force(key, situation.event_date)
        (provisions.append(provision) if provision else not_in_force.append(key))
    deadline = (notice_deadline(situation.facts, now)
                if situation.category in NOTICE_CATEGORIES else None)
    return Selection(situation, rules, templates, provisions, not_in_force, deadline,
                     dual_citizenship_risk(library, situation))
