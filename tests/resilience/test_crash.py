"""Crash safety: gunicorn workers are SIGKILLed in the middle of 500 intakes; the clients retry
with the same Idempotency-Key until they get an answer, and every call exists exactly once."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest
from sqlalchemy import text

from tests.conftest import scalar
from tests.resilience.conftest import report
from tests.resilience.live import LiveServer, api_token

INTAKES = 500
CLIENT_THREADS = 6
KILL_AT = (125, 250, 375)  # answers received before each SIGKILL
HANG_UP_EVERY = 25  # the first attempt of every 25th intake never reads its answer


@dataclass
class Figures:
    sent: int = 0
    failures: int = 0  # no answer, or a 5xx/409 answer
    retries: int = 0
    replayed: int = 0  # a retry answered from the key: the first attempt had committed
    hung_up: int = 0
    answered: int = 0
    killed: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, **counts: int) -> None:
        with self.lock:
            for name, value in counts.items():
                setattr(self, name, getattr(self, name) + value)


@pytest.fixture
def server(database, tmp_path):
    live = LiveServer(database, tmp_path, workers=2)
    yield live
    live.stop()


def test_workers_killed_mid_intake_lose_and_duplicate_nothing(app, world, server):
    token = api_token(app, world.user("a"))
    figures = Figures()
    deadline = time.monotonic() + 90

    def intake(number: int) -> None:
        body = {"summary": f"crash-test intake {number}", "language": "ky",
                "caller_phone": f"+7912{number:07d}"}
        headers = {"Idempotency-Key": f"crash-{number}"}
        attempt = 0
        if number % HANG_UP_EVERY == 0:
            server.send_and_hang_up("POST", "/api/v1/calls", body, token=token, headers=headers)
            figures.add(sent=1, hung_up=1, failures=1)
            attempt = 1
            time.sleep(0.3)
        while time.monotonic() < deadline:
            answer = server.request("POST", "/api/v1/calls", body, token=token,
                                    headers=headers, timeout=20)
            figures.add(sent=1, retries=1 if attempt else 0)
            if answer.status == 201:
                replayed = (answer.headers or {}).get("Idempotent-Replayed") == "true"
                figures.add(answered=1, replayed=1 if replayed else 0)
                return
            assert answer.status in (0, 409, 500, 502, 503), (answer.status, answer.body)
            figures.add(failures=1)
            attempt += 1
            time.sleep(0.05 * attempt)
        raise AssertionError(f"intake {number} never succeeded")

    def saboteur() -> None:
        for threshold in KILL_AT:
            # Both workers up (the master replaced the last one killed), answers flowing.
            while (figures.answered < threshold or len(server.worker_pids()) < 2) \
                    and time.monotonic() < deadline:
                time.sleep(0.005)
            figures.killed.append(server.kill_a_worker())

    started = time.monotonic()
    chaos = threading.Thread(target=saboteur, daemon=True)
    chaos.start()
    with ThreadPoolExecutor(CLIENT_THREADS) as pool:
        list(pool.map(intake, range(INTAKES)))
    chaos.join(timeout=5)
    elapsed = time.monotonic() - started

    office_id = world.office_a.id
    rows = dict(scalar_rows(app, "SELECT summary, count(*) FROM calls WHERE office_id = :o "
                                 "GROUP BY summary", o=office_id))
    lost = sum(1 for n in range(INTAKES) if f"crash-test intake {n}" not in rows)
    duplicated = sum(count - 1 for count in rows.values())
    report(f"crash test ({server.database_kind}): {INTAKES} intakes, {figures.sent} requests sent, "
          f"{len(figures.killed)} workers SIGKILLed, {figures.hung_up} answers dropped by the "
          f"client, {figures.failures} failures seen, "
          f"{figures.retries} retries ({figures.replayed} answered from the stored key), "
          f"lost {lost}, duplicated {duplicated}, {elapsed:.1f}s")
    assert len(figures.killed) == len(KILL_AT)
    # Dropped answers whose request had committed were answered from the key on retry.
    assert figures.replayed >= 1
    assert lost == 0 and duplicated == 0 and len(rows) == INTAKES
    assert scalar(app, "SELECT count(*) FROM idempotency_keys") == INTAKES
    assert scalar(app, "SELECT count(*) FROM audit_events WHERE action = 'create' "
                       "AND entity_type = 'call'") == INTAKES


def scalar_rows(app, sql: str, **params):
    from migrantdesk.core.db import db

    with app.app_context():
        return [tuple(row) for row in db.session.execute(text(sql), params)]
