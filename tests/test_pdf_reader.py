"""The PDF text-layer reader on synthetic reports drawn on the real form's layout."""
from __future__ import annotations

import pymupdf
import pytest

from extraction.errors import CorruptInput, EmptyInput, EncryptedInput, NeedsOCR
from extraction.grid import Segment, Word
from extraction.model import Paragraph, Table
from extraction.readers import pdf
from tests.synth.form import build_report, synth_answers
from tests.synth.pdf_report import fake_bold, render_pdf, text_as_outlines, without_char_map
from tests.document_views import _spans, _tables, _texts

PRINT_DATE = "2024/3/18 09:42"
URL = "http://www.example.gov.cn/zwgk/ndbg/202403/t20240318_1234.html"


@pytest.fixture(scope="module")
def report():
    answer = synth_answers(5, template="2021")
    answer["meta.published_date"] = "2024-01-26"
    # values to look for in the part of table 3 that lands on the next page
    answer["t3.unavailable.not_held.natural_person"] = 4
    answer["t3.not_processed.duplicate.natural_person"] = 2
    return build_report(answer, seed=5)


@pytest.fixture(scope="module")
def browser_pdf(report):
    return render_pdf(report, furniture="browser", print_date=PRINT_DATE, url=URL)


@pytest.fixture(scope="module")
def browser_doc(browser_pdf):
    return pdf.read(browser_pdf)


def test_generator_is_deterministic(report, browser_pdf):
    assert render_pdf(report, furniture="browser", print_date=PRINT_DATE, url=URL) == browser_pdf


def test_three_tables_with_the_forms_merged_cells_and_texts(report, browser_doc):
    assert browser_doc.kind == "pdf-text"
    assert browser_doc.pages == 3
    tables = _tables(browser_doc)
    assert [(t.n_rows, t.n_cols) for t in tables] == [(14, 4), (28, 10), (4, 15)]
    for got, name in zip(tables, ("t2", "t3", "t4")):
        assert _spans(got) == _spans(report.tables[name]), name
        assert got.origin == "ruling"
    t3 = tables[1]
    assert t3.at(0, 5).text == "申请人情况" and t3.at(0, 5).colspan == 7
    row, col = report.cell_of["t3.unavailable.not_held.natural_person"][1:]
    assert t3.at(row, col).text == "4"


def test_vertical_label_is_one_cell_read_top_down(report, browser_doc):
    t3 = _tables(browser_doc)[1]
    label = t3.at(5, 0)
    assert label.text == "三、本年度办理结果"
    # the label's merged cell crosses the page break and still spans every result row
    assert (label.row, label.rowspan) == (5, 22)
    assert label.page == 2


def test_split_table_is_joined_and_its_cells_keep_their_pages(report, browser_doc):
    t3 = _tables(browser_doc)[1]
    assert t3.page == 2
    split = report.cell_of["t3.unavailable.not_held.natural_person"][1]
    pages = {c.row: c.page for c in t3.cells if c.col == 3}
    assert all(p == 2 for r, p in pages.items() if r < split)
    assert all(p == 3 for r, p in pages.items() if r >= split)
    # the header printed again on page 3 is not a row of the joined table
    assert sum(c.text == "申请人情况" for c in t3.cells) == 1


def test_split_table_without_repeated_header_joins_too(report):
    doc = pdf.read(render_pdf(report, repeat_header=False))
    tables = _tables(doc)
    assert len(tables) == 3
    assert _spans(tables[1]) == _spans(report.tables["t3"])


def test_a_joined_table_keeps_what_each_cell_says_of_itself():
    """Joining a table to its continuation copies its cells; a copy kept only some of their fields,
    and a blank of a row OCR read nothing in (unruled.py) lost that mark on the joined table."""
    from extraction.model import Cell

    first = Table([Cell(0, 0, "（一）予以公开"), Cell(0, 1, "5"), Cell(1, 0, "（二）部分公开"),
                   Cell(1, 1, "", score=0.8, quiet_row=True)], 2, 2, page=1, origin="alignment")
    nxt = Table([Cell(0, 0, "1.属于国家秘密"), Cell(0, 1, "", score=0.8, quiet_row=True)], 1, 2, page=2,
                origin="alignment")
    joined = pdf.join_tables(first, nxt)
    assert joined.n_rows == 3
    assert [(c.row, c.score) for c in joined.cells if c.quiet_row] == [(1, 0.8), (2, 0.8)]


