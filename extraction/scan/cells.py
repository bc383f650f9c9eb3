"""Second readings of table cells, where a wrong number would cost most.

The full-page reading sees a cell's number once, from the page resolution. Where that reading is
doubtful (a low score, a letter where a digit belongs: O for 0, l for 1, 〇 for 0) or where a cell
reads blank although ink is printed in it, the cell is read again on its own, from the sharpest
pixels the page has, cropped tightly to its ink. The cell then carries the better reading, with
a score lowered when the two readings disagree. A cell that shows ink but reads as nothing keeps
a marker word with a low score, so a missed digit never passes for a printed blank.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Callable

import cv2
import numpy as np

from ..grid import Word
from ..model import BBox, Table

LOOKALIKES = str.maketrans({"O": "0", "o": "0", "〇": "0", "○": "0", "Ｏ": "0", "D": "0",
                            "l": "1", "I": "1", "|": "1", "丨": "1", "!": "1"})
# A 0 whose sides broke apart (a fax's 1-bit print at half the height) reads as a pair of brackets.
_BROKEN_ZERO = re.compile(r"[(（]\s*[)）]|0\s*[)）]|[(（]\s*0")
_NUMERIC = re.compile(r"^[-−－+]?[\d.,，]+$")
# A lone Latin letter or two is never what a cell of these Chinese forms prints: a smudged digit
# (a fax's 0 read as "a").
_STRAY = re.compile(r"[A-Za-z]{1,2}")
_INK_CONTRAST = 60  # grey levels under the paper that print reaches
_DOUBTFUL = 0.95  # a full-page reading under this score is checked
UNREADABLE = 0.2  # score of a cell with ink but no reading
AGREEMENT_FLOOR = 0.8  # the least score of a reading that confirms another (agreed)
SIGN_IN_DOUBT = 0.8  # score of a number with a speck where its minus would stand: not accepted on its own
_SPECK_AREA = 4  # pixels: less is the paper's grain
_SIGN_MISREADS = ".·,，'`。 "  # what a printed minus before digits has been read as
_MINUSES = "-−－"


def broken_zero(text: str) -> str:
    """"0" where a word is nothing but a 0 broken into brackets ("()", "0)"); else the text."""
    return "0" if _BROKEN_ZERO.fullmatch(text.strip()) else text


def digits_of(text: str) -> str | None:
    """The number a cell's text spells once look-alikes are read as digits, or None."""
    t = re.sub(r"\s+", "", text).translate(LOOKALIKES)
    return t if t and _NUMERIC.match(t) and any(ch.isdigit() for ch in t) else None


@dataclass
class CellCrop:
    """A cell's inside: where its ink is (page points), and the pixels to read."""
    ink_box: BBox | None
    image: np.ndarray | None


Reader = Callable[[list[np.ndarray]], list[tuple[str, float]]]
Cropper = Callable[[BBox], CellCrop]


def reread_cells(tables: list[Table], words: list[Word], crop: Cropper, read: Reader) -> list[Word]:
    """`words` with the words of doubtful or blank-looking cells replaced by a second reading."""
    jobs: list[tuple[BBox, list[Word], CellCrop]] = []
    for t in tables:
        for cell, held in zip(t.cells, _held(t, words)):
            if cell.bbox is None:
                continue
            inside = [words[i] for i in held]
            text = "".join(w.text for w in inside).strip()
            if text:
                numeric = digits_of(text)
                doubtful = numeric is not None and (
                    min(w.score for w in inside) < _DOUBTFUL or numeric != re.sub(r"\s+", "", text))
                if not doubtful and not _STRAY.fullmatch(text):
                    continue
            c = crop(cell.bbox)
            if c.ink_box is None:
                continue  # nothing printed: a blank (or a text reading that stays as it is)
            jobs.append((cell.bbox, inside, c))
    drop: set[int] = set()
    added: list[Word] = []
    for (_, inside, _), again in zip(jobs, _read_again(jobs, read)):
        if again is not None:
            drop.update(id(w) for w in inside)
            added.append(again)
    return [w for w in words if id(w) not in drop] + added


# around a number no ruled table holds, the share of its height cropped for its second reading:
# half the gap to the rows above and below in the tightest tables (12-pt boxes 18 pt apart)
_AROUND = 0.25


