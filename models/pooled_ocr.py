"""One OCR engine shared by many page-reading threads, their requests pooled into batches.

A GPU reads a batch of 64 text-line images in about the time it reads one, but a page reader asks
for a handful of detections (one per printed band) and one recognition per page. Run many pages
side by side (threads of one process) and let them all talk to one `PooledOcrEngine`: each call is
queued, one device thread takes whatever has queued within `max_wait_s` of the first request, runs
the detections of same-sized images as one batch and every pending recognition as one, and hands
each caller its share. A page's own order of calls is unchanged, so its results are the same as
with the engine alone (tested against the CPU engine).

Detection images are padded (white, bottom and right) up to a multiple of `pad_to` pixels, so that
bands of different pages fall into a few shapes and can share a batch; white holds no text, so no
box is found in the padding and box coordinates are those of the unpadded image.

The inner engine needs `recognize(crops)` and either `detect_batch(images)` (same-sized images, one
list of lines each) or `detect(image)`. An engine with `detect_batch_async` and
`recognize_lines_async` (the GPU engine) runs only the device part of each batch on the device
thread and returns futures that its own CPU threads settle (boxes from the detector's maps, CTC
decoding), so the device thread goes straight on to the next batch. Its `line_input` says how a
crop becomes recogniser input; callers then resize their crops themselves (request kind
"recognize_lines"), on their own threads or processes, not on the device thread.

With `device_threads=2`, detections and recognitions are served by a device thread each. One
thread spends its time on host work (stacking pages, packing lines, waiting for downloads) while the
device idles; two let one thread's host work overlap the other's device work (the GPU engine gives
each thread a stream of its own). Both threads still share the process's interpreter lock: on the
H200 machine this gained 2-3%, where a process each (models.ocr_server) gained 40%.
"""
from __future__ import annotations

import queue
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from extraction.grid import Word


KINDS = ("detect", "recognize", "recognize_lines")
# the request kinds each device thread (or OCR server process) serves, by how many there are
KIND_SPLITS = {1: (KINDS,), 2: (("detect",), ("recognize", "recognize_lines"))}


def split_name(kinds: tuple[str, ...]) -> str:
    """What a device thread or server process serving these kinds is called in figures and names:
    "all" where it serves every kind, else the first it serves ("detect", "recognize")."""
    return "all" if set(kinds) == set(KINDS) else kinds[0]


@dataclass
class _Request:
    kind: str  # one of KINDS
    payload: Any  # an image, or a list of crops
    future: Future = field(default_factory=Future)


@dataclass
class _Lane:
    """One device thread and the queue of the request kinds it serves."""
    kinds: tuple[str, ...]
    queue: "queue.Queue[_Request | None]" = field(default_factory=queue.Queue)
    name: str = field(init=False)  # "all" (the only device thread), or the first kind it serves
    ready: Future = field(default_factory=Future)
    thread: threading.Thread | None = None

    def __post_init__(self) -> None:
        self.name = split_name(self.kinds)


@dataclass
class PoolStats:
    requests: int = 0
    device_calls: int = 0  # detect_batch / recognize calls made on the inner engine
    detect_images: int = 0
    recognized_crops: int = 0
    # seconds the device threads spent running batches (not waiting for requests), summed; per
    # thread in thread_busy_s ("all" for the only one, else "detect" and "recognize"). Over a
    # run's wall time, how near a device thread is to being the limit.
    busy_s: float = 0.0
    thread_busy_s: dict[str, float] = field(default_factory=dict)


class RequestingOcrEngine:
    """models.ocr.OcrEngine on top of `submit(kind, payload) -> Future`: what a caller's thread sees,
    whether the requests go to a pool in this process (PooledOcrEngine) or to an OCR server process
    (models.ocr_server.RemoteOcrEngine). Detection images are padded here, on the caller's side."""

    name = "requesting"
    pad_to = 0
    whole_pages = False  # extraction.scan.page_reader: detect pages, not bands
    line_input: Callable[[np.ndarray], np.ndarray] | None = None  # see the module's docstring

    def submit(self, kind: str, payload: Any) -> Future:
        raise NotImplementedError

    def detect(self, img: np.ndarray) -> list:
        h, w = img.shape[:2]
        lines = self.submit("detect", padded_page(img, self.pad_to)).result()
        for ln in lines:  # the padding is white; clip what a box's unclip margin grew into it
            ln.quad[:, 0] = np.clip(ln.quad[:, 0], 0, w - 1)
            ln.quad[:, 1] = np.clip(ln.quad[:, 1], 0, h - 1)
        return lines

    def recognize(self, crops: Sequence[np.ndarray]) -> list[tuple[str, float]]:
        if not crops:
            return []
        if self.line_input is not None:
            return self.submit("recognize_lines", [self.line_input(c) for c in crops]).result()
        return self.submit("recognize", list(crops)).result()

    def read(self, img: np.ndarray) -> list[Word]:
        from .ocr import read_with

        return read_with(self, img)


