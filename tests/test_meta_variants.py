"""The report's meta fields as real reports print them: agencies of every kind, titles in other
word orders, a weekday after the signature's date, a browser's address line under a seal-only
signature. Through the real pipeline, from converter text."""
import json

import pytest

from extraction.normalize import close_letter_spacing
from extraction.pipeline import extract
from tests.synth import pdf_report
from tests.synth.form import build_report, synth_answers
from tests.synth.text_report import render_text


def _meta(text: str) -> dict:
    fields = json.loads(extract(text.encode(), "report.txt").model_dump_json())["fields"]
    return {k[5:]: (fields[k]["value"], fields[k]["confidence"]) for k in fields if k.startswith("meta.")}


def _report(seed: int, **meta):
    fields = synth_answers(seed, template="2021")
    fields.update({f"meta.{k}": v for k, v in meta.items()})
    return build_report(fields, seed=seed)


def _text(report, head: str, tail: str) -> str:
    """The report as tab-separated converter text, with `head` for everything before section 一
    (the title) and `tail` for everything after section 六's paragraph (the signature)."""
    text = render_text(report, "tsv", seed=3).text
    body = text[text.index("一、总体情况"):]
    six = body.index("六、其他需要报告的事项")
    end = body.index("\n\n", body.index("\n\n", six) + 2)
    return f"{head}\n\n{body[:end]}\n\n{tail}\n"


@pytest.mark.parametrize("agency", ["浙江工业大学", "保定市第一中学", "广东省人民政府外事办公室（广东省人民政府港澳事务办公室）",
                                    "珠海市外事局(港澳事务局)",
                                    "长沙县㮾梨街道办事处"])  # a place's rare character (U+3BBE, beyond GBK)
def test_agencies_of_other_kinds(agency):
    report = _report(71, agency=agency)
    year = report.answer["meta.year"]
    meta = _meta(_text(report, f"{agency}{year}年政府信息公开工作年度报告", f"{agency}\n{year + 1}年1月20日"))
    assert meta["agency"][0] == agency and meta["agency"][1] >= 0.9


@pytest.mark.parametrize("place,signed", [("宿迁市", "宿迁市人民政府办公室"), ("大同市新荣区", "")])
def test_a_governments_own_report_titled_by_its_place(place, signed):
    """A government's own report names only its place in the title (宿迁市2025年政府信息公开工作年度
    报告): the place is the agency as the title names it, in review (the government, or its office
    that signs, is the reviewer's to say)."""
    report = _report(72)
    year = report.answer["meta.year"]
    meta = _meta(_text(report, f"{place}{year}年政府信息公开工作年度报告", f"{signed}\n{year + 1}年1月20日"))
    assert meta["agency"][0] == place and meta["agency"][1] < 0.9
    assert meta["year"] == (year, 0.97)


def test_agency_named_only_by_its_signature():
    report = _report(75, agency="保定市第一中学")
    year = report.answer["meta.year"]
    meta = _meta(_text(report, f"{year}年政府信息公开工作年度报告", f"保定市第一中学\n{year + 1}年1月20日"))
    assert meta["agency"][0] == "保定市第一中学" and meta["agency"][1] >= 0.9


@pytest.mark.parametrize("title_agency, signed", [
    ("青岛市黄岛区生悬环境局", "青岛市黄岛区生态环境局"),  # the title misread (a close-up photo: 态 read 悬)
    ("长沙市岳麓区卫生健康委员会", "长沙市岳丽区卫生健康委员会"),  # the signature misread (a fax)
])
def test_a_title_and_a_signature_a_character_apart_leave_the_agency_in_review(title_agency, signed):
    """One of the two names was misread, and nothing tells which: accepting the title's was a silent
    error where the title was the misread one."""
    report = _report(71, agency=title_agency)
    year = report.answer["meta.year"]
    meta = _meta(_text(report, f"{title_agency}{year}年政府信息公开工作年度报告", f"{signed}\n{year + 1}年1月20日"))
    assert meta["agency"][0] == title_agency and meta["agency"][1] < 0.9


@pytest.mark.parametrize("printed_at", ["2024/ 3/18 09:42", "3/18/24, 9:42 AM", "2024/3/18 下午2:05"])
def test_a_browsers_header_misread_is_not_the_title(printed_at):
    """A browser's header over a printed page, scanned or faxed: the date it was printed, then the
    page's title in small type that OCR misread (黄岛 as 奠品, 健康 as 健摩). It came first and was taken
    for the title, its agency accepted at 0.95 with no signature to check it; the page's own title,
    broken over two lines, names the agency as printed."""
    agency = "青岛市黄岛区卫生健康委员会"
    report = _report(71, agency=agency)
    year = report.answer["meta.year"]
    head = f"{printed_at}青岛市奠品区卫生健摩委员会{year}年政府信息公开工作年度报告\n{agency}{year}年政府信息公开工作年度\n报告"
    meta = _meta(_text(report, head, f"{year + 1}年1月20日"))
    assert meta["agency"] == (agency, 0.95)
    assert meta["year"] == (year, 0.97)


