"""From a row label in the token stream to the value cells of that row.

`Reading` is one canonical field as read from the document, before the consistency rules have
had their say. A row that prints fewer values than the form has columns gets a `ShortRow` with the
candidate placements of its values; the rules decide between them (consistency.py)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import combinations
from math import comb
from typing import Sequence

from .labels import align, best_match, label_key, match_label, split_enumerator
from .wordings import row_names
from .schema import Row
from .tokens import Token, Value, join_kerned

# How sure a cleanly read cell is, by how the text reached us.
READ_CONFIDENCE = 0.97
CORRECTED = 0.88  # a value read through a correction (a look-alike, a stray point) keeps this share
DOUBTED_BLANK = 0.85  # share a blank keeps that shows a dash or a mark (。 . ,): perhaps a number misread


@dataclass
class Reading:
    key: str
    value: int | float | str | None
    status: str  # read | blank | missing | corrected | inferred
    confidence: float
    raw: str | None = None
    page: int | None = None
    bbox: tuple | None = None
    unit: str | None = None
    placed: bool = False  # its column was chosen among candidates, not printed unambiguously
    # an empty cell of a grid whose blanks are printed blanks (rulings, HTML, DOCX), with no ink
    # in it: a value as printed as a number, which the rules can confirm as they confirm a number
    clean_blank: bool = False
    # its row's label was found and printed no value at all: in text that drops blank cells (one
    # cell to a line), a row of blanks
    unprinted: bool = False
    # placed by the search over the combinations of its table's short rows (joint_placement.py),
    # which checked it against every rule, those over blank cells only included
    joint: bool = False
    # an empty cell of a row OCR read no value in (Cell.quiet_row): printed blank, or its numbers
    # lost. The rules tell a lost number (the sums break) but not a lost 0: they confirm it only
    # in a table that prints its zeros blank
    quiet_row: bool = False
    # a dash (—, /, 无) where a number belongs: a zero printed as a mark, which one convention types as
    # 0 and another as blank; the rules cannot tell which
    dash: bool = False
    # a blank whose cell holds only a mark (。 . ,): ink the reader took for no number. On our
    # scans each one was a digit misread, so nothing confirms it as a blank
    stray_mark: bool = False


@dataclass
class ShortRow:
    """A row printing fewer values than columns: each candidate puts each value token in a column
    (None = the column's value was not printed and stays to be inferred)."""
    keys: tuple[str, ...]
    candidates: list[list[Token | None]]
    label_ratio: float = 1.0
    # every order-keeping placement is a candidate; else (a badly broken row of table 4) the
    # rules choose among some, and the truth may not be among them
    complete: bool = True


@dataclass
class TableRead:
    readings: dict[str, Reading] = field(default_factory=dict)
    short_rows: list[ShortRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    found_rows: int = 0
    end: int = 0  # token index after the last value read
    # its readings held for review whatever the rules say (the numbers read are not the table's all)
    in_doubt: bool = False
    # cells of columns the table does not print (table 3 leaving out an applicant column): not
    # found, whatever the rules would make of them
    absent: list[str] = field(default_factory=list)
    unfound: list[str] = field(default_factory=list)  # the ids of the rows whose labels were not found

    def rows_not_found(self, table: str, rows: Sequence[Row], found: Sequence[tuple]) -> None:
        """The form prints every row of its tables: a row whose label was not found is returned
        with its fields missing, not left out, and named in a warning. `found`: align_rows's rows."""
        seen = {f[0].id for f in found}
        missing = [r for r in rows if r.id not in seen]
        self.unfound += [r.id for r in missing]
        if missing:
            self.warnings.append(f"{table}: rows not found: {', '.join(r.id for r in missing)}")
        for r in missing:
            for key in r.keys:
                self.readings[key] = Reading(key, None, "missing", 0.0)


def row_values(tokens: Sequence[Token], i: int, end: int) -> list[Token]:
    """The values of the label at i: the value tokens that follow it in its own row; when the label
    ends its row, the value tokens of the following rows up to the next label."""
    row = tokens[i].row
    out: list[Token] = []
    j = i + 1
    while j < end and tokens[j].row == row:
        if not tokens[j].is_value:
            return out
        out.append(tokens[j])
        j += 1
    if out:
        # In converted text the label spans two or three columns, so the empty cells right after it
        # may be the label's: `fit_values` decides, it sees how many cells the row needs.
        return out
    while j < end and tokens[j].is_value:
        out.append(tokens[j])
        j += 1
    return out


def align_rows(tokens: Sequence[Token], span: tuple[int, int],
               rows: Sequence[Row]) -> tuple[float, list[tuple[Row, int, float, list[Token]]]]:
    """Find each form row's label in the span, in order, by the form's wording or another that
    names the row (wordings.py); returns the alignment score and, for every row found, (row, token
    index, label similarity, its value tokens)."""
    start, end = span
    idx = [i for i in range(start, end) if not tokens[i].is_value and tokens[i].text]
    texts = [tokens[i].text for i in idx]
    values = [row_values(tokens, i, end) for i in idx]
    has_values = [0.3 if v else -0.2 for v in values]
    names = [row_names(r.id, r.label) for r in rows]  # the form's label first
    score, chosen = align(texts, names, has_values)
    placed = _rows_by_name(texts, values, rows, names, _rows_by_place(texts, values, names, chosen))
    out = []
    for r, pick, by_place, own in zip(rows, placed, (c is None for c in chosen), names):
        if pick is None:
            continue
        ratio = max((m.ratio for m in (match_label(texts[pick], n) for n in own) if m), default=0.0)
        if by_place and split_enumerator(texts[pick])[0] is not None:
            ratio = max(ratio, PLACE_RATIO)  # its number agrees (see _rows_by_place)
        if by_place and any(_one_character_off(texts[pick], n) for n in own):
            ratio = max(ratio, PLACE_ONE_OFF_RATIO)
        out.append((r, idx[pick], ratio, values[pick]))
    return score, out


# A row found by its place and its number counts as a label matched at the loosest ratio accepted.
PLACE_RATIO = 0.7
# A row found by its place whose label is the form's with one character misread: a fax reads 规章
# as 规重, 规量, 规童 or 规意, one character of two, which no ratio accepts alone. In the one slot the
# form leaves for it, between two rows found, with its other characters right, it is that row; its
# values are then as sure as their own readings make them (at 0.8 a clean reading is accepted).
# Table 2, where this is seen, has no rule to confirm a row found by place otherwise.
PLACE_ONE_OFF_RATIO = 0.8


def _one_character_off(printed: str, form: str) -> bool:
    a, b = label_key(split_enumerator(printed)[1]), label_key(split_enumerator(form)[1])
    return len(a) == len(b) >= 2 and sum(x != y for x, y in zip(a, b)) == 1


_OTHER_ROW_RATIO = 0.8  # a garbled label (2.重禮申講) matches no row this well


def _rows_by_place(texts: Sequence[str], values: Sequence[list[Token]], names: Sequence[Sequence[str]],
                   chosen: Sequence[int | None]) -> list[int | None]:
    """`chosen` with the rows no printed label matched taken by their place, where that is
    unambiguous: a run of such rows between two rows found (or the table's start and a row found),
    with exactly as many labels printing values between them, none claimed, each numbered as its
    row (or neither numbered) and printing a number (or, numbered, a grid's blank cells only:
    _printed_blank_row). A fax's OCR can garble a short label past
    matching (2.重复申请 read as 2.像礼申诚) but keeps its number and its place among the others. A
    row of empty cells is left to the rules: a table recovered badly leaves a row's cells empty
    when its numbers went elsewhere (seen: img2table's borderless grid gave a scan's row blanks for
    its printed zeros), and the rules infer a missing row's zeros as well as the row would give them;
    a grid's own blank cells are printed blanks, not lost numbers."""
    out = list(chosen)
    j = 0
    while j < len(out):
        if out[j] is not None:
            j += 1
            continue
        k = j
        while k < len(out) and out[k] is None:
            k += 1
        lo = out[j - 1] if j > 0 else -1
        if k < len(out):
            # (a line of empty cells beside no number is no row's: a section's heading or a header
            # a converter set in the table's columns, 第二十条第（五）项 | | |)
            free = [i for i in range(lo + 1, out[k]) if values[i]
                    and not (all(t.is_blank for t in values[i]) and not _printed_blank_row(texts[i], values[i]))]
            if (len(free) == k - j
                    and all(split_enumerator(texts[i])[0] == split_enumerator(names[r][0])[0]
                            for i, r in zip(free, range(j, k)))
                    and all(any(t.value.number is not None for t in values[i])
                            or _printed_blank_row(texts[i], values[i]) for i in free)
                    and not any(_names_another(texts[i], names, r) for i, r in zip(free, range(j, k)))):
                out[j:k] = free
        j = k
    return out


# A row found out of the form's order by its own name alone: named as the form names it, and long
# enough a name to be no other's (3.其他 is not)
_BY_NAME_RATIO = 0.9
_BY_NAME_LENGTH = 4


def _rows_by_name(texts: Sequence[str], values: Sequence[list[Token]], rows: Sequence[Row],
                  names: Sequence[Sequence[str]], chosen: Sequence[int | None]) -> list[int | None]:
    """`chosen` with the rows still not found taken by their names wherever they stand: a report
    printing table 3's groups in an order of its own ((五) before (三), (二) after (六)) leaves the
    order-keeping alignment some rows short. A printed label no row has claimed, printing values
    (no more figures than the row has cells and a subtotal), that names the row and no other, is
    the row's. A row of a short name (规章) is taken so only where the span prints that name once,
    exactly, over a figure in each of the row's cells."""
    out = list(chosen)
    claimed = {i for i in out if i is not None}
    for r, pick in enumerate(out):
        if pick is not None:
            continue
        long_names = [n for n in names[r] if len(label_key(split_enumerator(n)[1])) >= _BY_NAME_LENGTH]
        if long_names:
            # (named twice, as where overlapping screenshots repeat rows, it is no row's by name alone;
            # nor is a label OCR ran into other rows' figures)
            named = [i for i in range(len(texts)) if values[i] and _figures(values[i]) <= len(rows[r].keys) + 1
                     and (m := best_match(texts[i], long_names)) is not None and m.ratio >= _BY_NAME_RATIO
                     and not _names_another(texts[i], names, r)]
        else:
            short = {label_key(split_enumerator(n)[1]) for n in names[r]}
            named = [i for i in range(len(texts)) if label_key(split_enumerator(texts[i])[1]) in short]
            named = named if len(named) == 1 and _figures(values[named[0]]) == len(rows[r].keys) else []
        if len(named) == 1 and named[0] not in claimed:
            out[r] = named[0]
            claimed.add(named[0])
    return out


def _figures(values: Sequence[Token]) -> int:
    return sum(t.value.number is not None for t in values)


def _names_another(text: str, names: Sequence[Sequence[str]], own: int) -> bool:
    """Whether a label read whole names another row of the form: a report printing a group's rows
    in an order of its own (1、补正后申请内容仍不明确 first under （四）) numbers them as it prints
    them, and its number is then no row's place."""
    return any((m := best_match(text, row)) is not None and m.ratio >= _OTHER_ROW_RATIO
               for n, row in enumerate(names) if n != own)


def _printed_blank_row(text: str, values: list[Token]) -> bool:
    """A numbered row whose cells are a grid's printed blanks (a table printing its zeros blank):
    its cells are seen empty, not lost, so its place and number find it as surely as numbers would
    (2.重复申请 garbled to 2.重禮申講 over seven blank cells). The rules still check its blanks."""
    return split_enumerator(text)[0] is not None and all(t.exact and t.is_blank for t in values)


def reading_from_token(key: str, tok: Token, label_ratio: float, *, placed: bool = False) -> Reading:
    v = tok.value
    conf = READ_CONFIDENCE * min(1.0, max(tok.score, 0.0))
    if label_ratio < 0.95:
        conf *= 0.9 + (label_ratio - 0.7) * 0.4
    mark = _stray_mark(v)
    if v.number is None:
        status = "blank"
        conf *= DOUBTED_BLANK if v.dash or mark else (1.0 if tok.exact else 0.97)
    elif v.corrected:
        status = "corrected"
        conf *= CORRECTED
    else:
        status = "read"
    if placed:
        conf *= 0.85
    if tok.score < 1.0 and _RUN_TOGETHER.match(v.raw):
        conf = min(conf, RUN_TOGETHER)
    blank_cell = status == "blank" and not v.dash and not mark and tok.exact
    return Reading(key, v.number, status, round(conf, 4), v.raw, tok.page, tok.bbox, v.unit, placed,
                   clean_blank=blank_cell and tok.score >= 1.0, quiet_row=blank_cell and tok.quiet_row,
                   stray_mark=mark, dash=v.dash)


# A count OCR read with a leading zero (05, 020): no form prints one so, but two cells read as one
# where a light ruling between them was lost (0 | 5), the cell beside it then read empty.
_RUN_TOGETHER = re.compile(r"\s*0\d")
RUN_TOGETHER = 0.75


def _stray_mark(v: Value) -> bool:
    """A value that is no number and no dash, yet something is printed (。 . , alone)."""
    return v.number is None and not v.dash and bool(v.raw.strip())


def fit_values(values: list[Token], n: int, after_label: bool = True) -> tuple[list[Token] | None, list[list[Token | None]]]:
    """Exactly n values for n columns, or else the candidate placements to decide by the rules.

    Blank cells count where the grid is exact, or where the row prints exactly n cells; elsewhere
    (converted text, OCR) stray separators make blanks unreliable and only the printed values count.
    """
    vals = list(values)
    fields = list(values)  # every cell of the row after the label, blanks included
    if vals and all(t.exact for t in vals):
        while len(vals) > n and vals[-1].is_blank:
            vals.pop()
        while len(vals) > n and vals[0].is_blank:
            vals.pop(0)
        if len(vals) == n:
            return vals, []
    else:
        while after_label and vals and vals[0].is_blank:  # the label's own empty cells
            vals.pop(0)
        while vals and vals[-1].is_blank:  # trailing separators of converted text
            vals.pop()
        values = vals
    printed = [t for t in values if not t.is_blank]
    if len(printed) == n:
        return printed, []
    if len(values) == n:
        return list(values), []
    if not printed and len(fields) >= n:
        return fields[-n:], []  # a row of empty fields: cells printed blank
    if len(printed) > n:
        # too many numbers: a number kerned apart in a table set out with spaces is likelier than
        # a stray one, where joining its tight parts leaves exactly n
        joined = join_kerned(printed)
        kerned = [joined] if joined is not None and len(joined) == n else []
        # a converter that writes a merged cell's text into each column it spans (docling's
        # Markdown: 本年增/减 over two columns, its figure twice) prints the same figure side by side
        # (and OCR reads a figure twice): one of two equal neighbours dropped leaves exactly n
        repeated = []
        if len(printed) == n + 1:
            seen = set()
            for i in range(1, len(printed)):
                once = printed[:i] + printed[i + 1:]
                if printed[i].text == printed[i - 1].text and tuple(t.text for t in once) not in seen:
                    seen.add(tuple(t.text for t in once))
                    repeated.append(once)
        return None, [*kerned, *repeated, printed[-n:], printed[:n]]
    return None, placements(printed, n) + blank_windows(fields, printed, n)


def blank_windows(fields: list[Token], printed: list[Token], n: int) -> list[list[Token | None]]:
    """Readings of a short row as n consecutive fields of converted text, its empty fields printed
    blanks. The separators of converted text are not reliable enough to prefer these, but neither
    can the rules rule them out: kept among the candidates, they stop the rules from confirming a 0
    where the row may print a blank."""
    ids = {id(t) for t in printed}
    out = []
    for start in range(0, len(fields) - n + 1):
        window = fields[start:start + n]
        if sum(id(t) in ids for t in window) == len(printed) and any(t.is_blank for t in window):
            out.append(list(window))
    return out


# Each candidate costs a pass of the rules; beyond this many, only single-gap placements are tried.
MAX_PLACEMENTS = 64


def tries_every_placement(n: int, k: int) -> bool:
    """Whether `placements` gives every order-keeping placement of k values into n columns."""
    return comb(n, k) <= MAX_PLACEMENTS


def placements(printed: list[Token], n: int) -> list[list[Token | None]]:
    """Every order-keeping placement of the printed values into n columns, the most likely first:
    values lost at the left (totals at the right survive), then at the right, then the rest."""
    k = len(printed)
    right = tuple(range(n - k, n))
    left = tuple(range(k))
    if tries_every_placement(n, k):
        combos = list(combinations(range(n), k))
    else:
        # Too many to try (a badly broken row of table 4): one gap of lost values, anywhere.
        combos = sorted({tuple(range(0, i)) + tuple(range(i + n - k, n)) for i in range(k + 1)})
    combos.sort(key=lambda c: (c != right, c != left))
    out = []
    for c in combos:
        slots: list[Token | None] = [None] * n
        for tok, pos in zip(printed, c):
            slots[pos] = tok
        out.append(slots)
    return out


def prints_zeros_blank(tokens: Sequence[Token]) -> bool:
    """Whether a table of converted text leaves its zeros blank: it prints no 0 anywhere, yet has
    empty fields among its numbers. Its empty fields are then cells printed blank, not separators."""
    values = [t for t in tokens if t.is_value]
    if any(t.value.number == 0 for t in values):
        return False
    return any(t.is_blank and not t.exact for t in values) and any(t.value.number is not None for t in values)


def is_blank_window(candidate: list[Token | None]) -> bool:
    return any(t is not None and t.is_blank for t in candidate)


def read_row(table: TableRead, keys: Sequence[str], values: list[Token], label_ratio: float,
             after_label: bool = True, zeros_blank: bool = False, blanks_first: bool = False,
             label_in_table: bool = False) -> None:
    """blanks_first: where the rules cannot choose, the row's empty fields are likelier its blank
    cells than separators left by lost values. label_in_table: the row's label is a table's cell
    (a table row with nothing after its label lost its cells; a line of text with nothing after it
    is a row of blanks in text that drops blank cells)."""
    exact, candidates = fit_values(values, len(keys), after_label)
    windows = [c for c in candidates if is_blank_window(c)]
    if blanks_first and windows:
        candidates = windows + [c for c in candidates if not is_blank_window(c)]
    if zeros_blank and windows:
        # the table prints its zeros blank: a row's empty fields are its blank cells
        if len(windows) == 1:
            exact, candidates = windows[0], []
        else:
            candidates = windows
    table.found_rows += 1
    if exact is not None:
        for key, tok in zip(keys, exact):
            table.readings[key] = reading_from_token(key, tok, label_ratio)
        return
    if not candidates or not any(t is not None for t in candidates[0]):
        unprinted = not values and not label_in_table
        for key in keys:
            table.readings[key] = Reading(key, None, "missing", 0.0, unprinted=unprinted)
        return
    printed = sum(t is not None and not t.is_blank for t in candidates[0])
    complete = tries_every_placement(len(keys), printed)
    table.short_rows.append(ShortRow(tuple(keys), candidates, label_ratio, complete))
    apply_candidate(table.readings, table.short_rows[-1], candidates[0])


def apply_candidate(readings: dict[str, Reading], row: ShortRow, candidate: list[Token | None]) -> None:
    for key, tok in zip(row.keys, candidate):
        readings[key] = (reading_from_token(key, tok, row.label_ratio, placed=True) if tok is not None
                         else Reading(key, None, "missing", 0.0, placed=True))
