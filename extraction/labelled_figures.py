"""Rows of tables 3 and 4 written as their columns' names and figures.

Reports pasted into WeChat articles, or written out as sentences, print a row as
一、本年新收政府信息公开申请数量：自然人6件，商业企业0件，…，总计6件 or as a line naming the row
followed by one line a column (自然人：2件). Each such row becomes what a table's row is in the token
stream, the row's name and then its figures in the form's column order, for the tables' readers.

A row is taken only where every column of its table is named once, and nothing but the names, the
figures and separators follow the row's name: a sentence of the overview that names a few
applicant kinds (其中自然人38件、法人或其他组织8件) stays prose."""
from __future__ import annotations

import re
from dataclasses import replace

from .tokens import Token, Value

_COLUMNS = {
    "t3": ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"),
    "t4": ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计"),
}
# 合计 for 总计, as some print it
_SAME = {"合计": "总计"}
_NAMES = sorted({n for names in _COLUMNS.values() for n in names} | set(_SAME), key=len, reverse=True)
_PAIR = re.compile(rf"(?P<name>{'|'.join(_NAMES)})\s*[:：]?\s*(?P<n>\d+|零)\s*(?:件|个|项|人次|次)?")
# the columns not named are 0: 其余类型申请人均为0件, 其他均为零
_REST_ZERO = re.compile(r"其[余它他][^，,；;。\d]{0,8}?(?:均|都|皆)(?:为|是)?\s*(?:0|零)\s*(?:件|个|项)?")
_SEPARATORS = set("，,、；;。. \t")
# a bullet or emoji a WeChat editor sets before a line
_BULLET = re.compile(r"^[^\w（(〔【\[]+")


def _pairs(text: str) -> tuple[int, list[re.Match], bool] | None:
    """Where a line's column figures begin, the pairs, and whether it says the columns it does not
    name are 0; None unless the rest of it is nothing else."""
    found = list(_PAIR.finditer(text))
    if not found:
        return None
    begin = found[0].start()
    left = list(text[begin:])
    rest_zero = _REST_ZERO.search(text, begin)
    if rest_zero:
        found = [m for m in found if not rest_zero.start() <= m.start() < rest_zero.end()]
    for m in [*found, *([rest_zero] if rest_zero else [])]:
        left[m.start() - begin:m.end() - begin] = " " * (m.end() - m.start())
    if not set(left) <= _SEPARATORS:
        return None
    return found[0].start(), found, rest_zero is not None


def _table_of(names: list[str], rest_zero: bool) -> str | None:
    """The table whose columns the names are, each once: every one of them, or (the others said
    to be 0) its total and some; else None."""
    names = [_SAME.get(n, n) for n in names]
    if len(set(names)) != len(names):
        return None
    for table, columns in _COLUMNS.items():
        if set(names) == set(columns) or rest_zero and "总计" in names and set(names) < set(columns):
            return table
    return None


def _figures(found: list[re.Match], like: Token, table: str) -> list[Token]:
    """The row's figures in its table's column order, each named by its column (table 4's reader
    places them so); a column not named is 0."""
    by_name = {_SAME.get(m.group("name"), m.group("name")): m for m in found}
    out = []
    for name in _COLUMNS[table]:
        m = by_name.get(name)
        raw = m.group(0) if m else ""
        n = 0 if m is None or m.group("n") == "零" else int(m.group("n"))
        out.append(Token(f"{name}{n}", like.row, Value(n, raw), exact=True, page=like.page,
                         bbox=like.bbox, score=like.score))
    return out


# A row printed as its one total when that is 0 (二、上年结转政府信息公开申请数量：0件) among rows of
# labelled figures: no count is below zero, so each of its columns is 0.
_ZERO_ROW = re.compile(r"^(?P<label>.+?)\s*[:：]\s*(?:0|零)\s*(?:件|个|项)?[。.]?$")
# a heading after which the rows are no longer table 3's (四、政府信息公开行政复议、行政诉讼情况)
_LATER_HEADING = re.compile(r"^\W*[四五六]\s*、\s*(?!结转)")
_T4_GROUP = ("行政复议", "行政诉讼")


def _zero_row(text: str, table: str | None) -> tuple[str, str] | None:
    """A row of zeros written as its total, with its table: table 4's by its group's name, table 3's
    where the rows before it were table 3's."""
    m = _ZERO_ROW.match(text)
    if not m or _PAIR.search(text):
        return None
    label = _BULLET.sub("", m.group("label"))
    if any(g in label for g in _T4_GROUP):
        return (label, "t4") if table else None
    return (label, "t3") if table == "t3" else None


def _zeros(table: str, like: Token) -> list[Token]:
    return [Token(f"{name}0", like.row, Value(0, "0"), exact=True, page=like.page, bbox=like.bbox, score=like.score)
            for name in _COLUMNS[table]]


def _alone(tokens: list[Token], i: int) -> bool:
    """Whether tokens[i] is a line of text alone in its row (not a table's cell beside others)."""
    tok = tokens[i]
    return (not tok.is_value and (i + 1 >= len(tokens) or tokens[i + 1].row != tok.row)
            and (i == 0 or tokens[i - 1].row != tok.row))


def rows_of_labelled_figures(tokens: list[Token]) -> list[Token]:
    out: list[Token] = []
    table_now: str | None = None  # the table of the last row of labelled figures
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if not _alone(tokens, i):
            out.append(tok)
            i += 1
            continue
        text = tok.text.strip()
        if zero := _zero_row(text, table_now):
            label, table_now = zero
            out.append(replace(tok, text=label))
            out.extend(_zeros(table_now, tok))
            i += 1
            continue
        if _LATER_HEADING.match(text) and table_now == "t3":
            table_now = "t4"
        got = _pairs(text)
        if got is not None and got[0] > 0:
            start, found, rest_zero = got
            table = _table_of([m.group("name") for m in found], rest_zero)
            label = _BULLET.sub("", text[:start]).rstrip("：: \t")
            if table and label:
                out.append(replace(tok, text=label))
                out.extend(_figures(found, tok, table))
                table_now = table
                i += 1
                continue
        if got is None:
            # a row's name alone on its line, one column's name and figure on each line below it
            j, found = i + 1, []
            while j < len(tokens) and _alone(tokens, j):
                line = _pairs(tokens[j].text.strip())
                if line is None or line[0] != 0 or len(line[1]) != 1 or line[2]:
                    break
                found.append(line[1][0])
                j += 1
            table = _table_of([m.group("name") for m in found], False)
            label = _BULLET.sub("", text)
            if table and label:
                out.append(replace(tok, text=label))
                out.extend(_figures(found, tok, table))
                table_now = table
                i = j
                continue
        out.append(tok)
        i += 1
    return out
