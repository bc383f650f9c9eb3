"""What a batch is asked to read: files, folders (recursively) and manifests, turned into a plan.

A manifest is a text or CSV file listing one path per line (or a `path`/`file` column); a path in
it is relative to the manifest's folder. A .txt input is a manifest only when every line names an
existing file, so a plain-text report given on the command line stays a report.
"""
from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional

from .batch_store import RESERVED_STEMS, Record, StoredResult

MANIFEST_SUFFIXES = {".txt", ".csv", ".lst", ".list", ".tsv"}
_PATH_COLUMNS = ("path", "file", "filename", "source", "source_file")
# Files a folder walk never treats as documents: our own outputs and OS litter.
_SKIPPED_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}


class InputError(ValueError):
    pass


def collect_inputs(inputs: Iterable[str], manifests: Iterable[str] = (), exclude: Optional[Path] = None) -> list[Path]:
    """Resolved document paths, sorted and without repeats. `exclude` (the output folder) is not
    walked, so a batch can write its results next to its inputs."""
    found: set[Path] = set()
    excluded = exclude.resolve() if exclude else None
    for raw in manifests:
        found.update(_read_manifest(Path(raw), strict=True) or [])
    for raw in inputs:
        p = Path(raw)
        if p.is_dir():
            found.update(_walk(p, excluded))
        elif p.is_file():
            listed = _read_manifest(p, strict=False) if p.suffix.lower() in MANIFEST_SUFFIXES else None
            found.update(listed if listed is not None else [p.resolve()])
        else:
            raise InputError(f"no such file or folder: {raw}")
    return sorted(found)


def _walk(folder: Path, excluded: Optional[Path]) -> list[Path]:
    out = []
    for p in folder.rglob("*"):
        if excluded and (p == excluded or excluded in p.parents):
            continue
        if p.is_file() and p.name not in _SKIPPED_NAMES and not any(part.startswith(".") for part in p.relative_to(folder).parts):
            out.append(p.resolve())
    return out


def _read_manifest(path: Path, strict: bool) -> Optional[list[Path]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        if strict:
            raise InputError(f"cannot read manifest {path}") from None
        return None
    entries = _manifest_entries(text, path.suffix.lower())
    base = path.resolve().parent
    resolved = [(e, (base / e).resolve() if not Path(e).is_absolute() else Path(e).resolve()) for e in entries]
    if not resolved or not all(_is_file(p) for _, p in resolved):
        if strict:
            bad = [e for e, p in resolved if not _is_file(p)]
            raise InputError(f"manifest {path}: {'no paths listed' if not resolved else 'missing files: ' + ', '.join(bad[:5])}")
        return None
    out: list[Path] = []
    for _, p in resolved:
        if p.suffix.lower() in MANIFEST_SUFFIXES and (nested := _read_manifest(p, strict=False)) is not None:
            out.extend(nested)
        else:
            out.append(p)
    return out


def _is_file(p: Path) -> bool:
    try:
        return p.is_file()
    except (OSError, ValueError):  # a line of prose is no path: too long, or holds a NUL
        return False


def _manifest_entries(text: str, suffix: str) -> list[str]:
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if suffix not in (".csv", ".tsv") and not any("," in ln for ln in lines[:1]):
        return [ln.strip() for ln in lines]
    rows = [r for r in csv.reader(io.StringIO("\n".join(lines)), delimiter="\t" if suffix == ".tsv" else ",") if r]
    if not rows:
        return []
    header = [c.strip().lower() for c in rows[0]]
    col = next((header.index(c) for c in _PATH_COLUMNS if c in header), None)
    if col is not None:
        rows = rows[1:]
    return [r[col or 0].strip() for r in rows if len(r) > (col or 0) and r[col or 0].strip()]


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass
class Task:
    """One document to extract."""
    path: Path
    sha256: str
    name: str  # the result's file name in the output folder


@dataclass
class Plan:
    tasks: list[Task]
    skipped: list[Record]  # already done (ok or a final failure) for this extractor version
    duplicates: list[Record]  # same bytes as an earlier input: recorded, not extracted
    inputs: int


def make_plan(paths: list[Path], version: str, results: dict[str, StoredResult], records: dict[str, Record],
              force: bool = False, retry_failed: bool = False, hashes: Optional[dict[Path, str]] = None) -> Plan:
    """Decide, for each input in path order, whether to extract it, skip it or record it as a
    duplicate, and name its result. Names are stable: a sha256 with a stored result keeps its
    file, and new names are handed out in path order, so a resumed run names as a whole one."""
    hashes = hashes if hashes is not None else {p: sha256_of(p) for p in paths}
    taken = {r.name for r in results.values()}
    final_failures = {r.sha256: r for r in records.values()
                      if r.status == "failed" and r.final and r.extractor_version == version}
    first_path: dict[str, Path] = {}
    names: dict[str, str] = {sha: r.name for sha, r in results.items()}
    tasks: list[Task] = []
    skipped: list[Record] = []
    duplicates: list[Record] = []
    for p in paths:
        sha = hashes[p]
        if sha in first_path:
            duplicates.append(Record(str(p), sha, "duplicate", version, name=names.get(sha),
                                     duplicate_of=str(first_path[sha])))
            continue
        first_path[sha] = p
        stored = results.get(sha)
        if not force and stored and stored.extractor_version == version:
            skipped.append(Record(str(p), sha, "ok", version, name=stored.name))
            continue
        failure = final_failures.get(sha)
        if not force and not retry_failed and failure and not stored:
            skipped.append(Record(str(p), sha, "failed", version, code=failure.code, reason=failure.reason))
            continue
        if sha not in names:
            names[sha] = _unique_name(p.stem, taken)
            taken.add(names[sha])
        tasks.append(Task(p, sha, names[sha]))
    return Plan(tasks, skipped, duplicates, len(paths))


def _unique_name(stem: str, taken: set[str]) -> str:
    stem = stem.strip() or "document"
    candidate, n = stem, 1
    while f"{candidate}.json" in taken or candidate in RESERVED_STEMS:
        n += 1
        candidate = f"{stem}_{n}"
    return f"{candidate}.json"
