"""Table 4 (行政复议、行政诉讼): 15 numbers in the form's fixed column order."""
from __future__ import annotations

import re
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
# the form's three groups of five and the five results of each, by their printed labels (复议后起诉
# before 行政复议, which a 行政复议后起诉 would also hold)
_GROUPS = (("复议后起诉", "litigation_after_review"), ("直接起诉", "litigation_direct"), ("行政复议", "review"))
# (the words each result is printed by, the form's first: many print 维持, 纠正, 未审结, 合计)
_RESULTS = ((("结果维持", "维持"), "upheld"), (("结果纠正", "纠正"), "corrected"), (("其他结果",), "other"),
            (("尚未审结", "未审结"), "pending"), (("总计", "合计"), "total"))


def read_table4(schema: Schema, tokens: Sequence[Token], span: tuple[int, int],
                lossy_pages: frozenset[int] | None = None) -> TableRead:
    """The values are the cells of the rows that print numbers, after the header rows; the header
    itself is fixed by the form, so its (often vertical, broken) labels only need to be there.
    `lossy_pages`: the document's pages where OCR left ink unread (Document.lossy_pages); None
    where it is not known."""
    start, end = span
    keys = schema.t4_keys()
    labelled = _by_labels(tokens[start:end], keys)
    if labelled:
        table = TableRead()
        read_row(table, keys, labelled, 1.0, after_label=False)
        table.warnings.append("table 4: set out otherwise than the form's one row (a cell to a row, or a "
                              "group or a result to a row), each value read by its row's and column's labels")
        return table
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
    taken = {id(t) for t in values}
    later = sum(t.is_value and t.value.number is not None and id(t) not in taken for t in tokens[start:end])
    if len(values) < len(keys) and later >= len(keys) - len(values):
        # numbers enough to fill the row's empty fields stand elsewhere in table 4's part: the row
        # read is not the table's all (laid out in a way not known), whatever the rules make of it
        table.in_doubt = True
        table.warnings.append(f"table 4: {len(values)} values in its row and {later} more numbers beside "
                              f"it: its cells are held for review")
    return table


def header_at(tokens: Sequence[Token], span: tuple[int, int]) -> int | None:
    """Where table 4's header begins in the span: a cell naming 行政复议 with 行政诉讼 (or one of
    its two groups) after it, in its own cell or in the cells that follow; None where there is
    none. Where the section's heading is not in the document (a photo of the page after it), the
    header is where table 3 ends: its 总计 cells are not table 3's (七)总计."""
    start, end = span
    for i in range(start, end):
        text = label_key(tokens[i].text) if not tokens[i].is_value else ""
        at = text.find("行政复议")
        if at < 0 or len(text) > _HEADER_CELL:
            continue  # (a sentence naming 行政复议 is prose, not a header cell)
        after = text[at + 4:] + "".join(label_key(t.text) for t in tokens[i + 1:min(end, i + _HEADER_REACH)]
                                        if not t.is_value)
        if any(w in after for w in ("行政诉讼", "直接起诉", "复议后起诉")):
            return i
    return None


# the most characters a header cell of table 4 holds, both group rows set out as one (行政复议行政诉讼)
_HEADER_CELL = 12
# the cells after 行政复议 where the header's other groups stand (its row, and the row under it)
_HEADER_REACH = 12


