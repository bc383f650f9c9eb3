"""img2table as a table recoverer: on scanned (image-only) PDFs reading text with our OCR engine, on
text-layer PDFs reading the PDF's own text layer (`img2table_text_tables`, below).

img2table finds the table grids in the page images (OpenCV: rulings, cells, merged cells) and asks an
`OCRInstance` for the page's words, which it places into the cells. `GiaOCR` is that instance on
`models.ocr.ocr_engine()` — the engine our scan reader uses — so the two tools read the same
characters and differ in table recovery. It mirrors img2table's own `RapidOCR` class (the same
PP-OCR models): one record per text line the engine returns (its text spaced as our scan reader
spaces it, `tidy_spacing`), its pixel box and confidence × 100; `parent` is the visual line the
record sits on (as Tesseract's hOCR line ids are), so that two boxes on one line of a cell are
joined with a space, lines with a newline.

Settings are img2table's defaults, what a user would run: `PDF(data)` (pages rendered at its fixed
200 dpi; `pdf_text_extraction=False` only because these PDFs have no text layer; `detect_rotation`
left off: the bench's scans are upright, tilted up to ±2°, and its deskew changed no result on
them), `extract_tables(ocr, implicit_rows=False, implicit_columns=False, borderless_tables=False,
min_confidence=50)`. The reports' tables are fully ruled, so bordered detection is the mode that
fits. The tool "img2table.borderless" is the same with `borderless_tables=True`, which also finds
some ruled tables that the bordered pass finds and then rejects (see bench/README.md).

On the text-layer kind ("pdf-text") the same two tools run as a user runs img2table on a
born-digital PDF: `PDF(data)` with its text layer (`pdf_text_extraction=True`, its default) and no
OCR instance, the same `extract_tables` defaults. The bench's text-layer PDFs embed their Chinese
font (bench/corpus.py): with it left out, PDFium (pypdfium2, which img2table renders and reads PDFs
with) draws no Chinese without a system CJK font and its text layer drops every text object that is
one ASCII character in that font, a lone "0" in a cell (bench/README.md).

img2table needs opencv-contrib-python, which would replace the project's cv2 in .venv: it runs from
its own venv (`make bench-img2table-env`), which `bench.run` calls as

    .venv-img2table/bin/python -m bench.img2table_alt --docs DOCS.pkl --out ROWS.json

(with `--tool img2table.borderless` for that variant). DOCS.pkl: a pickled list of
`bench.corpus.BenchDoc`; ROWS.json: `bench.run._run_group`'s result (rows and peak RSS).
"""
from __future__ import annotations

import argparse
import json
import pickle
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from extraction.model import Cell, Table  # noqa: E402

TOOLS = {"img2table": {}, "img2table.borderless": {"borderless_tables": True}}  # tool -> extract_tables settings
RENDER_DPI = 200.0  # img2table.document.pdf renders every page at 200/72
MIN_CONFIDENCE = 50  # img2table's default: OCR records below it are left out of cells

try:  # only in .venv-img2table
    from img2table.ocr._types import OCRData, OCRInstance
except ImportError:  # pragma: no cover - the project venv: the module still imports (bench.run)
    OCRInstance = object  # type: ignore[assignment,misc]
    OCRData = None  # type: ignore[assignment]


def _line_ids(boxes: list[tuple[float, float, float, float]]) -> list[int]:
    """A visual line number per box, top to bottom: a box joins the line whose first box it
    overlaps in height by half the smaller of the two (the first box, not the line's growing
    extent, so that a tall box beside two short lines does not chain them into one)."""
    order = sorted(range(len(boxes)), key=lambda i: (boxes[i][1] + boxes[i][3]) / 2)
    ids = [0] * len(boxes)
    line, top, bottom = -1, 0.0, -1.0
    for i in order:
        y0, y1 = boxes[i][1], boxes[i][3]
        if line < 0 or min(bottom, y1) - max(top, y0) < 0.5 * min(bottom - top, y1 - y0):
            line, top, bottom = line + 1, y0, y1
        ids[i] = line
    return ids


class GiaOCR(OCRInstance):
    """img2table OCR instance on our engine (`models.ocr.ocr_engine()`), modelled on
    img2table.ocr.RapidOCR. Keeps each image's words, so the caller can give cells the OCR
    score of the words in them (as our own grid does)."""

    def __init__(self, engine=None):
        if engine is None:
            from models.ocr import ocr_engine

            engine = ocr_engine()
        self.engine = engine
        self.words_by_image: dict[int, list] = {}  # id(image array) -> [Word] in its pixels

    def of(self, document):
        from extraction.scan.page_reader import tidy_spacing
        from extraction.grid import Word
        from models.ocr import as_bgr

        records: dict[int, list[dict]] = {}
        for page, img in enumerate(document.images):
            # img2table's images are RGB; the engine (OpenCV) takes BGR
            bgr = np.ascontiguousarray(img[:, :, ::-1]) if img.ndim == 3 and img.shape[2] == 3 else as_bgr(img)
            # tidy_spacing: what our scan reader does to every line it recognises, so both
            # tools get the same text
            words = [Word(t, w.bbox, w.score) for w in self.engine.read(bgr) if (t := tidy_spacing(w.text))]
            self.words_by_image[id(img)] = words
            lines = _line_ids([w.bbox for w in words])
            for idx, (w, line) in enumerate(zip(words, lines)):
                x0, y0, x1, y1 = w.bbox
                records.setdefault(page, []).append({
                    "id": f"word_{page + 1}_{idx + 1}",
                    "parent": f"line_{page + 1}_{line}",
                    "value": w.text,
                    "confidence": int(100 * w.score),
                    "x1": int(x0), "y1": int(y0), "x2": int(x1), "y2": int(y1),
                })
        return OCRData(records=records) if records else None


