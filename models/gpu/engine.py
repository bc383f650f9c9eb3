"""PP-OCR detection + recognition on a CUDA device, batched across pages and across text lines.

The models are the rapidocr wheel's PP-OCRv6 det/rec ONNX graphs converted to PyTorch (see
`convert`), run in fp16 by default. Detection runs a batch of same-sized pages at once; boxes come
from the probability maps on the CPU (`text_boxes`); recognition samples every line of every page in
the batch straight from the page images already on the device (one `grid_sample` per width bucket),
so no crop goes back and forth through host memory. On CUDA both models' forward passes are
replayed from CUDA graphs, one per input shape (`graphs`).

Also usable on "cpu" (fp32), which is how the tests check it without a GPU.
"""
from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import torch
import torch.nn.functional as F

from .convert import character_list, load_onnx, to_device, to_torch
from .ctc import alphabet, ctc_decode
from .graphs import ReplayedForward
from .model_files import OcrModelFiles, ocr_model_files
from .line_batches import (REC_HEIGHT, WIDTH_BUCKETS, LineBatch, LineInput, lines_per_batch, plan_line_batches,
                           plan_width_batches, row_levels)
from .text_boxes import DbParams, boxes_from_map



# Detection batches are padded to these page counts (see _padded). The OCR server's batches held
# 11 pages on average (H200, 864 pages): padded to 16, a third of the detector's work was blank.
DET_LEVELS = (1, 4, 8, 12, 16, 64)


@dataclass
class OcrLine:
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 in page pixels
    text: str
    score: float  # recogniser confidence (mean of emitted label probabilities)
    det_score: float = 1.0


@dataclass
class GpuOcrConfig:
    device: str = "cuda"
    half: bool = True  # fp16 weights and activations (only on CUDA)
    # rapidocr first shrinks a page so its long side is at most 2000 px, then applies the det limit
    # ("min": short side at least det_limit_side; "max": long side at most det_limit_side).
    max_side: int = 2000
    det_limit_side: int = 736
    det_limit_type: str = "min"
    det_batch: int = 16  # pages per detection batch
    rec_batch: int = 1024  # text lines per recognition batch at width 320 (fewer when wider)
    # Autotune convolutions per input shape (batches are padded to a few shapes either way:
    # line_batches.ROW_LEVELS, DET_LEVELS).
    cudnn_benchmark: bool = False
    cuda_graphs: bool = True  # replay each forward shape from a CUDA graph (only on CUDA)
    db: DbParams = field(default_factory=DbParams)
    # CPU threads turning probability maps into boxes and recogniser labels into text, while the
    # device thread goes on with the next batch
    post_threads: int = 8
    line_input: LineInput = field(default_factory=LineInput)  # crop -> recogniser input
    width_buckets: tuple[int, ...] = WIDTH_BUCKETS  # recogniser input widths (line_batches)
    min_score: float = 0.3  # read()/read_pages() drop lines the recogniser is less sure of


@dataclass
class StageTimes:
    """Seconds spent per stage since the engine was made (synchronised at stage ends). upload,
    detect, recognise and rec_model are the device thread's wall time; boxes and decode run on the
    post threads, beside it, and are their seconds summed."""
    upload: float = 0.0
    detect: float = 0.0
    boxes: float = 0.0
    recognise: float = 0.0  # line batches, uploads, rec model (and decode where not handed off)
    rec_model: float = 0.0  # rec forward and the download of its best labels
    decode: float = 0.0
    rec_lines: int = 0
    rec_padded_px: int = 0  # input width × lines summed over rec batches (the work the model does)
    replayed: dict[str, ReplayedForward] = field(default_factory=dict, repr=False)

    def as_ms(self) -> dict:
        out = {k: (round(v * 1000.0, 1) if isinstance(v, float) else v) for k, v in self.__dict__.items()
               if k != "replayed"}
        out["graphs"] = {name: r.summary() for name, r in self.replayed.items()}
        return out


