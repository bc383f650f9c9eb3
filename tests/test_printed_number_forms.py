"""Numbers as offices print them beyond plain digits, through the real pipeline on every exact-grid
reader: the 2019 form's 本年增/减 with a plus sign ("+2", "＋2"), and numbers typed in Word's
full-width mode with a full-width point ("０．３６"). And a web page's information table that puts
发布日期 and the date in cells of their own."""
import json
import re
from dataclasses import replace

import pytest

from extraction.pipeline import extract
from tests.synth import docx_report, html_report
from tests.synth.form import build_report, synth_answers, wrong_fields
from tests.synth.text_report import render_text

COLUMNS = ("natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org", "total")
RENDERERS = {
    "html": lambda report: (html_report.render(report, seed=3), "report.html"),
    "docx": lambda report: (docx_report.render(report), "report.docx"),
    "markdown": lambda report: (render_text(report, "markdown", seed=3).data, "report.md"),
    "aligned": lambda report: (render_text(report, "aligned", seed=3).data, "report.txt"),
}


def _fields(report, renderer):
    data, name = RENDERERS[renderer](report)
    return json.loads(extract(data, name).model_dump_json())["fields"]


@pytest.mark.parametrize("renderer", RENDERERS)
def test_a_unit_in_brackets_after_a_figure_is_its_unit(renderer):
    """4（件）, 7(件): the unit bracketed in the cell was taken for a label, and its row's figures
    short of one."""
    fields = synth_answers(43, template="2021")
    fields.update({"t2.normative_docs.repealed": 4, "t3.granted.natural_person": 7})
    report = build_report(fields, seed=43, misprint={"t2.normative_docs.repealed": "4（件）",
                                                      "t3.granted.natural_person": "7(件)"})
    got = _fields(report, renderer)
    assert wrong_fields(report.answer, {"fields": got}) == []
    assert got["t2.normative_docs.repealed"]["unit"] == "件"


@pytest.mark.parametrize("renderer", RENDERERS)
def test_plus_signed_changes_of_the_2019_form_are_read(renderer):
    fields = synth_answers(41, template="2019")
    changes = {"t2.licensing.change": 2, "t2.penalty.change": 1, "t2.coercion.change": 3,
               "t2.other_services.change": 12}
    fields.update(changes)
    misprint = {"t2.licensing.change": "+2", "t2.penalty.change": "＋1", "t2.coercion.change": "+3",
                "t2.other_services.change": "＋12"}
    report = build_report(fields, seed=41, misprint=misprint)
    got = _fields(report, renderer)
    assert wrong_fields(report.answer, {"fields": got}) == []
    for key, value in changes.items():
        row = key.rsplit(".", 1)[0]
        assert got[key]["value"] == value and got[key]["confidence"] >= 0.9, (key, got[key])
        # the row's other cells stay where they are printed
        for col in ("prev_items", "decisions"):
            assert got[f"{row}.{col}"]["value"] == report.answer[f"{row}.{col}"]


@pytest.mark.parametrize("renderer", RENDERERS)
@pytest.mark.parametrize("printed,value", [("０．３６", 0.36), ("１２０３．４５", 1203.45), ("０．００", 0)])
def test_full_width_decimal_point_is_a_point(renderer, printed, value):
    fields = synth_answers(42, template="2021")
    fields["t2.fees.amount"] = value
    report = build_report(fields, seed=42, misprint={"t2.fees.amount": printed})
    got = _fields(report, renderer)
    assert wrong_fields(report.answer, {"fields": got}) == []
    assert got["t2.fees.amount"]["value"] == value and got["t2.fees.amount"]["confidence"] >= 0.9