@pytest.mark.parametrize("rulings", ["rects", "bars"])
def test_rectangles_and_filled_bars_are_rulings_too(report, rulings):
    doc = pdf.read(render_pdf(report, rulings=rulings))
    tables = _tables(doc)
    assert [_spans(t) for t in tables] == [_spans(report.tables[n]) for n in ("t2", "t3", "t4")]


def test_browser_header_and_footer_do_not_reach_the_blocks(report, browser_pdf, browser_doc):
    raw = "".join(p.get_text() for p in pymupdf.open(stream=browser_pdf, filetype="pdf"))
    assert PRINT_DATE in raw and URL in raw and "2/3" in raw  # printed on the pages...
    texts = _texts(browser_doc)
    joined = "\n".join(texts)
    assert "09:42" not in joined and "example.gov.cn" not in joined  # ...but not read
    assert not any(t.strip() in {"1/3", "2/3", "3/3"} for t in texts)
    # the browser prints the page title on every page; the report's own title stays, once
    assert texts.count(report.title) == 1
    assert texts[0] == report.title


def test_office_running_header_and_page_numbers_are_dropped(report):
    doc = pdf.read(render_pdf(report, furniture="office"))
    texts = _texts(doc)
    assert not any("页" in t and "共" in t for t in texts)
    # the running header is the agency's name; it stays only where the report signs
    assert texts.count(report.agency) == 1
    assert texts[-2:] == report.signature
    assert len(_tables(doc)) == 3


def test_blocks_come_in_reading_order_and_paragraphs_are_whole(report, browser_doc):
    kinds = ["T" if isinstance(b, Table) else b.text for b in browser_doc.blocks]
    headings = [h for h, _ in report.sections]
    i2, i3, i4, i5 = (kinds.index(h) for h in headings[1:5])
    assert kinds[i2 + 1] == "T" and kinds[i3 + 1] == "T" and kinds[i4 + 1] == "T"
    assert i2 < i3 < i4 < i5
    # a prose paragraph wrapped over several lines is one paragraph with the whole text
    overview = report.sections[0][1]
    for para in overview:
        assert para in kinds
    assert report.preamble[0] in kinds
    assert all(b.page in (1, 2, 3) and b.bbox for b in browser_doc.blocks if isinstance(b, Paragraph))


def _image_only(data: bytes, keep_text_pages: tuple[int, ...] = ()) -> bytes:
    src = pymupdf.open(stream=data, filetype="pdf")
    out = pymupdf.open()
    for page in src:
        if page.number in keep_text_pages:
            out.insert_pdf(src, from_page=page.number, to_page=page.number)
            continue
        pix = page.get_pixmap(dpi=50)
        new = out.new_page(width=page.rect.width, height=page.rect.height)
        new.insert_image(new.rect, pixmap=pix)
    return out.tobytes()


def test_image_only_pdf_needs_ocr(browser_pdf):
    with pytest.raises(NeedsOCR):
        pdf.read(_image_only(browser_pdf))


def test_some_image_pages_are_skipped_with_a_warning(browser_pdf):
    doc = pdf.read(_image_only(browser_pdf, keep_text_pages=(0,)))
    assert doc.warnings == [
        "page 2 has no text layer (an image only) and was skipped: it needs OCR",
        "page 3 has no text layer (an image only) and was skipped: it needs OCR",
    ]
    assert _tables(doc)[0].n_rows == 14
    assert doc.pages == 3


def _stand_in_ocr(drawn: bytes, calls: list[int]):
    """An OCR hook that returns the words and rulings of the page as `drawn`, with its own score."""
    src = pymupdf.open(stream=drawn, filetype="pdf")

    def fake_ocr(page, overlaid=None):
        calls.append(page.number)
        original = src[page.number]
        words = [Word(w[4], tuple(w[:4]), score=0.8) for w in original.get_text("words")]
        h, v = [], []
        for path in original.get_drawings():
            for item in path["items"]:
                if item[0] == "l":
                    seg = Segment(item[1].x, item[1].y, item[2].x, item[2].y)
                    (h if abs(seg.y0 - seg.y1) < 1 else v).append(seg)
        return pdf.OcrReading(words, h, v, {"detect": 2.0, "recognize": 3.0})

    return fake_ocr


