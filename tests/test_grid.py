"""The ruling-grid builder on hand-made rulings: merged cells, broken and gapped lines, missing
interior rulings, vertical labels, words outside the table."""
from __future__ import annotations

from extraction.grid import Segment, Word, build_tables, reading_order_text


def ruled(xs, ys, skip_h=(), skip_v=()):
    """Rulings of a full grid, one segment per cell edge (as office suites draw them), less the
    edges named in skip_h ((row_line, col)) and skip_v ((row, col_line))."""
    h, v = [], []
    for r, y in enumerate(ys):
        for c in range(len(xs) - 1):
            if (r, c) not in skip_h:
                h.append(Segment(xs[c], y, xs[c + 1], y))
    for c, x in enumerate(xs):
        for r in range(len(ys) - 1):
            if (r, c) not in skip_v:
                v.append(Segment(x, ys[r], x, ys[r + 1]))
    return h, v


def word(text, x, y, size=10.0):
    """A word whose top-left is (x, y), each character `size` wide."""
    return Word(text, (x, y, x + size * len(text), y + size))


def spans(table):
    return {(c.row, c.col): (c.rowspan, c.colspan) for c in table.cells}


def test_plain_grid_cells_and_texts():
    xs, ys = [50, 150, 250, 350], [100, 120, 140]
    h, v = ruled(xs, ys)
    words = [word("项目", 60, 105), word("数量", 160, 105), word("备注", 260, 105),
             word("甲", 60, 125), word("12", 160, 125), word("无", 260, 125),
             word("正文在表外", 50, 200)]
    tables, free = build_tables(h, v, words, page=3)
    assert len(tables) == 1
    t = tables[0]
    assert (t.n_rows, t.n_cols, t.page, t.origin) == (2, 3, 3, "ruling")
    assert t.grid_texts() == [["项目", "数量", "备注"], ["甲", "12", "无"]]
    assert all(c.page == 3 for c in t.cells)
    assert t.at(1, 1).bbox == (150, 120, 250, 140)
    assert [w.text for w in free] == ["正文在表外"]


def test_merged_cells_from_missing_interior_rulings():
    xs, ys = [0, 40, 100, 160, 220], [0, 20, 40, 60, 80]
    # header "申请人情况" spans columns 1..3 of row 0; label spans rows 1..3 of column 0
    h, v = ruled(xs, ys, skip_v={(0, 2), (0, 3)},
                 skip_h={(2, 0), (3, 0)})
    words = [word("申请人情况", 110, 5), word("甲", 5, 45), word("1", 50, 25), word("2", 110, 25)]
    (t,), free = build_tables(h, v, words, page=1)
    assert not free
    s = spans(t)
    assert s[(0, 1)] == (1, 3)
    assert s[(1, 0)] == (3, 1)
    assert (2, 0) not in s and (0, 2) not in s
    assert s[(1, 1)] == (1, 1) and s[(3, 3)] == (1, 1)
    assert t.at(0, 3).text == "申请人情况"
    assert t.at(3, 0).text == "甲"
    assert t.at(0, 2).bbox == (40, 0, 220, 20)
    assert len(t.cells) == 4 * 4 - 2 - 2


def test_broken_and_gapped_rulings_still_make_the_grid():
    h = [
        Segment(0, 0, 200, 0),
        # the middle line broken in three pieces with 3-point gaps
        Segment(0, 30.4, 60, 30.4), Segment(63, 29.7, 130, 29.7), Segment(133, 30, 200, 30),
        # the bottom line stops 1.5 points short of both borders and is drawn twice
        Segment(1.5, 60, 198.5, 60), Segment(1.5, 60.8, 198.5, 60.8),
    ]
    v = [
        Segment(0, 0, 0, 60),
        Segment(100.6, 0, 100.6, 28), Segment(99.8, 32, 99.8, 60),  # gap across the middle line
        Segment(200, 0, 200, 60),
    ]
    words = [word("a", 10, 10), word("b", 110, 10), word("c", 10, 40), word("d", 110, 40)]
    (t,), free = build_tables(h, v, words, page=1)
    assert (t.n_rows, t.n_cols) == (2, 2)
    assert t.grid_texts() == [["a", "b"], ["c", "d"]]
    assert all((c.rowspan, c.colspan) == (1, 1) for c in t.cells)


