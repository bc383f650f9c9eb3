"""The HTML reader on rendered CMS pages and on hand-written broken markup."""
from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest

from extraction.model import Table
from extraction.readers import html
from tests.synth import html_report
from tests.synth.form import build_report, synth_answers, wrong_fields
from tests.document_views import _spans, _tables, _texts, assert_read_from_pictures


@pytest.fixture(scope="module")
def report_2021():
    answer = synth_answers(3, template="2021")
    answer["t3.granted.natural_person"] = answer["t3.granted.natural_person"] or 7  # a value to look for
    return build_report(answer, blank_zeros=True, seed=3)


def test_cms_page_gives_the_three_tables_with_their_spans(report_2021):
    doc = html.read(html_report.render(report_2021))
    assert doc.kind == "html"
    tables = _tables(doc)
    assert [(t.n_rows, t.n_cols) for t in tables] == [(14, 4), (28, 10), (4, 15)]
    for got, name in zip(tables, ("t2", "t3", "t4")):
        assert _spans(got) == _spans(report_2021.tables[name])
        assert got.origin == "html"

    t3 = tables[1]
    vertical = t3.at(5, 0)
    assert vertical.text == "三、本年度办理结果"
    assert (vertical.row, vertical.rowspan, vertical.colspan) == (5, 22, 1)
    assert t3.at(20, 0) is vertical  # a row deep inside the result rows is still covered by it
    denied = t3.at(7, 1)
    assert denied.text == "（三）不予公开" and denied.rowspan == 8
    assert t3.at(0, 0).rowspan == 3 and t3.at(0, 0).colspan == 3
    assert t3.at(0, 3).text == "申请人情况" and t3.at(0, 3).colspan == 7

    value = t3.at(5, 3)  # （一）予以公开 × 自然人
    assert value.text == report_2021.printed["t3.granted.natural_person"] != ""
    blank_key = next(k for k, v in report_2021.answer.items() if k.startswith("t3.") and v is None)
    _, r, c = report_2021.cell_of[blank_key]
    assert t3.at(r, c).blank and t3.at(r, c).text == ""  # &nbsp; or nothing: both blank

    # Header cells the page broke with <br> come back whole, with no space between the halves.
    assert [c.text for c in tables[2].row_cells(1)][:5] == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]


def test_reading_order_and_boilerplate(report_2021):
    doc = html.read(html_report.render(report_2021))
    texts = _texts(doc)
    joined = "\n".join(texts)
    assert texts[0] == report_2021.title
    for furniture in ("当前位置", "版权所有", "网站标识码", f"{report_2021.agency}门户网站", "机构概况", "互动交流",
                      "隐藏的统计代码", "document.title"):
        assert furniture not in joined, furniture
    assert "年度报告" not in texts  # the sidebar's menu entry
    # Sections and tables interleave in the page's order.
    kinds = ["T" if isinstance(b, Table) else b.text for b in doc.blocks]
    for heading, nxt in (("二、主动公开政府信息情况", "T"), ("三、收到和处理政府信息公开申请情况", "T"),
                         ("四、政府信息公开行政复议、行政诉讼情况", "T")):
        assert kinds[kinds.index(heading) + 1] == nxt
    assert kinds.index("五、存在的主要问题及改进情况") > len(kinds) - 8
    assert texts[-1] == "2024年3月16日" == report_2021.signature[-1]


@pytest.mark.parametrize("encoding,declare", [("gb18030", None), ("gbk", "http-equiv"), ("gb18030", "meta")])
def test_chinese_encodings(report_2021, encoding, declare):
    data = html_report.render(report_2021, encoding=encoding, declare=declare)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the test really is about a non-UTF-8 page
    doc = html.read(data)
    assert _texts(doc)[0] == report_2021.title
    assert _spans(_tables(doc)[1]) == _spans(report_2021.tables["t3"])


def test_page_declaring_utf8_but_written_in_gbk_is_still_read():
    page = '<html><head><meta charset="utf-8"></head><body><p>保定市科学技术局</p></body></html>'
    doc = html.read(page.encode("gbk"))
    assert _texts(doc) == ["保定市科学技术局"]
    assert doc.warnings and "gb18030" in doc.warnings[0]


