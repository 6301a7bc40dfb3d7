"""Statistics on PostgreSQL over a consulate with 1,000,000 cases, in one run:

1. the streaming CSV export of case rows (GET /api/v1/stats/cases/export: filters, the office
   check, the audit entry and its commit, then COPY of the pseudonymised, formula-safe SELECT
   streamed block by block) against bare routes streaming `COPY (SELECT …) TO STDOUT` of
   (a) the same SELECT and (b) the same columns read plainly (ids instead of keyed hashes,
   no formula guard), timed alternately in rounds; target ≤ 1.25× against (a);
2. the export's peak memory: Python heap (tracemalloc) and process RSS high-water mark during
   one full export (target < 100 MB);
3. the dashboard's queries (services.build_tables, one statement each, over twelve months of
   the office) against the same statements written by hand, and the whole GET /api/v1/stats;
   target p95 ≤ 200 ms per query.

The data is made inside PostgreSQL on first run (benchmarks/_stats_population.py, about two
minutes for a million cases); later runs reuse it:

    createdb -h 127.0.0.1 -U postgres wt_stats_bench
    .venv/bin/python -m benchmarks.stats_export \\
        --database-url postgresql://postgres@127.0.0.1:5432/wt_stats_bench --rounds 5
"""

from __future__ import annotations

import gc
import sys
import time
import tracemalloc
from typing import Any

from flask import Response, jsonify, request
from sqlalchemy import select, text
from werkzeug.test import TestResponse

from benchmarks._harness import (
    BENCH_PASSWORD,
    Bench,
    BenchmarkError,
    Pair,
    Target,
    argument_parser,
    build_app,
    environment,
    is_postgresql,
    measure,
    office_row_counts,
    prepare_database,
    print_report,
    summarise,
    write_json,
)
from benchmarks._stats_population import ensure_stats_population
from migrantdesk.auth.models import User
from migrantdesk.auth.permissions import Role
from migrantdesk.auth.services import hash_password
from migrantdesk.core.db import db
from migrantdesk.offices.models import Office
from migrantdesk.stats import aggregates, exports, services

OFFICE_CODE = "bench-stats"
TARGET_RATIO, TARGET_MEMORY_MB, TARGET_P95_MS = 1.25, 100.0, 200.0
EXPORT = "/api/v1/stats/cases/export?format=csv"


def _consul(bench: Bench) -> Bench:
    """A consul of the benchmark office (case exports are for consuls and administrators)."""
    email = f"consul@{OFFICE_CODE}.bench.example.org"
    with bench.app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(office_id=bench.office_id, name="Benchmark consul", email=email,
                        role=Role.CONSUL, password_hash=hash_password(BENCH_PASSWORD))
            db.session.add(user)
        user.failed_logins, user.locked_until, user.active = 0, None, True
        db.session.commit()
        consul = Bench(bench.app, bench.office_id, user.id, email)
        db.session.remove()
    return consul


def _filters(bench: Bench) -> aggregates.Filters:
    start, end = services.default_period()
    return aggregates.Filters(start, end, (bench.office_id,))


# --- baselines ---------------------------------------------------------------------------------

def _copy_route(bench: Bench, name: str, plain: bool) -> None:
    """A bare route streaming COPY of a SELECT: the export's own (plain=False) or the same
    columns without keyed hashes and formula guard (plain=True)."""
    from psycopg import sql

    filters = _filters(bench)

    def view() -> Response:
        with bench.app.app_context():
            engine = db.engine
            key = exports.pseudonym_key()
        if plain:
            statement = sql.SQL(
                "COPY (SELECT c.id, c.migrant_id, o.code, c.category, c.status, c.priority, "
                "c.host_country, to_char(timezone('UTC', c.opened_at), 'YYYY-MM-DD'), "
                "to_char(timezone('UTC', c.closed_at), 'YYYY-MM-DD'), "
                "round((extract(epoch from c.first_response_at - c.opened_at) / 3600)::numeric, "
                "1), round((extract(epoch from c.resolved_at - c.opened_at) / 3600)::numeric, 1) "
                "FROM cases c JOIN offices o ON o.id = c.office_id WHERE c.office_id = {o} "
                "AND c.opened_at >= {s} AND c.opened_at < {e} ORDER BY c.id) "
                "TO STDOUT WITH (FORMAT csv, HEADER)").format(
                o=sql.Literal(bench.office_id), s=sql.Literal(filters.start),
                e=sql.Literal(filters.end))
        else:
            statement = exports._copy_select(filters, key)

        def blocks():
            connection = engine.raw_connection()
            try:
                with connection.cursor().copy(statement) as copy:  # type: ignore[attr-defined]
                    for block in copy:
                        yield bytes(block)
                connection.commit()
            finally:
                connection.close()
        return Response(blocks(), mimetype="text/csv")

    view.__name__ = name
    bench.add_baseline_route(f"/bench/{name}", view)


