"""Matching printed labels to the form's labels: keys that survive line breaks, spaces, width and
OCR slips, the enumerators (一、 （一） 1.) that tell look-alike rows apart, and an order-keeping
alignment of a document's label tokens to the form's rows."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

from rapidfuzz import fuzz

from .normalize import strip_tags

_CN_NUM = "一二三四五六七八九十"
# OCR reads 一 inside brackets as a dash, 二 as =, 三 as ≡.
_OCR_ENUM = str.maketrans({"-": "一", "—": "一", "－": "一", "=": "二", "≡": "三", "_": "一"})
_ENUM = re.compile(
    r"^\s*(?:"
    r"(?P<cn>[一二三四五六七八九十]+)\s*[、.．,，]"
    r"|[(（]\s*(?P<paren>[一二三四五六七八九十\-—－=≡_]+|\d+)\s*[)）]"
    # the point after an arabic number is often read as a comma from a scan ("4，无正当理由…")
    r"|(?P<num>\d{1,2})\s*[.、．,，](?!\d)"
    r"|(?P<circled>[①-⑳])"
    r")\s*"
)
_PUNCT = re.compile(r"[\s\u3000（）()\[\]【】、,，.．。:：;；“”\"'‘’「」《》<>—\-－_*#|/／~～·•]+")


def split_enumerator(text: str) -> tuple[str | None, str]:
    """('cn:一', rest) for 一、…, ('paren:一', rest) for （一）…, ('num:1', rest) for 1. , （1） or ①…"""
    text = strip_tags(text)
    m = _ENUM.match(text)
    if not m:
        return None, text
    if m.group("cn"):
        enum = "cn:" + m.group("cn")
    elif m.group("circled"):
        enum = f"num:{ord(m.group('circled')) - ord('①') + 1}"
    elif m.group("paren") and m.group("paren").isdigit():
        enum = "num:" + m.group("paren")  # （1） numbers a group's items as 1. does
    elif m.group("paren"):
        enum = "paren:" + m.group("paren").translate(_OCR_ENUM)
    else:
        enum = "num:" + m.group("num")
    return enum, text[m.end():]


# Where a new enumerated label starts inside a text: 四、… or （七）… (a bare "1." is left alone:
# digits followed by a point are common inside labels and numbers).
_ENUM_START = re.compile(r"(?<=\S)(?=[一二三四五六七八九十]+\s*、|[(（]\s*[一二三四五六七八九十]+\s*[)）])")


def split_labels(text: str) -> list[str]:
    """The enumerated labels one text holds, in order: ['（七）总计', '四、结转下年度继续办理'] for a
    label cell two rows' labels were merged into when the ruling between them was lost."""
    return [part.strip() for part in _ENUM_START.split(text) if part.strip()]


# Where an arabic-numbered label may start inside a text: "…申请5. 要求…" (not inside a number)
_NUM_START = re.compile(r"(?<=\D)(?=\d{1,2}\s*[.、．,，]\s*\D)")
_NUM_HEAD = re.compile(r"\s*(\d{1,2})\s*[.、．,，]")


def split_numbered_labels(text: str) -> list[str]:
    """The arabic-numbered labels one text holds when they run on from one number to the next
    ('4.无正当理由大量反复申请5. 要求行政机关确认…' → two labels), or from a group's last to the next
    group's first ('5. 要求行政机关确认…1.申请人无正当理由逾期不补正…': (五)'s 5 and (六)'s 1); else
    the text whole. Digits followed by a point also occur inside labels, so a cut is kept only when
    every part opens with the number after the previous part's, or with 1."""
    parts = [part.strip() for part in _NUM_START.split(text) if part.strip()]
    heads = [_NUM_HEAD.match(part) for part in parts]
    if len(parts) < 2 or not all(heads):
        return [text.strip()]
    numbers = [int(h.group(1)) for h in heads]
    if any(b not in (a + 1, 1) for a, b in zip(numbers, numbers[1:])):
        return [text.strip()]
    return parts