def test_utf8_bom_wins_over_a_wrong_declaration():
    page = '<html><head><meta charset="gb2312"></head><body><p>政府信息公开</p></body></html>'
    doc = html.read(b"\xef\xbb\xbf" + page.encode("utf-8"))
    assert _texts(doc) == ["政府信息公开"]


def test_sloppy_markup_gives_the_same_grids(report_2021):
    data = html_report.render(report_2021, sloppy=True, encoding="gb18030", declare=None)
    assert b"<TD" in data and b"</TD>" not in data and b"</TR>" not in data  # report cells left open
    doc = html.read(data)
    tables = _tables(doc)
    assert len(tables) == 3
    for got, name in zip(tables, ("t2", "t3", "t4")):
        assert _spans(got) == _spans(report_2021.tables[name])
    texts = _texts(doc)
    assert "一、总体情况" in texts and "六、其他需要报告的事项" in texts


def test_2019_form_and_traditional_labels_as_printed():
    answer = synth_answers(11, template="2019")
    report = build_report(answer, traditional=True)
    doc = html.read(html_report.render(report, layout=False))
    t3 = _tables(doc)[1]
    assert t3.n_rows == 26  # (六)其他处理 is one row on the 2019 form
    assert t3.at(5, 0).text == "三、本年度辦理結果" and t3.at(5, 0).rowspan == 20
    assert t3.at(23, 1).text == "（六）其他處理" and t3.at(23, 1).colspan == 2
    assert _texts(doc)[0] == report.title  # the reader leaves conversion to the pipeline


def test_nested_layout_tables_become_blocks_and_innermost_tables_grids():
    page = """<html><body>
    <table><tr><td>站点导航</td><td>
      <table><tr><td><p>某某局2023年政府信息公开工作年度报告</p>
        <div>一、总体情况</div>
        <table border=1>
          <tr><td rowspan="2">信息内容</td><td colspan="2">件数</td></tr>
          <tr><td>本年制发</td><td>现行有效</td></tr>
          <tr><td>规章</td><td>1</td><td>&nbsp;</td></tr>
        </table>
        文末说明<br>第二行
      </td></tr></table>
    </td></tr></table></body></html>"""
    doc = html.read(page.encode("utf-8"))
    kinds = ["T" if isinstance(b, Table) else b.text for b in doc.blocks]
    assert kinds == ["站点导航", "某某局2023年政府信息公开工作年度报告", "一、总体情况", "T", "文末说明", "第二行"]
    table = _tables(doc)[0]
    assert (table.n_rows, table.n_cols) == (3, 3)
    assert table.at(1, 0).text == "信息内容" and table.at(0, 0).rowspan == 2
    assert table.at(0, 2).text == "件数" and table.at(0, 1).colspan == 2
    assert table.at(2, 2).blank


def test_broken_spans_and_unclosed_tags_do_not_break_the_grid():
    page = """<body><p>前言<table>
      <tr><td colspan="2px">表头<td rowspan=9>合计
      <tr><td>甲<td>1
      <tr><td>乙<td> 2 </table><p>结尾"""
    doc = html.read(page.encode("utf-8"))
    table = _tables(doc)[0]
    assert (table.n_rows, table.n_cols) == (3, 3)
    total = table.at(0, 2)
    assert total.text == "合计" and total.rowspan == 3  # clamped to the table
    assert table.at(2, 1).text == "2"
    assert _texts(doc) == ["前言", "结尾"]


def test_one_row_or_one_column_tables_are_layout():
    page = "<body><table><tr><td>标题</td><td>日期：2023-01-18</td></tr></table>" \
           "<table><tr><td>正文一</td></tr><tr><td>正文二</td></tr></table></body>"
    doc = html.read(page.encode("utf-8"))
    assert _tables(doc) == []
    assert _texts(doc) == ["标题", "日期：2023-01-18", "正文一", "正文二"]


def test_source_line_wrapping_inside_cjk_is_not_a_space():
    page = "<body><table><tr><td>一、本年新收政府信息\n        公开申请数量</td><td>12</td></tr>" \
           "<tr><td>法律 服务机构</td><td>3</td></tr></table></body>"
    table = _tables(html.read(page.encode("utf-8")))[0]
    assert table.at(0, 0).text == "一、本年新收政府信息公开申请数量"
    assert table.at(1, 0).text == "法律 服务机构"  # a space the page itself printed stays


