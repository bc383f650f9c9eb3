"""PDF with a text layer (PyMuPDF): words from the characters, tables from the rulings.

Per page: the page is put in its upright reading frame (`pdf_frame`: a page stored turned, or set
sideways, reads as a reader holds it), characters become words (split at spaces, gaps and table
rulings, so text in touching cells never fuses), the drawn lines and rectangles become rulings,
`grid.build_tables` makes the ruled tables, `unruled.unruled_tables` rebuilds the tables that lost
their rulings from how their words line up, and the remaining words become paragraphs. Across
pages: the page furniture (headers/footers of an office suite or a browser) is dropped, and a
table continued on the next page is joined to its first part.

Pages without a text layer are handed to `ocr_page(page, overlaid=...) -> OcrReading` when given; its stage
times (render, detect, recognize...) are summed into the Document's as `ocr_<stage>`. So are a
page whose text layer cannot be read (`pdf_legibility`) and, when there is an OCR engine, a
scanner's "searchable" page (an image under another OCR's invisible text, of unknown quality).
"""
from __future__ import annotations

import re
import time
import zlib
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable

import pymupdf

from ..doubted_blanks import blanks_off_page, blanks_over_ink
from ..errors import CorruptInput, EmptyInput, EncryptedInput, NeedsOCR
from ..grid import Segment, Word, build_tables, line_text, text_lines
from ..model import EVERYWHERE, BBox, Document, Paragraph, Table
from ..page_text import TextLine, bounding_box, page_lines, paragraphs
from ..unruled import unruled_tables
from .pdf_frame import Frame, reading_frame
from .pdf_legibility import drawn_as_outlines, illegible, raw_spans
from .note_marks import without_raised_references
from .pdf_struck import without_struck
from .pdf_visibility import without_unseen_text
from . import sheet


@dataclass
class OcrReading:
    """What the OCR hook reads on a page (or a rectangle of it): words and rulings in page points,
    its wall time per stage, and what it did to read it (turned, flattened a photograph)."""
    words: list[Word]
    h_lines: list[Segment]
    v_lines: list[Segment]
    stage_ms: dict[str, float]
    notes: list[str] = field(default_factory=list)
    size: tuple[float, float] | None = None  # (width, height) of the page as read, points
    # A page whose picture holds pages one under another (a merged scan): each read on its own, its
    # words measured from its own top, which stands `top` points down the page.
    parts: list[OcrReading] | None = None
    top: float = 0.0
    # marks the size of a character no word read accounts for (scan.unread_ink), in page points
    # like the words: none where nothing printed went unread
    unread: list[BBox] = field(default_factory=list)


# (page, clip rectangle or None for the whole page, overlaid=whether anything but pictures shows
# on the page, when known) -> its reading
OcrPage = Callable[..., OcrReading]

# A drawn rectangle at most this thick is a ruling, not a box.
_THIN = 3.0
# A picture on a page of text is read when it may hold a table: at least this wide and high
# (points), this share of the page, and with no more words of the text layer over it.
_PICTURE_MIN_W, _PICTURE_MIN_H = 144.0, 72.0
_PICTURE_MIN_SHARE = 0.03
_PICTURE_MAX_WORDS = 2
# What a picture read must give to be kept: rulings, or this many words (a table without rulings).
_PICTURE_MIN_WORDS = 12
# Column boundaries of a table's two parts on consecutive pages agree within this.
_JOIN_TOL = 3.0


@dataclass
class PageLayout:
    number: int  # 1-based
    height: float
    tables: list[Table] = field(default_factory=list)
    lines: list[TextLine] = field(default_factory=list)
    ocr: bool = False
    ocr_ms: dict[str, float] = field(default_factory=dict)  # the OCR's wall time per stage
    turn: int = 0  # degrees the page as shown was turned to read its text
    columns: list[float] = field(default_factory=list)  # of its last table without rulings
    hidden_text: bool = False  # a scan whose invisible text layer was set aside for our OCR
    # a scan whose invisible text layer (another OCR's) was read as it is, no OCR being available
    unchecked: bool = False
    pictures: int = 0  # pictures on a page of text read by OCR
    illegible: str = ""  # "garbled" or "outlines": a page of text read by OCR, its text layer being unusable
    notes: list[str] = field(default_factory=list)  # the OCR's, on how it read the page
    # where it is one of several pages on one page of the file (two side by side, or stacked in
    # one picture): the x and y of its top left corner there
    left: float = 0.0
    top: float = 0.0
    # marks the size of a character on it (or on its sheet) that no word OCR read accounts for, in
    # the points of its words (EVERYWHERE where its parts' words do not share one frame)
    unread: list[BBox] = field(default_factory=list)

    @property
    def nothing_lost(self) -> bool:
        """Whether every word printed on the page is among its words: a text layer's, or OCR's
        where no ink went unread (scan.unread_ink). An empty row there is printed blank."""
        return not self.unread


