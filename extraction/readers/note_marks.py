"""A note's reference set after a figure, raised and small (12¹, 12<sup>1</sup>): no part of the figure.

A report may mark a figure for a note under its table. Read with the figure, the mark becomes its
last digit (12 and a raised 1 read as "121"). Web pages (<sup>) and Word files (superscript runs)
say what is raised; a PDF only draws it, smaller and higher than the text it follows
(`without_raised_references`). Only a short mark is a reference: one or two digits, a star, a
circled number, a number in brackets; raised words (m², a unit) are left as they are.
"""
from __future__ import annotations

import re

import numpy as np

from ..printed_figures import NOTE_MARKS
from .pdf_visibility import horizontal_spans, kept

REFERENCE = re.compile(rf"^\s*(?:\d{{1,2}}|[{re.escape(NOTE_MARKS)}]|[\u2460-\u2473]|\[\d{{1,2}}\]"
                       rf"|[(（]\d{{1,2}}[)）])\s*$")
# A PDF's mark is at most this share of the size of the text it follows, its baseline raised by
# at least RAISED of that size (and no higher than the text's top), and it stands at most NEAR of
# that size after the text's end.
_SMALLER = 0.8
_RAISED = 0.2
_NEAR = 0.6


def reference(text: str) -> bool:
    """Whether raised text is a note's reference mark."""
    return bool(REFERENCE.match(text))


def without_raised_references(raw: dict) -> dict:
    """`raw` (a page's "rawdict") without the spans that are a note's reference raised after text;
    else `raw` itself."""
    spans = horizontal_spans(raw)
    if len(spans) < 2:
        return raw
    size = np.array([span["size"] for span in spans], dtype=float)
    small = np.flatnonzero(size < _SMALLER * size.max())
    marks = [i for i in small
             if len(spans[i]["chars"]) <= 6 and reference("".join(ch["c"] for ch in spans[i]["chars"]))]
    if not marks:
        return raw
    m = np.array(marks)
    big = np.flatnonzero(size * _SMALLER >= size[m].min())  # the spans a mark may follow
    ends = np.array([_end(spans[j]) for j in big])  # x of the last character's right, baseline
    x0 = np.array([spans[i]["chars"][0]["bbox"][0] for i in marks])[:, None]
    base = np.array([spans[i]["chars"][0]["origin"][1] for i in marks])[:, None]
    host_x1, host_base, host_size = ends[None, :, 0], ends[None, :, 1], size[big][None, :]
    hosts = ((host_size * _SMALLER >= size[m][:, None]) & (host_x1 <= x0 + 0.5) & (x0 - host_x1 <= _NEAR * host_size)
             & (host_base - base >= _RAISED * host_size) & (host_base - base <= host_size))
    gone = {id(spans[i]) for i in m[hosts.any(axis=1)]}
    return kept(raw, lambda span, ch: id(span) not in gone) if gone else raw


def _end(span: dict) -> tuple[float, float]:
    chars = [ch for ch in span["chars"] if not ch["c"].isspace()] or span["chars"]
    return chars[-1]["bbox"][2], chars[-1]["origin"][1]
