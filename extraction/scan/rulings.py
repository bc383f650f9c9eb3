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

import math
from dataclasses import dataclass
from typing import Callable

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
# A piece at least this long (inches) needs paper along one side only: figures set close against
# it row after row (a form's fields, a spreadsheet's numbers) crowd the other; characters' strokes
# run together are never so long. (A shorter one does where rulings across it close its ends.)
_ONE_SIDED_IN = 1.5
# The page's median grey level under which its ground is dark and its print light.
_DARK_GROUND = 100
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
    near = max(3.0, 0.02 * dpi)
    h_all = [(p, _sides(bw, p, gap, horizontal=True)) for p in _segments(h_mask, horizontal=True, run=run, thick=thick)]
    v_all = [(p, _sides(bw, p, gap, horizontal=False)) for p in _segments(v_mask, horizontal=False, run=run, thick=thick)]
    h_parts = [p for p, sides in h_all if sides[1] < _CROWDED]  # paper along both sides
    v_parts = [p for p, sides in v_all if sides[1] < _CROWDED]
    if float(np.median(gray[::4, ::4])) >= _DARK_GROUND:
        # (not on a page printed light on dark, a phone's dark mode: there the thin dark strips
        # between the light print and the light rulings are "ink" with a ruling along one side)
        h_parts, v_parts = _one_sided_too(h_all, v_all, h_parts, v_parts, _ONE_SIDED_IN * dpi, near)
    # A piece a little longer than a character may be strokes of neighbouring characters run
    # together (a title's 一二三): it counts only when it meets a ruling across it, as every
    # edge of a table does. Long pieces count alone (an underline, a table's outer rule).
    # Two short pieces meeting may both be strokes, of one large character (府's 广 on a phone's
    # title, its print far larger than a page's): a short piece counts where a long one crosses it.
    alone = _LONG_IN * dpi
    h_long = [t for t, _ in h_parts if t.x1 - t.x0 >= alone]
    v_long = [t for t, _ in v_parts if t.y1 - t.y0 >= alone]
    h = [s for s, _ in h_parts if s.x1 - s.x0 >= alone or any(_meets(s, t, near) for t in v_long)]
    v = [s for s, _ in v_parts if s.y1 - s.y0 >= alone or any(_meets(t, s, near) for t in h_long)]
    kept = {id(s) for s in h + v}
    mask = np.zeros_like(gray)
    for s, piece in h_parts + v_parts:
        if id(s) in kept:
            mask[piece.ys, piece.xs] = 255
    return Rulings(h, v, cv2.dilate(mask, np.ones((3, 3), np.uint8)))


def off_the_frame(rulings: Rulings, outline: np.ndarray | None, dpi: float) -> Rulings:
    """`rulings` without those running along the edge of the picture turned or squared into the
    page (`outline`: its four corners, geometry.picture_outline; outside it the page is filled
    white). There a photographed page's dim paper meets the fill in a straight step the ruling
    search takes for a line; round the table, such lines made one frame of the whole page, and
    the table's rows were not found in it."""
    if outline is None:
        return rulings
    near = max(3.0, 0.03 * dpi)
    starts, ends = outline, np.roll(outline, -1, axis=0)
    t = np.linspace(0.0, 1.0, 21)[:, None]

    def along_edge(s: Segment) -> bool:
        points = np.array([s.x0, s.y0]) + t * np.array([s.x1 - s.x0, s.y1 - s.y0])  # (21, 2)
        d = ends - starts  # (4, 2)
        k = np.clip(((points[:, None, :] - starts[None]) * d[None]).sum(-1) / np.maximum((d * d).sum(-1), 1e-9), 0, 1)
        gap = np.hypot(*(points[:, None, :] - (starts[None] + k[..., None] * d[None])).transpose(2, 0, 1)).min(axis=1)
        return float(np.mean(gap <= near)) >= 0.7

    return _without(rulings, along_edge, along_edge)


# A line this close to the picture's border (inches), along it, may be the sheet's edge; only a
# picture at least this large (inches, both ways) shows a whole sheet.
_EDGE_BAND_IN = 0.75
_SHEET_MIN_IN = 4.0