@pytest.mark.parametrize("seed,variant", [(3, {"blank_zeros": True}),
                                          (14, {"traditional": True, "other_handling_single_row": True})])
def test_pipeline_reads_a_rendered_page(seed, variant):
    from extraction.pipeline import extract

    report = build_report(synth_answers(seed), seed=seed, **variant)
    result = extract(html_report.render(report, sloppy=seed % 2 == 0), "report.html")
    output = result.model_dump(mode="json")
    assert output["source"]["kind"] == "html"
    assert wrong_fields(report.answer, output) == []
    assert set(output["fields"]) <= set(report.answer)  # no keys of the other form


def test_article_header_with_the_title_is_kept_and_site_header_dropped():
    page = """<body><div class="header">某某局门户网站 首页 政务公开</div>
    <div class="breadcrumb">首页 &gt; 年报 &gt; 某某局2023年政府信息公开工作年度报告</div>
    <div class="article-header"><h1>某某局2023年政府信息公开工作年度报告</h1></div>
    <header><p>某某局2023年政府信息公开工作年度报告（副本标题）</p></header>
    <p>正文</p><div id="footer">版权所有</div></body>"""
    texts = _texts(html.read(page.encode("utf-8")))
    assert texts == ["某某局2023年政府信息公开工作年度报告", "某某局2023年政府信息公开工作年度报告（副本标题）", "正文"]


def test_a_frame_table_around_prose_is_layout():
    prose = "为进一步做好政府信息公开工作，增强公开实效，提升政府公信力。" * 8
    page = f"<body><table><tr><td>栏目</td><td>正文</td></tr><tr><td>说明</td><td><p>{prose}</p></td></tr></table></body>"
    doc = html.read(page.encode("utf-8"))
    assert _tables(doc) == []
    assert _texts(doc) == ["栏目", "正文", "说明", prose]


def test_utf8_page_with_a_damaged_byte_is_not_read_as_gbk():
    page = "<body><p>保定市科学技术局</p><p>收到申请\xff</p></body>".encode("utf-8").replace(b"\xc3\xbf", b"\xff")
    doc = html.read(page)
    assert _texts(doc)[0] == "保定市科学技术局"
    assert doc.warnings


def test_a_latin1_label_from_the_server_template_is_ignored():
    page = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"></head>' \
           "<body><p>政府信息公开</p></body></html>"
    assert _texts(html.read(page.encode("gb18030"))) == ["政府信息公开"]
    assert _texts(html.read(page.encode("utf-8"))) == ["政府信息公开"]


def test_tables_shown_as_pictures_the_page_carries_are_read_by_ocr():
    """A page saved whole: each table a data: URI picture, and a small linked emblem. The tables
    are read from the pictures where they stand; the emblem is neither fetched nor warned about."""
    from extraction.pipeline import extract

    report = build_report(synth_answers(9101), seed=9101, traditional=True)
    result = extract(html_report.render(report, pictures=True, seed=9101), "report.html")
    assert_read_from_pictures(report.answer, result)


def test_pictures_a_lazy_loading_page_keeps_in_data_src_are_read():
    """A WeChat or CMS page saved whole: each table's picture in data-src, its src a 1 x 1 GIF that
    the page's script replaces (as every browser showing the page has)."""
    from extraction.pipeline import extract

    report = build_report(synth_answers(9102), seed=9102)
    result = extract(html_report.render(report, pictures=True, lazy=True, seed=9102), "report.html")
    assert_read_from_pictures(report.answer, result)


def test_a_picture_of_a_pixel_or_four_is_decoded():
    """A placeholder GIF (palette, transparency) and a 2 x 2 colour image: OpenCV compares a scalar
    beside four pixels or fewer as a vector; the red-ink mask must keep the image's shape."""
    import base64
    import io

    from PIL import Image

    from extraction.scan.images import decode_images

    gif = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
    buf = io.BytesIO()
    Image.new("RGB", (2, 2), (200, 30, 30)).save(buf, "PNG")
    (pixel, _), = decode_images(gif)
    (red, _), = decode_images(buf.getvalue())
    assert pixel.shape == (1, 1) and red.shape == (2, 2) and (red == 255).all()