def test_ruling_missing_for_one_cell_merges_only_that_cell():
    xs, ys = [0, 50, 100, 150], [0, 20, 40, 60]
    # no ruling between rows 1 and 2 in column 2 only
    h, v = ruled(xs, ys, skip_h={(2, 2)})
    (t,), _ = build_tables(h, v, [], page=1)
    s = spans(t)
    assert s[(1, 2)] == (2, 1)
    assert s[(1, 0)] == (1, 1) and s[(2, 0)] == (1, 1) and s[(2, 1)] == (1, 1)
    assert len(t.cells) == 8


def test_short_stray_tick_does_not_split_a_cell():
    xs, ys = [0, 100, 200], [0, 30, 60]
    h, v = ruled(xs, ys)
    # a 10-point tick on the middle vertical inside row 0 is below the edge coverage
    h.append(Segment(95, 15, 105, 15))
    v.append(Segment(150, 25, 150, 35))
    (t,), _ = build_tables(h, v, [word("x", 10, 5)], page=1)
    assert (t.n_rows, t.n_cols) == (2, 2)
    assert all((c.rowspan, c.colspan) == (1, 1) for c in t.cells)
    assert t.at(0, 0).text == "x"


def test_vertical_label_one_character_per_line_joins_top_down():
    xs, ys = [0, 20, 200], [0, 30, 60, 90, 120, 150, 180]
    h, v = ruled(xs, ys, skip_h={(r, 0) for r in range(1, 6)})
    label = "三、本年度办理结果"
    words = [Word(ch, (5, 10 + 16 * i, 15, 24 + 16 * i)) for i, ch in enumerate(label)]
    words.append(word("予以公开", 30, 5))
    (t,), _ = build_tables(h, v, words, page=1)
    assert spans(t)[(0, 0)] == (6, 1)
    assert t.at(0, 0).text == label
    assert t.at(0, 1).text == "予以公开"


def test_reading_order_joins_latin_with_spaces_and_chinese_without():
    words = [word("gov", 40, 0), word("www.", 0, 0), word("公开", 0, 14), word("办", 25, 14)]
    assert reading_order_text(words) == "www. gov公开办"


def test_a_wrapped_label_photographed_aslant_keeps_its_lines_in_order():
    """A long line on a slant has a tall box, whose middle the short line wrapped under it comes
    within half a line of (OCR's boxes of a photo's (二)部分公开 label, left aslant by 3.7°): still
    two lines, the upper first, not one line ordered left to right."""
    upper = Word("（二）部分公开（区分处理的，只计这一情形，", (147.43, 458.64, 285.26, 476.47))
    lower = Word("不计其他情形）", (146.74, 467.55, 196.80, 483.32))
    assert reading_order_text([lower, upper]) == "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"


def test_a_single_box_or_a_lone_line_is_no_table():
    h = [Segment(0, 0, 100, 0), Segment(0, 20, 100, 20), Segment(0, 300, 500, 300)]
    v = [Segment(0, 0, 0, 20), Segment(100, 0, 100, 20)]
    words = [word("框内", 10, 5)]
    tables, free = build_tables(h, v, words, page=1)
    assert tables == []
    assert [w.text for w in free] == ["框内"]


def test_two_tables_on_a_page_come_top_down():
    h1, v1 = ruled([0, 50, 100], [300, 320, 340])
    h2, v2 = ruled([0, 80, 160, 240], [100, 120, 140, 160])
    words = [word("下", 5, 305), word("上", 5, 105)]
    tables, _ = build_tables(h1 + h2, v1 + v2, words, page=2)
    assert [(t.n_rows, t.n_cols) for t in tables] == [(3, 3), (2, 2)]
    assert tables[0].at(0, 0).text == "上" and tables[1].at(0, 0).text == "下"


def test_open_sided_table_takes_its_outer_columns_from_the_horizontal_extent():
    # only interior verticals; horizontals run 0..300
    h = [Segment(0, y, 300, y) for y in (0, 20, 40)]
    v = [Segment(x, 0, x, 40) for x in (100, 200)]
    words = [word("左", 10, 5), word("中", 110, 5), word("右", 210, 25)]
    (t,), _ = build_tables(h, v, words, page=1)
    assert (t.n_rows, t.n_cols) == (2, 3)
    assert t.grid_texts() == [["左", "中", ""], ["", "", "右"]]


