"""Repeat-caller search: GET /api/v1/calls/caller-search against the same search in
hand-written SQL, over a register of a million migrants on PostgreSQL.

The API side is the whole endpoint: argument parsing, calls.search (SQLAlchemy Core queries
for phone and document candidates, for the name words like the query's and the migrants
carrying them, for the shown columns of the migrants found with their phones and open-case
counts, and for unlinked calls), the audit entry, the commit and CallerSearchResultSchema.
The baseline is a bare route that sends the same statements written by hand with text(),
merges and ranks the candidates the same way, writes the same audit row, commits and returns
the same JSON; the two answers are compared for every query before the clock starts.

    .venv/bin/python -m benchmarks.caller_search                  # loads 1,000,000 migrants once
    .venv/bin/python -m benchmarks.caller_search --migrants 100000 --rounds 50
"""

from __future__ import annotations

import json
import random
import re
import sys
from datetime import UTC
from typing import Any

from flask import current_app, jsonify, request
from flask_login import current_user
from sqlalchemy import event, text
from werkzeug.test import TestResponse

from benchmarks._harness import (
    Bench,
    BenchmarkError,
    Pair,
    Target,
    argument_parser,
    build_app,
    environment,
    is_postgresql,
    measure,
    measure_memory,
    office_row_counts,
    prepare_database,
    print_report,
    summarise,
    write_json,
)
from benchmarks._population import ensure_population
from migrantdesk.auth.permissions import Scope
from migrantdesk.calls.search import (
    MATCHES_PER_WORD,
    MIN_SUFFIX_DIGITS,
    SUFFIX_DIGITS,
    MatchedWord,
    carrier_groups,
    query_words,
)
from migrantdesk.core.db import NAME_SIMILARITY_THRESHOLD, db
from migrantdesk.core.text import document_key

OFFICE_CODE = "bench-search"
TARGET_RATIO, TARGET_P95_MS = 1.25, 50.0
SEARCH = "/api/v1/calls/caller-search"
RAW_SEARCH = "/bench/raw-caller-search"

NAME_QUERIES = {
    "surname cyrillic": ["Асанов", "Жумабеков", "Садыров", "Назарова", "Оспанов"],
    "surname latin": ["Khasanov", "Jumabekov", "Toshmatov", "Rakhimov", "Kurbonov"],
    "surname typo": ["Тошмтов", "Токтогулв", "Nazrova", "Jumabekof"],
    "full name": ["Асанов Бакыт", "Khasanov Alisher", "Жумабеков Нурлан", "Karimova Dilnoza"],
}

# --- the baseline: calls/search.py written out as SQL -----------------------------------------

_PHONES = text(
    "SELECT p.migrant_id, CASE WHEN p.e164 = :exact THEN 1.0 ELSE 0.95 END AS score "
    "FROM migrant_phones p JOIN migrants m ON m.id = p.migrant_id "
    "WHERE m.office_id = :office_id AND p.e164 LIKE :pattern LIMIT 50")
_PHONE_PARTS = text(
    "SELECT p.migrant_id, 0.5 AS score FROM migrant_phones p JOIN migrants m "
    "ON m.id = p.migrant_id WHERE m.office_id = :office_id AND p.e164 LIKE :pattern LIMIT 50")
_DOCUMENTS = text(
    "SELECT d.migrant_id FROM identity_documents d JOIN migrants m ON m.id = d.migrant_id "
    "WHERE m.office_id = :office_id AND d.number_key = :key LIMIT 50")
# One SELECT per query word, glued with UNION ALL: the vocabulary words like it that someone
# of the office carries, most similar first.
_SIMILAR_WORDS = (
    "SELECT {p} AS position, w.word, similarity(w.word, :word{p}) AS similarity "
    "FROM name_words w WHERE w.office_id = :office_id AND w.word % :word{p} "
    "AND similarity(w.word, :word{p}) >= :threshold AND EXISTS (SELECT 1 FROM "
    "migrant_name_words c WHERE c.office_id = w.office_id AND c.word = w.word) "
    "ORDER BY similarity DESC, w.word LIMIT :per_word")
