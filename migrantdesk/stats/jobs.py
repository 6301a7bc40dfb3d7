"""Long exports as background jobs: a row records who asked, what, the state and progress;
the file lands in the instance folder's exports/ directory and expires.

Without REDIS_URL a job runs in a thread of the web process, with its own app context and
session. With REDIS_URL it is put on the "migrantdesk-stats" RQ queue, for a worker started
with `rq worker migrantdesk-stats` (run_job builds an app when it has none).
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy import select, update

from migrantdesk.auth.models import User
from migrantdesk.auth.permissions import Scope
from migrantdesk.core import audit
from migrantdesk.core.audit import AuditAction
from migrantdesk.core.db import db, utcnow
from migrantdesk.core.errors import DomainError, NotFound, PermissionDenied
from migrantdesk.offices.models import Office
from migrantdesk.stats import exports, services
from migrantdesk.stats.aggregates import Filters
from migrantdesk.stats.models import ExportFormat, ExportJob, ExportKind, JobState

QUEUE = "migrantdesk-stats"
PROGRESS_EVERY = 10_000


class Gone(DomainError):
    status = 410
    code = "gone"


def export_dir() -> Path:
    folder = Path(current_app.config.get("STATS_EXPORT_DIR") or
                  Path(current_app.instance_path) / "exports")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def create_job(actor: User, kind: ExportKind, fmt: ExportFormat, query: dict[str, Any]
               ) -> ExportJob:
    """A queued job for the actor's office; case rows need stats:export_cases."""
    if kind == ExportKind.CASES and not actor.can(Scope.STATS_EXPORT_CASES):
        raise PermissionDenied(_("Your role does not allow this."),
                               {"kind": [_("Case rows are exported by consuls and "
                                           "administrators only.")]})
    filters, _offices = services.resolve_filters(actor, query)
    purge_expired()
    job = ExportJob(office_id=actor.office_id, requested_by_id=actor.id, kind=kind, format=fmt,
                    parameters=filters.as_dict(), state=JobState.QUEUED,
                    expires_at=utcnow() + timedelta(
                        hours=current_app.config["STATS_EXPORT_TTL_HOURS"]))
    db.session.add(job)
    db.session.flush()
    audit.record(actor, AuditAction.CREATE, "stats_export_job", job.id,
                 details={"kind": str(kind), "format": str(fmt), "filters": filters.as_dict()})
    return job


def get_job(actor: User, job_id: int) -> ExportJob:
    """A job of the actor's office; case exports only for those allowed to export cases."""
    job = db.session.scalars(select(ExportJob).where(
        ExportJob.id == job_id, ExportJob.office_id == actor.office_id)).first()
    if job is None or (job.kind == ExportKind.CASES
                       and not actor.can(Scope.STATS_EXPORT_CASES)):
        raise NotFound("export")
    return job


def result_path(actor: User, job_id: int) -> tuple[ExportJob, Path]:
    """The finished file of a job, audited as an export."""
    job = get_job(actor, job_id)
    if job.state != JobState.DONE or not job.file_name:
        raise DomainError(_("The export is not ready."), {"state": [str(job.state)]})
    path = export_dir() / job.file_name
    if job.expires_at <= utcnow() or not path.exists():
        raise Gone(_("The export has expired; ask for it again."))
    audit.record(actor, AuditAction.EXPORT, f"stats_{job.kind}", job.id,
                 details={"format": str(job.format), "rows": job.rows_done})
    return job, path


def purge_expired() -> None:
    for job in db.session.scalars(select(ExportJob).where(ExportJob.expires_at <= utcnow())):
        if job.file_name:
            (export_dir() / job.file_name).unlink(missing_ok=True)
        db.session.delete(job)


# --- running ----------------------------------------------------------------------------------

def start(app: Flask, job_id: int) -> None:
    """Run the job: on the RQ queue with REDIS_URL, otherwise in a thread. Call it once the
    job row is committed."""
    if app.config.get("REDIS_URL"):
        from redis import Redis
        from rq import Queue

        Queue(QUEUE, connection=Redis.from_url(app.config["REDIS_URL"])).enqueue(
            run_job, job_id, job_timeout=3600)
        return
    threading.Thread(target=_run_in_app, args=(app, job_id), daemon=True,
                     name=f"stats-export-{job_id}").start()


def _run_in_app(app: Flask, job_id: int) -> None:
    with app.app_context():
        try:
            run_job(job_id)
        finally:
            db.session.remove()


def run_job(job_id: int) -> None:
    """Produce the job's file, recording progress as it goes; a failure is recorded too."""
    if not has_app_context():  # an RQ worker process
        from migrantdesk import create_app

        with create_app().app_context():
            return run_job(job_id)
    job = db.session.get(ExportJob, job_id)
    if job is None or job.state != JobState.QUEUED:
        return None
    job.state = JobState.RUNNING
    filters = _filters(job.parameters)
    job.rows_total = exports.count_cases(filters) if job.kind == ExportKind.CASES else None
    db.session.commit()
    file_name = f"{job.id}-{secrets.token_hex(8)}.{job.format}"
    path = export_dir() / file_name
    done = [0]
    try:
        with open(path, "wb") as out:
            for block in _blocks(job, filters, done):
                out.write(block)
        job.state, job.file_name, job.finished_at = JobState.DONE, file_name, utcnow()
        job.rows_done = done[0]
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        path.unlink(missing_ok=True)
        job = db.session.get(ExportJob, job_id)
        if job is not None:
            job.state, job.error = JobState.FAILED, type(error).__name__
            db.session.commit()
        raise
    return None


def _blocks(job: ExportJob, filters: Filters, done: list[int]) -> Iterator[bytes]:
    if job.kind == ExportKind.AGGREGATES:
        offices = list(db.session.scalars(select(Office).where(
            Office.id.in_(filters.office_ids)).order_by(Office.id)))
        return exports.aggregates_stream(services.build_tables(filters, offices),
                                         str(job.format))
    job_id = job.id

    def progress(rows: int) -> None:
        done[0] += rows
        if done[0] // PROGRESS_EVERY != (done[0] - rows) // PROGRESS_EVERY:
            _record_progress(job_id, done[0])

    return exports.cases_stream(db.engine, filters, str(job.format), exports.pseudonym_key(),
                                progress)


def _record_progress(job_id: int, rows: int) -> None:
    """On a connection of its own: the job's reading session is in the middle of a stream."""
    with db.engine.begin() as connection:
        connection.execute(update(ExportJob).where(ExportJob.id == job_id)
                           .values(rows_done=rows))


def _filters(parameters: dict[str, Any]) -> Filters:
    return Filters(date.fromisoformat(parameters["date_from"]),
                   date.fromisoformat(parameters["date_to"]), tuple(parameters["office"]),
                   parameters.get("category"), parameters.get("origin"), parameters.get("host"))
