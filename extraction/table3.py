"""Table 3 (收到和处理政府信息公开申请情况): 25 or 23 rows × 7 applicant columns."""
from __future__ import annotations

from typing import Sequence

from .readings import TableRead, align_rows, prints_zeros_blank, read_row
from .schema import Schema
from .tokens import Token


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
    for row, i, ratio, values in found:
        read_row(table, row.keys, values, ratio, zeros_blank=zeros_blank, label_in_table=tokens[i].in_table)
        table.end = max(table.end, i + 1 + len(values))
    table.rows_not_found("table 3", rows, found)
    return table, single