def test_a_signature_naming_another_body_does_not_doubt_the_title():
    report = _report(71, agency="青岛市黄岛区生态环境局")
    year = report.answer["meta.year"]
    meta = _meta(_text(report, f"青岛市黄岛区生态环境局{year}年政府信息公开工作年度报告", f"青岛市黄岛区人民政府办公室\n{year + 1}年1月20日"))
    assert meta["agency"] == ("青岛市黄岛区生态环境局", 0.95)


@pytest.mark.parametrize("date", ["", "{year}年1月20日"])
def test_a_second_name_on_its_own_line_under_the_signature(date):
    """Title without the agency; the signature names the body, then its second name in brackets on
    the next line (a page's right-aligned paragraphs), with or without the date under them."""
    agency = "珠海市人民政府外事局（珠海市人民政府港澳事务局）"
    report = _report(76, agency=agency)
    year = report.answer["meta.year"]
    tail = "珠海市人民政府外事局\n（珠海市人民政府港澳事务局）" + ("\n" + date.format(year=year + 1) if date else "")
    meta = _meta(_text(report, f"关于{year}年度政府信息公开工作的报告", tail))
    assert meta["agency"][0] == agency and meta["agency"][1] >= 0.9


@pytest.mark.parametrize("weekday", [" 星期四", "（星期四）", "  周四"])
def test_weekday_after_the_signature_date(weekday):
    report = _report(72)
    agency, year = report.answer["meta.agency"], report.answer["meta.year"]
    meta = _meta(_text(report, f"{agency}{year}年政府信息公开工作年度报告", f"{agency}\n{year + 1}年1月5日{weekday}"))
    assert meta["published_date"][0] == f"{year + 1}-01-05" and meta["published_date"][1] >= 0.9


@pytest.mark.parametrize("title", ["{agency}关于{year}年度政府信息公开工作情况的报告",
                                   "{agency}政府信息公开工作{year}年度报告"])
def test_titles_in_other_word_orders(title):
    report = _report(73)
    agency, year = report.answer["meta.agency"], report.answer["meta.year"]
    meta = _meta(_text(report, title.format(agency=agency, year=year), agency))
    assert meta["year"] == (year, 0.97)
    assert meta["agency"][0] == agency and meta["agency"][1] >= 0.9


def test_seal_only_signature_above_a_printed_address_line():
    report = _report(74)
    agency, year = report.answer["meta.agency"], report.answer["meta.year"]
    tail = f"{agency}\n\nhttps://www.example.gov.cn/art/col240/art_9976.html    5/5"
    meta = _meta(_text(report, f"{year}年政府信息公开工作年度报告", tail))
    assert meta["agency"][0] == agency


@pytest.mark.parametrize("page_tail", ["精品推荐：限时特惠，点击领取\n主办单位：某某市人民政府办公室",
                                       "网站地图 | 联系我们"])
def test_signature_above_a_web_pages_own_lines(page_tail):
    # the title names no agency and nothing dates the report: the signature is the last line of the
    # report, and what follows it (an advert, then the site's boilerplate) is the web page's
    report = _report(76)
    agency, year = report.answer["meta.agency"], report.answer["meta.year"]
    text = _text(report, f"{year}年政府信息公开工作年度报告", f"{agency}\n\n{page_tail}")
    meta = _meta(text)
    assert meta["agency"][0] == agency and meta["agency"][1] >= 0.9
    other = extract(text.encode(), "report.txt").sections["other_matters"]
    assert agency not in other and "精品" not in other


def test_section_six_ends_at_a_signature_over_two_lines():
    agency = "珠海市人民政府外事局（珠海市人民政府港澳事务局）"
    report = _report(76, agency=agency)
    year = report.answer["meta.year"]
    tail = "珠海市人民政府外事局\n（珠海市人民政府港澳事务局）\n\n精品推荐：限时特惠，点击领取\n主办单位：某某市人民政府办公室"
    text = _text(report, f"{year}年政府信息公开工作年度报告", tail)
    assert _meta(text)["agency"][0] == agency
    other = extract(text.encode(), "report.txt").sections["other_matters"]
    assert other and "外事局" not in other and "港澳" not in other and "精品" not in other


