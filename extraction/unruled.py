"""Tables that lost their rulings: the grid from how their words line up.

A page can print a table with no ruling at all (a web page printed without its borders, a Word
table whose borders were taken off, a three-line table with only its top and bottom rules), and
then `grid.build_tables` finds nothing there. Read as prose, every cell becomes a line of its own,
a wrapped label is cut in two by its row's numbers, and a label printed one character per line is
scattered over the rows beside it.

The grid is still where the words are. A row's numbers share a line, each number stands in its
column, and the row's label sits at the left, wrapped over a few lines around (or below) its
numbers. So, among the words outside the ruled tables:

1. Labels printed one character per line (三、本年度办理结果 in a narrow cell) are stacked back.
2. Each line is cut into pieces at gaps wider than a character; a piece that is a number (or a
   dash) and stands clear of the label on its left is a cell value.
3. Lines of values that follow one another with nothing in between reaching into their columns
   make one table; its columns are the clusters of the values' centres (a column missing from a
   run of evenly spaced ones is put back from the header).
4. The label pieces left of the columns join into label cells (wrapped lines; an enumerator such
   as （二） or 3. opens a new one). A label cell goes on the first line of values it stands beside;
   a label beside no values is a row of its own whose cells are all blank. From OCR, such blanks
   get a lower score: its numbers may have been lost, and no ruling vouches for them.
5. A row printing only one or two numbers (its zeros left blank) is a table of its own when each
   number stands under a cell of the header just above it.

A PDF's own text layer loses no word, and places header and number exactly, so there (the
`text_layer` flag) a row beside no value is a printed blank, and numbers set flush left or right
line up with their header by that edge. OCR that left no ink on the page unread (scan.unread_ink)
lost no word either (the `nothing_lost` flag): there too a row with nothing right of its label is
a printed blank, though OCR's boxes place words less exactly.
"""
from __future__ import annotations

import re
import statistics
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice

from .grid import Word, glue, line_text, text_lines
from .labels import label_key
from .model import BBox, Cell, Table
from .normalize import normalize_text
from .page_text import bounding_box
from .sections import is_heading
from .tokens import parse_value

ORIGIN = "alignment"

# A cell is a blank of a row printed with no value at all: nothing but its label says it is a row.
# From OCR that row may have lost its numbers; from a PDF's text layer nothing is lost, and the
# label row standing in the table's columns is the form's row printed blank (zeros left empty).
BLANK_ROW_SCORE = 0.8
# Labels in one type: sizes within this share of each other. A text layer's words are as high as
# their font. OCR's boxes are not: 8.2 to 13.4 px high for the labels of one table (其他对外管理服务事项
# under 行政许可 9.6 and 13.0), where the advance from one character to the next is 9.1 and 9.8. So
# from OCR either size will do. Body text is set 30-40% larger than a table's print, in both.
_SAME_SIZE = 0.1
_SAME_SIZE_OCR = 0.2
# A value lines up with a header word within this share of a line's height (a text layer places
# both exactly; a flush cell's number beside a longer header word's edge stands a character off).
_ALIGN = 0.25
_MAX_COLUMNS = 16  # value columns of the form's widest table (table 4: 15)
# OCR's one box from a row's label into its first column ("…本机关不掌握相关政府信0"): a label of
# the form ends in no figure, so the box's last figures are that row's value run into its label.
_RUN_INTO_LABEL = re.compile(r"[\u4e00-\u9fff，,、）)]\s*(?P<value>\d+)$")
# ...read at the score of a value a lost ruling ran into a label's cell (tokens._GLUED_SCORE): for
# the rules to weigh, not to accept on its own
_RUN_INTO_SCORE = 0.5
# an enumerator right after Chinese text: where a second label begins inside one OCR box
_INNER_ENUMERATOR = re.compile(r"(?<=[\u4e00-\u9fff])(?<!第)(?=\d{1,2}\s*[.、．](?!\d)|[（(][一二三四五六七八九十]+[)）])")
# table 2's section headings (第二十条第（五）项) stand where row labels stand, between its sections
_ARTICLE = re.compile(r"^\s*第[一二三四五六七八九十百\d]+[条條]")
_SECTION_HEADER = ("信息内容", "信息內容")  # the first cell of table 2's section headers (traditional too)
_TOP_LEVEL = re.compile(r"^\s*[一二三四五六七八九十]+[、.．]")  # a row of the form's first level: 四、
_ENUMERATOR = re.compile(r"^\s*([（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+[、.．]|\d{1,2}\s*[.、．](?!\d))")


@dataclass
class _Piece:
    words: list[Word]
    text: str
    bbox: BBox
    value: bool = False

    @property
    def score(self) -> float:
        """How sure the reading of its words is: the least sure of them (1.0 for a text layer)."""
        return min((w.score for w in self.words), default=1.0)

    @property
    def cx(self) -> float:
        return (self.bbox[0] + self.bbox[2]) / 2

    @property
    def cy(self) -> float:
        return (self.bbox[1] + self.bbox[3]) / 2


@dataclass
class _Row:
    y0: float
    y1: float
    values: list[_Piece] = field(default_factory=list)
    labels: list[_Piece] = field(default_factory=list)

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


@dataclass
class UnruledPage:
    tables: list[Table]
    free: list[Word]  # the words outside them
    columns: list[float]  # value-column centres of the page's last table, for its continuation


