"""camelot (lattice flavour) as a table recoverer for text-layer PDFs.

Lattice is camelot's parser for ruled tables, and the reports' tables are ruled on every cell edge,
so it is the flavour that fits (stream/network guess columns from text alignment, for tables
without rulings). Settings are camelot's defaults, what a user would run — `flavor="lattice"`
(its default, written out), `engine="combined"` (the page rendered at 300 dpi by pypdfium2 and its
rulings found with OpenCV, plus the PDF's vector lines), `line_scale=15`, `shift_text=["l", "t"]`,
no `copy_text` — except `pages="all"` (camelot's default reads page 1 only) and
`suppress_stdout=True` (it only silences camelot's "no tables found on page-n" warnings).

camelot reports a table as the full grid of its row and column lines: `table.cells[r][c]` for
every slot, top row first, each with `left/right/top/bottom` saying whether a ruling bounds it on
that side (its `hspan`/`vspan` are "some side is open"). A merged cell is a run of slots with no
ruling between them, and `shift_text=["l", "t"]` puts its text in the run's top-left slot.
`camelot_table` turns those runs back into one `extraction.model.Table` cell with its spans, as
`bench.alternatives.grid_table` does for PyMuPDF and pdfplumber.

camelot needs `opencv-python-headless` (the project's own cv2), `pypdfium2` (which pdfplumber, in
the same bench extra, needs too), `pandas` and `playa-pdf`: it installs into .venv
(`pip install -e '.[bench]'`) without changing the project's cv2.
"""
from __future__ import annotations

from extraction.model import Cell, Table

ORIGIN = "camelot"


def camelot_tables(data: bytes, flavor: str = "lattice") -> list[Table]:
    """Every table camelot finds in a text-layer PDF, in page order: ruled tables with the lattice
    parser; with `flavor="stream"` (tables without rulings) columns from the text's alignment, each
    slot then bounded on all four sides, so each is a cell of its own."""
    import camelot

    found = camelot.read_pdf(data, pages="all", flavor=flavor, suppress_stdout=True)
    return [camelot_table(t) for t in sorted(found, key=lambda t: (t.page, t.order))]


def camelot_table(t) -> Table:
    """An `extraction.model.Table` from a camelot lattice Table (its `cells` grid and edges).

    A cell anchors at the first slot not yet taken, reading row by row; it spans to the right while
    no ruling separates the next slot, then down while the whole width of the next row joins it
    with no ruling between. For the rectangular merged cells ruled tables have, that is exactly
    the merged cell; a broken ruling that joins slots in an L shape comes out as more than one
    rectangle, each with the text camelot put in its slots.

    camelot's coordinates are PDF space (origin bottom left); ours are top-left, so a cell's box
    is flipped with the page height camelot read (`t.pdf_size`). `t.page` is 1-based, as
    `Table.page` and `with_tables` need."""
    grid = t.cells
    n_rows = len(grid)
    n_cols = len(grid[0]) if n_rows else 0
    page_h = float(t.pdf_size[1])

    def joined_right(r: int, c: int) -> bool:  # no ruling between slots (r, c) and (r, c + 1)
        return not grid[r][c].right and not grid[r][c + 1].left

    def joined_down(r: int, c: int) -> bool:  # no ruling between slots (r, c) and (r + 1, c)
        return not grid[r][c].bottom and not grid[r + 1][c].top

    taken: set[tuple[int, int]] = set()
    cells: list[Cell] = []
    for r in range(n_rows):
        for c in range(n_cols):
            if (r, c) in taken:
                continue
            colspan = 1
            while c + colspan < n_cols and (r, c + colspan) not in taken and joined_right(r, c + colspan - 1):
                colspan += 1
            rowspan = 1
            while r + rowspan < n_rows and all(
                    (r + rowspan, c + k) not in taken and joined_down(r + rowspan - 1, c + k)
                    for k in range(colspan)) and all(
                    joined_right(r + rowspan, c + k) for k in range(colspan - 1)):
                rowspan += 1
            slots = [(i, j) for i in range(r, r + rowspan) for j in range(c, c + colspan)]
            taken.update(slots)
            # Normally only the top-left slot has text (shift_text); any other slot's text is kept
            # in reading order rather than dropped.
            text = "\n".join(s for i, j in slots if (s := grid[i][j].text.strip()))
            top_left, bottom_right = grid[r][c], grid[r + rowspan - 1][c + colspan - 1]
            bbox = (top_left.x1, page_h - top_left.y2, bottom_right.x2, page_h - bottom_right.y1)
            cells.append(Cell(r, c, text, rowspan, colspan, page=t.page, bbox=bbox))
    return Table(cells, n_rows, n_cols, page=t.page, origin=ORIGIN)
