"""`flask retention run`: the scheduled anonymisation of what is past retention."""

from __future__ import annotations

from datetime import date, datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from migrantdesk.core.db import db
from migrantdesk.privacy.retention import RetentionReport, run_retention

cli = click.Group("retention", help="Retention of personal data.")
SHOWN_IDS = 50


def _ids(ids: list[int]) -> str:
    shown = ", ".join(str(i) for i in ids[:SHOWN_IDS])
    more = len(ids) - SHOWN_IDS
    return shown + (f" and {more:,} more" if more > 0 else "") if ids else "none"


def _describe(report: RetentionReport) -> str:
    verb = "Would anonymise" if report.dry_run else "Anonymised"
    lines = [f"Retention as of {report.today.isoformat()}"
             + (" (dry run: nothing changed)" if report.dry_run else ""),
             f"{verb} {len(report.case_ids):,} closed cases past retention: "
             f"{_ids(report.case_ids)}"]
    lines += [f"  {category}: {count:,}"
              for category, count in sorted(report.cases_by_category.items())]
    lines += [f"{verb} {len(report.migrant_ids):,} migrants: {_ids(report.migrant_ids)}",
              f"{verb} {report.unidentified_calls:,} calls nobody was identified on"]
    return "\n".join(lines)


@cli.command("run")
@click.option("--dry-run", is_flag=True, help="List what would be anonymised; change nothing.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Apply the periods as of this day (default: today).")
@with_appcontext
def run(dry_run: bool, today: datetime | None) -> None:
    """Anonymise closed cases past retention (no legal hold), then migrants none of whose
    cases is kept any more, then unidentified calls. Safe to run at any time: a second run
    changes nothing. Prints ids and counts only."""
    config = current_app.config
    try:
        report = run_retention(
            today.date() if today else date.today(), config["RETENTION_PERIODS"],
            config["RETENTION_UNIDENTIFIED_CALL_YEARS"], dry_run=dry_run,
            after_batch=db.session.commit)
    except ValueError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    click.echo(_describe(report))
