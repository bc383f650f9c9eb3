"""Two columns of figures a lost ruling made one, parted again.

A dark photocopy or a fax can lose one column's ruling from the top of a table to its foot (科研机构 |
社会公益组织). The grid then has one column for the two: its header cell holds both labels, and each
of its cells two figures ("2 0", or "00" where the two zeros touch). Read as one number, the figures
after it in every row stood a column left of their own, and the column rules, broken alike in every
row, held over them. Where most of a column's figure cells hold two figures each, the column is two:
each such cell is parted into two, and any other cell in it spans both (its one figure's place is
not known, and the rules place it)."""
from __future__ import annotations

import re
from dataclasses import replace

from .model import Cell, Document, Table
from .tokens import parse_value

# of a column's cells with figures, those holding two for the column to be two
_MOST = 0.6
_FEW = 3  # cells, at least


def columns_parted(doc: Document) -> Document:
    """The document with each table's joined columns parted: in tables OCR read (in a text layer,
    digits set apart by their font's spacing are one number)."""
    ocr = doc.ocr_pages or frozenset()
    parted = [_parted(b) if isinstance(b, Table) and b.page in ocr else b for b in doc.blocks]
    if all(p is b for p, b in zip(parted, doc.blocks)):
        return doc
    return replace(doc, blocks=parted, warnings=[*doc.warnings, "a table column holding two figures in each cell "
                                                                "(the ruling between two columns lost): read as two"])


def _two_figures(text: str) -> tuple[str, str] | None:
    """The two figures a cell's text holds ("2 0"; "00", as no count is printed so), else None."""
    parts = text.split()
    if len(parts) == 1 and re.fullmatch(r"00", parts[0]):
        return "0", "0"
    if len(parts) == 2 and all((v := parse_value(p)) is not None and v.number is not None for p in parts):
        return parts[0], parts[1]
    return None


def _parted(table: Table) -> Table:
    for col in range(table.n_cols):
        # (pair, figure) for each cell of the column alone in its place
        kinds = [(_two_figures(c.text) is not None, (v := parse_value(c.text)) is not None and v.number is not None)
                 for c in table.cells if c.col == col and c.colspan == 1 and c.rowspan == 1]
        pairs, figures = sum(p for p, _ in kinds), sum(p or f for p, f in kinds)
        if pairs >= _FEW and pairs >= _MOST * figures:
            return _parted(_split(table, col))
    return table


def _split(table: Table, col: int) -> Table:
    cells: list[Cell] = []
    for c in table.cells:
        if c.col > col:
            cells.append(replace(c, col=c.col + 1))
        elif c.col + c.colspan <= col:
            cells.append(c)
        elif c.colspan == 1 and (pair := _two_figures(c.text)):
            left, right = _halves(c.bbox)
            cells += [replace(c, text=pair[0], bbox=left), replace(c, col=col + 1, text=pair[1], bbox=right)]
        else:
            cells.append(replace(c, colspan=c.colspan + 1))
    return replace(table, cells=cells, n_cols=table.n_cols + 1)


def _halves(bbox):
    if bbox is None:
        return None, None
    x0, y0, x1, y1 = bbox
    mid = (x0 + x1) / 2
    return (x0, y0, mid, y1), (mid, y0, x1, y1)
