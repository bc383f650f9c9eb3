"""Row labels that converted text wrapped over two or three lines, joined again.

A converter breaks a long label cell where the cell broke it: "5．要求行政机关确认或重新" over
"出具已获取信息", or the 2021 form's （六） sub-rows over three lines. The row's numbers stay on any
of those lines, or follow one to a line. A layout-keeping converter also sets the characters of a
group label printed down the first column ("其他处" / "理") at the start of the lines they stand
beside, or on lines of their own between the label's lines. Lines are joined only where the joined
text is a row label of the form and no part of it is one by itself."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Iterator, Sequence

from .labels import label_key, split_enumerator

if TYPE_CHECKING:
    from .tokens import Token

# a group label's characters before a row label on the same line, set apart by spaces (one to
# three pieces: "度办  供  3.补正后…", the pieces of two group labels side by side)
_GROUP_BEFORE = re.compile(r"^(?P<group>[\u4e00-\u9fff（）()]{1,4}(?:\s+[\u4e00-\u9fff（）()]{1,4}){0,2})\s+(?P<rest>\S.*)$")


@dataclass(frozen=True)
class _Line:
    """A label line's text, without the group characters a converter set before it."""
    text: str
    group: str = ""


def _readings(text: str) -> list[_Line]:
    """The text whole, and without the group label's characters it opens with (where it does):
    without them first where a row label's number follows them."""
    m = _GROUP_BEFORE.match(text.strip())
    if not m:
        return [_Line(text)]
    whole, rest = _Line(text), _Line(m.group("rest"), m.group("group"))
    return [rest, whole] if split_enumerator(rest.text)[0] is not None else [whole, rest]


def join_wrapped_labels(tokens: Sequence[Token], known: frozenset[str]) -> list[Token]:
    """The tokens with each wrapped label joined into one token on its first line; the values stay
    where they were in the stream (a label ending its line takes the values after it). known:
    label_key of each form label."""
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        wrapped = _wrapped(tokens, i, known)
        if wrapped is not None:
            joined, i = wrapped
            out += joined
            continue
        tok = tokens[i]
        head = _head_before_values(out, tok, tokens[i + 1] if i + 1 < len(tokens) else None)
        if head is not None:
            joined = _joined(out[head], [out[head].text, tok.text], [[], []], known, _is_tail)
            if joined is not None:
                # the numbers stayed on the head's line; the tail is alone on the next
                out[head:head + 1] = joined
                i += 1
                continue
        out += _group_apart(tok, i == 0 or tokens[i - 1].row != tok.row)
        i += 1
    return out


def _group_apart(tok: Token, starts_line: bool) -> list[Token]:
    """A line opening with a group label's characters before a numbered row label ("理    3.其他"):
    the two as tokens of their own, so that the row label matches as printed."""
    m = _GROUP_BEFORE.match(tok.text.strip()) if starts_line and not tok.is_value and not tok.exact else None
    if m is None or split_enumerator(m.group("rest"))[0] is None:
        return [tok]
    return [replace(tok, text=m.group("group")), replace(tok, text=m.group("rest"))]


def _wrapped(tokens: Sequence[Token], i: int, known: frozenset[str]) -> tuple[list[Token], int] | None:
    """A label alone on its line and wrapped onto the next one or two: the joined label (after any
    group characters) and its values, and where to go on. The row's values are on one line: a
    later line of the label, a line of their own between two of its lines (a converter keeping the
    layout sets numbers centred beside a two-line label between them), or after the label one to a
    line; over three lines, a row of blank cells may print none. A line of group characters may
    stand between the label's lines (or be the label's own last characters: each way is tried)."""
    tok = tokens[i]
    if tok.is_value or tok.exact or (i > 0 and tokens[i - 1].row == tok.row) or not _may_start(tok.text, known):
        return None
    runs = sorted(_continuations(tokens, i + 1, tok.row + 1, known, _MOST_LINES - 1), key=lambda run: len(run[0]))
    for nexts, values, end in runs:
        if len(nexts) < 2:
            continue
        values_after = end < len(tokens) and tokens[end].is_value
        if sum(bool(line) for line in values) + values_after > 1:
            continue  # values on two lines: the last line is a row of its own
        joined = _joined(tok, [tok.text, *(tokens[n.at].text for n in nexts)], [[], *(n.groups for n in nexts)],
                         known, _is_whole_label)
        if joined is not None:
            return [*joined, *(t for line in values for t in line)], end
    seconds = [nexts[0] for nexts, _, _ in runs if len(nexts) == 1]
    for second in seconds:
        values_after = second.at + 1 < len(tokens) and tokens[second.at + 1].is_value
        if values_after and second.values_before:
            continue
        # without values (a row of blank cells, one cell to a line) only a whole label is joined
        fits = _is_tail if values_after or second.values_before else _is_whole_label
        joined = _joined(tok, [tok.text, tokens[second.at].text], [[], second.groups], known, fits)
        if joined is not None:
            return [*joined, *second.values_before], second.at + 1
    return None


# lines of one label: a narrow first column wraps （六）'s first item over four or five
_MOST_LINES = 5


def _continuations(tokens: Sequence[Token], j: int, row: int, known: frozenset[str],
                   most: int) -> Iterator[tuple[list[_NextLine], list[list[Token]], int]]:
    """Each way a label's further lines may run from tokens[j] on line `row`, one line to `most`:
    the lines, the values met on the way (before each line, and on it), and where they end."""
    for line in _next_lines(tokens, j, row, known):
        end = _values_end(tokens, line.at + 1, tokens[line.at].row)
        values = [line.values_before, list(tokens[line.at + 1:end])]
        yield [line], values, end
        if most > 1 and end < len(tokens):
            for more, more_values, more_end in _continuations(tokens, end, tokens[end - 1].row + 1, known, most - 1):
                yield [line, *more], [*values, *more_values], more_end


