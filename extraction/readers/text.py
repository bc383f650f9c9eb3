"""Plain text, Markdown, tab- and comma-separated text (what PDF converters, spreadsheet exports and
copy-paste produce).

Lines with tabs, pipe rows (Markdown's |, the full-width ｜, box-drawing │) and runs of
comma-separated lines become table rows; consecutive rows form a table whose columns come from
the separators (`positional=False`: converters drop and shift cells, so the mapping trusts the
numbers a row prints more than their column index). Every other line is a paragraph of its own:
one-cell-per-line text keeps its order, which is all the mapping needs. So does text that sets
its tables out in columns with spaces (pdftotext -layout): a line is a row, its label and numbers
in order. (Reading such text by where its characters stand, as a PDF page without rulings, was
tried and dropped: converters' column places are too loose, and it put values in wrong columns.)
Pandoc's simple and multiline tables are the exception: a line of dashes in runs marks their
columns exactly (pandoc_tables.py), so they are read as grids.

Converters that keep merged cells (MinerU and its kind) write such a table as HTML among the
Markdown lines, often wrapped in <html><body>, or (Nougat, Mathpix) as a LaTeX tabular, or (pandoc)
as a grid table of boxes, merged cells crossing the rules of the places they cover. Each is
read as the web reader reads a table, into a grid with its spans, and stands where it stood among
the paragraphs.
"""
from __future__ import annotations

import csv
import re

import lxml.etree
import lxml.html

from ..model import Block, Cell, Document, Paragraph, Table
from ..printed_figures import UNITS
from ..sniff import BLOCK_MARKUP, EMBEDDED_TABLE, INLINE_MARKUP, PAGE_WRAPPER, decode_text
from .html import clean_inline, table_grid
from .grid_tables import grid_as_html, grid_block_end, is_rule, one_cell, pieces_joined
from .latex_tables import TABLE_FLOAT, TABULAR, tabular_as_html
from .page_breaks import page_breaks_cleared
from .pandoc_tables import dashed_table_html
from .pictures import DATA_URI, PictureReader, Pictures, inline_picture

_PIPES = "|｜│┃"
_PIPE_SPLIT = re.compile(f"[{_PIPES}]")
# rules between rows: Markdown's dashes, grid tables' +---+, box drawing ├──┼──┤
_RULE_ROW = re.compile(r"^(?=.*[-+=─━═┌┐└┘├┤┬┴┼╔╗╚╝╠╣╦╩╬])[-\s\t|｜:+=─━═│┃┌┐└┘├┤┬┴┼╔╗╚╝╠╣╦╩╬║]+$")
_TABLE_EDGE = _PIPES + "+┌├└╔╠╚║"
_MD_DECOR = re.compile(r"^\s{0,3}(#{1,6}\s+|[-*+]\s+|>\s*)")
_BOLD = re.compile(r"\*\*|__")
# A line break written as markup: inside a pipe table's cell (marker's Markdown) the cell's lines
# are one label, and Chinese runs on without a space; in a line of prose it ends a paragraph.
_LINE_BREAK = re.compile(r"<br\s*/?>", re.I)
# A comma-separated row: two fields or more and no sentence in any field. Chinese prose writes
# its commas full-width; a half-width comma in a run of such lines is a spreadsheet's export.
_SENTENCE_END = re.compile(r"[。！？；]")
MIN_CSV_ROWS = 2
# A spreadsheet's field holds one value. Two figures in one field, or a gap of spaces inside it, is
# a line of columns set out with spaces whose thousands are written with commas (30,459).
_SPACED_FIGURES = re.compile(r"\S {2,}\S|\d\s+[-−+]?\d")
# A cell that is a number and nothing else.
_BARE_NUMBER = re.compile(r"^\s*[-−+]?\d[\d,.]*\s*$")
# A figure as a cell prints it, with the unit some offices add to each (0件, 3 项, 1.5万元).
_FIGURE = re.compile(rf"^\s*[-−+]?\d[\d,.]*\s*(?:{UNITS})?\s*$")
_CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _table(rows: list[list[str]], origin: str) -> Table:
    if origin == "tsv" and len(rows) >= 2 and all(len(row) >= 2 and not row[-1].strip() for row in rows):
        # Every line ends with a tab, headers too: the converter closes each cell with one, and the
        # field after the last is no column. Kept, it is one more blank cell in every row, and a
        # row printing its first field blank ('规章\t\t4\t58\t') could then be its values shifted.
        rows = [row[:-1] for row in rows]
    if origin == "csv" and len(rows) >= 2 and len({len(row) for row in rows}) == 1:
        # comma-separated, every row as many fields as the others, header rows and all: a
        # spreadsheet's export, whose empty fields are its blank cells, not separators a converter
        # left. (Not so tab-separated text: OCR's keeps rows rectangular with their values shifted.)
        origin = "spreadsheet"
    rows = _anchored([[text.strip() for text in row] for row in rows])
    cells = [Cell(r, c, text) for r, row in enumerate(rows) for c, text in enumerate(row)]
    return Table(cells, len(rows), max(len(r) for r in rows), origin=origin, positional=False)