@pytest.mark.parametrize("seed", [43, 44])
def test_published_date_in_the_cell_after_its_label_on_a_web_page(seed):
    fields = synth_answers(seed, template="2021")
    fields["meta.published_date"] = "2024-03-23"
    report = build_report(fields, seed=seed)
    # the date only in the page's information table, not under the signature
    report = replace(report, signature=report.signature[:1])
    page = html_report.render(report, seed=seed).decode()
    info = '<div class="info">发布日期：2024-03-23'
    assert info in page
    page = page.replace(info, '<table class="info"><tr><td>发布日期：</td><td>2024-03-23</td>'
                              '<td>来源：</td><td>本机关</td></tr></table><div class="info">')
    got = json.loads(extract(page.encode(), "report.html").model_dump_json())["fields"]
    assert got["meta.published_date"]["value"] == "2024-03-23"
    assert got["meta.published_date"]["confidence"] >= 0.9


def _text_fields(report, shape, name="report.txt"):
    data = render_text(report, shape, seed=3).data
    return json.loads(extract(data, name).model_dump_json())["fields"]


def test_rows_set_out_with_spaces_read_ocr_look_alikes_separators_and_units():
    """A scan's OCR text, or a converter's, sets a row's cells apart with spaces: each number as the
    page printed or OCR misread it must still be one cell."""
    fields = synth_answers(45, template="2019")
    fields.update({"t2.licensing.decisions": 23260, "t2.penalty.prev_items": 3341, "t2.penalty.change": -1,
                   "t2.coercion.decisions": 0, "t2.fees.prev_items": 0, "t4.review.pending": 0,
                   "t2.procurement.amount": 25.5691})
    misprint = {"t2.licensing.decisions": "23,260", "t2.penalty.prev_items": "334l", "t2.penalty.change": "-I",
                "t2.coercion.decisions": "o", "t2.fees.prev_items": "口", "t4.review.pending": "口",
                "t2.procurement.amount": "25.569l万元"}
    report = build_report(fields, seed=45, misprint=misprint)
    got = _text_fields(report, "aligned")
    wrong = wrong_fields(report.answer, {"fields": got})
    assert wrong == []
    silent = [k for k, _, _ in wrong if got.get(k, {}).get("confidence", 0) >= 0.9]
    assert silent == []


def test_web_page_information_block_above_the_title_is_not_the_title():
    """索引号 / 发布机构 / 发布日期 / 标题 lines as a government site prints them above the report: the
    report's year is the title's, not the year of the 发布日期 line, and the agency carries no label."""
    fields = synth_answers(46, template="2019")
    report = build_report(fields, seed=46)
    year, agency = report.answer["meta.year"], report.answer["meta.agency"]
    published = report.answer["meta.published_date"]  # as the signature dates it
    y, m, d = published.split("-")
    block = (f"索引号：11130600MB1234567X/{year + 1}-00012\n信息分类：政府信息公开年报\n发布机构：{agency}\n"
             f"发布日期：{y}年{m}月{d}日\n标题：{report.title}\n\n")
    data = (block + render_text(report, "per_line", seed=3).text).encode()
    got = json.loads(extract(data, "report.txt").model_dump_json())["fields"]
    assert got["meta.year"]["value"] == year
    assert got["meta.agency"]["value"] == agency
    assert (got["meta.published_date"]["value"], got["meta.published_date"]["confidence"]) == (published, 0.95)


def test_title_with_its_year_in_chinese_numerals():
    fields = synth_answers(47, template="2021")
    report = build_report(fields, seed=47)
    year, agency = report.answer["meta.year"], report.answer["meta.agency"]
    cn = "".join("〇一二三四五六七八九"[int(d)] for d in str(year))
    text = render_text(report, "tsv", seed=3).text
    # the title is where the text first names the year
    assert text.index(f"{year}年") < text.index("信息公开")
    text = text.replace(f"{year}年", f"{cn}年", 1)
    got = json.loads(extract(text.encode(), "report.txt").model_dump_json())["fields"]
    assert got["meta.year"]["value"] == year
    assert got["meta.agency"]["value"] == agency


