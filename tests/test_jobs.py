"""The jobs API through the real app and a real SQLite file: submit, poll, results (JSON and CSV),
restart mid-job (graceful, and after a worker vanished) with nothing lost, a full queue, callbacks."""
from __future__ import annotations

import csv
import http.server
import io
import json
import threading
import time

import pytest

from service.store import Store
from tests.service_fixtures import client_for, zip_archive
from tests.shared_data import GOLDEN, SEEDS, load_scorer

pytestmark = pytest.mark.skipif(not SEEDS.exists(), reason=f"shared seeds not found at {SEEDS}")

SEED_NAMES = sorted(p.stem for p in SEEDS.glob("*.txt")) if SEEDS.exists() else []


def seed_files(names=SEED_NAMES):
    return [("files", (f"{n}.txt", (SEEDS / f"{n}.txt").read_bytes(), "text/plain")) for n in names]


def wait_done(client, job_id, timeout=180.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(f"/v1/jobs/{job_id}").json()
        if body["status"] == "done":
            return body
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} not done: {body['progress']}")


def assert_matches_golden(doc: dict) -> None:
    same = load_scorer().same
    name = doc["filename"].rsplit(".", 1)[0]
    gold = json.loads((GOLDEN / f"{name}.json").read_text())["fields"]
    fields = doc["result"]["fields"]
    wrong = [k for k, v in gold.items() if k not in fields or not same(v, fields[k]["value"])]
    assert wrong == [], (name, wrong[:5])


def test_submit_poll_results_and_csv(tmp_path):
    with client_for(tmp_path) as c:
        files = seed_files() + [("files", ("archive.zip", zip_archive(), "application/zip"))]
        r = c.post("/v1/jobs", files=files)
        assert r.status_code == 202, r.text
        accepted = r.json()
        assert accepted["documents"] == 6 and accepted["url"] == f"/v1/jobs/{accepted['id']}"
        body = wait_done(c, accepted["id"])
        assert body["progress"] == {"total": 6, "queued": 0, "running": 0, "done": 5, "failed": 1}
        for doc in body["documents"][:5]:
            assert doc["status"] == "done"
            assert_matches_golden(doc)
        bad = body["documents"][5]
        assert bad["status"] == "failed" and bad["error"] == "unsupported_type" and bad["status_code"] == 415
        assert bad["result"] is None

        r = c.get(f"/v1/jobs/{accepted['id']}/results.csv")
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(r.text)))
        assert [row["filename"] for row in rows] == [f"{n}.txt" for n in SEED_NAMES] + ["archive.zip"]
        gold = json.loads((GOLDEN / f"{SEED_NAMES[0]}.json").read_text())["fields"]
        assert rows[0]["t2.licensing.decisions"] == str(gold["t2.licensing.decisions"])
        assert rows[0]["meta.agency"] == body["documents"][0]["result"]["fields"]["meta.agency"]["value"]
        assert rows[5]["status"] == "failed" and rows[5]["error"] == "unsupported_type"

        # the same documents again: answered from the store, under their new names
        again = c.post("/v1/jobs", files=seed_files(SEED_NAMES[:1])).json()
        doc = wait_done(c, again["id"])["documents"][0]
        assert doc["elapsed_ms"] == 0.0 and doc["result"]["fields"] == body["documents"][0]["result"]["fields"]
        assert 'gia_documents_total{code="",outcome="cached"} 1.0' in c.get("/metrics").text
        assert c.get("/v1/jobs/nope").status_code == 404


def test_restart_mid_job_loses_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("GIA_TEST_SLOW_S", "0.5")
    slow = "tests.service_standins:slow_extract"
    with client_for(tmp_path, extractor=slow, shutdown_grace_s=10) as c:
        job_id = c.post("/v1/jobs", files=seed_files()).json()["id"]
        deadline = time.monotonic() + 30
        while c.get(f"/v1/jobs/{job_id}?results=false").json()["progress"]["done"] < 1:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    # the first app is gone (graceful shutdown: its document in flight finished or went back)
    store = Store(f"sqlite:///{tmp_path / 'gia.db'}")
    view = store.job(job_id)
    store.close()
    left = [d for d in view.documents if d.status in ("queued", "running")]
    assert view.status != "done" and left, "the job finished before the restart; nothing was tested"
    assert all(d.status == "queued" for d in left)  # nothing stranded as running
    with client_for(tmp_path, extractor=slow) as c:
        body = wait_done(c, job_id)
        assert body["progress"]["done"] == len(SEED_NAMES)
        for doc in body["documents"]:
            assert_matches_golden(doc)


def test_document_of_a_vanished_worker_is_taken_again(tmp_path):
    with client_for(tmp_path, job_workers=0) as c:  # accepts jobs, runs none
        job_id = c.post("/v1/jobs", files=seed_files(SEED_NAMES[:2])).json()["id"]
    store = Store(f"sqlite:///{tmp_path / 'gia.db'}")
    stolen = store.claim_next(lease_s=1.0)  # a worker that claims a document, then dies
    store.close()
    assert stolen is not None and stolen.job_id == job_id
    with client_for(tmp_path, time_limit_s=1.0, lease_margin_s=0.0) as c:
        body = wait_done(c, job_id)
        assert [d["status"] for d in body["documents"]] == ["done", "done"]
        for doc in body["documents"]:
            assert_matches_golden(doc)


