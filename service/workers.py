"""Extraction off the event loop: a pool of worker processes, each loading the pipeline once.

A caller thread borrows an idle worker, sends it the bytes and waits at most the per-document
time limit; past it the worker is killed and replaced, so a pathological document costs one
worker-restart, never a stuck service. `size=0` runs extractions in threads of this process
(tests, tiny deployments): the time limit then answers the caller but cannot stop the thread."""
from __future__ import annotations

import concurrent.futures
import importlib
import logging
import multiprocessing as mp
import os
import queue
import threading
import time
import traceback
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any, Callable, Optional

from models.config import limit_native_threads, share_of_cores

from .limits import Limits, check_limits

log = logging.getLogger("gia.workers")


@dataclass
class Outcome:
    """What became of one document: the contract as a dict, or why not (with the HTTP status)."""
    ok: bool
    result: Optional[dict[str, Any]] = None
    status_code: int = 200
    code: Optional[str] = None
    reason: Optional[str] = None
    elapsed_ms: float = 0.0

    @property
    def pages(self) -> int:
        return int(((self.result or {}).get("source") or {}).get("pages") or 0)


def load_extractor(ref: str) -> Callable[..., Any]:
    module, _, attr = ref.partition(":")
    return getattr(importlib.import_module(module), attr or "extract")


def each_report_of(ref: str, extract: Callable[..., Any]) -> Callable[..., Any]:
    """The extractor of every report a file holds, beside `extract` (the first): `<name>_reports`
    of the same module, whose list of results is answered as {"reports": [...]}; an extractor
    without one gives its one result as the only report."""
    module, _, attr = ref.partition(":")
    every = getattr(importlib.import_module(module), f"{attr or 'extract'}_reports", None)
    return every if every is not None else lambda data, filename: [extract(data, filename)]


def _as_dict(result: Any) -> dict:
    return result.model_dump(mode="json") if hasattr(result, "model_dump") else dict(result)


def extract_outcome(extract: Callable[..., Any], data: bytes, filename: str, limits: Limits) -> Outcome:
    """Never raises: input problems become their 4xx outcome, our own bugs a 500 outcome."""
    from extraction.errors import ExtractionError

    t0 = time.perf_counter()
    try:
        check_limits(data, limits)
        result = extract(data, filename)
        # (a list: every report of a volume, each_report_of)
        doc = {"reports": [_as_dict(r) for r in result]} if isinstance(result, list) else _as_dict(result)
        return Outcome(True, doc, elapsed_ms=_ms(t0))
    except ExtractionError as e:
        return Outcome(False, status_code=e.status_code, code=e.code, reason=e.reason, elapsed_ms=_ms(t0))
    except RecursionError:
        return Outcome(False, status_code=422, code="unreadable", reason="the document nests too deeply to be read",
                       elapsed_ms=_ms(t0))
    except MemoryError:
        return Outcome(False, status_code=413, code="too_large", reason="the document needs more memory than a worker has",
                       elapsed_ms=_ms(t0))
    except Exception as e:
        where = traceback.extract_tb(e.__traceback__)[-1]
        reason = f"{type(e).__name__} at {os.path.basename(where.filename)}:{where.lineno}"
        log.error("extraction bug", extra={"event": "extraction_bug", "document": filename, "reason": reason,
                                           "traceback": traceback.format_exc()})
        return Outcome(False, status_code=500, code="internal_error", reason=reason, elapsed_ms=_ms(t0))


def _ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000, 1)


def _timeout_outcome(limit: float) -> Outcome:
    return Outcome(False, status_code=422, code="timeout",
                   reason=f"extraction took longer than the {limit:g} s per-document time limit",
                   elapsed_ms=round(limit * 1000, 1))


def _worker_main(conn: Connection, extractor_ref: str, limits: Limits, ocr_server, threads: int) -> None:
    limit_native_threads(threads)
    try:
        if ocr_server is not None:  # before the extractor builds an engine of its own
            from models.ocr_server import connect

            connect(ocr_server)
        extract = load_extractor(extractor_ref)
        extract_each = each_report_of(extractor_ref, extract)
    except Exception as e:
        conn.send(("failed", f"{type(e).__name__}: {e}"))
        return
    conn.send(("ready", os.getpid()))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):  # the service went away: so do we
            return
        if message is None:
            return
        data, filename, each_report = message
        conn.send(extract_outcome(extract_each if each_report else extract, data, filename, limits))


@dataclass(eq=False)  # identity: kept in a set
class _Worker:
    process: Any
    conn: Connection
    started_at: float = field(default_factory=time.monotonic)


