"""The whole pipeline on scans with the OCR on a GPU: image-only PDF bytes in, scored fields out.

    GIA_OCR_ENGINE=torch python -m bench.gpu_pipeline --reports 8 --threads 1,16,32 --processes 1,4

Builds the scan part of the benchmark corpus (bench.corpus: synthetic reports scanned at 150/200/300
dpi as image-only PDFs), then for each (processes, threads) setting runs `extraction.pipeline.
extract` over every document: P worker processes, each with one OCR engine (the torch engine pools
the requests of its T page threads into device batches, models.pooled_ocr), T documents at a time
per process. Wall time runs from the moment every worker has loaded its models and read one
untimed document to the last result. Prints and writes (gpu_pipeline.json / .md) pages/s, documents
/s, score.py accuracy, precision, coverage and silent errors per scan resolution, and the OCR pool's
batching figures.

The same command runs on the CPU engine (GIA_OCR_ENGINE unset) for comparison. `--tool rapid_table`
runs the alternative instead (bench.rapid_table_alt: our reader's prose, RapidTable's tables, our
mapping, as bench.run compares them), its OCR lines from the same engine and server. `--compare
A.json B.json ...` prints ours against each alternative from such runs' results.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import resource
import sys
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.corpus import BenchDoc, build_corpus  # noqa: E402
from bench.memory import peak_rss_mib  # noqa: E402
from bench.run import OURS, RAPID_TABLE  # noqa: E402
from bench.scoring import score_rows  # noqa: E402
from models.config import ModelConfig, share_of_cores  # noqa: E402
from models.ocr_server import server_stats, summed  # noqa: E402

# RapidTable's models (layout, SLANet-plus) run on onnxruntime, which a GPU machine without
# onnxruntime-gpu runs on its CPU cores; the OCR it matches to their cells is the same engine as
# ours. img2table needs its own venv (bench.run) and polars, which the device kit cannot carry.
GPU_TOOLS = (OURS, RAPID_TABLE)


def _worker(docs: list[BenchDoc], threads: int, ready, go, out_q, server, native_threads: int,
            tool: str = OURS) -> None:
    from models.config import limit_native_threads

    limit_native_threads(native_threads)
    from bench.alternatives import extract_as
    from extraction.pipeline import warm_up
    from extraction.scan.page_reader import collecting_pages
    from models.ocr import ocr_engine

    warm_up()
    if server is not None:
        from models.ocr_server import connect

        connect(server)
    engine = ocr_engine()

    def read(d: BenchDoc):
        return extract_as(tool, d.data, d.name, d.kind)

    read(docs[0])  # untimed: kernels chosen, caches filled, the alternative's models loaded
    ready.wait()
    go.wait()
    cpu0 = _cpu_seconds()

    def one(d: BenchDoc) -> dict:
        t0 = time.perf_counter()
        try:
            with collecting_pages() as scanned:
                res = read(d)
            fields = {k: {"value": f.value, "confidence": f.confidence} for k, f in res.fields.items()}
            stage_cpu: dict[str, float] = defaultdict(float)
            for page in scanned:
                for stage, ms in page.thread_cpu_ms.items():
                    stage_cpu[stage] += ms
            return {"name": d.name, "kind": d.kind, "pages": d.pages, "seconds": time.perf_counter() - t0,
                    "timings_ms": dict(res.timings_ms), "stage_cpu_ms": dict(stage_cpu), "fields": fields,
                    "error": None}
        except Exception as exc:  # a failing document scores zero; the run goes on
            return {"name": d.name, "kind": d.kind, "pages": d.pages, "seconds": time.perf_counter() - t0,
                    "timings_ms": {}, "stage_cpu_ms": {}, "fields": {}, "error": f"{type(exc).__name__}: {exc}"}

    with ThreadPoolExecutor(threads) as pool:
        rows = list(pool.map(one, docs))
    done = time.perf_counter()
    cpu_s = _cpu_seconds() - cpu0
    stats_now, times = None, None
    if server is None:  # the OCR server's figures are asked for by the parent
        stats_now = getattr(engine, "stats_now", None)
        times = getattr(getattr(engine, "inner", engine), "times", None)
    out_q.put({"rows": rows, "done": done, "cpu_s": cpu_s,
               "pool": stats_now() if stats_now is not None else None,
               "gpu_times_ms": times.as_ms() if times is not None else None,
               "peak_rss_mib": peak_rss_mib(),
               "engine": getattr(engine, "name", "?")})


def _cpu_seconds() -> float:
    """CPU time of this process, all its threads, user and system."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def run_setting(docs: list[BenchDoc], processes: int, threads: int, ocr_server: bool, tool: str = OURS) -> dict:
    ctx = mp.get_context("spawn")
    shards = [s for s in (docs[i::processes] for i in range(processes)) if s]
    server = None
    if ocr_server:
        from models.ocr_server import start_server

        t0 = time.perf_counter()
        server = start_server(ctx)
        print(f"OCR server ready in {time.perf_counter() - t0:.1f} s", flush=True)
    ready = ctx.Barrier(len(shards) + 1)
    go = ctx.Barrier(len(shards) + 1)
    out_q = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(s, threads, ready, go, out_q, server, share_of_cores(len(shards)), tool))
             for s in shards]
    for p in procs:
        p.start()
    ready.wait(timeout=900)
    # the server's figures over the timed run only: the workers' first documents are done by now
    before = server_stats(server) if server is not None else None
    t0 = time.perf_counter()
    go.wait()
    parts = [out_q.get(timeout=1800) for _ in procs]
    wall = max(p["done"] for p in parts) - t0
    served = _difference(server_stats(server), before) if server is not None else None
    for p in procs:
        p.join()
    if server is not None:
        server.stop()
    rows = [r for p in parts for r in p["rows"]]
    config = ModelConfig.from_env()
    pool: dict = {}
    gpu_times = [p["gpu_times_ms"] for p in parts if p["gpu_times_ms"]]
    if served is not None:
        pool = served["pool"]
        gpu_times = [served["gpu_times_ms"]] if served["gpu_times_ms"] else []
    for p in parts:
        pool = summed(pool, p["pool"] or {})
    return {"tool": tool, "processes": processes, "threads": threads, "ocr_server": ocr_server,
            "wall_s": round(wall, 3),
            "rows": rows, "pool": dict(pool), "gpu_times_ms": gpu_times,
            "server_cpu_s": round(served["cpu_s"], 3) if served is not None else None,
            "worker_cpu_s": round(sum(p["cpu_s"] for p in parts), 3),
            "peak_rss_mib": round(sum(p["peak_rss_mib"] for p in parts)), "engine": parts[0]["engine"],
            "rec_widths": config.rec_widths, "cuda_graphs": config.cuda_graphs,
            "detect_scale": config.detect_scale, "device_threads": config.device_threads,
            "server_processes": config.server_processes if ocr_server else None}


