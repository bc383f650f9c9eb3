"""The service's own response bodies (the extraction result itself is extraction.contract's)."""
from __future__ import annotations

from typing import Literal, Optional

from pydantic import BaseModel, Field

from extraction.contract import ExtractionResult


class ErrorBody(BaseModel):
    error: str = Field(description="machine-readable code: empty, corrupt, encrypted, needs_ocr, not_a_report, "
                                   "unsupported_type, too_large, timeout, unreadable, invalid_request, unauthorized, "
                                   "rate_limited, busy, not_found, internal_error")
    reason: str = Field(description="what went wrong, for a person")
    request_id: Optional[str] = None


class ReportsResult(BaseModel):
    reports: list[ExtractionResult] = Field(description="each report the file holds, in order: one for a file "
                                                        "of one report")


class Health(BaseModel):
    status: Literal["ok"]
    extractor_version: str
    workers: int
    job_workers: int
    queue_depth: int


class Progress(BaseModel):
    total: int
    queued: int
    running: int
    done: int
    failed: int


class JobDocumentStatus(BaseModel):
    index: int
    filename: str
    sha256: str
    size: int
    status: Literal["queued", "running", "done", "failed"]
    error: Optional[str] = None
    reason: Optional[str] = None
    status_code: Optional[int] = Field(None, description="the status POST /v1/extract would have answered")
    elapsed_ms: Optional[float] = None
    result: Optional[ExtractionResult] = Field(None, description="the report, once done (not in an each_report job)")
    reports: Optional[list[ExtractionResult]] = Field(None, description="an each_report job's: every report the "
                                                                        "document holds, in order, once done")


class JobStatus(BaseModel):
    id: str
    status: Literal["queued", "running", "done"]
    each_report: bool = False
    created_at: float
    finished_at: Optional[float] = None
    callback_url: Optional[str] = None
    callback_state: Optional[str] = None
    progress: Progress
    documents: list[JobDocumentStatus]


class JobAccepted(BaseModel):
    id: str
    status: Literal["queued"]
    documents: int
    each_report: bool = False
    url: str
    results_csv: str
