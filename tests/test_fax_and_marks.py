"""What a fax, a dash and a site's info line leave for the reader: a 0 broken into brackets, a
figure OCR passed over beside a broken ruling, a minus from a speck, table 2's 信息内容 over short
labels, dashes and words for zero, a date after 时间：."""
from __future__ import annotations

import io

from extraction.grid import Word
from extraction.model import Cell, Table
from extraction.normalize import normalize_text
from extraction.pipeline import _unsigned_counts, extract
from extraction.readings import Reading
from extraction.scan.cells import broken_zero
from extraction.doubted_blanks import blanks_over_ink
from extraction.unruled import ORIGIN, unruled_tables


def test_a_zero_broken_into_brackets_reads_as_zero():
    for text in ("()", "0)", "(0", "（）", "( )"):
        assert broken_zero(text) == "0"
    for text in ("(1)", "（一）", "10)", "0", "()项"):
        assert broken_zero(text) == text


def _w(text: str, x0: float, y0: float, x1: float, y1: float, score: float = 0.99) -> Word:
    return Word(text, (x0, y0, x1, y1), score)


def test_table2s_header_over_the_labels_takes_no_column():
    """A faxed table 2 that lost its rulings: 信息内容 is centred over short labels set flush left,
    so it starts right of them; it heads no column, and the figures (set flush right) stand under
    their own headers, the last one of the first row lost."""
    words = [_w("信息内容", 87, 60, 133, 75), _w("上一年项目数量", 209, 60, 285, 75),
             _w("本年增/减", 347, 60, 397, 75), _w("处理决定数量", 463, 60, 529, 75),
             _w("行政处罚", 35, 82, 83, 97), _w("1", 301, 86, 305, 94), _w("0", 424, 86, 431, 94),
             _w("行政强制", 36, 105, 84, 119), _w("1", 300, 108, 306, 117), _w("0", 423, 107, 431, 117),
             _w("0", 548, 107, 556, 117)]
    (table,) = unruled_tables(words, page=1, text_layer=False, nothing_lost=False).tables
    assert table.n_cols == 4
    assert [table.at(0, c).text for c in range(4)] == ["行政处罚", "1", "0", ""]
    assert [table.at(1, c).text for c in range(4)] == ["行政强制", "1", "0", "0"]


def _row(cells: list[tuple[str, float]], row: int, y0: float, y1: float) -> list[Cell]:
    out = []
    for col, (text, x) in enumerate(cells):
        box = (x - 4, y0, x + 4, y1) if text else (x - 1, y0, x + 1, y1)
        out.append(Cell(row, col, text, page=1, bbox=box, score=0.99 if text else 1.0))
    return out


def test_an_empty_cell_holding_unread_ink_is_doubted():
    cells = (_row([("行政处罚", 60), ("1", 303), ("0", 427), ("", 496)], 0, 86, 94)
             + _row([("行政强制", 60), ("1", 303), ("0", 427), ("0", 552)], 1, 107, 117)
             + _row([("行政许可", 60), ("", 303), ("", 427), ("", 496)], 2, 128, 136))
    table = Table(cells, 3, 4, page=1, origin=ORIGIN)
    ink_beside_the_last_column = (551.0, 86.4, 553.0, 93.1)  # a thin 1 next to a dashed ruling
    (doubted,) = blanks_over_ink([table], [ink_beside_the_last_column])
    assert doubted.at(0, 3).score < 0.9
    assert [doubted.at(0, c).score for c in range(3)] == [table.at(0, c).score for c in range(3)]
    assert doubted.at(2, 3).score == 1.0  # a row printing no value is another matter (unruled.py)
    (far,) = blanks_over_ink([table], [(551.0, 160.0, 553.0, 167.0)])  # ink in no row of the table
    assert far.at(0, 3).score == 1.0


