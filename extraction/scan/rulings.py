"""Table rulings in a page image, by morphology.

A ruling is a long run of ink one or a few pixels thick. Opening the ink mask with a long flat
(or tall) kernel keeps exactly such runs: characters are much shorter than the kernel, so text
vanishes, while a line survives even when faint (the threshold is local), noisy (specks are
short), broken (each piece longer than the kernel survives; the grid builder joins collinear
pieces) or slightly tilted (a line tilted by a fraction of a degree still has long runs per
pixel row). Each surviving thin component becomes one `Segment` in pixel coordinates.

No closing is done before the opening: it would join the strokes of neighbouring characters
(一二三) or of stacked lines in a cell into runs as long as a ruling, and those would then be
erased from the page before it is read.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ..grid import Segment
from .components import components

# A ruling piece is at least this long (inches): longer than any character at body or table
# sizes (a 10.5-pt character is 0.15 in), shorter than the narrowest cell of the form.
_MIN_RUN_IN = 0.25
# ...and at most this thick (inches) as the ink mask sees it (blur widens a 0.5-pt line to
# 2-3 pt); a filled band is not a ruling.
_MAX_THICK_IN = 0.05


# A ruling piece at least this long (inches) counts even when it meets no ruling across it.
_LONG_IN = 0.5
# A side of a piece with ink beside it over more than this share of its length is crowded.
_CROWDED = 0.45
# Grey levels a ruling is darker than its paper: a light grey (200 on 250) line still counts.
_CONTRAST = 12


@dataclass
class Rulings:
    h: list[Segment]
    v: list[Segment]
    mask: np.ndarray  # 255 where a ruling's pixels are (to erase them before OCR)


def find_rulings(gray: np.ndarray, dpi: float) -> Rulings:
    run = max(12, int(round(_MIN_RUN_IN * dpi)))
    thick = max(3, int(round(_MAX_THICK_IN * dpi)))
    bw = _line_ink(gray, dpi)
    h_mask = cv2.morphologyEx(bw, cv2.MORPH_OPEN, np.ones((1, run), np.uint8))
    v_mask = cv2.morphologyEx(bw, cv2.MORPH_OPEN, np.ones((run, 1), np.uint8))
    gap = max(3, int(round(0.025 * dpi)))
    h_parts = [p for p in _segments(h_mask, horizontal=True, run=run, thick=thick)
               if _isolated(bw, p, gap, horizontal=True)]
    v_parts = [p for p in _segments(v_mask, horizontal=False, run=run, thick=thick)
               if _isolated(bw, p, gap, horizontal=False)]
    # A piece a little longer than a character may be strokes of neighbouring characters run
    # together (a title's 一二三): it counts only when it meets a ruling across it, as every
    # edge of a table does. Long pieces count alone (an underline, a table's outer rule).
    alone = _LONG_IN * dpi
    near = max(3.0, 0.02 * dpi)
    h = [s for s, _ in h_parts if s.x1 - s.x0 >= alone or any(_meets(s, t, near) for t, _ in v_parts)]
    v = [s for s, _ in v_parts if s.y1 - s.y0 >= alone or any(_meets(t, s, near) for t, _ in h_parts)]
    kept = {id(s) for s in h + v}
    mask = np.zeros_like(gray)
    for s, (x, y, pix) in h_parts + v_parts:
        if id(s) in kept:
            mask[y:y + pix.shape[0], x:x + pix.shape[1]][pix] = 255
    return Rulings(h, v, cv2.dilate(mask, np.ones((3, 3), np.uint8)))


def _isolated(bw: np.ndarray, part, gap: int, horizontal: bool) -> bool:
    """Whether paper runs along both sides of a piece for most of its length. A ruling has
    white on both sides, but for the rulings across it and a little cell text; strokes of
    characters run together have the characters' other strokes right beside them."""
    _, (x, y, pix) = part
    img = bw if horizontal else bw.T
    if not horizontal:
        x, y, pix = y, x, pix.T
    h, w = pix.shape
    lo, hi = y - gap - 2, y + h + gap + 2
    if lo < 0 or hi > img.shape[0]:
        return True  # at the image's edge: nothing to compare with
    above = img[lo:y - 1, x:x + w].max(axis=0) > 0
    below = img[y + h + 1:hi, x:x + w].max(axis=0) > 0
    return float(np.mean(above)) < _CROWDED and float(np.mean(below)) < _CROWDED


