"""What the report's overview (一、总体情况) says of its applications, held against table 3.

The overview usually states how many applications came in (全年共收到政府信息公开申请18件). A
table 3 whose every figure reads blank or 0 beside such a sentence is no table of a quiet year:
its figures were lost (a grid that swallowed the table, rulings that cut it wrong), and its blanks
must not be accepted as printed. A year without applications says so (未收到…申请) and prints
no number, so it is left alone.

The other way round, the overview may state rows of table 3 as none (新收…申请0件，上年结转0件).
With none received and none carried over, every figure of the table is 0 (its counts are never
negative and all sum back to those two), whether it printed them blank or 0, or its rows were lost
to OCR altogether.
"""
from __future__ import annotations

import re
from typing import Sequence

# what may stand between a statement's verb and its object or count, within one clause
_WITHIN = r"[^。；，,：:、\d]{0,14}?"
_COUNT = r"(?P<n>\d{1,6})\s*(?:件|宗|个|份|条|项)"
# 共收到政府信息公开申请18件 / 新收政府信息公开申请 18 件 / 受理依申请公开事项共3件
_RECEIVED = re.compile(rf"(?:收到|受理|新收|接收|接到){_WITHIN}申请(?:事项)?(?:共|总计|合计|共计)?\s*{_COUNT}")


def stated_applications(text: str) -> int | None:
    """The number of applications the text says came in; None where it states none, or states
    different numbers (received, and received in total with last year's)."""
    found = set()
    sentences = re.split(r"[。；;\n]", re.sub(r"[ \t\u3000]+", "", text))
    for i, sentence in enumerate(sentences):
        if _about_disclosure(sentences, i):
            found |= {int(m.group("n")) for m in _RECEIVED.finditer(sentence)}
    return found.pop() if len(found) == 1 else None


def _about_disclosure(sentences: list[str], i: int) -> bool:
    """The sentence is about disclosure, or follows a short heading that is (（二）依申请公开。);
    not 收到群众来信来访申请12件."""
    heading = sentences[i - 1] if i and len(sentences[i - 1]) <= 12 else ""
    return "公开" in sentences[i] or "公开" in heading


# 上年结转0件 / 上年度结转政府信息公开申请 0 件; 结转下年度继续办理0件
_CARRIED_OVER = re.compile(rf"上一?年度?结转{_WITHIN}{_COUNT}")
_CARRIED_FORWARD = re.compile(rf"结转(?:至|到)?下一?年度?{_WITHIN}{_COUNT}")
# 未收到政府信息公开申请 / 没有收到…申请 / 无上年结转 / 上年无结转申请
_NONE_RECEIVED = re.compile(rf"(?:未|没有|无)(?:收到|受理|接到|接收|新收){_WITHIN}申请")
_NONE_CARRIED_OVER = re.compile(r"(?:无|没有)上一?年度?结转|上一?年度?(?:无|没有)结转")
_COUNTS = {"received_new": _RECEIVED, "carried_over": _CARRIED_OVER, "carried_forward": _CARRIED_FORWARD}
_NONE = {"received_new": _NONE_RECEIVED, "carried_over": _NONE_CARRIED_OVER}


def rows_stated_none(text: str) -> frozenset[str]:
    """The rows of table 3 ("received_new", "carried_over", "carried_forward") the text states as
    none, by a count of 0 or in words; a row it also gives another count for is left out. Lines are
    joined first: a statement wraps wherever the page ends its line (申请0\n件)."""
    zero, counted = set(), set()
    sentences = re.split(r"[。；;]", re.sub(r"[ \t\u3000\n]+", "", text))
    for i, sentence in enumerate(sentences):
        if not _about_disclosure(sentences, i):
            continue
        for row, pattern in _COUNTS.items():
            for m in pattern.finditer(sentence):
                (zero if int(m.group("n")) == 0 else counted).add(row)
        zero |= {row for row, pattern in _NONE.items() if pattern.search(sentence)}
    return frozenset(zero - counted)


def table3_reads_empty(values: dict[str, object], keys: Sequence[str]) -> bool:
    """Whether every figure of table 3 came out blank or 0."""
    return bool(keys) and all(values.get(k) in (None, 0) for k in keys)
