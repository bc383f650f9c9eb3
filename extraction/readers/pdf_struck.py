"""Text a PDF shows struck through: figures an author crossed out beside the ones that stand.

A corrected report may keep last year's or a wrong figure with a line through it next to the right
one (Word's strikethrough, printed to PDF; a line drawn over it in a PDF editor). Read with the
rest, it joins the figure of its cell (10 and a struck 12 read as "1210"). A strike is a thin
horizontal line (a stroked line, or a bar as Word draws one) through the middle of characters:
above an underline, below an overline, across most of each character's width. A table's ruling
is not one, even where a character overflows onto it: a strike's line lies mostly over the
characters it crosses, while a ruling runs on along its row.
"""
from __future__ import annotations

import numpy as np

from .paper import white
from .pdf_visibility import device_rgb, horizontal_spans, kept

# The band of a character a strike crosses, as shares of the font size above the baseline: a
# digit's middle (an underline lies below the baseline, an overline near the font's top).
_BAND = (0.12, 0.62)
# A line or bar at most this thick (points) and this far off the level can be a strike.
_THICK_MAX = 2.0
_LEVEL = 0.3
# A strike covers this share of a character's width, and the characters it crosses this share of
# its own length.
_ACROSS_CHAR = 0.6
_OVER_CHARS = 0.5
_LINES_AT_ONCE = 256  # lines weighed against every character at a time (memory: chars x this)


def without_struck(raw: dict, drawings: list[dict]) -> dict:
    """`raw` (a page's "rawdict") without the characters a strike goes through; else `raw` itself."""
    if not drawings:
        return raw
    spans = horizontal_spans(raw)  # (a strike runs along its text)
    if not spans:
        return raw
    # first by the paths' and the spans' boxes: most pages have nothing drawn through any text
    span_bands = np.array([_band(span["bbox"], span["chars"][0]["origin"][1], span.get("size", 0)) for span in spans])
    boxes = np.array([(r.x0, r.x1, (r.y0 + r.y1) / 2, r.y1 - r.y0) for r in (path["rect"] for path in drawings)])
    flat = np.flatnonzero(boxes[:, 3] <= 2 * _THICK_MAX)
    _, crossing = _through(span_bands, boxes[flat, :3])
    lines = _thin_lines([drawings[i] for i in flat[crossing]])
    if not lines:
        return raw
    ln = np.array(lines, dtype=float)
    near_span, near_line = _through(span_bands, ln)
    if not near_span.any():
        return raw
    chars = [(ch, span) for span, hit in zip(spans, near_span) if hit for ch in span["chars"] if not ch["c"].isspace()]
    if not chars:
        return raw
    bands = np.array([_band(ch["bbox"], ch["origin"][1], span.get("size", 0)) for ch, span in chars])
    struck = _struck(bands, ln[near_line])
    if not struck.any():
        return raw
    gone = {id(ch) for (ch, _), hit in zip(chars, struck) if hit}
    return kept(raw, lambda span, ch: id(ch) not in gone)


def _band(box, baseline: float, size: float) -> tuple[float, float, float, float]:
    """(x0, top, x1, bottom): where a strike crosses text of this box (a span's or a character's),
    baseline and font size."""
    return box[0], baseline - _BAND[1] * size, box[2], baseline - _BAND[0] * size


def _through(bands: np.ndarray, lines: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which bands some line goes through (overlapping it along its length), and which lines go
    through some band."""
    band_hit = np.zeros(len(bands), dtype=bool)
    line_hit = np.zeros(len(lines), dtype=bool)
    for first in range(0, len(lines), _LINES_AT_ONCE):
        ln = lines[first:first + _LINES_AT_ONCE]
        hit = ((bands[:, None, 1] <= ln[None, :, 2]) & (ln[None, :, 2] <= bands[:, None, 3])
               & (np.minimum(bands[:, None, 2], ln[None, :, 1]) > np.maximum(bands[:, None, 0], ln[None, :, 0])))
        band_hit |= hit.any(axis=1)
        line_hit[first:first + len(ln)] = hit.any(axis=0)
    return band_hit, line_hit


def _thin_lines(drawings: list[dict]) -> list[tuple[float, float, float]]:
    """(x0, x1, y) of the thin horizontal lines and bars of these paths, in a colour paper shows."""
    out = []
    for path in drawings:
        kind = path.get("type") or ""
        for item in path.get("items") or ():
            if item[0] == "l" and "s" in kind and _inked(path.get("color")):
                p, q = item[1], item[2]
                if abs(p.y - q.y) <= _LEVEL and (path.get("width") or 1.0) <= _THICK_MAX and abs(q.x - p.x) > 0:
                    out.append((min(p.x, q.x), max(p.x, q.x), (p.y + q.y) / 2))
            elif item[0] == "re" and "f" in kind and _inked(path.get("fill")):
                r = item[1]
                if 0 < r.height <= _THICK_MAX and r.width > 2 * r.height:
                    out.append((r.x0, r.x1, (r.y0 + r.y1) / 2))
    return out


def _inked(colour) -> bool:
    return bool(colour) and not white(tuple(round(255 * v) for v in device_rgb(colour)))


def _struck(boxes: np.ndarray, lines: np.ndarray) -> np.ndarray:
    """Per character band (rows x0, top, x1, bottom), whether one of `lines` (x0, x1, y) strikes it:
    goes through its band across most of its width, and lies mostly over the characters it so
    crosses."""
    out = np.zeros(len(boxes), dtype=bool)
    width = np.clip(boxes[:, 2] - boxes[:, 0], 1e-6, None)
    for first in range(0, len(lines), _LINES_AT_ONCE):
        ln = lines[first:first + _LINES_AT_ONCE]
        across = (np.minimum(boxes[:, None, 2], ln[None, :, 1])
                  - np.maximum(boxes[:, None, 0], ln[None, :, 0]))
        inside = (boxes[:, None, 1] <= ln[None, :, 2]) & (ln[None, :, 2] <= boxes[:, None, 3])
        crosses = inside & (across >= _ACROSS_CHAR * width[:, None])
        covered = (np.clip(across, 0, None) * crosses).sum(axis=0)
        strikes = covered >= _OVER_CHARS * (ln[:, 1] - ln[:, 0])
        out |= (crosses & strikes[None, :]).any(axis=1)
    return out
