"""What a Word file or a web page holds but does not show is not read as the report: hidden text
and empty content controls in Word; rows a page's style sheet hides, and lists of links to other
years' reports around the article. And what a page shows without its scripts (<noscript>) is."""
import copy
import io
import json
import re

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from extraction.pipeline import extract
from tests.synth import docx_report, html_report
from tests.synth.form import build_report, synth_answers, wrong_fields


def _fields(data: bytes, name: str) -> dict:
    return json.loads(extract(data, name).model_dump_json())["fields"]


def _run(text: str, *, hidden: bool = False):
    r = OxmlElement("w:r")
    if hidden:
        rpr = OxmlElement("w:rPr")
        rpr.append(OxmlElement("w:vanish"))
        r.append(rpr)
    t = OxmlElement("w:t")
    t.text = text
    r.append(t)
    return r


def _edit_docx(report, edit) -> bytes:
    document = docx.Document(io.BytesIO(docx_report.render(report)))
    edit(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_hidden_text_in_a_word_file_is_not_read():
    """An author hid last year's figures (and year) instead of deleting them."""
    report = build_report(synth_answers(61, template="2021"), seed=61)
    year = report.answer["meta.year"]

    def hide_old_values(document):
        for p in document.paragraphs:
            if f"{year}年" in p.text and "报告" in p.text:
                p._p.insert(1, _run(f"{year - 1}年", hidden=True))
                break
        else:
            raise AssertionError("no title paragraph")
        for table in document.tables:
            for row in table.rows:
                for cell in row.cells:
                    p = cell.paragraphs[0]
                    if re.fullmatch(r"\d+(\.\d+)?", cell.text.strip() or "x") or not cell.text.strip():
                        p._p.append(_run("7", hidden=True))

    got = _fields(_edit_docx(report, hide_old_values), "report.docx")
    assert wrong_fields(report.answer, {"fields": got}) == []


def test_an_empty_content_control_shows_a_prompt_not_a_value():
    """A template's cell left as Word's "click here" prompt prints nothing of the report."""
    report = build_report(synth_answers(62, template="2021"), seed=62, blank_zeros=True)

    def prompts_in_blank_cells(document):
        n = 0
        for table in document.tables:
            for row in table.rows:
                for cell in row.cells:
                    if cell.text.strip():
                        continue
                    sdt = OxmlElement("w:sdt")
                    pr = OxmlElement("w:sdtPr")
                    pr.append(OxmlElement("w:showingPlcHdr"))
                    content = OxmlElement("w:sdtContent")
                    content.append(_run("单击或点击此处输入文字。"))
                    sdt.append(pr)
                    sdt.append(content)
                    cell.paragraphs[0]._p.append(sdt)
                    n += 1
        assert n > 10

    got = _fields(_edit_docx(report, prompts_in_blank_cells), "report.docx")
    assert wrong_fields(report.answer, {"fields": got}) == []


def _page(seed: int, **variant) -> tuple:
    report = build_report(synth_answers(seed, template="2021"), seed=seed, **variant)
    return report, html_report.render(report, seed=seed).decode()


def test_rows_a_style_sheet_hides_are_not_read():
    """A stale copy of every row with numbers, kept in the page under a class its CSS hides."""
    report, page = _page(63)

    def stale_copy(m):
        row = m.group(0)
        if not re.search(r">\s*\d+\s*<", row):
            return row
        return row + re.sub(r">\s*\d+\s*<", ">7<", row.replace("<tr", '<tr class="old-data"', 1))

    page = re.sub(r"<tr\b.*?</tr>", stale_copy, page, flags=re.S)
    page = page.replace("</head>", "<style>@media print{.noprint{display:none}} .old-data{display:none}</style></head>")
    assert page.count('class="old-data"') > 20
    got = _fields(page.encode(), "report.html")
    assert wrong_fields(report.answer, {"fields": got}) == []


def test_links_to_other_years_reports_before_the_article_are_navigation():
    report, page = _page(64)
    year, agency = report.answer["meta.year"], report.answer["meta.agency"]
    items = "".join(f'<li><a href="/art/{y}.html">{name}{y}年政府信息公开工作年度报告</a><span class="date">{y + 1}-03-18</span></li>'
                    for y, name in ((year - 1, agency), (year - 2, "江门市生态环境局"), (year - 3, agency)))
    side = f'<div class="side-before"><h3>政府信息公开年报</h3><ul>{items}</ul></div>'
    assert '<h1 class="title">' in page
    page = page.replace('<h1 class="title">', side + '<h1 class="title">', 1)
    got = _fields(page.encode(), "report.html")
    assert got["meta.year"]["value"] == year
    assert got["meta.agency"]["value"] == agency


def test_a_tables_static_copy_in_noscript_is_read():
    """Table 3 drawn by a script from a data array, its static copy in <noscript>."""
    report, page = _page(65)
    tables = list(re.finditer(r"<table\b(?:(?!<table\b).)*?予以公开.*?</table>", page, flags=re.S))
    assert tables
    t3 = tables[-1]
    drawn = '<div id="t3"></div><script>var rows = [[1, 2, 3]]; draw("t3", rows);</script>'
    page = page[:t3.start()] + drawn + "<noscript>" + t3.group(0) + "</noscript>" + page[t3.end():]
    got = _fields(page.encode(), "report.html")
    assert wrong_fields(report.answer, {"fields": got}) == []


def test_table4_values_in_a_table_of_their_own_keep_their_blank_cells():
    """Table 4's header in one Word table, its row of fifteen values in the next, zeros blank."""
    fields = synth_answers(66, template="2021")
    fields.update({"t4.review.upheld": 0, "t4.review.corrected": 2, "t4.review.other": 0,
                   "t4.review.pending": 1, "t4.review.total": 3})
    report = build_report(fields, seed=66, blank_zeros=True)

    def split_table4(document):
        table = next(t for t in document.tables if "复议" in t.cell(0, 0).text)
        tbl = table._tbl
        values = copy.deepcopy(tbl)
        for tr in values.tr_lst[:-1]:
            values.remove(tr)
        tbl.remove(tbl.tr_lst[-1])
        gap = OxmlElement("w:p")
        tbl.addnext(gap)
        gap.addnext(values)

    data = _edit_docx(report, split_table4)
    got = _fields(data, "report.docx")
    assert wrong_fields(report.answer, {"fields": got}) == []
    assert got["t4.review.upheld"]["value"] is None and got["t4.review.corrected"]["value"] == 2


def test_a_report_in_the_open_tab_of_a_tabbed_page_is_read():
    """A style sheet hides every tab pane and shows the active one: the report in it is read."""
    report, page = _page(67)
    assert '<div class="TRS_Editor">' in page
    page = page.replace('<div class="TRS_Editor">', '<div class="tab-pane active"><div class="TRS_Editor">', 1)
    page = page.replace('<p style="display: none">', '</div><div class="tab-pane"><p>另一个栏目的内容</p></div><p style="display: none">', 1)
    page = page.replace("</head>", "<style>.tab-pane{display:none}.tab-pane.active{display:block}</style></head>")
    got = _fields(page.encode(), "report.html")
    assert wrong_fields(report.answer, {"fields": got}) == []
