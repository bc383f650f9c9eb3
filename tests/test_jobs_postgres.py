"""The jobs API over PostgreSQL: GIA_TEST_POSTGRES_URL when given, else a throw-away cluster
(initdb + pg_ctl on a Unix socket, no TCP) when the PostgreSQL server binaries are installed."""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.service_fixtures import client_for
from tests.shared_data import SEEDS
from tests.test_jobs import SEED_NAMES, assert_matches_golden, seed_files, wait_done


def _as_postgres_user(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    runuser = shutil.which("runuser")
    return [runuser, "-u", "postgres", "--", *cmd] if runuser else []


def _server_binary(name: str) -> str | None:
    """Debian keeps the server's programs off PATH, under /usr/lib/postgresql/<version>/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    return str(candidates[0]) if candidates else None


@pytest.fixture(scope="module")
def postgres_url():
    url = os.environ.get("GIA_TEST_POSTGRES_URL")
    if url:
        yield url
        return
    initdb, pg_ctl = _server_binary("initdb"), _server_binary("pg_ctl")
    if not (initdb and pg_ctl) or not _as_postgres_user(["true"]):
        pytest.skip("PostgreSQL not available: set GIA_TEST_POSTGRES_URL or install the server (initdb, pg_ctl)")
    root = Path(tempfile.mkdtemp(prefix="gia-pg-"))  # pytest's own temp root is private to root
    os.chmod(root, 0o777)
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    os.chmod(sock, 0o777)
    run = lambda cmd: subprocess.run(_as_postgres_user(cmd), capture_output=True, text=True, timeout=120)
    r = run([initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"])
    if r.returncode:
        pytest.skip(f"PostgreSQL not available: initdb failed: {r.stderr.strip()[-200:]}")
    r = run([pg_ctl, "-D", str(data), "-w", "-l", str(root / "log"), "-o",
             f"-c listen_addresses='' -c unix_socket_directories={sock} -c fsync=off", "start"])
    if r.returncode:
        pytest.skip(f"PostgreSQL not available: pg_ctl start failed: {r.stderr.strip()[-200:]}")
    try:
        yield f"postgresql+psycopg://postgres@/postgres?host={sock}"
    finally:
        run([pg_ctl, "-D", str(data), "-m", "fast", "stop"])
        shutil.rmtree(root, ignore_errors=True)


@pytest.mark.skipif(not SEEDS.exists(), reason=f"shared seeds not found at {SEEDS}")
def test_jobs_on_postgres(tmp_path, postgres_url):
    with client_for(tmp_path, database_url=postgres_url, job_workers=2) as c:
        job_id = c.post("/v1/jobs", files=seed_files()).json()["id"]
        body = wait_done(c, job_id)
        assert body["progress"]["done"] == len(SEED_NAMES)
        for doc in body["documents"]:
            assert_matches_golden(doc)
        sync = c.post("/v1/extract", files={"file": ("again.txt", (SEEDS / f"{SEED_NAMES[0]}.txt").read_bytes())})
        assert sync.headers["x-cache"] == "hit"  # the job's result, found by sha256 in PostgreSQL
    assert not (tmp_path / "gia.db").exists()


def test_the_last_two_documents_finishing_together_finish_their_job(postgres_url):
    """Two workers finishing a job's last two documents at once. Under PostgreSQL's READ COMMITTED,
    each saw the other's document still running and neither marked the job done: the job stayed
    "running" for ever with every document done (seen in a CI run under load). The statements are
    slowed here so that both transactions overlap every time."""
    import threading
    import time

    from sqlalchemy import event

    from service.store import Store

    store = Store(postgres_url)
    try:
        job_id = store.create_job([("a.txt", b"a"), ("b.txt", b"b")], owner=None, callback_url=None)
        claims = [store.claim_next(lease_s=60) for _ in range(2)]
        assert {c.job_id for c in claims} == {job_id}

        @event.listens_for(store.engine, "after_cursor_execute")
        def _slow(conn, cursor, statement, *args):
            if statement.lstrip().upper().startswith(("UPDATE JOB_DOCUMENTS", "SELECT COUNT")):
                time.sleep(0.4)

        start = threading.Barrier(2)
        finished: list[bool] = []

        def finish(claim):
            start.wait()
            finished.append(store.finish(claim, ok=True, version="t", status_code=200, error_code=None,
                                         reason=None, elapsed_ms=1.0))

        threads = [threading.Thread(target=finish, args=(c,)) for c in claims]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert sorted(finished) == [False, True]  # exactly one of them finished the job
        assert store.job(job_id).status == "done"
    finally:
        store.close()
