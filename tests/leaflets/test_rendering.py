"""Leaflet rendering without the app: every alphabet reaches the PDF with real glyphs and
comes back out as the same text, the page format holds, publishing is refused for missing
glyphs and overflow, the URL fetcher serves nothing but the leaflet's own files, and the QR
code carries the verification URL."""

from __future__ import annotations

import dataclasses
import io
import logging
import re
import shutil
import socket
import subprocess
from datetime import date
from pathlib import Path

import pytest
import segno
from fontTools.ttLib import TTFont
from PIL import Image
from pypdf import PdfReader

from migrantdesk.leaflets import rendering
from migrantdesk.leaflets.rendering import LeafletContent

RUSSIAN = "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ"
# Each language's alphabet in its own order (languages.md lists the letters beyond Russian
# or basic Latin). Uzbek Latin letters are written with U+02BB; U+02BC marks the glottal stop.
ALPHABETS = {
    "ru": list(RUSSIAN),
    "ky": list(RUSSIAN) + ["Ң", "Ө", "Ү"],
    "kk": list(RUSSIAN) + ["Ә", "Ғ", "Қ", "Ң", "Ө", "Ұ", "Ү", "Һ", "І"],
    "uz-Cyrl": [c for c in RUSSIAN if c not in "ЩЫ"] + ["Ў", "Қ", "Ғ", "Ҳ"],
    "tg": [c for c in RUSSIAN if c not in "ЦЩЫЬ"] + ["Ғ", "Ӣ", "Қ", "Ӯ", "Ҳ", "Ҷ"],
    "uz-Latn": list("ABDEFGHIJKLMNOPQRSTUVXYZ") + ["Oʻ", "Gʻ", "Sh", "Ch", "Ng", "ʼ"],
    "tk": list("ABÇDEÄFGHIJŽKLMNŇOÖPRSŞTUÜWYÝZ"),
    "en": list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
}
A5 = (419.53, 595.28)
A4 = (595.28, 841.89)


def leaflet(**changes) -> LeafletContent:
    content = LeafletContent(
        language="ru", title="Мобилизация: что нужно знать",
        body="Ничего не подписывайте.\n\n- Позвоните на горячую линию.\n- Сохраните повестку.",
        provisions=(("Уголовный кодекс КР, ст. 256", "Участие в военных действиях за рубежом."),),
        office_name="Генеральное консульство Кыргызской Республики",
        office_address="Москва, ул. Большая Ордынка, 64", hotline_numbers=("+996700123456",),
        version_label="KG-RU-MOBILISATION v2", issued_on=date(2026, 11, 23),
        verify_url="https://migrantdesk.example.org/v/K7M2QX9P", verify_code="K7M2QX9P")
    return dataclasses.replace(content, **changes)


def alphabet_leaflet(language: str, page_format: str = "A5") -> LeafletContent:
    """Title: the upper-case alphabet; body: lower case, as paragraphs and bullets, in words
    of five letters so that no word is long enough to be broken across lines."""
    letters = ALPHABETS[language]
    words = ["".join(letters[i:i + 5]) for i in range(0, len(letters), 5)]
    lower = [word.lower() for word in words]
    body = (" ".join(lower) + "\n\n" + "\n".join(f"- {word} {word.upper()}" for word in lower)
            + "\n\n" + " ".join(reversed(words)))
    return leaflet(language=language, title=" ".join(words), body=body, provisions=(),
                   page_format=page_format)


def poppler(tool: str) -> str:
    path = shutil.which(tool)
    assert path is not None, f"{tool} is missing: apt-get install poppler-utils"
    return path


def pdftotext(pdf: bytes, tmp_path: Path, *pages: str) -> str:
    path = tmp_path / "leaflet.pdf"
    path.write_bytes(pdf)
    return subprocess.run([poppler("pdftotext"), "-layout", *pages, str(path), "-"],
                          capture_output=True, check=True, text=True).stdout


def embedded_fonts(pdf: bytes) -> dict[str, TTFont]:
    """The font programs embedded in the PDF, by base font name."""
    fonts = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for reference in page["/Resources"]["/Font"].values():
            font = reference.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            for key in ("/FontFile2", "/FontFile3"):
                if key in descriptor:
                    data = descriptor[key].get_object().get_data()
                    fonts[str(font["/BaseFont"])] = TTFont(io.BytesIO(data))
    return fonts


def has_glyph(font: TTFont, char: str) -> bool:
    name = font.getBestCmap().get(ord(char))
    if name is None or name == ".notdef":
        return False
    return "glyf" not in font or font["glyf"][name].numberOfContours != 0


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    return [(float(page.mediabox.width), float(page.mediabox.height))
            for page in PdfReader(io.BytesIO(pdf)).pages]


# --- every language ---------------------------------------------------------------------------

