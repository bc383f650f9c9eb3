"""The canonical schema (fields.json): every field, the layout of the form's tables as the mapping
needs it, and the consistency rules."""
from __future__ import annotations

import json
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

SCHEMA_PATH = Path(__file__).with_name("schema") / "fields.json"

T3_COLUMNS = ("natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org", "total")
T4_GROUPS = ("review", "litigation_direct", "litigation_after_review")
T4_COLUMNS = ("upheld", "corrected", "other", "pending", "total")
TEMPLATES = ("2019", "2021")


@dataclass(frozen=True)
class FieldSpec:
    key: str
    templates: tuple[str, ...]
    table: str
    group: str | None
    row_label: str
    col_label: str | None
    type: str


@dataclass(frozen=True)
class Rule:
    id: str
    says: str
    lhs: tuple[str, ...]
    rhs: tuple[str, ...]


@dataclass(frozen=True)
class Row:
    """One printed row of a table: its label, its group label, and the keys of its value cells
    left to right."""
    id: str  # e.g. "denied.state_secret" or "licensing"
    label: str
    group: str | None
    keys: tuple[str, ...]


@dataclass(frozen=True)
class Schema:
    specs: tuple[FieldSpec, ...]  # as listed: a key printed differently by the two forms appears twice
    fields: dict[str, FieldSpec]  # by key, templates merged
    rules: tuple[Rule, ...]

    def t2_rows(self, template: str) -> list[Row]:
        rows: dict[str, list[FieldSpec]] = {}
        for f in self.specs:
            if f.table == "t2" and template in f.templates:
                rows.setdefault(f.key.rsplit(".", 1)[0], []).append(f)
        return [Row(rid.split(".", 1)[1], fs[0].row_label, fs[0].group, tuple(f.key for f in fs))
                for rid, fs in rows.items()]

    def t2_columns(self, template: str) -> set[str]:
        return {f.col_label for f in self.specs if f.table == "t2" and template in f.templates and f.col_label}

    def t3_rows(self, single_other_handling: bool) -> list[Row]:
        """Rows of table 3 in printed order; (六)其他处理 as one row (2019 form, and many later
        reports) or as its three sub-rows (2021 form)."""
        out: dict[str, Row] = {}
        for f in self.specs:
            if f.table != "t3":
                continue
            rid = f.key[3:].rsplit(".", 1)[0]
            if rid.startswith("other_handling"):
                if single_other_handling != (rid == "other_handling"):
                    continue
            if rid not in out:
                out[rid] = Row(rid, f.row_label, f.group, tuple(f"t3.{rid}.{c}" for c in T3_COLUMNS))
        return list(out.values())

    def row_labels(self) -> frozenset[str]:
        """Every printed row label of the form's tables (both templates)."""
        return frozenset(f.row_label for f in self.specs if f.row_label)

    def col_labels(self) -> frozenset[str]:
        """Every printed column header of the form's tables (both templates)."""
        return frozenset(f.col_label for f in self.specs if f.col_label)

    def t4_keys(self) -> list[str]:
        return [f"t4.{g}.{c}" for g in T4_GROUPS for c in T4_COLUMNS]


@lru_cache(maxsize=1)
def load_schema(path: Path = SCHEMA_PATH) -> Schema:
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    specs = tuple(
        FieldSpec(f["key"], tuple(f["templates"]), f["table"], f["group"], f["row_label"], f["col_label"], f["type"])
        for f in raw["fields"]
    )
    fields: dict[str, FieldSpec] = {}
    for f in specs:
        seen = fields.get(f.key)
        fields[f.key] = f if seen is None else replace(seen, templates=tuple(sorted(set(seen.templates) | set(f.templates))))
    rules = tuple(Rule(r["id"], r.get("says", ""), tuple(r["lhs"]), tuple(r["rhs"])) for r in raw["rules"])
    return Schema(specs, fields, rules)