def unread_at(pages: list[PageLayout]) -> dict[int, tuple[BBox, ...]]:
    """Document.unread_at: where on each page the ink OCR left unread stands. A page of the file
    laid out as several (a sheet's two pages, pages stacked in one picture) has it EVERYWHERE: its
    parts' words are not measured in one frame."""
    parts = Counter(p.number for p in pages)
    return {p.number: (EVERYWHERE,) if parts[p.number] > 1 else tuple(p.unread) for p in pages if p.unread}


def read(data: bytes, ocr_page: OcrPage | None = None) -> Document:
    t0 = time.perf_counter()
    doc = _open(data)
    warnings: list[str] = []
    pages: list[PageLayout] = []
    unread: dict[int, str] = {}  # page → why it was left for OCR: "image", "garbled", "outlines"
    for i in range(doc.page_count):
        try:
            page = doc.load_page(i)
        except (RuntimeError, ValueError) as exc:
            raise CorruptInput(f"the PDF cannot be parsed: page {i + 1}: {exc}") from None
        found = _read_page(page, ocr_page, pages[-1].columns if pages and pages[-1].number == i else [])
        if isinstance(found, list):
            pages.extend(found)
        elif found != "blank":
            unread[i + 1] = found
    n_pages = doc.page_count
    if doc.is_repaired:
        warnings.append("the PDF was damaged; its cross-reference table was rebuilt")
    doc.close()
    if not any(p.lines or p.tables for p in pages):
        if unread:
            why = set(unread.values())
            raise NeedsOCR("image-only PDF: needs OCR" if why == {"image"} else
                           f"the PDF's text cannot be read from its text layer ({', '.join(sorted(why))}): needs OCR")
        raise EmptyInput("the PDF has no text and no images")
    for n, why in unread.items():
        warnings.append(f"page {n} {_UNREAD[why]} and was skipped: it needs OCR")
    for p in pages:
        if p.hidden_text:
            warnings.append(f"page {p.number} is a scan with another OCR's invisible text over it; "
                            f"it was read with our OCR instead")
        if p.unchecked:
            warnings.append(f"page {p.number} is a scan with another OCR's invisible text over it, and no OCR "
                            f"is available here: that text was read unchecked, and no field is accepted")
        if p.illegible:
            warnings.append(f"page {p.number} {_UNREAD[p.illegible]}; it was read by OCR")
        warnings += [note if note.startswith("page ") else f"page {p.number}: {note}" for note in p.notes]
        if p.pictures:
            warnings.append(f"page {p.number}: {p.pictures} picture(s) on a page of text were read by OCR "
                            f"(a table pasted as an image)")
        if p.turn and not p.ocr:
            warnings.append(f"page {p.number} was turned {p.turn}° to read its text; "
                            f"its boxes are in the turned page")
    t1 = time.perf_counter()

    warnings = list(dict.fromkeys(warnings))  # the two pages of a sheet share its notes
    drop_page_furniture(pages)
    blocks = join_continued_tables([page_blocks(p) for p in pages],
                                   same_widths if any(p.left for p in pages) else None)
    # a scan read from another OCR's invisible text is still a scan
    kind = "pdf-scan" if pages and all(p.ocr or p.unchecked for p in pages) else "pdf-text"
    t2 = time.perf_counter()
    timings = {"pdf_pages": (t1 - t0) * 1000, "pdf_layout": (t2 - t1) * 1000}
    add_ocr_stages(timings, (p.ocr_ms for p in pages))
    return Document(blocks=blocks, kind=kind, pages=n_pages, warnings=warnings, timings_ms=timings,
                    ocr_pages=frozenset(p.number for p in pages if p.ocr or p.pictures),
                    lossy_pages=frozenset(p.number for p in pages if not p.nothing_lost),
                    unread_at=unread_at(pages),
                    unchecked_pages=frozenset(p.number for p in pages if p.unchecked))


_UNREAD = {
    "image": "has no text layer (an image only)",
    "garbled": "has a text layer whose fonts map to no characters (it reads as garbage)",
    "outlines": "has its text drawn as outlines, with no text layer",
}


def add_ocr_stages(timings: dict[str, float], pages_ms: Iterable[dict[str, float]]) -> None:
    """The OCR's per-page stage times summed into a document's timings, as ocr_<stage>."""
    for k, v in summed_stages(pages_ms).items():
        timings[f"ocr_{k}"] = timings.get(f"ocr_{k}", 0.0) + v


def summed_stages(stage_ms: Iterable[dict[str, float]]) -> dict[str, float]:
    """Times per stage (ms), summed over several readings."""
    total: dict[str, float] = {}
    for one in stage_ms:
        for k, v in one.items():
            total[k] = total.get(k, 0.0) + v
    return total


