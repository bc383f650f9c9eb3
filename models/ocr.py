"""Text detection and recognition behind one small interface.

`OcrEngine.detect(img)` finds text lines (quadrilaterals in pixels), `.recognize(crops)` reads
line images, `.read(img)` does both. The default engine is RapidOCR's PP-OCR det/rec on
onnxruntime with the weights from the wheel; it is built once per process (`ocr_engine()`) and
shared by threads (onnxruntime sessions are safe to run concurrently).

Two choices differ from the library's defaults, both for speed on small CPUs:
- no per-line direction classifier: the page reader fixes the page's orientation once, so
  every line is upright and the classifier (two thirds of the default run time) would only
  confirm it;
- line crops are padded to the width of their batch, not to at least 320 px: a table page is
  hundreds of one- or two-digit cells, and padding each to a 320-px line made the recogniser
  read mostly blank pixels. A batch holds only lines of like width (`width_groups`), so the
  padding stays small;
- long lines are narrowed to 70% of their width before recognition. The recogniser's cost
  follows the width of what it reads (about 0.25 ms of CPU per column at 48 px high), and
  prose lines are most of a page's columns. Chinese characters are square and the model emits
  about six time steps per character at full width, so four remain; on our scans this cut the
  recognition CPU time by a third and changed no digit (only （ read as ( now and then, which
  the width normalisation makes equal). Short crops (numbers in cells) are left as they are:
  they are padded to the batch width anyway, and their digits matter most.

Tried and dropped (1566 line crops from five sweep reports, 2 cores, December 2026): int8 weights
for the recogniser (onnxruntime's static QDQ quantisation, per channel, calibrated on our own
crops) ran it 1.25× faster but changed the reading of 10.7% of the lines; dynamic quantisation was
slower (0.6×), or no faster with only its MatMuls quantised; a narrower floor for short crops
(1.34 heights instead of MIN_RATIO's 2) cut their recognition time by 12%, 3% of a page's, and
changed 18 of 926 readings.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Protocol, Sequence

import cv2
import numpy as np

from extraction.grid import Word

from .config import ModelConfig

log = logging.getLogger(__name__)

Quad = np.ndarray  # (4, 2) float32: corners clockwise from top-left, in pixels


@dataclass
class DetectedLine:
    quad: Quad
    score: float

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        xs, ys = self.quad[:, 0], self.quad[:, 1]
        return float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max())


class OcrEngine(Protocol):
    name: str

    def detect(self, img: np.ndarray) -> list[DetectedLine]: ...

    def recognize(self, crops: Sequence[np.ndarray]) -> list[tuple[str, float]]: ...

    def read(self, img: np.ndarray) -> list[Word]: ...


def as_bgr(img: np.ndarray) -> np.ndarray:
    if img.ndim == 2:
        return cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
    if img.shape[2] == 4:
        return cv2.cvtColor(img, cv2.COLOR_BGRA2BGR)
    return img


def crop_line(img: np.ndarray, quad: Quad) -> np.ndarray:
    """The line under `quad`, straightened; a line much taller than wide (vertical text in a
    narrow cell) is turned to read left to right."""
    q = quad.astype(np.float32)
    box = pixel_box(q, img.shape[1], img.shape[0])
    if box is not None:
        # An upright box on whole pixels (the GPU engine's boxes all are) is a translation by
        # whole pixels: the warp below would copy its pixels exactly, at ~150 times a slice's cost
        # (80 against 0.5 us a line, ~120 lines a table page).
        x0, y0, x1, y1 = box
        out = img[y0:y1, x0:x1]
        w, h = x1 - x0, y1 - y0
    else:
        w = int(max(np.linalg.norm(q[0] - q[1]), np.linalg.norm(q[2] - q[3])))
        h = int(max(np.linalg.norm(q[0] - q[3]), np.linalg.norm(q[1] - q[2])))
        w, h = max(w, 1), max(h, 1)
        dst = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
        m = cv2.getPerspectiveTransform(q, dst)
        out = cv2.warpPerspective(img, m, (w, h), borderMode=cv2.BORDER_REPLICATE, flags=cv2.INTER_CUBIC)
    if h >= 1.5 * w:
        out = np.rot90(out)  # counter-clockwise: a top-down column becomes a left-right line
    return np.ascontiguousarray(out)


def pixel_box(q: np.ndarray, width: int, height: int) -> tuple[int, int, int, int] | None:
    """x0, y0, x1, y1 when the quad (clockwise from top-left) is an upright rectangle with corners
    on whole pixels, at least a pixel each way, inside a width x height image; else None."""
    x0, y0, x1, y1 = float(q[0, 0]), float(q[0, 1]), float(q[2, 0]), float(q[2, 1])
    if not (q[1, 0] == x1 and q[1, 1] == y0 and q[3, 0] == x0 and q[3, 1] == y1):
        return None
    if not (x0.is_integer() and y0.is_integer() and x1.is_integer() and y1.is_integer()):
        return None
    if not (0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height):
        return None
    return int(x0), int(y0), int(x1), int(y1)


def onnx_session(path, config: ModelConfig):
    """An onnxruntime session with this process's thread budget. Idle worker threads sleep
    instead of spinning: on a small shared machine a spinning pool burns the cores other pages
    and other workers need."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.intra_op_num_threads = config.threads
    opts.enable_cpu_mem_arena = config.memory_arena
    opts.inter_op_num_threads = 1
    opts.log_severity_level = 3
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(str(path), sess_options=opts, providers=config.providers())


