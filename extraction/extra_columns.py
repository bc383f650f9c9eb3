"""Columns and rows a table prints beyond the form's: other years' figures, changes, remarks.

Some agencies set last year's figures beside this year's for comparison: a column 上年现行有效件数 or
上年数 after the form's, a change column (同比增减), a header row of 2021年 | 2022年 under each of the
form's columns, table 4 turned on its side with a column a year, or a row a year under its header
(2022年 | fifteen figures, 2023年 | fifteen figures), and a 备注 column at the right. The form has one
figure a cell: the others would be read into the form's next columns. Each such row keeps the
figures of the form's own columns, and where years alone head them, the latest year's, which is the
report's (a report compares itself with years before it, never after)."""
from __future__ import annotations

import re
from itertools import groupby
from typing import Sequence

from .tokens import Token

_YEAR = re.compile(r"(20\d{2})\s*年?度?(?P<rest>.*)")
_BARE_YEAR = re.compile(r"(?:数|数据|数量|情况|件数)?")
_RELATIVE = re.compile(r"(上|去|本|今|当)年度?(?:数|数据|数量|情况|件数)?")
# a column of last year's figures, named after the form's (上年现行有效件数, 上年同期, 去年处理决定数量);
# not the 2019 form's own 上一年项目数量
_PREVIOUS = re.compile(r"(?:上年|去年|上一年度|上年度|上年同期)(?!项目数量).*")
_CHANGE = re.compile(r"(?:同比|比上年|较上年)?(?:增减|增长|变化|变动|增幅|增减幅度|增减率|增减情况|同比)(?:[（(]?%[)）]?)?|同比.*")
_REMARK = re.compile(r"备注|说明")
# A header row's first cells may name the label column (类别 | 2021年 | 2022年), or a 序号 column's.
_LEADING = {"类别", "项目", "信息内容", "年份", "年度", "内容", "指标", "名称", "序号"}
# A row that ends the table the header heads: a section heading, or prose.
_HEADING = re.compile(r"^\s*[一二三四五六七八九十]+\s*[、.．]")
_PROSE = 40

FORM, BLANK, DROP = "form", "blank", "drop"  # a header cell's column: the form's, unnamed, or beyond it
_THIS_YEAR = 9999  # 本年 printed as a word: only the order of years matters


def _designator(text: str) -> int | str | None:
    """A header cell naming a year's column: the year (上年 -1, 本年 _THIS_YEAR); DROP for a change or
    remark column, or a year's figure named after the form's column (2020年处理决定数量 is the year's);
    None for any other cell."""
    t = re.sub(r"\s+", "", text)
    if m := _YEAR.fullmatch(t):
        return int(m.group(1))
    if m := _RELATIVE.fullmatch(t):
        return -1 if m.group(1) in "上去" else _THIS_YEAR
    if _PREVIOUS.fullmatch(t):
        return -1
    if _CHANGE.fullmatch(t) or _REMARK.fullmatch(t):
        return DROP
    return None


def _header(row: Sequence[Token]) -> list[int | str] | None:
    """Each column's kind for a header row that names a column beyond the form's; None for any
    other row. A bare 2021 is a value token: it counts only among years in a row of nothing else."""
    cells = [t for t in row if t.text.strip() or t.is_value]
    # the columns before the figures': empty (a merged cell's), a 序号 column's, the labels' corner
    while cells and (cells[0].is_blank or not cells[0].is_value and re.sub(r"\s+", "", cells[0].text) in _LEADING):
        cells = cells[1:]
    marks: list[int | str] = []
    for t in cells:
        if t.is_value:
            n = t.value.number
            if t.is_blank:
                marks.append(BLANK)
                continue
            if not (isinstance(n, int) and 2000 <= n <= 2099 and t.value.unit is None):
                return None
            marks.append(n)
        elif (d := _designator(t.text)) is not None:
            marks.append(d)
        else:
            marks.append(FORM)
    while marks and marks[0] == BLANK:
        marks.pop(0)  # over the label column (a corner cell spanning two: 类别 | | 2021年)
    years = {m for m in marks if isinstance(m, int)}
    if FORM in marks:
        # the form's columns are this year's; a year is another year's beside them
        marks = [FORM if m == FORM else DROP if isinstance(m, int) or m == DROP else m for m in marks]
        return marks if DROP in marks and marks.count(FORM) >= 1 else None
    if len(years) < 2 and not (years and DROP in marks):
        return None
    latest = max(years)
    return [FORM if m == latest else BLANK if m == BLANK else DROP for m in marks]


def _keep(marks: list[int | str], values: list[Token]) -> list[int] | None:
    """Which of a row's figures are the form's: by position where the row prints a figure under
    every column, or under every one of a repeating group's (the 2021 form's table 2 prints three
    columns a year in its first rows and one below). An unnamed column (a remark's, its name in
    the row above) keeps a figure, but not a mark or an empty cell."""
    n = len(values)
    if n != len(marks):
        period = next((p for p in range(2, len(marks)) if len(marks) % p == 0
                       and marks == marks[:p] * (len(marks) // p)), None)
        if not period or n != period:
            return None
        marks = marks[:period]
    return [i for i, (m, t) in enumerate(zip(marks, values))
            if m == FORM or m == BLANK and t.value.number is not None]


def _year_rows(rows: list[list[Token]], at: int) -> tuple[int, int] | None:
    """A run of rows from `at` each named by a year alone (2022年 | figures, 2023年 | figures, or a
    change row) with as many figures each: (the run's end, the latest year's row) — the report's."""
    years: list[tuple[int | str, int]] = []
    j = at
    while j < len(rows):
        labels = [t for t in rows[j] if not t.is_value]
        if len(labels) != 1 or rows[j][0] is not labels[0]:
            break
        d = _designator(labels[0].text)
        if d is None or (years and len(rows[j]) != len(rows[at])):
            break
        years.append((d, j))
        j += 1
    dated = [(y, k) for y, k in years if isinstance(y, int)]
    if len(years) < 2 or not dated or len(rows[at]) < 3:
        return None
    return j, max(dated)[1]


def form_columns_only(tokens: list[Token]) -> list[Token]:
    """The tokens with the figures of columns and rows beyond the form's left out."""
    rows = [list(run) for _, run in groupby(tokens, key=lambda t: t.row)]
    out: list[Token] = []
    marks: list[int | str] | None = None
    in_table = False
    r = 0
    while r < len(rows):
        row = rows[r]
        if (found := _header(row)) is not None:
            marks, in_table = found, all(t.in_table for t in row)
            out.extend(row)
            r += 1
            continue
        if (run := _year_rows(rows, r)) is not None:
            end, latest = run
            out.extend(rows[latest])
            r = end
            continue
        labels = [t for t in row if not t.is_value]
        # the figures follow the row's labels; an empty cell before them is a merged label's
        after = max((i for i, t in enumerate(row) if not t.is_value), default=-1) + 1
        values = row[after:]
        numbers = [t for t in values if t.value.number is not None]
        if marks and ((in_table and not any(t.in_table for t in row))
                      or (not values and labels and (_HEADING.match(labels[0].text)
                                                     or len(labels[0].text.strip()) > _PROSE))
                      or (not numbers and sum(bool(t.text.strip()) for t in labels) >= 2)):
            marks = None  # (another header: 项目 | 本年收费金额, the form's alone)
        keep = _keep(marks, values) if marks and values else None
        out.extend(row if keep is None else [*row[:after], *(values[i] for i in keep)])
        r += 1
    return out
