"""Image files (PNG, JPEG, TIFF with one or many pages, BMP, WebP, GIF, HEIC, AVIF) to a raw Document by OCR.

Each frame is one page, upright per its EXIF orientation, read by the scan page reader (the same
one image-only PDF pages go through); a frame holding pages stacked one under another (a merged
scan, a long screenshot) is cut between them first (scan.stacked), and each part is a page; a page
holding two side by side (a bound report opened on the glass) is cut down the middle once read
(readers.sheet). The pages are then laid out exactly as a text-layer PDF page is
(`readers.pdf.lay_out`): the rulings and words become tables, tables that lost their rulings are
rebuilt from how their words line up, the other words become paragraphs, running headers and
footers are dropped, and a table continued on the next page is joined to its first part.
"""
from __future__ import annotations

import time

import numpy as np

from ..errors import EmptyInput, NeedsOCR
from ..model import Document, Table
from ..scan.images import decode_images, guess_dpi, image_source
from ..scan.page_reader import GRID_TOL, PageReader, ScanPage, default_reader
from ..scan.stacked import stacked_parts
from . import pdf as pdf_layout
from . import sheet

# Scanned pages of one table are rarely placed identically by the scanner: the columns of a
# continued table are compared by their widths, with this tolerance (points).
_JOIN_TOL = 6.0


def read(data: bytes, reader: PageReader | None = None) -> Document:
    frames = decode_images(data)
    if not frames:
        raise EmptyInput("the image has no frame")
    return read_frames(frames, reader)


def read_frames(frames: list[tuple[np.ndarray, float | None]], reader: PageReader | None = None) -> Document:
    """Grayscale page images (with the resolution each declares, None for unknown) by OCR."""
    t0 = time.perf_counter()
    try:
        reader = reader or default_reader()
        _ = reader.engine
    except ImportError as exc:
        raise NeedsOCR(f"an image needs OCR and no OCR engine is installed ({exc})") from None
    scans: list[ScanPage] = []
    warnings: list[str] = []
    for i, (gray, dpi) in enumerate(frames):
        frame_dpi = dpi or guess_dpi(gray)
        parts = stacked_parts(gray, frame_dpi)
        if len(parts) > 1:
            dpi = frame_dpi  # a part's own shape does not tell: it may be wider than tall
            where = f"image frame {i + 1}" if len(frames) > 1 else "the image"
            warnings.append(f"{where} holds {len(parts)} pages one under another; each is read as a page "
                            f"(pages {len(scans) + 1}-{len(scans) + len(parts)})")
        for top, bottom in parts:
            scan = reader.read(image_source(gray[top:bottom], dpi), len(scans) + 1)
            scans.append(scan)
            warnings.extend(scan.notes)
    t1 = time.perf_counter()
    pages: list[pdf_layout.PageLayout] = []
    for scan in scans:
        parts = sheet.pages_on_sheet(scan.width, scan.height, scan.words, scan.h_lines, scan.v_lines)
        if len(parts) > 1:
            warnings.append(f"page {scan.number}: {sheet.NOTE}")
        for part in parts:
            carried = pages[-1].columns if pages else []
            pages.append(pdf_layout.lay_out(
                pdf_layout.PageLayout(number=scan.number, height=scan.height, ocr=True, left=part.left,
                                      unread=scan.unread),
                part.h_lines, part.v_lines, part.words, carried, tol=GRID_TOL))
    pdf_layout.drop_page_furniture(pages)
    blocks = pdf_layout.join_continued_tables([pdf_layout.page_blocks(p) for p in pages], continues)
    t2 = time.perf_counter()
    timings = {"image_ocr": (t1 - t0) * 1000, "image_layout": (t2 - t1) * 1000}
    pdf_layout.add_ocr_stages(timings, (scan.timings_ms for scan in scans))
    return Document(blocks=blocks, kind="image", pages=len(scans), warnings=warnings,
                    timings_ms=timings, ocr_pages=frozenset(range(1, len(scans) + 1)),
                    lossy_pages=frozenset(s.number for s in scans if s.unread),
                    unread_at=pdf_layout.unread_at(pages))


def continues(first: Table, nxt: Table) -> bool:
    """Same number of columns of the same widths: the scanner may have shifted the page."""
    return pdf_layout.same_widths(first, nxt, _JOIN_TOL)