def test_image_pages_go_to_the_ocr_hook(report, browser_pdf):
    calls: list[int] = []
    doc = pdf.read(_image_only(browser_pdf), ocr_page=_stand_in_ocr(browser_pdf, calls))
    assert calls == [0, 1, 2]
    assert doc.kind == "pdf-scan"
    assert (doc.timings_ms["ocr_detect"], doc.timings_ms["ocr_recognize"]) == (6.0, 9.0)  # summed over pages
    tables = _tables(doc)
    assert [(t.n_rows, t.n_cols) for t in tables] == [(14, 4), (28, 10), (4, 15)]
    t4 = tables[2]
    assert _spans(t4) == _spans(report.tables["t4"])
    assert all(c.score == 0.8 for c in t4.cells if not c.blank)


@pytest.fixture(scope="module")
def embedded_pdf(report):
    return render_pdf(report, furniture="office", embed_font=True)


@pytest.mark.parametrize("damage, why", [
    (lambda b: without_char_map(b, "none"), "garbled"),
    (lambda b: without_char_map(b, "identity"), "garbled"),
    # a map that leaves out the digits alone: the labels read, every number of the tables lost
    (lambda b: without_char_map(b, "digits"), "garbled"),
    (text_as_outlines, "outlines"),
])
def test_pages_whose_text_layer_cannot_be_read_need_ocr(embedded_pdf, damage, why):
    """Fonts that map their glyphs to no character (or each glyph number to the same code point),
    and glyphs drawn as paths: the page looks like text and the text layer has none of it."""
    with pytest.raises(NeedsOCR, match=why):
        pdf.read(damage(embedded_pdf))


@pytest.mark.parametrize("damage, warning", [
    (without_char_map, "has a text layer whose fonts map to no characters (it reads as garbage); it was read by OCR"),
    (text_as_outlines, "has its text drawn as outlines, with no text layer; it was read by OCR"),
])
def test_only_the_pages_that_cannot_be_read_go_to_ocr(report, embedded_pdf, damage, warning):
    """Page 2 of 3 damaged: it goes to the OCR hook, pages 1 and 3 are read from their text layer;
    the tables come back whole (table 3 joined across pages 2 and 3)."""
    damaged = pymupdf.open(stream=damage(embedded_pdf), filetype="pdf")
    mixed = pymupdf.open(stream=embedded_pdf, filetype="pdf")
    mixed.delete_page(1)
    mixed.insert_pdf(damaged, from_page=1, to_page=1, start_at=1)
    calls: list[int] = []
    doc = pdf.read(mixed.tobytes(), ocr_page=_stand_in_ocr(embedded_pdf, calls))
    assert calls == [1]
    assert doc.kind == "pdf-text"
    assert doc.warnings == [f"page 2 {warning}"]
    assert [(t.n_rows, t.n_cols) for t in _tables(doc)] == [(14, 4), (28, 10), (4, 15)]
    assert _spans(_tables(doc)[2]) == _spans(report.tables["t4"])


def _numbers(page: pymupdf.Page) -> list[tuple]:
    return [w for w in page.get_text("words") if w[4].isdigit()]


def _with_unseen_copies(data: bytes, how: str) -> bytes:
    """Each number of the PDF with a stale figure beside or under it that a viewer does not show:
    white on the white page, or in the invisible rendering mode."""
    doc = pymupdf.open(stream=data, filetype="pdf")
    for page in doc:
        for x0, y0, x1, y1, _, *_ in _numbers(page):
            at = (x1 + 0.5, y1 - 2) if how == "white after" else (x0, y1 - 2)
            if how == "invisible under":
                page.insert_text(at, "7", fontsize=8, render_mode=3)
            else:
                page.insert_text(at, "7", fontsize=8, color=(1, 1, 1))
    return doc.tobytes()


@pytest.mark.parametrize("how", ["white after", "white under", "invisible under"])
def test_text_a_viewer_does_not_show_is_not_read(report, browser_pdf, browser_doc, how):
    """Last year's figures left in white, or drawn invisibly, beside this year's: not read into them."""
    doc = pdf.read(_with_unseen_copies(browser_pdf, how))
    assert [_spans(t) for t in _tables(doc)] == [_spans(t) for t in _tables(browser_doc)]