def _wrap(line: str, at: str, *, values_on_first: bool) -> str:
    """`line` (a label, then its numbers set out with spaces) with its label broken after `at`."""
    head, rest = line.split(at, 1)
    tail, numbers = re.match(r"(\S+)(.*)$", rest).groups()
    if values_on_first:
        return f"{head}{at}{numbers}\n{tail}"
    return f"{head}{at}\n{tail}{numbers}"


@pytest.mark.parametrize("values_on_first", [False, True])
def test_row_labels_wrapped_onto_the_next_line_keep_their_numbers(values_on_first):
    """A converter wraps a long row label; its numbers stay with the head or go with the tail."""
    fields = synth_answers(48, template="2021")
    report = build_report(fields, seed=48)
    lines = render_text(report, "aligned", seed=3).text.split("\n")
    wraps = {"一、本年新收政府信息公开申请数量": "申请", "二、上年结转政府信息公开申请数量": "信息公",
             "5.要求行政机关确认或重新出具已获取信息": "确认或重新",
             "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请": "申请人无正当"}
    done = 0
    for n, line in enumerate(lines):
        for label, at in wraps.items():
            if label in line and re.search(r"\d\s*$", line):
                lines[n] = _wrap(line, at, values_on_first=values_on_first)
                done += 1
    assert done == len(wraps)
    data = "\n".join(lines).encode()
    got = json.loads(extract(data, "report.txt").model_dump_json())["fields"]
    assert wrong_fields(report.answer, {"fields": got}) == []
    for row in ("t3.received_new", "t3.carried_over", "t3.not_processed.confirmation",
                "t3.other_handling.overdue_correction"):
        assert {got[f"{row}.{c}"]["status"] for c in COLUMNS} == {"read"}


def _report_text(seed, shape):
    report = build_report(synth_answers(seed, template="2021"), seed=seed)
    return report, render_text(report, shape, seed=3).text


def _assert_read(report, text):
    got = json.loads(extract(text.encode(), "report.txt").model_dump_json())["fields"]
    assert wrong_fields(report.answer, {"fields": got}) == []
    return got


def test_wrapped_label_one_cell_per_line():
    """A PDF's text layer dumped one cell to a line wraps a long label as the cell did."""
    report, text = _report_text(49, "per_line")
    label = "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"
    assert label in text
    text = text.replace(label, "（二）部分公开（区分处理的，只计这一情\n形，不计其他情形）")
    got = _assert_read(report, text)
    # read from the row itself, not inferred from the form's sums
    assert {got[f"t3.partially_granted.{c}"]["status"] for c in COLUMNS} == {"read"}


def test_label_wrapped_over_three_lines_with_the_numbers_on_the_middle_one():
    report, text = _report_text(50, "aligned")
    lines = text.split("\n")
    n = next(n for n, ln in enumerate(lines) if "1.申请人无正当理由逾期不补正" in ln)
    numbers = re.search(r"申请(\s+[\d\s]+)$", lines[n]).group(1)
    lines[n:n + 1] = ["1.申请人无正当理由逾期不补正、", f"行政机关不再处理其政府信息公开{numbers}", "申请"]
    got = _assert_read(report, "\n".join(lines))
    assert {got[f"t3.other_handling.overdue_correction.{c}"]["status"] for c in COLUMNS} == {"read"}


def test_characters_of_a_vertical_label_after_a_rows_numbers():
    """A layout-keeping converter sets the next column's characters (a group label printed down the
    table's first column) on the line of the row they stand beside, after its numbers."""
    report, text = _report_text(51, "aligned")
    lines = text.split("\n")
    rows = [n for n, ln in enumerate(lines) if re.search(r"(属于三类内部事务信息|没有现成信息需要另行制作)\s.*\d$", ln)]
    assert len(rows) == 2
    for n, stray in zip(rows, ("开", "本年")):
        lines[n] += "     " + stray
    got = _assert_read(report, "\n".join(lines))
    for row in ("t3.denied.internal_affairs", "t3.unavailable.needs_creation"):
        assert {got[f"{row}.{c}"]["status"] for c in COLUMNS} == {"read"}


