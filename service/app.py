"""The HTTP service: `POST /v1/extract` (one document, answered at once), the jobs API
(`/v1/jobs`: many documents, answered by polling or a callback), `/healthz`, `/metrics`.

Bad input never answers 500: every reason a document cannot be read is an ExtractionError with
its own status (413, 415, 422); 500 is kept for our own bugs, logged with the request id."""
from __future__ import annotations

import hashlib
import logging
import threading
from contextlib import asynccontextmanager
from pathlib import PurePath
from typing import Any, Optional

import anyio
from fastapi import Depends, FastAPI, File, Form, Query, Request, Security, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.security import APIKeyHeader
from starlette.exceptions import HTTPException as StarletteHTTPException

from extraction import __version__
from extraction.contract import ExtractionResult

from .api_models import ErrorBody, Health, JobAccepted, JobDocumentStatus, JobStatus, Progress, ReportsResult
from .callbacks import CallbackRefused, check_callback_url
from .gateway import Gateway
from .job_csv import job_csv
from .jobs import JobRunner
from .limits import Limits
from .logs import configure_logging, request_id
from .metrics import CONTENT_TYPE, Metrics
from .rate_limit import RateLimiter
from .settings import Settings, settings_from_env
from .store import Store, stored_version
from .workers import ExtractorPool

log = logging.getLogger("gia.service")

MULTIPART_OVERHEAD = 64 * 1024  # boundaries and part headers around the file bytes


class ApiError(Exception):
    def __init__(self, status: int, code: str, reason: str, headers: Optional[dict[str, str]] = None):
        super().__init__(reason)
        self.status, self.code, self.reason, self.headers = status, code, reason, headers or {}


def _error(status: int, code: str, reason: str, headers: Optional[dict[str, str]] = None) -> JSONResponse:
    return JSONResponse(status_code=status, headers=headers,
                        content={"error": code, "reason": reason, "request_id": request_id.get()})


ERRORS = {
    400: {"model": ErrorBody, "description": "a malformed multipart body"},
    401: {"model": ErrorBody, "description": "a valid X-API-Key is required"},
    413: {"model": ErrorBody, "description": "upload, page count or pixels over the limits"},
    415: {"model": ErrorBody, "description": "not multipart, or a kind of file that is not read (archive, executable...)"},
    422: {"model": ErrorBody, "description": "empty, corrupt, encrypted, needs OCR, not a report, over the time limit"},
    404: {"model": ErrorBody, "description": "no such job (or not this key's)"},
    429: {"model": ErrorBody, "description": "over the per-key rate limit (Retry-After)"},
    503: {"model": ErrorBody, "description": "queue or workers full, or shutting down (Retry-After)"},
}


