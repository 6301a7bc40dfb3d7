"""A crafted dataset for the statistics tests, and checks of what a published table reveals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from migrantdesk.cases.models import Case
from migrantdesk.core.db import db
from migrantdesk.migrants.models import Consent, ConsentMethod, ConsentPurpose, Migrant

SENSITIVE = {"mobilisation_notice", "military_contract_pressure",
             "foreign_service_prosecution_risk", "detention_abroad", "asylum_abroad",
             "extremist_recruitment_approach"}
PERSONAL = ("Asanov", "Асанов", "+79123456789", "AC 1234567", "Bakyt")

# Office a: small cells of ordinary (1-4) and sensitive (1-9) categories among larger ones.
CRAFTED_A = [
    ("information_request", "new", 3), ("information_request", "in_progress", 20),
    ("information_request", "closed", 8),
    ("wage_labour_dispute", "new", 12), ("wage_labour_dispute", "in_progress", 6),
    ("wage_labour_dispute", "resolved", 2),
    ("mobilisation_notice", "new", 7), ("mobilisation_notice", "in_progress", 15),
    ("detention_abroad", "new", 1),
]
CRAFTED_B = [("information_request", "new", 50)]


def seed_cases(app: Any, office_id: int, spec: list[tuple[str, str, int]],
               opened: datetime | None = None) -> int:
    """Cases of one migrant with a name, phone-like summary and all; returns the migrant id."""
    opened = opened or datetime.now(UTC) - timedelta(hours=2)
    with app.app_context():
        migrant = Migrant(office_id=office_id, surname_latn="Asanov", given_names_latn="Bakyt",
                          surname_cyrl="Асанов", search_key="asanov bakyt")
        db.session.add(migrant)
        db.session.flush()
        # Row-level exports carry only migrants who consented to statistics.
        db.session.add(Consent(migrant_id=migrant.id, purpose=ConsentPurpose.STATISTICS,
                               method=ConsentMethod.VERBAL_ON_CALL,
                               given_on=opened.date() - timedelta(days=30)))
        for category, status, count in spec:
            for _ in range(count):
                db.session.add(Case(
                    office_id=office_id, migrant_id=migrant.id, category=category,
                    host_country="RU", summary="Asanov Bakyt, +79123456789, passport AC 1234567",
                    facts={}, status=status, priority="urgent" if status == "new" else "normal",
                    opened_at=opened,
                    first_response_at=None if status == "new" else opened + timedelta(hours=5),
                    resolved_at=opened + timedelta(hours=30)
                    if status in ("resolved", "closed") else None))
        db.session.commit()
        migrant_id = migrant.id
        db.session.remove()
    return migrant_id


def threshold(row_key: str | None, column_key: str | None, table_sensitive: bool) -> int:
    if table_sensitive or row_key in SENSITIVE or column_key in SENSITIVE:
        return 10
    return 5


def lines_of(table: dict[str, Any]) -> list[list[tuple[str | None, str | None, Any]]]:
    """The published table as equations: each row and column with its total last."""
    columns = [c["key"] for c in table["columns"]]
    rows = table["rows"] + [table["totals"]]
    grid = [[(r["key"] if r is not table["totals"] else None, c, v)
             for c, v in zip(columns, r["cells"], strict=True)]
            + [(r["key"] if r is not table["totals"] else None, None, r["total"])]
            for r in rows]
    return grid + [list(column) for column in zip(*grid, strict=True)]


def assert_published_safely(table: dict[str, Any], sensitive: bool = False) -> None:
    """No count from 1 to its threshold - 1 is shown, and every row and column showing a
    hidden count shows at least two (or hides its total)."""
    if table.get("totals") is None:
        return
    for line in lines_of(table):
        for row_key, column_key, value in line:
            if isinstance(value, int):
                limit = threshold(row_key, column_key, sensitive)
                assert value == 0 or value >= limit, (table["key"], row_key, column_key, value)
        hidden = [v for _r, _c, v in line if isinstance(v, str)]
        if hidden:
            assert len(hidden) >= 2, (table["key"], line)


def table_by_key(result: dict[str, Any], key: str) -> dict[str, Any]:
    return next(t for t in result["tables"] if t["key"] == key)


def cell(table: dict[str, Any], row_key: str, column_key: str) -> Any:
    row = next(r for r in table["rows"] if r["key"] == row_key)
    index = [c["key"] for c in table["columns"]].index(column_key)
    return row["cells"][index]
