"""gia-extract benchmark: speed and field accuracy per input kind, against the table recoverers a
user would otherwise reach for.

    .venv/bin/python -m bench.run [--reports 3] [--kinds pdf-text,scan-200,html] [--out out/bench]

Builds the corpus (bench.corpus), runs each tool over each kind in a fresh process (so peak memory
is that tool's alone), scores every output with /work/shared/score.py's `score_doc`, and writes
bench.json, bench.md and bench.png (pages/s and accuracy per tool and kind) under --out.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import multiprocessing as mp
import os
import pickle
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.corpus import KINDS, SCAN_DPIS, TEXT_LAYER_KINDS, BenchDoc, build_corpus  # noqa: E402
from bench.memory import peak_rss_mib  # noqa: E402
from bench.scoring import score_rows  # noqa: E402

OURS = "gia-extract"
IMG2TABLE = "img2table"
IMG2TABLE_TOOLS = (IMG2TABLE, "img2table.borderless")  # the second: borderless_tables=True
CAMELOT = "camelot"
RAPID_TABLE = "rapid_table"  # PP-Structure's table recognition: CDLA layout + SLANet-plus (bench/rapid_table_alt.py)
# PyMuPDF, pdfplumber and camelot read cell text from the text layer: on scans they find nothing to
# recover. img2table finds grids in page images and takes its text from the text layer where there
# is one (pdf-text, pdf-unruled) or from our OCR engine (the scans), so it takes both. RapidTable
# matches OCR lines to the cells it predicts from the image: scans only.
ALTERNATIVES_FOR = {**{k: ("pymupdf.find_tables", "pdfplumber", CAMELOT, *IMG2TABLE_TOOLS) for k in TEXT_LAYER_KINDS},
                    **{f"scan-{d}": (*IMG2TABLE_TOOLS, RAPID_TABLE) for d in SCAN_DPIS}}
ALL_TOOLS = (OURS, "pymupdf.find_tables", "pdfplumber", CAMELOT, *IMG2TABLE_TOOLS, RAPID_TABLE)
# img2table's opencv-contrib-python would replace the project's cv2, so it runs from its own venv
# (`make bench-img2table-env`), one subprocess per kind. camelot wants opencv-python-headless, the
# project's own cv2, so it installs into .venv with the bench extra.
IMG2TABLE_PYTHON = ROOT / ".venv-img2table" / "bin" / "python"
NOT_MEASURED = {IMG2TABLE: f"no {IMG2TABLE_PYTHON.parent.parent.name} (make bench-img2table-env): its "
                           "opencv-contrib-python dependency would replace the project's cv2",
                CAMELOT: "not installed in this venv (pip install -e '.[bench]')",
                RAPID_TABLE: "not installed in this venv (pip install -e '.[bench]')",
                "docling": "its layout/table models download from the model hub at first use"}


def _run_group(tool: str, docs: list[BenchDoc]) -> dict:
    """In a fresh process: run `tool` over docs; per-document seconds, stage timings and output."""
    # One untimed pass over the first document: imports, model loading and caches are paid once
    # per process, not charged to whichever document happens to come first.
    _run_one(tool, docs[0])
    rows = [_run_one(tool, d) for d in docs]
    return {"rows": rows, "peak_rss_mib": peak_rss_mib()}


def _run_one(tool: str, d: BenchDoc) -> dict:
    from bench.alternatives import extract_as, extract_with_tables

    t0 = time.perf_counter()
    error = None
    try:
        if tool in IMG2TABLE_TOOLS:  # its recoverer is importable only in .venv-img2table
            from bench.img2table_alt import recoverer

            result = extract_with_tables(recoverer(tool, d.kind), d.data, d.name)
        else:
            result = extract_as(tool, d.data, d.name, d.kind)
        fields = {k: {"value": f.value, "confidence": f.confidence} for k, f in result.fields.items()}
        timings = dict(result.timings_ms)
    except Exception as exc:  # a failing document scores zero; the run goes on
        fields, timings, error = {}, {}, f"{type(exc).__name__}: {exc}"
    return {"name": d.name, "kind": d.kind, "pages": d.pages, "seconds": time.perf_counter() - t0,
            "timings_ms": timings, "fields": fields, "error": error}


def _run_group_img2table(tool: str, docs: list[BenchDoc]) -> dict:
    """_run_group for an img2table tool, in a fresh process of .venv-img2table's interpreter."""
    with tempfile.TemporaryDirectory(prefix="bench-img2table-") as tmp:
        docs_path, rows_path = Path(tmp) / "docs.pkl", Path(tmp) / "rows.json"
        docs_path.write_bytes(pickle.dumps(docs))
        cmd = [str(IMG2TABLE_PYTHON), "-m", "bench.img2table_alt", "--tool", tool,
               "--docs", str(docs_path), "--out", str(rows_path)]
        proc = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"bench.img2table_alt exited {proc.returncode}:\n{proc.stdout[-4000:]}")
        return json.loads(rows_path.read_text(encoding="utf-8"))


