"""A note's reference mark raised after a figure (12¹): not read into the figure, on a web page
(<sup>), in a Word file (a superscript run, by itself or by its style) and in a PDF (drawn small and
raised after the figure). Through the real pipeline, on synthetic reports."""
from __future__ import annotations

import io
import json
import random
import re

import pymupdf
import pytest

from extraction.pipeline import extract
from tests.synth import docx_report, html_report, pdf_report
from tests.synth.form import build_report, synth_answers, wrong_fields

MARKS = ["1", "2", "*", "①", "[3]"]


def _marked_html(report, rng) -> bytes:
    page, n = re.subn(r'<span style="font-size:14px">(\d+)</span>',
                      lambda m: m.group(0) + (f"<sup>{rng.choice(MARKS)}</sup>" if rng.random() < 0.3 else ""),
                      html_report.render(report, seed=5).decode())
    assert n > 100
    return page.encode()


def _marked_docx(report, rng, by_style: bool) -> bytes:
    import docx
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml import OxmlElement

    document = docx.Document(io.BytesIO(docx_report.render(report)))
    if by_style:  # as Word marks a footnote's reference: a character style that raises it
        style = document.styles.add_style("Note Reference", WD_STYLE_TYPE.CHARACTER)
        style.font.superscript = True
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                if cell.text.strip().isdigit() and rng.random() < 0.3:
                    run = cell.paragraphs[-1].add_run(rng.choice(MARKS))
                    if by_style:
                        run.style = document.styles["Note Reference"]
                    else:
                        run.font.superscript = True
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _marked_pdf(report, rng) -> bytes:
    doc = pymupdf.open(stream=pdf_report.render_pdf(report), filetype="pdf")
    for page in doc:
        for x0, y0, x1, y1, text, *_ in page.get_text("words"):
            if text.isdigit() and rng.random() < 0.3:
                h = y1 - y0
                page.insert_text((x1 + 0.3, y1 - 0.45 * h), rng.choice(["1", "2", "*"]), fontsize=h * 0.5)
    return doc.tobytes()


@pytest.mark.parametrize("kind", ["html", "docx", "docx-style", "pdf"])
def test_a_note_s_mark_raised_after_a_figure_is_not_part_of_it(kind):
    report = build_report(synth_answers(48), seed=48)
    rng = random.Random(48)
    if kind == "html":
        data, name = _marked_html(report, rng), "report.html"
    elif kind.startswith("docx"):
        data, name = _marked_docx(report, rng, by_style=kind == "docx-style"), "report.docx"
    else:
        data, name = _marked_pdf(report, rng), "report.pdf"
    out = json.loads(extract(data, name).model_dump_json())
    assert wrong_fields(report.answer, out) == []


def test_only_a_short_mark_raised_small_after_text_is_a_reference():
    """A small number not raised (a page's number in its footer), or raised but far from any text,
    or a raised word, is read; a small one raised just after a figure is not."""
    from extraction.readers.note_marks import reference, without_raised_references

    doc = pymupdf.open()
    page = doc.new_page(width=300, height=120)
    page.insert_text((20, 30), "128", fontsize=12)
    page.insert_text((42, 25), "1", fontsize=6)  # raised, just after 128: a reference
    page.insert_text((100, 30), "35", fontsize=12)
    page.insert_text((150, 25), "2", fontsize=6)  # raised, but far from 35
    page.insert_text((200, 30), "47", fontsize=12)
    page.insert_text((216, 30), "3", fontsize=6)  # small, on 47's baseline: not raised
    raw = without_raised_references(page.get_text("rawdict"))
    words = ["".join(ch["c"] for span in line["spans"] for ch in span["chars"]).strip()
             for block in raw["blocks"] for line in block.get("lines", [])]
    assert words == ["128", "35", "2", "47 3"]
    assert [t for t in ("1", "12", "*", "②", "[1]", "（2）", "m2", "万元", "123") if reference(t)] == \
        ["1", "12", "*", "②", "[1]", "（2）"]
