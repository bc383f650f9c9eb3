"""A label cell that a lost ruling merged over two rows ('（七）总计' and '四、结转下年度继续办理' in one
cell spanning both rows' values): each row gets its own label back, so the values stay in their
rows. Seen on a 300-dpi scan, where the merged cell gave 结转下年度继续办理 the 总计 row's numbers
at confidence 0.985 (6 silent errors)."""
from __future__ import annotations

from extraction.labels import label_key, split_enumerator, split_known_labels, split_labels, split_numbered_labels
from extraction.schema import load_schema
from extraction.model import Cell, Document, Table
from extraction.tokens import document_tokens


def _tail_of_table3(merged_text: str) -> Table:
    cells = [Cell(0, 0, merged_text, rowspan=2)]
    cells += [Cell(0, 1 + i, str(v)) for i, v in enumerate([11, 2, 3, 0, 6, 2, 24])]
    cells += [Cell(1, 1 + i, str(v)) for i, v in enumerate([0, 1, 0, 0, 0, 0, 1])]
    return Table(cells, 2, 8, page=3, origin="scan")


def _rows(table: Table, row_labels=()) -> list[list[str]]:
    rows: dict[int, list[str]] = {}
    for t in document_tokens(Document([table], kind="image", pages=1), row_labels):
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


def test_numbered_labels_merged_by_a_lost_ruling_go_one_to_each_row():
    # Read so by the GPU engine on a 150-dpi scan (seed 101, table 3, 不予处理 rows 4 and 5): the
    # point after 4 read as a full-width comma. Left merged, 确认或重新出具 took row 4's numbers
    # at confidence 0.984.
    merged = "4，无正当理由大量反复申请5. 要求行政机关确认或重新出具已获取信息"
    first, second = _rows(_tail_of_table3(merged))
    assert first[0] == "4，无正当理由大量反复申请" and first[1:] == ["11", "2", "3", "0", "6", "2", "24"]
    assert second[0] == "5. 要求行政机关确认或重新出具已获取信息" and second[1:] == ["0", "1", "0", "0", "0", "0", "1"]
    assert split_enumerator(first[0]) == ("num:4", "无正当理由大量反复申请")


def test_the_last_label_of_a_group_and_the_first_of_the_next_merged_go_one_to_each_row():
    # the faxes sweep's report 41001: the ruling between (五)'s 5 and (六)'s 1 was lost in the label
    # column only. Left merged, each row took the other's numbers, and every rule still held
    # (both rows sum into (七)): 4 silent errors at 0.93-0.985.
    merged = "5. 要求行政机关确认或重新出具已获取信息1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"
    first, second = _rows(_tail_of_table3(merged))
    assert first[0] == "5. 要求行政机关确认或重新出具已获取信息" and first[1:] == ["11", "2", "3", "0", "6", "2", "24"]
    assert second[0].startswith("1.申请人无正当理由逾期不补正") and second[1:] == ["0", "1", "0", "0", "0", "0", "1"]


def test_numbers_inside_a_label_are_not_cut():
    whole = "1. 申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"
    assert split_numbered_labels(whole) == [whole]
    assert split_numbered_labels("2019年1.5万件") == ["2019年1.5万件"]
    # numbers that do not run on from one to the next are no enumeration
    assert split_numbered_labels("3. 依据第16条2. 规定") == ["3. 依据第16条2. 规定"]
    assert split_numbered_labels("9. 其他10. 总计") == ["9. 其他", "10. 总计"]
    first, second = _rows(_tail_of_table3("3. 要求提供公开出版物的第2. 项"))
    assert second[0] == "0"  # one label left whole: its cell really spans both rows


def _table2_head(merged_text: str) -> Table:
    cells = [Cell(0, 0, merged_text, rowspan=2), Cell(0, 1, "3"), Cell(0, 2, "0"), Cell(0, 3, "63"),
             Cell(1, 1, "0"), Cell(1, 2, "0"), Cell(1, 3, "11")]
    return Table(cells, 2, 4, page=1, origin="scan")


