"""Idempotent intake: what an Idempotency-Key costs on POST /api/v1/calls, and what a retry costs.

Two kinds of request, each against the least-machinery way to get the same answer, which is the
same endpoint without the header:

- keyed intake: POST /api/v1/calls with a new key (a SELECT for the key, its INSERT, the
  response stored with the call) against the same POST without a key;
- replayed retry: the same POST again with a key already answered (a SELECT, the stored
  answer, an audit entry for the read) against a new intake without a key.

    .venv/bin/python -m benchmarks.idempotent_intake                       # PostgreSQL
    .venv/bin/python -m benchmarks.idempotent_intake --database-url sqlite:////tmp/bench.db
"""

from __future__ import annotations

import sys
import uuid

from sqlalchemy import text
from werkzeug.test import TestResponse

from benchmarks._harness import (
    BenchmarkError,
    Pair,
    Target,
    argument_parser,
    build_app,
    environment,
    measure,
    office_row_counts,
    prepare_database,
    print_report,
    summarise,
    write_json,
)
from benchmarks.call_intake import call_bodies
from migrantdesk.core.db import db

OFFICE_CODE = "bench-idempotent"
KEYED_TARGET = 1.25  # a key may cost at most a quarter of an intake
REPLAY_TARGET = 1.0  # a retry must not cost more than logging the call again


def _forget_earlier_runs(bench) -> None:
    with bench.app.app_context():
        for sql in ("DELETE FROM idempotency_keys WHERE user_id = :user",
                    "DELETE FROM audit_events WHERE office_id = :office",
                    "DELETE FROM calls WHERE office_id = :office"):
            db.session.execute(text(sql), {"user": bench.user_id, "office": bench.office_id})
        db.session.commit()
        db.session.remove()


def main(argv: list[str] | None = None) -> int:
    parser = argument_parser(__doc__.split("\n\n")[0], rounds=1000, warmup=50)
    args = parser.parse_args(argv)
    url = prepare_database(args.database_url)
    bench = build_app(url, OFFICE_CODE)
    _forget_earlier_runs(bench)
    client = bench.log_in()
    bodies = call_bodies(args.rounds + args.warmup, args.seed)
    run = uuid.uuid4().hex[:8]
    answered: dict[int, dict] = {}

    def body(round_no: int) -> bytes:
        return bodies[(round_no + args.warmup) % len(bodies)]

    def post(round_no: int, key: str | None) -> TestResponse:
        headers = {"Idempotency-Key": key} if key else {}
        return client.post("/api/v1/calls", data=body(round_no),
                           content_type="application/json", headers=headers)

    def keyed(round_no: int) -> TestResponse:
        return post(round_no, f"{run}-{round_no}")

    def remember(side: str, round_no: int, response: TestResponse) -> None:
        if side == "api":
            answered[round_no] = response.get_json()

    def replayed(round_no: int) -> TestResponse:
        return post(round_no, f"{run}-{round_no}")

    def check_replay(side: str, round_no: int, response: TestResponse) -> None:
        if side == "api" and (response.headers.get("Idempotent-Replayed") != "true"
                              or response.get_json() != answered[round_no]):
            raise BenchmarkError(f"round {round_no}: the retry did not replay the first answer")

    def unkeyed(round_no: int) -> TestResponse:
        return post(round_no, None)

    # Every round's keyed intake runs before its retry: the kinds are not shuffled apart.
    samples = measure([Pair("keyed intake", keyed, unkeyed, status=201, check=remember)],
                      args.rounds, args.warmup, args.seed)
    samples.update(measure([Pair("replayed retry", replayed, unkeyed, status=201,
                                 check=check_replay)], args.rounds, args.warmup, args.seed))
    rows = summarise(samples)
    keys = int(bench.scalar("SELECT count(*) FROM idempotency_keys WHERE user_id = :user",
                            user=bench.user_id))
    if keys != args.rounds + args.warmup:
        raise BenchmarkError(f"{keys} keys stored for {args.rounds + args.warmup} keyed intakes")
    env = environment(bench)
    data = {"rows after the run": {"idempotency_keys": keys, **office_row_counts(
        bench, ["calls", "audit_events"])}}
    targets = [Target("keyed intake ratio of medians", rows[0].ratio_median, KEYED_TARGET),
               Target("replayed retry ratio of medians", rows[1].ratio_median, REPLAY_TARGET)]
    title = "idempotent intake: POST /api/v1/calls with Idempotency-Key vs without"
    print_report(title, env, data, rows, None, targets)
    if args.json:
        write_json(args.json, title, env, data, rows, None, targets)
    return 0


if __name__ == "__main__":
    sys.exit(main())
