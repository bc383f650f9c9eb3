"""Local worker processes that can be killed one at a time.

A process pool from the standard library cannot stop one hung task, so each worker here is a
plain process with its own pipe: the driver hands it one document at a time, and a worker past
the timeout (or dead) is killed and replaced by a fresh one that warms up again.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import signal
import time
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait as wait_any
from pathlib import Path
from typing import Any, Optional

from models.config import limit_native_threads, share_of_cores

from .batch_extract import Outcome, expired_slots, extract_one, load_extractor, warm_up
from .batch_inputs import Task

# A worker that cannot even start (the pipeline fails to import) would be replaced forever.
MAX_START_FAILURES = 3


def _die_with_parent() -> None:
    """On Linux, ask the kernel to kill this worker when the driver dies (even by SIGKILL), so a
    hung worker never outlives an interrupted batch."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _worker_main(conn: Connection, extractor_ref: str, parent_pid: int, threads: int,
                 ocr_server=None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the driver's to handle
    _die_with_parent()
    limit_native_threads(threads)
    if os.getppid() != parent_pid:
        return
    try:
        if ocr_server is not None:
            from models.ocr_server import connect

            connect(ocr_server)
        extract = load_extractor(extractor_ref)
        warm_up(extractor_ref, extract)
    except BaseException:
        conn.send(("broken", traceback.format_exc(limit=3)))
        return
    conn.send(("ready", None))
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        path, filename = msg
        try:
            data = Path(path).read_bytes()
        except OSError as e:
            outcome = Outcome("failed", code="unreadable", reason=f"cannot read the file: {e.strerror or e}")
        else:
            outcome = extract_one(extract, data, filename)
        try:
            conn.send(("done", outcome))
        except (BrokenPipeError, OSError):
            return


@dataclass
class _Worker:
    process: Any
    conn: Connection
    ready: bool = False
    task: Optional[Task] = None
    started: float = 0.0


class LocalPool:
    def __init__(self, workers: int, extractor_ref: str, timeout: float, ocr_server: bool = False):
        self.size = max(1, workers)
        self.ocr_server = ocr_server
        self._server = None
        self.extractor_ref = extractor_ref
        self.timeout = timeout
        self._ctx = mp.get_context("spawn")  # no inherited threads or engine state from the driver
        self._workers: list[_Worker] = []
        self._start_failures = 0
        self._last_start_error = ""

    def start(self) -> None:
        if self.ocr_server:
            from models.ocr_server import start_server

            try:
                self._server = start_server(self._ctx)
            except Exception as e:  # the models cannot load: say why, as for workers that cannot start
                raise RuntimeError(f"the OCR server cannot start: {e}") from e
        self._workers = [self._spawn() for _ in range(self.size)]

    def _spawn(self) -> _Worker:
        parent, child = self._ctx.Pipe()
        threads = share_of_cores(self.size)
        p = self._ctx.Process(target=_worker_main, args=(child, self.extractor_ref, os.getpid(), threads,
                                                         self._server),
                              daemon=True, name="gia-batch-worker")
        p.start()
        child.close()
        return _Worker(p, parent)

    def idle(self) -> list[int]:
        return [i for i, w in enumerate(self._workers) if w.ready and w.task is None]

    def busy(self) -> int:
        return sum(1 for w in self._workers if w.task is not None)

    def dispatch(self, slot: int, task: Task) -> None:
        w = self._workers[slot]
        w.task, w.started = task, time.monotonic()
        try:
            w.conn.send((str(task.path), task.path.name))
        except OSError:
            pass  # the worker just died: wait() sees its sentinel and reports the task

    def wait(self, seconds: float) -> list[tuple[Task, Outcome]]:
        """Outcomes that arrived within `seconds`, plus timeouts and crashes."""
        done: list[tuple[Task, Outcome]] = []
        watch = {}
        for i, w in enumerate(self._workers):
            watch[w.conn] = i
            watch[w.process.sentinel] = i
        deadline = min([w.started + self.timeout for w in self._workers if w.task], default=None)
        if deadline is not None:
            seconds = max(0.0, min(seconds, deadline - time.monotonic()))
        ready_slots = {watch[obj] for obj in wait_any(list(watch), timeout=seconds)}
        for i in sorted(ready_slots):
            w = self._workers[i]
            msg = None
            try:
                if w.conn.poll():
                    msg = w.conn.recv()
            except (EOFError, OSError):
                msg = None
            if msg and msg[0] == "ready":
                w.ready = True
                self._start_failures = 0
            elif msg and msg[0] == "done":
                task, w.task = w.task, None
                if task is not None:
                    done.append((task, msg[1]))
            elif msg and msg[0] == "broken":
                self._last_start_error = msg[1]
                self._replace(i, started_ok=False)
            elif not w.process.is_alive():
                if w.task is not None:
                    code = w.process.exitcode
                    done.append((w.task, Outcome("failed", code="worker_crashed",
                                                 reason=f"the worker died while reading it (exit code {code})",
                                                 elapsed_ms=_elapsed(w))))
                self._replace(i, started_ok=w.ready)
        for i, task, outcome in expired_slots(self._workers, self.timeout, _elapsed):
            done.append((task, outcome))
            self._replace(i, started_ok=True)
        return done

    def _replace(self, slot: int, started_ok: bool) -> None:
        if not started_ok:
            self._start_failures += 1
            if self._start_failures >= MAX_START_FAILURES:
                raise RuntimeError("batch workers cannot start:\n" + (self._last_start_error or "they exit at once"))
        self._kill(self._workers[slot])
        self._workers[slot] = self._spawn()

    @staticmethod
    def _kill(w: _Worker) -> None:
        if w.process.is_alive():
            w.process.kill()
        w.process.join(timeout=5)
        w.conn.close()

    def close(self) -> None:
        for w in self._workers:
            if w.process.is_alive() and w.task is None and w.ready:
                try:
                    w.conn.send(None)
                except OSError:
                    pass
        for w in self._workers:
            w.process.join(timeout=0.5 if w.task is None else 0)
            self._kill(w)
        self._workers = []
        if self._server is not None:
            self._server.stop()
            self._server = None


def _elapsed(w: _Worker) -> float:
    return round((time.monotonic() - w.started) * 1000, 1)
