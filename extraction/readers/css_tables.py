"""Tables a web page draws with CSS boxes instead of <table>: a CSS grid of <div> cells, a stack
of flex rows of <div> cells, or <div>s styled as a table's rows and cells (display:table-row).

Read as text, such a table loses its blank cells (an empty <div> prints nothing), and the figures
after a blank slide into its column. Read as boxes, every cell keeps its place: a grid item's
`grid-area`/`grid-row`/`grid-column` (or CSS auto-placement, row by row) gives its row, column and
spans; a flex row's cells give their columns by their widths (`flex-basis`, `flex: 0 0 30%`,
`width`), each row laid from the left edge. Only what a page's own markup and simple style rules
say is used: no layout engine.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

from ..model import Cell

CellText = Callable[[Any], str]

_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_CSS_MEDIA = re.compile(r"@media[^{]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}", re.I)
_CSS_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
SIMPLE_SELECTOR = re.compile(r"^[a-zA-Z0-9]*(?P<kind>[.#])(?P<name>[\w-]+)$")
# Edges of flex cells closer than this (percent of the row) are one column edge: widths written
# as 14.29% and rounding in the page's own arithmetic.
_EDGE_TOLERANCE = 0.6
_MAX_TRACKS = 60


def style_rules(root) -> list[tuple[str, str]]:
    """(selectors, declarations) of the page's <style> sheets, for the screen (@media left out)."""
    rules = []
    for style in root.iter("style"):
        css = _CSS_MEDIA.sub("", _CSS_COMMENT.sub("", style.text or ""))
        rules += [(sel.strip(), body) for sel, body in _CSS_RULE.findall(css)]
    return rules


def declarations(text: str) -> dict[str, str]:
    out = {}
    for part in text.split(";"):
        name, sep, value = part.partition(":")
        if sep:
            out[name.strip().lower()] = value.strip().lower()
    return out


class Styles:
    """An element's style: its simple class and id rules (`.grid`, `div.row`, `#t3`), then its own
    style attribute, later declarations winning as in the cascade."""

    def __init__(self, root) -> None:
        self._by_name: dict[tuple[str, str], dict[str, str]] = {}
        for selectors, body in style_rules(root):
            decl = declarations(body)
            for sel in selectors.split(","):
                m = SIMPLE_SELECTOR.match(sel.strip())
                if m:
                    self._by_name.setdefault((m.group("kind"), m.group("name").lower()), {}).update(decl)

    def of(self, el) -> dict[str, str]:
        out: dict[str, str] = {}
        if self._by_name:
            for name in el.get("class", "").lower().split():
                out.update(self._by_name.get((".", name), {}))
            out.update(self._by_name.get(("#", el.get("id", "").lower()), {}))
        out.update(declarations(el.get("style", "")))
        return out


@dataclass
class Boxes:
    """A table's cells as boxes found in the page: the reader checks it is a table of figures."""
    cells: list[Cell]
    n_rows: int
    n_cols: int


def boxes_of(el, styles: Styles, cell_text: CellText) -> Boxes | None:
    """The cells of boxes at `el` drawn as a table's (grid, CSS table or flex rows), or None. Whether
    they hold a table of figures, and not a page's layout, is the reader's to judge."""
    display = styles.of(el).get("display", "")
    if display in ("grid", "inline-grid"):
        found = _grid(el, styles, cell_text)
    elif display in ("table", "inline-table"):
        found = _table_rows(el, styles, cell_text)
    else:
        found = _flex_rows(el, styles, cell_text)
    return found


def holds_blanks(boxes: Boxes) -> bool:
    """A table of figures printed all blank (table 4 of a year without a case): blank boxes among
    short labels, three columns or more."""
    return (boxes.n_cols >= 3 and boxes.n_rows >= 2 and any(c.blank for c in boxes.cells)
            and all(len(c.text) <= 40 for c in boxes.cells))


def _items(el) -> list:
    return [child for child in el if isinstance(child.tag, str)]


# ---------------------------------------------------------------- CSS grid

