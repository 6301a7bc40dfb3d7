"""`flask backup create|restore <dir>`: the database and the leaflet store, with a manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from flask.cli import with_appcontext

from migrantdesk.backup import services
from migrantdesk.backup.errors import BackupError


@click.group("backup", help="Back up and restore the database and the leaflet store.")
def cli() -> None:
    pass


def _summary(manifest: dict[str, Any]) -> str:
    counts = manifest["row_counts"]
    leaflets = sum(1 for name in manifest["files"] if name.startswith(services.STORE_DIR + "/"))
    return (f"{manifest['database']} database at revision {manifest['alembic_revision']}: "
            f"{len(counts)} tables, {sum(counts.values())} rows; {leaflets} leaflet files; "
            f"made by MigrantDesk {manifest['app_version']} at {manifest['created_at']}")


@cli.command("create")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def create(directory: Path) -> None:
    """Back up into DIRECTORY (new or empty). Safe while the app keeps serving."""
    try:
        manifest = services.create_backup(directory)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"backed up to {directory}: {_summary(manifest)}")


@cli.command("restore")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database or store that holds data.")
@with_appcontext
def restore(directory: Path, force: bool) -> None:
    """Restore the backup in DIRECTORY over the configured database and leaflet store.
    Stop the app first. Run `alembic upgrade head` afterwards if the backup is older."""
    try:
        manifest = services.restore_backup(directory, force=force)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"restored from {directory}: {_summary(manifest)}")
