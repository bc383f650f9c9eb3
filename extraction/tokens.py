"""The document as one stream of tokens in reading order, each a label or a value.

The mapping reads the form's tables from this stream rather than from table geometry alone:
converters, OCR and one-cell-per-line text break the geometry, but never the order in which a
row's label is followed by its numbers. A token remembers its source row (a table row or a text
line), so a label takes the values of its own row when that row prints any, and the values on the
following lines when it stands alone (one cell per line). Tokens from an exact grid (rulings,
HTML, DOCX) keep their blank cells as values: there a blank is a printed blank.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Iterable

from .model import BBox, Cell, Document, Paragraph, Table
from .labels import label_key, match_label, split_known_labels, split_labels, split_numbered_labels, split_with_misread
from .normalize import strip_tags
from .printed_figures import NOTE_MARKS, UNITS
from .wrapped_labels import join_wrapped_labels

# Grids whose empty cells are printed blanks. A markdown or box-drawing table (origin "markdown")
# prints every cell of a row between bars, and a spreadsheet's export every field of a row (comma-
# separated, every row as many fields); other tab- or comma-separated text and OCR'd text do not.
EXACT_ORIGINS = {"ruling", "html", "docx", "alignment", "markdown", "spreadsheet"}

# 口 is how OCR reads a 0 of a CJK font (its box-like glyph); no cell of the form prints it alone.
_LOOKALIKES = {"O": "0", "o": "0", "〇": "0", "○": "0", "口": "0", "D": "0", "Q": "0", "l": "1", "I": "1", "|": "1", "丨": "1",
               "i": "1", "S": "5", "s": "5", "B": "8", "Z": "2", "z": "2", "g": "9", "q": "9", "G": "6", "b": "6"}
_LOOKALIKE = str.maketrans(_LOOKALIKES)
# A cell made only of digits and look-alikes (at most six characters) is a misread number.
_LOOKALIKE_CHARS = set("0123456789.") | set(_LOOKALIKES)
_STRONG_LOOKALIKES = set("OoDl〇○口ISZB|丨")  # alone, these stand for digits; g, q, b... only beside real digits
_NUMBER = re.compile(r"^[-−－+]?\d+(\.\d+)?$")  # 2019 form's 本年增/减 prints "+2"
_UNIT = re.compile(rf"^(?P<num>.*?[\dOolI〇口])\s*(?P<open>[(（])?(?P<unit>{UNITS})(?(open)[)）])$")  # 4件, 4（件）
# 无 (none) in a count's cell is a zero written as a word, as 零 is: no convention types it blank.
_ZERO_IN_WORDS = re.compile(rf"[零无](?:{UNITS})?")
# "一" alone is a dash as OCR reads it (no label of the form is one character): a dash, not a label
# that would end its row's values.
_DASHES = {"—", "-", "–", "－", "/", "／", "——", "--", "—-", "\\", "/ ", "\\/", "一"}
# Taken off a cell's edges: punctuation, and the marks a figure may carry to a note under its table
# (12*, 12※).
_EDGE_PUNCT = " ,，.。、;；:：'\"“”‘’`" + NOTE_MARKS
_SEPARATORS = set(".,，。．")  # decimal points and thousands separators, as printed or misread
# A number as a line of text sets it out in a row of cells: a sign, thousands separators, a unit.
# OCR's misreads of digits may stand in it ("334l", "2535.l", "O" for 0); the last of a line holds a
# real digit or is one or two of the look-alikes that stand for digits alone.
_ALONE = "[OoDlI|〇○口]"  # look-alikes that stand for a digit alone in such a row
_LOOK = _ALONE.replace("[", "[\\d")
# After a number its unit may stand, one space off at most (0件, 3 项), and a note's mark (3 ※).
_AFTER = rf"(?: ?(?:{UNITS}|[(（](?:{UNITS})[)）]))?(?: ?[{re.escape(NOTE_MARKS)}])?"
_SPACED = (rf"[-−+]?(?:\d{{1,3}}(?:,\d{{3}})+|{_LOOK}*\d{_LOOK}*|{_ALONE}{{1,2}})"
           rf"(?:\.{_LOOK}+)?{_AFTER}")
_SPACED_LOOKALIKE = rf"[-−+]?(?:\d{{1,3}}(?:,\d{{3}})+|{_LOOK}+)(?:\.{_LOOK}+)?{_AFTER}"
_UNIT_OR_MARK = re.compile(rf"^(?:{UNITS})?[{re.escape(NOTE_MARKS)}]?$")
# A cell printed as a dash in a row set out with spaces: one or two dashes or slashes standing
# alone between the row's gaps (一 as OCR reads a dash; see _dashes_as_cells).
_DASH_CELL = r"(?:[—–－/／]{1,2}|-{1,2}|一)"
_ROW_PART = rf"(?:{_SPACED_LOOKALIKE}|{_DASH_CELL})"
# ...but a page's number between dashes (- 3 -, — 12 —) is no row of cells.
_PAGE_NUMBER = re.compile(r"^[-—–－]\s*\d{1,4}\s*[-—–－]$")
_TRAILING_NUMBERS = re.compile(rf"^(?P<label>.*?[^\d\s.,+])\s+(?P<nums>(?:{_ROW_PART}\s+)*(?:{_SPACED}|{_DASH_CELL}))$")
# (no list is numbered from 0: "0." is a 0 OCR read with a speck after it)
_ENUMERATOR_ONLY = re.compile(r"^(?!0)\d{1,2}\s*[.、．]$")
# a group label's few characters (理结, 三、, （四）, or its bracket cut: （五), or two or three such
# pieces apart ("理结 （四）")
_STRAY_PIECE = r"(?:[\u4e00-\u9fff]{1,3}、?|[(（][一二三四五六七八九十]{1,2}[)）]?)"
_STRAY = rf"(?P<stray>{_STRAY_PIECE}(?:\s+{_STRAY_PIECE}){{0,2}})"
_STRAY_AFTER_NUMBERS = re.compile(rf"^(?P<line>.*\d)\s{{2,}}{_STRAY}$")
# after a row of many numbers set out with spaces, the pieces may stand closer ("… 10本年 法提")
_STRAY_CLOSE = re.compile(rf"^(?P<line>.*\d)\s?{_STRAY}$")
_MANY_NUMBERS = 4
_GLUED_VALUE = re.compile(r"^(?P<label>.*[\u4e00-\u9fff].*[\u4e00-\u9fff])\s*(?P<value>\d+(?:\.\d+)?)$")
_GLUED_SCORE = 0.5
# Table 2's sections each open with the article they disclose under (第二十条第（五）项); a value cell
# that the ruling under it lost runs into that heading ("885第二十条第（八）项"; a fax's 0 as O).
_VALUE_THEN_HEADING = re.compile(r"^(?P<value>[\dOo〇○]+(?:\.\d+)?)\s*(?P<heading>第[一二三四五六七八九十]+条.*)$")
# ...and where the ruling after the row's label was lost too, the label runs into both
# ("行政强制0第二十条第（八）项").
_LABEL_VALUE_HEADING = re.compile(r"^(?P<label>.*[\u4e00-\u9fff])\s*(?P<value>\d+(?:\.\d+)?)\s*(?P<heading>第[一二三四五六七八九十]+条.*)$")
_HEADER_THEN_VALUE = re.compile(r"^(?P<header>.*[\u4e00-\u9fff）)])\s*(?P<value>\d+(?:\.\d+)?)$")
# Printed headers of label columns, told apart from row labels in a cell a lost ruling merged
# (table 2's 信息内容 over 行政许可, see _merged_labels).
_HEADER_LABELS = ("信息内容",)
_HEADER_KEYS = frozenset(label_key(h) for h in _HEADER_LABELS)
_NUMBERS_LINE = re.compile(rf"^(?:{_ROW_PART}\s+)+{_ROW_PART}$")
# Table 3's group labels ((四)无法提供) stand in the first column, printed down it or wrapped over
# their items' rows. Where no ruling parts the columns (an unruled table read by OCR), the line
# detector joins the group's first characters to the item label on the same line ("（四）無法提2.沒有
# 现成信息需要另行製作"), and the group's last character is left alone in the next column ("供").
_GROUP_THEN_ITEM = re.compile(r"^(?P<group>[(（]\s*[一二三四五六七八九十]+\s*[)）][^\d]{1,8}?)"
                              r"(?P<item>\d{1,2}\s*[.、．,，]\s*[^\d\s].*)$")
_ONE_CHARACTER = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class Value:
    number: int | float | None  # None for a blank or a dash
    raw: str
    corrected: bool = False  # a look-alike character was read as a digit, or a separator left the number's edge
    unit: str | None = None
    dash: bool = False

    @property
    def printed(self) -> bool:
        """A figure or a dash: the cell prints something where a count belongs."""
        return self.number is not None or self.dash


@dataclass
class Token:
    text: str
    row: int  # source row id: one per table row or text line
    value: Value | None  # None: a label (or noise)
    exact: bool = False  # from a grid whose blank cells are printed blanks
    page: int | None = None
    bbox: BBox | None = None
    score: float = 1.0
    # In a line that sets its numbers apart with runs of spaces, this value stood one space after
    # the previous one: perhaps the rest of the same number, kerned ("2 3" for 23; see join_kerned).
    tight: bool = False
    # from a table's cell, not a line of text: a table row with no cell after its label lost them
    in_table: bool = False
    # an empty cell of a row OCR read no value in (Cell.quiet_row)
    quiet_row: bool = False

    @property
    def is_value(self) -> bool:
        return self.value is not None

    @property
    def is_blank(self) -> bool:
        return self.value is not None and not self.value.printed


def parse_value(text: str) -> Value | None:
    """A cell's text as a value, or None if it is a label. Blank text is a blank value."""
    raw = text
    if _ENUMERATOR_ONLY.match(text.strip()):
        return None
    bare = strip_tags(text).strip()
    t = bare.strip(_EDGE_PUNCT).replace(" ", "")
    if not t:
        return Value(None, raw.strip())
    if t in _DASHES or set(t) <= set("—-–－/"):
        return Value(None, raw.strip(), dash=True)
    if _ZERO_IN_WORDS.fullmatch(t):
        return Value(0, raw.strip())  # zero in words: no label of the form is that one character
    if t[:1] == "约" and (about := parse_value(t[1:])) is not None and about.number is not None:
        # an amount given about (约6.48万元): its figure is what the report states, held for review
        return replace(about, raw=raw.strip(), corrected=True)
    t = t.replace(",", "").replace("，", "")
    unit = None
    m = _UNIT.match(t)
    if m:
        t, unit = m.group("num"), m.group("unit")
    if _NUMBER.match(t):
        # a point or comma stripped from the edge of a number may be its own, moved there ("40512\n."
        # from a tool that put the lower-sitting "." on a line of its own): not the number as printed
        edges = bare[:len(bare) - len(bare.lstrip(_EDGE_PUNCT))] + bare[len(bare.rstrip(_EDGE_PUNCT)):]
        return Value(_to_number(t), raw.strip(), corrected=bool(set(edges) & _SEPARATORS), unit=unit)
    sign, body = (t[0], t[1:]) if t[:1] in "-−－+" else ("", t)
    # at most six characters, or one look-alike among the digits of a longer number ("25.569l")
    if ((len(body) <= 6 or sum(not ch.isdigit() for ch in body) <= 1 + ("." in body)) and set(body) <= _LOOKALIKE_CHARS
            and (any(ch.isdigit() for ch in body) or len(body) <= 2 and set(body) <= _STRONG_LOOKALIKES)):
        fixed = sign + body.translate(_LOOKALIKE)
        if _NUMBER.match(fixed):
            return Value(_to_number(fixed), raw.strip(), corrected=True, unit=unit)
    return None


