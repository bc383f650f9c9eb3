"""`gia-extract batch INPUT... --out DIR`: re-process a whole archive of reports.

Writes DIR/<stem>.json per report (with --each-report, a volume's later reports as
DIR/<stem>.report<N>.json), DIR/results.jsonl, DIR/reports.csv and DIR/summary.json.
Re-running continues where the last run stopped; see batch_run for how.

Exit status: 0 when every document of the batch was extracted (or skipped as a duplicate),
1 when any failed, 2 for a usage error, 130 when interrupted.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .batch_extract import DEFAULT_EXTRACTOR, EACH_REPORT_EXTRACTOR
from .batch_inputs import InputError
from .batch_run import BatchConfig, run_batch
from .batch_store import BatchLocked

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def add_batch_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("inputs", metavar="INPUT", nargs="*",
                        help="report files, folders (read recursively) or manifests (a text/CSV list of paths)")
    parser.add_argument("--out", "-o", required=True, type=Path, metavar="DIR", help="output folder")
    parser.add_argument("--manifest", action="append", default=[], metavar="FILE",
                        help="a list of paths, one per line or in a CSV 'path' column (repeatable)")
    parser.add_argument("--workers", "-j", type=int, default=None, metavar="N",
                        help="worker processes (local: default 1; ray: default all the cluster's CPUs)")
    parser.add_argument("--timeout", type=float, default=300.0, metavar="SECONDS",
                        help="give up on a document after this long, killing its worker (default 300)")
    parser.add_argument("--each-report", action="store_true",
                        help="a file holding several reports (a volume): every report, DIR/<stem>.json for the "
                             "first and DIR/<stem>.report<N>.json for the others (without: the first, naming the "
                             "others in its warnings)")
    parser.add_argument("--force", action="store_true", help="extract again documents that already have a result")
    parser.add_argument("--retry-failed", action="store_true",
                        help="try again documents that failed for a lasting reason (corrupt, encrypted...)")
    parser.add_argument("--executor", choices=("local", "ray"), default="local",
                        help="local processes, or Ray actors (pip install 'gia-extract[ray]')")
    parser.add_argument("--ray-address", default=None, metavar="ADDR",
                        help="an existing Ray cluster (e.g. ray://head:10001 or auto); default: start a local one. "
                             "Its nodes need gia-extract installed")
    parser.add_argument("--ocr-server", action="store_true",
                        help="local executor: one process runs the OCR of every worker, their page requests "
                             "pooled into shared batches (for GIA_OCR_ENGINE=torch on a GPU: run many workers, "
                             "e.g. -j 15, and one process owns the GPU)")
    parser.add_argument("--progress", choices=("auto", "bar", "log", "off"), default="auto",
                        help="a progress bar on a terminal, log lines otherwise (default auto)")
    parser.add_argument("--log-interval", type=float, default=10.0, metavar="SECONDS",
                        help="seconds between progress log lines when not on a terminal")
    # a stand-in for the pipeline, for tests and benchmarks of the batch machinery itself
    parser.add_argument("--extractor", default=DEFAULT_EXTRACTOR, help=argparse.SUPPRESS)


def main_batch(args: argparse.Namespace) -> int:
    if not args.inputs and not args.manifest:
        print("gia-extract batch: give at least one INPUT or --manifest", file=sys.stderr)
        return EXIT_USAGE
    if args.workers is not None and args.workers < 1:
        print("gia-extract batch: --workers must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    if args.ray_address and args.executor != "ray":
        print("gia-extract batch: --ray-address needs --executor ray", file=sys.stderr)
        return EXIT_USAGE
    if args.ocr_server and args.executor != "local":
        print("gia-extract batch: --ocr-server works with the local executor only", file=sys.stderr)
        return EXIT_USAGE
    cfg = BatchConfig(
        inputs=list(args.inputs), out=args.out, manifests=list(args.manifest), workers=args.workers,
        timeout=args.timeout, force=args.force, retry_failed=args.retry_failed, executor=args.executor,
        ray_address=args.ray_address, progress=args.progress,
        extractor=EACH_REPORT_EXTRACTOR if args.each_report and args.extractor == DEFAULT_EXTRACTOR else args.extractor,
        log_interval=args.log_interval, ocr_server=args.ocr_server,
    )
    try:
        outcome = run_batch(cfg)
    except (InputError, BatchLocked) as e:
        print(f"gia-extract batch: {e}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("gia-extract batch: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except RuntimeError as e:  # workers that cannot start, Ray missing
        print(f"gia-extract batch: {e}", file=sys.stderr)
        return EXIT_USAGE
    s = outcome.summary
    run = s["run"]
    print(f"{s['counts'].get('ok', 0)} extracted, {s['counts'].get('failed', 0)} failed, "
          f"{s['counts'].get('duplicate', 0)} duplicates ({run['extracted']} read in this run, {run['skipped']} "
          f"already done) -> {args.out}", file=sys.stderr)
    for f in s["failures"][:20]:
        print(f"  failed: {f['file']}: {f['code']}: {f['reason']}", file=sys.stderr)
    if outcome.interrupted:
        print("gia-extract batch: interrupted; run the same command again to continue", file=sys.stderr)
        return EXIT_INTERRUPTED
    return EXIT_FAILED if outcome.any_failed else EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """`python -m service.batch ...`, until the gia-extract CLI registers the subcommand."""
    parser = argparse.ArgumentParser(prog="gia-extract batch", description=__doc__.split("\n\n")[0])
    add_batch_arguments(parser)
    return main_batch(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
