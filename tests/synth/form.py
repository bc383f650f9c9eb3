"""The abstract annual report behind every synthetic test file.

`build_report` lays a golden-like answer out as the official form prints it: the three tables as
grids of `extraction.model.Cell` with the form's merged cells, the six sections of prose, title and
signature. Renderers (HTML, DOCX, PDF, scans) draw a `Report`; the tests score what the service
extracts from the drawing against `Report.answer`, which already accounts for the variants (a zero
printed blank is read as blank, a broken total is what the document prints).

`synth_answers(seed)` makes a plausible random answer that satisfies every consistency rule, so
the synthetic sets are not all zeros.
"""
from __future__ import annotations

import json
import pathlib
import random
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

from extraction.model import Cell, Table

SCHEMA_PATH = pathlib.Path(__file__).resolve().parents[2] / "extraction" / "schema" / "fields.json"

APPLICANT_COLS = ["natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org", "total"]
ORG_COLS = APPLICANT_COLS[1:6]

SECTION_HEADINGS = [
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
]

T3_BALANCE_NOTE = "本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和"

# Result rows of table 3 in printed order: (row key prefix, whether it sits under a group label).
_DENIED = ["state_secret", "law_prohibited", "safety_stability", "third_party", "internal_affairs",
           "process_info", "enforcement_file", "query_matter"]
_UNAVAILABLE = ["not_held", "needs_creation", "unclear"]
_NOT_PROCESSED = ["petition", "duplicate", "publication", "excessive", "confirmation"]
_OTHER_SUB = ["overdue_correction", "overdue_fee", "other"]

T4_GROUPS = ["review", "litigation_direct", "litigation_after_review"]
T4_PARTS = ["upheld", "corrected", "other", "pending", "total"]
T4_PART_LABELS = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]

# t2 layout per form: (group label, header [(text, colspan)], rows [(row label, [(key, colspan)])]).
T2_LAYOUT: dict[str, list[tuple[str, list[tuple[str, int]], list[tuple[str, list[tuple[str, int]]]]]]] = {
    "2021": [
        ("第二十条第（一）项", [("信息内容", 1), ("本年制发件数", 1), ("本年废止件数", 1), ("现行有效件数", 1)],
         [("规章", [("t2.rules.issued", 1), ("t2.rules.repealed", 1), ("t2.rules.in_force", 1)]),
          ("行政规范性文件", [("t2.normative_docs.issued", 1), ("t2.normative_docs.repealed", 1),
                        ("t2.normative_docs.in_force", 1)])]),
        ("第二十条第（五）项", [("信息内容", 1), ("本年处理决定数量", 3)],
         [("行政许可", [("t2.licensing.decisions", 3)])]),
        ("第二十条第（六）项", [("信息内容", 1), ("本年处理决定数量", 3)],
         [("行政处罚", [("t2.penalty.decisions", 3)]), ("行政强制", [("t2.coercion.decisions", 3)])]),
        ("第二十条第（八）项", [("信息内容", 1), ("本年收费金额（单位：万元）", 3)],
         [("行政事业性收费", [("t2.fees.amount", 3)])]),
    ],
    "2019": [
        ("第二十条第（一）项", [("信息内容", 1), ("本年新制作数量", 1), ("本年新公开数量", 1), ("对外公开总数量", 1)],
         [("规章", [("t2.rules.new_made", 1), ("t2.rules.new_published", 1), ("t2.rules.total_published", 1)]),
          ("规范性文件", [("t2.normative_docs.new_made", 1), ("t2.normative_docs.new_published", 1),
                     ("t2.normative_docs.total_published", 1)])]),
        ("第二十条第（五）项", [("信息内容", 1), ("上一年项目数量", 1), ("本年增/减", 1), ("处理决定数量", 1)],
         [("行政许可", [("t2.licensing.prev_items", 1), ("t2.licensing.change", 1), ("t2.licensing.decisions", 1)]),
          ("其他对外管理服务事项", [("t2.other_services.prev_items", 1), ("t2.other_services.change", 1),
                          ("t2.other_services.decisions", 1)])]),
        ("第二十条第（六）项", [("信息内容", 1), ("上一年项目数量", 1), ("本年增/减", 1), ("处理决定数量", 1)],
         [("行政处罚", [("t2.penalty.prev_items", 1), ("t2.penalty.change", 1), ("t2.penalty.decisions", 1)]),
          ("行政强制", [("t2.coercion.prev_items", 1), ("t2.coercion.change", 1), ("t2.coercion.decisions", 1)])]),
        ("第二十条第（八）项", [("信息内容", 1), ("上一年项目数量", 1), ("本年增/减", 2)],
         [("行政事业性收费", [("t2.fees.prev_items", 1), ("t2.fees.change", 2)])]),
        ("第二十条第（九）项", [("信息内容", 1), ("采购项目数量", 1), ("采购总金额", 2)],
         [("政府集中采购", [("t2.procurement.items", 1), ("t2.procurement.amount", 2)])]),
    ],
}