def _open(data: bytes) -> pymupdf.Document:
    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
    except Exception as exc:  # MuPDF's FileDataError, RuntimeError...: all mean unparsable
        raise CorruptInput(f"the PDF cannot be parsed: {exc}") from None
    if doc.needs_pass:
        doc.close()
        raise EncryptedInput("the PDF is encrypted and needs a password")
    if doc.page_count == 0:
        doc.close()
        raise CorruptInput("the PDF has no readable page")
    if doc.is_repaired and _lost_content(doc):
        doc.close()
        raise CorruptInput("the PDF is damaged (truncated?): part of its page content is missing")
    return doc


def _lost_content(doc: pymupdf.Document) -> bool:
    """Whether a repaired PDF lost objects. MuPDF repairs a truncated file silently and draws what
    is left, so a page could come back without its table: refuse rather than mislead. Lost shows
    as a reference to an object the file no longer has, or a compressed stream without its end."""
    n = doc.xref_length()
    present: dict[int, bool] = {}

    def exists(x: int) -> bool:
        if x not in present:
            present[x] = x < n and doc.xref_object(x, compressed=True) != "null"
        return present[x]

    for x in range(1, n):
        try:
            src = doc.xref_object(x, compressed=True)
            if doc.xref_is_stream(x):
                raw = doc.xref_stream_raw(x)
                if raw is None or _cut_short(doc, x, raw):
                    return True
                doc.xref_stream(x)
        except Exception:  # a stream cut short fails to decode
            return True
        if any(not exists(int(r)) for r in _REF.findall(src)):
            return True
    return False


def _cut_short(doc: pymupdf.Document, xref: int, raw: bytes) -> bool:
    """A Flate stream without its end: the repair rewrote /Length to what was left, but the
    compressed data still lacks its final block."""
    if doc.xref_get_key(xref, "Filter") != ("name", "/FlateDecode"):
        return False
    inflater = zlib.decompressobj()
    try:
        inflater.decompress(raw)
    except zlib.error:
        return True
    return not inflater.eof


_REF = re.compile(r"\b(\d+) 0 R\b")


def drawn_invisibly(span: dict) -> bool:
    """Whether a text-trace span is not drawn: invisible rendering mode or fully transparent, as
    a scanner's OCR lays its reading over the scan."""
    return span["type"] == 3 or span.get("opacity", 1.0) == 0


def _hidden_text_over_image(page: pymupdf.Page, images: list[dict]) -> tuple[bool, int]:
    """A scanner's searchable PDF: a page image with another OCR engine's reading laid over it as
    invisible text. That reading's quality is unknown (misread digits come with no score), so
    such a page goes to our own OCR when there is one. `images`: the page's image info. Also the
    number of the page's characters that are drawn visibly (0 where no image covers half the page:
    the text was not looked at)."""
    area = abs(page.rect)
    if not any(abs(pymupdf.Rect(i["bbox"]) & page.rect) >= 0.5 * area for i in images):
        return False, 0
    spans = page.get_texttrace()
    n = sum(len(s["chars"]) for s in spans)
    hidden = sum(len(s["chars"]) for s in spans if drawn_invisibly(s))
    return n > 0 and hidden >= 0.9 * n, n - hidden


def _has_images(page: pymupdf.Page) -> bool:
    # inline images (common in scanner output) are not in the page's image list
    return bool(page.get_images(full=False)) or any(
        b.get("type") == 1 for b in page.get_text("dict").get("blocks", []))


