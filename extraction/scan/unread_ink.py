"""Ink no word accounts for: whether OCR may have lost something printed on a page.

A text layer loses no word, so a row or a table with no number in it there is printed blank. From
OCR it may not be: a number the detector passed over, or one the recogniser read as nothing or as
a mark, leaves the same empty row (the scan reader looks again for what the detector passed over,
missed_numbers, but keeps only what reads as digits). So the page's ink is looked at directly:
every mark the size of a character, darker than the paper around it by what print reaches, should
stand inside a word read. Where every one does, nothing printed on the page went unread, and an
empty row there is printed blank as in a text layer (extraction.unruled `nothing_lost`). A speck
of dust, a seal's character or a piece of broken ruling the size of a digit counts as unread too:
such a page keeps its empty rows in review, as before.
"""
from __future__ import annotations

import re

import cv2
import numpy as np

_CONTRAST = 60  # grey levels under the paper around it that print reaches (cells._INK_CONTRAST)
_PAPER = 15  # px: a window wider than a stroke, for the paper's level around each pixel
_NEAR = 0.3  # of the glyph height: ink this close to a word's box is the word's
# a word made of no character and no digit (a lone "。", "l", "-") accounts for no ink: it may be a
# misread number
_ACCOUNTS = re.compile(r"[\u4e00-\u9fff\d]")
_MIN_SCORE = 0.5
_HALVED = 12  # px: print at least this high is looked for at half the resolution
_LOW = 0.55  # of the glyph height: the lowest mark that may be a digit
_PAPER_SHARE = 75  # percentile of a page's pixels that is its paper (paper covers more than a quarter)
_DARK_PAPER = 100  # grey level under which that "paper" is a dark ground the print stands light on


def unread_ink(gray: np.ndarray, words: list[tuple[str, float, tuple[float, float, float, float]]]
               ) -> list[tuple[int, int, int, int]]:
    """Boxes (x0, y0, x1, y1, pixels of `gray`) of the marks the size of a character that no word
    accounts for. `words`: (text, score, box in `gray`'s pixels) of every word read on the page.
    Marks touching the picture's edge (a scan's shadow, the sheet's border) are not print, nor are
    marks wholly left or right of everything read."""
    boxes = np.array([b for text, score, b in words if score >= _MIN_SCORE and _ACCOUNTS.search(text)],
                     dtype=np.float32).reshape(-1, 4)
    if not len(boxes):
        return []
    if np.percentile(gray[::4, ::4], _PAPER_SHARE) < _DARK_PAPER:
        # printed light on dark (a phone's dark mode): ink is not darker than its ground, so what
        # went unread cannot be told; the whole page may have lost some
        return [(0, 0, gray.shape[1], gray.shape[0])]
    # a word's box is a little taller than its glyphs; the smallest print sets the size looked for
    glyph = 0.8 * float(np.percentile(boxes[:, 3] - boxes[:, 1], 10))
    # looked for at half the resolution where the print is large enough (the darkest pixel of each
    # 2 x 2 kept, so a thin stroke stays as dark): the components' search costs a quarter
    step = 2 if glyph >= _HALVED else 1
    if step == 2:
        gray = cv2.erode(gray, np.ones((2, 2), np.uint8), anchor=(0, 0))[::2, ::2]
    paper = cv2.dilate(gray, cv2.getStructuringElement(cv2.MORPH_RECT, (_PAPER // step, _PAPER // step)))
    # and under the page's own paper by as much: beside white brighter than the paper (a straightened
    # photo's padding, an erased ruling) the sheet's grey edge would pass for ink
    page_paper = int(np.percentile(gray[::4, ::4], _PAPER_SHARE))
    paper = np.minimum(paper, page_paper)
    ink = cv2.compare(cv2.subtract(paper, gray), _CONTRAST, cv2.CMP_GT)
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    x, y, w, h, area = (stats[1:, i] for i in range(5))  # [0] is the paper
    h_img, w_img = ink.shape
    edge = (x == 0) | (y == 0) | (x + w >= w_img) | (y + h >= h_img)
    # a digit stands about 0.7 of the print's size high; a full stop wrapped onto a line of its own
    # (。, about 0.4) is no number
    sized = ((h * step >= _LOW * glyph) & (h * step <= 1.5 * glyph) & (w * step <= 8 * glyph)
             & (area * step * step >= 6) & ~edge)
    marks = np.stack([x, y, x + w, y + h], axis=1)[sized].astype(np.float32) * step
    if not len(marks):
        return []
    # the margins left and right of everything read (the sheet's edge, the table or background
    # around a photographed page, a neighbouring page's text) hold nothing of the report's: its
    # numbers stand under their columns' headers, its date under the signature
    inside = (marks[:, 2] >= boxes[:, 0].min() - glyph) & (marks[:, 0] <= boxes[:, 2].max() + glyph)
    marks = marks[inside]
    m = _NEAR * glyph
    # a mark whose box meets a word's box, widened by m, is the word's (its glyphs are compact)
    meets = ((marks[:, None, 0] <= boxes[None, :, 2] + m) & (marks[:, None, 2] >= boxes[None, :, 0] - m)
             & (marks[:, None, 1] <= boxes[None, :, 3] + m) & (marks[:, None, 3] >= boxes[None, :, 1] - m))
    return [tuple(int(v) for v in mark) for mark in marks[~meets.any(axis=1)]]