def loose_numbers(tables: list[Table], words: list[Word], crop: Cropper, read: Reader, page: np.ndarray,
                  px_per_pt: float) -> list[Word]:
    """`words` with the numbers no ruled table holds treated as a ruled cell's are: the doubtful
    ones read again, each on its own (reread_cells), and a minus the pixels show before each put
    back (signed_numbers). Such numbers stand in a table without rulings, whose cells are found
    later from the words (unruled.py), and the page's reading saw some in a line of their own (a
    score of 0.81 for a lone 0, "1 1 1 4" spaced at 0.84, where a ruled cell's second reading is
    sure). With no cell to bound it, the look for a minus reaches left of the digits as far as a
    minus stands from them."""
    held = {i for t in tables for inside in _held(t, words) for i in inside}
    loose = [i for i, w in enumerate(words) if i not in held and digits_of(w.text) is not None]
    jobs: list[tuple[BBox, list[Word], CellCrop]] = []
    at: list[int] = []
    for i in loose:
        w = words[i]
        if w.score >= _DOUBTFUL and digits_of(w.text) == re.sub(r"\s+", "", w.text):
            continue
        # the cropper keeps clear of a cell's rulings (1.5 pt in): that much more around the word
        around = 1.5 + _AROUND * (w.bbox[3] - w.bbox[1])
        c = crop((w.bbox[0] - around, w.bbox[1] - around, w.bbox[2] + around, w.bbox[3] + around))
        if c.ink_box is not None:
            jobs.append((w.bbox, [w], c))
            at.append(i)
    out = list(words)
    for i, again in zip(at, _read_again(jobs, read)):
        if again is not None:
            # in its place and box: such a word may be a piece of a line of text (a title's 工 read
            # as 1), which is put together again from the words in order
            out[i] = replace(again, bbox=words[i].bbox)
    for i in loose:
        w = out[i]
        h = w.bbox[3] - w.bbox[1]
        # (the look keeps 2 px clear of a cell's edges: the box reaches that much past the digits)
        out[i] = _signed(w, (w.bbox[0] - 2 * h, w.bbox[1], w.bbox[2] + 4 / px_per_pt, w.bbox[3]), page, px_per_pt)
    return out


def _read_again(jobs: list[tuple[BBox, list[Word], CellCrop]], read: Reader) -> list[Word | None]:
    """For each job (its box, its words, its crop), the word `_choose` keeps from the two readings,
    boxed by the crop's ink; None to keep the job's words as they are."""
    if not jobs:
        return []
    out: list[Word | None] = []
    for (box, inside, c), (text2, score2) in zip(jobs, read([c.image for _, _, c in jobs])):
        text2 = re.sub(r"\s+", "", text2)
        first = "".join(w.text for w in inside).strip()
        score1 = min((w.score for w in inside), default=0.0)
        chosen = _choose(first, score1, text2, score2)
        out.append(None if chosen is None else
                   Word(chosen[0], c.ink_box or box, chosen[1], sign_seen=_sign_lost(first, chosen[0])))
    return out


def _choose(first: str, s1: float, second: str, s2: float) -> tuple[str, float] | None:
    """The reading a cell keeps, and how sure it is; None to keep the first as it is."""
    d1, d2 = digits_of(first) if first else None, digits_of(second) if second else None
    if not first:
        # read blank on the page, ink in the cell: the second reading, or an unreadable marker
        return (second, min(s2, 0.9)) if second and s2 >= 0.5 else ("", UNREADABLE)
    if d1 is not None and d2 is not None and d1.lstrip("+") == d2.lstrip("+"):
        # both say the same number: keep the one that spells it with digits
        best = second if second == d2 else first
        return best, agreed(s1, s2) if re.sub(r"\s+", "", first) == second == d2 else max(s1, s2)
    if d2 is not None and _sign_lost(first, second):
        # the same digits, a minus (or the point a minus is misread as) in the first only: the sharper
        # crop lost a thin minus ("- 1" or ".1" and "1", in every scan set's 本年增/减 cells). The
        # digits are agreed; the sign is left to the pixels (signed_numbers), which put it back where
        # a minus stands and doubt the number where nothing does
        return second, agreed(s1, s2) if re.sub(r"\s+", "", first)[1:] == second == d2 else max(s1, s2)
    if d2 is not None and (s2 >= s1 or _STRAY.fullmatch(first)):
        return second, min(s2, 0.5 * (s1 + s2)) if d1 is not None else s2 * 0.8
    return first, min(s1, 0.6)  # the readings disagree: keep the first, doubtfully