# One SELECT per carrier group: the first carriers (by id) of all the group's words.
_FIRST_CARRIERS = (
    "SELECT c0.migrant_id FROM migrant_name_words c0 {joins} WHERE c0.office_id = :office_id "
    "AND c0.word = :g{g}_0 ORDER BY c0.migrant_id LIMIT :limit")
_ALSO_CARRYING = (
    "JOIN migrant_name_words c{i} ON c{i}.office_id = :office_id AND c{i}.word = :g{g}_{i} "
    "AND c{i}.migrant_id = c0.migrant_id")
_RANKED = (
    "SELECT l.migrant_id, ({best}) / :query_size AS score FROM migrant_name_words l "
    "WHERE l.migrant_id IN ({candidates}) AND l.word = ANY(:words) "
    "GROUP BY l.migrant_id ORDER BY score DESC, l.migrant_id LIMIT :limit")
_MATCHES = text(
    "SELECT m.id, m.surname_cyrl, m.given_names_cyrl, m.surname_latn, m.given_names_latn, "
    "m.birth_date, (SELECT count(*) FROM cases c WHERE c.migrant_id = m.id "
    "AND c.status NOT IN ('resolved', 'closed')) AS open_cases, p.e164 "
    "FROM migrants m LEFT JOIN migrant_phones p ON p.migrant_id = m.id "
    "WHERE m.id = ANY(:ids) AND m.office_id = :office_id ORDER BY p.id")
_UNLINKED_CALLS = text(
    "SELECT id, office_id, operator_id, started_at, ended_at, direction, caller_phone, "
    "language, summary, migrant_id, case_id FROM calls WHERE office_id = :office_id "
    "AND migrant_id IS NULL AND caller_phone LIKE :pattern ORDER BY started_at DESC LIMIT 10")
_AUDIT = text(
    "INSERT INTO audit_events (occurred_at, user_id, office_id, action, entity_type, details) "
    "VALUES (now(), :user_id, :office_id, 'search', 'migrant', :details)")


def _matched_words(office_id: int, words: list[str]) -> list[MatchedWord]:
    sql = " UNION ALL ".join(f"({_SIMILAR_WORDS.format(p=p)})" for p in range(len(words)))
    params: dict[str, Any] = {f"word{p}": word for p, word in enumerate(words)}
    rows = db.session.execute(text(sql), {**params, "office_id": office_id,
                                          "threshold": NAME_SIMILARITY_THRESHOLD,
                                          "per_word": MATCHES_PER_WORD})
    return sorted(((row[0], row[1], float(row[2])) for row in rows),
                  key=lambda match: (match[0], -match[2], match[1]))


def _ranked_by_name(office_id: int, matched: list[MatchedWord], query_size: int, limit: int
                    ) -> list[tuple[int, float]]:
    params: dict[str, Any] = {"office_id": office_id, "limit": limit,
                              "query_size": float(query_size),
                              "words": sorted({word for _, word, _ in matched})}
    selects = []
    for g, group in enumerate(carrier_groups(matched, query_size)):
        joins = " ".join(_ALSO_CARRYING.format(i=i, g=g) for i in range(1, len(group)))
        selects.append(f"SELECT migrant_id FROM ({_FIRST_CARRIERS.format(joins=joins, g=g)}) "
                       f"g{g}")
        params.update({f"g{g}_{i}": word for i, word in enumerate(group)})
    best = []
    for position in sorted({position for position, _, _ in matched}):
        whens = []
        for n, (_, word, similarity) in enumerate(m for m in matched if m[0] == position):
            whens.append(f"WHEN :w{position}_{n} THEN :s{position}_{n}")
            params.update({f"w{position}_{n}": word, f"s{position}_{n}": similarity})
        best.append(f"max(CASE l.word {' '.join(whens)} ELSE :zero END)")
    params["zero"] = 0.0
    sql = _RANKED.format(best=" + ".join(best), candidates=" UNION ".join(selects))
    return [(row[0], float(row[1])) for row in db.session.execute(text(sql), params)]


