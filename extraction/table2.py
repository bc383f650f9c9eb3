"""Table 2 (主动公开政府信息情况): which form's columns it prints, and its rows."""
from __future__ import annotations

import re
from typing import Sequence

from rapidfuzz import fuzz

from .labels import label_key
from .readings import Reading, TableRead, align_rows, prints_zeros_blank, read_row
from .schema import Schema
from .tokens import Token

# Labels only one form prints, beyond its column headers.
_FORM_ROWS = {"2019": ("其他对外管理服务事项", "政府集中采购"), "2021": ()}


def form_evidence(schema: Schema, tokens: Sequence[Token], span: tuple[int, int]) -> dict[str, float]:
    """How strongly the span's header cells speak for each form."""
    heads = {t: [label_key(c) for c in schema.t2_columns(t)] + [label_key(r) for r in _FORM_ROWS[t]] for t in ("2019", "2021")}
    evidence = {"2019": 0.0, "2021": 0.0}
    # A header row set out with spaces, as a converter's layout text keeps it, is one token: its
    # cells are the pieces between runs of spaces. A header cell broken over lines (a Word table
    # copied as text: 本年制 / 发件数, or a spreadsheet's quoted cell) comes in pieces one after
    # another: a piece is weighed with the next one or two first, and those it is joined with are
    # weighed no more (理决定数量 alone would speak for the 2019 form's 处理决定数量).
    pieces = [piece for tok in tokens[span[0]:span[1]]
              for piece in ([""] if tok.is_value else re.split(r"\s{2,}|\t", tok.text.strip()))]
    at = 0
    while at < len(pieces):
        for n in (3, 2, 1):
            if at + n > len(pieces) or not all(pieces[at:at + n]):
                continue
            speaks = _speaks_for(label_key("".join(pieces[at:at + n])), heads)
            if speaks:
                evidence[speaks[0]] += speaks[1]
                break
        else:
            n = 1
        at += n
    return evidence


def _speaks_for(key: str, heads: dict[str, list[str]]) -> tuple[str, float] | None:
    """The form whose header `key` matches clearly better than the other's, and how well. A piece
    of the other form's header (理决定数量 of 本年处理决定数量) speaks for neither, unless whole."""
    if not key or len(key) > 30:
        return None
    best = {t: max(fuzz.ratio(key, h) / 100.0 for h in hs) for t, hs in heads.items()}
    winner = max(best, key=best.get)
    loser = "2019" if winner == "2021" else "2021"
    if best[winner] < 1.0 and any(key in h for h in heads[loser]):
        return None
    return (winner, best[winner]) if best[winner] >= 0.85 and best[winner] > best[loser] + 0.05 else None


def read_table2(schema: Schema, tokens: Sequence[Token], span: tuple[int, int], template: str) -> TableRead:
    table = TableRead()
    zeros_blank = prints_zeros_blank(tokens[span[0]:span[1]])
    rows = schema.t2_rows(template)
    _, found = align_rows(tokens, span, rows)
    for row, i, ratio, values in found:
        values = list(values)
        table.end = max(table.end, i + 1 + len(values))
        while len(values) > len(row.keys) and values[-1].is_value and (values[-1].value.number is None
                                                                       or values[-1].value.raw == "无"):
            values.pop()  # a remark column's 无 or empty cell after the form's columns (备注)
        read_row(table, row.keys, values, ratio, zeros_blank=zeros_blank)
    _stated(table, tokens, span, template)
    stated = [(r,) for r in rows if all(k in table.readings for k in r.keys)]
    table.rows_not_found("table 2", rows, [*found, *stated])
    return table


# Table 2 written as sentences (制定规章2件，废止规章0件，现行有效规章3件；行政许可本年处理决定数量0件),
# or as a row's name and its columns' (规章：本年制发0个，本年废止0个，现行有效0个), as some web pages and
# WeChat articles print it. Each field is taken only in a wording that names both its row and its
# column: 规章：0件 alone does not say which column it is.
_UNIT = r"(?:件|个|项)"
_SEP = r"[，,；;、。]?"
_DOCS = r"(?:行政)?规范性文件"
_DECIDED = r"[^，,；;。\d]{0,12}?(?:处理)?决定(?:数量|数)?(?:为|共)?"


def _n(name: str = "n") -> str:
    return rf"[:：]?(?P<{name}>\d+(?:\.\d+)?)"


_PREVIOUS = rf"上一?年(?:项目)?数量?{_n('n0')}{_UNIT}"
# 本年增/减 written out: 本年增加3项, 本年减少5项, 本年无增减, 本年增/减：-2项
_CHANGE = r"本年(?P<n1>(?:增加|减少|增/减|增减)[:：]?[+\-−－]?\d+|无增减|无变化)(?:件|个|项)?"


def _figure(text: str) -> int | float:
    """A figure as a sentence says it, 本年增/减's words for its sign included."""
    if text in ("无增减", "无变化"):
        return 0
    sign = -1 if text.startswith("减少") or re.search(r"[-−－]\d", text) else 1
    digits = re.search(r"\d+(?:\.\d+)?", text).group(0)
    return sign * (float(digits) if "." in digits else int(digits))


