"""The batch driver: plan the inputs, feed the workers, write each result as it arrives, and
rebuild the folder's summary files at the end (also after Ctrl-C).

Only the driver writes to the output folder, whichever executor runs the extraction; that is
what keeps local and Ray runs alike to the byte (timings apart) and resumable the same way.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import glob
import json
import signal
import statistics
import threading
import time
from collections import deque
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Optional, Protocol

from . import export as report_export
from .batch_extract import DEFAULT_EXTRACTOR, Outcome, extractor_version, reports_of
from .batch_inputs import Plan, Task, collect_inputs, make_plan, sha256_of
from .batch_progress import Progress
from .batch_store import LATER_REPORT, Record, ResultStore, folder_entries

POLL_SECONDS = 0.5
START_TIMEOUT_S = 600


@dataclass
class BatchConfig:
    inputs: list[str]
    out: Path
    manifests: list[str] = field(default_factory=list)
    workers: Optional[int] = None  # local: 1 when unset; ray: the cluster's CPUs
    timeout: float = 300.0
    force: bool = False
    retry_failed: bool = False
    executor: str = "local"  # local | ray
    ray_address: Optional[str] = None
    extractor: str = DEFAULT_EXTRACTOR
    progress: str = "auto"  # auto | bar | log | off
    log_interval: float = 10.0
    ocr_server: bool = False  # local: one process runs every worker's OCR (models.ocr_server)


@dataclass
class RunStats:
    executor: str
    workers: int = 0
    inputs: int = 0
    extracted: int = 0
    ok: int = 0
    failed: int = 0
    skipped: int = 0
    duplicates: int = 0
    interrupted: bool = False
    started_at: str = ""
    finished_at: str = ""
    wall_s: float = 0.0
    first_result_s: Optional[float] = None  # starting workers (and Ray) before the first result
    docs_per_minute: Optional[float] = None
    extract_ms: dict[str, float] = field(default_factory=dict)
    stage_ms_mean: dict[str, float] = field(default_factory=dict)


@dataclass
class BatchOutcome:
    summary: dict[str, Any]
    any_failed: bool
    interrupted: bool


class Pool(Protocol):
    size: int

    def start(self) -> None: ...
    def idle(self) -> list[int]: ...
    def busy(self) -> int: ...
    def dispatch(self, slot: int, task: Task) -> None: ...
    def wait(self, seconds: float) -> list[tuple[Task, Outcome]]: ...
    def close(self) -> None: ...


def make_pool(cfg: BatchConfig) -> Pool:
    if cfg.executor == "ray":
        from .batch_ray import RayPool

        return RayPool(cfg.workers, cfg.extractor, cfg.timeout, cfg.ray_address)
    from .batch_local import LocalPool

    return LocalPool(cfg.workers or 1, cfg.extractor, cfg.timeout, ocr_server=cfg.ocr_server)


def run_batch(cfg: BatchConfig) -> BatchOutcome:
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    stats = RunStats(cfg.executor, started_at=_now())
    t0 = time.monotonic()
    version = extractor_version()
    with ResultStore(out) as store, _sigterm_as_interrupt():
        paths = collect_inputs(cfg.inputs, cfg.manifests, exclude=out)
        hashes = {p: sha256_of(p) for p in paths}
        records = store.records()
        plan = make_plan(paths, version, store.results(), records, cfg.force, cfg.retry_failed, hashes)
        for rec in plan.skipped + plan.duplicates:
            if _differs(records.get(rec.path), rec):
                store.append(rec)
        stats.inputs, stats.skipped, stats.duplicates = plan.inputs, len(plan.skipped), len(plan.duplicates)
        progress = Progress(len(plan.tasks), "off" if cfg.progress == "off" else cfg.progress, interval=cfg.log_interval)
        tally = _Tally(stats, progress, t0)
        try:
            if plan.tasks:
                progress.note(f"batch: {len(plan.tasks)} to extract, {len(plan.skipped)} already done, "
                              f"{len(plan.duplicates)} duplicates ({cfg.executor} executor"
                              f"{', one OCR server process for the workers' if cfg.ocr_server else ''})")
                with contextlib.closing(_drive(make_pool(cfg), plan, stats)) as finished:
                    for task, outcome in finished:
                        _record(store, task, outcome, version)
                        tally.add(task, outcome)
        except KeyboardInterrupt:
            stats.interrupted = True
        finally:
            progress.close()
            stats.finished_at = _now()
            stats.wall_s = round(time.monotonic() - t0, 3)
            if stats.extracted and stats.wall_s:
                stats.docs_per_minute = round(stats.extracted / stats.wall_s * 60, 1)
            stats.extract_ms = _distribution(tally.elapsed)
            stats.stage_ms_mean = {k: round(statistics.fmean(v), 1) for k, v in sorted(tally.stages.items())}
            summary = write_folder_outputs(store, version, stats)
    batch_paths = {str(p) for p in paths}
    any_failed = any(f["file"] in batch_paths for f in summary["failures"])
    return BatchOutcome(summary, any_failed, stats.interrupted)


class _Tally:
    def __init__(self, stats: RunStats, progress: Progress, t0: float):
        self.stats, self.progress, self.t0 = stats, progress, t0
        self.elapsed: list[float] = []
        self.stages: dict[str, list[float]] = {}

    def add(self, task: Task, outcome: Outcome) -> None:
        if self.stats.first_result_s is None:
            self.stats.first_result_s = round(time.monotonic() - self.t0, 3)
        self.stats.extracted += 1
        self.elapsed.append(outcome.elapsed_ms)
        if outcome.status == "ok":
            self.stats.ok += 1
            for stage, ms in (reports_of(outcome.result or {})[0].get("timings_ms") or {}).items():
                self.stages.setdefault(stage, []).append(float(ms))
        else:
            self.stats.failed += 1
            self.progress.note(f"failed: {task.path.name}: {outcome.code}: {outcome.reason}")
        self.progress.advance(outcome.status)


def _drive(pool: Pool, plan: Plan, stats: RunStats):
    """Yield (task, outcome) as workers finish; the pool is closed however the loop ends."""
    queue = deque(plan.tasks)
    try:
        pool.start()
        stats.workers = pool.size
        alive = time.monotonic()
        while queue or pool.busy():
            idle = pool.idle()
            for slot in idle:
                if not queue:
                    break
                pool.dispatch(slot, queue.popleft())
            if idle or pool.busy():
                alive = time.monotonic()
            elif time.monotonic() - alive > START_TIMEOUT_S:
                # e.g. a Ray cluster with no free CPU: actors wait for resources forever
                raise RuntimeError(f"no worker became ready in {START_TIMEOUT_S} s")
            yield from pool.wait(POLL_SECONDS)
    finally:
        pool.close()


def _record(store: ResultStore, task: Task, outcome: Outcome, version: str) -> None:
    path = str(task.path)
    if outcome.status == "ok" and outcome.result is not None:
        reports = reports_of(outcome.result)
        stem = task.name[:-len(".json")]
        for n, doc in enumerate(reports, 1):
            # a volume's later reports beside its first, named as `gia-extract extract --each-report` names them
            store.write_json(task.name if n == 1 else f"{stem}.report{n}.json", doc)
        for stale in store.root.glob(f"{glob.escape(stem)}.report*.json"):
            m = LATER_REPORT.fullmatch(stale.name[len(stem):])
            if m and int(m.group(1)) > len(reports):
                stale.unlink()  # from an earlier run that read more reports out of the same file
        # the bytes the worker read, should the file have changed since it was hashed
        sha = (reports[0].get("source") or {}).get("sha256") or task.sha256
        store.append(Record(path, sha, "ok", version, name=task.name, elapsed_ms=outcome.elapsed_ms))
    else:
        store.append(Record(path, task.sha256, "failed", version, code=outcome.code, reason=outcome.reason,
                            elapsed_ms=outcome.elapsed_ms))


def _differs(old: Optional[Record], new: Record) -> bool:
    return old is None or (old.sha256, old.status, old.name, old.code, old.duplicate_of) != \
        (new.sha256, new.status, new.name, new.code, new.duplicate_of)


# -- the folder's summary files -------------------------------------------------------------------

def write_folder_outputs(store: ResultStore, version: str, stats: RunStats) -> dict[str, Any]:
    """results.jsonl, reports.csv and summary.json, rebuilt from the whole folder: what a resumed
    batch writes is what one uninterrupted run would have written."""
    entries = folder_entries(store.root)
    lines = []
    for e in entries:
        line = {"file": e.file, "sha256": e.sha256, "status": e.status, "json": e.name}
        if e.status == "failed":
            line.update(code=e.code, reason=e.reason)
        if e.status == "duplicate":
            line["duplicate_of"] = e.duplicate_of
        if e.result is not None:
            line["result"] = e.result
        lines.append(json.dumps(line, ensure_ascii=False))
    store.write_atomic("results.jsonl", ("\n".join(lines) + "\n" if lines else "").encode("utf-8"))
    store.write_atomic("reports.csv", report_export.csv_bytes(report_export.report_table(store.root)))
    counts = {"ok": 0, "failed": 0, "duplicate": 0}
    for e in entries:
        counts[e.status] = counts.get(e.status, 0) + 1
    ok = [e.result for e in entries if e.result is not None and e.status == "ok"]
    summary = {
        "extractor_version": version,
        "documents": len(entries),
        "counts": counts,
        "under_review": {"reports": sum(1 for r in ok if r.get("review")),
                         "fields": sum(len(r.get("review") or []) for r in ok)},
        "failures": [{"file": e.file, "sha256": e.sha256, "code": e.code, "reason": e.reason}
                     for e in entries if e.status == "failed"],
        "duplicates": [{"file": e.file, "duplicate_of": e.duplicate_of, "json": e.name}
                       for e in entries if e.status == "duplicate"],
        "run": asdict(stats),
    }
    store.write_json("summary.json", summary)
    return summary


# -- small things ---------------------------------------------------------------------------------

class _sigterm_as_interrupt:
    """`kill PID` stops a batch as cleanly as Ctrl-C: workers are stopped and the summary files
    are written."""

    def __enter__(self):
        self._old = None
        if threading.current_thread() is threading.main_thread():
            self._old = signal.signal(signal.SIGTERM, self._raise)
        return self

    @staticmethod
    def _raise(signum, frame):
        raise KeyboardInterrupt

    def __exit__(self, *exc):
        if self._old is not None:
            signal.signal(signal.SIGTERM, self._old)


def _distribution(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    s = sorted(values)
    return {"mean": round(statistics.fmean(s), 1), "p50": s[len(s) // 2], "p95": s[min(len(s) - 1, int(len(s) * 0.95))],
            "max": s[-1]}


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