def _to_number(t: str) -> int | float:
    t = t.replace("−", "-").replace("－", "-")
    return float(t) if "." in t else int(t)


def _only_numbers(line: str) -> bool:
    """A line of numbers only (table 4's fifteen), OCR's look-alikes and cells printed as dashes
    among them: most of the numbers digits."""
    if not _NUMBERS_LINE.match(line):
        return False
    parts = line.split()
    figures = [p for p in parts if not _is_dash_cell(p)]
    # (the cells printed as dashes, or a figure among them: _values_after_label)
    digits = sum(any(ch.isdigit() for ch in p) for p in figures)
    return (not figures or 2 * digits > len(figures)) and _values_after_label(parts)


def _values_after_label(parts: list[str]) -> bool:
    """Whether the parts after a label are its row's cells: a figure among them, or dashes enough
    (a prose line may end on a dash, as its own punctuation, ——)."""
    figures = [p for p in parts if not _is_dash_cell(p)]
    if not figures:
        return _dashes_as_cells(parts)
    return "一" not in parts or any(ch.isdigit() for p in figures for ch in p)


def _is_dash_cell(part: str) -> bool:
    return re.fullmatch(_DASH_CELL, part) is not None


def _dashes_as_cells(parts: list[str]) -> bool:
    """Whether a line's parts, all dashes, are a row of cells printed as dashes: two of them at
    least, and three where OCR read them 一 (two 一 apart may be a spaced-out word's)."""
    return len(parts) >= (3 if "一" in parts else 2)


