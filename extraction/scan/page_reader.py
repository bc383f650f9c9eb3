"""One page image to words and rulings in page coordinates.

Resolution. The page is read at READ_DPI = 150: the smallest print of these reports, the 7.5-8 pt
text of the wide tables (tables 3 and 4), is 15.6-16.7 px high there, and body text (10.5 pt) 22 px.
The recogniser reads every line from these pixels (it scales each to 48 px high anyway). The text
detector (PP-OCR's DB net) only has to find where lines are, and its cost follows the pixels it is
given, so on a page whose tables are ruled it reads the page shrunk to models.config.DETECT_SCALE
(0.7: the tables' print is 11-12 px high there); its boxes are brought back to the 150-dpi page.
A page without vertical rulings is detected at 150 dpi (`_ruled`). Where a number is doubtful it is
read again from sharper pixels (up to SHARP_DPI, never beyond what the scan holds).

Steps, each once per page: quarter turn (text-line shape test) → deskew (row-profile sharpness)
→ rulings (morphology) erased from the image → detect lines → upside-down test (a few lines read
the right way round, and upside down as well only when they read badly; a turned page and its
boxes are turned back, nothing is detected again) → numbers the detector passed over looked for
in the ink (missed_numbers; timed with detection) → lines cut where a table's vertical ruling
crosses them → recognise (the lines and those numbers) → grid → doubtful number cells re-read.
"""
from __future__ import annotations

import contextvars
import re
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

import cv2
import numpy as np

from ..grid import Segment, Word, build_tables
from ..model import Table
from ..readers.pdf import OcrReading, summed_stages
from .cells import CellCrop, broken_zero, ink_box, loose_numbers, reread_cells, signed_numbers
from .geometry import (estimate_skew, lines_run_vertically, picture_outline, rotate, rotated_part, turn, turning,
                       warped_part)
from .images import PageSource, pdf_source, photographed, resample, rows_of
from .missed_numbers import kept, missed_numbers
from .perspective import keystone
from .rulings import find_rulings, off_the_frame, streaks_through_text, without_sheet_edges, without_streaks
from .stacked import TALL, stacked_parts
from .unread_ink import unread_ink

READ_DPI = 150.0
SHARP_DPI = 300.0
GRID_TOL = 3.0  # points: rulings found in pixels are ±1 px (0.5 pt) plus residual skew
_FLIP_SAMPLE = 4  # lines read to tell an upside-down page
_FLIP_MARGIN = 0.15
# Lines read this well the right way round are not read upside down as well. On the 252 OCR'd
# pages of our unseen scan sets, upright pages' sample lines read at 0.87-1.0 on average, the 13
# upside-down pages' at 0.52-0.62 (their readings upside down: 0.96-1.0).
_UPRIGHT = 0.8


@dataclass
class ScanPage:
    number: int  # 1-based
    width: float  # points, after straightening
    height: float
    words: list[Word]  # page points
    h_lines: list[Segment]
    v_lines: list[Segment]
    image: np.ndarray  # the straightened page at READ_DPI
    turns: int = 0  # quarter turns clockwise applied
    skew: float = 0.0  # degrees applied by geometry.rotate
    notes: list[str] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)  # wall time per stage
    cpu_ms: dict[str, float] = field(default_factory=dict)  # CPU time per stage, all threads
    thread_cpu_ms: dict[str, float] = field(default_factory=dict)  # CPU time per stage, this thread
    # marks the size of a character that no word read accounts for (unread_ink), in page points
    # like the words: none where nothing printed on the page went unread
    unread: list[tuple[float, float, float, float]] = field(default_factory=list)