def det_size(h: int, w: int, limit: int, limit_type: str, max_side: int = 2000) -> tuple[int, int]:
    """The network input size rapidocr picks for a page: scaled by the limit, multiples of 32."""
    if max(h, w) > max_side:
        shrink = max_side / max(h, w)
        h, w = int(h * shrink), int(w * shrink)
    if limit_type == "max":
        ratio = limit / max(h, w) if max(h, w) > limit else 1.0
    else:
        ratio = limit / min(h, w) if min(h, w) < limit else 1.0
    rh = max(32, int(round(int(h * ratio) / 32) * 32))
    rw = max(32, int(round(int(w * ratio) / 32) * 32))
    return rh, rw


class GpuOcrEngine:
    """models.ocr.OcrEngine on a CUDA device (or "cpu" for checks), plus batched page reading."""

    name = "pp-ocr-torch"

    def __init__(self, config: GpuOcrConfig | None = None, files: OcrModelFiles | None = None):
        self.config = config or GpuOcrConfig()
        files = files or ocr_model_files()
        self.device = torch.device(self.config.device)
        self.dtype = torch.float16 if (self.config.half and self.device.type == "cuda") else torch.float32
        self.det, self.rec, self.labels = _converted(files, self.device, self.dtype)
        self.line_input = self.config.line_input
        graphs = self.config.cuda_graphs and self.device.type == "cuda"
        # A model's graphs replay one at a time (ReplayedForward's lock, one stream) and share a
        # memory pool; detection and recognition may run at once, from two threads, so each
        # model has its own pool.
        det_pool, rec_pool = (torch.cuda.graph_pool_handle(), torch.cuda.graph_pool_handle()) if graphs else (None, None)
        # a detection graph keeps its page batch (~300 MB at 16 A4 pages): pages of many odd
        # sizes run eagerly past the first 30 shapes rather than fill a smaller card
        self._det_forward = ReplayedForward(lambda x: (self.det(x)[:, 0],), self.device, graphs, limit=30,
                                            pool=det_pool)
        self._rec_forward = ReplayedForward(lambda x: tuple(self.rec(x).max(dim=2)), self.device, graphs,
                                            pool=rec_pool)
        self.times = StageTimes(replayed={"det": self._det_forward, "rec": self._rec_forward})
        self._times_lock = threading.Lock()
        if self.device.type == "cuda" and self.config.cudnn_benchmark:
            torch.backends.cudnn.benchmark = True
        self._pool = ThreadPoolExecutor(max(1, self.config.post_threads))
        # torch's own CPU work here is tensor glue; its default of one thread per core would
        # fight the page threads (OpenCV, NumPy) for the cores.
        torch.set_num_threads(min(2, torch.get_num_threads()))

    def use_own_stream(self) -> None:
        """Give the calling thread a CUDA stream of its own (a no-op elsewhere), so that two
        threads' device work can overlap. A thread's work stays on its stream: each batch's tensors
        are made, used and read back there, and _sync waits for that stream only."""
        if self.device.type == "cuda":
            torch.cuda.set_stream(torch.cuda.Stream(self.device))

    @torch.inference_mode()
    def warm_up(self, page_shapes: list[tuple[int, int]] = (), recognition: bool = True) -> float:
        """Run every recognition input shape (unless recognition is False), and detection of the
        given page shapes (h, w) at every batch level, once: each new shape costs cuDNN ~1.4 s to
        plan, and its graph's capture, which must not land on the first documents. Plans are the
        calling thread's: run it on the thread that will run those shapes. Returns the seconds
        spent."""
        t0 = time.perf_counter()
        for width in self.config.width_buckets if recognition else ():
            for rows in row_levels(lines_per_batch(width, self.config.rec_batch)):
                self._rec_forward(torch.zeros((rows, 3, REC_HEIGHT, width), dtype=self.dtype, device=self.device))
        for h, w in page_shapes:
            rh, rw = det_size(h, w, self.config.det_limit_side, self.config.det_limit_type, self.config.max_side)
            for rows in (lv for lv in DET_LEVELS if lv <= self.config.det_batch):
                self._det_forward(torch.zeros((rows, 3, rh, rw), dtype=self.dtype, device=self.device))
        self._sync()
        return time.perf_counter() - t0

    # ---------------------------------------------------------------- the OcrEngine interface
    def detect(self, img: np.ndarray) -> list:
        return self.detect_batch([img])[0]

    def recognize(self, crops: Sequence[np.ndarray]) -> list[tuple[str, float]]:
        """Texts of ready-cut line images (any size, gray or BGR): each is resized on the CPU with
        cv2, as the CPU engine does (LineInput), then read as recognize_lines_async reads."""
        if not crops:
            return []
        return self.recognize_lines_async([self.line_input(c) for c in crops]).result()

    @torch.inference_mode()
    def recognize_lines_async(self, lines: Sequence[np.ndarray]) -> Future:
        """Texts of lines already at recogniser height (LineInput's output, gray or BGR uint8).
        The device work runs now, on the calling thread; the CTC decoding runs on the post threads,
        and the returned future holds one (text, score) per line."""
        t0 = time.perf_counter()
        parts = []
        for batch in plan_width_batches(np.array([ln.shape[1] for ln in lines]), self.config.rec_batch,
                                        self.config.width_buckets):
            x = self._line_tensor([lines[i] for i in batch.lines], batch)
            parts.append((batch.lines, *self._rec_labels(x, batch.rows)))
        self._add_time("recognise", time.perf_counter() - t0)
        return self._pool.submit(self._decoded, parts, len(lines))

    def detect_batch_async(self, images: list[np.ndarray]) -> list[Future]:
        """Lines of same-sized images (models.pooled_ocr's hook): the detector runs now, on the
        calling thread; boxes come from its maps on the post threads, one future per image."""
        futures: list[Future] = [None] * len(images)  # type: ignore[list-item]
        for group in self._det_groups(images):
            for i, job in zip(group, self._box_jobs(self._upload([images[i] for i in group]), as_lines=True)):
                futures[i] = job
        return futures

    def detect_batch(self, images: list[np.ndarray]) -> list[list]:
        """Lines of same-sized images, detected as one batch."""
        return [job.result() for job in self.detect_batch_async(images)]

    def read(self, img: np.ndarray) -> list:
        return self.read_pages([img])[0]

    def read_pages(self, pages: list[np.ndarray]) -> list[list]:
        """models.ocr's Word lists, one per page (the page reader's input)."""
        from extraction.grid import Word

        return [[Word(ln.text.strip(), ln.box, ln.score) for ln in lines
                 if ln.text.strip() and ln.score >= self.config.min_score]
                for lines in self.read_lines(pages)]

    # ---------------------------------------------------------------- batched paths
    def detect_pages(self, pages: list[np.ndarray]) -> list[tuple[np.ndarray, np.ndarray]]:
        results: list[tuple[np.ndarray, np.ndarray]] = [None] * len(pages)  # type: ignore[list-item]
        for group in self._det_groups(pages):
            tensors = self._upload([pages[i] for i in group])
            for i, res in zip(group, self._detect_tensors(tensors)):
                results[i] = res
        return results

    @torch.inference_mode()
    def read_lines(self, pages: list[np.ndarray]) -> list[list[OcrLine]]:
        """Lines of each page, in reading order. Pages of one size share detection batches."""
        out: list[list[OcrLine]] = [[] for _ in pages]
        for group in self._det_groups(pages):
            tensors = self._upload([pages[i] for i in group])
            dets = self._detect_tensors(tensors)
            lines = self._recognise_boxes(tensors, [b for b, _ in dets])
            for i, (boxes, det_scores), texts in zip(group, dets, lines):
                out[i] = [OcrLine(tuple(map(float, b)), t, s, float(d))
                          for b, d, (t, s) in zip(boxes, det_scores, texts)]
        return out

    # ---------------------------------------------------------------- internals
    def _det_groups(self, pages: list[np.ndarray]) -> list[list[int]]:
        by_size: dict[tuple[int, int], list[int]] = {}
        for i, p in enumerate(pages):
            by_size.setdefault(p.shape[:2], []).append(i)
        bs = self.config.det_batch
        return [idx[s:s + bs] for idx in by_size.values() for s in range(0, len(idx), bs)]

    def _sync(self) -> None:
        """Wait for the calling thread's stream (not the other device thread's)."""
        if self.device.type == "cuda":
            torch.cuda.current_stream(self.device).synchronize()

    def _upload(self, pages: list[np.ndarray]) -> torch.Tensor:
        """Same-sized pages as one (B, C, H, W) uint8 tensor on the device (C = 1 for gray)."""
        t0 = time.perf_counter()
        host = torch.from_numpy(np.stack(pages))
        if host.ndim == 3:
            host = host[:, None]
        else:
            host = host.permute(0, 3, 1, 2)
        if self.device.type == "cuda":
            host = host.pin_memory()
        dev = host.to(self.device, non_blocking=True).contiguous()
        self._sync()
        self._add_time("upload", time.perf_counter() - t0)
        return dev

    def _detect_tensors(self, pages: torch.Tensor) -> list[tuple[np.ndarray, np.ndarray]]:
        return [job.result() for job in self._box_jobs(pages)]

    @torch.inference_mode()
    def _box_jobs(self, pages: torch.Tensor, as_lines: bool = False) -> list[Future]:
        """Run the detector on a batch of pages (this thread) and hand each page's probability
        map to the post threads: futures of (boxes, scores), or of DetectedLine lists."""
        t0 = time.perf_counter()
        b, c, h, w = pages.shape
        rh, rw = det_size(h, w, self.config.det_limit_side, self.config.det_limit_type, self.config.max_side)
        x = pages.to(self.dtype)
        x = F.interpolate(x, size=(rh, rw), mode="bilinear", align_corners=False)
        x = (x / 127.5 - 1.0).expand(b, 3, rh, rw)
        prob = self._det_forward(self._padded(x.contiguous(), self._det_rows(b)))[0][:b]
        # cv2.dilate with a 2×2 kernel reaches one pixel up and left: pad there, then max-pool.
        binary = (prob > self.config.db.thresh).to(torch.uint8)
        mask = F.max_pool2d(F.pad(binary[:, None].float(), (1, 0, 1, 0)), 2, stride=1)[:, 0].to(torch.uint8)
        prob_h = prob.half().cpu().numpy()
        mask_h = mask.cpu().numpy()
        self._sync()
        self._add_time("detect", time.perf_counter() - t0)
        scale = (w / rw, h / rh)
        return [self._pool.submit(self._boxes, prob_h[i], mask_h[i], scale, (w, h), as_lines) for i in range(b)]

    def _boxes(self, prob: np.ndarray, mask: np.ndarray, scale, page_wh, as_lines: bool):
        from models.ocr import DetectedLine

        t0 = time.perf_counter()
        boxes, scores = boxes_from_map(prob, mask, scale, page_wh, self.config.db)
        self._add_time("boxes", time.perf_counter() - t0)
        if as_lines:
            return [DetectedLine(_quad(bx), float(sc)) for bx, sc in zip(boxes, scores)]
        return boxes, scores

    def _recognise_boxes(self, pages: torch.Tensor, boxes: list[np.ndarray]) -> list[list[tuple[str, float]]]:
        """Recognise every box of every page: crops are sampled on the device from a canvas holding
        the pages side by side, so one grid_sample cuts and resizes a whole batch of lines."""
        b, c, h, w = pages.shape
        counts = [len(x) for x in boxes]
        if sum(counts) == 0:
            return [[] for _ in boxes]
        t0 = time.perf_counter()
        all_boxes = np.concatenate([x for x in boxes if len(x)]).astype(np.float64)
        page_of = np.repeat(np.arange(b), counts)
        # fp32 whatever the model dtype: sampling coordinates span the whole canvas (tens of
        # thousands of pixels), far past what fp16 grid coordinates resolve.
        canvas = pages.float().permute(1, 2, 0, 3).reshape(1, c, h, b * w)
        bw = all_boxes[:, 2] - all_boxes[:, 0]
        bh = all_boxes[:, 3] - all_boxes[:, 1]
        ratios = self.line_input.ratios(bw / np.maximum(bh, 1.0))
        results: list[tuple[str, float]] = [("", 0.0)] * len(all_boxes)
        cols_all = torch.arange(self.config.width_buckets[-1], device=self.device, dtype=torch.float32)
        rows = torch.arange(REC_HEIGHT, device=self.device, dtype=torch.float32)
        for batch in plan_line_batches(ratios, self.config.rec_batch, self.config.width_buckets):
            idx, width, n = batch.lines, batch.width, len(batch.lines)
            cols = cols_all[:width]
            # Pixel-centre mapping, as cv2.resize: output column j samples x0 + (j + .5) * w / used - .5.
            x0 = torch.as_tensor(all_boxes[idx, 0] + page_of[idx] * w, device=self.device, dtype=torch.float32)
            y0 = torch.as_tensor(all_boxes[idx, 1], device=self.device, dtype=torch.float32)
            sx = torch.as_tensor(bw[idx] / batch.used, device=self.device, dtype=torch.float32)
            sy = torch.as_tensor(bh[idx] / REC_HEIGHT, device=self.device, dtype=torch.float32)
            gx = x0[:, None] + (cols[None, :] + 0.5) * sx[:, None] - 0.5  # (n, width)
            gy = y0[:, None] + (rows[None, :] + 0.5) * sy[:, None] - 0.5  # (n, 48)
            gx = (2.0 * gx + 1.0) / (b * w) - 1.0
            gy = (2.0 * gy + 1.0) / h - 1.0
            grid = torch.stack(torch.broadcast_tensors(gx[:, None, :], gy[:, :, None]), dim=-1)
            grid = grid.permute(1, 0, 2, 3).reshape(1, REC_HEIGHT, n * width, 2)
            crops = F.grid_sample(canvas, grid, mode="bilinear", padding_mode="border", align_corners=False)
            crops = crops.reshape(c, REC_HEIGHT, n, width).permute(2, 0, 1, 3).to(self.dtype) / 127.5 - 1.0
            crops = self._blank_padding(crops, batch).expand(n, 3, REC_HEIGHT, width)
            for i, res in zip(idx, self._run_rec(crops, batch.rows)):
                results[int(i)] = res
        self._add_time("recognise", time.perf_counter() - t0)
        split = np.cumsum(counts)[:-1]
        flat = list(range(len(results)))
        return [[results[i] for i in part] for part in np.split(np.array(flat), split)]

    @staticmethod
    def _padded(x: torch.Tensor, size: int) -> torch.Tensor:
        """x with its batch dimension padded (zeros) up to size; the caller drops the extra rows.
        Few distinct shapes: cuDNN plans each new one (see line_batches.ROW_LEVELS)."""
        n = x.shape[0]
        if size <= n:
            return x
        pad = torch.zeros((size - n, *x.shape[1:]), dtype=x.dtype, device=x.device)
        return torch.cat([x, pad])

    def _det_rows(self, n: int) -> int:
        return next((lv for lv in DET_LEVELS if n <= lv <= self.config.det_batch), n)

    def _run_rec(self, batch: torch.Tensor, rows: int = 0) -> list[tuple[str, float]]:
        best, prob = self._rec_labels(batch, rows)
        return self._decoded([(np.arange(len(best)), best, prob)], len(best))

    def _rec_labels(self, batch: torch.Tensor, rows: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """The recogniser's best label and its probability per time step, (n, T) each, on the host."""
        n = batch.shape[0]
        t0 = time.perf_counter()
        x = self._padded(batch.contiguous(), rows)
        prob, best = (t[:n] for t in self._rec_forward(x))
        best_h = best.to(torch.int32).cpu().numpy()
        prob_h = prob.float().cpu().numpy()
        with self._times_lock:
            self.times.rec_model += time.perf_counter() - t0
            self.times.rec_lines += n
            self.times.rec_padded_px += int(x.shape[0] * x.shape[3])
        return best_h, prob_h

    def _decoded(self, parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]], n: int) -> list[tuple[str, float]]:
        """(line indices, best, prob) per batch -> one (text, score) per line."""
        t0 = time.perf_counter()
        out: list[tuple[str, float]] = [("", 0.0)] * n
        for idx, best, prob in parts:
            for i, res in zip(idx, ctc_decode(best, prob, self.labels)):
                out[int(i)] = res
        self._add_time("decode", time.perf_counter() - t0)
        return out

    def _line_tensor(self, lines: list[np.ndarray], batch: LineBatch) -> torch.Tensor:
        """Lines at recogniser height as one normalised (n, 3, REC_HEIGHT, width) batch on the
        device (packed_lines), padded with 0 after normalisation, as rapidocr pads."""
        x = packed_lines(lines, batch.width, self.device)
        n, width = len(lines), batch.width
        return self._blank_padding(x.to(self.dtype) / 127.5 - 1.0, batch).expand(n, 3, REC_HEIGHT, width)

    def _blank_padding(self, x: torch.Tensor, batch: LineBatch) -> torch.Tensor:
        """x (n, c, REC_HEIGHT, width), normalised, with each line's columns past its own width set
        to 0, as rapidocr pads."""
        cols = torch.arange(batch.width, device=self.device)
        pad = torch.as_tensor(batch.used, device=self.device)[:, None] <= cols[None, :]
        return x.masked_fill(pad[:, None, None, :], 0.0)

    def _add_time(self, stage: str, seconds: float) -> None:
        with self._times_lock:
            setattr(self.times, stage, getattr(self.times, stage) + seconds)