class _Stream:
    def __init__(self):
        self.tokens: list[Token] = []
        self.row = 0

    def new_row(self):
        self.row += 1

    def add_text(self, text: str, *, exact: bool, blank_is_value: bool, page=None, bbox=None, score=1.0,
                 quiet_row=False):
        """blank_is_value: the text is a table's cell (an empty one is a value), not a line."""
        start = len(self.tokens)
        self._add_text(text, exact=exact, blank_is_value=blank_is_value, page=page, bbox=bbox, score=score)
        for tok in self.tokens[start:]:
            tok.in_table = blank_is_value
            tok.quiet_row = quiet_row

    def _add_text(self, text: str, *, exact: bool, blank_is_value: bool, page=None, bbox=None, score=1.0):
        text = text.strip()
        if not text:
            if blank_is_value:
                self.tokens.append(Token("", self.row, Value(None, ""), exact, page, bbox, score))
            return
        # A line of text printing only numbers is a row of values (table 4's fifteen), split below;
        # spaces inside one number are kerning only within a table's cell (Chinese prints no 1 234).
        row_of_numbers = not blank_is_value and _only_numbers(text)
        value = None if row_of_numbers else parse_value(text)
        if value is None and blank_is_value and exact:
            value = _count_in_words(text)
        if value is not None:
            self.tokens.append(Token(text, self.row, value, exact, page, bbox, score))
            return
        plain = strip_tags(text).strip()
        stray = _STRAY_AFTER_NUMBERS.match(plain) or _stray_close(plain)
        if stray and set(stray.group("stray")) <= _LOOKALIKE_CHARS | {" "}:
            stray = None  # OCR's look-alike of a digit (7口 for 70), not a label's character
        if stray and (_only_numbers(stray.group("line")) or _TRAILING_NUMBERS.match(stray.group("line"))):
            # a vertical group label's characters that a layout-keeping converter set after the row
            self._add_text(stray.group("line"), exact=exact, blank_is_value=blank_is_value, page=page, bbox=bbox, score=score)
            self.tokens.append(Token(stray.group("stray"), self.row, None, exact, page, bbox, score))
            return
        only = _only_numbers(plain)
        m = None if only else _TRAILING_NUMBERS.match(plain)
        m = m if m is None or _values_after_label(m.group("nums").split()) else None
        if (only or m) and not _PAGE_NUMBER.match(plain):
            if m:
                self.tokens.append(Token(m.group("label"), self.row, None, exact, page, bbox, score))
            for part, tight in _spaced_numbers(plain, m.start("nums") if m else 0):
                self.tokens.append(Token(part, self.row, parse_value(part), exact, page, bbox, score, tight))
            return
        self.tokens.append(Token(text, self.row, None, exact, page, bbox, score))


