"""The model engines: weights from the installed wheels, never downloaded; one engine per
process; the OCR engine's small interface on real pixels."""
from __future__ import annotations

import os
import site
import socket
import threading
from pathlib import Path

import cv2
import numpy as np
import pymupdf
import pytest

from models.config import NATIVE_THREAD_ENV, ModelConfig
from models.ocr import RapidOcrEngine, crop_line, ocr_engine, width_groups


def _render(text: str, size: float = 12.0, dpi: int = 150, width: float = 300, height: float = 40) -> np.ndarray:
    doc = pymupdf.open()
    page = doc.new_page(width=width, height=height)
    page.insert_text((10, height / 2 + size / 2), text, fontname="china-s", fontsize=size)
    pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
    return np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width).copy()


def test_weights_ship_inside_site_packages():
    cfg = ModelConfig()
    roots = [Path(p).resolve() for p in site.getsitepackages()]
    for path in (cfg.det_model, cfg.rec_model, cfg.layout_model, cfg.orientation_model):
        assert path.is_file() and path.stat().st_size > 100_000
        assert any(root in path.resolve().parents for root in roots), path


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network access during a test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_engine_builds_and_reads_with_the_network_blocked(no_network):
    engine = RapidOcrEngine(ModelConfig(threads=1))  # a fresh one: nothing cached
    words = engine.read(_render("政府信息公开 2618"))
    text = "".join(w.text for w in words).replace(" ", "")
    assert "政府信息公开" in text and "2618" in text
    assert all(0 < w.score <= 1 and w.bbox[2] > w.bbox[0] for w in words)


def test_detect_then_recognize_single_digits():
    engine = ocr_engine()
    img = _render("7", size=9, width=40, height=30)
    lines = engine.detect(img)
    assert len(lines) == 1
    (text, score), = engine.recognize([crop_line(cv2.cvtColor(img, cv2.COLOR_GRAY2BGR), lines[0].quad)])
    assert text == "7" and score > 0.8


def test_recognition_batches_hold_lines_of_like_width():
    """The recogniser pads a batch to its widest line: a cell's digits and a prose line are never
    read in one batch, every line is read once, and no batch overruns its width budget."""
    ratios = [1.0, 30.0, 2.1, 2.2, 31.0, 80.0, 2.0, 1.5, 24.0, 2.3]
    groups = width_groups(ratios, min_ratio=2.0, spread=1.2, most=3, budget=100.0)
    assert sorted(i for g in groups for i in g) == list(range(len(ratios)))
    for g in groups:
        need = [max(ratios[i], 2.0) for i in g]
        assert max(need) <= 1.2 * min(need) and len(g) <= 3
        assert len(g) == 1 or len(g) * max(need) <= 100.0
    assert [5] in groups and [1, 4] in groups  # 80 alone; 30 and 31 together, not with 24


def test_recognise_reads_mixed_widths_in_order(monkeypatch):
    engine = ocr_engine()
    texts = ["7", "政府信息公开工作年度报告政府信息公开", "2618", "38", "依申请公开政府信息情况"]
    crops = []
    for t in texts:
        img = _render(t, width=30 + 14 * len(t))
        line = max(engine.detect(img), key=lambda ln: ln.bbox[2] - ln.bbox[0])
        crops.append(crop_line(img, line.quad))
    widths = []
    real = engine._rec

    def spy(inp):
        widths.append([c.shape[1] / c.shape[0] for c in inp.img])
        return real(inp)

    monkeypatch.setattr(engine, "_rec", spy)
    read = [t.replace(" ", "") for t, _ in engine.recognize(crops)]
    assert read == texts
    assert len(widths) >= 3  # digits, and each length of prose, apart
    for call in widths:
        need = [max(r, engine.MIN_RATIO) for r in call]
        assert max(need) <= engine.SPREAD * min(need)


def test_vertical_label_is_read_as_one_line():
    doc = pymupdf.open()
    page = doc.new_page(width=40, height=160)
    for k, ch in enumerate("本年度办理结果"):
        page.insert_text((14, 20 + 18 * k), ch, fontname="china-s", fontsize=12)
    pix = page.get_pixmap(dpi=150, colorspace=pymupdf.csGRAY)
    img = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width).copy()
    words = ocr_engine().read(img)
    assert "".join(w.text for w in words) == "本年度办理结果"


def test_one_engine_per_process_even_under_concurrent_first_use():
    seen = []
    threads = [threading.Thread(target=lambda: seen.append(ocr_engine())) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(e) for e in seen}) == 1 and seen[0] is ocr_engine()


def test_config_from_environment(monkeypatch):
    monkeypatch.setenv("GIA_OCR_THREADS", "3")
    monkeypatch.setenv("GIA_OCR_DEVICE", "cpu")
    cfg = ModelConfig.from_env()
    assert cfg.threads == 3 and cfg.providers() == ["CPUExecutionProvider"]
    monkeypatch.setenv("GIA_OCR_DEVICE", "gpu-please")
    with pytest.raises(ValueError):
        ModelConfig.from_env()


