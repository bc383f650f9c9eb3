"""Pandoc's simple and multiline tables (what pandoc writes for a Word table when asked for
Markdown, and knitr's kable for a data frame), as the HTML table they set out, so the text reader
reads them as it reads a grid table: every cell in its column, a blank cell kept blank.

Such a table has no bars. A line of dashes in runs, one space or more apart, marks its columns:
each run is a column's extent, and every cell's text stands inside its column's. So a blank cell
is where nothing stands, and the columns are exact, where a line set out with spaces alone
(pdftotext -layout) leaves them to guessing. Forms, as pandoc's manual gives them:

- simple, with a header: the header line, the dashes, a row a line until a blank line;
- simple, no header: the dashes, a row a line, the dashes again;
- multiline, with a header: a line of dashes only, the header's lines, the column dashes, rows
  apart by blank lines (a row's cells wrapped to their columns over its lines), dashes only;
- multiline, no header: the column dashes, rows apart by blank lines, the column dashes.

Positions are display columns (a CJK character two wide), as pandoc counts them.
"""
from __future__ import annotations

import html
import re

from ..normalize import strip_pinyin
from .grid_tables import pieces_joined, wide

_COLUMN_DASHES = re.compile(r"^\s*-+(?: +-+)+\s*$")
_DASHES_ONLY = re.compile(r"^\s*-{3,}\s*$")
_FIGURE = re.compile(r"\d")
# how far up a multiline table's header is looked for: a header is a few lines (bounds the work on
# a text of many lines of dashes)
_MAX_HEADER_LINES = 20


def _display_runs(line: str, pattern: str) -> list[tuple[int, int, str]]:
    """(start, end, text) of each run of `pattern` in the line, in display columns."""
    out, at = [], 0
    marks = []
    for ch in line:
        marks.append(at)
        at += 2 if wide(ch) else 1
    marks.append(at)
    for m in re.finditer(pattern, line):
        out.append((marks[m.start()], marks[m.end()], m.group(0)))
    return out


def _columns(line: str) -> list[tuple[int, int]]:
    return [(a, b) for a, b, _ in _display_runs(line, r"-+")]


def _column_of(start: int, end: int, columns: list[tuple[int, int]]) -> int | None:
    """The column a word stands in: the one column it overlaps; None where it overlaps none or
    two (no writer of such tables puts it so: the lines are not where their columns are)."""
    over = [c for c, (a, b) in enumerate(columns) if min(end, b) > max(start, a)]
    return over[0] if len(over) == 1 else None


def _cells(lines: list[str], columns: list[tuple[int, int]]) -> list[str] | None:
    """One row's cells from its lines: the words on each line put in their columns, a cell's pieces
    joined down the lines; None where a word stands in no one column."""
    pieces: list[list[str]] = [[] for _ in columns]
    for line in lines:
        on_line: list[list[str]] = [[] for _ in columns]
        for a, b, word in _display_runs(line, r"\S+"):
            if (c := _column_of(a, b, columns)) is None:
                return None
            on_line[c].append(word)
        for c, words in enumerate(on_line):
            if words:
                pieces[c].append(pieces_joined(words))
    return [pieces_joined(p) for p in pieces]


def _row_groups(lines: list[str]) -> list[list[str]]:
    groups: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            groups[-1].append(line)
        elif groups[-1]:
            groups.append([])
    return [g for g in groups if g]


def _next_dashes(lines: list[str], i: int) -> int | None:
    """The first line after line i that is dashes, in runs or one: where a table's body ends (no row
    is dashes alone)."""
    return next((k for k in range(i + 1, len(lines)) if _COLUMN_DASHES.match(lines[k]) or _DASHES_ONLY.match(lines[k])),
                None)


def _table_at(lines: list[str], i: int) -> tuple[int, int, list[list[str]]] | None:
    """The table whose column dashes are line i: its first line, the line after its last, and each
    of its rows as the lines it runs over (a header first where it has one); None where the lines
    around make no table."""
    columns = _columns(lines[i])
    above = lines[i - 1] if i > 0 else ""
    if above.strip():
        top = i - 1
        while top >= max(0, i - _MAX_HEADER_LINES) and lines[top].strip() and not _DASHES_ONLY.match(lines[top]):
            top -= 1
        if top >= 0 and _DASHES_ONLY.match(lines[top]):  # multiline with a header
            end = _next_dashes(lines, i)
            if end is None or not _DASHES_ONLY.match(lines[end]):
                return None
            return top, end + 1, [lines[top + 1:i], *_row_groups(lines[i + 1:end])]
        end = i + 1  # simple with a header: a row a line up to a blank line or closing dashes
        while end < len(lines) and lines[end].strip() and not _COLUMN_DASHES.match(lines[end]):
            end += 1
        rows = [[line] for line in lines[i + 1:end]]
        if end < len(lines) and _COLUMN_DASHES.match(lines[end]):
            end += 1
        return i - 1, end, [[above], *rows]
    end = _next_dashes(lines, i)
    if end is None or _columns(lines[end]) != columns:
        return None
    body = lines[i + 1:end]
    rows = _row_groups(body) if any(not line.strip() for line in body) else [[line] for line in body]
    return i, end + 1, rows


def _grid(rows: list[list[str]], columns: list[tuple[int, int]]) -> list[list[str]] | None:
    """The rows' cells. Pinyin glosses put in after the table was set out move the words after
    them: where the words fit their columns only without the glosses, they are read without.
    Where both readings fit and differ, or neither fits, the columns are not known: None."""
    read = [_cells(row, columns) for row in rows]
    as_set = None if any(cells is None for cells in read) else read
    if not any(strip_pinyin(line) != line for row in rows for line in row):
        return as_set
    read = [_cells([strip_pinyin(line) for line in row], columns) for row in rows]
    unglossed = None if any(cells is None for cells in read) else read
    if as_set is not None and unglossed is not None:
        return as_set if [[strip_pinyin(t) for t in row] for row in as_set] == unglossed else None
    return as_set or unglossed


def dashed_table_html(lines: list[str], i: int) -> tuple[int, int, str] | None:
    """Where the table whose column dashes are line i begins and ends, and the HTML table it sets
    out; None where line i is no such table's (a table of no figures is left as lines: it is not
    one of the report's)."""
    if not _COLUMN_DASHES.match(lines[i]):
        return None
    found = _table_at(lines, i)
    if found is None:
        return None
    start, end, rows = found
    columns = _columns(lines[i])
    grid = _grid(rows, columns)
    if grid is None or len(grid) < 2 or not any(_FIGURE.search(text) for row in grid[1:] for text in row):
        return None
    body = "".join("<tr>" + "".join(f"<td>{html.escape(text)}</td>" for text in row) + "</tr>" for row in grid)
    return start, end, f"<table>{body}</table>"
