"""Export jobs: long exports run in the background and leave a file for their office."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from migrantdesk.core.db import Base, utcnow


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ExportKind(StrEnum):
    AGGREGATES = "aggregates"
    CASES = "cases"


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    JSON = "json"


class ExportJob(Base):
    __tablename__ = "stats_export_jobs"
    __table_args__ = (Index("ix_stats_export_jobs_office_created", "office_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[ExportKind] = mapped_column()
    format: Mapped[ExportFormat] = mapped_column()
    # The validated filters (dates as ISO strings, office ids), never personal values.
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[JobState] = mapped_column(default=JobState.QUEUED)
    rows_done: Mapped[int] = mapped_column(default=0)
    rows_total: Mapped[int | None]
    # A file name inside the instance folder's exports/ directory.
    file_name: Mapped[str | None] = mapped_column(String(100))
    error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    expires_at: Mapped[datetime]

    @property
    def progress(self) -> int:
        """Per cent done, for the progress bar."""
        if self.state == JobState.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)
