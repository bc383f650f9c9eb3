"""A `Report` as a Word file: centred title, prose, the three tables with merged cells made by
python-docx's `cell.merge` (so the file carries real w:gridSpan / w:vMerge), signature.

`frame=True` puts the whole report inside a one-cell layout table, as some offices do to draw a
border around the page; the report's tables are then nested tables.
"""
from __future__ import annotations

import io

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH

from extraction.model import Table

from .form import Report


def render(report: Report, *, frame: bool = False) -> bytes:
    document = docx.Document()
    container = document
    if frame:
        outer = document.add_table(rows=1, cols=1)
        outer.style = "Table Grid"
        container = outer.cell(0, 0)
        container.paragraphs[0].text = ""  # the cell's mandatory first paragraph stays empty

    def para(text: str, *, align=None, bold: bool = False):
        p = container.add_paragraph()
        run = p.add_run(text)
        run.bold = bold
        if align is not None:
            p.alignment = align
        return p

    para(report.title, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True)
    for text in report.preamble:
        para(text)
    table_after = {1: "t2", 2: "t3", 3: "t4"}
    for i, (heading, paragraphs) in enumerate(report.sections):
        para(heading, bold=True)
        for text in paragraphs:
            para(text)
        if i in table_after:
            _table(container, report.tables[table_after[i]])
    for line in report.signature:
        para(line, align=WD_ALIGN_PARAGRAPH.RIGHT)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _table(container, table: Table) -> None:
    out = container.add_table(rows=table.n_rows, cols=table.n_cols)
    out.style = "Table Grid"
    # Table.cell() rebuilds the whole cell list on every call; take it once. The corners of each
    # merge stay valid: merges do not overlap, and a merge only rewrites the cells of its region.
    grid = out._cells

    def at(r: int, c: int):
        return grid[r * table.n_cols + c]

    for cell in table.cells:
        target = at(cell.row, cell.col)
        if cell.rowspan > 1 or cell.colspan > 1:
            target = target.merge(at(cell.row + cell.rowspan - 1, cell.col + cell.colspan - 1))
        # Multi-line labels: Word cells hold one paragraph per line.
        lines = cell.text.split("\n")
        target.text = lines[0]
        for line in lines[1:]:
            target.add_paragraph(line)
