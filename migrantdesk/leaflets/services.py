"""Leaflets: preview, publish (render once, store by hash), revoke, the public catalogue,
verification by code, and download counts."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from babel import Locale
from babel.core import UnknownLocaleError
from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import Select, func, select

from migrantdesk.auth.models import User
from migrantdesk.config import PROJECT_ROOT
from migrantdesk.core import audit
from migrantdesk.core.audit import AuditAction
from migrantdesk.core.db import db, get_in_office, utcnow
from migrantdesk.core.errors import DomainError, NotFound, ValidationFailed
from migrantdesk.guidance import engine
from migrantdesk.guidance.models import ContentStatus, GuidanceTemplate, Topic
from migrantdesk.guidance.models import Verification as ProvisionVerification
from migrantdesk.leaflets import downloads, rendering, store
from migrantdesk.leaflets.models import Leaflet, LeafletDownload, PageFormat
from migrantdesk.offices.models import Office
from migrantdesk.offices.services import office_of

# The languages leaflets are written in (languages.md); uz-Latn is Uzbek's default script.
LEAFLET_LANGUAGES = ("ky", "ru", "uz-Latn", "uz-Cyrl", "tg", "kk", "tk", "en")
_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L to misread


class NotInCatalogue(DomainError):
    """404 that lists what does exist, so the caller can choose."""

    status = 404
    code = "not_found"


def labelled_languages() -> set[str]:
    """Languages whose UI words (the leaflet's labels) are translated: English is the source."""
    locales = PROJECT_ROOT / "locales"
    return {"en"} | {path.name.replace("_", "-") for path in locales.iterdir()
                     if (path / "LC_MESSAGES" / "messages.po").exists()}


def _labels(language: str) -> dict[str, str]:
    with force_locale(language.replace("-", "_")):
        return {"hotline": _("Hotline"), "verify": _("Check that this leaflet is current"),
                "issued": _("Issued"), "law": _("What the law says"),
                "version": _("Version")}


def unreviewed_notice(language: str) -> str:
    """The line printed with text whose translation no native-speaking lawyer has checked."""
    with force_locale(language.replace("-", "_")):
        return _("This translation has not yet been checked by a native-speaking lawyer. "
                 "If it differs from the Russian text, the Russian text prevails.")


def _content(template: GuidanceTemplate, language: str, office: Office, code: str,
             page_format: PageFormat) -> rendering.LeafletContent:
    on = date.today()
    library = engine.current_library()
    provisions = [p for key in template.provision_keys
                  if (p := library.provision_in_force(key, on)) is not None]
    return rendering.LeafletContent(
        language=language, title=template.title[language], body=template.body[language],
        provisions=tuple(_provision_lines(provisions, language)),
        office_name=office.name, office_address=office.address,
        hotline_numbers=tuple(office.hotline_numbers), issued_on=on,
        version_label=f"{template.key} v{template.version}",
        verify_url=public_url("leaflets.verify", code=code), verify_code=code,
        page_format=str(page_format), labels=_labels(language),
        notice=None if template.translation_reviewed(language) else unreviewed_notice(language))


def public_url(endpoint: str, **values: Any) -> str:
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return str(base).rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def _provision_lines(provisions: list[Any], language: str) -> list[tuple[str, str]]:
    with force_locale(language.replace("-", "_")):
        unverified = _("Not yet verified against the official text.")
    lines = []
    for provision in provisions:
        summary = provision.summary.get(language) or provision.summary.get("ru") or ""
        if provision.verification != ProvisionVerification.CONFIRMED:
            summary = f"{summary} {unverified}"
        lines.append((_citation(provision, language), summary))
    return lines


# Provisions record their instrument and title in English only. Other leaflets cite the codes
# the way the region's lawyers do, with the Russian abbreviations, and otherwise name only the
# country (CLDR's name, in the leaflet's language): no legal name is translated here.
_CODES = {"RU-CC": "УК РФ", "KG-CC": "УК КР", "UZ-CC": "УК РУз", "TJ-CC": "УК РТ",
          "KZ-CC": "УК РК", "KZ-CAO": "КоАП РК"}


def _citation(provision: Any, language: str) -> str:
    if language == "en":
        article = f", {provision.article}" if provision.article else ""
        return f"{provision.instrument}{article}: {provision.title}"
    code = _CODES.get("-".join(provision.key.split("-")[:2]))
    if code and provision.article:
        part = {None: "", "note": ", примечание"}.get(provision.part, f", ч. {provision.part}")
        return f"{code}, ст. {provision.article}{part}"
    try:
        return str(Locale.parse(language, sep="-").territories[provision.jurisdiction])
    except (UnknownLocaleError, ValueError, KeyError):
        return str(provision.jurisdiction)


def _template_for(template_id: int, language: str, *, published: bool) -> GuidanceTemplate:
    template = db.session.get(GuidanceTemplate, template_id)
    if template is None or (published and template.status != ContentStatus.PUBLISHED):
        raise ValidationFailed(_("Some fields are invalid."),
                               {"template_id": [_("No such published template.")]})
    if language not in template.body:
        available = ", ".join(sorted(template.body))
        raise ValidationFailed(_("This template is not translated into that language."), {
            "language": [_("Available: %(languages)s", languages=available)]})
    if language not in labelled_languages():
        raise ValidationFailed(_("Leaflet labels are not translated into that language yet."), {
            "language": [_("Available: %(languages)s",
                           languages=", ".join(sorted(labelled_languages())))]})
    return template


def preview(actor: User, template_id: int, language: str, page_format: PageFormat) -> bytes:
    """The PDF as it would be published, for any version (drafts included); nothing stored."""
    template = _template_for(template_id, language, published=False)
    return rendering.render_pdf(_content(template, language, office_of(actor), "PREVIEW",
                                         page_format))


def _new_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))


