"""Migrants: the people a consulate helps, with citizenships, documents and consents."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from migrantdesk.core.db import Base, utcnow


class AcquisitionMode(StrEnum):
    BIRTH = "birth"
    NATURALISATION = "naturalisation"
    SIMPLIFIED = "simplified"  # e.g. Russia's simplified procedure for CIS citizens
    TREATY = "treaty"  # e.g. the Russia–Tajikistan dual-citizenship treaty
    RESTORATION = "restoration"
    UNKNOWN = "unknown"


class DocumentKind(StrEnum):
    NATIONAL_PASSPORT = "national_passport"
    FOREIGN_PASSPORT = "foreign_passport"
    RUSSIAN_PASSPORT = "russian_passport"
    WORK_PATENT = "work_patent"
    REGISTRATION = "registration"
    RESIDENCE_PERMIT = "residence_permit"
    MIGRATION_CARD = "migration_card"


class DocumentStatus(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    LOST = "lost"
    CONFISCATED = "confiscated"
    SUSPECTED_FORGED = "suspected_forged"


class ConsentPurpose(StrEnum):
    CASE_HANDLING = "case_handling"
    CALL_BACK = "call_back"
    SHARING_WITH_LAWYER = "sharing_with_lawyer"
    STATISTICS = "statistics"


class ConsentMethod(StrEnum):
    VERBAL_ON_CALL = "verbal_on_call"
    WRITTEN = "written"
    ELECTRONIC = "electronic"


class Migrant(Base):
    __tablename__ = "migrants"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    surname_cyrl: Mapped[str | None] = mapped_column(String(100))
    given_names_cyrl: Mapped[str | None] = mapped_column(String(150))
    surname_latn: Mapped[str | None] = mapped_column(String(100))
    given_names_latn: Mapped[str | None] = mapped_column(String(150))
    birth_date: Mapped[date | None]
    # Kept when the migrant is anonymised and birth_date removed: ages in statistics.
    birth_year: Mapped[int | None]
    home_region: Mapped[str | None] = mapped_column(String(100))
    host_city: Mapped[str | None] = mapped_column(String(100))
    preferred_language: Mapped[str | None] = mapped_column(String(10))
    # Script-independent skeleton of every name part (core.text.search_key); its words are
    # searched through NameWord and MigrantNameWord, which the migrants services keep in step.
    search_key: Mapped[str] = mapped_column(String(600), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Set when names, phones, documents and birth date were removed (retention or erasure):
    # the row stays for statistics and can no longer be edited.
    anonymised_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    phones: Mapped[list[MigrantPhone]] = relationship(
        back_populates="migrant", cascade="all, delete-orphan", lazy="raise",
        order_by="MigrantPhone.id")
    citizenships: Mapped[list[Citizenship]] = relationship(
        cascade="all, delete-orphan", lazy="raise", order_by="Citizenship.id")
    documents: Mapped[list[IdentityDocument]] = relationship(
        cascade="all, delete-orphan", lazy="raise", order_by="IdentityDocument.id")
    consents: Mapped[list[Consent]] = relationship(
        cascade="all, delete-orphan", lazy="raise", order_by="Consent.id")

    __mapper_args__ = {"version_id_col": version}

    @property
    def display_name(self) -> str:
        latin = " ".join(filter(None, [self.surname_latn, self.given_names_latn]))
        cyrillic = " ".join(filter(None, [self.surname_cyrl, self.given_names_cyrl]))
        return cyrillic or latin


# A name word is at most this long (longer words are cut, when stored and when searched).
NAME_WORD_LENGTH = 100


class NameWord(Base):
    """The distinct words of the search keys of an office's migrants: the small vocabulary that
    the words a caller gives are fuzzy-matched against (trigram index on PostgreSQL). It only
    grows; a word nobody carries any more is ignored by the search."""

    __tablename__ = "name_words"
    __table_args__ = (
        Index("ix_name_words_word_trgm", "word", postgresql_using="gin",
              postgresql_ops={"word": "gin_trgm_ops"}),
    )

    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), primary_key=True)
    word: Mapped[str] = mapped_column(String(NAME_WORD_LENGTH), primary_key=True)


class MigrantNameWord(Base):
    """Which migrant carries which name word; (office_id, word, migrant_id) lists the carriers
    of a word in id order, so a search can stop after the first few. office_id is the
    migrant's, copied for that index. Every writer adds the words to NameWord first; there is
    no foreign key to it, whose check would lock the vocabulary row of a common word such as
    "uulu" for every migrant written and slow bulk inserts by a fifth."""

    __tablename__ = "migrant_name_words"
    __table_args__ = (
        Index("ix_migrant_name_words_office_word", "office_id", "word", "migrant_id"),
    )

    migrant_id: Mapped[int] = mapped_column(ForeignKey("migrants.id", ondelete="CASCADE"),
                                            primary_key=True)
    word: Mapped[str] = mapped_column(String(NAME_WORD_LENGTH), primary_key=True)
    office_id: Mapped[int]


class MigrantPhone(Base):
    __tablename__ = "migrant_phones"
    __table_args__ = (
        UniqueConstraint("migrant_id", "e164"),
        Index("ix_migrant_phones_e164_trgm", "e164", postgresql_using="gin",
              postgresql_ops={"e164": "gin_trgm_ops"}),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    migrant_id: Mapped[int] = mapped_column(ForeignKey("migrants.id", ondelete="CASCADE"),
                                            index=True)
    e164: Mapped[str] = mapped_column(String(16))
    label: Mapped[str | None] = mapped_column(String(40))

    migrant: Mapped[Migrant] = relationship(back_populates="phones", lazy="raise")


class Citizenship(Base):
    __tablename__ = "citizenships"
    __table_args__ = (UniqueConstraint("migrant_id", "country"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    migrant_id: Mapped[int] = mapped_column(ForeignKey("migrants.id", ondelete="CASCADE"),
                                            index=True)
    country: Mapped[str] = mapped_column(String(2))
    acquired_how: Mapped[AcquisitionMode] = mapped_column()
    acquired_on: Mapped[date | None]
    renounced_on: Mapped[date | None]


class IdentityDocument(Base):
    __tablename__ = "identity_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    migrant_id: Mapped[int] = mapped_column(ForeignKey("migrants.id", ondelete="CASCADE"),
                                            index=True)
    kind: Mapped[DocumentKind] = mapped_column()
    number: Mapped[str] = mapped_column(String(40))
    # Upper-case letters and digits only, so "AN 123-456" finds "an123456".
    number_key: Mapped[str] = mapped_column(String(40), index=True)
    issuing_country: Mapped[str | None] = mapped_column(String(2))
    issued_on: Mapped[date | None]
    expires_on: Mapped[date | None]
    status: Mapped[DocumentStatus] = mapped_column(default=DocumentStatus.VALID)


class Consent(Base):
    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    migrant_id: Mapped[int] = mapped_column(ForeignKey("migrants.id", ondelete="CASCADE"),
                                            index=True)
    purpose: Mapped[ConsentPurpose] = mapped_column()
    method: Mapped[ConsentMethod] = mapped_column()
    given_on: Mapped[date]
    expires_on: Mapped[date | None]
    withdrawn_on: Mapped[date | None]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The call during which consent was given verbally, as evidence of how it was given.
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id", ondelete="SET NULL"))