def _read_page(page: pymupdf.Page, ocr_page: OcrPage | None, carried: list[float]) -> list[PageLayout] | str:
    """The page's tables and text lines (two pages' where the page holds two side by side:
    readers.sheet), or why it was not read: "image" (an image-only page),
    "garbled" or "outlines" (a page of text without a usable text layer, `pdf_legibility`) when
    there is no OCR, "blank" for a page with nothing on it. `carried`: the columns of the previous
    page's last table without rulings, which may go on here."""
    try:
        drawings = page.get_drawings()
        raw = page.get_text("rawdict", flags=pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_MEDIABOX_CLIP)
        # what a reader does not take as the page's standing text: unseen, struck out, a note's mark
        raw = without_unseen_text(raw, drawings, page.get_texttrace)
        raw = without_raised_references(without_struck(raw, drawings))
        frame = reading_frame(page, raw)
        h, v = _rulings(drawings, frame, page.rect.width * page.rect.height)
        words = _words(raw, frame, v)
        unusable = ""
        if words and illegible(raw_spans(raw)):
            unusable = "garbled"
        elif drawn_as_outlines(drawings, sum(len(w.text) for w in words)):
            unusable = "outlines"
        # the pictures under a page of text, asked once: a scan's (hidden text) or a table's (OCR'd)
        # (asked without OCR too: another OCR's text is then read, but not as the page's own)
        images_info = page.get_image_info() if words and not unusable else []
        hidden, visible = _hidden_text_over_image(page, images_info) if images_info else (False, 0)
        # whether anything but pictures shows on the page (text not hidden, paths): the OCR need
        # not look again whether a scan is all there is to see
        overlaid = bool(drawings) or (bool(words) and (not hidden or visible > 0))
        # another OCR's reading, which no OCR of ours can replace here: read, but none of it trusted
        unchecked = hidden and ocr_page is None
        if hidden and not unchecked or unusable:
            words = []
        images = not words and not unusable and _has_images(page)
    except (RuntimeError, ValueError) as exc:  # MuPDF raises these on broken page content
        raise CorruptInput(f"the PDF cannot be parsed: page {page.number + 1}: {exc}") from None
    ocr, ocr_ms, notes = False, {}, []
    # what is laid out: (top on the page, width, height, words, rulings) of each picture of a page
    # on it (several where it holds pages one under another), else the page's own
    stack: list[tuple[float, float, float, list[Word], list[Segment], list[Segment], list[BBox]]] = []
    if not words:
        if not images and not unusable:
            return "blank"
        if ocr_page is None:
            return unusable or "image"
        read = ocr_page(page, overlaid=overlaid)
        ocr, ocr_ms, notes = True, read.stage_ms, read.notes
        stack = [(r.top, *_read_size(r, page.rect, bool(read.parts)), r.words, r.h_lines, r.v_lines, r.unread)
                 for r in (read.parts or [read])]
    # (the images are asked for without OCR too, for a scan's invisible text; its pictures are not read then)
    pictures = (_pictures_without_text(page, words, images_info)
                if not ocr and frame.turn == 0 and ocr_page is not None else [])
    kept, unread = 0, []
    for box in pictures:
        more = ocr_page(page, box)
        ocr_ms = summed_stages([ocr_ms, more.stage_ms])
        if more.h_lines or more.v_lines or len(more.words) >= _PICTURE_MIN_WORDS:  # else a photo: a caption's worth
            words, h, v = words + more.words, h + more.h_lines, v + more.v_lines
            kept += 1
            unread += more.unread
    n = page.number + 1
    laid: list[PageLayout] = []
    for top, width, height, words, h, v, marks in stack or [(0.0, frame.width, frame.height, words, h, v, unread)]:
        parts = sheet.pages_on_sheet(width, height, words, h, v)
        for part in parts:
            laid.append(lay_out(PageLayout(number=n, height=height, ocr=ocr, ocr_ms=ocr_ms if not laid else {},
                                           turn=0 if ocr else frame.turn, hidden_text=hidden and not unchecked,
                                           unchecked=unchecked, pictures=kept,
                                           illegible=unusable, notes=notes if not laid else [],
                                           left=part.left, top=top, unread=marks),
                                part.h_lines, part.v_lines, part.words, laid[-1].columns if laid else carried))
            if not ocr:
                seen = laid[-1].tables
                laid[-1].tables = blanks_off_page(seen, width, height)
                if laid[-1].tables is not seen:
                    laid[-1].notes = laid[-1].notes + [_OFF_PAGE]
        if len(parts) > 1:
            laid[0].notes = laid[0].notes + [sheet.NOTE]
    return laid


_OFF_PAGE = "a table runs off the page: its empty cells there are not seen, and are held for review"


def _read_size(read: OcrReading, rect: pymupdf.Rect, stacked: bool) -> tuple[float, float]:
    """The width and height of what an OCR reading measured its words in: the page's, unless it
    was read turned a quarter, or is one of pages stacked in its picture."""
    if read.size and (stacked or (read.size[0] > read.size[1]) != (rect.width > rect.height)):
        return read.size
    return rect.width, rect.height


def _pictures_without_text(page: pymupdf.Page, words: list[Word], images: list[dict]) -> list[pymupdf.Rect]:
    """Pictures on a page of text that may hold a table: a table pasted into Word as a screenshot
    and exported with it. Large enough for one (a seal or a logo is not), and with no text of the
    text layer over them (a background, or a scan whose text a scanner added). `images`: the
    page's image info."""
    found: list[pymupdf.Rect] = []
    for info in images:
        box = pymupdf.Rect(info["bbox"]) & page.rect
        if box.is_empty or box.width < _PICTURE_MIN_W or box.height < _PICTURE_MIN_H:
            continue
        if abs(box) < _PICTURE_MIN_SHARE * abs(page.rect) or any(abs(box & b) > 0.5 * abs(box) for b in found):
            continue
        inside = sum(box.contains(pymupdf.Point((w.bbox[0] + w.bbox[2]) / 2, (w.bbox[1] + w.bbox[3]) / 2))
                     for w in words)
        if inside <= _PICTURE_MAX_WORDS:
            found.append(box)
    return found


