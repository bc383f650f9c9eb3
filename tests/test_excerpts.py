"""Parts of a report (a photo of one page, a screenshot of one table, some pages of a PDF): the
answer holds the keys of the rows the part prints, not the whole form's with the rest missing."""
from __future__ import annotations

import json

import pymupdf
import pytest

from extraction.pipeline import extract
from tests.synth.form import build_report, synth_answers, wrong_fields
from tests.synth.pdf_report import render_pdf
from tests.synth.text_report import render_text

T4_HEADING = "四、政府信息公开行政复议"


def _report_text(seed: int, template: str = "2021"):
    report = build_report(synth_answers(seed, template=template), seed=seed)
    return report, render_text(report, "tsv", seed=3).text


def _table(answer: dict, table: str) -> dict:
    return {k: v for k, v in answer.items() if k.startswith(table + ".")}


def _wrong(expected: dict, got) -> list:
    return wrong_fields(expected, json.loads(got.model_dump_json()))


@pytest.mark.parametrize("template", ["2021", "2019"])
def test_table_3s_page_alone_answers_table_3_and_its_form(template):
    """Table 3 from its heading to table 4's: its keys and which form its (六) rows follow (three
    sub-rows, or the 2019 form's one row), table 2 not being there to say it; not tables 2 and 4,
    nor the agency, year and date that other pages print."""
    report, text = _report_text(71, template)
    part = text[text.index("三、收到和处理"):text.index(T4_HEADING)]
    got = extract(part.encode(), "page2.txt")
    t3 = _table(report.answer, "t3")
    assert set(got.fields) == set(t3) | {"meta.template"}
    assert _wrong(t3, got) == []
    assert got.fields["meta.template"].value == template
    assert any("part of a report" in w and "tables 2 and 4 are not in it" in w for w in got.warnings)


def test_table_3_cut_at_the_pages_edge_answers_the_rows_printed():
    """Pages 2-3 of four: table 2 whole, table 3 to its （四）无法提供 rows, where the part ends. The
    rows after are on the next page, not missing from these; those before are all read."""
    report, text = _report_text(72)
    lines = text[text.index("二、主动公开"):].splitlines()
    end = next(i for i, line in enumerate(lines) if "3.补正后申请内容仍不明确" in line)
    got = extract("\n".join(lines[:end + 1]).encode(), "pages2-3.txt")
    kept = [r for r in ("received_new", "carried_over", "granted", "partially_granted", "denied.", "unavailable.")]
    t3 = {k: v for k, v in _table(report.answer, "t3").items() if k[3:].startswith(tuple(kept))}
    expected = {**_table(report.answer, "t2"), **t3}
    assert {k for k in got.fields if not k.startswith("meta.")} == set(expected)
    assert _wrong(expected, got) == []
    assert not any(k.startswith("t4.") or k.startswith("t3.not_processed") for k in got.fields)


def test_a_page_from_table_4s_header_on_is_table_4_not_table_3s_total():
    """The page after table 4's heading (a photo of the report's last page): its header's 总计
    cells are not table 3's (七)总计, and its row of figures is table 4's."""
    report, text = _report_text(73)
    after_heading = text[text.index(T4_HEADING):].split("\n", 1)[1]
    got = extract(after_heading.encode(), "page4.txt")
    t4 = _table(report.answer, "t4")
    assert sum(1 for v in t4.values() if v) >= 3
    assert {k for k in got.fields if not k.startswith("meta.")} == set(t4)
    assert _wrong(t4, got) == []


def test_a_whole_report_that_lost_table_4_keeps_its_keys_missing():
    """Table 4 and its heading gone from between table 3 and section 五: the report is whole (its
    beginning and end are there), so table 4's cells are missing, for review, not left out."""
    report, text = _report_text(74)
    whole = text[:text.index(T4_HEADING)] + text[text.index("五、存在的主要问题"):]
    got = extract(whole.encode(), "report.txt")
    assert set(got.fields) == set(report.answer)
    assert all(got.fields[k].status == "missing" for k in _table(report.answer, "t4"))
    assert not any("part of a report" in w for w in got.warnings)


def test_a_photo_of_table_4_under_its_heading_on_the_page_before():
    """A screenshot of table 4's page cropped under its heading (the heading on the page before):
    table 4 is read by OCR from its header, and nothing else is claimed of the page."""
    report = build_report(synth_answers(75, template="2021"), seed=75)
    doc = pymupdf.open(stream=render_pdf(report, furniture=None), filetype="pdf")
    page = next(p for p in doc if p.search_for(T4_HEADING))
    heading = page.search_for(T4_HEADING)[0]
    pix = page.get_pixmap(dpi=200, colorspace=pymupdf.csGRAY,
                          clip=pymupdf.Rect(0, heading.y1 + 4, page.rect.width, page.rect.height))
    assert page.search_for("复议后起诉"), "table 4 starts on the heading's page"
    got = extract(pix.tobytes("png"), "page4.png")
    t4 = _table(report.answer, "t4")
    assert {k for k in got.fields if not k.startswith("meta.")} == set(t4)
    assert _wrong(t4, got) == []


