"""Checks, inference and confidence, on real seed text altered the way real reports go wrong."""
import json

import pytest

from extraction.pipeline import extract
from tests.shared_data import SEEDS

pytestmark = pytest.mark.skipif(not SEEDS.exists(), reason=f"shared seeds not found at {SEEDS}")

SEED_TSV = "002_c762bceb15c3a5cd.txt"  # tab-separated, 2021 form
SEED_LINES = "001_ba25dc56f264295d.txt"  # one cell per line, traditional characters


def _text(name):
    return (SEEDS / name).read_text(encoding="utf-8")


def _run(text, name="variant.txt"):
    return extract(text.encode("utf-8"), name)


def test_broken_total_is_reported_not_rewritten():
    text = _text(SEED_TSV).replace(
        "一、本年新收政府信息公开申请数量\t\t0\t0\t0\t0\t0\t0\t0",
        "一、本年新收政府信息公开申请数量\t\t3\t1\t0\t0\t0\t0\t5")
    r = _run(text)
    f = r.fields
    assert f["t3.received_new.natural_person"].value == 3
    assert f["t3.received_new.total"].value == 5  # printed value kept
    bad = {c.rule: c for c in r.checks if c.ok is False}
    assert "t3.row_total.received_new" in bad and bad["t3.row_total.received_new"].lhs == 5
    assert bad["t3.row_total.received_new"].rhs == 4
    # the cells of the broken rules go to review, cells of rules that hold do not
    assert "t3.received_new.total" in r.review and "t3.received_new.natural_person" in r.review
    assert f["t3.granted.natural_person"].confidence >= 0.9
    assert any("t3.row_total.received_new" in w for w in r.warnings)


def test_consistent_nonzero_values_are_confident():
    old = _text(SEED_TSV)
    text = (old.replace("一、本年新收政府信息公开申请数量\t\t0\t0\t0\t0\t0\t0\t0", "一、本年新收政府信息公开申请数量\t\t4\t1\t0\t0\t0\t0\t5")
               .replace("(一) 予以公开\t0\t0\t0\t0\t0\t0\t0", "(一) 予以公开\t3\t1\t0\t0\t0\t0\t4")
               .replace("(七) 总计\t\t0\t0\t0\t0\t0\t0\t0", "(七) 总计\t\t3\t1\t0\t0\t0\t0\t4")
               .replace("四、结转下年度继续办理\t\t0\t0\t0\t0\t0\t0\t0", "四、结转下年度继续办理\t\t1\t0\t0\t0\t0\t0\t1"))
    assert text.count("\t4") >= 3
    r = _run(text)
    assert all(c.ok is not False for c in r.checks)
    assert r.fields["t3.granted.total"].value == 4 and r.fields["t3.granted.total"].confidence >= 0.99
    assert r.fields["t3.carried_forward.natural_person"].value == 1


def test_misprinted_digit_is_corrected():
    text = _text(SEED_TSV).replace("行政规范性文件\t3\t2\t5", "行政规范性文件\t3\tO\t5")
    r = _run(text)
    f = r.fields["t2.normative_docs.repealed"]
    assert f.value == 0 and f.status == "corrected" and f.raw == "O"
    assert f.confidence < r.fields["t2.normative_docs.issued"].confidence


def test_letter_for_digit_in_a_row_keeps_the_row():
    text = _text(SEED_TSV).replace("行政规范性文件\t3\t2\t5", "行政规范性文件\t3\t2\tS")
    r = _run(text)
    f = r.fields["t2.normative_docs.in_force"]
    assert f.value == 5 and f.status == "corrected"
    assert r.fields["t2.normative_docs.issued"].value == 3 and r.fields["t2.normative_docs.issued"].status == "read"


def test_lost_cell_is_inferred_from_the_rules():
    # one cell per line: deleting a line loses the cell; the form's rules give it back
    lines = _text(SEED_LINES).split("\n")
    start = lines.index("二、上年結(jié)轉(zhuǎn)政府信息公開申請(qǐng)數(shù)量")
    first_value = next(i for i in range(start + 1, len(lines)) if lines[i].strip() == "0")
    del lines[first_value]
    r = _run("\n".join(lines))
    f = r.fields["t3.carried_over.natural_person"]
    assert f.value == 0 and f.status in ("inferred", "read")
    inferred = [k for k, v in r.fields.items() if v.status == "inferred"]
    assert inferred and all(r.fields[k].value == 0 for k in inferred)


def test_blank_cells_stay_blank():
    r = _run(_text(SEED_TSV))
    for col in ("upheld", "corrected", "other", "pending", "total"):
        f = r.fields[f"t4.review.{col}"]
        assert f.value is None and f.status == "blank"
    assert r.fields["t4.litigation_direct.total"].value == 0


def test_2021_report_printing_other_handling_as_one_row():
    old = _text(SEED_TSV)
    start = old.index("(六) 其他处理")
    end = old.index("(七) 总计")
    text = old[:start] + "(六) 其他处理\t\t0\t0\t0\t0\t0\t0\t0\n" + old[end:]
    r = _run(text)
    assert r.fields["meta.template"].value == "2021"
    assert r.fields["t3.other_handling.natural_person"].value == 0
    assert not any(k.startswith("t3.other_handling.overdue") for k in r.fields)


def test_not_a_report_is_refused():
    from extraction.errors import NotAReport

    with pytest.raises(NotAReport):
        _run("这是一份会议通知。\n请各单位于明天上午九点参加会议。\n")