def test_a_large_linked_picture_is_warned_about_not_fetched():
    page = ("<html><body><p>2023年政府信息公开工作年度报告</p><p><img src='https://www.example.gov.cn/t3.png' "
            "width='800'></p><p><img src='data:image/png;base64,AAAA'></p></body></html>")
    doc = html.read(page.encode("utf-8"))
    assert any(w.startswith("1 picture(s) the page links to were not fetched") for w in doc.warnings)
    assert [b.text for b in doc.blocks] == ["2023年政府信息公开工作年度报告"]


@pytest.mark.parametrize("boxes", ["grid", "grid-auto", "flex"])
def test_a_table_drawn_with_css_boxes_keeps_its_blank_cells(boxes):
    """A table drawn as <div>s: read as text, an empty box prints nothing and the next figure
    slides into its column. Read as boxes, each keeps its place, so zeros printed blank stay blank."""
    from extraction.pipeline import extract

    report = build_report(synth_answers(6, template="2019"), blank_zeros=True, seed=6)
    page = html_report.render(report, boxes=boxes, seed=6)
    tables = _tables(html.read(page))
    assert [(t.n_rows, t.n_cols) for t in tables] == [
        (report.tables[n].n_rows, report.tables[n].n_cols) for n in ("t2", "t3", "t4")]
    if boxes != "flex":  # a flex row has no row spans: a merged cell's lower rows are empty boxes
        assert [_spans(t) for t in tables] == [_spans(report.tables[n]) for n in ("t2", "t3", "t4")]
    assert sum(v is None for v in report.answer.values()) >= 20  # blank cells to keep in place
    output = extract(page, "report.html").model_dump(mode="json")
    assert wrong_fields(report.answer, output) == []


def test_css_grid_placement_by_lines_spans_and_auto_flow():
    page = """<body><div style="display:grid;grid-template-columns:[a] 8em repeat(2, minmax(0,1fr)) 1fr">
    <div style="grid-row:1 / span 2">项目</div><div style="grid-column:2 / 5">数量</div>
    <div>新收</div><div style="grid-column-start:3">办结</div><div>总计</div>
    <div>申请</div><div>3</div><div></div><div>3</div></div></body>"""
    table = _tables(html.read(page.encode("utf-8")))[0]
    assert (table.n_rows, table.n_cols) == (3, 4)
    assert table.at(1, 0).text == "项目" and table.at(0, 3).text == "数量"
    assert [c.text for c in table.row_cells(1)] == ["新收", "办结", "总计"]
    assert [c.text for c in table.row_cells(2)] == ["申请", "3", "", "3"]


def test_a_page_layout_grid_is_not_a_table():
    prose = "本机关认真贯彻落实《条例》，全年主动公开政府信息。"
    page = f"""<body><div style="display:grid;grid-template-columns:240px 1fr">
    <div class="menu-box">年度报告</div><div><p>{prose}</p></div>
    <div>联系我们</div><div><p>{prose}</p></div></div></body>"""
    doc = html.read(page.encode("utf-8"))
    assert _tables(doc) == []
    assert prose in _texts(doc)


def test_a_table_in_an_iframe_srcdoc_is_read_and_a_linked_frame_is_warned_about():
    from extraction.pipeline import extract

    report = build_report(synth_answers(5, template="2021"), blank_zeros=True, seed=5)
    page = html_report.render(report, boxes="frame", seed=5)
    assert b"<iframe" in page and b"&lt;table" in page
    result = extract(page, "report.html")
    assert wrong_fields(report.answer, result.model_dump(mode="json")) == []
    assert not any("framed page" in w for w in result.warnings)

    linked = ("<body><p>2023年政府信息公开工作年度报告</p><iframe src='/t3.html' width='100%'></iframe>"
              "<iframe src='https://count.example.cn/x' width='0' height='0'></iframe></body>")
    doc = html.read(linked.encode("utf-8"))
    assert [w for w in doc.warnings if "framed page" in w] == [
        "1 framed page(s) the page links to were not fetched: a table shown in a frame there is not read"]


