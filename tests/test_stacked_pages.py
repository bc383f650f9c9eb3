"""A report posted as one tall image of its pages, each scanned with its own skew.

Read as one page, one angle straightened one page and the others' tables lost their grid; the
image is now cut at the blank bands between its pages (extraction.scan.stacked)."""
from __future__ import annotations

import json

import cv2
import numpy as np
import pymupdf
import pytest

from extraction.pipeline import extract
from extraction.scan.stacked import stacked_parts
from tests.shared_data import load_scorer
from tests.synth.form import build_report, synth_answers
from tests.synth.pdf_report import render_pdf
from tests.synth.scan import leaning_apart

SEED = 23
DPI = 150
TILTS = (1.6, -1.3, 0.9)  # each page its own way, as pages scanned one by one


def _page(h: int, w: int, lines: list[tuple[int, int]], lean: float = 0.0) -> np.ndarray:
    """A blank page with a dark text-like bar across each (top, bottom) row span, turned `lean`
    degrees as a scanner feeds a sheet askew."""
    page = np.full((h, w), 245, np.uint8)
    for top, bottom in lines:
        page[top:bottom, w // 8:w - w // 8] = 20
    m = cv2.getRotationMatrix2D((w / 2, h / 2), lean, 1.0)
    return cv2.warpAffine(page, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=245)


def _lines(n: int, first: int = 150) -> list[tuple[int, int]]:
    return [(first + 40 * i, first + 15 + 40 * i) for i in range(n)]


def test_a_page_of_ordinary_shape_is_one_part():
    assert stacked_parts(_page(1754, 1240, _lines(30)), DPI) == [(0, 1754)]


def test_whole_sheets_stacked_are_cut_where_each_ends():
    # a running footer and the next page's header leave little paper between two pages: the
    # image's shape, three A4 sheets, tells where they part
    lines = [(40, 52)] + _lines(20) + [(1700, 1712)]
    tall = np.vstack([_page(1754, 1240, lines, lean) for lean in (0.0, 1.0, -1.0)])
    assert stacked_parts(tall, DPI) == [(0, 1754), (1754, 3508), (3508, 5262)]


def test_a_sheet_shaped_image_with_print_across_the_seams_is_not_cut_there():
    # a long screenshot three sheets tall by chance, its lines running on over where sheets
    # would part: no page ends there, and nothing leans, so it is read whole
    tall = _page(5262, 1240, [(30 + 36 * i, 46 + 36 * i) for i in range(145)])
    assert stacked_parts(tall, DPI) == [(0, 5262)]


def test_pages_cut_to_their_print_and_leaning_apart_are_cut_in_the_gaps_between_them():
    heights, counts, leans = (1500, 1650, 900), (30, 36, 12), (1.5, -1.0, 0.5)
    tall = np.vstack([_page(h, 1240, _lines(n), lean) for h, n, lean in zip(heights, counts, leans)])
    parts = stacked_parts(tall, DPI)
    assert len(parts) == 3
    assert parts[0][0] == 0 and parts[-1][1] == tall.shape[0]
    top = 0
    for (_, cut), h, n in zip(parts, heights, counts):
        # in the blank band from the page's last line to the next page's first
        assert top + 165 + 40 * (n - 1) <= cut <= top + h + 150
        top += h


def test_pages_leaning_alike_are_read_whole():
    # a long screenshot: section gaps of an inch, nothing askew; the layout keeps each page's
    # header and footer where it expects them
    tall = np.vstack([_page(h, 1240, _lines(n)) for h, n in zip((1500, 1650, 900), (30, 36, 12))])
    assert stacked_parts(tall, DPI) == [(0, tall.shape[0])]


def test_blank_paper_under_the_last_page_cuts_nothing():
    tall = np.vstack([_page(1754, 1240, _lines(36), 1.0), np.full((1200, 1240), 245, np.uint8)])
    assert stacked_parts(tall, DPI) == [(0, tall.shape[0])]


@pytest.fixture(scope="module")
def merged_scan():
    answer = synth_answers(SEED, template="2021")
    report = build_report(answer, seed=SEED)
    pdf = render_pdf(report)
    assert pymupdf.open(stream=pdf, filetype="pdf").page_count == len(TILTS)
    pages = leaning_apart(pdf, SEED, list(TILTS), dpi=DPI, noise=4.0, blur=0.5)
    ok, png = cv2.imencode(".png", np.vstack(pages))  # no resolution tag, as a phone saves it
    return report, png.tobytes()


def test_a_merged_scan_reads_like_its_pages(merged_scan):
    report, png = merged_scan
    result = extract(png, "report.png")
    output = json.loads(result.model_dump_json())
    s = load_scorer().score_doc({"fields": report.answer}, output, 0.9)
    assert result.source.kind == "image" and result.source.pages == len(TILTS)
    assert any("3 pages one under another" in w for w in result.warnings)
    assert s["silent"] == 0, s["wrong"]
    assert s["right"] >= 0.98 * s["fields"], s["wrong"]
    # every table, the last page's included, was found and read
    for table in ("t2.", "t3.", "t4."):
        keys = [k for k in report.answer if k.startswith(table)]
        assert sum(output["fields"][k]["status"] in ("read", "blank", "corrected") for k in keys) >= 0.95 * len(keys)


def test_a_merged_scan_made_into_one_pdf_page_reads_like_its_pages(merged_scan):
    # an image-to-PDF converter gives the tall picture a page its own size: the page's picture is
    # cut as an image file is, and each part's boxes are put back where it stands on the page
    report, png = merged_scan
    doc = pymupdf.open()
    h, w = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_GRAYSCALE).shape
    page = doc.new_page(width=w * 72 / DPI, height=h * 72 / DPI)
    page.insert_image(page.rect, stream=png)
    result = extract(doc.tobytes(), "report.pdf")
    output = json.loads(result.model_dump_json())
    s = load_scorer().score_doc({"fields": report.answer}, output, 0.9)
    assert result.source.kind == "pdf-scan" and result.source.pages == 1
    assert any("a picture of 3 pages one under another" in w for w in result.warnings)
    assert s["silent"] == 0, s["wrong"]
    assert s["right"] >= 0.98 * s["fields"], s["wrong"]
    # table 4 is on the third page of the picture
    tops = [output["fields"][k]["bbox"][1] for k in report.answer if k.startswith("t4.") and output["fields"][k]["bbox"]]
    assert tops and min(tops) > 2 * page.rect.height / len(TILTS)