_DIGIT_WORDS = "二三四五六七八九"  # 一 alone is a dash as often as a 1 (_DASHES)
_COUNT_IN_WORDS = re.compile(rf"(?:[{_DIGIT_WORDS}]|[一{_DIGIT_WORDS}]?十[一{_DIGIT_WORDS}]?)(?:{UNITS})?|一(?:{UNITS})")
_DIGIT_OF = {ch: n for n, ch in enumerate("一" + _DIGIT_WORDS, start=1)}


def _count_in_words(text: str) -> Value | None:
    """A small count written in words in a grid's cell (三, 十二, 二十件, 一件: 一 alone may be a dash),
    as a number read through a correction: the rules confirm it. A cell of its own holds no label
    that short."""
    t = strip_tags(text).strip()
    if not _COUNT_IN_WORDS.fullmatch(t):
        return None
    body = re.sub(rf"(?:{UNITS})$", "", t)
    tens, _, ones = body.rpartition("十")
    number = (_DIGIT_OF.get(tens, 1) * 10 + _DIGIT_OF.get(ones, 0)) if "十" in body else _DIGIT_OF[body]
    return Value(number, text.strip(), corrected=True)


def _stray_close(line: str) -> re.Match | None:
    m = _STRAY_CLOSE.match(line)
    if m is None:
        return None
    numbers = _TRAILING_NUMBERS.match(m.group("line"))
    return m if numbers and len(numbers.group("nums").split()) >= _MANY_NUMBERS else None


def _spaced_numbers(line: str, start: int) -> list[tuple[str, bool]]:
    """The numbers of `line` from `start`, each with whether it stood a single space after the
    previous number while the line's other gaps (the label's included) are wider: a table set out
    in columns with spaces parts its cells by runs of spaces, so one space there is inside a cell."""
    parts: list[tuple[int, int]] = []  # (start, end) of each number, a unit one space after it included
    for p in re.finditer(r"\S+", line[start:]):
        if parts and _UNIT_OR_MARK.match(p.group()) and p.start() - parts[-1][1] <= 1:
            parts[-1] = (parts[-1][0], p.end())
        else:
            parts.append((p.start(), p.end()))
    text = line[start:]
    gaps = [parts[i][0] - parts[i - 1][1] for i in range(1, len(parts))]
    label_gap = len(line[:start]) - len(line[:start].rstrip()) if start else 0
    columns = max([label_gap, *gaps]) >= 2
    return [(text[a:b], columns and i > 0 and gaps[i - 1] == 1 and text[a:a + 1].isdigit()
             and text[parts[i - 1][1] - 1:parts[i - 1][1]].isdigit()) for i, (a, b) in enumerate(parts)]


