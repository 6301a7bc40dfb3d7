"""Database session, declarative base and the one-commit-per-request rule."""

from __future__ import annotations

import enum
import sqlite3
from datetime import UTC, datetime
from typing import Any, TypeVar

from flask import Flask, Response
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, Engine, MetaData, event, select
from sqlalchemy import Enum as SAEnum
from sqlalchemy.orm import DeclarativeBase, Mapped, registry
from sqlalchemy.types import TypeDecorator

from migrantdesk.core.errors import NotFound
from migrantdesk.core.text import similarity

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC timestamps on every backend (SQLite drops the offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; MigrantDesk stores aware UTC timestamps")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={
            datetime: UTCDateTime(),
            # StrEnums are stored as their values in plain VARCHAR columns and load as members.
            enum.Enum: SAEnum(enum.Enum, native_enum=False, create_constraint=False, length=40,
                              values_callable=lambda members: [m.value for m in members]),
        })


db = SQLAlchemy(model_class=Base)

OfficeOwned = TypeVar("OfficeOwned")


def get_in_office(model: type[OfficeOwned], entity_id: int, office_id: int,
                  *options: Any) -> OfficeOwned:
    """Load one tenant-owned row; another office's row is indistinguishable from a missing one."""
    column: Mapped[int] = model.office_id  # type: ignore[attr-defined]
    statement = select(model).where(model.id == entity_id, column == office_id)  # type: ignore[attr-defined]
    if options:
        statement = statement.options(*options)
    found = db.session.scalars(statement).unique().one_or_none()
    if found is None:
        raise NotFound(model.__name__.lower())
    return found


# Name words as similar as this match (pg_trgm.similarity_threshold, whose default is 0.3):
# one typo in a six-letter surname scores about 0.55, "asanov" against "hasanov" 0.5.
NAME_SIMILARITY_THRESHOLD = 0.5


@event.listens_for(Engine, "connect")
def _configure_connection(dbapi_connection: Any, connection_record: Any) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        if type(dbapi_connection).__module__.startswith("psycopg"):
            with dbapi_connection.cursor() as cursor:
                # `word % :query` then finds, through the trigram index, what similarity() keeps.
                cursor.execute(f"SET pg_trgm.similarity_threshold = {NAME_SIMILARITY_THRESHOLD}")
            dbapi_connection.commit()
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()
    # pg_trgm's similarity, so repeat-caller search matches and ranks the same way on SQLite.
    dbapi_connection.create_function("similarity", 2, similarity, deterministic=True)


def _postgres_timeouts(app: Flask) -> None:
    """Short lock and statement timeouts on the app's PostgreSQL connections (not Alembic's):
    a request stuck behind a lock answers 503 instead of holding a worker."""
    if not str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("postgresql"):
        return
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    connect_args = dict(options.get("connect_args") or {})
    settings = [connect_args.get("options", ""),
                f"-c lock_timeout={int(app.config['DATABASE_LOCK_TIMEOUT_MS'])}",
                f"-c statement_timeout={int(app.config['DATABASE_STATEMENT_TIMEOUT_MS'])}"]
    connect_args["options"] = " ".join(s for s in settings if s)
    options["connect_args"] = connect_args
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def init_app(app: Flask) -> None:
    _postgres_timeouts(app)
    db.init_app(app)

    @app.after_request
    def commit_once(response: Response) -> Response:
        if response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
        return response