def _values_end(tokens: Sequence[Token], j: int, row: int) -> int:
    """The index after the values from tokens[j] on line `row`."""
    while j < len(tokens) and tokens[j].is_value and tokens[j].row == row:
        j += 1
    return j


@dataclass(frozen=True)
class _NextLine:
    at: int  # the index of the line's label
    groups: list[str]  # the group characters on the lines passed to reach it
    values_before: list[Token]  # the values of a line of values passed


def _next_lines(tokens: Sequence[Token], j: int, row: int, known: frozenset[str]) -> Iterator[_NextLine]:
    """Each way the next line of a wrapped label may be reached from tokens[j] on line `row`:
    directly, past a line of values only, or past lines that hold only a few characters of a
    group label printed down the first column (（ / 六 / ）, 他处理)."""
    values: list[Token] = []
    k = _values_end(tokens, j, row)
    if k - j >= 2 and k < len(tokens) and tokens[k].row == row + 1:
        values, j, row = list(tokens[j:k]), k, row + 1
    passed: list[str] = []
    while j < len(tokens) and tokens[j].row == row and not tokens[j].is_value and not tokens[j].exact:
        yield _NextLine(j, list(passed), values)
        if (len(passed) == _MAX_GROUP_LINES or j + 1 >= len(tokens) or tokens[j + 1].row == row
                or not _group_characters(tokens[j].text, known)):
            return
        passed.append(tokens[j].text.strip())
        j, row = j + 1, row + 1


# between two lines of a label, a group label printed down the first column shows a character or two
_MAX_GROUP_LINES = 2


def _group_characters(text: str, known: frozenset[str]) -> bool:
    key = label_key(text)
    return len(key) <= 3 and not any(ch.isdigit() for ch in key) and key not in known


def _joined(first: Token, texts: list[str], groups: list[list[str]], known: frozenset[str], fits) -> list[Token] | None:
    """The lines' texts joined into one label token on the first line's row, where `fits` accepts
    them. Group characters at a line's start are left out of the label where it fits without them
    (a fit goes by the label's end, so "其他处 2.申请人…" fits either way); they are kept as a token
    of their own before it, with those of the group lines passed before each text (`groups`)."""
    options: list[list[_Line]] = [[]]
    for text in texts:
        options = [[*acc, line] for acc in options for line in _readings(text)]
    for lines in options:
        if fits([line.text for line in lines], known):
            label = replace(first, text="".join(line.text for line in lines))
            group = "".join("".join(before) + line.group for before, line in zip(groups, lines))
            return [replace(first, text=group), label] if group else [label]
    return None


def _head_before_values(out: list[Token], tail: Token, after: Token | None) -> int | None:
    """Where `tail` is a label alone on its line right after a line of a label and its values: the
    index in `out` of that label."""
    if (tail.is_value or tail.exact or not out or not out[-1].is_value or out[-1].row != tail.row - 1
            or (after is not None and after.row == tail.row)):
        return None
    j = len(out) - 1
    while j >= 0 and out[j].is_value and out[j].row == tail.row - 1:
        j -= 1
    if j < 0 or out[j].is_value or out[j].exact or out[j].row != tail.row - 1:
        return None
    return j


@lru_cache(maxsize=8)
def _label_ends(known: frozenset[str]) -> frozenset[str]:
    """Each of the form's labels, and each less up to its last few characters (a label's last
    characters may wrap onto a line of their own: "…政府信息公开" / "申请")."""
    return frozenset(k[:len(k) - cut] for k in known for cut in range(min(4, len(k) // 4) + 1))


@lru_cache(maxsize=8)
def _label_starts(known: frozenset[str]) -> frozenset[str]:
    return frozenset(k[:n] for k in known for n in range(1, len(k) + 1))


def _may_start(text: str, known: frozenset[str]) -> bool:
    """Whether a form label may start in `text`: some end of it opens one."""
    key, starts = label_key(text), _label_starts(known)
    return any(key[n:] in starts for n in range(len(key)))


def _ends_with(joined: str, labels, longer_than: int) -> bool:
    """Whether `joined` ends with one of `labels` longer than `longer_than` characters."""
    return any(joined[-n:] in labels for n in range(longer_than + 1, len(joined) + 1))


def _is_tail(texts: list[str], known: frozenset[str]) -> bool:
    """Whether the two texts together end with a row label of the form (or all of it but its last
    few characters) that starts in the first, and neither is one by itself (a group label such as
    （六）其他处理 may stand before it)."""
    h, t = (label_key(text) for text in texts)
    if not h or not t or h in known or t in known:
        return False
    return _ends_with(h + t, _label_ends(known), len(t))


def _is_whole_label(texts: list[str], known: frozenset[str]) -> bool:
    """Whether the lines together end with a whole row label of the form that starts in the first,
    while no line, and no two neighbouring lines of three, is a row label by itself."""
    keys = [label_key(text) for text in texts]
    pairs = [a + b for a, b in zip(keys, keys[1:])] if len(keys) > 2 else []
    if not all(keys) or any(k in known for k in (*keys, *pairs)):
        return False
    joined = "".join(keys)
    return _ends_with(joined, known, len(joined) - len(keys[0]))
