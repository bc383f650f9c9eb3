"""The benchmark corpus: synthetic reports in each input kind, with their right answers.

Every document comes from one `tests.synth.form.Report`, so its answer is known exactly:
text-layer PDFs (tests.synth.pdf_report), scans of those PDFs at 150/200/300 dpi as image-only PDFs
(tests.synth.scan, upright pages so OCR time is not spent on rotation), and CMS web pages
(tests.synth.html_report).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SCAN_DPIS = (150, 200, 300)
KINDS = ("pdf-text", *(f"scan-{d}" for d in SCAN_DPIS), "html")


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
        pdf = pdf_report.render_pdf(report)
        n_pages = pymupdf.open(stream=pdf, filetype="pdf").page_count
        for kind in kinds:
            if kind == "pdf-text":
                docs.append(BenchDoc(kind, f"r{seed}.pdf", pdf, report.answer, n_pages))
            elif kind == "html":
                docs.append(BenchDoc(kind, f"r{seed}.html", html_report.render(report, seed=seed), report.answer, 1))
            elif kind.startswith("scan-"):
                dpi = int(kind.split("-")[1])
                style = scan.style_for(seed, dpi=dpi, turned=())
                pages = scan.scan_pages(pdf, seed, style)
                docs.append(BenchDoc(kind, f"r{seed}_{dpi}.pdf", scan.scan_pdf(pages, dpi), report.answer, len(pages)))
            else:
                raise ValueError(f"unknown kind {kind!r}")
    return docs
