"""Leaflet rendering (`migrantdesk.leaflets.rendering.render_pdf`) against bare, warm
WeasyPrint rendering the same HTML, and process memory over many renders.

Targets (issue 4): render_pdf / bare WeasyPrint ≤ 1.10 (median) for a 2-page A5 leaflet;
RSS growth < 20 MB over 500 renders after a warm-up.

- One process, one `FontConfiguration` (the module's) for both sides, so both use the same
  fonts and the same warm font caches.
- Every round gets a new verification code, as a publication does, so nothing of the
  leaflet can be cached between rounds. The baseline's HTML for that round is made by
  `render_html` before the clock starts; the API side pays for everything render_pdf does
  (Jinja, phone and date formatting, the QR code, the URL fetcher, WeasyPrint).
  Each round checks that both sides got the same HTML and wrote byte-identical PDFs.
- Alternating rounds: the side that goes first alternates. Warm-up rounds are not counted.
- Memory: resident set size from /proc/self/statm after `gc.collect()`, before and after
  N render_pdf calls, sampled every 100 renders.

    .venv/bin/python -m benchmarks.leaflet_render [--rounds 200] [--warmup 20]
        [--renders 500] [--json PATH]
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from importlib import metadata

import weasyprint

from migrantdesk.leaflets import rendering
from migrantdesk.leaflets.rendering import LeafletContent

PARAGRAPH = ("Если вам вручили повестку или предлагают подписать контракт, ничего не "
             "подписывайте, пока не поговорите с консульством. Участие в военных действиях "
             "за рубежом наказуемо по уголовному кодексу вашей страны.")


def two_page_leaflet(paragraphs: int = 12) -> LeafletContent:
    body = "\n\n".join([PARAGRAPH] * paragraphs + [
        "- Позвоните на горячую линию консульства.\n- Сохраните копию документов.\n"
        "- Не передавайте паспорт работодателю."])
    content = LeafletContent(
        language="ky", title="Мобилизация: мыйзам эмне дейт",
        body=body, provisions=(
            ("Кыргыз Республикасынын Кылмыш-жаза кодекси, 256-берене",
             "Чет өлкөдөгү куралдуу кагылышууларга катышуу."),
            ("Уголовный кодекс КР, ст. 256", "Участие в военных действиях за рубежом.")),
        office_name="Кыргыз Республикасынын Москвадагы Башкы консулдугу",
        office_address="Москва, ул. Большая Ордынка, 64",
        hotline_numbers=("+996700123456", "+74951234567"),
        version_label="KG-RU-MOBILISATION v2", issued_on=date(2026, 11, 23),
        verify_url="https://migrantdesk.example.org/v/BENCH000", verify_code="BENCH000",
        labels={"hotline": "Ишеним телефону", "law": "Мыйзам эмне дейт"})
    return content


def with_code(content: LeafletContent, number: int) -> LeafletContent:
    code = f"B{number:07d}"
    return dataclasses.replace(content, verify_code=code,
                               verify_url=f"https://migrantdesk.example.org/v/{code}")


def bare(html: str) -> bytes:
    return weasyprint.HTML(string=html).write_pdf(font_config=rendering.FONT_CONFIG)


def timed(call: Callable[[], bytes]) -> tuple[float, bytes]:
    start = time.perf_counter_ns()
    pdf = call()
    return (time.perf_counter_ns() - start) / 1e6, pdf


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, -(-len(ordered) * 95 // 100) - 1)]  # nearest rank


def compare(content: LeafletContent, rounds: int, warmup: int) -> dict[str, object]:
    samples: dict[str, list[float]] = {"render_pdf": [], "bare": []}
    sizes: dict[str, set[int]] = {"render_pdf": set(), "bare": set()}
    for number in range(warmup + rounds):
        leaflet = with_code(content, number)
        html = rendering.render_html(leaflet)
        sides = {"render_pdf": lambda leaflet=leaflet: rendering.render_pdf(leaflet),
                 "bare": lambda html=html: bare(html)}
        order = ["render_pdf", "bare"] if number % 2 == 0 else ["bare", "render_pdf"]
        pdfs = {}
        for side in order:
            milliseconds, pdfs[side] = timed(sides[side])
            if number >= warmup:
                samples[side].append(milliseconds)
                sizes[side].add(len(pdfs[side]))
        # Same work, checked: one HTML in, the same PDF bytes out (WeasyPrint is
        # deterministic for a given HTML and set of fonts).
        assert rendering.render_html(leaflet) == html, "the two sides must render one HTML"
        assert pdfs["render_pdf"] == pdfs["bare"], "the two sides made different PDFs"
    result: dict[str, object] = {}
    for side, values in samples.items():
        result[side] = {"median_ms": statistics.median(values), "p95_ms": p95(values),
                        "mean_ms": statistics.fmean(values),
                        "pdf_bytes": sorted(sizes[side])}
    ours, theirs = samples["render_pdf"], samples["bare"]
    result["ratio_median"] = statistics.median(ours) / statistics.median(theirs)
    result["ratio_p95"] = p95(ours) / p95(theirs)
    return result


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        resident_pages = int(statm.read().split()[1])
    return resident_pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def memory(content: LeafletContent, renders: int, warmup: int) -> dict[str, object]:
    for number in range(warmup):
        rendering.render_pdf(with_code(content, 10**6 + number))
    gc.collect()
    before = rss_mb()
    trace = []
    for number in range(renders):
        rendering.render_pdf(with_code(content, 2 * 10**6 + number))
        if (number + 1) % 100 == 0:
            gc.collect()
            trace.append(round(rss_mb() - before, 1))
    gc.collect()
    after = rss_mb()
    return {"renders": renders, "warmup": warmup, "rss_before_mb": round(before, 1),
            "rss_after_mb": round(after, 1), "growth_mb": round(after - before, 1),
            "growth_every_100_mb": trace}


def environment() -> dict[str, str]:
    from weasyprint.text.ffi import harfbuzz_subset, pango

    pango_version = pango.pango_version()
    versions = {name: metadata.version(name)
                for name in ("weasyprint", "pydyf", "segno", "fonttools", "jinja2")}
    return {"python": platform.python_version(), "platform": platform.platform(),
            "cpus": str(os.cpu_count()),
            "pango": f"{pango_version // 10000}.{pango_version // 100 % 100}.{pango_version % 100}",
            "font subsetting": "HarfBuzz" if harfbuzz_subset else "fontTools",
            "fonts": ", ".join(f"{style}: {rendering._resolve_font(style)[1]}"
                               for style in rendering.FONT_STYLES),
            **versions}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--renders", type=int, default=500)
    parser.add_argument("--json", help="write the figures to this path ('-' for stdout)")
    options = parser.parse_args()

    content = two_page_leaflet()
    pages = len(rendering.layout(rendering.render_html(content)).pages)
    if pages != 2:
        sys.exit(f"the benchmark leaflet should take 2 A5 pages, it takes {pages}")
    report = {"environment": environment(),
              "leaflet": {"format": content.page_format, "pages": pages,
                          "language": content.language,
                          "html_chars": len(rendering.render_html(content))},
              "timing": compare(content, options.rounds, options.warmup),
              "memory": memory(content, options.renders, options.warmup)}

    print("Leaflet rendering benchmark")
    for key, value in report["environment"].items():
        print(f"  {key}: {value}")
    leaflet = report["leaflet"]
    print(f"\nLeaflet: {leaflet['pages']} {leaflet['format']} pages, {leaflet['language']}, "
          f"{leaflet['html_chars']} chars of HTML; {options.rounds} rounds per side after "
          f"{options.warmup} warm-up rounds")
    timing = report["timing"]
    print(f"  {'side':<12}{'median ms':>11}{'p95 ms':>9}{'mean ms':>9}  PDF bytes")
    for side in ("render_pdf", "bare"):
        figures = timing[side]
        print(f"  {side:<12}{figures['median_ms']:>11.2f}{figures['p95_ms']:>9.2f}"
              f"{figures['mean_ms']:>9.2f}  {min(figures['pdf_bytes'])}-"
              f"{max(figures['pdf_bytes'])}")
    print(f"  ratio render_pdf/bare: median {timing['ratio_median']:.3f}, "
          f"p95 {timing['ratio_p95']:.3f} (target median <= 1.10: "
          f"{'met' if timing['ratio_median'] <= 1.10 else 'missed'})")
    mem = report["memory"]
    print(f"\nMemory: RSS {mem['rss_before_mb']} -> {mem['rss_after_mb']} MB over "
          f"{mem['renders']} renders after {mem['warmup']} warm-up renders: growth "
          f"{mem['growth_mb']} MB (target < 20: {'met' if mem['growth_mb'] < 20 else 'missed'})"
          f"; growth after every 100 renders: {mem['growth_every_100_mb']} MB")
    if options.json:
        text = json.dumps(report, indent=2, default=str)
        if options.json == "-":
            print(text)
        else:
            with open(options.json, "w") as output:
                output.write(text)


if __name__ == "__main__":
    main()