_VARIANTS = {"blank_zeros", "misprint", "break_total", "other_handling_single_row", "traditional"}


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _fields_by_key() -> dict[str, dict[str, Any]]:
    return {f["key"]: f for f in schema()["fields"]}


def row_label(row_prefix: str) -> str:
    """The printed row label of a table-3 row, e.g. 't3.denied.state_secret' -> '1.属于国家秘密'."""
    return _fields_by_key()[f"{row_prefix}.natural_person"]["row_label"]


def group_label(row_prefix: str) -> str:
    return _fields_by_key()[f"{row_prefix}.natural_person"]["group"]


def t3_result_rows(template: str, other_single_row: bool) -> list[tuple[str, str | None]]:
    """Result rows (三) in printed order: (row prefix, group label or None for a row of its own)."""
    rows: list[tuple[str, str | None]] = [("t3.granted", None), ("t3.partially_granted", None)]
    rows += [(f"t3.denied.{k}", "（三）不予公开") for k in _DENIED]
    rows += [(f"t3.unavailable.{k}", "（四）无法提供") for k in _UNAVAILABLE]
    rows += [(f"t3.not_processed.{k}", "（五）不予处理") for k in _NOT_PROCESSED]
    if template == "2019" or other_single_row:
        rows.append(("t3.other_handling", None))
    else:
        rows += [(f"t3.other_handling.{k}", "（六）其他处理") for k in _OTHER_SUB]
    rows.append(("t3.total_handled", None))
    return rows


def template_keys(template: str, other_single_row: bool = False) -> list[str]:
    """Every schema key a report of this form prints, in printed order (meta first)."""
    keys = ["meta.agency", "meta.year", "meta.template", "meta.published_date"]
    for _, _, rows in T2_LAYOUT[template]:
        keys += [k for _, cells in rows for k, _ in cells]
    prefixes = ["t3.received_new", "t3.carried_over"]
    prefixes += [p for p, _ in t3_result_rows(template, other_single_row)]
    prefixes.append("t3.carried_forward")
    keys += [f"{p}.{c}" for p in prefixes for c in APPLICANT_COLS]
    keys += [f"t4.{g}.{p}" for g in T4_GROUPS for p in T4_PARTS]
    return keys


def template_for_year(year: int) -> str:
    return "2019" if year <= 2020 else "2021"


@dataclass
class Report:
    title: str
    agency: str  # as printed (traditional when the variant asks for it)
    year: int
    template: str
    published_date: str | None  # ISO date, or None when the report prints none
    preamble: list[str]
    sections: list[tuple[str, list[str]]]  # (heading, paragraphs) for 一…六
    tables: dict[str, Table]  # "t2", "t3", "t4"
    signature: list[str]  # lines under the report: agency, date
    answer: dict[str, Any]  # the right extraction for this document, meta.* included
    cell_of: dict[str, tuple[str, int, int]] = field(default_factory=dict)  # key -> (table, row, col)
    printed: dict[str, str] = field(default_factory=dict)  # key -> text printed in its cell
    broken: dict[str, tuple[int, int]] = field(default_factory=dict)  # total key -> (true, printed)
    traditional: bool = False

    def cell(self, key: str) -> Cell:
        table, r, c = self.cell_of[key]
        found = self.tables[table].at(r, c)
        assert found is not None
        return found


