"""The nightly retention run (privacy.retention.run_retention) against hand-written SQL that
anonymises the same rows in one set-based pass, PostgreSQL only.

The office `bench-retention` is filled once with `flask generate` (100,000 migrants, 150,000
cases of which a fifth are closed, 300,000 calls by default). Every measured run is made "as
of" a day twelve years ahead, so all closed cases, the migrants none of whose cases is open,
and the unidentified calls are due. Each run, API or baseline, happens in one transaction that
is rolled back afterwards (the API's per-batch commits are replaced by nothing), so every round
starts from the same rows; the two sides alternate. Before the clock, the counts of anonymised
cases, migrants and calls of both sides are compared: they must be equal.

    .venv/bin/python -m benchmarks.retention --database-url postgresql://…/bench_db [--rounds 5]

Target: the run is a batch job; it must fit a night comfortably and stay within 2x of the
hand-written pass (it also locks rows with SKIP LOCKED and works in batches of 500).
"""

from __future__ import annotations

import sys
import time
from datetime import date
from typing import Any

from sqlalchemy import text

from benchmarks._harness import (
    Row,
    Target,
    argument_parser,
    build_app,
    environment,
    figures,
    is_postgresql,
    office_row_counts,
    prepare_database,
    print_report,
    write_json,
)
from migrantdesk.cases.facts import CaseCategory, free_text_facts
from migrantdesk.core.db import db, utcnow
from migrantdesk.privacy.retention import DEFAULT, run_retention, years_before

OFFICE = "bench-retention"
SIZE = {"migrants": 100_000, "cases": 150_000, "calls": 300_000}


def populate(bench: Any) -> None:
    counts = office_row_counts(bench, ["migrants", "cases", "calls"])
    if counts["migrants"] >= SIZE["migrants"]:
        return
    args = ["generate", "--office", OFFICE, "--seed", "7"]
    for what, wanted in SIZE.items():
        args += [f"--{what}", str(wanted - counts[what])]
    result = bench.app.test_cli_runner().invoke(args=args)
    if result.exit_code != 0:
        raise SystemExit(result.output)
    print(result.output.strip().splitlines()[-1], file=sys.stderr)


def analyse(bench: Any) -> None:
    """Fresh planner statistics, as autovacuum would have them by the night."""
    with bench.app.app_context():
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        db.session.remove()


def _baseline_statements(today: date, periods: dict[str, int], call_years: int
                         ) -> list[tuple[str, dict[str, Any]]]:
    cutoff = {c: years_before(today, periods.get(c, periods[DEFAULT])) for c in CaseCategory}
    default_cut, call_cut, now = (years_before(today, periods[DEFAULT]),
                                  years_before(today, call_years), utcnow())
    due_case = " OR ".join(f"(category = '{c}' AND closed_at < :cut_{c})" for c in CaseCategory)
    params: dict[str, Any] = {f"cut_{c}": cutoff[c] for c in CaseCategory}
    statements: list[tuple[str, dict[str, Any]]] = [
        ("CREATE TEMP TABLE due_cases ON COMMIT DROP AS SELECT id, office_id, category, "
         "closed_at FROM cases WHERE status = 'closed' AND closed_at IS NOT NULL AND "
         f"legal_hold_at IS NULL AND anonymised_at IS NULL AND ({due_case})", params)]
    for category in CaseCategory:
        statements.append((
            "UPDATE cases SET summary = '', facts = (facts::jsonb - CAST(:keys AS text[]))::json,"
            " anonymised_at = :now, version = version + 1 WHERE id IN "
            "(SELECT id FROM due_cases WHERE category = :category)",
            {"keys": sorted(free_text_facts(category)), "now": now, "category": str(category)}))
    in_cases = "(SELECT id FROM due_cases)"
    in_migrants = "(SELECT id FROM due_migrants)"
    statements += [
        (f"UPDATE case_notes SET body = '' WHERE case_id IN {in_cases}", {}),
        (f"UPDATE case_tasks SET title = '' WHERE case_id IN {in_cases}", {}),
        (f"UPDATE calls SET caller_phone = NULL, summary = NULL WHERE case_id IN {in_cases}", {}),
        ("INSERT INTO audit_events (occurred_at, office_id, action, entity_type, entity_id, "
         "details) SELECT :now, office_id, 'anonymise', 'case', id, json_build_object('trigger',"
         " 'retention', 'category', category, 'closed_on', closed_at::date) FROM due_cases",
         {"now": now}),
        ("CREATE TEMP TABLE due_calls ON COMMIT DROP AS SELECT id, office_id FROM calls WHERE "
         "migrant_id IS NULL AND case_id IS NULL AND started_at < :cut AND (caller_phone IS NOT "
         "NULL OR summary IS NOT NULL)", {"cut": call_cut}),
        ("UPDATE calls SET caller_phone = NULL, summary = NULL WHERE id IN "
         "(SELECT id FROM due_calls)", {}),
        ("INSERT INTO audit_events (occurred_at, office_id, action, entity_type, entity_id, "
         "details) SELECT :now, office_id, 'anonymise', 'call', id, "
         "json_build_object('trigger', 'retention') FROM due_calls", {"now": now}),
        ("CREATE TEMP TABLE due_migrants ON COMMIT DROP AS SELECT id, office_id FROM migrants m "
         "WHERE anonymised_at IS NULL AND created_at < :cut AND updated_at < :cut AND NOT EXISTS"
         " (SELECT 1 FROM cases c WHERE c.migrant_id = m.id AND c.anonymised_at IS NULL) AND "
         "NOT EXISTS (SELECT 1 FROM calls k WHERE k.migrant_id = m.id AND k.started_at >= :cut)",
         {"cut": default_cut}),
        ("CREATE TEMP TABLE due_phones ON COMMIT DROP AS SELECT DISTINCT p.e164, m.office_id "
         "FROM migrant_phones p JOIN due_migrants m ON m.id = p.migrant_id", {}),
        ("CREATE TEMP TABLE due_words ON COMMIT DROP AS SELECT DISTINCT w.office_id, w.word "
         "FROM migrant_name_words w JOIN due_migrants m ON m.id = w.migrant_id", {}),
        ("UPDATE migrants SET surname_cyrl = NULL, given_names_cyrl = NULL, surname_latn = NULL,"
         " given_names_latn = NULL, birth_year = extract(year FROM birth_date), birth_date = "
         "NULL, search_key = '', anonymised_at = :now, version = version + 1 "
         f"WHERE id IN {in_migrants}", {"now": now}),
        (f"DELETE FROM migrant_name_words WHERE migrant_id IN {in_migrants}", {}),
        (f"DELETE FROM migrant_phones WHERE migrant_id IN {in_migrants}", {}),
        (f"DELETE FROM identity_documents WHERE migrant_id IN {in_migrants}", {}),
        ("UPDATE calls SET caller_phone = NULL, summary = NULL "
         f"WHERE migrant_id IN {in_migrants}", {}),
        ("UPDATE calls c SET caller_phone = NULL, summary = NULL FROM due_phones p WHERE "
         "c.migrant_id IS NULL AND c.office_id = p.office_id AND c.caller_phone = p.e164", {}),
        ("DELETE FROM name_words n USING due_words d WHERE n.office_id = d.office_id AND "
         "n.word = d.word AND NOT EXISTS (SELECT 1 FROM migrant_name_words w WHERE "
         "w.office_id = n.office_id AND w.word = n.word)", {}),
        ("INSERT INTO audit_events (occurred_at, office_id, action, entity_type, entity_id, "
         "details) SELECT :now, office_id, 'anonymise', 'migrant', id, "
         "json_build_object('trigger', 'retention') FROM due_migrants", {"now": now}),
    ]
    return statements