def _track_count(template: str) -> int:
    """How many columns grid-template-columns declares: `repeat(10, minmax(0,1fr))`, `2fr 1fr 1fr`,
    `[label] 120px repeat(6, 1fr)`; 0 where it gives none (auto-fill, subgrid, none)."""
    template = re.sub(r"\[[^\]]*\]", " ", template)
    count, i = 0, 0
    while i < len(template):
        if template[i].isspace():
            i += 1
            continue
        j, depth = i, 0
        while j < len(template) and (depth or not template[j].isspace()):
            depth += template[j] == "("
            depth -= template[j] == ")"
            j += 1
        token = template[i:j]
        m = re.match(r"repeat\(\s*(\d+)\s*,(.*)\)$", token)
        if m:
            count += int(m.group(1)) * max(_track_count(m.group(2)), 1)
        elif token.startswith("repeat("):
            return 0  # auto-fill / auto-fit: the count depends on the page's width
        elif token not in ("none", "subgrid", "masonry"):
            count += 1
        i = j
    return count


@dataclass
class _Place:
    start: int | None  # 0-based line, None for auto
    span: int


def _line(value: str) -> _Place:
    """One axis of an item's placement: `3`, `span 2`, `2 / span 3`, `2 / 5`, `auto`."""
    parts = [p.strip() for p in value.split("/")] if value else []
    start, span = None, 1
    if parts:
        m = re.match(r"^(-?\d+)$", parts[0])
        if m and int(m.group(1)) > 0:
            start = int(m.group(1)) - 1
        m = re.match(r"^span\s+(\d+)$", parts[0])
        if m:
            span = int(m.group(1))
    if len(parts) > 1:
        m = re.match(r"^span\s+(\d+)$", parts[1])
        if m:
            span = int(m.group(1))
        elif re.match(r"^\d+$", parts[1]) and start is not None and int(parts[1]) - 1 > start:
            span = int(parts[1]) - 1 - start
    return _Place(start, max(1, min(span, _MAX_TRACKS)))


def _placement(style: dict[str, str]) -> tuple[_Place, _Place]:
    area = [p.strip() for p in style.get("grid-area", "").split("/")]
    if len(area) == 4:
        return _line(f"{area[0]} / {area[2]}"), _line(f"{area[1]} / {area[3]}")
    row = style.get("grid-row") or " / ".join(
        v for v in (style.get("grid-row-start", ""), style.get("grid-row-end", "")) if v)
    col = style.get("grid-column") or " / ".join(
        v for v in (style.get("grid-column-start", ""), style.get("grid-column-end", "")) if v)
    return _line(row), _line(col)


def _grid(el, styles: Styles, cell_text: CellText) -> Boxes | None:
    n_cols = min(_track_count(styles.of(el).get("grid-template-columns", "")), _MAX_TRACKS)
    items = _items(el)
    placed = [(item, *_placement(styles.of(item))) for item in items]
    n_cols = max([n_cols] + [c.start + c.span for _, _, c in placed if c.start is not None])
    if n_cols < 2 or len(items) < 4:
        return None
    taken: set[tuple[int, int]] = set()
    cells: list[Cell] = []

    def put(item, r: int, c: int, rows: int, cols: int) -> None:
        taken.update((r + dr, c + dc) for dr in range(rows) for dc in range(cols))
        cells.append(Cell(r, c, cell_text(item), rowspan=rows, colspan=cols))

    def fits(r: int, c: int, rows: int, cols: int) -> bool:
        return c + cols <= n_cols and not any(
            (r + dr, c + dc) in taken for dr in range(rows) for dc in range(cols))

    # CSS places the items with a definite row and column first, then the others in order.
    for item, row, col in placed:
        if row.start is not None and col.start is not None:
            put(item, row.start, col.start, row.span, col.span)
    cursor = (0, 0)
    for item, row, col in placed:
        if row.start is not None and col.start is not None:
            continue
        cols = min(col.span, n_cols)
        if row.start is not None:
            c = next((c for c in range(n_cols - cols + 1) if fits(row.start, c, row.span, cols)), None)
            if c is None:
                return None
            put(item, row.start, c, row.span, cols)
            continue
        r, c = cursor
        if col.start is not None:
            c0 = min(col.start, n_cols - cols)
            if c0 < c:
                r += 1
            c = c0
            while not fits(r, c, row.span, cols):
                r += 1
        else:
            while not fits(r, c, row.span, cols):
                c += 1
                if c + cols > n_cols:
                    r, c = r + 1, 0
        put(item, r, c, row.span, cols)
        cursor = (r, c + cols)
    n_rows = max(cell.row + cell.rowspan for cell in cells)
    return Boxes(cells, n_rows, n_cols)