def unruled_tables(words: list[Word], page: int, carried: list[float] = (), *, text_layer: bool = False,
                   nothing_lost: bool | None = None) -> UnruledPage:
    """The tables these words print without rulings. `carried`: the columns of the table that
    ended the previous page; a table continued here without its header finds them there.
    `text_layer`: the words are a PDF's own text (none can have been lost, and each stands exactly
    where it is printed), not OCR's. `nothing_lost` (default: text_layer): every word printed is
    among these, as in a text layer or where OCR left no ink unread (scan.unread_ink): a row with
    nothing beside its label is printed blank."""
    nothing_lost = text_layer if nothing_lost is None else nothing_lost
    if len(words) < 4:
        return UnruledPage([], words, [])
    h = statistics.median(w.bbox[3] - w.bbox[1] for w in words) or 1.0
    box_of: dict[int, Word] = {}  # a part of a split OCR box -> the box
    parts: list[Word] = []
    for w in words:
        for part in _split_at_enumerators(w):
            box_of[id(part)] = w
            parts.append(part)
    # after the split: OCR may read a character of a vertical label in one box with the label beside
    stacks, rest = _vertical_labels(parts, h)
    lines = [_pieces(ln, h, box_of) for ln in text_lines(rest)]
    lines += [[s] for s in stacks]
    lines.sort(key=lambda ps: min(p.bbox[1] for p in ps))
    tables: list[Table] = []
    used: set[int] = set()
    columns: list[float] = []
    first = True  # the columns carried from the page before go to the first run of three values or more
    for value_lines in _regions(lines, h):
        big = sum(p.value for ln in value_lines for p in ln) >= 3
        found = _table(value_lines, lines, h, page, list(carried) if first and big else [], used, text_layer,
                       nothing_lost)
        first = first and not big
        if found is None:
            continue
        grid, pieces, mine = found
        columns = mine or columns  # a table of a few values carries none: its columns are its header's
        tables.append(grid)
        for w in (w for p in pieces for w in p.words):
            used |= {id(w), id(box_of.get(id(w), w))}
    if nothing_lost:
        free = [ln for ln in lines if not any(id(w) in used for p in ln for w in p.words)]
        # the columns of the page before only for lines above every table found here
        top = min((c.bbox[1] for t in tables for c in t.cells if c.bbox), default=float("inf"))
        above = bool(free) and max(p.bbox[3] for p in free[0]) < top
        for grid, pieces, mine in _tables_without_figures(free, h, page, list(carried) if above else []):
            tables.append(grid)
            used |= {id(w) for p in pieces for w in p.words}
            columns = mine or columns
    return UnruledPage(tables, [w for w in words if id(w) not in used], columns)


# ------------------------------------------------------------------------------------- pieces

def _vertical_labels(words: list[Word], h: float) -> tuple[list[_Piece], list[Word]]:
    """Labels printed one character per line: at least three characters (no digits) stacked at one
    x, a line apart. A piece of the stack is one character, or a column of a few that an OCR
    detector read as one tall box."""
    def narrow(w: Word) -> bool:
        t = w.text.strip()
        tall = w.bbox[3] - w.bbox[1] >= 1.8 * (w.bbox[2] - w.bbox[0])
        return bool(t) and not any(ch.isdigit() for ch in t) and (len(t) == 1 or (len(t) <= 4 and tall))

    column = sorted((w for w in words if narrow(w)), key=lambda w: w.bbox[1])
    stacks: list[list[Word]] = []
    for w in column:
        cx = (w.bbox[0] + w.bbox[2]) / 2
        for s in stacks:
            last = s[-1]
            if abs((last.bbox[0] + last.bbox[2]) / 2 - cx) <= 0.35 * h and -0.2 * h <= w.bbox[1] - last.bbox[3] <= 0.8 * h:
                s.append(w)
                break
        else:
            stacks.append([w])
    out: list[_Piece] = []
    taken: set[int] = set()
    for s in stacks:
        if sum(len(w.text.strip()) for w in s) >= 3 and len(s) >= 2 or len(s) >= 3:
            out.append(_Piece(s, "".join(w.text.strip() for w in s), bounding_box([w.bbox for w in s])))
            taken |= {id(w) for w in s}
    return out, [w for w in words if id(w) not in taken]


def _pieces(line: list[Word], h: float, box_of: dict[int, Word]) -> list[_Piece]:
    """A line cut at gaps wider than a character; numbers standing alone become value pieces."""
    groups: list[list[Word]] = [[line[0]]]
    for w in line[1:]:
        prev = groups[-1][-1]
        gap = w.bbox[0] - prev.bbox[2]
        # a label that opens with its enumerator right after another label's text: the next cell
        split_box = id(w) in box_of and box_of[id(w)] is not w and box_of.get(id(prev)) is box_of[id(w)]
        if gap > h or split_box or (gap > 0.25 * h and _ENUMERATOR.match(w.text) and not _ENUMERATOR.fullmatch(prev.text)):
            groups.append([w])
        else:
            groups[-1].append(w)
    out: list[_Piece] = []
    for g in groups:
        if len(g) > 1 and all(_is_value(w.text) for w in g):
            out += [_Piece([w], w.text, w.bbox, True) for w in g]  # numbers of narrow columns
        else:
            text = line_text(g)
            out.append(_Piece(g, text, bounding_box([w.bbox for w in g]), _is_value(text)))
    return out


def _split_at_enumerators(w: Word) -> list[Word]:
    """One OCR box over two labels side by side ("（六）其他处1.申请人…": two cells a few points apart,
    which the text detector saw as one line) cut before the second label's enumerator, each part's
    box in proportion to its characters."""
    cuts = [m.start() for m in _INNER_ENUMERATOR.finditer(w.text)]
    if not cuts:
        return [w]
    x0, y0, x1, y1 = w.bbox
    per = (x1 - x0) / max(len(w.text), 1)
    out = []
    for a, b in zip([0, *cuts], [*cuts, len(w.text)]):
        out.append(Word(w.text[a:b], (x0 + a * per, y0, x0 + b * per, y1), w.score))
    return out


def _is_value(text: str) -> bool:
    v = parse_value(text)
    return v is not None and v.printed


def _value_line(pieces: list[_Piece]) -> bool:
    """Values at the right of the line, with at most labels before them."""
    values = [i for i, p in enumerate(pieces) if p.value]
    return bool(values) and all(p.value for p in pieces[values[0]:])


# ------------------------------------------------------------------------------------ regions

def _regions(lines: list[list[_Piece]], h: float) -> list[list[list[_Piece]]]:
    """Runs of value lines that nothing between them separates: no text reaching into their
    columns, no wide empty gap, no heading of table 2's next section (第二十条第（五）项: its
    column headers, set flush left, may reach into no column of numbers set flush right)."""
    out: list[list[list[_Piece]]] = []
    run: list[list[_Piece]] = []
    between: list[_Piece] = []
    article = False
    for ln in lines:
        if not _value_line(ln):
            if run:
                between += ln
                article = article or bool(_ARTICLE.match(line_text([w for p in ln for w in p.words])))
            continue
        if run and (article or _separated(run, ln, between, h)):
            out.append(run)
            run = []
        run.append(ln)
        between = []
        article = False
    if run:
        out.append(run)
    return out


