"""`gia-extract batch`: a whole archive through the real pipeline, with the failures an archive
holds, a second run, a hung document, and runs stopped midway by Ctrl-C and by SIGKILL."""
from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from extraction import __version__
from extraction.contract import ExtractionResult
from extraction.pipeline import extract
from extraction.schema import load_schema
from service.batch import add_batch_arguments, main_batch
from service.batch_inputs import collect_inputs, make_plan, sha256_of
from service.batch_run import BatchConfig, run_batch
from service.batch_store import ResultStore
from service.export import LEAD_COLUMNS, export
from tests.batch_corpus import build_mixed, misbehaving_folder
from tests.shared_data import SEEDS

REPO = Path(__file__).resolve().parents[1]


def batch_cli(*argv: str) -> tuple[int, str]:
    parser = argparse.ArgumentParser()
    add_batch_arguments(parser)
    err = io.StringIO()  # not a terminal: progress must come as log lines
    with contextlib.redirect_stderr(err):
        code = main_batch(parser.parse_args(list(argv)))
    return code, err.getvalue()


def without_timings(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k != "timings_ms"}


def results_in(out: Path) -> dict[str, dict]:
    return {p.name: json.loads(p.read_text(encoding="utf-8")) for p in out.glob("*.json") if p.name != "summary.json"}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return build_mixed(tmp_path_factory.mktemp("archive"))


