"""Table 3 printed in two parts: its first applicant columns (自然人 … 法律服务机构) in one table and
the rest (其他, 总计) in a second, beside it or after it, with the row labels again or without them.

A page too narrow for the form's ten columns makes authors cut the table so. Read apart, the
second part's figures have no row labels (or repeat them as a second copy of the table), and the
first part's rows, short of their last columns, take their figures one column right of where they
stand: every row shifted alike, so that the column rules still hold. The parts are joined back into
one grid, row for row, before the tables are read."""
from __future__ import annotations

from dataclasses import replace

from rapidfuzz import fuzz

from .labels import label_key
from .model import Block, Cell, Document, Paragraph, Table
from .tokens import parse_value

# table 3's applicant columns, as their header cells print them
_COLUMNS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")
_KEYS = frozenset(label_key(c) for c in _COLUMNS)
# labels of table 3's rows that only it prints: the first part's own
_ROWS = tuple(label_key(r) for r in ("本年新收政府信息公开申请数量", "上年结转政府信息公开申请数量", "结转下年度继续办理"))
# what may stand between the parts: a line or two as short as 单位：件 or 续表 (a heading or a
# sentence means the second table is another)
_BETWEEN = 2
_SHORT = 12
# two parts' labels of a row are the same where this alike (0-100), and the parts' rows pair off
# where at most this share of them is not (OCR reads each part's labels its own way, and may run a
# group's merged label into a row's: （四）无法提供2)
_SAME_LABEL = 60
_OTHER_LABELS = 0.25
# pieces the second part may come in (a page break or two)
_PIECES = 3


def parts_joined(doc: Document) -> Document:
    """The document with each table 3 printed in two parts joined into one table."""
    blocks: list[Block] = list(doc.blocks)
    joined = 0
    i = 0
    while i < len(blocks):
        first = blocks[i]
        if isinstance(first, Table) and _names_rows(first):
            after = _tables_after(blocks, i)
            # (the second part may itself run over a page break, in pieces the reader kept apart)
            for n in range(1, min(len(after), _PIECES) + 1):
                whole = _joined(first, [blocks[j] for j in after[:n]])
                if whole is not None:
                    blocks[i:after[n - 1] + 1] = [whole]
                    joined += 1
                    break
        i += 1
    if not joined:
        return doc
    return replace(doc, blocks=blocks, warnings=[*doc.warnings, "table 3 printed in two parts (its last columns in a "
                                                              "table of their own): read joined"])


def _tables_after(blocks: list[Block], i: int) -> list[int]:
    """The tables after blocks[i], each after the one before with only short lines between."""
    out: list[int] = []
    between = 0
    for j in range(i + 1, len(blocks)):
        b = blocks[j]
        if isinstance(b, Table):
            out.append(j)
            between = 0
        elif isinstance(b, Paragraph) and len(b.text.strip()) <= _SHORT and between < _BETWEEN:
            between += 1
        else:
            break
    return out


def _joined(first: Table, pieces: list[Table]) -> Table | None:
    """The two parts as one table, or None where they are not one table 3's parts: the headers
    name applicant columns the other does not, and the rows under the headers pair off (as many,
    and with the same labels where the second prints labels). `first` names table 3's rows
    (_names_rows). The second part is `pieces`, its rows in order; the pieces after the first
    print no header or the first's again."""
    head1, heads = _header_rows(first), [_header_rows(p) for p in pieces]
    if head1 is None or None in heads:
        return None
    cols1, cols2 = _named_columns(first, head1), _named_columns(pieces[0], heads[0])
    if not cols1 or not cols2 or cols1 & cols2:
        return None
    if any(not _named_columns(p, h) <= cols2 for p, h in zip(pieces[1:], heads[1:])):
        return None
    if first.n_rows - head1 != sum(p.n_rows - h for p, h in zip(pieces, heads)):
        return None
    figures = [_first_figure_column(p, h) for p, h in zip(pieces, heads)]
    width = pieces[0].n_cols - figures[0]
    if any(p.n_cols - f != width for p, f in zip(pieces, figures)):
        return None
    figures1 = _first_figure_column(first, head1)
    labels1 = [_label_of(first, r, figures1) for r in range(head1, first.n_rows)]
    labels2 = [_label_of(p, r, f) for p, h, f in zip(pieces, heads, figures) for r in range(h, p.n_rows)]
    compared = [(a, b) for a, b in zip(labels1, labels2) if a and b]
    if sum(fuzz.ratio(a, b) < _SAME_LABEL for a, b in compared) > _OTHER_LABELS * len(compared):
        return None
    cells = list(first.cells)
    row = head1  # where the piece's first row under its header goes
    for n, (piece, head, figure) in enumerate(zip(pieces, heads, figures)):
        for c in piece.cells:
            if c.col < figure or n and c.row < head:
                continue  # its own copy of the row labels, the header's corner over them, a header again
            at, span = c.row - head + row, c.rowspan
            if at < 0:  # a second part with more header rows than the first: its top ones over row 0
                span, at = max(1, span + at), 0
            cells.append(replace(c, row=at, col=c.col - figure + first.n_cols, rowspan=span))
        row += piece.n_rows - head
    return replace(first, cells=sorted(cells, key=lambda c: (c.row, c.col)), n_cols=first.n_cols + width)


def _first_figure_column(table: Table, header: int) -> int:
    return min(c.col for c in table.cells if c.row >= header and _is_figure(c))


def _is_figure(cell: Cell) -> bool:
    value = parse_value(cell.text) if cell.text.strip() else None
    return value is not None and value.printed


def _header_rows(table: Table) -> int | None:
    """How many rows stand over the first that prints a figure (None: the table prints none)."""
    return min((c.row for c in table.cells if _is_figure(c)), default=None)


def _named_columns(table: Table, header: int) -> frozenset[str]:
    return frozenset(k for c in table.cells if c.row < header and (k := label_key(c.text)) in _KEYS)


def _names_rows(table: Table) -> bool:
    keys = {label_key(c.text) for c in table.cells}
    return sum(any(row in k for k in keys) for row in _ROWS) >= 2


def _label_of(table: Table, row: int, figures: int) -> str:
    """The row's innermost label: its last label cell left of the figures that begins in that row
    (a group's merged label, 三、本年度办理结果, may stand at another of its rows in each part)."""
    cells = [c for c in table.row_cells(row) if c.col < figures and c.text.strip()]
    return label_key(cells[-1].text) if cells else ""