def _columns(*words: str) -> str:
    """A row's name's columns in the form's order, each its name, then its figure and unit."""
    return _SEP.join(rf"(?:本年)?{w}(?:件数|数量|数)?{_n(f'n{i}')}{_UNIT}" for i, w in enumerate(words))


_STATED: dict[str, dict[tuple[str, ...], str]] = {
    "2021": {
        ("t2.rules.issued",): rf"(?:新)?(?:制定|制发)规章{_n()}{_UNIT}",
        ("t2.rules.repealed",): rf"废止规章{_n()}{_UNIT}",
        ("t2.rules.in_force",): rf"现行有效规章(?:数量?|共)?{_n()}{_UNIT}",
        ("t2.normative_docs.issued",): rf"(?:新)?(?:制定|制发|印发){_DOCS}{_n()}{_UNIT}",
        ("t2.normative_docs.repealed",): rf"废止{_DOCS}{_n()}{_UNIT}",
        ("t2.normative_docs.in_force",): rf"现行有效{_DOCS}(?:数量?|共)?{_n()}{_UNIT}",
        ("t2.rules.issued", "t2.rules.repealed", "t2.rules.in_force"):
            rf"(?<!性文件)规章[:：]?{_columns('(?:新)?(?:制定|制发)', '废止', '现行有效')}",
        ("t2.normative_docs.issued", "t2.normative_docs.repealed", "t2.normative_docs.in_force"):
            rf"{_DOCS}[:：]?{_columns('(?:新)?(?:制定|制发)', '废止', '现行有效')}",
        ("t2.licensing.decisions",): rf"行政许可{_DECIDED}{_n()}{_UNIT}",
        ("t2.penalty.decisions",): rf"行政处罚{_DECIDED}{_n()}{_UNIT}",
        ("t2.coercion.decisions",): rf"行政强制{_DECIDED}{_n()}{_UNIT}",
        ("t2.fees.amount",): rf"行政事业性收费[^，,；;。\d]{{0,12}}?(?:收费)?金额(?:为|共)?{_n()}万元",
    },
    "2019": {
        **{tuple(f"t2.{row}.{c}" for c in ("prev_items", "change", "decisions")):
           rf"{name}[:：]?{_PREVIOUS}{_SEP}{_CHANGE}{_SEP}(?:本年)?(?:处理)?决定数量?{_n('n2')}{_UNIT}"
           for row, name in (("licensing", "行政许可"), ("other_services", "其他对外管理服务事项"),
                             ("penalty", "行政处罚"), ("coercion", "行政强制"))},
        ("t2.fees.prev_items", "t2.fees.change"): rf"行政事业性收费[:：]?{_PREVIOUS}{_SEP}{_CHANGE}",
        ("t2.procurement.items", "t2.procurement.amount"):
            rf"政府集中采购[:：]?采购项目数量?{_n('n0')}{_UNIT}{_SEP}采购总金额{_n('n1')}万元",
        ("t2.rules.new_made",): rf"新制作规章{_n()}{_UNIT}",
        ("t2.rules.new_published",): rf"新公开规章{_n()}{_UNIT}",
        ("t2.rules.total_published",): rf"对外公开规章(?:总数量?|总数|共)?{_n()}{_UNIT}",
        ("t2.normative_docs.new_made",): rf"新制作{_DOCS}{_n()}{_UNIT}",
        ("t2.normative_docs.new_published",): rf"新公开{_DOCS}{_n()}{_UNIT}",
        ("t2.normative_docs.total_published",): rf"对外公开{_DOCS}(?:总数量?|总数|共)?{_n()}{_UNIT}",
        ("t2.rules.new_made", "t2.rules.new_published", "t2.rules.total_published"):
            rf"规章[:：]?{_columns('新制作', '新公开', '对外公开总')}",
        ("t2.normative_docs.new_made", "t2.normative_docs.new_published", "t2.normative_docs.total_published"):
            rf"{_DOCS}[:：]?{_columns('新制作', '新公开', '对外公开总')}",
    },
}
# A figure found by its wording, not in a cell: no rule of the form checks table 2's.
STATED_CONFIDENCE = 0.9


def _stated(table: TableRead, tokens: Sequence[Token], span: tuple[int, int], template: str) -> None:
    """The fields of table 2 the table left missing, where its section says them in sentences. A
    line of prose breaks where the page does (现行有效行政 / 规范性文件2件): the lines are read joined."""
    lines = [t for t in tokens[span[0]:span[1]] if not t.is_value and t.text.strip()]
    text = "".join(re.sub(r"\s+", "", t.text) for t in lines)
    def read(key: str) -> bool:
        return key in table.readings and table.readings[key].status != "missing"

    for keys, pattern in _STATED[template].items():
        if all(map(read, keys)):
            continue
        found = {tuple(m.groups()): m for m in re.finditer(pattern, text)}
        if len(found) != 1:
            continue  # not said, or said twice otherwise
        m = next(iter(found.values()))
        for key, figure in zip(keys, m.groups()):
            if read(key):
                continue
            table.readings[key] = Reading(key, _figure(figure), "read", STATED_CONFIDENCE, raw=m.group(0),
                                          page=lines[0].page if lines else None)
