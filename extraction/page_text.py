"""Prose from positioned words: words into lines, lines into paragraphs.

Used for the words a page has outside its tables (text layer or OCR alike). Chinese prose marks a
new paragraph by a first-line indent, a line ending short of the right margin, or a wider gap;
a line that runs to the margin and is followed by an unindented line goes on.
"""
from __future__ import annotations

from dataclasses import dataclass

from .grid import Word, line_text, text_lines, glue
from .model import BBox, Paragraph


@dataclass
class TextLine:
    text: str
    bbox: BBox
    words: list[Word]

    @property
    def height(self) -> float:
        return max(self.bbox[3] - self.bbox[1], 1.0)


def bounding_box(boxes: list[BBox]) -> BBox:
    """The smallest box holding all these boxes."""
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))


def page_lines(words: list[Word]) -> list[TextLine]:
    """Lines top-down. Pieces of one baseline far apart (a browser header's date at the left and
    its title in the middle) are separate lines, left to right."""
    out: list[TextLine] = []
    for ln in text_lines(words):
        pieces: list[list[Word]] = [[ln[0]]]
        for w in ln[1:]:
            prev = pieces[-1][-1]
            h = max(prev.bbox[3] - prev.bbox[1], w.bbox[3] - w.bbox[1], 1.0)
            if w.bbox[0] - prev.bbox[2] > 3 * h:
                pieces.append([w])
            else:
                pieces[-1].append(w)
        for p in pieces:
            out.append(TextLine(line_text(p), bounding_box([w.bbox for w in p]), p))
    return out


def paragraphs(lines: list[TextLine], page: int) -> list[Paragraph]:
    """Lines grouped into paragraphs, in the order given (top-down)."""
    if not lines:
        return []
    left = min(ln.bbox[0] for ln in lines)
    right = max(ln.bbox[2] for ln in lines)
    groups: list[list[TextLine]] = []
    for ln in lines:
        if groups and _continues(groups[-1][-1], ln, left, right):
            groups[-1].append(ln)
        else:
            groups.append([ln])
    out = []
    for g in groups:
        text = ""
        for ln in g:
            text += glue(text, ln.text) + ln.text
        out.append(Paragraph(text=text, page=page, bbox=bounding_box([ln.bbox for ln in g])))
    return out


def _continues(prev: TextLine, ln: TextLine, left: float, right: float) -> bool:
    h = min(prev.height, ln.height)
    gap = ln.bbox[1] - prev.bbox[3]
    if gap < -0.5 * h or gap > 0.8 * h:
        return False  # side by side, or a wider gap than the leading
    if abs(prev.height - ln.height) > 0.2 * max(prev.height, ln.height):
        return False  # another font size: a title above its text, a heading
    ran_to_margin = prev.bbox[2] >= right - 1.5 * h
    starts_at_margin = ln.bbox[0] <= left + 0.5 * h
    # the second line of a centred title sits in the middle, not at the margin
    def centred(x: TextLine) -> bool:
        return abs((x.bbox[0] - left) - (right - x.bbox[2])) <= 0.5 * h

    return ran_to_margin and (starts_at_margin or (centred(prev) and centred(ln)))