def _candidates(office_id: int, query: str, digits: str, has_letters: bool, limit: int
                ) -> list[tuple[str, list[tuple[int, float]]]]:
    session = db.session
    proposals = []
    if not has_letters and len(digits) >= 3:
        if len(digits) >= MIN_SUFFIX_DIGITS:
            rows = session.execute(_PHONES, {"exact": f"+{digits}", "office_id": office_id,
                                             "pattern": f"%{digits[-SUFFIX_DIGITS:]}"})
        else:
            rows = session.execute(_PHONE_PARTS, {"office_id": office_id,
                                                  "pattern": f"%{digits}%"})
        proposals.append(("phone", [(row[0], float(row[1])) for row in rows]))
    key = document_key(query)
    if any(ch.isdigit() for ch in query) and len(key) >= 3:
        rows = session.execute(_DOCUMENTS, {"office_id": office_id, "key": key})
        proposals.append(("document", [(row[0], 1.0) for row in rows]))
    words = query_words(query) if has_letters else []
    if words:
        matched = _matched_words(office_id, words)
        proposals.append(("name", _ranked_by_name(office_id, matched, len(words), limit)
                          if matched else []))
    return proposals


def _migrants(office_id: int, ranked: list[tuple[int, tuple[float, list[str]]]]
              ) -> list[dict[str, Any]]:
    if not ranked:
        return []
    found: dict[int, dict[str, Any]] = {}
    for row in db.session.execute(_MATCHES, {"ids": [mid for mid, _ in ranked],
                                             "office_id": office_id}):
        match = found.get(row.id)
        if match is None:
            match = found[row.id] = {
                "id": row.id, "surname_cyrl": row.surname_cyrl,
                "given_names_cyrl": row.given_names_cyrl, "surname_latn": row.surname_latn,
                "given_names_latn": row.given_names_latn,
                "birth_date": row.birth_date and row.birth_date.isoformat(),
                "phones": [], "open_cases": row.open_cases}
        if row.e164 is not None:
            match["phones"].append(row.e164)
    return [{**found[mid], "score": score, "matched_on": reasons}
            for mid, (score, reasons) in ranked if mid in found]


def _unlinked_calls(office_id: int, digits: str, has_letters: bool) -> list[dict[str, Any]]:
    if has_letters or len(digits) < MIN_SUFFIX_DIGITS:
        return []
    rows = db.session.execute(_UNLINKED_CALLS, {"office_id": office_id,
                                                "pattern": f"%{digits[-SUFFIX_DIGITS:]}"})
    return [{**row._asdict(), "started_at": row.started_at.astimezone(UTC).isoformat(),
             "ended_at": row.ended_at and row.ended_at.astimezone(UTC).isoformat()}
            for row in rows]


def raw_caller_search():
    """The baseline: calls.search.search_callers and its audit entry in hand-written SQL."""
    if not (current_user.can(Scope.MIGRANTS_READ) and current_user.can(Scope.CALLS_READ)):
        return jsonify(error={"code": "forbidden", "message": "Forbidden", "fields": {}}), 403
    query = request.args.get("q", "")
    if not 3 <= len(query) <= 100:
        return jsonify(error={"code": "validation_failed", "message": "Some fields are invalid.",
                              "fields": {"q": ["Type at least 3 characters (at most 100)."]}}), 422
    office_id, user_id = current_user.office_id, current_user.id
    limit = current_app.config["SEARCH_RESULT_LIMIT"]
    query = query.strip()
    digits, has_letters = re.sub(r"\D", "", query), any(ch.isalpha() for ch in query)

    matches: dict[int, tuple[float, list[str]]] = {}
    for reason, candidates in _candidates(office_id, query, digits, has_letters, limit):
        for migrant_id, score in candidates:
            best, reasons = matches.get(migrant_id, (0.0, []))
            matches[migrant_id] = (max(best, score), [*reasons, reason])
    ranked = sorted(matches.items(), key=lambda item: (-item[1][0], item[0]))[:limit]
    migrants = _migrants(office_id, ranked)
    calls = _unlinked_calls(office_id, digits, has_letters)
    details = {"result_ids": [m["id"] for m in migrants], "call_ids": [c["id"] for c in calls]}
    db.session.execute(_AUDIT, {"user_id": user_id, "office_id": office_id,
                                "details": json.dumps(details)})
    db.session.commit()
    return jsonify(migrants=migrants, unlinked_calls=calls)