def test_word_on_a_shared_border_goes_to_the_first_cell_in_reading_order():
    xs, ys = [50, 150, 250], [100, 120, 140]
    h, v = ruled(xs, ys)
    corner = Word("7", (145, 115, 155, 125))  # centre (150, 120): the corner of all four cells
    edge = Word("8", (145, 126, 155, 136))  # centre (150, 131): between (1, 0) and (1, 1)
    inside = Word("9", (200, 126, 210, 136))
    tables, free = build_tables(h, v, [corner, edge, inside], page=1)
    texts = {(c.row, c.col): c.text for c in tables[0].cells}
    assert texts == {(0, 0): "7", (0, 1): "", (1, 0): "8", (1, 1): "9"}
    assert free == []


def test_numbers_stacked_in_a_merged_cell_are_cut_back_into_their_rows():
    """The ruling between two rows is lost in the value column only (a faint line in a scan): the
    label column still shows two rows, the value cell holds one number over the other. It is cut
    at the row boundary, not read as one number (9 over 0 is not 90)."""
    xs, ys = [50, 150, 250], [100, 120, 140, 160]
    h, v = ruled(xs, ys, skip_h={(2, 1)})
    words = [word("甲", 60, 105), word("5", 160, 105),
             word("乙", 60, 125), word("9", 160, 124),
             word("丙", 60, 145), word("0", 160, 146)]
    t = build_tables(h, v, words, page=1)[0][0]
    assert spans(t)[(1, 1)] == (1, 1) and spans(t)[(2, 1)] == (1, 1)
    assert [c.text for c in t.cells if c.col == 1] == ["5", "9", "0"]


def test_numbers_stacked_with_no_row_boundary_at_all_are_doubted():
    """Two rows whose boundary the grid never found (lost in every column): the value cell holds
    two numbers one over the other. It is read with a low score, so it goes to review."""
    xs, ys = [50, 150, 250], [100, 120, 160]
    h, v = ruled(xs, ys)
    words = [word("甲", 60, 105), word("5", 160, 105),
             word("乙丙", 60, 130), word("9", 160, 124), word("0", 160, 146)]
    t = build_tables(h, v, words, page=1)[0][0]
    cell = next(c for c in t.cells if (c.row, c.col) == (1, 1))
    assert cell.score <= 0.5
    assert next(c for c in t.cells if (c.row, c.col) == (0, 1)).score == 1.0


def test_a_value_at_the_right_edge_that_lost_the_ruling_above_it_stays_in_its_row():
    """Table 2 of the 2021 form: one value column, at the table's right edge. A fax lost the ruling
    between 行政处罚 and 行政强制 in that column only, and 行政强制's number, printed in the lower
    half of the merged cell, was read as 行政处罚's at 0.957 (sweep fax 11205). The boundary is ruled
    again where the labels beside it are ruled and the number lies wholly on one side."""
    xs, ys = [50, 150, 350], [100, 120, 140, 160]
    h, v = ruled(xs, ys, skip_h={(2, 1)})
    words = [word("甲", 60, 105), word("5", 240, 105), word("乙", 60, 125), word("丙", 60, 145),
             word("2433", 230, 145)]
    t = build_tables(h, v, words, page=1)[0][0]
    assert spans(t)[(1, 1)] == (1, 1) and spans(t)[(2, 1)] == (1, 1)
    assert [c.text for c in sorted(t.cells, key=lambda c: c.row) if c.col == 1] == ["5", "", "2433"]
    # a number centred across the boundary is the form's own merged cell: left as it is
    words[-1] = word("2433", 230, 135)
    t = build_tables(h, v, words, page=1)[0][0]
    assert spans(t)[(1, 1)] == (2, 1)


def test_a_table_inside_a_frame_of_rulings_keeps_its_words():
    """A photographed sheet's edges against the desk, or a box drawn round the page, make a grid of
    their own round the table. That frame is no table: the table takes its words, and the frame's
    (the heading, the prose, the date) stay free text (the frame, first top-down, took every word,
    leaving the table's cells empty)."""
    frame_h, frame_v = ruled([10, 300, 580], [10, 60, 800])
    table_h, table_v = ruled([50, 150, 250], [100, 120, 140])
    words = [word("四、行政复议", 20, 30), word("维持", 60, 105), word("纠正", 160, 105),
             word("3", 60, 125), word("0", 160, 125), word("五、问题", 20, 300)]
    tables, free = build_tables(frame_h + table_h, frame_v + table_v, words, page=1)
    assert [t.grid_texts() for t in tables] == [[["维持", "纠正"], ["3", "0"]]]
    assert [w.text for w in free] == ["四、行政复议", "五、问题"]