def test_unnumbered_form_labels_merged_by_a_lost_ruling_go_one_to_each_row():
    # Seed 103 scanned at 200 dpi, both OCR engines: the ruling between 规章 and 行政规范性文件 in
    # table 2 was lost, and 行政规范性文件 took 规章's 3 and 63 at confidence 0.95.
    labels = load_schema().row_labels()
    first, second = _rows(_table2_head("规章行政规范性文件"), labels)
    assert first == ["规章", "3", "0", "63"]
    assert second == ["行政规范性文件", "0", "0", "11"]
    # without the form's labels there is nothing to cut at
    assert _rows(_table2_head("规章行政规范性文件"))[0][0] == "规章行政规范性文件"


def test_numbered_labels_merged_by_a_lost_ruling_one_without_its_number_go_one_to_each_row():
    """A photo lost the ruling between table 3's 5. and 6. under 不予公开, and OCR dropped the 5.:
    '属于三类内部事务信息6.属于四类过程性信息' over both rows. Without its number the first is no
    numbered label to cut at; it is still the form's label 5 less its number, so each row keeps its
    own (the 5 row was lost and inferred from the rules, in review)."""
    labels = load_schema().row_labels()
    cells = [Cell(0, 0, "属于三类内部事务信息6.属于四类过程性信息", rowspan=2)]
    cells += [Cell(0, 1 + i, str(v)) for i, v in enumerate([1, 0, 0, 0, 0, 0, 1])]
    cells += [Cell(1, 1 + i, str(v)) for i, v in enumerate([0, 2, 0, 0, 0, 0, 2])]
    first, second = _rows(Table(cells, 2, 8, page=2, origin="ruling"), labels)
    assert first == ["属于三类内部事务信息", "1", "0", "0", "0", "0", "0", "1"]
    assert second[0] == "6属于四类过程性信息" and second[1:] == ["0", "2", "0", "0", "0", "0", "2"]
    known = frozenset(label_key(x) for x in labels)
    assert split_known_labels("属于三类内部事务信息6.属于四类过程性信息", known, 2) is None
    # a label that lost its number is still a whole label: a piece of one is no cut
    assert split_known_labels("三类内部事务信息6.属于四类过程性信息", known, 2, unnumbered=True) is None


def test_known_labels_are_cut_only_into_one_reading_of_exactly_that_many():
    known = frozenset(label_key(x) for x in ("规章", "行政规范性文件", "规范性文件", "行政"))
    assert split_known_labels("规章 行政规范性文件", known, 2) == ["规章", "行政规范性文件"]
    assert split_known_labels("规章行政规范性文件", known, 3) == ["规章", "行政", "规范性文件"]
    assert split_known_labels("规章行政规范性文件", known, 1) is None
    assert split_known_labels("规章行政规范性文件件", known, 2) is None  # an OCR slip: left whole
    ambiguous = frozenset(label_key(x) for x in ("甲乙", "丙", "甲", "乙丙"))
    assert split_known_labels("甲乙丙", ambiguous, 2) is None  # 甲乙|丙 or 甲|乙丙: left whole


def test_a_value_run_into_its_label_cell_is_the_rows_first_value_and_doubted():
    """The ruling after the label was lost in a scan: the row's first value ('0') ran into the
    label's cell, the last column's cell is empty. The value goes back to the row, first, with a
    low score; the row's other values keep their columns."""
    cells = [Cell(0, 0, "1.本机关不掌握相关政府信息0")]
    cells += [Cell(0, 1 + i, str(v)) for i, v in enumerate([0, 0, 0, 1, 2, 3])] + [Cell(0, 7, "")]
    tokens = document_tokens(Document([Table(cells, 1, 8, page=3, origin="ruling")], kind="image", pages=1))
    assert [t.text for t in tokens] == ["1.本机关不掌握相关政府信息", "0", "0", "0", "0", "1", "2", "3", ""]
    assert tokens[1].score <= 0.5 and tokens[2].score == 1.0


