"""What every benchmark shares: a migrated database, the real app with a bare baseline route
beside the API endpoint, one logged-in client, and side-by-side timing in alternating rounds.

Both sides run in the same process, through the same WSGI app (Flask's test client), the same
login and CSRF checks, the same connection pool and the same database. Only the work behind
the route differs: the API's schemas, services and ORM against hand-written SQL.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import random
import sqlite3
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import make_url, select, text
from werkzeug.test import TestResponse

from migrantdesk import create_app
from migrantdesk.auth.models import User
from migrantdesk.auth.permissions import Role
from migrantdesk.auth.services import hash_password
from migrantdesk.config import PROJECT_ROOT, DevelopmentConfig
from migrantdesk.core.db import db
from migrantdesk.offices.models import Office

DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/migrantdesk_bench"
BENCH_PASSWORD = "benchmark-password-2026"  # noqa: S105 -- a throwaway benchmark account
SIDES = ("api", "baseline")


class BenchmarkError(RuntimeError):
    """A request failed or the two sides disagree: the figures would mean nothing."""


# --- database -------------------------------------------------------------------------------

def sqlalchemy_url(url: str) -> str:
    """Bare postgres:// URLs use psycopg 3, as in migrantdesk.config."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def is_postgresql(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def libpq_conninfo(url: str, dbname: str | None = None) -> str:
    """The psycopg connection string of a SQLAlchemy URL (for COPY and CREATE DATABASE)."""
    import psycopg

    parsed = make_url(url)
    parts = {"host": parsed.host, "port": parsed.port, "user": parsed.username,
             "password": parsed.password, "dbname": dbname or parsed.database}
    return psycopg.conninfo.make_conninfo(**{k: v for k, v in parts.items() if v is not None})


