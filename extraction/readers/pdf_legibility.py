"""Whether a PDF page's text can be taken from its text layer, or must be read from its picture.

Two kinds of page look like text to the eye and not to a text extractor:

- **Fonts without a usable character map.** A CJK font embedded as glyph numbers (Identity-H)
  with no, or a broken, /ToUnicode table: MuPDF then hands back U+FFFD for each character, or
  (asked for glyph numbers, or given a wrong table) control characters, Malayalam, Syriac and
  rare ideographs. A table that maps all but some glyphs (the digits) gives those alone so. Such
  a font is known by what it yields: text of a Chinese report is ASCII and the characters of
  GB2312 (its symbols and its 6,763 hanzi, traditional characters folded to simplified first);
  garbled text is mostly U+FFFD or anything else, of many kinds (one bullet of a symbol font
  repeated is not garbled text).
- **Text drawn as outlines.** Some exporters (printing to PDF with "text as curves", design tools)
  draw each glyph as a filled path: the page has no text at all, only hundreds of small shapes.

Either page is read by OCR from its rendering, like a scan.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Iterable

# A font is garbled when at least this share of its characters are not text, of this many kinds.
_GARBLED_SHARE = 0.5
_GARBLED_KINDS = 6
_UNKNOWN = "\ufffd"
# A page is illegible when its garbled fonts carry this share of its characters, or when its text
# holds this many characters a font did not map (control characters of a few kinds at least).
_ILLEGIBLE_SHARE = 0.05
_UNMAPPED_MIN, _CONTROL_KINDS = 10, 3
# A glyph drawn as a path: filled, no larger than this (points) either way, larger than a ruling's
# thickness both ways, and more than one rectangle (cell shading is one).
_GLYPH_MAX, _GLYPH_MIN = 40.0, 1.5
# A page is drawn as outlines when it has at least this many such shapes, and more of them than
# characters in its text layer.
_DRAWN_MIN = 50


@lru_cache(maxsize=8192)
def is_text_char(c: str) -> bool:
    """Whether a character is one a Chinese report prints: ASCII or GB2312's symbols and hanzi."""
    if " " < c <= "~" or "\u2010" <= c <= "\u2027":  # ASCII, dashes, quotes, bullets, ellipsis
        return True
    try:
        lead = c.encode("gb2312")[0]
    except UnicodeEncodeError:
        if not _ideograph(c) and _in_gbk(c):  # GBK's other signs: 〇, ﹙, ⅰ...
            return True
        simplified = _simplified(c)
        return simplified != c and is_text_char(simplified)
    return 0xA1 <= lead <= 0xA9 or 0xB0 <= lead <= 0xF7


def _ideograph(c: str) -> bool:
    return "\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff"


def _in_gbk(c: str) -> bool:
    try:
        c.encode("gbk")
    except UnicodeEncodeError:
        return False
    return True


def _simplified(c: str) -> str:
    from ..normalize import to_simplified

    out = to_simplified(c)
    return out if len(out) == 1 else c


def garbled_share(spans: Iterable[tuple[str, str]]) -> float:
    """The share of a page's characters that are in garbled fonts. `spans`: (font name, text)."""
    per_font: dict[str, list[str]] = {}
    for font, text in spans:
        per_font.setdefault(font, []).extend(ch for ch in text if not ch.isspace())
    total = sum(len(chars) for chars in per_font.values())
    if not total:
        return 0.0
    garbled = 0
    for chars in per_font.values():
        odd = [c for c in chars if not is_text_char(c)]
        if len(odd) < _GARBLED_SHARE * len(chars):
            continue
        unknown = odd.count(_UNKNOWN)  # MuPDF's mark for a glyph it has no character for
        if unknown >= _GARBLED_SHARE * len(chars) or len(set(odd)) >= _GARBLED_KINDS:
            garbled += len(chars)
    return garbled / total


def partly_unmapped(spans: Iterable[tuple[str, str]]) -> bool:
    """Whether a font's map leaves out some of its glyphs that the page prints many times (only
    the digits, say): MuPDF gives U+FFFD or control characters for those, which no report prints.
    Too few in a font to make it garbled, they are still every number of a table."""
    text = "".join(t for _, t in spans)
    controls = [c for c in text if c < " " and c not in "\t\n\r"]
    return (text.count(_UNKNOWN) >= _UNMAPPED_MIN
            or (len(controls) >= _UNMAPPED_MIN and len(set(controls)) >= _CONTROL_KINDS))


def illegible(spans: Iterable[tuple[str, str]]) -> bool:
    spans = list(spans)
    return garbled_share(spans) >= _ILLEGIBLE_SHARE or partly_unmapped(spans)


def raw_spans(raw: dict) -> list[tuple[str, str]]:
    """(font, text) of every span of a page's "rawdict"."""
    return [(span.get("font", ""), "".join(ch["c"] for ch in span.get("chars", [])))
            for block in raw.get("blocks", []) for line in block.get("lines", [])
            for span in line.get("spans", [])]


def drawn_glyphs(drawings: list[dict]) -> int:
    """How many of a page's paths are shaped like glyphs drawn as outlines."""
    n = 0
    for path in drawings:
        if path.get("fill") is None or "f" not in (path.get("type") or ""):
            continue
        r = path["rect"]
        if not (_GLYPH_MIN < r.width <= _GLYPH_MAX and _GLYPH_MIN < r.height <= _GLYPH_MAX):
            continue
        items = path["items"]
        if len(items) == 1 and items[0][0] in ("re", "qu"):
            continue
        n += 1
    return n


def drawn_as_outlines(drawings: list[dict], text_chars: int) -> bool:
    if len(drawings) < _DRAWN_MIN or len(drawings) <= text_chars:
        return False  # not even every path a glyph would do: a page of text is not counted
    glyphs = drawn_glyphs(drawings)
    return glyphs >= _DRAWN_MIN and glyphs > text_chars