class _Clock:
    """Wall and CPU time per stage. CPU time of the process counts every thread (the OCR engine's
    own, say): on a shared machine it shows the work a stage does, which wall time hides behind the
    neighbours'. Where several pages are read at once on threads of one process it counts their
    work too; the reading thread's own CPU time is kept beside it for that case."""

    def __init__(self, wall: dict[str, float], cpu: dict[str, float], thread_cpu: dict[str, float]):
        self.wall, self.cpu, self.thread_cpu = wall, cpu, thread_cpu
        self.t, self.c, self.tc = time.perf_counter(), time.process_time(), time.thread_time()

    def lap(self, name: str) -> None:
        now, cnow, tnow = time.perf_counter(), time.process_time(), time.thread_time()
        self.wall[name] = self.wall.get(name, 0.0) + (now - self.t) * 1000
        self.cpu[name] = self.cpu.get(name, 0.0) + (cnow - self.c) * 1000
        self.thread_cpu[name] = self.thread_cpu.get(name, 0.0) + (tnow - self.tc) * 1000
        self.t, self.c, self.tc = now, cnow, tnow


class PageReader:
    def __init__(self, engine=None, detect_scale: float | None = None):
        self._engine = engine
        self._detect_scale = detect_scale

    @property
    def detect_scale(self) -> float:
        """The detector's share of the reading resolution: the one given, else the configured one
        (models.config: GIA_DETECT_SCALE)."""
        if self._detect_scale is None:
            from models.config import ModelConfig

            self._detect_scale = ModelConfig.from_env().detect_scale
        return self._detect_scale

    @property
    def engine(self):
        """The engine given, else the process-wide one as it is now (models.ocr.use_ocr_engine may
        change it: an OCR server's worker, a benchmark replaying recorded answers)."""
        if self._engine is not None:
            return self._engine
        from models.ocr import ocr_engine

        return ocr_engine()

    def read(self, source: PageSource, number: int) -> ScanPage:
        from models.ocr import crop_line

        timings: dict[str, float] = {}
        cpu: dict[str, float] = {}
        thread_cpu: dict[str, float] = {}
        clock = _Clock(timings, cpu, thread_cpu)
        rendered = source.render(READ_DPI)
        clock.lap("render")
        turns = 1 if lines_run_vertically(rendered, READ_DPI) else 0
        photo = photographed(source)
        gray, skew, squared, rul, clean, lines = self._laid_out(rendered, turns, clock, photo)
        if _on_their_side(lines):
            # The ink's shapes misjudged the page's side (faint print, a photo's blur); the text
            # lines found say otherwise. Read it the other way (upside down is told below).
            turns = 1 - turns
            gray, skew, squared, rul, clean, lines = self._laid_out(rendered, turns, clock, photo)
        elif not lines:
            # nothing found: a line or two standing (the signature and date alone on a page turned
            # sideways) too few for the ink's shapes to tell, which the detector passes over
            other = self._laid_out(rendered, 1 - turns, clock, photo)
            if other[5]:
                turns = 1 - turns
                gray, skew, squared, rul, clean, lines = other

        known, flipped = self._upside_down(clean, lines)
        h_px, v_px = rul.h, rul.v
        if flipped:
            turns += 2
            hgt, wid = gray.shape
            gray, clean = turn(gray, 2), turn(clean, 2)
            for ln in lines:
                ln.quad = np.float32([[wid - 1 - x, hgt - 1 - y] for x, y in ln.quad[[2, 3, 0, 1]]])
            h_px = [_flip_segment(s, wid, hgt) for s in h_px]
            v_px = [_flip_segment(s, wid, hgt) for s in v_px]
        clock.lap("orientation")

        missed = missed_numbers(clean, [ln.bbox for ln in lines])
        clock.lap("detect")
        pieces = _cut_at_rulings(lines, v_px)
        todo = [i for i, (src, _) in enumerate(pieces) if src not in known]
        read = self.engine.recognize([crop_line(clean, pieces[i][1]) for i in todo]
                                     + [crop_line(clean, q) for q in missed])
        texts = dict(zip(todo, read))
        clock.lap("recognize")
        scale = 72.0 / READ_DPI

        def word(text: str, quad: np.ndarray, score: float) -> Word:
            xs, ys = quad[:, 0], quad[:, 1]
            return Word(text, (float(xs.min()) * scale, float(ys.min()) * scale,
                               float(xs.max()) * scale, float(ys.max()) * scale), score)

        words: list[Word] = []
        for i, (src, quad) in enumerate(pieces):
            text, score = known[src] if src in known else texts[i]
            text = broken_zero(tidy_spacing(text))
            if text:
                words.append(word(text, quad, score))
        found = [word(digits[0], quad, digits[1]) for quad, (text, score) in zip(missed, read[len(todo):])
                 if (digits := kept(text, score)) is not None]
        h_pts = [_scaled(s, scale) for s in h_px]
        v_pts = [_scaled(s, scale) for s in v_px]

        tables, _ = build_tables(h_pts, v_pts, words, number, tol=GRID_TOL)
        clock.lap("grid")
        cropper = _CellCropper(source, clean, turns, skew, _flipped_too(squared, gray.shape) if flipped else squared)
        if tables:
            words = reread_cells(tables, words, cropper, self.engine.recognize)
            words = signed_numbers(tables, words, clean, READ_DPI / 72.0)
        words = loose_numbers(tables, words, cropper, self.engine.recognize, clean, READ_DPI / 72.0)
        # a ruled table's cell that read blank with ink in it is read again above, as the cell it
        # is (and so kept under what a rule must confirm); the numbers found are for the rest
        words += [w for w in found if not any(_holds(t, w) for t in tables)]
        clock.lap("reread")
        px = READ_DPI / 72.0
        unread = unread_ink(clean, [(w.text, w.score, tuple(v * px for v in w.bbox)) for w in words])
        clock.lap("ink")
        hgt, wid = gray.shape
        page = ScanPage(number, wid * scale, hgt * scale, words, h_pts, v_pts, gray, turns, skew,
                        list(source.notes), timings, cpu, thread_cpu, [tuple(v / px for v in m) for m in unread])
        if turns % 4:
            page.notes.append(f"page {number} was turned {90 * (turns % 4)}° to read it")
        _collect(page)
        return page

    def _laid_out(self, page: np.ndarray, turns: int, clock: _Clock, photo: bool):
        """The page turned, straightened (and its rulings squared where it was photographed at an
        angle: perspective.keystone; then the 3x3 matrix from the turned page to the page as read,
        else None), its rulings found and erased, and its text lines. A copier's streaks are
        looked for on a sheet that passed its glass or a scanner's: not on a photograph (`photo`:
        cut out of its background), where a table's rulings come out in pieces, and a column met
        by a few of its rows, or a row by a few columns, was taken for a streak."""
        turned_page = turn(page, turns)
        skew = estimate_skew(turned_page, READ_DPI)
        gray = rotate(turned_page, skew)
        clock.lap("straighten")
        h, w = gray.shape
        turned = turning(w, h, skew)
        # (streaks are dropped before the page is squared by its rulings: a streak runs down the
        # scanner's glass, askew to a table fed askew, and was taken for a column photographed at
        # an angle)
        rul = self._rulings(gray, picture_outline((h, w), turned) if abs(skew) >= 0.05 else None, photo)
        square = keystone(rul.h, rul.v, w, h, READ_DPI)
        squared = None if square is None else square @ turned
        if squared is not None:
            # turned and squared in one resampling of the page, not two
            gray = cv2.warpPerspective(turned_page, squared, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)
            rul = self._rulings(gray, picture_outline((h, w), squared), photo)
        clean = _erased(gray, rul)
        clock.lap("rulings")
        lines = detect_lines(self.engine, clean, self.detect_scale if _ruled(rul.v) else 1.0)
        freed = rul if photo else streaks_through_text(rul, gray, [ln.bbox for ln in lines], READ_DPI)
        if freed is not rul:
            # the print under a streak is back; the lines found without it stand
            rul, clean = freed, _erased(gray, freed)
        clock.lap("detect")
        return gray, skew, squared, rul, clean, lines

    @staticmethod
    def _rulings(gray: np.ndarray, outline: np.ndarray | None, photo: bool):
        """The page's table rulings: not the edges of what straightening filled in, the sheet's
        own edges, nor (but on a photograph) a copier's streaks."""
        rul = off_the_frame(find_rulings(gray, READ_DPI), outline, READ_DPI)
        rul = without_sheet_edges(rul, gray.shape[1], gray.shape[0], READ_DPI)
        return rul if photo else without_streaks(rul, gray, READ_DPI)

    def _upside_down(self, clean: np.ndarray, lines) -> tuple[dict[int, tuple[str, float]], bool]:
        """Whether the page is upside down, from a few lines read the right way round (and
        upside down too when they read badly); and the readings of those lines the right way
        round (they are not read again)."""
        from models.ocr import crop_line

        # Short lines (a few words) tell as well as long ones and cost a fraction to read:
        # the recogniser's cost grows with a line's length.
        def aspect(i: int) -> float:
            x0, y0, x1, y1 = lines[i].bbox
            return (x1 - x0) / max(y1 - y0, 1.0)

        short = sorted((i for i in range(len(lines)) if 3 <= aspect(i) <= 10), key=aspect, reverse=True)
        sample = short[:_FLIP_SAMPLE]
        if not sample:
            return {}, False
        crops = [crop_line(clean, lines[i].quad) for i in sample]
        up = self.engine.recognize(crops)
        mean_up = sum(s for _, s in up) / len(up)
        if mean_up >= _UPRIGHT:
            return dict(zip(sample, up)), False
        down = self.engine.recognize([np.ascontiguousarray(np.rot90(c, 2)) for c in crops])
        mean_down = sum(s for _, s in down) / len(down)
        flipped = mean_down > mean_up + _FLIP_MARGIN
        return dict(zip(sample, down if flipped else up)), flipped


