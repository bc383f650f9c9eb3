"""Persistence: results by document (sha256 + extractor version), jobs and their documents,
API keys (hashes only). SQLAlchemy over SQLite (WAL, the default) or PostgreSQL.

A job's uploaded bytes are stored with it until its document is done, so that a restart loses no
accepted job. Documents are claimed with a lease and a claim token: a claim whose worker vanished
(a killed process) is taken again once the lease runs out, and a late answer from an old claim
cannot overwrite a newer one."""
from __future__ import annotations

import hashlib
import json
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any, Optional

from sqlalchemy import (Boolean, Float, ForeignKey, Integer, LargeBinary, String, Text, create_engine, event, false,
                        func, select, update)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

DOC_QUEUED, DOC_RUNNING, DOC_DONE, DOC_FAILED = "queued", "running", "done", "failed"
JOB_QUEUED, JOB_RUNNING, JOB_DONE = "queued", "running", "done"


class Base(DeclarativeBase):
    pass


class StoredResult(Base):
    __tablename__ = "results"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    extractor_version: Mapped[str] = mapped_column(String(40), primary_key=True)
    result: Mapped[str] = mapped_column(Text)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[float] = mapped_column(Float)


class Job(Base):
    __tablename__ = "jobs"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default=JOB_QUEUED, index=True)
    owner: Mapped[Optional[str]] = mapped_column(String(100), nullable=True)
    callback_url: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    callback_state: Mapped[Optional[str]] = mapped_column(String(16), nullable=True)  # pending | sent | failed
    created_at: Mapped[float] = mapped_column(Float)
    finished_at: Mapped[Optional[float]] = mapped_column(Float, nullable=True)
    # every report of a volume rather than its first (migration 2)
    each_report: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class JobDocument(Base):
    __tablename__ = "job_documents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[Optional[bytes]] = mapped_column(LargeBinary, nullable=True)  # dropped once done
    status: Mapped[str] = mapped_column(String(16), default=DOC_QUEUED, index=True)
    claim_token: Mapped[Optional[str]] = mapped_column(String(32), nullable=True)
    lease_until: Mapped[float] = mapped_column(Float, default=0.0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    extractor_version: Mapped[Optional[str]] = mapped_column(String(40), nullable=True)
    status_code: Mapped[Optional[int]] = mapped_column(Integer, nullable=True)
    error_code: Mapped[Optional[str]] = mapped_column(String(40), nullable=True)
    reason: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    elapsed_ms: Mapped[Optional[float]] = mapped_column(Float, nullable=True)
    finished_at: Mapped[Optional[float]] = mapped_column(Float, nullable=True)


class ApiKey(Base):
    __tablename__ = "api_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    # keys are 256 random bits, so a plain SHA-256 is enough: no dictionary to guess them from
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[float] = mapped_column(Float)


@dataclass
class Claim:
    doc_id: int
    job_id: str
    filename: str
    sha256: str
    data: bytes
    token: str
    each_report: bool = False


@dataclass
class DocumentView:
    position: int
    filename: str
    sha256: str
    size: int
    status: str
    status_code: Optional[int]
    error_code: Optional[str]
    reason: Optional[str]
    elapsed_ms: Optional[float]
    extractor_version: Optional[str]


@dataclass
class JobView:
    id: str
    status: str
    owner: Optional[str]
    callback_url: Optional[str]
    callback_state: Optional[str]
    created_at: float
    finished_at: Optional[float]
    documents: list[DocumentView]
    each_report: bool = False


def reports_of(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The reports an answer holds: a volume's ({"reports": [...]}) every one, else the one."""
    return result["reports"] if "reports" in result else [result]


def stored_version(version: str, each_report: bool) -> str:
    """The version a result is stored under: a volume's every report apart from its first, which
    is what a plain extraction of the same bytes answers."""
    return f"{version}+reports" if each_report else version


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(conn, _record):  # WAL: readers never wait for the writer
            cur = conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


class Store:
    def __init__(self, url: str):
        self.engine = make_engine(url)
        from .migrations import migrate

        self.schema_version = migrate(self.engine)
        self._session = sessionmaker(self.engine, expire_on_commit=False)

    def close(self) -> None:
        self.engine.dispose()

    def ping(self) -> bool:
        with self._session() as s:
            s.execute(select(1))
        return True

    # results by document
    def cached_result(self, sha256: str, version: str) -> Optional[dict[str, Any]]:
        with self._session() as s:
            row = s.get(StoredResult, (sha256, version))
            return json.loads(row.result) if row else None

    def save_result(self, sha256: str, version: str, result: dict[str, Any]) -> None:
        with self._session() as s, s.begin():
            if s.get(StoredResult, (sha256, version)) is None:
                first = (reports_of(result) or [{}])[0]  # (a volume's pages are its first report's)
                pages = int((first.get("source") or {}).get("pages") or 0)
                s.add(StoredResult(sha256=sha256, extractor_version=version, pages=pages,
                                   result=json.dumps(result, ensure_ascii=False), created_at=time.time()))

    # jobs
    def create_job(self, files: list[tuple[str, bytes]], owner: Optional[str], callback_url: Optional[str],
                   each_report: bool = False) -> str:
        job_id = uuid.uuid4().hex
        now = time.time()
        with self._session() as s, s.begin():
            s.add(Job(id=job_id, status=JOB_QUEUED, owner=owner, callback_url=callback_url,
                      callback_state="pending" if callback_url else None, created_at=now, each_report=each_report))
            s.flush()
            for i, (name, data) in enumerate(files):
                s.add(JobDocument(job_id=job_id, position=i, filename=name, sha256=hashlib.sha256(data).hexdigest(),
                                  size=len(data), data=data, status=DOC_QUEUED, lease_until=0.0))
        return job_id

    def queued_count(self) -> int:
        with self._session() as s:
            return s.scalar(select(func.count()).select_from(JobDocument).where(JobDocument.status == DOC_QUEUED)) or 0

    def claim_next(self, lease_s: float) -> Optional[Claim]:
        """The oldest claimable document, atomically marked running under a fresh claim token."""
        for _ in range(10):
            now = time.time()
            claimable = (JobDocument.status == DOC_QUEUED) | (
                (JobDocument.status == DOC_RUNNING) & (JobDocument.lease_until < now))
            with self._session() as s, s.begin():
                row = s.execute(select(JobDocument.id, JobDocument.job_id).where(claimable)
                                .order_by(JobDocument.id).limit(1)).first()
                if row is None:
                    return None
                token = uuid.uuid4().hex
                taken = s.execute(update(JobDocument).where(JobDocument.id == row.id, claimable).values(
                    status=DOC_RUNNING, claim_token=token, lease_until=now + lease_s,
                    attempts=JobDocument.attempts + 1)).rowcount
                if not taken:
                    continue  # another worker was faster
                s.execute(update(Job).where(Job.id == row.job_id, Job.status == JOB_QUEUED).values(status=JOB_RUNNING))
                doc = s.get(JobDocument, row.id)
                each_report = bool(s.scalar(select(Job.each_report).where(Job.id == row.job_id)))
                return Claim(doc.id, doc.job_id, doc.filename, doc.sha256, doc.data or b"", token, each_report)
        return None

    def finish(self, claim: Claim, *, ok: bool, version: str, status_code: int, error_code: Optional[str],
               reason: Optional[str], elapsed_ms: float) -> bool:
        """Record a document's outcome; True when this finished its job (the caller then notifies)."""
        with self._session() as s, s.begin():
            # One finisher of a job at a time: under PostgreSQL's READ COMMITTED, two workers
            # finishing the last two documents together each counted the other's as still running,
            # and neither marked the job done. (SQLite serializes writers anyway.)
            s.execute(select(Job.id).where(Job.id == claim.job_id).with_for_update())
            done = s.execute(update(JobDocument).where(
                JobDocument.id == claim.doc_id, JobDocument.claim_token == claim.token,
                JobDocument.status == DOC_RUNNING).values(
                status=DOC_DONE if ok else DOC_FAILED, data=None, claim_token=None, extractor_version=version,
                status_code=status_code, error_code=error_code, reason=reason, elapsed_ms=elapsed_ms,
                finished_at=time.time())).rowcount
            if not done:
                return False
            open_docs = s.scalar(select(func.count()).select_from(JobDocument).where(
                JobDocument.job_id == claim.job_id, JobDocument.status.in_((DOC_QUEUED, DOC_RUNNING))))
            if open_docs:
                return False
            return bool(s.execute(update(Job).where(Job.id == claim.job_id, Job.status != JOB_DONE).values(
                status=JOB_DONE, finished_at=time.time())).rowcount)

    def release(self, claim: Claim) -> None:
        """Hand a claimed document back to the queue (shutdown before it finished)."""
        with self._session() as s, s.begin():
            s.execute(update(JobDocument).where(JobDocument.id == claim.doc_id, JobDocument.claim_token == claim.token,
                                                JobDocument.status == DOC_RUNNING).values(
                status=DOC_QUEUED, claim_token=None, lease_until=0.0, attempts=JobDocument.attempts - 1))

    def job(self, job_id: str) -> Optional[JobView]:
        with self._session() as s:
            job = s.get(Job, job_id)
            if job is None:
                return None
            docs = s.execute(select(JobDocument.position, JobDocument.filename, JobDocument.sha256, JobDocument.size,
                                    JobDocument.status, JobDocument.status_code, JobDocument.error_code,
                                    JobDocument.reason, JobDocument.elapsed_ms, JobDocument.extractor_version)
                             .where(JobDocument.job_id == job_id).order_by(JobDocument.position)).all()
            return JobView(job.id, job.status, job.owner, job.callback_url, job.callback_state, job.created_at,
                           job.finished_at, [DocumentView(*d) for d in docs], bool(job.each_report))

    def set_callback_state(self, job_id: str, state: str) -> None:
        with self._session() as s, s.begin():
            s.execute(update(Job).where(Job.id == job_id).values(callback_state=state))

    def pending_callbacks(self) -> list[str]:
        with self._session() as s:
            return list(s.scalars(select(Job.id).where(Job.status == JOB_DONE, Job.callback_state == "pending")))

    # API keys
    def create_key(self, name: str) -> str:
        key = "gia_" + secrets.token_urlsafe(32)
        with self._session() as s, s.begin():
            s.add(ApiKey(name=name, key_hash=hash_key(key), revoked=False, created_at=time.time()))
        return key

    def key_name(self, key: str) -> Optional[str]:
        with self._session() as s:
            row = s.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(key), ApiKey.revoked.is_(False)))
            return row.name if row else None

    def revoke_key(self, name: str) -> bool:
        with self._session() as s, s.begin():
            return bool(s.execute(update(ApiKey).where(ApiKey.name == name).values(revoked=True)).rowcount)

    def list_keys(self) -> list[tuple[str, bool, float]]:
        with self._session() as s:
            return [(k.name, k.revoked, k.created_at) for k in s.scalars(select(ApiKey).order_by(ApiKey.id))]