def _separated(run: list[list[_Piece]], ln: list[_Piece], between: list[_Piece], h: float) -> bool:
    x0 = min(p.bbox[0] for line in [*run, ln] for p in line if p.value)
    if any(p.bbox[2] > x0 - 0.2 * h for p in between):
        return True
    # an empty band taller than a few lines: the table ended, another one begins
    y = max(p.bbox[3] for p in run[-1])
    for p in sorted(between, key=lambda p: p.bbox[1]):
        if p.bbox[1] - y > 4 * h:
            return True
        y = max(y, p.bbox[3])
    return min(p.bbox[1] for p in ln) - y > 4 * h


# -------------------------------------------------------------------------------------- table

def _table(value_lines: list[list[_Piece]], lines: list[list[_Piece]], h: float, page: int,
           carried: list[float], used: set[int], text_layer: bool,
           nothing_lost: bool = False) -> tuple[Table, list[_Piece], list[float]] | None:
    """The grid of one run of value lines; None when its values do not stand in two columns or
    more, three values at least (a label and its one number is what prose reading gets right),
    unless each value stands under a cell of a header row: a row printing one of its columns, its
    zeros left blank, is a table row all the same (prose reading would put its number in the
    row's last column)."""
    _demote_stray(value_lines, _header_centres(lines, min(p.bbox[1] for ln in value_lines for p in ln),
                                               float("-inf"), h) + carried, h)
    value_lines = [ln for ln in value_lines if any(p.value for p in ln)]
    values = [p for ln in value_lines for p in ln if p.value]
    # a few values (a row printing one of its columns, its zeros left blank) make a table only on
    # three lines at most under a header
    band = _header_band(values, lines, h)
    few = len(values) < 3 or len(_clusters([p.cx for p in values], h)) < 2
    if few and (not band or len(value_lines) > 3):
        return None
    zone_x0 = min(p.bbox[0] for p in values)
    top = min(p.bbox[1] for p in values)
    bottom = max(p.bbox[3] for p in values)
    # label pieces: left of the columns, on lines that print no other text in the columns (a header),
    # a few lines around the values, or as far as rows printed blank follow one another from them
    # (a page can end on ten of them)
    reach_up, reach_down = _label_reach(lines, zone_x0, top, bottom, h)
    label_pieces = [p for ln in lines
                    if not any(not q.value and q.bbox[2] > zone_x0 - 0.2 * h for q in ln)
                    for p in ln if not p.value and p.bbox[3] > min(top - 6 * h, reach_up)
                    and p.bbox[1] < max(bottom + 6 * h, reach_down)
                    and not any(id(w) in used for w in p.words)]
    label_right = max((p.bbox[2] for p in label_pieces if p.bbox[1] < bottom and p.bbox[3] > top),
                      default=float("-inf"))  # no row labels: the columns start at the left
    # a row of a few values stands under the header just above it, not under the columns of a
    # table before it (table 2's sections each print their own header, of one to three columns)
    heads = ([w for ln in band for p in ln for w in p.words if w.bbox[0] > label_right] if few
             else _header_words(lines, top, label_right, h))
    found = _value_columns(values, heads, band, label_right, carried, h, text_layer, few)
    if found is None:
        return None
    columns, col_of, carry = found
    for ln in value_lines:
        cols = [col_of[id(p)] for p in ln if p.value]
        if len(set(cols)) != len(cols):
            return None  # two values of a line in one column: these are not columns
    rows = [_Row(min(p.bbox[1] for p in ln if p.value), max(p.bbox[3] for p in ln if p.value),
                 [p for p in ln if p.value]) for ln in value_lines]
    cells = _label_cells(label_pieces, rows, h)
    pitch = statistics.median([b.cy - a.cy for a, b in zip(rows, rows[1:])]) if len(rows) > 1 else 3 * h
    extra: list[_Row] = []
    for cell in cells:
        beside = [r for r in rows if cell.bbox[1] - 0.25 * h <= r.cy <= cell.bbox[3] + 0.25 * h]
        if beside:
            beside[0].labels.append(cell)
        elif top < cell.cy < bottom:
            extra.append(_Row(cell.bbox[1], cell.bbox[3], labels=[cell]))
    # rows printed blank before the first and after the last row of values: labels in the type and
    # the place of the labels beside values (or of the group labels between them: 四、结转下年度继续办理
    # spans both label columns, left of the item labels), following one another at the row pitch
    # (not past a header line or a label with numbers beside it: there the next table begins); a
    # group label spanning rows (三、本年度办理结果 set one character per line), or a piece of one
    # left of every label, is passed over
    beside = [c for r in rows + extra for c in r.labels]
    # (a header line reaches into the columns, though its first word may start left of them)
    others = [ln for ln in lines if _in_columns(ln, zone_x0, h)]
    # (a wrapped label's first line runs to its cell's edge, past the labels beside values)
    right = max(label_right, zone_x0 - 1.2 * h)
    for edge, down in ((bottom, True), (top, False)):
        extra += _rows_printed_blank(cells, edge, down, beside, others, pitch, right, h, text_layer)
    rows = sorted(rows + extra, key=lambda r: r.cy)
    # from OCR where no ink went unread, a row with nothing right of its labels (not even a word no
    # value reads from: a number misread as a character) is printed blank (asked of rows printing
    # no value only: the others' empty cells are blanks among their numbers)
    scores = [1.0 if r.values or text_layer or nothing_lost and not _beside_labels(r, lines) else BLANK_ROW_SCORE
              for r in rows]
    run_into = {i: p for i, r in enumerate(rows) if r.values
                for ln in lines for p in ln if not p.value and p.bbox[2] > zone_x0
                and p.bbox[1] < r.y1 and p.bbox[3] > r.y0 and _RUN_INTO_LABEL.search(p.text)}
    return (_grid(rows, columns, col_of, page, scores, run_into), [*values, *(c for r in rows for c in r.labels)],
            carry)


