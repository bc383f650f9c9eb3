"""Table 4's values under a header that OCR garbled."""
from __future__ import annotations

import pytest

from extraction.pipeline import ExtractOptions, extract_document, read_document
from tests.synth.form import build_report, synth_answers, wrong_fields
from tests.synth.text_report import render_text


def test_a_header_cell_misread_as_a_number_is_not_taken_for_a_value():
    """A photo's table 4 header read 未经复议直接起诉's 总计 as 1881: the header row held a number
    and then labels, so the reader took that number for the data and stopped at the next label
    (all fifteen fields missing). The header is labels; its row of values is the one without."""
    answer = synth_answers(7, template="2021")
    report = build_report(answer, seed=7)
    text = render_text(report, "tsv", seed=3).text
    header = "\t\t\t\t\t结果维持\t结果纠 正\t其他结果\t尚未 审结\t总 计\t结果维持"
    assert header in text
    data = text.replace(header, header.replace("总 计", "1881")).encode()
    result = extract_document(read_document(data, ExtractOptions()), "report.txt", data)
    fields = result.model_dump(mode="json")["fields"]
    t4 = [k for k in report.answer if k.startswith("t4.")]
    assert len(t4) == 15
    assert [k for k, _, _ in wrong_fields(report.answer, {"fields": fields}) if k in t4] == []
    assert all(fields[k]["confidence"] >= 0.9 for k in t4)


_RESULTS = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
_GROUPS = ["行政复议", "行政诉讼（未经复议直接起诉）", "行政诉讼（复议后起诉）"]


def _as_laid_out(values: list[str], layout: str) -> str:
    """Table 4's fifteen values laid out otherwise than the form's one row, as reports do."""
    if layout == "a cell to a row":
        return "| 类别 | 结果 | 数量 |\n|---|---|---|\n" + "\n".join(
            f"| {_GROUPS[k // 5]} | {_RESULTS[k % 5]} | {v} |" for k, v in enumerate(values))
    if layout == "a cell to a row, each group once":
        return "| 类别 | 结果 | 数量 |\n|---|---|---|\n" + "\n".join(
            f"| {_GROUPS[k // 5] if k % 5 == 0 else ''} | {_RESULTS[k % 5]} | {v} |" for k, v in enumerate(values))
    if layout == "a cell to a row, groups merged":
        return "<table><tr><td>类别</td><td>结果</td><td>数量</td></tr>" + "".join(
            "<tr>" + (f'<td rowspan="5">{_GROUPS[k // 5]}</td>' if k % 5 == 0 else "")
            + f"<td>{_RESULTS[k % 5]}</td><td>{v}</td></tr>" for k, v in enumerate(values)) + "</table>"
    if layout == "a row number and remarks":  # 序号 first, 备注 last (a remark holding figures)
        remarks = {4: "含上年结转1件", 8: "截至2023年1月尚未判决"}
        return "<table><tr><td>序号</td><td>类别</td><td>结果</td><td>数量</td><td>备注</td></tr>" + "".join(
            f"<tr><td>{k + 1}</td>" + (f'<td rowspan="5">{_GROUPS[k // 5]}</td>' if k % 5 == 0 else "")
            + f"<td>{_RESULTS[k % 5]}</td><td>{v}</td><td>{remarks.get(k, '')}</td></tr>"
            for k, v in enumerate(values)) + "</table>"
    if layout == "groups named mid-way":  # a merged label set in its cell's middle, as PDFs print it
        return "| 类别 | 结果 | 数量 |\n|---|---|---|\n" + "\n".join(
            f"| {_GROUPS[k // 5] if k % 5 == 2 else ''} | {_RESULTS[k % 5]} | {v} |" for k, v in enumerate(values))
    if layout == "the form turned":  # its header down the left, the review's result cells two wide
        def row(k: int, v: str) -> str:
            g, r = divmod(k, 5)
            if g == 0:
                return f"| {'行政复议' if r == 0 else ''} | {_RESULTS[r]} |  | {v} |"
            lawsuit = "行政诉讼" if k == 5 else ""
            return f"| {lawsuit} | {['', '未经复议直接起诉', '复议后起诉'][g] if r == 0 else ''} | {_RESULTS[r]} | {v} |"
        rows = [row(k, v) for k, v in enumerate(values)]
        return "\n".join([rows[0], "|---|---|---|---|", *rows[1:]])  # (a converter's first row heads it)
    if layout == "results down":
        return "| 结果 | " + " | ".join(_GROUPS) + " |\n|---|---|---|---|\n" + "\n".join(
            f"| {r} | {values[k]} | {values[5 + k]} | {values[10 + k]} |" for k, r in enumerate(_RESULTS))
    assert layout == "groups down"
    return "| 类别 | " + " | ".join(_RESULTS) + " |\n|---|---|---|---|---|---|\n" + "\n".join(
        f"| {g} | " + " | ".join(values[5 * k:5 * k + 5]) + " |" for k, g in enumerate(_GROUPS))