def _corrected_under_boxes(data: bytes) -> bytes:
    """The PDF as an editor leaves figures it corrected: each old figure (here the printed one plus
    one to nine, drawn from the same origin) painted over with an opaque box, and the new figure
    written on the box."""
    src = pymupdf.open(stream=data, filetype="pdf")
    out = pymupdf.open()
    for number, page in enumerate(src):
        figures = _numbers(page)
        edited = out.new_page(width=page.rect.width, height=page.rect.height)
        for n, (x0, y0, x1, y1, text, *_) in enumerate(figures):
            edited.insert_text((x0, y1 - 1.5), str(int(text) + 1 + n % 9), fontsize=9)
        for x0, y0, x1, y1, *_ in figures:
            edited.draw_rect(pymupdf.Rect(x0 - 1, y0 - 1, x1 + 4, y1 + 1), color=None, fill=(1, 1, 1))
        edited.show_pdf_page(edited.rect, src, number)
    return out.tobytes()


def test_figures_painted_over_by_a_box_are_not_read(browser_pdf, browser_doc):
    """An edited PDF's old figures under the boxes its new ones are written on: only the new ones
    are read, a new one beginning with the old one's digit included (both drawn from one origin)."""
    doc = pdf.read(_corrected_under_boxes(browser_pdf))
    assert [_spans(t) for t in _tables(doc)] == [_spans(t) for t in _tables(browser_doc)]


def test_a_bar_painted_over_a_figure_hides_it_and_a_highlighter_does_not():
    """A black bar (a redaction only drawn) hides what is under it; a yellow box is taken for a
    highlighter's, which multiplies its colour with the text under it and leaves it seen."""
    from extraction.readers.pdf_visibility import without_unseen_text

    doc = pymupdf.open()
    page = doc.new_page(width=200, height=80)
    page.insert_text((20, 30), "1234", fontsize=12)
    page.insert_text((80, 30), "5678", fontsize=12)
    page.draw_rect(pymupdf.Rect(18, 18, 52, 34), color=None, fill=(1, 1, 0))
    page.draw_rect(pymupdf.Rect(78, 18, 112, 34), color=None, fill=(0, 0, 0))
    raw = without_unseen_text(page.get_text("rawdict"), page.get_drawings(), page.get_texttrace)
    lines = ["".join(ch["c"] for span in line["spans"] for ch in span["chars"])
             for block in raw["blocks"] for line in block.get("lines", [])]
    assert lines == ["1234"]


def test_figures_corrected_by_annotations_read_as_corrected(browser_pdf, browser_doc):
    """Corrections made with a viewer's typewriter tool: a text annotation, filled white, written
    over the printed figure. The viewer shows the annotation's figure; that is the one read."""
    doc = pymupdf.open(stream=browser_pdf, filetype="pdf")
    for page in doc:
        for x0, y0, x1, y1, text, *_ in _numbers(page):
            note = page.add_freetext_annot(pymupdf.Rect(x0 - 2, y0 - 1, x1 + 6, y1 + 1), str(int(text) + 1),
                                           fontsize=9, text_color=(0, 0, 0), fill_color=(1, 1, 1), align=1)
            note.update()
    read = [_spans(t) for t in _tables(pdf.read(doc.tobytes()))]
    corrected = [{(r, c, rs, cs, str(int(t) + 1) if t.isdigit() else t) for r, c, rs, cs, t in _spans(table)}
                 for table in _tables(browser_doc)]
    assert read == corrected


def _with_struck_copies(data: bytes, bars: bool) -> bytes:
    """Each number of the PDF with the figure it replaced struck through beside it (before it for
    every other number), the strike a stroked line or a bar as Word draws one, black or red."""
    doc = pymupdf.open(stream=data, filetype="pdf")
    for page in doc:
        for n, (x0, y0, x1, y1, text, *_) in enumerate(_numbers(page)):
            old, size, colour = str(int(text) + 1 + n % 9), (y1 - y0) * 0.8, [(0, 0, 0), (0.8, 0, 0)][n % 2]
            width = pymupdf.get_text_length(old, fontsize=size)
            left = x0 - width - 2 if n % 2 else x1 + 2
            page.insert_text((left, y1 - (y1 - y0) * 0.22), old, fontsize=size, color=colour)
            middle = y0 + (y1 - y0) * 0.55
            if bars:
                page.draw_rect(pymupdf.Rect(left, middle - 0.35, left + width, middle + 0.35), color=None, fill=colour)
            else:
                page.draw_line((left - 0.5, middle), (left + width + 0.5, middle), color=colour, width=0.75)
    return doc.tobytes()