def run_side(bench: Any, side: str, today: date) -> tuple[int, tuple[int, int, int]]:
    """One rolled-back run; returns the elapsed ns and (cases, migrants, calls) anonymised."""
    config = bench.app.config
    periods, call_years = config["RETENTION_PERIODS"], config["RETENTION_UNIDENTIFIED_CALL_YEARS"]
    with bench.app.app_context():
        try:
            if side == "api":
                started = time.perf_counter_ns()
                report = run_retention(today, periods, call_years)
                elapsed = time.perf_counter_ns() - started
                done = (len(report.case_ids), len(report.migrant_ids), report.unidentified_calls)
            else:
                statements = _baseline_statements(today, periods, call_years)
                started = time.perf_counter_ns()
                for sql, params in statements:
                    db.session.execute(text(sql), params)
                elapsed = time.perf_counter_ns() - started
                done = tuple(int(db.session.execute(text(f"SELECT count(*) FROM {table}")).scalar()
                                 or 0) for table in ("due_cases", "due_migrants", "due_calls"))
            return elapsed, done  # type: ignore[return-value]
        finally:
            db.session.rollback()
            db.session.remove()


def main() -> None:
    parser = argument_parser(__doc__ or "", rounds=3, warmup=1)
    args = parser.parse_args()
    url = prepare_database(args.database_url)
    if not is_postgresql(url):
        raise SystemExit("the baseline is written for PostgreSQL")
    bench = build_app(url, OFFICE)
    populate(bench)
    analyse(bench)
    today = date.today().replace(year=date.today().year + 12)
    samples: dict[str, list[int]] = {"api": [], "baseline": []}
    counts: dict[str, tuple[int, int, int]] = {}
    for round_no in range(-args.warmup, args.rounds):
        sides = ["api", "baseline"] if round_no % 2 == 0 else ["baseline", "api"]
        for side in sides:
            elapsed, done = run_side(bench, side, today)
            if counts.get(side, done) != done:
                raise SystemExit(f"{side} anonymised {done}, earlier {counts[side]}")
            counts[side] = done
            if round_no >= 0:
                samples[side].append(elapsed)
            print(f"round {round_no} {side}: {elapsed / 1e9:.2f} s {done}", file=sys.stderr)
        if counts["api"] != counts["baseline"]:
            raise SystemExit(f"the sides disagree: API {counts['api']}, SQL {counts['baseline']}")
    rows = [Row("retention run", figures(samples["api"]), figures(samples["baseline"]))]
    env = environment(bench)
    cases, migrants, calls = counts["api"]
    data = {"office rows": office_row_counts(bench, ["migrants", "cases", "calls"]),
            "anonymised per run": {"cases": cases, "migrants": migrants,
                                   "unidentified calls": calls}}
    targets = [Target("retention run / hand-written SQL (median)", rows[0].ratio_median, 2.0)]
    print_report("Retention run (whole office, rolled back)", env, data, rows, None, targets)
    if args.json:
        write_json(args.json, "retention", env, data, rows, None, targets,
                   {"raw_ns": samples})


if __name__ == "__main__":
    main()
