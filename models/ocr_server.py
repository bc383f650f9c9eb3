"""One process owns the GPU; worker processes send it their OCR requests.

The page work around OCR (rendering, straightening, rulings, grids, the mapping) is Python and
NumPy, and a process's threads share one interpreter lock. Run in the same process as many page
threads, the thread that launches the GPU's kernels got a slice of that lock only now and then, and
the GPU path ran at CPU speed (measured: 2.9 pages/s with 24 page threads on the H100 machine). So
the GPU gets a process of its own: `start_server()` spawns it (models loaded and input shapes planned
before it says ready), each worker process calls `connect(handle)` and from then on its page threads
use the server through the ordinary OcrEngine interface. Inside the server, requests from all
workers are pooled into device batches (models.pooled_ocr).

Each worker has its own socket connection (a Unix socket, with a random key): a worker killed in
the middle of a request (the batch's per-document timeout) takes only its own connection down, and
its replacement connects afresh. A shared multiprocessing queue would stay locked by the dead
writer and stall every other worker.
"""
from __future__ import annotations

import itertools
import multiprocessing as mp
import os
import resource
import secrets
import tempfile
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from functools import partial
from multiprocessing.connection import Client, Connection, Listener
from typing import Any

from .pooled_ocr import PooledOcrEngine, RequestingOcrEngine


@dataclass
class ServerHandle:
    """What a worker process needs to reach the server (picklable into spawned processes)."""
    address: str  # the server's Unix socket
    authkey: bytes
    pad_to: int
    whole_pages: bool
    # how workers turn crops into recogniser input, as the server's engine would (None: the
    # server takes raw crops); told by the server once its engine is built
    line_input: Any = None
    process: Any = None  # the server's mp.Process, in the parent only

    def __getstate__(self):
        state = dict(self.__dict__)
        state["process"] = None
        return state

    def stop(self) -> None:
        try:
            with Client(self.address, authkey=self.authkey) as conn:
                conn.send((0, "stop", None))
        except OSError:
            pass  # already gone
        if self.process is not None:
            self.process.join(timeout=30)
            if self.process.is_alive():
                self.process.kill()
                self.process.join(timeout=5)
        try:
            os.unlink(self.address)
            os.rmdir(os.path.dirname(self.address))
        except OSError:
            pass


def start_server(ctx=None, timeout: float = 600.0) -> ServerHandle:
    """Spawn the OCR server; returns once its models are ready. The engine is GIA_OCR_ENGINE's:
    "torch" is what the server is for; the CPU engine serves too (the tests run the plumbing with
    it), its pages detected band by band as in-process."""
    from .config import ModelConfig
    from .ocr import PAGE_STEP

    gpu = ModelConfig.from_env().engine == "torch"
    ctx = ctx or mp.get_context("spawn")
    address = os.path.join(tempfile.mkdtemp(prefix="gia-ocr-"), "ocr.sock")
    authkey = secrets.token_bytes(16)
    ready = ctx.Queue()
    proc = ctx.Process(target=_serve, args=(address, authkey, ready), name="gia-ocr-server", daemon=True)
    proc.start()
    handle = ServerHandle(address, authkey, PAGE_STEP if gpu else 1, gpu, process=proc)
    try:
        status = ready.get(timeout=timeout)
    except Exception:
        status = "no answer"
    if not isinstance(status, dict):
        handle.stop()
        raise RuntimeError(f"OCR server did not start: {status}")
    handle.line_input = status["line_input"]
    return handle


def _serve(address: str, authkey: bytes, ready) -> None:
    try:
        from .config import ModelConfig
        from .ocr import RapidOcrEngine, torch_engine

        config = ModelConfig.from_env()
        # pages come padded from the workers (ServerHandle.pad_to)
        pooled = (torch_engine(config, pad_to=1) if config.engine == "torch"
                  else PooledOcrEngine(RapidOcrEngine(config), pad_to=1))
        listener = Listener(address, family="AF_UNIX", authkey=authkey)
    except BaseException as exc:  # the parent is told why, not left waiting
        ready.put(f"{type(exc).__name__}: {exc}")
        return
    ready.put({"line_input": pooled.line_input})
    stopping = threading.Event()
    while not stopping.is_set():
        try:
            conn = listener.accept()
        except (OSError, EOFError, mp.AuthenticationError):
            # closed by a stop request; or a client failed the key or hung up mid-handshake
            if stopping.is_set():
                break
            continue
        threading.Thread(target=_serve_client, args=(conn, pooled, listener, stopping), daemon=True).start()
    pooled.close()


