"""Name words: written with every migrant, filled for migrants written before they existed."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, insert, select, text

from migrantdesk.core.db import db
from migrantdesk.core.text import similarity
from migrantdesk.migrants.models import Migrant, MigrantNameWord, NameWord
from migrantdesk.migrants.name_words import backfill_name_words
from tests.calls.test_calls_api import search
from tests.conftest import migrate
from tests.migrants.test_migrants_api import ASANOV

BEFORE_NAME_WORDS = "5c827880ede8"  # the revision before name words existed


def words_of(app, migrant_id: int) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(MigrantNameWord.word).where(
            MigrantNameWord.migrant_id == migrant_id).order_by(MigrantNameWord.word)))


def test_a_registered_migrant_carries_the_words_of_every_name_part(app, operator_a):
    migrant_id = operator_a.post("/api/v1/migrants", json=ASANOV).get_json()["id"]
    assert words_of(app, migrant_id) == ["asanov", "bakit"]
    with app.app_context():
        assert set(db.session.scalars(select(NameWord.word))) == {"asanov", "bakit"}


def test_renaming_replaces_the_words_and_keeps_the_version_count(app, operator_a):
    migrant_id = operator_a.post("/api/v1/migrants", json=ASANOV).get_json()["id"]
    renamed = operator_a.patch(f"/api/v1/migrants/{migrant_id}", json={
        "version": 1, "surname_cyrl": "Осмонов", "surname_latn": "Osmonov"})
    assert renamed.get_json()["version"] == 2
    assert words_of(app, migrant_id) == ["bakit", "osmonov"]


def test_backfill_gives_migrants_written_without_the_service_their_words(
        app, operator_a, world):
    with app.app_context():
        migrant_id = db.session.execute(insert(Migrant).values(
            office_id=world.office_a.id, surname_latn="Jumabekov", given_names_latn="Talant",
            search_key="jumabekov talant").returning(Migrant.id)).scalar_one()
        db.session.commit()
    assert search(operator_a, "Jumabekov")["migrants"] == []
    with app.app_context():
        assert backfill_name_words(db.session, batch=1) == 2
        assert backfill_name_words(db.session) == 0  # idempotent
        db.session.commit()
    assert [m["id"] for m in search(operator_a, "Jumabekov")["migrants"]] == [migrant_id]


def test_the_migration_fills_the_words_of_existing_migrants(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'before.db'}"
    migrate(url, BEFORE_NAME_WORDS)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO offices (id, code, name, country, host_country, city, timezone, "
            "hotline_numbers, created_at) VALUES (1, 'kg-osh', 'Consulate', 'KG', 'RU', 'Osh', "
            "'Asia/Bishkek', '[]', '2026-01-01')"))
        connection.execute(text(
            "INSERT INTO migrants (id, office_id, search_key, created_at, updated_at, version) "
            "VALUES (1, 1, 'asanov bakit', '2026-01-01', '2026-01-01', 1), "
            "(2, 1, 'asanova aigul', '2026-01-01', '2026-01-01', 1)"))
    migrate(url, "head")
    with engine.connect() as connection:
        carried = connection.execute(text(
            "SELECT migrant_id, word FROM migrant_name_words ORDER BY migrant_id, word")).all()
        vocabulary = connection.execute(text("SELECT word FROM name_words ORDER BY word")).all()
    engine.dispose()
    assert [tuple(row) for row in carried] == [
        (1, "asanov"), (1, "bakit"), (2, "aigul"), (2, "asanova")]
    assert [row.word for row in vocabulary] == ["aigul", "asanov", "asanova", "bakit"]


@pytest.mark.parametrize(("first", "second"), [
    ("asanov", "asanof"), ("asanov", "asan"), ("asanov", "hasanov"), ("nazrova", "nazarova"),
    ("asanov", "nurjanov asan"), ("bakit", "zarina")])
def test_similarity_is_pg_trgm_on_both_databases(app, first, second):
    with app.app_context():
        in_database = db.session.execute(text("SELECT similarity(:a, :b)"),
                                         {"a": first, "b": second}).scalar_one()
    assert similarity(first, second) == pytest.approx(in_database, abs=1e-6)