def _beside_labels(row: _Row, lines: list[list[_Piece]]) -> bool:
    """Whether any text stands in the row's band right of its labels, or a label ends in a digit
    (no label of the form does: the row's first number, read in one box with its label)."""
    if any(re.search(r"\d\s*$", c.text) for c in row.labels):
        return True
    right = max((c.bbox[2] for c in row.labels), default=float("-inf"))
    mine = {id(c) for c in row.labels}
    return any(row.y0 < p.cy < row.y1 and p.bbox[0] > right and id(p) not in mine for ln in lines for p in ln)


def _rows_printed_blank(cells: list[_Piece], edge: float, down: bool, beside: list[_Piece],
                        others: list[list[_Piece]], pitch: float, right: float, h: float,
                        text_layer: bool) -> list[_Row]:
    """The label cells from `edge` on (down the page, or up it) that are rows printed blank: in the
    type of the labels `beside` values, between their left edge and `right`."""
    out: list[_Row] = []
    ahead = [c for c in cells if (c.bbox[1] >= edge if down else c.bbox[3] <= edge)]
    for cell in sorted(ahead, key=lambda c: c.bbox[1] if down else -c.bbox[3]):
        if (cell.bbox[1] - edge if down else edge - cell.bbox[3]) > max(pitch, 2 * h):
            break
        if _next_section([cell]):
            break
        lined_up = _lines_up(cell, beside, right, h, text_layer)
        if not lined_up and (_spans_rows(cell, h) or _left_of(cell, beside)):
            continue
        if not lined_up or _crossed(others, *((edge, cell.bbox[3]) if down else (cell.bbox[1], edge)), h):
            break
        out.append(_Row(cell.bbox[1], cell.bbox[3], labels=[cell]))
        edge = cell.bbox[3] if down else cell.bbox[1]
    return out


def _next_section(line: list[_Piece]) -> bool:
    """A heading: of table 2's next section (第二十条第（八）项), or of the report's."""
    text = line_text([w for p in line for w in p.words])
    return bool(_ARTICLE.match(text)) or is_heading(text)


def _spans_rows(cell: _Piece, h: float) -> bool:
    """A label taller than three lines: a group label beside the rows of its group."""
    return cell.bbox[3] - cell.bbox[1] > 3 * h


def _left_of(cell: _Piece, labels: list[_Piece]) -> bool:
    """A piece wholly left of every label: a piece of a group label standing in its own column (三
    of 三、本年度办理结果, set a character a line, which OCR read apart from the rest)."""
    return bool(labels) and cell.bbox[2] <= min(lab.bbox[0] for lab in labels)


def _label_reach(lines: list[list[_Piece]], zone_x0: float, top: float, bottom: float,
                 h: float) -> tuple[float, float]:
    """How far above `top` and below `bottom` lines of labels alone (no value, nothing reaching into
    the columns) follow one another, less than three lines apart."""
    def reach(ordered: list[list[_Piece]], edge: float, sign: int) -> float:
        for ln in ordered:
            near = min(p.bbox[1] for p in ln) if sign > 0 else max(p.bbox[3] for p in ln)
            if sign * (near - edge) < -0.25 * h:
                continue  # level with the values, or the other side of them
            if _in_columns(ln, zone_x0, h) or sign * (near - edge) > 3 * h:
                break
            edge = max(p.bbox[3] for p in ln) if sign > 0 else min(p.bbox[1] for p in ln)
        return edge

    down = sorted(lines, key=lambda ln: min(p.bbox[1] for p in ln))
    up = sorted(lines, key=lambda ln: -max(p.bbox[3] for p in ln))
    return reach(up, top, -1), reach(down, bottom, 1)


def _in_columns(line: list[_Piece], zone_x0: float, h: float) -> bool:
    """Whether a line prints a value or text reaching into the columns starting at zone_x0 (a row
    of numbers, a header, prose), not labels alone."""
    return any(p.value or p.bbox[2] > zone_x0 - 0.2 * h for p in line)


def _crossed(lines: list[list[_Piece]], y0: float, y1: float, h: float) -> bool:
    """Whether any of these lines (numbers, or text over the columns) stands between y0 and y1."""
    return any(y0 + 0.25 * h < statistics.fmean(p.cy for p in ln) < y1 - 0.25 * h for ln in lines)


def _value_columns(values: list[_Piece], heads: list[Word], band: list[list[_Piece]], label_right: float,
                   carried: list[float], h: float, text_layer: bool,
                   few: bool) -> tuple[list[float], dict[int, int], list[float]] | None:
    """The table's columns, the column of each value, and the columns a table continued on the
    next page may take (none where they are not centres, or come from a header alone). `heads`: the
    header words over the columns; `band`: the header lines just above the values."""
    # table 2's 信息内容 is centred over the row labels: where they are short and set flush left
    # (行政处罚), it starts right of them, and standing over no value it took a column of blanks to
    # itself, every number of the row moved one column on (a faxed table 2 that lost its rulings)
    heads = [w for w in heads if not _over_labels(w)]
    band = [kept for ln in band if (kept := [p for p in ln if not all(_over_labels(w) for w in p.words)])]
    # by their cells' edges where the cells are set flush (the columns carried from the page before
    # are centres: not used then)
    at = _alignment(values, heads, h) if text_layer else _centre
    # a text layer's header words stand exactly over their columns: clustered tightly, a group
    # header over several columns (行政复议 over five) stays apart from the column headers beside it
    columns = _columns([at(p.bbox) for p in values], [at(w.bbox) for w in heads] + (carried if at is _centre else []),
                       h, 0.4 if text_layer else 1.2)
    columns = _out_to_the_header(columns, [w for ln in band for p in ln for w in p.words if w.bbox[0] > label_right])
    col_of = {id(p): min(range(len(columns)), key=lambda c: abs(columns[c] - at(p.bbox))) for p in values}
    over = [ws for ws in ([w for p in ln for w in p.words if w.bbox[0] > label_right] for ln in band) if ws]
    if len(over) == 1 and (few or not _lined_up(values, over[0], h) and len(columns) != len(over[0])):
        # a few values (their own columns are those they stand in, the others printed blank), or
        # values lining up with no word of a one-line header (numbers set flush right under a
        # header set flush left) whose own columns leave some out or disagree with it: each value
        # takes the header cell it stands in
        found = _cell_columns(values, over[0], h)
        # (a section's one column header over its one number: 行政许可 30)
        if found is not None and (few or len(found[0]) >= 2):
            return *found, []
        if few:
            return None
    return columns, col_of, columns if at is _centre and not few else []


