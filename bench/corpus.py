"""The benchmark corpus: synthetic reports in each input kind, with their right answers.

Every document comes from one `tests.synth.form.Report`, so its answer is known exactly:
text-layer PDFs (tests.synth.pdf_report, with a subset of their CJK font embedded, as a word
processor's PDF export writes them: PDFium, which img2table and camelot use, loses text set in a
non-embedded CJK font, bench/README.md), scans of those PDFs at 150/200/300 dpi as image-only PDFs
(tests.synth.scan, upright pages so OCR time is not spent on rotation), and CMS web pages
(tests.synth.html_report). "pdf-unruled" is the text-layer PDF with its tables' rulings lost (each
cell's text where the grid put it, no line drawn: `render_pdf(rulings="none")`), as converters and
printed web pages often leave them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SCAN_DPIS = (150, 200, 300)
TEXT_LAYER_KINDS = ("pdf-text", "pdf-unruled")
KINDS = (*TEXT_LAYER_KINDS, *(f"scan-{d}" for d in SCAN_DPIS), "html")


@dataclass
class BenchDoc:
    kind: str
    name: str
    data: bytes
    answer: dict[str, Any]  # canonical key -> right value (null = printed blank)
    pages: int


def build_corpus(reports: int, kinds: tuple[str, ...] = KINDS, first_seed: int = 100) -> list[BenchDoc]:
    import pymupdf

    from tests.synth import html_report, pdf_report, scan
    from tests.synth.form import build_report, synth_answers

    docs: list[BenchDoc] = []
    for seed in range(first_seed, first_seed + reports):
        report = build_report(synth_answers(seed), seed=seed)
        scan_source = None  # the PDF the scans print, as before the text kinds embedded their font
        for kind in kinds:
            if kind in TEXT_LAYER_KINDS:
                unruled = kind == "pdf-unruled"
                pdf = pdf_report.render_pdf(report, rulings="none" if unruled else "lines", embed_font=True)
                name = f"r{seed}_unruled.pdf" if unruled else f"r{seed}.pdf"
                docs.append(BenchDoc(kind, name, pdf, report.answer, pymupdf.open(stream=pdf, filetype="pdf").page_count))
            elif kind == "html":
                docs.append(BenchDoc(kind, f"r{seed}.html", html_report.render(report, seed=seed), report.answer, 1))
            elif kind.startswith("scan-"):
                scan_source = scan_source or pdf_report.render_pdf(report)
                dpi = int(kind.split("-")[1])
                style = scan.style_for(seed, dpi=dpi, turned=())
                pages = scan.scan_pages(scan_source, seed, style)
                docs.append(BenchDoc(kind, f"r{seed}_{dpi}.pdf", scan.scan_pdf(pages, dpi), report.answer, len(pages)))
            else:
                raise ValueError(f"unknown kind {kind!r}")
    return docs
