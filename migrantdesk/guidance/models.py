"""Legal provisions: versioned, dated, sourced records of what a country's law says."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from migrantdesk.core.db import Base, utcnow


class Verification(StrEnum):
    """How well a provision is sourced (the fact sheet's confidence, never upgraded here)."""

    CONFIRMED = "confirmed"  # two independent sources or the official text
    REPORTED = "reported"  # one reliable source
    NEEDS_VERIFICATION = "needs_verification"  # conflicting or weak sources


class ProvisionStatus(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    PUBLISHED = "published"
    RETIRED = "retired"


class Provision(Base):
    """One version of a provision. `key` names the provision across versions ("RU-CC-328-1");
    a published version is never edited: a change is version n+1 that supersedes it."""

    __tablename__ = "provisions"
    __table_args__ = (
        UniqueConstraint("key", "version", name="uq_provisions_key_version"),
        Index("ix_provisions_jurisdiction_status", "jurisdiction", "status"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("effective_to IS NULL OR effective_to > effective_from",
                        name="effective_period"),
        CheckConstraint("source_citation <> ''", name="source_citation_present"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60))
    version: Mapped[int] = mapped_column(default=1)
    jurisdiction: Mapped[str] = mapped_column(String(2))
    instrument: Mapped[str] = mapped_column(String(300))
    # Null for instruments cited as a whole (a decree, a treaty, a statute without article).
    article: Mapped[str | None] = mapped_column(String(20))
    part: Mapped[str | None] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    # {"en": "...", "ru": "..."}: a language is absent until it has been translated.
    summary: Mapped[dict[str, str]] = mapped_column(JSON)
    # {"prison_years": {"min", "max"} | None, "fine": {"min", "max", "unit"} | None,
    #  "other": [...]}; None when no source states the penalty.
    penalty: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    penalty_text: Mapped[str | None] = mapped_column(Text)
    effective_from: Mapped[date]
    effective_to: Mapped[date | None]  # exclusive: in force on [from, to)
    source_citation: Mapped[str] = mapped_column(Text)
    source_url: Mapped[str | None] = mapped_column(String(500))
    verification: Mapped[Verification] = mapped_column()
    # Why the verification is what it is: split confidence, placeholder dates, conflicts.
    verification_note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[ProvisionStatus] = mapped_column(default=ProvisionStatus.DRAFT)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("provisions.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    # Two lawyers editing the same draft: the second save gets a 409, not a silent overwrite.
    lock_version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": lock_version}

    def __repr__(self) -> str:
        return f"<Provision {self.key} v{self.version} {self.status}>"