def _tables_without_figures(lines: list[list[_Piece]], h: float, page: int,
                  carried: list[float]) -> list[tuple[Table, list[_Piece], list[float]]]:
    """Tables that print no number at all, on a page where no word was lost (a text layer, or OCR
    that left no ink unread: `nothing_lost`) (a year without an application, its zeros
    left blank): a header of two lines or more, each of two cells or more, over a run of row
    labels left of its columns, three of them at least opening with an enumerator (（一）, 1.,
    一、), and no value among them; or, at the top of a page after such a table (`carried`: its
    columns), such a run of labels alone; or a section of table 2 printing no number (行政处罚 and
    行政强制 under 信息内容 | 本年处理决定数量): its one header line, which opens with the form's
    信息内容, over one to three labels, a number beside some of them (行政处罚 1915 over 行政强制
    printed blank: one number is too few for a table of numbers). Each label cell is a row,
    printed blank where no number stands beside it. With each table, its pieces and its columns."""
    def gap(a: list[_Piece], b: list[_Piece]) -> float:
        return min(p.bbox[1] for p in b) - max(p.bbox[3] for p in a)

    def label_line(ln: list[_Piece], zone_x0: float, section: bool) -> bool:
        """Labels left of zone_x0; in a section of table 2, numbers right of them too."""
        numbers = [p for p in ln if p.value]
        labels = [p for p in ln if not p.value]
        return (bool(labels) and max(p.bbox[2] for p in labels) < zone_x0
                and (not numbers or section and all(p.bbox[0] >= zone_x0 for p in numbers)))

    def labels_from(j: int, zone_x0: float, section: bool = False) -> int:
        """The end of the run of label lines from line j, left of zone_x0."""
        k = j
        while (k < len(lines) and label_line(lines[k], zone_x0, section)
               and (k == j or gap(lines[k - 1], lines[k]) <= 2.5 * h) and not _next_section(lines[k])):
            k += 1
        return k

    def table(j: int, k: int, columns: list[float], section: bool,
              heads: list[Word] = ()) -> tuple[Table, list[_Piece], list[float]] | None:
        rows = lines[j:k]
        if section:
            if not 1 <= len(rows) <= 3:
                return None
        elif sum(bool(_ENUMERATOR.match(ln[0].text)) for ln in rows) < 3 or len(columns) < 2:
            return None
        if k < len(lines) and any(p.value for p in lines[k]) and gap(lines[k - 1], lines[k]) <= 2.5 * h:
            return None  # the labels run on into values: a table of numbers, read as one
        numbers = [p for ln in rows for p in ln if p.value]
        col_of: dict[int, int] = {}
        if numbers:
            # too few numbers for a table of numbers (行政处罚 1915 over 行政强制 printed blank): each
            # stands in the header cell whose left edge is the last before it (the cells set flush
            # left or centred, the numbers anywhere in them), one word to a cell
            found = _cell_columns(numbers, list(heads), h)
            if found is None or len(found[0]) != len(columns):
                return None
            col_of = found[1]
        pieces = [p for ln in rows for p in ln]
        cells = _label_cells([p for p in pieces if not p.value], [], h)
        grid_rows = [_Row(c.bbox[1], c.bbox[3], labels=[c]) for c in cells]
        for p in numbers:
            beside = [r for r in grid_rows if r.y0 - 0.25 * h <= p.cy <= r.y1 + 0.25 * h]
            if len(beside) != 1 or any(col_of[id(q)] == col_of[id(p)] for q in beside[0].values):
                return None
            beside[0].values.append(p)
        # a section of table 2 carries no columns to the next page: what follows it there has a
        # header of its own (table 3's, from OCR, took a section's one column as its own)
        return _grid(grid_rows, columns, col_of, page), pieces, [] if section else columns

    out: list[tuple[Table, list[_Piece], list[float]]] = []
    i = 0
    if carried:  # a table printed blank, continued from the page before without its header, under
        # the page's running header (a line or two)
        for j in range(min(3, len(lines))):
            k = labels_from(j, min(carried) - h)
            found = table(j, k, list(carried), False) if k > j else None
            if found is not None:
                out.append(found)
                i = k
                break
    while i < len(lines):
        j = i
        while (j < len(lines) and len(_cells(lines[j], h)) >= 2 and not any(p.value for p in lines[j])
               and (j == i or gap(lines[j - 1], lines[j]) <= 2 * h)):
            j += 1
        section = j - i == 1 and _cells(lines[i], h)[0][0].text.startswith(_SECTION_HEADER)
        if (j - i < 2 and not section) or j == len(lines) or gap(lines[j - 1], lines[j]) > 2 * h:
            i = max(j, i + 1)
            continue
        label_right = max((p.bbox[2] for p in lines[j] if not p.value), default=float("inf"))
        heads = _cell_words(lines[i:j], label_right + 0.5 * h, h)
        found = None
        if heads:
            k = labels_from(j, min(w.bbox[0] for w in heads) - 0.2 * h, section)
            found = table(j, k, _clusters([_centre(w.bbox) for w in heads], h, 0.4), section, heads) if k > j else None
        if found is None:
            i = j
            continue
        out.append(found)
        i = k
    return out


