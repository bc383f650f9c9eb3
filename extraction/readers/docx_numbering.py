"""Word's automatic numbering, written into the paragraphs it numbers.

A heading typed as 总体情况 in a list numbered "%1、" in Chinese counting shows as 一、总体情况; a
row label 属于国家秘密 in a decimal list shows as 1.属于国家秘密. The number is not in the text: Word
draws it from numbering.xml (w:numPr on the paragraph or on its style; w:num → w:abstractNum →
w:lvl: its format, its text "%1、", its start). Counting goes in document order, table cells
included; lists sharing an abstract list continue one count, a w:startOverride restarts it, and a
level counted resets the levels under it. A bullet draws no number and is left out.
"""
from __future__ import annotations

from lxml import etree

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_NS = {"w": _W}
# (a text box's paragraphs once: its VML fallback copy is not counted)
_PARAGRAPHS = etree.XPath(".//w:p[not(ancestor::mc:Fallback)]",
                          namespaces={**_NS, "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006"})


def _q(tag: str) -> str:
    return f"{{{_W}}}{tag}"


_CN_DIGITS = "零一二三四五六七八九"
_CN_LEGAL = "零壹贰叁肆伍陆柒捌玖"
_HEAVENLY_STEMS = "甲乙丙丁戊己庚辛壬癸"
_EARTHLY_BRANCHES = "子丑寅卯辰巳午未申酉戌亥"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"),
          (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))


def _chinese(n: int, digits: str = _CN_DIGITS, ten: str = "十") -> str:
    if n < 10:
        return digits[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 and digits is _CN_DIGITS else digits[tens]) + ten + (digits[ones] if ones else "")
    return str(n)


def _roman(n: int) -> str:
    out = ""
    for value, letters in _ROMAN:
        while n >= value:
            out, n = out + letters, n - value
    return out


def _letters(n: int) -> str:
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def number_text(n: int, fmt: str) -> str | None:
    """`n` in the list format `fmt` (w:numFmt); None for a bullet, which is no number."""
    if fmt == "bullet":
        return None
    if fmt == "none":
        return ""
    if fmt in ("chineseCounting", "chineseCountingThousand", "japaneseCounting", "taiwaneseCounting",
               "ideographDigital", "koreanCounting"):
        return _chinese(n)
    if fmt in ("chineseLegalSimplified", "ideographLegalTraditional", "taiwaneseCountingThousand"):
        return _chinese(n, _CN_LEGAL, "拾")
    if fmt == "ideographTraditional" and 1 <= n <= 10:
        return _HEAVENLY_STEMS[n - 1]
    if fmt == "ideographZodiac" and 1 <= n <= 12:
        return _EARTHLY_BRANCHES[n - 1]
    if fmt.startswith("decimalEnclosedCircle") and 1 <= n <= 20:
        return _CIRCLED[n - 1]
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt.startswith("decimalFullWidth"):
        return "".join(chr(ord(d) + 0xFEE0) for d in str(n))
    if fmt in ("lowerLetter", "upperLetter"):
        return _letters(n) if fmt == "lowerLetter" else _letters(n).upper()
    if fmt in ("lowerRoman", "upperRoman"):
        return _roman(n) if fmt == "lowerRoman" else _roman(n).upper()
    return str(n)


class _Level:
    def __init__(self, lvl) -> None:
        def val(tag: str, default: str) -> str:
            el = lvl.find(_q(tag)) if lvl is not None else None
            return el.get(_q("val"), default) if el is not None else default

        self.start = int(val("start", "1") or 1)
        self.fmt = val("numFmt", "decimal")
        self.text = val("lvlText", "")


