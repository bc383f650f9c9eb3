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


def grid_table(rows: Grid, page: int, origin: str) -> Table:
    """A Table from an alternative's text grid. Both libraries report a merged cell as its text
    in the top-left slot and None in the slots it covers; spans are rebuilt from those runs."""
    n_rows = len(rows)
    n_cols = max((len(r) for r in rows), default=0)
    padded = [list(r) + [""] * (n_cols - len(r)) for r in rows]
    cells: list[Cell] = []
    for r, row in enumerate(padded):
        for c, text in enumerate(row):
            if text is None:
                continue
            colspan = 1
            while c + colspan < n_cols and padded[r][c + colspan] is None:
                colspan += 1
            rowspan = 1
            while r + rowspan < n_rows and padded[r + rowspan][c] is None and all(
                    padded[r + rowspan][c + k] is None for k in range(colspan)):
                rowspan += 1
            cells.append(Cell(r, c, (text or "").strip(), rowspan, colspan, page=page))
    return Table(cells, n_rows, n_cols, page=page, origin=origin)


def pymupdf_tables(data: bytes) -> list[Table]:
    import pymupdf

    out: list[Table] = []
    with pymupdf.open(stream=data, filetype="pdf") as doc:
        for page in doc:
            for t in page.find_tables().tables:
                out.append(grid_table(t.extract(), page.number + 1, "pymupdf"))
    return out


def pdfplumber_tables(data: bytes) -> list[Table]:
    import io

    import pdfplumber

    out: list[Table] = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for i, page in enumerate(pdf.pages):
            for rows in page.extract_tables():
                out.append(grid_table(rows, i + 1, "pdfplumber"))
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
