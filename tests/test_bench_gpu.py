"""The GPU OCR path's pieces. Box finding, CTC decoding and batch planning are NumPy and always
run; the converted models run on the CPU where torch and onnx2torch are installed (never a
project dependency), so CI without them skips those."""
from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from extraction.normalize import fold_width
from models.gpu.ctc import alphabet, ctc_decode
from models.gpu.line_batches import REC_HEIGHT, WIDTH_BUCKETS, plan_line_batches
from models.gpu.text_boxes import DbParams, boxes_from_map, reading_order, rect_means


def _map_with(rects, shape=(200, 400), value=0.9):
    prob = np.zeros(shape, np.float32)
    for x0, y0, x1, y1 in rects:
        prob[y0:y1, x0:x1] = value
    return prob, (prob > 0.3).astype(np.uint8)


def test_boxes_grow_by_db_unclip_and_scale_to_the_page():
    prob, mask = _map_with([(20, 10, 120, 20)])  # 100 × 10 map pixels
    boxes, scores = boxes_from_map(prob, mask, scale_xy=(2.0, 2.0), page_wh=(800, 400))
    assert boxes.shape == (1, 4)
    grow = 100 * 10 * 1.6 / (2 * 110)  # area × ratio / perimeter
    expect = np.round(np.array([20 - grow, 10 - grow, 120 + grow, 20 + grow]) * 2)
    assert np.allclose(boxes[0], expect)
    assert scores[0] == pytest.approx(0.9, abs=1e-5)


def test_weak_and_tiny_components_are_dropped():
    prob, mask = _map_with([(20, 10, 120, 20)], value=0.4)  # mean below box_thresh 0.5
    assert len(boxes_from_map(prob, mask, (1, 1), (400, 200))[0]) == 0
    prob, mask = _map_with([(20, 10, 22, 12)])  # 2 × 2: noise
    assert len(boxes_from_map(prob, mask, (1, 1), (400, 200))[0]) == 0


def test_a_box_scores_the_mean_over_its_whole_rectangle():
    # an L-shaped component: its rectangle holds paper too, which DB's fast score counts
    prob = np.zeros((60, 80), np.float16)
    prob[10:14, 10:50] = 0.9
    prob[10:30, 10:14] = 0.9
    boxes, scores = boxes_from_map(prob, (prob > 0.3).astype(np.uint8), (1, 1), (80, 60), DbParams(box_thresh=0.1))
    assert len(boxes) == 1
    assert scores[0] == pytest.approx(float(prob[10:30, 10:50].astype(np.float64).mean()), abs=1e-6)
    rng = np.random.default_rng(1)
    prob = rng.random((300, 200)).astype(np.float16)
    x0, y0 = rng.integers(0, 150, 50), rng.integers(0, 250, 50)
    x1, y1 = x0 + rng.integers(1, 50, 50), y0 + rng.integers(1, 50, 50)
    want = [prob[b:d, a:c].astype(np.float64).mean() for a, b, c, d in zip(x0, y0, x1, y1)]
    assert np.allclose(rect_means(prob, x0, y0, x1, y1), want, atol=1e-6)


def test_boxes_come_in_reading_order():
    prob, mask = _map_with([(200, 100, 300, 112), (20, 102, 120, 114), (20, 10, 120, 22)])
    boxes, _ = boxes_from_map(prob, mask, (1, 1), (400, 200), DbParams())
    lefts_tops = [(int(b[0]), int(b[1])) for b in boxes]
    assert [lt[1] < 50 for lt in lefts_tops] == [True, False, False]
    assert lefts_tops[1][0] < lefts_tops[2][0]  # same line: left first
    b, s = reading_order(np.zeros((0, 4), np.float32), np.zeros(0, np.float32))
    assert len(b) == 0