def join_kerned(values: list[Token]) -> list[Token] | None:
    """The values with each tight one (see Token.tight) joined to the number before it, or None
    where no two whole numbers are tight."""
    out: list[Token] = []
    joined = False
    for tok in values:
        prev = out[-1] if out else None
        # digits only: a look-alike read as a digit, a sign or a decimal point is no kerning
        if (tok.tight and prev is not None and prev.row == tok.row and prev.is_value and tok.is_value
                and prev.text.isdigit() and tok.text.isdigit() and not prev.text.startswith("0")):
            text = prev.text + tok.text
            out[-1] = replace(prev, text=text, value=Value(int(text), f"{prev.value.raw} {tok.value.raw}", corrected=True))
            joined = True
        else:
            out.append(tok)
    return out if joined else None


def document_tokens(doc: Document, row_labels: Iterable[str] = (), col_labels: Iterable[str] = ()) -> list[Token]:
    """row_labels: the form's printed row labels, for telling apart the labels of a cell that a
    lost ruling merged over several rows (see _merged_labels); col_labels: its column headers (see
    _header_over_value)."""
    headers = tuple(col_labels)
    known = frozenset(label_key(label) for label in (*row_labels, *_HEADER_LABELS))
    stream = _Stream()
    for block in doc.blocks:
        if isinstance(block, Paragraph):
            for line in block.text.split("\n"):
                stream.new_row()
                stream.add_text(line, exact=False, blank_is_value=False, page=block.page, bbox=block.bbox)
        elif isinstance(block, Table):
            exact = block.origin in EXACT_ORIGINS
            lost = exact and _lost_label_ruling(block, known)
            kinds = _row_kinds(block)
            unsure = _rows_of_an_unsplit_label(block, known, kinds)
            later: dict[int, list[Cell]] = {}  # row -> labels of a merged label cell for that row
            for r in range(block.n_rows):
                stream.new_row()
                row_start = len(stream.tokens)
                cells = _label_set_apart(sorted([*later.pop(r, []), *block.row_cells(r)], key=lambda c: c.col), known)
                after_row: list[Cell] = []
                stacked = (_header_then_label(cells[0], known)
                           if exact and cells and _over_blank_rows(block, cells[0]) else None)
                if stacked:
                    cells = _first_row_under_header(stream, cells, stacked)
                for cell in cells:
                    over = _header_over_value(cell, headers) if exact else None
                    if over:
                        cell = replace(cell, text=over[0], rowspan=1)
                        later.setdefault(r + 1, []).append(
                            replace(cell, row=r + 1, text=over[1], score=_run_on_score(over[1], cell.score)))
                    run_on = _label_value_heading(cell, cells, known) if exact else None
                    if run_on:
                        label, value, next_heading = run_on
                        _add_label_and_value(stream, cell, exact, label, value)
                        after_row.append(replace(cell, text=next_heading, rowspan=1))
                        continue
                    heading = _VALUE_THEN_HEADING.match(_unkerned(cell.text)) if exact and cell.col > 0 else None
                    if heading:
                        # the value stays in its row; the heading opens the next section, after it
                        after_row.append(replace(cell, text=heading.group("heading"), rowspan=1))
                        cell = replace(cell, text=heading.group("value"), rowspan=1,
                                       score=_run_on_score(heading.group("value"), cell.score))
                    parts = _merged_labels(cell, known, kinds)
                    if parts:
                        cell = replace(cell, text=parts[0], rowspan=1)
                        for i, part in enumerate(parts[1:], 1):
                            if part:
                                later.setdefault(r + i, []).append(replace(cell, row=r + i, text=part))
                    if cell.row in unsure and cell.col > 0:
                        cell = replace(cell, score=min(cell.score, _GLUED_SCORE))
                    _add_cell(stream, cell, exact, cells, block.n_cols, known if lost else frozenset())
                _speck_after_figures(stream.tokens, row_start)
                for cell in after_row:
                    _add_cell(stream, cell, exact)
    return join_wrapped_labels(stream.tokens, known)


def _speck_after_figures(tokens: list[Token], start: int) -> None:
    """A table row's cell read "2." among its figures, after its label: a 2 and a speck OCR took
    for a point, not a list's number (that opens its row, or stands before its label), so a
    figure, corrected. Only values follow it in the row, and the row prints another."""
    for i in range(start + 1, len(tokens)):
        tok = tokens[i]
        if (not tok.is_value and _ENUMERATOR_ONLY.match(tok.text.strip())
                and all(t.is_value for t in tokens[i + 1:])
                and any(t.is_value and t.value.number is not None for t in tokens[start:] if t is not tok)):
            number = int(re.match(r"\d+", tok.text.strip()).group())
            tokens[i] = replace(tok, value=Value(number, tok.text.strip(), corrected=True))


