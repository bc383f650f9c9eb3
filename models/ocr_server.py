"""One process owns the GPU; worker processes send it their OCR requests.

The page work around OCR (rendering, straightening, rulings, grids, the mapping) is Python and
NumPy, and a process's threads share one interpreter lock. Run in the same process as many page
threads, the thread that launches the GPU's kernels got a slice of that lock only now and then, and
the GPU path ran at CPU speed (measured: 2.9 pages/s with 24 page threads on the H100 machine). So
the GPU gets a process of its own: `start_server()` spawns it (models loaded and input shapes planned
before it says ready), each worker process calls `connect(handle)` and from then on its page threads
use the server through the ordinary OcrEngine interface. Inside the server, requests from all
workers are pooled into device batches (models.pooled_ocr).

The server may be two processes (GIA_OCR_SERVER_PROCESSES=2): one detects, one recognises, each
with its own interpreter lock, both on the same device; a worker connects to both and sends each
request to the process serving its kind. In one process, the device threads, the threads that turn
probability maps into boxes and labels into text, and the threads that take and answer the workers'
requests all take turns at one lock.

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
from dataclasses import dataclass, field
from functools import partial
from multiprocessing.connection import Client, Connection, Listener
from typing import Any

from .pooled_ocr import KIND_SPLITS, KINDS, PooledOcrEngine, RequestingOcrEngine, split_name


@dataclass
class ServerHandle:
    """What a worker process needs to reach the servers (picklable into spawned processes)."""
    routes: dict[str, str]  # request kind -> the Unix socket of the server process serving it
    authkey: bytes
    pad_to: int
    whole_pages: bool
    # how workers turn crops into recogniser input, as the server's engine would (None: the
    # server takes raw crops); told by the server once its engine is built
    line_input: Any = None
    processes: list = field(default_factory=list)  # the servers' mp.Process objects, in the parent only

    def __getstate__(self):
        state = dict(self.__dict__)
        state["processes"] = []
        return state

    @property
    def addresses(self) -> list[str]:
        """One socket per server process, in start order."""
        return list(dict.fromkeys(self.routes.values()))

    def stop(self) -> None:
        for address in self.addresses:
            try:
                with Client(address, authkey=self.authkey) as conn:
                    conn.send((0, "stop", None))
            except OSError:
                pass  # already gone
        for process in self.processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
                process.join(timeout=5)
        for address in self.addresses:
            # the server's Listener.close() has usually unlinked the socket already; the folder
            # must go either way, or every start leaves one behind in the temp dir
            for remove, path in ((os.unlink, address), (os.rmdir, os.path.dirname(address))):
                try:
                    remove(path)
                except OSError:
                    pass


def start_server(ctx=None, timeout: float = 600.0, processes: int | None = None) -> ServerHandle:
    """Spawn the OCR server; returns once its models are ready. The engine is GIA_OCR_ENGINE's:
    "torch" is what the server is for; the CPU engine serves too (the tests run the plumbing with
    it), its pages detected band by band as in-process. processes (default GIA_OCR_SERVER_PROCESSES):
    1, or 2 (detection in one process, recognition in the other: each with its own interpreter
    lock, both on the same device)."""
    from .config import ModelConfig
    from .ocr import PAGE_STEP

    config = ModelConfig.from_env()
    processes = config.server_processes if processes is None else processes
    if processes not in KIND_SPLITS:
        raise ValueError(f"OCR server processes: one of {sorted(KIND_SPLITS)}, not {processes!r}")
    gpu = config.engine == "torch"
    ctx = ctx or mp.get_context("spawn")
    authkey = secrets.token_bytes(16)
    handle = ServerHandle({}, authkey, PAGE_STEP if gpu else 1, gpu)
    waiting = []
    for kinds in KIND_SPLITS[processes]:
        address = os.path.join(tempfile.mkdtemp(prefix="gia-ocr-"), "ocr.sock")
        ready = ctx.Queue()
        name = "gia-ocr-server" if processes == 1 else f"gia-ocr-server-{split_name(kinds)}"
        proc = ctx.Process(target=_serve, args=(address, authkey, ready, kinds), name=name, daemon=True)
        proc.start()
        handle.processes.append(proc)
        handle.routes.update({kind: address for kind in kinds})
        waiting.append(ready)
    for ready in waiting:  # the servers load their models side by side
        try:
            status = ready.get(timeout=timeout)
        except Exception:
            status = "no answer"
        if not isinstance(status, dict):
            handle.stop()
            raise RuntimeError(f"OCR server did not start: {status}")
        if status["line_input"] is not None:
            handle.line_input = status["line_input"]
    return handle


def _serve(address: str, authkey: bytes, ready, kinds: tuple[str, ...] = KINDS) -> None:
    try:
        from .config import ModelConfig
        from .ocr import RapidOcrEngine, torch_engine

        config = ModelConfig.from_env()
        # pages come padded from the workers (ServerHandle.pad_to)
        pooled = (torch_engine(config, pad_to=1, serves=kinds) if config.engine == "torch"
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
        threading.Thread(target=_serve_client, args=(conn, pooled, listener, stopping, kinds), daemon=True).start()
    pooled.close()


def _serve_client(conn: Connection, pooled: PooledOcrEngine, listener: Listener, stopping: threading.Event,
                  kinds: tuple[str, ...] = KINDS) -> None:
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
            _send(conn, send_lock, (rid, True, {"kinds": kinds, "pool": pooled.stats_now(),
                                                "gpu_times_ms": times.as_ms() if times else None,
                                                "cpu_s": usage.ru_utime + usage.ru_stime}))
            continue
        try:
            if kind not in kinds:
                raise ValueError(f"this OCR server serves {', '.join(kinds)}, not {kind!r}")
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
    """A worker process's side: each request goes to the server of its kind over this worker's
    connection to it, replies come back on it and are handed to the waiting thread."""

    def __init__(self, handle: ServerHandle):
        self.name = "ocr-server(pp-ocr-torch)" if handle.whole_pages else "ocr-server(rapidocr)"
        self.pad_to = handle.pad_to
        self.whole_pages = handle.whole_pages
        self.line_input = handle.line_input
        self._ids = itertools.count(1)
        self._waiting: dict[int, Future] = {}
        self._lock = threading.Lock()
        self._lost: str | None = None
        self._links = {address: _Link(Client(address, authkey=handle.authkey)) for address in handle.addresses}
        self._routes = {kind: self._links[address] for kind, address in handle.routes.items()}
        for link in self._links.values():
            threading.Thread(target=self._listen, args=(link.conn,), name="ocr-replies", daemon=True).start()

    def submit(self, kind: str, payload: Any) -> Future:
        return self._submit_to(self._routes.get(kind) or next(iter(self._links.values())), kind, payload)

    def server_stats(self) -> dict:
        """The servers' pooling figures and their engines' time per stage, so far, summed over the
        server processes (see server_stats)."""
        return _merged_stats([self._submit_to(link, "stats", None).result() for link in self._links.values()])

    def close(self) -> None:
        for link in self._links.values():
            link.conn.close()

    def _submit_to(self, link: "_Link", kind: str, payload: Any) -> Future:
        future: Future = Future()
        with self._lock:
            if self._lost:
                future.set_exception(RuntimeError(f"OCR server: {self._lost}"))
                return future
            rid = next(self._ids)
            self._waiting[rid] = future
        try:
            with link.send_lock:
                link.conn.send((rid, kind, payload))
        except Exception as exc:  # unpicklable payload, or the server is gone
            with self._lock:
                self._waiting.pop(rid, None)
            future.set_exception(RuntimeError(f"OCR server: cannot send the request: {exc}"))
        return future

    def _listen(self, conn: Connection) -> None:
        while True:
            try:
                rid, ok, value = conn.recv()
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


@dataclass
class _Link:
    """One worker's connection to one server process."""
    conn: Connection
    send_lock: threading.Lock = field(default_factory=threading.Lock)


def _merged_stats(per_server: list[dict]) -> dict:
    """The figures of several server processes as one: numbers summed, and each process's device
    threads named by what it serves ("all" in the detection-only process is "detect")."""
    out: dict = {}
    for stats in per_server:
        stats = dict(stats)
        served = split_name(tuple(stats.pop("kinds", KINDS)))
        pool = dict(stats.get("pool") or {})
        pool["thread_busy_s"] = {(served if name == "all" else name): s
                                 for name, s in (pool.get("thread_busy_s") or {}).items()}
        stats["pool"] = pool
        out = summed(out, stats)
    return out


def summed(a, b):
    """a + b for the numbers of nested dicts (figures of several processes); elsewhere the first
    that is set."""
    if isinstance(a, dict) and isinstance(b, dict):
        return {k: summed(a.get(k), b.get(k)) for k in dict.fromkeys([*a, *b])}
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return a + b
    return a if a is not None else b


def server_stats(handle: ServerHandle) -> dict:
    """The servers' figures so far, asked over connections of their own: "pool" (PoolStats),
    "gpu_times_ms" (the engine's seconds per stage, where it keeps them) and "cpu_s" (the server
    processes' CPU time, all their threads), each summed over the server processes."""
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