@pytest.mark.parametrize("language", list(ALPHABETS))
def test_every_letter_of_the_alphabet_is_embedded_with_a_real_glyph(language):
    content = alphabet_leaflet(language)
    fonts = embedded_fonts(rendering.render_pdf(content))

    assert fonts and all("Noto-Sans" in name for name in fonts), sorted(fonts)
    text = {char for char in content.title + content.body if not char.isspace()}
    missing = sorted(char for char in text
                     if not any(has_glyph(font, char) for font in fonts.values()))
    assert missing == []


@pytest.mark.parametrize("language", list(ALPHABETS))
def test_text_extracted_from_the_pdf_is_the_text_rendered(language, tmp_path):
    content = alphabet_leaflet(language)
    extracted = pdftotext(rendering.render_pdf(content), tmp_path)

    assert " ".join(content.title.split()) in " ".join(extracted.split())
    words = set(extracted.split())
    body_words = {word for word in content.body.split() if word != "-"}
    assert sorted(body_words - words) == []


@pytest.mark.parametrize(("page_format", "size"), [("A5", A5), ("A4", A4)])
def test_pages_have_the_size_of_the_format(page_format, size):
    sizes = page_sizes(rendering.render_pdf(alphabet_leaflet("kk", page_format)))

    assert sizes
    for width, height in sizes:
        assert width == pytest.approx(size[0], abs=1)
        assert height == pytest.approx(size[1], abs=1)


def test_html_carries_the_language_tag_and_escapes_the_text():
    html = rendering.render_html(leaflet(language="uz-Latn", title="<b>Oʻz</b> & Gʻ"))

    assert '<html lang="uz-Latn" dir="ltr">' in html
    assert "&lt;b&gt;Oʻz&lt;/b&gt; &amp; Gʻ" in html


def test_blank_lines_make_paragraphs_and_dashes_make_bullets():
    html = rendering.render_html(leaflet(
        body="Первый абзац\nпродолжается.\n\nВторой абзац:\n- пункт один\n  и его конец\n"
             "- пункт два\n\nТретий."))

    assert "<p>Первый абзац продолжается.</p>" in html
    assert "<p>Второй абзац:</p>" in html
    main = html[html.index("<main>"):html.index("</main>")]
    assert re.findall(r"<li>(.*?)</li>", main) == ["пункт один и его конец", "пункт два"]
    assert "<p>Третий.</p>" in html


def test_footer_shows_readable_hotlines_the_issue_date_and_version(tmp_path):
    content = leaflet(hotline_numbers=("+996700123456", "+74951234567"))
    extracted = " ".join(pdftotext(rendering.render_pdf(content), tmp_path).split())

    assert "+996 700 123 456" in extracted
    assert "+7 495 123-45-67" in extracted
    assert "23 ноября 2026 г." in extracted
    assert "KG-RU-MOBILISATION v2" in extracted


def test_contacts_and_qr_code_stay_together_on_the_last_page(tmp_path):
    paragraph = "Ничего не подписывайте. Позвоните на горячую линию, если вам вручили повестку."
    for count in (14, 24):  # the contacts block fits after the text / is pushed to a new page
        content = leaflet(body="\n\n".join([paragraph] * count))
        pdf = rendering.render_pdf(content)
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        last = pdftotext(pdf, tmp_path, "-f", str(pages)).split()

        assert pages > 1
        assert {"+996", content.verify_code, content.verify_url} <= set(last)


def test_missing_labels_fall_back_to_english_and_given_labels_are_used(tmp_path):
    extracted = " ".join(pdftotext(rendering.render_pdf(
        leaflet(labels={"hotline": "Горячая линия"})), tmp_path).split())

    assert "Горячая линия" in extracted
    assert "What the law says" in extracted


def test_unknown_page_format_is_rejected():
    with pytest.raises(ValueError, match="A3"):
        leaflet(page_format="A3")


# --- publishing checks ----------------------------------------------------------------------

def test_a_normal_leaflet_is_publishable():
    assert rendering.check_publishable(leaflet()) == []


def test_som_sign_refuses_publishing_and_names_the_character():
    problems = rendering.check_publishable(leaflet(body="Штраф: 5000 \u20c0."))

    assert len(problems) == 1
    assert "U+20C0" in problems[0] and "SOM SIGN" in problems[0] and "body" in problems[0]
    assert '"сом"' in problems[0]


def test_a_character_only_a_fallback_font_has_refuses_publishing():
    # DejaVu Sans would draw the arrow, but the leaflet would then mix two typefaces.
    problems = rendering.check_publishable(leaflet(title="Консульство \u2192 горячая линия"))

    assert len(problems) == 1
    assert "U+2192 RIGHTWARDS ARROW" in problems[0] and "title" in problems[0]


@pytest.mark.parametrize("page_format", ["A5", "A4"])
def test_overflowing_text_refuses_publishing_and_names_the_page_count(page_format):
    content = leaflet(body="\n\n".join(["Ничего не подписывайте без консульства."] * 300),
                      page_format=page_format)
    pages = len(rendering.layout(rendering.render_html(content)).pages)

    problems = rendering.check_publishable(content)

    assert pages > rendering.MAX_PAGES[page_format]
    assert problems == [problem for problem in problems if f"{pages} {page_format} pages" in
                        problem]
    assert len(problems) == 1


