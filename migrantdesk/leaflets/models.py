"""Leaflets: a published guidance template rendered for one consulate in one language, stored
once as a PDF addressed by its hash, verifiable through a short code."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from migrantdesk.core.db import Base, utcnow
from migrantdesk.guidance.models import Topic


class PageFormat(StrEnum):
    A5 = "A5"  # an A4 sheet folded into a four-page booklet
    A4 = "A4"


class LeafletState(StrEnum):
    CURRENT = "current"
    SUPERSEDED = "superseded"
    REVOKED = "revoked"


class Leaflet(Base):
    __tablename__ = "leaflets"
    __table_args__ = (
        Index("ix_leaflets_catalogue", "origin_country", "host_country", "topic", "language"),
        Index("ix_leaflets_series", "office_id", "template_key", "language", "page_format"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    template_id: Mapped[int] = mapped_column(ForeignKey("guidance_templates.id"))
    # Copied from the template version so the public catalogue needs no join.
    template_key: Mapped[str] = mapped_column(String(60))
    template_version: Mapped[int]
    topic: Mapped[Topic] = mapped_column()
    origin_country: Mapped[str] = mapped_column(String(2))
    host_country: Mapped[str] = mapped_column(String(2))
    language: Mapped[str] = mapped_column(String(10))
    page_format: Mapped[PageFormat] = mapped_column()
    title: Mapped[str] = mapped_column(String(300))
    code: Mapped[str] = mapped_column(String(12), unique=True)
    pdf_sha256: Mapped[str] = mapped_column(String(64), index=True)
    pdf_size: Mapped[int]
    published_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("leaflets.id"))
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revocation_reason: Mapped[str | None] = mapped_column(Text)

    @property
    def state(self) -> LeafletState:
        if self.revoked_at is not None:
            return LeafletState.REVOKED
        if self.superseded_by_id is not None:
            return LeafletState.SUPERSEDED
        return LeafletState.CURRENT


class LeafletDownload(Base):
    """Downloads per leaflet (so per language) and day; who downloaded is never stored."""

    __tablename__ = "leaflet_downloads"
    __table_args__ = (UniqueConstraint("leaflet_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    leaflet_id: Mapped[int] = mapped_column(ForeignKey("leaflets.id", ondelete="CASCADE"))
    day: Mapped[date]
    count: Mapped[int] = mapped_column(default=0)
