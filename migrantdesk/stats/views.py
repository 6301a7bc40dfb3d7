"""Statistics: the dashboard page (/stats), the aggregates and exports API (/api/v1/stats)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Blueprint as FlaskBlueprint
from flask import Response, current_app, g, render_template, request, send_file
from flask_babel import gettext as _
from marshmallow import Schema, ValidationError

from migrantdesk.auth.guard import actor, require
from migrantdesk.auth.permissions import Scope
from migrantdesk.core import audit
from migrantdesk.core.api import Blueprint
from migrantdesk.core.audit import AuditAction
from migrantdesk.core.countries import KNOWN_COUNTRIES, OriginCountry
from migrantdesk.core.db import db
from migrantdesk.offices.services import visible_offices
from migrantdesk.stats import charts, exports, jobs, services
from migrantdesk.stats.labels import CATEGORY_LABELS
from migrantdesk.stats.models import ExportKind
from migrantdesk.stats.schemas import (
    AggregateExportQuerySchema,
    ExportQuerySchema,
    JobRequestSchema,
    JobSchema,
    StatsQuerySchema,
    StatsSchema,
)

blp = Blueprint("stats", __name__, url_prefix="/api/v1/stats",
                description="Case statistics with small cells suppressed, and exports")
pages = FlaskBlueprint("stats_pages", __name__)

MIMETYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _query(schema: type[Schema]) -> dict[str, Any]:
    """The query string through its schema; a bad value is a 400 naming the parameter."""
    try:
        return schema().load(request.args)
    except ValidationError as error:
        raise services.BadQuery(_("Some query parameters are invalid."),
                                error.normalized_messages()) from error


def _params(schema: type[Schema]) -> list[dict[str, Any]]:
    return [{"in": "query", "schema": schema}]


def _download(chunks: Iterator[bytes], fmt: str, name: str) -> Response:
    # The chunks need no app context: case rows are read on a connection of their own.
    return Response(chunks, mimetype=MIMETYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"',
                             "Cache-Control": "no-store"})


@blp.route("")
@require(Scope.STATS_READ)
@blp.doc(parameters=_params(StatsQuerySchema))
@blp.response(200, StatsSchema)
def statistics():
    """Every dashboard table for the filters, small cells suppressed."""
    return services.statistics(actor(), _query(StatsQuerySchema))


@blp.route("/export")
@require(Scope.STATS_READ)
@blp.doc(parameters=_params(AggregateExportQuerySchema))
@blp.response(200, content_type="text/csv")
def export_aggregates():
    """The dashboard tables (or one, with `table`) as CSV, XLSX or JSON, suppressed."""
    query = _query(AggregateExportQuerySchema)
    fmt, table = str(query.pop("format")), query.pop("table", None)
    result = services.statistics(actor(), query)
    tables = result["tables"]
    if table is not None:
        tables = [t for t in tables if t["key"] == table]
        if not tables:
            raise services.BadQuery(_("Some query parameters are invalid."),
                                    {"table": [_("No such table.")]})
    audit.record(actor(), AuditAction.EXPORT, "statistics",
                 details={"format": fmt, "table": table, "filters": result["filters"]})
    return _download(exports.aggregates_stream(tables, fmt), fmt, "statistics")


@blp.route("/cases/export")
@require(Scope.STATS_READ, Scope.STATS_EXPORT_CASES)
@blp.doc(parameters=_params(ExportQuerySchema))
@blp.response(200, content_type="text/csv")
def export_cases():
    """One pseudonymised line per case (no names, phones, document numbers or free text),
    streamed; consuls and administrators only; audited."""
    query = _query(ExportQuerySchema)
    fmt = str(query.pop("format"))
    filters, _offices = services.resolve_filters(actor(), query)
    audit.record(actor(), AuditAction.EXPORT, "stats_cases",
                 details={"format": fmt, "filters": filters.as_dict()})
    return _download(exports.cases_stream(db.engine, filters, fmt, exports.pseudonym_key()),
                     fmt, "cases")


@blp.route("/exports", methods=["POST"])
@require(Scope.STATS_READ)
@blp.doc(parameters=_params(JobRequestSchema))
@blp.response(202, JobSchema)
def create_export():
    """Start a background export; poll its state, then download it."""
    query = _query(JobRequestSchema)
    kind, fmt = query.pop("kind"), query.pop("format")
    job = jobs.create_job(actor(), kind, fmt, query)
    g.setdefault("stats_jobs", []).append(job.id)
    return job


@blp.teardown_request
def _start_jobs(error: BaseException | None) -> None:
    """Jobs start once the request has committed their rows (teardown runs after the commit;
    a job whose request failed is not there, and run_job then does nothing)."""
    for job_id in g.pop("stats_jobs", []):
        if error is None:
            jobs.start(current_app._get_current_object(), job_id)  # type: ignore[attr-defined]


@blp.route("/exports/<int:job_id>")
@require(Scope.STATS_READ)
@blp.response(200, JobSchema)
def get_export(job_id):
    return jobs.get_job(actor(), job_id)


@blp.route("/exports/<int:job_id>/download")
@require(Scope.STATS_READ)
@blp.response(200, content_type="application/octet-stream")
def download_export(job_id):
    job, path = jobs.result_path(actor(), job_id)
    name = "cases" if job.kind == ExportKind.CASES else "statistics"
    return send_file(path, mimetype=MIMETYPES[str(job.format)], as_attachment=True,
                     download_name=f"{name}-{job.id}.{job.format}", max_age=0)


@pages.route("/stats")
@require(Scope.STATS_READ)
def dashboard():
    """The dashboard in the user's language: charts drawn as SVG, each with its table."""
    page = {"charts": charts, "args": request.args, "offices": visible_offices(actor()),
            "categories": {k: str(v) for k, v in CATEGORY_LABELS.items()},
            "origins": [str(c) for c in OriginCountry], "hosts": sorted(KNOWN_COUNTRIES),
            "can_export_cases": actor().can(Scope.STATS_EXPORT_CASES)}
    try:
        query = StatsQuerySchema().load(request.args)
    except ValidationError as error:
        return render_template("stats/dashboard.html", errors=error.normalized_messages(),
                               result=None, **page), 400
    result = services.statistics(actor(), query)
    export_args = {k: v for k, v in request.args.items(multi=True) if k != "format"}
    return render_template("stats/dashboard.html", errors=None, result=result,
                           export_args=export_args, **page)
