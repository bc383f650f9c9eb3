"""The upright reading frame of a PDF page: coordinates in which its text runs left to right.

MuPDF reports characters and drawings in the page's unrotated space. A page stored turned and
shown upright by /Rotate (scanners and some converters write these), or a landscape table set
sideways on the sheet, then has its text running up, down or right to left there, and rows and
columns found in that space are columns and rows. The frame turns the page by the quarter turn
that makes most of its characters read left to right, so the table finder sees the page as a
reader would hold it.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pymupdf

from ..model import BBox

_QUARTERS = (0, 90, 180, 270)


@dataclass(frozen=True)
class Frame:
    matrix: pymupdf.Matrix  # unrotated page space → upright frame
    width: float
    height: float
    turn: int  # degrees between the page as a viewer shows it and the upright frame
    identity: bool = field(init=False)  # the page's own space already reads upright: nothing to transform

    def __post_init__(self):
        m = self.matrix
        object.__setattr__(self, "identity", (m.a, m.b, m.c, m.d, m.e, m.f) == (1, 0, 0, 1, 0, 0))

    def box(self, bbox: Any) -> BBox:
        if self.identity:
            return tuple(bbox)
        r = (pymupdf.Rect(bbox) * self.matrix).normalize()
        return (r.x0, r.y0, r.x1, r.y1)

    def point(self, p: pymupdf.Point) -> pymupdf.Point:
        return p if self.identity else pymupdf.Point(p) * self.matrix

    def rect(self, r: pymupdf.Rect) -> pymupdf.Rect:
        return r if self.identity else (pymupdf.Rect(r) * self.matrix).normalize()


def reading_frame(page: pymupdf.Page, raw: dict) -> Frame:
    """The frame in which most of the page's characters (from its "rawdict") read left to right."""
    votes: Counter[tuple[int, int]] = Counter()
    for block in raw.get("blocks", []):
        for line in block.get("lines", []):
            dx, dy = line.get("dir", (1.0, 0.0))
            n = sum(len(span.get("chars", [])) for span in line.get("spans", []))
            if n and max(abs(dx), abs(dy)) > 0.9:  # quarter turns only; slanted text has no vote
                votes[(round(dx), round(dy))] += n
    direction = votes.most_common(1)[0][0] if votes else (1, 0)
    unrotated = (pymupdf.Rect(page.rect) * page.derotation_matrix).normalize()
    angle = next((a for a in _QUARTERS if _runs_right(pymupdf.Matrix(a), direction)), 0)
    turn = pymupdf.Matrix(angle)
    placed = (unrotated * turn).normalize()
    matrix = turn * pymupdf.Matrix(1, 0, 0, 1, -placed.x0, -placed.y0)
    shown = (angle - page.rotation) % 360
    return Frame(matrix=matrix, width=placed.width, height=placed.height, turn=shown)


def _runs_right(m: pymupdf.Matrix, direction: tuple[int, int]) -> bool:
    p = pymupdf.Point(direction) * m - pymupdf.Point(0, 0) * m
    return p.x > 0.9 and abs(p.y) < 0.1
