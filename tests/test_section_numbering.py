"""Section headings numbered otherwise than the form's 一、…六、 (1., （一）, 第一部分), with the
tables in their sections or as appendices after the signature (附表1 …, the sections saying 详见附表).
Without its sections a report's tables were looked for anywhere, its prose sections came back
empty, and the date under its signature, with the appendices after it, was not looked at."""
from __future__ import annotations

import json

import pytest

from extraction.pipeline import extract
from tests.synth.form import build_report, synth_answers, wrong_fields
from tests.synth.text_report import render_text

_NUMBERS = {"num": lambda k: f"{k}.", "paren": lambda k: f"（{'一二三四五六'[k - 1]}）",
            "part": lambda k: f"第{'一二三四五六'[k - 1]}部分 "}
_CAPTIONS = ["附表1：主动公开政府信息情况", "附表2：收到和处理政府信息公开申请情况", "附表3：政府信息公开行政复议、行政诉讼情况"]


def _renumbered(text: str, style: str, appendices: bool, flat: bool = False) -> str:
    blocks = text.split("\n\n")
    if flat:  # table 3's header one row of its columns, with no 勾稽关系 note and no 申请人情况 over them
        at = next(i for i, b in enumerate(blocks) if "勾稽关系" in b)
        lines = blocks[at].split("\n")
        blocks[at] = "\n".join(["\t\t\t自然人\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t总计", *lines[3:]])
    tables = [b for b in blocks if "\t" in b]
    out = []
    for b in blocks:
        if "\t" in b and appendices:
            out.append(f"详见附表{tables.index(b) + 1}。")
            continue
        for k, cn in enumerate("一二三四五六", 1):
            if b.startswith(f"{cn}、") and len(b) < 30:
                b = _NUMBERS[style](k) + b[2:]
        out.append(b)
    if appendices:
        out += [part for caption, table in zip(_CAPTIONS, tables) for part in (caption, table)]
    return "\n\n".join(out)


@pytest.mark.parametrize("appendices, flat", [(False, False), (True, False), (True, True)],
                         ids=["tables-in-place", "tables-as-appendices", "appendices-table3-flat-header"])
@pytest.mark.parametrize("style", sorted(_NUMBERS))
def test_sections_numbered_otherwise_are_found(style, appendices, flat):
    answers = synth_answers(9701, template="2021")
    report = build_report(answers, seed=9701)
    text = _renumbered(render_text(report, "tsv", seed=3).text, style, appendices, flat)
    assert "一、总体情况" not in text
    out = json.loads(extract(text.encode(), "report.txt").model_dump_json())
    assert not wrong_fields(report.answer, out)
    assert out["fields"]["meta.published_date"]["value"] == report.answer["meta.published_date"]
    assert out["sections"]["overview"].startswith(f"{report.year}年")
    assert out["sections"]["problems"] and out["sections"]["other_matters"]
