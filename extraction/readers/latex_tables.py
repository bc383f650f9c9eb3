"""LaTeX tables among a converter's lines (Nougat's and Mathpix's Markdown write tables as
`tabular`), as the HTML table they describe, so the text reader reads them as it reads MinerU's:
a grid with its merged cells.

A `tabular` separates cells with `&` and rows with `\\\\`, merges across columns with
`\\multicolumn{n}{spec}{text}` and down rows with `\\multirow{n}{width}{text}`, whose rows below keep
an empty cell in its place (HTML leaves that place out). Rules (`\\hline`, `\\cline{}`, booktabs'
rules) carry nothing the grid needs.
"""
from __future__ import annotations

import html
import re

# tabular and the environments that extend it: a width first (tabular*, tabularx, tabulary), or
# pages to run over (longtable: pandoc's LaTeX)
TABULAR = re.compile(r"\\begin\{(tabular\*?|tabularx|tabulary|longtable\*?)\}.*?\\end\{\1\}", re.S)
_WIDTH_FIRST = ("tabular*", "tabularx", "tabulary")
# the float a tabular often stands in, and its placement, which are no text of the report
TABLE_FLOAT = re.compile(r"\\(?:begin|end)\{table\*?\}(?:\[[a-zA-Z!]*\])?|\\centering\b")
_RULES = re.compile(r"\\(?:hline|toprule|midrule|bottomrule|endhead|endfoot|endlastfoot|endfirsthead|noalign\{\}|"
                    r"caption\{[^}]*\})|\\(?:cline|cmidrule|hhline)"
                    r"(?:\([^)]*\))?\{[^}]*\}")
_ESCAPED = re.compile(r"\\([%&_#${}])")
# a box inside a cell (pandoc's header cells: \begin{minipage}[b]{\linewidth}\raggedright ...)
_ENVIRONMENT = re.compile(r"\\(?:begin|end)\{[a-zA-Z*]+\}(?:\[[^\]]*\])?(?:\{(?:[^{}]|\{[^{}]*\})*\})?")
_COMMAND = re.compile(r"\\[a-zA-Z]+\*?(?:\[[^\]]*\])?")


def _group(src: str, at: int) -> tuple[str, int]:
    """The braced group opening at `at` (skipping spaces): its inside and the index after it."""
    while at < len(src) and src[at].isspace():
        at += 1
    if at >= len(src) or src[at] != "{":
        # a one-token argument (\multirow{2}*{...})
        return (src[at], at + 1) if at < len(src) else ("", at)
    depth = 0
    for i in range(at, len(src)):
        if src[i] == "\\":
            continue
        if src[i] == "{" and (i == 0 or src[i - 1] != "\\"):
            depth += 1
        elif src[i] == "}" and src[i - 1] != "\\":
            depth -= 1
            if depth == 0:
                return src[at + 1:i], i + 1
    return src[at + 1:], len(src)


def _split_top(src: str, sep: str) -> list[str]:
    """`src` split at `sep` where it stands outside braces and is not escaped."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(src):
        ch = src[i]
        if ch == "\\" and not src.startswith(sep, i):
            i += 2  # an escaped character, or a command's backslash
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif depth == 0 and src.startswith(sep, i):
            parts.append(src[start:i])
            i += len(sep)
            start = i
            continue
        i += 1
    parts.append(src[start:])
    return parts


def _text(src: str) -> str:
    """A cell's text: escapes undone, commands (\\textbf, \\makecell, a line break) taken out."""
    src = _ENVIRONMENT.sub("", src.replace("\\\\", ""))
    src = _ESCAPED.sub(lambda m: "\ue001" + m.group(1), src)
    src = _COMMAND.sub("", src).replace("{", "").replace("}", "").replace("~", " ")
    return re.sub(r"\s+", " ", src.replace("\ue001", "")).strip()


def _cell(src: str) -> tuple[str, int, int]:
    """A cell's text, rowspan and colspan."""
    src = src.strip()
    rowspan = colspan = 1
    for _ in range(2):  # \multicolumn{..}{..}{\multirow{..}{..}{..}}, or the other way round
        if m := re.match(r"\\multicolumn\s*", src):
            n, at = _group(src, m.end())
            _, at = _group(src, at)
            src, _ = _group(src, at)
            colspan = _count(n)
        elif m := re.match(r"\\multirow\s*(?:\[[^\]]*\])?", src):
            n, at = _group(src, m.end())
            _, at = _group(src, at)
            src, _ = _group(src, at)
            rowspan = _count(n)
        src = src.strip()
    return _text(src), rowspan, colspan


def _count(text: str) -> int:
    try:
        return max(1, abs(int(float(text.strip()))))
    except ValueError:
        return 1


def tabular_as_html(src: str) -> str:
    """A `tabular` environment as an HTML <table> with rowspan and colspan."""
    env = re.match(r"\s*\\begin\{([^}]*)\}", src).group(1)
    body = src.strip()[len(env) + 8:-(len(env) + 6)]  # \begin{env} ... \end{env}
    if env in _WIDTH_FIRST:
        _, at = _group(body, 0)  # the width
        body = body[at:]
    if re.match(r"\s*\[[a-z]*\]", body):  # the vertical position (a longtable's alignment)
        body = body[body.index("]") + 1:]
    _, at = _group(body, 0)  # the columns' spec
    # a longtable's header again for its next pages, and its foot, are no rows of the table
    body = re.sub(r"\\endfirsthead.*?\\endhead", "", body[at:], flags=re.S)
    body = _RULES.sub("", body.replace("\\tabularnewline", "\\\\"))
    rows = [_split_top(row, "&") for row in _split_top(body, "\\\\")]
    covered: dict[int, int] = {}  # column -> the last row a \multirow above covers
    out = []
    for r, row in enumerate(rows):
        row = [re.sub(r"^\s*\[[^\]]*\]", "", row[0]), *row[1:]]  # \\[2pt]: the space after a row
        if len(row) == 1 and not row[0].strip():
            continue
        tds, col = [], 0
        for raw in row:
            text, rowspan, colspan = _cell(raw)
            held = all(covered.get(col + k, -1) >= r for k in range(colspan))
            if held and not text and rowspan == 1:
                col += colspan  # the empty place a merged cell above keeps
                continue
            while covered.get(col, -1) >= r:
                col += 1  # a writer that leaves that place out
            attrs = (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (f' colspan="{colspan}"' if colspan > 1 else "")
            tds.append(f"<td{attrs}>{html.escape(text)}</td>")
            for k in range(colspan):
                if rowspan > 1:
                    covered[col + k] = r + rowspan - 1
            col += colspan
        out.append("<tr>" + "".join(tds) + "</tr>")
    return "<table>" + "".join(out) + "</table>"