def _erased(gray: np.ndarray, rulings) -> np.ndarray:
    """The page with its rulings' pixels set to paper, for OCR."""
    clean = gray.copy()
    clean[rulings.mask > 0] = 255
    return clean


def _holds(table: Table, w: Word) -> bool:
    """Whether the middle of `w` lies in one of the table's cells."""
    x, y = (w.bbox[0] + w.bbox[2]) / 2, (w.bbox[1] + w.bbox[3]) / 2
    return any(c.bbox and c.bbox[0] <= x <= c.bbox[2] and c.bbox[1] <= y <= c.bbox[3] for c in table.cells)


def _ruled(v_lines: list[Segment]) -> bool:
    """Whether the page has a table whose columns are drawn: three vertical rulings of half an inch
    or more (its two sides and a column's edge at least). Only such a page is detected shrunk: its
    cells come from the rulings, and a word needs only to land in its cell. Where the columns are
    not drawn, they are found from where the words stand (extraction.unruled, or lines within a
    cell), and the shrunk page's boxes, a point or two taller and wider, were enough to join two
    rows' labels into one: unruled-blank sweep documents 6038 and 12611, read by OCR, four numbers
    wrong and accepted; and a table ruled between rows only, inside a frame of two verticals (the
    independent generator's s_f08), lost its 规章 row."""
    return sum(abs(s.y1 - s.y0) >= 0.5 * READ_DPI for s in v_lines) >= 3


