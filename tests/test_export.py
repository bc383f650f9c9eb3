"""`gia-extract export`: the reports table rebuilt from a folder of result JSON files, as CSV,
XLSX and Parquet, from real extractions of the seed reports."""
from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path

import pytest

from extraction.pipeline import extract
from extraction.schema import load_schema
from service.export import LEAD_COLUMNS, add_export_arguments, export, main_export
from tests.shared_data import SEEDS


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """Results as any tool may leave them: <name>.json files, no batch journal."""
    root = tmp_path_factory.mktemp("results")
    for seed in sorted(SEEDS.glob("*.txt"))[:3]:
        doc = extract(seed.read_bytes(), seed.name).model_dump(mode="json")
        (root / f"{seed.stem}.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    (root / "summary.json").write_text("{}", encoding="utf-8")  # not a result: must be ignored
    return root


def results(root: Path) -> dict[str, dict]:
    return {p.name: json.loads(p.read_text(encoding="utf-8")) for p in root.glob("*.json") if p.name != "summary.json"}


def run_cli(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    add_export_arguments(parser)
    return main_export(parser.parse_args(list(argv)))


def expected_rows(root: Path) -> list[dict]:
    keys = list(load_schema().fields)
    out = []
    for name, doc in sorted(results(root).items()):
        row = {"json": name, "source_file": doc["source"]["filename"], "sha256": doc["source"]["sha256"]}
        row.update({k: (doc["fields"].get(k) or {}).get("value") for k in keys})
        out.append(row)
    return out


def test_csv_export_rebuilds_the_table_from_the_json_files(folder, tmp_path):
    target = tmp_path / "table.csv"
    assert run_cli(str(folder), "--format", "csv", "--output", str(target)) == 0
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert list(rows[0]) == [*LEAD_COLUMNS, *load_schema().fields]
    want = expected_rows(folder)
    assert len(rows) == len(want) == 3
    for got, exp in zip(rows, want):
        for key, value in exp.items():
            assert got[key] == ("" if value is None else str(value)), (exp["json"], key)

    # a reviewer corrects a value in one JSON file: the next export carries the correction
    name = want[0]["json"]
    doc = json.loads((folder / name).read_text(encoding="utf-8"))
    doc["fields"]["meta.agency"]["value"] = "更正后的机关名称"
    (folder / name).write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    path, n = export(folder, "csv", target)
    assert n == 3
    corrected = {r["json"]: r for r in csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig")))}
    assert corrected[name]["meta.agency"] == "更正后的机关名称"


def test_xlsx_export_holds_the_same_table_with_typed_cells(folder):
    openpyxl = pytest.importorskip("openpyxl", reason="xlsx export needs the [xlsx] extra")
    assert run_cli(str(folder), "--format", "xlsx") == 0
    sheet = openpyxl.load_workbook(folder / "reports.xlsx", read_only=True)["reports"]
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    assert header == [*LEAD_COLUMNS, *load_schema().fields]
    for got, exp in zip(rows[1:], expected_rows(folder)):
        cells = dict(zip(header, got))
        for key, value in exp.items():
            assert cells[key] == value, (exp["json"], key)
    assert len(rows) == 4


def test_parquet_export_types_columns_by_the_schema(folder):
    pq = pytest.importorskip("pyarrow.parquet", reason="parquet export needs the [parquet] extra")
    import pyarrow as pa

    assert run_cli(str(folder), "-f", "parquet") == 0
    table = pq.read_table(folder / "reports.parquet")
    schema = load_schema()
    assert table.column_names == [*LEAD_COLUMNS, *schema.fields]
    arrow_of = {"int": pa.int64(), "decimal": pa.float64(), "text": pa.string(), "date": pa.string()}
    for key, spec in schema.fields.items():
        assert table.schema.field(key).type == arrow_of[spec.type], key
    assert table.schema.field("lowest_confidence").type == pa.float64()
    got = table.to_pylist()
    for row, exp in zip(got, expected_rows(folder)):
        for key, value in exp.items():
            assert row[key] == value, (exp["json"], key)


def test_a_missing_optional_dependency_is_named_with_its_extra(folder, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # as if not installed
    assert run_cli(str(folder), "--format", "xlsx", "--output", str(folder / "none.xlsx")) == 2
    assert "pip install 'gia-extract[xlsx]'" in capsys.readouterr().err
    assert not (folder / "none.xlsx").exists()
