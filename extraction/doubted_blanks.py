"""Empty cells OCR may have emptied: where ink no word accounts for (scan.unread_ink) stands in
a cell that reads blank, the blank is in doubt.

A figure the detector passes over (a fax's thin 1 beside a broken ruling, a photo's light 7) leaves
the same empty cell as a printed blank, and the rules confirm a lost 0 as well as a blank. The
page's unread ink says where something was printed that no word read: a cell holding some is
read blank with a low score, for review.
"""
from __future__ import annotations

import statistics
from dataclasses import replace

from .model import BBox, Cell, Table
from .tokens import parse_value
from .unruled import ORIGIN

# the score of an empty cell that holds ink OCR left unread
_INK_UNREAD_SCORE = 0.5
_INSET = 0.15  # of a ruled cell's width and height: ink nearer its edge may be a ruling's piece


def _is_figure(text: str) -> bool:
    v = parse_value(text)
    return v is not None and v.number is not None


def _centre(b: BBox) -> float:
    return (b[0] + b[2]) / 2


def blanks_over_ink(tables: list[Table], marks: list[BBox]) -> list[Table]:
    """The tables (read by OCR) with their empty cells doubted where a mark OCR left unread
    (`marks`, scan.unread_ink) stands in them."""
    if not marks:
        return tables
    return [_unruled(t, marks) if t.origin == ORIGIN else _ruled(t, marks) for t in tables]


def blanks_off_page(tables: list[Table], width: float, height: float) -> list[Table]:
    """The tables (of a page's own text) with their empty cells doubted where they stand off the
    page: a table wider than its page (a Word table past the margins, clipped when printed to PDF)
    keeps its rulings there, but no one sees those cells, and the page carries no text of theirs."""
    def off(b: BBox) -> bool:
        x, y = _centre(b), (b[1] + b[3]) / 2
        return not (0.0 <= x <= width and 0.0 <= y <= height)

    if not any(c.blank and c.bbox is not None and off(c.bbox) for t in tables for c in t.cells):
        return tables  # (the same list: the reader tells by it that nothing stands off the page)
    return [replace(t, cells=[_doubted(c) if c.blank and c.bbox is not None and off(c.bbox) else c for c in t.cells])
            for t in tables]


def _covers(m: BBox, b: BBox) -> bool:
    """Whether a mark covers a cell whole: ink unread anywhere on a page whose ground shows none
    (unread_ink: a page printed light on dark), not a character's."""
    return m[0] <= b[0] and m[1] <= b[1] and m[2] >= b[2] and m[3] >= b[3]


def _unruled(t: Table, marks: list[BBox]) -> Table:
    """A table that lost its rulings: each empty cell of a row that prints values (a row printing
    none is unruled.py's to doubt). A cell reaches halfway to the columns beside it, the last as
    far out again, and as far as its column's figures stand; the row's own height."""
    cols: dict[int, list[BBox]] = {}
    for c in t.cells:
        if c.bbox is not None and (c.blank or _is_figure(c.text)):
            cols.setdefault(c.col, []).append(c.bbox)
    centre = {k: statistics.median(map(_centre, v)) for k, v in cols.items()}
    order = sorted(centre)
    reach: dict[int, tuple[float, float]] = {}
    for i, k in enumerate(order):
        left = centre[order[i - 1]] if i else None
        right = centre[order[i + 1]] if i + 1 < len(order) else None
        half = 0.5 * ((centre[k] - left) if left is not None else (right - centre[k]) if right is not None else 0.0)
        # (figures set flush right stand off their column's centre)
        reach[k] = (min(centre[k] - half, *(b[0] for b in cols[k])), max(centre[k] + half, *(b[2] for b in cols[k])))
    valued = {c.row for c in t.cells if c.col in centre and not c.blank}

    def over_ink(c: Cell) -> bool:
        x0, x1 = reach.get(c.col, (0.0, 0.0))
        return any(x0 < (m[0] + m[2]) / 2 < x1 and c.bbox[1] <= (m[1] + m[3]) / 2 <= c.bbox[3] or _covers(m, c.bbox)
                   for m in marks)

    return replace(t, cells=[_doubted(c) if c.blank and c.row in valued and c.bbox is not None and over_ink(c) else c
                             for c in t.cells])


def _ruled(t: Table, marks: list[BBox]) -> Table:
    """A ruled table: its empty cells where unread ink stands well inside them (a light 7 the
    detector passed over, the cell's second reading taken by a ruling's edge bent into it): away
    from the rulings, whose broken pieces are unread ink too."""
    def over_ink(b: BBox) -> bool:
        dx, dy = _INSET * (b[2] - b[0]), _INSET * (b[3] - b[1])
        return any(b[0] + dx < (m[0] + m[2]) / 2 < b[2] - dx and b[1] + dy < (m[1] + m[3]) / 2 < b[3] - dy
                   or _covers(m, b) for m in marks)

    return replace(t, cells=[_doubted(c) if c.blank and c.bbox is not None and over_ink(c.bbox) else c
                             for c in t.cells])


def _doubted(c: Cell) -> Cell:
    return replace(c, score=min(c.score, _INK_UNREAD_SCORE))
