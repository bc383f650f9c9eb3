"""What the report's overview (一、总体情况) says of its applications, held against table 3.

The overview usually states how many applications came in (全年共收到政府信息公开申请18件). A
table 3 whose every figure reads blank or 0 beside such a sentence is no table of a quiet year:
its figures were lost (a grid that swallowed the table, rulings that cut it wrong), and its blanks
must not be accepted as printed. A year without applications says so (未收到…申请) and prints
no number, so it is left alone.
"""
from __future__ import annotations

import re
from typing import Sequence

# 共收到政府信息公开申请18件 / 新收政府信息公开申请 18 件 / 受理依申请公开事项共3件
_RECEIVED = re.compile(r"(?:收到|受理|新收|接收|接到)[^。；，,：:、\d]{0,14}?申请(?:事项)?(?:共|总计|合计|共计)?\s*"
                       r"(?P<n>\d{1,6})\s*(?:件|宗|个|份|条|项)")


def stated_applications(text: str) -> int | None:
    """The number of applications the text says came in; None where it states none, or states
    different numbers (received, and received in total with last year's)."""
    found = set()
    sentences = re.split(r"[。；;\n]", re.sub(r"[ \t\u3000]+", "", text))
    for i, sentence in enumerate(sentences):
        # the sentence is about disclosure, or follows a short heading that is (（二）依申请公开。);
        # not 收到群众来信来访申请12件
        heading = sentences[i - 1] if i and len(sentences[i - 1]) <= 12 else ""
        if "公开" in sentence or "公开" in heading:
            found |= {int(m.group("n")) for m in _RECEIVED.finditer(sentence)}
    return found.pop() if len(found) == 1 else None


def table3_reads_empty(values: dict[str, object], keys: Sequence[str]) -> bool:
    """Whether every figure of table 3 came out blank or 0."""
    return bool(keys) and all(values.get(k) in (None, 0) for k in keys)
