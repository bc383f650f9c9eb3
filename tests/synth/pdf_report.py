"""Synthetic annual reports as PDFs with a text layer, drawn the way the real form prints them.

`render_pdf(report, ...)` draws a `tests.synth.form.Report` on A4 pages with PyMuPDF: title, prose
with first-line indents, tables 2/3/4 as ruled grids with the form's merged cells (the label
三、本年度办理结果 one character per line in its narrow cell), table 3 broken across two pages, the
signature and date at the end, and the furniture of the page (a browser's header and footer, or an
office suite's page numbers). Output is deterministic: the same report and options give the same
bytes.

Options:
- furniture: "browser" (date/time and page title on top, URL and "x/y" at the bottom), "office"
  (running header with the agency, "第 x 页 共 y 页" at the bottom), "dashes" (the page's number
  between dashes, - 2 -, close under the text), or None.
- split_t3_before: the key prefix of the table-3 row that opens a new page (None: only where the
  page runs out).
- repeat_header: the continuation of a split table repeats the table's header rows.
- rulings: "lines" (one segment per cell edge, as office suites draw them), "rects" (a stroked
  rectangle per cell), "bars" (thin filled rectangles), "horizontal" (rows ruled, no column
  rulings, as tables styled with only horizontal borders) or "none" (a table that lost its
  rulings: the cells' text where the grid put it, and no line drawn).
- cells: "centred" (every cell's text centred both ways, as a web page's table) or "top_left" (as a
  word processor's default: text at the top of its cell, labels at the left, numbers centred).
- embed_font: False names the CJK font without embedding it (a reader supplies its own, as it must
  for many real reports); True embeds a subset of the same font (Droid Sans Fallback, PyMuPDF's
  "china-s"), as a word processor's PDF export does. PDFium, which some other tools read PDFs with,
  loses text set in the non-embedded font (bench/README.md); PyMuPDF reads both alike.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pymupdf

from extraction.model import Cell, Table

from .form import Report

PAGE_W, PAGE_H = 595.0, 842.0
LEFT, RIGHT = 72.0, 523.0
TOP, BOTTOM = 64.0, 782.0
FONT = "china-s"
EMBEDDED_FONT = "DroidSansFallback"  # the same glyphs as FONT, embedded (render_pdf(embed_font=True))

BODY_SIZE = 10.5
TITLE_SIZE = 16.0

# Column widths (points) of the three tables; each adds up to the text width (451).
COL_WIDTHS = {
    "t2": [131.0, 320 / 3, 320 / 3, 320 / 3],
    "t3": [16.0, 52.0, 110.0] + [273 / 7] * 7,
    "t4": [451 / 15] * 15,
}
CELL_SIZE = {"t2": 9.0, "t3": 8.0, "t4": 7.5}
HEADER_ROWS = {"t2": 0, "t3": 3, "t4": 3}
PAD = 2.0


def _width(text: str, size: float) -> float:
    return pymupdf.get_text_length(text, fontname=FONT, fontsize=size)


def wrap(text: str, width: float, size: float, indent: float = 0.0) -> list[str]:
    """Lines of `text` no wider than `width` (the first line `indent` narrower), cut anywhere:
    Chinese has no word boundaries to respect."""
    lines: list[str] = []
    cur = ""
    room = width - indent
    for ch in text:
        if cur and _width(cur + ch, size) > room:
            lines.append(cur)
            cur = ""
            room = width
        cur += ch
    if cur or not lines:
        lines.append(cur)
    return lines


class _Sheet:
    """One page's drawing, recorded and then played onto the page as a single content stream
    (PyMuPDF's page.insert_text adds a stream per call: slow, and unlike a real file)."""

    def __init__(self) -> None:
        self.ops: list[tuple] = []

    def insert_text(self, point, text: str, fontname: str = FONT, fontsize: float = BODY_SIZE) -> None:
        self.ops.append(("text", point, text, fontsize))

    def draw_line(self, a, b, color=(0, 0, 0), width: float = 0.6) -> None:
        self.ops.append(("line", a, b, width))

    def draw_rect(self, rect, color=None, fill=None, width: float = 0.6) -> None:
        self.ops.append(("rect", rect, color, fill, width))

    def play(self, page: pymupdf.Page, embed_font: bool = False) -> None:
        fontname = FONT
        if embed_font:
            fontname = EMBEDDED_FONT
            page.insert_font(fontname=fontname, fontbuffer=pymupdf.Font(FONT).buffer)
        shape = page.new_shape()
        for op in self.ops:
            if op[0] == "text":
                shape.insert_text(op[1], op[2], fontname=fontname, fontsize=op[3])
            elif op[0] == "line":
                shape.draw_line(op[1], op[2])
                shape.finish(color=(0, 0, 0), width=op[3])
            else:
                shape.draw_rect(op[1])
                shape.finish(color=op[2], fill=op[3], width=op[4])
        shape.commit()


@dataclass
class _Segment:
    """Rows of a table drawn on one page from height `y`."""
    page: _Sheet
    rows: list[int]
    y: float


class _Writer:
    def __init__(self) -> None:
        self.sheets = [_Sheet()]
        self.y = TOP

    @property
    def page(self) -> _Sheet:
        return self.sheets[-1]

    def new_page(self) -> None:
        self.sheets.append(_Sheet())
        self.y = TOP

    def room(self, h: float) -> bool:
        return self.y + h <= BOTTOM

    def text_line(self, x: float, text: str, size: float, lead: float) -> None:
        if not self.room(lead):
            self.new_page()
        self.page.insert_text((x, self.y + size), text, fontname=FONT, fontsize=size)
        self.y += lead

    def paragraph(self, text: str, size: float = BODY_SIZE, indent_chars: int = 2) -> None:
        indent = indent_chars * size
        for i, line in enumerate(wrap(text, RIGHT - LEFT, size, indent)):
            self.text_line(LEFT + (indent if i == 0 else 0), line, size, size * 1.6)
        self.y += size * 0.4

    def centred(self, text: str, size: float) -> None:
        for line in wrap(text, RIGHT - LEFT, size):
            self.text_line((LEFT + RIGHT - _width(line, size)) / 2, line, size, size * 1.8)

    def right_aligned(self, text: str, size: float = BODY_SIZE) -> None:
        self.text_line(RIGHT - _width(text, size), text, size, size * 1.6)


def render_pdf(report: Report, *, furniture: str | None = "browser",
               split_t3_before: str | None = "t3.unavailable.not_held", repeat_header: bool = True,
               rulings: str = "lines", cells: str = "centred", print_date: str = "2024/3/18 09:42",
               url: str = "http://www.example.gov.cn/zwgk/ndbg/202403/t20240318_1234.html",
               embed_font: bool = False) -> bytes:
    w = _Writer()
    w.centred(report.title, TITLE_SIZE)
    w.y += 6
    for p in report.preamble:
        w.paragraph(p)
    tables_after = {1: "t2", 2: "t3", 3: "t4"}
    for i, (heading, paras) in enumerate(report.sections):
        w.paragraph(heading, indent_chars=2)
        for p in paras:
            w.paragraph(p)
        if i in tables_after:
            name = tables_after[i]
            split_row = _row_of(report, split_t3_before) if name == "t3" and split_t3_before else None
            _draw_table(w, report.tables[name], name, split_row, repeat_header, rulings, cells)
    w.y += 12
    for line in report.signature:
        w.right_aligned(line)

    if furniture:
        _furniture(w.sheets, furniture, report, print_date, url)
    doc = pymupdf.open()
    for sheet in w.sheets:
        sheet.play(doc.new_page(width=PAGE_W, height=PAGE_H), embed_font)
    if embed_font:
        doc.subset_fonts()
    out = doc.tobytes(garbage=3, deflate=True, no_new_id=True)
    doc.close()
    return out


def _row_of(report: Report, prefix: str) -> int:
    """The grid row of table 3 where the row with this key prefix is printed."""
    table, row, _ = report.cell_of[f"{prefix}.natural_person"]
    assert table == "t3"
    return row


# ----------------------------------------------------------------------------------- tables

def _row_heights(t: Table, name: str) -> list[float]:
    widths = COL_WIDTHS[name]
    size = CELL_SIZE[name]
    lead = size * 1.25
    heights = [size * 2.0] * t.n_rows
    for c in sorted(t.cells, key=lambda c: c.rowspan):
        width = sum(widths[c.col:c.col + c.colspan]) - 2 * PAD
        need = len(wrap(c.text, width, size)) * lead + 2 * PAD + 2
        have = sum(heights[c.row:c.row + c.rowspan])
        if need > have:
            heights[c.row + c.rowspan - 1] += need - have
    return heights


def _draw_table(w: _Writer, t: Table, name: str, split_row: int | None, repeat_header: bool,
                rulings: str, align: str = "centred") -> None:
    heights = _row_heights(t, name)
    n_head = HEADER_ROWS[name]
    w.y += 4
    if not w.room(min(sum(heights), 0.3 * (BOTTOM - TOP))):
        w.new_page()  # keep a table's head with its first rows
    # Lay the rows out on pages: a row that does not fit (or the forced split) opens a page.
    segments: list[_Segment] = [_Segment(w.page, [], w.y)]
    y = w.y
    for r in range(t.n_rows):
        if (r == split_row or y + heights[r] > BOTTOM) and segments[-1].rows:
            w.new_page()
            segments.append(_Segment(w.page, [], w.y))
            y = w.y
            if repeat_header and r >= n_head:
                segments[-1].rows.extend(range(n_head))
                y += sum(heights[:n_head])
        segments[-1].rows.append(r)
        y += heights[r]
    w.y = y + 8

    xs = [LEFT]
    for cw in COL_WIDTHS[name]:
        xs.append(xs[-1] + cw)
    size = CELL_SIZE[name]
    parts: dict[int, tuple[Cell, list]] = {}
    for seg in segments:
        page = seg.page
        top_of: dict[int, float] = {}
        yy = seg.y
        for r in seg.rows:
            top_of[r] = yy
            yy += heights[r]
        for c in t.cells:
            rows = [r for r in range(c.row, c.row + c.rowspan) if r in top_of]
            if not rows:
                continue
            x0, x1 = xs[c.col], xs[c.col + c.colspan]
            y0 = top_of[rows[0]]
            y1 = top_of[rows[-1]] + heights[rows[-1]]
            _rule_box(page, x0, y0, x1, y1, rulings)
            parts.setdefault(id(c), (c, []))[1].append((page, x0, y0, x1, y1))
    # A merged cell broken by a page break prints the lines of its text that fit in its first part
    # and goes on in the next, as a word processor flows text in a cell.
    for c, boxes in parts.values():
        lines = wrap(c.text, xs[c.col + c.colspan] - xs[c.col] - 2 * PAD, size) if c.text else []
        repeated = [b for b in boxes if c.row < n_head]
        if repeated:  # header cells: printed whole in each copy of the header
            for b in repeated:
                _cell_lines(*b, lines, size)
            continue
        for i, b in enumerate(boxes):
            fit = lines if i == len(boxes) - 1 else lines[:max(1, int((b[4] - b[2] - 2 * PAD) // (size * 1.25)))]
            _cell_lines(*b, fit, size, align)
            lines = lines[len(fit):]


def _rule_box(page: _Sheet, x0: float, y0: float, x1: float, y1: float, rulings: str) -> None:
    if rulings == "none":
        return
    if rulings == "horizontal":
        for y in (y0, y1):
            page.draw_line((x0, y), (x1, y), color=(0, 0, 0), width=0.6)
        return
    if rulings == "rects":
        page.draw_rect(pymupdf.Rect(x0, y0, x1, y1), color=(0, 0, 0), width=0.6)
    elif rulings == "bars":
        for r in (pymupdf.Rect(x0, y0 - 0.3, x1, y0 + 0.3), pymupdf.Rect(x0, y1 - 0.3, x1, y1 + 0.3),
                  pymupdf.Rect(x0 - 0.3, y0, x0 + 0.3, y1), pymupdf.Rect(x1 - 0.3, y0, x1 + 0.3, y1)):
            page.draw_rect(r, color=None, fill=(0, 0, 0))
    else:
        for a, b in (((x0, y0), (x1, y0)), ((x0, y1), (x1, y1)), ((x0, y0), (x0, y1)), ((x1, y0), (x1, y1))):
            page.draw_line(a, b, color=(0, 0, 0), width=0.6)


def _cell_lines(page: _Sheet, x0: float, y0: float, x1: float, y1: float, lines: list[str],
                size: float, align: str = "centred") -> None:
    lead = size * 1.25
    top = align == "top_left"
    y = y0 + PAD if top else (y0 + y1) / 2 - len(lines) * lead / 2
    number = all(ch.isdigit() or ch in ".-" for ch in "".join(lines))
    for line in lines:
        x = x0 + PAD + 1 if top and not number else (x0 + x1) / 2 - _width(line, size) / 2
        if align == "figures_tight" and number:
            x = x0 + 0.8  # against the cell's left ruling, as a form's fields and spreadsheets set them
        page.insert_text((x, y + size), line, fontname=FONT, fontsize=size)
        y += lead


# ------------------------------------------------------------------------------- furniture

def _furniture(sheets: list[_Sheet], kind: str, report: Report, print_date: str, url: str) -> None:
    n = len(sheets)
    size = 8.0
    for i, page in enumerate(sheets):
        if kind == "browser":
            page.insert_text((22, 24), print_date, fontname=FONT, fontsize=size)
            title = report.title
            page.insert_text(((PAGE_W - _width(title, size)) / 2, 24), title, fontname=FONT, fontsize=size)
            page.insert_text((22, PAGE_H - 16), url, fontname=FONT, fontsize=size)
            count = f"{i + 1}/{n}"
            page.insert_text((PAGE_W - 22 - _width(count, size), PAGE_H - 16), count, fontname=FONT, fontsize=size)
        elif kind == "office":
            head = report.agency
            page.insert_text(((PAGE_W - _width(head, size)) / 2, 40), head, fontname=FONT, fontsize=size)
            page.draw_line((LEFT, 44), (RIGHT, 44), color=(0, 0, 0), width=0.5)
            foot = f"第 {i + 1} 页 共 {n} 页"
            page.insert_text(((PAGE_W - _width(foot, size)) / 2, PAGE_H - 30), foot, fontname=FONT, fontsize=size)
        elif kind == "dashes":
            foot = f"- {i + 1} -"
            page.insert_text(((PAGE_W - _width(foot, size)) / 2, PAGE_H - 40), foot, fontname=FONT, fontsize=size)
        else:
            raise ValueError(f"unknown furniture {kind!r}")


def ruled_boxes(page: pymupdf.Page) -> list[pymupdf.Rect]:
    """The boxes of the page's tables: its rulings, chained where they touch."""
    boxes: list[list[float]] = []  # a ruling is a box of no height: pymupdf's union skips it
    for path in sorted(page.get_drawings(), key=lambda d: d["rect"].y0):
        x0, y0, x1, y1 = path["rect"]
        if boxes and y0 <= boxes[-1][3] + 2:
            b = boxes[-1]
            b[:] = [min(b[0], x0), min(b[1], y0), max(b[2], x1), max(b[3], y1)]
        else:
            boxes.append([x0, y0, x1, y1])
    return [pymupdf.Rect(b) for b in boxes if b[3] - b[1] > 20]


def tables_as_pictures(pdf: bytes, dpi: int = 150) -> bytes:
    """The PDF with each table (each part of one on a page) replaced by a picture of itself, the
    prose kept as text: a Word file with tables pasted as screenshots, exported to PDF."""
    doc = pymupdf.open(stream=pdf, filetype="pdf")
    for page in doc:
        boxes = [box + (-4, -4, 4, 4) for box in ruled_boxes(page)]
        shots = [page.get_pixmap(clip=box, dpi=dpi, colorspace="gray").tobytes("png") for box in boxes]
        for box in boxes:
            page.add_redact_annot(box)
        page.apply_redactions(images=pymupdf.PDF_REDACT_IMAGE_NONE,
                              graphics=pymupdf.PDF_REDACT_LINE_ART_REMOVE_IF_TOUCHED)
        for box, png in zip(boxes, shots):
            page.insert_image(box, stream=png)
    out = doc.tobytes(garbage=3, deflate=True)
    doc.close()
    return out


def text_as_outlines(pdf: bytes) -> bytes:
    """The PDF with every glyph drawn as a filled path and no text layer, as an exporter that
    converts text to curves writes it (each page through PyMuPDF's SVG with text as paths)."""
    src = pymupdf.open(stream=pdf, filetype="pdf")
    out = pymupdf.open()
    for page in src:
        svg = pymupdf.open(stream=page.get_svg_image(text_as_path=True).encode(), filetype="svg")
        out.insert_pdf(pymupdf.open(stream=svg.convert_to_pdf(), filetype="pdf"))
    data = out.tobytes(garbage=3, deflate=True, no_new_id=True)
    src.close()
    out.close()
    return data


_IDENTITY_CMAP = b"""/CIDInit /ProcSet findresource begin 12 dict begin begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Adobe-Identity-UCS def /CMapType 2 def
1 begincodespacerange <0000> <FFFF> endcodespacerange
1 beginbfrange <0000> <FFFF> <0000> endbfrange
endcmap CMapName currentdict /CMap defineresource pop end end"""


def without_char_map(pdf: bytes, how: str = "none") -> bytes:
    """The PDF (drawn with `embed_font=True`) with its fonts' /ToUnicode maps broken: "none" removes
    them (the glyph numbers of an Identity-H font map to no character), "identity" replaces them by
    a map from each glyph number to the same code point, as some producers write, and "digits"
    leaves out the digits' entries alone."""
    doc = pymupdf.open(stream=pdf, filetype="pdf")
    fonts = [x for x in range(1, doc.xref_length()) if doc.xref_get_key(x, "ToUnicode")[0] == "xref"]
    if not fonts:
        raise ValueError("no font with a /ToUnicode map: render with embed_font=True")
    for x in fonts:
        if how == "none":
            doc.xref_set_key(x, "ToUnicode", "null")
        elif how == "identity":
            doc.update_stream(int(doc.xref_get_key(x, "ToUnicode")[1].split()[0]), _IDENTITY_CMAP)
        elif how == "digits":
            stream = int(doc.xref_get_key(x, "ToUnicode")[1].split()[0])
            doc.update_stream(stream, _without_digits(doc.xref_stream(stream).decode("latin-1")))
        else:
            raise ValueError(f"unknown how {how!r}")
    data = doc.tobytes(garbage=3, deflate=True, no_new_id=True)
    doc.close()
    return data


def _without_digits(cmap: str) -> bytes:
    """A /ToUnicode CMap with every glyph that maps to a digit left out (written as single entries)."""
    glyphs: dict[int, int] = {}
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
        for lo, hi, code in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            for g in range(int(lo, 16), int(hi, 16) + 1):
                glyphs[g] = int(code, 16) + g - int(lo, 16)
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for g, code in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            glyphs[int(g, 16)] = int(code, 16)
    kept = [(g, u) for g, u in sorted(glyphs.items()) if not 0x30 <= u <= 0x39]
    body = "".join(f"{len(kept[i:i + 100])} beginbfchar\n"
                   + "".join(f"<{g:04x}> <{u:04x}>\n" for g, u in kept[i:i + 100]) + "endbfchar\n"
                   for i in range(0, len(kept), 100))
    head = cmap[:cmap.index("endcodespacerange") + len("endcodespacerange")]
    return (head + "\n" + body + "endcmap CMapName currentdict /CMap defineresource pop end end").encode("latin-1")


def fake_bold(pdf: bytes, offset: float = 0.35, per_char: bool = False, copies: int = 2) -> bytes:
    """The PDF with all its text drawn twice, the second copy `offset` points to the right: bold
    faked by overprinting, as WPS and some PDF printers do for a font without a bold face. Per line
    (each line drawn again after it), or per character (each character twice in a row, so that an
    extractor sees them interleaved). `copies=1` draws the text the same way, once: the reference."""
    doc = pymupdf.open(stream=pdf, filetype="pdf")
    for page in doc:
        spans = [s for b in page.get_text("rawdict")["blocks"] for ln in b.get("lines", []) for s in ln["spans"]]
        page.add_redact_annot(page.rect)
        page.apply_redactions(images=pymupdf.PDF_REDACT_IMAGE_NONE, graphics=pymupdf.PDF_REDACT_LINE_ART_NONE)
        for s in spans:
            if per_char:
                for ch in s["chars"]:
                    for dx in (0.0, offset)[:copies]:
                        page.insert_text((ch["origin"][0] + dx, ch["origin"][1]), ch["c"], fontname=FONT,
                                         fontsize=s["size"])
            else:
                text = "".join(ch["c"] for ch in s["chars"])
                for dx in (0.0, offset)[:copies]:
                    page.insert_text((s["origin"][0] + dx, s["origin"][1]), text, fontname=FONT, fontsize=s["size"])
    out = doc.tobytes(garbage=3, deflate=True, no_new_id=True)
    doc.close()
    return out


def two_up(pdf: bytes, sheet: str = "a4") -> bytes:
    """`pdf`'s pages two to a landscape sheet, as a print dialog's "2 pages per sheet" saves them:
    "a4" shrinks each page into half an A4 sheet (with a 12 pt margin), "a3" places each whole on
    half an A3 sheet, as a bound report opened on an A3 scanner lies."""
    src = pymupdf.open(stream=pdf, filetype="pdf")
    dst = pymupdf.open()
    w, h, margin = (1190.55, 841.89, 0.0) if sheet == "a3" else (841.89, 595.28, 12.0)
    for k in range(0, src.page_count, 2):
        page = dst.new_page(width=w, height=h)
        for j in (0, 1):
            if k + j < src.page_count:
                page.show_pdf_page(pymupdf.Rect(j * w / 2 + margin, margin, (j + 1) * w / 2 - margin, h - margin),
                                   src, k + j)
    out = dst.tobytes(garbage=3, deflate=True, no_new_id=True)
    src.close()
    dst.close()
    return out