def publish(actor: User, template_id: int, language: str, page_format: PageFormat) -> Leaflet:
    """Render a published template for the actor's consulate, store it, and make it the
    current leaflet of its series (office, template, language, format)."""
    template = _template_for(template_id, language, published=True)
    office = office_of(actor)
    code = _new_code()
    content = _content(template, language, office, code, page_format)
    pdf, problems = rendering.render_for_publishing(content)
    if pdf is None:
        raise ValidationFailed(_("This leaflet cannot be published."), {"content": problems})
    leaflet = Leaflet(
        office_id=office.id, template_id=template.id, template_key=template.key,
        template_version=template.version, topic=template.topic,
        origin_country=office.country, host_country=template.host_country or office.host_country,
        language=language, page_format=page_format, title=template.title[language], code=code,
        pdf_sha256=store.put(pdf), pdf_size=len(pdf), published_by_id=actor.id)
    db.session.add(leaflet)
    db.session.flush()
    for earlier in db.session.scalars(select(Leaflet).where(
            Leaflet.office_id == office.id, Leaflet.template_key == template.key,
            Leaflet.language == language, Leaflet.page_format == page_format,
            Leaflet.id != leaflet.id, Leaflet.superseded_by_id.is_(None))):
        earlier.superseded_by_id = leaflet.id
    audit.record(actor, AuditAction.CREATE, "leaflet", leaflet.id,
                 details={"template_id": template.id, "language": language})
    return leaflet


def revoke(actor: User, leaflet_id: int, reason: str) -> Leaflet:
    leaflet = get_in_office(Leaflet, leaflet_id, actor.office_id)
    if leaflet.revoked_at is None:
        leaflet.revoked_at, leaflet.revoked_by_id = utcnow(), actor.id
        leaflet.revocation_reason = reason
        audit.record(actor, AuditAction.UPDATE, "leaflet", leaflet.id, fields=["revoked_at"])
    return leaflet


# --- public -----------------------------------------------------------------------------------

FILTERS = ("origin_country", "host_country", "topic", "language")


def catalogue(filters: dict[str, str]) -> list[Leaflet]:
    """Current leaflets, newest first; an unknown filter value is a 404 listing the values
    that exist."""
    known = {"topic": [t.value for t in Topic], "language": list(LEAFLET_LANGUAGES)}
    for name, choices in known.items():
        if filters.get(name) and filters[name] not in choices:
            raise NotInCatalogue(_("Unknown %(name)s.", name=name), {name: choices})
    statement = _current_leaflets(select(Leaflet))
    for name in FILTERS:
        if filters.get(name):
            statement = statement.where(getattr(Leaflet, name) == filters[name])
    return list(db.session.scalars(statement.order_by(Leaflet.published_at.desc())))


def available_languages(filters: dict[str, str] | None = None) -> list[str]:
    """Languages in which at least one current leaflet exists (matching the filters other
    than the language), in the catalogue's order of languages."""
    statement = _current_leaflets(select(Leaflet.language).distinct())
    for name, value in (filters or {}).items():
        if name in FILTERS and name != "language" and value:
            statement = statement.where(getattr(Leaflet, name) == value)
    found = set(db.session.scalars(statement))
    return [language for language in LEAFLET_LANGUAGES if language in found]


def language_names() -> dict[str, str]:
    """Each leaflet language by its own name (CLDR): кыргызча, oʻzbekcha, тоҷикӣ…"""
    return {tag: Locale.parse(tag, sep="-").display_name or tag for tag in LEAFLET_LANGUAGES}


def has_current_leaflet(office_id: int, template_id: int, language: str,
                        page_format: PageFormat) -> bool:
    """Whether the office's leaflet of this template version, language and format is current."""
    return db.session.scalar(_current_leaflets(select(Leaflet.id)).where(
        Leaflet.office_id == office_id, Leaflet.template_id == template_id,
        Leaflet.language == language, Leaflet.page_format == page_format).limit(1)) is not None


def _current_leaflets(statement: Select) -> Select:
    """Neither revoked nor replaced, and the guidance it prints is still the published one."""
    return statement.join(GuidanceTemplate, GuidanceTemplate.id == Leaflet.template_id).where(
        Leaflet.revoked_at.is_(None), Leaflet.superseded_by_id.is_(None),
        GuidanceTemplate.status == ContentStatus.PUBLISHED)


