"""What a copier or a stamp leaves over a report's tables, read past.

Streaks a speck on a copier's or scanner's glass draws down the sheet are no table's rulings: taken
for rulings, they cut a table's cells in two and, erased, took the strokes of the characters under
them; a table's own ruling they run along is still one. A very dark copy is still dark print on
paper, and a pale seal on a yellowed sheet is taken for that sheet's paper.
"""
from __future__ import annotations

import json

import cv2
import numpy as np

from extraction.pipeline import extract
from extraction.scan.rulings import find_rulings, streaks_through_text, without_streaks
from tests.shared_data import load_scorer
from tests.synth.form import build_report, synth_answers
from tests.synth.pdf_report import render_pdf
from tests.synth.scan import scan_pages, scan_pdf, style_for

SEED = 21
DPI = 150.0


def test_a_copy_streaked_down_its_tables_reads_like_the_report():
    """Three streaks down every page, through table 3's labels and figures and the text above and
    below (without `without_streaks`: 182 of 204 fields right)."""
    report = build_report(synth_answers(SEED, template="2021"), seed=SEED)
    style = style_for(SEED, dpi=200, tilt=0.8, streaks=(0.3, 0.52, 0.71))
    data = scan_pdf(scan_pages(render_pdf(report, furniture="office"), SEED, style), style.dpi)
    output = json.loads(extract(data, "copy.pdf").model_dump_json())
    s = load_scorer().score_doc({"fields": report.answer}, output, 0.9)
    assert s["right"] >= 0.99 * s["fields"], s["wrong"]
    assert s["silent"] == 0, s["wrong"]


def _page_with_a_table() -> np.ndarray:
    """A white page at 150 dpi with a 3-column ruled table, a mark like a digit in each cell."""
    page = np.full((1400, 1000), 245, np.uint8)
    for y in range(400, 801, 50):
        page[y:y + 2, 200:802] = 20
    for x in (200, 400, 600, 800):
        page[400:802, x:x + 2] = 20
    for y in range(415, 800, 50):
        for x in (296, 496, 696):
            page[y:y + 18, x:x + 9] = 30
    return page


def _streak(page: np.ndarray, x: int) -> None:
    page[:, x:x + 3] = (page[:, x:x + 3].astype(np.float32) * 0.7).astype(np.uint8)


def _v_at(rulings, x: float) -> list:
    return [s for s in rulings.v if abs((s.x0 + s.x1) / 2 - x) <= 4]


def test_a_streak_is_no_ruling_but_the_ruling_it_runs_along_is():
    page = _page_with_a_table()
    _streak(page, 499)  # down the middle column, through its marks
    _streak(page, 600)  # along the ruling between the middle and the right column
    found = find_rulings(page, DPI)
    assert _v_at(found, 500) and max(s.y1 - s.y0 for s in _v_at(found, 601)) > 1000  # both taken whole

    kept = without_streaks(found, page, DPI)
    assert not _v_at(kept, 500)
    (column,) = _v_at(kept, 601)
    assert abs(column.y0 - 400) <= 3 and abs(column.y1 - 801) <= 3  # the table's stretch of it
    assert len(kept.h) == len(found.h) == 9
    assert len(_v_at(kept, 200)) == len(_v_at(kept, 400)) == len(_v_at(kept, 800)) == 1
    # the marks under the streak are print, not erased with it; the streak over paper is
    assert not kept.mask[415:433, 499:502].any()
    assert kept.mask[100:300, 499:502].all()
    assert kept.mask[450:790, 600:602].all()  # the ruling under the other streak is still erased


def test_a_line_that_ends_at_the_table_is_kept():
    """A table's ruling that runs a little past its border (print or a border lost to faint toner)
    is no streak."""
    page = _page_with_a_table()
    page[350:860, 400:402] = 20  # the ruling runs 50 px past the top, 58 px past the bottom
    found = find_rulings(page, DPI)
    assert without_streaks(found, page, DPI) is found


def test_a_streak_from_inside_a_table_on_down_the_page_is_no_ruling():
    """A streak that starts between two rows and runs on through the text below: it ends off any
    row at one end and far past the table at the other."""
    page = _page_with_a_table()
    page[430:1300, 499:502] = (page[430:1300, 499:502].astype(np.float32) * 0.7).astype(np.uint8)
    found = find_rulings(page, DPI)
    assert _v_at(found, 500)
    assert not _v_at(without_streaks(found, page, DPI), 500)


