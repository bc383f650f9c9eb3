"""Reports whose text comes as radicals: a PDF font's character map that sends 工 to the Kangxi
radical ⼯ (U+2F2F), 月 to ⽉ and 门 to the supplement's ⻔, copied on by whatever reads the file
(converters, a web page pasted from it, a Word file saved from it). The page looks right; the
characters are not those of the words. Through the real pipeline, in each kind of file."""
import json
import unicodedata
from dataclasses import replace

import pytest

from extraction.pipeline import extract
from tests.synth import docx_report, html_report, pdf_report
from tests.synth.form import build_report, synth_answers, wrong_fields
from tests.synth.text_report import render_text

# what such fonts map, read off Unicode: each Kangxi radical whose compatibility form is a
# character, and the supplement's radicals of a whole (simplified) character, which have none
_KANGXI = {unicodedata.normalize("NFKC", chr(cp)): chr(cp) for cp in range(0x2F00, 0x2FD6)}
_SUPPLEMENT = dict(zip("长门见车民黄风马", "⻓⻔⻅⻋⺠⻩⻛⻢"))


def _as_radicals(text: str) -> str:
    return "".join(_SUPPLEMENT.get(ch) or _KANGXI.get(ch, ch) for ch in text)


def _report_in_radicals():
    fields = synth_answers(7, template="2021")
    fields.update({"meta.agency": "长沙市岳麓区民政局", "meta.published_date": f"{fields['meta.year'] + 1}-01-20"})
    report = build_report(fields, seed=7)
    report.title, report.agency = _as_radicals(report.title), _as_radicals(report.agency)
    report.preamble = [_as_radicals(p) for p in report.preamble]
    report.sections = [(_as_radicals(h), [_as_radicals(p) for p in ps]) for h, ps in report.sections]
    report.signature = [_as_radicals(s) for s in report.signature]
    for name, table in report.tables.items():
        report.tables[name] = replace(table, cells=[replace(c, text=_as_radicals(c.text)) for c in table.cells])
    return report


_RENDER = {
    "report.md": lambda r: render_text(r, "markdown", seed=7).data,
    "report.html": lambda r: html_report.render(r, seed=7),
    "report.docx": docx_report.render,
    "report.pdf": pdf_report.render_pdf,
}


@pytest.mark.parametrize("filename", sorted(_RENDER))
def test_characters_given_as_radicals_read_as_the_characters(filename):
    report = _report_in_radicals()
    assert report.sections[0][0].startswith("⼀、") and "⺠" in report.agency  # the file does print radicals
    out = json.loads(extract(_RENDER[filename](report), filename).model_dump_json())
    assert wrong_fields(report.answer, out) == []
    assert out["fields"]["meta.agency"]["confidence"] >= 0.9
    assert out["fields"]["meta.published_date"]["confidence"] >= 0.9
    prose = "".join(out["sections"].values())
    assert "工作" in prose and not any("\u2e80" <= ch <= "\u2fdf" for ch in prose)
