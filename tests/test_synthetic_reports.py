"""Reports drawn from the golden answers in every text-bearing input kind — PDF with a text layer
(rulings, merged cells, the vertical 三、本年度办理结果 label, table 3 split over two pages, a
browser's header and footer), HTML with colspan/rowspan and blank cells, DOCX with merged
cells — through the real pipeline, scored field by field; then variants that break the rules."""
import json
from dataclasses import replace

import pytest

from extraction.pipeline import extract
from tests.shared_data import GOLDEN, load_scorer
from tests.synth import docx_report, html_report, pdf_report
from tests.synth.form import build_report, synth_answers

pytestmark = pytest.mark.skipif(not GOLDEN.exists(), reason=f"shared golden answers not found at {GOLDEN}")

RENDERERS = {
    "pdf": (lambda rep: pdf_report.render_pdf(rep), "pdf-text"),
    "html": (lambda rep: html_report.render(rep), "html"),
    "docx": (lambda rep: docx_report.render(rep), "docx"),
}
GOLDEN_FILES = sorted(p.name for p in GOLDEN.glob("*.json")) if GOLDEN.exists() else []


def _score(report, data, filename):
    result = extract(data, filename)
    output = json.loads(result.model_dump_json())
    return result, load_scorer().score_doc({"fields": report.answer}, output, 0.9)


@pytest.mark.parametrize("kind", sorted(RENDERERS))
@pytest.mark.parametrize("golden", GOLDEN_FILES)
def test_golden_drawn_as_report(kind, golden):
    answer = json.loads((GOLDEN / golden).read_text())["fields"]
    report = build_report(answer, seed=len(golden))
    render, source_kind = RENDERERS[kind]
    result, s = _score(report, render(report), f"report.{kind}")
    assert result.source.kind == source_kind
    assert s["wrong"] == [], s["wrong"][:5]
    assert s["silent"] == 0 and s["spurious"] == 0


@pytest.mark.parametrize("kind", sorted(RENDERERS))
def test_nonzero_answers(kind):
    for seed in (11, 12):
        report = build_report(synth_answers(seed), seed=seed)
        render, _ = RENDERERS[kind]
        _, s = _score(report, render(report), f"report.{kind}")
        assert s["wrong"] == [], s["wrong"][:5]


@pytest.mark.parametrize("kind", sorted(RENDERERS))
def test_broken_total_lowers_confidence_and_keeps_print(kind):
    answer = synth_answers(21, template="2021")
    report = build_report(answer, seed=21, break_total="t3.granted.total")
    true, printed = report.broken["t3.granted.total"]
    result, s = _score(report, RENDERERS[kind][0](report), f"report.{kind}")
    f = result.fields["t3.granted.total"]
    assert f.value == printed != true
    assert f.confidence < 0.9 and "t3.granted.total" in result.review
    broken = {c.rule for c in result.checks if c.ok is False}
    assert "t3.row_total.granted" in broken
    assert s["silent"] == 0


@pytest.mark.parametrize("kind", sorted(RENDERERS))
def test_misprinted_digit_is_corrected(kind):
    answer = synth_answers(5, template="2021")
    answer["t4.review.upheld"] = 0
    report = build_report(answer, seed=5, misprint={"t4.review.upheld": "O"})
    result, s = _score(report, RENDERERS[kind][0](report), f"report.{kind}")
    f = result.fields["t4.review.upheld"]
    assert f.value == 0 and f.status == "corrected" and f.raw == "O"
    assert s["silent"] == 0


@pytest.mark.parametrize("kind", ["html", "docx"])
def test_zero_cells_printed_blank(kind):
    report = build_report(synth_answers(3), seed=3, blank_zeros=True)
    result, s = _score(report, RENDERERS[kind][0](report), f"report.{kind}")
    blanks = [k for k, v in report.answer.items() if v is None and not k.startswith("meta.")]
    assert blanks and all(result.fields[k].status == "blank" for k in blanks)
    assert s["wrong"] == [] and s["silent"] == 0


@pytest.mark.parametrize("kind", sorted(RENDERERS))
def test_table4_with_every_cell_printed_blank(kind):
    # No review and no lawsuit, zeros printed blank: the value row is fifteen empty cells, which
    # a grid shows as printed blanks, not as numbers lost.
    answer = synth_answers(3)
    answer.update({k: 0 for k in answer if k.startswith("t4.")})
    report = build_report(answer, seed=3, blank_zeros=True)
    result, s = _score(report, RENDERERS[kind][0](report), f"report.{kind}")
    t4 = [k for k in report.answer if k.startswith("t4.")]
    assert len(t4) == 15
    assert all(result.fields[k].status == "blank" and result.fields[k].confidence >= 0.9 for k in t4)
    assert s["wrong"] == [] and s["silent"] == 0


@pytest.mark.parametrize("kind", sorted(RENDERERS))
def test_traditional_and_single_other_handling_row(kind):
    report = build_report(synth_answers(8, template="2021"), seed=8, traditional=True, other_handling_single_row=True)
    result, s = _score(report, RENDERERS[kind][0](report), f"report.{kind}")
    assert s["wrong"] == [], s["wrong"][:5]
    assert "t3.other_handling.total" in result.fields
    assert result.fields["meta.template"].value == "2021"


@pytest.mark.parametrize("kind", sorted(RENDERERS))
def test_a_total_column_left_blank_holds_only_its_blanks_in_review(kind):
    """A real report (a city government's office, 2019) left table 3's 总计 blank in every result
    row: each of those rows' rules breaks. The cells that broke them are the blank totals, which
    no rule confirms; the row's numbers are each confirmed by their column's sum and are accepted.
    Only the blank totals go to review."""
    answer = synth_answers(21, template="2021")
    report = build_report(answer, seed=21)
    t3 = report.tables["t3"]
    left_blank = [k for k in report.answer if k.startswith(("t3.granted.", "t3.partially_granted.", "t3.denied.",
                                                            "t3.unavailable.", "t3.not_processed.", "t3.other_handling."))
                  and k.endswith(".total") and report.answer[k]]
    assert len(left_blank) >= 3
    for key in left_blank:
        t3.cells[t3.cells.index(report.cell(key))] = replace(report.cell(key), text="")
        report.answer[key] = None
    result, s = _score(report, RENDERERS[kind][0](report), f"report.{kind}")
    assert s["wrong"] == [] and s["silent"] == 0
    review = {k for k, f in result.fields.items() if f.confidence < 0.9}
    assert review == set(left_blank)