def split_known_labels(text: str, known: frozenset[str], parts: int, *, unnumbered: bool = False) -> list[str] | None:
    """text as exactly `parts` form labels run together ('规章行政规范性文件' → ['规章', '行政规范性文件']
    for a table-2 label cell that a lost ruling merged over two rows), compared by label_key;
    None when no such reading exists or more than one does. known: label_key of each form label.
    unnumbered: a numbered label may have lost its number (OCR dropped the 5. of
    5.属于三类内部事务信息 run into 6.属于四类过程性信息)."""
    key = label_key(text)
    if unnumbered:
        known = known | {k.lstrip("0123456789") for k in known if k[:1].isdigit()}
    found: list[list[str]] = []

    def walk(at: int, left: int, acc: list[str]) -> None:
        if len(found) > 1:
            return
        if left == 0:
            if at == len(key):
                found.append(list(acc))
            return
        for end in range(at + 1, len(key) + 1):
            if key[at:end] in known:
                walk(end, left - 1, [*acc, key[at:end]])

    if parts >= 2:
        walk(0, parts, [])
    return found[0] if len(found) == 1 else None


def split_with_misread(text: str, known: frozenset[str]) -> list[str] | None:
    """text as two form labels run together, one of them misread ('规乘行政规范性文件': 规章 with 章
    read as 乘): one part a form label, the other as long as another form label and the same in
    half its characters or more, compared by label_key; None when no such reading exists or more
    than one does. (The misread part is kept as printed: where its row is, is for the alignment.)"""
    key = label_key(text)
    if key in known:
        return None
    def misread(part: str, beside: str) -> bool:
        """As long as a form label other than `beside`, half its characters the same or more."""
        return len(part) >= 2 and any(len(other) == len(part) and other != beside
                                      and 2 * sum(x == y for x, y in zip(part, other)) >= len(part) for other in known)

    found = set()
    for label in known:
        if key.startswith(label) and misread(key[len(label):], label):
            found.add((label, key[len(label):]))
        if key.endswith(label) and misread(key[:-len(label)], label):
            found.add((key[:-len(label)], label))
    return list(found.pop()) if len(found) == 1 else None


# Slips seen in printed labels, mended before comparing: the form never prints these spellings,
# and each is one word of the form's (资讯 is 信息 as a traditional-character report words it).
_SLIPS = (("部份", "部分"), ("其它", "其他"), ("提拱", "提供"), ("不与处理", "不予处理"), ("不予以", "不予"),
          ("资讯", "信息"))


def label_key(text: str) -> str:
    text = unicodedata.normalize("NFKC", strip_tags(text))
    for slip, word in _SLIPS:
        text = text.replace(slip, word)
    return _PUNCT.sub("", text).lower()


@dataclass(frozen=True)
class LabelMatch:
    score: float  # 0..1 (enumerator agreement folded in)
    ratio: float  # text similarity 0..1


@lru_cache(maxsize=65536)
def match_label(token_text: str, canonical: str, *, min_ratio: float | None = None) -> LabelMatch | None:
    """How well a printed label matches a form label, or None if it does not. A label printed
    with its group's before it (3.不予公开—7.行政执法案卷, （三）不予公开/⑤…) is matched by its item too."""
    found = _match(token_text, canonical, min_ratio)
    item = _ITEM_AFTER_GROUP.match(strip_tags(token_text))
    if item is not None:
        alone = _match(item.group("item"), canonical, min_ratio)
        if alone is not None and (found is None or alone.score > found.score):
            found = alone
    return found


def best_match(token_text: str, names: Sequence[str]) -> LabelMatch | None:
    """The best match of a printed label to any of the names a row is printed by."""
    return max((m for m in (match_label(token_text, n) for n in names) if m), key=lambda m: m.score, default=None)


# a group's label, a dash or slash, and an item's label (the form prints them in two columns)
_ITEM_AFTER_GROUP = re.compile(r"^.*?[\u4e00-\u9fff]{2,}[)）]?\s*(?:——|[—/／\-－])\s*"
                               r"(?P<item>\S*[\u4e00-\u9fff]{2,}.*)$")