# figures that are levels, not counters: taken as they stand at the end (the graphs captured at
# warm-up count too)
LEVELS = frozenset({"captured"})


def _difference(after, before):
    """after - before, for the numbers of nested dicts (figures that only grow), but LEVELS."""
    if isinstance(after, dict):
        return {k: v if k in LEVELS else _difference(v, (before or {}).get(k)) for k, v in after.items()}
    if isinstance(after, (int, float)) and isinstance(before, (int, float)):
        return after - before
    return after


def summarise(setting: dict, answers: dict, threshold: float) -> dict:
    rows = setting["rows"]
    pages = sum(r["pages"] for r in rows)
    by_kind = {}
    for kind in sorted({r["kind"] for r in rows}):
        mine = [r for r in rows if r["kind"] == kind]
        by_kind[kind] = score_rows(mine, answers, threshold)
    stages: dict[str, float] = defaultdict(float)
    for r in rows:
        for k, v in r["timings_ms"].items():
            stages[k] += v / max(1, r["pages"]) / len(rows)
    stage_cpu: dict[str, float] = defaultdict(float)
    for r in rows:
        for k, v in r.get("stage_cpu_ms", {}).items():
            stage_cpu[k] += v / max(1, pages)
    pool = setting["pool"]
    server_cpu = setting.get("server_cpu_s")
    # The workers' CPU time per page: with the OCR server it is everything but the models (render,
    # straightening, rulings, line crops, grid, mapping). It bounds what the machine's cores can
    # feed the GPU, whatever the GPU's speed: cores / (CPU seconds per page).
    cpu_ms = 1000 * setting["worker_cpu_s"] / max(1, pages)
    graphs = [t.get("graphs") for t in setting["gpu_times_ms"] if t.get("graphs")]
    return {"tool": setting["tool"], "engine": setting["engine"], "processes": setting["processes"],
            "threads": setting["threads"],
            "ocr_server": setting["ocr_server"], "rec_widths": setting["rec_widths"],
            "detect_scale": setting["detect_scale"], "device_threads": setting["device_threads"], "server_processes": setting["server_processes"],
            "cuda_graphs": setting["cuda_graphs"], "graphs": graphs[0] if len(graphs) == 1 else graphs,
            "documents": len(rows), "pages": pages, "wall_s": setting["wall_s"],
            "pages_per_s": round(pages / setting["wall_s"], 2), "docs_per_s": round(len(rows) / setting["wall_s"], 2),
            "all": score_rows(rows, answers, threshold), "by_kind": by_kind,
            "stage_ms_per_page": {k: round(v, 1) for k, v in sorted(stages.items())},
            "worker_cpu_ms_per_page": round(cpu_ms, 1),
            "cpu_bound_pages_per_s": round((os.cpu_count() or 1) * 1000 / cpu_ms, 1) if cpu_ms else None,
            # the page threads' own CPU per stage (the reading thread's time: what a page costs
            # its worker, without other threads' work counted in)
            "worker_stage_cpu_ms_per_page": {k: round(v, 1) for k, v in sorted(stage_cpu.items())},
            "server_cpu_ms_per_page": round(1000 * server_cpu / max(1, pages), 1) if server_cpu is not None else None,
            # share of the run each device thread spent running batches; near 1, it is the limit
            "device_thread_busy": _busy(pool, setting["wall_s"]),
            "pool": pool,
            "crops_per_recognition_call": (round(pool["recognized_crops"] / max(1, pool["device_calls"]), 1)
                                           if pool else None),
            "gpu_times_ms": setting["gpu_times_ms"], "peak_rss_mib": setting["peak_rss_mib"],
            "errors": [f"{r['name']}: {r['error']}" for r in rows if r["error"]]}