# --- queries a hotline operator types ---------------------------------------------------------

def _local_format(e164: str) -> str:
    """How a caller dictates their own number: 8 916 123-45-67, 0700 123 456."""
    if e164.startswith("+7"):
        n = e164[2:]
        return f"8 {n[:3]} {n[3:6]}-{n[6:8]}-{n[8:]}"
    if e164.startswith("+996"):
        n = e164[4:]
        return f"0{n[:3]} {n[3:6]} {n[6:]}"
    return e164[4:]  # Uzbek and Tajik numbers are dictated without the country code


def _international_format(e164: str) -> str:
    code = 1 if e164.startswith("+7") else 3
    n = e164[1 + code:]
    return f"+{e164[1:1 + code]} {n[:3]} {n[3:6]} {n[6:]}"


SAMPLED_KINDS = ("phone local", "phone international", "document")


def sampled_queries(bench: Bench, seed: int, size: int = 20) -> dict[str, list[str]]:
    """Phone numbers and passport numbers of random migrants of the office, as typed; a
    quarter of the numbers are of callers who rang before without being identified."""
    rng = random.Random(seed)
    with bench.app.app_context():
        session = db.session
        low, high = session.execute(text("SELECT min(id), max(id) FROM migrants "
                                         "WHERE office_id = :o"), {"o": bench.office_id}).one()
        ids = [rng.randint(low, high) for _ in range(size)]
        phones = list(session.scalars(text("SELECT min(e164) FROM migrant_phones WHERE "
                                           "migrant_id = ANY(:ids) GROUP BY migrant_id"),
                                      {"ids": ids}))
        strangers = list(session.scalars(text(
            "SELECT caller_phone FROM calls WHERE office_id = :o AND migrant_id IS NULL "
            "AND caller_phone IS NOT NULL ORDER BY id LIMIT :n"),
            {"o": bench.office_id, "n": size // 4}))
        documents = list(session.scalars(text(
            "SELECT min(number) FROM identity_documents WHERE migrant_id = ANY(:ids) "
            "GROUP BY migrant_id"), {"ids": ids}))
        db.session.remove()
    numbers = phones[: size - len(strangers)] + strangers
    rng.shuffle(numbers)
    return {"phone local": [_local_format(n) for n in numbers],
            "phone international": [_international_format(n) for n in numbers],
            "document": [number.lower().replace(" ", "") if i % 2 else number.lower()
                         for i, number in enumerate(documents)]}


def check_same_answers(client, queries: dict[str, list[str]]) -> dict[str, int]:
    """Both routes give the same JSON for every query; returns how many migrants each kind
    found in all (a benchmark of empty answers would prove nothing)."""
    found = {}
    for kind, values in queries.items():
        found[kind] = 0
        for q in values:
            api = client.get(SEARCH, query_string={"q": q})
            raw = client.get(RAW_SEARCH, query_string={"q": q})
            if api.status_code != 200 or api.get_json() != raw.get_json():
                raise BenchmarkError(f"answers differ for {q!r}:\n{api.get_json()}\n"
                                     f"{raw.get_json()}")
            found[kind] += len(api.get_json()["migrants"])
    return found


# --- EXPLAIN ----------------------------------------------------------------------------------

def explain(bench: Bench, client, q: str, only: str | None) -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS) of the SELECTs the API sends for one query; with `only`,
    of the statements containing that text."""
    statements: list[tuple[str, Any]] = []

    def capture(conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.lstrip().upper().startswith("SELECT") and (not only or only in statement):
            statements.append((statement, parameters))

    with bench.app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", capture)
    try:
        client.get(SEARCH, query_string={"q": q})
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    lines = []
    with bench.app.app_context(), db.engine.connect() as connection:
        for statement, parameters in statements:
            lines.append("-- " + " ".join(statement.replace("%%", "%").split())[:300])
            plan = connection.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement,
                                              parameters).scalars()
            lines += ["   " + line for line in plan]
        connection.rollback()
    return lines


# --- main -------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argument_parser(__doc__.split("\n\n")[0], rounds=100, warmup=5)
    parser.add_argument("--migrants", type=int, default=1_000_000,
                        help="migrants in the benchmark office (default: %(default)s)")
    parser.add_argument("--cases", type=int, default=None,
                        help="cases in the office (default: a fifth of --migrants)")
    parser.add_argument("--calls", type=int, default=None,
                        help="hotline calls in the office (default: a fifth of --migrants)")
    parser.add_argument("--kinds", metavar="KIND,...",
                        help="measure only these query kinds (default: all of "
                             f"{', '.join([*NAME_QUERIES, *SAMPLED_KINDS])})")
    parser.add_argument("--loader", choices=("copy", "generate"), default="copy",
                        help="top the office up with COPY (benchmarks/_population.py, about two "
                             "minutes for a million) or the app's `flask generate` "
                             "(default: %(default)s)")
    parser.add_argument("--explain", choices=("name", "all", "none"), default="name",
                        help="EXPLAIN (ANALYZE, BUFFERS) the name query, every SELECT of one "
                             "query of each kind, or nothing (default: %(default)s)")
    args = parser.parse_args(argv)
    url = prepare_database(args.database_url)
    if not is_postgresql(url):
        parser.error("the caller search benchmark needs PostgreSQL (pg_trgm)")
    bench = build_app(url, OFFICE_CODE)
    ensure_population(url, (bench.office_id, OFFICE_CODE), bench.user_id,
                      migrants=args.migrants,
                      cases=args.cases if args.cases is not None else args.migrants // 5,
                      calls=args.calls if args.calls is not None else args.migrants // 5,
                      seed=args.seed, loader=args.loader)
    bench.add_baseline_route(RAW_SEARCH, raw_caller_search)
    client = bench.log_in()

    queries = {**NAME_QUERIES, **sampled_queries(bench, args.seed)}
    if args.kinds:
        wanted = [kind.strip() for kind in args.kinds.split(",")]
        if unknown := set(wanted) - set(queries):
            parser.error(f"unknown kinds: {', '.join(sorted(unknown))}")
        queries = {kind: queries[kind] for kind in wanted}
    found = check_same_answers(client, queries)
    if args.explain != "none":
        examples = {"surname cyrillic": NAME_QUERIES["surname cyrillic"][0]} \
            if args.explain == "name" else {kind: values[0] for kind, values in queries.items()}
        for kind, q in examples.items():
            print(f"\nEXPLAIN (ANALYZE, BUFFERS) for {kind} {q!r}:")
            only = "name_words" if args.explain == "name" else None
            print("\n".join(explain(bench, client, q, only)))

    def request_for(path: str, values: list[str]):
        def send(round_no: int) -> TestResponse:
            return client.get(path, query_string={"q": values[round_no % len(values)]})
        return send

    pairs = [Pair(kind, request_for(SEARCH, values), request_for(RAW_SEARCH, values))
             for kind, values in queries.items()]
    rows = summarise(measure(pairs, args.rounds, args.warmup, args.seed))
    memory = measure_memory(pairs, args.memory) if args.memory else None

    env = environment(bench)
    data = {"office rows": office_row_counts(bench, ["migrants", "cases", "calls"]),
            "table rows": {t: int(bench.scalar(f"SELECT count(*) FROM {t}"))
                           for t in ("migrant_phones", "identity_documents")},
            "migrants found over each kind's queries": found,
            "queries per kind": {kind: len(values) for kind, values in queries.items()}}
    overall = rows[-1]
    targets = [Target("search ratio of medians (all kinds)", overall.ratio_median, TARGET_RATIO),
               Target("search API p95 ms (all kinds)", overall.api.p95_ms, TARGET_P95_MS)]
    title = "repeat-caller search: GET /api/v1/calls/caller-search vs hand-written SQL"
    print_report(title, env, data, rows, memory, targets)
    if args.json:
        write_json(args.json, title, env, data, rows, memory, targets,
                   {"queries": queries})
    return 0


if __name__ == "__main__":
    sys.exit(main())
