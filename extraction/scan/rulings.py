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
# The page's median grey level under which its ground is dark: its print is light where more of
# the page stands this many levels over its median than under it (a very dark scan's print is
# darker still than its grey paper).
_DARK_GROUND = 100
_PRINT_APART = 50
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
    if not _light_print(gray[::4, ::4]):
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


# How far (inches) a line runs past the outermost lines across it, at both its ends, where it is no
# table's: a table's rulings end at its border (a border lost to faint print leaves a row's height).
_STREAK_OVER_IN = 0.5
# A vertical line is none either where it runs this far (inches) past them at one end, through the
# text above or below the table, and ends off a line across it at the other, inside the table or
# past it: a table's rulings end within a line's width of its rows' (at most 0.04 in on our scans).
_STREAK_PAST_IN = 1.0
_OFF_THE_ROW_IN = 0.06
# Under a streak, pixels darker than the streak by this share of the paper's brightness are print
# (faded print on a faint copy stands only a fifth of it under a light streak), and by at least
# this many times the streak's own spread of shares.
_PRINT_UNDER = 0.1
_PRINT_SPREAD = 4.0
# The percentile of a streak's rows (their darkest pixels) taken for its own level.
_STREAK_ROWS = 90
# Pixels each side of a streak's band (at most) among which its paper is found.
_PAPER_BESIDE = 8


def without_streaks(rulings: Rulings, gray: np.ndarray, dpi: float) -> Rulings:
    """`rulings` without streaks: the lines a speck of dust or toner on a copier's or scanner's
    glass draws down the whole sheet as it passes. Such a line crosses the page's tables, their
    top and bottom borders too, and runs on through the text above and below; taken for a
    ruling, it cut the table's cells in two (a column of slivers, the label 上年结转政府信息
    read as two words) and, erased, took the strokes of the characters under it (0 read C, 信
    lost). A table's own ruling ends at its border.

    The print under a streak is darker than the streak: a ruling of the table the streak runs
    along (a stretch at least a ruling piece long) is kept, and the characters' strokes it
    crosses are not erased."""
    near = max(3.0, 0.02 * dpi)
    over = (_STREAK_OVER_IN * dpi, _STREAK_PAST_IN * dpi, _OFF_THE_ROW_IN * dpi)
    run = max(12, int(round(_MIN_RUN_IN * dpi)))
    found = False
    mask = rulings.mask
    kept: dict[bool, list[Segment]] = {}
    for horizontal, lines, across in ((True, rulings.h, rulings.v), (False, rulings.v, rulings.h)):
        kept[horizontal] = []
        for group in _collinear(lines, near, horizontal):
            if not _runs_past(group, across, near, over, horizontal):
                kept[horizontal].extend(group)
                continue
            if not found:
                mask, found = mask.copy(), True
            kept[horizontal].extend(_printed_under(mask, gray, group, near, run, horizontal))
    if not found:
        return rulings
    return Rulings(kept[True], kept[False], mask)


# How far (inches) from a line of text a table's rulings at its height stand: a cell's width
# from the line's ends at most. A sheet's or a frame's edge stands farther, in the margin.
_BESIDE_IN = 0.5


def streaks_through_text(rulings: Rulings, gray: np.ndarray, lines: list[tuple[float, float, float, float]],
                         dpi: float) -> Rulings:
    """`rulings` without the vertical lines that run through a line of text standing free of any
    table: a streak too short to run far past the tables it crosses (one from table 2 down to
    table 3 cut the heading 三、收到和处理政府信息公开申请情况 between them, and joined the two
    tables into one grid). A table's ruling may cut a detected line too, the figures of two cells
    set close read as one; but the row's other rulings stand beside it at that height. A line of
    text is free where every vertical line at its height, and near it, cuts it. (`lines`: the
    text lines' boxes, in the page's pixels.)"""
    near, beside = max(3.0, 0.02 * dpi), _BESIDE_IN * dpi
    run = max(12, int(round(_MIN_RUN_IN * dpi)))
    groups = _collinear(rulings.v, near, horizontal=False)
    longest = [_longest(g) for g in groups]
    streaks: set[int] = set()
    for x0, y0, x1, y1 in lines:
        h, cy = y1 - y0, (y0 + y1) / 2
        if x1 - x0 < 3 * h:
            continue  # a word or two, or a vertical label
        at = {i: _x_at(longest[i], cy) for i, g in enumerate(groups)
              if any(min(s.y0, s.y1) <= cy <= max(s.y0, s.y1) for s in g)}
        standing = [i for i, x in at.items() if x0 - beside <= x <= x1 + beside]
        cutting = [i for i in standing if x0 + h <= at[i] <= x1 - h]
        if cutting and len(cutting) == len(standing):
            streaks.update(cutting)
    if not streaks:
        return rulings
    mask = rulings.mask.copy()
    v: list[Segment] = []
    for i, group in enumerate(groups):
        v.extend(_printed_under(mask, gray, group, near, run, horizontal=False) if i in streaks else group)
    return Rulings(rulings.h, v, mask)