class RapidOcrEngine:
    """PP-OCR det + rec (RapidOCR) on onnxruntime."""

    name = "rapidocr"
    # Below this width ratio a batch is padded up to it: the recogniser needs a few time steps
    # even for one character.
    MIN_RATIO = 2.0
    BATCH = 16
    # A batch is padded to its widest line: lines go together only while the widest is at most
    # SPREAD times the narrowest, and a batch's padded width stays under BATCH_RATIO heights.
    SPREAD = 1.2
    BATCH_RATIO = 200.0
    SQUEEZE = 0.7  # width factor for lines at least LONG times as wide as high
    LONG = 4.0

    def __init__(self, config: ModelConfig):
        from rapidocr.ch_ppocr_det import TextDetector
        from rapidocr.ch_ppocr_rec import TextRecognizer
        from rapidocr.utils.parse_parameters import ParseParams
        from rapidocr.main import DEFAULT_CFG_PATH

        self.config = config
        cuda = config.use_cuda()
        cfg = ParseParams.load(DEFAULT_CFG_PATH)
        cfg = ParseParams.update_batch(cfg, {
            "Global.log_level": "warning",
            "Global.use_cls": False,
            "EngineConfig.onnxruntime.intra_op_num_threads": config.threads,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            "EngineConfig.onnxruntime.use_cuda": cuda,
            "Det.model_path": str(config.det_model),
            # The caller scales the page for the detector (see extraction.scan.page_reader);
            # the detector must not scale it again.
            "Det.limit_type": "min",
            "Det.limit_side_len": 32,
            "Rec.model_path": str(config.rec_model),
            "Rec.rec_batch_num": self.BATCH,
            "Rec.rec_img_shape": [3, 48, int(48 * self.MIN_RATIO)],
        })
        engine_cfg = cfg.EngineConfig.onnxruntime
        cfg.Det.engine_cfg = engine_cfg
        cfg.Rec.engine_cfg = engine_cfg
        cfg.Det.model_root_dir = cfg.Rec.model_root_dir = str(config.rec_model.parent)
        cfg.Rec.font_path = None
        cfg._set_flag("allow_objects", True)  # the config holds our session objects
        # Our own sessions: explicit weight files (the library's resolver never runs, so it
        # never downloads), and our thread settings.
        cfg.Det.session = onnx_session(config.det_model, config)
        cfg.Rec.session = onnx_session(config.rec_model, config)
        self._det = TextDetector(cfg.Det)
        self._rec = TextRecognizer(cfg.Rec)

    def detect(self, img: np.ndarray) -> list[DetectedLine]:
        out = self._det(as_bgr(img))
        if out.boxes is None:
            return []
        return [DetectedLine(np.asarray(b, dtype=np.float32), float(s))
                for b, s in zip(out.boxes, out.scores)]

    def recognize(self, crops: Sequence[np.ndarray]) -> list[tuple[str, float]]:
        from rapidocr.ch_ppocr_rec import TextRecInput

        lines = [self._narrowed(as_bgr(c)) for c in crops]
        out: list[tuple[str, float]] = [("", 0.0)] * len(lines)
        for group in width_groups([c.shape[1] / max(c.shape[0], 1) for c in lines], self.MIN_RATIO,
                                  self.SPREAD, self.BATCH, self.BATCH_RATIO):
            res = self._rec(TextRecInput(img=[lines[i] for i in group]))
            for i, t, s in zip(group, res.txts, res.scores):
                out[i] = (t, float(s))
        return out

    def _narrowed(self, crop: np.ndarray) -> np.ndarray:
        h, w = crop.shape[:2]
        if w < self.LONG * h or self.SQUEEZE >= 1.0:
            return crop
        return cv2.resize(crop, (int(w * self.SQUEEZE), h), interpolation=cv2.INTER_AREA)

    def read(self, img: np.ndarray) -> list[Word]:
        return read_with(self, img)