def test_a_digit_after_the_label_of_a_row_of_blanks_stays_with_the_label():
    """In a table that leaves its zeros blank, a digit after a label whose row prints nothing is a
    piece of a broken ruling read as 1, not a value that ran in: no value is made of it."""
    cells = [Cell(0, 0, "7.属于行政执法案卷1")] + [Cell(0, 1 + i, "") for i in range(7)]
    tokens = document_tokens(Document([Table(cells, 1, 8, page=2, origin="ruling")], kind="image", pages=1))
    assert [t.text for t in tokens] == ["7.属于行政执法案卷1"] + [""] * 7


def test_a_dash_read_as_the_character_one_is_a_dash_not_a_label():
    """OCR reads a dash in a value cell as 一. As a label it ended the row's values: the row's last
    two values went to no row, and the rules put the missing 1 in another row at 0.93. As a dash it
    is a value (a blank, under review) and the row keeps its columns."""
    from extraction.tokens import parse_value

    assert parse_value("一").dash and parse_value("一").number is None
    assert parse_value("一、总体情况") is None
    cells = [Cell(0, 0, "4. 保护第三方合法权益")] + [Cell(0, 1 + i, v) for i, v in enumerate("0000一01")]
    tokens = document_tokens(Document([Table(cells, 1, 8, page=2, origin="ruling")], kind="image", pages=1))
    assert [t.is_value for t in tokens] == [False] + [True] * 7


def _table2_lost_label_ruling(rows: list[list[str]]) -> Table:
    cells = []
    for r, texts in enumerate(rows):
        span = 3 - len(texts) + 1  # a one-value row's cell spans the table, as the grid gives it
        cells.append(Cell(r, 0, texts[0], colspan=span))
        cells += [Cell(r, span + i, t) for i, t in enumerate(texts[1:])]
    return Table(cells, len(rows), 3, page=1, origin="ruling")


def test_a_table_that_lost_the_ruling_after_its_labels_gives_every_row_its_first_value_back():
    """A photographed page at 150 dpi: the ruling after table 2's labels was lost on every row, so
    the grid has one column fewer and each label cell ends in its row's first value. No row shows a
    shift (each row fills the columns it has), but the table does: several labels end in a value no
    piece of ruling could be (0, 2189, 178.78). Each value goes back to its row, doubted; 规章's
    lone 1 too, in such a table."""
    labels = load_schema().row_labels()
    table = _table2_lost_label_ruling([["规章1", "0", "14"], ["行政规范性文件2", "0", "2"], ["行政许可0"],
                                       ["行政强制2189"], ["行政事业性收费178.78"]])
    tokens = document_tokens(Document([table], kind="image", pages=1), labels)
    rows: dict[int, list] = {}
    for t in tokens:
        rows.setdefault(t.row, []).append(t)
    assert [[t.text for t in row] for row in rows.values()] == [
        ["规章", "1", "0", "14"], ["行政规范性文件", "2", "0", "2"], ["行政许可", "0"], ["行政强制", "2189"],
        ["行政事业性收费", "178.78"]]
    assert all(row[1].score <= 0.5 and all(t.score == 1.0 for t in row[2:]) for row in rows.values())
    # one such label alone is no evidence about the table: left as it was
    alone = _table2_lost_label_ruling([["规章", "1", "0"], ["行政许可0"]])
    assert [t.text for t in document_tokens(Document([alone], kind="image", pages=1), labels)][-1] == "行政许可0"


