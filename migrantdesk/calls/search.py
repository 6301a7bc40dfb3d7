"""Repeat-caller search: phone in any format, name in any script, document number; ranked.

Each kind of match proposes migrants with a score in [0, 1]; a migrant found several ways
keeps the best score.

Names are matched word by word. Each word of the query (a core.text skeleton) is compared
with the office's vocabulary of name words (migrants.models.NameWord, small, trigram-indexed
on PostgreSQL) and keeps its most similar words; those lead to the migrants carrying them
(MigrantNameWord, a B-tree listing each word's carriers in id order). A migrant scores the mean,
over the words of the query, of the best similarity of a word it carries: "Asanov Bakyt"
ranks people with both words first, "Asanof" still finds "asanov", and "Nurjanov Asan" scores
0.5 for "Asanov", not 1. The work is capped: the candidates are the first migrants carrying
each matched word, and the first carrying the best matches of the query's words together.
SQLite registers pg_trgm's similarity (core.db), so both databases find and rank alike.

The statements are Core, on tables rather than ORM entities, and built once per shape with
bound parameters: building and compiling them anew for every search would cost more than
the database takes to answer.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import combinations
from typing import Any

from sqlalchemy import (
    Float,
    Row,
    Select,
    String,
    and_,
    bindparam,
    case,
    exists,
    func,
    literal,
    select,
    union,
    union_all,
)

from migrantdesk.calls.models import Call
from migrantdesk.cases.models import Case, CaseStatus
from migrantdesk.core.db import NAME_SIMILARITY_THRESHOLD, db
from migrantdesk.core.text import document_key, name_skeleton
from migrantdesk.migrants.models import (
    IdentityDocument,
    Migrant,
    MigrantNameWord,
    MigrantPhone,
    NameWord,
)
from migrantdesk.migrants.name_words import name_words
from migrantdesk.migrants.phones import digits_of

MIN_SUFFIX_DIGITS = 7
SUFFIX_DIGITS = 9  # national significant numbers of the region are 9-10 digits
MAX_QUERY_WORDS = 4  # surname, given name, patronymic and "uulu"/"kyzy" at most
MATCHES_PER_WORD = 10  # vocabulary words kept for each word of the query
UNLINKED_CALLS_SHOWN = 10

# (position of the query word, vocabulary word, similarity), best first for each position.
MatchedWord = tuple[int, str, float]
Candidates = list[tuple[int, float]]

_MIGRANTS = Migrant.__table__
_PHONES = MigrantPhone.__table__
_DOCUMENTS = IdentityDocument.__table__
_CASES = Case.__table__
_CALLS = Call.__table__
_VOCABULARY = NameWord.__table__
_CARRIED = MigrantNameWord.__table__


@dataclass
class Match:
    """One migrant found, with what the result list shows of them."""

    id: int
    surname_cyrl: str | None
    given_names_cyrl: str | None
    surname_latn: str | None
    given_names_latn: str | None
    birth_date: date | None
    phones: list[str] = field(default_factory=list)
    open_cases: int = 0
    score: float = 0.0
    matched_on: list[str] = field(default_factory=list)


def _dialect() -> str:
    return db.session.get_bind().dialect.name


# --- phones and documents ------------------------------------------------------------------------

def _phones_ending_with(score: Any) -> Select:
    return (select(_PHONES.c.migrant_id, score.label("score"))
            .join(_MIGRANTS, _MIGRANTS.c.id == _PHONES.c.migrant_id)
            .where(_MIGRANTS.c.office_id == bindparam("office_id"),
                   _PHONES.c.e164.like(bindparam("pattern")))
            .limit(50))


_PHONE_SUFFIX = _phones_ending_with(case((_PHONES.c.e164 == bindparam("exact"), 1.0),
                                         else_=0.95))
_PHONE_PART = _phones_ending_with(literal(0.5))
_DOCUMENT = (select(_DOCUMENTS.c.migrant_id)
             .join(_MIGRANTS, _MIGRANTS.c.id == _DOCUMENTS.c.migrant_id)
             .where(_MIGRANTS.c.office_id == bindparam("office_id"),
                    _DOCUMENTS.c.number_key == bindparam("key"))
             .limit(50))


def _phone_candidates(office_id: int, digits: str) -> Candidates:
    if len(digits) >= MIN_SUFFIX_DIGITS:
        statement, params = _PHONE_SUFFIX, {"pattern": f"%{digits[-SUFFIX_DIGITS:]}",
                                            "exact": f"+{digits}"}
    else:
        statement, params = _PHONE_PART, {"pattern": f"%{digits}%"}
    rows = db.session.execute(statement, {"office_id": office_id, **params})
    return [(row.migrant_id, float(row.score)) for row in rows]


def _document_candidates(office_id: int, key: str) -> Candidates:
    rows = db.session.execute(_DOCUMENT, {"office_id": office_id, "key": key})
    return [(row.migrant_id, 1.0) for row in rows]


# --- names -------------------------------------------------------------------------------------

def query_words(query: str) -> list[str]:
    """The words of a query that can be names: skeleton words of two letters or more,
    without digits (those are document or phone fragments), at most MAX_QUERY_WORDS."""
    words = [word for word in name_words(name_skeleton(query))
             if len(word) >= 2 and word.isalpha()]
    return words[:MAX_QUERY_WORDS]


def _similar_words(position: int, indexed: bool) -> Select:
    word = bindparam(f"word_{position}", type_=String)
    similarity = func.similarity(_VOCABULARY.c.word, word, type_=Float)
    condition = similarity >= NAME_SIMILARITY_THRESHOLD
    if indexed:  # `%` is the indexable form of the same threshold (core.db)
        condition = and_(_VOCABULARY.c.word.op("%")(word), condition)
    someone_carries = exists().where(_CARRIED.c.office_id == _VOCABULARY.c.office_id,
                                     _CARRIED.c.word == _VOCABULARY.c.word)
    return (select(literal(position).label("position"), _VOCABULARY.c.word,
                   similarity.label("similarity"))
            .where(_VOCABULARY.c.office_id == bindparam("office_id"), condition,
                   someone_carries)
            .order_by(similarity.desc(), _VOCABULARY.c.word).limit(MATCHES_PER_WORD))


@functools.lru_cache(maxsize=16)
def _matching_statement(query_size: int, dialect: str) -> Any:
    parts = [_similar_words(position, dialect == "postgresql").subquery()
             for position in range(query_size)]
    return union_all(*(select(part) for part in parts)) if len(parts) > 1 else select(parts[0])


def matched_words(office_id: int, words: Sequence[str]) -> list[MatchedWord]:
    """For each query word, the vocabulary words of the office (carried by someone) at least
    NAME_SIMILARITY_THRESHOLD similar, most similar first, at most MATCHES_PER_WORD."""
    params = {f"word_{position}": word for position, word in enumerate(words)}
    rows = db.session.execute(_matching_statement(len(words), _dialect()),
                              {"office_id": office_id, **params})
    found = [(row.position, row.word, float(row.similarity)) for row in rows]
    return sorted(found, key=lambda match: (match[0], -match[2], match[1]))


def carrier_groups(matched: Sequence[MatchedWord], query_size: int) -> list[tuple[str, ...]]:
    """Sets of words whose first carriers are the candidates: each matched word alone, and
    the best match of every query word together with the others' — of all of them and of
    all but one (a patronymic the register lacks)."""
    groups: list[tuple[str, ...]] = [(word,) for _, word, _ in matched]
    best = list(dict.fromkeys(next(word for position, word, _ in matched if position == p)
                              for p in sorted({position for position, _, _ in matched})))
    if query_size >= 2 and len(best) >= 2:
        sizes = sorted({len(best), max(len(best) - 1, 2)}, reverse=True)
        groups += [group for size in sizes for group in combinations(best, size)]
    return list(dict.fromkeys(groups))


def _first_carriers(group: int, size: int) -> Select:
    """The first migrants (by id, at most :limit) of the office carrying all the group's
    words, bound as :g<group>_<i>."""
    first = _CARRIED.alias()
    statement = select(first.c.migrant_id).where(first.c.office_id == bindparam("office_id"),
                                                 first.c.word == bindparam(f"g{group}_0"))
    for i in range(1, size):
        other = _CARRIED.alias()
        statement = statement.join(other, and_(other.c.office_id == bindparam("office_id"),
                                               other.c.word == bindparam(f"g{group}_{i}"),
                                               other.c.migrant_id == first.c.migrant_id))
    return statement.order_by(first.c.migrant_id).limit(bindparam("limit"))


@functools.lru_cache(maxsize=256)
def _ranking_statement(group_sizes: tuple[int, ...], matches_per_position: tuple[int, ...]
                       ) -> Select:
    parts = [_first_carriers(group, size).subquery() for group, size in enumerate(group_sizes)]
    candidates = union(*(select(part) for part in parts)) if len(parts) > 1 \
        else select(parts[0])
    carried = _CARRIED
    best = [func.max(case(*((carried.c.word == bindparam(f"w{position}_{i}"),
                              bindparam(f"s{position}_{i}", type_=Float))
                             for i in range(count)), else_=0.0))
            for position, count in enumerate(matches_per_position)]
    score = (sum(best[1:], best[0]) / bindparam("query_size", type_=Float)).label("score")
    return (select(carried.c.migrant_id, score)
            .where(carried.c.migrant_id.in_(candidates),
                   carried.c.word.in_(bindparam("words", expanding=True)))
            .group_by(carried.c.migrant_id).order_by(score.desc(), carried.c.migrant_id)
            .limit(bindparam("limit")))


def ranked_by_name(office_id: int, matched: Sequence[MatchedWord], query_size: int,
                   limit: int) -> Candidates:
    """The best `limit` candidates (carrier_groups) with their scores: the mean over the
    query's words of the best similarity of a word the migrant carries; ties by id."""
    groups = carrier_groups(matched, query_size)
    params: dict[str, Any] = {"office_id": office_id, "limit": limit,
                              "query_size": float(query_size),
                              "words": sorted({word for _, word, _ in matched})}
    for group, words in enumerate(groups):
        params.update({f"g{group}_{i}": word for i, word in enumerate(words)})
    positions = sorted({position for position, _, _ in matched})
    per_position = [[m for m in matched if m[0] == position] for position in positions]
    for position, position_matches in enumerate(per_position):
        for i, (_, word, similarity) in enumerate(position_matches):
            params.update({f"w{position}_{i}": word, f"s{position}_{i}": similarity})
    statement = _ranking_statement(tuple(len(group) for group in groups),
                                   tuple(len(matches) for matches in per_position))
    return [(row.migrant_id, float(row.score)) for row in db.session.execute(statement, params)]