# ---------------------------------------------------------------- CSS table boxes

def _table_rows(el, styles: Styles, cell_text: CellText) -> Boxes | None:
    """display:table / table-row / table-cell boxes: a row's cells side by side, one column each
    (CSS tables have no spans)."""
    rows = []
    for child in _items(el):
        display = styles.of(child).get("display", "")
        if display == "table-row":
            rows.append(child)
        elif display in ("table-row-group", "table-header-group", "table-footer-group"):
            rows += [r for r in _items(child) if styles.of(r).get("display") == "table-row"]
    cells = [Cell(r, c, cell_text(box)) for r, row in enumerate(rows)
             for c, box in enumerate(b for b in _items(row) if styles.of(b).get("display") == "table-cell")]
    n_cols = max((cell.col + 1 for cell in cells), default=0)
    return Boxes(cells, len(rows), n_cols) if len(rows) >= 2 and n_cols >= 2 else None


# ---------------------------------------------------------------- flex rows

def _width(style: dict[str, str]) -> float | None:
    """A flex cell's share of its row in percent, where its style gives one."""
    basis = style.get("flex-basis", "")
    flex = style.get("flex", "").split()
    if len(flex) == 3:
        basis = flex[2]
    for value in (basis, style.get("width", ""), style.get("min-width", "")):
        m = re.match(r"^(\d+(?:\.\d+)?)%$", value)
        if m:
            return float(m.group(1))
    return None


def _flex_rows(el, styles: Styles, cell_text: CellText) -> Boxes | None:
    rows = _items(el)
    if len(rows) < 2 or not all(styles.of(row).get("display") in ("flex", "inline-flex") for row in rows):
        return None
    boxes = [_items(row) for row in rows]
    if not all(boxes) or max(len(b) for b in boxes) < 2:
        return None  # a row of one box is a heading across the table; a table has wider rows too
    widths = [[_width(styles.of(cell)) for cell in b] for b in boxes]
    if all(w is not None for ws in widths for w in ws):
        spans = [_edges_at(ws) for ws in widths]
        edges = _merged_edges([e for row in spans for e in row])
        placed = [[(_nearest(edges, a), _nearest(edges, b)) for a, b in zip(row, row[1:])] for row in spans]
    elif len({len(b) for b in boxes}) == 1:
        placed = [[(i, i + 1) for i in range(len(b))] for b in boxes]  # one box a column
    else:
        return None  # rows of different counts and no widths: columns cannot be told
    cells = [Cell(r, a, cell_text(box), colspan=max(1, b - a))
             for r, (row, spots) in enumerate(zip(boxes, placed)) for box, (a, b) in zip(row, spots)]
    n_cols = max(cell.col + cell.colspan for cell in cells)
    return Boxes(cells, len(rows), n_cols) if n_cols >= 2 else None


def _edges_at(widths: list[float]) -> list[float]:
    edges = [0.0]
    for w in widths:
        edges.append(edges[-1] + w)
    return edges


def _merged_edges(edges: list[float]) -> list[float]:
    out: list[float] = []
    for e in sorted(edges):
        if not out or e - out[-1] > _EDGE_TOLERANCE:
            out.append(e)
    return out


def _nearest(edges: list[float], edge: float) -> int:
    return min(range(len(edges)), key=lambda i: abs(edges[i] - edge))