def _with_table4(seed: int, lay_out):
    """A report in Markdown with its table 4 replaced by `lay_out(values)`, read: the report, table
    4's keys, and the result."""
    report = build_report(synth_answers(seed), seed=seed)
    text = render_text(report, "markdown", seed=seed).text
    start = text.index("| 行政复议")
    end = text.index("\n\n", start)
    keys = [k for k in report.answer if k.startswith("t4.")]
    values = ["" if report.answer[k] is None else str(report.answer[k]) for k in keys]
    assert any(v not in ("", "0") for v in values)
    data = (text[:start] + lay_out(values) + text[end:]).encode()
    return report, keys, extract_document(read_document(data, ExtractOptions()), "report.md", data)


@pytest.mark.parametrize("layout", ["a cell to a row", "a cell to a row, each group once",
                                    "a cell to a row, groups merged", "results down", "groups down",
                                    "the form turned", "a row number and remarks", "groups named mid-way"])
@pytest.mark.parametrize("seed", [30011, 30012])
def test_table_4_laid_out_otherwise_than_one_row_is_read_by_its_labels(layout, seed):
    """Table 4 set out a cell to a row, or a result or a group to a row: each value read by its
    labels. (Read as the form's row, a cell to a row gave its first value alone, and the other
    fourteen cells were taken for zeros and accepted.)"""
    report, keys, result = _with_table4(seed, lambda values: _as_laid_out(values, layout))
    fields = result.model_dump(mode="json")["fields"]
    assert [k for k, _, _ in wrong_fields(report.answer, {"fields": fields}) if k in keys] == []
    assert all(fields[k]["confidence"] >= 0.9 for k in keys)


def test_table_4_laid_out_in_a_way_not_known_is_held_for_review():
    """A cell to a row under labels the reader does not know (维持, 纠正...): the first row's value
    is the only one the form's row takes, and fourteen numbers stand after it, so every cell of
    table 4 goes to review, none taken for a zero and accepted."""
    short = ["维持", "纠正", "其他", "未结", "合计"]
    _, keys, result = _with_table4(30011, lambda values: "| 类别 | 结果 | 数量 |\n|---|---|---|\n" + "\n".join(
        f"| {_GROUPS[k // 5]} | {short[k % 5]} | {v} |" for k, v in enumerate(values)))
    assert all(result.fields[k].confidence < 0.9 for k in keys)
    assert any("held for review" in w for w in result.warnings)


def test_a_header_printed_twice_over_no_number_is_not_an_empty_table():
    """Table 4's header with nothing under it is a table printing its zeros blank, where no word
    was lost; the header printed again after it (overlapping screenshots, a table broken over a
    page) is the same table going on, its row lost to OCR, not printed empty."""
    from extraction.table4 import printed_empty
    from extraction.tokens import Token

    header = ["四、政府信息公开行政复议、行政诉讼情况", "行政复议", "行政诉讼", "未经复议直接起诉", "复议后起诉",
              "结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    once = [Token(text, n, None, page=1) for n, text in enumerate(header)]
    twice = once + [Token(text, 20 + n, None, page=2) for n, text in enumerate(header)]
    assert printed_empty(once, frozenset())
    assert not printed_empty(twice, frozenset())