def _longest(group: list[Segment]) -> Segment:
    """The longest of pieces in a row down the page: its line is the row's."""
    return max(group, key=lambda s: abs(s.y1 - s.y0))


def _x_at(s: Segment, y: float) -> float:
    """Where a line down the page (y0 above y1) stands at height `y`."""
    return s.x0 + (s.x1 - s.x0) * (y - s.y0) / max(s.y1 - s.y0, 1.0)


def _runs_past(group: list[Segment], across: list[Segment], near: float, over: tuple[float, float, float],
               horizontal: bool) -> bool:
    """Whether lines in a row along one place across (a streak broken by faint stretches is such)
    run past the outermost lines across them that they meet: `over[0]` at both ends; or, down the
    page, `over[1]` at one end and `over[2]` at the other. (Across the page, a table's top rulings
    were seen met by few of its columns, lost to a faint copy: a copier's streaks run down the
    sheet, as it is fed.)"""
    lo = min(_along(s, horizontal)[0] for s in group)
    hi = max(_along(s, horizontal)[1] for s in group)
    met = [_along(t, not horizontal)[2] for t in across
           if any((_meets(s, t, near) if horizontal else _meets(t, s, near)) for s in group)]
    if not met:
        return False
    ends = sorted((min(met) - lo, hi - max(met)))
    both, far, off = over
    return ends[0] > both or not horizontal and ends[1] > far and ends[0] > off


def _collinear(lines: list[Segment], near: float, horizontal: bool) -> list[list[Segment]]:
    """The lines in groups standing at one place across (within `near`)."""
    groups: list[list[Segment]] = []
    for s in sorted(lines, key=lambda s: _along(s, horizontal)[2]):
        if groups and _along(s, horizontal)[2] - _along(groups[-1][-1], horizontal)[2] <= near:
            groups[-1].append(s)
        else:
            groups.append([s])
    return groups


def _printed_under(mask: np.ndarray, gray: np.ndarray, group: list[Segment], near: float, run: int,
                   horizontal: bool) -> list[Segment]:
    """The rulings printed under a streak (`group`: its pieces), its stretches darker than the
    streak at least `run` pixels long; `mask` no longer marks the other print under it."""
    m, g = (mask, gray) if not horizontal else (mask.T, gray.T)  # views: the streak runs down them
    pieces = [s if not horizontal else Segment(s.y0, s.x0, s.y1, s.x1) for s in group]
    lo = max(0, int(min(min(s.y0, s.y1) for s in pieces)))
    hi = min(m.shape[0], int(np.ceil(max(max(s.y0, s.y1) for s in pieces))) + 1)
    a = max(0, int(min(min(s.x0, s.x1) for s in pieces) - near))
    b = min(m.shape[1], int(np.ceil(max(max(s.x0, s.x1) for s in pieces) + near)) + 1)
    band, under = m[lo:hi, a:b], g[lo:hi, a:b]
    marked = band > 0
    if not marked.any():
        return []
    # Shares of the paper's brightness beside it, row by row: a streak darkens the paper by a
    # factor, in a copy's darkened margins as in its middle. (The rows around count too: a ruling
    # across the streak darkens its own rows' paper.)
    wide = g[lo:hi, max(0, a - _PAPER_BESIDE):b + _PAPER_BESIDE].max(axis=1)
    paper = cv2.dilate(wide.reshape(-1, 1), np.ones((2 * _PAPER_BESIDE + 1, 1), np.uint8)).astype(np.float32)
    shares = under.astype(np.float32) / np.maximum(paper, 1.0)
    # The streak's share: its darkest pixel in each row (the mask takes in paper beside it), in its
    # lighter rows, those over paper: a table's ruling it runs along may take most of its rows
    # (840 of 1,420 on a copy's table 3), as the other print under it a few.
    levels = np.where(marked, shares, 1.0).min(axis=1)[marked.any(axis=1)]
    level = float(np.percentile(levels, _STREAK_ROWS))
    spread = float(np.median(np.abs(levels[levels > level - _PRINT_UNDER] - level)))
    printed = marked & (shares < level - max(_PRINT_UNDER, _PRINT_SPREAD * spread))
    rows = printed.any(axis=1)
    padded = np.concatenate(([False], rows, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    line = _longest(pieces)
    out: list[Segment] = []
    for r0, r1 in zip(edges[::2], edges[1::2]):
        if r1 - r0 >= run:
            printed[r0:r1] = False  # a ruling stays erased
            y0, y1 = float(lo + r0), float(lo + r1 - 1)
            x0, x1 = _x_at(line, y0), _x_at(line, y1)
            out.append(Segment(x0, y0, x1, y1) if not horizontal else Segment(y0, x0, y1, x1))
    band[printed] = 0
    return out


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


def _light_print(levels: np.ndarray) -> bool:
    """Whether a page is printed light on a dark ground (a phone's dark mode), from a sample of
    its grey levels."""
    ground = _median_level(levels)
    if ground >= _DARK_GROUND:
        return False
    return int(np.count_nonzero(levels > ground + _PRINT_APART)) > int(np.count_nonzero(levels < ground - _PRINT_APART))


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