def _repeatable(text: str) -> bool:
    """Whether a cell's text could be a merged cell's repeated in each place it covers: a label of
    two characters or more with a Chinese one, never a figure (its unit is no label: 0件 in three
    cells running are three figures), nor a lone letter OCR read for a digit ('o' for 0, in two rows
    running)."""
    return len(text) >= 2 and bool(_CHINESE.search(text)) and not _FIGURE.match(text)


def _label_runs(row: list[str]) -> list[tuple[int, int]]:
    """(first, last) columns of each run of two cells or more holding the same label (no number)."""
    runs, start = [], 0
    for c in range(1, len(row) + 1):
        if c == len(row) or row[c] != row[start]:
            if c - start >= 2 and _repeatable(row[start]):
                runs.append((start, c - 1))
            start = c
    return runs


def _anchored(rows: list[list[str]]) -> list[list[str]]:
    """A merged cell's text kept where the cell starts only. Some converters (docling's Markdown, a
    data frame's export) repeat it in every place the cell covers: a label over three columns or
    down twenty rows, and a figure under a header merged over two columns (采购总金额), which
    would read as two figures. A figure is taken for a repeat only there: two equal figures side by
    side are otherwise two cells."""
    out = [list(row) for row in rows]
    header: list[tuple[int, int]] = []  # label runs of the nearest row above of labels (no figure)
    for r, row in enumerate(rows):
        figures = any(_FIGURE.match(text) for text in row)
        labels = _label_runs(row)
        repeats = [(a, b) for a, b in header if figures and a > 0 and b < len(row)
                   and row[a] and _FIGURE.match(row[a]) and len(set(row[a:b + 1])) == 1]
        for a, b in labels + repeats:
            out[r][a + 1:b + 1] = [""] * (b - a)
        if not figures and sum(1 for text in row if text) >= 2:  # (a row of blanks is no header)
            header = labels
        for c, text in enumerate(row):
            if r and c < len(rows[r - 1]) and text == rows[r - 1][c] and _repeatable(text):
                out[r][c] = ""  # down the rows
    return out


_NO_BREAK_ONLY = re.compile(r"^[ \t]*\u00a0[\u00a0 \t]*$")


def _blank_cell_lines(lines: list[str]) -> set[int]:
    """Lines holding only a no-break space where a web page copied one cell to a line printed an
    empty cell (&nbsp;): in a run of such lines next to a line of a bare number (empty lines
    between them aside). Elsewhere a no-break space is layout, not a cell."""
    filled = [i for i, line in enumerate(lines) if line.strip() or _NO_BREAK_ONLY.match(line)]
    out: set[int] = set()
    n = 0
    while n < len(filled):
        if not _NO_BREAK_ONLY.match(lines[filled[n]]):
            n += 1
            continue
        end = n
        while end < len(filled) and _NO_BREAK_ONLY.match(lines[filled[end]]):
            end += 1
        beside = [filled[k] for k in (n - 1, end) if 0 <= k < len(filled)]
        if any(_BARE_NUMBER.match(lines[k]) for k in beside):
            out.update(filled[n:end])
        n = end
    return out


def _clean_lines(line: str) -> list[str]:
    """A line of prose as its paragraphs: Markdown's decoration and inline markup taken out, split
    where a <br> or a block's markup breaks it."""
    out = []
    for part in _LINE_BREAK.split(BLOCK_MARKUP.sub("<br>", line)):
        part = _BOLD.sub("", _MD_DECOR.sub("", INLINE_MARKUP.sub("", part))).strip()
        if part:
            out.append(part)
    return out


# GFM lets a pipe table leave out its outer pipes (html2text writes so): its delimiter row, under
# the header, is then dashes between pipes, and gives the number of columns.
_OUTERLESS_DELIMITER = re.compile(r"^\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)+\|?\s*$")
_DASH_RULE = re.compile(r"^\s*-{3,}\s*$")
_MD_BLOCK_START = re.compile(r"^\s*(?:#{1,6}\s|\*\*|>|```|-{3,}\s*$)")


