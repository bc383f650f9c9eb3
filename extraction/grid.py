"""Tables from rulings: the grid a ruled table prints, with its merged cells.

The drawing of a table is rarely clean: a border is drawn once per cell (overlapping segments), a
line is broken into pieces or stops a point short of its neighbour, a double border is two lines a
point apart. So the rulings are first snapped (near-equal positions become one) and joined
(collinear pieces with small gaps become one line). Lines that cross form connected groups; each
group with at least two rows and two columns is a table. Its row and column boundaries are the
positions of its rulings, and a grid edge counts as ruled when rulings cover most of it. Where an
interior edge is not ruled, the neighbouring grid positions belong to one merged cell.

Words go to the cell holding their centre; a cell's text is its words in reading order. A merged
cell holding one number per row it spans, the numbers stacked line over line, lost the rulings
between them (a scan's faint line, a curled photo): it is cut back into its rows. No cell of the
form spans rows with numbers in it; a cell still holding stacked numbers (no row boundary found
between them at all) is read with a low score.
Coordinates are page coordinates with y growing downwards (PyMuPDF's convention).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .model import Cell, Table


@dataclass
class Segment:
    """A ruling; horizontal or vertical."""
    x0: float
    y0: float
    x1: float
    y1: float

    def moved(self, dx: float, dy: float = 0.0) -> Segment:
        return Segment(self.x0 + dx, self.y0 + dy, self.x1 + dx, self.y1 + dy)


@dataclass
class Word:
    text: str
    bbox: tuple[float, float, float, float]
    score: float = 1.0
    # a number whose first reading had a minus that a second reading of its digits lost: the sign
    # is for the pixels to tell (extraction.scan.cells.signed_numbers)
    sign_seen: bool = False

    def moved(self, dx: float, dy: float = 0.0) -> Word:
        x0, y0, x1, y1 = self.bbox
        return Word(self.text, (x0 + dx, y0 + dy, x1 + dx, y1 + dy), self.score, self.sign_seen)


@dataclass
class _Line:
    """A snapped ruling: `pos` is its y (horizontal) or x (vertical); `lo`..`hi` its extent."""
    pos: float
    lo: float
    hi: float


# An edge is ruled when this share of its length is covered: a broken line still counts, a short
# tick or a stray underline does not.
_EDGE_COVERAGE = 0.5
# A line of a cell that is one number.
_NUMBER_LINE = re.compile(r"[-−+]?\d[\d,，.\s]*")
# How sure a cell is whose numbers stand one over another with no boundary between them: it
# holds rows the grid did not find, and goes to review.
_STACKED_SCORE = 0.5
# A word's box may reach this far (points) past the ruling it sits against: OCR boxes are padded.
_SIDE_TOL = 1.0


def build_tables(h_lines: list[Segment], v_lines: list[Segment], words: list[Word], page: int,
                 tol: float = 2.0) -> tuple[list[Table], list[Word]]:
    """Tables whose grid comes from the rulings, and the words outside every table."""
    hs = _join(_snap([_horizontal(s) for s in h_lines], tol), join_tol=3 * tol)
    vs = _join(_snap([_vertical(s) for s in v_lines], tol), join_tol=3 * tol)
    grids = [g for g in (_grid(hg, vg, tol) for hg, vg in _connected(hs, vs, 2 * tol)) if g]
    grids.sort(key=lambda g: (g.ys[0], g.xs[0]))

    # A grid round another is a frame, no table: a photographed sheet's edges, a box drawn round
    # the page. Taken for a table it took the words of the tables inside it (leaving their cells
    # empty, read as printed blanks), and the prose, the signature and the date into its cells.
    grids = [g for g in grids if not any(g is not other and g.encloses(other) for other in grids)]
    tables: list[Table] = []
    free: list[Word] = list(words)
    for g in grids:
        inside = [w for w in free if g.holds(_centre(w.bbox))]
        free = [w for w in free if not g.holds(_centre(w.bbox))]
        tables.append(g.table(inside, page))
    return tables, free


def _horizontal(s: Segment) -> _Line:
    return _Line((s.y0 + s.y1) / 2, min(s.x0, s.x1), max(s.x0, s.x1))


def _vertical(s: Segment) -> _Line:
    return _Line((s.x0 + s.x1) / 2, min(s.y0, s.y1), max(s.y0, s.y1))


def _cluster(values: list[float], tol: float) -> list[list[float]]:
    """Sorted values split where consecutive values are more than `tol` apart."""
    groups: list[list[float]] = []
    for v in sorted(values):
        if groups and v - groups[-1][-1] <= tol:
            groups[-1].append(v)
        else:
            groups.append([v])
    return groups


def _snap(lines: list[_Line], tol: float) -> list[_Line]:
    """Lines whose positions lie within `tol` of each other take their mean position."""
    out: list[_Line] = []
    by_pos = sorted(lines, key=lambda ln: ln.pos)
    i = 0
    while i < len(by_pos):
        j = i + 1
        while j < len(by_pos) and by_pos[j].pos - by_pos[j - 1].pos <= tol:
            j += 1
        group = by_pos[i:j]
        pos = sum(ln.pos for ln in group) / len(group)
        out.extend(_Line(pos, ln.lo, ln.hi) for ln in group)
        i = j
    return out


def _join(lines: list[_Line], join_tol: float) -> list[_Line]:
    """Collinear pieces that overlap or leave a gap of at most `join_tol` become one line."""
    out: list[_Line] = []
    by_pos: dict[float, list[_Line]] = {}
    for ln in lines:
        by_pos.setdefault(ln.pos, []).append(ln)
    for pos, group in sorted(by_pos.items()):
        group.sort(key=lambda ln: ln.lo)
        cur = _Line(pos, group[0].lo, group[0].hi)
        for ln in group[1:]:
            if ln.lo - cur.hi <= join_tol:
                cur.hi = max(cur.hi, ln.hi)
            else:
                out.append(cur)
                cur = _Line(pos, ln.lo, ln.hi)
        out.append(cur)
    return out


def _crosses(h: _Line, v: _Line, tol: float) -> bool:
    return h.lo - tol <= v.pos <= h.hi + tol and v.lo - tol <= h.pos <= v.hi + tol


def _connected(hs: list[_Line], vs: list[_Line], tol: float) -> list[tuple[list[_Line], list[_Line]]]:
    """Groups of rulings that cross one another (union-find over the crossings)."""
    parent = list(range(len(hs) + len(vs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    crossed = [False] * len(parent)
    for i, h in enumerate(hs):
        for j, v in enumerate(vs):
            if _crosses(h, v, tol):
                crossed[i] = crossed[len(hs) + j] = True
                a, b = find(i), find(len(hs) + j)
                if a != b:
                    parent[a] = b
    groups: dict[int, tuple[list[_Line], list[_Line]]] = {}
    for i, h in enumerate(hs):
        if crossed[i]:
            groups.setdefault(find(i), ([], []))[0].append(h)
    for j, v in enumerate(vs):
        if crossed[len(hs) + j]:
            groups.setdefault(find(len(hs) + j), ([], []))[1].append(v)
    return list(groups.values())


def _covered(lines: list[_Line], pos: float, lo: float, hi: float, tol: float) -> bool:
    """Whether rulings at `pos` cover at least `_EDGE_COVERAGE` of the span lo..hi."""
    spans = sorted((max(ln.lo, lo), min(ln.hi, hi)) for ln in lines if abs(ln.pos - pos) <= tol)
    total, reach = 0.0, lo
    for a, b in spans:
        a = max(a, reach)
        if b > a:
            total += b - a
            reach = b
    return total >= _EDGE_COVERAGE * (hi - lo)


class _Grid:
    """Row and column boundaries of one table, with which grid edges are ruled."""

    def __init__(self, xs: list[float], ys: list[float], hs: list[_Line], vs: list[_Line], tol: float):
        self.xs, self.ys = xs, ys
        n_rows, n_cols = len(ys) - 1, len(xs) - 1
        outer = ({0, n_rows}, {0, n_cols})
        # h_ruled[r][c]: a ruling on the top edge of grid position (r, c); r == n_rows is the bottom
        self.h_ruled = [[r in outer[0] or _covered(hs, ys[r], xs[c], xs[c + 1], tol)
                         for c in range(n_cols)] for r in range(n_rows + 1)]
        # v_ruled[r][c]: a ruling on the left edge of grid position (r, c); c == n_cols is the right
        self.v_ruled = [[c in outer[1] or _covered(vs, xs[c], ys[r], ys[r + 1], tol)
                         for c in range(n_cols + 1)] for r in range(n_rows)]

    def encloses(self, other: _Grid) -> bool:
        return (self.xs[0] <= other.xs[0] and other.xs[-1] <= self.xs[-1]
                and self.ys[0] <= other.ys[0] and other.ys[-1] <= self.ys[-1])

    def holds(self, p: tuple[float, float]) -> bool:
        return self.xs[0] <= p[0] <= self.xs[-1] and self.ys[0] <= p[1] <= self.ys[-1]

    def spans(self) -> list[tuple[int, int, int, int]]:
        """(row, col, rowspan, colspan) of every cell, merged ones spanning their grid positions.

        A cell grows right while no ruling separates it from its neighbour, then down while the
        whole bottom edge of its span is unruled and no ruling cuts the span inside.
        """
        n_rows, n_cols = len(self.ys) - 1, len(self.xs) - 1
        taken = [[False] * n_cols for _ in range(n_rows)]
        out = []
        for r in range(n_rows):
            for c in range(n_cols):
                if taken[r][c]:
                    continue
                cs = 1
                while c + cs < n_cols and not self.v_ruled[r][c + cs] and not taken[r][c + cs]:
                    cs += 1
                rs = 1
                while (r + rs < n_rows
                       and not any(self.h_ruled[r + rs][c + k] for k in range(cs))
                       and not any(self.v_ruled[r + rs][c + k] for k in range(1, cs))
                       and not any(taken[r + rs][c + k] for k in range(cs))):
                    rs += 1
                for i in range(r, r + rs):
                    for k in range(c, c + cs):
                        taken[i][k] = True
                out.append((r, c, rs, cs))
        return out

    def table(self, words: list[Word], page: int) -> Table:
        cells, members = self._cells(words, page)
        if self._rule_between_stacked_numbers(cells, members) | self._rule_run_on_cells(cells, members):
            cells, members = self._cells(words, page)
        for cell, ws in zip(cells, members):
            lines = text_lines(ws)
            cell.text = lines_text(lines)
            if ws:
                cell.score = min(w.score for w in ws)
                if _stacked_numbers(lines):
                    # numbers of rows whose boundary the grid never found (read as one number)
                    cell.score = min(cell.score, _STACKED_SCORE)
        return Table(cells=cells, n_rows=len(self.ys) - 1, n_cols=len(self.xs) - 1, page=page,
                     origin="ruling")

    def _cells(self, words: list[Word], page: int) -> tuple[list[Cell], list[list[Word]]]:
        cells = []
        boxes = []
        for r, c, rs, cs in self.spans():
            box = (self.xs[c], self.ys[r], self.xs[c + cs], self.ys[r + rs])
            boxes.append(box)
            cells.append(Cell(row=r, col=c, text="", rowspan=rs, colspan=cs, page=page, bbox=box))
        members: list[list[Word]] = [[] for _ in cells]
        for w, best in zip(words, _nearest_boxes(boxes, [_centre(w.bbox) for w in words])):
            members[best].append(w)
        return cells, members

    def _rule_between_stacked_numbers(self, cells: list[Cell], members: list[list[Word]]) -> bool:
        """Rule the row boundaries that pass between the stacked numbers of a merged cell (each
        line a number, each in a row of its own); whether any was."""
        ruled = False
        for cell, ws in zip(cells, members):
            if cell.rowspan < 2:
                continue
            lines = text_lines(ws)
            if not _stacked_numbers(lines):
                continue
            mids = [(min(w.bbox[1] for w in ln) + max(w.bbox[3] for w in ln)) / 2 for ln in lines]
            rows = [self._row_at(y, cell) for y in mids]
            if len(set(rows)) != len(rows):
                continue  # two numbers in one row: not a lost ruling
            for above, below in zip(mids, mids[1:]):
                for i in range(cell.row + 1, cell.row + cell.rowspan):
                    if above < self.ys[i] < below:
                        for k in range(cell.col, cell.col + cell.colspan):
                            self.h_ruled[i][k] = True
                        ruled = True
        return ruled

    def _rule_run_on_cells(self, cells: list[Cell], members: list[list[Word]]) -> bool:
        """Rule the boundaries a cell ran on over because its stretch of that ruling was lost (a
        fax's broken line); whether any was ruled. Seen in faxes: a label took in the blank cell
        after it, and a column header the blank cell under it, so the row lost a value cell and
        its values moved a column left; a value took in the blank cell above it and was read,
        surely, as the upper row's. Such a boundary is ruled where the cell's text lies wholly on
        one side of it and the neighbours across are ruled there: the rows above and below, for a
        column boundary (only the one after a label: headings are centred); the columns left and
        right (left only, under a number at the table's right edge), for a row boundary. The
        cells the form itself merges centre their text across the boundary, or stand beside a
        column of merged labels."""
        ruled = False
        n_rows, n_cols = len(self.ys) - 1, len(self.xs) - 1
        for cell, ws in zip(cells, members):
            if not ws:
                continue
            below, right = cell.row + cell.rowspan, cell.col + cell.colspan
            k = cell.col + 1
            if (cell.colspan >= 2 and 0 < cell.row and below < n_rows
                    and self.v_ruled[cell.row - 1][k] and self.v_ruled[below][k]
                    and max(w.bbox[2] for w in ws) <= self.xs[k] + _SIDE_TOL):
                for i in range(cell.row, below):
                    self.v_ruled[i][k] = True
                ruled = True
            if cell.rowspan < 2 or cell.col == 0:
                continue
            # A cell at the table's right edge has only its left neighbours (table 2's one value
            # column of 行政处罚 and 行政强制 in the 2021 form): a number there, not a header the form
            # merges over two rows and a browser sets at the top (table 3's 总计).
            if right >= n_cols and not _numbers_only(text_lines(ws)):
                continue
            top, bottom = min(w.bbox[1] for w in ws), max(w.bbox[3] for w in ws)
            for k in range(cell.row + 1, below):
                if (self.h_ruled[k][cell.col - 1] and (right >= n_cols or self.h_ruled[k][right])
                        and (bottom <= self.ys[k] + _SIDE_TOL or top >= self.ys[k] - _SIDE_TOL)):
                    for j in range(cell.col, right):
                        self.h_ruled[k][j] = True
                    ruled = True
        return ruled

    def _row_at(self, y: float, cell: Cell) -> int:
        for i in range(cell.row, cell.row + cell.rowspan):
            if y < self.ys[i + 1]:
                return i
        return cell.row + cell.rowspan - 1


def _stacked_numbers(lines: list[list[Word]]) -> bool:
    return len(lines) >= 2 and _numbers_only(lines)


def _numbers_only(lines: list[list[Word]]) -> bool:
    return all(_NUMBER_LINE.fullmatch(line_text(ln)) for ln in lines)


def _nearest_boxes(boxes: list[tuple[float, float, float, float]], points: list[tuple[float, float]]
                   ) -> list[int]:
    """For each point, the box that holds it, or else the one it lies least far outside (by x plus
    y distance); of equally near boxes the first. All pairs at once: a page has thousands."""
    if not points:
        return []
    b = np.asarray(boxes, dtype=np.float64)
    p = np.asarray(points, dtype=np.float64)
    x, y = p[:, 0:1], p[:, 1:2]
    dx = np.maximum(np.maximum(b[:, 0] - x, 0.0), x - b[:, 2])
    dy = np.maximum(np.maximum(b[:, 1] - y, 0.0), y - b[:, 3])
    return np.argmin(dx + dy, axis=1).tolist()


def _grid(hs: list[_Line], vs: list[_Line], tol: float) -> _Grid | None:
    """The grid of one group of crossing rulings, or None when it is not a table."""
    if not hs or not vs:
        return None
    # An open-sided table (no outer left/right or top/bottom border) is bounded by the extent of
    # the rulings that reach well past the outermost perpendicular one; a line overshooting its
    # border by a few points adds no column.
    xs = _boundaries([v.pos for v in vs] + _open_sides([h for h in hs], [v.pos for v in vs], tol), tol)
    ys = _boundaries([h.pos for h in hs] + _open_sides([v for v in vs], [h.pos for h in hs], tol), tol)
    # A boundary none of whose grid edges is ruled comes from a tick or a stray short line: drop
    # it (dropping one lengthens its neighbours' edges, so repeat until stable).
    while True:
        if len(xs) < 3 or len(ys) < 3:
            return None
        ys2 = [ys[0]] + [y for y in ys[1:-1] if any(
            _covered(hs, y, xs[c], xs[c + 1], tol) for c in range(len(xs) - 1))] + [ys[-1]]
        xs2 = [xs[0]] + [x for x in xs[1:-1] if any(
            _covered(vs, x, ys2[r], ys2[r + 1], tol) for r in range(len(ys2) - 1))] + [xs[-1]]
        if (xs2, ys2) == (xs, ys):
            return _Grid(xs, ys, hs, vs, tol)
        xs, ys = xs2, ys2


def _open_sides(along: list[_Line], across: list[float], tol: float) -> list[float]:
    reach = max(3 * tol, 6.0)
    lo, hi = min(ln.lo for ln in along), max(ln.hi for ln in along)
    out = []
    if lo < min(across) - reach:
        out.append(lo)
    if hi > max(across) + reach:
        out.append(hi)
    return out


def _boundaries(values: list[float], tol: float) -> list[float]:
    groups = _cluster(values, tol)
    return [sum(g) / len(g) for g in groups]


def _centre(b: tuple[float, float, float, float]) -> tuple[float, float]:
    return ((b[0] + b[2]) / 2, (b[1] + b[3]) / 2)


def _is_cjk(ch: str) -> bool:
    o = ord(ch)
    return (0x3000 <= o <= 0x303F or 0x3400 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF
            or 0xFF00 <= o <= 0xFFEF)


def glue(left: str, right: str) -> str:
    """What goes between two pieces of text: nothing between Chinese, a space between Latin."""
    if not left or not right:
        return ""
    return "" if _is_cjk(left[-1]) or _is_cjk(right[0]) else " "


def text_lines(words: list[Word]) -> list[list[Word]]:
    """Words grouped into lines (vertical overlap with the line's middle), top-down, left-right."""
    lines: list[list[Word]] = []
    for w in sorted(words, key=lambda w: ((w.bbox[1] + w.bbox[3]) / 2, w.bbox[0])):
        cy = (w.bbox[1] + w.bbox[3]) / 2
        h = max(w.bbox[3] - w.bbox[1], 1.0)
        if lines:
            last = lines[-1]
            ly0 = min(x.bbox[1] for x in last)
            ly1 = max(x.bbox[3] for x in last)
            lmid = (ly0 + ly1) / 2
            # (words one above the other are two lines, however near their middles: the box of a
            # long line photographed aslant is tall, and a short line under it comes near its middle)
            if abs(cy - lmid) <= 0.5 * min(h, max(ly1 - ly0, 1.0)) and not any(_over(w, x) for x in last):
                last.append(w)
                continue
        lines.append([w])
    for ln in lines:
        ln.sort(key=lambda w: w.bbox[0])
    return lines


def _over(a: Word, b: Word) -> bool:
    """Whether two words stand over each other: most of the narrower's width shared."""
    shared = min(a.bbox[2], b.bbox[2]) - max(a.bbox[0], b.bbox[0])
    return shared > 0.5 * min(a.bbox[2] - a.bbox[0], b.bbox[2] - b.bbox[0])


def line_text(line: list[Word]) -> str:
    out = ""
    for w in line:
        out += glue(out, w.text) + w.text
    return out


def reading_order_text(words: list[Word]) -> str:
    """Lines top-down, words left-right. Chinese joins without spaces, so a label printed one
    character per line in a narrow cell (三、本年度办理结果) reads as one word."""
    return lines_text(text_lines(words))


def lines_text(lines: list[list[Word]]) -> str:
    out = ""
    for ln in lines:
        t = line_text(ln)
        out += glue(out, t) + t
    return out