def padded_page(img: np.ndarray, step: int) -> np.ndarray:
    """img padded with white (bottom, right) up to a multiple of step pixels each way."""
    if step <= 1:
        return img
    h, w = img.shape[:2]
    ph, pw = -h % step, -w % step
    if ph == 0 and pw == 0:
        return img
    pad = ((0, ph), (0, pw)) + ((0, 0),) * (img.ndim - 2)
    return np.pad(img, pad, mode="constant", constant_values=255)


class PooledOcrEngine(RequestingOcrEngine):
    """models.ocr.OcrEngine, safe to call from any number of threads."""

    def __init__(self, inner, pad_to: int = 256, max_wait_s: float = 0.004, det_batch: int = 16,
                 rec_crops: int = 4096, whole_pages: bool = False,
                 prepare: Callable[[tuple[str, ...]], Any] | None = None, device_threads: int = 1):
        """prepare(kinds): run first on each device thread, with the request kinds that thread
        serves (`ready` holds their results, one per thread). cuDNN keeps its execution plans per
        thread, so shapes planned on any other thread are planned again. device_threads: 1, or 2
        (detections on one, recognitions on the other; see the module's docstring)."""
        if device_threads not in KIND_SPLITS:
            raise ValueError(f"device_threads must be one of {sorted(KIND_SPLITS)}, not {device_threads!r}")
        self.inner = inner
        self.whole_pages = whole_pages
        self.line_input = getattr(inner, "line_input", None)
        self.name = f"pooled({getattr(inner, 'name', type(inner).__name__)})"
        self.pad_to = pad_to
        self.max_wait_s = max_wait_s
        self.det_batch = det_batch
        self.rec_crops = rec_crops
        self.stats = PoolStats()
        self._stats_lock = threading.Lock()
        self._prepare = prepare
        self._lanes = [_Lane(kinds) for kinds in KIND_SPLITS[device_threads]]
        self._lane_of = {kind: lane for lane in self._lanes for kind in lane.kinds}
        self.ready: Future = Future()
        for lane in self._lanes:
            thread_name = "ocr-pool" if lane.name == "all" else f"ocr-pool-{lane.name}"
            lane.thread = threading.Thread(target=self._serve, args=(lane,), name=thread_name, daemon=True)
            lane.thread.start()
        threading.Thread(target=self._gather_ready, name="ocr-pool-ready", daemon=True).start()

    def submit(self, kind: str, payload: Any) -> Future:
        """Queue one request as it stands (a detection image is not padded here)."""
        if kind not in KINDS or (kind == "recognize_lines" and self.line_input is None):
            raise ValueError(f"no such OCR request: {kind!r}")
        lane = self._lane_of[kind]
        if not lane.thread.is_alive():
            raise RuntimeError("the OCR pool has stopped")
        req = _Request(kind, payload)
        lane.queue.put(req)
        return req.future

    def stats_now(self) -> dict:
        """PoolStats' figures as they stand, as a plain dict (safe while the device threads run)."""
        with self._stats_lock:
            out = dict(self.stats.__dict__)
            out["thread_busy_s"] = dict(self.stats.thread_busy_s)
        return out

    def close(self) -> None:
        for lane in self._lanes:
            lane.queue.put(None)
        for lane in self._lanes:
            lane.thread.join(timeout=5)

    # ------------------------------------------------------------------ the device threads
    def _gather_ready(self) -> None:
        results = []
        for lane in self._lanes:
            exc = lane.ready.exception()
            if exc is not None:
                self.ready.set_exception(exc)
                return
            results.append(lane.ready.result())
        self.ready.set_result(results)

    def _serve(self, lane: "_Lane") -> None:
        try:
            lane.ready.set_result(self._prepare(lane.kinds) if self._prepare is not None else None)
        except BaseException as exc:  # the owner sees it on `ready`; requests still get served
            lane.ready.set_exception(exc)
        while True:
            first = lane.queue.get()
            if first is None:
                return
            pending = [first]
            deadline = time.perf_counter() + self.max_wait_s
            stop = False
            while not self._full(pending):
                left = deadline - time.perf_counter()
                try:
                    req = lane.queue.get(timeout=left) if left > 0 else lane.queue.get_nowait()
                except queue.Empty:
                    break
                if req is None:
                    stop = True
                    break
                pending.append(req)
            t0 = time.perf_counter()
            self._run_detections([r for r in pending if r.kind == "detect"])
            self._run_recognitions([r for r in pending if r.kind == "recognize"])
            self._run_recognitions([r for r in pending if r.kind == "recognize_lines"])
            busy = time.perf_counter() - t0
            with self._stats_lock:
                self.stats.requests += len(pending)
                self.stats.busy_s += busy
                self.stats.thread_busy_s[lane.name] = self.stats.thread_busy_s.get(lane.name, 0.0) + busy
            if stop:
                return

    def _full(self, pending: list[_Request]) -> bool:
        dets = sum(r.kind == "detect" for r in pending)
        crops = sum(len(r.payload) for r in pending if r.kind != "detect")
        return dets >= self.det_batch or crops >= self.rec_crops

    def _run_detections(self, reqs: list[_Request]) -> None:
        by_shape: dict[tuple, list[_Request]] = {}
        for r in reqs:
            by_shape.setdefault(r.payload.shape, []).append(r)
        for group in by_shape.values():
            for start in range(0, len(group), self.det_batch):
                chunk = group[start:start + self.det_batch]
                try:
                    found = self._detect_batch([r.payload for r in chunk])
                except BaseException as exc:  # the caller gets the error; the pool goes on
                    if len(chunk) > 1:  # alone, so that one bad image fails only its own caller
                        for r in chunk:
                            self._run_detections([r])
                    else:
                        chunk[0].future.set_exception(exc)
                    continue
                with self._stats_lock:
                    self.stats.device_calls += 1
                    self.stats.detect_images += len(chunk)
                for r, lines in zip(chunk, found):
                    _settle(r.future, lines)

    def _detect_batch(self, images: list[np.ndarray]) -> list:
        """Lines per image, or futures of them (an engine that finishes its batches off this thread)."""
        batch = getattr(self.inner, "detect_batch_async", None) or getattr(self.inner, "detect_batch", None)
        if batch is not None:
            return batch(images)
        return [self.inner.detect(img) for img in images]

    def _run_recognitions(self, reqs: list[_Request]) -> None:
        if not reqs:
            return
        crops = [c for r in reqs for c in r.payload]
        try:
            if reqs[0].kind == "recognize_lines":
                texts = self.inner.recognize_lines_async(crops)
            else:
                texts = self.inner.recognize(crops)
        except BaseException as exc:
            if len(reqs) > 1:  # one caller's bad crop must not fail the others batched with it
                for r in reqs:
                    self._run_recognitions([r])
                return
            reqs[0].future.set_exception(exc)
            return
        with self._stats_lock:
            self.stats.device_calls += 1
            self.stats.recognized_crops += len(crops)
        if isinstance(texts, Future):
            texts.add_done_callback(lambda done: _share(reqs, done))
        else:
            _share(reqs, texts)


def _share(reqs: list[_Request], texts) -> None:
    """Each request's slice of a batch's texts (a list, or a settled future of one)."""
    if isinstance(texts, Future):
        exc = texts.exception()
        if exc is not None:
            for r in reqs:
                r.future.set_exception(exc)
            return
        texts = texts.result()
    at = 0
    for r in reqs:
        r.future.set_result(texts[at:at + len(r.payload)])
        at += len(r.payload)


def _settle(target: Future, value) -> None:
    """target gets value, or, if value is a future, its outcome once it has one."""
    if not isinstance(value, Future):
        target.set_result(value)
        return

    def copy(done: Future) -> None:
        exc = done.exception()
        if exc is not None:
            target.set_exception(exc)
        else:
            target.set_result(done.result())

    value.add_done_callback(copy)
