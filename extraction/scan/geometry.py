"""Straightening a page image: the paper in a photo, quarter turns, and skew.

All three are measured on a small binarised copy of the page (about 60-100 dpi is plenty to see
text lines), so they cost milliseconds, and applied once to the full image.
"""
from __future__ import annotations

from typing import Callable

import cv2
import numpy as np

from .components import components

# Degrees either way. A scanner feeds a sheet a degree or two askew; a phone held over a page that
# fills the picture (no background for find_paper to cut the sheet out of) turns it by ten or more.
# At 5, pages turned 8° kept 3° of it: their rulings leaned, and two of six such scans lost most of
# table 3, with silent errors; at 15, 4-14° scans read right.
MAX_SKEW = 15.0


def ink(gray: np.ndarray) -> np.ndarray:
    """Dark marks (text, lines) as 255 on 0, robust to uneven lighting and faint print."""
    blur = cv2.GaussianBlur(gray, (3, 3), 0)
    block = max(15, (min(gray.shape[:2]) // 40) | 1)
    return cv2.adaptiveThreshold(blur, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 12)


def _small(gray: np.ndarray, dpi: float, target: float) -> tuple[np.ndarray, float]:
    f = min(1.0, target / dpi)
    if f >= 0.98:
        return gray, 1.0
    return cv2.resize(gray, None, fx=f, fy=f, interpolation=cv2.INTER_AREA), f


# --------------------------------------------------------------------------- paper in a photo

def find_paper(gray: np.ndarray) -> np.ndarray | None:
    """The four corners of a sheet of paper photographed on a darker background (clockwise from
    top-left, in pixels), or None when the image is the page itself (a scan)."""
    h, w = gray.shape[:2]
    f = 800 / max(h, w)
    small = cv2.resize(gray, None, fx=f, fy=f, interpolation=cv2.INTER_AREA) if f < 1 else gray
    f = min(f, 1.0)
    blur = cv2.GaussianBlur(small, (5, 5), 0)
    _, paper = cv2.threshold(blur, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    # print on the paper must not cut its outline: close the paper over its text
    paper = cv2.morphologyEx(paper, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    contours, _ = cv2.findContours(paper, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    c = max(contours, key=cv2.contourArea)
    area = cv2.contourArea(c)
    total = small.shape[0] * small.shape[1]
    if not 0.2 * total <= area <= 0.92 * total:
        return None  # no background around it: a scan (or no paper to be seen)
    quad = _four_corners(c, small.shape[:2])
    if quad is None:
        return None
    if not _sheet_edge(small, quad.reshape(4, 2)):
        return None
    pts = quad.reshape(4, 2).astype(np.float32) / f
    return _clockwise(pts)


def _four_corners(outline: np.ndarray, size: tuple[int, int]) -> np.ndarray | None:
    """The sheet's four corners from its outline, or None where it has no four. A finger or its
    shadow over the sheet's edge bites into the outline: its hull goes round the bite, and a
    coarser fit of that hull may still find the four corners, where they are the sheet's own (a
    corner on the picture's edge is where the sheet runs out of the picture)."""
    first = cv2.approxPolyDP(outline, _CORNER_FITS[0] * cv2.arcLength(outline, True), True)
    if len(first) == 4 and cv2.isContourConvex(first):
        return first
    hull = cv2.convexHull(outline)
    h, w = size
    for eps in _CORNER_FITS:
        quad = cv2.approxPolyDP(hull, eps * cv2.arcLength(hull, True), True)
        if len(quad) < 4:
            return None
        pts = quad.reshape(-1, 2)
        inside = bool(np.all((pts[:, 0] > 1) & (pts[:, 1] > 1) & (pts[:, 0] < w - 2) & (pts[:, 1] < h - 2)))
        if len(quad) == 4 and inside:
            return quad
    return None


# shares of the outline's length a fitted side may stray from it: the first for a clean outline
_CORNER_FITS = (0.02, 0.03, 0.04, 0.05)


# What tells a sheet's outline from a line across the page. A page that fills the picture, lit
# unevenly, splits into a bright part and a dim part; the bright part's outline once cut a table
# off. The sheet's edge is a step from paper to desk (about 156 grey levels on the photographed
# pages of our sweeps); a dim part falls off gently (2-4 levels across the same bands); and no
# print lies outside the sheet (a share of the print inside).
_EDGE_STEP = 20
_OUTSIDE_PRINT = 0.05
_DESK_SPECKS = 0.01  # of the desk's pixels that may pass for print


def _sheet_edge(small: np.ndarray, quad: np.ndarray) -> bool:
    """Whether `quad` (pixels of `small`) is the outline of the sheet against the desk: brighter
    just inside than just outside, and no print outside it."""
    inside = np.zeros(small.shape, np.uint8)
    cv2.fillConvexPoly(inside, quad.astype(np.int32), 1)
    band = max(3, min(small.shape) // 60)
    kernel = np.ones((2 * band + 1, 2 * band + 1), np.uint8)
    grown, shrunk = cv2.dilate(inside, kernel), cv2.erode(inside, kernel)
    ring_in, ring_out = (inside > 0) & (shrunk == 0), (grown > 0) & (inside == 0)
    if not ring_in.any() or not ring_out.any():
        return False
    if float(np.median(small[ring_in])) - float(np.median(small[ring_out])) < _EDGE_STEP:
        return False
    # the rings belong to neither side: the sheet's edge itself shows as ink
    marks = ink(small) > 0
    within = int(np.count_nonzero(marks & (shrunk > 0)))
    outside = int(np.count_nonzero(marks & (grown == 0)))
    # (a page with little print on it, the date alone, against a grained desk: the desk's specks
    # are many times the page's print, but few for the desk's area)
    return outside <= max(_OUTSIDE_PRINT * within, _DESK_SPECKS * np.count_nonzero(grown == 0), 1)


def _clockwise(pts: np.ndarray) -> np.ndarray:
    s, d = pts.sum(axis=1), np.diff(pts, axis=1).ravel()
    return np.float32([pts[np.argmin(s)], pts[np.argmin(d)], pts[np.argmax(s)], pts[np.argmax(d)]])


def unwarp_paper(gray: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """The paper inside `quad` as a flat rectangle, keeping the sheet's measured proportions."""
    tl, tr, br, bl = quad
    w = int(round(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl))))
    h = int(round(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr))))
    m = cv2.getPerspectiveTransform(quad, np.float32([[0, 0], [w, 0], [w, h], [0, h]]))
    return cv2.warpPerspective(gray, m, (w, h), flags=cv2.INTER_CUBIC, borderValue=255)


# ------------------------------------------------------------------------------ quarter turns

def lines_run_vertically(gray: np.ndarray, dpi: float) -> bool:
    """Whether the text lines run top-down (the page lies on its side).

    Characters smeared sideways by a closing merge into long flat blobs when lines are
    horizontal, and into tall thin ones when they are vertical; rulings are removed first, as a
    table's vertical lines would otherwise vote for a turned page."""
    small, f = _small(gray, dpi, 75.0)
    bw = ink(small)
    d = dpi * f
    long = max(15, int(d * 0.5))
    lines = cv2.morphologyEx(bw, cv2.MORPH_OPEN, np.ones((1, long), np.uint8)) | \
        cv2.morphologyEx(bw, cv2.MORPH_OPEN, np.ones((long, 1), np.uint8))
    text = cv2.subtract(bw, cv2.dilate(lines, np.ones((3, 3), np.uint8)))
    k = max(3, int(d * 0.08))  # about a character's spacing
    flat = _elongated(cv2.morphologyEx(text, cv2.MORPH_CLOSE, np.ones((1, k), np.uint8)), horizontal=True)
    tall = _elongated(cv2.morphologyEx(text, cv2.MORPH_CLOSE, np.ones((k, 1), np.uint8)), horizontal=False)
    return tall > 1.5 * max(flat, 3)


def _elongated(mask: np.ndarray, horizontal: bool) -> int:
    comps = components(mask)
    w, h = comps.x_hi - comps.x_lo + 1, comps.y_hi - comps.y_lo + 1
    long, short = (w, h) if horizontal else (h, w)
    return int(np.sum((long >= 4 * short) & (long >= 12)))


def turn(gray: np.ndarray, quarter_turns_cw: int) -> np.ndarray:
    k = quarter_turns_cw % 4
    if k == 0:
        return gray
    return np.ascontiguousarray(np.rot90(gray, -k))


# ------------------------------------------------------------------------------------- skew

def estimate_skew(gray: np.ndarray, dpi: float) -> float:
    """The angle (degrees, within ±MAX_SKEW) that `rotate` takes to straighten the page.

    The angle at which the rows of ink are sharpest: text lines and rulings then fall into few
    rows, and the row profile's variance peaks. Coarse steps, then fine steps around the best."""
    small, f = _small(gray, dpi, 100.0)
    h, w = small.shape
    # The ink's pixels, turned about the page's centre: only the rows they land in are needed, so
    # each angle costs a pass over the ink (about a tenth of the page), not a rotated image.
    pts = cv2.findNonZero(ink(small))
    if pts is None:
        return 0.0
    pts = pts.reshape(-1, 2).astype(np.float32)

    def sharpness_of(p: np.ndarray) -> Callable[[float], float]:
        x, y = p[:, 0] - w / 2, p[:, 1] - h / 2
        corners = np.array([[x.min(), y.min()], [x.min(), y.max()], [x.max(), y.min()], [x.max(), y.max()]],
                           dtype=np.float64)

        def sharpness(angle: float) -> float:
            a = np.deg2rad(angle)
            c, s = np.float32(np.cos(a)), np.float32(np.sin(a))
            row = np.floor(s * x + c * y + h / 2 + 0.5).astype(np.int32)
            # The ink's box turned: where it stays a pixel clear of the page's edges (the margins
            # usually keep it so), no point can leave the page, and the test of every point is
            # skipped (a third of the skew's cost).
            cols = float(c) * corners[:, 0] - float(s) * corners[:, 1] + w / 2
            rows = float(s) * corners[:, 0] + float(c) * corners[:, 1] + h / 2 + 0.5
            if cols.min() >= 0.5 and cols.max() < w - 1.5 and rows.min() >= 1 and rows.max() < h - 1:
                return float(np.var(np.bincount(row, minlength=h)))
            col = c * x - s * y + w / 2
            on = (row >= 0) & (row < h) & (col >= -0.5) & (col < w - 0.5)
            return float(np.var(np.bincount(row[on], minlength=h)))

        return sharpness

    # The coarse steps only pick the half degree to search finely: a quarter of the ink tells
    # them apart as well (the same angle on 180 scanned pages), at a third of the skew's cost.
    best = max(np.arange(-MAX_SKEW, MAX_SKEW + 1e-6, 0.5), key=sharpness_of(pts[::_COARSE_SAMPLE]))
    fine = np.arange(best - 0.5, best + 0.5 + 1e-6, 0.1)
    best = max(fine, key=sharpness_of(pts))
    return float(np.clip(best, -MAX_SKEW, MAX_SKEW))


_COARSE_SAMPLE = 4


def rotate(gray: np.ndarray, angle: float) -> np.ndarray:
    """The page turned by `angle` degrees as measured by `estimate_skew`, keeping its size and
    filling the corners with white."""
    if abs(angle) < 0.05:
        return gray
    h, w = gray.shape[:2]
    return cv2.warpAffine(gray, _turning(w, h, angle), (w, h), flags=cv2.INTER_LINEAR, borderValue=255)


def rotated_part(gray: np.ndarray, angle: float, x0: int, y0: int, x1: int, y1: int) -> np.ndarray:
    """rotate(gray, angle)[y0:y1, x0:x1] (the box clipped to the image), turning only the pixels
    of that box: a few cells of a 300-dpi page cost a fraction of the whole page's turn (24 ms)."""
    h, w = gray.shape[:2]
    x0, y0, x1, y1 = _clipped(gray, x0, y0, x1, y1)
    if abs(angle) < 0.05 or x1 == x0 or y1 == y0:
        return gray[y0:y1, x0:x1]
    m = _turning(w, h, angle)
    m[:, 2] -= (x0, y0)
    return cv2.warpAffine(gray, m, (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR, borderValue=255)


def warped_part(gray: np.ndarray, m: np.ndarray, x0: int, y0: int, x1: int, y1: int) -> np.ndarray:
    """cv2.warpPerspective(gray, m)[y0:y1, x0:x1], the box clipped to the image, warping only the
    pixels of that box."""
    x0, y0, x1, y1 = _clipped(gray, x0, y0, x1, y1)
    if x1 == x0 or y1 == y0:
        return gray[y0:y1, x0:x1]
    shift = np.array([[1.0, 0, -x0], [0, 1.0, -y0], [0, 0, 1]])
    return cv2.warpPerspective(gray, shift @ m, (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR, borderValue=255)


def _clipped(gray: np.ndarray, x0: int, y0: int, x1: int, y1: int) -> tuple[int, int, int, int]:
    h, w = gray.shape[:2]
    x0, y0 = min(max(0, x0), w), min(max(0, y0), h)
    return x0, y0, min(max(x0, x1), w), min(max(y0, y1), h)


def picture_outline(shape: tuple[int, int], m: np.ndarray) -> np.ndarray:
    """Where the border of a picture of `shape` lands when it is warped by the 3x3 matrix `m`
    (into the same shape): its four corners, clockwise from the top left (what lies outside them
    is fill)."""
    h, w = shape
    corners = np.array([[0, 0, 1], [w, 0, 1], [w, h, 1], [0, h, 1]], dtype=np.float64) @ m.T
    return corners[:, :2] / corners[:, 2:3]


def turning(w: int, h: int, angle: float) -> np.ndarray:
    """rotate's turn of a w x h page as a 3x3 matrix."""
    return np.vstack([_turning(w, h, angle), [0.0, 0.0, 1.0]])


def _turning(w: int, h: int, angle: float) -> np.ndarray:
    return cv2.getRotationMatrix2D((w / 2, h / 2), -angle, 1.0)
