"""A job's results as one CSV table: a row per document, the columns that say which document it
is and how far to trust it, then one column per canonical field key in schema order."""
from __future__ import annotations

import csv
import io
from typing import Any, Optional

from extraction.schema import load_schema

from .store import JobView

LEAD = ("index", "filename", "sha256", "status", "error", "reason", "template", "lowest_confidence",
        "fields_under_review")


def job_csv(job: JobView, results: list[Optional[dict[str, Any]]]) -> str:
    keys = list(load_schema().fields)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow([*LEAD, *keys])
    for doc, result in zip(job.documents, results):
        fields = (result or {}).get("fields") or {}
        confidences = [f.get("confidence") for f in fields.values() if isinstance(f, dict)]
        confidences = [c for c in confidences if isinstance(c, (int, float))]
        lead = [doc.position, doc.filename, doc.sha256, doc.status, doc.error_code or "", doc.reason or "",
                (fields.get("meta.template") or {}).get("value") or "",
                min(confidences) if confidences else "", len((result or {}).get("review") or []) if result else ""]
        w.writerow([*lead, *[_cell((fields.get(k) or {}).get("value")) for k in keys]])
    return out.getvalue()


def _cell(value: Any) -> Any:
    return "" if value is None else value