def lay_out(page: PageLayout, h: list[Segment], v: list[Segment], words: list[Word], carried: list[float],
            tol: float = 2.0) -> PageLayout:
    """The page's tables and text lines: the ruled tables first, then the tables that lost their
    rulings among the words left (`carried`: the columns of such a table ending the page before),
    and the rest as lines of text."""
    tables, free = build_tables(h, v, words, page=page.number, tol=tol)
    # (a page number under a table that lost its rulings is no row of it: its digit would stand in
    # one of the table's columns; drop_page_furniture takes it out with the text lines)
    numbering = _page_numbers(free, page.height)
    # the page's own text layer, with no OCR'd words among it (its pictures read none)
    unruled = unruled_tables([w for w in free if id(w) not in numbering], page=page.number, carried=carried,
                             text_layer=not page.ocr and not page.pictures, nothing_lost=page.nothing_lost)
    found = tables + unruled.tables
    page.tables, page.columns = blanks_over_ink(found, page.unread) if page.ocr else found, unruled.columns
    page.lines = page_lines(unruled.free + [w for w in free if id(w) in numbering])
    return page


def _page_numbers(words: list[Word], height: float) -> set[int]:
    """The words of a line in the page's top or bottom band that is a page number printed as one
    (- 2 -, 第2页, 2/5): a bare number there may be a table's last row, and stays."""
    found: set[int] = set()
    for line in text_lines(words):
        box = bounding_box([w.bbox for w in line])
        text = _digits_free(line_text(line))
        if (box[3] <= _BAND * height or box[1] >= (1 - _BAND) * height) and text != "#" and _PAGE_NO.match(text):
            found |= {id(w) for w in line}
    return found


# ------------------------------------------------------------------------------------ rulings

def _rulings(drawings: list[dict], frame: Frame, area: float) -> tuple[list[Segment], list[Segment]]:
    """Horizontal and vertical rulings: stroked lines, thin rectangles, and the edges of boxes."""
    h: list[Segment] = []
    v: list[Segment] = []
    for path in drawings:
        stroked = path.get("color") is not None and "s" in (path.get("type") or "")
        filled = path.get("fill") is not None and "f" in (path.get("type") or "")
        if not stroked and not (filled and not _white(path.get("fill"))):
            continue  # invisible, or a white box (a page or cell background)
        for item in path["items"]:
            op = item[0]
            if op == "l":
                _add_line(frame.point(item[1]), frame.point(item[2]), h, v)
            elif op == "re":
                _add_rect(frame.rect(item[1]), h, v, area)
            elif op == "qu":
                quad = item[1]
                if quad.is_rectangular:
                    _add_rect(frame.rect(quad.rect), h, v, area)
    return h, v


def _white(rgb) -> bool:
    return rgb is not None and all(c >= 0.95 for c in rgb)


def _add_line(p, q, h: list[Segment], v: list[Segment]) -> None:
    if abs(p.y - q.y) <= 1.0 and abs(p.x - q.x) > 1.0:
        h.append(Segment(p.x, p.y, q.x, q.y))
    elif abs(p.x - q.x) <= 1.0 and abs(p.y - q.y) > 1.0:
        v.append(Segment(p.x, p.y, q.x, q.y))


def _add_rect(r: pymupdf.Rect, h: list[Segment], v: list[Segment], page_area: float) -> None:
    r = pymupdf.Rect(r).normalize()
    if r.height <= _THIN and r.width > _THIN:
        y = (r.y0 + r.y1) / 2
        h.append(Segment(r.x0, y, r.x1, y))
    elif r.width <= _THIN and r.height > _THIN:
        x = (r.x0 + r.x1) / 2
        v.append(Segment(x, r.y0, x, r.y1))
    elif r.width > _THIN and r.height > _THIN and r.width * r.height < 0.9 * page_area:
        h += [Segment(r.x0, r.y0, r.x1, r.y0), Segment(r.x0, r.y1, r.x1, r.y1)]
        v += [Segment(r.x0, r.y0, r.x0, r.y1), Segment(r.x1, r.y0, r.x1, r.y1)]


# -------------------------------------------------------------------------------------- words

