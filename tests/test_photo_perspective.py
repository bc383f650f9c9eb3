"""Pages photographed close up: the sheet fills the picture, so there is no outline against the
desk to flatten it by, and it is seen in perspective and lit unevenly (tests.synth.scan.closeup_pages).

Read before, such a report lost a fifth of its fields with silent errors: the dim half of the
page was cut off as if it were the desk, the frame of the picture and the sheet's edges made one
table of the whole page, and the table's rows sloped one way at its top and the other at its foot."""
from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from extraction.grid import Segment
from extraction.pipeline import extract
from extraction.scan.geometry import find_paper
from extraction.scan.perspective import keystone
from extraction.scan.rulings import Rulings, without_sheet_edges
from tests.shared_data import load_scorer
from tests.synth.form import build_report, synth_answers
from tests.synth.pdf_report import render_pdf
from tests.synth.scan import closeup_pages, scan_pdf

DPI = 150
W, H = 1240, 1754
XS = [150, 400, 600, 800, 1000, 1090]
YS = [300 + 60 * i for i in range(12)]


def _grid(m: np.ndarray) -> tuple[list[Segment], list[Segment]]:
    """A table's rulings seen through the homography m."""
    def seen(x, y):
        p = m @ np.array([x, y, 1.0])
        return p[0] / p[2], p[1] / p[2]

    hs = [Segment(*seen(XS[0], y), *seen(XS[-1], y)) for y in YS]
    vs = [Segment(*seen(x, YS[0]), *seen(x, YS[-1])) for x in XS]
    return hs, vs


def _slopes(m: np.ndarray, hs: list[Segment], vs: list[Segment]) -> float:
    """The largest angle (degrees) between a ruling mapped by m and its axis."""
    worst = 0.0
    for s, horizontal in [(s, True) for s in hs] + [(s, False) for s in vs]:
        (x0, y0), (x1, y1) = (((m @ np.array([x, y, 1.0]))[:2] / (m @ np.array([x, y, 1.0]))[2]) for x, y in
                              ((s.x0, s.y0), (s.x1, s.y1)))
        along, across = (x1 - x0, y1 - y0) if horizontal else (y1 - y0, x1 - x0)
        worst = max(worst, abs(np.degrees(np.arctan2(across, along))))
    return worst


def test_converging_rulings_are_squared():
    src = np.float32([[0, 0], [W, 0], [W, H], [0, H]])
    moved = src + np.float32([[40, 30], [-25, 55], [30, -40], [-45, -20]])
    hs, vs = _grid(cv2.getPerspectiveTransform(src, moved).astype(np.float64))
    assert _slopes(np.eye(3), hs, vs) > 1.0  # the photo's rows and columns lean
    m = keystone(hs, vs, W, H, DPI)
    assert m is not None
    assert _slopes(m, hs, vs) < 0.05
    centre = m @ np.array([W / 2, H / 2, 1.0])
    assert np.allclose(centre[:2] / centre[2], (W / 2, H / 2), atol=0.5)  # the page stays where it was


def test_square_rulings_are_left_alone():
    hs, vs = _grid(np.eye(3))
    assert keystone(hs, vs, W, H, DPI) is None


def test_the_sheets_edges_are_not_rulings_but_a_tables_border_is():
    hs, vs = _grid(np.eye(3))
    # the sheet's edges, met by no ruling, along the picture's border
    edges_h = [Segment(8, 12, W - 8, 14), Segment(8, H - 10, W - 8, H - 12)]
    edges_v = [Segment(10, 12, 11, H - 10), Segment(W - 12, 14, W - 11, H - 12)]
    kept = without_sheet_edges(Rulings(hs + edges_h, vs + edges_v, np.zeros((H, W), np.uint8)), W, H, DPI)
    assert kept.h == hs and kept.v == vs
    # a picture of a table alone: its border runs along the picture's border, met by its rows and columns
    tw, th = XS[-1] - XS[0] + 4, YS[-1] - YS[0] + 4
    table_h = [Segment(s.x0 - XS[0] + 2, s.y0 - YS[0] + 2, s.x1 - XS[0] + 2, s.y1 - YS[0] + 2) for s in hs]
    table_v = [Segment(s.x0 - XS[0] + 2, s.y0 - YS[0] + 2, s.x1 - XS[0] + 2, s.y1 - YS[0] + 2) for s in vs]
    alone = without_sheet_edges(Rulings(table_h, table_v, np.zeros((th, tw), np.uint8)), tw, th, DPI)
    assert alone.h == table_h and alone.v == table_v


@pytest.fixture(scope="module")
def closeup_report():
    report = build_report(synth_answers(22501), seed=22501)
    return report, closeup_pages(render_pdf(report), 22501, dpi=200)


def test_a_page_lit_unevenly_is_not_cut_out_as_a_sheet(closeup_report):
    # the bright part of the page has an outline too; the page's dim part is no desk
    _, pages = closeup_report
    assert all(find_paper(page) is None for page in pages)


def test_a_report_photographed_close_up_reads_right(closeup_report):
    report, pages = closeup_report
    result = extract(scan_pdf(pages, 200), "photos.pdf")
    output = json.loads(result.model_dump_json())
    s = load_scorer().score_doc({"fields": report.answer}, output, 0.9)
    assert s["silent"] == 0, s["wrong"]
    assert s["right"] >= 0.98 * s["fields"], s["wrong"]


def _desk_with_sheet(corners, grained: bool, seed: int = 7) -> np.ndarray:
    """A 1200 x 1600 photo: a white sheet with the given corners on a brown desk (grained: dark
    wavy streaks running down it, as wood's)."""
    rng = np.random.default_rng(seed)
    img = np.full((1600, 1200), 110, np.uint8)
    if grained:
        for x in range(0, 1200, 150):
            ys = np.arange(0, 1600, 8)
            xs = x + (12 * np.sin(ys / 40.0 + x)).astype(int)
            cv2.polylines(img, [np.int32(np.stack([xs, ys], axis=1))], False, int(rng.integers(30, 60)), 1)
    cv2.fillConvexPoly(img, np.int32(corners), 235)
    return img


SHEET = [(200, 150), (1020, 210), (980, 1450), (170, 1400)]


def _near(found, corners, tol=12):
    return found is not None and all(np.hypot(*(np.float32(a) - np.float32(b))) <= tol for a, b in zip(found, corners))


def test_a_sheet_with_only_a_date_on_it_is_found_on_a_grained_desk():
    """The last page, the date alone on it, photographed on a wooden table: the wood's streaks
    are many times the sheet's print, but few for the desk's area (they are no print outside)."""
    img = _desk_with_sheet(SHEET, grained=True)
    cv2.putText(img, "2023-01-27", (700, 300), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 30, 2)
    assert _near(find_paper(img), SHEET)


def test_a_finger_over_the_sheets_edge_leaves_its_four_corners():
    """A finger and its shadow over the sheet's edge bite into its outline; the sheet's corners are
    still its own. A sheet running out of the picture has no four corners of its own to flatten by."""
    img = _desk_with_sheet(SHEET, grained=False)
    cv2.ellipse(img, (190, 800), (140, 45), 0, 0, 360, 60, -1)  # a finger across the left edge
    for y in range(300, 1300, 40):
        cv2.line(img, (300, y), (900, y), 40, 3)  # print
    assert _near(find_paper(img), SHEET)
    cut = _desk_with_sheet([(-100, 150), (1020, 210), (980, 1450), (-100, 1400)], grained=False)
    cv2.ellipse(cut, (600, 1430), (45, 140), 0, 0, 360, 60, -1)
    assert find_paper(cut) is None
