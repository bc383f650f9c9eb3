"""A table cut into two by its columns, as an author cuts table 3 to fit a narrow page: the first
columns in one table, the rest in a second (`Report.tables["t3_more"]`, which the Word and web
renderers draw right after table 3), with the row labels printed again or not."""
from __future__ import annotations

from dataclasses import replace

from extraction.model import Cell, Table

from .form import Report

_LABEL_COLS = 3  # table 3's row labels: its first three columns


def columns_apart(table: Table, at: int, labels: bool) -> tuple[Table, Table]:
    """Columns before `at` in the first table; from `at` on in the second, after a copy of the row
    labels' columns where `labels`. A merged cell across the cut is printed in both, cut."""
    first: list[Cell] = []
    second: list[Cell] = []
    kept = _LABEL_COLS if labels else 0
    for cell in table.cells:
        lo, hi = cell.col, cell.col + cell.colspan
        if lo < at:
            first.append(replace(cell, colspan=min(hi, at) - lo))
        if hi > at:
            start = max(lo, at)
            second.append(replace(cell, col=start - at + kept, colspan=hi - start))
        elif labels and hi <= _LABEL_COLS:
            second.append(replace(cell))
    return (replace(table, cells=first, n_cols=at),
            replace(table, cells=second, n_cols=table.n_cols - at + kept))


def t3_in_two(report: Report, at: int = 8, labels: bool = False) -> Report:
    """The report with table 3 cut before column `at` (8: 其他 and 总计 go to the second table)."""
    first, second = columns_apart(report.tables["t3"], at, labels)
    return replace(report, tables={**report.tables, "t3": first, "t3_more": second})