def test_native_thread_pools_take_their_share_and_an_operators_setting_wins():
    import subprocess
    import sys

    probe = ("import cv2, os; from models.config import limit_native_threads; "
             "print(limit_native_threads(1), cv2.getNumThreads(), os.environ['OPENBLAS_NUM_THREADS'])")
    env = {k: v for k, v in os.environ.items() if k not in NATIVE_THREAD_ENV}
    run = lambda extra: subprocess.run([sys.executable, "-c", probe], env={**env, **extra}, capture_output=True,
                                       text=True, check=True, cwd=Path(__file__).resolve().parents[1]).stdout.split()
    assert run({}) == ["1", "1", "1"]  # OpenCV was loaded before the call: its pool is resized
    assert run({"OPENCV_FOR_THREADS_NUM": "2"}) == ["2", "2", "1"]


def test_the_memory_arena_can_be_turned_off(monkeypatch):
    from models.ocr import onnx_session

    assert ModelConfig.from_env().memory_arena  # on unless asked
    monkeypatch.setenv("GIA_OCR_MEMORY_ARENA", "off")
    cfg = ModelConfig.from_env()
    session = onnx_session(cfg.det_model, cfg)
    assert cfg.memory_arena is False and session.get_session_options().enable_cpu_mem_arena is False
    monkeypatch.setenv("GIA_OCR_MEMORY_ARENA", "sometimes")
    with pytest.raises(ValueError, match="GIA_OCR_MEMORY_ARENA"):
        ModelConfig.from_env()


def test_cuda_asked_without_a_cuda_runtime_is_refused():
    import onnxruntime as ort

    if "CUDAExecutionProvider" in ort.get_available_providers():
        pytest.skip("onnxruntime-gpu is installed here")
    with pytest.raises(RuntimeError):
        ModelConfig(device="cuda").providers()
    assert ModelConfig(device="auto").providers() == ["CPUExecutionProvider"]


def _table_page() -> np.ndarray:
    from tests.synth.form import build_report, synth_answers
    from tests.synth.pdf_report import render_pdf

    pdf = render_pdf(build_report(synth_answers(3), seed=3), furniture="office")
    with pymupdf.open(stream=pdf, filetype="pdf") as doc:
        pix = doc[1].get_pixmap(dpi=100, colorspace=pymupdf.csGRAY)
        return np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width).copy()


def test_layout_finds_the_table_and_debug_pictures_show_it(tmp_path):
    from extraction.model import Cell, Table
    from extraction.scan.debug import DebugPage, write_debug_images
    from models.layout import layout_engine

    page = _table_page()
    regions = layout_engine().regions(page)
    tables = [r for r in regions if r.label == "table"]
    assert tables and (tables[0].bbox[2] - tables[0].bbox[0]) > 0.5 * page.shape[1]

    table = Table(cells=[Cell(0, 0, "1", page=2, bbox=(100, 100, 200, 120))], n_rows=1, n_cols=1, page=2)
    fields = {"t3.received_new.total": {"value": 1, "page": 2, "bbox": [100, 100, 200, 120]}}
    paths = write_debug_images([DebugPage(2, page, 100.0)], [table], fields, tmp_path)
    assert [p.name for p in paths] == ["page-002.png"]
    img = cv2.imread(str(paths[0]))
    x0, y0 = int(100 * 100 / 72), int(100 * 100 / 72)
    b, g, r = img[y0, x0 + 10]
    assert r > 150 and b < 100  # the field's red box is drawn over the cell's box


def test_an_upright_whole_pixel_box_is_cut_as_the_warp_would_cut_it():
    """crop_line cuts such a box with a slice: the pixels are those the perspective warp gives
    (a translation by whole pixels), at the page's edge too; other quads still go the warp's way."""
    img = _render("政府信息公开 2025 年度 123", width=400, height=60)
    rng = np.random.default_rng(3)
    h, w = img.shape

    def warped(q: np.ndarray) -> np.ndarray:
        bw, bh = int(q[1, 0] - q[0, 0]), int(q[3, 1] - q[0, 1])
        m = cv2.getPerspectiveTransform(q, np.float32([[0, 0], [bw, 0], [bw, bh], [0, bh]]))
        out = cv2.warpPerspective(img, m, (bw, bh), borderMode=cv2.BORDER_REPLICATE, flags=cv2.INTER_CUBIC)
        return np.rot90(out) if bh >= 1.5 * bw else out

    for _ in range(200):
        x0, y0 = int(rng.integers(0, w - 1)), int(rng.integers(0, h - 1))
        x1 = w if rng.random() < 0.3 else int(rng.integers(x0 + 1, w + 1))
        y1 = h if rng.random() < 0.3 else int(rng.integers(y0 + 1, h + 1))
        q = np.float32([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])
        assert np.array_equal(crop_line(img, q), warped(q))
    cut = crop_line(img, np.float32([[10, 5], [60, 5], [60, 30], [10, 30]]))
    cut[:] = 0
    assert img[5:30, 10:60].any()  # a copy, not a view of the page
    half = np.float32([[10.5, 5], [60, 5], [60, 30], [10.5, 30]])  # off the pixel grid: warped
    assert crop_line(img, half).shape == (25, 49)