def _on_their_side(lines) -> bool:
    """Whether the text lines found run top-down: many more long lines stand than lie. Long
    means three times as long as thick and at least 0.4 in (a few characters), so that a table's
    digits (taller than wide) and its few vertical labels do not count. On the photographed pages
    of our sweeps, 21-32 lines stood and 0-1 lay on a page read on its side, and the reverse
    upright."""
    stand = lie = 0
    for ln in lines:
        x0, y0, x1, y1 = ln.bbox
        w, h = x1 - x0, y1 - y0
        if h >= 3 * w and h >= _LONG_LINE:
            stand += 1
        elif w >= 3 * h and w >= _LONG_LINE:
            lie += 1
    # (or a page of a line or two, all standing: the signature and date alone on the last page)
    return stand >= 5 and stand > 3 * lie or stand >= 2 and lie == 0


_LONG_LINE = 0.4 * READ_DPI

_CJK = "\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_RE = re.compile(f"[{_CJK}]")
_GAP_RE = re.compile(f"(?<=[\\d{_CJK}])\\s+(?=[\\d{_CJK}])")


def tidy_spacing(text: str) -> str:
    """The recogniser puts a space where print is widely spaced (2 0 2 5 年 2 月, digits of a
    full-width font). Chinese takes no spaces: in a line with Chinese, spaces between Chinese
    characters and digits go. A line of digits alone keeps them: in a table without rulings
    they may part the numbers of neighbouring cells."""
    text = text.strip()
    return _GAP_RE.sub("", text) if _CJK_RE.search(text) else text


