"""A cached leaflet download (GET /leaflets/<sha256>.pdf: rate limit, hash lookup, download
count, send_file with ETag and cache headers) against a bare route on the same app serving a
static file of the same size with send_file. Target: ratio of medians ≤ 1.3.

    .venv/bin/python -m benchmarks.leaflet_download [--rounds 2000]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from flask import send_file

from migrantdesk import create_app
from migrantdesk.auth.models import User
from migrantdesk.config import PROJECT_ROOT, TestingConfig
from migrantdesk.core.db import db
from migrantdesk.guidance import library
from migrantdesk.guidance import services as provisions
from migrantdesk.guidance.models import ContentStatus, GuidanceTemplate
from migrantdesk.leaflets import services, store
from migrantdesk.offices.models import Office

BODY = "\n\n".join(f"- Пункт {n}: не подписывайте бумаги без консультации." for n in range(12))


def build(workdir: Path, rate_limit: bool):
    url = f"sqlite:///{workdir / 'bench.db'}"
    alembic = AlembicConfig(str(PROJECT_ROOT / "alembic.ini"))
    alembic.attributes["url"] = url
    command.upgrade(alembic, "head")
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url,
                     LEAFLET_STORE=str(workdir / "store"), LEAFLET_COUNT_FLUSH_SECONDS=10,
                     PUBLIC_RATE_LIMIT="1000000 per minute", RATELIMIT_ENABLED=rate_limit)
    with app.test_request_context():
        office = Office(code="kg-moscow", name="Embassy of the Kyrgyz Republic", country="KG",
                        host_country="RU", city="Moscow", timezone="Europe/Moscow",
                        hotline_numbers=["+74952373000"])
        db.session.add(office)
        db.session.flush()
        user = User(office_id=office.id, name="Bench", email="bench@example.org",
                    role="lawyer", password_hash="not-a-login")  # noqa: S106
        db.session.add(user)
        provisions.create_provision(None, "KG-CC-256", {
            "jurisdiction": "KG", "instrument": "Уголовный кодекс КР", "article": "256",
            "part": None, "title": "Участие в военных действиях", "penalty": None,
            "summary": {"ru": "Участие в военных действиях за рубежом.", "en": "x"},
            "penalty_text": None, "effective_from": date(2021, 12, 1), "effective_to": None,
            "source_citation": "bench", "source_url": None, "verification": "reported",
            "verification_note": None}, status=ContentStatus.PUBLISHED)
        template = library.create(None, GuidanceTemplate, "KG-RU-BENCH", {
            "topic": "mobilisation_notice", "origin_country": "KG", "host_country": "RU",
            "title": {"ru": "Повестка", "en": "Notice"}, "body": {"ru": BODY, "en": "x"},
            "provision_keys": ["KG-CC-256"]}, status=ContentStatus.PUBLISHED)
        db.session.flush()
        leaflet = services.publish(user, template.id, "ru", "A5")
        db.session.commit()
        sha, size = leaflet.pdf_sha256, leaflet.pdf_size
    static_copy = workdir / "static-copy.pdf"
    with app.app_context():
        shutil.copyfile(store.path_of(sha), static_copy)

    @app.route("/bench/static.pdf")
    def bare_static():
        return send_file(static_copy, mimetype="application/pdf")

    import migrantdesk.auth.guard as guard
    guard.PUBLIC_ENDPOINTS = guard.PUBLIC_ENDPOINTS | {"bare_static"}
    return app, f"/leaflets/{sha}.pdf", size


def timed(client, path: str) -> float:
    started = time.perf_counter_ns()
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    response.close()
    return (time.perf_counter_ns() - started) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2000)
    parser.add_argument("--no-rate-limit", action="store_true",
                        help="switch Flask-Limiter off, to see what it costs")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="leaflet-download-"))
    try:
        app, path, size = build(workdir, rate_limit=not args.no_rate_limit)
        client = app.test_client()
        for _ in range(50):
            timed(client, path), timed(client, "/bench/static.pdf")
        api, bare = [], []
        for index in range(args.rounds):
            pair = [(api, path), (bare, "/bench/static.pdf")]
            for samples, url in (pair if index % 2 else reversed(pair)):
                samples.append(timed(client, url))
        p95 = lambda xs: sorted(xs)[int(len(xs) * 0.95) - 1]  # noqa: E731
        print(f"PDF size {size} bytes, {args.rounds} requests per side, alternating; "
              f"rate limiter {'off' if args.no_rate_limit else 'on'}")
        print(f"leaflet download  median {statistics.median(api):.3f} ms  p95 {p95(api):.3f} ms")
        print(f"bare send_file    median {statistics.median(bare):.3f} ms  p95 {p95(bare):.3f} ms")
        ratio = statistics.median(api) / statistics.median(bare)
        verdict = "met" if ratio <= 1.3 else "MISSED"
        print(f"ratio of medians  {ratio:.2f}  (target <= 1.3: {verdict})")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