def without_sheet_edges(rulings: Rulings, width: int, height: int, dpi: float) -> Rulings:
    """`rulings` without the sheet's own edges: a photographed sheet on a desk little darker than
    its paper (or a scanner lid's shadow) leaves long straight steps along the picture's border,
    which the ruling search takes for lines. Round the page they made one frame, a table holding
    the whole page, and its real tables came out empty. A table's border is met along its length
    by its rows or columns; a sheet's edge by nothing, or only at its ends (the other edges, at
    the corners). A picture smaller than a sheet (a table pasted as a picture: every line of it
    near its border, the short ones met only at their ends) is left as it is."""
    if min(width, height) < _SHEET_MIN_IN * dpi:
        return rulings
    band, near, inner = _EDGE_BAND_IN * dpi, max(3.0, 0.02 * dpi), 0.25 * dpi

    def bare(s: Segment, across: list[Segment], horizontal: bool) -> bool:
        a0, a1 = sorted((s.x0, s.x1) if horizontal else (s.y0, s.y1))
        at = (s.y0 + s.y1) / 2 if horizontal else (s.x0 + s.x1) / 2
        extent, span = (width, height) if horizontal else (height, width)
        if a1 - a0 < 0.5 * extent or band <= at <= span - band:
            return False
        for t in across:
            pos = (t.x0 + t.x1) / 2 if horizontal else (t.y0 + t.y1) / 2
            if a0 + inner <= pos <= a1 - inner and (_meets(s, t, near) if horizontal else _meets(t, s, near)):
                return False
        return True

    return _without(rulings, lambda s: bare(s, rulings.v, True), lambda s: bare(s, rulings.h, False))


def _without(rulings: Rulings, drop_h: Callable[[Segment], bool], drop_v: Callable[[Segment], bool]) -> Rulings:
    h = [s for s in rulings.h if not drop_h(s)]
    v = [s for s in rulings.v if not drop_v(s)]
    return rulings if len(h) == len(rulings.h) and len(v) == len(rulings.v) else Rulings(h, v, rulings.mask)


@dataclass
class _Piece:
    """A ruling piece's pixels and their bounding box (x, y: top-left; w, h: size)."""
    xs: np.ndarray
    ys: np.ndarray
    x: int
    y: int
    w: int
    h: int


def _one_sided_too(h_all, v_all, h_two, v_two, one_sided: float, near: float):
    """The pieces with paper along both sides; or along one, for a piece at least `one_sided`
    pixels long, or one closed at both ends by rulings across it (a cell's side, its figures set
    against it). `h_all`, `v_all`: each piece with its sides' shares (_sides); `h_two`, `v_two`:
    the pieces with paper along both sides."""
    h_two, v_two = [s for s, _ in h_two], [s for s, _ in v_two]
    h_parts = [p for p, sides in h_all if sides[1] < _CROWDED or sides[0] < _CROWDED and (
        p[0].x1 - p[0].x0 >= one_sided or _closed(p[0], v_two, near, horizontal=True))]
    v_parts = [p for p, sides in v_all if sides[1] < _CROWDED or sides[0] < _CROWDED and (
        p[0].y1 - p[0].y0 >= one_sided or _closed(p[0], h_two, near, horizontal=False))]
    return h_parts, v_parts


def _sides(bw: np.ndarray, part, gap: int, horizontal: bool) -> tuple[float, float]:
    """The shares of a piece's length with ink beside it on its two sides, the less crowded side's
    first. A ruling has paper on both sides, but for the rulings across it and a little cell text
    (or on one side, where a cell's figures are set against it); strokes of characters run
    together have the characters' other strokes right beside them."""
    _, piece = part
    img = bw if horizontal else bw.T
    x, y, w, h = (piece.x, piece.y, piece.w, piece.h) if horizontal else (piece.y, piece.x, piece.h, piece.w)
    lo, hi = y - gap - 2, y + h + gap + 2
    if lo < 0 or hi > img.shape[0]:
        return 0.0, 0.0  # at the image's edge: nothing to compare with
    above = float(np.mean(img[lo:y - 1, x:x + w].max(axis=0) > 0))
    below = float(np.mean(img[y + h + 1:hi, x:x + w].max(axis=0) > 0))
    return min(above, below), max(above, below)


def _closed(s: Segment, across: list[Segment], near: float, horizontal: bool) -> bool:
    """Whether rulings across `s` meet it at both its ends (`near` of them, and of their own
    thickness, which its ends take in where they cross it)."""
    near *= 2
    lo, hi, at = _along(s, horizontal)
    crossing = [_along(t, not horizontal) for t in across]
    return all(any(abs(where - end) <= near and t_lo - near <= at <= t_hi + near for t_lo, t_hi, where in crossing)
               for end in (lo, hi))