def test_an_inferred_zero_comes_back_as_its_table_prints_zeros():
    from extraction.consistency import zero_style
    from extraction.readings import Reading

    def table(*cells):
        return {f"t3.row{i}.total": Reading(f"t3.row{i}.total", v, s, 0.95) for i, (v, s) in enumerate(cells)}

    assert zero_style(table((0, "read"), (3, "read")), "t3") == "zero"
    assert zero_style(table((None, "blank"), (3, "read")), "t3") == "blank"
    assert zero_style(table((None, "blank"), (0, "corrected")), "t3") == "mixed"
    assert zero_style(table((3, "read"), (None, "missing")), "t3") == "unknown"
    assert zero_style(table((0, "read")), "t4") == "unknown"  # another table's cells say nothing

    # the tab-separated seed prints its zeros: a lost cell that must be 0 is returned as 0
    text = _text(SEED_TSV).replace(
        "一、本年新收政府信息公开申请数量\t\t0\t0\t0\t0\t0\t0\t0",
        "一、本年新收政府信息公开申请数量\t\t0\t0\t0\t0\t0\t0")
    r = _run(text)
    inferred = [k for k, f in r.fields.items() if f.status == "inferred" and k.startswith("t3.")]
    assert inferred and all(r.fields[k].value == 0 for k in inferred)


def test_a_number_whose_separator_was_moved_to_its_edge_is_not_accepted():
    # "405.12" as a table tool that sets the lower-sitting point on a line of its own gives the
    # cell ("40512\n.", joined "40512."): the point is stripped as edge punctuation, and what is
    # left is not the printed number
    text = _text(SEED_TSV).replace("行政事业性收费\t0\t\t", "行政事业性收费\t40512.\t\t")
    f = _run(text).fields["t2.fees.amount"]
    assert f.value == 40512 and f.status == "corrected" and f.confidence < 0.9
    printed = _run(_text(SEED_TSV).replace("行政事业性收费\t0\t\t", "行政事业性收费\t405.12\t\t")).fields["t2.fees.amount"]
    assert printed.value == 405.12 and printed.status == "read" and printed.confidence >= 0.9


@pytest.mark.parametrize("seed", [1032, 1034])
def test_printed_blanks_of_a_row_found_by_a_doubtful_label_are_confirmed_like_numbers(seed):
    """An HTML table leaving its zeros blank, whose 2.重复申请 reads 2.重复申调: the row is found, its
    label doubted. Its empty cells are printed blanks (a grid), so a column rule that holds over
    them confirms them as it confirms numbers; where the column's rule breaks they stay in review.
    In a column printed blank throughout, its total too, a blank is blank whichever row it is."""
    import re

    from tests.synth import html_report
    from tests.synth.form import build_report, synth_answers

    answer = synth_answers(seed)
    keys = [k for k in answer if k.startswith("t3.not_processed.duplicate.")]
    for k in keys:
        answer[k] = None
    page = html_report.render(build_report(answer, seed=seed, blank_zeros=True)).decode("utf-8")
    page, n = re.subn(r"2\.重(<br>\s*)?复申请", "2.重复申调", page)
    assert n == 1
    r = extract(page.encode("utf-8"), "report.html")
    held = {k for c in r.checks if c.ok for k in c.fields}
    broken = {k for c in r.checks if c.ok is False for k in c.fields}
    confirmed = [k for k in keys if k in held and k not in broken]
    assert confirmed and all(r.fields[k].value is None for k in keys)
    assert all(r.fields[k].confidence >= 0.9 for k in confirmed)
    assert all(r.fields[k].confidence < 0.9 for k in keys if k in broken)
    blank_columns = [k for k in keys if k not in held and k not in broken]
    assert all(r.fields[k].confidence >= 0.9 for k in blank_columns)


def test_only_an_empty_cell_of_a_grid_counts_as_a_printed_blank():
    """A cell with ink the reader could not read (its marker scores low), or an empty field of loose
    text, may hide a 0: a rule that holds cannot tell, so it confirms only an empty grid cell."""
    from extraction.readings import reading_from_token
    from extraction.tokens import Token, Value

    def blank(exact, score):
        return reading_from_token("k", Token("", 1, Value(None, ""), exact=exact, score=score), 0.8)

    assert blank(True, 1.0).clean_blank
    assert not blank(True, 0.2).clean_blank and not blank(False, 1.0).clean_blank


def test_a_page_of_table_4_alone_is_read_and_answers_only_table_4():
    """One page of a report, its last table's (a phone's photo of page 3): its heading and table 4
    with the sections after it. Table 4 is read; tables 2 and 3 are not on the page, so their keys
    are not in the answer (missing would say the page prints them)."""
    from tests.synth.form import build_report, synth_answers, wrong_fields
    from tests.synth.text_report import render_text

    report = build_report(synth_answers(62, template="2021"), seed=62)
    text = render_text(report, "tsv", seed=3).text
    page = text[text.index("四、政府信息公开行政复议"):]
    got = extract(page.encode(), "page3.txt")
    t4 = {k: v for k, v in report.answer.items() if k.startswith("t4.")}
    assert {k for k in got.fields if not k.startswith("meta.")} == set(t4)
    assert wrong_fields(t4, json.loads(got.model_dump_json())) == []
    assert any("part of a report (tables 2 and 3 are not in it)" in w for w in got.warnings)
    assert sum(1 for v in t4.values() if v) >= 3  # figures to read, not a table of blanks