def _busy(pool: dict, wall_s: float) -> dict[str, float] | None:
    """Share of the run each device thread ("all", or "detect" and "recognize") was busy."""
    per_thread = (pool or {}).get("thread_busy_s")
    if not per_thread or not wall_s:
        return None
    return {name: round(s / wall_s, 3) for name, s in per_thread.items()}


def _busy_text(busy) -> str:
    if isinstance(busy, dict):  # a single "all" thread prints as a number, as runs before the split did
        return str(busy["all"]) if set(busy) == {"all"} else ", ".join(f"{k} {v}" for k, v in busy.items())
    return _or_dash(busy)


def markdown(report: dict) -> str:
    out = [f"Whole pipeline on scans ({report['machine']}; {report['documents']} documents, {report['pages']} pages, "
           f"{', '.join(report['kinds'])})", "",
           "| tool | engine | processes × threads | pages/s | docs/s | accuracy | precision | coverage | silent | "
           "peak RSS MiB | worker CPU ms/page | CPU-bound pages/s | server CPU ms/page | device thread busy |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in report["results"]:
        a = r["all"]
        engine = (f"{r['engine']}, widths {r.get('rec_widths', 'default')}, graphs {_on(r.get('cuda_graphs'))}, "
                  f"{_detection(r)}, {_threading(r)}")
        out.append(f"| {r.get('tool', OURS)} | {engine} | {r['processes']} × {r['threads']} | {r['pages_per_s']} | {r['docs_per_s']} | "
                   f"{a['accuracy']:.4f} | {a['precision']:.4f} | {a['coverage']:.4f} | {a['silent']} | "
                   f"{r['peak_rss_mib']} | {r['worker_cpu_ms_per_page']} | {r['cpu_bound_pages_per_s']} | "
                   f"{_or_dash(r.get('server_cpu_ms_per_page'))} | {_busy_text(r.get('device_thread_busy'))} |")
    out += ["", "Worker CPU ms a page by stage (the page threads' own time): "
            + "; ".join(f"{r['processes']} × {r['threads']}: "
                        + ", ".join(f"{k} {v}" for k, v in r.get("worker_stage_cpu_ms_per_page", {}).items())
                        for r in report["results"])]
    return "\n".join(out) + "\n"


def comparison(reports: list[dict]) -> str:
    """Ours against each alternative, from gpu_pipeline.json files of runs on one machine over the
    same kinds: a row per tool and kind, with the ratios bench.run gives on the CPU (our time /
    theirs: their pages/s over ours; our accuracy / theirs). A run times all its kinds together, so
    pages/s is the run's, on each of its rows. Where ours ran in several settings, the fastest is
    the one compared."""
    # a gpu_pipeline.json, or a file of several runs ({"machine", "runs": [{"name", "result"}]})
    rows = [res for r in reports for res in (r["results"] if "results" in r else [run["result"] for run in r["runs"]])]
    machines = {r["machine"] for r in reports}
    kinds = {tuple(sorted(res["by_kind"])) for res in rows}
    if len(machines) != 1 or len(kinds) != 1:
        raise ValueError(f"runs of different machines or kinds cannot be compared: {sorted(machines)}, {sorted(kinds)}")
    ours = [res for res in rows if res.get("tool", OURS) == OURS]
    if not ours:
        raise ValueError("no run of ours among them")
    best = max(ours, key=lambda res: res["pages_per_s"])
    out = [f"Ours against each alternative on {machines.pop()} (time ratio < 1: we are faster; accuracy ratio "
           "> 1: we are more accurate)", "",
           "| tool | processes × threads | pages/s | our time / theirs | kind | accuracy | precision | coverage | "
           "silent | our accuracy / theirs |", "|---|---|---|---|---|---|---|---|---|---|"]
    for res in [best] + [res for res in rows if res.get("tool", OURS) != OURS]:
        mine = res is best
        for kind, score in res["by_kind"].items():
            time_ratio = "" if mine else _ratio(res["pages_per_s"], best["pages_per_s"])
            acc_ratio = "" if mine else _ratio(best["by_kind"][kind]["accuracy"], score["accuracy"])
            out.append(f"| {res.get('tool', OURS)} | {res['processes']} × {res['threads']} | {res['pages_per_s']} | "
                       f"{time_ratio} | {kind} | {score['accuracy']:.4f} | {score['precision']:.4f} | "
                       f"{score['coverage']:.4f} | {score['silent']} | {acc_ratio} |")
    return "\n".join(out) + "\n"


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.3f}" if b else "–"


