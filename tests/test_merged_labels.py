"""A label cell that a lost ruling merged over two rows ('（七）总计' and '四、结转下年度继续办理' in one
cell spanning both rows' values): each row gets its own label back, so the values stay in their
rows. Seen on a 300-dpi scan, where the merged cell gave 结转下年度继续办理 the 总计 row's numbers
at confidence 0.985 (6 silent errors)."""
from __future__ import annotations

from extraction.labels import split_labels
from extraction.model import Cell, Document, Table
from extraction.tokens import document_tokens


def _tail_of_table3(merged_text: str) -> Table:
    cells = [Cell(0, 0, merged_text, rowspan=2)]
    cells += [Cell(0, 1 + i, str(v)) for i, v in enumerate([11, 2, 3, 0, 6, 2, 24])]
    cells += [Cell(1, 1 + i, str(v)) for i, v in enumerate([0, 1, 0, 0, 0, 0, 1])]
    return Table(cells, 2, 8, page=3, origin="scan")


def _rows(table: Table) -> list[list[str]]:
    rows: dict[int, list[str]] = {}
    for t in document_tokens(Document([table], kind="image", pages=1)):
        rows.setdefault(t.row, []).append(t.text)
    return list(rows.values())


def test_two_labels_in_a_cell_spanning_two_rows_go_one_to_each_row():
    first, second = _rows(_tail_of_table3("（七）总计四、结转下年度继续办理"))
    assert first == ["（七）总计", "11", "2", "3", "0", "6", "2", "24"]
    assert second == ["四、结转下年度继续办理", "0", "1", "0", "0", "0", "0", "1"]


def test_a_label_that_really_spans_rows_is_left_whole():
    first, second = _rows(_tail_of_table3("三、本年度办理结果"))
    assert first[0] == "三、本年度办理结果" and second[0] == "0"


def test_split_labels_cuts_at_enumerators_only():
    assert split_labels("（一）予以公开（二）部分公开") == ["（一）予以公开", "（二）部分公开"]
    assert split_labels("1. 危及“三安全一稳定”") == ["1. 危及“三安全一稳定”"]
    assert split_labels("五、因信息公开工作被申请行政复议、提起行政诉讼情况") == [
        "五、因信息公开工作被申请行政复议、提起行政诉讼情况"]
