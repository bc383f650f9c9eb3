"""The batch on Ray: the same folder through a local Ray instance (joined by address, as an
existing cluster is) and through local processes gives the same files; resumability and
timeouts hold on Ray too. One module, one Ray instance: Ray takes seconds to start."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

try:
    import ray
except ImportError:
    pytest.skip("ray is not installed (pip install 'gia-extract[ray]'): the Ray executor is untested",
                allow_module_level=True)

from extraction import __version__
from service.batch_inputs import collect_inputs, make_plan
from service.batch_run import BatchConfig, run_batch
from service.batch_store import ResultStore
from tests.batch_corpus import build_mixed, misbehaving_folder

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def cluster():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="WARNING")
    yield ray.get_runtime_context().gcs_address
    ray.shutdown()


def without_timings(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k != "timings_ms"}


def results_in(out: Path) -> dict[str, dict]:
    return {p.name: json.loads(p.read_text(encoding="utf-8")) for p in out.glob("*.json") if p.name != "summary.json"}


def test_ray_writes_what_local_processes_write_and_resumes_alike(cluster, tmp_path):
    corpus = build_mixed(tmp_path / "archive")
    local, on_ray = tmp_path / "local", tmp_path / "ray"
    run_batch(BatchConfig([str(corpus.root)], local, workers=1, progress="off"))
    # a second driver joins the running instance by its address, as with an existing cluster
    proc = subprocess.run(
        [sys.executable, "-m", "service.batch", str(corpus.root), "--out", str(on_ray), "--executor", "ray",
         "--ray-address", cluster, "--progress", "off"],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stderr  # the corpus holds failures
    summary = json.loads((on_ray / "summary.json").read_text(encoding="utf-8"))
    assert summary["counts"]["ok"] == len(corpus.good), summary["failures"]
    assert summary["run"]["executor"] == "ray" and summary["run"]["workers"] == 2

    got, want = results_in(on_ray), results_in(local)
    assert sorted(got) == sorted(want) and len(want) == len(corpus.good)
    for name in want:
        assert without_timings(got[name]) == without_timings(want[name]), name
    assert (on_ray / "reports.csv").read_bytes() == (local / "reports.csv").read_bytes()
    local_summary = json.loads((local / "summary.json").read_text(encoding="utf-8"))
    for key in ("counts", "failures", "duplicates"):
        assert summary[key] == local_summary[key], key
    assert {f["code"] for f in summary["failures"]} == set(corpus.failing.values()), summary["failures"]

    # resumable the same way: nothing left to do
    again = run_batch(BatchConfig([str(corpus.root)], on_ray, executor="ray", progress="off"))
    assert again.summary["run"]["extracted"] == 0
    assert again.summary["run"]["skipped"] == len(corpus.good) + len(corpus.failing)


def test_a_hung_or_crashing_document_on_ray_fails_alone(cluster, tmp_path):
    folder = misbehaving_folder(tmp_path / "in", good=1)
    t0 = time.monotonic()
    outcome = run_batch(BatchConfig([str(folder)], tmp_path / "out", executor="ray", workers=1, timeout=3.0,
                                    extractor="tests.batch_corpus:misbehaving_extract", progress="off"))
    assert time.monotonic() - t0 < 120
    failures = outcome.summary["failures"]
    assert {Path(f["file"]).name: f["code"] for f in failures} == {
        "a_hangs.txt": "timeout", "b_crashes.txt": "worker_crashed"}, failures
    assert outcome.summary["counts"]["ok"] == 1
    with ResultStore(tmp_path / "out") as store:
        plan = make_plan(collect_inputs([str(folder)]), __version__, store.results(), store.records())
    assert [t.path.name for t in plan.tasks] == ["a_hangs.txt", "b_crashes.txt"]
