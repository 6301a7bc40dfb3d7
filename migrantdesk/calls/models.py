"""The hotline call log. A call can be logged before the caller is identified."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from migrantdesk.core.db import Base, utcnow


class CallDirection(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class CallOutcome(StrEnum):
    """How a call ended, for the operator's summary and the statistics."""

    ADVICE_GIVEN = "advice_given"
    CASE_OPENED = "case_opened"
    CASE_UPDATED = "case_updated"
    CALL_BACK_NEEDED = "call_back_needed"
    REFERRED = "referred"
    NO_ACTION = "no_action"
    DROPPED = "dropped"


class Call(Base):
    __tablename__ = "calls"
    __table_args__ = (
        Index("ix_calls_office_started", "office_id", "started_at"),
        # Repeat-caller search looks for earlier unidentified calls by the end of the number
        # (caller_phone LIKE '%<last digits>'), which a B-tree cannot serve.
        Index("ix_calls_unlinked_caller_phone_trgm", "caller_phone", postgresql_using="gin",
              postgresql_ops={"caller_phone": "gin_trgm_ops"},
              postgresql_where=text("migrant_id IS NULL"), sqlite_where=text("migrant_id IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    operator_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    direction: Mapped[CallDirection] = mapped_column(default=CallDirection.INBOUND)
    caller_phone: Mapped[str | None] = mapped_column(String(16), index=True)
    language: Mapped[str | None] = mapped_column(String(10))
    summary: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[CallOutcome | None] = mapped_column()
    migrant_id: Mapped[int | None] = mapped_column(ForeignKey("migrants.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
