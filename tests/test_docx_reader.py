"""The DOCX reader on rendered Word reports (python-docx merges) and on hand-written WordprocessingML."""
from __future__ import annotations

import io
import zipfile

import pytest

from extraction.errors import CorruptInput
from extraction.model import Paragraph, Table
from extraction.readers import docx as docx_reader
from tests.synth import docx_report
from tests.synth.form import build_report, synth_answers, wrong_fields
from tests.document_views import _spans, _tables


@pytest.fixture(scope="module")
def report_2021():
    answer = synth_answers(8, template="2021")
    answer["t3.partially_granted.natural_person"] = 4  # a value to look for (rules do not matter here)
    return build_report(answer, blank_zeros=True)


@pytest.mark.parametrize("frame", [False, True])
def test_merged_cells_become_spans(report_2021, frame):
    doc = docx_reader.read(docx_report.render(report_2021, frame=frame))
    assert doc.kind == "docx"
    tables = _tables(doc)
    assert [(t.n_rows, t.n_cols) for t in tables] == [(14, 4), (28, 10), (4, 15)]
    for got, name in zip(tables, ("t2", "t3", "t4")):
        assert _spans(got) == _spans(report_2021.tables[name])
        assert got.origin == "docx"
    t3 = tables[1]
    vertical = t3.at(16, 0)
    assert vertical.text == "三、本年度办理结果" and (vertical.row, vertical.rowspan) == (5, 22)
    assert t3.at(18, 1).text == "（五）不予处理" and t3.at(18, 1).rowspan == 5
    assert t3.at(1, 4).text == "法人或其他组织" and t3.at(1, 4).colspan == 5
    assert t3.at(6, 3).text == "4"  # （二）部分公开 × 自然人
    blank_key = next(k for k, v in report_2021.answer.items() if k.startswith("t3.") and v is None)
    _, r, c = report_2021.cell_of[blank_key]
    assert t3.at(r, c).blank
    t2 = tables[0]
    assert t2.at(0, 3).text == "第二十条第（一）项" and t2.at(0, 0).colspan == 4


@pytest.mark.parametrize("frame, text_boxes", [(False, False), (True, False), (False, True), (True, True)])
def test_paragraphs_in_document_order(report_2021, frame, text_boxes):
    """Title and signature in text boxes (stored twice, DrawingML and VML) are read once, in place."""
    doc = docx_reader.read(docx_report.render(report_2021, frame=frame, text_boxes=text_boxes))
    kinds = ["T" if isinstance(b, Table) else b.text for b in doc.blocks]
    assert kinds.count(report_2021.title) == 1
    assert kinds[0] == report_2021.title
    i = kinds.index("三、收到和处理政府信息公开申请情况")
    assert kinds[i + 1] == "T" and kinds[i - 1] == "T"
    assert kinds[-2:] == report_2021.signature


def test_2019_form_single_other_row():
    report = build_report(synth_answers(21, template="2019"))
    t3 = _tables(docx_reader.read(docx_report.render(report)))[1]
    assert t3.n_rows == 26 and t3.at(5, 0).rowspan == 20
    assert t3.at(23, 1).text == "（六）其他处理" and t3.at(23, 1).colspan == 2