def _outer_pipes_added(lines: list[str]) -> list[str]:
    """The lines with each row of a pipe table without outer pipes written with them. A row's
    pipe at either end is outer or the edge of an empty cell as the delimiter's count of columns
    says (a first cell left empty begins the line with a pipe)."""
    out = list(lines)
    for d, line in enumerate(lines):
        # (html2text under a first row of one cell writes its delimiter as dashes alone: 第二十条第
        # （一）项 / --- / 信息内容 | 本年制发件数 | …)
        one_cell = (_DASH_RULE.match(line) is not None and 0 < d < len(lines) - 1 and lines[d - 1].strip() != ""
                    and "|" not in lines[d - 1] and lines[d + 1].count("|") >= 1)
        if not (_OUTERLESS_DELIMITER.match(line) or one_cell):
            continue
        n = len(line.strip().strip("|").split("|"))
        out[d] = "|" + "|".join("---" for _ in range(n)) + "|"
        start = d
        while start > 0 and "|" in lines[start - 1]:
            start -= 1
        # (as GFM reads it, the table runs to a blank line: a line of no pipe in it is a row of one
        # cell, html2text's for a cell spanning the row, 第二十条第（五）项)
        end = d + 1
        while (end < len(lines) and lines[end].strip() and not _OUTERLESS_DELIMITER.match(lines[end])
               and not _MD_BLOCK_START.match(lines[end])):
            end += 1
        for k in [*range(start, d), *range(d + 1, end)]:
            parts = lines[k].strip().split("|")
            if len(parts) > n and not parts[-1].strip():
                parts.pop()
            if len(parts) > n and not parts[0].strip():
                parts.pop(0)
            out[k] = "|" + "|".join(parts) + "|"
    return out


def _pipe_cells(stripped: str) -> list[str] | None:
    if stripped[:1] not in _PIPES or len(_PIPE_SPLIT.findall(stripped)) < 2:
        return None
    inner = stripped[1:-1] if stripped[-1] in _PIPES else stripped[1:]
    return [_BOLD.sub("", _LINE_BREAK.sub("", c)) for c in _PIPE_SPLIT.split(inner)]


def _grid_tables_marked(lines: list[str], mark) -> list[str]:
    """The lines with each grid table that merges or wraps cells (grid_tables.py) as the mark of
    the HTML table it draws."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        if not is_rule(lines[i]):
            out.append(lines[i])
            i += 1
            continue
        end = grid_block_end(lines, i)
        table_html = grid_as_html(lines[i:end]) if end - i >= 3 else None
        if table_html is None:
            out += _wrapped_rows_joined(lines[i:end])
        else:
            out += mark(table_html).strip("\n").split("\n")
        i = max(end, i + 1)
    return out


def _dashed_tables_marked(lines: list[str], mark) -> list[str]:
    """The lines with each of pandoc's simple and multiline tables (pandoc_tables.py) as the mark of
    the HTML table it sets out."""
    out: list[str] = []
    done = i = 0
    while i < len(lines):
        found = dashed_table_html(lines, i) if "--" in lines[i] else None
        if found is None or found[0] < done:
            i += 1
            continue
        start, end, table_html = found
        out += lines[done:start] + mark(table_html).strip("\n").split("\n")
        done = i = end
    return out + lines[done:]


def _wrapped_rows_joined(block: list[str]) -> list[str]:
    """A grid table's lines (a rule first) whose boxes grid_tables.py could not trace (a writer
    that counts a CJK character one column wide draws bars that do not line up): where rules stand
    between every two rows, the lines of a row that wraps are joined cell by cell, as its bars
    split them. One whose rules only close its header and its body (two runs of lines) has a row a
    line."""
    rules = [k for k, line in enumerate(block) if is_rule(line)]
    runs = {a + 1: b for a, b in zip(rules, rules[1:]) if b > a + 2}
    if len(rules) < 4:
        return block
    out: list[str] = []
    k = 0
    while k < len(block):
        row = [_pipe_cells(line.strip()) for line in block[k:runs[k]]] if k in runs else None
        if row and all(cells is not None and len(cells) == len(row[0]) for cells in row) \
                and all(one_cell(column) for column in zip(*row)):
            out.append("|" + "|".join(pieces_joined(column) for column in zip(*row)) + "|")
            k = runs[k]
        else:
            out.append(block[k])
            k += 1
    return out


def _csv_cells(line: str) -> list[str] | None:
    if "," not in line or "\t" in line:
        return None
    try:
        fields = next(csv.reader([line]))
    except (csv.Error, StopIteration):
        return None
    if len(fields) < 2 or any(_SENTENCE_END.search(f) or _SPACED_FIGURES.search(f.strip()) for f in fields):
        return None
    return fields


def _csv_rows(lines: list[str]) -> dict[int, list[str]]:
    """Lines that are rows of a comma-separated table: runs of MIN_CSV_ROWS such lines or more."""
    rows: dict[int, list[str]] = {}
    run: dict[int, list[str]] = {}
    for i, line in enumerate([*lines, ""]):
        cells = _csv_cells(line.strip())
        if cells is not None:
            run[i] = cells
            continue
        # a table's rows have a number or an empty field somewhere; clauses of prose have neither
        if len(run) >= MIN_CSV_ROWS and any(not f.strip() or _BARE_NUMBER.match(f)
                                                for r in run.values() for f in r):
            rows.update(run)
        run = {}
    return rows


# stands on a line of its own where an embedded table stood (a private-use character: no text has it)
_TABLE_MARK = re.compile("^\ue000(\\d+)\ue000$")


def _embedded_table(fragment: str) -> list[Block]:
    """An HTML table among the lines: its grid, or its rows' text where it is no table of figures
    (one cell, a layout box)."""
    try:
        el = lxml.html.fragment_fromstring(fragment)
    except (lxml.etree.ParserError, ValueError):
        return [Paragraph(clean_inline(re.sub(r"<[^>]*>", " ", fragment)))]
    grid = table_grid(el) if el.tag == "table" else None
    if grid is not None:
        return [grid]
    rows = (clean_inline(" ".join(td.text_content() for td in tr.xpath("./td | ./th"))) for tr in el.iter("tr"))
    return [Paragraph(row) for row in rows if row]


# A picture among the lines: Markdown's ![alt](src "title"), or an <img> a converter wrote.
_PICTURE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)"
                      r"|<img\b[^>]*?\bsrc\s*=\s*[\"']([^\"']+)[\"'][^>]*>", re.I)


class _Pictures:
    """The pictures a text holds: one given inline (a data: URI, as docling's embedded export
    writes them) read by OCR where it stands, as a web page's; one only linked to counted."""
    def __init__(self, read_picture: PictureReader | None) -> None:
        self.read = Pictures(read_picture)
        self.linked = 0

    def blocks(self, line: str) -> list[Block]:
        out: list[Block] = []
        at = 0
        for m in _PICTURE.finditer(line):
            out += [Paragraph(text) for text in _clean_lines(line[at:m.start()])]
            at = m.end()
            src = m.group(1) or m.group(2)
            if DATA_URI.match(src) is None:
                self.linked += 1
            elif (blob := inline_picture(src)) is not None:
                out += self.read.blocks(blob, None)
        return out + [Paragraph(text) for text in _clean_lines(line[at:])]

    def warnings(self) -> list[str]:
        linked = [f"{self.linked} picture(s) the text links to were not fetched: a table shown as an image "
                  f"there is not read"] if self.linked else []
        return self.read.warnings() + linked


