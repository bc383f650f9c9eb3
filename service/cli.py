"""`gia-extract`: the command line.

    gia-extract extract FILE... --out DIR [--debug-dir DIR]   DIR/<stem>.json per file
                    [--each-report]                           and DIR/<stem>.report<N>.json for a
                                                              volume's report N after the first
    gia-extract serve [--host 127.0.0.1] [--port 8000]         the HTTP service
    gia-extract batch INPUT... --out DIR                       whole archives (service.batch)
    gia-extract export DIR --format csv|xlsx|parquet           one table of a batch folder
    gia-extract keys create|list|revoke NAME                   the service's API keys

Exit status: 0 when everything worked, 1 when any file failed, 2 for a usage error."""
from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path
from typing import Callable, Optional

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    from extraction import __version__

    parser = argparse.ArgumentParser(prog="gia-extract", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"gia-extract {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("extract", help="extract reports to DIR/<stem>.json")
    p.add_argument("files", metavar="FILE", nargs="+", type=Path)
    p.add_argument("--out", "-o", required=True, type=Path, metavar="DIR")
    p.add_argument("--debug-dir", type=Path, metavar="DIR", help="intermediate artefacts of each document")
    p.add_argument("--each-report", action="store_true",
                   help="a file holding several reports (a volume): each of them, the first to DIR/<stem>.json, "
                        "report N to DIR/<stem>.report<N>.json (by default only the first, the others named in a warning)")
    p.set_defaults(run=run_extract)

    p = sub.add_parser("serve", help="run the HTTP service (settings: GIA_* environment variables)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.set_defaults(run=run_serve)

    p = sub.add_parser("keys", help="API keys of the service (stored hashed in its database)")
    p.add_argument("action", choices=("create", "list", "revoke"))
    p.add_argument("name", nargs="?")
    p.set_defaults(run=run_keys)

    register_delegated(sub)
    return parser


def register_delegated(sub: argparse._SubParsersAction) -> None:
    """`batch` and `export` live in service.batch / service.export; a missing module leaves its
    subcommand out rather than breaking the others."""
    for name, module, add, main, help_text in (
        ("batch", "service.batch", "add_batch_arguments", "main_batch", "re-process whole archives of reports"),
        ("export", "service.export", "add_export_arguments", "main_export", "one table (CSV/XLSX/Parquet) of a batch folder"),
    ):
        try:
            mod = importlib.import_module(module)
            add_arguments: Callable = getattr(mod, add)
            run: Callable = getattr(mod, main)
        except (ImportError, AttributeError):
            continue
        p = sub.add_parser(name, help=help_text)
        add_arguments(p)
        p.set_defaults(run=run)


def run_extract(args: argparse.Namespace) -> int:
    from extraction.errors import ExtractionError
    from extraction.pipeline import ExtractOptions, extract, extract_reports

    try:
        args.out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        print(f"gia-extract: {args.out}: {e.strerror or e}", file=sys.stderr)
        return EXIT_USAGE
    stems = _output_stems(args.files)
    failed = 0
    for path, stem in zip(args.files, stems):
        try:
            data = path.read_bytes()
            debug = args.debug_dir / stem if args.debug_dir else None
            if debug:
                debug.mkdir(parents=True, exist_ok=True)
            options = ExtractOptions(debug_dir=debug)
            results = extract_reports(data, path.name, options) if args.each_report else [extract(data, path.name, options)]
        except OSError as e:
            failed += 1
            print(f"gia-extract: {path}: {e.strerror or e}", file=sys.stderr)
            continue
        except ExtractionError as e:
            failed += 1
            print(f"gia-extract: {path}: {e.reason}", file=sys.stderr)
            continue
        except Exception as e:  # our own bug: said, and the other files go on
            failed += 1
            print(f"gia-extract: {path}: internal error ({type(e).__name__}: {e}); please report it "
                  f"with the file", file=sys.stderr)
            continue
        for n, result in enumerate(results, 1):
            _write(args.out / (f"{stem}.json" if n == 1 else f"{stem}.report{n}.json"), result)
    return EXIT_FAILED if failed else EXIT_OK


def _write(target: Path, result) -> None:
    text = json.dumps(result.model_dump(mode="json"), ensure_ascii=False, indent=2)
    tmp = target.with_suffix(".json.tmp")
    tmp.write_text(text + "\n", encoding="utf-8")
    tmp.replace(target)  # a reader never sees half a file


def _output_stems(paths: list[Path]) -> list[str]:
    """<stem> per file; two inputs of the same stem (a.pdf, a.html) get a.json and a.html.json."""
    stems: list[str] = []
    taken: set[str] = set()
    for p in paths:
        stem = p.stem
        if stem in taken:
            stem = p.name
        n = 2
        base = stem
        while stem in taken:
            stem, n = f"{base}.{n}", n + 1
        taken.add(stem)
        stems.append(stem)
    return stems


def run_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .app import create_app
    from .settings import settings_from_env

    try:
        settings = settings_from_env()
    except ValueError as e:
        print(f"gia-extract serve: {e}", file=sys.stderr)
        return EXIT_USAGE
    uvicorn.run(create_app(settings, configure_logs=True), host=args.host, port=args.port, access_log=False,
                log_config=None, timeout_graceful_shutdown=int(settings.shutdown_grace_s) + 5)
    return EXIT_OK


def run_keys(args: argparse.Namespace) -> int:
    from .settings import settings_from_env
    from .store import Store

    store = Store(settings_from_env().url)
    try:
        if args.action == "list":
            for name, revoked, _ in store.list_keys():
                print(f"{name}\t{'revoked' if revoked else 'active'}")
            return EXIT_OK
        if not args.name:
            print(f"gia-extract keys {args.action}: give a NAME", file=sys.stderr)
            return EXIT_USAGE
        if args.action == "create":
            print(store.create_key(args.name))  # shown once; only its hash is kept
            return EXIT_OK
        if not store.revoke_key(args.name):
            print(f"gia-extract keys revoke: no key named {args.name}", file=sys.stderr)
            return EXIT_FAILED
        return EXIT_OK
    finally:
        store.close()


def main(argv: Optional[list[str]] = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # argparse exits 2 on usage errors, 0 on --help
        return int(e.code or 0)
    return int(args.run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
