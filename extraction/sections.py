"""The six sections of the report, found in the token stream by their numbered headings."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from .labels import label_key, split_enumerator
from .tokens import Token

TITLES = {
    1: "总体情况",
    2: "主动公开政府信息情况",
    3: "收到和处理政府信息公开申请情况",
    4: "政府信息公开行政复议、行政诉讼情况",
    5: "存在的主要问题及改进情况",
    6: "其他需要报告的事项",
}
_CN = "一二三四五六"
# Where a web page or a signature ends the report: nothing after these belongs to section 六.
_BOILERPLATE = re.compile(r"扫一扫|相关解读|相关稿件|相关政策|打印本页|关闭窗口|【打印】|分享到|上一篇|下一篇|责任编辑|网站地图|版权所有|主办单位|ICP备")


@dataclass
class Sections:
    starts: dict[int, int]  # section number → index of its heading token
    n_tokens: int
    inline: dict[int, str] = field(default_factory=dict)  # body text printed on the heading's line
    # the heading 一、总体情况 of another report after this one's tables (a volume of reports), or
    # where that heading is worded otherwise (一、工作概述), its 二、主动公开政府信息情况
    next_report: int | None = None
    next_section: int = 1  # which of the next report's headings next_report is
    # tables 2–4 printed after the report's text, as a dump of a Word file's paragraphs and then its
    # tables sets them: each table's span there, by section number (the sections' own spans hold
    # no figures)
    tables_after: dict[int, tuple[int, int]] = field(default_factory=dict)

    def span(self, k: int) -> tuple[int, int] | None:
        """Token index range [start, end) of section k's body, or None if its heading is missing."""
        if k not in self.starts:
            return None
        start = self.starts[k] + 1
        later = [i for j, i in self.starts.items() if j > k]
        return start, (min(later) if later else self.text_end)

    @property
    def text_end(self) -> int:
        """Where the report's text ends: its tables where they follow it, else the stream's end."""
        return min((a for a, _ in self.tables_after.values()), default=self.n_tokens)

    def table_span(self, k: int) -> tuple[int, int]:
        """Where table k-? (sections 二–四) lies; falls back to the neighbours' headings."""
        if k in self.tables_after:
            return self.tables_after[k]
        span = self.span(k)
        if span:
            return span
        before = [i for j, i in self.starts.items() if j < k]
        after = [i for j, i in self.starts.items() if j > k]
        return (max(before) + 1 if before else 0), (min(after) if after else self.n_tokens)


def is_heading(text: str) -> bool:
    """Whether a line is one of the six sections' headings (四、政府信息公开行政复议、行政诉讼情况)."""
    return _heading_number(text) is not None


def _heading_number(text: str, style: str = "cn") -> tuple[int, float] | None:
    """The section a heading numbered in `style` (cn: 一、, paren: （一）, num: 1., part: 第一部分)
    or unnumbered begins, and how well its words match the section's title."""
    if style == "part":
        m = _PART.match(text)
        enum, rest = (f"part:{m.group(1)}", text[m.end():]) if m else (None, text)
    else:
        enum, rest = split_enumerator(text)
    key = label_key(rest)
    if not key or len(key) > 40:
        return None
    best = None
    for k, title in TITLES.items():
        ratio = fuzz.ratio(key, label_key(title)) / 100.0
        number = f"num:{k}" if style == "num" else f"{style}:{_CN[k - 1]}"
        if enum == number and ratio >= 0.7 or enum is None and ratio >= 0.95 and k > 1:
            if best is None or ratio > best[1]:
                best = (k, ratio)
    return best


# Headings numbered otherwise than 一、… (（一）, 1., 第一部分) are looked for only where the 一、
# headings are not all there, and taken where they find more of the sections: a report numbered
# 一、… may number its subsections （一）… (（二）主动公开政府信息情况 under 一、总体情况).
_OTHER_STYLES = ("paren", "num", "part")
_OTHER_STYLE_MIN = 3  # sections such headings must find (a stray （二）主动公开… alone is a subsection's)
_PART = re.compile(r"^\s*第([一二三四五六])(?:部分|章|节)[、.．:：\s]*")


_CONTENTS_HEADINGS = ("目录", "目次")
_CONTENTS_LINE = 30  # characters: a table of contents' entries, its own heading, a sentence's first line
# what a table of contents prints besides its entries: a page number each, its own heading, and
# entries for what follows the six sections (附件：相关统计表 …… 6)
_CONTENTS_EXTRA = 2


def find_sections(tokens: list[Token]) -> Sections:
    found = _sections_numbered(tokens, "cn")
    if len(found.starts) < len(TITLES):
        for style in _OTHER_STYLES:
            other = _sections_numbered(tokens, style)
            if len(other.starts) > max(len(found.starts), _OTHER_STYLE_MIN - 1):
                found = other
    return found