def _label_set_apart(cells: list[Cell], known: frozenset[str]) -> list[Cell]:
    """A row's cells with a label of the form that the table set in two cells side by side made one
    again: where neither part is a label alone and together they are one. A table rebuilt without
    rulings puts a label's two lines in one row, and its shorter line, centred under the longer one,
    in the next column ('5.要求行政机关确认或重新' | '出具已获取信息'); read apart, the first matched
    no row well and the values went with the second, which matched none."""
    for k in range(len(cells) - 1):
        a, b = cells[k], cells[k + 1]
        first, second = a.text.strip(), b.text.strip()
        if (first and second and parse_value(first) is None and parse_value(second) is None
                and label_key(first + second) in known and label_key(first) not in known
                and label_key(second) not in known):
            joined = replace(a, text=first + second, colspan=b.col + b.colspan - a.col,
                             score=min(a.score, b.score))
            return [*cells[:k], joined, *cells[k + 2:]]
    return cells


def _unkerned(text: str) -> str:
    """A cell's text on one line, without the spaces a fax's kerning put between digits ('1 2 3 4'):
    for the patterns below, where a cell holds one number beside a label or heading."""
    return re.sub(r"(?<=\d)\s+(?=\d)", "", text.replace("\n", "").strip())


def _label_value_heading(cell: Cell, row: list[Cell], known: frozenset[str]) -> tuple[str, str, str] | None:
    """A row's label, its one value and the next section's heading in one cell (a fax lost the
    ruling after the label and the one under the row): the three, or None. Only a form label at
    the row's start with nothing else printed in the row: then the number can be no other cell's."""
    if cell.col != 0 or any(c.text.strip() for c in row if c is not cell):
        return None
    m = _LABEL_VALUE_HEADING.match(_unkerned(cell.text))
    if not m or label_key(m.group("label")) not in known:
        return None
    return m.group("label"), m.group("value"), m.group("heading")


def _run_on_score(value: str, score: float) -> float:
    """The score of a value read in one cell with the header or heading above or below it, where the
    ruling between them was lost. No header or heading ends or starts with a digit, so where the
    value stands in the text is certain, and the cell's score (its words' least) is the digits'
    own. A lone 1 is doubted: a piece of a vertical ruling reads as one."""
    return min(score, _GLUED_SCORE) if value.strip() == "1" else score


def _header_over_value(cell: Cell, headers: tuple[str, ...]) -> tuple[str, str] | None:
    """A column header and the value under it in one cell spanning their two rows (a fax lost the
    ruling between them: '本年制发件数3'): the header and the value, or None. No header of the
    form ends in a digit, so the number is the next row's."""
    if cell.col == 0 or cell.rowspan != 2 or not headers:
        return None
    m = _HEADER_THEN_VALUE.match(_unkerned(cell.text))
    if not m or not any(match_label(m.group("header"), h) for h in headers):
        return None
    return m.group("header"), m.group("value")


def _glued(text: str, known: frozenset[str]) -> re.Match | None:
    """A form label (one of `known`, by label_key) with a value run into it."""
    m = _GLUED_VALUE.match(text.replace("\n", ""))
    return m if m and label_key(m.group("label")) in known else None


def _lost_label_ruling(block: Table, known: frozenset[str]) -> bool:
    """Whether the table lost the ruling after its labels on every row (faint in a photo or a poor
    scan, so the grid has one column fewer): two or more of its cells are a form label with a value
    run into it that no piece of ruling could be (a piece of ruling reads as a lone 1)."""
    found = 0
    for cell in block.cells:
        m = _glued(cell.text, known)
        found += bool(m and m.group("value") != "1")
    return found >= 2


def _between_numbers(cell: Cell, row: list[Cell]) -> bool:
    """Whether the nearest printed cells left and right of `cell` in its row are both numbers."""
    printed = [c for c in row if c.text.strip()]
    left = [c for c in printed if c.col < cell.col]
    right = [c for c in printed if c.col > cell.col]
    return bool(left and right) and all(
        (v := parse_value(c.text)) is not None and v.number is not None for c in (left[-1], right[0]))


def _shifted_left(values: list[Cell], n_cols: int) -> bool:
    """Whether the value cells after a label may stand one cell to the left: the last column (the
    row's total) is empty, or held by a cell from a row above, while some other is printed. A row
    of all blanks is not shifted: a digit after its label is rather a piece of a broken ruling
    read as 1."""
    texts = [c.text.strip() for c in values]
    if values and max(c.col + c.colspan for c in values) < n_cols:
        texts.append("")
    return len(texts) >= 3 and not texts[-1] and any(texts[:-1])


