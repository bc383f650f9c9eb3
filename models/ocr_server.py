"""One process owns the GPU; worker processes send it their OCR requests.

The page work around OCR (rendering, straightening, rulings, grids, the mapping) is Python and
NumPy, and a process's threads share one interpreter lock. Run in the same process as many page
threads, the thread that launches the GPU's kernels got a slice of that lock only now and then, and
the GPU path ran at CPU speed (measured: 2.9 pages/s with 24 page threads on the H100 machine). So
the GPU gets a process of its own: `start_server()` spawns it (models loaded and input shapes planned
before it says ready), each worker process calls `connect(handle, i)` and from then on its page
threads use the server through the ordinary OcrEngine interface. Inside the server, requests from
all workers are pooled into device batches (models.pooled_ocr).
"""
from __future__ import annotations

import itertools
import multiprocessing as mp
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from functools import partial
from typing import Any

from .pooled_ocr import PooledOcrEngine, RequestingOcrEngine


@dataclass
class ServerHandle:
    """What a worker process needs to reach the server (picklable into spawned processes)."""
    requests: Any  # mp.Queue of (client, request id, kind, payload), None to stop
    replies: list  # one mp.Queue per client of (request id, ok, value)
    pad_to: int
    whole_pages: bool
    process: Any = None  # the server's mp.Process, in the parent only

    def __getstate__(self):
        state = dict(self.__dict__)
        state["process"] = None
        return state

    def stop(self) -> None:
        self.requests.put(None)
        if self.process is not None:
            self.process.join(timeout=30)


def start_server(clients: int, ctx=None, timeout: float = 600.0) -> ServerHandle:
    """Spawn the OCR server for `clients` worker processes; returns once its models are ready.
    The engine is GIA_OCR_ENGINE's: "torch" is what the server is for; the CPU engine serves too
    (the tests run the plumbing with it), its pages detected band by band as in-process."""
    from .config import ModelConfig
    from .ocr import PAGE_STEP

    gpu = ModelConfig.from_env().engine == "torch"
    ctx = ctx or mp.get_context("spawn")
    requests = ctx.Queue()
    replies = [ctx.Queue() for _ in range(clients)]
    ready = ctx.Queue()
    proc = ctx.Process(target=_serve, args=(requests, replies, ready), name="gia-ocr-server", daemon=True)
    proc.start()
    status = ready.get(timeout=timeout)
    if status != "ready":
        proc.join(timeout=5)
        raise RuntimeError(f"OCR server did not start: {status}")
    return ServerHandle(requests, replies, PAGE_STEP if gpu else 1, gpu, proc)


def _serve(requests, replies, ready) -> None:
    try:
        from .config import ModelConfig
        from .ocr import RapidOcrEngine, pooled_torch_engine

        config = ModelConfig.from_env()
        # pages come padded from the workers (ServerHandle.pad_to)
        pooled = (pooled_torch_engine(config, pad_to=1) if config.engine == "torch"
                  else PooledOcrEngine(RapidOcrEngine(config), pad_to=1))
    except BaseException as exc:  # the parent is told why, not left waiting
        ready.put(f"{type(exc).__name__}: {exc}")
        return
    ready.put("ready")
    while True:
        msg = requests.get()
        if msg is None:
            break
        client, rid, kind, payload = msg
        if kind == "stats":
            times = getattr(pooled.inner, "times", None)
            replies[client].put((rid, True, {"pool": dict(pooled.stats.__dict__),
                                             "gpu_times_ms": times.as_ms() if times else None}))
            continue
        try:
            future = pooled.submit(kind, payload)
        except Exception as exc:
            replies[client].put((rid, False, f"{type(exc).__name__}: {exc}"))
            continue
        future.add_done_callback(partial(_reply, replies[client], rid))
    pooled.close()


def _reply(replies, rid: int, future: Future) -> None:
    exc = future.exception()
    if exc is not None:
        replies.put((rid, False, f"{type(exc).__name__}: {exc}"))
    else:
        replies.put((rid, True, future.result()))


class RemoteOcrEngine(RequestingOcrEngine):
    """A worker process's side: requests go to the server, replies come back on this client's
    queue and are handed to the waiting thread."""

    def __init__(self, handle: ServerHandle, client: int):
        self.name = "ocr-server(pp-ocr-torch)" if handle.whole_pages else "ocr-server(rapidocr)"
        self.pad_to = handle.pad_to
        self.whole_pages = handle.whole_pages
        self._requests = handle.requests
        self._replies = handle.replies[client]
        self._client = client
        self._ids = itertools.count()
        self._waiting: dict[int, Future] = {}
        self._lock = threading.Lock()
        self._listener = threading.Thread(target=self._listen, name="ocr-replies", daemon=True)
        self._listener.start()

    def submit(self, kind: str, payload: Any) -> Future:
        future: Future = Future()
        with self._lock:
            rid = next(self._ids)
            self._waiting[rid] = future
        self._requests.put((self._client, rid, kind, payload))
        return future

    def server_stats(self) -> dict:
        """The server's pooling figures and its engine's time per stage, so far."""
        return self.submit("stats", None).result()

    def _listen(self) -> None:
        while True:
            rid, ok, value = self._replies.get()
            with self._lock:
                future = self._waiting.pop(rid, None)
            if future is None:
                continue
            if ok:
                future.set_result(value)
            else:
                future.set_exception(RuntimeError(f"OCR server: {value}"))


def connect(handle: ServerHandle, client: int) -> RemoteOcrEngine:
    """In a worker process: route this process's OCR to the server."""
    from .ocr import use_ocr_engine

    engine = RemoteOcrEngine(handle, client)
    use_ocr_engine(engine)
    return engine
