"""Text normalisation, applied once to every block whatever the reader: traditional → simplified,
radicals and compatibility ideographs → the characters they stand for, full-width letters and
digits → ASCII, pinyin glosses dropped, invisible characters removed, and a line of prose set
letter-spaced closed up."""
from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import replace

from .model import Document, Paragraph

# 號(hào): a CJK character followed by its pinyin in brackets. Tone-marked or plain latin syllables.
_PINYIN = re.compile(
    r"(?<=[\u3400-\u9fff])[(（]\s*[a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]{1,7}\s*[)）]"
)
# ...and pinyin standing bare (ruby drawn over the characters, read as words of their own): a word
# with a tone mark on a vowel, which no Chinese report's own words carry
_BARE_PINYIN = re.compile(r"(?<![A-Za-z\u00c0-\u024f])[a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]*(?![A-Za-z\u00c0-\u024f])[ \t]?")
_INVISIBLE = re.compile(r"[\u200b-\u200f\u2060\ufeff\u00ad]")
_CJK_CHAR = re.compile(r"[\u3400-\u9fff]")
_TAGS = re.compile(r"</?[a-zA-Z][^<>]{0,80}>")


def _radical_table() -> dict[int, str]:
    """Characters a PDF's font maps to radicals or compatibility ideographs, and those converters
    copy on (工作 as ⼯作, 人民 as ⼈⺠, 部门 as 部⻔, 1月 as 1⽉): the unified ideographs they stand
    for. The Kangxi radicals and compatibility ideographs fold by Unicode's own compatibility
    mapping; most radicals of the supplement have none, so the ones with a character's whole shape
    are listed (a component, such as 讠 or 钅, is no character and is left)."""
    table: dict[int, str] = {}
    for first, last in ((0x2F00, 0x2FD5), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F)):
        for cp in range(first, last + 1):
            folded = unicodedata.normalize("NFKC", chr(cp))
            if folded != chr(cp) and len(folded) == 1:
                table[cp] = folded
    for radical, character in zip("⺟⺠⻅⻆⻉⻋⻓⻔⻘⻙⻚⻛⻜⻝⻢⻣⻤⻥⻦⻧⻨⻩⻪⻫⻬⻭⻮⻯⻰⻲⻳⻄⺩⻁⻑⻗⺝⺼⺁⺇⺊",
                                  "母民见角贝车长门青韦页风飞食马骨鬼鱼鸟卤麦黄黾齐齐齿齿龙龙龟龟西王虎長雨月月厂几卜"):
        table[ord(radical)] = character
    return table


_RADICALS = _radical_table()

_converter = None
_lock = threading.Lock()


def _opencc():
    global _converter
    with _lock:
        if _converter is None:
            import opencc

            _converter = opencc.OpenCC("t2s")
        return _converter


def to_simplified(text: str) -> str:
    return _opencc().convert(text)


def fold_width(text: str) -> str:
    """Full-width ASCII letters/digits/signs → ASCII; ideographic space → space.
    CJK punctuation （）、：stays: it is part of the printed labels."""
    out = []
    for ch in text:
        o = ord(ch)
        if 0xFF10 <= o <= 0xFF19 or 0xFF21 <= o <= 0xFF3A or 0xFF41 <= o <= 0xFF5A:
            out.append(chr(o - 0xFEE0))
        elif ch in "\u3000\u00a0\u2002\u2003\u2009":
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


# Word in full-width mode types a number's point and sign full-width too ("０．３６", "＋２"); the
# folded digits then need them as ASCII to read as one number.
_WIDE_POINT = re.compile(r"(?<=\d)．(?=\d)")
_WIDE_PLUS = re.compile(r"＋(?=\d)")


def fold_number_signs(text: str) -> str:
    return _WIDE_PLUS.sub("+", _WIDE_POINT.sub(".", text))


def strip_pinyin(text: str) -> str:
    text = _PINYIN.sub("", text)
    return _BARE_PINYIN.sub("", text) if _CJK_CHAR.search(text) else text


def strip_tags(text: str) -> str:
    return _TAGS.sub("", text)


def normalize_text(text: str) -> str:
    text = _INVISIBLE.sub("", text).translate(_RADICALS)
    text = strip_pinyin(text)
    return fold_number_signs(fold_width(to_simplified(text)))


# A line set letter-spaced (a title or a signature in distributed alignment, 长 沙 市 民 政 局 /
# 2 0 2 3 年 1 月 2 0 日): one character between spaces throughout, Chinese among them. Its spaces
# go, except between two digits: a row of figures printed one to a cell (总 计 1 0 2) stays apart.
_LETTER_SPACED = re.compile(r"^\s*\S(?:[ \t\u3000]{1,3}\S){3,}\s*$")
_CJK = re.compile(r"[\u3400-\u9fff]")
_SPACE_NOT_IN_FIGURES = re.compile(r"(?<!\d)\s+|\s+(?!\d)")
# Single digits set apart before a 年, 月 or 日 (2 0 2 3年1月2 0日, as a text layer may place each
# digit of a spaced date) are one year, month or day.
_SPACED_DATE_DIGITS = re.compile(r"(?<!\d)\d(?:[ \t]\d)+(?=[ \t]*[年月日])")


def close_letter_spacing(line: str) -> str:
    if _LETTER_SPACED.match(line) and len(_CJK.findall(line)) >= 2:
        line = _SPACE_NOT_IN_FIGURES.sub("", line.strip())
    return _SPACED_DATE_DIGITS.sub(lambda m: re.sub(r"\s", "", m.group(0)), line)


def normalize_document(doc: Document) -> Document:
    blocks = []
    for block in doc.blocks:
        if isinstance(block, Paragraph):
            text = "\n".join(map(close_letter_spacing, normalize_text(block.text).split("\n")))
            blocks.append(replace(block, text=text))
        else:
            cells = [replace(c, text=normalize_text(c.text)) for c in block.cells]
            blocks.append(replace(block, cells=cells))
    return replace(doc, blocks=blocks)
