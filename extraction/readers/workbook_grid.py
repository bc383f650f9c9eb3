"""The grid a workbook shows as an object embedded in a Word file, whichever format it is kept in
(docx_sheets.py reads an .xlsx, legacy_workbook.py Excel 97-2003's binary one): the range the
object shows, less hidden rows and columns, with the merged cells as spans."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..model import Cell, Table

MAX_CELLS = 20_000  # a sheet far larger than any table of the form is no table of it
# a part of the workbook past this, unpacked, is no table of the form either (nor read into memory)
MAX_PART_BYTES = 32 * 1024 * 1024


@dataclass
class SheetView:
    """What one sheet holds, by 0-based (row, column): its cells' texts, its merged ranges
    (first row, first column, last row, last column), its hidden rows and columns, and the range
    an embedded object shows (None where the workbook does not say: every cell that holds something)."""
    texts: dict[tuple[int, int], str]
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    hidden_rows: set[int] = field(default_factory=set)
    hidden_cols: set[int] = field(default_factory=set)
    shown: tuple[int, int, int, int] | None = None


def number_text(x: float) -> str:
    return str(int(x)) if x.is_integer() and abs(x) < 1e15 else f"{x:.10g}"


def shown_grid(view: SheetView) -> Table | None:
    """The table the object shows; None where it shows no table (nothing, one column, or a range
    far past any table of the form)."""
    texts = view.texts
    if view.shown is not None:
        top, left, bottom, right = view.shown
    elif texts:
        top, left = min(r for r, _ in texts), min(c for _, c in texts)
        bottom, right = max(r for r, _ in texts), max(c for _, c in texts)
    else:
        return None
    rows = [r for r in range(top, bottom + 1) if r not in view.hidden_rows]
    cols = [c for c in range(left, right + 1) if c not in view.hidden_cols]
    if len(rows) * len(cols) > MAX_CELLS:
        return None
    row_at, col_at = {r: i for i, r in enumerate(rows)}, {c: i for i, c in enumerate(cols)}
    covered: set[tuple[int, int]] = set()
    cells = []
    for r0, c0, r1, c1 in view.merges:
        shown_r = [r for r in range(r0, r1 + 1) if r in row_at]
        shown_c = [c for c in range(c0, c1 + 1) if c in col_at]
        if not shown_r or not shown_c:
            continue
        covered |= {(r, c) for r in shown_r for c in shown_c}
        cells.append(Cell(row_at[shown_r[0]], col_at[shown_c[0]], texts.get((r0, c0), ""),
                          rowspan=len(shown_r), colspan=len(shown_c)))
    cells += [Cell(row_at[r], col_at[c], texts.get((r, c), "")) for r in rows for c in cols if (r, c) not in covered]
    if all(cell.blank for cell in cells) or len(cols) < 2:
        return None
    return Table(cells=cells, n_rows=len(rows), n_cols=len(cols), origin="docx")
