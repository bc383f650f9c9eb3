"""What a PDF-to-Word converter leaves in a table's grid, undone.

A converter rebuilds each table from the lines it sees on the page, and two traces of that are
common. Rulings a hair apart (a double line, a border drawn twice) give columns a few twips wide
that no text stands in (narrower than a character): each row gets an empty cell there, one more than the form's columns, and a
row's numbers no longer line up with its header. And two neighbouring cells whose ruling between
them the converter missed become one cell spanning both columns, their numbers set in it with a
run of spaces or a tab between: 2        0 under 自然人 and 商业企业.
"""
from __future__ import annotations

import re
from dataclasses import replace

from ..model import Cell
from ..tokens import parse_value

# two figures set apart in one cell: a tab, or a run of spaces wider than a word space
_FIGURE_GAP = re.compile(r"\t+|[ \u3000\xa0]{2,}")


def split_figures(cell: Cell, raw_lines: list[str]) -> list[Cell]:
    """A cell spanning k columns that holds k figures on one line, set apart, as one cell per
    column; else the cell itself. `raw_lines`: the cell's lines with their spaces and tabs."""
    lines = [ln for ln in raw_lines if ln.strip()]
    if cell.colspan < 2 or len(lines) != 1:
        return [cell]
    pieces = _FIGURE_GAP.split(lines[0].strip())
    if len(pieces) != cell.colspan or not all(_figure(p) for p in pieces):
        return [cell]
    return [replace(cell, col=cell.col + i, colspan=1, text=p.strip()) for i, p in enumerate(pieces)]


def _figure(text: str) -> bool:
    v = parse_value(text.strip())
    return v is not None and v.number is not None


# twips (1/1440 in): narrower than any character, a column no one could have typed in
HAIRLINE = 100


def without_hairline_columns(cells: list[Cell], n_cols: int, widths: list[int]) -> tuple[list[Cell], int]:
    """The cells with the grid columns left out that are a hair wide (`widths`: the grid's, in
    twips) and that no cell with text starts in, those spanning over one narrowed; and the number
    of columns left. An empty column of a printed width is a column of blanks, and stays."""
    starts = {c.col for c in cells if not c.blank}
    empty = [k for k in range(n_cols) if k not in starts and k < len(widths) and widths[k] <= HAIRLINE]
    if not empty or len(empty) == n_cols:
        return cells, n_cols
    kept: list[Cell] = []
    for c in cells:
        inside = sum(c.col <= k < c.col + c.colspan for k in empty)
        if inside == c.colspan:
            continue  # an empty cell of a column left out
        before = sum(k < c.col for k in empty)
        kept.append(replace(c, col=c.col - before, colspan=c.colspan - inside))
    return kept, n_cols - len(empty)
