"""Pages stacked in one tall image: a merged scan, a long screenshot.

A report is often posted as one image of its pages, one under the next. Where each page was
scanned or photographed on its own, each is skewed its own way; read as one page, one angle
straightens one of them and the others' tables lose their grid (an independent generator's merged
scan of three pages, each turned 0.5-2°, lost table 4 whole). Such an image is cut between its
pages, and each part is read as a page of its own.

Where one page ends and the next begins:
- Pages of one paper size, stacked whole, make an image that many sheets tall (three A4 pages:
  3 x 1.414 widths), and their margins meet where each sheet ends: it is cut there. The blank
  paper alone would not tell: a running footer and the next page's header leave under half an
  inch of it, less than a short page leaves under its last table.
- Otherwise (pages cut to their print, a long screenshot), at the tallest blank band, at least
  half an inch of paper, between 0.6 and 2 widths below the last cut. Such a band may also be a
  short page's empty foot or a gap between sections, so a part may end a little before its page
  does (its footer then heads the next part). That is worth it only where the parts lean
  differently: otherwise the image is read whole, as before (a screenshot is not skewed, and its
  pages' furniture then stays where the layout expects it).
"""
from __future__ import annotations

import cv2
import numpy as np

from .geometry import estimate_skew, ink

TALL = 1.8  # height over width beyond which an image holds more than a page (A4 1.41, Legal 1.65)
SHEETS = (2 ** 0.5, 11 / 8.5)  # height over width: A4 (and every ISO A and B size), Letter
MIN_GAP_IN = 0.5  # the least blank band taken for a gap between pages, inches
PART = (0.6, 2.0)  # where the next cut is looked for: this many widths below the last
LEANS_APART = 0.3  # degrees between the parts' skews for the gaps' cuts to be taken
_SHEET_TOL = 0.01
_WORK_DPI = 50.0  # blank rows are told on a copy at this resolution
_SPECKS = 0.01  # a blank row may hold this share of the width in specks (noise, a binding's shadow)


def stacked_parts(gray: np.ndarray, dpi: float) -> list[tuple[int, int]]:
    """The (top, bottom) pixel rows of each page stacked in `gray` (one part: the whole image)."""
    h, w = gray.shape[:2]
    if h < TALL * w:
        return [(0, h)]
    f = min(1.0, _WORK_DPI / dpi)
    small = cv2.resize(gray, (max(1, round(w * f)), max(1, round(h * f))), interpolation=cv2.INTER_AREA)
    blank = (ink(small) > 0).sum(axis=1) <= max(1, _SPECKS * small.shape[1])
    sheets = _whole_sheets(h, w)
    if sheets:
        rows = [round(k * h / sheets) for k in range(sheets + 1)]
        if all(blank[max(0, round(r * f) - 1):round(r * f) + 2].all() for r in rows[1:-1]):
            return list(zip(rows, rows[1:]))
    cuts = _cuts_in_gaps(blank, small.shape[1], max(2, round(MIN_GAP_IN * dpi * f)))
    if not cuts:
        return [(0, h)]
    rows = [0] + [min(h, round(c / f)) for c in cuts] + [h]
    parts = list(zip(rows, rows[1:]))
    skews = [estimate_skew(gray[a:b], dpi) for a, b in parts]
    if max(skews) - min(skews) < LEANS_APART:
        return [(0, h)]
    return parts


def _whole_sheets(h: int, w: int) -> int | None:
    """How many pages of one paper size, stacked whole, make an image this shape (None: not so)."""
    for ratio in SHEETS:
        n = round(h / (ratio * w))
        if n >= 2 and abs(h / (n * ratio * w) - 1.0) <= _SHEET_TOL:
            return n
    return None


def _cuts_in_gaps(blank: np.ndarray, width: int, min_gap: int) -> list[int]:
    """Rows (of `blank`'s image) to cut at: the middle of the tallest blank band in each stretch
    where the next page's end is looked for."""
    height = len(blank)
    # a band against the image's top or foot edge parts no pages
    gaps = [g for g in _runs(blank, min_gap) if g[0] > 0 and g[1] < height]
    cuts: list[int] = []
    top = 0
    while height - top >= TALL * width:
        near = [g for g in gaps if top + PART[0] * width <= (g[0] + g[1]) / 2 <= top + PART[1] * width]
        if not near:
            # a part longer than a page (a long table in a screenshot): the next gap below it
            near = [g for g in gaps if (g[0] + g[1]) / 2 > top + PART[1] * width][:1]
        if not near:
            break
        a, b = max(near, key=lambda g: g[1] - g[0])  # the first of the tallest
        top = (a + b) // 2
        cuts.append(top)
    return cuts


def _runs(flags: np.ndarray, min_len: int) -> list[tuple[int, int]]:
    """[start, end) of the runs of True at least `min_len` long, top to bottom."""
    padded = np.concatenate(([False], flags, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2]) if b - a >= min_len]