def read(data: bytes, read_picture: PictureReader | None = None) -> Document:
    """`read_picture`: OCR for the pictures the text holds inline; without it they are counted."""
    pictures = _Pictures(read_picture)
    text = decode_text(data).replace("\r\n", "\n").replace("\r", "\n")
    embedded: list[str] = []

    def mark(table_html: str) -> str:
        embedded.append(table_html)
        return f"\n\ue000{len(embedded) - 1}\ue000\n"

    text = EMBEDDED_TABLE.sub(lambda m: mark(m.group(0)), text)
    text = TABULAR.sub(lambda m: mark(tabular_as_html(m.group(0))), text)
    text = PAGE_WRAPPER.sub("", TABLE_FLOAT.sub("", text))
    lines = page_breaks_cleared(text)
    lines = _outer_pipes_added(_dashed_tables_marked(_grid_tables_marked(lines, mark), mark))
    csv_rows = _csv_rows(lines)
    blocks = []
    rows: list[list[str]] = []
    origin = ""

    def flush():
        nonlocal rows
        if rows:
            blocks.append(_table(rows, origin))
            rows = []

    def add_row(cells: list[str], kind: str):
        nonlocal origin
        if origin != kind:
            flush()
        origin = kind
        rows.append(cells)

    blank_cells = _blank_cell_lines(lines)
    for i, line in enumerate(lines):
        stripped = line.strip()
        if m := _TABLE_MARK.match(stripped):
            flush()
            blocks.extend(_embedded_table(embedded[int(m.group(1))]))
            continue
        if i in blank_cells:
            flush()
            blocks.append(_table([[""]], "cell"))  # an empty cell, kept in its place among the values
            continue
        if stripped[:1] in _TABLE_EDGE and _RULE_ROW.match(stripped):
            continue  # a rule between rows
        pipes = _pipe_cells(stripped) if stripped else None
        if pipes is not None:
            add_row(pipes, "markdown")
        elif "\t" in line and stripped:
            if not _RULE_ROW.match(stripped):
                add_row(line.split("\t"), "tsv")
        elif i in csv_rows:
            add_row(csv_rows[i], "csv")
        else:
            flush()
            blocks += pictures.blocks(line) if "![" in line or "<img" in line.lower() else [
                Paragraph(text) for text in _clean_lines(line)]
    flush()
    return Document(blocks=blocks, kind="text", pages=1, warnings=pictures.warnings(),
                    timings_ms=pictures.read.timings, ocr_pages=pictures.read.pages(),
                    lossy_pages=pictures.read.lossy_pages())
