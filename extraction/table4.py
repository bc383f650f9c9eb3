"""Table 4 (行政复议、行政诉讼): 15 numbers in the form's fixed column order."""
from __future__ import annotations

from itertools import groupby
from typing import Sequence

from .readings import TableRead, prints_zeros_blank, read_row
from .schema import Schema
from .tokens import Token


def read_table4(schema: Schema, tokens: Sequence[Token], span: tuple[int, int]) -> TableRead:
    """The values are the cells of the rows that print numbers, after the header rows; the header
    itself is fixed by the form, so its (often vertical, broken) labels only need to be there."""
    start, end = span
    rows: dict[int, list[Token]] = {}
    started = False
    for tok in tokens[start:end]:
        if tok.is_value:
            rows.setdefault(tok.row, []).append(tok)
            started = started or tok.value.number is not None
        elif started:
            break  # a label after the data: a note, prose or the next table
    keys = schema.t4_keys()
    values = [t for r, toks in rows.items() if any(t.value.number is not None for t in toks) for t in toks]
    cells = [t for toks in rows.values() for t in toks]
    if len(cells) == len(keys) and all(len(toks) == 1 for toks in rows.values()):
        values = cells  # one cell to a line, its empty cells kept as cells (a web page's &nbsp;)
    table = TableRead()
    if not values:
        # A body with no review and no lawsuit, printing its zeros blank: the form's one row of
        # fifteen cells stands empty. Only a grid says so (its blank cells are printed blanks);
        # loose text with no numbers has lost them.
        values = next((toks for toks in rows.values()
                       if len(toks) == len(keys) and all(t.exact and t.is_blank for t in toks)), [])
    if not values:
        table.warnings.append("table 4: no values found")
        return table
    read_row(table, keys, values, 1.0, after_label=False, zeros_blank=prints_zeros_blank(values),  # no label: leading blanks are cells
             blanks_first=_blank_groups(values, keys))
    return table


def _blank_groups(values: list[Token], keys: list[str]) -> bool:
    """Whether the row prints exactly the form's fields and its empty ones are whole groups (the
    keys' review / lawsuit groups: a body with no lawsuit after review leaves that group of five
    blank). Cells lost in conversion leave their separators at random; not five in a row, on a
    group's edges."""
    if len(values) != len(keys) or all(t.exact for t in values):
        return False
    blank = [t.is_blank for t in values]
    groups = [[b for b, _ in run] for _, run in groupby(zip(blank, keys), key=lambda bk: bk[1].rsplit(".", 1)[0])]
    return any(blank) and all(all(g) or not any(g) for g in groups)
