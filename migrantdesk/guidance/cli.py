"""`flask guidance …`: load the shipped legal content."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click
from flask.cli import with_appcontext

from migrantdesk.core.db import db
from migrantdesk.guidance.content import DEFAULT_PROVISIONS_FILE, ContentError, import_provisions
from migrantdesk.guidance.content_library import DEFAULT_CONTENT_DIR, import_all


@click.group("guidance", help="Legal provisions and guidance content.")
def cli() -> None:
    pass


@cli.command("import-provisions")
@click.argument("path", required=False,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_provisions_command(path: Path | None) -> None:
    """Import provisions from PATH (default: the shipped provisions.yaml), all or nothing."""
    _commit_or_report(lambda: import_provisions(path or DEFAULT_PROVISIONS_FILE))


@cli.command("import")
@click.argument("directory", required=False,
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@with_appcontext
def import_command(directory: Path | None) -> None:
    """Import provisions, guidance templates, rules and citizenship positions from DIRECTORY
    (default: the shipped content), all or nothing, in one transaction."""
    _commit_or_report(lambda: import_all(directory or DEFAULT_CONTENT_DIR))


def _commit_or_report(run_import: Callable[[], object]) -> None:
    """Commit a whole import, or roll it back and list every problem (exit code 1)."""
    try:
        report = run_import()
    except ContentError as error:
        db.session.rollback()
        click.echo(error.message, err=True)
        for problem in error.problems:
            click.echo(f"  {problem}", err=True)
        raise SystemExit(1) from None
    db.session.commit()
    click.echo(str(report))
