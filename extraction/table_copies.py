"""A table of the form printed twice in its section: last year's after this year's, for comparison
(为便于对比，现将2020年度收到和处理政府信息公开申请情况列示如下 / 附：2020年度…). The report's own copy is
the first that the lines before it do not give to another year; the alignment of the form's rows
would otherwise take its rows from either copy, or some from each. Copies that no line gives to
another year (a page scanned twice) are left to the alignment."""
from __future__ import annotations

import re
from typing import Sequence

from .labels import best_match
from .schema import Row
from .tokens import Token
from .wordings import row_names

# a row's label matched this well is that row's
_SURE = 0.9
# rows of the form found between two first rows: a table between them, not a row printed twice
# (a screen capture's overlap repeats a row or two)
_ROWS_BETWEEN = 8
# labels before the first copy's first row looked through for the year it is of: its header's
# lines and a heading or sentence above them
_REACH = 12
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")


def own_copy(tokens: Sequence[Token], span: tuple[int, int], rows: Sequence[Row], year: int | None) -> tuple[int, int]:
    """`span` cut to the copy of the table that is the report year's (the whole span where the
    table is printed once). `rows`: the table's rows in the form's order."""
    start, end = span
    names = [row_names(r.id, r.label) for r in rows]
    labels = [i for i in range(start, end) if not tokens[i].is_value and tokens[i].text.strip()]
    firsts = [i for i in labels if _is_row(tokens[i].text, names[0])]
    if len(firsts) < 2:
        return span  # (the table printed once, as nearly always: no label matched against the other rows)
    which = {i: _row_of(tokens[i].text, names) for i in labels}
    copies = firsts[:1]
    for i in firsts[1:]:
        if sum(1 for j in labels if copies[-1] < j < i and which[j] not in (None, 0)) >= _ROWS_BETWEEN:
            copies.append(i)
    if len(copies) < 2:
        return span
    # each later copy begins at the first line after the figures of the one before (and that
    # row's blank cells): its heading, sentence and header
    cuts = [start] + [_after_figures(tokens, copies[k - 1], copy) for k, copy in enumerate(copies) if k]
    regions = [range(max(start, copies[0] - _REACH), copies[0])] + [range(cuts[k], copies[k]) for k in range(1, len(copies))]
    others = [year is not None and _of_another_year(tokens, region, year) for region in regions]
    if not any(others):
        # no copy given to another year: a page scanned twice, captures that overlap, whose
        # rows the alignment takes once
        return span
    chosen = others.index(False) if not all(others) else 0
    return cuts[chosen], (cuts[chosen + 1] if chosen + 1 < len(copies) else end)


def _after_figures(tokens: Sequence[Token], lo: int, hi: int) -> int:
    last = max((j for j in range(lo, hi) if tokens[j].is_value and tokens[j].value.number is not None), default=hi - 1)
    return next((j for j in range(last + 1, hi) if not tokens[j].is_value), hi)


def _row_of(text: str, names: Sequence[Sequence[str]]) -> int | None:
    return next((n for n, own in enumerate(names) if _is_row(text, own)), None)


def _is_row(text: str, own: Sequence[str]) -> bool:
    m = best_match(text, own)
    return m is not None and m.ratio >= _SURE


def _of_another_year(tokens: Sequence[Token], region: range, year: int) -> bool:
    years = {int(y) for j in region if not tokens[j].is_value for y in _YEAR.findall(tokens[j].text)}
    return bool(years) and year not in years