def _consume(response: TestResponse) -> TestResponse:
    """Read the streamed body to the end without keeping it (as a client would)."""
    size = 0
    for chunk in response.response:
        size += len(chunk)
    response.close()
    response.bench_size = size  # type: ignore[attr-defined]
    return response


# --- dashboard queries, by hand ----------------------------------------------------------------

_WHERE = "office_id = :office AND opened_at >= :start AND opened_at < :end"
HAND_SQL = {
    "cases_by_category_status":
        f"SELECT category, status, count(*) FROM cases WHERE {_WHERE} GROUP BY 1, 2",
    "cases_by_office_month":
        f"SELECT office_id, date_trunc('month', timezone('UTC', opened_at)), count(*) "
        f"FROM cases WHERE {_WHERE} GROUP BY 1, 2",
    "notices_by_month":
        f"SELECT category, date_trunc('month', timezone('UTC', opened_at)), count(*) "
        f"FROM cases WHERE {_WHERE} AND category IN ('military_contract_pressure', "
        f"'mobilisation_notice') GROUP BY 1, 2",
    "open_urgent_cases":
        f"SELECT office_id, count(*) FROM cases WHERE {_WHERE} AND priority = 'urgent' "
        f"AND status NOT IN ('resolved', 'closed') GROUP BY 1",
    "documents_failing":
        f"SELECT facts ->> 'document_kind', count(*) FROM cases WHERE {_WHERE} "
        f"AND category = 'document_status' GROUP BY 1",
    "remittance_channels":
        f"SELECT facts ->> 'channel', count(*) FROM cases WHERE {_WHERE} "
        f"AND category = 'remittance_interruption' GROUP BY 1",
    "calls_by_hour":
        "SELECT office_id, date_trunc('hour', timezone('UTC', started_at)), count(*) FROM calls "
        "WHERE office_id = :office AND started_at >= :start - interval '1 day' "
        "AND started_at < :end + interval '1 day' GROUP BY 1, 2",
    "leaflet_downloads":
        "SELECT l.language, l.origin_country, sum(d.count) FROM leaflet_downloads d "
        "JOIN leaflets l ON l.id = d.leaflet_id WHERE l.office_id = :office "
        "AND d.day >= :start AND d.day < :end GROUP BY 1, 2",
    "response_times":
        f"SELECT category, count(first_response_at), percentile_cont(0.5) WITHIN GROUP "
        f"(ORDER BY extract(epoch from first_response_at - opened_at) / 3600), "
        f"count(resolved_at), percentile_cont(0.5) WITHIN GROUP "
        f"(ORDER BY extract(epoch from resolved_at - opened_at) / 3600) FROM cases "
        f"WHERE {_WHERE} GROUP BY GROUPING SETS ((category), ())",
}


def _query_routes(bench: Bench, offices: list[Office]) -> list[str]:
    """Per dashboard query: /bench/api/<key> runs the aggregates function (SQLAlchemy, the
    rows into a table), /bench/sql/<key> the hand-written statement."""
    timezones = {o.id: o.timezone for o in offices}
    functions = {
        "cases_by_category_status": aggregates.cases_by_category_status,
        "cases_by_office_month": aggregates.cases_by_office_month,
        "notices_by_month": aggregates.notices_by_month,
        "open_urgent_cases": aggregates.open_urgent_by_office,
        "documents_failing": lambda f: aggregates.fact_breakdown(
            f, "document_status", "document_kind"),
        "remittance_channels": lambda f: aggregates.fact_breakdown(
            f, "remittance_interruption", "channel"),
        "calls_by_hour": lambda f: aggregates.calls_tables(f, timezones),
        "leaflet_downloads": aggregates.leaflet_downloads,
        "response_times": aggregates.response_medians,
    }

    def api_view() -> Any:
        functions[request.args["q"]](_filters(bench))
        return jsonify(ok=True)

    def sql_view() -> Any:
        filters = _filters(bench)
        rows = db.session.execute(text(HAND_SQL[request.args["q"]]), {
            "office": bench.office_id, "start": filters.start, "end": filters.end}).all()
        return jsonify(rows=len(rows))

    api_view.__name__, sql_view.__name__ = "dashboard_api_query", "dashboard_sql_query"
    bench.add_baseline_route("/bench/api-query", api_view)
    bench.add_baseline_route("/bench/sql-query", sql_view)

    def all_sql() -> Any:
        filters = _filters(bench)
        for statement in HAND_SQL.values():
            db.session.execute(text(statement), {"office": bench.office_id,
                                                 "start": filters.start, "end": filters.end})
        return jsonify(ok=True)

    bench.add_baseline_route("/bench/sql-dashboard", all_sql)
    return list(HAND_SQL)


# --- memory ------------------------------------------------------------------------------------

def _rss_high_water_mb() -> float | None:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _reset_rss_high_water() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
        return True
    except OSError:
        return False


