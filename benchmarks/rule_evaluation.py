"""Rule evaluation for one case with 500 provisions, 200 templates and 200 rules loaded.

Target (issue 3): median ≤ 5 ms for `engine.select_guidance` on a loaded library. Also shown,
for context: loading that library from the database (done once per request today), and a
hand-written baseline that selects the same keys from plain dicts with no rule interpreter.

    .venv/bin/python -m benchmarks.rule_evaluation [--runs 2000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import UTC, date, datetime

from migrantdesk.guidance.conditions import Situation
from migrantdesk.guidance.engine import Library, select_guidance
from migrantdesk.guidance.models import (
    CitizenshipPosition,
    ContentStatus,
    GuidanceRule,
    GuidanceTemplate,
    Provision,
)

ORIGINS = ("KG", "UZ", "TJ", "KZ", "TM")
CATEGORIES = ("mobilisation_notice", "military_contract_pressure", "dual_citizenship_risk",
              "stay_limit_overrun", "document_status", "remittance_interruption",
              "detention_abroad", "wage_labour_dispute")


def build_library(rng: random.Random, provisions: int = 500, templates: int = 200,
                  rules: int = 200) -> Library:
    provision_rows: dict[str, list[Provision]] = {}
    for index in range(provisions):
        key = f"RU-BENCH-{index}"
        start = date(2000 + rng.randrange(25), 1 + rng.randrange(12), 1)
        provision_rows[key] = [Provision(
            key=key, version=1, status=ContentStatus.PUBLISHED, jurisdiction="RU",
            instrument="Bench code", article=str(index), title=f"Article {index}",
            summary={"en": "x", "ru": "x"}, effective_from=start, effective_to=None,
            source_citation="bench", verification="confirmed")]
    keys = list(provision_rows)
    template_rows = {}
    for index in range(templates):
        key = f"BENCH-T-{index}"
        template_rows[key] = GuidanceTemplate(
            key=key, version=1, status=ContentStatus.PUBLISHED, topic="mobilisation_notice",
            origin_country=rng.choice(ORIGINS), host_country="RU",
            title={"ru": "t", "en": "t"}, body={"ru": "b", "en": "b"},
            provision_keys=rng.sample(keys, 3))
    rule_rows = []
    for index in range(rules):
        conditions = {"all": [
            {"category": rng.sample(CATEGORIES, 2)},
            {"origin": rng.sample(ORIGINS, 2)},
            {"any": [{"citizenship": "RU"}, {"fact": "anything_signed", "equals": True},
                     {"not": {"host_country": ["DE"]}}]},
            {"event_on_or_after": "2015-01-01"},
        ]}
        rule_rows.append(GuidanceRule(
            key=f"BENCH-R-{index}", version=1, status=ContentStatus.PUBLISHED,
            name=f"rule {index}", conditions=conditions,
            template_keys=rng.sample(list(template_rows), 2), provision_keys=rng.sample(keys, 4)))
    positions = {("KG", "RU"): CitizenshipPosition(
        origin_country="KG", other_country="RU", stance="prohibited", risk="high",
        reasons={"en": ["bench"]}, source_citation="bench", verification="confirmed")}
    return Library(rule_rows, template_rows, provision_rows, positions)


SITUATION = Situation(category="mobilisation_notice", origin="KG", host_country="RU",
                      citizenships=frozenset({"KG", "RU"}),
                      facts={"received_on": "2026-11-20", "anything_signed": False,
                             "appear_by": "2026-11-25T09:00:00+03:00"},
                      event_date=date(2026, 11, 20))


def baseline(library: Library, situation: Situation) -> set[str]:
    """The same outcome for these rules, hand-written: no interpreter, no dataclasses."""
    chosen = set()
    for rule in library.rules:
        parts = rule.conditions["all"]
        if (situation.category in parts[0]["category"] and situation.origin in parts[1]["origin"]
                and situation.event_date >= date(2015, 1, 1)):
            chosen.update(rule.provision_keys)
            for key in rule.template_keys:
                template = library.templates[key]
                if template.origin_country == situation.origin:
                    chosen.update(template.provision_keys)
    return {k for k in chosen if library.provisions[k][0].effective_from <= situation.event_date}


def timed(function, runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter_ns()
        function()
        samples.append((time.perf_counter_ns() - started) / 1e6)
    return samples


def summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    return (f"median {statistics.median(ordered):7.3f} ms   "
            f"p95 {ordered[int(len(ordered) * 0.95) - 1]:7.3f} ms")


def database_load(url: str, runs: int) -> tuple[list[float], list[float]]:
    """Time load_library() + select_guidance against a database holding the same content."""
    from alembic import command
    from alembic.config import Config as AlembicConfig

    from migrantdesk import create_app
    from migrantdesk.config import PROJECT_ROOT, TestingConfig
    from migrantdesk.core.db import db
    from migrantdesk.guidance.engine import current_library, load_library

    alembic = AlembicConfig(str(PROJECT_ROOT / "alembic.ini"))
    alembic.attributes["url"] = url
    command.upgrade(alembic, "head")
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)
    stored = build_library(random.Random(2026))
    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    with app.app_context():
        for versions in stored.provisions.values():
            db.session.add_all(versions)
        db.session.add_all([*stored.templates.values(), *stored.rules,
                            *stored.positions.values()])
        db.session.commit()
        loading = timed(lambda: select_guidance(load_library(), SITUATION, now), runs)
        db.session.remove()
        cached = timed(lambda: select_guidance(current_library(), SITUATION, now), runs)
        db.session.remove()
    return loading, cached


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--database-url", help="also time loading the library from this "
                        "(empty, throwaway) database, e.g. sqlite:////tmp/rules.db")
    args = parser.parse_args()
    library = build_library(random.Random(2026))
    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    selection = select_guidance(library, SITUATION, now)
    assert {p.key for p in selection.provisions} == baseline(library, SITUATION), "sides differ"
    engine_samples, baseline_samples = [], []
    for _ in range(args.runs // 100):  # alternate in rounds of 100
        engine_samples += timed(lambda: select_guidance(library, SITUATION, now), 100)
        baseline_samples += timed(lambda: baseline(library, SITUATION), 100)
    print(f"library: {sum(map(len, library.provisions.values()))} provisions, "
          f"{len(library.templates)} templates, {len(library.rules)} rules; "
          f"{len(selection.rules)} rules match, {len(selection.provisions)} provisions, "
          f"{len(selection.templates)} templates selected; {args.runs} runs each")
    print(f"select_guidance        {summary(engine_samples)}   (target: median <= 5 ms)")
    print(f"hand-written baseline  {summary(baseline_samples)}")
    print(f"ratio of medians       "
          f"{statistics.median(engine_samples) / statistics.median(baseline_samples):.2f}x")
    if args.database_url:
        loaded, cached = database_load(args.database_url, max(args.runs // 10, 50))
        backend = args.database_url.split(":")[0]
        print(f"load_library + select  {summary(loaded)}   (every request reloads; {backend})")
        print(f"current_library + sel. {summary(cached)}   (revision check, cached library)")


if __name__ == "__main__":
    main()