def _words(raw: dict, frame: Frame, v_lines: list[Segment]) -> list[Word]:
    """Words built from the characters (of the page's "rawdict", placed in its upright frame): split
    at spaces, at gaps wider than a third of the font size (the characters of a word touch; the
    text of two cells side by side in a table without rulings may stand only a few points apart),
    and where a vertical ruling passes between two characters. A character drawn again where it
    already stands (bold faked by overprinting) is read once."""
    out: list[Word] = []
    verticals = _Verticals(v_lines)
    drawn = _Overprint()
    for block in raw.get("blocks", []):
        for line in block.get("lines", []):
            cur: list[tuple[str, BBox]] = []
            last_size = 0.0
            for span in line.get("spans", []):
                size = span.get("size", 10.0)
                for ch in span.get("chars", []):
                    c, box = ch["c"], frame.box(ch["bbox"])
                    if not c.strip():
                        _flush(cur, out)
                        cur = []
                        continue
                    if drawn.again(c, box):
                        continue
                    if cur:
                        gap = box[0] - cur[-1][1][2]
                        if gap > 0.3 * max(size, last_size) or verticals.between(cur[-1][1], box):
                            _flush(cur, out)
                            cur = []
                    cur.append((c, box))
                    last_size = size
            _flush(cur, out)
    return _touching_joined(out, verticals)


# Glyphs of one word touch: a gap (points) this small, against the characters' height, is no space
# (a space is a fifth of the font size or more).
_TOUCHING = 0.05


def _touching_joined(words: list[Word], verticals: _Verticals) -> list[Word]:
    """Words whose glyphs touch joined, left to right: a number whose digits a tool drew out of
    order ("7", then "1" before it: 17), which the characters' order in their lines kept apart. The
    words keep the order they were drawn in."""
    if len(words) < 2:
        return words
    at = {id(w): n for n, w in enumerate(words)}
    joined: list[tuple[int, Word]] = []
    for line in text_lines(words):
        run = [line[0]]
        for w in line[1:]:
            if _touch(run[-1].bbox, w.bbox) and not verticals.between(run[-1].bbox, w.bbox):
                run.append(w)
                continue
            joined.append(_one_word(run, at))
            run = [w]
        joined.append(_one_word(run, at))
    if len(joined) == len(words):
        return words
    return [w for _, w in sorted(joined, key=lambda nw: nw[0])]


def _one_word(run: list[Word], at: dict[int, int]) -> tuple[int, Word]:
    first = min(at[id(w)] for w in run)
    if len(run) == 1:
        return first, run[0]
    return first, Word("".join(w.text for w in run), bounding_box([w.bbox for w in run]), min(w.score for w in run))


def _touch(a: BBox, b: BBox) -> bool:
    h = min(a[3] - a[1], b[3] - b[1])
    return (h > 0 and abs(a[1] - b[1]) < 0.2 * h and abs(a[3] - b[3]) < 0.2 * h
            and -_TOUCHING * h <= b[0] - a[2] <= _TOUCHING * h)


def _flush(chars: list[tuple[str, BBox]], out: list[Word]) -> None:
    if chars:
        out.append(Word("".join(c for c, _ in chars), bounding_box([b for _, b in chars])))


class _Overprint:
    """The characters drawn so far, to know one drawn again within a point of itself: WPS and some
    PDF printers fake bold by drawing a line twice, the copy shifted a fraction of a point, and
    MuPDF hands back both copies when they are separate text objects."""

    TOL = 1.0
    BAND = 4.0  # rows of the index, in points: a copy within TOL is in its row or the next one

    def __init__(self):
        self.at: dict[tuple[str, int], list[tuple[float, float]]] = {}  # (character, row) → (x, y)

    def again(self, c: str, box: BBox) -> bool:
        x, y = box[0], box[1]
        if box[2] <= x:
            return False
        row = int(y // self.BAND)
        if self._near(self.at.get((c, row)), x, y):
            return True
        r = y - row * self.BAND
        if r < self.TOL and self._near(self.at.get((c, row - 1)), x, y):
            return True
        if r > self.BAND - self.TOL and self._near(self.at.get((c, row + 1)), x, y):
            return True
        self.at.setdefault((c, row), []).append((x, y))
        return False

    def _near(self, seen: list[tuple[float, float]] | None, x: float, y: float) -> bool:
        if seen:
            for x0, y0 in seen:
                if abs(x0 - x) <= self.TOL and abs(y0 - y) <= self.TOL:
                    return True
        return False


class _Verticals:
    """The vertical rulings sorted by x: whether one passes between two characters is a bisection,
    not a pass over every ruling for every pair of characters."""

    def __init__(self, lines: list[Segment]):
        self.lines = sorted(((s.x0 + s.x1) / 2, min(s.y0, s.y1), max(s.y0, s.y1)) for s in lines)
        self.xs = [x for x, _, _ in self.lines]

    def between(self, a: BBox, b: BBox) -> bool:
        lo, hi = min(a[2], b[0]) - 0.5, max(a[2], b[0]) + 0.5
        cy = (b[1] + b[3]) / 2
        i = bisect_left(self.xs, lo)
        while i < len(self.xs) and self.xs[i] <= hi:
            _, y0, y1 = self.lines[i]
            if y0 <= cy <= y1:
                return True
            i += 1
        return False


# ------------------------------------------------------------------------ headers and footers

_BAND = 0.10  # share of the page height at top and bottom where running headers/footers sit
_OUTER = 0.06  # the outermost strip, where a browser prints its header and footer

_PAGE_NO = re.compile(
    r"^(第#页(共#页)?|第#页[,，/]共#页|共#页第#页|#/#|[-–—]#[-–—]|#|page#(of#)?|#of#)$", re.I)
_DATE_TIME = re.compile(
    r"^(\d{4}[/.-]\d{1,2}[/.-]\d{1,2}|\d{1,2}/\d{1,2}/\d{2,4},?)\s*(上午|下午|AM|PM)?\s*\d{1,2}:\d{2}", re.I)
_URL = re.compile(r"^(https?://|www\.)|^[\w.-]+\.(gov|com|org|net|edu)(\.cn)?(/|$)|^file:///", re.I)


def _digits_free(text: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))


