"""Two pages side by side on one sheet: a report printed two pages to a sheet, or a bound report
scanned open on an A3 glass.

Read as one page, the two pages' lines interleaved and table 3, continued from the left page on the
right one, lost its rows. Each half of such a sheet is now laid out as a page (readers.sheet)."""
from __future__ import annotations

import json

import numpy as np
import pymupdf
import pytest

from extraction.grid import Segment, Word
from extraction.pipeline import extract
from extraction.readers.sheet import pages_on_sheet
from tests.shared_data import load_scorer
from tests.synth.form import build_report, synth_answers
from tests.synth.pdf_report import render_pdf, two_up
from tests.synth.scan import scan_pages, scan_pdf, scan_tiff, style_for

SEED = 24001


def _report(seed: int):
    return build_report(synth_answers(seed), seed=seed)


def _scored(result, answer: dict) -> dict:
    return load_scorer().score_doc({"fields": answer}, json.loads(result.model_dump_json()), 0.9)


@pytest.mark.parametrize("sheet", ["a4", "a3"])
def test_a_text_pdf_printed_two_pages_to_a_sheet_reads_as_its_pages(sheet):
    report = _report(SEED)
    result = extract(two_up(render_pdf(report), sheet), "two-up.pdf")
    s = _scored(result, report.answer)
    assert s["silent"] == 0, s["wrong"]
    assert s["right"] == s["fields"], s["wrong"]
    assert any("two pages side by side" in w for w in result.warnings)
    assert not any(w.startswith("table 3: rows not found") for w in result.warnings)


def test_a_field_on_the_right_hand_page_is_shown_where_it_stands_on_the_sheet():
    report = _report(SEED)
    result = extract(two_up(render_pdf(report), "a3"), "two-up.pdf")
    # each half was laid out from x = 0; the boxes given back are the sheet's
    lefts = [f.bbox[0] for f in result.fields.values() if f.bbox]
    assert any(x > 1190.55 / 2 for x in lefts) and any(x < 1190.55 / 2 for x in lefts)
    assert all(0 <= x < 1190.55 for x in lefts)


def test_a_scanned_spread_turned_on_its_side_reads_as_its_pages():
    # sheets scanned open, the first fed sideways: the reader turns it upright, then cuts it
    report = _report(24100)
    pdf = render_pdf(report)
    style = style_for(24100, dpi=150, tilt=0.4, turned=(1,))
    sheets = scan_pages(two_up(pdf, "a3"), 24100, style)
    result = extract(scan_tiff(sheets, style.dpi), "spread.tif")
    s = _scored(result, report.answer)
    assert s["silent"] == 0, s["wrong"]
    assert s["right"] >= 0.97 * s["fields"], s["wrong"]
    full_sheets = len(pymupdf.open(stream=pdf, filetype="pdf")) // 2
    assert sum("two pages side by side" in w for w in result.warnings) == full_sheets
    assert any(w.startswith("page 1 was turned") for w in result.warnings)


def test_a_photographed_two_up_sheet_in_a_pdf_reads_as_its_pages():
    # a phone's scanning app: the sheet cut out of its photo is fitted into the photo's page, and
    # the band around it, once white, drew the sheet's edge across both pages as a ruling
    report = _report(24403)
    style = style_for(24403, dpi=200, photo=True)
    sheets = scan_pages(two_up(render_pdf(report), "a4"), 24403, style)
    result = extract(scan_pdf(sheets, style.dpi), "photos.pdf")
    s = _scored(result, report.answer)
    assert any("photographed page" in w for w in result.warnings)
    assert any(w.startswith("page 1: it holds two pages side by side") for w in result.warnings)
    assert s["silent"] == 0, s["wrong"]
    assert s["right"] >= 0.97 * s["fields"], s["wrong"]


def _words_in_rows(xs_texts: list[tuple[float, str]], rows: int, width: float = 10.0) -> list[Word]:
    return [Word(text, (x, 60 + 20 * r, x + max(width, 10.5 * len(text)), 72 + 20 * r))
            for r in range(rows) for x, text in xs_texts]


