"""The `flask` command group: feature commands register here."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext


@click.group("idempotency", help="Idempotency keys of retried requests.")
def idempotency_cli() -> None:
    pass


@idempotency_cli.command("purge")
@with_appcontext
def purge_idempotency_keys() -> None:
    """Delete the keys older than IDEMPOTENCY_KEY_TTL_HOURS (run it daily, e.g. from cron)."""
    from migrantdesk.core.db import db
    from migrantdesk.core.idempotency import purge_expired

    deleted = purge_expired()
    db.session.commit()
    click.echo(f"{deleted} expired idempotency keys deleted")


def register_cli(app: Flask) -> None:
    from migrantdesk.auth.cli import cli as auth_cli
    from migrantdesk.backup.cli import cli as backup_cli
    from migrantdesk.demo import cli as demo_cli
    from migrantdesk.guidance.cli import cli as guidance_cli
    from migrantdesk.leaflets.cli import cli as leaflets_cli
    from migrantdesk.privacy.cli import cli as retention_cli

    app.cli.add_command(auth_cli)
    app.cli.add_command(guidance_cli)
    app.cli.add_command(leaflets_cli)
    app.cli.add_command(idempotency_cli)
    app.cli.add_command(backup_cli)
    app.cli.add_command(retention_cli)
    for command in demo_cli.commands.values():
        app.cli.add_command(command)
