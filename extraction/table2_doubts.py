"""Table 2's figures that OCR may have moved. Tables 3 and 4 have rules that catch a figure given
to the wrong row or column; table 2 has none, so where OCR shows signs of having moved figures,
the figures it may have moved go to review."""
from __future__ import annotations

from typing import Sequence

from .readings import Reading
from .schema import Row


def moved_by_ocr(rows: Sequence[Row], readings: dict[str, Reading], ocr_pages: frozenset[int], style: str) -> list[str]:
    """The keys of table 2 (`rows`) to hold: those beside a row OCR lost, and, in a table that
    prints its zeros (`style`: consistency.zero_style), those beside a cell OCR read empty."""
    held = _beside_lost_rows(rows, readings, ocr_pages)
    if style in ("zero", "mixed"):
        held += _beside_emptied_cells(rows, readings, ocr_pages)
    return held


def _beside_lost_rows(rows: Sequence[Row], readings: dict[str, Reading], ocr_pages: frozenset[int]) -> list[str]:
    """Cells read by OCR in a row next to a row that lost all its figures. Where OCR reads a
    table's rows apart from their figures (a photo's lines run together: 行政处罚 | 行政强制… | 1 over
    0), a row's figures go to the row beside it."""
    lost = [all(readings[k].status == "missing" for k in r.keys) for r in rows]
    out = []
    for n, row in enumerate(rows):
        beside = (n > 0 and lost[n - 1]) or (n + 1 < len(rows) and lost[n + 1])
        if beside and not lost[n]:
            out += [k for k in row.keys if readings[k].page in ocr_pages]
    return out


def _beside_emptied_cells(rows: Sequence[Row], readings: dict[str, Reading], ocr_pages: frozenset[int]) -> list[str]:
    """Figures OCR read beside a cell it read empty: the empty cell's figure may have run into its
    neighbour's, and the figures after it moved up, where a light ruling between them was lost
    (8 | 18 | empty read 818 | empty; 0 | 5 | 4 read 05 | 4 | empty)."""
    out = []
    for row in rows:
        for a, b in zip(row.keys, row.keys[1:]):
            for empty, full in ((a, b), (b, a)):
                e, f = readings[empty], readings[full]
                if e.status == "blank" and not e.dash and e.page in ocr_pages and f.value is not None:
                    out.append(full)
    return out
