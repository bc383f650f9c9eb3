"""The text detector reads a scan at a share of the page reader's resolution (models.config
DETECT_SCALE, GIA_DETECT_SCALE); the lines it finds come back in the page's own pixels, where the
recogniser reads them."""
from __future__ import annotations

import numpy as np
import pytest

from extraction.scan.images import image_source
from extraction.scan.page_reader import READ_DPI, PageReader, detect_lines
from models.config import DETECT_SCALE, ModelConfig
from models.ocr import DetectedLine, crop_line, ocr_engine, planned_pages
from models.pooled_ocr import padded_page
from tests.synth.form import build_report, synth_answers
from tests.synth.pdf_report import render_pdf
from tests.synth.scan import scan_pages, style_for

SEED = 33


@pytest.fixture(scope="module")
def table_page() -> np.ndarray:
    """Page 2 of a report scanned at 150 dpi (tables 2 and 3: digits in narrow cells)."""
    report = build_report(synth_answers(SEED, template="2021"), seed=SEED)
    pages = scan_pages(render_pdf(report), SEED, style_for(SEED, dpi=int(READ_DPI), turned=()))
    return pages[1]


class Seeing:
    """The real engine, keeping the sizes of the images it was asked to detect in."""

    def __init__(self, inner, whole_pages: bool = False):
        self.inner, self.whole_pages, self.sizes = inner, whole_pages, []

    def detect(self, img):
        self.sizes.append(img.shape[:2])
        return self.inner.detect(img)

    def recognize(self, crops):
        return self.inner.recognize(crops)


def _overlap(a, b) -> float:
    """Intersection over the smaller box's area."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return w * h / smaller


@pytest.mark.parametrize("whole_pages", [False, True])
def test_lines_found_at_the_detect_scale_are_where_the_full_page_has_them(table_page, whole_pages):
    gray = table_page if table_page.ndim == 2 else table_page.mean(axis=2).astype(np.uint8)
    full = detect_lines(Seeing(ocr_engine(), whole_pages), gray, 1.0)
    seeing = Seeing(ocr_engine(), whole_pages)
    small = detect_lines(seeing, gray, DETECT_SCALE)
    h, w = gray.shape
    # the detector was given the shrunk page (or its printed bands), never the full one
    assert seeing.sizes and all(sh <= DETECT_SCALE * h + 1 and sw <= DETECT_SCALE * w + 1 for sh, sw in seeing.sizes)
    assert len(full) > 60  # a table page: many cells
    assert abs(len(small) - len(full)) <= 0.05 * len(full)
    # every line found at 150 dpi has one found at the detect scale over it, in the same pixels
    missed = [ln.bbox for ln in full if max(_overlap(ln.bbox, s.bbox) for s in small) < 0.7]
    assert not missed
    assert max(s.bbox[2] for s in small) <= w and max(s.bbox[3] for s in small) <= h


def test_an_upright_box_on_whole_pixels_stays_one_and_is_cut_by_slicing():
    """The GPU engine's boxes are upright on whole pixels, so that a line's crop is a slice;
    scaled back from the shrunk page they are grown outward to whole pixels, never shrunk."""
    class Fixed:
        whole_pages = True

        def detect(self, img):
            return [DetectedLine(np.float32([[10, 20], [41, 20], [41, 29], [10, 29]]), 0.9)]

    page = np.full((1000, 700), 255, np.uint8)
    (line,) = detect_lines(Fixed(), page, 0.6)
    q = line.quad
    assert np.array_equal(q, np.round(q))
    x0, y0, x1, y1 = line.bbox
    k = np.array([700 / 420, 1000 / 600])
    assert x0 <= 10 * k[0] and y0 <= 20 * k[1] and x1 >= 41 * k[0] and y1 >= 29 * k[1]
    assert x1 - x0 < 41 * k[0] - 10 * k[0] + 2 and y1 - y0 < 29 * k[1] - 20 * k[1] + 2
    assert crop_line(page, q).shape == (int(y1 - y0), int(x1 - x0))


def test_the_gpu_engine_plans_the_shapes_the_page_reader_gives_it(table_page):
    """The shapes planned (and captured) at start are the padded shrunk pages the page reader
    hands a whole-page engine: any other shape costs cuDNN its planning in the middle of a run."""
    seeing = Seeing(ocr_engine(), whole_pages=True)
    reader = PageReader(seeing)
    reader.read(image_source(table_page, int(READ_DPI)), 1)
    assert seeing.sizes and all(max(s) < 0.8 * max(table_page.shape) for s in seeing.sizes)  # shrunk
    shapes = {padded_page(np.zeros(s, np.uint8), 256).shape for s in seeing.sizes}
    assert shapes <= set(planned_pages(reader.detect_scale))


@pytest.mark.parametrize("frame", [False, True])
def test_a_page_whose_tables_have_no_column_rulings_is_detected_whole(frame):
    """A table without column rulings is rebuilt from where its words stand, and the shrunk page's
    boxes (a point or so taller) joined two rows' labels in sweep documents read by OCR; such a
    page is detected at the full 150 dpi, with or without a frame of two verticals round it."""
    import cv2
    import pymupdf

    from bench.sweeps import unruled_document

    _, data, _ = unruled_document(12611, blank_zeros=True)
    pix = pymupdf.open(stream=data, filetype="pdf")[0].get_pixmap(dpi=int(READ_DPI), colorspace=pymupdf.csGRAY)
    unruled_page = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width).copy()
    if frame:
        for x in (60, unruled_page.shape[1] - 60):
            cv2.line(unruled_page, (x, 150), (x, unruled_page.shape[0] - 150), 0, 2)
    seeing = Seeing(ocr_engine(), whole_pages=True)
    PageReader(seeing, detect_scale=0.7).read(image_source(unruled_page, int(READ_DPI)), 1)
    assert seeing.sizes == [unruled_page.shape]


@pytest.mark.parametrize("given, expected", [("", DETECT_SCALE), ("1", 1.0), ("0.75", 0.75)])
def test_the_detect_scale_comes_from_the_environment(monkeypatch, given, expected):
    monkeypatch.setenv("GIA_DETECT_SCALE", given)
    assert ModelConfig.from_env().detect_scale == expected


@pytest.mark.parametrize("given", ["0.2", "1.5", "fast"])
def test_a_detect_scale_out_of_range_is_refused_with_the_reason(monkeypatch, given):
    monkeypatch.setenv("GIA_DETECT_SCALE", given)
    with pytest.raises(ValueError, match="GIA_DETECT_SCALE must be a number from 0.4 to 1.0"):
        ModelConfig.from_env()