@pytest.mark.parametrize("bars", [False, True], ids=["lines", "bars"])
def test_figures_struck_through_are_not_read(browser_pdf, browser_doc, bars):
    """A corrected report's old figures struck through beside the new ones: only the new ones are
    read."""
    doc = pdf.read(_with_struck_copies(browser_pdf, bars))
    assert [_spans(t) for t in _tables(doc)] == [_spans(t) for t in _tables(browser_doc)]


def test_underlined_text_and_text_over_a_ruling_are_read():
    """A line under a figure (an underline) or over it, and a ruling a figure overflows onto, run
    beside the characters or on past them: they strike nothing. A line through the middle of a
    figure, and across it alone, does."""
    from extraction.readers.pdf_struck import without_struck

    doc = pymupdf.open()
    page = doc.new_page(width=300, height=80)
    for x, text in ((20, "1234"), (80, "5678"), (140, "90"), (200, "4321")):
        page.insert_text((x, 30), text, fontsize=12)
    page.draw_line((20, 32), (47, 32), width=0.75)  # an underline, below the baseline
    page.draw_line((80, 20.5), (107, 20.5), width=0.75)  # an overline, at the digits' top
    page.draw_line((130, 26), (290, 26), width=0.5)  # a ruling through "90" and "4321" and on
    page.draw_line((199, 26), (228, 26), width=0.75)  # a strike through "4321" alone
    raw = without_struck(page.get_text("rawdict"), page.get_drawings())
    words = ["".join(ch["c"] for span in line["spans"] for ch in span["chars"]).strip()
             for block in raw["blocks"] for line in block.get("lines", [])]
    assert words == ["1234", "5678", "90"]


def test_white_text_on_a_dark_cell_is_read(browser_pdf):
    doc = pymupdf.open(stream=browser_pdf, filetype="pdf")
    page = doc[0]
    box = pymupdf.Rect(60, page.rect.height - 140, 200, page.rect.height - 110)
    page.draw_rect(box, color=None, fill=(0.1, 0.2, 0.5))
    page.insert_text((box.x0 + 5, box.y1 - 8), "附注说明", fontname="china-s", fontsize=10, color=(1, 1, 1))
    assert any("附注说明" in t for t in _texts(pdf.read(doc.tobytes())))


def test_a_watermark_across_the_tables_is_not_read(browser_pdf, browser_doc):
    """A slanted watermark with a date over every page: its digits do not land in the cells."""
    doc = pymupdf.open(stream=browser_pdf, filetype="pdf")
    for page in doc:
        for y in (0.3, 0.6, 0.85):
            at = pymupdf.Point(page.rect.width * 0.15, page.rect.height * y)
            page.insert_text(at, "内部资料 2024-03-08 13:05", fontname="china-s", fontsize=28,
                             color=(0.8, 0.8, 0.8), morph=(at, pymupdf.Matrix(-35)))
    read = pdf.read(doc.tobytes())
    assert [_spans(t) for t in _tables(read)] == [_spans(t) for t in _tables(browser_doc)]


def test_a_watermark_tiled_closer_than_the_text_is_not_read(browser_pdf, browser_doc):
    """A download stamp tiled across every page, its characters outnumbering the page's own text:
    still a watermark, set aside (the share of a page's text a viewer shows guards hidden text
    only, not a slant)."""
    doc = pymupdf.open(stream=browser_pdf, filetype="pdf")
    for page in doc:
        for row in range(14):
            for col in range(3):
                at = pymupdf.Point(page.rect.width * (0.05 + 0.32 * col), page.rect.height * (0.08 + 0.065 * row))
                page.insert_text(at, "2024-03-08 13:05 下载 IP:10.2.3.4", fontname="china-s", fontsize=9,
                                 color=(0.78, 0.78, 0.78), morph=(at, pymupdf.Matrix(-30)))
    read = pdf.read(doc.tobytes())
    assert [_spans(t) for t in _tables(read)] == [_spans(t) for t in _tables(browser_doc)]
    assert not any("2024-03-08" in t or "10.2.3.4" in t for t in _texts(read))


