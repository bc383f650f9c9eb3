"""Rulings found in page images, straightening, and the grid they give (no OCR: fast).

Tables are drawn with OpenCV at a known scale, damaged the way scans are (tilt, blur, noise, a
faint line, a broken line), and the words are placed where a reader would find them, so every
assertion checks the image side alone."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from extraction.grid import Word, build_tables
from extraction.model import Cell, Table
from extraction.scan.cells import CellCrop, _choose, digits_of, ink_box, reread_cells
from extraction.scan.geometry import (estimate_skew, find_paper, lines_run_vertically, rotate, rotated_part, turn,
                                      unwarp_paper)
from extraction.scan.page_reader import GRID_TOL, _cut_at_rulings
from extraction.scan.rulings import find_rulings
from models.ocr import DetectedLine

DPI = 150.0
K = DPI / 72.0  # pixels per point

# A form-like table in points: x and y boundaries, and which edges are drawn.
XS = [72.0, 90.0, 200.0, 260.0, 320.0]
YS = [100.0, 130.0, 150.0, 170.0, 190.0]


def _page(width_pt=595, height_pt=842) -> np.ndarray:
    return np.full((int(height_pt * K), int(width_pt * K)), 255, np.uint8)


def _line(img, p, q, grey=0, width=1):
    cv2.line(img, (int(p[0] * K), int(p[1] * K)), (int(q[0] * K), int(q[1] * K)), grey, width)


def _form_table(img, *, outer_sides=True, faint=None, broken=None):
    """Row 0: a header spanning columns 1-3. Column 0 rows 1-3: one merged (vertical label)
    cell. Other cells plain."""
    x0, x1 = XS[0], XS[-1]
    for j, y in enumerate(YS):
        a = XS[1] if j in (2, 3) else x0  # rows 1-3 of column 0 are one cell
        _line(img, (a if outer_sides else a - 0, y), (x1, y), grey=faint if j == faint else 0)
        if j == broken:
            for gx in np.linspace(x0 + 30, x1 - 30, 5):
                cv2.rectangle(img, (int(gx * K), int(y * K) - 3), (int(gx * K) + 6, int(y * K) + 3), 255, -1)
    for i, x in enumerate(XS):
        if not outer_sides and i in (0, len(XS) - 1):
            continue
        top = YS[1] if i in (2, 3) else YS[0]  # header spans columns 1..3
        _line(img, (x, top), (x, YS[-1]))
    if not outer_sides:  # an open table: the horizontal rules run past the first/last column rule
        pass


def _cell_words() -> list[Word]:
    ws = [Word("申请人情况", (150, 108, 200, 120))]
    for k, ch in enumerate("三办理结果"):  # one character per line in the narrow merged cell
        ws.append(Word(ch, (77, 132 + 11 * k, 85, 141 + 11 * k)))
    for r in range(1, 4):
        for c in range(1, 4):
            cx, cy = (XS[c] + XS[c + 1]) / 2, (YS[r] + YS[r + 1]) / 2
            ws.append(Word(str(r * 10 + c), (cx - 5, cy - 4, cx + 5, cy + 4)))
    return ws


def _damage(img, seed, tilt=0.0, blur=0.8, noise=8.0):
    rng = np.random.default_rng(seed)
    h, w = img.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), tilt, 1.0)
    img = cv2.warpAffine(img, m, (w, h), borderValue=255)
    img = cv2.GaussianBlur(img, (0, 0), blur)
    img = np.clip(img + rng.normal(0, noise, img.shape), 0, 255).astype(np.uint8)
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 70])
    return cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)


def _tables(img):
    rul = find_rulings(img, DPI)
    s = 72.0 / DPI
    from extraction.grid import Segment

    h = [Segment(a.x0 * s, a.y0 * s, a.x1 * s, a.y1 * s) for a in rul.h]
    v = [Segment(a.x0 * s, a.y0 * s, a.x1 * s, a.y1 * s) for a in rul.v]
    tables, free = build_tables(h, v, _cell_words(), page=1, tol=GRID_TOL)
    return tables, free


def _spans(t):
    return {(c.row, c.col, c.rowspan, c.colspan): c.text for c in t.cells}


@pytest.mark.parametrize("damage", [
    dict(),
    dict(faint=200),
    dict(broken=2),
    dict(faint=190, broken=3),
])
def test_merged_cells_and_vertical_label_survive_scan_damage(damage):
    img = _page()
    _form_table(img, faint=damage.get("faint") and 1, broken=damage.get("broken"))
    if damage.get("faint"):  # re-draw row boundary 1 light grey
        _line(img, (XS[0], YS[1]), (XS[-1], YS[1]), grey=damage["faint"])
    img = _damage(img, seed=3)
    tables, _ = _tables(img)
    assert len(tables) == 1
    t = tables[0]
    assert (t.n_rows, t.n_cols) == (4, 4)
    spans = _spans(t)
    assert spans[(0, 1, 1, 3)] == "申请人情况"
    assert spans[(1, 0, 3, 1)] == "三办理结果"  # the vertical label is one cell, read top-down
    assert spans[(3, 3, 1, 1)] == "33"
    assert all(c.page == 1 and c.bbox for c in t.cells)


@pytest.mark.parametrize("tilt", [1.6, 9.0, -12.5])  # a scanner's feed; a phone held over the page
def test_tilted_page_is_straightened_before_the_grid(tilt):
    img = _page()
    _form_table(img)
    img = _damage(img, seed=4, tilt=tilt)
    angle = estimate_skew(img, DPI)
    assert abs(angle - tilt) < 0.25 or abs(angle + tilt) < 0.25
    straight = rotate(img, angle)
    tables, _ = _tables(straight)
    assert len(tables) == 1 and (tables[0].n_rows, tables[0].n_cols) == (4, 4)
    assert _spans(tables[0])[(1, 0, 3, 1)] == "三办理结果"


def test_table_without_outer_side_borders_keeps_its_columns():
    img = _page()
    _form_table(img, outer_sides=False)
    img = _damage(img, seed=5)
    tables, _ = _tables(img)
    assert len(tables) == 1
    assert tables[0].n_cols == 4  # the first and last columns are bounded by the rules' ends
    assert _spans(tables[0])[(3, 3, 1, 1)] == "33"


@pytest.mark.parametrize("seed", [7, 8])
def test_text_is_not_mistaken_for_rulings(seed):
    """On real report pages (prose, a 16-pt title, tables), every ruling found lies on a line
    the PDF drew, and every drawn table line is found: strokes of characters run together must
    not be erased from the page as if they were rulings."""
    from tests.synth.form import build_report, synth_answers
    from tests.synth.pdf_report import render_pdf
    import pymupdf

    pdf = render_pdf(build_report(synth_answers(seed), seed=seed), furniture=None)
    with pymupdf.open(stream=pdf, filetype="pdf") as doc:
        for page in doc:
            drawn = [it for d in page.get_drawings() for it in d["items"] if it[0] == "l"]
            pix = page.get_pixmap(dpi=int(DPI), colorspace=pymupdf.csGRAY)
            img = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width).copy()
            rul = find_rulings(_damage(img, seed=seed), DPI)
            for s in rul.h:
                y = (s.y0 + s.y1) / 2 / K
                assert any(abs(it[1].y - y) < 2 and abs(it[2].y - it[1].y) < 0.5 for it in drawn), y
            for s in rul.v:
                x = (s.x0 + s.x1) / 2 / K
                assert any(abs(it[1].x - x) < 2 and abs(it[2].x - it[1].x) < 0.5 for it in drawn), x
            rows = {round(it[1].y) for it in drawn if abs(it[2].y - it[1].y) < 0.5}
            found = {round((s.y0 + s.y1) / 2 / K) for s in rul.h}
            assert all(any(abs(r - f) <= 1 for f in found) for r in rows)


def _text_page(seed: int = 7) -> np.ndarray:
    from tests.synth.form import build_report, synth_answers
    from tests.synth.pdf_report import render_pdf
    import pymupdf

    pdf = render_pdf(build_report(synth_answers(seed), seed=seed), furniture=None)
    with pymupdf.open(stream=pdf, filetype="pdf") as doc:
        pix = doc[0].get_pixmap(dpi=int(DPI), colorspace=pymupdf.csGRAY)
        return np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width).copy()


@pytest.mark.parametrize("angle", [1.6, -0.8, 0.02])
def test_a_part_of_a_tilted_page_is_straightened_as_the_whole_page_would_be(angle):
    img = _page()
    _form_table(img)
    img = _damage(img, seed=4, tilt=1.6)
    whole = rotate(img, angle)
    h, w = img.shape
    # inside, across the edges, and wholly outside the page
    for x0, y0, x1, y1 in [(120, 240, 400, 330), (-30, -10, 90, 60), (w - 50, h - 40, w + 20, h + 30),
                           (w + 5, 10, w + 50, 40)]:
        part = rotated_part(img, angle, x0, y0, x1, y1)
        expect = whole[max(0, y0):max(0, y1), max(0, x0):max(0, x1)]
        assert part.shape == expect.shape
        if part.size:
            # the same turn, its fixed-point rounding split differently between row and column
            assert np.abs(part.astype(int) - expect).max() <= 2
            assert np.mean(part != expect) < 0.01


def test_page_on_its_side_is_recognised_and_turned():
    page = _text_page()
    assert not lines_run_vertically(page, DPI)
    assert lines_run_vertically(turn(page, 1), DPI)
    assert lines_run_vertically(turn(page, 3), DPI)
    assert not lines_run_vertically(turn(page, 2), DPI)


def test_photographed_sheet_is_found_and_flattened():
    from tests.synth.scan import _photo

    page = _text_page()
    photo = _photo(page, np.random.default_rng(1))
    quad = find_paper(photo)
    assert quad is not None
    flat = unwarp_paper(photo, quad)
    assert abs(flat.shape[0] / flat.shape[1] - page.shape[0] / page.shape[1]) < 0.05
    assert find_paper(page) is None  # a scan is the page itself: nothing to cut out


def test_detected_line_across_a_vertical_ruling_is_cut_per_cell():
    from extraction.grid import Segment

    quad = np.float32([[100, 50], [300, 50], [300, 70], [100, 70]])
    lines = [DetectedLine(quad, 0.9), DetectedLine(np.float32([[10, 50], [30, 50], [30, 70], [10, 70]]), 0.9)]
    pieces = _cut_at_rulings(lines, [Segment(200, 0, 200, 500), Segment(250, 80, 250, 200)])
    boxes = sorted((float(q[0, 0]), float(q[1, 0])) for _, q in pieces)
    assert boxes == [(10.0, 30.0), (100.0, 200.0), (200.0, 300.0)]  # the ruling at 250 ends above


def test_digit_lookalikes_and_second_readings():
    assert digits_of("1O") == "10" and digits_of("l") == "1" and digits_of("〇") == "0"
    assert digits_of("规章") is None and digits_of("") is None
    # both readings spell the same number: the one in digits wins, with the better score
    assert _choose("1O", 0.7, "10", 0.95) == ("10", 0.95)
    # both in digits, each fairly sure: together surer than either (a number the page's reading
    # doubted and the cell's sharper pixels confirm); one reading too unsure confirms nothing
    text, score = _choose("2 0 74", 0.86, "2074", 0.9)  # (the page's reading in pieces)
    assert text == "2074" and score >= 0.98
    assert _choose("74", 0.6, "74", 0.9) == ("74", 0.9)
    # the readings disagree: the second, sharper one wins but stays doubtful
    text, score = _choose("18", 0.6, "16", 0.9)
    assert text == "16" and score < 0.9
    # ink in a cell read as blank, unreadable again: a low-score marker, never a sure blank
    assert _choose("", 1.0, "", 0.0) == ("", 0.2)


def _glyph_cell(text: str, width: int = 300, height: int = 43) -> np.ndarray:
    """A wide cell at about 200 dpi holding one thin 8-pt glyph, as a fax prints it."""
    img = np.full((height, width), 255, np.uint8)
    cv2.putText(img, text, (width // 2 - 5, height // 2 + 8), cv2.FONT_HERSHEY_SIMPLEX, 0.6, 0, 1)
    return img


def test_a_lone_thin_digit_in_a_wide_cell_is_ink_and_specks_are_not():
    cell = _glyph_cell("0")
    assert float(cell.mean()) > 250  # under 1% of the crop is ink
    x0, y0, x1, y1 = ink_box(cell, min_height=8)
    assert x0 >= 140 and x1 <= 165 and y1 - y0 >= 10
    blank = np.full((43, 300), 255, np.uint8)
    assert ink_box(blank, min_height=8) is None
    specks = blank.copy()
    specks[10, 40] = specks[30, 200:202] = 0  # dust: too small to be print
    assert ink_box(specks, min_height=8) is None
    faint = np.random.default_rng(0).integers(215, 256, (43, 300)).astype(np.uint8)  # paper grain
    assert ink_box(faint, min_height=8) is None
    grain = np.clip(np.random.default_rng(1).normal(222, 8, (43, 300)), 0, 255).astype(np.uint8)
    assert int(grain.max()) - int(grain.min()) >= 60  # a photo's blank paper: wide, but no ink
    assert ink_box(grain, min_height=8) is None
    grain = np.where(cell < 128, 60, grain).astype(np.uint8)  # a digit printed on that paper
    x0, _, x1, _ = ink_box(grain, min_height=8)
    assert x0 >= 140 and x1 <= 165
    streak = blank.copy()
    streak[20, 60:90] = streak[25:27, 150:200] = 0  # pieces of a ruling or a fax's scan line
    assert ink_box(streak, min_height=8) is None
    streak[12:32, 150:161] = cell[12:32, 145:156]  # a digit beside them is still found
    assert ink_box(streak, min_height=8) is not None


def _one_cell_table(text: str):
    cell = Cell(row=0, col=0, text="", bbox=(100.0, 100.0, 200.0, 120.0))
    return [Table(page=1, n_rows=1, n_cols=1, cells=[cell])], [Word(text, (140.0, 104.0, 146.0, 116.0), 0.99)]


def test_a_stray_latin_letter_in_a_cell_is_read_again():
    """The forms' cells print numbers or Chinese: a lone "a" is a smudged digit."""
    asked = []

    def read(images):
        asked.extend(images)
        return [("0", 0.98)] * len(images)

    def crop(box):
        return CellCrop(box, _glyph_cell("0"))

    for text, reread in (("a", True), ("O", True), ("规章", False), ("0", False)):
        tables, words = _one_cell_table(text)
        asked.clear()
        out = reread_cells(tables, words, crop, read)
        assert bool(asked) == reread, text
        if reread:
            assert [w.text for w in out] == ["0"]
    # a letter where a digit belongs is never right, however sure the first reading was; the
    # second reading replaces it, but doubtfully
    assert _choose("a", 0.99, "0", 0.98)[1] < 0.9
    assert _choose("a", 0.99, "规", 0.98)[0] == "a"  # no number in the second reading either


