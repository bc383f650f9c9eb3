"""A converter's page breaks in text: the lines each page's print puts around them, taken out.

pdftotext and its kind end each page with a form feed, after the page's footer (its number:
- 3 -, 第3页 共5页) and before the next page's running header. Where a table runs over the break,
those lines stand between two lines of one row (a label wrapped over the break, its numbers on the
next page) and cut the row in two. Only lines next to a form feed go: a page's number, as its
forms print it; a bare number only where the pages' numbers run on, page after page (a table's
last cell on a page is a bare number too); and a line printed at two breaks or more, the same
each time (the report's title or agency as a running header)."""
from __future__ import annotations

import re
from collections import Counter

from ..normalize import fold_width

# a page's number in the forms a footer prints it: - 3 -, — 3 —, 第3页, 第 3 页 共 5 页, 3/5, Page 3
_FOLIO = re.compile(r"^(?:[-–—－]\s*[\d０-９]{1,3}\s*[-–—－]|第\s*[\d０-９]{1,3}\s*页(?:\s*[,，/]?\s*共\s*[\d０-９]{1,3}\s*页)?"
                    r"|共\s*[\d０-９]{1,3}\s*页\s*第\s*[\d０-９]{1,3}\s*页|[\d０-９]{1,3}\s*/\s*[\d０-９]{1,3}"
                    r"|(?:page|p\.)\s*\d{1,3}(?:\s*of\s*\d{1,3})?)$", re.I)
_BARE = re.compile(r"^[\d０-９]{1,3}$")
_NEAR = 2  # the lines on each side of a break looked at, blank lines not counted
_RUNNING_MIN = 6  # characters: a running header names the report or its agency


def page_breaks_cleared(text: str) -> list[str]:
    """The text's lines, form feeds read as line ends, without the page furniture at the breaks."""
    pages = text.split("\f")
    if len(pages) < 2:
        return text.split("\n")
    lines = [page.split("\n") for page in pages]
    near = [_near_break(page, k, len(lines)) for k, page in enumerate(lines)]
    repeated = Counter(lines[k][i].strip() for k in range(len(lines)) for i in near[k])
    running = {t for t, n in repeated.items() if n >= 2 and len(t) >= _RUNNING_MIN and not _BARE.match(t)}
    numbers = _running_numbers(lines, near)
    out: list[str] = []
    for k, page in enumerate(lines):
        drop = {i for i in near[k] if _FOLIO.match(t := page[i].strip()) or t in running or (k, i) in numbers}
        out += [line for i, line in enumerate(page) if i not in drop]
    return out


def _near_break(page: list[str], k: int, n_pages: int) -> list[int]:
    """The indices of the non-blank lines next to the breaks before (k > 0) and after this page."""
    filled = [i for i, line in enumerate(page) if line.strip()]
    return sorted({*(filled[:_NEAR] if k > 0 else []), *(filled[-_NEAR:] if k < n_pages - 1 else [])})


def _running_numbers(lines: list[list[str]], near: list[list[int]]) -> set[tuple[int, int]]:
    """Bare numbers next to the breaks that count the pages: on two pages or more, each its page's
    number less one offset for all."""
    found: dict[int, list[tuple[int, int]]] = {}
    for k, idx in enumerate(near):
        for i in idx:
            t = lines[k][i].strip()
            if _BARE.match(t):
                offset = int(fold_width(t)) - k
                found.setdefault(offset, []).append((k, i))
    best = max(found.values(), key=lambda hits: len({k for k, _ in hits}), default=[])
    return set(best) if len({k for k, _ in best}) >= 2 else set()

