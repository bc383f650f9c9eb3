"""Word pages drawn as positioned boxes: a PDF-to-Word converter that writes no table at all.

Some converters rebuild a page as it looked, not as it was made: every line of text its own box
placed on the page (a text box anchored to the page, or a framed paragraph, `w:framePr`), and
every ruling a line shape. Read in the file's order, such a table is a heap of labels and numbers
in whatever order the converter wrote them (row by row, column by column, labels first). Where it
stands, it is a page like a PDF's: words with their boxes and the rulings between them. So a page
holding enough such boxes is laid out as a PDF page is (`readers.pdf.lay_out`): the rulings give
the grid, the words fill its cells, and a table without rulings is rebuilt from how its words line
up; the page's blocks take the place of its boxes in the document.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from lxml.etree import XPath

from ..grid import Segment, Word
from ..model import Block
from . import pdf as pdf_layout

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_V = "urn:schemas-microsoft-com:vml"
_NS = {"w": _W, "wp": _WP, "mc": _MC, "v": _V}
# What Word shows: a shape's DrawingML, not its VML fallback (the same shape again); and the
# body's own paragraphs, not those inside text boxes or tables.
_ANCHORS = XPath(".//wp:anchor[not(ancestor::mc:Fallback)]", namespaces=_NS)
_VML_LINES = XPath(".//v:line[not(ancestor::mc:Fallback)]", namespaces=_NS)
_BODY_PARAGRAPHS = XPath(".//w:p[not(ancestor::w:txbxContent) and not(ancestor::w:tbl)]", namespaces=_NS)
_EMU_PER_PT = 12700
_TWIPS_PER_PT = 20
# a page is laid out by position where this many of its words stand in positioned boxes, some of
# them figures: fewer are a title or a signature set in a box, read where anchored
_MIN_BOXES = 20


def _q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


@dataclass
class _Page:
    width: float = 595.0
    height: float = 842.0
    margin_left: float = 0.0
    margin_top: float = 0.0
    words: list[Word] = field(default_factory=list)
    h: list[Segment] = field(default_factory=list)
    v: list[Segment] = field(default_factory=list)
    anchors: list = field(default_factory=list)  # the paragraphs holding its boxes, in order
    framed: list = field(default_factory=list)  # its framed paragraphs


@dataclass
class Positioned:
    """What `positioned_pages` found: the blocks to put in place of each page's boxes, at the first
    paragraph holding one; and the paragraphs and boxes that are read there and not again."""
    at: dict = field(default_factory=dict)  # paragraph element -> blocks
    framed: set = field(default_factory=set)  # framed paragraphs laid out
    boxes: set = field(default_factory=set)  # text box contents (w:txbxContent) laid out


def positioned_pages(body, paragraph_text) -> Positioned:
    """The body's pages drawn as positioned boxes, laid out. `paragraph_text(p)`: a paragraph's
    text as the reader reads it (hidden runs left out)."""
    pages = _pages(body, paragraph_text)
    found = Positioned()
    laid: list[tuple[_Page, pdf_layout.PageLayout]] = []
    for page in pages:
        if len(page.words) < _MIN_BOXES or not any(any(ch.isdigit() for ch in w.text) for w in page.words):
            continue
        n = len(laid) + 1
        layout = pdf_layout.lay_out(pdf_layout.PageLayout(number=n, height=page.height), page.h, page.v,
                                    page.words, laid[-1][1].columns if laid else [])
        laid.append((page, layout))
    if not laid:
        return found
    pdf_layout.drop_page_furniture([layout for _, layout in laid])
    for page, layout in laid:
        blocks: list[Block] = pdf_layout.page_blocks(layout)
        first = (page.anchors + page.framed)[0]
        found.at.setdefault(first, []).extend(blocks)
        found.framed.update(page.framed)
        for p in page.anchors:
            found.boxes.update(p.iter(_q(_W, "txbxContent")))
    return found


def _pages(body, paragraph_text) -> list[_Page]:
    pages = [_Page()]
    last_frame = None
    for sect in body.iter(_q(_W, "sectPr")):
        _size(pages[0], sect)
        break
    for p in _BODY_PARAGRAPHS(body):
        page = pages[-1]
        frame = p.find(f"{_q(_W, 'pPr')}/{_q(_W, 'framePr')}")
        if frame is not None and frame.get(_q(_W, "x")) is not None and frame.get(_q(_W, "y")) is not None:
            text = paragraph_text(p).strip()
            if text:
                last_frame = _framed_word(page, frame, text, last_frame)
                page.framed.append(p)
        else:
            last_frame = None
        if _anchored(page, p, paragraph_text) | _vml_lines(page, p):
            page.anchors.append(p)
        breaks = [br for br in p.iter(_q(_W, "br")) if br.get(_q(_W, "type")) == "page"]
        sect = p.find(f"{_q(_W, 'pPr')}/{_q(_W, 'sectPr')}")
        if breaks or sect is not None:
            nxt = _Page(pages[-1].width, pages[-1].height, pages[-1].margin_left, pages[-1].margin_top)
            if sect is not None:
                _size(nxt, sect)
            pages.append(nxt)
            last_frame = None
    return pages


def _size(page: _Page, sect) -> None:
    size = sect.find(_q(_W, "pgSz"))
    if size is not None:
        page.width = _twips(size.get(_q(_W, "w")), 11906)
        page.height = _twips(size.get(_q(_W, "h")), 16838)
    margins = sect.find(_q(_W, "pgMar"))
    if margins is not None:
        page.margin_left = _twips(margins.get(_q(_W, "left")), 0)
        page.margin_top = _twips(margins.get(_q(_W, "top")), 0)


def _twips(value, default: float) -> float:
    try:
        return float(value) / _TWIPS_PER_PT
    except (TypeError, ValueError):
        return float(default) / _TWIPS_PER_PT


def _framed_word(page: _Page, frame, text: str, last) -> tuple:
    """A framed paragraph's text as a word where the frame stands (a frame a paragraph shares with
    the one before it, as Word joins them, holds it on the next line)."""
    key = tuple(frame.get(_q(_W, k)) for k in ("x", "y", "w", "hAnchor", "vAnchor"))
    x = _twips(frame.get(_q(_W, "x")), 0) + (page.margin_left if frame.get(_q(_W, "hAnchor")) == "margin" else 0)
    y = _twips(frame.get(_q(_W, "y")), 0) + (page.margin_top if frame.get(_q(_W, "vAnchor")) == "margin" else 0)
    line = 12.0
    width = _twips(frame.get(_q(_W, "w")), 0) or line * len(text)
    height = _twips(frame.get(_q(_W, "h")), 0) or line
    lines_before = last[1] + 1 if last is not None and last[0] == key else 0
    top = y + lines_before * min(height, line)
    page.words.append(Word(text, (x, top, x + width, top + min(height, line * 1.2))))
    return key, lines_before


def _anchored(page: _Page, p, paragraph_text) -> bool:
    """Adds the boxes and lines anchored in `p` where they stand on the page; whether it held any."""
    held = False
    for anchor in _ANCHORS(p):
        where = _position(page, anchor)
        if where is None:
            continue
        x, y, w, h = where
        geom = anchor.find(f".//{_q(_A, 'prstGeom')}")
        contents = list(anchor.iter(_q(_W, "txbxContent")))
        if contents:
            lines = [t for box in contents for q in box.iter(_q(_W, "p")) if (t := paragraph_text(q).strip())]
            for i, text in enumerate(lines):
                step = h / len(lines)
                page.words.append(Word(text, (x, y + i * step, x + w, y + (i + 1) * step)))
            held = held or bool(lines)
        elif geom is not None and geom.get("prst") in ("line", "straightConnector1"):
            if h <= 0.5:
                page.h.append(Segment(x, y, x + w, y))
            elif w <= 0.5:
                page.v.append(Segment(x, y, x, y + h))
            held = True
    return held


def _vml_lines(page: _Page, p) -> bool:
    """Adds the VML lines drawn in `p` that stand relative to the page (v:line from="90pt,110pt"
    to="505.3pt,110pt", as older converters draw rulings); whether it held any."""
    held = False
    for line in _VML_LINES(p):
        if "relative:page" not in line.get("style", ""):
            continue
        ends = [_point(line.get(k)) for k in ("from", "to")]
        if None in ends:
            continue
        (x0, y0), (x1, y1) = ends
        if abs(y1 - y0) <= 0.5:
            page.h.append(Segment(min(x0, x1), y0, max(x0, x1), y0))
        elif abs(x1 - x0) <= 0.5:
            page.v.append(Segment(x0, min(y0, y1), x0, max(y0, y1)))
        held = True
    return held


def _point(value: str | None) -> tuple[float, float] | None:
    """A VML point in points ("90.0pt,110.0pt"; a bare number is in pixels at 96 to the inch)."""
    try:
        xs = [v.strip() for v in (value or "").split(",")]
        return tuple(float(v[:-2]) if v.endswith("pt") else float(v) * 0.75 for v in xs)[:2] if len(xs) == 2 else None
    except ValueError:
        return None


def _position(page: _Page, anchor) -> tuple[float, float, float, float] | None:
    """Where a box stands on its page, in points (x, y, width, height); None where it is placed
    relative to the text around it (a paragraph, a column), which only Word's layout knows."""
    out = []
    for axis, margin in (("positionH", page.margin_left), ("positionV", page.margin_top)):
        pos = anchor.find(_q(_WP, axis))
        offset = pos.find(_q(_WP, "posOffset")) if pos is not None else None
        if pos is None or offset is None or offset.text is None:
            return None
        base = pos.get("relativeFrom")
        if base not in ("page", "margin"):
            return None
        at = _emu(offset.text)
        if at is None:
            return None
        out.append(at + (margin if base == "margin" else 0.0))
    extent = anchor.find(_q(_WP, "extent"))
    if extent is None:
        return None
    size = _emu(extent.get("cx", "0")), _emu(extent.get("cy", "0"))
    return None if None in size else (out[0], out[1], *size)


def _emu(value: str) -> float | None:
    """EMUs in points; None for what is no whole number (a damaged file's offset)."""
    try:
        return int(value) / _EMU_PER_PT
    except ValueError:
        return None