def _by_labels(tokens: Sequence[Token], keys: list[str]) -> list[Token] | None:
    """Table 4 set out other than in the form's one row of fifteen: a cell to a row, each row naming
    its result and its group (or the group on the first of its rows only, as a merged cell); the
    results down and the three groups across, named in one header row; or the groups down and the
    five results across. The values in the keys' order where every one of them is found once, each
    by its labels; else None."""
    found: dict[str, Token] = {}
    group, across, results_across = None, None, None
    # rows that name no group, before any group or with a result the group above has already: a
    # group's first rows printed before its merged label (the label centred in its merged cell, or
    # split by a page break and on the next page's part)
    ahead: list[tuple[str, Token]] = []
    for _, run in groupby(tokens, key=lambda t: t.row):
        run = list(run)
        if any(t.is_value and not t.is_blank for t in run):
            # a remark after the figures (备注: 含上年结转1件) is not the row's label
            run = run[:max(i for i, t in enumerate(run) if t.is_value) + 1]
        text = label_key("".join(t.text for t in run if not t.is_value))
        numbers = [t for t in run if t.is_value and not t.is_blank]
        # the cells after the labels (before them, a merged group cell a converter left empty)
        last_label = max((i for i, t in enumerate(run) if not t.is_value), default=-1)
        values = [t for t in run[last_label + 1:] if t.is_value]
        named = sorted((text.find(label), name) for label, name in _GROUPS if label in text)
        results = sorted((at, name) for words, name in _RESULTS if (at := _find_any(text, words)) >= 0)
        if not numbers and len(named) == 3:
            across = [name for _, name in named]  # a header row: the groups across, in its order
            continue
        if not numbers and len(results) == 5:
            results_across = [name for _, name in results]  # or the results across
            continue
        group = named[0][1] if len(named) == 1 else group
        # a group's row names its group, or follows a caption that does (each group a small table)
        grouped = len(named) == 1 or not named and group is not None
        want = 5 if results_across and grouped else 3 if across else 1
        if len(values) > want and all(t.is_blank for t in values[:-want]):
            values = values[-want:]  # (empty fields a converter set between the labels and the cell)
        elif len(values) > want and all(t.is_blank for t in values[want:]):
            values = values[:want]  # (a remark's empty cell after the figures)
        own = [_result_of(t.text) for t in values]
        if len(named) == 1 and values and all(own):
            # a group's row whose figures name their results (结果维持2件: labelled_figures.py)
            placed = [(f"t4.{group}.{r}", tok) for r, tok in zip(own, values)]
        elif results_across and grouped and len(values) == 5:
            placed = [(f"t4.{group}.{r}", tok) for r, tok in zip(results_across, values)]
        elif len(results) != 1:
            continue
        elif across and len(values) == 3:
            placed = [(f"t4.{g}.{results[0][1]}", tok) for g, tok in zip(across, values)]
        elif len(values) == 1 and not across and not named and (
                group is None or f"t4.{group}.{results[0][1]}" in found):
            ahead.append((results[0][1], values[0]))
            continue
        elif group and len(values) == 1:
            placed = [(f"t4.{group}.{results[0][1]}", values[0])]
        else:
            return None
        if named and ahead:
            placed = [(f"t4.{group}.{result}", tok) for result, tok in ahead] + placed
            ahead = []
        for key, tok in placed:
            if key in found or key not in keys:
                return None
            found[key] = tok
    return [found[k] for k in keys] if len(found) == len(keys) and not ahead else None


def _result_of(text: str) -> str | None:
    """The result a figure's own text names (结果维持2件), if one."""
    names = [name for words, name in _RESULTS if _find_any(text, words) >= 0]
    return names[0] if len(names) == 1 else None


def _find_any(text: str, words: Sequence[str]) -> int:
    """Where the first of `words` found in text stands, or -1."""
    return next((at for w in words if (at := text.find(w)) >= 0), -1)


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
            started = started or tok.value.printed  # (a row of dashes prints none of each)
        elif started:
            break  # a label after the data: a note, prose or the next table
    return rows


def _numbered(rows: dict[int, list[Token]]) -> list[Token]:
    return [t for toks in rows.values() if any(t.value.printed for t in toks) for t in toks]


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


# A count inside a line of text: a number that is no year, month or day (2023年3月5日) nor part of
# a longer number.
_COUNT_IN_TEXT = re.compile(r"(?<![\d.])\d{1,3}(?![\d.]|\s*[年月日号])")


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
    if any(_COUNT_IN_TEXT.search(t.text) for t in tokens):
        return False  # its figures written out in lines (结果维持：0, 总计2件), not cells
    text = label_key("".join(t.text for t in tokens))
    if text.count("复议后起诉") >= 2 or text.count("直接起诉") >= 2:
        return False  # its header printed again (overlapping screenshots, a page break): its row went on
    return sum(head in text for head in _HEADER) >= 3