def _meets(h: Segment, v: Segment, near: float) -> bool:
    vx = (v.x0 + v.x1) / 2
    hy = (h.y0 + h.y1) / 2
    return (min(h.x0, h.x1) - near <= vx <= max(h.x0, h.x1) + near
            and min(v.y0, v.y1) - near <= hy <= max(v.y0, v.y1) + near)


def _line_ink(gray: np.ndarray, dpi: float) -> np.ndarray:
    """Pixels darker than the paper around them. The paper's brightness is the local maximum
    (lines and strokes are thin, so a small window always reaches paper): unlike a local mean,
    it is not dragged down where a faint line crosses a dark one."""
    k = max(5, int(round(0.06 * dpi)) | 1)
    gray = cv2.GaussianBlur(gray, (3, 3), 0)  # sensor noise would break a faint line's runs
    paper = cv2.dilate(gray, np.ones((k, k), np.uint8))
    darker = paper.astype(np.int16) - gray
    return (darker > _contrast(darker)).astype(np.uint8) * 255


def _contrast(darker: np.ndarray) -> float:
    """How much darker than its paper a pixel must be to count as ink. The paper of a phone
    photo is grainy: against the local maximum most of its pixels are 8 or more levels darker, so
    a fixed threshold lights a quarter of the page, the specks crowd every ruling's sides and the
    rulings are refused as strokes of text. The page's typical shortfall (its median: most of a
    page is paper) measures the grain; ink must stand clear of it."""
    grain = float(np.median(darker[::3, ::3]))
    return max(_CONTRAST, 2.0 * grain + 4.0)


def _segments(mask: np.ndarray, horizontal: bool, run: int, thick: int
              ) -> list[tuple[Segment, tuple[int, int, np.ndarray]]]:
    """Thin long components of `mask`: each as a segment, with its pixels (x, y, boolean patch)."""
    comps = components(mask)
    if not len(comps):
        return []
    xs, ys, first, count = comps.xs, comps.ys, comps.first, comps.count
    x_lo, x_hi, y_lo, y_hi = comps.x_lo, comps.x_hi, comps.y_lo, comps.y_hi
    length = (x_hi - x_lo + 1) if horizontal else (y_hi - y_lo + 1)
    # long enough, and thin: ink per unit of length (the bounding box of a tilted line is taller)
    keep = np.nonzero((length >= run) & (count <= thick * length))[0]
    out: list[tuple[Segment, tuple[int, int, np.ndarray]]] = []
    for i in keep:
        a, b = first[i], first[i] + count[i]
        cy, cx = ys[a:b], xs[a:b]
        x, y = int(x_lo[i]), int(y_lo[i])
        w, h = int(x_hi[i]) - x + 1, int(y_hi[i]) - y + 1
        mine = np.zeros((h, w), dtype=bool)
        mine[cy - y, cx - x] = True
        if horizontal:
            # a straight fit, so a slightly tilted line is measured at its middle
            k, c = _line_fit(cx, cy) if w > 1 else (0.0, float(y))
            x0, x1 = float(x), float(x + w - 1)
            out.append((Segment(x0, k * x0 + c, x1, k * x1 + c), (x, y, mine)))
        else:
            k, c = _line_fit(cy, cx) if h > 1 else (0.0, float(x))
            y0, y1 = float(y), float(y + h - 1)
            out.append((Segment(k * y0 + c, y0, k * y1 + c, y1), (x, y, mine)))
    return out


def _line_fit(t: np.ndarray, u: np.ndarray) -> tuple[float, float]:
    """Least-squares u = k*t + c (numpy's polyfit of degree 1, without its per-call overhead)."""
    t = t.astype(np.float64)
    u = u.astype(np.float64)
    tm, um = t.mean(), u.mean()
    dt = t - tm
    k = float(np.dot(dt, u - um) / np.dot(dt, dt))
    return k, float(um - k * tm)