def test_a_minus_before_a_count_from_ocr_is_a_speck():
    readings = {"t2.licensing.decisions": Reading("t2.licensing.decisions", -12563, "read", 0.97, "-12563", page=2),
                "t2.licensing.change": Reading("t2.licensing.change", -3, "read", 0.97, "-3", page=2),
                "t2.penalty.decisions": Reading("t2.penalty.decisions", -7, "read", 0.97, "-7", page=5)}
    warnings = _unsigned_counts(readings, frozenset({2}))
    assert readings["t2.licensing.decisions"].value == 12563
    assert readings["t2.licensing.decisions"].status == "corrected"
    assert readings["t2.licensing.decisions"].confidence < 0.9
    assert readings["t2.licensing.change"].value == -3  # 本年增/减 may fall
    assert readings["t2.penalty.decisions"].value == -7  # a text layer's page prints what it prints
    assert len(warnings) == 1


def _web_page(info: str, signature_date: str = "") -> bytes:
    rows = "".join(f"<tr><td>{lab}</td>" + "<td>0</td>" * 6 + "<td>0</td></tr>"
                   for lab in ("一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量", "（一）予以公开",
                               "（七）总计", "四、结转下年度继续办理"))
    head = "<tr><td>项目</td>" + "".join(f"<td>{c}</td>" for c in ("自然人", "商业企业", "科研机构", "社会公益组织",
                                                                    "法律服务机构", "其他", "总计")) + "</tr>"
    return (f"<html><body><h1>某市统计局2021年度政府信息公开工作年度报告</h1><div>{info}</div>"
            "<p>一、总体情况</p><p>本报告所列数据的统计期限自2021年1月1日起至2021年12月31日止。</p>"
            f"<p>三、收到和处理政府信息公开申请情况</p><table>{head}{rows}</table>"
            "<p>六、其他需要报告的事项</p><p>无。</p>"
            f"<p>某市统计局</p><p>{signature_date}</p></body></html>").encode()


def test_a_sites_info_line_dates_the_report_after_shi_jian():
    fields = extract(_web_page("时间：2022-03-24 14:24 来源：本网 字号：[大 中 小]"), "r.html").fields
    assert fields["meta.published_date"].value == "2022-03-24"
    assert fields["meta.published_date"].confidence >= 0.9
    # an update time is no publication date, nor is the statistics period
    fields = extract(_web_page("更新时间：2022-05-01 来源：本网"), "r.html").fields
    assert fields["meta.published_date"].value != "2022-05-01"


def test_dashes_say_none_and_stay_in_review():
    page = _web_page("发布日期：2022-03-24").decode().replace("<td>0</td>", "<td>—</td>")
    fields = extract(page.encode(), "r.html").fields
    for key in ("t3.received_new.natural_person", "t3.granted.total", "t3.total_handled.commercial"):
        assert fields[key].value == 0 and fields[key].confidence < 0.9, key
    # a row not printed, its cells filled in by the rules: as a dash or as blank, none can say
    row = "<tr><td>二、上年结转政府信息公开申请数量</td>" + "<td>—</td>" * 7 + "</tr>"
    assert row in page
    fields = extract(page.replace(row, "").encode(), "r.html").fields
    assert fields["t3.carried_over.natural_person"].status == "inferred"
    assert fields["t3.carried_over.natural_person"].confidence < 0.9


def test_a_radical_of_the_supplement_reads_as_its_character():
    assert normalize_text("天津市河⻄区退役军⼈事务局") == "天津市河西区退役军人事务局"