def _sign_lost(first: str, second: str) -> bool:
    """Whether `second` spells `first`'s digits without the minus, or the point a minus is misread
    as (".1"), that `first` has before them."""
    t1 = re.sub(r"\s+", "", first)
    d2 = digits_of(second) if second else None
    return (d2 is not None and d2[:1].isdigit() and len(t1) > 1 and t1[0] in _MINUSES + _SIGN_MISREADS
            and digits_of(t1[1:]) == d2)


def agreed(s1: float, s2: float) -> float:
    """How sure a number is that two readings spell alike in digits, one from the page and one from
    the cell's own sharper pixels. Each was unsure on its own (a score under _DOUBTFUL); a misreading
    of one rarely recurs in the other, read from other pixels, so each leaves the other's doubt
    standing in a small share only: 1 - (1 - s1)(1 - s2). A reading under AGREEMENT_FLOOR adds
    nothing (it is not sure enough of its own digits to confirm another's)."""
    if min(s1, s2) < AGREEMENT_FLOOR:
        return max(s1, s2)
    return 1.0 - (1.0 - s1) * (1.0 - s2)


def signed_numbers(tables: list[Table], words: list[Word], page: np.ndarray, px_per_pt: float) -> list[Word]:
    """`words` with a minus sign put back on the numbers of table cells where one is printed.

    The text detector finds a number's digits but often not a lone minus before them: at the
    reading resolution a printed "-" in these tables' 8-pt type is a 1-2 px high stroke, too thin
    to make a text line of its own or to join the digits' box (seen: "-1" in a 本年增/减 cell read
    as "1" with a score of 0.90). So the page's pixels are looked at directly: a small mark no
    taller than a third of the digits, level with their middle and at most one and a half digit
    heights left of them (the digits' side bearing leaves a gap), in the same cell, is a minus."""
    out = list(words)
    for t in tables:
        # a word replaced below keeps its box, so which cell holds it does not change
        for cell, inside in zip(t.cells, _held(t, out)):
            if cell.bbox is not None and len(inside) == 1:
                out[inside[0]] = _signed(out[inside[0]], cell.bbox, page, px_per_pt)
    return out


def _signed(w: Word, cell: BBox, page: np.ndarray, px_per_pt: float) -> Word:
    """The number `w` in `cell`, with the minus the pixels show before it (signed_numbers)."""
    number = digits_of(w.text)
    if number is None or number.startswith(("-", "−", "－", "+")):
        return w
    mark = _mark_before(page, w.bbox, cell, px_per_pt)
    if mark == "minus":
        # read from a sharper crop, the sign itself may come out as a point (".2")
        return Word("-" + w.text.lstrip(_SIGN_MISREADS), w.bbox, w.score)
    if mark == "speck" and w.sign_seen:
        # a reading saw a minus where the pixels show a mark too narrow to be sure of
        return Word("-" + w.text.lstrip(_SIGN_MISREADS), w.bbox, min(w.score, SIGN_IN_DOUBT))
    if mark == "speck" or w.sign_seen:
        # a mark that may be a minus, or a minus read where no mark stands
        return Word(w.text, w.bbox, min(w.score, SIGN_IN_DOUBT))
    return w


