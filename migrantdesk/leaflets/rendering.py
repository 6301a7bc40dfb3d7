"""Leaflet PDFs: a `LeafletContent` becomes HTML (Jinja, no Flask context needed) and then a
PDF (WeasyPrint), in the leaflet's own language.

The HTML is self-contained (inline stylesheet, inline SVG QR code), so a render fetches
nothing. The URL fetcher is there for what a template might still reference: it serves files
of the leaflet's own template folder and refuses every other URL. Fonts come from fontconfig
(Noto Sans, Debian's fonts-noto-core); one `FontConfiguration` serves the whole process.
"""

from __future__ import annotations

import logging
import mimetypes
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

import phonenumbers
import segno
from babel import Locale
from babel.core import UnknownLocaleError
from babel.dates import format_date
from fontTools.ttLib import TTFont
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from weasyprint import HTML, Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse, path2url

from migrantdesk.config import PROJECT_ROOT

logger = logging.getLogger(__name__)

MAX_PAGES = {"A5": 4, "A4": 2}
FONT_FAMILY = "Noto Sans"  # must match leaflet.css
FONT_STYLES = ("Regular", "Bold")  # the faces leaflet.css uses
DEFAULT_LABELS = {
    "hotline": "Hotline",
    "verify": "Check that this leaflet is current",
    "issued": "Issued",
    "law": "What the law says",
}
# Characters a translator is likely to type that the fonts lack, with what to write instead.
_REPLACEMENTS = {"\u20c0": 'write "сом" or "KGS"'}

TEMPLATE_DIR = PROJECT_ROOT / "templates"
ASSET_DIR = TEMPLATE_DIR / "leaflets"
TEMPLATE_NAME = "leaflets/leaflet.html"

FONT_CONFIG = FontConfiguration()
_jinja = Environment(loader=FileSystemLoader(TEMPLATE_DIR), autoescape=select_autoescape(["html"]),
                     auto_reload=False)


@dataclass(frozen=True)
class LeafletContent:
    language: str  # BCP 47: ky, ru, uz-Latn, uz-Cyrl, tg, kk, tk, en
    title: str
    body: str  # blank lines separate paragraphs; lines starting "- " are bullet items
    provisions: tuple[tuple[str, str], ...]  # (citation line, summary)
    office_name: str
    office_address: str | None
    hotline_numbers: tuple[str, ...]  # E.164
    version_label: str
    issued_on: date
    verify_url: str
    verify_code: str
    page_format: str = "A5"
    labels: dict[str, str] = field(default_factory=dict)
    # Printed under the title, e.g. that a translation has not been checked by a lawyer.
    notice: str | None = None

    def __post_init__(self) -> None:
        if self.page_format not in MAX_PAGES:
            raise ValueError(f"Unknown page format {self.page_format!r}: use A5 or A4.")


class AssetRefused(ValueError):
    """A leaflet asked for something that is not one of its own assets."""


class LeafletAssetFetcher(URLFetcher):
    """Serves files under `root` and data: URIs; refuses everything else, network included.

    WeasyPrint catches the refusal, logs it and leaves the resource out; we log it too, so
    a template that reaches outside shows up in our own logs."""

    def __init__(self, root: Path) -> None:
        super().__init__(allowed_protocols=("data",))
        self.root = root.resolve()

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)  # decoded locally by urllib's DataHandler
        if url.startswith("file:"):
            path = Path(url2pathname(urlsplit(url).path)).resolve()
            if path.is_relative_to(self.root) and path.is_file():
                media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": media_type})
        logger.warning("Leaflet rendering refused to fetch %s", url[:120])
        raise AssetRefused(f"A leaflet may only use its own assets, not {url[:120]}")


URL_FETCHER = LeafletAssetFetcher(ASSET_DIR)
_BASE_URL = path2url(ASSET_DIR)


# --- HTML -----------------------------------------------------------------------------------

def render_html(content: LeafletContent) -> str:
    """The leaflet as one self-contained HTML document (what the PDF is made from)."""
    return _render(_view(content))


