"""Download counts travel to the database off the download's path, and the public rate limit
does not start a thread per request."""

from __future__ import annotations

import threading
import time

from sqlalchemy import func, select

from migrantdesk.auth.permissions import Role
from migrantdesk.core.db import db
from migrantdesk.core.ratelimit import ProcessMemoryStorage
from migrantdesk.leaflets import downloads
from migrantdesk.leaflets.models import LeafletDownload
from tests.leaflets.test_leaflets import publish, template_id  # noqa: F401  (fixture)


def stored_count(app) -> int:
    with app.app_context():
        total = db.session.scalar(select(func.coalesce(func.sum(LeafletDownload.count), 0)))
        db.session.remove()
        return int(total)


def test_downloads_reach_the_database_from_the_background_thread(
        app, client_for, template_id):  # noqa: F811
    leaflet = publish(client_for("a", Role.LAWYER), template_id)
    app.config["LEAFLET_COUNT_FLUSH_SECONDS"] = 0.05
    try:
        visitor = app.test_client()
        for _ in range(3):
            assert visitor.get(leaflet["download_url"]).status_code == 200
        assert stored_count(app) == 0  # not on the download's own path
        deadline = time.monotonic() + 5
        while stored_count(app) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert stored_count(app) == 3
        assert downloads.pending.total() == 0
    finally:
        app.config["LEAFLET_COUNT_FLUSH_SECONDS"] = 0
        downloads._flusher.clear()  # the thread sees it is no longer the flusher and stops


def test_rate_limit_counters_start_no_threads_and_still_expire():
    storage = ProcessMemoryStorage()
    before = threading.active_count()
    for _ in range(50):
        storage.incr("visitor", expiry=60)
        storage.incr("brief visitor", expiry=0.01)
        time.sleep(0.002)
    assert threading.active_count() <= before
    assert storage.get("visitor") == 50
    time.sleep(0.02)
    assert storage.get("brief visitor") == 0  # expired when read
