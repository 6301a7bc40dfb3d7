"""Statistics filters (one query-string schema for the dashboard, the API and the exports)
and the shapes of published tables and export jobs."""

from __future__ import annotations

from typing import Any

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    pre_load,
    validate,
    validates_schema,
)

from migrantdesk.cases.facts import CaseCategory
from migrantdesk.core.countries import KNOWN_COUNTRIES, OriginCountry
from migrantdesk.stats.models import ExportFormat, ExportKind

MAX_PERIOD_DAYS = 3 * 366


class StatsQuerySchema(Schema):
    """Filters: period (inclusive dates, UTC), offices, category, origin and host country."""

    class Meta:
        unknown = RAISE

    date_from = fields.Date(metadata={"description": "First day, YYYY-MM-DD (default: the "
                                                     "first day of the month a year ago)."})
    date_to = fields.Date(metadata={"description": "Last day, YYYY-MM-DD (default: today)."})
    office = fields.List(fields.Integer(validate=validate.Range(min=1)),
                         metadata={"description": "Office ids, repeated or comma-separated "
                                                  "(default: every office you may see)."})
    category = fields.String(validate=validate.OneOf([str(c) for c in CaseCategory]))
    origin = fields.String(validate=validate.OneOf([str(c) for c in OriginCountry]),
                           metadata={"description": "The country of the consulate."})
    host = fields.String(validate=validate.OneOf(sorted(KNOWN_COUNTRIES)),
                         metadata={"description": "The host country of the case."})

    @pre_load
    def _split_offices(self, data: Any, **kwargs: Any) -> Any:
        if hasattr(data, "getlist"):  # a query string: office=1&office=2 or office=1,2
            plain = {key: data.get(key) for key in data}
            if "office" in data:
                plain["office"] = [part.strip() for value in data.getlist("office")
                                   for part in value.split(",") if part.strip()]
            return plain
        return data

    @validates_schema
    def _period(self, data: dict[str, Any], **kwargs: Any) -> None:
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise ValidationError("Must not be after date_to.", "date_from")
        if start and end and (end - start).days > MAX_PERIOD_DAYS:
            raise ValidationError("The period may span three years at most.", "date_to")


class ExportQuerySchema(StatsQuerySchema):
    format = fields.Enum(ExportFormat, by_value=True, load_default=ExportFormat.CSV)


class AggregateExportQuerySchema(ExportQuerySchema):
    table = fields.String(metadata={"description": "One table's key; all tables by default."})


class JobRequestSchema(ExportQuerySchema):
    kind = fields.Enum(ExportKind, by_value=True, load_default=ExportKind.AGGREGATES)


class ColumnSchema(Schema):
    key = fields.String()
    label = fields.String()


class TableRowSchema(Schema):
    key = fields.String()
    label = fields.String()
    cells = fields.List(fields.Raw(), metadata={
        "description": 'A count, "<5" (or "<10") for a small count, "x" for a count hidden '
                       "so that a small one cannot be worked out from the totals."})
    total = fields.Raw()


class PublishedTableSchema(Schema):
    key = fields.String()
    title = fields.String()
    rows_label = fields.String()
    columns_label = fields.String()
    columns = fields.List(fields.Nested(ColumnSchema))
    rows = fields.List(fields.Nested(TableRowSchema))
    totals = fields.Nested(TableRowSchema)
    note = fields.String(allow_none=True)


class StatsSchema(Schema):
    filters = fields.Dict()
    offices = fields.List(fields.Nested(ColumnSchema))
    tables = fields.List(fields.Nested(PublishedTableSchema))


class JobSchema(Schema):
    id = fields.Integer()
    kind = fields.Enum(ExportKind, by_value=True)
    format = fields.Enum(ExportFormat, by_value=True)
    state = fields.String()
    progress = fields.Integer()
    rows_done = fields.Integer()
    rows_total = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)
    expires_at = fields.DateTime()
    error = fields.String(allow_none=True)
    download_url = fields.Method("_download_url", allow_none=True)

    def _download_url(self, job: Any) -> str | None:
        return f"/api/v1/stats/exports/{job.id}/download" if job.state == "done" else None
