"""Table recoverers a user would reach for, mapped onto our fields through our own mapping.

Each alternative only replaces table recovery: our reader's prose (title, agency, dates, section
text) is kept, its tables are dropped, and the alternative's tables — turned into
`extraction.model.Table` grids — take their place on the same pages. The Document then goes through
`extraction.pipeline.extract_document`, exactly as ours does, so accuracy differences are table
recovery alone.
"""
from __future__ import annotations

from typing import Callable

from extraction.model import Cell, Document, Paragraph, Table

Grid = list[list[str | None]]  # rows of cell texts; None where a merged cell continues
BBox = tuple[float, float, float, float]


def grid_table(rows: Grid, page: int, origin: str, boxes: list[list[BBox | None]] | None = None) -> Table:
    """A Table from an alternative's text grid. Both libraries report a merged cell as its text
    in the top-left slot and None in the slots it covers. A None can continue the cell to its left
    or the one above ([A, B] over [C, None]), so spans are measured from the cells' boxes, which
    both libraries give: a cell spans the columns (rows) whose slots start inside its box. Without
    usable boxes, spans are rebuilt from the None runs."""
    n_rows = len(rows)
    n_cols = max((len(r) for r in rows), default=0)
    padded = [list(r) + [""] * (n_cols - len(r)) for r in rows]
    spans = _spans_from_boxes(boxes, n_rows, n_cols) if boxes else None
    cells: list[Cell] = []
    for r, row in enumerate(padded):
        for c, text in enumerate(row):
            if text is None:
                continue
            if spans is not None and (r, c) in spans:
                rowspan, colspan = spans[(r, c)]
            else:
                colspan = 1
                while c + colspan < n_cols and padded[r][c + colspan] is None:
                    colspan += 1
                rowspan = 1
                while r + rowspan < n_rows and all(padded[r + rowspan][c + k] is None for k in range(colspan)):
                    rowspan += 1
            cells.append(Cell(r, c, (text or "").strip(), rowspan, colspan, page=page))
    return Table(cells, n_rows, n_cols, page=page, origin=origin)


def _spans_from_boxes(boxes: list[list[BBox | None]], n_rows: int, n_cols: int) -> dict | None:
    """(row, col) -> (rowspan, colspan) from the slot boxes; None when a row or column has no box
    of its own to say where it starts."""
    col_x = [min((row[c][0] for row in boxes if c < len(row) and row[c] is not None), default=None)
             for c in range(n_cols)]
    row_y = [min((b[1] for b in row if b is not None), default=None) for row in boxes]
    if len(row_y) != n_rows or None in col_x or None in row_y:
        return None
    out = {}
    for r, row in enumerate(boxes):
        for c, b in enumerate(row):
            if b is None:
                continue
            colspan = 1 + sum(1 for k in range(c + 1, n_cols) if col_x[k] < b[2] - 1.0)
            rowspan = 1 + sum(1 for i in range(r + 1, n_rows) if row_y[i] < b[3] - 1.0)
            out[(r, c)] = (rowspan, colspan)
    return out


def pymupdf_tables(data: bytes) -> list[Table]:
    import pymupdf

    out: list[Table] = []
    with pymupdf.open(stream=data, filetype="pdf") as doc:
        for page in doc:
            for t in page.find_tables().tables:
                out.append(grid_table(t.extract(), page.number + 1, "pymupdf", [r.cells for r in t.rows]))
    return out


def pdfplumber_tables(data: bytes) -> list[Table]:
    import io

    import pdfplumber

    out: list[Table] = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for i, page in enumerate(pdf.pages):
            for t in page.find_tables():
                out.append(grid_table(t.extract(), i + 1, "pdfplumber", [r.cells for r in t.rows]))
    return out


TABLE_RECOVERERS: dict[str, Callable[[bytes], list[Table]]] = {
    "pymupdf.find_tables": pymupdf_tables,
    "pdfplumber": pdfplumber_tables,
}


def with_tables(doc: Document, tables: list[Table]) -> Document:
    """doc's prose with `tables` in place of its own: each page's new tables go where that page's
    first table was (after the page's prose when the reader found none there)."""
    by_page: dict[int | None, list[Table]] = {}
    for t in tables:
        by_page.setdefault(t.page, []).append(t)
    blocks: list = []
    placed: set[int | None] = set()
    for block in doc.blocks:
        if isinstance(block, Table):
            if block.page not in placed:
                blocks.extend(by_page.get(block.page, []))
                placed.add(block.page)
            continue
        blocks.append(block)
    for page, ts in by_page.items():
        if page in placed:
            continue
        # After the last paragraph of that page (or at the end).
        at = max((i for i, b in enumerate(blocks) if isinstance(b, Paragraph) and b.page == page), default=len(blocks) - 1)
        blocks[at + 1:at + 1] = ts
        placed.add(page)
    return Document(blocks, doc.kind, doc.pages, list(doc.warnings), dict(doc.timings_ms))
