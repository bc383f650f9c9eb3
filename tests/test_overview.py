"""The overview's count of applications held against table 3: an empty table beside a stated
count is held for review; a quiet year, which states none, is not."""
from __future__ import annotations

import re
from dataclasses import replace

import pytest

from extraction.overview import rows_stated_none, stated_applications
from extraction.pipeline import extract
from tests.synth import html_report
from tests.synth.form import build_report, synth_answers


@pytest.mark.parametrize("text, count", [
    ("（二）依申请公开。2022年共收到政府信息公开申请18件，均在法定期限内答复", 18),
    ("全年新收政府信息公开申请7件，上年结转2件，结转下年度继续办理2件", 7),
    ("共收到申请人提交的政府信息公开申请 12 件，办结10件", 12),
    ("2022年我局未收到政府信息公开申请。", None),
    ("截至12月31日,我局没有收到有关政府信息公开的申请", None),
    ("收到政府信息公开申请5件（其中自然人3件），共收到申请8件", None),  # two counts: no word on it
    ("（二）依申请公开。全年共收到申请 9 件，均按时答复", 9),
    ("全年共收到群众来信来访申请12件，均已办结", None),  # not about disclosure
])
def test_the_count_the_overview_states(text, count):
    assert stated_applications(text) == count


def _t3_fields(result):
    return {k: f for k, f in result.fields.items() if k.startswith("t3.")}


def test_an_empty_table_3_beside_a_stated_count_is_held_for_review():
    """Table 3's figures lost (as a grid that swallows the table loses them) read as printed
    blanks, and were all accepted, while the overview says 20 applications came in."""
    answer = synth_answers(42, template="2021")
    assert answer["t3.received_new.total"] == 20
    report = build_report(answer, seed=42)
    t3 = report.tables["t3"]
    report.tables["t3"] = replace(t3, cells=[replace(c, text="") if re.fullmatch(r"\d+", c.text.strip()) else c
                                             for c in t3.cells])
    result = extract(html_report.render(report, seed=42), "report.html")
    fields = _t3_fields(result)
    assert all(f.value in (None, 0) for f in fields.values())
    assert not [k for k, f in fields.items() if f.confidence >= 0.9]
    assert any("overview states 20 applications" in w for w in result.warnings)


def test_a_quiet_year_keeps_its_empty_table_3():
    answer = synth_answers(41, template="2021")
    assert answer["t3.received_new.total"] == 0  # its overview: 新收政府信息公开申请0件
    result = extract(html_report.render(build_report(answer, seed=41, blank_zeros=True), seed=41), "report.html")
    fields = _t3_fields(result)
    assert sum(f.confidence >= 0.9 for f in fields.values()) >= 0.95 * len(fields)
    assert not any("overview" in w for w in result.warnings)


@pytest.mark.parametrize("text, rows", [
    ("（二）依申请公开。全年新收政府信息公开申请0件，上年结转0件，结转下年度继续办理0件，均在法定期限内答复。",
     {"received_new", "carried_over", "carried_forward"}),
    ("（二）依申请公开。2022 年我局未收到政府信\n息公开申请。", {"received_new"}),  # wrapped where the line ended
    ("全年新收政府信息公开申请7件，上年结转2件，结转下年度继续办理0件", {"carried_forward"}),
    ("依申请公开方面，本年度没有收到政府信息公开申请，无上年结转申请", {"received_new", "carried_over"}),
    ("全年新收政府信息公开申请0\n件，上年度结转政府信息公开申请 3 件", {"received_new"}),
    ("（二）依申请公开。全年新收政府信息公开申请0件，上年结转0件；全年共收到政府信息公开申请2件", {"carried_over"}),
    ("全年共收到群众来信来访申请0件", set()),  # not about disclosure
])
def test_the_rows_of_table_3_the_overview_states_as_none(text, rows):
    assert rows_stated_none(text) == rows