def _name_candidates(office_id: int, words: list[str], limit: int) -> Candidates:
    matched = matched_words(office_id, words)
    return ranked_by_name(office_id, matched, len(words), limit) if matched else []


# --- the search ----------------------------------------------------------------------------------

def search_callers(office_id: int, query: str, limit: int
                   ) -> tuple[list[Match], list[Row[Any]]]:
    """Migrants of the office matching the query, best first, and unlinked calls from the
    same phone number (a caller who rang before without being identified)."""
    query = query.strip()
    digits = digits_of(query)
    has_letters = any(ch.isalpha() for ch in query)
    proposals: list[tuple[str, Candidates]] = []
    if not has_letters and len(digits) >= 3:
        proposals.append(("phone", _phone_candidates(office_id, digits)))
    if any(ch.isdigit() for ch in query) and len(document_key(query)) >= 3:
        proposals.append(("document", _document_candidates(office_id, document_key(query))))
    words = query_words(query) if has_letters else []
    if words:
        proposals.append(("name", _name_candidates(office_id, words, limit)))

    matches: dict[int, tuple[float, list[str]]] = {}
    for reason, candidates in proposals:
        for migrant_id, score in candidates:
            best, reasons = matches.get(migrant_id, (0.0, []))
            matches[migrant_id] = (max(best, score), [*reasons, reason])
    ranked = sorted(matches.items(), key=lambda item: (-item[1][0], item[0]))[:limit]
    return _load_matches(office_id, ranked), _unlinked_calls(office_id, digits, has_letters)