def _render(view: dict[str, Any]) -> str:
    return _jinja.get_template(TEMPLATE_NAME).render(view)


def _view(content: LeafletContent) -> dict[str, Any]:
    return {
        "language": content.language,
        "direction": _direction(content.language),
        "page_format": content.page_format,
        "title": content.title,
        "blocks": list(_blocks(content.body)),
        "provisions": content.provisions,
        "office_name": content.office_name,
        "office_address": content.office_address,
        "hotlines": [_phone(number) for number in content.hotline_numbers],
        "version_label": content.version_label,
        "issued": _date(content.issued_on, content.language),
        "verify_url": content.verify_url,
        "verify_code": content.verify_code,
        "qr_svg": _qr_svg(content.verify_url),
        "labels": {**DEFAULT_LABELS, **content.labels},
        "notice": content.notice,
    }


def _blocks(body: str) -> Iterator[tuple[str, Any]]:
    """("p", text) and ("list", [items]) from plain text. Lines of a paragraph are joined
    by a space; an indented line after a bullet continues that bullet."""
    for chunk in _chunks(body):
        paragraph: list[str] = []
        items: list[str] = []
        for line in chunk:
            if line.lstrip().startswith("- "):
                if paragraph:
                    yield "p", " ".join(paragraph)
                    paragraph = []
                items.append(line.lstrip()[2:].strip())
            elif items and line[:1].isspace():
                items[-1] = f"{items[-1]} {line.strip()}"
            else:
                if items:
                    yield "list", items
                    items = []
                paragraph.append(line.strip())
        if items:
            yield "list", items
        if paragraph:
            yield "p", " ".join(paragraph)


def _chunks(body: str) -> Iterator[list[str]]:
    chunk: list[str] = []
    for line in body.replace("\r\n", "\n").split("\n"):
        if line.strip():
            chunk.append(line.rstrip())
        elif chunk:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _phone(number: str) -> str:
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _date(day: date, language: str) -> str:
    """The long date in the leaflet's language (CLDR), ISO 8601 for a language CLDR lacks."""
    try:
        return format_date(day, "long", locale=Locale.parse(language, sep="-"))
    except (UnknownLocaleError, ValueError):
        return day.isoformat()


def _direction(language: str) -> str:
    # Out of scope for now (Dari, Pashto), but a right-to-left leaflet must not come out
    # mirrored; Noto Sans has no Arabic script, so check_publishable refuses those today.
    try:
        order = Locale.parse(language, sep="-").character_order
    except (UnknownLocaleError, ValueError):
        return "ltr"
    return "rtl" if order == "right-to-left" else "ltr"


def _qr_svg(url: str) -> Markup:
    # Error correction M survives a fold line or a smudge; the 4-module quiet zone is part
    # of the SVG, so the code scans whatever is printed next to it.
    qr = segno.make(url, error="m", micro=False, boost_error=False)
    # segno draws the SVG from the QR modules alone: no input text is copied into it.
    return Markup(qr.svg_inline(border=4, omitsize=True, dark="#000"))  # noqa: S704  # nosec


# --- PDF ------------------------------------------------------------------------------------

def layout(html: str) -> Document:
    """Lay out leaflet HTML with the process's fonts and the leaflet's URL fetcher."""
    return HTML(string=html, base_url=_BASE_URL, url_fetcher=URL_FETCHER).render(
        font_config=FONT_CONFIG)


def render_pdf(content: LeafletContent) -> bytes:
    """The printable PDF. Does not check it: publishing calls `check_publishable` first."""
    return layout(render_html(content)).write_pdf()


# --- publishing checks ----------------------------------------------------------------------

def check_publishable(content: LeafletContent) -> list[str]:
    """Why this leaflet must not be published, one English sentence per problem; empty when
    it can be: every character has a glyph in the leaflet font, and the text fits the format."""
    return render_for_publishing(content)[1]


