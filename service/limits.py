"""Limits checked before a document is read: page count and pixels per page. They stop the
documents that would hold a worker for minutes or exhaust its memory (a 2,000-page PDF, a
40,000 x 40,000 pixel scan) with a reason, before the pipeline starts on them."""
from __future__ import annotations

import io
from dataclasses import dataclass

from extraction.errors import CorruptInput, TooLarge
from extraction.sniff import detect_kind


@dataclass(frozen=True)
class Limits:
    max_pages: int = 200
    max_pixels_per_page: int = 60_000_000


def check_limits(data: bytes, limits: Limits) -> None:
    """Raises TooLarge past a limit (and the sniffer's errors for empty or refused kinds)."""
    kind = detect_kind(data)
    if kind == "pdf":
        _check_pdf(data, limits)
    elif kind == "image":
        _check_image(data, limits)


def _check_pdf(data: bytes, limits: Limits) -> None:
    import pymupdf

    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
    except Exception:  # the reader gives the precise reason (corrupt, truncated...)
        return
    with doc:
        if doc.page_count > limits.max_pages:
            raise TooLarge(f"the PDF has {doc.page_count} pages; at most {limits.max_pages} are read")
        if doc.needs_pass:
            return
        for number in range(doc.page_count):
            try:
                images = doc[number].get_images(full=True)
            except Exception:
                return
            for img in images:
                width, height = img[2], img[3]
                if width * height > limits.max_pixels_per_page:
                    raise TooLarge(f"page {number + 1} holds a {width}x{height} image; at most "
                                   f"{limits.max_pixels_per_page:,} pixels per page are read")


def _check_image(data: bytes, limits: Limits) -> None:
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = None  # our own limit below answers with a reason instead of PIL's warning/error
    try:
        with Image.open(io.BytesIO(data)) as im:
            width, height = im.size
            frames = getattr(im, "n_frames", 1)
    except Exception as e:
        raise CorruptInput(f"the image cannot be decoded: {type(e).__name__}") from None
    if width * height > limits.max_pixels_per_page:
        raise TooLarge(f"the image is {width}x{height}; at most {limits.max_pixels_per_page:,} pixels per page are read")
    if frames > limits.max_pages:
        raise TooLarge(f"the image has {frames} pages; at most {limits.max_pages} are read")