def test_a_header_row_run_into_the_first_row_gives_both_their_labels():
    """Table 2's header row and its first row in one row of cells (信息内容<br>规章 | 本年制发件数<br>3):
    the first row's label and its values are told apart from the header's."""
    from extraction.pipeline import extract

    report = build_report(synth_answers(7, template="2021"), seed=7)
    t2 = report.tables["t2"]
    head = next(r for r in range(t2.n_rows) if t2.at(r, 0).text == "信息内容")
    merged = []
    for cell in t2.cells:
        if cell.row == head + 1:
            continue
        if cell.row == head:
            below = t2.at(head + 1, cell.col)
            cell = replace(cell, text=f"{cell.text}\n{below.text}")
        elif cell.row > head:
            cell = replace(cell, row=cell.row - 1)
        merged.append(cell)
    report.tables["t2"] = replace(t2, cells=merged, n_rows=t2.n_rows - 1)
    page = html_report.render(report, seed=7, break_headers=False)
    assert "信息内容\n规章" in page.decode("utf-8")
    result = extract(page, "report.html")
    keys = [k for k in report.answer if k.startswith("t2.")]
    assert [result.fields[k].value for k in keys] == [report.answer[k] for k in keys]


def test_divs_styled_as_table_rows_and_cells_are_a_table():
    page = """<head><style>.t{display:table}.r{display:table-row}.c{display:table-cell;border:1px solid}</style></head>
    <body><div class="t"><div class="r"><div class="c">信息内容</div><div class="c">本年制发件数</div>
    <div class="c">本年废止件数</div></div>
    <div class="r"><div class="c">规章</div><div class="c"></div><div class="c">2</div></div></div></body>"""
    table = _tables(html.read(page.encode("utf-8")))[0]
    assert (table.n_rows, table.n_cols) == (2, 3)
    assert [c.text for c in table.row_cells(1)] == ["规章", "", "2"]


def test_a_label_cell_over_the_header_row_and_the_first_row_gives_each_its_label():
    """信息内容规章 in one cell spanning the header's row and the first row, whose values stand in
    their own row: the first row keeps its values (the header-run-into-first-row reading, which
    takes header cells as holding the first row's cells, must not apply)."""
    from extraction.pipeline import extract

    report = build_report(synth_answers(7, template="2021"), seed=7)
    t2 = report.tables["t2"]
    head = next(r for r in range(t2.n_rows) if t2.at(r, 0).text == "信息内容")
    cells = []
    for cell in t2.cells:
        if cell.row == head + 1 and cell.col == 0:
            continue
        if cell.row == head and cell.col == 0:
            cell = replace(cell, text="信息内容\n规章", rowspan=2)
        cells.append(cell)
    report.tables["t2"] = replace(t2, cells=cells)
    result = extract(html_report.render(report, seed=7, break_headers=False), "report.html")
    keys = [k for k in report.answer if k.startswith("t2.rules.")]
    assert [result.fields[k].value for k in keys] == [report.answer[k] for k in keys]


def test_a_page_whose_body_lacks_the_title_takes_it_from_its_head():
    """A page kept as its article's text alone (the site's template set the title apart, outside
    the part kept): the report's title is only in the <head>, in <title> after or before the
    site's name, or in a CMS's ArticleTitle. The agency and the year are read from it as from the
    title a printed report opens with; a body that has its own title keeps it, and a <title> that
    is only the site's name adds nothing."""
    from extraction.pipeline import extract

    report = build_report(synth_answers(4, template="2021"), seed=4)
    page = html_report.render(report).decode("utf-8")
    body_title = f'<h1 class="title">{report.title}</h1>'
    assert body_title in page and f"<title>{report.title}_" in page
    untitled = page.replace(body_title, "")
    heads = [untitled,
             untitled.replace(f"<title>{report.title}_", f"<title>某某市人民政府门户网站 | {report.title} - "),
             untitled.replace("<head>", f'<head><meta name="ArticleTitle" content="{report.title}">')
                     .replace(f"<title>{report.title}_", "<title>")]
    for data in heads:
        fields = extract(data.encode("utf-8"), "report.html").fields
        for key in ("meta.agency", "meta.year"):
            assert (fields[key].value, fields[key].confidence >= 0.9) == (report.answer[key], True), key
        assert _texts(html.read(data.encode("utf-8")))[0] == report.title
    assert _texts(html.read(page.encode("utf-8"))).count(report.title) == 1
    site_only = untitled.replace(f"<title>{report.title}_", "<title>")
    assert report.title not in _texts(html.read(site_only.encode("utf-8")))