def _demote_stray(value_lines: list[list[_Piece]], heads: list[float], h: float) -> None:
    """A lone number left of the table's columns (OCR reading a label's mark as 1, a footnote
    number) would pull the columns' left edge over the labels: in a table of three lines of values
    or more, a leftmost column of one value, standing apart from the others and under no header
    cell, is a label. So is such a lone dash however far it stands from them: OCR reads a piece
    of a ruling left after the rest was lost as - or 一, and one left between a row's label and
    its numbers would stand a column's width from them, as a column would. A dash that is the only
    value of its line, level with no row's numbers, is such a piece even where a header cell (or
    the column of the page before, `heads` too) stands over it."""
    if len(value_lines) < 3:
        return
    while True:
        values = sorted((p for ln in value_lines for p in ln if p.value), key=lambda p: p.cx)
        cols = _clusters([p.cx for p in values], h)
        if len(cols) < 3:
            return
        first = [p for p in values if abs(p.cx - cols[0]) <= 1.2 * h]
        gaps = [b - a for a, b in zip(cols[1:], cols[2:])]
        apart = cols[1] - cols[0] > 1.5 * statistics.median(gaps) if gaps else False
        if len(first) != 1:
            return
        piece = first[0]
        dash = (v := parse_value(piece.text)) is not None and v.dash
        alone = dash and all(p is piece or not p.value for ln in value_lines if any(q is piece for q in ln) for p in ln)
        if not (apart or dash) or not alone and any(abs(x - cols[0]) <= h for x in heads):
            return
        piece.value = False


def _over_labels(w: Word) -> bool:
    """Whether the word is the header of the row labels' column (table 2's 信息内容)."""
    return w.text.strip().startswith(_SECTION_HEADER)


def _out_to_the_header(columns: list[float], header: list[Word]) -> list[float]:
    """Evenly spaced columns carried on, a pitch at a time, as far as the header just above them
    reaches: columns at the table's edge whose cells are all blank (table 4 printing 行政复议's five
    zeros blank) have no value to cluster, and where OCR read their header cells as one word
    (结果维结果纠其他结尚未审) no header centre stands over them either. A point is added only where a
    header word covers it."""
    if len(columns) < 2 or not header:
        return columns
    # (a column that a header centre stands over takes that centre, up to 0.15 pitch off the grid)
    pitch = (columns[-1] - columns[0]) / (len(columns) - 1)
    if any(abs(b - a - pitch) > 0.3 * pitch for a, b in zip(columns, columns[1:])):
        return columns  # not evenly spaced: no pitch to carry on

    def covered(x: float) -> bool:
        return any(w.bbox[0] <= x <= w.bbox[2] for w in header)

    out = list(columns)
    while len(out) < _MAX_COLUMNS and covered(out[0] - pitch):
        out.insert(0, out[0] - pitch)
    while len(out) < _MAX_COLUMNS and covered(out[-1] + pitch):
        out.append(out[-1] + pitch)
    return out


def _header_band(values: list[_Piece], lines: list[list[_Piece]], h: float) -> list[list[_Piece]]:
    """The header lines just above the values, nearest first: text alone (a row of values above is
    the table before, no header), each of two cells or more apart as cells are (a title or a line
    of prose is one piece). Labels alone left of the values between it and them are rows printed
    blank. Empty when there is none."""
    zone_x0 = min(p.bbox[0] for p in values)
    band: list[list[_Piece]] = []
    # rows printed blank are not counted: a table continued under a page's running header may
    # open with a dozen of them
    for ln in _lines_above(lines, min(p.bbox[1] for p in values), h):
        if any(p.value for p in ln) or len(band) == 4:
            break
        if not band and all(p.bbox[2] < zone_x0 - 0.2 * h for p in ln):
            continue  # a row label with no value: a row printed blank
        if len(_cells(ln, h)) < 2:
            break  # a line of one piece: a title or prose over the header
        band.append(ln)
    return band


def _cells(line: list[_Piece], h: float) -> list[list[_Piece]]:
    """A line's pieces by cell, left to right: pieces that touch are one cell (a section heading cut
    before its enumerator, 第二十条第 + （六）项, is one text, not two header cells)."""
    out: list[list[_Piece]] = []
    for p in sorted(line, key=lambda p: p.bbox[0]):
        if out and p.bbox[0] - out[-1][-1].bbox[2] <= 0.3 * h:
            out[-1].append(p)
        else:
            out.append([p])
    return out


def _lined_up(values: list[_Piece], heads: list[Word], h: float) -> bool:
    """Whether each value centres under a header word, or lines up with one on the same edge."""
    return any(all(any(abs(at(w.bbox) - at(p.bbox)) <= _ALIGN * h for w in heads) for p in values)
               for at in (_centre, _left, _right))


def _cell_columns(values: list[_Piece], cells: list[Word], h: float) -> tuple[list[float], dict[int, int]] | None:
    """Columns from a header line's cells: a value stands in the cell whose left edge is the last
    at or before its centre. None when a value stands left of them all."""
    cells = sorted(cells, key=lambda w: w.bbox[0])
    col_of: dict[int, int] = {}
    for p in values:
        i = max((k for k, w in enumerate(cells) if w.bbox[0] - 0.3 * h <= p.cx), default=None)
        if i is None:
            return None
        col_of[id(p)] = i
    return [_centre(w.bbox) for w in cells], col_of


def _lines_up(cell: _Piece, labels: list[_Piece], right: float, h: float, text_layer: bool) -> bool:
    """Whether a label is one more of these: in their type, between their left edge and `right`."""
    if not labels:
        return False
    # a top-level row (四、结转下年度继续办理) spans the group and item label columns: it starts as
    # far left as the table's label area, which no label beside values may show on this page
    left = float("-inf") if _TOP_LEVEL.match(cell.text) else min(lab.bbox[0] for lab in labels) - h
    # labels centred in their cells stand about one middle, a longer one further left (行政規範性文件
    # under 規章)
    centred = abs(cell.cx - statistics.median(lab.cx for lab in labels)) <= h
    def alike(size, share: float) -> bool:
        typical = statistics.median(size(lab) for lab in labels)
        return abs(size(cell) - typical) <= share * typical

    if text_layer:
        same_type = alike(_height, _SAME_SIZE)
    else:
        same_type = alike(_height, _SAME_SIZE_OCR) or alike(_advance, _SAME_SIZE_OCR)
    return (left <= cell.bbox[0] or centred) and cell.bbox[2] <= right + h and same_type


