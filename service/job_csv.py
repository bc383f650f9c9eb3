"""A job's results as one CSV table: a row per document, the columns that say which document it
is and how far to trust it, then one column per canonical field key in schema order. In an
each_report job a row per report: a `report` column (1, 2, ...) after `index` says which of the
document's reports it is, and a failed document keeps one row, its report column empty."""
from __future__ import annotations

import csv
import io
from typing import Any, Optional

from extraction.schema import load_schema

from .store import DocumentView, JobView

LEAD = ("index", "filename", "sha256", "status", "error", "reason", "template", "lowest_confidence",
        "fields_under_review")


def job_csv(job: JobView, results: list[Optional[dict[str, Any]]]) -> str:
    keys = list(load_schema().fields)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    lead = [*LEAD[:1], "report", *LEAD[1:]] if job.each_report else list(LEAD)
    w.writerow([*lead, *keys])
    for doc, result in zip(job.documents, results):
        if not job.each_report:
            w.writerow(_row(doc, result, keys))
            continue
        for n, report in enumerate((result or {}).get("reports") or [None], 1):
            row = _row(doc, report, keys)
            w.writerow([row[0], n if report else "", *row[1:]])
    return out.getvalue()


def _row(doc: DocumentView, result: Optional[dict[str, Any]], keys: list[str]) -> list[Any]:
    fields = (result or {}).get("fields") or {}
    confidences = [f.get("confidence") for f in fields.values() if isinstance(f, dict)]
    confidences = [c for c in confidences if isinstance(c, (int, float))]
    lead = [doc.position, doc.filename, doc.sha256, doc.status, doc.error_code or "", doc.reason or "",
            (fields.get("meta.template") or {}).get("value") or "",
            min(confidences) if confidences else "", len((result or {}).get("review") or []) if result else ""]
    return [*lead, *[_cell((fields.get(k) or {}).get("value")) for k in keys]]


def _cell(value: Any) -> Any:
    return "" if value is None else value
