"""The output contract of SPEC.md as pydantic models: what the CLI writes and the service returns."""
from __future__ import annotations

from typing import Literal, Optional, Union

from pydantic import BaseModel, Field

SCHEMA_VERSION = "1"
ACCEPT_THRESHOLD = 0.9

Status = Literal["read", "blank", "missing", "inferred", "corrected"]
Kind = Literal["pdf-text", "pdf-scan", "image", "html", "text", "docx"]


class FieldValue(BaseModel):
    value: Union[int, float, str, None] = None
    confidence: float = Field(ge=0.0, le=1.0)
    raw: Optional[str] = None
    page: Optional[int] = None
    bbox: Optional[list[float]] = None
    status: Status = "read"
    unit: Optional[str] = None


class Check(BaseModel):
    rule: str
    ok: Optional[bool] = Field(None, description="null when the rule could not be evaluated (blank or missing cells)")
    lhs: Optional[float] = None
    rhs: Optional[float] = None
    fields: list[str] = []
    says: Optional[str] = None


class Source(BaseModel):
    filename: str
    sha256: str
    kind: Kind
    pages: int


class ExtractionResult(BaseModel):
    schema_version: str = SCHEMA_VERSION
    extractor_version: str = ""
    source: Source
    fields: dict[str, FieldValue]
    checks: list[Check] = []
    review: list[str] = Field([], description="keys whose confidence is under the acceptance threshold")
    sections: dict[str, str] = {}
    warnings: list[str] = []
    timings_ms: dict[str, float] = {}