def _height(p: _Piece) -> float:
    return statistics.median(w.bbox[3] - w.bbox[1] for w in p.words)


def _advance(p: _Piece) -> float:
    """Width per character of the piece's longest word, a digit or a Latin letter counting half (a
    character wrapped onto a line of its own, 开 of (三)不予公开, stands in a box as wide as its
    margins make it). A bracket counts whole: OCR reads the form's （ as (."""
    word = max(p.words, key=lambda w: len(w.text.strip()))
    ems = sum(0.5 if ord(ch) < 0x2E80 and ch not in "()" else 1.0 for ch in word.text if not ch.isspace())
    return (word.bbox[2] - word.bbox[0]) / max(ems, 0.5)


def _header_words(lines: list[list[_Piece]], top: float, label_right: float, h: float) -> list[Word]:
    """The header cells' words over the columns: the text of the lines just above the first row of
    values, right of the row labels (words, not pieces: header cells of narrow columns stand closer
    than a character apart). Not the words of a text that starts among the row labels and runs on
    into the columns (a section heading cut before its enumerator, 第二十条第 + （六）项)."""
    return _cell_words(islice(_lines_above(lines, top, h), 10), label_right, h)


def _cell_words(lines: Iterable[list[_Piece]], left: float, h: float) -> list[Word]:
    """The words of these lines' cells that start right of `left` (a cell starting left of it and
    running on past it is not one of them)."""
    return [w for ln in lines for cell in _cells(ln, h) if cell[0].bbox[0] > left for p in cell for w in p.words]


def _lines_above(lines: list[list[_Piece]], top: float, h: float) -> Iterator[list[_Piece]]:
    """The lines above `top`, nearest first, while each is within two lines' height of the one
    below it."""
    edge = top
    for ln in sorted((ln for ln in lines if max(p.bbox[3] for p in ln) <= top + 0.2 * h),
                     key=lambda ln: -max(p.bbox[3] for p in ln)):
        if edge - max(p.bbox[3] for p in ln) > 2 * h:
            return
        yield ln
        edge = min(edge, min(p.bbox[1] for p in ln))


def _header_centres(lines: list[list[_Piece]], top: float, label_right: float, h: float) -> list[float]:
    return [_centre(w.bbox) for w in _header_words(lines, top, label_right, h)]


def _centre(b: BBox) -> float:
    return (b[0] + b[2]) / 2


def _left(b: BBox) -> float:
    return b[0]


def _right(b: BBox) -> float:
    return b[2]


def _alignment(values: list[_Piece], heads: list[Word], h: float):
    """Which edge of their cells the values line up on with the header cells': the centre, or the
    left or right edge where the cells are set flush (a number set right under a wide header cell
    stands nowhere near its centre). The centre unless an edge lines up more values, two at least."""
    def under(at) -> int:
        return sum(any(abs(at(w.bbox) - at(p.bbox)) <= _ALIGN * h for w in heads) for p in values)

    best = max((_left, _right), key=under)
    n = under(best)
    return best if n >= 2 and n > under(_centre) else _centre


def _columns(values: list[float], header: list[float], h: float, header_gap: float = 1.2) -> list[float]:
    """Column centres: clusters of the values' centres. Columns whose cells are all printed blank
    are put back from the header: the evenly spaced grid that holds every value column and the most
    header cells (a header over several columns may sit between two); failing that, from gaps
    that are whole multiples of the narrowest one."""
    cols = _clusters(values, h)
    heads = _clusters(header, h, header_gap)
    grid = _progression(cols, heads, h)
    if grid is not None:
        return grid
    if len(cols) < 3:
        return cols
    gaps = [b - a for a, b in zip(cols, cols[1:])]
    pitch = min(gaps)
    if any(abs(g / pitch - round(g / pitch)) > 0.15 for g in gaps):
        return cols  # not evenly spaced: nothing to put back
    out = [cols[0]]
    for x in cols[1:]:
        k = round((x - out[-1]) / pitch)
        out += [out[-1] + (x - out[-1]) * i / k for i in range(1, k)]
        out.append(x)
    return out


def _clusters(xs: list[float], h: float, gap: float = 1.2) -> list[float]:
    """Centres of the runs of xs no more than gap × h apart."""
    if not xs:
        return []
    xs = sorted(xs)
    groups: list[list[float]] = [[xs[0]]]
    for x in xs[1:]:
        if x - groups[-1][-1] > gap * h:
            groups.append([x])
        else:
            groups[-1].append(x)
    return [statistics.fmean(g) for g in groups]


def _progression(cols: list[float], heads: list[float], h: float) -> list[float] | None:
    """The evenly spaced columns that hold every value column and the most columns under a header
    centre, each grid point without any centre counting against; None when no header supports one."""
    centres = sorted(set(cols) | set(heads))
    pitches = {round(b - a, 1) for a, b in zip(centres, centres[1:]) if b - a >= 2 * h}
    # and the spans between value columns split evenly: neighbouring centres alone may miss the
    # pitch by more than the tolerance over a wide table (OCR joined header cells 商业企业科研机构
    # and moved their centres; t3's value columns 38.96 pt apart were tried as 37.8 and failed)
    pitches |= {round((b - a) / k, 2) for i, a in enumerate(cols) for b in cols[i + 1:]
                for k in range(1, _MAX_COLUMNS) if (b - a) / k >= 2 * h}
    best: tuple[int, int, float, list[float]] | None = None
    for p in pitches:
        def k_of(x: float) -> int | None:
            k = round((x - cols[0]) / p)
            return k if abs(x - cols[0] - k * p) <= 0.15 * p else None

        if any(k_of(x) is None for x in cols):
            continue
        on = {k_of(x): x for x in heads if k_of(x) is not None}
        on.update({k_of(x): x for x in cols})
        ks = range(min(on), max(on) + 1)
        # columns a header centre stands over (two centres on one column count once: a wide pitch
        # would otherwise gain from a stray centre inside its tolerance)
        hits = len({k_of(x) for x in heads} - {None})
        score = hits - sum(k not in on for k in ks)
        # on a tie, the grid more header cells stand over: OCR joined 商业企业科研机构, so seven
        # columns at 39 pt (five under a header, two not) scored as three at 117 (all three under one)
        if hits >= 2 and (best is None or (score, hits, p) > best[:3]):
            best = (score, hits, p, [on.get(k, cols[0] + k * p) for k in ks])
    return best[3] if best else None


