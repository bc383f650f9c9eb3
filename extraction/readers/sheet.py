"""Two pages side by side on one sheet: a bound report opened on the scanner's glass, or pages
printed two to a sheet ("2-up", a print dialog's "pages per sheet", saved as PDF).

Read as one page, the two pages' lines interleave by height: a table continued from the left page
on the right one is laid beside its own first part, and its rows were lost (2-up text-layer PDFs
of our generator: 1388/1622 fields right, table 3 unread on all eight). Such a sheet is cut down
the blank band between its pages, and each half is laid out as a page of its own, in its own
coordinates, so that its running header, its footer and its tables' columns stand where those of
a page stand.

A sheet is taken for two pages when all of these hold; a single landscape page (a wide table 3)
fails at least one:
- it is landscape: two portrait pages side by side are (A4 on A4 or A3 landscape: 1.41 wide);
- a band at least 2.5% of its width (0.4 in on A3, 0.3 in on A4) runs down its middle with no
  word and no horizontal ruling across it, top to bottom: the two pages' margins. A page's
  paragraphs and a table's rulings cross the middle of a landscape page. (A browser's header and
  footer, printed in its narrow margins, leave 44 pt between two whole A4 pages on A3.) A few
  short marks may cross it: half of a seal stamped across the two pages' edges (骑缝章); and
  a page's own edge, dark against a scanner's black border, is no ruling across it;
- each side holds a text line or a ruling at least 40% as long as its half is wide, as a page's
  paragraphs and tables are. A table that lost its rulings may leave a band free between two
  columns of numbers, but its right side then holds only short cells.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..grid import Segment, Word

LANDSCAPE = 1.15  # width over height beyond which a sheet may hold two portrait pages
GUTTER = 0.025  # the least blank band between the two pages, share of the sheet's width
CENTRE = 0.1  # the band's middle lies within this share of the width from the sheet's middle
LONG = 0.4  # each side shows a line or ruling this share of its half's width long
MIN_WORDS = 3  # each side shows at least this many words
PAPER_EDGE = 0.03  # share of the sheet's width from its edge where a page's own edge may start
STRAY_WIDTH = 0.05  # share of the sheet's width: a mark this short may stand in the gutter...
STRAY = 6  # ...as long as no more than this many do (a column of a table's figures is more)
_EDGE = 3.0  # points: a ruling this near the gutter's edge belongs to the page beside it
NOTE = "it holds two pages side by side; each was read as a page of its own"


@dataclass
class SheetPart:
    """A page on a sheet: its words and rulings moved left by `left`, the x of its left edge on
    the sheet (points), so that it starts at 0 as a page does."""
    left: float
    width: float
    words: list[Word]
    h_lines: list[Segment]
    v_lines: list[Segment]


def pages_on_sheet(width: float, height: float, words: list[Word], h_lines: list[Segment],
                   v_lines: list[Segment]) -> list[SheetPart]:
    """The pages on a sheet of `width` x `height` points: two halves where it holds two pages side
    by side, else the whole sheet."""
    cut = _gutter(width, height, words, h_lines)
    if cut is None:
        return [SheetPart(0.0, width, words, h_lines, v_lines)]
    # a fold or the binding's shadow down the gutter; a table's side stands at its edge
    gutter_v = [s for s in v_lines if cut[0] + _EDGE < s.x0 < cut[2] - _EDGE]
    parts = []
    for lo, hi in ((0.0, cut[1]), (cut[1], width)):
        def inside(x0: float, x1: float) -> bool:
            return lo <= (x0 + x1) / 2 < hi

        parts.append(SheetPart(
            lo, hi - lo,
            [w.moved(-lo) for w in words if inside(w.bbox[0], w.bbox[2])],
            [s.moved(-lo) for s in h_lines if inside(s.x0, s.x1)],
            [s.moved(-lo) for s in v_lines if inside(s.x0, s.x1) and s not in gutter_v]))
    if any(len(p.words) < MIN_WORDS or not _has_long_line(p) for p in parts):
        return [SheetPart(0.0, width, words, h_lines, v_lines)]
    return parts


def _gutter(width: float, height: float, words: list[Word], h_lines: list[Segment]
            ) -> tuple[float, float, float] | None:
    """(left edge, cut, right edge) of the blank band down the sheet's middle, or None. A band
    that only a few short marks cross (the half of a seal stamped across the two pages' edges,
    骑缝章, which OCR reads as a word or two, its ring as short rulings) is the gutter too."""
    if width < LANDSCAPE * height or not words:
        return None
    rulings = [(min(s.x0, s.x1), max(s.x0, s.x1)) for s in h_lines]
    spans = [(w.bbox[0], w.bbox[2]) for w in words] + [r for r in rulings if not _paper_edge(r, width)]
    band = _blank_band(width, spans)
    if band is None:
        marks = [sp for sp in spans if sp[1] - sp[0] <= STRAY_WIDTH * width]
        band = _blank_band(width, [sp for sp in spans if sp[1] - sp[0] > STRAY_WIDTH * width])
        if band is not None and sum(band[0] <= (x0 + x1) / 2 <= band[2] for x0, x1 in marks) > STRAY:
            band = None
    return band


def _paper_edge(span: tuple[float, float], width: float) -> bool:
    """Whether a horizontal line runs from the sheet's edge to about its middle: a page's own edge,
    dark against a scanner's black border (its ends may reach past the gutter a little where the
    page lies askew), not a ruling of what is printed on it."""
    x0, x1 = span
    return (x0 <= PAPER_EDGE * width and abs(x1 - width / 2) <= CENTRE * width
            or x1 >= (1 - PAPER_EDGE) * width and abs(x0 - width / 2) <= CENTRE * width)


def _blank_band(width: float, spans: list[tuple[float, float]]) -> tuple[float, float, float] | None:
    bins = int(np.ceil(width)) + 1
    used = np.zeros(bins + 1, dtype=np.int32)
    for x0, x1 in spans:
        a, b = int(np.clip(np.floor(x0), 0, bins)), int(np.clip(np.ceil(x1), 0, bins))
        used[a] += 1
        used[b] -= 1
    blank = np.cumsum(used)[:bins] == 0
    middle = width / 2
    padded = np.concatenate(([False], blank, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    for a, b in zip(edges[::2], edges[1::2]):
        if b - a < GUTTER * width or a == 0 or b >= bins:
            continue  # narrow, or the sheet's own margin
        if abs((a + b) / 2 - middle) <= CENTRE * width:
            cut = middle if a <= middle <= b else (a + b) / 2
            return float(a), float(cut), float(b)
    return None


def _has_long_line(part: SheetPart) -> bool:
    need = LONG * part.width
    return (any(w.bbox[2] - w.bbox[0] >= need for w in part.words)
            or any(abs(s.x1 - s.x0) >= need for s in part.h_lines))

