"""Cases: one per problem of one migrant, with facts, a status workflow, tasks and notes."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from migrantdesk.auth.models import User
from migrantdesk.core.db import Base, utcnow
from migrantdesk.migrants.models import Migrant


class CaseStatus(StrEnum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    WAITING = "waiting"
    RESOLVED = "resolved"
    CLOSED = "closed"


# Reopening is a move from resolved or closed back to in_progress.
ALLOWED_TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.NEW: frozenset({CaseStatus.IN_PROGRESS, CaseStatus.CLOSED}),
    CaseStatus.IN_PROGRESS: frozenset({CaseStatus.WAITING, CaseStatus.RESOLVED}),
    CaseStatus.WAITING: frozenset({CaseStatus.IN_PROGRESS, CaseStatus.RESOLVED}),
    CaseStatus.RESOLVED: frozenset({CaseStatus.CLOSED, CaseStatus.IN_PROGRESS}),
    CaseStatus.CLOSED: frozenset({CaseStatus.IN_PROGRESS}),
}


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_office_status", "office_id", "status"),
        # Statistics read a period of one office's cases without touching the table rows.
        Index("ix_cases_office_opened", "office_id", "opened_at",
              postgresql_include=["category", "status", "priority", "host_country"]),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    migrant_id: Mapped[int] = mapped_column(ForeignKey("migrants.id"), index=True)
    category: Mapped[str] = mapped_column(String(40), index=True)
    host_country: Mapped[str] = mapped_column(String(2))
    summary: Mapped[str] = mapped_column(String(500))
    # Category-specific facts, validated by cases.facts before they are stored.
    facts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[CaseStatus] = mapped_column(default=CaseStatus.NEW)
    priority: Mapped[Priority] = mapped_column(default=Priority.NORMAL)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None]
    # A legal hold (a court, prosecutor or inspection request) blocks anonymisation and
    # erasure until a consul or admin lifts it.
    legal_hold_reason: Mapped[str | None] = mapped_column(String(500))
    legal_hold_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    legal_hold_at: Mapped[datetime | None]
    # Set when the free text was removed after retention or erasure; the case is then frozen.
    anonymised_at: Mapped[datetime | None]
    # For statistics: the first move out of "new" or first note, and the last move to
    # resolved/closed (cleared when the case is reopened). Kept by cases.services.
    first_response_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    migrant: Mapped[Migrant] = relationship(lazy="raise")
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id], lazy="raise")
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id], lazy="raise")
    tasks: Mapped[list[CaseTask]] = relationship(
        cascade="all, delete-orphan", lazy="raise", order_by="CaseTask.due_on")
    notes: Mapped[list[CaseNote]] = relationship(
        cascade="all, delete-orphan", lazy="raise", order_by="CaseNote.created_at")

    __mapper_args__ = {"version_id_col": version}

    @property
    def legal_hold(self) -> bool:
        return self.legal_hold_at is not None

    @property
    def allowed_transitions(self) -> list[str]:
        if self.anonymised_at is not None:
            return []
        return sorted(ALLOWED_TRANSITIONS[CaseStatus(self.status)])


class TaskKind(StrEnum):
    FOLLOW_UP = "follow_up"
    # Calling the migrant back needs their consent to be called (migrants.consent).
    CALL_BACK = "call_back"


class CaseTask(Base):
    """A follow-up: call back, check a decision, chase a document."""

    __tablename__ = "case_tasks"
    __table_args__ = (Index("ix_case_tasks_assignee_due", "assignee_id", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[TaskKind] = mapped_column(default=TaskKind.FOLLOW_UP,
                                           server_default=TaskKind.FOLLOW_UP.value)
    due_on: Mapped[date]
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    done_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CaseNote(Base):
    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