def _label_cells(pieces: list[_Piece], rows: list[_Row], h: float) -> list[_Piece]:
    """Label pieces joined into cells. A piece continues the cell above it when it sits under it (a
    line below, overlapping it across), does not open with an enumerator, does not stand beside
    other values than the cell does, and either follows at the leading of wrapped text or the line
    above it ran to the right edge of its column (a label wraps only where its cell is full)."""
    def row_beside(p: _Piece) -> int | None:
        return next((i for i, r in enumerate(rows) if r.y0 < p.cy < r.y1), None)

    cells: list[tuple[_Piece, set[int]]] = []
    beside = pieces + [v for r in rows for v in r.values]
    for p in sorted(pieces, key=lambda p: (p.bbox[1], p.bbox[0])):
        mine = row_beside(p)
        for c, theirs in reversed(cells):
            gap = p.bbox[1] - c.bbox[3]
            across = min(p.bbox[2], c.bbox[2]) - max(p.bbox[0], c.bbox[0]) > 0
            if not (-0.3 * h <= gap <= 0.7 * h and across) or _ENUMERATOR.match(p.text):
                continue
            if mine is not None and theirs and mine not in theirs:
                continue
            full = _full(c.words[-1].bbox, c.bbox, pieces, beside, h)
            # a label beside no values over one beside values: two rows (the first printed blank)
            # unless the upper line is full, i.e. wrapped; not even then where the numbers stand
            # level with the lower line, a row's gap below the upper one (a wrapped label's numbers
            # stand level with its middle or its first line; short labels, a few to a table, all
            # look full: 行政处罚 over 行政强制 2947)
            blank_above = mine is not None and not theirs
            level = blank_above and gap > 0.3 * h and abs(rows[mine].cy - p.cy) <= 0.25 * h
            if ((full and not level) or (gap <= 0.3 * h and not blank_above)) and not _two_labels(c.text, p.text):
                c.words = c.words + p.words
                c.text = c.text + glue(c.text, p.text) + p.text
                c.bbox = bounding_box([c.bbox, p.bbox])
                if mine is not None:
                    theirs.add(mine)
                break
        else:
            cells.append((_Piece(list(p.words), p.text, p.bbox), set() if mine is None else {mine}))
    return [c for c, _ in cells]


@lru_cache(maxsize=1)
def _form_labels() -> frozenset[str]:
    from .schema import load_schema

    return frozenset(label_key(label) for label in load_schema().row_labels())


def _two_labels(upper: str, lower: str) -> bool:
    """Two of the form's row labels, one under the other, rather than one label wrapped: no label
    of the form opens with another whole. Two short labels printed blank (行政处罚 over 行政强制)
    both look full to _full, each reaching as far right as the other."""
    known = _form_labels()
    upper, lower = normalize_text(upper), normalize_text(lower)  # 行政處罰 over 行政強制
    return label_key(upper) in known and label_key(lower) in known and label_key(upper + lower) not in known


def _full(last: BBox, cell: BBox, pieces: list[_Piece], beside: list[_Piece], h: float) -> bool:
    """Whether a cell's last line runs to the right edge of its column, as a line that wraps does:
    up to the next text on its line (the next cell's label, or the row's first number) with room
    for no more characters; on a line alone, as far right as the labels that start where this
    cell starts reach."""
    right = [p.bbox[0] for p in beside if p.bbox[0] > last[2] - 0.5 * h
             and min(p.bbox[3], last[3]) - max(p.bbox[1], last[1]) > 0.3 * h]
    if right:
        return min(right) - last[2] <= 2.5 * h
    edge = max(p.bbox[2] for p in pieces if abs(p.bbox[0] - cell[0]) <= h)
    return last[2] >= edge - 1.5 * h


def _grid(rows: list[_Row], columns: list[float], col_of: dict[int, int], page: int,
          blank_row_scores: list[float] | None = None, run_into: dict[int, _Piece] | None = None) -> Table:
    """`blank_row_scores`: the score of each row's empty cells where it prints no value (1.0:
    printed blank; the default). `run_into`: per row, a label OCR read as one box with the row's
    first value (_RUN_INTO_LABEL): its figures are the value of the last empty column the box
    reaches over, doubted; an empty column further left under the box is a doubted blank."""
    n_labels = max((len(r.labels) for r in rows), default=0)
    cells: list[Cell] = []
    for i, r in enumerate(rows):
        for j, lab in enumerate(sorted(r.labels, key=lambda c: c.bbox[0])):
            cells.append(Cell(i, j, lab.text, page=page, bbox=lab.bbox))
        placed = {col_of[id(p)]: p for p in r.values}
        blank_score = 1.0 if r.values or blank_row_scores is None else blank_row_scores[i]
        box = (run_into or {}).get(i)
        under = [c for c in range(len(columns)) if c not in placed and box is not None
                 and columns[c] < box.bbox[2] + 0.5 * (box.bbox[3] - box.bbox[1])]
        for c in range(len(columns)):
            p = placed.get(c)
            if p is not None:
                cells.append(Cell(i, n_labels + c, p.text, page=page, bbox=p.bbox, score=p.score))
            elif c in under:
                run = _RUN_INTO_LABEL.search(box.text)
                cells.append(Cell(i, n_labels + c, run.group("value") if c == under[-1] else "", page=page,
                                  score=_RUN_INTO_SCORE, bbox=(columns[c] - 1, r.y0, columns[c] + 1, r.y1)))
            else:
                cells.append(Cell(i, n_labels + c, "", page=page, score=blank_score,
                                  bbox=(columns[c] - 1, r.y0, columns[c] + 1, r.y1),
                                  quiet_row=blank_score < 1.0))
    return Table(cells, len(rows), n_labels + len(columns), page=page, origin=ORIGIN)