class _Lists:
    """numbering.xml and the paragraph styles that carry a list."""
    def __init__(self, numbering, styles) -> None:
        self.abstract = {a.get(_q("abstractNumId")): a for a in numbering.iterfind(_q("abstractNum"))} \
            if numbering is not None else {}
        self.nums = {n.get(_q("numId")): n for n in numbering.iterfind(_q("num"))} if numbering is not None else {}
        self.styles = {s.get(_q("styleId")): s for s in styles.iterfind(_q("style"))} if styles is not None else {}
        self.counts: dict[str, dict[int, int]] = {}  # abstract list -> level -> last number drawn
        self.started: set[tuple[str, int]] = set()  # (list, level) whose start override was applied

    def num_pr(self, p) -> tuple[str, int] | None:
        """The list and level a paragraph is numbered in: its own, or its style's (a heading style
        that carries the list), its own level kept; numId 0 is a paragraph taken out of its list."""
        ppr = p.find(_q("pPr"))
        num_id, ilvl = _num_pr(ppr.find(_q("numPr")) if ppr is not None else None)
        style = ppr.find(_q("pStyle")) if ppr is not None else None
        style_id, seen = (style.get(_q("val")) if style is not None else None), set()
        while num_id is None and style_id and style_id not in seen:
            seen.add(style_id)
            st = self.styles.get(style_id)
            if st is None:
                break
            num_id, style_ilvl = _num_pr(st.find("w:pPr/w:numPr", _NS))
            ilvl = ilvl if ilvl is not None else style_ilvl
            based = st.find(_q("basedOn"))
            style_id = based.get(_q("val")) if based is not None else None
        if not num_id or num_id == "0":
            return None
        return num_id, ilvl or 0

    def label(self, num_id: str, ilvl: int) -> str | None:
        num = self.nums.get(num_id)
        if num is None:
            return None
        ref = num.find(_q("abstractNumId"))
        abstract_id = ref.get(_q("val")) if ref is not None else None
        abstract = self.abstract.get(abstract_id)
        if abstract is None:
            return None
        levels = {int(lvl.get(_q("ilvl"), "0")): lvl for lvl in abstract.iterfind(_q("lvl"))}
        starts: dict[int, int] = {}
        for override in num.iterfind(_q("lvlOverride")):
            level = int(override.get(_q("ilvl"), "0"))
            if (lvl := override.find(_q("lvl"))) is not None:
                levels[level] = lvl
            if (start := override.find(_q("startOverride"))) is not None:
                starts[level] = int(start.get(_q("val"), "1") or 1)
        counts = self.counts.setdefault(abstract_id, {})
        level = _Level(levels.get(ilvl))
        if ilvl in starts and (num_id, ilvl) not in self.started:
            self.started.add((num_id, ilvl))
            counts[ilvl] = starts[ilvl] - 1
        counts[ilvl] = counts.get(ilvl, level.start - 1) + 1
        for deeper in [k for k in counts if k > ilvl]:
            del counts[deeper]
        text = level.text
        for k in range(9):
            if f"%{k + 1}" not in text:
                continue
            at = _Level(levels.get(k))
            shown = number_text(counts.get(k, at.start), at.fmt)
            if shown is None:
                return None
            text = text.replace(f"%{k + 1}", shown)
        return None if level.fmt == "bullet" else text


def _num_pr(el) -> tuple[str | None, int | None]:
    if el is None:
        return None, None
    num = el.find(_q("numId"))
    lvl = el.find(_q("ilvl"))
    return (num.get(_q("val")) if num is not None else None,
            int(lvl.get(_q("val"), "0")) if lvl is not None else None)


def write_numbers(body, numbering, styles) -> None:
    """Each numbered paragraph of `body` with its number as a run of text before its own."""
    if numbering is None:
        return
    lists = _Lists(numbering, styles)
    for p in _PARAGRAPHS(body):
        where = lists.num_pr(p)
        if where is None:
            continue
        label = lists.label(*where)
        if not label:
            continue
        run = etree.Element(_q("r"))
        etree.SubElement(run, _q("t")).text = label
        ppr = p.find(_q("pPr"))
        if ppr is not None:
            ppr.addnext(run)
        else:
            p.insert(0, run)
