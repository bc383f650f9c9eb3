"""Table 2 (主动公开政府信息情况): which form's columns it prints, and its rows."""
from __future__ import annotations

import re
from typing import Sequence

from rapidfuzz import fuzz

from .labels import label_key
from .readings import TableRead, align_rows, prints_zeros_blank, read_row
from .schema import Schema
from .tokens import Token

# Row labels the other form (or common usage) prints for the same row.
ALIASES = {"normative_docs": ("规范性文件", "行政规范性文件")}
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
    _, found = align_rows(tokens, span, rows, ALIASES)
    for row, _i, ratio, values in found:
        read_row(table, row.keys, values, ratio, zeros_blank=zeros_blank)
    table.rows_not_found("table 2", rows, found)
    return table