class ExtractorPool:
    def __init__(self, size: int, extractor_ref: str, limits: Limits, time_limit_s: float, ocr_server: bool = False):
        """ocr_server: one process (models.ocr_server) runs every worker's OCR; a worker killed at
        the time limit loses only its own connection, and its replacement connects afresh."""
        self.size = size
        self.ocr_server = ocr_server
        self._server = None
        self.extractor_ref = extractor_ref
        self.limits = limits
        self.time_limit_s = time_limit_s
        self._ctx = mp.get_context("spawn")  # no threads or event loop inherited from the server
        self._idle: "queue.Queue[_Worker]" = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._threads: Optional[concurrent.futures.ThreadPoolExecutor] = None
        self._extract: Optional[Callable[..., Any]] = None
        self._extract_each: Optional[Callable[..., Any]] = None
        self.restarts = 0

    def start(self) -> None:
        if self.ocr_server:
            if self.size <= 0:
                raise RuntimeError("GIA_OCR_SERVER needs extraction worker processes (GIA_WORKERS ≥ 1): with 0, "
                                   "documents are read in this process, whose engine pools its threads already")
            from models.ocr_server import start_server

            try:
                self._server = start_server(self._ctx)
            except Exception as e:
                raise RuntimeError(f"the OCR server cannot start: {e}") from e
        if self.size <= 0:
            self._extract = load_extractor(self.extractor_ref)
            self._extract_each = each_report_of(self.extractor_ref, self._extract)
            self._threads = concurrent.futures.ThreadPoolExecutor(max_workers=16, thread_name_prefix="gia-extract")
            return
        workers = [self._spawn_async() for _ in range(self.size)]
        for w in workers:
            self._await_ready(w)
            self._idle.put(w)

    def _spawn_async(self) -> _Worker:
        parent, child = self._ctx.Pipe()
        p = self._ctx.Process(target=_worker_main, args=(child, self.extractor_ref, self.limits, self._server,
                                                         share_of_cores(self.size)),
                              daemon=True, name="gia-extract-worker")
        p.start()
        child.close()
        w = _Worker(p, parent)
        with self._lock:
            self._all.add(w)
        return w

    def _await_ready(self, w: _Worker, timeout: float = 120.0) -> None:
        if not w.conn.poll(timeout):
            self._kill(w)
            raise RuntimeError("an extraction worker did not start in time")
        status, detail = w.conn.recv()
        if status != "ready":
            self._kill(w)
            raise RuntimeError(f"an extraction worker could not load {self.extractor_ref}: {detail}")

    def ocr_server_stats(self) -> Optional[dict]:
        """The OCR server's pooling figures so far (requests, device calls, …); None without one."""
        if self._server is None:
            return None
        from models.ocr_server import server_stats

        return server_stats(self._server)["pool"]

    def run(self, data: bytes, filename: str, each_report: bool = False) -> Outcome:
        """Blocking and thread-safe: the outcome of one document within the time limit. `each_report`:
        every report the file holds, as {"reports": [...]}; else the first, as a result."""
        if self._closed:
            return Outcome(False, status_code=503, code="shutting_down", reason="the service is shutting down")
        if self.size <= 0:
            return self._run_in_thread(data, filename, each_report)
        w = self._borrow()
        if w is None:
            return Outcome(False, status_code=503, code="shutting_down", reason="the service is shutting down")
        try:
            w.conn.send((data, filename, each_report))
            if w.conn.poll(self.time_limit_s):
                outcome = w.conn.recv()
                self._idle.put(w)
                return outcome
            log.warning("time limit", extra={"event": "time_limit", "document": filename, "limit_s": self.time_limit_s})
            self._replace(w)
            return _timeout_outcome(self.time_limit_s)
        except (EOFError, OSError, BrokenPipeError):
            # the worker died under this document (a crash in a native reader, the OOM killer)
            log.warning("worker died", extra={"event": "worker_died", "document": filename})
            self._replace(w)
            return Outcome(False, status_code=422, code="unreadable", reason="the document crashed the reader")

    def _borrow(self) -> Optional[_Worker]:
        while True:
            try:
                return self._idle.get(timeout=0.5)
            except queue.Empty:
                if self._closed:
                    return None

    def _run_in_thread(self, data: bytes, filename: str, each_report: bool) -> Outcome:
        assert self._threads is not None and self._extract is not None and self._extract_each is not None
        future = self._threads.submit(extract_outcome, self._extract_each if each_report else self._extract, data,
                                      filename, self.limits)
        try:
            return future.result(timeout=self.time_limit_s)
        except concurrent.futures.TimeoutError:
            return _timeout_outcome(self.time_limit_s)

    def _replace(self, w: _Worker) -> None:
        self._kill(w)
        self.restarts += 1
        if self._closed:
            return
        fresh = self._spawn_async()
        try:
            self._await_ready(fresh)
        except RuntimeError:
            log.error("worker restart failed", extra={"event": "worker_restart_failed"})
            raise
        self._idle.put(fresh)

    def _kill(self, w: _Worker) -> None:
        with self._lock:
            self._all.discard(w)
        if w.process.is_alive():
            w.process.kill()
        w.process.join(timeout=5)
        w.conn.close()

    def close(self) -> None:
        self._closed = True
        if self._threads is not None:
            self._threads.shutdown(wait=False, cancel_futures=True)
        with self._lock:
            workers = list(self._all)
        for w in workers:
            try:
                w.conn.send(None)
            except (OSError, BrokenPipeError):
                pass
        deadline = time.monotonic() + 5
        for w in workers:
            w.process.join(timeout=max(0.1, deadline - time.monotonic()))
            self._kill(w)
        if self._server is not None:
            self._server.stop()
            self._server = None