def test_a_value_run_into_the_next_sections_heading_stays_in_its_row():
    """A fax lost the ruling under 行政强制's value: its cell reads '885第二十条第（八）项'. The value
    stays in its row, as sure as the cell's reading (no heading starts with a digit, so where the
    number ends is certain), and the heading opens the next section after the row. A lone 1 there
    is doubted: a piece of a vertical ruling reads as one."""
    cells = [Cell(0, 0, "行政强制"), Cell(0, 1, "885第二十条第（八）项", colspan=3, score=0.96)]
    table = Table(cells, 1, 4, page=1, origin="ruling")
    rows = _rows(table, load_schema().row_labels())
    assert rows == [["行政强制", "885", "第二十条第（八）项"]]
    tokens = document_tokens(Document([table], kind="image", pages=1), load_schema().row_labels())
    assert [t.score for t in tokens if t.text == "885"] == [0.96]
    cells[1] = Cell(0, 1, "1第二十条第（八）项", colspan=3, score=0.96)
    tokens = document_tokens(Document([Table(cells, 1, 4, page=1, origin="ruling")], kind="image", pages=1),
                             load_schema().row_labels())
    assert [t.score for t in tokens if t.text == "1"] == [0.5]
    # the fax kerned the number's digits apart
    cells = [Cell(0, 0, "行政许可"), Cell(0, 1, "1 2 3 4第二十条第（六）项", colspan=3)]
    rows = _rows(Table(cells, 1, 4, page=1, origin="ruling"), load_schema().row_labels())
    assert rows == [["行政许可", "1234", "第二十条第（六）项"]]
    # in a row of several values the heading goes after the row's last value, not between them
    cells = [Cell(0, 0, "行政规范性文件"), Cell(0, 1, "7第二十条第（五）项", rowspan=2), Cell(0, 2, "2"), Cell(0, 3, "16")]
    rows = _rows(Table(cells, 2, 4, page=1, origin="ruling"), load_schema().row_labels())
    assert rows[0] == ["行政规范性文件", "7", "2", "16", "第二十条第（五）项"]
    # a fax's 0 read as O, and the heading's end gone to the next row
    cells = [Cell(0, 0, "行政规范性文件"), Cell(0, 1, "O第二十条第"), Cell(0, 2, "1"), Cell(0, 3, "0")]
    tokens = document_tokens(Document([Table(cells, 1, 4, page=1, origin="ruling")], kind="image", pages=1),
                             load_schema().row_labels())
    assert [(t.text, t.value.number if t.value else "label") for t in tokens] == [
        ("行政规范性文件", "label"), ("O", 0), ("1", 1), ("0", 0), ("第二十条第", "label")]
    assert tokens[1].value.corrected  # (a letter read as a digit: doubted as every such reading)


def test_table2s_label_header_merged_with_the_row_under_it_is_split():
    """A fax lost the ruling under table 2's 信息内容 in the label column: one cell spanning two rows
    reads '信息内容行政许可'. 信息内容 is the form's printed header, so the cell splits into the header's
    row and 行政许可's, which keeps its value."""
    cells = [Cell(0, 0, "信息内容行政许可", rowspan=2), Cell(0, 1, "本年处理决定数量", colspan=3),
             Cell(1, 1, "773", colspan=3)]
    rows = _rows(Table(cells, 2, 4, page=1, origin="ruling"), load_schema().row_labels())
    assert rows == [["信息内容", "本年处理决定数量"], ["行政许可", "773"]]