def summarise(tool: str, kind: str, group: dict, answers: dict, threshold: float) -> dict:
    rows = group["rows"]
    secs = sum(r["seconds"] for r in rows)
    pages = sum(r["pages"] for r in rows)
    stages: dict[str, float] = defaultdict(float)
    for r in rows:
        for k, v in r["timings_ms"].items():
            stages[k] += v / len(rows)
    return {"tool": tool, "kind": kind, "documents": len(rows), "pages": pages, "seconds": round(secs, 2),
            "docs_per_s": round(len(rows) / secs, 3) if secs else None,
            "pages_per_s": round(pages / secs, 3) if secs else None,
            "stage_ms_per_doc": {k: round(v, 1) for k, v in sorted(stages.items())},
            "peak_rss_mib": round(group["peak_rss_mib"]),
            "errors": [f"{r['name']}: {r['error']}" for r in rows if r["error"]],
            **{k: (round(v, 4) if isinstance(v, float) else v) for k, v in score_rows(rows, answers, threshold).items()}}


def ratios(results: list[dict]) -> list[dict]:
    out = []
    by = {(r["tool"], r["kind"]): r for r in results}
    for (tool, kind), r in by.items():
        ours = by.get((OURS, kind))
        if tool == OURS or ours is None:
            continue
        out.append({"kind": kind, "versus": tool,
                    "time_ratio": round(ours["seconds"] / r["seconds"], 3) if r["seconds"] else None,
                    "accuracy_ratio": round(ours["accuracy"] / r["accuracy"], 3) if r["accuracy"] else None})
    return out


