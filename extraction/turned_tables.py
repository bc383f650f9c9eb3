"""Table 3 printed on its side: the applicants down and the form's rows across.

Some web reproductions and landscape pages turn table 3, so that each applicant kind (自然人,
商业企业 …, 总计) is a row and the form's rows (一、本年新收… to 四、结转下年度继续办理) head the
columns in three levels. Such a grid is turned back, cell for cell with its spans, so that the
tables' readers see the form's rows."""
from __future__ import annotations

from dataclasses import replace

from .labels import label_key
from .model import Cell, Document, Table

_APPLICANTS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "总计")
# labels of the form's rows that only table 3 prints, heading a turned table's columns
_FORM_ROWS = ("本年新收政府信息公开申请数量", "上年结转政府信息公开申请数量", "结转下年度继续办理", "予以公开")


def _is_turned(table: Table) -> bool:
    """Applicant kinds name the rows in the first columns (申请人情况 | 法人或其他组织 | 商业企业 at
    most), and table 3's rows head columns."""
    names = {label_key(c.text) for c in table.cells if c.col <= 2}
    down = sum(any(name.endswith(a) for name in names) for a in _APPLICANTS)
    across = {label_key(c.text) for c in table.cells if c.row <= 3 and c.col >= 1}
    heads = sum(any(form in text for text in across) for form in _FORM_ROWS)
    return down >= 5 and heads >= 3 and table.n_cols > table.n_rows


def turned_back(table: Table) -> Table:
    cells = [replace(c, row=c.col, col=c.row, rowspan=c.colspan, colspan=c.rowspan) for c in table.cells]
    cells.sort(key=lambda c: (c.row, c.col))
    return replace(table, cells=cells, n_rows=table.n_cols, n_cols=table.n_rows)


def tables_upright(doc: Document) -> Document:
    """The document with any table 3 printed on its side turned back."""
    turned = [isinstance(b, Table) and _is_turned(b) for b in doc.blocks]
    if not any(turned):
        return doc
    blocks = [turned_back(b) if on_side else b for b, on_side in zip(doc.blocks, turned)]
    return replace(doc, blocks=blocks, warnings=[*doc.warnings, "table 3 printed on its side (applicants as rows): "
                                                              "read turned back"])
