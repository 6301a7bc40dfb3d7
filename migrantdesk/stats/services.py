"""Statistics: which offices a user may see, the dashboard's tables with small cells
suppressed, and the audit of what left the system.

Who sees what: everyone with stats:read sees their own office; administrators see every
office (as in offices.services.visible_offices). Asking for an office one may not see is a
403 naming the `office` parameter, never an empty answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from migrantdesk.auth.models import User
from migrantdesk.core import audit
from migrantdesk.core.audit import AuditAction
from migrantdesk.core.errors import DomainError, PermissionDenied
from migrantdesk.offices.models import Office
from migrantdesk.offices.services import visible_offices
from migrantdesk.stats import aggregates
from migrantdesk.stats.aggregates import Filters
from migrantdesk.stats.labels import (
    CATEGORY_LABELS,
    CHANNEL_LABELS,
    DOCUMENT_LABELS,
    OTHER,
    STATUS_LABELS,
    UNKNOWN,
    label,
)
from migrantdesk.stats.suppression import Table, display, suppress


class BadQuery(DomainError):
    status = 400
    code = "invalid_query"


# --- filters and offices ----------------------------------------------------------------------

def default_period(today: date | None = None) -> tuple[date, date]:
    """From the first day of the month eleven months back to today: twelve calendar months."""
    today = today or datetime.now(UTC).date()
    month = today.month - 11
    year = today.year + (month - 1) // 12
    return date(year, (month - 1) % 12 + 1, 1), today


def resolve_filters(actor: User, query: dict[str, Any]) -> tuple[Filters, list[Office]]:
    """Filters with the offices checked against what the actor may see."""
    visible = visible_offices(actor)
    by_id = {office.id: office for office in visible}
    asked = query.get("office")
    if asked:
        forbidden = sorted(set(asked) - set(by_id))
        if forbidden:
            raise PermissionDenied(_("You may not see the figures of these offices."),
                                   {"office": [str(i) for i in forbidden]})
        offices = [by_id[i] for i in dict.fromkeys(asked)]
    else:
        offices = visible
    if query.get("origin"):
        offices = [o for o in offices if o.country == query["origin"]]
    start, end = default_period()
    start = query.get("date_from") or (start if not query.get("date_to") else
                                       default_period(query["date_to"])[0])
    end = query.get("date_to") or max(end, start)
    filters = Filters(start, end, tuple(o.id for o in offices), query.get("category"),
                      query.get("origin"), query.get("host"))
    return filters, offices


# --- suppression ------------------------------------------------------------------------------

def _thresholds(filters: Filters, *, sensitive: bool = False) -> Callable[[str | None, str | None],
                                                                          int]:
    normal = current_app.config["STATS_SUPPRESSION_THRESHOLD"]
    strict = current_app.config["STATS_SENSITIVE_THRESHOLD"]
    sensitive_keys = set(current_app.config["STATS_SENSITIVE_CATEGORIES"])
    everything = sensitive or filters.category in sensitive_keys

    def threshold(row_key: str | None, column_key: str | None) -> int:
        if everything or row_key in sensitive_keys or column_key in sensitive_keys:
            return strict
        return normal
    return threshold


@dataclass
class Spec:
    key: str
    title: Any
    rows_label: Any
    columns_label: Any
    row_labels: Callable[[str], str]
    column_labels: Callable[[str], str]
    note: Any = None


def publish(spec: Spec, table: Table, filters: Filters, *, sensitive: bool = False
            ) -> dict[str, Any]:
    """The table as it may leave the system: small cells and what would reveal them hidden."""
    threshold = _thresholds(filters, sensitive=sensitive)
    suppress(table, threshold)
    rows, columns = len(table.row_keys), len(table.column_keys)

    def shown(i: int, j: int) -> int | str:
        return display(table, i, j, threshold(
            table.row_keys[i] if i < rows else None,
            table.column_keys[j] if j < columns else None))

    return {
        "key": spec.key, "title": str(spec.title), "rows_label": str(spec.rows_label),
        "columns_label": str(spec.columns_label), "note": str(spec.note) if spec.note else None,
        "columns": [{"key": k, "label": spec.column_labels(k)} for k in table.column_keys],
        "rows": [{"key": k, "label": spec.row_labels(k),
                  "cells": [shown(i, j) for j in range(columns)], "total": shown(i, columns)}
                 for i, k in enumerate(table.row_keys)],
        "totals": {"key": "total", "label": _("Total"),
                   "cells": [shown(rows, j) for j in range(columns)],
                   "total": shown(rows, columns)},
    }


def _same(key: str) -> str:
    return key


def _category(key: str) -> str:
    return label(CATEGORY_LABELS, key)


def _medians_table(filters: Filters) -> dict[str, Any]:
    """Medians only for groups of at least the threshold; the group sizes are not published,
    so no small group can be worked out from the others."""
    medians = aggregates.response_medians(filters)
    threshold = _thresholds(filters)
    keys = ["*"] + [k for k in CATEGORY_LABELS if k in medians.first_response
                    or k in medians.resolution]

    def shown(found: tuple[int, float | None] | None, key: str) -> float | str | None:
        limit = threshold(None if key == "*" else key, None)
        if found is None or found[0] == 0:
            return None
        if found[0] < limit:
            return f"<{limit}"
        return round(found[1], 1) if found[1] is not None else None

    return {
        "key": "response_times", "title": _("Median hours to first response and to resolution"),
        "rows_label": _("Category"), "columns_label": _("Hours"),
        "note": _("A median over fewer cases than the threshold is not shown."),
        "columns": [{"key": "first_response", "label": _("First response")},
                    {"key": "resolution", "label": _("Resolution")}],
        "rows": [{"key": k, "label": _("All categories") if k == "*" else _category(k),
                  "cells": [shown(medians.first_response.get(k), k),
                            shown(medians.resolution.get(k), k)], "total": None}
                 for k in keys],
        "totals": None,
    }


def _fact_label(labels: dict[str, Any]) -> Callable[[str], str]:
    def fact(key: str) -> str:
        if not key:
            return str(UNKNOWN)
        return label(labels, key) if key in labels else str(OTHER)
    return fact


def build_tables(filters: Filters, offices: list[Office]) -> list[dict[str, Any]]:
    """Every dashboard table, suppressed."""
    office_names = {str(o.id): o.name for o in offices}
    timezones = {o.id: o.timezone for o in offices}

    def office(key: str) -> str:
        return office_names.get(key, key)

    calls_per_day, calls_per_hour = aggregates.calls_tables(filters, timezones)
    tables = [
        publish(Spec("cases_by_category_status", _l("Cases by category and status"),
                     _l("Category"), _l("Status"), _category,
                     lambda k: label(STATUS_LABELS, k)),
                aggregates.cases_by_category_status(filters), filters),
        publish(Spec("cases_by_office_month", _l("Cases opened by office and month"),
                     _l("Office"), _l("Month"), office, _same),
                aggregates.cases_by_office_month(filters), filters),
        publish(Spec("notices_by_month", _l("Mobilisation and enlistment notices by month"),
                     _l("Category"), _l("Month"), _category, _same),
                aggregates.notices_by_month(filters), filters, sensitive=True),
        publish(Spec("calls_per_day", _l("Calls per day"), _l("Calls"), _l("Day"),
                     lambda k: _("Calls"), _same,
                     _l("Calls about a case only, when a category or host country is chosen.")),
                calls_per_day, filters),
        publish(Spec("calls_by_hour", _l("Calls by hour of day (office time)"), _l("Calls"),
                     _l("Hour"), lambda k: _("Calls"), _same), calls_per_hour, filters),
        _medians_table(filters),
        publish(Spec("open_urgent_cases", _l("Open urgent cases"), _l("Office"), _l("Cases"),
                     office, lambda k: _("Open urgent cases")),
                aggregates.open_urgent_by_office(filters), filters),
        publish(Spec("leaflet_downloads", _l("Leaflet downloads by language and country"),
                     _l("Language"), _l("Country"), _same, _same),
                aggregates.leaflet_downloads(filters), filters),
    ]
    for key, title, category, fact, labels in (
            ("documents_failing", _l("Document problems by document"), "document_status",
             "document_kind", DOCUMENT_LABELS),
            ("remittance_channels", _l("Remittance interruptions by channel"),
             "remittance_interruption", "channel", CHANNEL_LABELS)):
        table = aggregates.fact_breakdown(filters, category, fact)
        if table is not None:
            tables.append(publish(Spec(key, title, _l("Cases"), _l("Kind"),
                                       lambda k: _("Cases"), _fact_label(labels)),
                                  table, filters))
    return tables


def statistics(actor: User, query: dict[str, Any]) -> dict[str, Any]:
    """The dashboard: the filters applied, the offices covered and every table, suppressed.
    Figures only, so the read is audited without personal data."""
    filters, offices = resolve_filters(actor, query)
    tables = build_tables(filters, offices)
    audit.record(actor, AuditAction.READ, "statistics", details={"filters": filters.as_dict()})
    return {"filters": filters.as_dict(),
            "offices": [{"key": str(o.id), "label": o.name} for o in offices],
            "tables": tables}