@pytest.mark.parametrize("shape", ["tsv", "aligned", "box"])
def test_a_text_report_posted_in_pre_is_read_as_text(shape):
    """A text report put on a page as it was, in <pre>: its lines are lines, its tables tab-separated,
    in columns of spaces or drawn with bars. Read as one run of words, it lost every table."""
    import html as html_escape
    import json

    from extraction.pipeline import extract
    from tests.synth.text_report import text_report

    tr = text_report(163905, shape)
    page = (f"<html><head><meta charset='utf-8'><title>年度报告</title></head><body><div class='nav'>首页</div>"
            f"<pre>{html_escape.escape(tr.text)}</pre></body></html>")
    result = extract(page.encode(), "report.html")
    assert result.source.kind == "html"
    assert wrong_fields(tr.answer, json.loads(result.model_dump_json())) == []
    assert len(result.review) <= 1  # (columns of spaces lose a blank cell's place: that row's blanks in review)


def test_a_page_in_big5_that_declares_no_charset_is_decoded():
    """A page in traditional characters saved as Big5 with no charset declared: GB18030 decodes its
    bytes too, into nonsense; the reading holding more of a report's commonest characters is taken."""
    import json
    import re

    import opencc

    from extraction.pipeline import extract

    report = build_report(synth_answers(8092), seed=8092)
    page = html_report.render(report, seed=8092)
    page = re.sub(r"<meta[^>]*charset[^>]*>", "", page.decode("utf-8") if isinstance(page, bytes) else page, flags=re.I)
    result = extract(opencc.OpenCC("s2t").convert(page).encode("big5", errors="replace"), "report.html")
    assert wrong_fields(report.answer, json.loads(result.model_dump_json())) == [] and result.review == []


@pytest.mark.parametrize("body, named", [
    ('<p>附件：<a href="/att/2024/r.pdf">某某局2023年政府信息公开工作年度报告.pdf</a></p>'
     '<embed src="/att/2024/r.pdf" type="application/pdf">', "某某局2023年政府信息公开工作年度报告.pdf"),
    ('<iframe src="/static/pdfjs/web/viewer.html?file=/att/2024/ndbg.pdf" width="100%"></iframe>', "ndbg.pdf"),
    ('<p><a href="/att/2024/ndbg.docx">点击下载</a></p>', "ndbg.docx"),
])
def test_a_page_that_only_offers_the_report_as_an_attachment_is_refused_naming_it(body, named):
    """A site's page around an attached report (a link, a PDF viewer, an embedded document): no
    table of the form is there, and the refusal names the file to send instead, once."""
    from extraction.errors import NotAReport
    from extraction.pipeline import extract

    page = ('<html><head><meta charset="utf-8"></head><body><h1>某某局2023年政府信息公开工作年度报告</h1>'
            f'<p>发布日期：2024-01-20</p>{body}</body></html>').encode()
    with pytest.raises(NotAReport, match=r"1 attached document\(s\) the page links to were not fetched \("
                                         + named.replace(".", r"\.") + r"\)"):
        extract(page, "page.html")


@pytest.mark.parametrize("paint", ['<span style="color:#FFFFFF">{}</span>', '<font color="#ffffff">{}</font>',
                                   '<span style="font-size:14px; color: white">{}</span>',
                                   '<span class="old">{}</span>', '<span id="x" class="lastyear">{}</span>',
                                   '<del>{}</del>', '<s>{}</s>', '<strike>{}</strike>',
                                   '<span style="text-decoration: line-through; color:red">{}</span>',
                                   '<span class="gone">{}</span>'])