def packed_lines(lines: Sequence[np.ndarray], width: int, device: torch.device) -> torch.Tensor:
    """Lines at recogniser height (uint8, gray or BGR) as one (n, c, REC_HEIGHT, width) uint8
    batch on `device`, each line from the left, cut at `width`, zeros after it; c = 1 when every
    line is gray. The lines travel side by side as one image and are cut apart on the device: a
    Python copy per line into a padded host batch cost the OCR server's device thread ~3.5 s of
    its 22.6 s on 105 k lines (H200 run)."""
    gray = all(ln.ndim == 2 for ln in lines)
    parts = [ln[:, :width] if gray or ln.ndim == 3 else np.broadcast_to(ln[:, :width, None], (*ln[:, :width].shape, 3))
             for ln in lines]
    used = np.array([p.shape[1] for p in parts], dtype=np.int64)
    flat = torch.from_numpy(np.ascontiguousarray(np.concatenate(parts, axis=1)))  # (H, total[, 3])
    starts = torch.from_numpy(np.concatenate(([0], np.cumsum(used)[:-1])))
    if device.type == "cuda":
        flat = flat.pin_memory()
    flat = flat.to(device, non_blocking=True)
    starts = starts.to(device, non_blocking=True)
    cols = torch.arange(width, device=device)
    inside = cols[None, :] < torch.from_numpy(used).to(device, non_blocking=True)[:, None]  # (n, width)
    index = torch.where(inside, starts[:, None] + cols[None, :], 0)
    x = flat[:, index]  # (H, n, width[, 3])
    x = torch.where(inside[None, :, :, None] if not gray else inside[None], x, 0)
    return x.permute(1, 0, 2)[:, None] if gray else x.permute(1, 3, 0, 2)


_CONVERTED: dict[tuple, tuple[torch.nn.Module, torch.nn.Module, list[str]]] = {}


def _converted(files: OcrModelFiles, device: torch.device, dtype: torch.dtype):
    """det module, rec module and labels, converted once per process and placement."""
    key = (str(files.det), str(files.rec), str(device), dtype)
    if key not in _CONVERTED:
        rec_graph = load_onnx(files.rec)
        labels = alphabet(character_list(rec_graph))
        det = to_device(to_torch(load_onnx(files.det)), device, dtype)
        rec = to_device(to_torch(rec_graph), device, dtype)
        _CONVERTED[key] = (det, rec, labels)
    return _CONVERTED[key]


def _quad(box) -> np.ndarray:
    x0, y0, x1, y1 = (float(v) for v in box)
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float32)