def test_a_column_header_over_its_value_in_one_cell_gives_the_value_to_the_row_below():
    """A fax lost the ruling under table 2's header row in one column: '本年制发件数3' in a cell
    spanning the header's row and 规章's. The header stays on its row; 3 is 规章's, as sure as the
    cell's reading (no header ends in a digit), where a lone 1 would be doubted (a piece of ruling)."""
    cells = [Cell(0, 0, "信息内容"), Cell(0, 1, "本年制发件数3", rowspan=2), Cell(0, 2, "本年废止件数"),
             Cell(0, 3, "现行有效件数"), Cell(1, 0, "规章"), Cell(1, 2, "2"), Cell(1, 3, "7")]
    schema = load_schema()
    table = Table(cells, 2, 4, page=1, origin="ruling")
    tokens = document_tokens(Document([table], kind="image", pages=1), schema.row_labels(), schema.col_labels())
    rows: dict[int, list] = {}
    for t in tokens:
        rows.setdefault(t.row, []).append(t)
    assert [[t.text for t in row] for row in rows.values()] == [
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"], ["规章", "3", "2", "7"]]
    assert rows[max(rows)][1].score == 1.0
    lone = [cells[0], Cell(0, 1, "本年制发件数1", rowspan=2), *cells[2:]]
    tokens = document_tokens(Document([Table(lone, 2, 4, page=1, origin="ruling")], kind="image", pages=1),
                             schema.row_labels(), schema.col_labels())
    assert [t.score for t in tokens if t.text == "1"] == [0.5]
    # without the form's headers nothing tells a header from a label: left as it was
    plain = document_tokens(Document([table], kind="image", pages=1), schema.row_labels())
    assert "本年制发件数3" in [t.text for t in plain]
    # the last column's header over a two-digit value the fax printed spaced out
    cells = [Cell(0, 0, "信息内容"), Cell(0, 1, "本年制发件数"), Cell(0, 2, "本年废止件数"),
             Cell(0, 3, "现行有效件数3 8", rowspan=2), Cell(1, 0, "规章"), Cell(1, 1, "1"), Cell(1, 2, "0")]
    tokens = document_tokens(Document([Table(cells, 2, 4, page=1, origin="ruling")], kind="image", pages=1),
                             schema.row_labels(), schema.col_labels())
    assert [t.text for t in tokens if t.row == max(t.row for t in tokens)] == ["规章", "1", "0", "38"]


def test_a_label_value_and_next_heading_in_one_cell_are_parted():
    """A fax lost the ruling after 行政强制 and the one under its row: the label cell reads
    '行政强制0第二十条第（八）项' and the row's value cells are empty. The label keeps its value
    (doubted) and the heading opens the next section after the row."""
    cells = [Cell(0, 0, "行政强制0第二十条第（八）项"), Cell(0, 1, ""), Cell(0, 2, ""), Cell(0, 3, "")]
    table = Table(cells, 1, 4, page=1, origin="ruling")
    tokens = document_tokens(Document([table], kind="image", pages=1), load_schema().row_labels())
    assert [t.text for t in tokens if t.text] == ["行政强制", "0", "第二十条第（八）项"]
    value = next(t for t in tokens if t.text == "0")
    assert value.value.number == 0 and value.score <= 0.5
    # another cell of the row printed: the number may be no value of this label's, left alone
    cells[1] = Cell(0, 1, "12")
    tokens = document_tokens(Document([Table(cells, 1, 4, page=1, origin="ruling")], kind="image", pages=1),
                             load_schema().row_labels())
    assert tokens[0].text == "行政强制0第二十条第（八）项"


def test_a_short_label_with_one_character_misread_is_matched_when_its_numbering_agrees():
    """A fax read （一）予以公开 as （一）予以公升 and 2.重复申请 as 2.重复申调: one character of four.
    The form's numbering agreeing, the row is found; without it, or with another number, one
    misread character of four is too far."""
    from extraction.labels import match_label

    assert match_label("（一）予以公升", "（一）予以公开") is not None
    assert match_label("2.重复申调", "2.重复申请") is not None
    assert match_label("予以公升", "（一）予以公开") is None
    assert match_label("3.重复申调", "2.重复申请") is None
    assert match_label("重复申请", "2.重复申请") is not None  # an exact label needs no numbering


def _found_rows(printed: dict[str, str], extra: tuple[str, str] | None = None,
                empty: str | None = None, origin: str = "ruling") -> dict[str, tuple[float, list[str]]]:
    """Table 3 with every row of the 2021 form under its own label, or under `printed`'s for the
    rows it names, and `extra` = (row id, label): one more row printed after that row; row r
    prints r..r+6, the row `empty` only empty cells. Returns the rows found."""
    from extraction.readings import align_rows

    schema = load_schema()
    rows = schema.t3_rows(False)
    labels = [printed.get(row.id, row.label) for row in rows]
    blank_row = [row.id for row in rows].index(empty) if empty else -1
    if extra:
        labels.insert(1 + [row.id for row in rows].index(extra[0]), extra[1])
    cells = []
    for r, label in enumerate(labels):
        cells.append(Cell(r, 0, label))
        cells += [Cell(r, 1 + c, "" if r == blank_row else str(r + c)) for c in range(7)]
    table = Table(cells, len(labels), 8, page=2, origin=origin)
    tokens = document_tokens(Document([table], kind="image", pages=1), schema.row_labels())
    _, found = align_rows(tokens, (0, len(tokens)), rows)
    return {row.id: (ratio, [t.text for t in values]) for row, _i, ratio, values in found}


def test_rows_whose_labels_are_garbled_past_matching_are_found_by_place_and_number():
    """A fax read 1.信访举报投诉类申请 as 1.信访审报投诉频申议 and 2.重复申请 as 2.像礼申诚: no label
    matches, but each keeps its number and its place between rows that were found."""
    ids = [row.id for row in load_schema().t3_rows(False)]
    petition, duplicate = ids.index("not_processed.petition"), ids.index("not_processed.duplicate")
    found = _found_rows({"not_processed.petition": "1.信访审报投诉频申议", "not_processed.duplicate": "2.像礼申诚"})
    assert found["not_processed.petition"] == (0.7, [str(petition + c) for c in range(7)])
    assert found["not_processed.duplicate"] == (0.7, [str(duplicate + c) for c in range(7)])
    assert len(found) == len(ids)
    # a garbled label numbered as another row, or not numbered, is no row's
    for garbled in ("3.像礼申诚", "像礼申诚"):
        found = _found_rows({"not_processed.duplicate": garbled})
        assert "not_processed.duplicate" not in found and len(found) == len(ids) - 1
    # two garbled labels numbered alike where one row is missing: which is the row's is not known
    found = _found_rows({"not_processed.duplicate": "2.像礼申诚"}, extra=("not_processed.duplicate", "2.象礼申城"))
    assert "not_processed.duplicate" not in found
    # a garbled row of empty cells: in a grid its blanks are printed, and it is found (a fax's
    # 2.重禮申講 over seven blank cells of a table printing zeros blank); in a table recovered
    # without one it is left to the rules (img2table's borderless grid emptied a row whose numbers
    # went elsewhere)
    found = _found_rows({"not_processed.duplicate": "2.像礼申诚"}, empty="not_processed.duplicate")
    assert found["not_processed.duplicate"] == (0.7, [""] * 7) and len(found) == len(ids)
    found = _found_rows({"not_processed.duplicate": "2.像礼申诚"}, empty="not_processed.duplicate",
                        origin="img2table")
    assert "not_processed.duplicate" not in found and len(found) == len(ids) - 1
    # unnumbered, a garbled row of blanks says nothing of which row it is
    found = _found_rows({"not_processed.duplicate": "像礼申诚"}, empty="not_processed.duplicate")
    assert "not_processed.duplicate" not in found


def test_a_two_character_label_one_character_off_in_its_slot_is_its_row_and_accepted():
    """A fax read table 2's 规章 as 规重 (or 规量, 规童, 规意): one character of two, past any ratio.
    It is the one label with values between the header and 行政规范性文件, so it is 规章's row,
    as sure as a label matched one character off: its values are accepted. Two characters off,
    or in another slot, it stays a row found by place only, in review."""
    from extraction.readings import align_rows, reading_from_token

    schema = load_schema()
    rows = schema.t2_rows("2021")[:2]
    assert [r.label for r in rows] == ["规章", "行政规范性文件"]

    def found(label: str) -> dict[str, tuple[float, list[str]]]:
        cells = [Cell(0, 0, "信息内容"), Cell(0, 1, "本年制发件数"), Cell(0, 2, "本年废止件数"),
                 Cell(0, 3, "现行有效件数"), Cell(1, 0, label), Cell(1, 1, "2"), Cell(1, 2, "3"),
                 Cell(1, 3, "12"), Cell(2, 0, "行政规范性文件"), Cell(2, 1, "5"), Cell(2, 2, "0"),
                 Cell(2, 3, "40")]
        tokens = document_tokens(Document([Table(cells, 3, 4, page=1, origin="ruling")], kind="image", pages=1),
                                 schema.row_labels(), schema.col_labels())
        _, got = align_rows(tokens, (0, len(tokens)), rows)
        return {row.id: (ratio, values) for row, _i, ratio, values in got}

    rules = found("规重")["rules"]
    assert [t.text for t in rules[1]] == ["2", "3", "12"]
    assert reading_from_token("t2.rules.issued", rules[1][0], rules[0]).confidence >= 0.9
    for garbled in ("观重", "规重文"):
        rules = found(garbled)["rules"]
        assert [t.text for t in rules[1]] == ["2", "3", "12"]
        assert reading_from_token("t2.rules.issued", rules[1][0], rules[0]).confidence < 0.9


def test_a_group_label_joined_to_its_first_item_by_ocr_is_cut_from_it():
    # An unruled table 3 read by OCR (a PDF whose font maps to no characters, seed 11524): no ruling
    # parts the group column from the items, so the line detector read "（四）无法提" with the item
    # beside it, and left the group's last character alone in the next column. The item label
    # then had no values after it, and both rows went missing.
    cells = [Cell(0, 0, "（四）无法提2.没有现成信息需要另行制作"), Cell(0, 1, "供")]
    cells += [Cell(0, 2 + i, str(v)) for i, v in enumerate([1, 0, 0, 0, 0, 0, 1])]
    cells += [Cell(1, 0, "3.补正后申请内容仍不明确"), Cell(1, 1, "")]
    cells += [Cell(1, 2 + i, str(v)) for i, v in enumerate([3, 0, 0, 0, 0, 0, 3])]
    first, second = _rows(Table(cells, 2, 9, page=2, origin="alignment"))
    assert first == ["（四）无法提", "2.没有现成信息需要另行制作", "1", "0", "0", "0", "0", "0", "1"]
    assert second[0] == "3.补正后申请内容仍不明确" and second[-7:] == ["3", "0", "0", "0", "0", "0", "3"]


def test_one_character_is_dropped_only_after_the_rows_own_label():
    # a dash read as 一 is a value, and a character before any label is left for the mapping
    cells = [Cell(0, 0, "规章"), Cell(0, 1, "一"), Cell(0, 2, "5"), Cell(1, 0, "供"), Cell(1, 1, "2")]
    first, second = _rows(Table(cells, 2, 3, page=1, origin="alignment"))
    assert first == ["规章", "一", "5"] and second == ["供", "2"]


def _two_rows_under(label: str, col0: list[Cell] = ()) -> Table:
    """Table 2's 规章 and 行政规范性文件 (2019 form) whose label cells a lost ruling merged into one."""
    cells = [Cell(0, 0, label, rowspan=2), Cell(0, 1, ""), Cell(0, 2, "4"), Cell(0, 3, "12"),
             Cell(1, 1, "11"), Cell(1, 2, ""), Cell(1, 3, "80")]
    return Table(cells, 2, 4, page=1, origin="ruling")


def test_two_merged_labels_one_misread_go_one_to_each_row():
    """A fax merged 规章 and 行政规范性文件 into one cell over their two rows and read 章 as 乘
    (sweep 82011): 规乘 is no form label, so the cell did not split, and 行政规范性文件 took 规章's
    numbers (accepted: three silent errors). One part a form label and the other as long as
    another, half its characters the same, the two split; the misread one keeps its printed text."""
    labels = load_schema().row_labels()
    assert _rows(_two_rows_under("规乘行政规范性文件"), labels) == [["规乘", "", "4", "12"], ["行政规范性文件", "11", "", "80"]]


def test_a_label_over_two_rows_of_numbers_that_does_not_split_doubts_both():
    """Both labels misread (规乘行政规范性文什): which row the cell names is not known, so every value
    of the two rows is doubted. A group label over rows with their own labels is no such cell."""
    labels = load_schema().row_labels()
    tokens = document_tokens(Document([_two_rows_under("规乘行政规范性文什")], kind="image", pages=1), labels)
    values = [t for t in tokens if t.value is not None and t.text]
    assert len(values) == 4 and all(t.score <= 0.5 for t in values)
    group = [Cell(0, 0, "三、本年度办理结果", rowspan=2), Cell(0, 1, "（一）予以公开"), Cell(0, 2, "3"),
             Cell(1, 1, "（二）部分公开"), Cell(1, 2, "1")]
    tokens = document_tokens(Document([Table(group, 2, 3, page=1, origin="ruling")], kind="image", pages=1), labels)
    assert [t.score for t in tokens if t.text in ("3", "1")] == [1.0, 1.0]
    # nor is one over an item label wrapped over both its rows (covering the second, not anchored in it)
    wrapped = [Cell(0, 0, "三、本年度办理结果", rowspan=2), Cell(0, 1, "（二）部分公开（区分处理的）", rowspan=2),
               Cell(0, 2, ""), Cell(1, 2, "2")]
    tokens = document_tokens(Document([Table(wrapped, 2, 3, page=1, origin="ruling")], kind="image", pages=1), labels)
    assert [t.score for t in tokens if t.text == "2"] == [1.0]


def test_table3s_corner_merged_with_the_first_rows_label_gives_the_label_to_that_row():
    """A fax lost the ruling under table 3's corner: one cell over the three header rows and the
    first row reads '本列数据的勾稽关系为：…之和一、本年新收政府信息公开申请数量'. The label is that
    last row's, the one with numbers under the header rows: 一's values are read, not inferred
    from the rules. The 2019 form's corner is blank: the cell is the label alone."""
    from dataclasses import replace

    from extraction.pipeline import ExtractOptions, extract_document, read_document
    from tests.synth.form import build_report, synth_answers
    from tests.synth.text_report import render_text

    report = build_report(synth_answers(5, template="2021"), seed=5, blank_zeros=True)
    answer = report.answer
    data = render_text(report, "tsv", seed=3).text.encode()
    doc = read_document(data, ExtractOptions())
    t3 = report.tables["t3"]
    corner, label = t3.at(0, 0), t3.at(3, 0)
    assert (corner.rowspan, label.text) == (3, "一、本年新收政府信息公开申请数量")
    keys = [k for k in answer if k.startswith("t3.received_new.")]
    assert len(keys) == 7 and None in [answer[k] for k in keys] and any(answer[k] for k in keys)
    for note in (corner.text, ""):
        cells = [replace(corner, text=note + label.text, rowspan=4)] + [
            replace(c, page=1) for c in t3.cells if c not in (corner, label)]
        merged = Table(cells, t3.n_rows, t3.n_cols, page=1, origin="ruling")
        blocks = [merged if isinstance(b, Table) and "申请人情况" in label_key("".join(c.text for c in b.cells)) else b
                  for b in doc.blocks]
        assert merged in blocks
        result = extract_document(replace(doc, blocks=blocks), "report.txt", data)
        for k in keys:
            got = result.fields[k]
            assert (got.value, got.status) == ((answer[k], "read") if answer[k] else (None, "blank")), k
            assert got.confidence >= 0.9
