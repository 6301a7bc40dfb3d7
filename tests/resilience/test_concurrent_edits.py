"""No lost update: two people save the same case at the same moment, from the same version;
exactly one wins, the other gets 409, and the stored case is the winner's. Each person is a
thread with its own test client, app context and database connection, released together by a
barrier; the figures show how many pairs really raced to the UPDATE."""

from __future__ import annotations

import contextlib
import os
import threading
import time

from sqlalchemy import text

from migrantdesk.auth.permissions import Role
from migrantdesk.core.db import db
from tests.cases.test_cases_api import open_case
from tests.resilience.conftest import is_postgres, report

PAIRS = int(os.environ.get("RESILIENCE_EDIT_PAIRS", "1000"))


class Editor(threading.Thread):
    """One person's browser: waits for the start signal, saves, waits for the others."""

    def __init__(self, client, case_id: int, barrier: threading.Barrier) -> None:
        super().__init__(daemon=True)
        self.client, self.case_id, self.barrier = client, case_id, barrier
        self.version = 0
        self.summary = ""
        self.response = None
        self.stop = False

    def run(self) -> None:
        try:
            while True:
                self.barrier.wait()  # the pair starts
                if self.stop:
                    return
                self.response = self.client.patch(f"/api/v1/cases/{self.case_id}", json={
                    "version": self.version, "summary": self.summary})
                self.barrier.wait()  # the pair is done
        except threading.BrokenBarrierError:
            return


def test_a_thousand_pairs_of_concurrent_edits_lose_no_update(app, client_for):
    operator, lawyer = client_for("a", Role.OPERATOR), client_for("a", Role.LAWYER)
    case = open_case(operator)
    barrier = threading.Barrier(3)
    editors = [Editor(operator, case["id"], barrier), Editor(lawyer, case["id"], barrier)]
    for editor in editors:
        editor.start()
    version = case["version"]
    wins = [0, 0]
    raced_to_the_write = 0  # both passed the read check; the UPDATE's version guard decided
    started = time.monotonic()
    with app.app_context():
        connection = db.engine.connect()  # the checker's own connection
    try:
        for pair in range(PAIRS):
            for side, editor in enumerate(editors):
                editor.version, editor.summary = version, f"pair {pair} side {side}"
            barrier.wait()
            barrier.wait()
            statuses = [editor.response.status_code for editor in editors]
            assert sorted(statuses) == [200, 409], (pair, [e.response.get_json()
                                                           for e in editors])
            winner = editors[statuses.index(200)]
            loser = editors[statuses.index(409)]
            wins[statuses.index(200)] += 1
            if "current_version" not in loser.response.get_json()["error"]:
                raced_to_the_write += 1
            stored = connection.execute(text("SELECT summary, version FROM cases WHERE id = :id"),
                                        {"id": case["id"]}).one()
            connection.rollback()
            assert tuple(stored) == (winner.summary, version + 1), pair
            assert winner.response.get_json()["version"] == version + 1
            version += 1
    finally:
        for editor in editors:
            editor.stop = True
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=10)
        connection.close()
    elapsed = time.monotonic() - started
    kind = "postgresql" if is_postgres(app) else "sqlite"
    report(f"concurrent edits ({kind}): {PAIRS} pairs ({2 * PAIRS} PATCHes, two threads with "
           f"their own connections) in {elapsed:.1f}s; 200s {PAIRS}, 409s {PAIRS}, wins by side "
           f"{wins}, {raced_to_the_write} pairs decided by the UPDATE's version guard, "
           f"lost updates 0")
    with app.app_context():
        updates = db.session.execute(text(
            "SELECT count(*) FROM audit_events WHERE action = 'update' "
            "AND entity_type = 'case'")).scalar_one()
    assert updates == PAIRS
