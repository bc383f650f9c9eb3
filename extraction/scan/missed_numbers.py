"""Numbers the text detector passed over.

PP-OCR's detector scores a box by the mean of its text map inside it and drops boxes under its
threshold (0.5). A lone, thin "1" standing apart in a table row scores 0.3-0.5 and is dropped,
while its neighbours, read, score 0.7-0.9 (seen: 尚未审结 of table 4 in three reports of eighty,
the same cell each time, on pages without vertical rulings). A table whose cells are ruled reads
such a cell again (cells.reread_cells); one without rulings, and prose, lost the number.

So ink the detector found no line in, standing clear of every line it found, the size of the
page's characters and level with a line it found (a table row, a line of prose), is read on its
own. Only what reads as digits is kept, and never above the score a rule must confirm.
"""
from __future__ import annotations

import re

import cv2
import numpy as np

_INK = 140  # grey levels: darker is print
_CLEAR = 0.3  # of the glyph height: how far from a line found the ink must stand
_GAP = 0.6  # of the glyph height: digits of one number stand closer than this
_DIGITS = re.compile(r"\d+")
MIN_SCORE = 0.9  # a reading under this is not kept
SCORE = 0.9  # the score a number found this way carries: a rule must confirm it (confidence.py)


def missed_numbers(clean: np.ndarray, boxes: list[tuple[float, float, float, float]]) -> list[np.ndarray]:
    """Quads (pixel corners, clockwise from the top left) of ink the size of a number that no
    detected box (x0, y0, x1, y1, in `clean`'s pixels) holds or comes near, level with one of them."""
    if not boxes:
        return []
    ink = (clean < _INK).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if n <= 1:
        return []
    heights = stats[1:, cv2.CC_STAT_HEIGHT]
    glyph = float(np.median(heights[heights >= 6])) if (heights >= 6).any() else 0.0
    if glyph == 0.0:
        return []
    near = np.zeros_like(ink)
    m = int(round(_CLEAR * glyph))
    h_img, w_img = ink.shape
    for x0, y0, x1, y1 in boxes:
        near[max(0, int(y0) - m):min(h_img, int(y1) + m + 1), max(0, int(x0) - m):min(w_img, int(x1) + m + 1)] = 1
    touching = np.bincount(labels[(near & ink) > 0], minlength=n) > 0
    x, y, w, h, area = (stats[:, i] for i in range(5))
    sized = (h >= 0.5 * glyph) & (h <= 1.3 * glyph) & (w <= 1.2 * h) & (area >= 6) & ~touching
    sized[0] = False  # the paper
    found = np.flatnonzero(sized)
    if not found.size:
        return []
    spans = np.array([(b[1], b[3]) for b in boxes], dtype=np.float32)
    quads = []
    for x0, y0, x1, y1 in _numbers([(int(x[i]), int(y[i]), int(x[i] + w[i]), int(y[i] + h[i])) for i in found], glyph):
        middle = (y0 + y1) / 2
        if not ((spans[:, 0] <= middle) & (middle <= spans[:, 1])).any():
            continue  # level with no line found: a mark in a margin, not a cell's number
        pad = int(round(0.4 * (y1 - y0)))
        # at least as wide as tall: a crop much taller than wide is read as vertical text
        widen = max(0, ((y1 - y0) + 2 * pad - (x1 - x0)) // 2)
        qx0, qx1 = max(0, x0 - widen - pad), min(w_img, x1 + widen + pad)
        qy0, qy1 = max(0, y0 - pad), min(h_img, y1 + pad)
        quads.append(np.float32([[qx0, qy0], [qx1, qy0], [qx1, qy1], [qx0, qy1]]))
    return quads


def _numbers(parts: list[tuple[int, int, int, int]], glyph: float) -> list[tuple[int, int, int, int]]:
    """Pieces of ink side by side on one line, closer than a digit's gap, joined into one box."""
    out: list[list[int]] = []
    for x0, y0, x1, y1 in sorted(parts):
        for box in out:
            level = min(y1, box[3]) - max(y0, box[1]) >= 0.5 * min(y1 - y0, box[3] - box[1])
            if level and box[0] <= x0 <= box[2] + _GAP * glyph:
                box[1:] = [min(box[1], y0), max(box[2], x1), max(box[3], y1)]
                break
        else:
            out.append([x0, y0, x1, y1])
    return [(b[0], b[1], b[2], b[3]) for b in out]


def kept(text: str, score: float) -> tuple[str, float] | None:
    """The reading of a missed number as a word: digits only, read well; None to drop it."""
    text = re.sub(r"\s+", "", text)
    if not _DIGITS.fullmatch(text) or score < MIN_SCORE:
        return None
    return text, min(score, SCORE)
