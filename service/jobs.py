"""The jobs worker side: threads that claim queued documents from the store, extract them in the
worker pool (or take the stored result of a known document) and record the outcome; the thread
that finishes a job's last document sends its callback. Separate from the request handlers: a
handler only stores the job and wakes a thread."""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable

from .callbacks import post_callback
from .metrics import Metrics
from .store import Claim, Store, stored_version
from .workers import ExtractorPool

log = logging.getLogger("gia.jobs")


class JobRunner:
    def __init__(self, store: Store, pool: ExtractorPool, metrics: Metrics, *, threads: int, version: str,
                 lease_s: float, job_url: Callable[[str], str]):
        self.store, self.pool, self.metrics = store, pool, metrics
        self.version = version
        self.lease_s = lease_s
        self.job_url = job_url
        self._n = threads
        self._threads: list[threading.Thread] = []
        self._wake = threading.Condition()
        self._stopping = threading.Event()
        self._in_flight: dict[int, Claim] = {}
        self._lock = threading.Lock()

    def start(self) -> None:
        for i in range(self._n):
            t = threading.Thread(target=self._loop, name=f"gia-job-{i}", daemon=True)
            t.start()
            self._threads.append(t)
        for job_id in self.store.pending_callbacks():  # finished before a restart, never told
            self._notify(job_id)

    def wake(self) -> None:
        with self._wake:
            self._wake.notify_all()

    def stop(self, grace_s: float) -> None:
        """Stop claiming; documents in flight get `grace_s` to finish, then go back to the queue."""
        self._stopping.set()
        self.wake()
        deadline = time.monotonic() + grace_s
        for t in self._threads:
            t.join(timeout=max(0.0, deadline - time.monotonic()))
        with self._lock:
            left = list(self._in_flight.values())
        for claim in left:
            self.store.release(claim)
            log.info("released on shutdown", extra={"event": "released", "job_id": claim.job_id,
                                                    "document": claim.filename})

    def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                claim = self.store.claim_next(self.lease_s)
            except Exception:
                log.exception("claim failed", extra={"event": "claim_failed"})
                claim = None
                time.sleep(1.0)
            if claim is None:
                with self._wake:
                    # also polls: another instance's jobs and expired leases do not wake us
                    self._wake.wait(timeout=1.0)
                continue
            with self._lock:
                self._in_flight[claim.doc_id] = claim
            try:
                self._process(claim)
            except Exception:
                log.exception("job document failed", extra={"event": "job_document_error", "job_id": claim.job_id})
            finally:
                with self._lock:
                    self._in_flight.pop(claim.doc_id, None)

    def _process(self, claim: Claim) -> None:
        version = stored_version(self.version, claim.each_report)
        cached = self.store.cached_result(claim.sha256, version)
        if cached is not None:
            self.metrics.document("cached", "")
            finished = self.store.finish(claim, ok=True, version=version, status_code=200, error_code=None,
                                         reason=None, elapsed_ms=0.0)
        else:
            outcome = self.pool.run(claim.data, claim.filename, claim.each_report)
            if outcome.code == "shutting_down":
                self.store.release(claim)
                return
            if outcome.ok and outcome.result is not None:
                self.store.save_result(claim.sha256, version, outcome.result)
            self.metrics.document("ok" if outcome.ok else "failed", outcome.code or "", outcome.result,
                                  outcome.elapsed_ms / 1000)
            finished = self.store.finish(claim, ok=outcome.ok, version=version, status_code=outcome.status_code,
                                         error_code=outcome.code, reason=outcome.reason,
                                         elapsed_ms=outcome.elapsed_ms)
        log.info("document done", extra={"event": "job_document", "job_id": claim.job_id, "document": claim.filename,
                                         "cached": cached is not None})
        if finished:
            log.info("job done", extra={"event": "job_done", "job_id": claim.job_id})
            self._notify(claim.job_id)

    def _notify(self, job_id: str) -> None:
        job = self.store.job(job_id)
        if job is None or not job.callback_url or job.callback_state != "pending":
            return
        failed = sum(d.status == "failed" for d in job.documents)
        payload = {"job_id": job_id, "status": job.status, "documents": len(job.documents), "failed": failed,
                   "url": self.job_url(job_id)}

        def send() -> None:
            ok = post_callback(job.callback_url, payload)
            self.store.set_callback_state(job_id, "sent" if ok else "failed")

        threading.Thread(target=send, name=f"gia-callback-{job_id[:8]}", daemon=True).start()