def test_figures_coloured_white_or_struck_out_beside_the_printed_ones_are_not_read(paint):
    """Last year's figure left in white beside this year's (before it or after it), as a page
    pasted from Word keeps it, or struck through: not read into the cell. The colour or the line
    may come from the element's own style or from a style sheet's rule for its class or id."""
    import random
    import re

    from extraction.pipeline import extract

    report = build_report(synth_answers(43), seed=43)
    rng = random.Random(43)

    def beside(m: re.Match) -> str:
        stale = paint.format(int(m.group(1)) + rng.randint(1, 9))
        return f"{m.group(0)}{stale}" if rng.random() < 0.5 else f"{stale}{m.group(0)}"

    page, n = re.subn(r'<span style="font-size:14px">(\d+)</span>', beside,
                      html_report.render(report, seed=43).decode())
    assert n > 100
    sheet = ("<style>.old{color:#fff} .lastyear{color:#000} #x{color:#FFFFFF}"
             " span.gone { text-decoration-line: line-through }</style>")
    out = extract(page.replace("</head>", sheet + "</head>", 1).encode(), "report.html").model_dump()
    assert wrong_fields(report.answer, out) == []


def test_what_shows_as_standing_is_read():
    """Text is read where a rule names no class or id of its (a tag's, a descendant's), where its
    own style takes the line off or a later rule's colour shows it, and where it stands on a dark
    class's background; struck text is not."""
    import lxml.html

    from extraction.readers.css_tables import style_rules
    from extraction.readers.html_unseen import struck, unseen_white

    root = lxml.html.document_fromstring("""<html><head><style>
    span{color:#fff} td span{text-decoration:line-through} .w{color:white} .b{color:#333}
    .band{background:#036} .x{text-decoration:line-through}</style></head><body><p>
    <span id="a">1</span><del id="b" style="text-decoration:none">2</del><span id="c" class="w b">3</span>
    <span id="d" class="band w">4</span><del id="e">5</del><span id="f" class="x">6</span>
    <span id="g" class="w">7</span></p></body></html>""")
    rules = style_rules(root)
    unseen, through = unseen_white(rules), struck(rules)
    assert {el.get("id") for el in root.iter() if el.get("id") and (unseen(el) or through(el))} == {"e", "f", "g"}


def test_white_text_on_a_dark_background_is_seen():
    """White on a background the page paints dark (inline, or by a style rule naming the cell's
    class) or paints in a way not known here (a picture, a variable), is seen; so is white around
    text another colour paints. White on the white page is not."""
    import lxml.html

    from extraction.readers.css_tables import style_rules
    from extraction.readers.html_unseen import unseen_white

    root = lxml.html.document_fromstring("""<html><head><style>tr.head > td.th{background-color:#1f3864}</style></head>
    <body><table><tr class="head"><td id="a" class="th" style="color:#fff">自然人</td></tr>
    <tr><td id="b" style="background:#333;color:white">1</td><td><span id="c" style="color:#fff">2</span>3</td>
    <td><font id="d" color="#FFFFFF">4<span style="color:#000">5</span></font></td></tr></table>
    <div style="background:url(banner.png)"><span id="e" style="color:#fff">网站首页</span></div>
    <div style="background-color:var(--band)"><span id="f" style="color:#fff">政务公开</span></div></body></html>""")
    unseen = unseen_white(style_rules(root))
    assert {el.get("id") for el in root.iter() if el.get("id") and unseen(el)} == {"c"}


@pytest.mark.parametrize("junk", ['<span style="font-size:0">{}</span>', '<span style="font-size: 0px;">{}</span>',
                                  '<span style="opacity:0">{}</span>', '<i style="color:transparent">{}</i>',
                                  '<span class="jk">{}</span>'])
def test_characters_slipped_in_against_copying_are_not_read(junk):
    """A digit slipped into each figure where it does not show (no size, no opacity, no colour; by
    its own style or a style sheet's class), as some sites do against copying: 12 is read 12."""
    import random
    import re

    from extraction.pipeline import extract

    report = build_report(synth_answers(44), seed=44)
    rng = random.Random(44)
    page = html_report.render(report, seed=44).decode().replace("</head>", "<style>.jk{font-size:0}</style></head>")
    page, n = re.subn(r'<span style="font-size:14px">(\d+)</span>',
                      lambda m: f'<span style="font-size:14px">{m.group(1)}{junk.format(rng.randint(0, 9))}</span>', page)
    assert n > 100
    out = extract(page.encode(), "report.html").model_dump()
    assert wrong_fields(report.answer, out) == []


def test_a_box_of_no_font_size_shows_the_inline_blocks_inside_it():
    """font-size:0 on a box closes the gaps between its inline blocks, which set their own size."""
    page = ('<html><body><p>一、总体情况</p><div style="font-size:0"><span style="font-size:14px">全年主动公开'
            '</span><span style="font-size:14px">政府信息177条。</span></div></body></html>')
    assert "全年主动公开政府信息177条。" in "".join(_texts(html.read(page.encode())))