def detect_lines(engine, clean: np.ndarray, scale: float = 1.0) -> list:
    """Text lines of the page, found on the page shrunk by `scale` (boxes in the page's own
    pixels). An engine that says `whole_pages` (the GPU engine) is given the page in one piece: it
    plans its work per input shape, and pages come in few sizes where bands come in many; the rest
    are given the printed bands only."""
    if getattr(engine, "whole_pages", False):
        return detect_scaled(engine, clean, scale)
    return detect_in_bands(engine, clean, scale)


def detect_in_bands(engine, clean: np.ndarray, scale: float = 1.0) -> list:
    """Text lines of the page, detected band by band: the detector's cost follows the pixels it
    is given, and a page's margins and the blank space under a short last section hold no text.
    The bands are the page's printed stretches (split at blank gaps of at least half an inch),
    each cut to its printed width; no pixel is given to the detector twice."""
    from models.ocr import DetectedLine

    inked = clean < 160
    rows = np.flatnonzero(inked.sum(axis=1) >= 2)
    if rows.size == 0:
        return []
    pad = int(0.1 * READ_DPI)
    split = int(0.5 * READ_DPI)
    bands: list[tuple[int, int]] = []
    start = prev = int(rows[0])
    for r in rows[1:]:
        if r - prev > split:
            bands.append((start, prev))
            start = int(r)
        prev = int(r)
    bands.append((start, prev))
    h, w = clean.shape
    out = []
    for top, bottom in bands:
        y0, y1 = max(0, top - pad), min(h, bottom + pad + 1)
        cols = np.flatnonzero(inked[y0:y1].sum(axis=0) >= 1)
        x0, x1 = max(0, int(cols[0]) - pad), min(w, int(cols[-1]) + pad + 1)
        if y1 - y0 < 8 or x1 - x0 < 8:
            continue
        for ln in detect_scaled(engine, clean[y0:y1, x0:x1], scale):
            out.append(DetectedLine(ln.quad + np.float32([x0, y0]), ln.score))
    return out


def detect_scaled(engine, img: np.ndarray, scale: float) -> list:
    """The engine's lines on `img` shrunk by `scale` (area averaging), their boxes brought back to
    img's pixels. An upright box on whole pixels (the GPU engine's) stays one, grown outward to
    the next whole pixel, so that its crop is still a slice (models.ocr.crop_line)."""
    from models.ocr import DetectedLine, pixel_box

    if scale >= 1.0:
        return engine.detect(img)
    h, w = img.shape[:2]
    small = cv2.resize(img, (max(8, round(w * scale)), max(8, round(h * scale))), interpolation=cv2.INTER_AREA)
    k = np.float32([w / small.shape[1], h / small.shape[0]])
    out = []
    for ln in engine.detect(small):
        q = ln.quad * k
        if pixel_box(ln.quad, small.shape[1], small.shape[0]) is not None:
            (x0, y0), (x1, y1) = np.floor(q[0]), np.minimum(np.ceil(q[2]), (w, h))
            q = np.float32([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])
        out.append(DetectedLine(q, ln.score))
    return out


def _flip_segment(s: Segment, w: int, h: int) -> Segment:
    return Segment(w - 1 - s.x1, h - 1 - s.y1, w - 1 - s.x0, h - 1 - s.y0)


def _scaled(s: Segment, k: float) -> Segment:
    return Segment(s.x0 * k, s.y0 * k, s.x1 * k, s.y1 * k)