def _serve_client(conn: Connection, pooled: PooledOcrEngine, listener: Listener, stopping: threading.Event) -> None:
    send_lock = threading.Lock()
    while True:
        try:
            rid, kind, payload = conn.recv()
        except (EOFError, OSError, ValueError, TypeError):  # the worker is gone (or sent garbage)
            break
        if kind == "stop":
            stopping.set()
            listener.close()
            break
        if kind == "stats":
            times = getattr(pooled.inner, "times", None)
            usage = resource.getrusage(resource.RUSAGE_SELF)
            _send(conn, send_lock, (rid, True, {"pool": dict(pooled.stats.__dict__),
                                                "gpu_times_ms": times.as_ms() if times else None,
                                                "cpu_s": usage.ru_utime + usage.ru_stime}))
            continue
        try:
            future = pooled.submit(kind, payload)
        except Exception as exc:
            _send(conn, send_lock, (rid, False, f"{type(exc).__name__}: {exc}"))
            continue
        future.add_done_callback(partial(_reply, conn, send_lock, rid))
    conn.close()


def _reply(conn: Connection, send_lock: threading.Lock, rid: int, future: Future) -> None:
    exc = future.exception()
    if exc is not None:
        _send(conn, send_lock, (rid, False, f"{type(exc).__name__}: {exc}"))
    else:
        _send(conn, send_lock, (rid, True, future.result()))


def _send(conn: Connection, lock: threading.Lock, msg) -> None:
    with lock:
        try:
            conn.send(msg)
        except (OSError, ValueError):  # the worker went away; its answers go nowhere
            pass


class RemoteOcrEngine(RequestingOcrEngine):
    """A worker process's side: requests go to the server over this worker's connection, replies
    come back on it and are handed to the waiting thread."""

    def __init__(self, handle: ServerHandle):
        self.name = "ocr-server(pp-ocr-torch)" if handle.whole_pages else "ocr-server(rapidocr)"
        self.pad_to = handle.pad_to
        self.whole_pages = handle.whole_pages
        self.line_input = handle.line_input
        self._conn = Client(handle.address, authkey=handle.authkey)
        self._ids = itertools.count(1)
        self._waiting: dict[int, Future] = {}
        self._lock = threading.Lock()
        self._send_lock = threading.Lock()
        self._lost: str | None = None
        self._listener = threading.Thread(target=self._listen, name="ocr-replies", daemon=True)
        self._listener.start()

    def submit(self, kind: str, payload: Any) -> Future:
        future: Future = Future()
        with self._lock:
            if self._lost:
                future.set_exception(RuntimeError(f"OCR server: {self._lost}"))
                return future
            rid = next(self._ids)
            self._waiting[rid] = future
        try:
            with self._send_lock:
                self._conn.send((rid, kind, payload))
        except Exception as exc:  # unpicklable payload, or the server is gone
            with self._lock:
                self._waiting.pop(rid, None)
            future.set_exception(RuntimeError(f"OCR server: cannot send the request: {exc}"))
        return future

    def server_stats(self) -> dict:
        """The server's pooling figures and its engine's time per stage, so far."""
        return self.submit("stats", None).result()

    def close(self) -> None:
        self._conn.close()

    def _listen(self) -> None:
        while True:
            try:
                rid, ok, value = self._conn.recv()
            except (EOFError, OSError, TypeError, ValueError):
                # TypeError / ValueError: closed on this side (close()) while waiting
                self._fail_all("the connection to the server was lost")
                return
            with self._lock:
                future = self._waiting.pop(rid, None)
            if future is None:
                continue
            if ok:
                future.set_result(value)
            else:
                future.set_exception(RuntimeError(f"OCR server: {value}"))

    def _fail_all(self, why: str) -> None:
        with self._lock:
            self._lost = why
            waiting, self._waiting = self._waiting, {}
        for future in waiting.values():
            future.set_exception(RuntimeError(f"OCR server: {why}"))


def server_stats(handle: ServerHandle) -> dict:
    """The server's figures so far, asked over a connection of its own: "pool" (PoolStats),
    "gpu_times_ms" (the engine's seconds per stage, where it keeps them) and "cpu_s" (the server
    process's CPU time, all its threads)."""
    remote = RemoteOcrEngine(handle)
    try:
        return remote.server_stats()
    finally:
        remote.close()


def connect(handle: ServerHandle) -> RemoteOcrEngine:
    """In a worker process: route this process's OCR to the server."""
    from .ocr import use_ocr_engine

    engine = RemoteOcrEngine(handle)
    use_ocr_engine(engine)
    return engine
