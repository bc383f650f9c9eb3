"""Word files (.docx): body paragraphs, tables and pictures in document order.

Merged cells are explicit in WordprocessingML: `w:gridSpan` widens a cell over grid columns, and
`w:vMerge` chains a cell with the ones below it (restart, then continue). Both become one `Cell`
with spans. A table holding other tables is a layout frame: its cells are read as blocks, so the
report's tables come out as tables whatever box the author put them in.

Pictures in the body (a table pasted as a screenshot) are read by OCR where they stand
(`pictures`), at the width Word shows them. A table pasted as an Excel object is read from the
workbook the file keeps (`docx_sheets`), not from its preview picture.

A web page's "export to Word" often writes no WordprocessingML of its own: the body holds a
`w:altChunk`, a part in another format (the page as HTML or MHT, text, another .docx) that Word
converts when it opens the file. Each such part is read by the reader of its format, where it stands.
"""
from __future__ import annotations

import io
import time
import zipfile
from typing import Any, Callable

from lxml.etree import XPath

from ..errors import CorruptInput, EmptyInput
from ..model import Block, Cell, Document, Paragraph, Table
from . import html, mhtml, text
from .docx_converted import split_figures, without_hairline_columns
from .docx_numbering import write_numbers
from .docx_positioned import Positioned, positioned_pages
from .docx_sheets import EmbeddedSheets, sheet_tables
from .docx_unseen import drop_unseen
from .html import join_lines, row_of_figures
from .pictures import PictureReader, Pictures

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_NS = {"w": _W}
_PIC_NS = {"w": _W, "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
           "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
           "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
           "v": "urn:schemas-microsoft-com:vml"}
_DRAWINGS = XPath(".//w:drawing", namespaces=_PIC_NS)
_BLIP = XPath(".//a:blip/@r:embed", namespaces=_PIC_NS)
_EXTENT = XPath(".//wp:extent", namespaces=_PIC_NS)
_VML_IMAGES = XPath(".//v:imagedata/@r:id", namespaces=_PIC_NS)
# Text boxes: Word stores each twice, as DrawingML and in its VML fallback; the fallback is skipped.
_TEXT_BOXES = XPath(".//w:txbxContent[not(ancestor::mc:Fallback)]",
                    namespaces={"w": _W, "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006"})
_EMU_PER_INCH = 914400
# A data cell holds a label or a number; a cell with this much text is a frame around prose.
_LAYOUT_CELL_CHARS = 200
# Compiled with our own prefixes: python-docx's elements override .xpath() with theirs.
# Not printed: hidden text (w:vanish: an old value an author hid instead of deleting), the
# prompt a content control shows while nothing was entered in it ("单击或点击此处输入文字。"), and
# of a file published with its tracked changes, what they take out: a deletion, and text moved
# away from where it stood (its copy where it went is read); and a phonetic guide's pinyin over
# its characters (w:ruby's w:rt: the characters are its w:rubyBase).
_RUNS = XPath(".//w:r[count(ancestor::w:txbxContent) = $boxes]"
              "[not(w:rPr/w:vanish[not(@w:val='0' or @w:val='false' or @w:val='off')])]"
              "[not(ancestor::w:sdt[w:sdtPr/w:showingPlcHdr])][not(ancestor::w:del or ancestor::w:moveFrom)]"
              "[not(ancestor::w:rt)]",
              namespaces=_NS)
_BOXES_AROUND = XPath("count(ancestor::w:txbxContent)", namespaces=_NS)
# (a row deleted as a tracked change is gone from the table)
_ROWS = XPath("(./w:tr | ./w:sdt/w:sdtContent/w:tr | ./w:customXml/w:tr)[not(w:trPr/w:del)]", namespaces=_NS)
_R_ID = f"{{{_PIC_NS['r']}}}id"
_DOCX_TYPES = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
               "application/vnd.ms-word.document.macroEnabled")