def test_a_table_3_ocr_did_not_rebuild_is_blank_where_the_overview_states_none_received_or_carried_over():
    """A report without rulings whose zeros are printed blank, its text layer unreadable, read by
    OCR, in a year without applications: table 3 is its labels alone, and OCR gives no row of it.
    The overview says 新收…申请0件，上年结转0件, so every figure of table 3 is 0, printed blank as
    the report's other tables print their zeros. (A speck on each page, which no word accounts for,
    keeps OCR from rebuilding table 3 as rows printed blank itself: scan.unread_ink.)"""
    import pymupdf

    from bench.sweeps import unruled_document

    _, data, answer = unruled_document(33600, blank_zeros=True)
    with pymupdf.open(stream=data, filetype="pdf") as doc:
        for page in doc:
            page.draw_rect(pymupdf.Rect(540, 700, 545, 707), color=None, fill=(0, 0, 0))
        data = doc.tobytes()
    assert all(v is None for k, v in answer.items() if k.startswith("t3."))
    result = extract(data, "report.pdf")
    assert any("read by OCR" in w for w in result.warnings)
    assert any("cells not found are blank, as the overview states no application received, none carried over"
               in w for w in result.warnings)
    fields = _t3_fields(result)
    assert len(fields) > 150 and all(f.value is None and f.confidence >= 0.9 for f in fields.values())
    assert [k for k, f in result.fields.items() if f.confidence >= 0.9 and f.value != answer[k]] == []


def test_a_table_3_printing_no_number_is_rebuilt_from_ocr_that_left_no_ink_unread():
    """The same report without the specks: every mark on its pages is in a word OCR read, so no
    number was lost, and table 3's labels alone are its rows printed blank, read as such by the
    scan reader itself (the overview has no cell left to settle)."""
    from bench.sweeps import unruled_document

    _, data, answer = unruled_document(33600, blank_zeros=True)
    result = extract(data, "report.pdf")
    assert any("read by OCR" in w for w in result.warnings)
    assert not any("cells not found are blank" in w for w in result.warnings)
    fields = _t3_fields(result)
    assert len(fields) > 150 and all(f.value is None and f.confidence >= 0.9 for f in fields.values())
    assert [k for k, f in result.fields.items() if f.confidence >= 0.9 and f.value != answer[k]] == []


def test_numbers_in_table_3_where_the_overview_states_none_are_held_for_review():
    """The overview says none came in and none was carried over, table 3 prints applications: one of
    the two is wrong, and its figures go to review."""
    answer = synth_answers(42, template="2021")
    report = build_report(answer, seed=42)
    heading, paragraphs = report.sections[0]
    paragraphs = [re.sub(r"新收政府信息公开申请\d+件，上年结转\d+件", "新收政府信息公开申请0件，上年结转0件", p)
                  for p in paragraphs]
    assert any("上年结转0件" in p for p in paragraphs)
    report.sections[0] = (heading, paragraphs)
    result = extract(html_report.render(report, seed=42), "report.html")
    fields = _t3_fields(result)
    assert not [k for k, f in fields.items() if f.confidence >= 0.9]
    assert any("the overview states no application received, none carried over" in w for w in result.warnings)


@pytest.mark.parametrize("mark", ["。", "."])
@pytest.mark.parametrize("blank_zeros", [False, True])
def test_a_cell_holding_only_a_mark_is_no_blank_the_overview_confirms(mark, blank_zeros):
    """A cell whose 0 OCR read as a mark (。 for a small round 0, on a photographed page): the mark
    is ink, not a printed blank, so neither the cell itself nor an overview stating none received
    accepts it as blank. Where the table prints every cell, its zeros as 0, the mark is a 0
    misread, corrected like a look-alike and confirmed by the rules; where it leaves its zeros
    blank, the mark stays in review. The table's other cells stay accepted."""
    answer = synth_answers(41, template="2021")
    key = "t3.not_processed.petition.natural_person"
    assert answer[key] == 0 and answer["t3.received_new.total"] == 0
    report = build_report(answer, seed=41, misprint={key: mark}, blank_zeros=blank_zeros)
    result = extract(html_report.render(report, seed=41), "report.html")
    field = result.fields[key]
    if blank_zeros:
        assert field.value in (None, 0) and field.confidence < 0.9
    else:
        assert (field.value, field.status, field.raw) == (0, "corrected", mark) and field.confidence >= 0.9
    others = [f for k, f in _t3_fields(result).items() if k != key]
    assert sum(f.confidence >= 0.9 and f.value in (0, None) for f in others) >= 0.95 * len(others)