def test_a_title_and_a_signature_at_one_height_are_no_running_header():
    """The agency's name heads the first page (the title's first line, large and centred) and,
    after a page break, the last (the signature, small and to the right), at one height: not a
    running header of two pages. A header repeated in its size and place still goes."""
    doc = pymupdf.open()
    agency = "齐齐哈尔市人力资源和社会保障局"
    for n in range(4):
        page = doc.new_page()
        page.insert_text((250, 30), "内部资料", fontname="china-s", fontsize=9)  # a running header
        if n == 0:
            page.insert_text((178, 80), agency, fontname="china-s", fontsize=16)
            page.insert_text((178, 104), "2020年度政府信息公开工作报告", fontname="china-s", fontsize=16)
        if n == 3:
            page.insert_text((381, 75), agency, fontname="china-s", fontsize=10.5)
            page.insert_text((467, 96), "2021年2月12日", fontname="china-s", fontsize=10.5)
        page.insert_text((72, 300), f"第{n + 1}页的正文。", fontname="china-s", fontsize=10.5)
    texts = _texts(pdf.read(doc.tobytes()))
    assert texts.count(agency) == 2
    assert "内部资料" not in texts


def test_a_numbers_digits_drawn_out_of_order_read_as_one_number():
    """A tool that draws a number's digits as text objects of their own, the last first (7, then
    1 before it): the touching glyphs are one number, 17, not "1 7" (two cells' figures, which
    moved table 2's figures a column on). Digits a space apart stay apart."""
    doc = pymupdf.open()
    page = doc.new_page()
    size = 10.5
    w = pymupdf.get_text_length("1", fontname="helv", fontsize=size)
    page.insert_text((72, 100), "现行有效件数", fontname="china-s", fontsize=size)
    for x, text in ((300 + w, "7"), (300, "1"), (400 + 2 * w, "5"), (400, "2"), (400 + w, "0")):
        page.insert_text((x, 100), text, fontname="helv", fontsize=size)
    page.insert_text((72, 130), "本年制发件数", fontname="china-s", fontsize=size)
    page.insert_text((300, 130), "1 7", fontname="helv", fontsize=size)
    texts = _texts(pdf.read(doc.tobytes()))
    assert "17" in texts and "205" in texts
    assert "1 7" in texts


@pytest.mark.parametrize("offset, per_char", [(0.35, False), (0.8, False), (0.35, True)])
def test_bold_faked_by_overprinting_reads_once(embedded_pdf, offset, per_char):
    """Every line drawn twice, the copy shifted right (as separate text objects, or each character
    twice in a row): the same paragraphs and tables as the same PDF drawn once."""
    once = pdf.read(fake_bold(embedded_pdf, offset, per_char, copies=1))
    twice = pdf.read(fake_bold(embedded_pdf, offset, per_char))
    assert _texts(twice) == _texts(once)
    assert [_spans(t) for t in _tables(twice)] == [_spans(t) for t in _tables(once)]


def test_symbols_and_traditional_characters_are_text_not_garbage():
    from extraction.readers.pdf_legibility import garbled_share

    assert garbled_share([("Wingdings", "\uf0b7" * 30), ("SimSun", "一、总体情况")]) == 0
    assert garbled_share([("MingLiU", "政府資訊公開工作年度報告（一）總體情況。—〇·")]) == 0
    assert garbled_share([("Broken", "\ufffd" * 40), ("SimSun", "一、总体情况")]) > 0.8
    assert garbled_share([("Broken", "".join(chr(0x300 + 7 * i) for i in range(40)))]) == 1


def test_encrypted_pdf_is_refused(browser_pdf):
    doc = pymupdf.open(stream=browser_pdf, filetype="pdf")
    locked = doc.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="secret", owner_pw="owner")
    with pytest.raises(EncryptedInput):
        pdf.read(locked)


@pytest.mark.parametrize("share", [0.05, 0.3, 0.6, 0.9])
def test_truncated_pdf_is_corrupt(browser_pdf, share):
    # MuPDF repairs these and would draw what is left: half a table must not pass for a table
    with pytest.raises(CorruptInput):
        pdf.read(browser_pdf[: int(len(browser_pdf) * share)])


def test_pdf_missing_only_its_trailer_is_read_with_a_warning(report, browser_pdf):
    cut = browser_pdf[: browser_pdf.rindex(b"xref")]  # every object complete, no xref table
    doc = pdf.read(cut)
    assert doc.warnings == ["the PDF was damaged; its cross-reference table was rebuilt"]
    assert _spans(_tables(doc)[2]) == _spans(report.tables["t4"])


def test_garbage_after_the_magic_is_corrupt():
    with pytest.raises(CorruptInput):
        pdf.read(b"%PDF-1.7\n" + bytes(range(256)) * 20)