def _cut_at_rulings(lines, v_lines: list[Segment]) -> list[tuple[int, np.ndarray]]:
    """(index of the detected line, quad) pieces: a detected line that runs across a vertical
    ruling (numbers of neighbouring cells read as one) is cut there, so each cell's text is
    read on its own."""
    out: list[tuple[int, np.ndarray]] = []
    for i, ln in enumerate(lines):
        x0, y0, x1, y1 = ln.bbox
        h = y1 - y0
        if x1 - x0 < 1.5 * h:  # a character or a vertical label: never crossed by a ruling
            out.append((i, ln.quad))
            continue
        cy = (y0 + y1) / 2
        cuts = sorted((s.x0 + s.x1) / 2 for s in v_lines
                      if min(s.y0, s.y1) <= cy <= max(s.y0, s.y1)
                      and x0 + 0.3 * h < (s.x0 + s.x1) / 2 < x1 - 0.3 * h)
        if not cuts:
            out.append((i, ln.quad))
            continue
        edges = [x0] + cuts + [x1]
        for a, b in zip(edges, edges[1:]):
            if b - a >= 0.4 * h:
                out.append((-(i + 1) * 1000 - len(out), np.float32([[a, y0], [b, y0], [b, y1], [a, y1]])))
    return out


def _flipped_too(squared: np.ndarray | None, shape: tuple[int, int]) -> np.ndarray | None:
    """A squared page's matrix (_laid_out) for the page turned upside down after it was squared:
    from the source turned by all its quarter turns to the page as read, in READ_DPI pixels."""
    if squared is None:
        return None
    h, w = shape
    half = np.array([[-1.0, 0, w - 1], [0, -1.0, h - 1], [0, 0, 1]])
    return half @ squared @ half


class _CellCropper:
    """Crops of a cell's inside for the second reading: from a sharper render of the page when
    the source has more detail than READ_DPI, else from the page as read, enlarged."""

    def __init__(self, source: PageSource, clean: np.ndarray, turns: int, skew: float,
                 straightening: np.ndarray | None = None):
        # straightening: where the page was squared, the 3x3 matrix from the source turned by all
        # its quarter turns to the page as read (READ_DPI pixels); None where it was only rotated
        # (rotated_part replays that)
        self.source, self.clean, self.turns, self.skew = source, clean, turns, skew
        self.straightening = straightening
        sharp_dpi = min(SHARP_DPI, source.native_dpi)
        self.sharper = sharp_dpi >= 1.2 * READ_DPI
        self.dpi = sharp_dpi if self.sharper else READ_DPI
        self._sharp: np.ndarray | None = None
        self._lock = threading.Lock()

    def _turned_sharp(self) -> np.ndarray:
        with self._lock:
            if self._sharp is None:
                self._sharp = turn(self.source.render(self.dpi), self.turns)
        return self._sharp

    def _part(self, x0: int, y0: int, x1: int, y1: int) -> np.ndarray:
        if not self.sharper:
            return self.clean[max(0, y0):max(0, y1), max(0, x0):max(0, x1)]
        # the same straightening, replayed at the sharper resolution on the cell's pixels only
        # (turns by 180° and rotation about the centre commute, so the order of the flip does not
        # matter)
        if self.straightening is not None:
            k = self.dpi / READ_DPI
            scale = np.diag([k, k, 1.0])
            return warped_part(self._turned_sharp(), scale @ self.straightening @ np.linalg.inv(scale), x0, y0, x1, y1)
        return rotated_part(self._turned_sharp(), self.skew, x0, y0, x1, y1)

    def __call__(self, box: tuple[float, float, float, float]) -> CellCrop:
        dpi = self.dpi  # of the pixels cropped: the sharper render's, or the page's as read
        k = dpi / 72.0
        inset = max(2, int(round(1.5 * k)))  # keep clear of the cell's rulings
        x0, y0 = int(box[0] * k) + inset, int(box[1] * k) + inset
        x1, y1 = int(box[2] * k) - inset, int(box[3] * k) - inset
        if x1 - x0 < 4 or y1 - y0 < 4:
            return CellCrop(None, None)
        crop = self._part(x0, y0, x1, y1)
        found = ink_box(crop, min_height=max(5, int(0.04 * dpi)))
        if found is None:
            return CellCrop(None, None)
        a, b, c, d = found
        pad = max(3, int(0.02 * dpi))
        piece = crop[max(0, b - pad):d + pad, max(0, a - pad):c + pad]
        if not self.sharper:
            piece = resample(piece, 2.0)
        ink_pts = ((x0 + a) / k, (y0 + b) / k, (x0 + c) / k, (y0 + d) / k)
        return CellCrop(ink_pts, np.ascontiguousarray(piece))


