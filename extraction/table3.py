"""Table 3 (收到和处理政府信息公开申请情况): 25 or 23 rows × 7 applicant columns."""
from __future__ import annotations

from typing import Sequence

from .labels import label_key
from .readings import TableRead, align_rows, prints_zeros_blank, read_row
from .schema import Schema
from .tokens import Token

# A column some reports add to the form's seven: the sum of the five kinds of legal person
# (法人或其他组织 小计), first or last of them.
_SUBTOTAL = ("小计", "合计")


def read_table3(schema: Schema, tokens: Sequence[Token], span: tuple[int, int], prefer_single: bool) -> tuple[TableRead, bool]:
    """Reads the rows the document prints. Returns the reading and whether （六）其他处理 is printed
    as one row (else as its three sub-rows): whichever layout the labels fit better."""
    variants = {}
    for single in (False, True):
        rows = schema.t3_rows(single_other_handling=single)
        variants[single] = (align_rows(tokens, span, rows), rows)
    s_sub, s_single = variants[False][0][0], variants[True][0][0]
    single = s_single > s_sub + 1e-6 or (abs(s_single - s_sub) <= 1e-6 and prefer_single)
    (_, found), rows = variants[single]
    table = TableRead()
    zeros_blank = prints_zeros_blank(tokens[span[0]:span[1]])
    subtotal = _subtotal_column(tokens[span[0]:found[0][1]] if found else [])
    wide = 0  # rows printing more figures than the form's columns
    for row, i, ratio, values in found:
        values, dropped = _without_subtotal(values, len(row.keys), subtotal)
        printed = [t for t in values if t.is_value and not t.is_blank]
        wide += not dropped and len(printed) > len(row.keys)
        read_row(table, row.keys, values, ratio, zeros_blank=zeros_blank, label_in_table=tokens[i].in_table)
        table.end = max(table.end, i + 1 + len(values) + dropped)
    table.rows_not_found("table 3", rows, found)
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


def _subtotal_column(header: Sequence[Token]) -> int | None:
    """Where the header prints a subtotal of the legal persons among the applicant columns: 1
    (before 商业企业) or 6 (after 其他), counted among the row's values; None where it prints none."""
    keys = [(n, label_key(t.text)) for n, t in enumerate(header) if not t.is_value]
    at = next((n for n, k in keys if k in _SUBTOTAL), None)
    first = next((n for n, k in keys if k == "商业企业"), None)
    last = next((n for n, k in keys if k == "其他"), None)
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