def _merged_labels(cell: Cell, known: frozenset[str] = frozenset(), kinds: _RowKinds | None = None) -> list[str] | None:
    """A label cell spanning k rows that holds k labels (the ruling between them was lost, in a
    scan most often): the labels, one per row it spans ('' for a row it names none of); else None.
    The labels are told apart by their enumerators (四、… （七）… 5. …) or, unnumbered, as k of the
    form's labels (`known`, by label_key) run together; or the cell is a header over header rows
    with the first row's label run on (_header_over_label)."""
    if cell.rowspan < 2 or parse_value(cell.text.strip()) is not None:
        return None
    text = cell.text.replace("\n", "")
    for parts in (split_labels(text), split_numbered_labels(text)):
        if len(parts) == cell.rowspan:
            return parts
    return (split_known_labels(text, known, cell.rowspan)
            or split_known_labels(text, known, cell.rowspan, unnumbered=True)
            or (split_with_misread(text, known) if cell.rowspan == 2 else None)
            or (_header_over_label(cell, text, known, kinds) if kinds is not None else None))


@dataclass(frozen=True)
class _RowKinds:
    """What a table's rows hold, by row: a cell with a number anchored there (`numbered`); a label
    covering it that reaches right of the first column, a wrapped or merged one too (`labelled`); a
    label in a column right of the first (`headed`: a header row's, not a first-column label's)."""
    numbered: frozenset[int]
    labelled: frozenset[int]
    headed: frozenset[int]


def _row_kinds(block: Table) -> _RowKinds:
    numbered: set[int] = set()
    labelled: set[int] = set()
    headed: set[int] = set()
    for c in block.cells:
        text = c.text.strip()
        if not text:
            continue
        if parse_value(text) is not None:
            numbered.add(c.row)
            continue
        covered = range(c.row, c.row + c.rowspan)
        if c.col + c.colspan > 1:
            labelled.update(covered)
        if c.col > 0:
            headed.update(covered)
    return _RowKinds(frozenset(numbered), frozenset(labelled), frozenset(headed))


def _header_over_label(cell: Cell, text: str, known: frozenset[str], kinds: _RowKinds) -> list[str] | None:
    """A first-column cell over the header rows that took in the first row's label: table 3's
    corner (the 2021 form prints a note there, 本列数据的勾稽关系为…; the 2019 form's is blank) and
    一、本年新收政府信息公开申请数量 in one cell, where a fax lost the ruling under the corner. The
    label is a form label ending the text, and the last row the cell spans is the only one with a
    number: its values are that label's. The rows above are headers (a label beside the cell in
    each), not rows printing their zeros blank, whose label it could be."""
    if cell.col != 0:
        return None
    last = cell.row + cell.rowspan - 1
    if last not in kinds.numbered or any(r in kinds.numbered for r in range(cell.row, last)):
        return None
    if last in kinds.headed or not all(r in kinds.headed for r in range(cell.row, last)):
        return None  # the last row has a label of its own, or a row above is a row of blanks
    key = label_key(text)
    label = max((k for k in known - _HEADER_KEYS if key.endswith(k)), key=len, default=None)
    if label is None:
        return None
    # the label with its enumerator (一、), the note before it; a blank corner (the 2019 form's)
    # leaves no note
    cut = next((i for i in range(len(text) - 1, -1, -1) if label_key(text[i:]) == label), None)
    if cut is None:
        return None
    return [text[:cut], *[""] * (cell.rowspan - 2), text[cut:]]


def _rows_of_an_unsplit_label(block: Table, known: frozenset[str], kinds: _RowKinds) -> set[int]:
    """The rows of a label cell spanning several, where one of them prints values but no label of
    its own and the cell does not split into a label per row (_merged_labels): a lost ruling merged
    two labels, misread past telling apart. Which row the label names is not known, so the values
    of all of them are doubted. (A group label over its items' own labels is no such cell.)"""
    out: set[int] = set()
    for cell in block.cells:
        if cell.col != 0 or cell.rowspan < 2 or cell.blank or parse_value(cell.text.strip()) is not None:
            continue
        rows = range(cell.row, cell.row + cell.rowspan)
        if (any(r in kinds.numbered and r not in kinds.labelled for r in rows[1:])
                and not _merged_labels(cell, known, kinds)):
            out.update(rows)
    return out


def _header_then_label(cell: Cell, known: frozenset[str]) -> list[str] | None:
    """A first-column cell holding the header's label and the first row's (信息内容 / 规章: the
    rulings under the header were lost, so the header rows and the first row are one grid row)."""
    if cell.col != 0 or parse_value(cell.text.strip()) is not None:
        return None
    parts = split_known_labels(cell.text.replace("\n", ""), known, 2)
    if parts:
        return parts if parts[0] in _HEADER_KEYS and parts[1] not in _HEADER_KEYS else None
    # the row's label misread (行政事党性收费 from a fax): the header exactly, then a form label
    key = label_key(cell.text)
    head = next((h for h in _HEADER_KEYS if key.startswith(h) and len(key) - len(h) >= 2), None)
    rest = key[len(head):] if head else ""
    return [head, rest] if head and any(match_label(rest, k) for k in known - _HEADER_KEYS) else None


