"""Reports among content that looks like theirs: a table of contents listing the six headings,
last year's table 3 printed after this year's for comparison, an appendix of other statistics
run into the signature's lines. The report's own sections, tables and signature are still read."""
from __future__ import annotations

import json

import pytest

from extraction.pipeline import extract
from tests.synth.form import build_report, synth_answers, wrong_fields
from tests.synth.text_report import render_text

_HEADINGS = ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
             "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]


def _report(seed: int):
    answers = synth_answers(seed, template="2021")
    return answers, build_report(answers, seed=seed)


def _text(report) -> str:
    return render_text(report, "tsv", seed=3).text


def _read(text: str) -> dict:
    return json.loads(extract(text.encode(), "report.txt").model_dump_json())


def _after_title(text: str) -> int:
    """Where the report's text begins after its title (over one line or two): its preamble."""
    return text.index("根据《")


def _accepted_wrong(answers: dict, out: dict) -> list:
    return [(k, a, b) for k, a, b in wrong_fields(answers, out) if out["fields"].get(k, {}).get("confidence", 0) >= 0.9]


@pytest.mark.parametrize("contents", [
    # a Word file's: each entry its line, leader dots and its page
    "\n".join(f"{h}……………………{p}" for h, p in zip(_HEADINGS, (1, 1, 2, 3, 4, 4))) + "\n附件：相关统计表……………5",
    # a web page's: the page number in a cell of its own
    "\n".join(f"{h}\t{p}" for h, p in zip(_HEADINGS, (1, 1, 2, 3, 4, 4))),
    # OCR's, under its heading 目录: the dots lost, a page number run into the next entry's line
    "目录\n、总体情况\n1二、主动公开政府信息情况\n1\n三、收到和处理政府信息公开申请情况.\n"
    "1四、政府信息公开行政复议、行政诉讼情况\n2五、存在的主要问题及改进情况.\n2六、其他需要报告的事项\n3附件：相关统计表.\n3",
], ids=["leader-dots", "page-cells", "ocr-under-its-heading"])
def test_a_table_of_contents_is_not_the_reports_sections(contents):
    """Without care, the contents' six headings were taken as the report's sections (the report
    then held no table: refused as no report), or one of them as section 三's start."""
    answers, report = _report(9501)
    text = _text(report)
    at = _after_title(text)
    out = _read(text[:at] + contents + "\n\n" + text[at:])
    assert len(wrong_fields(answers, out)) <= 2
    assert not _accepted_wrong(answers, out)
    assert sum(f["confidence"] >= 0.9 for f in out["fields"].values()) >= 0.95 * len(out["fields"])


def test_a_link_named_contents_over_a_report_that_begins_at_once():
    """A web page's link 目录 (back to the site's list) right over the report's first heading: no
    table of contents follows it, and 一、总体情况 is the report's own."""
    answers, report = _report(9505)
    text = _text(report)
    at = text.index("一、总体情况")
    out = _read(text[:at] + "目录\n\n" + text[at:])
    assert not wrong_fields(answers, out)
    assert out["sections"]["overview"].startswith(f"{answers['meta.year']}年")  # section 一's own text


def test_last_years_table3_after_this_years_is_not_read():
    """Table 3 followed, in its section, by last year's for comparison (为便于对比… / 附：2020年度收到
    和处理政府信息公开申请情况 / its table): this year's figures are read, none of last year's."""
    answers, report = _report(9502)
    _, last_year = _report(9503)
    text, other = _text(report), _text(last_year)
    year = answers["meta.year"]
    copy = other[other.index("本列数据的勾稽关系"):other.index("四、政府信息公开行政复议")]
    at = text.index("四、政府信息公开行政复议")
    lead = f"为便于对比，现将{year - 1}年度收到和处理政府信息公开申请情况列示如下：\n附：{year - 1}年度收到和处理政府信息公开申请情况\n"
    out = _read(text[:at] + lead + copy + text[at:])
    assert not wrong_fields(answers, out)
    assert sum(f["confidence"] >= 0.9 for f in out["fields"].values() if f) >= 0.95 * len(out["fields"])


def test_table3_partly_printed_twice_with_no_year_is_read_whole():
    """A page scanned twice: table 3's first part stands again before its second. No line gives the
    second copy to another year, so neither copy is cut away: the rows after it are still read."""
    answers, report = _report(9506)
    text = _text(report)
    start, cut = text.index("本列数据的勾稽关系"), text.index("\t（四）无法提供")
    out = _read(text[:cut] + "\n" + text[start:cut] + text[cut:])
    assert not wrong_fields(answers, out)


@pytest.mark.parametrize("dated", [True, False])
def test_an_appendix_heading_run_into_the_signatures_line(dated):
    """The report's statistical appendix begins on the line after the signature's date (or its
    name, undated), and a PDF's paragraph ran them into one line (2023年1月20日附件：相关统计表).
    The date and the agency (named by the signature alone: the title names none) are still the
    signature's."""
    answers, report = _report(9504)
    agency, year = answers["meta.agency"], answers["meta.year"]
    text = _text(report)
    text = f"{year}年政府信息公开工作年度报告" + text[text.index("\n"):]
    agency = agency[0] if isinstance(agency, list) else agency
    six = text.index("六、其他需要报告的事项")
    end = text.index("\n\n", text.index("\n\n", six) + 2)
    tail = (f"{agency}\n{year + 1}年1月20日附件：相关统计表\n" if dated else f"{agency}附件：相关统计表\n")
    appendix = f"附表1 {year}年主动公开政府信息分类统计表\n类别\t信息数量\n政策文件\t12\n工作动态\t30\n合计\t42\n"
    out = _read(text[:end] + "\n\n" + tail + appendix)
    assert out["fields"]["meta.agency"]["value"] == agency and out["fields"]["meta.agency"]["confidence"] >= 0.9
    date = out["fields"]["meta.published_date"]
    assert date["value"] == (f"{year + 1}-01-20" if dated else None)
    if dated:
        assert date["confidence"] >= 0.9