def test_ruling_pieces_are_the_long_thin_components_fitted_straight():
    from extraction.scan.rulings import _segments

    mask = np.zeros((200, 400), np.uint8)
    cv2.line(mask, (20, 50), (380, 56), 255, 1)  # tilted ruling
    cv2.rectangle(mask, (20, 100), (380, 120), 255, -1)  # a filled band, not a ruling
    cv2.line(mask, (20, 150), (40, 150), 255, 1)  # shorter than a run
    pieces = _segments(mask, horizontal=True, run=50, thick=3)
    assert len(pieces) == 1
    seg, piece = pieces[0]
    ys, xs = np.nonzero(mask[:80])
    k, b = np.polyfit(xs, ys, 1)
    assert (seg.x0, seg.x1) == (20.0, 380.0)
    assert abs(seg.y0 - (k * 20 + b)) < 1e-9 and abs(seg.y1 - (k * 380 + b)) < 1e-9
    assert (piece.x, piece.y) == (20, 50) and (piece.w, piece.h) == (361, 7)
    assert sorted(zip(piece.ys.tolist(), piece.xs.tolist())) == sorted(zip(ys.tolist(), xs.tolist()))
    vertical = _segments(np.ascontiguousarray(mask.T), horizontal=False, run=50, thick=3)
    assert len(vertical) == 1 and abs(vertical[0][0].x0 - seg.y0) < 1e-9 and vertical[0][0].y1 == 380.0
    assert not _segments(np.zeros((50, 50), np.uint8), horizontal=True, run=10, thick=3)


