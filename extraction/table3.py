"""Table 3 (收到和处理政府信息公开申请情况): 25 or 23 rows × 7 applicant columns."""
from __future__ import annotations

from typing import Sequence

from .labels import label_key
from .readings import Reading, TableRead, align_rows, prints_zeros_blank, read_row
from .schema import Schema
from .tokens import Token

_APPLICANTS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")
# words that name each column in a header cell, as reports print it (企业, 科研院所, 公益组织, 其它)
_APPLICANT_WORDS = (("自然人",), ("企业",), ("科研",), ("公益",), ("法律服务",), ("其他", "其它"), ("总计",))


def read_table3(schema: Schema, tokens: Sequence[Token], span: tuple[int, int], prefer_single: bool) -> tuple[TableRead, bool]:
    """Reads the rows the document prints. Returns the reading and whether （六）其他处理 is printed
    as one row (else as its three sub-rows): whichever layout the labels fit better."""
    variants = {}
    for single in (False, True):
        rows = schema.t3_rows(single_other_handling=single)
        variants[single] = (align_rows(tokens, span, rows), rows)
    s_sub, s_single = variants[False][0][0], variants[True][0][0]
    single = s_single > s_sub + 1e-6 or (abs(s_single - s_sub) <= 1e-6 and prefer_single)
    # Rows printed in an order of their own score the alignment of neither layout well: the layout
    # whose own （六） rows are printed with figures, the other's not, is the one printed.
    one, subs = _printed_rows(variants[True][0][1], _SINGLE), _printed_rows(variants[False][0][1], _SUB_ROWS)
    if one != bool(subs):
        single = one
    (_, found), rows = variants[single]
    table = TableRead()
    zeros_blank = prints_zeros_blank(tokens[span[0]:span[1]])
    subtotal = _subtotal_column(tokens[span[0]:found[0][1]] if found else [])
    if subtotal is not None:
        # its place in the header's order may not be the column's (a 小计 merged down two header rows
        # comes before the row naming 商业企业 … 其他): the place where the sums hold in more rows
        holds = {at: sum(_without_subtotal(list(v), len(r.keys), at)[1] > 0 for r, _, _, v in found) for at in (1, 6)}
        subtotal = max((subtotal, 7 - subtotal), key=lambda at: holds[at])
    wide = 0  # rows printing more figures than the form's columns
    present = _printed_columns(tokens[span[0]:found[0][1]] if found else [], subtotal is not None)
    narrow = present is not None and 2 * sum(_figures(v) == len(present) for _, _, _, v in found) >= len(found)
    for row, i, ratio, values in found:
        values, dropped = _without_subtotal(values, len(row.keys), subtotal)
        printed = [t for t in values if t.is_value and not t.is_blank]
        wide += not dropped and len(printed) > len(row.keys)
        keys = row.keys
        if narrow and _figures(values) == len(present) and len(row.keys) == len(_APPLICANTS):
            # the columns the header prints, the others not printed: not found, whatever the sums say
            keys = [row.keys[c] for c in present]
            values = _printed(values)
            table.absent += [k for c, k in enumerate(row.keys) if c not in present]
        read_row(table, keys, values, ratio, zeros_blank=zeros_blank, label_in_table=tokens[i].in_table)
        table.end = max(table.end, i + 1 + len(values) + dropped)
    table.rows_not_found("table 3", rows, found)
    if table.absent:
        names = "、".join(n for c, n in enumerate(_APPLICANTS) if c not in present)
        table.warnings.append(f"table 3 prints no column for {names}: its cells are not found")
        for key in table.absent:
            table.readings[key] = Reading(key, None, "missing", 0.0)
    if subtotal is not None:
        table.warnings.append("table 3: a subtotal column of the legal persons (小计) left out, where its "
                              "figures are their sum")
    # most rows: a column the form does not have (OCR may read a figure twice, a number kerned apart
    # as two, or a stray mark as a figure, in a row or two; not in most)
    if wide >= max(5, len(found) // 2):
        table.in_doubt = True
        table.warnings.append(f"table 3: {wide} rows print more figures than the form has "
                              f"columns (a column the form does not have?): its cells are held for review")
    return table, single


_SINGLE = ("other_handling",)
# (3.其他 names no row of its own: only the two named sub-rows tell)
_SUB_ROWS = ("other_handling.overdue_correction", "other_handling.overdue_fee")


def _printed_rows(found, ids: Sequence[str]) -> bool:
    """Whether any of the rows `ids` was found printing figures."""
    return any(row.id in ids and values for row, _, _, values in found)


def _printed_columns(header: Sequence[Token], subtotal: bool) -> list[int] | None:
    """The form's applicant columns (0 自然人 … 6 总计) the header names, in the form's order, where
    it names some but not all, 总计 among them (an agency leaving out a column no application came
    from: 科研机构); None otherwise. Each is known by its own words, whatever the header's nesting."""
    found: set[int] = set()
    for t in header:
        if t.is_value:
            continue
        k = label_key(t.text)
        for c, words in enumerate(_APPLICANT_WORDS):
            if any(w in k for w in words) and not (c == 5 and "法人" in k) and len(k) <= 8:
                found.add(c)
        if k == "合计" and not subtotal:
            found.add(6)  # (the total, where no subtotal was found)
    if 6 not in found or len(found) < 3 or len(found) == len(_APPLICANTS):
        return None
    return sorted(found)


def _printed(values: Sequence[Token]) -> list[Token]:
    """A row's cells that print something: a figure or a dash."""
    return [t for t in values if t.is_value and t.value.printed]


def _figures(values: Sequence[Token]) -> int:
    return len(_printed(values))


def _subtotal_column(header: Sequence[Token]) -> int | None:
    """Where the header prints a subtotal of the legal persons among the applicant columns: 1
    (before 商业企业) or 6 (after 其他), counted among the row's values; None where it prints none."""
    keys = [(n, label_key(t.text)) for n, t in enumerate(header) if not t.is_value]
    # (合计 is the total where the header prints no 总计)
    totalled = any(k == "总计" for _, k in keys)
    # (a header flattened to one row names each column with its group's: 法人或其他组织-商业企业, 法人或其他组织小计)
    at = next((n for n, k in keys if k.endswith("小计") or k == "合计" and totalled), None)
    first = next((n for n, k in keys if k.endswith("商业企业")), None)
    last = next((n for n, k in keys if k.endswith("其他")), None)
    if at is None or first is None or last is None:
        return None
    return 1 if at < first else 6 if at > last else None


def _without_subtotal(values: list[Token], n: int, at: int | None) -> tuple[list[Token], int]:
    """A row's values with the subtotal column's left out (and 1), where it holds the sum of the
    five legal persons' figures; else as they are (and 0)."""
    if at is None:
        return values, 0
    vals = list(values)
    while len(vals) > n + 1 and vals[0].is_blank:  # the label's own empty cells
        vals.pop(0)
    while len(vals) > n + 1 and vals[-1].is_blank:
        vals.pop()
    if len(vals) != n + 1:
        return values, 0
    numbers = [t.value.number or 0 for t in vals]
    persons = numbers[2:7] if at == 1 else numbers[1:6]
    if abs(numbers[at] - sum(persons)) > 1e-6:
        return values, 0
    return vals[:at] + vals[at + 1:], len(values) - len(vals) + 1