_MAX_DEPTH = 2  # a Word file inside a Word file inside this one, at most
# A web page's export holds one part; each part read has its own budget of pictures (pictures.py),
# so a file of many would multiply it.
_MAX_CHUNKS = 8
_CELLS = XPath("./w:tc | ./w:sdt/w:sdtContent/w:tc | ./w:customXml/w:tc", namespaces=_NS)


def _q(tag: str) -> str:
    return f"{{{_W}}}{tag}"


def read(data: bytes, read_picture: PictureReader | None = None, depth: int = 0) -> Document:
    """`read_picture`: OCR for pictures in the body; without it they are counted in a warning.
    `depth`: how many Word files this one is an alternative part of."""
    start = time.perf_counter()
    document = _open(data)
    body = document.element.body
    if body is None:
        raise CorruptInput("the Word file has no document body")
    write_numbers(body, _numbering(document), document.styles.element)
    drop_unseen(body, document.styles.element)
    pictures = Pictures(read_picture)
    chunks = _Chunks(document.part, read_picture, depth)
    sheets = EmbeddedSheets()
    blocks: list[Block] = []
    _read_container(body, blocks, lambda p: _embedded_in(p, document.part, pictures, sheets), chunks,
                    positioned_pages(body, _paragraph_text))
    return Document(blocks=blocks, kind="docx", pages=1,
                    warnings=sheets.warnings() + pictures.warnings() + chunks.warnings,
                    timings_ms={"read_docx": (time.perf_counter() - start) * 1000 - pictures.ms - chunks.ms,
                                **pictures.timings}, ocr_pages=pictures.pages() | chunks.ocr_pages,
                    lossy_pages=pictures.lossy_pages() | chunks.lossy_pages)


_NUMBERING = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering"


def _numbering(document):
    """numbering.xml's root, or None where the file has no lists."""
    try:
        part = document.part.part_related_by(_NUMBERING)
    except KeyError:
        return None
    return getattr(part, "element", None) if part is not None else None


class _Chunks:
    """The blocks of the alternative parts (w:altChunk) of one Word file, each read by the reader
    of its format."""
    def __init__(self, part, read_picture: PictureReader | None, depth: int) -> None:
        self.part, self.read_picture, self.depth = part, read_picture, depth
        self.warnings: list[str] = []
        self.ms = 0.0  # time in the other readers (their pictures' OCR too)
        # the pages (the one page) where a part's pictures were read by OCR, or left ink unread
        self.ocr_pages: frozenset[int] = frozenset()
        self.lossy_pages: frozenset[int] = frozenset()
        self.seen = 0

    def __call__(self, chunk) -> list[Block]:
        try:
            part = self.part.related_parts[chunk.get(_R_ID)]
        except KeyError:
            return []  # a part the file does not hold: nothing Word could show either
        self.seen += 1
        if self.seen > _MAX_CHUNKS:
            if self.seen == _MAX_CHUNKS + 1:
                self.warnings.append(f"the Word file holds more than {_MAX_CHUNKS} parts in other formats; "
                                     f"those after the first {_MAX_CHUNKS} were not read")
            return []
        start = time.perf_counter()
        try:
            doc = self._read(part.content_type, part.blob)
        except (CorruptInput, EmptyInput) as exc:
            self.warnings.append(f"a part of the Word file in another format ({part.content_type}) was not read: {exc}")
            return []
        finally:
            self.ms += (time.perf_counter() - start) * 1000
        if doc is None:
            self.warnings.append(f"a part of the Word file in a format not read ({part.content_type}) was skipped")
            return []
        self.warnings += doc.warnings
        self.ocr_pages |= doc.ocr_pages or frozenset()
        self.lossy_pages |= doc.lossy_pages or frozenset()
        return doc.blocks

    def _read(self, content_type: str, blob: bytes) -> Document | None:
        if content_type in ("text/html", "application/xhtml+xml"):
            return html.read(blob, self.read_picture)
        if content_type in ("message/rfc822", "multipart/related"):
            return mhtml.read(blob, self.read_picture)
        if content_type == "text/plain":
            return text.read(blob, self.read_picture)
        if content_type.startswith(_DOCX_TYPES) and self.depth < _MAX_DEPTH:
            return read(blob, self.read_picture, self.depth + 1)
        return None


