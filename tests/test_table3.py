"""Table 3 with a column the form does not have: a subtotal of the legal persons (法人或其他组织
小计) is left out where its figures are that sum; another is held for review."""
from __future__ import annotations

import pytest

from extraction.pipeline import extract
from extraction.schema import load_schema
from tests.synth.form import build_report, synth_answers, wrong_fields
from tests.synth.text_report import render_text

_COLUMNS = {"natural_person": "自然人", "commercial": "商业企业", "research": "科研机构", "social_welfare": "社会公益组织",
            "legal_service": "法律服务机构", "other_org": "其他", "total": "总计"}
_PERSONS = ("commercial", "research", "social_welfare", "legal_service", "other_org")


def _table3(answer: dict, columns: list[str], added: str) -> str:
    """Table 3 as a pipe table of `columns` (the form's, and "added": the legal persons' sum under
    the header `added`), a row for each row of the report's answer."""
    schema = load_schema()
    rows = [k.rsplit(".", 1)[0] for k, f in schema.fields.items()
            if f.table == "t3" and k.endswith(".natural_person") and k in answer]
    head = [added if c == "added" else _COLUMNS[c] for c in columns]
    lines = ["| 项目 |  | " + " | ".join(head) + " |", "|---|---|" + "---|" * len(columns)]
    for row in rows:
        spec = schema.fields[f"{row}.natural_person"]
        cells = [str(sum(answer[f"{row}.{p}"] or 0 for p in _PERSONS)) if c == "added"
                 else "" if answer[f"{row}.{c}"] is None else str(answer[f"{row}.{c}"]) for c in columns]
        lines.append(f"| {spec.group or ''} | {spec.row_label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _read_with_table3(seed: int, columns: list[str], added: str = "小计", tabs: bool = False):
    """The report with its table 3 so (`tabs`: as tab-separated text, whose empty fields are no
    sure cells), read."""
    report = build_report(synth_answers(seed), seed=seed)
    text = render_text(report, "markdown", seed=seed).text
    heading = "三、收到和处理政府信息公开申请情况"
    start = text.index(heading) + len(heading)
    end = text.rfind("\n", 0, text.index("四、政府信息公开行政复议"))
    table = _table3(report.answer, columns, added)
    if tabs:
        table = "\n".join("\t".join(c.strip() for c in line.strip("|").split("|"))
                          for line in table.split("\n") if not line.startswith("|---"))
    data = text[:start] + "\n\n" + table + "\n" + text[end:]
    return report, extract(data.encode(), "report.md")


@pytest.mark.parametrize("at", [1, 6])
@pytest.mark.parametrize("seed", [30005, 30008])
def test_a_subtotal_of_the_legal_persons_is_no_column_of_the_form(seed, at):
    """法人或其他组织 with a 小计 column first or last among its five: left out where its figure is
    their sum, and table 3 read right, all accepted. (Taken for one of the form's columns, rows
    where a shift fitted the rules were read wrong and accepted.)"""
    columns = list(_COLUMNS)
    columns.insert(at, "added")
    report, result = _read_with_table3(seed, columns)
    t3 = [k for k in report.answer if k.startswith("t3.")]
    assert [k for k, _, _ in wrong_fields(report.answer, result.model_dump(mode="json")) if k in t3] == []
    assert all(result.fields[k].confidence >= 0.9 for k in t3)


@pytest.mark.parametrize("tabs", [False, True])
def test_a_column_the_form_does_not_have_holds_table_3_for_review(tabs):
    """A column under a header the reader does not know (其中：网上申请, holding figures): the rows
    print eight figures for seven columns (in a grid, or in most rows of text), and no cell of
    table 3 is accepted."""
    columns = list(_COLUMNS)
    columns.insert(6, "added")
    report, result = _read_with_table3(30008, columns, added="其中：网上申请", tabs=tabs)
    assert all(result.fields[k].confidence < 0.9 for k in report.answer if k.startswith("t3."))
    assert any("more figures than the form has columns" in w for w in result.warnings)


@pytest.mark.parametrize("tabs", [False, True])
def test_a_remark_column_holding_figures_is_left_out(tabs):
    """A 备注 column is no column of the form, whatever it holds (extra_columns.py): the rows' other
    figures are read in their own columns."""
    columns = list(_COLUMNS)
    columns.insert(6, "added")
    report, result = _read_with_table3(30008, columns, added="备注", tabs=tabs)
    t3 = [k for k in report.answer if k.startswith("t3.")]
    assert [w for w in wrong_fields(report.answer, result.model_dump(mode="json")) if w[0] in t3] == []
    assert all(result.fields[k].confidence >= 0.9 for k in t3)
