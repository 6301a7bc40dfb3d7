"""Alembic environment: the URL from DATABASE_URL, the metadata from every feature's models."""

from __future__ import annotations

from pathlib import Path

from alembic import context
from sqlalchemy import create_engine, pool

import migrantdesk.auth.models
import migrantdesk.calls.models
import migrantdesk.cases.models
import migrantdesk.core.audit
import migrantdesk.core.idempotency
import migrantdesk.guidance.models
import migrantdesk.leaflets.models
import migrantdesk.migrants.models
import migrantdesk.offices.models
import migrantdesk.stats.models  # noqa: F401  (registers the tables)
from migrantdesk.config import database_url
from migrantdesk.core.db import Base

target_metadata = Base.metadata


def _url() -> str:
    url = context.config.attributes.get("url") or database_url()
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return url


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True,
                      render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = context.config.attributes.get("connection")
    if connectable is None:
        engine = create_engine(_url(), poolclass=pool.NullPool)
        with engine.connect() as connection:
            _run(connection)
        engine.dispose()
    else:
        _run(connectable)


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
