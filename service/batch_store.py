"""The output folder of a batch: per-document JSON results, the journal of outcomes, and the lock.

The folder is the batch's only state, so a run can be killed at any instant and the next one
continues: a result file appears whole or not at all (temp file + os.replace), and the journal is
append-only with one fsynced line per document (a torn last line from a kill is ignored).
The JSON files are the truth about results; the journal adds what they cannot say (which source
path a result came from, failures, duplicates).
"""
from __future__ import annotations

import fcntl
import json
import os
import re
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterator, Optional

STATE_DIR = ".batch"
_UMASK = os.umask(0)
os.umask(_UMASK)
FILE_MODE = 0o666 & ~_UMASK  # what open() would give; mkstemp's 0600 would hide results from colleagues
JOURNAL = "journal.jsonl"
# Stems the folder's own files use: a document named summary.txt must not overwrite summary.json.
RESERVED_STEMS = frozenset({"summary", "results", "reports"})
# the result of a volume's second, third... report, beside the first's <stem>.json (--each-report)
LATER_REPORT = re.compile(r"\.report(\d+)\.json$")

# Failures that would fail again with the same extractor: recorded once, not retried on a re-run.
# A timeout or a crashed worker may be load or luck, so those are retried.
FINAL_FAILURE_CODES = frozenset({
    "empty", "corrupt", "encrypted", "unsupported_type", "not_a_report", "needs_ocr", "too_large",
    "unreadable", "internal_error",
})


@dataclass
class Record:
    """One journal line: what became of one source file."""
    path: str
    sha256: str
    status: str  # ok | failed | duplicate
    extractor_version: str
    name: Optional[str] = None  # the result's file name in the folder (ok and duplicate)
    code: Optional[str] = None
    reason: Optional[str] = None
    duplicate_of: Optional[str] = None
    elapsed_ms: Optional[float] = None

    @property
    def final(self) -> bool:
        return self.status != "failed" or self.code in FINAL_FAILURE_CODES


@dataclass
class StoredResult:
    name: str
    sha256: str
    extractor_version: str


class BatchLocked(RuntimeError):
    pass


class ResultStore:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.state = self.root / STATE_DIR
        self.tmp = self.state / "tmp"
        self._lock_fd: Optional[int] = None

    # -- lifetime -------------------------------------------------------------------------------
    def open(self) -> "ResultStore":
        self.tmp.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.state / "lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise BatchLocked(f"another batch is writing to {self.root}") from None
        self._lock_fd = fd
        # temp files of a run that was killed mid-write: never renamed, so never a result
        for leftover in self.tmp.iterdir():
            leftover.unlink(missing_ok=True)
        return self

    def close(self) -> None:
        if self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
            self._lock_fd = None

    def __enter__(self) -> "ResultStore":
        return self.open()

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- writing --------------------------------------------------------------------------------
    def write_atomic(self, name: str, data: bytes) -> Path:
        target = self.root / name
        fd, tmp = tempfile.mkstemp(dir=self.tmp, prefix=name + ".")
        try:
            os.fchmod(fd, FILE_MODE)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return target

    def write_json(self, name: str, obj: Any, indent: Optional[int] = 2) -> Path:
        return self.write_atomic(name, (json.dumps(obj, ensure_ascii=False, indent=indent) + "\n").encode("utf-8"))

    def append(self, record: Record) -> None:
        line = json.dumps(asdict(record), ensure_ascii=False) + "\n"
        with open(self.state / JOURNAL, "a", encoding="utf-8") as f:
            f.write(line)
            f.flush()
            os.fsync(f.fileno())

    # -- reading --------------------------------------------------------------------------------
    def records(self) -> dict[str, Record]:
        """The latest record per source path."""
        return latest_records(self.root)

    def results(self) -> dict[str, StoredResult]:
        """Stored results by sha256."""
        out: dict[str, StoredResult] = {}
        for name, doc in iter_results(self.root):
            src = doc.get("source") or {}
            held = out.get(src["sha256"])
            # a volume's later reports share its bytes: the document's result is its first
            if held is None or (LATER_REPORT.search(held.name) and not LATER_REPORT.search(name)):
                out[src["sha256"]] = StoredResult(name, src["sha256"], doc.get("extractor_version") or "")
        return out


def latest_records(root: Path) -> dict[str, Record]:
    journal = Path(root) / STATE_DIR / JOURNAL
    out: dict[str, Record] = {}
    if not journal.exists():
        return out
    with open(journal, encoding="utf-8") as f:
        for line in f:
            try:
                rec = Record(**json.loads(line))
            except (ValueError, TypeError):
                continue  # the torn tail of a killed run
            out[rec.path] = rec
    return out


def iter_results(root: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """(file name, parsed result) for every per-document result in the folder, by name."""
    for path in sorted(Path(root).glob("*.json")):
        if path.stem in RESERVED_STEMS:
            continue
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(doc, dict) and isinstance(doc.get("fields"), dict) and (doc.get("source") or {}).get("sha256"):
            yield path.name, doc


@dataclass
class Entry:
    """One source document as the folder knows it: its latest record, with its result loaded."""
    file: str
    sha256: str
    status: str
    name: Optional[str] = None
    code: Optional[str] = None
    reason: Optional[str] = None
    duplicate_of: Optional[str] = None
    result: Optional[dict[str, Any]] = None


def folder_entries(root: Path) -> list[Entry]:
    """Every document of the folder, by source path: journal records joined with the result
    files. A result file no record names (copied in, or left by an older run of the same path)
    still counts, under the file name the result itself gives."""
    results = dict(iter_results(root))
    named: set[str] = set()
    entries: list[Entry] = []
    for rec in latest_records(root).values():
        result = results.get(rec.name) if rec.status == "ok" and rec.name else None
        if rec.status == "ok" and (result is None or result["source"]["sha256"] != rec.sha256):
            continue  # its result file was removed or now holds another document
        if rec.name:
            named.add(rec.name)
        entries.append(Entry(rec.path, rec.sha256, rec.status, rec.name, rec.code, rec.reason, rec.duplicate_of, result))
    for name, doc in results.items():
        if name not in named:
            entries.append(Entry(doc["source"].get("filename") or name, doc["source"]["sha256"], "ok", name, result=doc))
    return sorted(entries, key=lambda e: (e.file, e.name or ""))
