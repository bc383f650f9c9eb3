"""camelot (lattice) as the benchmark's alternative on text-layer PDFs: a synthetic report drawn by
tests.synth.pdf_report goes through camelot, and its grids come back as our Tables with the
generator's own rows, columns, merged cells and text, on the right pages, with boxes in our
top-left page coordinates; the report then maps through our pipeline as the benchmark runs it.

camelot is in the bench extra (`pip install -e '.[bench]'`), not a project dependency; without it
this skips."""
from __future__ import annotations

import re
from functools import lru_cache

import pytest

pytest.importorskip("camelot", reason="camelot not installed: pip install -e '.[bench]'")

from bench.camelot_alt import camelot_tables  # noqa: E402
from extraction.model import Table  # noqa: E402

SEED = 100


@lru_cache(maxsize=1)
def _report_and_tables():
    from tests.synth import pdf_report
    from tests.synth.form import build_report, synth_answers

    report = build_report(synth_answers(SEED), seed=SEED)
    pdf = pdf_report.render_pdf(report)  # table 3 broken across pages 2 and 3, its header repeated
    return report, pdf, camelot_tables(pdf)


def _cells(t: Table) -> set[tuple]:
    # camelot breaks a cell's text into its printed lines; the generator has it unbroken
    return {(c.row, c.col, c.rowspan, c.colspan, re.sub(r"\s+", "", c.text)) for c in t.cells}


def _row_text(t: Table, r: int) -> str:
    return "".join(re.sub(r"\s+", "", c.text) for c in t.row_cells(r))


def _page_of(pdf: bytes, text: str) -> int:
    import pymupdf

    with pymupdf.open(stream=pdf, filetype="pdf") as doc:
        return next(p.number + 1 for p in doc if p.search_for(text))


def test_whole_tables_come_back_cell_for_cell_with_their_merged_cells():
    report, pdf, tables = _report_and_tables()
    t2, t4 = tables[0], tables[-1]  # drawn first and last
    for got, want in ((t2, report.tables["t2"]), (t4, report.tables["t4"])):
        assert (got.n_rows, got.n_cols) == (want.n_rows, want.n_cols)
        assert _cells(got) == _cells(want)
        assert any(c.colspan > 1 for c in got.cells) and got.origin == "camelot"
    assert any(c.rowspan > 1 for c in t4.cells)  # 结果维持 … over two header rows
    assert t2.page == _page_of(pdf, "第二十条第（一）项")
    assert t4.page == _page_of(pdf, "未经复议直接起诉")


def test_a_table_broken_across_pages_comes_back_as_two_tables_each_with_the_header():
    report, pdf, tables = _report_and_tables()
    t3 = report.tables["t3"]
    head = {c[:4] for c in _cells(t3) if c[0] < 3}  # three header rows, a 3 × 3 merged corner cell among them
    assert (0, 0, 3, 3) in head
    parts = tables[1:-1]
    assert [t.page for t in parts] == [2, 3]
    for part in parts:
        assert part.n_cols == t3.n_cols
        assert {c[:4] for c in _cells(part) if c[0] < 3} == head
        # The header's text, row by row. Not cell by cell: 商业企业 and 科研机构 sit in adjacent narrow
        # cells, the text layer has them as one line, and camelot (split_text=False, its default)
        # puts a line in one cell: "商业企业 科研机构" in the second, the first blank.
        for r in range(3):
            assert _row_text(part, r) == _row_text(t3, r)
    # every row of the form is in one part or the other, once (the header repeated in both)
    assert sum(p.n_rows for p in parts) == t3.n_rows + 3


def test_cell_boxes_are_top_left_page_coordinates():
    import pymupdf

    _, pdf, tables = _report_and_tables()
    checked = 0
    with pymupdf.open(stream=pdf, filetype="pdf") as doc:
        for t in tables:
            page = doc[t.page - 1]
            for c in t.cells:
                if len(c.text) < 2 or "\n" in c.text:
                    continue
                x0, y0, x1, y1 = c.bbox
                hits = page.search_for(c.text)  # PyMuPDF: top-left origin, like our Cell.bbox
                assert any(x0 <= (h.x0 + h.x1) / 2 <= x1 and y0 <= (h.y0 + h.y1) / 2 <= y1 for h in hits), c
                checked += 1
    assert checked > 50


def test_a_report_maps_through_our_pipeline():
    from bench.corpus import build_corpus
    from bench.run import CAMELOT, _run_one, summarise

    (doc,) = build_corpus(1, ("pdf-text",), first_seed=SEED)
    row = _run_one(CAMELOT, doc)
    assert row["error"] is None and row["timings_ms"]["recover_tables"] > 0
    result = summarise(CAMELOT, "pdf-text", {"rows": [row], "peak_rss_mib": 1}, {doc.name: doc.answer}, 0.9)
    assert result["fields"] == len(doc.answer)
    assert result["accuracy"] > 0.95 and result["silent"] == 0
