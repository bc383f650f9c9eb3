"""Table 3 cut into two tables by its columns (自然人 … 法律服务机构, then 其他 and 总计), as authors cut
it to fit a narrow page: in a Word file one after the other, on a web page side by side, the second
with the row labels printed again or without them. Read apart, the first table's rows took their
figures one column right of their own and the column rules still held (accepted, wrong)."""
from __future__ import annotations

import json
from dataclasses import replace

import pytest

from extraction.pipeline import extract
from extraction.table3_parts import parts_joined
from extraction.model import Document, Paragraph, Table
from tests.synth import docx_report, html_report
from tests.synth.form import build_report, synth_answers, wrong_fields
from tests.synth.table_parts import columns_apart, t3_in_two


def _report(seed: int, labels: bool):
    answers = synth_answers(seed, template="2021")
    return t3_in_two(build_report(answers, seed=seed), labels=labels)


def _read(data: bytes, name: str) -> dict:
    return json.loads(extract(data, name).model_dump_json())


@pytest.mark.parametrize("labels", [False, True], ids=["second-without-labels", "second-with-labels"])
@pytest.mark.parametrize("kind", ["docx", "html"])
def test_table3_in_two_parts_is_read_whole(kind, labels):
    report = _report(9611 if labels else 9612, labels)
    data = docx_report.render(report) if kind == "docx" else html_report.render(report)
    out = _read(data, f"report.{kind}")
    assert not wrong_fields(report.answer, out)
    assert any("table 3 printed in two parts" in w for w in out["warnings"])


def test_parts_whose_rows_do_not_pair_off_are_left_apart():
    """A second table with other rows than the first's (another table that happens to name 其他 and
    总计 over its columns) is not taken for table 3's last columns."""
    table3 = build_report(synth_answers(9613, template="2021"), seed=9613).tables["t3"]
    first, second = columns_apart(table3, 8, labels=True)
    short = Table(cells=[c for c in second.cells if c.row < second.n_rows - 1], n_rows=second.n_rows - 1,
                  n_cols=second.n_cols, origin="docx")
    doc = Document(blocks=[first, Paragraph("续表"), short], kind="docx")
    assert parts_joined(doc) is doc
    doc = Document(blocks=[first, Paragraph("续表"), second], kind="docx")
    joined = parts_joined(doc).blocks
    assert len(joined) == 1 and joined[0].n_cols == 10
    whole, a, b = joined[0].grid_texts(), first.grid_texts(), second.grid_texts()
    # each row's 其他 and 总计 beside its other figures (not the copy of its labels)
    assert all(whole[r] == a[r] + b[r][3:] for r in range(3, first.n_rows))


def test_a_second_part_over_a_page_break_is_joined_in_its_pieces():
    """The second part run over a page break, read as two tables (the reader keeps a table's piece
    on the next page apart where its columns differ), one of its labels as OCR runs a group's
    merged label into it: its pieces' rows follow one another beside the first part's."""
    table3 = build_report(synth_answers(9614, template="2021"), seed=9614).tables["t3"]
    first, second = columns_apart(table3, 8, labels=True)
    cut = 14
    top = Table(cells=[c for c in second.cells if c.row < cut], n_rows=cut, n_cols=second.n_cols, origin="ruling")
    rest = [replace(c, row=c.row - cut) for c in second.cells if c.row >= cut]
    rest = [replace(c, text=c.text + "2") if c.col == 2 and c.row == 1 else c for c in rest]  # （四）无法提供2
    bottom = Table(cells=rest, n_rows=second.n_rows - cut, n_cols=second.n_cols, origin="ruling")
    joined = parts_joined(Document(blocks=[first, Paragraph("（续表）"), top, bottom], kind="pdf-scan")).blocks
    assert len(joined) == 1
    whole, a, b = joined[0].grid_texts(), first.grid_texts(), second.grid_texts()
    assert all(whole[r] == a[r] + b[r][3:] for r in range(3, first.n_rows))
    # without its last piece, the second part is short of rows: not joined
    assert len(parts_joined(Document(blocks=[first, top], kind="pdf-scan")).blocks) == 2