def test_ctc_collapses_repeats_and_blanks():
    labels = alphabet(["a", "b", "1"])  # blank, a, b, 1, space
    best = np.array([[1, 1, 0, 1, 2, 2, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0], [3, 4, 3, 0, 0, 0, 0, 0]])
    prob = np.full(best.shape, 0.5, np.float32)
    prob[0, 0] = 1.0
    out = ctc_decode(best, prob, labels)
    assert out[0][0] == "aab"
    assert out[0][1] == pytest.approx((1.0 + 0.5 + 0.5) / 3)
    assert out[1] == ("", 0.0)
    assert out[2][0] == "1 1"


def test_line_batches_bucket_widths_and_share_a_pixel_budget():
    rng = np.random.default_rng(0)
    ratios = np.concatenate([rng.uniform(0.5, 3, 500), rng.uniform(20, 35, 100), [120.0]])
    batches = plan_line_batches(ratios, lines_at_320=64)
    seen = np.concatenate([b.lines for b in batches])
    assert sorted(seen.tolist()) == list(range(len(ratios)))  # every line exactly once
    for b in batches:
        assert b.width in WIDTH_BUCKETS
        assert len(b.lines) * b.width <= 64 * 320 or len(b.lines) == 1
        assert np.all(b.used <= b.width) and np.all(b.used >= 1)
        need = np.minimum(np.ceil(REC_HEIGHT * ratios[b.lines]), WIDTH_BUCKETS[-1])
        assert np.all(b.used == need)
    assert plan_line_batches(np.array([]), 64) == []


# ------------------------------------------------------------------ models (torch on the CPU)
def _page_with_text(text: str) -> np.ndarray:
    pymupdf = pytest.importorskip("pymupdf")
    doc = pymupdf.open()
    page = doc.new_page(width=300, height=60)
    page.insert_text((10, 35), text, fontname="china-s", fontsize=16)
    pix = page.get_pixmap(dpi=200, colorspace=pymupdf.csGRAY)
    return np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width).copy()


def test_same_padding_rewrite_makes_the_graphs_convertible():
    onnx = pytest.importorskip("onnx")
    from models.gpu.convert import explicit_same_padding
    from models.gpu.model_files import ocr_model_files

    try:
        files = ocr_model_files()
    except FileNotFoundError:
        pytest.skip("rapidocr models not installed")
    model = onnx.load(str(files.det))
    assert explicit_same_padding(model) >= 1
    for node in model.graph.node:
        for a in node.attribute:
            if a.name == "auto_pad":
                assert a.s in (b"NOTSET", b"VALID")
    assert explicit_same_padding(model) == 0  # idempotent


def test_converted_models_read_a_rendered_line_on_cpu():
    pytest.importorskip("torch")
    if importlib.util.find_spec("onnx2torch") is None:  # imported by models.gpu.convert itself
        pytest.skip("onnx2torch not installed")
    from models.gpu.engine import GpuOcrConfig, GpuOcrEngine

    img = _page_with_text("政府信息公开 2023年 123")
    engine = GpuOcrEngine(GpuOcrConfig(device="cpu", det_limit_type="min", det_limit_side=32))
    words = engine.read(img)
    assert len(words) == 1
    # full-width digits (２) are as likely as ASCII ones: which one the recogniser emits depends on
    # how far a line is padded; the pipeline folds widths (extraction.normalize.fold_width)
    text = fold_width(words[0].text).replace(" ", "")
    assert text == "政府信息公开2023年123"
    x0, y0, x1, y1 = words[0].bbox
    assert 0 <= x0 < 60 and x1 > img.shape[1] * 0.6 and y0 < y1
    # recognize() on a ready-cut crop agrees with the batched path.
    (crop_text, score), = engine.recognize([img[int(y0):int(y1), int(x0):int(x1)]])
    assert fold_width(crop_text).replace(" ", "") == text and score > 0.5