@pytest.fixture(scope="module")
def first_run(corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    code, log = batch_cli(str(corpus.root), "--out", str(out), "--workers", "2", "--log-interval", "0")
    return out, code, log


def test_batch_extracts_every_report_and_records_every_failure(corpus, first_run):
    out, code, log = first_run
    assert code == 1, "some documents failed, so the exit status must say so"
    results = results_in(out)
    by_sha = {doc["source"]["sha256"]: (name, doc) for name, doc in results.items()}
    assert len(results) == len(corpus.good)
    for path in corpus.good:
        name, doc = by_sha[sha256_of(path)]
        ExtractionResult.model_validate(doc)
        assert doc["extractor_version"] == __version__
        # what the batch wrote is what the pipeline says about the file
        direct = extract(path.read_bytes(), path.name).model_dump(mode="json")
        assert without_timings(doc) == without_timings(direct), name
    # two different reports share a stem: both kept, under distinct names
    first = corpus.good[0]
    assert {f"{first.stem}.json", f"{first.stem}_2.json"} <= set(results)

    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["counts"] == {"ok": len(corpus.good), "failed": len(corpus.failing), "duplicate": 1}
    assert {f["file"]: f["code"] for f in summary["failures"]} == {str(p): c for p, c in corpus.failing.items()}
    assert all(f["reason"] for f in summary["failures"])
    (copy, original), = corpus.duplicates.items()
    assert summary["duplicates"] == [{"file": str(copy), "duplicate_of": str(original), "json": f"{first.stem}.json"}]
    assert summary["run"]["extracted"] == len(corpus.good) + len(corpus.failing)
    assert summary["run"]["workers"] == 2 and summary["run"]["wall_s"] > 0 and summary["run"]["extract_ms"]["max"] > 0

    lines = [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted(line["file"] for line in lines) == sorted(
        str(p) for p in [*corpus.good, *corpus.duplicates, *corpus.failing])
    for line in lines:
        if line["status"] == "ok":
            assert line["result"] == results[line["json"]]
    # not a terminal: plain progress lines, and each failure named as it happens
    assert f"{len(corpus.good) + len(corpus.failing)}/{len(corpus.good) + len(corpus.failing)} documents" in log
    assert "notice.txt: not_a_report" in log


def test_reports_csv_has_one_row_per_report_and_a_column_per_field(corpus, first_run, tmp_path):
    out, _, _ = first_run
    raw = (out / "reports.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    keys = list(load_schema().fields)
    assert header == [*LEAD_COLUMNS, *keys]
    assert len(body) == len(corpus.good)
    results = results_in(out)
    for row in body:
        cells = dict(zip(header, row))
        doc = results[cells["json"]]
        assert cells["sha256"] == doc["source"]["sha256"]
        assert cells["template"] == doc["fields"]["meta.template"]["value"]
        assert float(cells["lowest_confidence"]) == min(f["confidence"] for f in doc["fields"].values())
        assert int(cells["fields_under_review"]) == len(doc["review"])
        for key in keys:
            value = (doc["fields"].get(key) or {}).get("value")
            assert cells[key] == ("" if value is None else str(value)), (cells["json"], key)
    # `gia-extract export` rebuilds the same table, source paths included, from the folder alone
    rebuilt, _ = export(out, "csv", tmp_path / "reports.csv")
    assert rebuilt.read_bytes() == raw


def test_second_run_does_nothing(corpus, first_run):
    out, _, _ = first_run
    before = {p.name: p.stat().st_mtime_ns for p in out.glob("*.json") if p.name != "summary.json"}
    journal_lines = (out / ".batch" / "journal.jsonl").read_text().count("\n")
    code, log = batch_cli(str(corpus.root), "--out", str(out), "--workers", "2")
    assert code == 1  # the failures are still failures
    run = json.loads((out / "summary.json").read_text(encoding="utf-8"))["run"]
    assert run["extracted"] == 0
    assert run["skipped"] == len(corpus.good) + len(corpus.failing)
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("*.json") if p.name != "summary.json"} == before
    assert (out / ".batch" / "journal.jsonl").read_text().count("\n") == journal_lines


def test_force_and_a_new_extractor_version_redo_what_is_done(corpus, first_run):
    out, _, _ = first_run
    paths = collect_inputs([str(corpus.root)])
    with ResultStore(out) as store:
        results, records = store.results(), store.records()
    distinct = len(corpus.good) + len(corpus.failing)
    assert len(make_plan(paths, __version__, results, records).tasks) == 0
    assert len(make_plan(paths, __version__, results, records, force=True).tasks) == distinct
    assert len(make_plan(paths, __version__, results, records, retry_failed=True).tasks) == len(corpus.failing)
    newer = make_plan(paths, __version__ + ".post1", results, records)
    assert len(newer.tasks) == distinct
    # a re-extraction overwrites the same file rather than adding a name
    assert {t.name for t in newer.tasks} >= set(results_in(out))


def test_a_hung_or_crashing_document_fails_alone_and_the_batch_goes_on(tmp_path):
    folder = misbehaving_folder(tmp_path / "in", good=2)
    t0 = time.monotonic()
    outcome = run_batch(BatchConfig([str(folder)], tmp_path / "out", workers=1, timeout=2.0,
                                    extractor="tests.batch_corpus:misbehaving_extract", progress="off"))
    assert time.monotonic() - t0 < 60
    assert outcome.any_failed
    failures = {Path(f["file"]).name: f for f in outcome.summary["failures"]}
    assert {name: f["code"] for name, f in failures.items()} == {"a_hangs.txt": "timeout", "b_crashes.txt": "worker_crashed"}
    assert "killed" in failures["a_hangs.txt"]["reason"] and "139" in failures["b_crashes.txt"]["reason"]
    assert outcome.summary["counts"]["ok"] == 2  # read by the workers that replaced the dead ones
    # a timeout or a crash may be bad luck: the next run tries again
    with ResultStore(tmp_path / "out") as store:
        plan = make_plan(collect_inputs([str(folder)]), __version__, store.results(), store.records())
    assert [t.path.name for t in plan.tasks] == ["a_hangs.txt", "b_crashes.txt"]


def test_workers_share_the_cores_rather_than_each_taking_all(tmp_path):
    # OpenCV sizes its thread pool to every core: N workers each doing so put N × cores threads
    # on the cores. Each worker takes its share instead.
    from models.config import share_of_cores

    folder = tmp_path / "in"
    folder.mkdir()
    for seed in sorted(SEEDS.glob("*.txt"))[:2]:
        (folder / seed.name).write_bytes(seed.read_bytes())
    outcome = run_batch(BatchConfig([str(folder)], tmp_path / "out", workers=2,
                                    extractor="tests.batch_corpus:thread_counting_extract", progress="off"))
    assert not outcome.any_failed
    counts = {w for doc in results_in(tmp_path / "out").values() for w in doc["warnings"] if w.startswith("opencv")}
    assert counts == {f"opencv threads: {share_of_cores(2)}"}


def _start(corpus_root: Path, out: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    # Ctrl-C as a terminal gives it: a test suite run as a background job (`make test &`) inherits
    # SIGINT ignored, as the shell sets it for background commands, and so would the batch.
    return subprocess.Popen(
        [sys.executable, "-m", "service.batch", str(corpus_root), "--out", str(out), "--workers", "1",
         "--extractor", "tests.batch_corpus:slow_extract", "--progress", "off"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def _stop_after(proc: subprocess.Popen, out: Path, results: int, sig: int) -> int:
    deadline = time.monotonic() + 60
    while len(results_in(out) if out.exists() else ()) < results:
        assert proc.poll() is None, proc.stderr.read().decode()
        assert time.monotonic() < deadline, "the batch produced no results"
        time.sleep(0.05)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    if sig == signal.SIGINT and proc.returncode != 130:  # say why
        print(err.decode(errors="replace"), file=sys.stderr)
    return proc.returncode


def test_a_batch_stopped_midway_resumes_to_the_same_results(corpus, first_run, tmp_path):
    reference, _, _ = first_run
    out = tmp_path / "out"
    # Ctrl-C: stops cleanly, says so, writes the summary of what is done
    assert _stop_after(_start(corpus.root, out), out, 2, signal.SIGINT) == 130
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["run"]["interrupted"] is True
    done_after_sigint = summary["counts"]["ok"]
    assert 2 <= done_after_sigint < len(corpus.good)
    # SIGKILL: no chance to clean up at all
    assert _stop_after(_start(corpus.root, out), out, done_after_sigint + 3, signal.SIGKILL) == -signal.SIGKILL
    for path in out.glob("*.json"):
        json.loads(path.read_text(encoding="utf-8"))  # never half a file
    partial = len(results_in(out))
    assert partial < len(corpus.good), "the kill came too late to test anything"

    code, _ = batch_cli(str(corpus.root), "--out", str(out))
    assert code == 1
    run = json.loads((out / "summary.json").read_text(encoding="utf-8"))["run"]
    assert run["skipped"] >= partial and run["extracted"] == len(corpus.good) + len(corpus.failing) - run["skipped"]

    got, want = results_in(out), results_in(reference)
    assert sorted(got) == sorted(want)
    for name in want:
        assert without_timings(got[name]) == without_timings(want[name]), name
    assert (out / "reports.csv").read_bytes() == (reference / "reports.csv").read_bytes()

    def jsonl(folder):
        lines = [json.loads(x) for x in (folder / "results.jsonl").read_text(encoding="utf-8").splitlines()]
        for line in lines:
            if "result" in line:
                line["result"] = without_timings(line["result"])
        return lines

    assert jsonl(out) == jsonl(reference)
    s_got, s_want = (json.loads((d / "summary.json").read_text(encoding="utf-8")) for d in (out, reference))
    for key in ("counts", "failures", "duplicates", "documents", "under_review"):
        assert s_got[key] == s_want[key], key
    assert not list((out / ".batch" / "tmp").iterdir())


def test_manifests_list_documents_and_a_text_report_is_not_a_manifest(tmp_path):
    seeds = sorted(p.resolve() for p in SEEDS.glob("*.txt"))  # inputs are collected as resolved paths
    listing = tmp_path / "list.txt"
    listing.write_text("\n".join(str(p) for p in seeds[:2]) + "\n", encoding="utf-8")
    table = tmp_path / "sub" / "manifest.csv"
    table.parent.mkdir()
    (tmp_path / "sub" / "r.txt").write_bytes(seeds[2].read_bytes())
    table.write_text("agency,path\n某局,r.txt\n", encoding="utf-8")
    assert collect_inputs([str(listing), str(table)]) == sorted([*seeds[:2], (tmp_path / "sub" / "r.txt").resolve()])
    assert collect_inputs([str(seeds[3])]) == [seeds[3].resolve()]
    assert collect_inputs([], manifests=[str(listing)]) == sorted(seeds[:2])


def test_workers_share_one_ocr_server(tmp_path):
    from tests.shared_data import load_scorer
    from tests.synth.form import build_report, synth_answers
    from tests.synth.pdf_report import render_pdf
    from tests.synth.scan import scan_pages, scan_pdf, scan_tiff, style_for

    report = build_report(synth_answers(41), seed=41)
    style = style_for(41, dpi=150, turned=())
    pages = scan_pages(render_pdf(report), 41, style)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "scan.tif").write_bytes(scan_tiff(pages, style.dpi))
    (folder / "scan.pdf").write_bytes(scan_pdf(pages, style.dpi))
    (folder / "text.txt").write_bytes(sorted(SEEDS.glob("*.txt"))[0].read_bytes())
    out = tmp_path / "out"
    code, log = batch_cli(str(folder), "--out", str(out), "--workers", "2", "--ocr-server", "--log-interval", "0")
    assert code == 0, log
    assert "one OCR server process for the workers" in log
    results = results_in(out)
    scorer = load_scorer()
    scanned = [r for r in results.values() if r["source"]["kind"] in ("image", "pdf-scan")]
    assert len(scanned) == 2
    for r in scanned:
        s = scorer.score_doc({"fields": report.answer}, r, 0.9)
        assert s["right"] >= 0.97 * s["fields"] and s["silent"] == 0, s["wrong"]
    assert "--ocr-server works with the local executor only" in batch_cli(
        str(folder), "--out", str(out), "--executor", "ray", "--ocr-server")[1]


def test_each_report_of_a_volume_written_beside_its_first_and_resumed(tmp_path):
    """--each-report: a volume of three departments' reports gives <stem>.json and
    <stem>.report2/3.json, each right; a second run finds the volume done (its first report is
    its result, not a later one); a forced run without the flag leaves the first report only."""
    from tests.synth.form import build_report, synth_answers, wrong_fields
    from tests.synth.text_report import render_text

    texts = [render_text(build_report(synth_answers(seed), seed=seed), "markdown", seed=1)
             for seed in (160010, 160011, 160012)]
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "volume.md").write_text("\n\n".join(t.text for t in texts), encoding="utf-8")
    (archive / "single.txt").write_bytes((SEEDS / "004_1fe2932832f48954.txt").read_bytes())
    out = tmp_path / "out"
    code, log = batch_cli(str(archive), "--out", str(out), "--each-report", "--workers", "1")
    assert code == 0, log
    got = results_in(out)
    assert sorted(got) == ["single.json", "volume.json", "volume.report2.json", "volume.report3.json"]
    for name, t in zip(["volume.json", "volume.report2.json", "volume.report3.json"], texts):
        assert wrong_fields(t.answer, got[name]) == [], name
    with (out / "reports.csv").open(encoding="utf-8") as f:
        assert len(list(csv.DictReader(f))) == 4

    code, _ = batch_cli(str(archive), "--out", str(out), "--each-report", "--workers", "1")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert code == 0 and summary["run"]["extracted"] == 0 and summary["run"]["skipped"] == 2

    code, _ = batch_cli(str(archive), "--out", str(out), "--force", "--workers", "1")
    assert code == 0 and sorted(results_in(out)) == ["single.json", "volume.json"]
    assert any("2 other reports after this one" in w for w in results_in(out)["volume.json"]["warnings"])
