"""Table recoverers a user would reach for, mapped onto our fields through our own mapping.

Each alternative only replaces table recovery: our reader's prose (title, agency, dates, section
text) is kept, its tables are dropped, and the alternative's tables — turned into
`extraction.model.Table` grids — take their place on the same pages. The Document then goes through
`extraction.pipeline.extract_document`, exactly as ours does, so accuracy differences are table
recovery alone.
"""
from __future__ import annotations

import time
from dataclasses import replace
from typing import Callable

from bench.camelot_alt import camelot_tables  # camelot's grid says merges by its rulings, not None runs
from bench.rapid_table_alt import rapid_table_tables
from extraction.contract import ExtractionResult
from extraction.model import EVERYWHERE, Cell, Document, Paragraph, Table
from extraction.page_text import bounding_box

Grid = list[list[str | None]]  # rows of cell texts; None where a merged cell continues
BBox = tuple[float, float, float, float]


def grid_table(rows: Grid, page: int, origin: str, boxes: list[list[BBox | None]] | None = None) -> Table:
    """A Table from an alternative's text grid. Both libraries report a merged cell as its text
    in the top-left slot and None in the slots it covers. A None can continue the cell to its left
    or the one above ([A, B] over [C, None]), so spans are measured from the cells' boxes, which
    both libraries give: a cell spans the columns (rows) whose slots start inside its box. Without
    usable boxes, spans are rebuilt from the None runs. A cell keeps its slot's box (top-left page
    coordinates in both libraries), which `with_tables` uses to put the table where it stands."""
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
            box = boxes[r][c] if boxes and r < len(boxes) and c < len(boxes[r]) else None
            cells.append(Cell(r, c, (text or "").strip(), rowspan, colspan, page=page,
                              bbox=tuple(box) if box is not None else None))
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


def pymupdf_tables(data: bytes, strategy: str = "lines") -> list[Table]:
    import pymupdf

    out: list[Table] = []
    with pymupdf.open(stream=data, filetype="pdf") as doc:
        for page in doc:
            for t in page.find_tables(strategy=strategy).tables:
                out.append(grid_table(t.extract(), page.number + 1, "pymupdf", [r.cells for r in t.rows]))
    return out


def pdfplumber_tables(data: bytes, strategy: str = "lines") -> list[Table]:
    import io

    import pdfplumber

    settings = {"vertical_strategy": strategy, "horizontal_strategy": strategy}
    out: list[Table] = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for i, page in enumerate(pdf.pages):
            for t in page.find_tables(settings):
                out.append(grid_table(t.extract(), i + 1, "pdfplumber", [r.cells for r in t.rows]))
    return out


TABLE_RECOVERERS: dict[str, Callable[..., list[Table]]] = {
    "pymupdf.find_tables": pymupdf_tables,
    "pdfplumber": pdfplumber_tables,
    "camelot": camelot_tables,
    "rapid_table": rapid_table_tables,  # scans
}
# On tables that lost their rulings, a library's own mode for them (rows and columns from the words'
# alignment instead of from lines) where its default finds nothing there: pdfplumber's "text"
# strategy, camelot's stream flavour. PyMuPDF keeps its default: it finds these tables too, and
# scored higher than its "text" strategy on them (bench/README.md).
WITHOUT_RULINGS = {"pymupdf.find_tables": {}, "pdfplumber": {"strategy": "text"}, "camelot": {"flavor": "stream"}}


def recoverer(tool: str, kind: str) -> Callable[[bytes], list[Table]]:
    """The table recoverer `tool` runs on a bench kind: its defaults, or its mode for tables
    without rulings on "pdf-unruled"."""
    from functools import partial

    return partial(TABLE_RECOVERERS[tool], **(WITHOUT_RULINGS[tool] if kind == "pdf-unruled" else {}))


def extract_as(tool: str, data: bytes, name: str, kind: str) -> ExtractionResult:
    """A bench document read by `tool`: our pipeline ("gia-extract"), or an alternative's tables in
    it (one this interpreter can import: not img2table, which has its own venv)."""
    from bench.run import OURS
    from extraction.pipeline import extract

    if tool == OURS:
        return extract(data, name)
    return extract_with_tables(recoverer(tool, kind), data, name)