_OPEN_CASES = (select(func.count(_CASES.c.id))
               .where(_CASES.c.migrant_id == _MIGRANTS.c.id,
                      _CASES.c.status.not_in([CaseStatus.RESOLVED, CaseStatus.CLOSED]))
               .correlate(_MIGRANTS).scalar_subquery())
_SHOWN = (select(_MIGRANTS.c.id, _MIGRANTS.c.surname_cyrl, _MIGRANTS.c.given_names_cyrl,
                 _MIGRANTS.c.surname_latn, _MIGRANTS.c.given_names_latn, _MIGRANTS.c.birth_date,
                 _OPEN_CASES.label("open_cases"), _PHONES.c.e164)
          .outerjoin(_PHONES, _PHONES.c.migrant_id == _MIGRANTS.c.id)
          .where(_MIGRANTS.c.id.in_(bindparam("ids", expanding=True)),
                 _MIGRANTS.c.office_id == bindparam("office_id"))
          .order_by(_PHONES.c.id))


def _load_matches(office_id: int, ranked: list[tuple[int, tuple[float, list[str]]]]
                  ) -> list[Match]:
    """What the result list shows of the ranked migrants, phones and open-case counts
    included, in one statement."""
    if not ranked:
        return []
    found: dict[int, Match] = {}
    rows = db.session.execute(_SHOWN, {"ids": [migrant_id for migrant_id, _ in ranked],
                                       "office_id": office_id})
    for row in rows:
        match = found.get(row.id)
        if match is None:
            match = found[row.id] = Match(row.id, row.surname_cyrl, row.given_names_cyrl,
                                          row.surname_latn, row.given_names_latn,
                                          row.birth_date, open_cases=row.open_cases)
        if row.e164 is not None:
            match.phones.append(row.e164)
    for migrant_id, (score, reasons) in ranked:
        if migrant_id in found:
            found[migrant_id].score, found[migrant_id].matched_on = score, reasons
    return [found[migrant_id] for migrant_id, _ in ranked if migrant_id in found]


_UNLINKED_CALLS = (select(_CALLS)
                   .where(_CALLS.c.office_id == bindparam("office_id"),
                          _CALLS.c.migrant_id.is_(None),
                          _CALLS.c.caller_phone.like(bindparam("pattern")))
                   .order_by(_CALLS.c.started_at.desc()).limit(UNLINKED_CALLS_SHOWN))


def _unlinked_calls(office_id: int, digits: str, has_letters: bool) -> list[Row[Any]]:
    """The latest calls nobody has been linked to from a number ending like the query."""
    if has_letters or len(digits) < MIN_SUFFIX_DIGITS:
        return []
    return list(db.session.execute(_UNLINKED_CALLS, {
        "office_id": office_id, "pattern": f"%{digits[-SUFFIX_DIGITS:]}"}))