def _embedded_in(p, part, pictures: Pictures, sheets: EmbeddedSheets) -> list[Block]:
    """What a body paragraph holds besides its text, as blocks: the tables of its Excel objects,
    and its pictures (images, at the width Word shows them), an Excel object's preview aside
    where its workbook was read."""
    out: list[Block] = list(sheet_tables(p, part, sheets))
    found = []
    for drawing in _DRAWINGS(p):
        rids, extents = _BLIP(drawing), _EXTENT(drawing)
        inches = int(extents[0].get("cx", "0")) / _EMU_PER_INCH if extents else None
        found += [(rid, inches) for rid in rids[:1]]
    found += [(rid, None) for rid in _VML_IMAGES(p) if rid not in sheets.previews]
    for rid, inches in found:
        try:
            blob = part.related_parts[rid].blob
        except (KeyError, AttributeError):
            continue  # a linked (not embedded) picture: nothing to read
        out += pictures.blocks(blob, inches)
    return out


def _open(data: bytes):
    if not data:
        raise EmptyInput("the file is empty")
    # python-docx wraps zip, package and XML failures in different exception types; a damaged
    # file is one answer to the user whichever layer noticed.
    try:
        import docx  # python-docx

        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError) as exc:
        raise CorruptInput(f"the Word file cannot be opened: {exc}") from exc
    except Exception as exc:  # docx.opc.exceptions.PackageNotFoundError, lxml XMLSyntaxError, ...
        raise CorruptInput(f"the Word file cannot be opened: {type(exc).__name__}: {exc}") from exc
    return document


def _content(el) -> list:
    """Paragraphs, tables and alternative parts directly in a container, content controls and
    custom XML unwrapped."""
    out = []
    for child in el:
        if child.tag in (_q("p"), _q("tbl"), _q("altChunk")):
            out.append(child)
        elif child.tag in (_q("sdt"), _q("customXml")):
            inner = child.find(_q("sdtContent")) if child.tag == _q("sdt") else child
            if inner is not None:
                out += _content(inner)
    return out


def _read_container(el, blocks: list[Block], pictures: Callable[[Any], list[Block]],
                    chunks: Callable[[Any], list[Block]], positioned: Positioned = Positioned()) -> None:
    """`positioned`: the pages drawn as positioned boxes, laid out (docx_positioned): their blocks
    stand where their first box is anchored, and their boxes are not read again."""
    for child in _content(el):
        if child.tag == _q("p"):
            blocks += positioned.at.get(child, [])
            for box in _text_boxes(child):
                if box not in positioned.boxes:  # (the anchor's `pictures` has those inside)
                    _read_container(box, blocks, _no_pictures, chunks)
            text = _paragraph_text(child).strip()
            if text and child not in positioned.framed:
                blocks.append(Paragraph(text))
            blocks += pictures(child)
        elif child.tag == _q("altChunk"):
            blocks += chunks(child)
        else:
            table = _table(child)
            if table is not None:
                blocks.append(table)
            else:
                for tc in child.iter(_q("tc")):
                    if _owning_table(tc) is child:
                        _read_container(tc, blocks, pictures, chunks, positioned)


def _text_boxes(p) -> list:
    """The text boxes anchored in a paragraph (a title or a signature set in a box), outermost
    only: a box inside a box is read with the box that holds it. Read where they are anchored,
    before the paragraph's own text."""
    out = []
    for box in _TEXT_BOXES(p):
        el = box.getparent()
        while el is not None and el is not p and el.tag != _q("txbxContent"):
            el = el.getparent()
        if el is p:
            out.append(box)
    return out


def _no_pictures(p) -> list[Block]:
    return []


def _owning_table(tc):
    el = tc.getparent()
    while el is not None and el.tag != _q("tbl"):
        el = el.getparent()
    return el