def markdown(report: dict) -> str:
    lines = [f"gia-extract benchmark on {report['machine']}, {report['reports']} reports per kind", "",
             "| kind | tool | docs | pages | docs/s | pages/s | accuracy | precision | coverage | silent | "
             "peak RSS MiB | stage ms per doc |", "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in report["results"]:
        st = ", ".join(f"{k} {v:.0f}" for k, v in r["stage_ms_per_doc"].items())
        lines.append(f"| {r['kind']} | {r['tool']} | {r['documents']} | {r['pages']} | {r['docs_per_s']} | "
                     f"{r['pages_per_s']} | {r['accuracy']:.4f} | {r['precision']:.4f} | {r['coverage']:.4f} | "
                     f"{r['silent']} | {r['peak_rss_mib']} | {st} |")
    if report["ratios"]:
        lines += ["", "Ours against each alternative (time ratio < 1: we are faster; accuracy ratio > 1: we are "
                  "more accurate):", "", "| kind | versus | our time / theirs | our accuracy / theirs |", "|---|---|---|---|"]
        for r in report["ratios"]:
            lines.append(f"| {r['kind']} | {r['versus']} | {r['time_ratio']} | {r['accuracy_ratio']} |")
    return "\n".join(lines) + "\n"


def plot(report: dict, path: Path, title: str | None = None) -> None:
    """report["results"]: rows of tool, kind, pages_per_s and accuracy."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    results = report["results"]
    kinds = [k for k in KINDS if any(r["kind"] == k for r in results)]
    tools = sorted(dict.fromkeys(r["tool"] for r in results), key=lambda t: t != OURS)  # ours, then as run
    ncol = max(1, min(len(tools), 7, 140 // max(len(t) + 6 for t in tools)))
    legend_rows = -(-len(tools) // ncol)
    height = 4.2 + 0.25 * legend_rows  # inches: the plots, then the legend's rows below them
    fig, axes = plt.subplots(1, 2, figsize=(12, height))
    width = 0.8 / max(1, len(tools))
    for i, tool in enumerate(tools):
        xs, speed, acc = [], [], []
        for j, k in enumerate(kinds):
            r = next((r for r in results if r["tool"] == tool and r["kind"] == k), None)
            if r:
                xs.append(j + i * width)
                speed.append(r["pages_per_s"] or 0)
                acc.append(r["accuracy"])
        axes[0].bar(xs, speed, width, label=tool)
        axes[1].bar(xs, acc, width, label=tool)
    for ax, name in zip(axes, ("pages/s", "field accuracy")):
        ax.set_xticks([j + width * (len(tools) - 1) / 2 for j in range(len(kinds))], kinds)
        ax.set_title(name)
    axes[0].set_yscale("log")
    axes[1].set_ylim(0, 1.02)
    # below the plots: inside either one it hides bars
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=ncol, fontsize=8)
    fig.suptitle(title or f"gia-extract vs alternatives ({report['machine']})")
    fig.tight_layout(rect=(0, (0.1 + 0.25 * legend_rows) / height, 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)
    _palette(path)


def _palette(path: Path) -> None:
    """The plot saved again in 64 colours: a bar chart needs no more, and at a third of the bytes
    the committed plots leave room in what a device call may carry (bench/device/kit.sh)."""
    from PIL import Image

    with Image.open(path) as img:
        small = img.convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="bench.run", description=__doc__.split("\n\n")[0])
    ap.add_argument("--reports", type=int, default=3, help="synthetic reports per kind")
    ap.add_argument("--kinds", default=",".join(KINDS))
    ap.add_argument("--tools", default=",".join(ALL_TOOLS))
    ap.add_argument("--threshold", type=float, default=0.9)
    ap.add_argument("--out", type=Path, default=Path("out/bench"))
    a = ap.parse_args(argv)
    kinds = tuple(k for k in a.kinds.split(",") if k)
    tools = [t for t in a.tools.split(",") if t]
    docs = build_corpus(a.reports, kinds)
    answers = {d.name: d.answer for d in docs}
    machine = f"{os.cpu_count()} CPU {os.uname().machine}"
    results = []
    not_measured = dict(NOT_MEASURED)
    ctx = mp.get_context("spawn")
    for kind in kinds:
        group_docs = [d for d in docs if d.kind == kind]
        for tool in tools:
            if tool != OURS and tool not in ALTERNATIVES_FOR.get(kind, ()):
                continue
            if tool in IMG2TABLE_TOOLS:
                if not IMG2TABLE_PYTHON.exists():
                    print(f"{kind:9s} {tool:20s} skipped: {NOT_MEASURED[IMG2TABLE]}", flush=True)
                    continue
                group = _run_group_img2table(tool, group_docs)
                not_measured.pop(IMG2TABLE, None)
            elif tool in (CAMELOT, RAPID_TABLE) and importlib.util.find_spec(tool) is None:
                print(f"{kind:9s} {tool:20s} skipped: {NOT_MEASURED[tool]}", flush=True)
                continue
            else:
                not_measured.pop(tool, None)
                with ctx.Pool(1) as pool:
                    group = pool.apply(_run_group, (tool, group_docs))
            row = summarise(tool, kind, group, answers, a.threshold)
            results.append(row)
            print(f"{kind:9s} {tool:20s} {row['pages_per_s']} pages/s  accuracy {row['accuracy']:.4f}  "
                  f"peak {row['peak_rss_mib']} MiB{'  errors: ' + str(len(row['errors'])) if row['errors'] else ''}",
                  flush=True)
    report = {"machine": machine, "reports": a.reports, "threshold": a.threshold, "results": results,
              "ratios": ratios(results), "not_measured": not_measured}
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "bench.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    (a.out / "bench.md").write_text(markdown(report), encoding="utf-8")
    plot(report, a.out / "bench.png")
    print(markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
