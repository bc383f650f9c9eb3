"""Table 4 (行政复议、行政诉讼): 15 numbers in the form's fixed column order."""
from __future__ import annotations

from itertools import groupby
from typing import Sequence

from .labels import label_key
from .readings import Reading, TableRead, prints_zeros_blank, read_row
from .schema import Schema
from .tokens import Token


# how sure a table 4 printed with no number is read blank (printed_empty): the row is not there to
# see, only the header over nothing, so a little less than a blank cell seen
PRINTED_EMPTY = 0.93
_HEADER = ("行政复议", "行政诉讼", "未经复议直接起诉", "复议后起诉")


def read_table4(schema: Schema, tokens: Sequence[Token], span: tuple[int, int],
                lossy_pages: frozenset[int] | None = None) -> TableRead:
    """The values are the cells of the rows that print numbers, after the header rows; the header
    itself is fixed by the form, so its (often vertical, broken) labels only need to be there.
    `lossy_pages`: the document's pages where OCR left ink unread (Document.lossy_pages); None
    where it is not known."""
    start, end = span
    keys = schema.t4_keys()
    rows = _value_rows(tokens[start:end])
    values = _numbered(rows)
    if len(values) != len(keys):
        # A header cell misread as a number (a photo's 总计 read 1881) makes its header row look
        # like the first row of values, and the header's next label like the end of the data. The
        # header is labels: the values are rows with no label, if those give the form's cells.
        labelled = {t.row for t in tokens[start:end] if not t.is_value and t.text.strip()}
        bare = _value_rows(tokens[start:end], skip=labelled)
        if len(bare_values := _numbered(bare)) == len(keys):
            rows, values = bare, bare_values
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
    if not values and lossy_pages is not None and printed_empty(tokens[start:end], lossy_pages):
        for key in keys:
            table.readings[key] = Reading(key, None, "blank", PRINTED_EMPTY)
        table.warnings.append("table 4: its header stands over no number, where no word was lost "
                              "(no review, no lawsuit, zeros printed blank): its cells read blank")
        return table
    if not values:
        table.warnings.append("table 4: no values found")
        return table
    read_row(table, keys, values, 1.0, after_label=False, zeros_blank=prints_zeros_blank(values),  # no label: leading blanks are cells
             blanks_first=_blank_groups(values, keys))
    return table


def _value_rows(tokens: Sequence[Token], skip: set[int] = frozenset()) -> dict[int, list[Token]]:
    """The value cells of each row from the first number on, up to the first label after it;
    the rows in `skip` are passed over whole."""
    rows: dict[int, list[Token]] = {}
    started = False
    for tok in tokens:
        if tok.row in skip:
            continue
        if tok.is_value:
            rows.setdefault(tok.row, []).append(tok)
            started = started or tok.value.number is not None
        elif started:
            break  # a label after the data: a note, prose or the next table
    return rows


def _numbered(rows: dict[int, list[Token]]) -> list[Token]:
    return [t for toks in rows.values() if any(t.value.number is not None for t in toks) for t in toks]


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


def printed_empty(tokens: Sequence[Token], lossy_pages: frozenset[int]) -> bool:
    """Whether table 4 is printed with no number at all, its zeros left blank: its header is there
    (three of its four group labels) with nothing printed under it, on pages where no word was
    lost. Without rulings or cells the blank row leaves no trace to read; but a text layer, a web
    page or a Word file cannot lose a number, nor OCR that left no ink unread (scan.unread_ink),
    where OCR that did may have (a faint 0 the detector passed over)."""
    if not tokens or any(t.page is None and lossy_pages or t.page in lossy_pages for t in tokens):
        return False
    if any(t.is_value and not t.is_blank for t in tokens):
        return False
    text = label_key("".join(t.text for t in tokens))
    return sum(head in text for head in _HEADER) >= 3
