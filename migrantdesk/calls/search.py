"""Repeat-caller search: phone in any format, name in any script, document number; ranked.

Each kind of match proposes migrants with a score in [0, 1]; a migrant found several ways
keeps the best score. On PostgreSQL the name and phone conditions use trigram indexes
(pg_trgm); SQLite registers the same word_similarity function (core.db).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Float, and_, case, func, literal, or_, select
from sqlalchemy.orm import selectinload

from migrantdesk.calls.models import Call
from migrantdesk.cases.models import Case, CaseStatus
from migrantdesk.core.db import NAME_SIMILARITY_THRESHOLD, db
from migrantdesk.core.text import document_key, name_skeleton
from migrantdesk.migrants.models import IdentityDocument, Migrant, MigrantPhone
from migrantdesk.migrants.phones import digits_of

MIN_SUFFIX_DIGITS = 7
SUFFIX_DIGITS = 9  # national significant numbers of the region are 9-10 digits


@dataclass
class Match:
    migrant: Migrant
    score: float = 0.0
    matched_on: list[str] = field(default_factory=list)
    open_cases: int = 0

    @property
    def phones(self) -> list[str]:
        return [phone.e164 for phone in self.migrant.phones]

    def __getattr__(self, name: str):
        return getattr(self.migrant, name)


def _is_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _phone_candidates(office_id: int, digits: str) -> list[tuple[int, float]]:
    score: ColumnElement[float]
    if len(digits) >= MIN_SUFFIX_DIGITS:
        tail = digits[-SUFFIX_DIGITS:]
        pattern, score = f"%{tail}", case((MigrantPhone.e164 == f"+{digits}", 1.0), else_=0.95)
    else:
        pattern, score = f"%{digits}%", literal(0.5)
    rows = db.session.execute(
        select(MigrantPhone.migrant_id, score.label("score"))
        .join(Migrant, Migrant.id == MigrantPhone.migrant_id)
        .where(Migrant.office_id == office_id, MigrantPhone.e164.like(pattern)).limit(50))
    return [(row.migrant_id, float(row.score)) for row in rows]


def _document_candidates(office_id: int, key: str) -> list[tuple[int, float]]:
    rows = db.session.execute(
        select(IdentityDocument.migrant_id)
        .join(Migrant, Migrant.id == IdentityDocument.migrant_id)
        .where(Migrant.office_id == office_id, IdentityDocument.number_key == key).limit(50))
    return [(row.migrant_id, 1.0) for row in rows]


def name_condition(skeleton: str) -> tuple[ColumnElement[bool], ColumnElement[float]]:
    similarity = func.word_similarity(skeleton, Migrant.search_key, type_=Float)
    contains = Migrant.search_key.like(f"%{skeleton}%")
    if _is_postgresql():
        # `<%` is the indexable form of word_similarity >= the threshold set per connection.
        return or_(contains, literal(skeleton).op("<%")(Migrant.search_key)), similarity
    return or_(contains, similarity >= NAME_SIMILARITY_THRESHOLD), similarity


def _name_candidates(office_id: int, skeleton: str, limit: int) -> list[tuple[int, float]]:
    condition, similarity = name_condition(skeleton)
    rows = db.session.execute(
        select(Migrant.id, similarity.label("score"))
        .where(and_(Migrant.office_id == office_id, condition))
        .order_by(similarity.desc(), Migrant.id).limit(limit))
    return [(row.id, float(row.score)) for row in rows]


def search_callers(office_id: int, query: str, limit: int) -> tuple[list[Match], list[Call]]:
    """Migrants of the office matching the query, best first, and unlinked calls from the
    same phone number (a caller who rang before without being identified)."""
    query = query.strip()
    digits = digits_of(query)
    has_letters = any(ch.isalpha() for ch in query)
    proposals: list[tuple[str, list[tuple[int, float]]]] = []
    if not has_letters and len(digits) >= 3:
        proposals.append(("phone", _phone_candidates(office_id, digits)))
    if any(ch.isdigit() for ch in query) and len(document_key(query)) >= 3:
        proposals.append(("document", _document_candidates(office_id, document_key(query))))
    skeleton = name_skeleton(query) if has_letters else ""
    if len(skeleton) >= 3:
        proposals.append(("name", _name_candidates(office_id, skeleton, limit)))

    matches: dict[int, tuple[float, list[str]]] = {}
    for reason, candidates in proposals:
        for migrant_id, score in candidates:
            best, reasons = matches.get(migrant_id, (0.0, []))
            matches[migrant_id] = (max(best, score), [*reasons, reason])
    ranked = sorted(matches.items(), key=lambda item: (-item[1][0], item[0]))[:limit]
    return _load_matches(office_id, ranked), _unlinked_calls(office_id, digits, has_letters)


def _load_matches(office_id: int, ranked: list[tuple[int, tuple[float, list[str]]]]
                  ) -> list[Match]:
    if not ranked:
        return []
    ids = [migrant_id for migrant_id, _ in ranked]
    migrants = {m.id: m for m in db.session.scalars(
        select(Migrant).where(Migrant.id.in_(ids), Migrant.office_id == office_id)
        .options(selectinload(Migrant.phones)))}
    open_cases = dict(db.session.execute(
        select(Case.migrant_id, func.count(Case.id))
        .where(Case.migrant_id.in_(ids),
               Case.status.not_in([CaseStatus.RESOLVED, CaseStatus.CLOSED]))
        .group_by(Case.migrant_id)).all())
    return [Match(migrants[mid], score, reasons, open_cases.get(mid, 0))
            for mid, (score, reasons) in ranked if mid in migrants]


def _unlinked_calls(office_id: int, digits: str, has_letters: bool) -> list[Call]:
    if has_letters or len(digits) < MIN_SUFFIX_DIGITS:
        return []
    return list(db.session.scalars(
        select(Call).where(Call.office_id == office_id, Call.migrant_id.is_(None),
                           Call.caller_phone.like(f"%{digits[-SUFFIX_DIGITS:]}"))
        .order_by(Call.started_at.desc()).limit(10)))