def _converted_graphs():
    pytest.importorskip("torch")
    if importlib.util.find_spec("onnx2torch") is None:
        pytest.skip("onnx2torch not installed")
    from models.gpu.convert import load_onnx, to_torch
    from models.gpu.model_files import ocr_model_files

    try:
        files = ocr_model_files()
    except FileNotFoundError:
        pytest.skip("rapidocr models not installed")
    return {"det": (lambda: to_torch(load_onnx(files.det)), (4, 3, 256, 512)),
            "rec": (lambda: to_torch(load_onnx(files.rec)), (8, 3, REC_HEIGHT, 320))}


@pytest.mark.parametrize("name", ["det", "rec"])
def test_placed_graphs_read_no_device_value_on_the_host(name):
    """A CUDA graph cannot be captured around a host read of device memory. On the meta device
    every such read fails, so a forward pass there proves there is none: to_device's placement
    passes, onnx2torch's own (everything beside the weights) does not."""
    convert, shape = _converted_graphs()[name]
    import torch

    from models.gpu.convert import to_device

    x = torch.zeros(shape, device="meta", dtype=torch.float16)
    with torch.inference_mode():
        with pytest.raises(NotImplementedError, match="meta"):
            convert().to("meta", torch.float16)(x)
        out = to_device(convert(), "meta", torch.float16)(x)
    assert out.device.type == "meta" and out.shape[0] == shape[0]


def test_placed_graphs_compute_what_the_converted_ones_do():
    graphs = _converted_graphs()
    import torch

    from models.gpu.convert import to_device

    for convert, shape in graphs.values():
        x = torch.rand(shape, generator=torch.Generator().manual_seed(0)) * 2 - 1
        with torch.inference_mode():
            assert torch.equal(convert()(x), to_device(convert(), "cpu", torch.float32)(x))


def test_replayed_forward_runs_eagerly_off_cuda():
    torch = pytest.importorskip("torch")
    from models.gpu.graphs import ReplayedForward

    forward = ReplayedForward(lambda x: (x * 2, x.sum(dim=1)), torch.device("cpu"))
    doubled, sums = forward(torch.ones(3, 4))
    assert torch.equal(doubled, torch.full((3, 4), 2.0)) and torch.equal(sums, torch.full((3,), 4.0))
    assert forward.summary() == {"captured": 0, "replays": 0, "eager_calls": 1, "error": None}


def test_cuda_graphs_setting_from_the_environment(monkeypatch):
    from models.config import ModelConfig

    assert ModelConfig.from_env().cuda_graphs is True
    monkeypatch.setenv("GIA_CUDA_GRAPHS", "off")
    assert ModelConfig.from_env().cuda_graphs is False
    monkeypatch.setenv("GIA_CUDA_GRAPHS", "sometimes")
    with pytest.raises(ValueError, match="GIA_CUDA_GRAPHS"):
        ModelConfig.from_env()


@pytest.mark.parametrize("mixed", [False, True])
def test_lines_packed_on_the_device_as_a_padded_host_batch_would_be(mixed):
    """packed_lines sends the lines side by side and cuts them apart on the device: each line must
    come out from the left of its row, cut at the batch width, zeros after it, as a padded host
    batch filled line by line holds them (gray lines broadcast to BGR where one line is colour)."""
    torch = pytest.importorskip("torch")
    from models.gpu.engine import packed_lines

    rng = np.random.default_rng(7)
    lines = [rng.integers(0, 256, (REC_HEIGHT, int(w)), dtype=np.uint8) for w in rng.integers(1, 400, 40)]
    if mixed:
        lines[3] = rng.integers(0, 256, (REC_HEIGHT, 77, 3), dtype=np.uint8)
    for width in (96, 320, 640):
        x = packed_lines(lines, width, torch.device("cpu")).numpy()
        assert x.shape == (len(lines), 3 if mixed else 1, REC_HEIGHT, width)
        for row, line in zip(x, lines):
            w = min(line.shape[1], width)
            want = line[:, :w].transpose(2, 0, 1) if line.ndim == 3 else np.broadcast_to(line[None, :, :w], (row.shape[0], REC_HEIGHT, w))
            assert (row[:, :, :w] == want).all() and not row[:, :, w:].any()