def width_groups(ratios: Sequence[float], min_ratio: float, spread: float, most: int,
                 budget: float) -> list[list[int]]:
    """Indices of lines (width / height ratios) in recognition batches. The recogniser pads every
    line of a batch to the batch's widest: fixed-size batches of lines sorted by width still
    paired a 300-px line with a 1500-px one, and on our table pages 23% of the columns read were
    padding (3% in these groups). Lines narrower than min_ratio count as min_ratio (they are
    padded to it). A batch holds at most `most` lines and `budget` heights of padded width."""
    need = [max(r, min_ratio) for r in ratios]
    groups: list[list[int]] = []
    group: list[int] = []
    for i in sorted(range(len(need)), key=need.__getitem__):
        if group and (need[i] > spread * need[group[0]] or len(group) >= most
                      or (len(group) + 1) * need[i] > budget):
            groups.append(group)
            group = []
        group.append(i)
    if group:
        groups.append(group)
    return groups


def read_with(engine: OcrEngine, img: np.ndarray, min_score: float = 0.3) -> list[Word]:
    """Detect, crop, recognise: words with pixel boxes (vertical lines keep their tall box)."""
    lines = engine.detect(img)
    bgr = as_bgr(img)
    texts = engine.recognize([crop_line(bgr, ln.quad) for ln in lines])
    return [Word(t.strip(), ln.bbox, s) for ln, (t, s) in zip(lines, texts)
            if t.strip() and s >= min_score]


class PaddleOcrEngine:
    """PaddleOCR from a local model directory (never downloads): GIA_PADDLEOCR_DIR holding det/
    and rec/ inference models. Only built when configured and paddleocr is installed."""

    name = "paddleocr"

    def __init__(self, config: ModelConfig):
        from paddleocr import PaddleOCR  # optional dependency

        root = config.paddle_dir
        if root is None or not (root / "det").is_dir() or not (root / "rec").is_dir():
            raise RuntimeError("GIA_PADDLEOCR_DIR must hold det/ and rec/ model directories")
        self._ocr = PaddleOCR(text_detection_model_dir=str(root / "det"),
                              text_recognition_model_dir=str(root / "rec"),
                              use_textline_orientation=False, use_doc_orientation_classify=False,
                              use_doc_unwarping=False)
        self._lock = threading.Lock()  # paddle predictors are not documented as thread-safe

    def _predict(self, img: np.ndarray) -> dict:
        with self._lock:
            return next(iter(self._ocr.predict(as_bgr(img))))

    def detect(self, img: np.ndarray) -> list[DetectedLine]:
        res = self._predict(img)
        return [DetectedLine(np.asarray(p, dtype=np.float32), 1.0) for p in res["dt_polys"]]

    def recognize(self, crops: Sequence[np.ndarray]) -> list[tuple[str, float]]:
        out = []
        for c in crops:
            res = self._predict(c)
            texts, scores = res.get("rec_texts", []), res.get("rec_scores", [])
            out.append(("".join(texts), float(min(scores)) if scores else 0.0))
        return out

    def read(self, img: np.ndarray) -> list[Word]:
        res = self._predict(img)
        return [Word(t, DetectedLine(np.asarray(p, dtype=np.float32), 1.0).bbox, float(s))
                for p, t, s in zip(res["rec_polys"], res["rec_texts"], res["rec_scores"]) if t.strip()]


