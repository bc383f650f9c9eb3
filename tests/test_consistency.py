"""consistency: what the form's rules say about the readings, beyond holding or not."""
from __future__ import annotations

from dataclasses import replace

from extraction.consistency import BoundRule, evaluate, one_misread
from extraction.model import Table
from extraction.pipeline import ExtractOptions, extract_document, read_document
from extraction.readings import Reading
from tests.synth.form import build_report, synth_answers
from tests.synth.text_report import render_text


def _readings(cell: Reading) -> tuple[dict[str, Reading], list[BoundRule]]:
    """A column (total = a + b + c) and a row (row = b + d) crossing at b."""
    readings = {k: Reading(k, v, "read", 0.97) for k, v in
                {"a": 17, "c": 4, "total": 22, "row": 1, "d": 0}.items()}
    readings["b"] = cell
    rules = [BoundRule("column", "", ("total",), ("a", "b", "c")), BoundRule("row", "", ("row",), ("b", "d"))]
    return readings, rules


def test_the_one_doubtful_cell_two_broken_rules_share_is_given_their_value():
    dash = Reading("b", None, "blank", 0.82, "一")  # a 1 read as 一, a dash
    readings, rules = _readings(dash)
    assert one_misread(readings, rules, evaluate(readings, rules)) == ("b", 1)
    # a reading sure of itself is not overruled
    readings, rules = _readings(replace(dash, confidence=0.95))
    assert one_misread(readings, rules, evaluate(readings, rules)) is None
    # the two rules ask for different values: two misreadings at least, not this one
    readings, rules = _readings(dash)
    readings["total"] = Reading("total", 23, "read", 0.97)
    assert one_misread(readings, rules, evaluate(readings, rules)) is None
    # one rule broken: any of its cells may be the misread one
    readings, rules = _readings(dash)
    readings["row"] = Reading("row", 0, "read", 0.97)
    assert one_misread(readings, rules, evaluate(readings, rules)) is None


def test_a_cell_ocr_misread_is_mended_by_its_row_and_column_and_the_rest_confirmed():
    """Seed 91's table 3: （一）予以公开 prints 6 | 1 | 0 … | 7. The 商业企业 cell read as 一 (a dash:
    none) breaks its row's total and its column's. From OCR the one cell both rules share is
    given 1, in review, and the other cells of the two rules, confirmed again, are accepted. A
    document's own text printing 一 there is read as it prints it: the rules stay broken."""
    answer = synth_answers(91, template="2021")
    assert answer["t3.granted.commercial"] == 1 and answer["t3.granted.total"] == 7
    text = render_text(build_report(answer, seed=91), "tsv", seed=3).text
    row = "（一）予以公开\t\t6\t1\t0\t0\t0\t0\t7"
    assert row in text
    data = text.replace(row, "（一）予以公开\t\t6\t一\t0\t0\t0\t0\t7").encode()
    doc = read_document(data, ExtractOptions())
    as_printed = extract_document(doc, "report.txt", data)
    assert as_printed.fields["t3.granted.commercial"].value == 0  # a dash: none, in review
    assert as_printed.fields["t3.granted.commercial"].confidence < 0.9
    # the rules the dash breaks are its own: the row's total, confirmed by its column, is not held
    # to them
    assert as_printed.fields["t3.granted.total"].confidence >= 0.9

    # the same text as OCR's: its tables on page 1, that page read by OCR
    ocr = replace(doc, ocr_pages=frozenset({1}),
                  blocks=[replace(b, page=1, cells=[replace(c, page=1) for c in b.cells]) if isinstance(b, Table)
                          else b for b in doc.blocks])
    result = extract_document(ocr, "report.txt", data)
    mended = result.fields["t3.granted.commercial"]
    assert (mended.value, mended.raw) == (1, "一") and mended.confidence < 0.9
    assert any("t3.granted.commercial" in w and "give it 1" in w for w in result.warnings)
    others = [k for k in answer if k.startswith(("t3.granted.", "t3.total_handled.commercial"))
              and k != "t3.granted.commercial"]
    assert len(others) == 7
    assert all(result.fields[k].value == answer[k] and result.fields[k].confidence >= 0.9 for k in others)


def test_a_blank_under_a_total_printed_blank_is_blank_whichever_row_it_is():
    """A fax misread 2.重复申请 as 2.重复申调: its row is found, its blank cells doubted for the label
    (0.89). In a column whose total is a printed blank too, every cell is 0, whichever row it
    is: the blank is as sure as that total. Where the total had ink (not a clean blank), no."""
    from extraction.confidence import apply_rules
    from extraction.consistency import blank_totals

    def column(total_clean: bool):
        readings = {k: Reading(k, None, "blank", 0.97, clean_blank=True) for k in ("a", "c")}
        readings["b"] = Reading("b", None, "blank", 0.8924, clean_blank=True)
        readings["total"] = Reading("total", None, "blank", 0.97, clean_blank=total_clean)
        rules = [BoundRule("column", "", ("total",), ("a", "b", "c"))]
        apply_rules(readings, evaluate(readings, rules), {}, totals=blank_totals(readings, rules))
        return readings["b"].confidence

    assert column(total_clean=True) == 0.97
    assert column(total_clean=False) < 0.9


def test_a_rule_that_gave_a_cell_confirms_none_of_the_others():
    """A photo's row: OCR lost 自然人's 2 and read its 总计 as 0. The row's rule gives the lost cell
    0, and then holds by that alone: it confirms the 0 in 总计 no more than an unread cell would. A
    second rule holding over 总计 (its column's sum) does confirm it."""
    from extraction.confidence import apply_rules

    def total_confidence(column_rule: bool) -> float:
        readings = {"lost": Reading("lost", 0, "inferred", 0.0), "other": Reading("other", 0, "read", 0.97),
                    "total": Reading("total", 0, "read", 0.92), "below": Reading("below", 0, "read", 0.97)}
        rules = [BoundRule("row", "", ("total",), ("lost", "other"))]
        if column_rule:
            rules.append(BoundRule("column", "", ("below",), ("total",)))
        apply_rules(readings, evaluate(readings, rules), {}, given_by={"lost": "row"})
        return readings["total"].confidence

    assert total_confidence(column_rule=False) == 0.92
    assert total_confidence(column_rule=True) > 0.97
