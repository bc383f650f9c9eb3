"""Table 4's values under a header that OCR garbled."""
from __future__ import annotations

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
