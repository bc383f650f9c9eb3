"""A page photographed at an angle, its edges out of the picture: squaring its rulings.

A phone held over a page that fills the picture sees it in perspective: the table's horizontal
rulings converge towards one vanishing point and its verticals towards another, so after the
page is straightened by one angle its rows still slope, up at one end of the table and down at
the other, and its columns lean. The grid then takes cells from the wrong rows (photos with the
corners moved 2.5% of the page: a table 3 total read from the row below, accepted at 0.98).
geometry.find_paper squares such a page where the sheet's outline shows against the desk; where
it does not, the rulings tell the same: each long ruling is a line, the horizontals' common
point and the verticals' are found by least squares, and the homography that sends both to
infinity along the axes makes every ruling level or upright.
"""
from __future__ import annotations

import numpy as np

from ..grid import Segment

_MIN_LEN_IN = 1.0  # rulings at least this long fix a direction well (a 1-px error is 0.4°)
_MIN_LINES = 3
_MIN_SPREAD = 0.25  # of the page's height (width): the rulings must span this much of it
# A correction moving no corner of the ruled area further than the grid's tolerance (3 pt: 6 px at
# 150 dpi) is not made: it would only resample the page. Made at 2 px, it blurred a photographed
# page's "1" into a "一" (a total column then went to review).
_VISIBLE_PX = 6.0
_MAX_SHIFT = 0.08  # of the page's size: a correction moving a corner further is a bad fit


def keystone(h_lines: list[Segment], v_lines: list[Segment], width: int, height: int,
             dpi: float) -> np.ndarray | None:
    """The 3x3 homography (pixels to pixels, the page's centre fixed) that makes the page's long
    rulings level and upright; None where they are already (within _VISIBLE_PX at the ruled
    area's corners) or too few to tell."""
    min_len = _MIN_LEN_IN * dpi
    hs = [s for s in h_lines if abs(s.x1 - s.x0) >= min_len]
    vs = [s for s in v_lines if abs(s.y1 - s.y0) >= min_len]
    cx, cy, scale = width / 2.0, height / 2.0, max(width, height) / 2.0
    h_point = _vanishing_point(hs, cx, cy, scale, across=lambda s: (s.y0 + s.y1) / 2, span=height)
    v_point = _vanishing_point(vs, cx, cy, scale, across=lambda s: (s.x0 + s.x1) / 2, span=width)
    if h_point is None and v_point is None:
        return None
    if h_point is None:
        h_point = np.array([1.0, 0.0, 0.0])
    if v_point is None:
        v_point = np.array([0.0, 1.0, 0.0])
    normalised = _rectifying(h_point, v_point)
    if normalised is None:
        return None
    to_unit = np.array([[1 / scale, 0, -cx / scale], [0, 1 / scale, -cy / scale], [0, 0, 1]])
    m = np.linalg.inv(to_unit) @ normalised @ to_unit
    m /= m[2, 2]
    xs = [v for s in hs + vs for v in (s.x0, s.x1)]
    ys = [v for s in hs + vs for v in (s.y0, s.y1)]
    corners = np.array([[min(xs), min(ys), 1], [max(xs), min(ys), 1], [max(xs), max(ys), 1], [min(xs), max(ys), 1]])
    moved = corners @ m.T
    shift = np.hypot(*(moved[:, :2] / moved[:, 2:3] - corners[:, :2]).T).max()
    if shift < _VISIBLE_PX or shift > _MAX_SHIFT * max(width, height):
        return None
    return m


def _vanishing_point(segments: list[Segment], cx: float, cy: float, scale: float, across, span: float):
    """The point (homogeneous, in the page's unit frame: centre 0, half the longer side 1) the
    segments' lines pass nearest, each weighted by its length; None for too few, or too close
    together to tell."""
    if len(segments) < _MIN_LINES:
        return None
    positions = [across(s) for s in segments]
    if max(positions) - min(positions) < _MIN_SPREAD * span:
        return None
    rows = []
    for s in segments:
        p = np.array([(s.x0 - cx) / scale, (s.y0 - cy) / scale, 1.0])
        q = np.array([(s.x1 - cx) / scale, (s.y1 - cy) / scale, 1.0])
        line = np.cross(p, q)
        norm = np.hypot(line[0], line[1])
        if norm == 0:
            continue
        rows.append(line / norm * np.hypot(q[0] - p[0], q[1] - p[1]))
    if len(rows) < _MIN_LINES:
        return None
    _, _, vt = np.linalg.svd(np.array(rows))
    return vt[-1]


def _rectifying(h_point: np.ndarray, v_point: np.ndarray) -> np.ndarray | None:
    """The homography of the unit frame that sends h_point to infinity along x and v_point to
    infinity along y, keeping the origin and, to first order, the scale there."""
    horizon = np.cross(h_point, v_point)
    if abs(horizon[2]) < 1e-9:
        return None
    # the vanishing line to infinity: the lines through either point become parallel
    projective = np.array([[1.0, 0, 0], [0, 1.0, 0], horizon / horizon[2]])
    dh, dv = (projective @ h_point)[:2], (projective @ v_point)[:2]
    if np.hypot(*dh) == 0 or np.hypot(*dv) == 0:
        return None
    dh = dh / np.hypot(*dh) * (1 if dh[0] >= 0 else -1)
    dv = dv / np.hypot(*dv) * (1 if dv[1] >= 0 else -1)
    basis = np.column_stack([dh, dv])
    if abs(np.linalg.det(basis)) < 0.5:  # the two directions nowhere near square to each other
        return None
    affine = np.eye(3)
    affine[:2, :2] = np.linalg.inv(basis)
    return affine @ projective
