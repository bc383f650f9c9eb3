"""The overview's count of applications held against table 3: an empty table beside a stated
count is held for review; a quiet year, which states none, is not."""
from __future__ import annotations

import re
from dataclasses import replace

import pytest

from extraction.overview import stated_applications
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
