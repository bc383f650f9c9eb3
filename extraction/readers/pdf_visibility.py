"""Text a PDF holds but a viewer does not show, on a page that also shows text; and watermarks.

Authors and tools leave such text beside what is printed: last year's figures in white under or
after this year's, a copy drawn in the invisible rendering mode (an electronic seal's, a
converter's), or figures corrected by painting a box over the old ones and writing the new ones on
it (a PDF editor's white-out). Read with the rest, it joins the visible number of its cell (15 and
a white 12 read as "1512"). A page whose text is nearly all invisible is a different thing, a
scanner's OCR over its picture: that is `pdf._hidden_text_over_image`'s to judge, and it is left
as it is here.
A watermark is seen but is no part of the page's text: a line set at a slant across the tables
would put its characters (a date's digits) into their cells.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

from .paper import DARK_MAX, luminance, white

# MuPDF's per-character flags: the glyph is filled / stroked. Neither: rendering mode 3 or 7.
_FILLED, _STROKED = 16, 32
# Degrees off the page's axes from which a line of text is a watermark laid across the page.
_SLANT_MIN = 10
# Unseen text is set aside only where at least this share of the page's characters is seen.
_SEEN_SHARE = 0.5
# A box painted over a character hides it where it covers this share of the character's box.
_COVERED_SHARE = 0.6
# A character of the text trace and of the "rawdict" are the same one within this many points.
_SAME_PLACE = 0.5
# A box narrower than this (points) either way is a ruling drawn as a bar, hiding no character.
_BOX_MIN = 2.0
# A fill is grey when its channels (0-1) lie this close together.
_GREY_SPREAD = 0.1
_BOXES_AT_ONCE = 256  # boxes weighed against every character at a time (memory: chars x this)


def without_unseen_text(raw: dict, drawings: list[dict], trace: Callable[[], list[dict]] | None = None) -> dict:
    """`raw` (a page's "rawdict") without the lines of a watermark, and without the spans a viewer
    does not show and the characters an opaque box painted after them covers where most of the
    page's text is left. `trace`: the page's text trace (page.get_texttrace), which says in what
    order text and boxes were painted; asked for only where a box lies over text."""
    raw = _without_covered(raw, drawings, trace) if trace is not None else raw
    fills: list | None = None  # the dark fills, found only once a white span asks for them
    unseen: set[int] = set()
    watermark: set[int] = set()
    total = hidden = 0
    for block in raw.get("blocks", []):
        for line in block.get("lines", []):
            slanted = _diagonal(line)
            for span in line.get("spans", []):
                n = len(span.get("chars", ()))
                total += n
                if slanted:
                    # (a watermark tiled across the page may hold more characters than its text)
                    watermark.add(id(span))
                    continue
                if not _not_drawn(span):
                    if not _white(span):
                        continue
                    fills = _dark_fills(drawings) if fills is None else fills
                    if _on_dark(span, fills):
                        continue
                unseen.add(id(span))
                hidden += n
    if unseen and total - hidden < _SEEN_SHARE * total:
        unseen = set()
    if not (unseen or watermark):
        return raw
    return kept(raw, lambda span, ch: id(span) not in unseen and id(span) not in watermark)


def _diagonal(line: dict) -> bool:
    """A line set at a slant (a watermark across the page: 内部资料, the agency's name and a date),
    not along or across the page as its text and tables run."""
    cos, sin = line.get("dir", (1.0, 0.0))
    if cos == 0 or sin == 0:
        return False
    slant = abs(math.degrees(math.atan2(sin, cos))) % 90
    return _SLANT_MIN < slant < 90 - _SLANT_MIN


def _not_drawn(span: dict) -> bool:
    """Fully transparent, or neither filled nor stroked (rendering mode 3 or 7)."""
    if span.get("alpha", 255) == 0:
        return True
    flags = span.get("char_flags")
    return flags is not None and not flags & (_FILLED | _STROKED)


def _white(span: dict) -> bool:
    color = span.get("color", 0)
    return white(tuple((color >> shift) & 0xFF for shift in (16, 8, 0)))


def _on_dark(span: dict, dark_fills: list[tuple[float, float, float, float]]) -> bool:
    x0, y0, x1, y1 = span["bbox"]
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return any(a <= cx <= c and b <= cy <= d for a, b, c, d in dark_fills)


def _dark_fills(drawings: list[dict]) -> list[tuple[float, float, float, float]]:
    out = []
    for path in drawings:
        fill = path.get("fill")
        if fill is None or "f" not in (path.get("type") or "") or path.get("fill_opacity", 1.0) == 0:
            continue
        # (a shaded cell light text stands out on)
        if _luminance(fill) <= DARK_MAX:
            r = path["rect"]
            out.append((r.x0, r.y0, r.x1, r.y1))
    return out


def _luminance(fill: tuple) -> float:
    if len(fill) == 1:  # grey
        return fill[0]
    return luminance(*device_rgb(fill))


def device_rgb(colour: tuple) -> tuple[float, float, float]:
    """A path's colour as MuPDF gives it (grey, RGB or CMYK, channels 0-1) in RGB, channels 0-1."""
    if len(colour) == 1:
        return colour[0], colour[0], colour[0]
    if len(colour) == 4:
        c, m, y, k = colour
        return (1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k)
    return tuple(colour)


def _without_covered(raw: dict, drawings: list[dict], trace: Callable[[], list[dict]]) -> dict:
    """`raw` without the characters that an opaque rectangle painted after them hides: the old
    figures of an edited PDF, whose new ones are written on the box. A box painted before its text
    is the cell's shading, and one as large as half the page a background, which nothing painted
    after the text could be on a page that shows it. A box thinner than a character (a ruling
    drawn as a bar) hides none, nor a coloured one: a highlighter's (an annotation's, painted
    after the page), which multiplies its colour with what is under it."""
    page_area = float(raw.get("width", 0)) * float(raw.get("height", 0))
    boxes = [(path["seqno"], path["rect"]) for path in drawings
             if path.get("fill") is not None and "f" in (path.get("type") or "")
             and path.get("fill_opacity", 1.0) >= 1.0 and _one_rectangle(path) and _grey(path["fill"])
             and min(path["rect"].width, path["rect"].height) >= _BOX_MIN
             and path["rect"].width * path["rect"].height < 0.5 * page_area]
    chars = [ch["bbox"] for block in raw.get("blocks", []) for line in block.get("lines", [])
             for span in line.get("spans", []) for ch in span.get("chars", [])]
    if not boxes or not chars or not _covered(np.array(chars), [rect for _, rect in boxes]).any():
        return raw
    covered: dict[str, list[tuple[float, float]]] = {}  # character -> origins of its covered copies
    for span in trace():
        later = [rect for seqno, rect in boxes if seqno > span["seqno"]]
        if span.get("type") == 3 or not later or not span["chars"]:
            continue  # (not drawn: the visibility test below has it)
        hit = _covered(np.array([c[3] for c in span["chars"]]), later)
        for c, is_hit in zip(span["chars"], hit):
            if is_hit:
                covered.setdefault(chr(c[0]), []).append(c[2])
    if not covered:
        return raw

    def hidden(ch: dict) -> bool:
        """The same character drawn from the same origin as a covered one, each covered one taken
        once: a new figure written on the box over an old one may begin with the same digit."""
        origins = covered.get(ch["c"], [])
        for n, origin in enumerate(origins):
            if all(abs(a - b) <= _SAME_PLACE for a, b in zip(ch["origin"], origin)):
                del origins[n]
                return True
        return False

    return kept(raw, lambda span, ch: not hidden(ch))


def horizontal_spans(raw: dict) -> list[dict]:
    """The spans of a page's "rawdict" that run along the page (not turned, not slanted) and hold
    characters."""
    return [span for block in raw.get("blocks", []) for line in block.get("lines", [])
            if line.get("dir", (1.0, 0.0))[1] == 0 for span in line.get("spans", []) if span.get("chars")]


def kept(raw: dict, keep: Callable[[dict, dict], bool]) -> dict:
    """`raw` with only the characters `keep(span, character)` keeps; spans and lines left with
    none go."""
    blocks = []
    for block in raw.get("blocks", []):
        if "lines" not in block:
            blocks.append(block)
            continue
        lines = []
        for line in block["lines"]:
            spans = [{**span, "chars": [ch for ch in span.get("chars", []) if keep(span, ch)]}
                     for span in line.get("spans", [])]
            spans = [span for span in spans if span["chars"]]
            if spans:
                lines.append({**line, "spans": spans})
        blocks.append({**block, "lines": lines})
    return {**raw, "blocks": blocks}


def _grey(fill: tuple) -> bool:
    """White, grey or black (paper's colour, a white-out, a redaction's bar), not a colour."""
    if len(fill) == 4:  # CMYK: black ink alone
        return max(fill[:3]) <= _GREY_SPREAD
    return max(fill) - min(fill) <= _GREY_SPREAD


def _one_rectangle(path: dict) -> bool:
    items = path.get("items") or []
    return len(items) == 1 and items[0][0] in ("re", "qu")


def _covered(chars: np.ndarray, rects: list) -> np.ndarray:
    """Per character box (rows x0, y0, x1, y1), whether one of `rects` covers enough of it."""
    boxes = np.array([(r.x0, r.y0, r.x1, r.y1) for r in rects])
    out = np.zeros(len(chars), dtype=bool)
    area = np.clip(chars[:, 2] - chars[:, 0], 0, None) * np.clip(chars[:, 3] - chars[:, 1], 0, None)
    for first in range(0, len(boxes), _BOXES_AT_ONCE):
        b = boxes[first:first + _BOXES_AT_ONCE]
        w = np.minimum(chars[:, None, 2], b[None, :, 2]) - np.maximum(chars[:, None, 0], b[None, :, 0])
        h = np.minimum(chars[:, None, 3], b[None, :, 3]) - np.maximum(chars[:, None, 1], b[None, :, 1])
        overlap = np.clip(w, 0, None) * np.clip(h, 0, None)
        out |= ((overlap >= _COVERED_SHARE * area[:, None]) & (area[:, None] > 0)).any(axis=1)
    return out
