"""Pictures for --debug-dir: per page, the layout regions, the table grid and the field keys.

    from extraction.scan.debug import collecting_pages, write_debug_images
    with collecting_pages() as pages:           # scanned pages read inside the block are kept
        doc = read_document(data, options)
    write_debug_images(pages, tables, result.fields, options.debug_dir)

Colours: layout regions green (label written at their corner), table cells blue, fields red with
their key. Text-layer PDFs have no scanned pages: `pdf_debug_pages(data)` renders them.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

import cv2
import numpy as np

from ..model import Table

_GREEN, _BLUE, _RED = (40, 160, 40), (200, 90, 20), (30, 30, 220)


@dataclass
class DebugPage:
    number: int  # 1-based
    image: np.ndarray  # grayscale or BGR
    dpi: float


def _as_debug_page(p: Any) -> DebugPage:
    if isinstance(p, DebugPage):
        return p
    from .page_reader import READ_DPI

    return DebugPage(p.number, p.image, READ_DPI)  # a ScanPage


def pdf_debug_pages(data: bytes, dpi: float = 100.0) -> list[DebugPage]:
    import pymupdf

    out = []
    with pymupdf.open(stream=data, filetype="pdf") as doc:
        for page in doc:
            pix = page.get_pixmap(dpi=int(dpi), colorspace=pymupdf.csGRAY, alpha=False)
            img = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width).copy()
            out.append(DebugPage(page.number + 1, img, dpi))
    return out


def write_debug_images(doc_pages: Iterable[Any], tables: Iterable[Table], fields: Mapping[str, Any],
                       out_dir: str | Path, layout: bool = True) -> list[Path]:
    """One PNG per page in `out_dir` (created); returns the paths. `fields` maps keys to
    FieldValue-like objects (or dicts) with `page` and `bbox` in page points."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tables = list(tables)
    written = []
    for page in map(_as_debug_page, doc_pages):
        img = page.image if page.image.ndim == 3 else cv2.cvtColor(page.image, cv2.COLOR_GRAY2BGR)
        img = img.copy()
        k = page.dpi / 72.0
        if layout:
            _draw_layout(img)
        for t in tables:
            for c in t.cells:
                if c.page == page.number and c.bbox:
                    _rect(img, c.bbox, k, _BLUE, 1)
        for key, fv in fields.items():
            get = fv.get if isinstance(fv, Mapping) else (lambda name, fv=fv: getattr(fv, name, None))
            if get("page") != page.number or not get("bbox"):
                continue
            x0, _, _, y1 = _rect(img, get("bbox"), k, _RED, 2)
            # inside the cell, along its bottom edge: above it, it would read as the row above's
            cv2.putText(img, key.split(".", 1)[-1], (x0 + 2, y1 - 3), cv2.FONT_HERSHEY_PLAIN,
                        0.7, _RED, 1, cv2.LINE_AA)
        path = out_dir / f"page-{page.number:03d}.png"
        cv2.imwrite(str(path), img)
        written.append(path)
    return written


def _rect(img: np.ndarray, box, k: float, colour, width: int) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = (int(round(v * k)) for v in box)
    cv2.rectangle(img, (x0, y0), (x1, y1), colour, width)
    return x0, y0, x1, y1


def _draw_layout(img: np.ndarray) -> None:
    try:
        from models.layout import layout_engine

        regions = layout_engine().regions(img)
    except Exception:  # the pictures are a help; a missing layout model must not stop them
        return
    for r in regions:
        x0, y0, x1, y1 = (int(v) for v in r.bbox)
        cv2.rectangle(img, (x0, y0), (x1, y1), _GREEN, 2)
        cv2.putText(img, f"{r.label} {r.score:.2f}", (x0 + 2, y0 + 12), cv2.FONT_HERSHEY_PLAIN, 1.0,
                    _GREEN, 1, cv2.LINE_AA)
