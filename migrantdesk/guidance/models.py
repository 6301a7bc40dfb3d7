"""Legal provisions: versioned, dated, sourced records of what a country's law says."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from migrantdesk.core.db import Base, utcnow


class Verification(StrEnum):
    """How well a provision is sourced (the fact sheet's confidence, never upgraded here)."""

    CONFIRMED = "confirmed"  # two independent sources or the official text
    REPORTED = "reported"  # one reliable source
    NEEDS_VERIFICATION = "needs_verification"  # conflicting or weak sources


class TranslationReview(StrEnum):
    """Whether a translation of a guidance template has been checked by a native-speaking
    lawyer. Until it has, what is printed from it says that the Russian text prevails."""

    UNREVIEWED = "unreviewed"
    REVIEWED = "reviewed"


class ContentStatus(StrEnum):
    """Lifecycle of reviewed legal content: provisions, guidance templates and rules."""

    DRAFT = "draft"
    IN_REVIEW = "in_review"
    PUBLISHED = "published"
    RETIRED = "retired"



class ReviewedContent:
    """Columns shared by every kind of reviewed, versioned content. `key` names the item across
    versions; a published version is never edited: a change is version n+1 superseding it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60))
    version: Mapped[int] = mapped_column(default=1)
    status: Mapped[ContentStatus] = mapped_column(default=ContentStatus.DRAFT)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    # Two lawyers editing the same draft: the second save gets a 409, not a silent overwrite.
    lock_version: Mapped[int] = mapped_column(default=1)

    @declared_attr
    def supersedes_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey(f"{cls.__tablename__}.id"))  # type: ignore[attr-defined]

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.lock_version}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.key} v{self.version} {self.status}>"


class Provision(ReviewedContent, Base):
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


class Topic(StrEnum):
    MOBILISATION_NOTICE = "mobilisation_notice"
    FOREIGN_ARMY = "foreign_army"  # joining a foreign army, pressure to sign a contract
    DUAL_CITIZENSHIP = "dual_citizenship"
    STAY_AND_ENTRY = "stay_and_entry"
    DOCUMENTS_AND_DEPORTATION = "documents_and_deportation"
    REMITTANCES = "remittances"
    DETENTION = "detention"


class GuidanceTemplate(ReviewedContent, Base):
    """Advice on one topic for migrants of one origin country in one host country (null: any),
    with text per language that cites provisions by key."""

    __tablename__ = "guidance_templates"
    __table_args__ = (UniqueConstraint("key", "version", name="uq_guidance_templates_key_version"),)

    topic: Mapped[Topic] = mapped_column()
    origin_country: Mapped[str | None] = mapped_column(String(2))
    host_country: Mapped[str | None] = mapped_column(String(2))
    # {"ru": "...", "en": "..."}: published in Russian and English first, other languages once
    # translated and reviewed (a new version).
    title: Mapped[dict[str, str]] = mapped_column(JSON)
    body: Mapped[dict[str, str]] = mapped_column(JSON)
    provision_keys: Mapped[list[str]] = mapped_column(JSON, default=list)
    # {"ky": "unreviewed"}: the review state of each translated language (not ru or en, the
    # languages the text is written in). A language missing here counts as unreviewed.
    translation_review: Mapped[dict[str, str]] = mapped_column(
        JSON, default=dict, server_default="{}")

    def translation_reviewed(self, language: str) -> bool:
        """Whether text in `language` may be printed without the unreviewed notice."""
        return language in ("ru", "en") or \
            self.translation_review.get(language) == TranslationReview.REVIEWED


class GuidanceRule(ReviewedContent, Base):
    """When its conditions (guidance.conditions) hold for a case, these templates and
    provisions apply."""

    __tablename__ = "guidance_rules"
    __table_args__ = (UniqueConstraint("key", "version", name="uq_guidance_rules_key_version"),)

    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    conditions: Mapped[dict[str, Any]] = mapped_column(JSON)
    template_keys: Mapped[list[str]] = mapped_column(JSON, default=list)
    provision_keys: Mapped[list[str]] = mapped_column(JSON, default=list)


class CitizenshipStance(StrEnum):
    """How an origin country's law treats its citizen also holding another citizenship."""

    RECOGNISED = "recognised"
    TREATY = "treaty"
    TOLERATED = "tolerated"
    PROHIBITED = "prohibited"
    PENALISED = "penalised"


class RiskLevel(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class CitizenshipPosition(Base):
    """The legal position of holding both citizenships, from the origin country's side."""

    __tablename__ = "citizenship_positions"
    __table_args__ = (UniqueConstraint("origin_country", "other_country"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    origin_country: Mapped[str] = mapped_column(String(2))
    other_country: Mapped[str] = mapped_column(String(2))
    stance: Mapped[CitizenshipStance] = mapped_column()
    risk: Mapped[RiskLevel] = mapped_column()
    # {"ru": [...], "en": [...]}: the reasons shown on the case.
    reasons: Mapped[dict[str, list[str]]] = mapped_column(JSON)
    provision_keys: Mapped[list[str]] = mapped_column(JSON, default=list)
    source_citation: Mapped[str] = mapped_column(Text)
    verification: Mapped[Verification] = mapped_column()
    verification_note: Mapped[str | None] = mapped_column(Text)
    lock_version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": lock_version}


class GuidanceGiven(Base):
    """What a migrant was told, exactly as told: never updated, whatever changes later."""

    __tablename__ = "guidance_given"
    __table_args__ = (Index("ix_guidance_given_case", "case_id", "given_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    migrant_id: Mapped[int] = mapped_column(ForeignKey("migrants.id"))
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id"))
    template_id: Mapped[int] = mapped_column(ForeignKey("guidance_templates.id"))
    provision_ids: Mapped[list[int]] = mapped_column(JSON)
    language: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    text_sha256: Mapped[str] = mapped_column(String(64))
    given_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    given_at: Mapped[datetime] = mapped_column(default=utcnow)


@event.listens_for(GuidanceGiven, "before_update")
def _guidance_given_is_immutable(mapper: Any, connection: Any, target: GuidanceGiven) -> None:
    raise RuntimeError("guidance given is a record of what was said and is never changed")