def _cell_score(bbox, words) -> float:
    """The lowest OCR score of the words img2table put in a cell (its rule: over half of the
    word's box inside the cell, confidence at least MIN_CONFIDENCE); 1.0 when none."""
    scores = []
    for w in words:
        if 100 * w.score < MIN_CONFIDENCE:
            continue
        x0, y0, x1, y1 = (int(v) for v in w.bbox)
        area = (x1 - x0) * (y1 - y0)
        inter = max(0, min(x1, bbox.x2) - max(x0, bbox.x1)) * max(0, min(y1, bbox.y2) - max(y0, bbox.y1))
        if area > 0 and inter > 0.5 * area:
            scores.append(w.score)
    return min(scores) if scores else 1.0


def extracted_to_table(et, page: int, words=(), dpi: float = RENDER_DPI) -> Table:
    """An `extraction.model.Table` from an img2table ExtractedTable. img2table repeats a merged
    cell in every slot it covers; its own xlsx export (`build_worksheet`) turns those runs into
    merged ranges, and so do we, with the same helpers. Boxes go from image pixels to points."""
    from img2table.tables.extraction._utils import create_all_rectangles, group_cell_positions

    scale = 72.0 / dpi
    cells: list[Cell] = []
    for positions in group_cell_positions(table=et):
        b = positions[0].cell.bbox
        text = (positions[0].cell.value or "").strip()
        score = _cell_score(b, words)
        box = (b.x1 * scale, b.y1 * scale, b.x2 * scale, b.y2 * scale)
        for span in create_all_rectangles(cell_positions=positions):
            cells.append(Cell(span.top_row, span.col_left, text, span.rowspan, span.colspan,
                              page=page, bbox=box, score=score))
    cells.sort(key=lambda c: (c.row, c.col))
    n_rows = len(et.content)
    n_cols = max((len(r) for r in et.content.values()), default=0)
    return Table(cells, n_rows, n_cols, page=page, origin="img2table")


def img2table_text_tables(data: bytes, borderless_tables: bool = False) -> list[Table]:
    """Every table img2table finds in a text-layer PDF, its cells filled from the PDF's own text:
    `PDF(data)` keeps `pdf_text_extraction=True` and no OCR instance is given, what a user runs on a
    born-digital PDF. img2table still finds the grids in page images (rendered at 200 dpi), then
    reads the words from the text layer (pypdfium2's characters grouped into words, confidence 99),
    so every cell's score is 1.0, as our text-layer cells are."""
    from img2table.document import PDF

    found = PDF(data).extract_tables(implicit_rows=False, implicit_columns=False,
                                     borderless_tables=borderless_tables, min_confidence=MIN_CONFIDENCE)
    return [extracted_to_table(t, page_index + 1) for page_index, tables in sorted(found.items()) for t in tables]


def recoverer(tool: str, kind: str):
    """The table recoverer for an img2table tool on a bench kind: the text layer on the text-layer
    PDFs ("pdf-text", "pdf-unruled"), our OCR engine on the scans."""
    from functools import partial

    from bench.corpus import TEXT_LAYER_KINDS

    return partial(img2table_text_tables if kind in TEXT_LAYER_KINDS else img2table_tables, **TOOLS[tool])


def img2table_tables(data: bytes, borderless_tables: bool = False) -> list[Table]:
    """Every table img2table finds in a scanned PDF, with our OCR's text in its cells."""
    from img2table.document import PDF

    doc = PDF(data, pdf_text_extraction=False)
    ocr = _ocr()
    found = doc.extract_tables(ocr=ocr, implicit_rows=False, implicit_columns=False,
                               borderless_tables=borderless_tables, min_confidence=MIN_CONFIDENCE)
    out: list[Table] = []
    for page_index, tables in sorted(found.items()):
        words = ocr.words_by_image.get(id(doc.images[page_index]), [])
        out.extend(extracted_to_table(t, page_index + 1, words) for t in tables)
    ocr.words_by_image.clear()
    return out


_OCR: GiaOCR | None = None


def _ocr() -> GiaOCR:
    global _OCR
    if _OCR is None:
        _OCR = GiaOCR()
    return _OCR


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="bench.img2table_alt", description=__doc__.split("\n\n")[0])
    ap.add_argument("--tool", choices=sorted(TOOLS), default="img2table")
    ap.add_argument("--docs", type=Path, required=True, help="pickled list of bench.corpus.BenchDoc")
    ap.add_argument("--out", type=Path, required=True, help="where to write the group's rows (JSON)")
    a = ap.parse_args(argv)
    from bench.run import _run_group

    docs = pickle.loads(a.docs.read_bytes())
    group = _run_group(a.tool, docs)
    a.out.write_text(json.dumps(group, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