def extract_with_tables(recover: Callable[[bytes], list[Table]], data: bytes, name: str) -> ExtractionResult:
    """One document through our pipeline with `recover`'s tables in place of our reader's: our
    reader's stages' timings, then the alternative's as "recover_tables", then the mapping's."""
    from extraction.pipeline import ExtractOptions, extract_document, read_document

    doc = read_document(data, ExtractOptions())
    t0 = time.perf_counter()
    tables = recover(data)
    recover_ms = (time.perf_counter() - t0) * 1000
    result = extract_document(with_tables(doc, tables), name, data)
    result.timings_ms = {**doc.timings_ms, "recover_tables": round(recover_ms, 1), **result.timings_ms}
    return result


def with_tables(doc: Document, tables: list[Table]) -> Document:
    """doc's prose with `tables` in place of its own, each table where it stands on its page:
    before the first of that page's paragraphs that begins below the table's top, after the page's
    last paragraph when none does. The order matters to our mapping, which reads a table under the
    section heading above it: a table continued from the previous page stands at the top of the
    next page, above that page's headings, although our reader (which joins the two parts) has no
    table of its own there.

    A table without cell boxes, or on a page whose paragraphs have none, goes where our reader's
    first table on that page was (after the page's prose when it had none there)."""
    prose = [b for b in doc.blocks if not isinstance(b, Table)]
    ours_at: dict[int | None, int] = {}  # page -> index in prose before which our first table stood
    n_prose = 0
    for block in doc.blocks:
        if isinstance(block, Table):
            ours_at.setdefault(block.page, n_prose)
        else:
            n_prose += 1
    slots = sorted((_slot(t, prose, ours_at), i) for i, t in enumerate(tables))
    blocks: list = []
    k = 0
    for at, block in enumerate([*prose, None]):
        while k < len(slots) and slots[k][0] <= at:
            blocks.append(tables[slots[k][1]])
            k += 1
        if block is not None:
            blocks.append(block)
    # the document as read, its tables swapped: what it says of its pages (ocr_pages…) kept, and
    # where the alternative's tables stand, words may have been lost (_lossy)
    lossy_pages, unread_at = _lossy(doc, [*tables, *(b for b in doc.blocks if isinstance(b, Table))])
    return replace(doc, blocks=blocks, warnings=list(doc.warnings), timings_ms=dict(doc.timings_ms),
                   lossy_pages=lossy_pages, unread_at=unread_at)


def _lossy(doc: Document, tables: list[Table]) -> tuple[frozenset[int] | None, dict[int, tuple[BBox, ...]]]:
    """The document's lossy pages and unread places, with `tables` added: the alternative's and
    our own, whose words were taken out. Our reader never drops a word of a text layer, and the
    mapping trusts that: a table 4 header over no number there is fifteen printed blanks (0.93). An
    alternative's recovery can drop a table's numbers, or find no table where ours stood
    (pdfplumber's and camelot's stream tables, img2table's on unruled PDFs: 45 fields of table 4
    each, accepted as blanks); there the page is as lossy as one OCR left ink on (the tables' cell
    boxes; the whole page for a table that gives none)."""
    if doc.lossy_pages is None:
        return None, dict(doc.unread_at)
    unread = {page: tuple(boxes) for page, boxes in doc.unread_at.items()}
    for t in tables:
        if t.page is None:
            continue
        boxes = [c.bbox for c in t.cells if c.bbox is not None]
        box = bounding_box(boxes) if boxes else EVERYWHERE
        if t.page in doc.lossy_pages and t.page not in unread:
            continue  # lossy everywhere already
        unread[t.page] = (*unread.get(t.page, ()), box)
    return doc.lossy_pages | {t.page for t in tables if t.page is not None}, unread


def _slot(t: Table, prose: list[Paragraph], ours_at: dict[int | None, int]) -> int:
    """The index in `prose` before which table t goes (len(prose): at the end)."""
    on_page = [i for i, p in enumerate(prose) if p.page == t.page]
    tops = [c.bbox[1] for c in t.cells if c.bbox is not None]
    if tops and all(prose[i].bbox is not None for i in on_page):
        top = min(tops)
        below = [i for i in on_page if prose[i].bbox[1] >= top]
        if below:
            return below[0]
        if on_page:
            return on_page[-1] + 1
        # no prose on that page: after the prose of the pages before it
        return next((i for i, p in enumerate(prose) if p.page is not None and t.page is not None
                     and p.page > t.page), len(prose))
    if t.page in ours_at:
        return ours_at[t.page]
    return on_page[-1] + 1 if on_page else len(prose)