def _paragraph_text(p) -> str:
    parts: list[str] = []
    # Runs anywhere in the paragraph (hyperlinks, insertions, fields, smart tags), but not the
    # paragraphs of text boxes anchored in it, which are read as blocks of their own.
    for r in _RUNS(p, boxes=_BOXES_AROUND(p)):
        for node in r:
            if node.tag == _q("t"):
                parts.append(node.text or "")
            elif node.tag == _q("tab"):
                parts.append("\t")
            elif node.tag in (_q("br"), _q("cr")):
                parts.append("\n")
            elif node.tag == _q("noBreakHyphen"):
                parts.append("-")
    return "".join(parts)


def _cell_lines(tc) -> list[str]:
    """A cell's lines as written, their spaces and tabs kept."""
    lines: list[str] = []
    for child in _content(tc):
        if child.tag == _q("p"):
            lines += _paragraph_text(child).split("\n")
        else:  # a table inside a data cell: keep its words
            lines += [_paragraph_text(p) for p in child.iter(_q("p"))]
    return lines


def _val(el, path: str) -> str | None:
    found = el.find(path)
    if found is None:
        return None
    return found.get(_q("val"))


def _int(value: str | None, default: int) -> int:
    try:
        return max(0, int(value)) if value is not None else default
    except ValueError:
        return default


def _table(tbl) -> Table | None:
    """The grid of a data table; None for a layout frame (one holding tables, one row or column, or
    cells of prose), unless its one row is a row of figures."""
    if tbl.find(f".//{_q('tbl')}") is not None:
        return None
    rows = _ROWS(tbl)
    cells: list[Cell] = []
    # For each grid column, the cell a vertical merge would continue (the one ending in the row above).
    open_above: dict[int, Cell] = {}
    raw: dict[int, list[str]] = {}  # a wide cell's lines as written, spaces and tabs kept
    for r, tr in enumerate(rows):
        c = _int(_val(tr, f"{_q('trPr')}/{_q('gridBefore')}"), 0)
        now_open: dict[int, Cell] = {}
        prev: Cell | None = None
        for tc in _CELLS(tr):
            tcpr = tc.find(_q("tcPr"))
            span = _int(_val(tcpr, _q("gridSpan")), 1) if tcpr is not None else 1
            span = max(span, 1)
            vmerge = tcpr.find(_q("vMerge")) if tcpr is not None else None
            hmerge = _val(tcpr, _q("hMerge")) if tcpr is not None else None
            continues_h = tcpr is not None and tcpr.find(_q("hMerge")) is not None and hmerge != "restart"
            if continues_h and prev is not None:
                # Legacy horizontal merge: this cell only widens the one on its left.
                prev.colspan += span
                for k in range(c, c + span):
                    now_open[k] = prev
                c += span
                continue
            continues_v = vmerge is not None and vmerge.get(_q("val"), "continue") == "continue"
            above = open_above.get(c)
            if continues_v and above is not None and above.col == c and above.colspan == span:
                above.rowspan += 1
                cell = above
            else:
                lines = _cell_lines(tc)
                cell = Cell(r, c, join_lines(lines), colspan=span)
                cells.append(cell)
                if span > 1:
                    raw[id(cell)] = lines
            for k in range(c, c + span):
                now_open[k] = cell
            prev = cell
            c += span
        open_above = now_open
    n_rows = len(rows)
    cells = [piece for cell in cells for piece in
             (split_figures(cell, raw[id(cell)]) if id(cell) in raw and cell.rowspan == 1 else [cell])]
    widths = [_int(col.get(_q("w")), 0) for col in tbl.findall(f"{_q('tblGrid')}/{_q('gridCol')}")]
    cells, n_cols = without_hairline_columns(cells, max((cell.col + cell.colspan for cell in cells), default=0), widths)
    if n_cols < 2 or all(cell.blank for cell in cells) or (n_rows < 2 and not row_of_figures(cells)):
        return None
    if any(len(cell.text) > _LAYOUT_CELL_CHARS for cell in cells):
        return None  # a frame around prose, not a table of figures
    return Table(cells=cells, n_rows=n_rows, n_cols=n_cols, origin="docx")