def _is_furniture_text(text: str) -> bool:
    t = text.strip()
    return bool(_PAGE_NO.match(_digits_free(t)) or _DATE_TIME.match(t) or _URL.match(t))


def drop_page_furniture(pages: list[PageLayout]) -> None:
    """Remove running headers and footers from the pages' text lines.

    A line goes when it sits in the top or bottom band of the page and (a) is a page number
    (第 1 页, 1/5, - 2 -), or (b) repeats at the same place on most pages (digits ignored, so
    "第 1 页" and "第 2 页" repeat), or (c) shares its row, in the outermost strip, with a browser's
    date and time, URL or page count: the title a browser prints beside them goes with them.
    """
    need = max(2, (len(pages) + 1) // 2)
    drops: list[set[int]] = []
    for p in pages:
        drop: set[int] = set()
        for i, ln in enumerate(p.lines):
            band = _band(ln, p.height, _BAND)
            if not band:
                continue
            if _is_furniture_text(ln.text) and not (_digits_free(ln.text) == "#" and any(
                    j != i and _same_row(ln, other) for j, other in enumerate(p.lines))):
                # (a bare number beside other text on its row is a table's value, its label to the
                # left: the last row of a table the page break cut off, atop the next page)
                drop.add(i)
            elif len(pages) >= 2 and len(_same_place(pages, band, ln)) >= need:
                drop.add(i)
        # a browser's row: everything on the row of a dropped piece in the outermost strip
        rows = [p.lines[i] for i in drop if _band(p.lines[i], p.height, _OUTER)]
        for i, ln in enumerate(p.lines):
            if i not in drop and _band(ln, p.height, _OUTER) and any(_same_row(ln, r) for r in rows):
                drop.add(i)
        drops.append(drop)
    for p, drop in zip(pages, drops):
        p.lines = [ln for i, ln in enumerate(p.lines) if i not in drop]


def _same_place(pages: list[PageLayout], band: str, ln: TextLine) -> set[int]:
    """Pages with a line of the same text (digits aside) at about the same place, in the same size:
    a running header. (A report's title names its agency as its signature does, and a page break
    before the signature may set the two at one height: the one centred and large, the other
    small and to the right.)"""
    key = _digits_free(ln.text)
    tol = max(ln.height, 4.0)
    return {i for i, p in enumerate(pages) for other in p.lines
            if _band(other, p.height, _BAND) == band and _digits_free(other.text) == key
            and abs(other.bbox[1] - ln.bbox[1]) <= tol and _same_setting(other, ln)}


def _same_setting(a: TextLine, b: TextLine) -> bool:
    """Two lines of one size set at one place across the page: left, right or centre aligned."""
    if not 0.8 <= a.height / max(b.height, 0.1) <= 1.25:
        return False
    near = 2 * max(a.height, b.height)
    return (abs(a.bbox[0] - b.bbox[0]) <= near or abs(a.bbox[2] - b.bbox[2]) <= near
            or abs((a.bbox[0] + a.bbox[2]) - (b.bbox[0] + b.bbox[2])) / 2 <= near)


def _band(ln: TextLine, height: float, share: float) -> str | None:
    if ln.bbox[3] <= share * height:
        return "top"
    if ln.bbox[1] >= (1 - share) * height:
        return "bottom"
    return None


def _same_row(a: TextLine, b: TextLine) -> bool:
    return min(a.bbox[3], b.bbox[3]) - max(a.bbox[1], b.bbox[1]) > 0.3 * min(a.height, b.height)


# ------------------------------------------------------------------------------ page layout

def _table_box(t: Table) -> BBox:
    return bounding_box([c.bbox for c in t.cells if c.bbox])


def page_blocks(p: PageLayout) -> list[Paragraph | Table]:
    """Paragraphs and tables of one page: the paragraphs in their reading order (a line's pieces
    left to right, although a number beside its label may stand a point higher), each table before
    the first paragraph that starts below its top."""
    tables = sorted(p.tables, key=lambda t: _table_box(t)[1])
    blocks: list[Paragraph | Table] = []
    for para in paragraphs(p.lines, p.number):
        while tables and _table_box(tables[0])[1] < para.bbox[1]:
            blocks.append(tables.pop(0))
        blocks.append(para)
    blocks += tables
    if p.left or p.top:
        _onto_sheet(blocks, p.left, p.top)
    return blocks


def _onto_sheet(blocks: list[Paragraph | Table], left: float, top: float) -> None:
    """Boxes of a page laid out in its own coordinates put back where it stands on its sheet."""
    def moved(box: BBox | None) -> BBox | None:
        return None if box is None else (box[0] + left, box[1] + top, box[2] + left, box[3] + top)

    for b in blocks:
        if isinstance(b, Table):
            for c in b.cells:
                c.bbox = moved(c.bbox)
        else:
            b.bbox = moved(b.bbox)


def column_edges(t: Table) -> list[float] | None:
    starts: dict[int, float] = {}
    for c in t.cells:
        if c.bbox:
            starts.setdefault(c.col, c.bbox[0])
    if len(starts) != t.n_cols:
        return None
    return [starts[c] for c in range(t.n_cols)] + [_table_box(t)[2]]


def _edges_of_both(first: Table, nxt: Table) -> tuple[list[float], list[float]] | None:
    """Both tables' column edges, where they have as many columns and each has its edges."""
    if first.n_cols != nxt.n_cols:
        return None
    a, b = column_edges(first), column_edges(nxt)
    return (a, b) if a is not None and b is not None else None


def _continues(first: Table, nxt: Table) -> bool:
    edges = _edges_of_both(first, nxt)
    return edges is not None and all(abs(x - y) <= _JOIN_TOL for x, y in zip(*edges))


def same_widths(first: Table, nxt: Table, tol: float = _JOIN_TOL) -> bool:
    """Same number of columns of the same widths, wherever they stand: a scanner may shift a page,
    and a sheet of two pages holds the same table's parts at two places."""
    edges = _edges_of_both(first, nxt)
    if edges is None:
        return False
    a, b = edges
    return all(abs((x1 - x0) - (y1 - y0)) <= tol for x0, x1, y0, y1 in zip(a, a[1:], b, b[1:]))


def _repeated_header_rows(first: Table, nxt: Table) -> int:
    """How many top rows of `nxt` repeat the top rows of `first` (a header printed again)."""
    def norm(s: str) -> str:
        return re.sub(r"\s+", "", s)

    ga, gb = first.grid_texts(), nxt.grid_texts()
    best = 0
    for k in range(1, min(first.n_rows, nxt.n_rows)):
        if [norm(x) for x in ga[k - 1]] != [norm(x) for x in gb[k - 1]]:
            break
        cut_clean = all(c.row >= k or c.row + c.rowspan <= k for c in nxt.cells)
        if cut_clean and any(norm(x) for row in gb[:k] for x in row):
            best = k
    return best


def join_tables(first: Table, nxt: Table) -> Table:
    k = _repeated_header_rows(first, nxt)
    shift = first.n_rows - k
    cells = [replace(c) for c in first.cells]  # copies: a cell cut by the page break grows below
    # A merged cell the page break cut in two (a row label spanning rows on both pages): its part
    # at the bottom of the first page spans rows, and the part opening the next page sits in the
    # same columns and is blank (the label's text printed in its first part). A non-blank part is
    # kept apart: two group labels meeting at the break look just the same.
    open_at_bottom = {(c.col, c.colspan): c for c in cells
                      if c.rowspan >= 2 and c.row + c.rowspan == first.n_rows}
    for c in sorted(nxt.cells, key=lambda c: (c.row, c.col)):
        if c.row < k:
            continue
        top = open_at_bottom.pop((c.col, c.colspan), None) if c.row == k else None
        if top is not None and c.blank:
            top.rowspan += c.rowspan
            continue
        cells.append(replace(c, row=c.row + shift))
    return Table(cells=cells, n_rows=first.n_rows + nxt.n_rows - k, n_cols=first.n_cols,
                 page=first.page, origin=first.origin, positional=first.positional and nxt.positional)


def join_continued_tables(pages: list[list[Paragraph | Table]],
                          continues: Callable[[Table, Table], bool] | None = None) -> list[Paragraph | Table]:
    """Blocks of all pages; a table that ends a page and one that opens the next page with the same
    columns (by `continues`; by default at the same places) are one table."""
    continues = continues or _continues
    out: list[Paragraph | Table] = []
    for blocks in pages:
        if (blocks and out and isinstance(out[-1], Table) and isinstance(blocks[0], Table)
                and continues(out[-1], blocks[0])):
            out[-1] = join_tables(out[-1], blocks[0])
            blocks = blocks[1:]
        out.extend(blocks)
    return out