# GPU detection input: pages padded to 256-px steps. A4 and Letter pages at the detector's
# resolutions (150 dpi × the detect scale, and 150 dpi) are the shapes planned at start: 1280 × 1024
# and 1792 × 1280 at 0.7.
PAGE_STEP = 256
PAGE_INCHES = ((8.27, 11.69), (8.5, 11.0))  # A4, Letter


def planned_pages(scale: float, step: int = PAGE_STEP) -> list[tuple[int, int]]:
    """(height, width) of the padded detection input of an upright A4 and Letter page, shrunk by
    `scale` (pages with ruled tables) and whole (pages without: extraction.scan.page_reader)."""
    from extraction.scan.page_reader import READ_DPI

    shapes = []
    for k in (scale, 1.0):
        for w_in, h_in in PAGE_INCHES:
            h, w = (round(round(x * READ_DPI) * k) for x in (h_in, w_in))
            shape = (h + -h % step, w + -w % step)
            if shape not in shapes:
                shapes.append(shape)
    return shapes


def torch_engine(config: ModelConfig, pad_to: int = PAGE_STEP, serves: tuple[str, ...] | None = None):
    """The PP-OCR models on PyTorch (models.gpu) behind a request pool, so that concurrent pages
    share device batches. On CUDA the input shapes are planned on the pool's device thread (cuDNN's
    plans are per thread) before this returns. pad_to: detection images' padding step (1 where the
    callers pad, as models.ocr_server's workers do). serves: the request kinds this engine will be
    asked for (an OCR server process that only detects, or only recognises, plans only those
    shapes); all by default."""
    from models.gpu.engine import GpuOcrConfig, GpuOcrEngine
    from models.gpu.line_batches import width_buckets

    from .pooled_ocr import KINDS, PooledOcrEngine

    device = config.torch_device()
    # The page reader hands the detector pages already at the reading resolution: no rescaling
    # (as the CPU engine: limit "min" 32), so both engines see the same pixels.
    inner = GpuOcrEngine(GpuOcrConfig(device=device, det_limit_side=32, det_limit_type="min",
                                      width_buckets=width_buckets(config.rec_widths),
                                      cuda_graphs=config.cuda_graphs))
    serves = set(serves or KINDS)
    # a server process serving one kind has no second kind to overlap with
    device_threads = config.device_threads if serves == set(KINDS) else 1
    if device != "cuda":  # a check of the GPU path: the same page handling, no shapes to plan
        return PooledOcrEngine(inner, pad_to=pad_to, whole_pages=True, device_threads=device_threads)
    one_at_a_time = threading.Lock()

    def prepare(kinds: tuple[str, ...]) -> float:
        inner.use_own_stream()
        kinds = serves.intersection(kinds)
        # the device threads plan and capture one after the other: a capture is never beside
        # another thread's capture
        with one_at_a_time:
            return inner.warm_up(planned_pages(config.detect_scale) if "detect" in kinds else (),
                                 recognition=bool(kinds & {"recognize", "recognize_lines"}))

    pooled = PooledOcrEngine(inner, pad_to=pad_to, whole_pages=True, prepare=prepare,
                             device_threads=device_threads)
    seconds = pooled.ready.result()
    log.info("torch OCR engine on %s ready (%s; %d device threads); input shapes planned in %s s", device,
             ", ".join(sorted(serves)), device_threads, " + ".join(f"{s:.1f}" for s in seconds))
    return pooled


_engine: OcrEngine | None = None
_engine_lock = threading.Lock()


def use_ocr_engine(engine: OcrEngine | None) -> None:
    """Make `engine` the process-wide one (a worker process served by models.ocr_server)."""
    global _engine
    with _engine_lock:
        _engine = engine


def ocr_engine(config: ModelConfig | None = None) -> OcrEngine:
    """The process-wide OCR engine, built on first use."""
    global _engine
    if _engine is None:
        with _engine_lock:
            if _engine is None:
                cfg = config or ModelConfig.from_env()
                if cfg.engine == "paddle" and cfg.paddle_dir is not None:
                    _engine = PaddleOcrEngine(cfg)
                elif cfg.engine == "torch":
                    _engine = torch_engine(cfg)
                else:
                    _engine = RapidOcrEngine(cfg)
    return _engine