# ---------------------------------------------------------------------- shared entry points

_reader: PageReader | None = None
_reader_lock = threading.Lock()


def default_reader() -> PageReader:
    global _reader
    with _reader_lock:
        if _reader is None:
            _reader = PageReader()
    return _reader


def ocr_page(page, clip=None, overlaid: bool | None = None) -> OcrReading:
    """For extraction.readers.pdf: an image-only PDF page's words and rulings (page points), and
    the wall time of each reading stage. `clip`: only that rectangle of the page (a picture on a
    page of text), its words and rulings still in page points. `overlaid`: see pdf_source."""
    source = pdf_source(page, clip, overlaid)
    if clip is None:
        t0 = time.perf_counter()
        parts = _stacked_in(source, page.rect.width, page.rect.height)
        # a tall page is rendered and cut before its parts are read (their renders are then cut
        # from that one): its own stage
        cut = {"stacked": (time.perf_counter() - t0) * 1000} if parts[0][1] is not source else {}
        readings = [_whole(default_reader().read(part, page.number + 1), top) for top, part in parts]
        if len(readings) == 1:
            readings[0].stage_ms = summed_stages([cut, readings[0].stage_ms])
            return readings[0]
        notes = [f"it is a picture of {len(readings)} pages one under another; each was read as a page of its own"]
        notes += list(dict.fromkeys(n for r in readings for n in r.notes))
        return OcrReading([], [], [], summed_stages([cut, *(r.stage_ms for r in readings)]), notes, parts=readings)
    scan = default_reader().read(source, page.number + 1)
    if scan.turns % 4:
        return OcrReading([], [], [], scan.timings_ms)  # a picture set sideways: its points are not the page's
    dx, dy = clip[0], clip[1]
    return OcrReading([w.moved(dx, dy) for w in scan.words], [s.moved(dx, dy) for s in scan.h_lines],
                      [s.moved(dx, dy) for s in scan.v_lines], scan.timings_ms,
                      unread=[(x0 + dx, y0 + dy, x1 + dx, y1 + dy) for x0, y0, x1, y1 in scan.unread])


def _whole(scan: ScanPage, top: float) -> OcrReading:
    return OcrReading(scan.words, scan.h_lines, scan.v_lines, scan.timings_ms, scan.notes, (scan.width, scan.height),
                      top=top, unread=scan.unread)


def _stacked_in(source: PageSource, width: float, height: float) -> list[tuple[float, PageSource]]:
    """(top, in points, and source) of each page stacked in a page's picture (scan.stacked): a
    merged scan or a long screenshot made into a PDF page its own size. A page of ordinary shape is
    not rendered to tell."""
    if height < TALL * width:
        return [(0.0, source)]
    # each part is cut from the whole page's render at the resolution it asks for: rendered once
    # for all the parts, not once a part
    renders: dict[float, np.ndarray] = {}

    def render(dpi: float) -> np.ndarray:
        if dpi not in renders:
            renders[dpi] = source.render(dpi)
        return renders[dpi]

    whole = PageSource(render, source.native_dpi, source.notes)
    rows = stacked_parts(whole.render(READ_DPI), READ_DPI)
    return [(top * 72.0 / READ_DPI, rows_of(whole, top / READ_DPI, bottom / READ_DPI)) for top, bottom in rows]


# Pages read while a `collecting_pages()` block is open (for --debug-dir pictures).
_collector: contextvars.ContextVar[list[ScanPage] | None] = contextvars.ContextVar("scan_pages", default=None)


@contextmanager
def collecting_pages() -> Iterator[list[ScanPage]]:
    pages: list[ScanPage] = []
    token = _collector.set(pages)
    try:
        yield pages
    finally:
        _collector.reset(token)


def _collect(page: ScanPage) -> None:
    pages = _collector.get()
    if pages is not None:
        pages.append(page)