def test_a_number_read_again_outside_any_table_keeps_its_place_in_its_line():
    """A title OCR reads as …政府信息公 / 1 / 作年度报告 (开工's 工 read as a lone 1, in a long
    screenshot's title). A doubtful number no ruled table holds is read again (scan/cells.py); the
    reading keeps the word's place and box, so the title is still one line and gives the year and
    the agency (read again at the end of the words, the title lost both to review). (The screenshot
    that showed it, bench.sweeps' stacked document 154000, now reads its title whole: its strokes
    are no longer taken for rulings. So the title's words are set here as OCR gave them.)"""
    from extraction.grid import Word, reading_order_text
    from extraction.scan.cells import CellCrop, loose_numbers

    words = [Word("昆明市住房和城乡建设局2021年政府信息公", (8.2, 3.4, 470.0, 26.4), 0.97),
             Word("1", (470.5, 3.6, 478.0, 26.2), 0.62),
             Word("作年度报告", (478.5, 3.4, 588.0, 26.4), 0.98)]
    page = np.full((60, 1300), 255, np.uint8)
    crop = lambda box: CellCrop((box[0] + 1, box[1] + 2, box[2] - 1, box[3] - 2), np.full((20, 12), 255, np.uint8))
    read = lambda images: [("工", 0.9)] * len(images)  # the crop read alone: no digit to replace it
    out = loose_numbers([], words, crop, read, page, 150 / 72)
    assert [w.bbox for w in out] == [w.bbox for w in words]
    assert reading_order_text(out) == "昆明市住房和城乡建设局2021年政府信息公1作年度报告"
    assert out[1].score <= 0.62