@pytest.mark.parametrize("head_extra, tail_extra, accepted", [
    ("", "", True),  # nothing dates the report: printed without a date
    ("", "\n2021年我局未收取信息处理费。", True),  # a year in a sentence dates nothing
    ("\n（{next}年1月）", "", False),  # a month under the title: a date, read whole or not
    ("", "\n{next}.01", False),  # a date printed in a way not read: doubt
    ("", "\n{next}年", False),  # a year on a line of its own after the signature
    ("\n发布日期：", "", False),  # a date label with its date lost
])
def test_a_report_printing_no_date_says_so_only_where_nothing_looks_like_one(head_extra, tail_extra, accepted):
    """published_date null is a claim about the whole document: accepted from a document's own text
    where no date label stands and nothing under the title or after the signature looks like a
    date; otherwise in review."""
    report = _report(77)
    agency, year = report.answer["meta.agency"], report.answer["meta.year"]
    head = f"{agency}{year}年政府信息公开工作年度报告" + head_extra.format(next=year + 1)
    meta = _meta(_text(report, head, agency + tail_extra.format(next=year + 1)))
    value, confidence = meta["published_date"]
    assert value is None and (confidence >= 0.9) == accepted


@pytest.mark.parametrize("last_line, undated", [("第3页共3页", True), ("第了页共3页", True), ("- 3 -", True),
                                                ("共3页第3页", True), ("2O24年1月", False), ("3", False)])
def test_a_page_number_after_the_signature_is_no_date_read_by_ocr(last_line, undated):
    """From OCR, a short line with a digit after the last sections may be a misread date, and the
    null date stays in review. A page's footer (第3页共3页, its 3 perhaps read as 了) is no date."""
    from extraction.meta import prints_no_date
    from extraction.tokens import Token

    tokens = [Token(text, row, None) for row, text in enumerate(
        ["某某市人民政府2023年政府信息公开工作年度报告", "一、总体情况", "六、其他需要报告的事项", "某某市人民政府办公室", last_line])]
    assert prints_no_date(tokens, 1, 2, by_ocr=True) == undated


@pytest.mark.parametrize("title", ["{agency}{year}年政府信息公工作年度报告", "{agency}{year}年政府信息公升工作年度报告",
                                   "{agency}{year}年政府信息公T --作年度报告"])
def test_a_title_whose_kai_ocr_dropped_or_misread_is_still_the_title(title):
    """A screenshot's title in large bold type: OCR read 政府信息公开 as 政府信息公 in every one of a
    sweep's screenshots (公升, or 公开工作 as 公T --作, elsewhere). The year and the agency are still the
    title's."""
    report = _report(78)
    agency, year = report.answer["meta.agency"], report.answer["meta.year"]
    meta = _meta(_text(report, title.format(agency=agency, year=year), agency))
    assert meta["year"] == (year, 0.97)
    assert meta["agency"][0] == agency and meta["agency"][1] >= 0.9


def _spaced(text: str) -> str:
    return " ".join(text.replace(" ", ""))


@pytest.mark.parametrize("kind", ["text", "pdf"])
def test_a_title_and_signature_set_letter_spaced(kind):
    """A title and signature set in distributed alignment come one character between spaces (a text
    layer may keep the spaces between Chinese characters and join them, leaving the digits apart:
    2 0 2 5年1月2 0日). Closed up, they name the agency and the date."""
    report = _report(76, agency="长沙市岳麓区民政局")
    year = report.answer["meta.year"]
    title, agency, date = f"长沙市岳麓区民政局{year}年政府信息公开工作年度报告", "长沙市岳麓区民政局", f"{year + 1}年1月20日"
    if kind == "text":
        fields = json.loads(extract(_text(report, _spaced(title), f"{_spaced(agency)}\n{_spaced(date)}").encode(),
                                    "report.txt").model_dump_json())["fields"]
    else:
        report.title, report.signature = _spaced(title), [_spaced(agency), _spaced(date)]
        fields = json.loads(extract(pdf_report.render_pdf(report), "report.pdf").model_dump_json())["fields"]
    assert (fields["meta.agency"]["value"], fields["meta.year"]["value"]) == (agency, year)
    assert fields["meta.published_date"]["value"] == f"{year + 1}-01-20"
    assert min(fields[k]["confidence"] for k in ("meta.agency", "meta.year", "meta.published_date")) >= 0.9