def export_memory(client: Any, path: str) -> dict[str, float | None]:
    """Peak Python heap (tracemalloc) and RSS high-water mark over one full export."""
    gc.collect()
    reset = _reset_rss_high_water()
    rss_before = _rss_high_water_mb()
    tracemalloc.start()
    try:
        _consume(client.get(path))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    rss_after = _rss_high_water_mb()
    return {"python_heap_peak_mb": peak / 2**20,
            "rss_high_water_mb": rss_after if reset else None,
            "rss_growth_mb": (rss_after - rss_before) if reset and rss_after and rss_before
            else None}


# --- main --------------------------------------------------------------------------------------

def main() -> int:
    parser = argument_parser(__doc__.split("\n")[0], rounds=5, warmup=1)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=500_000)
    parser.add_argument("--migrants", type=int, default=100_000)
    parser.add_argument("--query-rounds", type=int, default=10)
    args = parser.parse_args()
    url = prepare_database(args.database_url)
    if not is_postgresql(url):
        raise BenchmarkError("this benchmark compares against COPY: PostgreSQL only")
    bench = build_app(url, OFFICE_CODE)
    counts = ensure_stats_population(url, bench.office_id, bench.user_id, migrants=args.migrants,
                                     cases=args.cases, calls=args.calls)
    consul = _consul(bench)
    _copy_route(consul, "copy_same_select", plain=False)
    _copy_route(consul, "copy_plain_columns", plain=True)
    with bench.app.app_context():
        offices = list(db.session.scalars(select(Office).where(Office.id == bench.office_id)))
        db.session.remove()
    query_keys = _query_routes(consul, offices)
    client = consul.log_in()

    start, end = services.default_period()
    export = f"{EXPORT}&date_from={start}&date_to={end}"
    sizes: dict[str, int] = {}

    def export_pair(kind: str, baseline: str) -> Pair:
        def check(side: str, _round: int, response: TestResponse) -> None:
            sizes[f"{kind}/{side}"] = response.bench_size  # type: ignore[attr-defined]
        return Pair(kind, lambda _n: _consume(client.get(export)),
                    lambda _n: _consume(client.get(f"/bench/{baseline}")), check=check)

    export_samples = measure([export_pair("csv vs same SELECT", "copy_same_select"),
                              export_pair("csv vs plain columns", "copy_plain_columns")],
                             args.rounds, args.warmup, args.seed)
    query_pairs = [Pair(key, lambda _n, k=key: client.get(f"/bench/api-query?q={k}"),
                        lambda _n, k=key: client.get(f"/bench/sql-query?q={k}"))
                   for key in query_keys]
    query_pairs.append(Pair("whole dashboard", lambda _n: client.get("/api/v1/stats"),
                            lambda _n: client.get("/bench/sql-dashboard")))
    query_samples = measure(query_pairs, args.query_rounds, 1, args.seed)

    memory = {"api": export_memory(client, export),
              "copy_same_select": export_memory(client, "/bench/copy_same_select")}
    rows = summarise(export_samples) + summarise(query_samples)
    same = next(r for r in rows if r.kind == "csv vs same SELECT")
    per_query = [r for r in rows if r.kind in query_keys]
    worst_query = max(per_query, key=lambda r: r.api.p95_ms)
    targets = [
        Target("CSV export / COPY of the same SELECT (median)", same.ratio_median, TARGET_RATIO),
        Target("CSV export peak Python heap (MB)",
               float(memory["api"]["python_heap_peak_mb"] or 0), TARGET_MEMORY_MB),
        Target(f"dashboard query p95, worst ({worst_query.kind}) (ms)",
               worst_query.api.p95_ms, TARGET_P95_MS),
    ]
    if memory["api"]["rss_growth_mb"] is not None:
        targets.append(Target("CSV export RSS growth (MB)",
                              float(memory["api"]["rss_growth_mb"]), TARGET_MEMORY_MB))
    env = environment(bench)
    data = {"office rows": office_row_counts(bench, ("migrants", "cases", "calls")),
            "generated": counts,
            "export bytes": dict(sizes)}
    print_report("statistics: case CSV export vs COPY, dashboard queries", env, data, rows,
                 None, targets)
    print("\nexport memory: " + ", ".join(
        f"{side}: " + ", ".join(f"{k}={v:.1f}" if v is not None else f"{k}=n/a"
                                for k, v in figures_.items())
        for side, figures_ in memory.items()))
    whole = next(r for r in rows if r.kind == "whole dashboard")
    print(f"whole dashboard (all queries, suppression, labels, audit): median "
          f"{whole.api.median_ms:.0f} ms, p95 {whole.api.p95_ms:.0f} ms")
    if args.json:
        write_json(args.json, "stats_export", env, data, rows, None, targets,
                   extra={"export_memory": memory,
                          "query_p95_ms": {r.kind: r.api.p95_ms for r in per_query}})
    return 0 if all(t.met for t in targets) else 1


if __name__ == "__main__":
    started = time.perf_counter()
    code = main()
    print(f"\n({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    sys.exit(code)