def _two_digit_count(fields: dict) -> str:
    return next(k for k, v in fields.items() if k.startswith("t3.") and k.endswith(".natural_person")
                and isinstance(v, int) and 10 <= v <= 99 and v % 10)


@pytest.mark.parametrize("renderer", ["html", "markdown"])
def test_a_count_read_with_a_point_between_its_digits_is_its_digits(renderer):
    """OCR reads a speck between two digits as a point (11 as "1.1", seen in a stacked scan). A
    count has no fraction: its digits are the number, and the rules that hold then accept it."""
    fields = synth_answers(42, template="2021")
    key = _two_digit_count(fields)
    printed = f"{fields[key] // 10}.{fields[key] % 10}"
    report = build_report(fields, seed=42, misprint={key: printed})
    data, name = RENDERERS[renderer](report)
    result = extract(data, name)
    got = result.fields[key]
    assert (got.value, got.status, got.raw) == (fields[key], "corrected", printed)
    assert got.confidence >= 0.9
    assert any(w.startswith(f"{key}: {printed} read as {fields[key]}") for w in result.warnings)
    assert wrong_fields(report.answer, json.loads(result.model_dump_json())) == []


def test_a_count_whose_digits_break_the_rules_stays_in_review_and_an_amount_keeps_its_point():
    fields = synth_answers(42, template="2021")
    key = _two_digit_count(fields)
    report = build_report(fields, seed=42, misprint={key: f"{fields[key]}.5", "t2.fees.amount": "1.5"})
    result = extract(*RENDERERS["html"](report))
    assert result.fields[key].value == fields[key] * 10 + 5 and result.fields[key].confidence < 0.9
    assert result.fields["t2.fees.amount"].value == 1.5


def test_a_letter_read_for_a_digit_between_a_rows_numbers_keeps_its_column():
    """A fax's 6 read as G in table 4's row of fifteen: alone, G is no number, and as a label it
    had ended the row (the five cells after it lost). Between two numbers of a table's row it is
    the digit it looks like, doubted; the cells after it keep their columns."""
    fields = synth_answers(116, template="2021")
    key = "t4.review.total"
    assert fields[key] == 6
    report = build_report(fields, seed=116, misprint={key: "G"})
    result = extract(*RENDERERS["html"](report))
    assert result.fields[key].value == 6 and result.fields[key].confidence < 0.9
    t4 = [k for k in fields if k.startswith("t4.") and k != key]
    assert [k for k in t4 if result.fields[k].value != fields[k] or result.fields[k].confidence < 0.9] == []


@pytest.mark.parametrize("renderer", RENDERERS)
def test_a_unit_after_every_figure_and_a_figure_s_note_mark_are_not_its_text(renderer):
    """Some offices print a unit after each figure (0件, 3 项), so that a row of zeros repeats one
    text across its cells and down its columns, as a converter repeats a merged label's; and a
    figure may carry a mark to a note under its table (12*, 12＊, 12※). Each is the figure."""
    import random

    fields = synth_answers(47, template="2021")
    rng = random.Random(47)
    counts = [k for k, v in fields.items() if k.startswith(("t2.", "t3.", "t4."))
              and isinstance(v, int) and not isinstance(v, bool)]
    misprint = {k: f"{fields[k]}{rng.choice(['件', '件', '项', ' 件'])}" for k in counts if k.startswith("t3.")}
    misprint.update({k: f"{fields[k]}{rng.choice(['*', '＊', '※'])}" for k in counts if not k.startswith("t3.")})
    report = build_report(fields, seed=47, misprint=misprint)
    got = _fields(report, renderer)
    assert wrong_fields(report.answer, {"fields": got}) == []
    assert [k for k in counts if got[k]["confidence"] < 0.9] == []
