"""The batch's workers as Ray actors, on an existing cluster or a local Ray instance.

Same contract as the local pool (idle / dispatch / wait / close) so the driver, which reads the
files and writes every output, does not care where extraction runs. One actor per slot, warmed
when created; each holds one document at a time, so a timeout is measured from dispatch and a
hung actor is killed and replaced like a local worker. Documents travel as bytes: the cluster's
nodes need the gia-extract package installed, not the driver's files.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Optional

from .batch_extract import Outcome, expired_slots
from .batch_inputs import Task

MAX_START_FAILURES = 3


def _import_ray():
    try:
        import ray
    except ImportError:
        raise RuntimeError("the ray executor needs Ray: pip install 'gia-extract[ray]'") from None
    return ray


class _Extractor:
    """The actor body (decorated with ray.remote at pool start, so importing this module never
    needs Ray)."""

    def __init__(self, extractor_ref: str):
        from .batch_extract import load_extractor, warm_up

        self._extract = load_extractor(extractor_ref)
        warm_up(extractor_ref, self._extract)

    def ready(self) -> bool:
        return True

    def extract(self, data: bytes, filename: str) -> Outcome:
        from .batch_extract import extract_one

        return extract_one(self._extract, data, filename)


@dataclass
class _Slot:
    actor: Any
    ready_ref: Any = None
    ready: bool = False
    task: Optional[Task] = None
    ref: Any = None
    started: float = 0.0


class RayPool:
    def __init__(self, workers: Optional[int], extractor_ref: str, timeout: float, address: Optional[str] = None):
        self.requested = workers
        self.extractor_ref = extractor_ref
        self.timeout = timeout
        self.address = address
        self._ray = _import_ray()
        self._owns_ray = False
        self._actor_cls: Any = None
        self._slots: list[_Slot] = []
        self._start_failures = 0
        self._unreadable: list[tuple[Task, Outcome]] = []
        self.size = 0

    def start(self) -> None:
        ray = self._ray
        if not ray.is_initialized():
            kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False,
                                      "logging_level": "WARNING", "configure_logging": True}
            if self.address:
                ray.init(address=self.address, **kwargs)
            else:
                ray.init(num_cpus=max(1, self.requested or 1), **kwargs)
            self._owns_ray = True
        cpus = int(ray.cluster_resources().get("CPU", 1))
        self.size = max(1, self.requested or cpus)
        # max_restarts=0: a killed actor stays dead; the pool decides what replaces it
        self._actor_cls = ray.remote(num_cpus=1, max_restarts=0)(_Extractor)
        self._slots = [self._new_slot() for _ in range(self.size)]

    def _new_slot(self) -> _Slot:
        actor = self._actor_cls.remote(self.extractor_ref)
        return _Slot(actor, ready_ref=actor.ready.remote())

    def idle(self) -> list[int]:
        return [i for i, s in enumerate(self._slots) if s.ready and s.task is None]

    def busy(self) -> int:
        return sum(1 for s in self._slots if s.task is not None) + len(self._unreadable)

    def dispatch(self, slot: int, task: Task) -> None:
        s = self._slots[slot]
        try:
            data = task.path.read_bytes()
        except OSError as e:  # gone or unreadable since it was planned: the slot stays free
            self._unreadable.append((task, Outcome("failed", code="unreadable",
                                                   reason=f"cannot read the file: {e.strerror or e}")))
            return
        s.task, s.started = task, time.monotonic()
        s.ref = s.actor.extract.remote(data, task.path.name)

    def wait(self, seconds: float) -> list[tuple[Task, Outcome]]:
        ray = self._ray
        done, self._unreadable = self._unreadable, []
        owner: dict[Any, int] = {}
        for i, s in enumerate(self._slots):
            if s.task is not None:
                owner[s.ref] = i
            elif not s.ready:
                owner[s.ready_ref] = i
        deadline = min([s.started + self.timeout for s in self._slots if s.task], default=None)
        if deadline is not None:
            seconds = max(0.0, min(seconds, deadline - time.monotonic()))
        if owner:
            refs = list(owner)
            first, rest = ray.wait(refs, num_returns=1, timeout=seconds)
            if first and rest:
                more, _ = ray.wait(rest, num_returns=len(rest), timeout=0)
                first += more
            for ref in first:
                i = owner[ref]
                s = self._slots[i]
                if s.task is None:  # a warm-up finished (or failed)
                    try:
                        ray.get(ref)
                        s.ready = True
                        self._start_failures = 0
                    except Exception as e:  # the actor could not start
                        self._replace(i, started_ok=False, why=str(e))
                    continue
                task = s.task
                try:
                    outcome = ray.get(ref)
                    s.task, s.ref = None, None
                except Exception as e:
                    outcome = Outcome("failed", code="worker_crashed",
                                      reason=f"the Ray worker died while reading it ({type(e).__name__})",
                                      elapsed_ms=_elapsed(s))
                    self._replace(i, started_ok=True)
                done.append((task, outcome))
        for i, task, outcome in expired_slots(self._slots, self.timeout, _elapsed):
            done.append((task, outcome))
            self._replace(i, started_ok=True)
        return done

    def _replace(self, slot: int, started_ok: bool, why: str = "") -> None:
        if not started_ok:
            self._start_failures += 1
            if self._start_failures >= MAX_START_FAILURES:
                raise RuntimeError("Ray batch workers cannot start:\n" + why[-2000:])
        try:
            self._ray.kill(self._slots[slot].actor, no_restart=True)
        except Exception:
            pass
        self._slots[slot] = self._new_slot()

    def close(self) -> None:
        for s in self._slots:
            try:
                self._ray.kill(s.actor, no_restart=True)
            except Exception:
                pass
        self._slots = []
        if self._owns_ray:
            self._ray.shutdown()
            self._owns_ray = False


def _elapsed(s: _Slot) -> float:
    return round((time.monotonic() - s.started) * 1000, 1)