def prepare_database(url: str) -> str:
    """Create the PostgreSQL database if it is missing, then migrate it to head like
    tests/conftest.py does. Returns the SQLAlchemy URL."""
    url = sqlalchemy_url(url)
    if is_postgresql(url):
        import psycopg
        from psycopg import sql

        name = make_url(url).database
        with psycopg.connect(libpq_conninfo(url, "postgres"), autocommit=True) as connection:
            found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                       (name,)).fetchone()
            if found is None:
                connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                print(f"created database {name}", file=sys.stderr)
    config = AlembicConfig(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["url"] = url
    command.upgrade(config, "head")
    return url


# --- the app, the benchmark office and its operator ------------------------------------------

@dataclass
class Bench:
    app: Flask
    office_id: int
    user_id: int
    email: str

    def add_baseline_route(self, rule: str, view: Callable[..., Any],
                           methods: Iterable[str] = ("GET",)) -> None:
        """A bare route on the same app; it still passes the app's login and CSRF checks."""
        self.app.add_url_rule(rule, f"bench.{view.__name__}", view, methods=list(methods))

    def log_in(self) -> FlaskClient:
        """A test client logged in through the real endpoint, sending X-CSRFToken like a
        browser would (as tests/conftest.py's login())."""
        client = self.app.test_client()
        token = client.get("/api/v1/auth/csrf").get_json()["csrf_token"]
        client.environ_base["HTTP_X_CSRFTOKEN"] = token
        response = client.post("/api/v1/auth/login",
                               json={"email": self.email, "password": BENCH_PASSWORD})
        if response.status_code != 200:
            raise BenchmarkError(f"login failed: {response.get_json()}")
        client.environ_base["HTTP_X_CSRFTOKEN"] = client.get(
            "/api/v1/auth/csrf").get_json()["csrf_token"]
        return client

    def scalar(self, sql: str, **params: Any) -> Any:
        with self.app.app_context():
            try:
                return db.session.execute(text(sql), params).scalar()
            finally:
                db.session.remove()


def build_app(url: str, office_code: str) -> Bench:
    """The real app on the given database, with one KG consulate in Moscow and one operator.
    Register baseline routes on bench.app before calling bench.log_in()."""
    app = create_app(DevelopmentConfig, SQLALCHEMY_DATABASE_URI=url, PROPAGATE_EXCEPTIONS=True)
    email = f"operator@{office_code}.bench.example.org"
    with app.app_context():
        office = db.session.scalar(select(Office).where(Office.code == office_code))
        if office is None:
            office = Office(code=office_code, name=f"Benchmark consulate ({office_code})",
                            country="KG", host_country="RU", city="Moscow",
                            timezone="Europe/Moscow", hotline_numbers=["+74951234567"])
            db.session.add(office)
            db.session.flush()
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(office_id=office.id, name="Benchmark operator", email=email,
                        role=Role.OPERATOR, password_hash=hash_password(BENCH_PASSWORD))
            db.session.add(user)
        user.failed_logins, user.locked_until, user.active = 0, None, True
        db.session.commit()
        bench = Bench(app, office.id, user.id, email)
        db.session.remove()
    return bench


# --- timing ---------------------------------------------------------------------------------

@dataclass
class Pair:
    """One kind of request, done by the API and by the baseline. Each callable gets the round
    number (negative during warm-up) and returns the response."""

    kind: str
    api: Callable[[int], TestResponse]
    baseline: Callable[[int], TestResponse]
    status: int = 200
    # Called after the clock stops, e.g. to collect the ids the side created.
    check: Callable[[str, int, TestResponse], None] | None = None

    def run(self, side: str, round_no: int) -> tuple[int, TestResponse]:
        call = self.api if side == "api" else self.baseline
        started = time.perf_counter_ns()
        response = call(round_no)
        elapsed = time.perf_counter_ns() - started
        if response.status_code != self.status:
            raise BenchmarkError(f"{self.kind}/{side}: HTTP {response.status_code} "
                                 f"{response.get_data(as_text=True)[:500]}")
        if self.check is not None:
            self.check(side, round_no, response)
        return elapsed, response


Samples = dict[str, dict[str, list[int]]]


def measure(pairs: list[Pair], rounds: int, warmup: int, seed: int = 0) -> Samples:
    """Per-request wall times in ns, per kind and side. Each round runs every kind once per
    side, kinds in shuffled order, the side that goes first alternating round by round."""
    rng = random.Random(seed)
    samples: Samples = {pair.kind: {side: [] for side in SIDES} for pair in pairs}
    gc.collect()
    for round_no in range(-warmup, rounds):
        order = list(pairs)
        rng.shuffle(order)
        sides = SIDES if round_no % 2 == 0 else SIDES[::-1]
        for pair in order:
            for side in sides:
                elapsed, _response = pair.run(side, round_no)
                if round_no >= 0:
                    samples[pair.kind][side].append(elapsed)
    return samples


def measure_memory(pairs: list[Pair], requests: int) -> dict[str, dict[str, int]]:
    """Median peak of Python heap allocated during one request (tracemalloc), per kind and
    side. Run apart from the timing, which tracemalloc would slow down."""
    peaks: dict[str, dict[str, list[int]]] = {p.kind: {s: [] for s in SIDES} for p in pairs}
    tracemalloc.start()
    try:
        for number in range(requests):
            for pair in pairs:
                for side in SIDES if number % 2 == 0 else SIDES[::-1]:
                    tracemalloc.reset_peak()
                    before = tracemalloc.get_traced_memory()[0]
                    pair.run(side, number)
                    peaks[pair.kind][side].append(tracemalloc.get_traced_memory()[1] - before)
    finally:
        tracemalloc.stop()
    return {kind: {side: int(statistics.median(values)) for side, values in by_side.items()}
            for kind, by_side in peaks.items()}


# --- figures --------------------------------------------------------------------------------

@dataclass
class Figures:
    n: int
    median_ms: float
    p95_ms: float
    mean_ms: float


def p95(values: list[int]) -> int:
    """Nearest-rank 95th percentile."""
    ordered = sorted(values)
    return ordered[max(math.ceil(0.95 * len(ordered)) - 1, 0)]


def figures(values: list[int]) -> Figures:
    return Figures(len(values), statistics.median(values) / 1e6, p95(values) / 1e6,
                   statistics.fmean(values) / 1e6)


@dataclass
class Row:
    kind: str
    api: Figures
    baseline: Figures
    ratio_median: float = field(init=False)
    ratio_p95: float = field(init=False)

    def __post_init__(self) -> None:
        self.ratio_median = self.api.median_ms / self.baseline.median_ms
        self.ratio_p95 = self.api.p95_ms / self.baseline.p95_ms


def summarise(samples: Samples) -> list[Row]:
    """One row per kind and, when there are several kinds, an "all" row pooling them."""
    rows = [Row(kind, figures(by_side["api"]), figures(by_side["baseline"]))
            for kind, by_side in samples.items()]
    if len(samples) > 1:
        pooled = {side: [v for by_side in samples.values() for v in by_side[side]]
                  for side in SIDES}
        rows.append(Row("all", figures(pooled["api"]), figures(pooled["baseline"])))
    return rows


@dataclass
class Target:
    name: str
    measured: float
    limit: float

    @property
    def met(self) -> bool:
        return self.measured <= self.limit


# --- environment and report -----------------------------------------------------------------

_PG_SETTINGS = ("shared_buffers", "work_mem", "synchronous_commit", "jit",
                "max_parallel_workers_per_gather", "plan_cache_mode",
                "pg_trgm.similarity_threshold")


def environment(bench: Bench) -> dict[str, Any]:
    with bench.app.app_context():
        dialect = db.engine.dialect.name
        settings: dict[str, Any] = {}
        if dialect == "postgresql":
            server = db.session.execute(text("SHOW server_version")).scalar()
            settings = {name: db.session.execute(text(f"SHOW {name}")).scalar()
                        for name in _PG_SETTINGS}
        else:
            server = sqlite3.sqlite_version
            settings = {"journal_mode": db.session.execute(
                text("PRAGMA journal_mode")).scalar(), "synchronous": db.session.execute(
                text("PRAGMA synchronous")).scalar()}
        db.session.remove()
    packages = {name: metadata.version(name) for name in
                ("flask", "sqlalchemy", "flask-smorest", "marshmallow", "psycopg")}
    return {"date": datetime.now(UTC).isoformat(timespec="seconds"), "dialect": dialect,
            "server_version": server, "python": platform.python_version(),
            "platform": platform.platform(), "cpu_count": os.cpu_count(),
            "database_settings": settings, "packages": packages}


def row_counts(bench: Bench, tables: Iterable[str]) -> dict[str, int]:
    return {table: int(bench.scalar(f"SELECT count(*) FROM {table}")) for table in tables}


def office_row_counts(bench: Bench, tables: Iterable[str]) -> dict[str, int]:
    return {table: int(bench.scalar(f"SELECT count(*) FROM {table} WHERE office_id = :office",
                                    office=bench.office_id)) for table in tables}


def _figures_cells(f: Figures) -> str:
    return f"{f.median_ms:9.2f} {f.p95_ms:8.2f} {f.mean_ms:8.2f}"


def print_report(title: str, env: dict[str, Any], data: dict[str, Any], rows: list[Row],
                 memory: dict[str, dict[str, int]] | None, targets: list[Target]) -> None:
    print(f"\n== {title} ==")
    print(f"{env['date']}  {env['dialect']} {env['server_version']}  Python {env['python']}  "
          f"{env['cpu_count']} CPUs  {env['platform']}")
    print("database: " + ", ".join(f"{k}={v}" for k, v in env["database_settings"].items()))
    print("packages: " + ", ".join(f"{k} {v}" for k, v in env["packages"].items()))
    for label, counts in data.items():
        print(f"{label}: " + ", ".join(f"{k}={v:,}" if isinstance(v, int) else f"{k}={v}"
                                       for k, v in counts.items()))
    print("\nper-request wall time in ms (API = endpoint, SQL = bare route with hand-written SQL)")
    print(f"{'kind':<20}{'n':>6} {'API med':>9} {'p95':>8} {'mean':>8} | "
          f"{'SQL med':>9} {'p95':>8} {'mean':>8} | {'ratio med':>9} {'p95':>6}")
    for row in rows:
        print(f"{row.kind:<20}{row.api.n:>6} {_figures_cells(row.api)} | "
              f"{_figures_cells(row.baseline)} | {row.ratio_median:9.2f} {row.ratio_p95:6.2f}")
    if memory:
        print("\nmedian peak Python heap per request in KiB (tracemalloc)")
        for kind, by_side in memory.items():
            api, sql = by_side["api"] / 1024, by_side["baseline"] / 1024
            print(f"{kind:<20} API {api:8.1f}   SQL {sql:8.1f}   ratio {api / sql:5.2f}")
    if targets:
        print()
        for target in targets:
            verdict = "met" if target.met else "MISSED"
            print(f"target {target.name}: {target.measured:.2f} <= {target.limit:g}  {verdict}")


def write_json(path: str, title: str, env: dict[str, Any], data: dict[str, Any],
               rows: list[Row], memory: dict[str, dict[str, int]] | None,
               targets: list[Target], extra: dict[str, Any] | None = None) -> None:
    document = {"benchmark": title, "environment": env, "data": data,
                "results": [asdict(row) for row in rows], "memory_bytes": memory,
                "targets": [{**asdict(t), "met": t.met} for t in targets], **(extra or {})}
    payload = json.dumps(document, indent=2, ensure_ascii=False)
    if path == "-":
        print(payload)
    else:
        with open(path, "w", encoding="utf-8") as out:
            out.write(payload + "\n")


def argument_parser(description: str, rounds: int, warmup: int) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL",
                                                                 DEFAULT_DATABASE_URL),
                        help="SQLAlchemy URL; a missing PostgreSQL database is created and "
                             "every database is migrated to head (default: %(default)s)")
    parser.add_argument("--rounds", type=int, default=rounds,
                        help="measured requests per side and kind (default: %(default)s)")
    parser.add_argument("--warmup", type=int, default=warmup,
                        help="unmeasured rounds first (default: %(default)s)")
    parser.add_argument("--memory", type=int, default=20, metavar="N",
                        help="requests per side for the tracemalloc pass, 0 to skip "
                             "(default: %(default)s)")
    parser.add_argument("--seed", type=int, default=2026, help="random seed (default: %(default)s)")
    parser.add_argument("--json", metavar="PATH",
                        help="also write the results as JSON to PATH ('-' for stdout)")
    return parser