def _sections_numbered(tokens: list[Token], style: str) -> Sections:
    starts: dict[int, int] = {}
    inline: dict[int, str] = {}
    last = -1
    hits = {i: hit for i, tok in enumerate(tokens) if not tok.is_value and (hit := _heading_number(tok.text, style))}
    listed = _listed_under_contents(tokens, hits)
    for i, tok in enumerate(tokens):
        if tok.is_value or i in listed:
            continue
        hit = hits.get(i)
        if hit and hit[0] in (1, 2) and last >= 4 and _contents(tokens, starts, i):
            # the headings found were a table of contents' (一、总体情况 / 1 / 二、… / 1 …): the
            # report's own begin here
            starts, inline, last = {}, {}, -1
        if hit and hit[0] in (1, 2) and last >= 4:
            return Sections(starts, len(tokens), inline, next_report=i, next_section=hit[0])
        if hit and hit[0] not in starts and hit[0] > last:
            starts[hit[0]] = i
            last = hit[0]
            rest = _after_title(tok.text, TITLES[hit[0]])
            if rest:
                inline[hit[0]] = rest
    found = Sections(starts, len(tokens), inline)
    found.tables_after = _tables_after(tokens, found)
    return found


def _listed_under_contents(tokens: list[Token], hits: dict[int, tuple[int, float]]) -> set[int]:
    """The headings a table of contents headed 目录 lists, OCR's leader dots lost among them
    (三、收到和处理政府信息公开申请情况.): those after the heading up to the first sentence or a
    heading listed already, each where the report's own heading of that number follows (a page's
    link 目录 over a report that begins at once lists nothing). `hits`: the headings, by index."""
    out: set[int] = set()
    block: list[int] | None = None
    for i, tok in enumerate(tokens):
        if tok.is_value:
            continue
        text = re.sub(r"\s+", "", tok.text)
        if text in _CONTENTS_HEADINGS:
            block = []
            continue
        if block is None:
            continue
        hit = hits.get(i)
        if len(text) > _CONTENTS_LINE or hit and block and hit[0] <= hits[block[-1]][0]:
            out |= {j for j in block if any(k > i and h[0] == hits[j][0] for k, h in hits.items())}
            block = None
        elif hit:
            block.append(i)
    return out


def _contents(tokens: list[Token], starts: dict[int, int], end: int) -> bool:
    """Whether the headings found before `end` are a table of contents' entries: nothing stands
    among them but their page numbers and a short line or two (附件：相关统计表), no figure or
    sentence of a section's body. (What follows the last entry may be the report's preamble.)"""
    first, last = min(starts.values()), max(starts.values())
    upto = min(end, last + 2 if last + 1 < end and tokens[last + 1].is_value else last + 1)
    others = [t for j, t in enumerate(tokens[first:upto], first) if j not in starts.values()]
    pages = [t for t in others if t.is_value and t.value.number is not None and 0 < t.value.number < 1000]
    words = [t for t in others if not t.is_value]
    return (len(pages) <= len(starts) + _CONTENTS_EXTRA and len(words) <= _CONTENTS_EXTRA
            and all(len(t.text.strip()) <= 20 for t in words) and len(pages) + len(words) == len(others))


# What opens each table, looked for in this order after section 六: table 2's first article or
# its header, table 3's note or header, table 4's first group
# (table 3's header may be one flat row of its columns, 自然人 the first, or missing: its first row)
_TABLE_OPENINGS = ((2, ("第二十条", "信息内容")), (3, ("勾稽关系", "申请人情况", "自然人", "本年新收")), (4, ("行政复议",)))
_FIGURES = 3  # numbers enough to say a part of the text holds a table's figures


def _tables_after(tokens: list[Token], sections: Sections) -> dict[int, tuple[int, int]]:
    """Tables 2–4 after section 六, where sections 二–四 print none of their figures and each
    table's opening is found after 六, in the form's order, with figures after it."""
    if not all(k in sections.starts for k in (2, 3, 4, 6)):
        return {}
    if any(_numbers(tokens, *sections.span(k)) >= _FIGURES for k in (2, 3, 4)):
        return {}
    opens, at = {}, sections.starts[6] + 1
    for k, words in _TABLE_OPENINGS:
        at = next((i for i in range(at, len(tokens))
                   if not tokens[i].is_value and any(w in tokens[i].text for w in words)), None)
        if at is None:
            return {}
        opens[k] = at
    ends = {2: opens[3], 3: opens[4], 4: len(tokens)}
    spans = {k: (opens[k], ends[k]) for k in opens}
    return spans if all(_numbers(tokens, *span) >= _FIGURES for span in spans.values()) else {}


def _numbers(tokens: list[Token], start: int, end: int) -> int:
    return sum(t.is_value and t.value.number is not None for t in tokens[start:end])


def _after_title(text: str, title: str) -> str:
    _, rest = split_enumerator(text)
    compact = re.sub(r"\s+", "", rest)
    for cut in (title, title[:-2]):
        pos = compact.find(cut)
        if pos >= 0:
            return compact[pos + len(cut):].lstrip("情况措施:：。 ").strip()
    return ""


def prose(tokens: list[Token], span: tuple[int, int] | None, stop_at=None) -> str:
    if not span:
        return ""
    lines: list[list[str]] = []
    row = None
    for tok in tokens[span[0]:span[1]]:
        if stop_at and stop_at(tok):
            break
        if tok.row != row:
            lines.append([])
            row = tok.row
        if tok.text:
            lines[-1].append(tok.text)
    return "\n".join(" ".join(parts) for parts in lines if parts)


def is_boilerplate(text: str) -> bool:
    return bool(_BOILERPLATE.search(text))
