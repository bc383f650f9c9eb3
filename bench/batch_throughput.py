"""Batch throughput: documents per minute through the real pipeline, local processes (1 and 2
workers) against Ray, on this machine.

    .venv/bin/python bench/batch_throughput.py [--documents 120] [--no-ray] [--keep DIR]

Builds the documents (seed reports with a distinguishing line, and synthetic HTML/DOCX/PDF
reports), then runs each configuration into a fresh output folder. Two rates per run: over the
whole wall time (what a user waits for, worker and Ray start included) and steady state (from
the first result to the last).
"""
from __future__ import annotations

import argparse
import collections
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from service.batch_run import BatchConfig, run_batch  # noqa: E402
from tests.batch_corpus import build_many  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--documents", type=int, default=120)
    ap.add_argument("--no-ray", action="store_true")
    ap.add_argument("--keep", type=Path, default=None, help="build the documents and outputs here and keep them")
    args = ap.parse_args(argv)

    work = args.keep or Path(tempfile.mkdtemp(prefix="gia-batch-bench-"))
    existing = sorted((work / "documents").glob("*")) if args.keep else []
    docs = existing if len(existing) == args.documents else build_many(work / "documents", args.documents)
    kinds = collections.Counter(p.suffix.lstrip(".") for p in docs)
    print(f"{len(docs)} documents ({', '.join(f'{n} {k}' for k, n in sorted(kinds.items()))}) on "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    runs = [("local", 1), ("local", 2)] + ([] if args.no_ray else [("ray", 2)])
    print(f"{'executor':<9}{'workers':>8}{'docs':>6}{'failed':>7}{'wall s':>9}{'start s':>9}"
          f"{'docs/min':>10}{'steady docs/min':>17}")
    for executor, workers in runs:
        out = work / f"out-{executor}-{workers}"
        shutil.rmtree(out, ignore_errors=True)
        run = run_batch(BatchConfig([str(work / "documents")], out, workers=workers, executor=executor,
                                    progress="off")).summary["run"]
        first = run["first_result_s"] or 0.0
        steady = (run["extracted"] - 1) / (run["wall_s"] - first) * 60 if run["wall_s"] > first else float("nan")
        print(f"{executor:<9}{workers:>8}{run['extracted']:>6}{run['failed']:>7}{run['wall_s']:>9.1f}{first:>9.1f}"
              f"{run['docs_per_minute']:>10.1f}{steady:>17.1f}", flush=True)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
