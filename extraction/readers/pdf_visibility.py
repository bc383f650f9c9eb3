"""Text a PDF holds but a viewer does not show, on a page that also shows text; and watermarks.

Authors and tools leave such text beside what is printed: last year's figures in white under or
after this year's, a copy drawn in the invisible rendering mode (an electronic seal's, a
converter's). Read with the rest, it joins the visible number of its cell (15 and a white 12 read
as "1512"). A page whose text is nearly all invisible is a different thing, a scanner's OCR over
its picture: that is `pdf._hidden_text_over_image`'s to judge, and it is left as it is here.
A watermark is seen but is no part of the page's text: a line set at a slant across the tables
would put its characters (a date's digits) into their cells.
"""
from __future__ import annotations

import math

# MuPDF's per-character flags: the glyph is filled / stroked. Neither: rendering mode 3 or 7.
_FILLED, _STROKED = 16, 32
# A colour this light on white paper cannot be seen (channels 0-255).
_WHITE_MIN = 240
# A fill this dark or darker under light text is a shaded cell the text stands out on.
_DARK_FILL_MAX = 0.6
# Degrees off the page's axes from which a line of text is a watermark laid across the page.
_SLANT_MIN = 10
# Unseen text is set aside only where at least this share of the page's characters is seen.
_SEEN_SHARE = 0.5


def without_unseen_text(raw: dict, drawings: list[dict]) -> dict:
    """`raw` (a page's "rawdict") without the spans a viewer does not show and the lines of a
    watermark, where most of the page's text is left; else `raw` itself."""
    fills: list | None = None  # the dark fills, found only once a white span asks for them
    unseen: set[int] = set()
    total = hidden = 0
    for block in raw.get("blocks", []):
        for line in block.get("lines", []):
            slanted = _diagonal(line)
            for span in line.get("spans", []):
                n = len(span.get("chars", ()))
                total += n
                if not (slanted or _not_drawn(span)):
                    if not _white(span):
                        continue
                    fills = _dark_fills(drawings) if fills is None else fills
                    if _on_dark(span, fills):
                        continue
                unseen.add(id(span))
                hidden += n
    if not unseen:
        return raw
    if total - hidden < _SEEN_SHARE * total:
        return raw
    blocks = []
    for block in raw.get("blocks", []):
        if "lines" not in block:
            blocks.append(block)
            continue
        lines = [{**ln, "spans": [s for s in ln.get("spans", []) if id(s) not in unseen]} for ln in block["lines"]]
        blocks.append({**block, "lines": [ln for ln in lines if ln["spans"]]})
    return {**raw, "blocks": blocks}


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
    return all(((color >> shift) & 0xFF) >= _WHITE_MIN for shift in (16, 8, 0))


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
        if _luminance(fill) <= _DARK_FILL_MAX:
            r = path["rect"]
            out.append((r.x0, r.y0, r.x1, r.y1))
    return out


def _luminance(fill: tuple) -> float:
    if len(fill) == 1:  # grey
        return fill[0]
    if len(fill) == 4:  # CMYK
        c, m, y, k = fill
        fill = ((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k))
    return 0.299 * fill[0] + 0.587 * fill[1] + 0.114 * fill[2]