@pytest.mark.parametrize("cut", [1, 2, 3])
def test_a_letter_spaced_title_wrapped_inside_its_year(cut):
    """Set letter-spaced, a long title wraps where the line is full, inside the year too
    (长 沙 市 … 局 2 0 1 / 9 年 政 府 …): the two lines are the title, the year whole."""
    report = _report(79, agency="长沙市岳麓区民政局")
    year = str(report.answer["meta.year"])
    head = f"{_spaced('长沙市岳麓区民政局' + year[:cut])}\n{_spaced(year[cut:] + '年政府信息公开工作年度报告')}"
    meta = _meta(_text(report, head, "长沙市岳麓区民政局"))
    assert meta["year"] == (int(year), 0.97)
    assert meta["agency"][0] == "长沙市岳麓区民政局" and meta["agency"][1] >= 0.9


def test_figures_set_one_to_a_cell_in_a_line_of_prose_stay_apart():
    assert close_letter_spacing("总 计 1 0 2 3 6") == "总计1 0 2 3 6"
    assert close_letter_spacing("共12 3年") == "共12 3年"


@pytest.mark.parametrize("under_title, signed, value, accepted", [
    ("\n发布日期：{next}-03-13", "{next}年3月9日", "{next}-03-09", False),  # two dates: which one is no one's to say
    ("\n发布日期：{next}-03-09", "{next}年3月9日", "{next}-03-09", True),
    ("\n发布日期：{next}-03-09", "", "{next}-03-09", True),
    ("\n（{next}年2月16日）", "", "{next}-02-16", True),  # a Word file's subtitle
    ("\n({next}-02-16)", "", "{next}-02-16", True),
    ("\n（{year}年1月1日至{year}年12月31日）", "", None, False),  # the statistics period, no date
])
def test_the_date_under_the_title_and_a_labelled_date_against_the_signatures(under_title, signed, value, accepted):
    """A report dated in brackets under its title (and not under its signature) is dated so. A site's
    发布日期 days after the date under the signature leaves the date in review: the agency's own
    date is returned, but a reader may want the publication's."""
    report = _report(80)
    agency, year = report.answer["meta.agency"], report.answer["meta.year"]
    fill = {"year": year, "next": year + 1}
    head = f"{agency}{year}年政府信息公开工作年度报告" + under_title.format(**fill)
    meta = _meta(_text(report, head, agency + ("\n" + signed.format(**fill) if signed else "")))
    got, confidence = meta["published_date"]
    assert got == (value.format(**fill) if value else None)
    assert (confidence >= 0.9) == accepted


def test_a_sidebar_link_to_last_years_report_run_into_the_title_line():
    """OCR of a portal's capture reads a sidebar's link (last year's report, cut short) and the
    information box's 名称 on one line: the year is the title's, not the link's."""
    report = _report(72, agency="龙沙区司法局", year=2022)
    head = f"龙沙区司法局2021年政府信息公开工作年名称：{report.title}"
    meta = _meta(_text(report, head, f"龙沙区司法局\n2023年1月20日"))
    assert meta["year"][0] == 2022 and meta["agency"][0] == "龙沙区司法局"


def test_a_title_whose_last_character_ocr_misread_is_still_the_title():
    """A photo's title, 常州市武进区市场监督管理局关于2021年度政府信息公开工作的年度报告, read as
    …的年度投告: still the title, its year and agency the title's."""
    report = _report(79, agency="常州市武进区市场监督管理局")
    year = report.answer["meta.year"]
    head = f"常州市武进区市场监督管理局关于{year}年度政\n府信息公开工作的年度投告"
    meta = _meta(_text(report, head, f"常州市武进区市场监督管理局\n{year + 1}年1月20日"))
    assert meta["agency"] == ("常州市武进区市场监督管理局", 0.97)
    assert meta["year"] == (year, 0.97)


def test_an_agency_cut_by_a_line_wrap_in_the_preamble_is_named_by_the_signature():
    """No title was read; the preamble names the report, its line wrapped inside the agency's name
    (现公布潍坊市临朐县北苑街道 / 办事处2023年度…年度报告。报告中所列数据…). The name there begins where the
    line does; the signature, which ends with it, names the agency whole."""
    report = _report(80, agency="临朐县北苑街道办事处")
    year = report.answer["meta.year"]
    head = (f"根据《中华人民共和国政府信息公开条例》规定，现公布临朐县北苑街道\n"
            f"办事处{year}年度政府信息公开工作年度报告。报告中所列数据统计期限为{year}年1月1日至12月31日。")
    meta = _meta(_text(report, head, f"临朐县北苑街道办事处\n{year + 1}年1月20日"))
    assert meta["agency"][0] == "临朐县北苑街道办事处" and meta["agency"][1] >= 0.9