def test_blank_pdf_is_empty():
    doc = pymupdf.open()
    doc.new_page()
    with pytest.raises(EmptyInput):
        pdf.read(doc.tobytes())


def _prose_pdf(pages: int, header: str | None, footer: str | None) -> bytes:
    """Plain pages of prose with a header and footer (`{n}` = page number, `{of}` = page count)."""
    doc = pymupdf.open()
    for n in range(1, pages + 1):
        page = doc.new_page(width=595, height=842)
        if header:
            page.insert_text((30, 22), header.format(n=n, of=pages), fontname="china-s", fontsize=8)
        page.insert_text((72, 120), f"第{n}页的正文，统计期限自2023年1月1日起。", fontname="china-s", fontsize=11)
        if footer:
            text = footer.format(n=n, of=pages)
            page.insert_text((297 - 4 * len(text), 815), text, fontname="china-s", fontsize=8)
    return doc.tobytes()


@pytest.mark.parametrize("footer", ["第 {n} 页", "{n}/{of}", "- {n} -", "— {n} —", "第{n}页 共{of}页", "Page {n} of {of}"])
def test_page_number_footers_are_dropped(footer):
    doc = pdf.read(_prose_pdf(3, None, footer))
    assert _texts(doc) == [f"第{n}页的正文，统计期限自2023年1月1日起。" for n in (1, 2, 3)]


def test_single_page_browser_print_loses_its_header_row():
    # one page: nothing repeats, so the browser's row goes by its date and time
    data = _prose_pdf(1, "2023/2/1 下午3:12                      某某局2022年政府信息公开工作年度报告", None)
    assert _texts(pdf.read(data)) == ["第1页的正文，统计期限自2023年1月1日起。"]


def test_a_dated_line_inside_the_page_is_kept():
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((72, 300), "2023/2/1 10:20 发布", fontname="china-s", fontsize=11)
    # (a space between Latin and Chinese is not kept: words join without one next to Chinese)
    assert _texts(pdf.read(doc.tobytes())) == ["2023/2/1 10:20发布"]


def test_the_reader_tells_the_ocr_whether_anything_but_the_scan_shows():
    """A scanner's searchable page (its OCR as invisible text over the scan) goes to our OCR with
    `overlaid=False`: the text was looked at once, here, and the scan is all there is to see (its
    JPEG may be decoded on its own). A visible line over the scan, or a page of scan-only pixels
    with a visible word on it, makes it True."""
    import cv2
    import numpy as np

    def scanned(*extra):
        img = np.full((1754, 1240), 255, np.uint8)
        img[300:330, 200:900] = 0
        doc = pymupdf.open()
        page = doc.new_page(width=595, height=842)
        page.insert_image(page.rect, stream=cv2.imencode(".jpg", img)[1].tobytes())
        for n in range(40):
            page.insert_text((60, 60 + 18 * n), "政府信息公开工作年度报告 2025", fontname="china-s", fontsize=12,
                             render_mode=3)
        for add in extra:
            add(page)
        return doc.tobytes()

    def line(page):
        page.draw_line((50, 800), (500, 800), width=1)

    def word(page):
        page.insert_text((60, 830), "第1页", fontname="china-s", fontsize=9)

    for data, expected in ((scanned(), False), (scanned(line), True), (scanned(word), True)):
        seen = []

        def ocr(page, clip=None, overlaid=None):
            seen.append(overlaid)
            return pdf.OcrReading([Word("年度报告", (60.0, 50.0, 120.0, 62.0))], [], [], {})

        doc = pdf.read(data, ocr_page=ocr)
        assert seen == [expected]
        assert _texts(doc) == ["年度报告"]


def test_a_volume_of_reports_gives_the_first_and_names_the_next():
    """A county's departments' reports bound in one file: the first report is read, none of the
    second's tables, dates or signature reach it, and a warning names the next one by its title
    and page (its date line had kept the first's unprinted date in review)."""
    from extraction.pipeline import extract
    from tests.synth.form import wrong_fields

    first, second = (build_report(synth_answers(seed), seed=seed) for seed in (160000, 160001))
    volume = pymupdf.open()
    for report in (first, second):
        volume.insert_pdf(pymupdf.open(stream=render_pdf(report), filetype="pdf"))
    pages = volume.page_count
    result = extract(volume.tobytes(), "volume.pdf")
    output = result.model_dump(mode="json")
    assert wrong_fields(first.answer, output) == [] and result.review == []
    second_at = pages - pymupdf.open(stream=render_pdf(second), filetype="pdf").page_count + 1
    assert any(second.title in w and f"page {second_at}" in w for w in result.warnings), result.warnings