@dataclass
class Verification:
    leaflet: Leaflet
    office: Office
    current: Leaflet | None  # the leaflet that replaces a superseded one
    # The template version printed has been replaced or withdrawn, with no new leaflet yet.
    guidance_outdated: bool = False
    # Its text is a translation no native-speaking lawyer has checked yet.
    translation_unreviewed: bool = False


def verify(code: str) -> Verification:
    leaflet = db.session.scalars(select(Leaflet).where(Leaflet.code == code.upper())).first()
    if leaflet is None:
        raise NotFound("leaflet")
    current = leaflet
    while current.superseded_by_id is not None:
        newer = db.session.get(Leaflet, current.superseded_by_id)
        assert newer is not None  # a foreign key
        current = newer
    office = db.session.get(Office, leaflet.office_id)
    assert office is not None
    template_status = db.session.scalar(select(GuidanceTemplate.status).where(
        GuidanceTemplate.id == current.template_id))
    printed = db.session.get(GuidanceTemplate, leaflet.template_id)
    assert printed is not None  # a foreign key
    return Verification(leaflet, office, current if current is not leaflet else None,
                        guidance_outdated=template_status != ContentStatus.PUBLISHED,
                        translation_unreviewed=not printed.translation_reviewed(leaflet.language))


@dataclass(frozen=True)
class StoredPdf:
    leaflet_id: int
    path: Path
    download_name: str


# A PDF at a hash never changes, so where it lives is remembered per process.
_stored: dict[str, StoredPdf] = {}


def by_hash(sha256: str) -> StoredPdf:
    if sha256 not in _stored:
        leaflet = db.session.scalars(select(Leaflet).where(Leaflet.pdf_sha256 == sha256)
                                     .order_by(Leaflet.id.desc())).first()
        if leaflet is None or not store.path_of(sha256).exists():
            raise NotFound("leaflet")
        _stored[sha256] = StoredPdf(leaflet.id, store.path_of(sha256),
                                    f"{leaflet.template_key}-{leaflet.language}.pdf")
    return _stored[sha256]


def count_download(leaflet_id: int, day: date | None = None) -> None:
    """One more download; nothing about the visitor (see leaflets/downloads.py)."""
    downloads.count(leaflet_id, day)


def flush_download_counts() -> None:
    downloads.flush()


def download_stats(actor: User) -> list[dict[str, Any]]:
    flush_download_counts()
    rows = db.session.execute(
        select(Leaflet.id, Leaflet.template_key, Leaflet.template_version, Leaflet.language,
               LeafletDownload.day, func.sum(LeafletDownload.count).label("downloads"))
        .join(LeafletDownload, LeafletDownload.leaflet_id == Leaflet.id)
        .where(Leaflet.office_id == actor.office_id)
        .group_by(Leaflet.id, Leaflet.template_key, Leaflet.template_version, Leaflet.language,
                  LeafletDownload.day)
        .order_by(LeafletDownload.day.desc(), Leaflet.id))
    return [dict(row._mapping) for row in rows]


# --- staff management page --------------------------------------------------------------------

@dataclass
class LeafletSeries:
    """One published template in one of its languages, with this consulate's leaflets of it
    (every version and format, newest first)."""

    template: GuidanceTemplate
    language: str
    labelled: bool  # the leaflet's own words exist in this language, so it can be published
    leaflets: list[Leaflet]

    @property
    def current(self) -> list[Leaflet]:
        return [leaflet for leaflet in self.leaflets
                if leaflet.state == "current" and leaflet.template_id == self.template.id]


def management_overview(actor: User) -> list[LeafletSeries]:
    """The templates published for the actor's consulate (its origin country, or any) in each
    language they are written in, with the leaflets the consulate has printed of them."""
    office = office_of(actor)
    templates = list(db.session.scalars(select(GuidanceTemplate).where(
        GuidanceTemplate.status == ContentStatus.PUBLISHED,
        (GuidanceTemplate.origin_country == office.country)
        | GuidanceTemplate.origin_country.is_(None)).order_by(GuidanceTemplate.key)))
    printed: dict[tuple[str, str], list[Leaflet]] = {}
    for leaflet in db.session.scalars(select(Leaflet).where(
            Leaflet.office_id == office.id,
            Leaflet.template_key.in_([t.key for t in templates]))
            .order_by(Leaflet.published_at.desc(), Leaflet.id.desc())):
        printed.setdefault((leaflet.template_key, leaflet.language), []).append(leaflet)
    labelled = labelled_languages()
    return [LeafletSeries(template, language, language in labelled,
                          printed.get((template.key, language), []))
            for template in templates
            for language in sorted(template.body, key=_language_order)]


def _language_order(tag: str) -> tuple[int, str]:
    return (LEAFLET_LANGUAGES.index(tag) if tag in LEAFLET_LANGUAGES else len(LEAFLET_LANGUAGES),
            tag)
