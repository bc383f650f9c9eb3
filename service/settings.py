"""The service's configuration: every knob is an environment variable (GIA_*), read once into a
frozen dataclass so that a test can build an app with its own settings beside another one."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from typing import Any, Mapping

MB = 1024 * 1024


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default="", metadata={"env": "GIA_DATABASE_URL",
        "doc": "SQLAlchemy URL (e.g. postgresql+psycopg://user:pw@host/db); empty: SQLite at GIA_DB_PATH"})
    db_path: str = field(default="gia-extract.db", metadata={"env": "GIA_DB_PATH",
        "doc": "SQLite file used when GIA_DATABASE_URL is empty (WAL mode)"})
    max_upload_bytes: int = field(default=50 * MB, metadata={"env": "GIA_MAX_UPLOAD_BYTES",
        "doc": "largest accepted file, bytes (413 above)"})
    max_files_per_job: int = field(default=100, metadata={"env": "GIA_MAX_FILES_PER_JOB", "doc": "files in one job"})
    max_pages: int = field(default=200, metadata={"env": "GIA_MAX_PAGES", "doc": "pages per document (413 above)"})
    max_pixels_per_page: int = field(default=60_000_000, metadata={"env": "GIA_MAX_PIXELS_PER_PAGE",
        "doc": "pixels of an image or of a PDF page's largest image (413 above)"})
    time_limit_s: float = field(default=120.0, metadata={"env": "GIA_TIME_LIMIT_S",
        "doc": "per-document extraction time limit; the worker is killed past it"})
    workers: int = field(default=2, metadata={"env": "GIA_WORKERS",
        "doc": "extraction worker processes (shared by the sync endpoint and jobs); 0: extract in threads of this process"})
    ocr_server: bool = field(default=False, metadata={"env": "GIA_OCR_SERVER",
        "doc": "one process runs the OCR of every extraction worker, their page requests pooled into shared "
               "batches: for GIA_OCR_ENGINE=torch on a GPU, which one process should own (needs GIA_WORKERS ≥ 1)"})
    job_workers: int = field(default=1, metadata={"env": "GIA_JOB_WORKERS",
        "doc": "documents of jobs extracted at once (0: this instance accepts jobs but does not run them)"})
    queue_limit: int = field(default=1000, metadata={"env": "GIA_QUEUE_LIMIT",
        "doc": "queued documents (jobs) past which POST /v1/jobs answers 503 with Retry-After"})
    sync_limit: int = field(default=8, metadata={"env": "GIA_SYNC_LIMIT",
        "doc": "sync extractions in flight past which POST /v1/extract answers 503 with Retry-After"})
    lease_margin_s: float = field(default=30.0, metadata={"env": "GIA_LEASE_MARGIN_S",
        "doc": "a claimed document whose worker vanished is claimed again after time limit + this"})
    require_api_key: bool = field(default=False, metadata={"env": "GIA_REQUIRE_API_KEY",
        "doc": "answer 401 without a valid X-API-Key (keys: `gia-extract keys create NAME`)"})
    rate_limit_per_minute: int = field(default=0, metadata={"env": "GIA_RATE_LIMIT_PER_MINUTE",
        "doc": "requests per minute per API key (per client address without keys); 0: off"})
    cors_origins: tuple[str, ...] = field(default=(), metadata={"env": "GIA_CORS_ORIGINS",
        "doc": "comma-separated origins allowed by CORS (`*` for any); empty: no CORS headers"})
    callback_hosts: tuple[str, ...] = field(default=(), metadata={"env": "GIA_CALLBACK_HOSTS",
        "doc": "hosts a job's callback_url may name (comma-separated); empty: callbacks refused"})
    shutdown_grace_s: float = field(default=30.0, metadata={"env": "GIA_SHUTDOWN_GRACE_S",
        "doc": "on shutdown, how long documents in flight may take to finish before being handed back"})
    log_level: str = field(default="INFO", metadata={"env": "GIA_LOG_LEVEL", "doc": "JSON log lines at this level"})
    extractor: str = field(default="extraction.pipeline:extract", metadata={"env": "GIA_EXTRACTOR",
        "doc": "module:function doing the extraction (a stand-in for tests)"})

    @property
    def url(self) -> str:
        return self.database_url or f"sqlite:///{self.db_path}"

    def with_(self, **changes: Any) -> "Settings":
        return replace(self, **changes)


def _parse(raw: str, default: Any) -> Any:
    if isinstance(default, bool):
        if raw.strip().lower() in ("1", "true", "yes", "on"):
            return True
        if raw.strip().lower() in ("0", "false", "no", "off", ""):
            return False
        raise ValueError(f"not a boolean: {raw!r}")
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    if isinstance(default, tuple):
        return tuple(x.strip() for x in raw.split(",") if x.strip())
    return raw


def settings_from_env(env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    for f in fields(Settings):
        name = f.metadata["env"]
        if name in env:
            try:
                values[f.name] = _parse(env[name], f.default)
            except ValueError as e:
                raise ValueError(f"{name}: {e}") from None
    values.update(overrides)
    return Settings(**values)


def settings_table() -> str:
    """The Markdown table of the README, generated so that it cannot drift from the code."""
    rows = ["| variable | default | meaning |", "| --- | --- | --- |"]
    for f in fields(Settings):
        default = ",".join(f.default) if isinstance(f.default, tuple) else f.default
        rows.append(f"| `{f.metadata['env']}` | `{default}` | {f.metadata['doc']} |")
    return "\n".join(rows)