def test_pages_from_table_2s_last_row_on_answer_that_row_and_the_year_their_prose_names():
    """Pages 2-3 of three: table 2's last row at the top (its heading and first rows on page 1),
    tables 3 and 4, sections 五 and 六. Table 2's rows before are page 1's; the year is the one
    sections 五 and 六 speak of, the title and section 一 not being in it."""
    report, text = _report_text(76)
    part = text[text.index("第二十条第（八）项"):]
    got = extract(part.encode(), "pages2-3.txt")
    expected = {"t2.fees.amount": report.answer["t2.fees.amount"], **_table(report.answer, "t3"),
                **_table(report.answer, "t4")}
    assert {k for k in got.fields if not k.startswith("meta.")} == set(expected)
    assert _wrong(expected, got) == []
    assert got.fields["meta.year"].value == report.answer["meta.year"]
    # the date under the report is on its last page; the agency is named only by the title
    assert got.fields["meta.published_date"].value == report.answer["meta.published_date"] == "2023-02-02"
    assert "meta.agency" not in got.fields


def test_page_1_cut_inside_table_2_answers_its_rows_not_table_4():
    """Page 1: the title, section 一 and table 2 to its 行政处罚 row. Table 2's figures are not
    table 4's (whose heading and header are not in it), and the rows after are on page 2."""
    report, text = _report_text(77)
    lines = text.splitlines()
    end = next(i for i, line in enumerate(lines) if line.startswith("行政处罚"))
    got = extract("\n".join(lines[:end + 1]).encode(), "page1.txt")
    expected = {k: v for k, v in _table(report.answer, "t2").items()
                if k.split(".")[1] in ("rules", "normative_docs", "licensing", "penalty")}
    assert {k for k in got.fields if not k.startswith("meta.")} == set(expected)
    assert _wrong(expected, got) == []
    assert got.fields["meta.year"].value == report.answer["meta.year"]


def test_a_part_begins_where_its_figures_do_not_at_a_piece_of_a_label():
    """A screenshot scrolled into table 3: the piece 予公开 of (三)不予公开's cell at the top, then
    the rows from 5.属于三类内部事务信息 on. 予公开 is no (一)予以公开 row to begin the part with."""
    report, text = _report_text(78)
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if "5.属于三类内部事务信息" in line)
    got = extract("\n".join(["予公开", *lines[start:]]).encode(), "screen.txt")
    shown = ("denied.internal_affairs", "denied.process_info", "denied.enforcement_file", "denied.query_matter",
             "unavailable.", "not_processed.", "other_handling.", "total_handled.", "carried_forward.")
    expected = {**{k: v for k, v in _table(report.answer, "t3").items() if k[3:].startswith(shown)},
                **_table(report.answer, "t4")}
    assert {k for k in got.fields if not k.startswith("meta.")} == set(expected)
    assert _wrong(expected, got) == []


def test_a_taskbars_clock_date_is_not_the_reports():
    """A screenshot's last lines: the taskbar's tray and clock, the date under the time. The report
    printed no date: that is what the answer says."""
    report, text = _report_text(80)
    assert report.answer["meta.published_date"] is None
    got = extract((text + "\n^ 中 12:31\n2025/11/22\n").encode(), "screen.txt")
    assert got.fields["meta.published_date"].value is None


def test_a_last_pages_year_is_its_prose_not_its_signing_date():
    """The last page (table 4, sections 五 and 六, the date signed): it names the year reported on
    once, 2023年, and stands under a date of the next year, 2024年1月26日, which says when it was
    signed, not which year it reports on."""
    report, text = _report_text(82)
    assert (report.answer["meta.year"], report.answer["meta.published_date"]) == (2023, "2024-01-26")
    part = text[text.index(T4_HEADING):].replace("2023年我局政府信息公开工作取得", "我局政府信息公开工作取得")
    assert part.count("2023年") == 1 and "2024年1月26日" in part
    got = extract(part.encode(), "page3.txt")
    assert got.fields["meta.year"].value == 2023
    assert got.fields["meta.published_date"].value == "2024-01-26"


def test_a_phones_scrolling_screenshot_keeps_its_titles_strokes():
    """A report's web page captured whole on a phone: one image 1,080 px wide and many times as
    tall, its type large for its width. Taken for an A4 page, the title's and the date's strokes
    are as long as a table's short rulings, and two strokes of one character meet as rulings do:
    erased as rulings, they left 洛阳r交通运输局 and no date. Every field is read."""
    from tests.synth import html_report
    from tests.synth.scan import phone_screenshot

    report = build_report(synth_answers(81, template="2021"), seed=81)
    got = extract(phone_screenshot(html_report.render(report, layout=False).decode()), "screenshot.png")
    assert _wrong(report.answer, got) == []
    assert got.fields["meta.agency"].confidence >= 0.9