_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _docx(body_xml: str) -> bytes:
    """A minimal package: just enough parts for Word (and python-docx) to open it."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
                   "</Types>")
        z.writestr("_rels/.rels",
                   '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
                   "</Relationships>")
        z.writestr("word/document.xml",
                   f'<?xml version="1.0" encoding="UTF-8"?><w:document {_W}><w:body>{body_xml}</w:body></w:document>')
    return buf.getvalue()


def _p(text: str) -> str:
    return f"<w:p><w:r><w:t xml:space=\"preserve\">{text}</w:t></w:r></w:p>"


def _tc(inner: str, pr: str = "") -> str:
    return f"<w:tc><w:tcPr>{pr}</w:tcPr>{inner}</w:tc>"


_RESTART = '<w:vMerge w:val="restart"/>'
_CONTINUE = "<w:vMerge/>"
_SPAN2 = '<w:gridSpan w:val="2"/>'
_H_RESTART = '<w:hMerge w:val="restart"/>'
_H_CONTINUE = "<w:hMerge/>"


def test_hand_written_merges_breaks_and_content_controls():
    table = (
        "<w:tbl>"
        f"<w:tr>{_tc(_p('结果'), _RESTART)}{_tc(_p('行政诉讼'), _SPAN2)}</w:tr>"
        # vMerge with no val continues the cell above; hMerge is Word 97's horizontal merge.
        f"<w:tr>{_tc('<w:p/>', _CONTINUE)}{_tc(_p('维持'), _H_RESTART)}{_tc('<w:p/>', _H_CONTINUE)}</w:tr>"
        f"<w:tr><w:sdt><w:sdtContent>{_tc(_p('甲'))}</w:sdtContent></w:sdt>"
        f"{_tc('<w:p><w:r><w:t>结果</w:t><w:br/><w:t>纠正</w:t></w:r></w:p>')}{_tc(_p('0'))}</w:tr>"
        "</w:tbl>")
    body = (_p("标题") + "<w:sdt><w:sdtContent>" + _p("控件里的段落") + "</w:sdtContent></w:sdt>"
            + '<w:p><w:hyperlink r:id="x" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
              "<w:r><w:t>链接文字</w:t></w:r></w:hyperlink><w:r><w:tab/><w:t>后</w:t></w:r></w:p>"
            + table + "<w:p/>")
    doc = docx_reader.read(_docx(body))
    kinds = ["T" if isinstance(b, Table) else b.text for b in doc.blocks]
    assert kinds == ["标题", "控件里的段落", "链接文字\t后", "T"]
    t = _tables(doc)[0]
    assert (t.n_rows, t.n_cols) == (3, 3)
    assert t.at(1, 0).text == "结果" and t.at(0, 0).rowspan == 2
    assert t.at(1, 2).text == "维持" and t.at(1, 1).colspan == 2
    assert t.at(2, 0).text == "甲"
    assert t.at(2, 1).text == "结果纠正"  # a line break inside a CJK header is not a space
    assert t.at(2, 2).text == "0"


def test_a_file_published_with_its_tracked_changes_reads_as_they_leave_it():
    """A report saved with its tracked changes still in it: a figure corrected (the old one
    deleted, the new inserted), a row deleted whole, a sentence moved. What Word prints once the
    changes are accepted is read: the deleted figure and row, and the moved text where it was,
    are not (a move's old place holds w:t, not w:delText)."""
    rev = 'w:id="{}" w:author="审核" w:date="2024-01-20T09:00:00Z"'
    fixed = (f'<w:p><w:del {rev.format(1)}><w:r><w:delText>5</w:delText></w:r></w:del>'
             f'<w:ins {rev.format(2)}><w:r><w:t>7</w:t></w:r></w:ins></w:p>')
    table = ("<w:tbl>"
             f"<w:tr>{_tc(_p('信息内容'))}{_tc(_p('本年处理决定数量'))}</w:tr>"
             f"<w:tr>{_tc(_p('行政许可'))}{_tc(fixed)}</w:tr>"
             f"<w:tr><w:trPr><w:del {rev.format(3)}/></w:trPr>{_tc(_p('行政许可'))}{_tc(_p('99'))}</w:tr>"
             "</w:tbl>")
    moved = "本年度未收取任何费用。"
    body = (f'<w:p><w:moveFrom {rev.format(4)}><w:r><w:t>{moved}</w:t></w:r></w:moveFrom></w:p>'
            + _p("标题") + table
            + f'<w:p><w:moveTo {rev.format(5)}><w:r><w:t>{moved}</w:t></w:r></w:moveTo></w:p>')
    doc = docx_reader.read(_docx(body))
    assert [b.text for b in doc.blocks if not isinstance(b, Table)] == ["标题", moved]
    [t] = _tables(doc)
    assert (t.n_rows, t.n_cols) == (2, 2) and t.at(1, 1).text == "7"


def test_table_nested_in_a_data_cell_frame_is_read_as_blocks():
    inner = ("<w:tbl>"
             f"<w:tr>{_tc(_p('信息内容'))}{_tc(_p('本年处理决定数量'))}</w:tr>"
             f"<w:tr>{_tc(_p('行政许可'))}{_tc(_p('12'))}</w:tr>"
             "</w:tbl>")
    outer = f"<w:tbl><w:tr>{_tc(_p('框内说明') + inner + _p('框内结尾'))}</w:tr></w:tbl>"
    doc = docx_reader.read(_docx(_p("开头") + outer))
    kinds = ["T" if isinstance(b, Table) else b.text for b in doc.blocks]
    assert kinds == ["开头", "框内说明", "T", "框内结尾"]
    assert _tables(doc)[0].at(1, 1).text == "12"


@pytest.mark.parametrize("damage", ["truncated", "not_zip", "no_document"])
def test_corrupt_word_files(report_2021, damage):
    if damage == "truncated":
        good = docx_report.render(report_2021)
        data = good[: len(good) // 2]
    elif damage == "not_zip":
        data = b"PK\x03\x04" + b"\x00garbage" * 50
    else:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("[Content_Types].xml", "<Types/>")
        data = buf.getvalue()
    with pytest.raises(CorruptInput):
        docx_reader.read(data)


def test_broken_document_xml_is_corrupt():
    data = _docx("<w:p><w:r><w:t>未闭合")
    with pytest.raises(CorruptInput):
        docx_reader.read(data)


@pytest.mark.parametrize("seed,variant", [(5, {"blank_zeros": True}), (12, {"traditional": True})])
def test_pipeline_reads_a_rendered_word_file(seed, variant):
    from extraction.pipeline import extract

    report = build_report(synth_answers(seed), seed=seed, **variant)
    result = extract(docx_report.render(report, frame=seed % 2 == 0, text_boxes=True), "report.docx")
    output = result.model_dump(mode="json")
    assert output["source"]["kind"] == "docx"
    assert wrong_fields(report.answer, output) == []
    assert set(output["fields"]) <= set(report.answer)


def test_a_frame_table_around_prose_is_layout():
    prose = "为进一步做好政府信息公开工作，增强公开实效，提升政府公信力。" * 8
    frame = f"<w:tbl><w:tr>{_tc(_p('栏目'))}{_tc(_p('正文'))}</w:tr><w:tr>{_tc(_p('说明'))}{_tc(_p(prose))}</w:tr></w:tbl>"
    doc = docx_reader.read(_docx(frame))
    assert _tables(doc) == []
    assert [b.text for b in doc.blocks] == ["栏目", "正文", "说明", prose]


@pytest.mark.parametrize("seed,variant", [(9002, {}), (9001, {"blank_zeros": True, "traditional": True})])
def test_tables_pasted_as_pictures_are_read_by_ocr(seed, variant):
    """Each table a screenshot in the body (table 3 cut where its page broke), a seal beside the
    signature: the tables are read from the pictures at the size Word shows them, the seal adds
    nothing, and no field comes out wrong with confidence."""
    from extraction.pipeline import extract

    report = build_report(synth_answers(seed), seed=seed, **variant)
    result = extract(docx_report.render(report, pictures=True, seal=True, frame=seed % 2 == 0), "report.docx")
    output = result.model_dump(mode="json")
    assert output["source"]["kind"] == "docx"
    wrong = wrong_fields(report.answer, output)
    assert len(wrong) <= 0.01 * len(report.answer), wrong[:5]
    assert not [k for k, _, _ in wrong if output["fields"].get(k, {}).get("confidence", 0) >= 0.9]
    shots = sum(len(v) for v in docx_report.table_pictures(report).values())
    assert any(w.startswith(f"{shots} picture(s) in the document") for w in output["warnings"])
    assert any(k.startswith("picture_") for k in output["timings_ms"])


def test_pictures_are_counted_not_read_when_ocr_is_off():
    """Without OCR a Word file whose tables are pictures is no report we can read, and says why."""
    from extraction.errors import NotAReport
    from extraction.pipeline import ExtractOptions, extract

    report = build_report(synth_answers(9002), seed=9002)
    with pytest.raises(NotAReport, match="3 picture"):
        extract(docx_report.render(report, pictures=True), "report.docx", ExtractOptions(ocr=False))


def test_a_picture_too_large_to_read_is_named_not_decoded():
    """A 9000 x 9000 picture (81 million pixels) is past what one page may hold: skipped before
    a pixel is decoded, with a warning; the OCR is never called."""
    import docx
    from PIL import Image

    png = io.BytesIO()
    Image.new("L", (9000, 9000), 255).save(png, "PNG")
    document = docx.Document()
    document.add_paragraph("正文")
    document.add_picture(io.BytesIO(png.getvalue()))
    data = io.BytesIO()
    document.save(data)

    def never(gray, dpi):
        raise AssertionError("the OCR was called")

    doc = docx_reader.read(data.getvalue(), never)
    assert [b.text for b in doc.blocks] == ["正文"]
    assert any("1 picture(s) in the document were not read: past" in w for w in doc.warnings)


def test_a_document_names_the_pages_ocr_read():
    """Document.ocr_pages: a Word file whose pictures' readings were kept has its one page read by
    OCR (in part), where what is missing may have been lost; one of text alone has none."""
    from extraction.model import Cell, Document

    report = build_report(synth_answers(9002), seed=9002)
    table = Table([Cell(0, 0, "规章"), Cell(0, 1, "3")], 1, 2)
    read_picture = lambda gray, dpi: Document([table], "image", ocr_pages=frozenset({1}))  # noqa: E731
    assert docx_reader.read(docx_report.render(report, pictures=True), read_picture).ocr_pages == {1}
    assert docx_reader.read(docx_report.render(report), read_picture).ocr_pages == frozenset()


@pytest.mark.parametrize("fmt", ["html", "mht"])
def test_a_web_page_exported_to_word_as_an_alternative_part_is_read(fmt):
    """"Export to Word" from a web page (html-docx-js and the like) writes the page itself into the
    .docx as a w:altChunk part, HTML or MHT, which Word converts when it opens the file: the
    report is read from that part, where it stands after the file's own paragraph."""
    from extraction.pipeline import extract
    from tests.synth import html_report, web_archive

    report = build_report(synth_answers(31), seed=31)
    page = html_report.render(report, seed=31)
    payload = web_archive.archive(page, style="word") if fmt == "mht" else page
    data = docx_report.alt_chunk(payload, "message/rfc822" if fmt == "mht" else "text/html", before="附件")
    doc = docx_reader.read(data)
    assert isinstance(doc.blocks[0], Paragraph) and doc.blocks[0].text == "附件"
    assert len(_tables(doc)) >= 3
    output = extract(data, "report.docx").model_dump(mode="json")
    assert output["source"]["kind"] == "docx"
    assert wrong_fields(report.answer, output) == []


def test_an_alternative_part_in_a_format_not_read_is_named():
    data = docx_report.alt_chunk(b"{\\rtf1 }", "application/rtf", before="正文")
    doc = docx_reader.read(data)
    assert [b.text for b in doc.blocks] == ["正文"]
    assert any("application/rtf" in w for w in doc.warnings)


def test_alternative_parts_past_a_web_page_export_are_not_read():
    """Each part read has its own budget of pictures: a file of many parts is read to the eighth,
    and says so."""
    data = docx_report.alt_chunk("<p>第{}部分</p>".encode(), "text/html", copies=10)
    doc = docx_reader.read(data)
    assert len([b for b in doc.blocks if isinstance(b, Paragraph)]) == 8
    assert any("more than 8 parts" in w for w in doc.warnings)


@pytest.mark.parametrize("seed", [163700, 163702])
def test_numbers_drawn_by_automatic_numbering_are_read(seed):
    """Headings numbered by their style's list (一、总体情况 typed as 总体情况), the overview's
    （一）… as a list, each group's 1. 2. … in table 3 as a list restarted for the group: the
    numbers Word shows are read as if typed (without them, 总体情况 was no heading of section 1,
    and the date the report prints nowhere went to review)."""
    from extraction.pipeline import extract

    report = build_report(synth_answers(seed), seed=seed)
    data = docx_report.auto_numbered(docx_report.render(report))
    assert "一、总体情况" not in zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    doc = docx_reader.read(data)
    texts = [b.text for b in doc.blocks if isinstance(b, Paragraph)]
    assert "一、总体情况" in texts and any(t.startswith("（二）依申请公开") for t in texts)
    assert "1.属于国家秘密" in [c.text for t in _tables(doc) for c in t.cells]
    output = extract(data, "report.docx").model_dump(mode="json")
    assert wrong_fields(report.answer, output) == [] and output["review"] == []


@pytest.mark.parametrize("n, fmt, shown", [
    (1, "chineseCounting", "一"), (11, "chineseCounting", "十一"), (20, "chineseCountingThousand", "二十"),
    (23, "japaneseCounting", "二十三"), (3, "chineseLegalSimplified", "叁"), (12, "chineseLegalSimplified", "壹拾贰"),
    (2, "ideographTraditional", "乙"), (4, "decimalEnclosedCircleChinese", "④"), (9, "upperRoman", "IX"),
    (28, "lowerLetter", "bb"), (7, "decimalFullWidth", "７"), (3, "bullet", None), (5, "none", ""),
])
def test_list_number_formats(n, fmt, shown):
    from extraction.readers.docx_numbering import number_text

    assert number_text(n, fmt) == shown


@pytest.mark.parametrize("seed, legacy", [(163710, False), (163711, False), (163712, True), (163713, True)])
def test_tables_pasted_as_excel_objects_are_read_from_their_workbooks(seed, legacy):
    """Every table pasted as an Excel object (Excel.Sheet.12: the workbook an .xlsx inside the file;
    Excel.Sheet.8, `legacy`: Excel 97-2003's binary workbook in an OLE file; either shown by an EMF
    preview that cannot be decoded): each read from its workbook, merged cells as spans, where the
    object stands, and the report read right with nothing in review; the previews are not counted
    as pictures left unread."""
    from extraction.pipeline import extract

    report = build_report(synth_answers(seed), seed=seed)
    data = docx_report.embedded_sheets(docx_report.render(report), legacy=legacy)
    doc = docx_reader.read(data)
    native = docx_reader.read(docx_report.render(report))
    assert [b.__class__.__name__ for b in doc.blocks] == [b.__class__.__name__ for b in native.blocks]
    assert [(t.n_rows, t.n_cols, _spans(t)) for t in _tables(doc)] == [(t.n_rows, t.n_cols, _spans(t))
                                                                       for t in _tables(native)]
    assert doc.warnings == []
    result = extract(data, "report.docx")
    assert wrong_fields(report.answer, result.model_dump(mode="json")) == [] and result.review == []


def test_tables_pasted_as_excel_objects_whose_workbooks_cannot_be_read_are_named_in_the_refusal():
    """An Excel object whose workbook is damaged past reading: with the tables only there, the
    report is refused, and the refusal says why."""
    from extraction.errors import NotAReport
    from extraction.pipeline import extract

    report = build_report(synth_answers(163712), seed=163712)
    with pytest.raises(NotAReport, match="pasted as Excel objects were not read"):
        extract(docx_report.embedded_sheets(docx_report.render(report), legacy=True, damaged=True), "report.docx")


def test_an_excel_97_workbooks_shown_range_hidden_rows_and_merges():
    """An Excel 97-2003 workbook: the range its OLESIZE record says the object shows (a figure
    beyond it left out), a hidden row not shown, a merged cell as one cell with its spans."""
    from extraction.readers.docx_sheets import workbook_table

    blob = docx_report.legacy_workbook(
        {(0, 0): "信息内容", (0, 1): "本年制发件数", (1, 0): "规章", (1, 1): "3", (1, 2): "7", (2, 0): "隐藏", (2, 1): "9",
         (3, 0): "规范性文件", (3, 1): "12", (4, 0): "表外", (4, 1): "99"},
        [(0, 1, 0, 2)], ole_size=(0, 0, 3, 2), hidden_rows=(2,))
    table = workbook_table(blob)
    assert (table.n_rows, table.n_cols) == (3, 3)
    assert [(c.row, c.col, c.text, c.rowspan, c.colspan) for c in sorted(table.cells, key=lambda c: (c.row, c.col))] == [
        (0, 0, "信息内容", 1, 1), (0, 1, "本年制发件数", 1, 2), (1, 0, "规章", 1, 1), (1, 1, "3", 1, 1),
        (1, 2, "7", 1, 1), (2, 0, "规范性文件", 1, 1), (2, 1, "12", 1, 1), (2, 2, "", 1, 1)]
    assert workbook_table(docx_report.legacy_workbook({(0, 0): "a", (0, 1): "1", (5, 3): "far"}, [])).n_rows == 6


def test_a_workbooks_shown_range_strings_and_figures():
    """The grid of an embedded workbook without an oleSize: every cell that holds something; a
    shared string's runs joined, its phonetic reading (rPh) left out; an inline string; a fraction
    kept, a whole number without its .0; a hidden row not shown."""
    import io as _io

    from extraction.readers.docx_sheets import workbook_table

    blob = docx_report.workbook({(1, 1): "信息内容", (1, 2): "采购总金额", (2, 1): "政府集中采购", (2, 2): "7",
                                 (3, 1): "隐藏", (3, 2): "9"}, [], ole_size=False)
    src = zipfile.ZipFile(_io.BytesIO(blob))
    parts = {n: src.read(n).decode() for n in src.namelist()}
    parts["xl/sharedStrings.xml"] = parts["xl/sharedStrings.xml"].replace(
        "<si><t>采购总金额</t></si>", "<si><r><t>采购</t></r><r><t>总金额</t></r><rPh sb=\"0\" eb=\"2\"><t>caigou</t></rPh></si>")
    sheet = parts["xl/worksheets/sheet1.xml"]
    sheet = sheet.replace('<c r="C3"><v>7</v></c>', '<c r="C3"><v>12.5</v></c>').replace('<row r="4">', '<row r="4" hidden="1">')
    sheet = sheet.replace("</row></sheetData>", '<c r="D4" t="inlineStr"><is><t>x</t></is></c></row>'
                          '<row r="5"><c r="D5" t="inlineStr"><is><t>备注</t></is></c></row></sheetData>')
    parts["xl/worksheets/sheet1.xml"] = sheet
    out = _io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for n, text in parts.items():
            z.writestr(n, text)
    table = workbook_table(out.getvalue())
    assert table is not None and (table.n_rows, table.n_cols) == (3, 3)
    assert table.grid_texts() == [["信息内容", "采购总金额", ""], ["政府集中采购", "12.5", ""], ["", "", "备注"]]


def test_an_excel_object_given_twice_in_its_paragraph_is_one_table():
    """A writer may give an object twice (a markup-compatibility choice and its fallback): one
    workbook, one table."""
    import copy

    import docx

    report = build_report(synth_answers(163713), seed=163713)
    document = docx.Document(io.BytesIO(docx_report.embedded_sheets(docx_report.render(report))))
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    for obj in list(document.element.body.iter(f"{w}object")):
        obj.addnext(copy.deepcopy(obj))
    buf = io.BytesIO()
    document.save(buf)
    native = docx_reader.read(docx_report.render(report))
    assert len(_tables(docx_reader.read(buf.getvalue()))) == len(_tables(native))


def _with_white_copies(data: bytes, seed: int, how: str = "white") -> bytes:
    """Each figure of the file's tables with a stale one beside it (before or after) coloured
    white: last year's figure an author hid instead of deleting it. `how`: "white" (the run's own
    colour), "strike" or "dstrike" (struck through instead), or "style-white", "style-vanish",
    "based-vanish" (by a character style, its own or one it is based on)."""
    import random

    import docx
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml import OxmlElement
    from docx.shared import RGBColor

    rng = random.Random(seed)
    document = docx.Document(io.BytesIO(data))
    if how.startswith(("style", "based")):
        old = document.styles.add_style("Old Figure", WD_STYLE_TYPE.CHARACTER)
        if how == "style-white":
            old.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
        elif how == "style-vanish":
            old.element.get_or_add_rPr().append(OxmlElement("w:vanish"))
        else:
            old.base_style = document.styles.add_style("Hidden", WD_STYLE_TYPE.CHARACTER)
            old.base_style.element.get_or_add_rPr().append(OxmlElement("w:vanish"))
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                text = cell.text.strip()
                if not text.isdigit():
                    continue
                paragraph = cell.paragraphs[-1]
                stale = paragraph.add_run(str(int(text) + rng.randint(1, 9)))
                if how == "white":
                    stale.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
                elif how in ("strike", "dstrike"):
                    stale._r.get_or_add_rPr().append(OxmlElement("w:" + how))
                else:
                    stale.style = document.styles["Old Figure"]
                if rng.random() < 0.5:
                    paragraph.runs[0]._r.addprevious(stale._r)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.parametrize("seed", [41, 42])
def test_figures_coloured_white_beside_the_printed_ones_are_not_read(seed):
    from extraction.pipeline import extract

    report = build_report(synth_answers(seed), seed=seed)
    data = _with_white_copies(docx_report.render(report), seed)
    assert b'w:color w:val="FFFFFF"' in zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
    out = extract(data, "report.docx").model_dump()
    assert wrong_fields(report.answer, out) == []


@pytest.mark.parametrize("how", ["strike", "dstrike", "style-white", "style-vanish", "based-vanish"])
def test_figures_struck_out_or_hidden_by_a_style_beside_the_printed_ones_are_not_read(how):
    """The stale figure struck through, or whitened or hidden by the character style it is set in
    (or by the style that one is based on), rather than by the run's own colour."""
    from extraction.pipeline import extract

    report = build_report(synth_answers(44), seed=44)
    data = _with_white_copies(docx_report.render(report), 44, how)
    assert b'w:color w:val="FFFFFF"' not in zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
    out = extract(data, "report.docx").model_dump()
    assert wrong_fields(report.answer, out) == []


def test_a_style_s_look_gives_way_to_the_run_s_own():
    """A run of a hidden or white character style that says itself shown, or black, is read; so is
    a run of a style based on a struck one that takes the strike off, one of a white style on a
    dark cell, and a heading whose paragraph style sets white on a dark band of its own (but not where
    the paragraph's own shading, white, stands in for the style's)."""
    import docx
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml import OxmlElement, parse_xml
    from docx.shared import RGBColor

    document = docx.Document()
    hidden = document.styles.add_style("Hidden", WD_STYLE_TYPE.CHARACTER)
    hidden.element.get_or_add_rPr().append(OxmlElement("w:vanish"))
    white = document.styles.add_style("White", WD_STYLE_TYPE.CHARACTER)
    white.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
    struck = document.styles.add_style("Struck", WD_STYLE_TYPE.CHARACTER)
    struck.element.get_or_add_rPr().append(OxmlElement("w:strike"))
    unstruck = document.styles.add_style("Unstruck", WD_STYLE_TYPE.CHARACTER)
    unstruck.base_style = struck
    unstruck.element.get_or_add_rPr().append(parse_xml(
        '<w:strike xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" w:val="0"/>'))
    table = document.add_table(rows=1, cols=5)
    table.cell(0, 4)._tc.get_or_add_tcPr().append(parse_xml(
        '<w:shd xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" w:val="clear" w:fill="1F3864"/>'))
    for cell, (style, figure) in zip(table.rows[0].cells, (("Hidden", "1"), ("White", "2"), ("Unstruck", "3"),
                                                          ("Struck", "4"), ("White", "5"))):
        run = cell.paragraphs[0].add_run(figure, style=style)
        if figure == "1":
            run._r.get_or_add_rPr().append(parse_xml(
                '<w:vanish xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" w:val="false"/>'))
        elif figure == "2":
            run.font.color.rgb = RGBColor(0, 0, 0)
    banner = document.styles.add_style("Banner", WD_STYLE_TYPE.PARAGRAPH)
    banner.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
    banner.element.get_or_add_pPr().append(parse_xml(
        '<w:shd xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" w:val="clear" w:fill="C00000"/>'))
    document.add_paragraph("一、总体情况", style="Banner")
    document.add_paragraph("旧的说明", style="Banner").paragraph_format.element.pPr.append(parse_xml(
        '<w:shd xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" w:val="clear" w:fill="FFFFFF"/>'))
    out = io.BytesIO()
    document.save(out)
    read = docx_reader.read(out.getvalue())
    (table,) = _tables(read)
    assert [c.text for c in table.cells] == ["1", "2", "3", "", "5"]
    texts = [b.text for b in read.blocks if isinstance(b, Paragraph)]
    assert "一、总体情况" in texts and "旧的说明" not in texts  # (its own white shading over the style's)


def test_white_text_on_a_dark_cell_or_a_shading_table_style_is_read():
    """White on a dark cell, on a cell of a theme's colour, or in a table style's dark header row is
    seen, and read; white on white is not."""
    import docx
    from docx.shared import RGBColor

    document = docx.Document()
    shaded = document.add_table(rows=2, cols=2)
    shaded.style = "Medium Shading 1 Accent 1"  # a dark header row, white labels by direct colour
    plain = document.add_table(rows=2, cols=2)
    plain.style = "Table Grid"
    plain.cell(0, 0)._tc.get_or_add_tcPr().append(docx.oxml.parse_xml(
        '<w:shd xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" w:val="clear" w:fill="1F3864"/>'))
    themed = document.add_table(rows=2, cols=2)
    themed.cell(0, 0)._tc.get_or_add_tcPr().append(docx.oxml.parse_xml(
        '<w:shd xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" w:val="clear" w:fill="auto"'
        ' w:themeFill="accent1"/>'))  # a theme's colour, not known here: taken as dark
    for table, texts in ((shaded, ("自然人", "总计")), (plain, ("商业企业", "科研机构")), (themed, ("其他", "总计"))):
        for cell, text in zip(table.rows[0].cells, texts):
            cell.paragraphs[0].add_run(text).font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
        for cell, figure in zip(table.rows[1].cells, "12"):
            cell.paragraphs[0].add_run(figure)
    out = io.BytesIO()
    document.save(out)
    first, second, third = _tables(docx_reader.read(out.getvalue()))
    assert [c.text for c in first.cells] == ["自然人", "总计", "1", "2"]
    assert [c.text for c in second.cells] == ["商业企业", "", "1", "2"]  # white on a dark cell seen; on white, not
    assert [c.text for c in third.cells] == ["其他", "", "1", "2"]


def test_pinyin_of_a_phonetic_guide_is_not_read():
    """Word's phonetic guide sets pinyin over characters (w:ruby: the pinyin in w:rt, the
    characters in w:rubyBase): the characters are read, not the pinyin."""
    from docx.oxml import parse_xml

    from extraction.pipeline import extract

    import docx

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    sounds = {"政": "zhèng", "府": "fǔ", "市": "shì", "局": "jú", "理": "lǐ", "处": "chǔ", "总": "zǒng", "计": "jì"}
    report = build_report(synth_answers(49), seed=49)
    document = docx.Document(io.BytesIO(docx_report.render(report)))
    cells = [p for t in document.tables for row in t.rows for c in row.cells for p in c.paragraphs]
    guided = 0
    for paragraph in list(document.paragraphs) + cells:
        for run in list(paragraph.runs):
            if not any(ch in sounds for ch in run.text):
                continue
            for ch in run.text:
                if ch in sounds:
                    guided += 1
                    piece = (f'<w:r {w}><w:ruby><w:rubyPr><w:hps w:val="10"/><w:hpsRaise w:val="18"/>'
                             f'<w:hpsBaseText w:val="21"/><w:lid w:val="zh-CN"/></w:rubyPr><w:rt><w:r>'
                             f'<w:t>{sounds[ch]}</w:t></w:r></w:rt><w:rubyBase><w:r><w:t>{ch}</w:t></w:r>'
                             f'</w:rubyBase></w:ruby></w:r>')
                else:
                    piece = f'<w:r {w}><w:t xml:space="preserve">{ch}</w:t></w:r>'
                run._r.addprevious(parse_xml(piece))
            run._r.getparent().remove(run._r)
    assert guided > 30
    out = io.BytesIO()
    document.save(out)
    assert wrong_fields(report.answer, extract(out.getvalue(), "report.docx").model_dump()) == []