def _along(s: Segment, horizontal: bool) -> tuple[float, float, float]:
    """A segment's ends along its direction and its place across it."""
    if horizontal:
        return min(s.x0, s.x1), max(s.x0, s.x1), (s.y0 + s.y1) / 2
    return min(s.y0, s.y1), max(s.y0, s.y1), (s.x0 + s.x1) / 2


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
    darker = cv2.subtract(paper, gray)  # never below 0: the paper is the neighbourhood's maximum
    # darker > t for whole grey levels is darker > floor(t): OpenCV's threshold, not NumPy's passes
    _, ink = cv2.threshold(darker, math.floor(_contrast(darker)), 255, cv2.THRESH_BINARY)
    return ink


def _contrast(darker: np.ndarray) -> float:
    """How much darker than its paper a pixel must be to count as ink. The paper of a phone
    photo is grainy: against the local maximum most of its pixels are 8 or more levels darker, so
    a fixed threshold lights a quarter of the page, the specks crowd every ruling's sides and the
    rulings are refused as strokes of text. The page's typical shortfall (its median: most of a
    page is paper) measures the grain; ink must stand clear of it."""
    grain = _median_level(darker[::3, ::3])
    return max(_CONTRAST, 2.0 * grain + 4.0)


def _median_level(levels: np.ndarray) -> float:
    """np.median of uint8 grey levels, from their histogram (a fifth of the sort's cost)."""
    counts = np.cumsum(np.bincount(levels.ravel(), minlength=256))
    n = int(counts[-1])
    lo = int(np.searchsorted(counts, (n - 1) // 2, side="right"))
    hi = int(np.searchsorted(counts, n // 2, side="right"))
    return (lo + hi) / 2.0


def _segments(mask: np.ndarray, horizontal: bool, run: int, thick: int) -> list[tuple[Segment, _Piece]]:
    """Thin long components of `mask`: each as a segment, with its pixels.

    Each segment is a straight least-squares fit through its pixels, so a slightly tilted line is
    measured at its middle: the fits of all components at once, from per-component sums (exact in
    integers), where a fit per component in Python cost a third of the page's ruling search."""
    comps = components(mask)
    if not len(comps):
        return []
    first, count = comps.first, comps.count
    x_lo, x_hi, y_lo, y_hi = comps.x_lo, comps.x_hi, comps.y_lo, comps.y_hi
    length = (x_hi - x_lo + 1) if horizontal else (y_hi - y_lo + 1)
    # long enough, and thin: ink per unit of length (the bounding box of a tilted line is taller)
    keep = np.nonzero((length >= run) & (count <= thick * length))[0]
    if not len(keep):
        return []
    # along the line (t) and across it (u): u = k*t + c
    t, u = (comps.xs, comps.ys) if horizontal else (comps.ys, comps.xs)
    t, u = t.astype(np.int64), u.astype(np.int64)
    n = count.astype(np.int64)
    st, su = np.add.reduceat(t, first), np.add.reduceat(u, first)
    stt, stu = np.add.reduceat(t * t, first), np.add.reduceat(t * u, first)
    sxx = n * stt - st * st
    flat = sxx == 0  # one pixel along: no slope to fit
    k = np.where(flat, 0.0, (n * stu - st * su) / np.where(flat, 1, sxx))
    c = np.where(flat, y_lo if horizontal else x_lo, (su - k * st) / n)
    out: list[tuple[Segment, _Piece]] = []
    for i in keep.tolist():
        a, b = first[i], first[i] + count[i]
        x, y = int(x_lo[i]), int(y_lo[i])
        piece = _Piece(comps.xs[a:b], comps.ys[a:b], x, y, int(x_hi[i]) - x + 1, int(y_hi[i]) - y + 1)
        ki, ci = float(k[i]), float(c[i])
        if horizontal:
            x0, x1 = float(x), float(x_hi[i])
            out.append((Segment(x0, ki * x0 + ci, x1, ki * x1 + ci), piece))
        else:
            y0, y1 = float(y), float(y_hi[i])
            out.append((Segment(ki * y0 + ci, y0, ki * y1 + ci, y1), piece))
    return out
