"""The real `gia-extract` console entry point: the five seeds into a temp dir, scored by the shared
scorer; unreadable files reported without stopping the others; usage errors."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.shared_data import GOLDEN, SEEDS, load_scorer

pytestmark = pytest.mark.skipif(not SEEDS.exists(), reason=f"shared seeds not found at {SEEDS}")


def gia_extract(*args: str) -> subprocess.CompletedProcess:
    script = Path(sys.executable).with_name("gia-extract")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "service.cli"]
    return subprocess.run([*cmd, *args], capture_output=True, text=True, timeout=300)


def test_seeds_through_the_console_script_score_perfectly(tmp_path):
    out = tmp_path / "out"
    seeds = sorted(SEEDS.glob("*.txt"))
    r = gia_extract("extract", *map(str, seeds), "--out", str(out))
    assert r.returncode == 0, r.stderr
    scorer = load_scorer()
    right = fields = silent = 0
    for seed in seeds:
        text = (out / f"{seed.stem}.json").read_text(encoding="utf-8")
        assert "\\u" not in text  # Chinese written as itself (ensure_ascii=False)
        s = scorer.score_doc(json.loads((GOLDEN / f"{seed.stem}.json").read_text()), json.loads(text), 0.9)
        right, fields, silent = right + s["right"], fields + s["fields"], silent + s["silent"]
    assert fields > 1000 and right / fields == 1.0 and silent == 0


def test_unreadable_file_reported_and_others_written(tmp_path):
    good = SEEDS / "002_c762bceb15c3a5cd.txt"
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    archive = tmp_path / "bundle.zip"
    shutil.make_archive(str(tmp_path / "bundle"), "zip", root_dir=SEEDS)
    missing = tmp_path / "missing.txt"
    r = gia_extract("extract", str(empty), str(good), str(archive), str(missing), "--out", str(tmp_path / "o"))
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert f"gia-extract: {empty}: the file is empty" in lines
    assert any(l.startswith(f"gia-extract: {archive}: ") and "ZIP" in l for l in lines)
    assert any(l.startswith(f"gia-extract: {missing}: ") for l in lines)
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == [f"{good.stem}.json"]


def test_a_file_that_meets_a_bug_is_reported_and_the_others_written(tmp_path, monkeypatch, capsys):
    """An error of our own on one file (not a bad input) is said, with the file, and the batch
    goes on: the next file's result is written and the exit status says one failed."""
    import extraction.pipeline
    from service.cli import main

    real = extraction.pipeline.extract
    good, bad = SEEDS / "002_c762bceb15c3a5cd.txt", SEEDS / "000_8ae95185705eeab5.txt"

    def extract(data, filename, options=None):
        if filename == bad.name:
            raise IndexError("boolean index did not match")
        return real(data, filename, options)

    monkeypatch.setattr(extraction.pipeline, "extract", extract)
    assert main(["extract", str(bad), str(good), "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert f"gia-extract: {bad}: internal error (IndexError: boolean index did not match)" in err
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == [f"{good.stem}.json"]


def test_same_stem_twice_writes_two_files(tmp_path):
    a, b = tmp_path / "a" / "r.txt", tmp_path / "b" / "r.txt"
    for p, seed in ((a, "000_8ae95185705eeab5"), (b, "004_1fe2932832f48954")):
        p.parent.mkdir()
        p.write_bytes((SEEDS / f"{seed}.txt").read_bytes())
    r = gia_extract("extract", str(a), str(b), "--out", str(tmp_path / "o"))
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["r.json", "r.txt.json"]


@pytest.mark.parametrize("args", [[], ["extract"], ["extract", "x.txt"], ["frobnicate"], ["serve", "--port", "x"]])
def test_usage_errors_exit_2(args):
    from service.cli import main

    assert main(args) == 2


def test_delegated_subcommands_are_registered():
    from service.cli import build_parser

    help_text = build_parser().format_help()
    for command in ("extract", "serve", "batch", "export", "keys"):
        assert command in help_text


def test_our_processes_do_not_load_pymupdfs_layout_model():
    # PyMuPDF 2.0 loads an ONNX layout model on import (+0.35 s, +56 MB a process) that we never use
    probe = ("import sys, service, pymupdf; "
             "print(sys.modules.get('pymupdf.layout') is None, pymupdf._get_layout is None, pymupdf.open().page_count)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120,
                         cwd=Path(__file__).resolve().parents[1])
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "True", "0"]


def test_each_report_of_a_volume_is_written_with_each_report(tmp_path):
    """A volume of three departments' reports (text pasted one after the other): by default the
    first, naming the two others; with --each-report one file a report, each right, each saying
    where it starts."""
    from tests.synth.form import build_report, synth_answers, wrong_fields
    from tests.synth.text_report import render_text

    reports = [build_report(synth_answers(seed), seed=seed) for seed in (160010, 160011, 160012)]
    volume = tmp_path / "volume.md"
    volume.write_text("\n\n".join(render_text(r, "markdown", seed=1).text for r in reports), encoding="utf-8")
    answers = [render_text(r, "markdown", seed=1).answer for r in reports]
    r = gia_extract("extract", str(volume), "--out", str(tmp_path / "first"))
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in (tmp_path / "first").iterdir()) == ["volume.json"]
    first = json.loads((tmp_path / "first" / "volume.json").read_text(encoding="utf-8"))
    assert any("2 other reports after this one" in w for w in first["warnings"])
    r = gia_extract("extract", str(volume), "--out", str(tmp_path / "each"), "--each-report")
    assert r.returncode == 0, r.stderr
    names = ["volume.json", "volume.report2.json", "volume.report3.json"]
    assert sorted(p.name for p in (tmp_path / "each").iterdir()) == names
    for n, (name, answer) in enumerate(zip(names, answers), 1):
        output = json.loads((tmp_path / "each" / name).read_text(encoding="utf-8"))
        assert wrong_fields(answer, output) == [] and output["review"] == [], name
        assert any(w.startswith(f"report {n} of 3 in the file") for w in output["warnings"])
    assert first["fields"] == json.loads((tmp_path / "each" / "volume.json").read_text(encoding="utf-8"))["fields"]
