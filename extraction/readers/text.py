"""Plain text, Markdown and tab-separated text (what PDF converters and copy-paste produce).

Lines with tabs and Markdown pipe rows become table rows; consecutive rows form a table whose
columns come from the separators (`positional=False`: converters drop and shift cells, so the
mapping trusts the numbers a row prints more than their column index). Every other line is a
paragraph of its own: one-cell-per-line text keeps its order, which is all the mapping needs.
"""
from __future__ import annotations

import re

from ..model import Cell, Document, Paragraph, Table
from ..sniff import decode_text

_MD_SEPARATOR = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_DASH_ROW = re.compile(r"^[-\s\t|:]+$")
_MD_DECOR = re.compile(r"^\s{0,3}(#{1,6}\s+|[-*+]\s+|>\s*)")
_BOLD = re.compile(r"\*\*|__")


def _table(rows: list[list[str]], origin: str) -> Table:
    cells = [Cell(r, c, text.strip()) for r, row in enumerate(rows) for c, text in enumerate(row)]
    return Table(cells, len(rows), max(len(r) for r in rows), origin=origin, positional=False)


def _clean_line(line: str) -> str:
    line = _MD_DECOR.sub("", line)
    return _BOLD.sub("", line).strip()


def read(data: bytes) -> Document:
    text = decode_text(data).replace("\r\n", "\n").replace("\r", "\n")
    blocks = []
    rows: list[list[str]] = []
    origin = ""

    def flush():
        nonlocal rows
        if rows:
            blocks.append(_table(rows, origin))
            rows = []

    for line in text.split("\n"):
        stripped = line.strip()
        if stripped.startswith("|") and stripped.count("|") >= 2:
            if _MD_SEPARATOR.match(stripped):
                continue
            if origin != "markdown":
                flush()
            origin = "markdown"
            inner = stripped[1:-1] if stripped.endswith("|") else stripped[1:]
            rows.append([_BOLD.sub("", c) for c in inner.split("|")])
        elif "\t" in line and stripped:
            if _DASH_ROW.match(stripped):
                continue
            if origin != "tsv":
                flush()
            origin = "tsv"
            rows.append(line.split("\t"))
        else:
            flush()
            cleaned = _clean_line(line)
            if cleaned:
                blocks.append(Paragraph(cleaned))
    flush()
    return Document(blocks=blocks, kind="text", pages=1)
