"""The document model every reader produces and the mapping consumes.

Whatever the input kind (text layer, HTML, DOCX, plain text, OCR), a report becomes an ordered
list of blocks: paragraphs of prose and tables. A table is a grid of cells; a merged cell is one
`Cell` anchored at its top-left grid position with row/column spans, so the grid gives merged cells
exactly and the mapping never has to guess them again.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

BBox = tuple[float, float, float, float]
# the box of something on a page whose place there is not known
EVERYWHERE: BBox = (float("-inf"), float("-inf"), float("inf"), float("inf"))


@dataclass
class Cell:
    row: int
    col: int
    text: str
    rowspan: int = 1
    colspan: int = 1
    page: int | None = None  # 1-based
    bbox: BBox | None = None  # page coordinates (PDF points; for images, points at 72 dpi)
    score: float = 1.0  # how sure the reader is of `text`: 1.0 for a text layer, the OCR score otherwise
    # an empty cell of a row that OCR read no value in at all (unruled.py): blank, or its numbers lost
    quiet_row: bool = False

    @property
    def blank(self) -> bool:
        return not self.text.strip()


@dataclass
class Table:
    cells: list[Cell]
    n_rows: int
    n_cols: int
    page: int | None = None  # page of the first row
    origin: str = ""  # how the grid was found: ruling | html | docx | tsv | markdown | alignment
    # False when columns were rebuilt from loose text and a cell's column cannot be trusted.
    positional: bool = True

    def row_cells(self, r: int) -> list[Cell]:
        """Cells anchored in row r (a merged cell appears only in its first row), left to right."""
        return sorted((c for c in self.cells if c.row == r), key=lambda c: c.col)

    def at(self, r: int, c: int) -> Cell | None:
        """The cell covering grid position (r, c), merged cells included."""
        for cell in self.cells:
            if cell.row <= r < cell.row + cell.rowspan and cell.col <= c < cell.col + cell.colspan:
                return cell
        return None

    def grid_texts(self) -> list[list[str]]:
        """Expanded grid of texts (a merged cell's text in its anchor position only)."""
        out = [["" for _ in range(self.n_cols)] for _ in range(self.n_rows)]
        for cell in self.cells:
            out[cell.row][cell.col] = cell.text
        return out


@dataclass
class Paragraph:
    text: str
    page: int | None = None
    bbox: BBox | None = None


Block = Union[Paragraph, Table]


@dataclass
class Document:
    blocks: list[Block]
    kind: str  # pdf-text | pdf-scan | image | html | text | docx
    pages: int = 1
    warnings: list[str] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    # pages whose text OCR read, all of it or a picture's: what a text layer leaves out is not
    # printed, what OCR leaves out may have been lost (a web page or Word file is page 1)
    ocr_pages: frozenset[int] = frozenset()
    # those of them where ink the size of a character went unread (scan.unread_ink): there a number
    # missing may have been lost; elsewhere what is not among the words is not printed
    lossy_pages: frozenset[int] = frozenset()
    # where on those pages that ink stands, in the points of the page's words; a lossy page not
    # here, or holding EVERYWHERE, lost it where that is not known
    unread_at: dict[int, tuple[BBox, ...]] = field(default_factory=dict)
    # pages read from another OCR's invisible text over a scan, no OCR of ours being available:
    # how well it read is not known
    unchecked_pages: frozenset[int] = frozenset()