def test_a_landscape_table_with_a_free_band_between_its_columns_is_one_page():
    # a wide table that lost its rulings: labels on the left, short numbers right of a wide gap
    # down the middle; the right side has no page's long lines, so the sheet is not cut
    words = _words_in_rows([(40, "（二）部分公开（区分处理的，只计这一情形）"), (300, "31"), (520, "12"), (620, "3"),
                            (720, "15")], rows=20)
    parts = pages_on_sheet(842, 595, words, [], [])
    assert len(parts) == 1 and parts[0].left == 0


def test_two_pages_of_paragraphs_and_a_ruled_table_are_cut_between_them():
    left = _words_in_rows([(40, "根据《中华人民共和国政府信息公开条例》规定编制本报告")], rows=20, width=340)
    right = _words_in_rows([(460, "收到和处理政府信息公开申请情况")], rows=3)
    rulings = [Segment(450, 200 + 20 * k, 800, 200 + 20 * k) for k in range(8)]
    columns = [Segment(x, 200, x, 340) for x in (450, 600, 800)] + [Segment(421, 40, 421, 560)]  # a fold
    parts = pages_on_sheet(842, 595, left + right, rulings, columns)
    assert [p.left for p in parts] == [0.0, 421.0]
    assert len(parts[0].words) == 20 and len(parts[1].words) == 3
    assert parts[1].h_lines[0].x0 == pytest.approx(450 - 421)
    assert len(parts[1].v_lines) == 3  # the fold down the gutter is neither page's


def test_a_portrait_page_is_never_cut():
    words = _words_in_rows([(40, "一、本年新收"), (400, "根据《中华人民共和国政府信息公开条例》")], rows=30, width=150)
    assert len(pages_on_sheet(595, 842, words, [], [])) == 1
    assert np.isclose(pages_on_sheet(595, 842, words, [], [])[0].width, 595)


def test_half_a_seal_stamped_across_the_gutter_does_not_keep_the_pages_together():
    """A seal stamped across the two pages' edges (骑缝章), half on each: OCR reads a character or
    two of it and short pieces of its ring in the gutter. The pages are still cut apart; a table's
    short figures across the middle, row after row (more marks than a seal leaves), still keep the
    sheet whole."""
    left = _words_in_rows([(40, "根据《中华人民共和国政府信息公开条例》规定编制本报告")], rows=20, width=340)
    right = _words_in_rows([(460, "收到和处理政府信息公开申请情况根据《中华人民共和国》")], rows=20, width=340)
    seal = [Word("政务公", (386, 300, 416, 312)), Word("道", (420, 330, 438, 342)), Word("7", (440, 360, 454, 372))]
    ring = [Segment(384, 290, 416, 290), Segment(424, 380, 456, 380)]
    parts = pages_on_sheet(842, 595, left + right + seal, ring, [])
    assert [p.left for p in parts] == [0.0, 421.0]
    figures = _words_in_rows([(382, "12"), (402, "12"), (422, "12"), (442, "12")], rows=12)
    assert len(pages_on_sheet(842, 595, left + right + figures, [], [])) == 1


def test_the_pages_own_edges_against_a_scanners_black_border_are_no_rulings_across_the_gutter():
    """A two-up sheet scanned with black borders: each page's top and bottom edges show as dark
    lines from the sheet's edge to about its middle, the left one reaching past the gutter a
    little where the page lies askew. They are the paper's edges, not a table's rulings across
    the middle: the sheet is still cut. A ruling across the middle from margin to margin still
    keeps it whole."""
    left = _words_in_rows([(40, "根据《中华人民共和国政府信息公开条例》规定编制本报告")], rows=20, width=340)
    right = _words_in_rows([(460, "收到和处理政府信息公开申请情况根据《中华人民共和国》")], rows=20, width=340)
    edges = [Segment(3, 20, 424, 20), Segment(418, 22, 839, 22), Segment(14, 575, 423, 575)]
    assert [p.left for p in pages_on_sheet(842, 595, left + right, edges, [])] == [0.0, 421.0]
    ruling = [Segment(36, 300, 806, 300)]
    assert len(pages_on_sheet(842, 595, left + right, edges + ruling, [])) == 1