def _over_blank_rows(block: Table, cell: Cell) -> bool:
    """Whether the rows a cell spans below its own hold nothing (a fax's merged cell over an empty
    row). Where they hold values, the cell's labels are one per row (_merged_labels)."""
    return all(c.blank for r in range(cell.row + 1, cell.row + cell.rowspan) for c in block.row_cells(r))


def _first_row_under_header(stream: _Stream, cells: list[Cell], labels: list[str]) -> list[Cell]:
    """A row holding the header's row and the first row (_header_then_label): the header's labels go
    to the stream first, as a header row of their own; the cells keep the first row's parts (its
    label, and the value under each column header: 本年新制作数量0 -> 0)."""
    heads, rest = [labels[0]], [replace(cells[0], text=labels[1])]
    for cell in cells[1:]:
        m = _HEADER_THEN_VALUE.match(_unkerned(cell.text))
        if m:
            heads.append(m.group("header"))
            cell = replace(cell, text=m.group("value"), score=_run_on_score(m.group("value"), cell.score))
        elif not cell.blank and parse_value(cell.text.strip()) is None:
            heads.append(cell.text)  # a header with the first row's cell under it printed blank
            cell = replace(cell, text="", score=min(cell.score, _GLUED_SCORE))
        rest.append(cell)
    for head in heads:
        stream.add_text(head, exact=True, blank_is_value=True, page=cells[0].page, bbox=cells[0].bbox)
    stream.new_row()
    return rest


def _add_cell(stream: _Stream, cell: Cell, exact: bool, row: list[Cell] = (), n_cols: int = 0,
              lost_after: frozenset[str] = frozenset()):
    """`row`: the cells of the cell's row, by column, and the table's `n_cols`. `lost_after`: the
    form's label keys, where the table lost the ruling after its labels (_lost_label_ruling)."""
    # A cell's lines are one label: vertical text and wrapped labels join without spaces.
    text = cell.text.replace("\n", "" if not re.search(r"\d\s*\n\s*\d", cell.text) else " ")
    if _ONE_CHARACTER.fullmatch(text.strip()) and parse_value(text) is None:
        before = [parse_value(c.text.strip()) for c in row if c.col < cell.col and c.text.strip()]
        if None in before and not (exact and _count_in_words(text) is not None
                                   and any(v and v.number is not None for v in before)):
            # a piece of a group label after the row's own label (no form label is one character);
            # not a count in words after the row's first figures (三 under 总计)
            return
    group = _GROUP_THEN_ITEM.match(text.strip())
    if group:
        for part in (group.group("group"), group.group("item")):
            stream.add_text(part, exact=exact, blank_is_value=True, page=cell.page, bbox=cell.bbox, score=cell.score)
        return
    if exact and re.fullmatch(r"[\d\s,]*\d[\d\s,]*", text):
        text = re.sub(r"\s+", "", text)  # one cell holds one number: spaces are kerning
    if exact and text.strip() in _LOOKALIKES and parse_value(text) is None and _between_numbers(cell, row):
        # a letter alone that reads as no number on its own (G, b, g, q), between two cells of numbers:
        # a digit misread (a fax's 6 as G), read as that digit and doubted; it holds its column, where
        # as a label it ended the row
        stream.add_text(text.strip().translate(_LOOKALIKE), exact=exact, blank_is_value=True, page=cell.page,
                        bbox=cell.bbox, score=min(cell.score, _GLUED_SCORE))
        return
    glued = _GLUED_VALUE.match(text) if exact else None
    if glued and (_shifted_left([c for c in row if c.col > cell.col], n_cols)
                  or label_key(glued.group("label")) in lost_after):
        # No label of the form ends in a digit, and the row's last cell is empty (or the table lost
        # that ruling on every row): the ruling after the label was lost and the first value ran
        # into its cell. The value is the row's first, read with a low score.
        _add_label_and_value(stream, cell, exact, glued.group("label"), glued.group("value"))
        return
    stream.add_text(text, exact=exact, blank_is_value=True, page=cell.page, bbox=cell.bbox, score=cell.score,
                    quiet_row=cell.quiet_row)


def _add_label_and_value(stream: _Stream, cell: Cell, exact: bool, label: str, value: str) -> None:
    """A label and the value a lost ruling ran into its cell: the value doubted, since the cell's
    reading does not say where one ends and the other begins."""
    stream.add_text(label, exact=exact, blank_is_value=True, page=cell.page, bbox=cell.bbox, score=cell.score)
    stream.add_text(value, exact=exact, blank_is_value=True, page=cell.page, bbox=cell.bbox,
                    score=min(cell.score, _GLUED_SCORE))
