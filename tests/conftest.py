"""Fixtures: a migrated database (SQLite by default, PostgreSQL with DATABASE_URL), the app,
clients logged in as users of two consulates, and small factories."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config as AlembicConfig
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, text

from migrantdesk import create_app
from migrantdesk.auth.models import User
from migrantdesk.auth.permissions import Role
from migrantdesk.config import PROJECT_ROOT, TestingConfig, database_url
from migrantdesk.core.db import Base, db
from migrantdesk.guidance import engine
from migrantdesk.leaflets import downloads as leaflet_downloads
from migrantdesk.leaflets import services as leaflet_services
from migrantdesk.offices.models import Office

PASSWORD = "correct horse battery staple"
_PASSWORD_HASH = PasswordHasher().hash(PASSWORD)
_sequence = itertools.count(1)


def _test_database_url(tmp_dir: Path) -> str:
    if os.environ.get("DATABASE_URL"):
        return database_url()
    return f"sqlite:///{tmp_dir / 'test.db'}"


def migrate(url: str, revision: str = "head") -> None:
    config = AlembicConfig(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["url"] = url
    command.upgrade(config, revision)


@pytest.fixture(scope="session", autouse=True)
def _compiled_translations() -> None:
    from babel.messages.frontend import CommandLineInterface

    CommandLineInterface().run(["pybabel", "-q", "compile", "--use-fuzzy", "-d",
                                str(PROJECT_ROOT / "locales")])


@pytest.fixture(scope="session")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = _test_database_url(tmp_path_factory.mktemp("db"))
    migrate(url)
    return url


@pytest.fixture(scope="session")
def app(database: str, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    url = database.replace("postgresql://", "postgresql+psycopg://", 1)
    return create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url,
                      LEAFLET_STORE=str(tmp_path_factory.mktemp("leaflets")),
                      STATS_EXPORT_DIR=str(tmp_path_factory.mktemp("exports")))


@pytest.fixture(autouse=True)
def _clean_tables(request: pytest.FixtureRequest) -> Iterator[None]:
    """Tests commit for real (the request commits once); every table is emptied afterwards."""
    yield
    if "app" not in request.fixturenames:
        return
    flask_app: Flask = request.getfixturevalue("app")
    # Process caches cannot see rows deleted behind their back.
    engine._cache.clear()
    leaflet_services._stored.clear()
    leaflet_downloads.pending.clear()
    with flask_app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(Base.metadata.sorted_tables):
                connection.execute(table.delete())


@pytest.fixture
def app_context(app: Flask) -> Iterator[None]:
    with app.app_context():
        yield
        db.session.remove()


def make_office(code: str | None = None, **attributes) -> Office:
    number = next(_sequence)
    office = Office(
        code=code or f"office-{number}",
        name=attributes.pop("name", f"Consulate {number}"),
        country=attributes.pop("country", "KG"),
        host_country=attributes.pop("host_country", "RU"),
        city=attributes.pop("city", "Moscow"),
        timezone=attributes.pop("timezone", "Europe/Moscow"),
        hotline_numbers=attributes.pop("hotline_numbers", ["+74951234567"]),
        **attributes,
    )
    db.session.add(office)
    db.session.flush()
    return office


def make_user(office: Office, role: Role = Role.OPERATOR, **attributes) -> User:
    number = next(_sequence)
    user = User(office_id=office.id, name=attributes.pop("name", f"Staff {number}"),
                email=attributes.pop("email", f"staff{number}@example.org"), role=role,
                password_hash=_PASSWORD_HASH, **attributes)
    db.session.add(user)
    db.session.flush()
    return user


def login(client: FlaskClient, user: User) -> FlaskClient:
    """Log in through the real endpoint; later requests carry the CSRF header like a browser."""
    token = client.get("/api/v1/auth/csrf").get_json()["csrf_token"]
    client.environ_base["HTTP_X_CSRFTOKEN"] = token
    response = client.post("/api/v1/auth/login",
                           json={"email": user.email, "password": PASSWORD})
    assert response.status_code == 200, response.get_json()
    client.environ_base["HTTP_X_CSRFTOKEN"] = client.get("/api/v1/auth/csrf").get_json()[
        "csrf_token"]
    return client


class World:
    """Two consulates with one user of every role each, committed."""

    def __init__(self) -> None:
        self.office_a = make_office("kg-moscow", name="Consulate of KG in Moscow")
        self.office_b = make_office("uz-kazan", name="Consulate of UZ in Kazan", country="UZ",
                                    city="Kazan")
        self.users: dict[tuple[str, Role], User] = {}
        for label, office in (("a", self.office_a), ("b", self.office_b)):
            for role in Role:
                self.users[(label, role)] = make_user(office, role)
        db.session.commit()
        for entity in (self.office_a, self.office_b, *self.users.values()):
            db.session.refresh(entity)  # loaded now, readable after the session closes

    def user(self, label: str, role: Role = Role.OPERATOR) -> User:
        return self.users[(label, role)]


@pytest.fixture
def world(app: Flask) -> World:
    # No app context stays pushed: each test request must get its own context, g and session.
    with app.app_context():
        built = World()
        db.session.expunge_all()
        db.session.remove()
    return built


@pytest.fixture
def client_for(app: Flask, world: World):
    """client_for("a", Role.LAWYER) — a logged-in test client for that office and role."""
    def build(label: str = "a", role: Role = Role.OPERATOR) -> FlaskClient:
        return login(app.test_client(), world.user(label, role))
    return build


@pytest.fixture
def operator_a(client_for) -> FlaskClient:
    return client_for("a", Role.OPERATOR)


@pytest.fixture
def operator_b(client_for) -> FlaskClient:
    return client_for("b", Role.OPERATOR)


class StatementCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "PRAGMA")):
            self.statements.append(statement)


@pytest.fixture
def count_statements(app: Flask):
    """with count_statements() as counter: ...; counter.statements lists the SQL sent."""
    from contextlib import contextmanager

    @contextmanager
    def counting():
        counter = StatementCounter()
        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", counter)
    return counting


def scalar(app: Flask, sql: str, **params):
    with app.app_context():
        return db.session.execute(text(sql), params).scalar()


