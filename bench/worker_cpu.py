"""The CPU a GPU-path worker spends on a scanned page, measured on any machine.

    GIA_OCR_ENGINE=torch GIA_OCR_DEVICE=cpu python -m bench.worker_cpu [--reports 1] [--repeat 3]

On the GPU machine the worker processes' CPU per page caps the whole path: 16 cores at 187 CPU-ms
a page give at most 86 pages/s, whatever the GPU does (bench/results/gpu_pipeline_h200.md). There
that figure costs device time and is blurred by fifteen neighbours. Here the scan corpus
(bench.corpus) is extracted once with the configured OCR engine, recording every answer it gives;
then every document is extracted again, on one thread, with an engine that replays those answers in
order (each request checked against the recorded one by kind and sizes). Only the worker's own
work is timed: rendering, straightening, rulings, the requests' preparation (page padding, line
inputs), grids, second readings and the mapping. The torch engine on the CPU gives the GPU path's
boxes (upright, on whole pixels); the CPU engine's (rapidocr's quads, detected in bands) cost the
worker otherwise, and are recorded through a request pool so that the worker's side is the same
code. Prints the thread CPU ms a page per stage and for whole documents, and writes worker_cpu.json
under --out.

`--tool rapid_table` measures the alternative's worker instead (bench.gpu_pipeline --tool): our
reader, then RapidTable's layout and SLANet-plus on onnxruntime's CPU sessions (a GPU machine
without onnxruntime-gpu runs them there), their OCR requests replayed like ours. Its sessions get
one thread (GIA_OCR_THREADS=1) so that all their work is on the timed thread.
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import sys
import time
from collections import defaultdict
from concurrent.futures import Future
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.corpus import SCAN_DPIS, build_corpus  # noqa: E402
from bench.gpu_pipeline import GPU_TOOLS  # noqa: E402
from bench.run import OURS  # noqa: E402
from models.pooled_ocr import RequestingOcrEngine  # noqa: E402


def _sizes(payload: Any) -> tuple:
    """What a replayed request must match: its image's shape, or its lines' shapes."""
    if isinstance(payload, (list, tuple)):
        return tuple(getattr(p, "shape", None) for p in payload)
    return (getattr(payload, "shape", None),)


class _Requests(RequestingOcrEngine):
    """The worker's side of an engine (models.pooled_ocr.RequestingOcrEngine) with the same
    padding and line input as `like`."""

    def __init__(self, like: RequestingOcrEngine):
        self.pad_to = like.pad_to
        self.whole_pages = like.whole_pages
        self.line_input = like.line_input
        self.name = getattr(like, "name", "?")


class Recording(_Requests):
    """Passes each request to `inner` and keeps (kind, sizes, answer), in order."""

    def __init__(self, inner: RequestingOcrEngine):
        super().__init__(inner)
        self.inner = inner
        self.log: list[tuple[str, tuple, Any]] = []

    def submit(self, kind: str, payload: Any) -> Future:
        answer = self.inner.submit(kind, payload).result()
        self.log.append((kind, _sizes(payload), copy.deepcopy(answer)))
        return _done(answer)


class Replay(_Requests):
    """Answers the recorded requests again, in the order they were made."""

    def __init__(self, recording: Recording):
        super().__init__(recording)
        self.log = recording.log
        self.next = 0

    def submit(self, kind: str, payload: Any) -> Future:
        if self.next >= len(self.log):
            raise RuntimeError(f"request {self.next} was not recorded: only {len(self.log)} were made")
        want_kind, want_sizes, answer = self.log[self.next]
        if (kind, _sizes(payload)) != (want_kind, want_sizes):
            raise RuntimeError(f"request {self.next} differs from the recording: {kind} "
                               f"{_sizes(payload)[:3]}... against {want_kind} {want_sizes[:3]}...")
        self.next += 1
        return _done(copy.deepcopy(answer))  # the page reader moves a turned page's boxes


def _done(value: Any) -> Future:
    f: Future = Future()
    f.set_result(value)
    return f


def _requesting(engine) -> tuple[RequestingOcrEngine, bool]:
    """The configured engine as a request pool, and whether it was made here (to be closed): the
    torch engine is one; the CPU engine is put behind one as the OCR server does (its pages not
    padded: ServerHandle.pad_to)."""
    if isinstance(engine, RequestingOcrEngine):
        return engine, False
    from models.pooled_ocr import PooledOcrEngine

    return PooledOcrEngine(engine, pad_to=1), True


def measure(reports: int, repeat: int, kinds: tuple[str, ...], tool: str = OURS) -> dict:
    from bench.alternatives import extract_as
    from extraction.pipeline import warm_up
    from extraction.scan.page_reader import collecting_pages
    from models.config import ModelConfig, limit_native_threads
    from models.ocr import ocr_engine, use_ocr_engine

    import cv2

    if tool != OURS and ModelConfig.from_env().threads != 1:
        raise ValueError(f"{tool}'s onnxruntime sessions would work on threads of their own, off the "
                         "timed one: set GIA_OCR_THREADS=1")

    # OpenCV's and NumPy's own threads would do part of the work off the timed thread; on the GPU
    # machine each of the fifteen workers has about one core anyway
    cv2_threads = cv2.getNumThreads()
    limit_native_threads(1)
    warm_up()
    docs = build_corpus(reports, kinds)
    engine = ocr_engine()
    pool, made_here = _requesting(engine)
    recording = Recording(pool)
    stage_ms: dict[str, float] = defaultdict(float)
    by_kind: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
    pages = 0
    total_ms = 0.0
    try:
        use_ocr_engine(recording)
        answers = [extract_as(tool, d.data, d.name, d.kind) for d in docs]
        for _ in range(repeat):
            replay = Replay(recording)
            use_ocr_engine(replay)
            for d, first in zip(docs, answers):
                t0 = time.thread_time()
                with collecting_pages() as scanned:
                    result = extract_as(tool, d.data, d.name, d.kind)
                ms = (time.thread_time() - t0) * 1000
                if {k: f.value for k, f in result.fields.items()} != {k: f.value for k, f in first.fields.items()}:
                    raise RuntimeError(f"{d.name}: the replayed reading differs from the recorded one")
                total_ms += ms
                by_kind[d.kind][0] += ms
                by_kind[d.kind][1] += d.pages
                pages += d.pages
                for page in scanned:
                    for stage, v in page.thread_cpu_ms.items():
                        stage_ms[stage] += v
            if replay.next != len(recording.log):
                raise RuntimeError(f"{len(recording.log) - replay.next} recorded requests were not made again")
    finally:  # the process's engine and OpenCV's threads as they were (a caller's, or a test's)
        use_ocr_engine(engine)
        cv2.setNumThreads(cv2_threads)
        if made_here:
            pool.close()
    stages = {k: round(v / pages, 1) for k, v in sorted(stage_ms.items())}
    return {
        "tool": tool, "engine": recording.name,
        "documents": len(docs), "pages": pages // repeat, "repeat": repeat,
        "cpu_ms_per_page": round(total_ms / pages, 1),
        "stage_cpu_ms_per_page": stages,
        "outside_stages_ms_per_page": round(total_ms / pages - sum(stages.values()), 1),
        "by_kind_ms_per_page": {k: round(ms / n, 1) for k, (ms, n) in sorted(by_kind.items())},
        "requests_per_pass": len(recording.log),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="bench.worker_cpu", description=__doc__.split("\n\n")[0])
    ap.add_argument("--reports", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3, help="replayed passes over the corpus")
    ap.add_argument("--kinds", default=",".join(f"scan-{d}" for d in SCAN_DPIS))
    ap.add_argument("--tool", choices=GPU_TOOLS, default=OURS)
    ap.add_argument("--out", type=Path, default=None, help="write worker_cpu.json there")
    args = ap.parse_args(argv)
    if args.reports < 1 or args.repeat < 1:
        ap.error("--reports and --repeat must be at least 1")
    if args.tool != OURS:
        os.environ["GIA_OCR_THREADS"] = "1"  # before any session is made: see measure
    res = measure(args.reports, args.repeat, tuple(k for k in args.kinds.split(",") if k), args.tool)
    print(f"{res['tool']}, engine {res['engine']}: {res['documents']} documents, {res['pages']} pages, {res['repeat']} replays")
    print(f"worker CPU ms a page: {res['cpu_ms_per_page']} "
          f"(by kind: {', '.join(f'{k} {v}' for k, v in res['by_kind_ms_per_page'].items())})")
    print("by stage: " + ", ".join(f"{k} {v}" for k, v in res["stage_cpu_ms_per_page"].items())
          + f"; outside the page reader {res['outside_stages_ms_per_page']}")
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "worker_cpu.json").write_text(json.dumps(res, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