class ServiceState:
    """What the app holds between startup and shutdown."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.metrics = Metrics()
        self.limiter = RateLimiter(settings.rate_limit_per_minute)
        self.store: Optional[Store] = None
        self.pool: Optional[ExtractorPool] = None
        self.runner: Optional[JobRunner] = None
        self.sync_in_flight = 0
        self._sync_lock = threading.Lock()
        self.accepting = False

    def open(self) -> None:
        s = self.settings
        self.store = Store(s.url)
        self.pool = ExtractorPool(s.workers, s.extractor, Limits(s.max_pages, s.max_pixels_per_page), s.time_limit_s,
                                  ocr_server=s.ocr_server)
        self.pool.start()
        self.metrics.bind(lambda: self.store.queued_count() if self.store else 0,
                          lambda: self.pool.restarts if self.pool else 0)
        if s.job_workers > 0:
            self.runner = JobRunner(self.store, self.pool, self.metrics, threads=s.job_workers, version=__version__,
                                    lease_s=s.time_limit_s + s.lease_margin_s, job_url=lambda i: f"/v1/jobs/{i}")
            self.runner.start()
        self.accepting = True
        log.info("service started", extra={"event": "started", "workers": s.workers, "job_workers": s.job_workers,
                                           "database": s.url.split("://")[0], "extractor_version": __version__})

    def close(self) -> None:
        self.accepting = False
        if self.runner:
            self.runner.stop(self.settings.shutdown_grace_s)
        if self.pool:
            self.pool.close()
        if self.store:
            self.store.close()
        log.info("service stopped", extra={"event": "stopped"})

    def try_enter_sync(self) -> bool:
        with self._sync_lock:
            if self.sync_in_flight >= self.settings.sync_limit:
                return False
            self.sync_in_flight += 1
            self.metrics.sync_in_flight.set(self.sync_in_flight)
            return True

    def leave_sync(self) -> None:
        with self._sync_lock:
            self.sync_in_flight -= 1
            self.metrics.sync_in_flight.set(self.sync_in_flight)


def create_app(settings: Optional[Settings] = None, *, configure_logs: bool = False) -> FastAPI:
    settings = settings or settings_from_env()
    state = ServiceState(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if configure_logs:
            configure_logging(settings.log_level)
        await anyio.to_thread.run_sync(state.open)
        try:
            yield
        finally:
            await anyio.to_thread.run_sync(state.close)

    app = FastAPI(title="gia-extract", version=__version__, lifespan=lifespan,
                  description="Chinese government information-disclosure annual reports (政府信息公开工作年度报告) "
                              "to canonical JSON: every cell of tables 2-4 with a confidence, the form's consistency "
                              "checks, and the fields a person should review.")
    app.state.gia = state
    api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False,
                                  description="required when the service is configured with GIA_REQUIRE_API_KEY")

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, e: ApiError):
        return _error(e.status, e.code, e.reason, e.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, e: RequestValidationError):
        problems = "; ".join(f"{'.'.join(str(x) for x in err.get('loc', ()))}: {err.get('msg')}" for err in e.errors())
        return _error(422, "invalid_request", problems or "the request is not valid")

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, e: StarletteHTTPException):
        code = {404: "not_found", 405: "method_not_allowed", 400: "invalid_request"}.get(e.status_code, "http_error")
        return _error(e.status_code, code, str(e.detail), getattr(e, "headers", None))

    @app.exception_handler(Exception)
    async def _bug(_: Request, e: Exception):
        log.exception("unhandled error", extra={"event": "bug"})
        return _error(500, "internal_error", "an internal error; quote the request id when reporting it")

    def caller(request: Request, key: Optional[str] = Security(api_key_header)) -> str:
        """Who is calling (key name, or client address without keys), after auth and rate limit."""
        identity = None
        if key:
            identity = state.store.key_name(key) if state.store else None
            if identity is None and settings.require_api_key:
                raise ApiError(401, "unauthorized", "the API key is not valid")
        elif settings.require_api_key:
            raise ApiError(401, "unauthorized", "an X-API-Key header is required")
        identity = f"key:{identity}" if identity else f"ip:{request.client.host if request.client else '-'}"
        wait = state.limiter.check(identity)
        if wait:
            raise ApiError(429, "rate_limited", "too many requests for this key; slow down",
                           {"Retry-After": str(max(1, int(wait + 0.999)))})
        return identity

    def serving() -> None:
        if not state.accepting:
            raise ApiError(503, "shutting_down", "the service is starting or shutting down", {"Retry-After": "5"})

    @app.get("/healthz", response_model=Health, tags=["ops"])
    def healthz() -> Health:
        serving()
        return Health(status="ok", extractor_version=__version__, workers=settings.workers,
                      job_workers=settings.job_workers, queue_depth=state.store.queued_count())

    @app.get("/metrics", response_class=PlainTextResponse, tags=["ops"],
             responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}})
    def metrics() -> Response:
        return Response(state.metrics.render(), media_type=CONTENT_TYPE)

    async def answer(file: UploadFile, each_report: bool) -> JSONResponse:
        serving()
        filename, data = await _read_upload(file, settings)
        digest = hashlib.sha256(data).hexdigest()
        version = stored_version(__version__, each_report)
        cached = await anyio.to_thread.run_sync(state.store.cached_result, digest, version)
        if cached is not None:
            state.metrics.document("cached", "")
            return JSONResponse(_as_named(cached, filename), headers={"X-Cache": "hit"})
        if not state.try_enter_sync():
            raise ApiError(503, "busy", "all extraction slots are busy; try again shortly", {"Retry-After": "5"})
        try:
            outcome = await anyio.to_thread.run_sync(state.pool.run, data, filename, each_report)
        finally:
            state.leave_sync()
        state.metrics.document("ok" if outcome.ok else "failed", outcome.code or "", outcome.result,
                               outcome.elapsed_ms / 1000)
        if not outcome.ok:
            headers = {"Retry-After": "5"} if outcome.status_code == 503 else None
            if outcome.status_code >= 500:
                log.error("extraction failed", extra={"event": "extraction_failed", "document": filename,
                                                      "code": outcome.code, "reason": outcome.reason})
            raise ApiError(outcome.status_code, outcome.code or "unreadable", outcome.reason or "", headers)
        await anyio.to_thread.run_sync(state.store.save_result, digest, version, outcome.result)
        return JSONResponse(outcome.result, headers={"X-Cache": "miss"})

    @app.post("/v1/extract", response_model=ExtractionResult, responses=ERRORS, tags=["extract"],
              summary="Extract one report, answered when done")
    async def extract(file: UploadFile = File(..., description="the report: PDF, image, HTML (a web page, or one saved as .mht/.mhtml), DOCX or text"),
                      who: str = Depends(caller)) -> Any:
        """A file that holds several reports (a volume) answers its first, and names the others in
        its warnings: POST it to /v1/extract/reports for each."""
        return await answer(file, each_report=False)

    @app.post("/v1/extract/reports", response_model=ReportsResult, responses=ERRORS, tags=["extract"],
              summary="Extract every report a file holds (a volume), answered when done")
    async def extract_reports(file: UploadFile = File(..., description="a volume of reports, or one report: PDF, image, HTML, DOCX or text"),
                              who: str = Depends(caller)) -> Any:
        """A volume (a county's departments' reports bound in one file) answers each report, in
        order, each saying in its warnings where in the file it starts; a file of one report
        answers that one. A later part that holds no report is left out and named in the first
        report's warnings."""
        return await answer(file, each_report=True)

    @app.post("/v1/jobs", response_model=JobAccepted, status_code=202, responses=ERRORS, tags=["jobs"],
              summary="Queue one or more reports; answered at once with the job's id")
    async def submit_job(files: list[UploadFile] = File(..., description="one or more reports"),
                         callback_url: Optional[str] = Form(None, description="POSTed a JSON summary when the job is done"),
                         each_report: bool = Form(False, description="every report a file holds (a volume), as "
                                                                     "/v1/extract/reports answers: each document "
                                                                     "then has `reports` rather than `result`, and "
                                                                     "results.csv a row per report"),
                         who: str = Depends(caller)) -> Any:
        serving()
        if len(files) > settings.max_files_per_job:
            raise ApiError(413, "too_large", f"{len(files)} files; at most {settings.max_files_per_job} per job")
        if callback_url:
            try:
                check_callback_url(callback_url, settings.callback_hosts)
            except CallbackRefused as e:
                raise ApiError(422, "invalid_request", str(e)) from None
        uploads = [await _read_upload(f, settings) for f in files]
        if state.store.queued_count() + len(uploads) > settings.queue_limit:
            raise ApiError(503, "busy", "the job queue is full; try again later", {"Retry-After": "30"})
        job_id = await anyio.to_thread.run_sync(state.store.create_job, uploads, who, callback_url or None,
                                                each_report)
        state.metrics.jobs.inc()
        if state.runner:
            state.runner.wake()
        log.info("job accepted", extra={"event": "job_accepted", "job_id": job_id, "documents": len(uploads)})
        return JSONResponse(status_code=202, content=JobAccepted(
            id=job_id, status="queued", documents=len(uploads), each_report=each_report, url=f"/v1/jobs/{job_id}",
            results_csv=f"/v1/jobs/{job_id}/results.csv").model_dump())

    def _job_or_404(job_id: str, who: str):
        job = state.store.job(job_id) if len(job_id) <= 64 else None
        # a job belongs to the key that created it; other keys see no such job
        if job is None or (job.owner and job.owner.startswith("key:") and job.owner != who):
            raise ApiError(404, "not_found", "no such job")
        return job

    def _results(job) -> list[Optional[dict]]:
        out = []
        for d in job.documents:
            result = state.store.cached_result(d.sha256, d.extractor_version) if d.status == "done" else None
            out.append(_as_named(result, d.filename) if result else None)
        return out

    @app.get("/v1/jobs/{job_id}", response_model=JobStatus, responses=ERRORS, tags=["jobs"],
             summary="A job's status, per-document progress and results")
    def job_status(job_id: str, results: bool = Query(True, description="include each document's result"),
                   who: str = Depends(caller)) -> Any:
        job = _job_or_404(job_id, who)
        docs = job.documents
        contents = _results(job) if results else [None] * len(docs)
        count = {s: sum(d.status == s for d in docs) for s in ("queued", "running", "done", "failed")}
        body = JobStatus(
            id=job.id, status=job.status, each_report=job.each_report, created_at=job.created_at,
            finished_at=job.finished_at, callback_url=job.callback_url, callback_state=job.callback_state,
            progress=Progress(total=len(docs), **count),
            documents=[JobDocumentStatus(index=d.position, filename=d.filename, sha256=d.sha256, size=d.size,
                                         status=d.status, error=d.error_code, reason=d.reason,
                                         status_code=d.status_code, elapsed_ms=d.elapsed_ms)
                       for d in docs])
        out = body.model_dump(mode="json")
        for entry, result in zip(out["documents"], contents):
            # stored JSON as is: no second validation of every field
            if job.each_report:
                entry["reports"] = result["reports"] if result else None
            else:
                entry["result"] = result
        return JSONResponse(out)

    @app.get("/v1/jobs/{job_id}/results.csv", response_class=Response, tags=["jobs"],
             responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}, **ERRORS},
             summary="A job's results as a CSV table (a row per document; per report in an each_report job)")
    def job_results_csv(job_id: str, who: str = Depends(caller)) -> Response:
        job = _job_or_404(job_id, who)
        return Response(job_csv(job, _results(job)), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{job.id}.csv"'})

    upload_caps = {"/v1/extract": settings.max_upload_bytes + MULTIPART_OVERHEAD,
                   "/v1/extract/reports": settings.max_upload_bytes + MULTIPART_OVERHEAD,
                   "/v1/jobs": settings.max_upload_bytes * settings.max_files_per_job + MULTIPART_OVERHEAD}
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(settings.cors_origins), allow_methods=["GET", "POST"],
                           allow_headers=["X-API-Key", "Content-Type", "X-Request-ID"],
                           expose_headers=["X-Request-ID", "Retry-After"])
    app.add_middleware(Gateway, metrics=state.metrics, upload_caps=upload_caps)
    return app


async def _read_upload(file: UploadFile, settings: Settings) -> tuple[str, bytes]:
    filename = PurePath((file.filename or "upload").replace("\\", "/")).name or "upload"
    if file.size is not None and file.size > settings.max_upload_bytes:
        raise ApiError(413, "too_large", f"{filename}: {file.size:,} bytes; at most {settings.max_upload_bytes:,} "
                                         "are accepted")
    data = await file.read(settings.max_upload_bytes + 1)
    if len(data) > settings.max_upload_bytes:
        raise ApiError(413, "too_large", f"{filename}: over the {settings.max_upload_bytes:,} byte limit")
    return filename, data


def _as_named(result: dict, filename: str) -> dict:
    """A stored result (or a volume's results) under the name it was uploaded with this time."""
    if "reports" in result:
        return {"reports": [_as_named(r, filename) for r in result["reports"]]}
    source = {**(result.get("source") or {}), "filename": filename}
    return {**result, "source": source}


# what `uvicorn service.app:app` serves: settings from the environment, JSON logs once started
app = create_app(configure_logs=True)
