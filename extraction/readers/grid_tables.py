"""Grid tables drawn in text (pandoc's and reStructuredText's: +---+ rules, | bars, the header
closed by +===+; or the same drawn with box characters), as the HTML table they draw, so the
text reader reads them as it reads MinerU's: a grid with its merged cells.

Every cell is a box. A merged cell's box crosses the places it covers (pandoc writes spans so
from 3.7), and a cell's text wraps over the lines inside its box, so a row may run over several
lines. The boxes are found as docutils finds them: from each corner, right along a rule to a
corner, down a bar to a corner, back along a rule and up a bar to where it began. Positions are
display columns: a CJK character is two wide, as the writer counted it.

A table whose rules close only its header and its body (a database client's, tabulate's outline)
is no grid of boxes: such a box holds a row a line, figures on many of its lines. It is left to
the text reader, which reads a row a line.
"""
from __future__ import annotations

import html
import re
import unicodedata

from ..normalize import strip_pinyin

_CORNERS = set("+┌┬┐├┼┤└┴┘╔╦╗╠╬╣╚╩╝╞╪╡╟╫╢╒╤╕╘╧╛╓╥╖╙╨╜")
_RULE = set("-=─━═:")  # (an alignment's colon stands in a rule too: +:---+)
_BAR = set("|│┃║")
_FIGURE = re.compile(r"\d")


def wide(ch: str) -> bool:
    """Whether a character takes two display columns (CJK), as writers of text tables count it."""
    return unicodedata.east_asian_width(ch) in "WF"


def _canvas(lines: list[str]) -> list[list[str]]:
    """Each line as display columns: a wide character, then "" for the column it also covers."""
    rows = []
    for line in lines:
        row = []
        for ch in line.rstrip():
            row.append(ch)
            if wide(ch):
                row.append("")
        rows.append(row)
    width = max(len(r) for r in rows)
    return [r + [" "] * (width - len(r)) for r in rows]


class _Boxes:
    def __init__(self, canvas: list[list[str]]):
        self.c = canvas
        self.height, self.width = len(canvas), len(canvas[0])

    def at(self, r: int, c: int) -> str:
        return self.c[r][c] if 0 <= r < self.height and 0 <= c < self.width else " "

    def box_from(self, top: int, left: int) -> tuple[int, int] | None:
        """The bottom-right corner of the box whose top-left corner is (top, left)."""
        if self.at(top, left + 1) not in _RULE | _CORNERS or self.at(top + 1, left) not in _BAR | _CORNERS:
            return None
        for right in range(left + 1, self.width):
            ch = self.at(top, right)
            if ch in _CORNERS:
                if end := self._down(top, left, right):
                    return end
            elif ch not in _RULE:
                return None
        return None

    def _down(self, top: int, left: int, right: int) -> tuple[int, int] | None:
        for bottom in range(top + 1, self.height):
            ch = self.at(bottom, right)
            if ch in _CORNERS:
                if self._closed(top, left, bottom, right):
                    return bottom, right
            elif ch not in _BAR:
                return None
        return None

    def _closed(self, top: int, left: int, bottom: int, right: int) -> bool:
        if self.at(bottom, left) not in _CORNERS:
            return False
        if any(self.at(bottom, c) not in _RULE | _CORNERS for c in range(left + 1, right)):
            return False
        return all(self.at(r, left) in _BAR | _CORNERS for r in range(top + 1, bottom))

    def text(self, top: int, left: int, bottom: int, right: int) -> list[str]:
        return ["".join(self.c[r][left + 1:right]).strip() for r in range(top + 1, bottom)]


def one_cell(pieces) -> bool:
    """Whether a box's lines are one cell's text wrapped: figures on one line at most (a number
    does not wrap; lines of a row each are figures on many)."""
    return sum(1 for piece in pieces if _FIGURE.search(piece)) <= 1


def pieces_joined(pieces) -> str:
    """A wrapped cell's pieces as its text: Chinese runs on, words of letters keep their space."""
    text = ""
    for piece in (p.strip() for p in pieces):
        if text and piece and text[-1].isascii() and text[-1].isalpha() and piece[0].isascii() and piece[0].isalpha():
            text += " "
        text += piece
    return text


def is_rule(line: str) -> bool:
    """A grid table's rule: corners and rules only, a corner first."""
    s = line.strip()
    return len(s) > 2 and s[0] in _CORNERS and set(s) <= _CORNERS | _RULE and bool(set(s) & _RULE)


def grid_block_end(lines: list[str], start: int) -> int:
    """Where a grid table beginning with the rule at `start` ends: after its last rule."""
    end = last_rule = start
    while end < len(lines) and lines[end].strip()[:1] in _CORNERS | _BAR:
        if is_rule(lines[end]):
            last_rule = end
        end += 1
    return last_rule + 1


def grid_as_html(lines: list[str]) -> str | None:
    """The grid table the lines draw (a rule first and last) as an HTML <table> with rowspan and
    colspan; None where its boxes do not tile it, or where they hold a row a line (nothing wraps,
    nothing merges: the text reader reads such lines as rows already). Pinyin glosses put in
    after the table was drawn move its bars: without them, the bars line up again."""
    table_html = _traced(lines)
    if table_html is None and any(strip_pinyin(line) != line for line in lines):
        table_html = _traced([strip_pinyin(line) for line in lines])
    return table_html


def _traced(lines: list[str]) -> str | None:
    canvas = _canvas(lines)
    boxes = _Boxes(canvas)
    found = []
    for top in range(boxes.height - 1):
        for left in range(boxes.width - 1):
            if canvas[top][left] in _CORNERS and (end := boxes.box_from(top, left)):
                found.append((top, left, *end))
    if not found:
        return None
    tops = sorted({b[0] for b in found} | {b[2] for b in found})
    lefts = sorted({b[1] for b in found} | {b[3] for b in found})
    spans = [(tops.index(t), lefts.index(l), tops.index(b) - tops.index(t), lefts.index(r) - lefts.index(l))
             for t, l, b, r in found]
    if sum(h * w for _, _, h, w in spans) != (len(tops) - 1) * (len(lefts) - 1):
        return None  # boxes overlap or leave a hole: no grid
    texts = [boxes.text(*b) for b in found]
    if not all(one_cell(t) for t in texts):
        return None  # a box of rows, a line each
    if all(h == 1 and w == 1 for _, _, h, w in spans) and all(len(t) == 1 for t in texts):
        return None
    rows: dict[int, list[str]] = {}
    for (r, c, h, w), text in sorted(zip(spans, texts)):
        attrs = (f' rowspan="{h}"' if h > 1 else "") + (f' colspan="{w}"' if w > 1 else "")
        rows.setdefault(r, []).append(f"<td{attrs}>{html.escape(pieces_joined(text))}</td>")
    return "<table>" + "".join("<tr>" + "".join(rows.get(r, [])) + "</tr>" for r in range(len(tops) - 1)) + "</table>"
