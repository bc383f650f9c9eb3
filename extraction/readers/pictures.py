"""Pictures inside a Word file or a web page, read by OCR: offices paste a table as a screenshot or
a scanned page, and its figures exist nowhere else in the file.

A picture is read as a scanned page at the size the document shows it (so its glyphs have the
document's size, 10-16 pt, whatever its pixel count), and its tables and text take its place in
the reading order. A picture that yields no table and hardly any text (a seal, a logo, a photo)
adds nothing.
"""
from __future__ import annotations

import base64
import binascii
import io
import re
import time
from typing import Any, Callable, Optional

from ..errors import CorruptInput, NeedsOCR
from ..model import Block, Document, Paragraph, Table

# (grayscale pixels, the resolution the document shows them at, or None) -> the picture as a Document
PictureReader = Callable[[Any, Optional[float]], Document]

# Pictures smaller than this on a side (pixels) are icons and rules, never a table.
MIN_PICTURE_PX = 100
# A picture whose reading holds no table and fewer characters than this is a seal or a logo.
MIN_PICTURE_TEXT = 40
# What one document may make us read: as many pictures as a PDF may have pages, each no larger
# than a page may be (service/limits.py); past that a Word file is a decompression bomb or an
# archive of scans, and the rest is named in a warning.
MAX_PICTURES = 200
MAX_PICTURE_PIXELS = 60_000_000
# A picture given inline, in base64, where a web page or a converter's Markdown puts one.
DATA_URI = re.compile(r"^\s*data:image/[\w.+-]+;base64,", re.I)


def inline_picture(src: str) -> bytes | None:
    """The bytes of the picture a data: URI (DATA_URI) holds; None where `src` is none or they do
    not decode."""
    m = DATA_URI.match(src)
    if m is None:
        return None
    try:
        return base64.b64decode(src[m.end():], validate=False)
    except (binascii.Error, ValueError):
        return None


class Pictures:
    """The pictures of one document, read in their order; what was read, skipped or undecodable
    is said in `warnings()`."""

    def __init__(self, read_picture: PictureReader | None):
        self.read_picture = read_picture
        self.seen = 0
        self.kept: list[int] = []  # numbers of the pictures whose reading was kept
        self.unread = 0  # pictures large enough to hold a table, not read (no OCR)
        self.undecodable = 0
        self.too_many = 0  # beyond MAX_PICTURES, or larger than MAX_PICTURE_PIXELS
        self.timings: dict[str, float] = {}  # the OCR's stages, summed over the pictures
        self.ms = 0.0  # wall time spent reading pictures
        self.lossy = False  # a picture kept left ink unread (Document.lossy_pages)

    def pages(self) -> frozenset[int]:
        """The document's pages with OCR'd text (Document.ocr_pages): its one page, where a
        picture's reading was kept."""
        return frozenset({1}) if self.kept else frozenset()

    def lossy_pages(self) -> frozenset[int]:
        """Its one page, where a picture kept left ink unread (Document.lossy_pages)."""
        return frozenset({1}) if self.lossy else frozenset()

    def blocks(self, blob: bytes, shown_inches: float | None) -> list[Block]:
        """`shown_inches`: the width the document shows the picture at, when it says."""
        from ..scan.images import decode_images

        self.seen += 1
        size = picture_size(blob)
        if size is None:
            self.undecodable += 1
            return []
        if size[0] * size[1] > MAX_PICTURE_PIXELS or len(self.kept) + self.unread >= MAX_PICTURES:
            self.too_many += 1
            return []
        try:
            frames = decode_images(blob)
        except CorruptInput:
            self.undecodable += 1
            return []
        if not frames or min(frames[0][0].shape) < MIN_PICTURE_PX:
            return []
        if self.read_picture is None:
            self.unread += 1
            return []
        gray, declared = frames[0]
        dpi = declared if _a_page(gray.shape, declared) or not shown_inches else gray.shape[1] / shown_inches
        start = time.perf_counter()
        try:
            doc = self.read_picture(gray, dpi)
        except NeedsOCR:
            self.unread += 1
            return []
        finally:
            self.ms += (time.perf_counter() - start) * 1000
        for stage, ms in doc.timings_ms.items():
            self.timings[f"picture_{stage}"] = self.timings.get(f"picture_{stage}", 0.0) + ms
        text = sum(len(b.text) for b in doc.blocks if isinstance(b, Paragraph))
        if not any(isinstance(b, Table) for b in doc.blocks) and text < MIN_PICTURE_TEXT:
            return []
        self.kept.append(self.seen)
        self.lossy = self.lossy or bool(doc.lossy_pages)
        return doc.blocks

    def warnings(self) -> list[str]:
        out = []
        if self.kept:
            out.append(f"{len(self.kept)} picture(s) in the document (number {', '.join(map(str, self.kept))}) "
                       f"were read by OCR: a table pasted as an image")
        if self.unread:
            out.append(f"{self.unread} picture(s) in the document were not read: OCR is off or not installed")
        if self.too_many:
            out.append(f"{self.too_many} picture(s) in the document were not read: past {MAX_PICTURES} pictures "
                       f"or {MAX_PICTURE_PIXELS:,} pixels")
        if self.undecodable:
            out.append(f"{self.undecodable} picture(s) in the document are in a format we cannot decode "
                       f"(EMF/WMF?) and were not read")
        return out


# A page's width and height in inches, A4's and Letter's within this share: a scanned page pasted in
_PAGES = ((8.27, 11.69), (8.5, 11.0))
_PAGE_SLACK = 0.08


def _a_page(shape: tuple[int, ...], declared: float | None) -> bool:
    """Whether the picture is a whole page scanned at the resolution its file declares. Such a page
    is read at that resolution, its type at its printed size, whatever size the document shows it
    at: a page pasted into a Word file is shrunk to the text's width, and read at the shown size its
    rulings and rows would be taken for smaller than any form prints."""
    if not declared:
        return False
    h, w = shape[0] / declared, shape[1] / declared
    return any(abs(w - pw) <= _PAGE_SLACK * pw and abs(h - ph) <= _PAGE_SLACK * ph for pw, ph in _PAGES)


def picture_size(blob: bytes) -> tuple[int, int] | None:
    """Width and height from the picture's header, before any pixel is decoded."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(blob)) as im:
            return im.size
    except Exception:  # PIL raises what the codec raises: a picture we cannot read is just that
        return None
