"""`gia-extract export DIR --format csv|xlsx|parquet`: one table of a batch folder's reports.

One row per extracted report, one column per canonical field key in schema order, after the
columns that say which document the row is and how far to trust it. The table is rebuilt from
the per-document JSON files alone (plus the batch journal, for source paths), so it can be
regenerated after results were edited, merged or re-extracted.
"""
from __future__ import annotations

import argparse
import csv
import io
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from .batch_store import FILE_MODE, folder_entries

LEAD_COLUMNS = ("source_file", "json", "sha256", "template", "lowest_confidence", "fields_under_review")
FORMATS = ("csv", "xlsx", "parquet")
_EXTRAS = {"xlsx": ("openpyxl", "xlsx"), "parquet": ("pyarrow", "parquet")}


class ExportError(RuntimeError):
    pass


@dataclass
class ReportTable:
    columns: list[str]
    rows: list[list[Any]]
    field_types: dict[str, str]  # schema type of each field column (int, decimal, text, date)


def field_keys() -> list[tuple[str, str]]:
    """(key, type) of every canonical field, in schema order, each key once."""
    from extraction.schema import load_schema

    return [(k, spec.type) for k, spec in load_schema().fields.items()]


def report_table(root: Path) -> ReportTable:
    keys = field_keys()
    rows = []
    for entry in folder_entries(root):
        if entry.status != "ok" or entry.result is None:
            continue
        doc = entry.result
        fields: dict[str, dict[str, Any]] = doc.get("fields") or {}
        confidences = [f["confidence"] for f in fields.values() if isinstance(f, dict) and "confidence" in f]
        template = (fields.get("meta.template") or {}).get("value")
        lead = [entry.file, entry.name, entry.sha256, template,
                min(confidences) if confidences else None, len(doc.get("review") or [])]
        rows.append(lead + [(fields.get(k) or {}).get("value") for k, _ in keys])
    return ReportTable(list(LEAD_COLUMNS) + [k for k, _ in keys], rows, dict(keys))


# -- writers --------------------------------------------------------------------------------------

def csv_bytes(table: ReportTable) -> bytes:
    """UTF-8 with a BOM: without it Excel reads the Chinese as mojibake."""
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(table.columns)
    for row in table.rows:
        w.writerow(["" if v is None else v for v in row])
    return buf.getvalue().encode("utf-8-sig")


def xlsx_bytes(table: ReportTable) -> bytes:
    openpyxl = _require("xlsx")
    from openpyxl.styles import Font

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("reports")
    ws.freeze_panes = "B2"
    header = []
    for name in table.columns:
        cell = openpyxl.cell.WriteOnlyCell(ws, value=name)
        cell.font = Font(bold=True)
        header.append(cell)
    ws.append(header)
    for row in table.rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def parquet_bytes(table: ReportTable) -> bytes:
    pa = _require("parquet")
    import pyarrow.parquet as pq

    arrow_types = {"int": pa.int64(), "decimal": pa.float64(), "text": pa.string(), "date": pa.string()}
    lead_types = [pa.string(), pa.string(), pa.string(), pa.string(), pa.float64(), pa.int64()]
    arrays = []
    for i, name in enumerate(table.columns):
        values = [row[i] for row in table.rows]
        typ = lead_types[i] if i < len(LEAD_COLUMNS) else arrow_types.get(table.field_types.get(name, "text"), pa.string())
        arrays.append(_arrow_column(pa, values, typ))
    out = io.BytesIO()
    pq.write_table(pa.Table.from_arrays(arrays, names=table.columns), out)
    return out.getvalue()


def _arrow_column(pa: Any, values: list[Any], typ: Any) -> Any:
    """The column as the schema types it; a value that does not fit (a count printed 1.5) turns
    the column into floats or, failing that, text, rather than losing the value."""
    for candidate in (typ, pa.float64(), pa.string()):
        try:
            if candidate == pa.string():
                values = [None if v is None else str(v) for v in values]
            return pa.array(values, type=candidate)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):
            continue
    raise ExportError("cannot convert a column")  # unreachable: every value has a str()


def _require(fmt: str) -> Any:
    module, extra = _EXTRAS[fmt]
    try:
        return __import__(module)
    except ImportError:
        raise ExportError(f"{fmt} export needs {module}: pip install 'gia-extract[{extra}]'") from None


WRITERS = {"csv": csv_bytes, "xlsx": xlsx_bytes, "parquet": parquet_bytes}


def export(root: Path, fmt: str, output: Optional[Path] = None) -> tuple[Path, int]:
    """Write the table of `root`'s reports as `fmt`; returns (file written, rows)."""
    root = Path(root)
    if not root.is_dir():
        raise ExportError(f"no such folder: {root}")
    table = report_table(root)
    data = WRITERS[fmt](table)
    target = Path(output) if output else root / f"reports.{fmt}"
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, data)
    return target, len(table.rows)


def write_atomic(target: Path, data: bytes) -> None:
    """A reader (Excel, a dashboard) never sees half a table."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# -- command line ---------------------------------------------------------------------------------

def add_export_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dir", metavar="DIR", type=Path, help="a batch output folder (holding <name>.json results)")
    parser.add_argument("--format", "-f", choices=FORMATS, default="csv", dest="export_format",
                        help="csv (UTF-8 with BOM, opens in Excel), xlsx (needs openpyxl) or parquet (needs pyarrow)")
    parser.add_argument("--output", "-o", type=Path, default=None, dest="export_output",
                        help="file to write (default: DIR/reports.<format>)")


def main_export(args: argparse.Namespace) -> int:
    try:
        target, rows = export(args.dir, args.export_format, args.export_output)
    except ExportError as e:
        print(f"gia-extract export: {e}", file=sys.stderr)
        return 2
    print(f"{rows} reports -> {target}")
    return 0


if __name__ == "__main__":  # `python -m service.export DIR ...`, until the gia-extract CLI registers it
    _parser = argparse.ArgumentParser(prog="gia-extract export", description=__doc__.split("\n\n")[0])
    add_export_arguments(_parser)
    sys.exit(main_export(_parser.parse_args()))
