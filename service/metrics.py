"""Prometheus metrics, one registry per app (two apps in one test process must not collide)."""
from __future__ import annotations

from typing import Callable

from prometheus_client import CollectorRegistry, disable_created_metrics, Counter, Gauge, Histogram, generate_latest

from .store import reports_of

disable_created_metrics()  # the *_created series double the output for nothing we use

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class Metrics:
    def __init__(self) -> None:
        r = self.registry = CollectorRegistry()
        self.requests = Counter("gia_http_requests_total", "HTTP requests answered", ["method", "route", "status"],
                                registry=r)
        self.latency = Histogram("gia_http_request_seconds", "HTTP request latency", ["method", "route"], registry=r,
                                 buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120))
        self.documents = Counter("gia_documents_total", "documents handled, by outcome (ok, cached, failed) and code",
                                 ["outcome", "code"], registry=r)
        self.extraction = Histogram("gia_extraction_seconds", "time to extract one document", registry=r,
                                    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300))
        self.pages = Counter("gia_pages_total", "pages of the documents extracted", registry=r)
        self.review = Counter("gia_fields_under_review_total", "fields returned under the acceptance threshold",
                              registry=r)
        self.review_per_doc = Histogram("gia_document_fields_under_review", "fields under review per document", registry=r,
                                        buckets=(0, 1, 2, 5, 10, 20, 50, 100, 250))
        self.jobs = Counter("gia_jobs_total", "jobs accepted", registry=r)
        self.queue_depth = Gauge("gia_queue_depth", "documents of jobs waiting for a worker", registry=r)
        self.sync_in_flight = Gauge("gia_sync_in_flight", "sync extractions in flight", registry=r)
        self.worker_restarts = Gauge("gia_worker_restarts", "extraction workers replaced (time limit, crash)",
                                     registry=r)

    def bind(self, queue_depth: Callable[[], float], restarts: Callable[[], float]) -> None:
        self.queue_depth.set_function(queue_depth)
        self.worker_restarts.set_function(restarts)

    def document(self, outcome: str, code: str, result: dict | None = None, seconds: float | None = None) -> None:
        self.documents.labels(outcome, code).inc()
        if seconds is not None:
            self.extraction.observe(seconds)
        if result is not None and outcome == "ok":
            # a volume: its pages once, the review items of all its reports
            reports = reports_of(result)
            self.pages.inc(int(((reports[0] if reports else {}).get("source") or {}).get("pages") or 0))
            n = sum(len(r.get("review") or []) for r in reports)
            self.review.inc(n)
            self.review_per_doc.observe(n)

    def render(self) -> bytes:
        return generate_latest(self.registry)