def test_a_column_whose_top_rows_lost_their_rulings_is_kept():
    """The rulings across a table's top rows lost to faint toner: its columns run on 1.3 in past
    the first ruling left, but end at its bottom one."""
    page = _page_with_a_table()
    page[200:400, 200:802] = 245
    page[200:400, 200:202] = page[200:400, 400:402] = page[200:400, 600:602] = page[200:400, 800:802] = 20
    found = find_rulings(page, DPI)
    assert without_streaks(found, page, DPI) is found


def _two_tables() -> np.ndarray:
    """Table 2's last rows (y 200-400) and table 3's first (y 560-900), their heading between."""
    page = np.full((1400, 1000), 245, np.uint8)
    for top, bottom in ((200, 400), (560, 900)):
        for y in range(top, bottom + 1, 50):
            page[y:y + 2, 200:802] = 20
        for x in (200, 400, 600, 800):
            page[top:bottom + 2, x:x + 2] = 20
    for x in range(304, 700, 24):
        page[470:490, x:x + 9] = 30  # the heading's characters, one at 496-505
    return page


_HEADING = (300.0, 466.0, 700.0, 494.0)  # its line as the detector boxes it


def test_a_streak_through_the_heading_between_two_tables_is_no_ruling():
    """From table 2's middle to table 3's: it runs past neither far, but cuts the heading between
    them, where no ruling of a table stands."""
    page = _two_tables()
    page[230:880, 499:502] = (page[230:880, 499:502].astype(np.float32) * 0.7).astype(np.uint8)
    found = without_streaks(find_rulings(page, DPI), page, DPI)
    assert _v_at(found, 500)  # too short a streak for its ends to tell

    kept = streaks_through_text(found, page, [_HEADING], DPI)
    assert not _v_at(kept, 500)
    assert len(kept.v) == len(found.v) - 1
    assert not kept.mask[470:490, 499:502].any()  # the heading's character under it is kept
    assert streaks_through_text(found, page, [], DPI) is found


def test_figures_read_as_one_across_a_ruling_keep_it():
    """Two cells' figures set close, boxed as one line across the ruling between them: the row's
    other rulings stand beside it (table 3's columns, 0.45 in wide)."""
    page = np.full((1400, 1000), 245, np.uint8)
    for y in range(400, 801, 32):
        page[y:y + 2, 200:832] = 20
    for x in range(200, 831, 70):
        page[400:802, x:x + 2] = 20
    found = find_rulings(page, DPI)
    across = (320.0, 438.0, 380.0, 458.0)  # "563 87" over the ruling at x 340
    assert streaks_through_text(found, page, [across], DPI) is found


def test_a_very_dark_copy_keeps_a_ruling_with_a_streak_along_it():
    """A copy dark all over (its paper at grey 90, under the median that tells a phone's dark
    mode) is still dark print on paper: a ruling with a streak along one side keeps counting, as
    on a light page (copy06's table 3 lost the ruling between 科研机构 and 社会公益组织)."""
    for paper in (240, 90):
        page = np.full((900, 800), paper, np.uint8)
        page[100:700, 400:402] = 20
        page[100:700, 404:409] = paper * 2 // 3
        found = find_rulings(page, DPI)
        assert [s for s in found.v if abs((s.x0 + s.x1) / 2 - 400.5) <= 2], paper


def test_a_pale_seal_on_a_yellowed_page_is_taken_for_its_paper():
    """A seal stamped pale over a table on a yellowed sheet, its rim pink: the red and the pink
    beside it are taken for the page's own paper (not for white, which drew its ring as a line
    darker than the paper round it), and the ruling under it stays."""
    from extraction.scan.images import without_red_ink

    rgb = np.empty((300, 300, 3), np.uint8)
    rgb[:] = (244, 232, 205)  # yellowed paper
    rgb[:, 150:152] = (20, 20, 20)  # a table's ruling
    yy, xx = np.mgrid[:300, :300]
    r = np.hypot(yy - 150, xx - 150)
    rgb[(r >= 80) & (r < 84)] = (225, 70, 60)  # the seal's ring
    rgb[((r >= 78) & (r < 80)) | ((r >= 84) & (r < 86))] = (242, 196, 182)  # its pale rim
    rgb[(r < 86) & (xx >= 150) & (xx < 152)] = (20, 20, 20)  # the ruling, printed first, shows through

    gray = without_red_ink(rgb)
    paper = int(cv2.cvtColor(np.uint8([[[244, 232, 205]]]), cv2.COLOR_RGB2GRAY)[0, 0])
    off_the_ruling = np.abs(xx - 150) > 3
    assert np.abs(gray[off_the_ruling].astype(int) - paper).max() <= 2
    assert gray[:, 150:152].max() < 40
    found = find_rulings(gray, DPI)
    assert not found.h and len(found.v) == 1