def plot_report(report: dict, path: Path) -> None:
    """bench.run's plot (pages/s and accuracy per kind) with one bar per setting: a gpu_pipeline.json,
    or a file of several runs ({"machine", "runs": [{"name", "result"}]}, bench/results)."""
    from .run import plot

    runs = report.get("runs") or [{"name": None, "result": r} for r in report["results"]]
    rows = []
    for run in runs:
        r = run["result"]
        label = (f"{run['name'] + ': ' if run['name'] else ''}{_tool_prefix(r)}{r['processes']}×{r['threads']}, "
                 f"graphs {_on(r.get('cuda_graphs'))}, widths {r.get('rec_widths', 'default')}, {_detection(r)}, "
                 f"{_threading(r)}")
        rows += [{"tool": label, "kind": kind, "pages_per_s": r["pages_per_s"], "accuracy": score["accuracy"]}
                 for kind, score in r["by_kind"].items()]
    plot({"machine": report["machine"], "results": rows}, path,
         title=f"gia-extract on scans, OCR on the GPU ({report['machine']}); pages/s over all kinds together")


def _tool_prefix(r: dict) -> str:
    """"rapid_table, " for an alternative's run; nothing for ours (runs before --tool were ours)."""
    tool = r.get("tool", OURS)
    return "" if tool == OURS else f"{tool}, "


def _threading(r: dict) -> str:
    """How the OCR's device work was split: "device threads 1", "device threads 2", or "server
    processes 2" (detection and recognition in a process each). Runs before the split: 1 thread."""
    if (r.get("server_processes") or 1) > 1:
        return f"server processes {r['server_processes']}"
    return f"device threads {r.get('device_threads', 1)}"