@pytest.mark.parametrize("seed", [1, 2])
def test_rulings_on_grainy_paper(seed):
    """A phone photo's paper is grainy: most of its pixels fall 8-9 grey levels under the local
    paper brightness (the median on the photographed pages of our sweeps). The specks must not
    crowd the rulings' sides so that every ruling is taken for strokes of text."""
    img = _page()
    _form_table(img)
    rng = np.random.default_rng(seed)
    grain = cv2.GaussianBlur(rng.normal(0, 16, img.shape), (0, 0), 0.7)
    img = np.clip(cv2.GaussianBlur(img, (0, 0), 0.8) * 0.9 + grain, 0, 255).astype(np.uint8)
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 70])
    img = cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)
    rul = find_rulings(img, DPI)
    assert (len(rul.h), len(rul.v)) == (len(YS), len(XS))
    clean = _page()
    _form_table(clean)
    tables, _ = _tables(img)
    assert len(tables) == 1 and _spans(tables[0]) == _spans(_tables(clean)[0][0])


def test_a_label_cell_run_on_over_a_lost_stretch_of_ruling_is_cut_back():
    """A fax broke the ruling after 行政处罚 in its row only: the label's cell would take in the blank
    cell after it, and the row's values would move a column left. The rows above and below are
    ruled there and the label lies left of it: the boundary is ruled. A section heading the form
    centres over all the columns, between ruled rows, is left whole."""
    from extraction.grid import Segment

    xs, ys = [50.0, 200.0, 300.0, 400.0, 500.0], [100.0, 120.0, 140.0, 160.0, 180.0, 200.0]
    h = [Segment(xs[0], y, xs[-1], y) for y in ys]
    v = [Segment(x, ys[0], x, ys[-1]) for x in (xs[0], xs[4])]
    v += [Segment(x, a, x, b) for x in xs[1:4] for a, b in ((ys[0], ys[1]), (ys[2], ys[-1]))]  # heading row
    v = [s for s in v if not (s.x0 == xs[1] and s.y0 == ys[2])]
    v += [Segment(xs[1], ys[2], xs[1], ys[3]), Segment(xs[1], ys[4], xs[1], ys[5])]  # lost in row 3
    words = [Word("行政许可", (60, 104, 100, 116)), Word("5", (240, 104, 246, 116)),
             Word("第二十条第（六）项", (230, 124, 330, 136)),
             Word("信息内容", (60, 144, 100, 156)), Word("上一年项目数量", (210, 144, 290, 156)),
             Word("行政处罚", (60, 164, 100, 176)), Word("-1", (340, 164, 350, 176)),
             Word("行政强制", (60, 184, 100, 196)), Word("4", (240, 184, 246, 196))]
    tables, _ = build_tables(h, v, words, page=1, tol=GRID_TOL)
    table = tables[0]
    assert table.grid_texts()[3] == ["行政处罚", "", "-1", ""]
    assert table.at(3, 0).colspan == 1
    assert table.at(1, 0).colspan == 4 and table.at(1, 0).text == "第二十条第（六）项"