def test_full_queue_answers_503_with_retry_after(tmp_path):
    with client_for(tmp_path, job_workers=0, queue_limit=3) as c:
        assert c.post("/v1/jobs", files=seed_files(SEED_NAMES[:2])).status_code == 202
        r = c.post("/v1/jobs", files=seed_files(SEED_NAMES[:2]))
        assert r.status_code == 503 and r.json()["error"] == "busy" and int(r.headers["retry-after"]) > 0
        assert "gia_queue_depth 2.0" in c.get("/metrics").text
        assert c.get("/healthz").json()["queue_depth"] == 2


def test_callback_on_loopback(tmp_path):
    received = []

    class Hook(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/done"
    try:
        with client_for(tmp_path, callback_hosts=("127.0.0.1",)) as c:
            refused = c.post("/v1/jobs", files=seed_files(SEED_NAMES[:1]), data={"callback_url": "http://10.0.0.1/x"})
            assert refused.status_code == 422 and "not allowed" in refused.json()["reason"]
            job_id = c.post("/v1/jobs", files=seed_files(SEED_NAMES[:2]), data={"callback_url": url}).json()["id"]
            wait_done(c, job_id)
            deadline = time.monotonic() + 10
            while not received and time.monotonic() < deadline:
                time.sleep(0.05)
            assert received == [{"job_id": job_id, "status": "done", "documents": 2, "failed": 0,
                                 "url": f"/v1/jobs/{job_id}"}]
            while c.get(f"/v1/jobs/{job_id}").json()["callback_state"] != "sent":
                assert time.monotonic() < deadline
                time.sleep(0.05)
    finally:
        server.shutdown()


def test_jobs_belong_to_their_key(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'gia.db'}")
    alice, bob = store.create_key("alice"), store.create_key("bob")
    store.close()
    with client_for(tmp_path, require_api_key=True, job_workers=0) as c:
        job_id = c.post("/v1/jobs", files=seed_files(SEED_NAMES[:1]), headers={"X-API-Key": alice}).json()["id"]
        assert c.get(f"/v1/jobs/{job_id}", headers={"X-API-Key": alice}).status_code == 200
        assert c.get(f"/v1/jobs/{job_id}", headers={"X-API-Key": bob}).status_code == 404
        assert c.get(f"/v1/jobs/{job_id}").status_code == 401


def test_each_report_job_gives_every_report_of_a_volume(tmp_path):
    """A job asked for each report: a volume of three departments' reports gives all three, right
    and in order, in the JSON and as three CSV rows; a plain job of the same bytes still gives the
    first alone, and a second each_report job is answered from the store."""
    from tests.synth.form import build_report, synth_answers, wrong_fields
    from tests.synth.text_report import render_text

    texts = [render_text(build_report(synth_answers(seed), seed=seed), "markdown", seed=1)
             for seed in (160020, 160021, 160022)]
    volume = ("files", ("volume.md", "\n\n".join(t.text for t in texts).encode(), "text/markdown"))
    bad = ("files", ("archive.zip", zip_archive(), "application/zip"))
    with client_for(tmp_path) as c:
        accepted = c.post("/v1/jobs", files=[volume, *seed_files(SEED_NAMES[:1]), bad],
                          data={"each_report": "true"}).json()
        assert accepted["each_report"] is True
        body = wait_done(c, accepted["id"])
        assert body["each_report"] is True and body["progress"]["done"] == 2
        docs = body["documents"]
        assert [d["result"] for d in docs] == [None, None, None]
        assert [wrong_fields(t.answer, r) for t, r in zip(texts, docs[0]["reports"])] == [[], [], []]
        assert [r["source"]["filename"] for r in docs[0]["reports"]] == ["volume.md"] * 3
        assert len(docs[1]["reports"]) == 1
        assert_matches_golden({"filename": docs[1]["filename"], "result": docs[1]["reports"][0]})
        assert docs[2]["status"] == "failed" and docs[2]["reports"] is None

        rows = list(csv.DictReader(io.StringIO(c.get(f"/v1/jobs/{accepted['id']}/results.csv").text)))
        assert [(row["index"], row["report"], row["filename"]) for row in rows] == [
            ("0", "1", "volume.md"), ("0", "2", "volume.md"), ("0", "3", "volume.md"),
            ("1", "1", f"{SEED_NAMES[0]}.txt"), ("2", "", "archive.zip")]
        assert [row["meta.agency"] for row in rows[:3]] == [r["fields"]["meta.agency"]["value"]
                                                             for r in docs[0]["reports"]]

        plain = wait_done(c, c.post("/v1/jobs", files=[volume]).json()["id"])
        assert plain["each_report"] is False and plain["documents"][0]["reports"] is None
        assert wrong_fields(texts[0].answer, plain["documents"][0]["result"]) == []
        assert "report" not in c.get(f"/v1/jobs/{plain['id']}/results.csv").text.split("\n")[0].split(",")

        again = wait_done(c, c.post("/v1/jobs", files=[volume], data={"each_report": "true"}).json()["id"])
        assert again["documents"][0]["elapsed_ms"] == 0.0
        assert again["documents"][0]["reports"] == docs[0]["reports"]