def _match(token_text: str, canonical: str, min_ratio: float | None) -> LabelMatch | None:
    t_enum, a = _label_parts(token_text)
    c_enum, b = _label_parts(canonical)
    if not a or not b:
        return None
    ratio, length = fuzz.ratio(a, b) / 100.0, len(b)
    if len(a) > len(b) + 2 and b in a and len(b) >= 4:
        # the printed label carries an explanation the form leaves out, or the reverse
        ratio = max(ratio, 0.9)
    core = _core(canonical)
    if core != b and len(core) >= 4 and fuzz.ratio(a, core) / 100.0 > ratio:
        # ...the form's explanation in brackets left out (部分公开 for 部分公开（区分处理的，…）)
        ratio, length = fuzz.ratio(a, core) / 100.0, len(core)
    if min_ratio is None:
        min_ratio = 0.95 if length <= 3 else (0.8 if length <= 6 else 0.7)
        if length > 3 and t_enum is not None and t_enum == c_enum:
            # the form's own numbering agrees: one misread character of a four-character label
            # (（一）予以公升, 2.重复申调 from a fax) still finds its row
            min_ratio = min(min_ratio, 0.7)
    if ratio < min_ratio:
        return None
    score = ratio
    if t_enum and c_enum:
        score += 0.15 if t_enum == c_enum else -0.25
    return LabelMatch(max(0.0, min(score, 1.15)), ratio)


@lru_cache(maxsize=4096)
def _core(label: str) -> str:
    """A form label's key without the explanation the form prints after it in brackets."""
    rest = split_enumerator(label)[1]
    return label_key(re.sub(r"[(（][^()（）]*[)）]\s*$", "", rest))


@lru_cache(maxsize=8192)
def _label_parts(text: str) -> tuple[str | None, str]:
    """A label's enumerator and key. Cached: a document's table is aligned against every row of
    the form, and its labels against the form's again, so each text's parts are wanted many
    times (a scanned report spent 12 ms a page on them)."""
    enum, rest = split_enumerator(text)
    if enum is not None and not enum.startswith("num:"):
        # an item's label after its group's number, the group's own label left out (（六）3.其他, as
        # a table of one label column prints its items): the item's number is the label's
        inner, item = split_enumerator(rest)
        if inner is not None and inner.startswith("num:") and item.strip():
            enum, rest = inner, item
    return enum, label_key(rest)


def align(tokens: Sequence[str], rows: Sequence[str | Sequence[str]],
          bonus: Sequence[float] | None = None) -> tuple[float, list[int | None]]:
    """Order-keeping best assignment of tokens to rows (each row at most one token, each token at
    most one row, both in increasing order), maximising the summed match score. A row is its label,
    or the names it may be printed by (the best match counts). Returns the total and, per row, the
    index of its token or None."""
    n, m = len(tokens), len(rows)
    names = [(r,) if isinstance(r, str) else tuple(r) for r in rows]
    scores = [[0.0] * m for _ in range(n)]
    for i, t in enumerate(tokens):
        for j, row in enumerate(names):
            lm = best_match(t, row)
            scores[i][j] = (lm.score + (bonus[i] if bonus else 0.0)) if lm else 0.0
    # dp[i][j]: best total using tokens[:i] and rows[:j]
    dp = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            best = max(dp[i - 1][j], dp[i][j - 1])
            s = scores[i - 1][j - 1]
            if s > 0:
                best = max(best, dp[i - 1][j - 1] + s)
            dp[i][j] = best
    out: list[int | None] = [None] * m
    i, j = n, m
    while i > 0 and j > 0:
        s = scores[i - 1][j - 1]
        if s > 0 and abs(dp[i][j] - (dp[i - 1][j - 1] + s)) < 1e-9:
            out[j - 1] = i - 1
            i, j = i - 1, j - 1
        elif abs(dp[i][j] - dp[i - 1][j]) < 1e-9:
            i -= 1
        else:
            j -= 1
    return dp[n][m], out