def _detection(r: dict) -> str:
    """The detector's resolution: runs before the detect scale read pages at the full 150 dpi."""
    return f"detect ×{r.get('detect_scale', 1.0):g}"


def _on(flag) -> str:
    return "–" if flag is None else ("on" if flag else "off")


def _or_dash(value) -> str:
    return "–" if value is None else str(value)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="bench.gpu_pipeline", description=__doc__.split("\n\n")[0])
    ap.add_argument("--reports", type=int, default=8)
    ap.add_argument("--kinds", default="scan-150,scan-200,scan-300")
    ap.add_argument("--repeat", type=int, default=1, help="pass the corpus this many times (more pages in flight)")
    ap.add_argument("--threads", default="1,16")
    ap.add_argument("--processes", default="1")
    ap.add_argument("--ocr-server", action="store_true",
                    help="one process owns the GPU and serves every worker's OCR (models.ocr_server)")
    ap.add_argument("--tool", choices=GPU_TOOLS, default=OURS,
                    help="whose tables: ours, or an alternative's (our reader's prose, their tables, our "
                         "mapping, as bench.run does) with the same OCR engine")
    ap.add_argument("--threshold", type=float, default=0.9)
    ap.add_argument("--out", type=Path, default=Path("out/gpu_pipeline"))
    ap.add_argument("--compare", type=Path, nargs="+", metavar="RESULTS_JSON",
                    help="print ours against each alternative from earlier runs' gpu_pipeline.json and exit")
    ap.add_argument("--plot", type=Path, nargs=2, metavar=("RESULTS_JSON", "PNG"),
                    help="draw the plot of an earlier run's results and exit")
    a = ap.parse_args(argv)
    if a.compare:
        try:
            print(comparison([json.loads(f.read_text(encoding="utf-8")) for f in a.compare]), end="")
        except (OSError, ValueError, KeyError) as exc:
            ap.error(f"--compare: {exc}")
        return 0
    if a.plot:
        plot_report(json.loads(a.plot[0].read_text(encoding="utf-8")), a.plot[1])
        return 0
    kinds = tuple(k for k in a.kinds.split(",") if k)
    t0 = time.perf_counter()
    base = build_corpus(a.reports, kinds)
    docs = [d for _ in range(a.repeat) for d in base]
    print(f"corpus: {len(docs)} documents, {sum(d.pages for d in docs)} pages, built in "
          f"{time.perf_counter() - t0:.1f} s", flush=True)
    answers = {d.name: d.answer for d in base}
    results = []
    for procs in (int(x) for x in a.processes.split(",")):
        for threads in (int(x) for x in a.threads.split(",")):
            row = summarise(run_setting(docs, procs, threads, a.ocr_server, a.tool), answers, a.threshold)
            results.append(row)
            print(json.dumps({k: row[k] for k in ("tool", "engine", "processes", "threads", "pages_per_s", "docs_per_s",
                                                  "all", "crops_per_recognition_call", "stage_ms_per_page",
                                                  "worker_cpu_ms_per_page", "cpu_bound_pages_per_s",
                                                  "worker_stage_cpu_ms_per_page", "server_cpu_ms_per_page",
                                                  "device_thread_busy", "rec_widths", "cuda_graphs", "detect_scale", "device_threads",
                                                  "server_processes",
                                                  "graphs", "errors")}, ensure_ascii=False), flush=True)
    gpu = None
    try:
        import torch

        gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    except ImportError:
        pass
    report = {"machine": f"{gpu or 'no GPU'}, {os.cpu_count()} CPU {platform.machine()}",
              "documents": len(docs), "pages": sum(d.pages for d in docs), "kinds": list(kinds),
              "results": results}
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "gpu_pipeline.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    (a.out / "gpu_pipeline.md").write_text(markdown(report), encoding="utf-8")
    try:
        plot_report(report, a.out / "gpu_pipeline.png")
    except ImportError as exc:  # matplotlib is the bench extra's; a GPU machine may lack it
        print(f"no plot: {exc}")
    print(markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