def test_a_row_the_rules_fill_in_where_zeros_are_dashes_is_in_review():
    """A report receiving no application, its zeros printed as dashes, a row of them not found:
    the overview's none gives the row 0s, which the report would have printed as dashes, typed 0
    by some and blank by others."""
    import re

    from tests.synth import html_report
    from tests.synth.form import build_report, synth_answers

    answer = {k: (0 if k.startswith("t3.") else v) for k, v in synth_answers(4, template="2021").items()}
    page = html_report.render(build_report(answer, seed=4, misprint={k: "—" for k in answer if k.startswith("t3.")}),
                              layout=False).decode()
    row = re.search(r"<tr>(?:(?!</tr>).)*危及(?:(?!</tr>).)*</tr>", page, re.S)
    heading = re.search(r"一、总体情况(?:(?!</p>|</h\d>).)*</(?:p|h\d)>", page)
    assert row is not None and heading is not None
    page = page.replace(row.group(0), "").replace(heading.group(0), heading.group(0) + "<p>本年度未收到政府信息公开申请。</p>")
    fields = extract(page.encode(), "r.html").fields
    key = "t3.denied.safety_stability.natural_person"
    assert fields[key].status == "inferred" and fields[key].value in (0, None) and fields[key].confidence < 0.9
    assert fields["t3.granted.total"].value == 0 and fields["t3.granted.total"].confidence < 0.9


def test_an_empty_ruled_cell_with_unread_ink_well_inside_it_is_doubted():
    """A photographed 7 too light for the detector, in a ruled cell whose second reading a bent
    ruling took: the page's unread ink stands inside the cell. A piece of broken ruling at the
    cell's edge is no such doubt."""
    cells = [Cell(0, 0, "行政处罚", page=1, bbox=(160, 598, 290, 612)), Cell(0, 1, "0", page=1, bbox=(290, 598, 535, 612)),
             Cell(1, 0, "行政强制", page=1, bbox=(160, 612, 290, 626)), Cell(1, 1, "", page=1, bbox=(290, 612, 535, 626))]
    table = Table(cells, 2, 2, page=1, origin="ruling")
    (doubted,) = blanks_over_ink([table], [(412.8, 617.3, 415.7, 622.1)])
    assert doubted.at(1, 1).score < 0.9 and doubted.at(0, 1).score == 1.0
    (edge,) = blanks_over_ink([table], [(292.0, 613.0, 293.5, 625.0)])  # the ruling's piece beside it
    assert edge.at(1, 1).score == 1.0


def test_a_page_of_two_lines_photographed_sideways_is_turned_to_read_them():
    """The last page holds the signature and its date alone, photographed on its side: too few
    lines for the ink's shapes to tell the page's side, and the detector finds none upright."""
    import numpy as np
    import pymupdf

    from extraction.scan.images import image_source
    from extraction.scan.page_reader import default_reader

    doc = pymupdf.open()
    page = doc.new_page(width=842, height=595)  # A4 on its side
    for i, line in enumerate(("江门市人民政府办公室", "2024年1月18日")):
        page.insert_text((300 + 24 * i, 420), line, fontname="china-s", fontsize=14, rotate=90)
    pix = page.get_pixmap(dpi=150, colorspace=pymupdf.csGRAY)
    gray = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width).copy()
    scan = default_reader().read(image_source(gray, 150), 1)
    assert scan.turns % 2 == 1
    assert any("2024年1月18日" in w.text.replace(" ", "") for w in scan.words), [w.text for w in scan.words]


def test_a_dash_or_two_among_blanks_leave_a_table_printing_its_zeros_blank():
    """A table printing its zeros blank, one of them read as a dash (OCR reads a stroke as 一): the
    cells the rules fill in are still printed blank, as the table prints its zeros."""
    import re

    from tests.synth import html_report
    from tests.synth.form import build_report, synth_answers

    seed = next(s for s in range(40) if all(v == 0 for k, v in synth_answers(s, template="2021").items()
                                            if k.startswith("t3.denied.safety_stability.")))
    answer = synth_answers(seed, template="2021")
    one = next(k for k, v in answer.items() if k.startswith("t3.granted.") and v == 0)
    page = html_report.render(build_report(answer, seed=seed, blank_zeros=True, misprint={one: "—"}),
                              layout=False).decode()
    row = re.search(r"<tr>(?:(?!</tr>).)*危及(?:(?!</tr>).)*</tr>", page, re.S)
    fields = extract(page.replace(row.group(0), "").encode(), "r.html").fields
    key = "t3.denied.safety_stability.natural_person"
    assert fields[key].status == "inferred" and fields[key].value is None