def format_value(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        raise TypeError("a count cannot be a bool")
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return format(Decimal(repr(v)).normalize(), "f")
    if isinstance(v, Decimal):
        return format(v, "f")
    return str(v)


def printed_date(iso: str) -> str:
    y, m, d = (int(p) for p in iso.split("-"))
    return f"{y}年{m}月{d}日"


def _to_traditional(text: str) -> str:
    return _s2t().convert(text)


@lru_cache(maxsize=1)
def _s2t():
    import opencc  # a runtime dependency of the service already

    return opencc.OpenCC("s2t")


def _single_agency(v: Any) -> str:
    return v[0] if isinstance(v, (list, tuple)) else str(v)


def build_report(fields: dict[str, Any], template: str | None = None, *, seed: int = 0, **variant: Any) -> Report:
    """Lay out `fields` (canonical key -> value; None = printed blank; a missing key prints blank)
    as the official form prints it. `template` defaults to fields["meta.template"], else the year's.

    Variants, and what they do to `Report.answer`:
    - blank_zeros=True: zero cells printed blank, as some web pages do; their answer becomes None.
    - misprint={key: text}: the cell prints `text` (e.g. "O" for 0); the answer keeps the value.
    - break_total=key: a total printed off by 1-10 (seeded); the answer is what is printed.
    - other_handling_single_row=True: a 2021 report printing （六）其他处理 as one row (the sum of
      its sub-rows); the answer has t3.other_handling.* instead of the sub-row keys.
    - traditional=True: title, prose and labels in traditional characters; the answer stays
      simplified (the service returns Simplified Chinese)."""
    unknown = set(variant) - _VARIANTS
    if unknown:
        raise TypeError(f"unknown report variants: {sorted(unknown)}")
    rng = random.Random(seed)
    agency = _single_agency(fields.get("meta.agency", "保定市科学技术局"))
    year = int(fields.get("meta.year", 2022))
    template = template or fields.get("meta.template") or template_for_year(year)
    if template not in T2_LAYOUT:
        raise ValueError(f"unknown form {template!r}")
    published = fields.get("meta.published_date")

    has_sub = any(k.startswith(tuple(f"t3.other_handling.{s}." for s in _OTHER_SUB)) for k in fields)
    single = template == "2019" or bool(variant.get("other_handling_single_row")) or not has_sub
    values = dict(fields)
    if single and has_sub:
        # The report prints (六) as one row: its value is what the three sub-rows add up to.
        for c in APPLICANT_COLS:
            parts = [fields.get(f"t3.other_handling.{s}.{c}") for s in _OTHER_SUB]
            values[f"t3.other_handling.{c}"] = None if all(p is None for p in parts) else sum(p or 0 for p in parts)

    keys = template_keys(template, single)
    answer: dict[str, Any] = {
        "meta.agency": fields.get("meta.agency", agency),
        "meta.year": year,
        "meta.template": template,
        "meta.published_date": published,
    }
    printed: dict[str, str] = {}
    broken: dict[str, tuple[int, int]] = {}
    brk = variant.get("break_total")
    misprint = variant.get("misprint") or {}
    for key in keys[4:]:
        v = values.get(key)
        if key == brk:
            if not _is_total(key):
                raise ValueError(f"{key} is not a total")
            delta = rng.choice([1, 2, 3, 5, 10])
            true = v or 0
            v = true + delta
            broken[key] = (true, v)
        if key in misprint:
            # A misread-looking print of the true value (O for 0): the answer stays the value.
            answer[key] = v
            printed[key] = misprint[key]
            continue
        if variant.get("blank_zeros") and v == 0:
            v = None
        answer[key] = v
        printed[key] = format_value(v)
    for key in [*misprint, *([brk] if brk else [])]:
        if key not in printed:
            raise KeyError(f"{key} is not printed on the {template} form")

    tw = bool(variant.get("traditional"))
    tr = _to_traditional if tw else (lambda s: s)
    cell_of: dict[str, tuple[str, int, int]] = {}
    tables = {
        "t2": _t2_table(template, printed, cell_of, tr),
        "t3": _t3_table(template, single, printed, cell_of, tr),
        "t4": _t4_table(printed, cell_of, tr),
    }
    title = f"{agency}{year}年政府信息公开工作年度报告"
    preamble, sections = _prose(agency, year, values, rng)
    signature = [agency] + ([printed_date(published)] if published else [])
    return Report(
        title=tr(title),
        agency=tr(agency),
        year=year,
        template=template,
        published_date=published,
        preamble=[tr(p) for p in preamble],
        sections=[(tr(h), [tr(p) for p in ps]) for h, ps in sections],
        tables=tables,
        signature=[tr(s) for s in signature],
        answer=answer,
        cell_of=cell_of,
        printed=printed,
        broken=broken,
        traditional=tw,
    )


def _is_total(key: str) -> bool:
    return key.endswith(".total") or key.startswith("t3.total_handled.")


def _t2_table(template, printed, cell_of, tr) -> Table:
    cells: list[Cell] = []
    r = 0
    for group, header, rows in T2_LAYOUT[template]:
        cells.append(Cell(r, 0, tr(group), colspan=4))
        r += 1
        c = 0
        for text, span in header:
            cells.append(Cell(r, c, tr(text), colspan=span))
            c += span
        r += 1
        for label, row_cells in rows:
            cells.append(Cell(r, 0, tr(label)))
            c = 1
            for key, span in row_cells:
                cells.append(Cell(r, c, printed[key], colspan=span))
                cell_of[key] = ("t2", r, c)
                c += span
            r += 1
    return Table(cells=cells, n_rows=r, n_cols=4, origin="synthetic")


def _t3_table(template, single, printed, cell_of, tr) -> Table:
    cells = [
        Cell(0, 0, tr(T3_BALANCE_NOTE), rowspan=3, colspan=3),
        Cell(0, 3, tr("申请人情况"), colspan=7),
        Cell(1, 3, tr("自然人"), rowspan=2),
        Cell(1, 4, tr("法人或其他组织"), colspan=5),
        Cell(1, 9, tr("总计"), rowspan=2),
    ]
    for i, name in enumerate(["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]):
        cells.append(Cell(2, 4 + i, tr(name)))

    def values(r: int, prefix: str) -> None:
        for i, col in enumerate(APPLICANT_COLS):
            key = f"{prefix}.{col}"
            cells.append(Cell(r, 3 + i, printed[key]))
            cell_of[key] = ("t3", r, 3 + i)

    r = 3
    for prefix in ("t3.received_new", "t3.carried_over"):
        cells.append(Cell(r, 0, tr(row_label(prefix)), colspan=3))
        values(r, prefix)
        r += 1
    result_rows = t3_result_rows(template, single)
    cells.append(Cell(r, 0, tr("三、本年度办理结果"), rowspan=len(result_rows)))
    i = 0
    while i < len(result_rows):
        prefix, group = result_rows[i]
        if group is None:
            cells.append(Cell(r, 1, tr(row_label(prefix)), colspan=2))
            values(r, prefix)
            r += 1
            i += 1
            continue
        members = [p for p, g in result_rows if g == group]
        cells.append(Cell(r, 1, tr(group), rowspan=len(members)))
        for p in members:
            cells.append(Cell(r, 2, tr(row_label(p))))
            values(r, p)
            r += 1
        i += len(members)
    cells.append(Cell(r, 0, tr(row_label("t3.carried_forward")), colspan=3))
    values(r, "t3.carried_forward")
    r += 1
    return Table(cells=cells, n_rows=r, n_cols=10, origin="synthetic")


def _t4_table(printed, cell_of, tr) -> Table:
    cells = [Cell(0, 0, tr("行政复议"), colspan=5), Cell(0, 5, tr("行政诉讼"), colspan=10)]
    for i, label in enumerate(T4_PART_LABELS):
        cells.append(Cell(1, i, tr(label), rowspan=2))
    cells.append(Cell(1, 5, tr("未经复议直接起诉"), colspan=5))
    cells.append(Cell(1, 10, tr("复议后起诉"), colspan=5))
    for g in range(2):
        for i, label in enumerate(T4_PART_LABELS):
            cells.append(Cell(2, 5 + 5 * g + i, tr(label)))
    for g, group in enumerate(T4_GROUPS):
        for i, part in enumerate(T4_PARTS):
            key = f"t4.{group}.{part}"
            cells.append(Cell(3, 5 * g + i, printed[key]))
            cell_of[key] = ("t4", 3, 5 * g + i)
    return Table(cells=cells, n_rows=4, n_cols=15, origin="synthetic")


def _n(values: dict[str, Any], key: str) -> int:
    v = values.get(key)
    return v if isinstance(v, int) else 0


def _prose(agency: str, year: int, values: dict[str, Any], rng: random.Random):
    short = "我局" if agency.endswith(("局", "委员会", "厅")) else "本机关"
    received = _n(values, "t3.received_new.total")
    carried = _n(values, "t3.carried_over.total")
    forward = _n(values, "t3.carried_forward.total")
    items = rng.randint(80, 1500)
    preamble = [
        f"根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和上级政务公开工作部署，{short}编制本报告。"
        f"本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"
    ]
    overview = [
        f"{year}年，{short}认真贯彻落实《条例》，坚持以公开为常态、不公开为例外，持续提升政务公开质量。",
        f"（一）主动公开。全年通过门户网站主动公开政府信息{items}条，及时发布政策文件和政策解读，"
        "确保公开内容准确、及时、规范。",
        f"（二）依申请公开。全年新收政府信息公开申请{received}件，上年结转{carried}件，"
        f"结转下年度继续办理{forward}件，均在法定期限内答复。",
        "（三）政府信息管理。严格执行信息发布审核制度，落实“三审三校”，规范公开流程。",
        "（四）平台建设。持续优化门户网站政府信息公开专栏，完善栏目设置，提升检索便利度。",
        "（五）监督保障。将政务公开纳入年度工作考核，定期开展自查，及时整改发现的问题。",
    ]
    problems = [
        f"{year}年{short}政府信息公开工作取得一定成效，但仍存在政策解读形式较为单一、"
        "信息更新不够及时等问题。",
        "下一步，我们将加强业务培训，丰富解读形式，压实工作责任，推动政务公开工作提质增效。",
    ]
    other = [f"{year}年{short}未收取信息处理费。无其他需要报告的事项。"]
    sections = [
        (SECTION_HEADINGS[0], overview),
        (SECTION_HEADINGS[1], []),
        (SECTION_HEADINGS[2], []),
        (SECTION_HEADINGS[3], []),
        (SECTION_HEADINGS[4], problems),
        (SECTION_HEADINGS[5], other),
    ]
    return preamble, sections


# ---------------------------------------------------------------- random, rule-consistent answers

_PLACES = ["保定市", "鹤岗市", "哈尔滨市", "本溪市", "杭州市", "成都市武侯区", "大同市新荣区", "苏州市",
           "洛阳市", "长沙市岳麓区", "昆明市", "青岛市黄岛区"]
_BODIES = ["科学技术局", "生态环境局", "教育局", "民政局", "人力资源和社会保障局", "市场监督管理局",
           "住房和城乡建设局", "交通运输局", "卫生健康委员会", "自然资源和规划局", "人民政府"]


def synth_answers(seed: int, *, template: str | None = None) -> dict[str, Any]:
    """A plausible answer for a synthetic report, every consistency rule of fields.json satisfied."""
    rng = random.Random(seed)
    agency = rng.choice(_PLACES) + rng.choice(_BODIES)
    year = rng.randint(2019, 2024)
    if template and template != template_for_year(year):
        # A form asked for: report on a year that form was used for (same random stream).
        year = 2021 + year % 4 if template == "2021" else 2019 + year % 2
    template = template or template_for_year(year)
    published = None
    if rng.random() < 0.75:
        published = f"{year + 1}-{rng.randint(1, 3):02d}-{rng.randint(1, 28):02d}"
    a: dict[str, Any] = {"meta.agency": agency, "meta.year": year, "meta.template": template,
                         "meta.published_date": published}

    def small(hi: int, p_nonzero: float = 0.5) -> int:
        return rng.randint(1, hi) if rng.random() < p_nonzero else 0

    if template == "2021":
        for row in ("rules", "normative_docs"):
            issued, repealed = small(3 if row == "rules" else 12), small(4)
            a[f"t2.{row}.issued"] = issued
            a[f"t2.{row}.repealed"] = repealed
            a[f"t2.{row}.in_force"] = issued + small(80, 0.7)
        for row in ("licensing", "penalty", "coercion"):
            a[f"t2.{row}.decisions"] = small(3000, 0.5)
        a["t2.fees.amount"] = round(rng.uniform(0.1, 500), 2) if rng.random() < 0.3 else 0
    else:
        for row in ("rules", "normative_docs"):
            made = small(10)
            a[f"t2.{row}.new_made"] = made
            a[f"t2.{row}.new_published"] = made - (rng.randint(0, made) if made and rng.random() < 0.3 else 0)
            a[f"t2.{row}.total_published"] = made + small(300, 0.7)
        for row in ("licensing", "other_services", "penalty", "coercion"):
            a[f"t2.{row}.prev_items"] = small(40)
            a[f"t2.{row}.change"] = rng.choice([0, 0, 0, 1, 2, -1])
            a[f"t2.{row}.decisions"] = small(2500)
        a["t2.fees.prev_items"] = small(3, 0.2)
        a["t2.fees.change"] = 0
        a["t2.procurement.items"] = small(30, 0.4)
        a["t2.procurement.amount"] = round(rng.uniform(1, 900), 2) if a["t2.procurement.items"] else 0

    result_rows = [p for p, _ in t3_result_rows(template, False) if p != "t3.total_handled"]
    weights = [30, 4] + [1] * 8 + [8, 2, 1] + [2, 2, 1, 1, 1] + [1] * (len(result_rows) - 18)
    busy = rng.random() < 0.8  # some agencies receive no application at all
    for col in ORG_COLS[::-1] + ["natural_person"]:
        heavy = col == "natural_person"
        received = small(40 if heavy else 6, 0.9 if heavy else 0.3) if busy else 0
        carried = small(3, 0.3) if busy else 0
        forward = rng.randint(0, min(3, received + carried)) if rng.random() < 0.3 else 0
        handled = received + carried - forward
        counts = dict.fromkeys(result_rows, 0)
        for _ in range(handled):
            counts[rng.choices(result_rows, weights)[0]] += 1
        a[f"t3.received_new.{col}"] = received
        a[f"t3.carried_over.{col}"] = carried
        for p, n in counts.items():
            a[f"{p}.{col}"] = n
        a[f"t3.total_handled.{col}"] = handled
        a[f"t3.carried_forward.{col}"] = forward
    for p in ["t3.received_new", "t3.carried_over", *result_rows, "t3.total_handled", "t3.carried_forward"]:
        a[f"{p}.total"] = sum(a[f"{p}.{c}"] for c in APPLICANT_COLS[:6])

    for g in T4_GROUPS:
        parts = [small(2, 0.2) for _ in range(4)]
        for part, n in zip(T4_PARTS[:4], parts):
            a[f"t4.{g}.{part}"] = n
        a[f"t4.{g}.total"] = sum(parts)
    # Keep the key order of the printed form.
    order = {k: i for i, k in enumerate(template_keys(template))}
    return dict(sorted(a.items(), key=lambda kv: order.get(kv[0], len(order))))


def broken_rules(answer: dict[str, Any]) -> list[str]:
    """Ids of the fields.json consistency rules `answer` breaks (blank cells count as 0; rules whose
    fields the answer lacks entirely are skipped)."""
    out = []
    for rule in schema()["rules"]:
        sides = []
        for side in (rule["lhs"], rule["rhs"]):
            total, seen = 0, False
            for key in side:
                if "*" in key:
                    pattern = re.compile(re.escape(key).replace(r"\*", r"(\.[a-z_]+)?") + "$")
                    matched = [k for k in answer if pattern.match(k)]
                else:
                    matched = [key] if key in answer else []
                for k in matched:
                    seen = True
                    total += answer[k] or 0
            sides.append((total, seen))
        if all(seen for _, seen in sides) and sides[0][0] != sides[1][0]:
            out.append(rule["id"])
    return out


def wrong_fields(answer: dict[str, Any], output: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(key, right, extracted) for every key of `answer` the service's JSON output gets wrong, compared
    as the shared scorer compares: numbers numerically, text without whitespace, any listed
    alternative for the agency, None only for None."""
    wrong = []
    for key, gold in answer.items():
        got = (output.get("fields", {}).get(key) or {}).get("value")
        if not _same(gold, got):
            wrong.append((key, gold, got))
    return wrong


def _same(gold: Any, got: Any) -> bool:
    if isinstance(gold, (list, tuple)):
        return any(_same(g, got) for g in gold)
    if gold is None or got is None:
        return gold is None and got is None
    if isinstance(gold, (int, float)) and not isinstance(gold, bool):
        try:
            return abs(float(got) - float(gold)) < 1e-9
        except (TypeError, ValueError):
            return False
    return re.sub(r"\s+", "", str(gold)) == re.sub(r"\s+", "", str(got))