def test_pinyin_set_over_characters_as_ruby_is_not_read():
    """A page that sets pinyin over some characters (<ruby>政<rt>zhèng</rt></ruby>, every other one
    with <rp> brackets for browsers without ruby): its characters are read, not the pinyin."""
    import itertools
    import re

    from extraction.pipeline import extract

    report = build_report(synth_answers(49), seed=49)
    sounds = {"政": "zhèng", "府": "fǔ", "信": "xìn", "息": "xī", "公": "gōng", "开": "kāi", "市": "shì",
              "局": "jú", "理": "lǐ", "处": "chǔ", "总": "zǒng", "计": "jì", "申": "shēn", "请": "qǐng"}

    brackets = itertools.cycle([False, True])

    def ruby(m: re.Match) -> str:
        ch = m.group(0)
        sound = f"<rp>(</rp><rt>{sounds[ch]}</rt><rp>)</rp>" if next(brackets) else f"<rt>{sounds[ch]}</rt>"
        return f"<ruby>{ch}{sound}</ruby>"

    page = re.sub(r">([^<]+)<", lambda m: ">" + re.sub(f"[{''.join(sounds)}]", ruby, m.group(1)) + "<",
                  html_report.render(report, seed=49).decode())
    assert page.count("<ruby>") > 100
    out = extract(page.encode(), "report.html").model_dump()
    assert wrong_fields(report.answer, out) == []


@pytest.mark.parametrize("look", ['style="color:#fff"', 'style="text-decoration:line-through"'])
def test_a_cell_all_white_or_struck_keeps_its_place_in_the_row(look):
    """A cell printed blank (a zero left empty) that holds last year's figure, the whole cell white
    or struck through: not read, and still a cell, so the cells after it keep their columns."""
    import random
    import re

    from extraction.pipeline import extract

    report = build_report(synth_answers(50), seed=50, blank_zeros=True)
    rng = random.Random(50)
    page, n = re.subn(r"<td>(?:&nbsp;)?</td>",
                      lambda m: f"<td {look}>{rng.randint(1, 9)}</td>" if rng.random() < 0.5 else m.group(0),
                      html_report.render(report, seed=50).decode())
    assert n > 20
    out = extract(page.encode(), "report.html").model_dump()
    assert wrong_fields(report.answer, out) == []


def _foot_first(page: str) -> str:
    """Each of the page's form tables with its last three rows in a <tfoot> written before its
    <tbody>, as HTML 4 required and old editors write it (a browser lays the foot out last)."""
    def moved(m) -> str:
        rows = m.group(2).split("</tr>")
        body, foot = "</tr>".join(rows[:-4]) + "</tr>", "</tr>".join(rows[-4:-1]) + "</tr>"
        return f"{m.group(1)}<tfoot>{foot}</tfoot><tbody>{body}</tbody></table>"
    page, n = re.subn(r"(<table border=\"1\"[^>]*>\s*)<tbody>(.*?)</tbody></table>", moved, page, flags=re.S)
    assert n == 3
    return page


@pytest.mark.parametrize("damage", ["foot_first", "double_escaped"])
def test_a_tables_foot_written_first_and_spaces_escaped_twice(damage):
    """A <tfoot> written before the <tbody> holds the table's last rows (table 2's fees, table 3's
    四、结转下年度继续办理): read in the source's order they came first and lost their rows. A space
    entity escaped twice (&amp;nbsp;) shows as the letters "&nbsp;" beside a figure, which then read
    as no number."""
    from extraction.pipeline import extract

    for seed in range(3, 6):
        report = build_report(synth_answers(seed), seed=seed)
        page = html_report.render(report, seed=seed).decode("utf-8")
        if damage == "foot_first":
            page = _foot_first(page)
        else:
            page, n = re.subn(r'(<p align="center"><span style="font-size:14px">)', r"\1&amp;nbsp;", page)
            assert n > 20
        output = json.loads(extract(page.encode("utf-8"), "report.html").model_dump_json())
        assert wrong_fields(report.answer, output) == []