_HEADERS = [Word("信息内容", (60, 104, 100, 116)), Word("上一年项目数量", (210, 104, 290, 116)),
            Word("本年增/减", (310, 104, 390, 116)), Word("处理决定数量", (410, 104, 490, 116))]


def _table2_section(words: list[Word], lost: int):
    """A header row and two value rows of table 2, ruled, but for row boundary `lost` over the
    first value column; the table built from those rulings and `words`."""
    from extraction.grid import Segment

    xs, ys = [50.0, 200.0, 300.0, 400.0, 500.0], [100.0, 120.0, 140.0, 160.0]
    v = [Segment(x, ys[0], x, ys[-1]) for x in xs]
    h = [Segment(xs[0], y, xs[-1], y) for i, y in enumerate(ys) if i != lost]
    h += [Segment(xs[0], ys[lost], xs[1], ys[lost]), Segment(xs[2], ys[lost], xs[4], ys[lost])]
    return build_tables(h, v, words, page=1, tol=GRID_TOL)[0][0]


def test_a_header_cell_run_on_over_a_lost_stretch_of_ruling_is_cut_back():
    """A fax broke the ruling under the header 上一年项目数量 in its column only: the header's cell
    took in the blank cell under it, and 行政处罚's -1 would be read as its row's first value. The
    columns left and right are ruled there and the header lies above it: the boundary is ruled.
    A header the form centres over two rows (自然人 over 商业企业's row) is left whole."""
    rows = [Word("行政处罚", (60, 124, 100, 136)), Word("-1", (340, 124, 350, 136)),
            Word("行政强制", (60, 144, 100, 156)), Word("4", (240, 144, 246, 156))]
    table = _table2_section([*_HEADERS, *rows], lost=1)
    assert table.at(0, 1).rowspan == 1 and table.at(1, 1).row == 1 and table.at(1, 1).text == ""
    centred = [_HEADERS[0], Word("自然人", (230, 114, 270, 126)), *_HEADERS[2:], *rows]
    assert _table2_section(centred, lost=1).at(0, 1).rowspan == 2


def test_a_value_run_on_over_the_blank_cell_above_it_stays_in_its_own_row():
    """A fax broke the ruling above 其他对外管理服务事项's 22 in its column only: one cell spanned
    both rows and 行政许可 took the 22, surely. The columns left and right are ruled there and the
    number lies below it: the boundary is ruled, and 22 stays in its row."""
    rows = [Word("行政许可", (60, 124, 100, 136)), Word("1", (340, 124, 346, 136)), Word("1793", (430, 124, 460, 136)),
            Word("其他对外管理服务事项", (60, 144, 190, 156)), Word("22", (240, 143.5, 252, 156))]
    table = _table2_section([*_HEADERS, *rows], lost=2)
    assert table.grid_texts()[1] == ["行政许可", "", "1", "1793"]
    assert table.grid_texts()[2] == ["其他对外管理服务事项", "22", "", ""]