def test_a_leaflet_filling_the_four_a5_pages_is_still_publishable():
    content = leaflet(body="\n\n".join(["Ничего не подписывайте без консульства."] * 40))

    assert 1 < len(rendering.layout(rendering.render_html(content)).pages) <= 4
    assert rendering.check_publishable(content) == []


# --- URL fetcher ----------------------------------------------------------------------------

@pytest.fixture
def no_network(monkeypatch):
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise AssertionError("a leaflet render tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


def test_remote_image_is_refused_and_left_out_without_network(no_network, caplog):
    html = ('<html><body><p>Текст</p><img src="http://example.org/x.png">'
            '<img src="file:///etc/hostname"></body></html>')

    with caplog.at_level(logging.WARNING):
        pdf = rendering.layout(html).write_pdf()

    assert pdf.startswith(b"%PDF")
    refused = [record.getMessage() for record in caplog.records
               if record.name == rendering.__name__]
    assert refused == ["Leaflet rendering refused to fetch http://example.org/x.png",
                       "Leaflet rendering refused to fetch file:///etc/hostname"]
    assert no_network == []


def test_fetcher_serves_only_the_leaflets_own_files_and_data_uris():
    fetcher = rendering.URL_FETCHER
    css = rendering.ASSET_DIR / "leaflet.css"
    escape = rendering.ASSET_DIR.as_uri() + "/../../pyproject.toml"

    assert fetcher.fetch(css.as_uri()).read() == css.read_bytes()
    assert fetcher.fetch("data:text/plain,ok").read() == b"ok"
    for url in ("http://example.org/x.png", "https://example.org/", "ftp://example.org/x",
                "file:///etc/passwd", escape):
        with pytest.raises(rendering.AssetRefused):
            fetcher.fetch(url)


def test_a_leaflet_render_fetches_nothing(monkeypatch):
    asked = []
    monkeypatch.setattr(rendering.LeafletAssetFetcher, "fetch",
                        lambda self, url, headers=None: asked.append(url))

    rendering.render_pdf(leaflet())

    assert asked == []


# --- QR code --------------------------------------------------------------------------------

def modules_of_segno_path(svg: str) -> set[tuple[int, int]]:
    """Dark modules (column, row) drawn by segno's single-path SVG: M/m move, h draws a run
    along the row whose centre line is y."""
    path = re.search(r'<path[^>]* d="([^"]+)"', svg)
    assert path is not None
    x = y = 0.0
    dark = set()
    for command, numbers in re.findall(r"([Mmh])([-\d. ]+)", path.group(1)):
        values = [float(n) for n in numbers.split()]
        if command == "M":
            x, y = values
        elif command == "m":
            x, y = x + values[0], y + values[1]
        else:
            dark |= {(int(x + i), int(y)) for i in range(int(values[0]))}
            x += values[0]
    return dark


def expected_modules(url: str, border: int = 4) -> set[tuple[int, int]]:
    matrix = segno.make(url, error="m", micro=False).matrix
    return {(column + border, row + border) for row, line in enumerate(matrix)
            for column, module in enumerate(line) if module}


def test_qr_code_in_the_html_encodes_the_verification_url():
    content = leaflet()
    html = rendering.render_html(content)

    svg = re.search(r"<svg.*?</svg>", html, re.S)
    assert svg is not None
    assert modules_of_segno_path(svg.group(0)) == expected_modules(content.verify_url)


def test_qr_code_is_printed_module_for_module(tmp_path):
    """Rasterise the QR code as WeasyPrint draws it (1 mm per module, 10 px per mm) and
    read every module back at its centre."""
    url = leaflet().verify_url
    svg = rendering._qr_svg(url)
    size = 8 + len(segno.make(url, error="m", micro=False).matrix)
    html = (f"<style>@page {{ size: {size}mm; margin: 0 }} body {{ margin: 0 }} "
            f"svg {{ display: block; width: {size}mm; height: {size}mm }}</style>{svg}")
    (tmp_path / "qr.pdf").write_bytes(rendering.layout(html).write_pdf())
    subprocess.run([poppler("pdftoppm"), "-r", "254", "-gray", "-singlefile",
                    str(tmp_path / "qr.pdf"), str(tmp_path / "qr")], check=True)
    image = Image.open(tmp_path / "qr.pgm")

    dark = {(column, row) for row in range(size) for column in range(size)
            if image.getpixel((column * 10 + 5, row * 10 + 5)) < 128}
    assert dark == expected_modules(url)


def test_verification_url_and_code_are_printed(tmp_path):
    content = leaflet()
    words = pdftotext(rendering.render_pdf(content), tmp_path).split()

    assert content.verify_url in words
    assert content.verify_code in words