def render_for_publishing(content: LeafletContent) -> tuple[bytes | None, list[str]]:
    """The PDF and no problems, or no PDF and the problems: one layout serves both."""
    view = _view(content)
    problems = _missing_glyphs(content, view)
    document = layout(_render(view))
    pages, allowed = len(document.pages), MAX_PAGES[content.page_format]
    if pages > allowed:
        sheet = "a folded A4 sheet" if content.page_format == "A5" else "one A4 sheet"
        problems.append(f"The text needs {pages} {content.page_format} pages, but {sheet} holds "
                        f"at most {allowed}; shorten it or split it into two leaflets.")
    return (None, problems) if problems else (document.write_pdf(), [])


def _missing_glyphs(content: LeafletContent, view: dict[str, Any]) -> list[str]:
    resolved = {style: _resolve_font(style) for style in FONT_STYLES}
    problems = [f'The font "{FONT_FAMILY} {style}" is not installed (fontconfig gives '
                f'"{path}"); install fonts-noto-core.' for style, (family, path) in resolved.items()
                if family != FONT_FAMILY]
    faces = {style: path for style, (family, path) in resolved.items() if family == FONT_FAMILY}
    seen: set[str] = set()
    for where, text in _texts(content, view):
        for char in text:
            if char in seen or unicodedata.category(char) in {"Cc", "Cf", "Zs", "Zl", "Zp"}:
                continue
            seen.add(char)
            lacking = [style for style, path in faces.items()
                       if ord(char) not in _coverage(path)]
            if lacking:
                name = unicodedata.name(char, "unnamed character")
                hint = _REPLACEMENTS.get(char, "replace or remove it")
                problems.append(
                    f'The character "{char}" (U+{ord(char):04X} {name}) in the {where} has no '
                    f'glyph in {" and ".join(f"{FONT_FAMILY} {s}" for s in lacking)}; {hint}.')
    return problems


def _texts(content: LeafletContent, view: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """Every piece of text the leaflet prints, with where it comes from."""
    yield "title", content.title
    yield "notice", content.notice or ""
    yield "body", content.body
    for citation, summary in content.provisions:
        yield "provisions", citation + summary
    yield "office name", content.office_name
    yield "office address", content.office_address or ""
    yield "hotline numbers", "".join(view["hotlines"])
    yield "version label", content.version_label
    yield "issue date", view["issued"]
    yield "verification code", content.verify_code
    yield "verification URL", content.verify_url
    yield "labels", "".join(view["labels"][key] for key in DEFAULT_LABELS)


@cache
def _resolve_font(style: str) -> tuple[str, str]:
    """(family, file) that fontconfig gives for FONT_FAMILY in `style`, the way Pango asks."""
    # WeasyPrint's own cffi bindings to libfontconfig: no fc-match binary needed at run time.
    from weasyprint.text.ffi import ffi, fontconfig

    pattern = fontconfig.FcPatternCreate()
    try:
        fontconfig.FcPatternAddString(pattern, b"family", FONT_FAMILY.encode())
        fontconfig.FcPatternAddString(pattern, b"style", style.encode())
        fontconfig.FcConfigSubstitute(ffi.NULL, pattern, fontconfig.FcMatchPattern)
        fontconfig.FcDefaultSubstitute(pattern)
        match = fontconfig.FcFontMatch(ffi.NULL, pattern, ffi.new("FcResult *"))
        if match == ffi.NULL:
            return "", "no font at all"
        try:
            found = {}
            for key in (b"family", b"file"):
                value = ffi.new("FcChar8 **")
                fontconfig.FcPatternGetString(match, key, 0, value)
                found[key] = ffi.string(value[0]).decode() if value[0] != ffi.NULL else ""
        finally:
            fontconfig.FcPatternDestroy(match)
    finally:
        fontconfig.FcPatternDestroy(pattern)
    return found[b"family"], found[b"file"]


@cache
def _coverage(path: str) -> frozenset[int]:
    with TTFont(path, lazy=True) as font:
        return frozenset(font.getBestCmap())