def test_pinyin_drawn_over_characters_is_not_read():
    """A Word file with a phonetic guide, printed: each guided character's pinyin drawn small above
    it, read as words of their own among the labels and the prose. Tone-marked syllables are no
    word of a Chinese report; a row's label and the agency read as printed without them."""
    import json

    from extraction.pipeline import extract
    from tests.synth.form import wrong_fields

    sounds = {"政": "zhèng", "府": "fǔ", "信": "xìn", "息": "xī", "公": "gōng", "开": "kāi", "市": "shì", "局": "jú",
              "理": "lǐ", "处": "chǔ", "总": "zǒng", "计": "jì", "申": "shēn", "请": "qǐng", "不": "bù", "予": "yǔ"}
    report = build_report(synth_answers(51), seed=51)
    doc = pymupdf.open(stream=render_pdf(report), filetype="pdf")
    guided = 0
    for page in doc:
        over = [(ch, span["size"]) for block in page.get_text("rawdict")["blocks"] for line in block.get("lines", [])
                for span in line["spans"] for ch in span["chars"] if ch["c"] in sounds]
        for ch, size in over:
            x0, _, x1, _ = ch["bbox"]
            sound = sounds[ch["c"]]
            width = pymupdf.get_text_length(sound, fontsize=size * 0.45)
            page.insert_text(((x0 + x1 - width) / 2, ch["origin"][1] - size * 0.95), sound, fontsize=size * 0.45)
            guided += 1
    assert guided > 30
    out = json.loads(extract(doc.tobytes(), "report.pdf").model_dump_json())
    assert wrong_fields(report.answer, out) == []


@pytest.mark.parametrize("rulings, extra", [("none", 8), ("none", 9), ("none", 10), ("lines", 8), ("lines", 9)])
def test_a_page_number_under_a_table_and_a_row_atop_the_next_page(rulings, extra):
    """A page numbered - 2 - close under the text. Under a table that lost its rulings, the number
    between its dashes stood in the table's columns as a row of values (its two dashes in one
    column: no table, the page's rows lost). The last row of a table that a page break cut off
    (行政事业性收费 … 0) stands atop the next page: its 0 there, level with its label, is no page
    number. `extra` paragraphs of prose move the tables' page breaks to those places."""
    from extraction.pipeline import extract

    report = build_report(synth_answers(2, template="2021"), seed=2)
    heading, paragraphs = report.sections[0]
    report.sections[0] = (heading, paragraphs + ["（六）其他。本年度本机关继续做好政府信息公开工作。"] * extra)
    data = render_pdf(report, furniture="dashes", rulings=rulings, split_t3_before=None)
    fields = extract(data, "report.pdf").fields
    wrong = {k: fields[k].value if k in fields else "missing" for k, v in report.answer.items()
             if k.startswith("t") and (k not in fields or fields[k].value != v or fields[k].confidence < 0.9)}
    assert not wrong


def test_a_table_running_off_the_page_leaves_its_unseen_cells_in_review():
    """Table 4 set wider than its page (a Word table past the margins, printed to PDF): its rulings
    go on past the page's edge, but the figures there are not on the page. The cells past the edge
    are not read as printed blanks (accepted, and wrong): they are held, with a warning; the cells
    on the page are read as before."""
    import json

    from extraction.pipeline import extract

    answers = synth_answers(9413)
    doc = pymupdf.open(stream=render_pdf(build_report(answers, seed=9413), furniture=None), filetype="pdf")
    page = next(p for p in doc if "行政诉讼" in p.get_text())
    edge = max(w[0] for w in page.get_text("words") if w[4].isdigit() and w[1] > page.search_for("行政诉讼")[0].y1)
    page.set_mediabox(pymupdf.Rect(0, 0, edge - 4, page.rect.height))  # the last column's figure falls off
    out = json.loads(extract(doc.tobytes(), "report.pdf").model_dump_json())
    last = out["fields"]["t4.litigation_after_review.total"]
    assert last["confidence"] < 0.9
    assert any("runs off the page" in w for w in out["warnings"])
    seen = out["fields"]["t4.review.upheld"]
    assert seen["value"] == answers["t4.review.upheld"] and seen["confidence"] >= 0.9
