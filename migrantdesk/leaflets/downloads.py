"""Download counts per leaflet and day, kept off the download's path: a download adds one to a
counter in memory, and a background thread adds the counters to the database every
LEAFLET_COUNT_FLUSH_SECONDS (0 = at once, in the request's own transaction). Nothing about the
visitor is counted. A worker killed outright loses at most that many seconds of counts."""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from collections import Counter
from datetime import date

from flask import Flask, current_app
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from migrantdesk.core.db import db
from migrantdesk.leaflets.models import LeafletDownload

log = logging.getLogger(__name__)

_lock = threading.Lock()
pending: Counter[tuple[int, date]] = Counter()
_flusher: dict[str, object] = {}  # {"pid": owning process, "thread": Thread}; clear() stops it


def count(leaflet_id: int, day: date | None = None) -> None:
    with _lock:
        pending[(leaflet_id, day or date.today())] += 1
    if current_app.config["LEAFLET_COUNT_FLUSH_SECONDS"] <= 0:
        flush()
    else:
        _ensure_flusher(current_app._get_current_object())  # type: ignore[attr-defined]


def flush() -> None:
    """Add the pending counts to the database in the current transaction (an upsert, so
    workers add up)."""
    with _lock:
        taken = dict(pending)
        pending.clear()
    if not taken:
        return
    insert = postgresql_insert if db.session.get_bind().dialect.name == "postgresql" \
        else sqlite_insert
    for (leaflet_id, day), added in taken.items():
        statement = insert(LeafletDownload).values(leaflet_id=leaflet_id, day=day, count=added)
        db.session.execute(statement.on_conflict_do_update(
            index_elements=["leaflet_id", "day"], set_={"count": LeafletDownload.count + added}))


def _flush_committed(app: Flask) -> None:
    with app.app_context():
        try:
            flush()
            db.session.commit()
        except Exception:  # the counts are lost, the downloads were not: log and go on
            db.session.rollback()
            log.exception("could not store leaflet download counts")
        finally:
            db.session.remove()


def _ensure_flusher(app: Flask) -> None:
    # gunicorn forks workers after the app is loaded: each process needs its own thread.
    if _flusher.get("pid") == os.getpid():
        return
    with _lock:
        if _flusher.get("pid") == os.getpid():
            return
        interval = app.config["LEAFLET_COUNT_FLUSH_SECONDS"]

        def run() -> None:
            while _flusher.get("thread") is threading.current_thread():
                time.sleep(interval)
                _flush_committed(app)

        thread = threading.Thread(target=run, name="leaflet-download-counts", daemon=True)
        _flusher.update(pid=os.getpid(), thread=thread)
        thread.start()
        atexit.register(_flush_committed, app)
