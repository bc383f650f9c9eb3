"""Web pages saved as one file (.mht / .mhtml): the page read with the pictures and frames the
archive saved beside it."""
from __future__ import annotations

import html as stdlib_html
import re

import pytest

from extraction.errors import CorruptInput
from extraction.pipeline import extract
from extraction.readers import mhtml
from extraction.sniff import detect_kind
from tests.document_views import assert_read_from_pictures
from tests.synth import html_report
from tests.synth.form import build_report, synth_answers, wrong_fields
from tests.synth.web_archive import archive


def _report(seed: int, **variant):
    return build_report(synth_answers(seed, template="2021"), seed=seed, **variant)


@pytest.mark.parametrize("style", ["chrome", "ie", "word"])
def test_a_saved_page_is_read_as_the_web_page_it_holds(style):
    """IE's archive names GB2312 in its part header for a GBK page that declares nothing itself."""
    report = _report(31, blank_zeros=True)
    encoding = "gb18030" if style == "ie" else "utf-8"
    page = html_report.render(report, encoding=encoding, declare=None if style == "ie" else "meta", seed=31)
    data = archive(page, style, encoding)
    assert detect_kind(data) == "mhtml"
    result = extract(data, f"report.{'mht' if style != 'chrome' else 'mhtml'}")
    output = result.model_dump(mode="json")
    assert output["source"]["kind"] == "html"
    assert wrong_fields(report.answer, output) == []


def test_tables_shown_as_pictures_saved_in_the_archive_are_read_by_ocr():
    """A plain saved page only links to its pictures (not fetched, named in a warning); the archive
    carries them, so the tables in them are read."""
    report = _report(9102, traditional=False)
    data = archive(html_report.render(report, pictures=True, seed=9102), "word")
    result = extract(data, "report.mht")
    assert_read_from_pictures(report.answer, result)


def test_a_frame_saved_in_the_archive_is_read_where_it_stands():
    report = _report(33, blank_zeros=True)
    page = html_report.render(report, boxes="frame", seed=33)
    # as Chrome saves a frame: its page a part of its own, the <iframe> naming it by cid:
    start = page.index(b"<iframe")
    end = page.index(b"</iframe>") + len(b"</iframe>")
    framed = stdlib_html.unescape(re.search(rb'srcdoc="([^"]*)"', page[start:end]).group(1).decode())
    page = page[:start] + b'<iframe src="cid:frame-7F3A@mhtml.blink" width="100%"></iframe>' + page[end:]
    data = archive(page, "chrome")
    boundary = data[data.index(b"boundary=\"") + 10:].split(b'"')[0]
    part = (b"--" + boundary + b"\r\nContent-Type: text/html\r\nContent-ID: <frame-7F3A@mhtml.blink>\r\n"
            b"Content-Transfer-Encoding: 8bit\r\n\r\n" + framed.encode("utf-8") + b"\r\n")
    closing = b"--" + boundary + b"--"
    data = data.replace(closing, part + closing)
    result = extract(data, "report.mhtml")
    assert wrong_fields(report.answer, result.model_dump(mode="json")) == []
    assert not any("framed page" in w for w in result.warnings)


def test_an_archive_without_a_page_is_refused_with_a_reason():
    data = (b"MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=\"b\"\r\n\r\n"
            b"--b\r\nContent-Type: image/png\r\nContent-Location: http://x/a.png\r\n\r\nabc\r\n--b--\r\n")
    assert detect_kind(data) == "mhtml"
    with pytest.raises(CorruptInput, match="no web page"):
        mhtml.read(data)


def test_text_that_only_mentions_mime_headers_is_text():
    data = "MIME-Version: 1.0 是邮件头的一种。\n某某局2023年政府信息公开工作年度报告\n".encode("utf-8")
    assert detect_kind(data) == "text"