def _mark_before(page: np.ndarray, word: BBox, cell: BBox, k: float) -> str | None:
    """What is printed before the number `word` (page points) in `cell`: "minus", a "speck" where
    a minus would stand but too narrow to be one, or None. Found from the pixels alone, since the
    word's box may or may not take the sign in (a second reading's box is the cell's ink, the first
    reading's box the digits only).

    A fax's 98 lines an inch leave a thin minus a dot, as tall as it is wide or taller (a "-1" of
    the faxes sweep, 3 x 4 px at the reading resolution, read as 1 and accepted). A speck of dirt
    may stand there as well, so a speck does not make a number negative: it makes it doubtful."""
    x0 = max(0, int(round(cell[0] * k)) + 2)  # clear of the cell's rulings
    x1 = int(round(cell[2] * k)) - 2
    y0 = max(0, int(round(word[1] * k)) - 2)
    y1 = int(round(word[3] * k)) + 3
    region = page[y0:y1, x0:x1]
    if region.size == 0:
        return None
    marks = (region < 190).astype(np.uint8)  # a 1-px stroke blurs to a light grey blob
    n, _, stats, _ = cv2.connectedComponentsWithStats(marks, connectivity=8)
    comps = [tuple(int(v) for v in stats[i][:5]) for i in range(1, n)]
    tallest = max((c[3] for c in comps), default=0)
    digits = [c for c in comps if c[3] >= max(5, 0.6 * tallest)]
    if not digits:
        return None
    h = max(c[3] for c in digits)
    left = min(c[0] for c in digits)
    top = min(c[1] for c in digits)
    found = None
    for bx, by, bw, bh, area in comps:
        mid = by + bh / 2 - top
        if not (bh <= max(3, 0.35 * h) and bx + bw <= left + 1 and bx + bw >= left - 1.5 * h
                and 0.3 * h <= mid <= 0.75 * h):
            continue
        if max(bh, 0.15 * h) <= bw <= 1.2 * h:
            return "minus"
        if area >= _SPECK_AREA:
            found = "speck"
    return found


def _held(table: Table, words: list[Word]) -> list[list[int]]:
    """For each cell of `table`, the indices of the words whose centre its box holds (borders
    included; a word on a shared border is in both). Every cell against every word at once."""
    if not words:
        return [[] for _ in table.cells]
    wb = np.asarray([w.bbox for w in words], dtype=np.float64)
    cx, cy = (wb[:, 0] + wb[:, 2]) / 2, (wb[:, 1] + wb[:, 3]) / 2
    cb = np.asarray([c.bbox if c.bbox is not None else (np.nan,) * 4 for c in table.cells], dtype=np.float64)
    inside = ((cb[:, 0:1] <= cx) & (cx <= cb[:, 2:3]) & (cb[:, 1:2] <= cy) & (cy <= cb[:, 3:4]))
    return [np.flatnonzero(row).tolist() for row in inside]


def ink_box(gray: np.ndarray, min_height: int) -> tuple[int, int, int, int] | None:
    """The box around a crop's marks taller than `min_height` pixels (specks and leftovers of
    erased rulings ignored), or None when the crop is blank."""
    if gray.size == 0:
        return None
    # Ink is what is much darker than the cell's paper (its median: print covers little of a
    # cell), cut halfway between the two. Neither the crop's mean brightness nor its darkest
    # against its brightest pixel tells: a lone "0" in a wide cell is under 1% of its pixels (a
    # fax's 0 was taken for a blank cell), and a photo's grain spans 60 grey levels on blank
    # paper (Otsu then split the grain into blobs, and blank cells read as unreadable).
    paper, darkest = float(np.median(gray)), int(np.min(gray))
    if darkest > paper - _INK_CONTRAST:
        return None
    bw = np.where(gray < (paper + darkest) / 2, 255, 0).astype(np.uint8)
    n, _, stats, _ = cv2.connectedComponentsWithStats(bw, connectivity=8)
    # A flat streak is a piece of a ruling (or a fax's scan line) left in the cell, not print:
    # the digits these cells hold are far taller than a quarter of min_height.
    flat = max(2, min_height // 4)
    boxes = [stats[i] for i in range(1, n)
             if (stats[i][cv2.CC_STAT_HEIGHT] >= min_height or stats[i][cv2.CC_STAT_AREA] >= min_height * 3)
             and stats[i][cv2.CC_STAT_HEIGHT] > flat]
    # a blob hugging the crop's edge is a ruling left over, not print
    h, w = gray.shape
    boxes = [b for b in boxes if not (b[cv2.CC_STAT_WIDTH] >= 0.9 * w or b[cv2.CC_STAT_HEIGHT] >= 0.9 * h)]
    if not boxes:
        return None
    x0 = min(b[0] for b in boxes)
    y0 = min(b[1] for b in boxes)
    x1 = max(b[0] + b[2] for b in boxes)
    y1 = max(b[1] + b[3] for b in boxes)
    return x0, y0, x1, y1
