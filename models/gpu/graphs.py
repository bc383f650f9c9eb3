"""A model's forward pass recorded once per input shape as a CUDA graph, then replayed.

Run eagerly, the converted PP-OCR graphs launch ~500 small kernels a forward pass, each dispatched
from Python by the one device thread, while that process's other threads (boxes from probability
maps, CTC decoding) take the interpreter lock in turn. On the H200 machine the device thread was
busy 92-97% of the run while the GPU ran kernels ~40% of the time. A replayed graph is one launch.
The engine pads its batches to a few fixed shapes (DET_LEVELS, line_batches.ROW_LEVELS), so a few
dozen graphs cover a run; they share one memory pool.

Anything that cannot be captured is run eagerly: on the CPU, once `limit` shapes are recorded, and
after a capture failed (the first failure's reason is kept in `error`, and no more are tried).
"""
from __future__ import annotations

import logging
import threading
from typing import Callable

import torch

log = logging.getLogger(__name__)

Outputs = tuple[torch.Tensor, ...]


class ReplayedForward:
    """fn(x) -> tuple of tensors, replayed from a CUDA graph per shape of x; each call's outputs
    are its own (copied out of the graph's buffers, which the next replay overwrites)."""

    def __init__(self, fn: Callable[[torch.Tensor], Outputs], device: torch.device, enabled: bool = True,
                 limit: int = 256, pool=None):
        self.fn = fn
        self.enabled = enabled and device.type == "cuda"
        self.limit = limit
        self.pool = pool  # torch.cuda.graph_pool_handle() shared with other replayers; None: a pool per graph
        self._graphs: dict[tuple, tuple[torch.cuda.CUDAGraph, torch.Tensor, Outputs]] = {}
        self._lock = threading.Lock()
        self.error: str | None = None
        self.replays = 0
        self.eager_calls = 0

    @property
    def captured(self) -> int:
        return len(self._graphs)

    def __call__(self, x: torch.Tensor) -> Outputs:
        if not self.enabled or self.error is not None:
            self.eager_calls += 1
            return self.fn(x)
        key = (tuple(x.shape), x.dtype)
        with self._lock:
            entry = self._graphs.get(key)
            if entry is None and self.error is None and len(self._graphs) < self.limit:
                entry = self._capture(key, x)
            if entry is None:
                self.eager_calls += 1
                return self.fn(x)
            graph, static_in, static_out = entry
            static_in.copy_(x)
            graph.replay()
            self.replays += 1
            return tuple(t.clone() for t in static_out)

    def _capture(self, key: tuple, x: torch.Tensor):
        static_in = x.clone()
        try:
            side = torch.cuda.Stream(device=x.device)
            side.wait_stream(torch.cuda.current_stream(x.device))
            with torch.cuda.stream(side):
                for _ in range(2):  # lazy initialisation and cuDNN's plans happen outside the capture
                    self.fn(static_in)
            torch.cuda.current_stream(x.device).wait_stream(side)
            graph = torch.cuda.CUDAGraph()
            # thread_local: the process's other threads may touch CUDA meanwhile (pinned buffers)
            with torch.cuda.graph(graph, pool=self.pool, capture_error_mode="thread_local"):
                static_out = self.fn(static_in)
        except Exception as exc:  # noqa: BLE001  eager from now on, with the reason kept
            self.error = f"{type(exc).__name__}: {exc}"[:300]
            log.warning("CUDA graph capture failed for input %s; running eagerly: %s", tuple(x.shape), self.error)
            torch.cuda.synchronize(x.device)
            return None
        entry = (graph, static_in, static_out)
        self._graphs[key] = entry
        return entry

    def summary(self) -> dict:
        return {"captured": self.captured, "replays": self.replays, "eager_calls": self.eager_calls,
                "error": self.error}
