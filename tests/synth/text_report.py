"""A `Report` rendered as the damaged text that converters, copy-paste and OCR hand us.

Nine shapes, after the seeds (SPEC.md), their natural variations, and the other ways a table
leaves a converter as text:

- ``markdown``: pipe tables from a PDF converter — table 3 split in two, rows under a group label
  shifted left (their empty leading cells lost, padding at the end), empty spacer columns,
  ``#`` headings and ``**bold**``.
- ``tsv``: tab-separated cells — header cells broken across lines or by a space, blank cells as
  empty fields, trailing tabs.
- ``per_line``: one cell per line with blank lines between, vertical headers one character per
  line, traditional characters with pinyin glosses after some characters (號(hào)), spam lines
  after the report.
- ``ocr``: tab-separated OCR of a scan — rows printing fewer numbers than columns, the vertical
  label 三、本年度办理结果 broken over several rows' cells with stray characters, ``(-)`` for
  （一）, look-alike letters in numbers (O for 0), table 3's header lost, spaces inside labels.
- ``csv``: a spreadsheet's comma-separated export between the prose: fields quoted where they hold
  a comma, numbers of four digits or more sometimes printed with thousands separators ("1,418").
- ``aligned``: columns set out with spaces (a fixed-width export, a table typed into a .txt), CJK
  characters two columns wide; a header cell sometimes broken by a space.
- ``box``: box-drawing tables (┌─┬─┐ │ ├─┼─┤), or the full-width bar ｜ as the cell separator.
- ``html_tables``: Markdown whose tables are HTML among its lines, merged cells as rowspan and
  colspan (MinerU's output): each table on one line or over several, often wrapped in
  <html><body>, table 3 sometimes split in two where a page broke it.
- ``repeated_spans``: Markdown pipe tables that repeat a merged cell's text in every place it
  covers (docling's export): labels across columns and down rows, a figure under a header merged
  over two columns twice.
- ``grid_wrapped``: pandoc's grid tables (+---+, the header closed by +===+), a rule between
  every two rows, each column's text wrapped to its width so that a row runs over several lines
  (pandoc wraps a table to its --columns).
- ``grid_spans``: pandoc's grid tables as pandoc 3.7 writes them, merged cells kept as spans: a
  merged cell's box crosses the rules and bars of the places it covers, cells wrapped.
- ``latex_tabular``: Markdown whose tables are LaTeX tabulars (Nougat's and Mathpix's output):
  tabular, tabularx or pandoc's longtable (its header again for the next pages), merged cells as
  \\multicolumn and \\multirow, the rows under a \\multirow keeping an empty place,
  \\hline rules or none, sometimes inside a table float, a row a line or all on one line.

The meta block varies too: CMS field lines (发布日期), a browser's date header, titles broken
across lines or without the agency (the signature names it), dates in Chinese numerals.

`TextReport.answer` stays right under every damage: a cell dropped from a row keeps its true value
(the form's rules may recover it); a cell printed blank is None; a misread-looking print keeps
its value. Everything is deterministic by seed.
"""
from __future__ import annotations

import csv
import io
import random
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from extraction.model import Table
from tests.synth.form import (
    Report,
    T4_GROUPS,
    T4_PARTS,
    build_report,
    printed_date,
    synth_answers,
)

SHAPES = ("markdown", "tsv", "per_line", "ocr", "csv", "aligned", "box", "html_tables", "repeated_spans",
          "grid_wrapped", "latex_tabular", "grid_spans", "multiline", "simple")
_KEEPS_BLANKS = ("markdown", "tsv", "csv", "box", "html_tables", "repeated_spans", "grid_wrapped", "latex_tabular",
                 "grid_spans", "multiline", "simple")
_MARKDOWN = ("markdown", "html_tables", "repeated_spans", "grid_wrapped", "latex_tabular", "grid_spans", "multiline",
             "simple")

# Glosses as the seed pages print them after traditional characters.
_PINYIN = {
    "個": "gè", "內": "nèi", "創": "chuàng", "動": "dòng", "務": "wù", "區": "qū", "協": "xié", "執": "zhí",
    "報": "bào", "學": "xué", "實": "shí", "對": "duì", "導": "dǎo", "強": "qiáng", "復": "fù", "據": "jù",
    "數": "shù", "時": "shí", "會": "huì", "業": "yè", "構": "gòu", "標": "biāo", "機": "jī", "權": "quán",
    "準": "zhǔn", "現": "xiàn", "環": "huán", "當": "dāng", "發": "fā", "監": "jiān", "穩": "wěn", "節": "jié",
    "級": "jí", "結": "jié", "經": "jīng", "網": "wǎng", "續": "xù", "習": "xí", "臺": "tái", "號": "hào",
    "術": "shù", "補": "bǔ", "規": "guī", "計": "jì", "設": "shè", "認": "rèn", "調": "diào", "請": "qǐng",
    "護": "hù", "負": "fù", "責": "zé", "費": "fèi", "轉": "zhuǎn", "進": "jìn", "運": "yùn", "關": "guān",
    "隊": "duì", "項": "xiàng", "領": "lǐng", "點": "diǎn",
}
_CN_DIGIT = "〇一二三四五六七八九"
_SPAM = ["扫一扫在手机上查看当前页面", "相关解读", "相关政策", "相关稿件",
         "精品推荐：限时特惠，点击领取", "网站地图 | 联系我们", "主办单位：某某市人民政府办公室"]
_LOOKALIKE_PRINTS = {"0": ["O", "o", "〇"], "1": ["l", "I"], "5": ["S"], "8": ["B"]}


@dataclass
class TextReport:
    text: str
    answer: dict[str, Any]
    shape: str
    damage: list[str] = field(default_factory=list)  # what was done, for reading failures

    @property
    def data(self) -> bytes:
        return self.text.encode("utf-8")


# ------------------------------------------------------------------ grids and damage on grids

def _grid(table: Table) -> list[list[str]]:
    """Rows of cell texts as a converter lays a merged grid out: text at the anchor, '' elsewhere."""
    rows = [[""] * table.n_cols for _ in range(table.n_rows)]
    for c in table.cells:
        rows[c.row][c.col] = c.text
    return rows


def _repeated_grid(table: Table) -> list[list[str]]:
    """Rows of cell texts with a merged cell's text in every place it covers."""
    rows = [[""] * table.n_cols for _ in range(table.n_rows)]
    for c in table.cells:
        for r in range(c.row, c.row + c.rowspan):
            rows[r][c.col:c.col + c.colspan] = [c.text] * c.colspan
    return rows


def _key_at(report: Report) -> dict[tuple[str, int, int], str]:
    return {pos: key for key, pos in report.cell_of.items()}


class _Damage:
    """Grid damage that keeps `answer` right; records what it did."""

    def __init__(self, report: Report, rng: random.Random):
        self.report = report
        self.rng = rng
        self.answer = dict(report.answer)
        self.notes: list[str] = []
        self.key_at = _key_at(report)

    def lookalikes(self, grids: dict[str, list[list[str]]], n: int) -> None:
        spots = [(t, r, c) for (t, r, c), k in self.key_at.items()
                 if grids[t][r][c] and all(ch in _LOOKALIKE_PRINTS for ch in grids[t][r][c])]
        for t, r, c in self.rng.sample(spots, min(n, len(spots))):
            text = grids[t][r][c]
            pos = self.rng.randrange(len(text))
            grids[t][r][c] = text[:pos] + self.rng.choice(_LOOKALIKE_PRINTS[text[pos]]) + text[pos + 1:]
            self.notes.append(f"lookalike {self.key_at[(t, r, c)]}={grids[t][r][c]}")

    def drop_cells(self, grid: list[list[str]], table: str, rows: list[int], per_row: int) -> set[tuple[int, int]]:
        """Cells a scan's OCR lost: removed from the row (the row prints fewer numbers)."""
        dropped = set()
        for r in rows:
            cols = [c for c in range(len(grid[r])) if (table, r, c) in self.key_at and grid[r][c]]
            for c in self.rng.sample(cols, min(per_row, max(0, len(cols) - 1))):
                dropped.add((r, c))
                self.notes.append(f"dropped {self.key_at[(table, r, c)]}")
        return dropped


def _blank_group_t4(fields: dict[str, Any], rng: random.Random) -> list[str]:
    """Like seed 002: a whole table-4 group of zeros printed blank."""
    groups = [g for g in T4_GROUPS if all(fields.get(f"t4.{g}.{p}") == 0 for p in T4_PARTS)]
    if not groups:
        return []
    g = rng.choice(groups)
    for p in T4_PARTS:
        fields[f"t4.{g}.{p}"] = None
    return [f"t4 group {g} blank"]


# ------------------------------------------------------------------ the document around the tables

def _title_lines(report: Report, rng: random.Random, style: str, agency_printed: str) -> list[str]:
    y = report.year
    tail = rng.choice(["年政府信息公开工作年度报告", "年度政府信息公开工作报告", "年政府信息公开年度报告"])
    spaced = rng.random() < 0.4
    ys = f" {y} " if spaced else str(y)
    if style == "plain":
        return [f"{agency_printed}{ys}{tail}"]
    if style == "agency_line":  # seed 000: the agency as a heading of its own
        return [agency_printed, f"{ys.strip()}{tail}"]
    if style == "broken":  # broken after the year, as a narrow title box wraps it
        return [f"{agency_printed}{ys}{tail[:2] if tail.startswith('年度') else '年'}",
                tail[2:] if tail.startswith("年度") else tail[1:]]
    return [f"{ys.strip()}{tail}"]  # "no_agency": the signature names the body


def _cn_date(iso: str) -> str:
    y, m, d = (int(p) for p in iso.split("-"))

    def small(n: int) -> str:
        if n < 10:
            return _CN_DIGIT[n]
        return ("" if n < 20 else _CN_DIGIT[n // 10]) + "十" + (_CN_DIGIT[n % 10] if n % 10 else "")
    return "".join(_CN_DIGIT[int(ch)] for ch in str(y)) + f"年{small(m)}月{small(d)}日"


@dataclass
class _Meta:
    head: list[str]  # lines before the title (CMS block, browser header)
    title: list[str]
    signature: list[str]
    notes: list[str]


def _meta(report: Report, rng: random.Random, traditional: bool) -> _Meta:
    notes = []
    agency = report.agency
    published = report.published_date
    head: list[str] = []
    style = rng.choice(["plain", "plain", "agency_line", "broken", "no_agency"])
    notes.append(f"title {style}")
    if rng.random() < 0.25:
        # a browser printed the page: its date/time header is never the report's date
        by = report.year + 1 + rng.randint(0, 2)
        head.append(f"{by}/{rng.randint(1, 12)}/{rng.randint(1, 28)} {rng.randint(8, 18)}:{rng.randint(10, 59)}"
                    f"  {report.title}")
        notes.append("browser header")
    cms = published is not None and rng.random() < 0.3
    if cms:
        head += ["索引号：" + f"{rng.randint(10**8, 10**9)}/{report.year + 1}-{rng.randint(1, 999):05d}",
                 "信息分类：政府信息公开年报", f"发布机构：{agency if rng.random() < 0.5 else ''}",
                 f"发布日期：{published}" if rng.random() < 0.6 else f"发布时间：{published} {rng.randint(8, 18)}:00",
                 f"标题：{report.title}", "文号：", ""]
        notes.append("cms block")
    signature = [agency] if style == "no_agency" or rng.random() < 0.8 else []
    if published and (not cms or rng.random() < 0.5):
        signature.append(_cn_date(published) if rng.random() < 0.3 else printed_date(published))
        notes.append("signature date" + (" cn" if "〇" in signature[-1] or "二" in signature[-1][:2] else ""))
    return _Meta(head, _title_lines(report, rng, style, agency), signature, notes)


# ------------------------------------------------------------------ shapes

def _md_rows(grid: list[list[str]], rng: random.Random, *, shift_rows: set[int], spacer: int | None,
             split_at: int | None) -> list[str]:
    out: list[str] = []
    width = len(grid[0]) + (1 if spacer is not None else 0)

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(cells) + " |"

    for r, row in enumerate(grid):
        cells = list(row)
        if spacer is not None:
            cells.insert(spacer, "")
        if r in shift_rows:
            lead = 0
            while lead < len(cells) - 1 and not cells[lead]:
                lead += 1
            cells = cells[lead:] + [""] * lead
        if r == 0 or r == split_at:
            if r == split_at:
                out += ["", line([""] * width)]
            out.append(line(cells) if r == 0 else line(cells))
            out.append("|" + "|".join("-" * rng.randint(3, 8) for _ in range(width)) + "|")
            continue
        out.append(line(cells))
    return out


def _tsv_rows(grid: list[list[str]], rng: random.Random, *, header_rows: int, trailing: bool,
              break_header: bool) -> list[str]:
    out = []
    for r, row in enumerate(grid):
        cells = list(row)
        extra = None
        if r < header_rows and break_header:
            # a header cell wrapped in its box: the rest of its text lands on a line of its own
            long = [c for c, t in enumerate(cells) if len(t) >= 4]
            if long:
                c = rng.choice(long)
                cut = rng.randint(1, len(cells[c]) - 1)
                extra = [""] * len(cells)
                cells[c], extra[c] = cells[c][:cut], cells[c][cut:]
        elif r < header_rows:
            cells = [_space_inside(t, rng) if len(t) >= 2 and rng.random() < 0.4 else t for t in cells]
        text = "\t".join(cells) + ("\t" if trailing else "")
        out.append(text)
        if extra:
            out.append("\t".join(extra).rstrip("\t") if rng.random() < 0.5 else "\t".join(extra))
    return out


def _csv_rows(grid: list[list[str]], rng: random.Random) -> list[str]:
    thousands = rng.random() < 0.5
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in grid:
        writer.writerow([f"{int(t):,}" if thousands and re.fullmatch(r"\d{4,}", t) else t for t in row])
    return out.getvalue().rstrip("\n").split("\n")


def _html_rows(table: Table, rng: random.Random, *, split: bool) -> list[str]:
    """The table as HTML with its spans, as MinerU writes one into Markdown; split in two tables at
    a row no merged cell crosses where `split`."""
    whole = [c.row for c in table.cells if c.rowspan == 1 and c.col == 0]
    crossed = {r for c in table.cells for r in range(c.row + 1, c.row + c.rowspan)}
    cuts = [r for r in whole if r > 5 and r not in crossed]
    cut = rng.choice(cuts) if split and cuts else None
    wrapped, one_line = rng.random() < 0.6, rng.random() < 0.7
    parts = [(0, cut), (cut, table.n_rows)] if cut else [(0, table.n_rows)]
    out = []
    for first, end in parts:
        rows = []
        for r in range(first, end):
            cells = []
            for cell in table.row_cells(r):
                attrs = (f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else "") + (
                    f' colspan="{cell.colspan}"' if cell.colspan > 1 else "")
                cells.append(f"<td{attrs}>{cell.text}</td>")
            rows.append("<tr>" + "".join(cells) + "</tr>")
        body = ["<table>", *rows, "</table>"]
        if wrapped:
            body = ["<html><body>", *body, "</body></html>"]
        out += ["".join(body)] if one_line else body
        out.append("")
    return out


def _grid_span_rows(table: Table, rng: random.Random) -> list[str]:
    """The table as a grid table with its spans: each cell a box drawn on a canvas of display
    columns (a CJK character two of them), its text wrapped inside."""
    cap = rng.choice([8, 10, 12, 16])
    anchored = [c for c in table.cells]
    width = [2] * table.n_cols
    for cell in anchored:
        if cell.colspan == 1:
            need = _display_width(cell.text)
            if re.fullmatch(r"[-\d,.]*", cell.text):
                width[cell.col] = max(width[cell.col], need)
            else:
                width[cell.col] = max(width[cell.col], min(need, cap))
    x = [0]
    for w in width:
        x.append(x[-1] + w + 3)  # "| " text " " then the next bar

    def inner(cell) -> int:
        return x[cell.col + cell.colspan] - x[cell.col] - 3

    texts = {id(cell): _wrapped(cell.text, inner(cell)) if cell.text else [""] for cell in anchored}
    height = [1] * table.n_rows
    for cell in anchored:
        if cell.rowspan == 1:
            height[cell.row] = max(height[cell.row], len(texts[id(cell)]))
    for cell in anchored:  # a merged cell taller than its rows lengthens its last row
        rows = range(cell.row, cell.row + cell.rowspan)
        short = len(texts[id(cell)]) - (sum(height[r] for r in rows) + cell.rowspan - 1)
        if short > 0:
            height[cell.row + cell.rowspan - 1] += short
    y = [0]
    for h in height:
        y.append(y[-1] + h + 1)
    canvas = [[" "] * (x[-1] + 1) for _ in range(y[-1] + 1)]
    header = rng.random() < 0.4
    for cell in anchored:
        top, bottom = y[cell.row], y[cell.row + cell.rowspan]
        left, right = x[cell.col], x[cell.col + cell.colspan]
        for cx in range(left, right + 1):
            for cy in (top, bottom):
                rule = "=" if header and cy == y[1] else "-"
                canvas[cy][cx] = "+" if cx in (left, right) else (rule if canvas[cy][cx] != "+" else "+")
        for cy in range(top + 1, bottom):
            for cx in (left, right):
                canvas[cy][cx] = "+" if canvas[cy][cx] == "+" else "|"
        for k, line in enumerate(texts[id(cell)]):
            cx = left + 2
            for ch in line:
                canvas[top + 1 + k][cx] = ch
                if _display_width(ch) == 2:
                    canvas[top + 1 + k][cx + 1] = ""
                    cx += 1
                cx += 1
    # a corner where only straight lines meet, on a rule's way, is drawn as the line (pandoc)
    return ["".join(row).rstrip() for row in canvas] + [""]


def _latex_escaped(text: str) -> str:
    return re.sub(r"([%&_#$])", r"\\\1", text)


def _latex_rows(table: Table, rng: random.Random) -> list[str]:
    """The table as a LaTeX tabular with its spans, as Nougat or Mathpix writes one."""
    ruled, in_float, one_line = rng.random() < 0.7, rng.random() < 0.5, rng.random() < 0.3
    bar = "|" if ruled else ""
    spec = bar + bar.join("c" * table.n_cols) + bar
    held: dict[tuple[int, int], int] = {}  # a place under a \multirow -> the colspan it keeps
    for cell in table.cells:
        for r in range(cell.row + 1, cell.row + cell.rowspan):
            held[(r, cell.col)] = cell.colspan
    rows = []
    for r in range(table.n_rows):
        anchored = {cell.col: cell for cell in table.row_cells(r)}
        parts, c = [], 0
        while c < table.n_cols:
            if c in anchored:
                cell = anchored[c]
                text = _latex_escaped(cell.text)
                if cell.rowspan > 1:
                    text = f"\\multirow{{{cell.rowspan}}}{{*}}{{{text}}}"
                if cell.colspan > 1:
                    text = f"\\multicolumn{{{cell.colspan}}}{{{bar}c{bar}}}{{{text}}}"
                span = cell.colspan
            elif (r, c) in held:
                span = held[(r, c)]
                text = f"\\multicolumn{{{span}}}{{{bar}c{bar}}}{{}}" if span > 1 else ""
            else:
                span, text = 1, ""
            parts.append(text)
            c += span
        rows.append(" & ".join(parts) + " \\\\" + (" \\hline" if ruled else ""))
    env = rng.choice(["tabular", "tabular", "tabular", "tabularx", "longtable"])
    if env == "longtable":  # as pandoc's LaTeX writes one: the header again for the next pages
        top = rows[:1]
        rows = [*top, "\\endfirsthead", *top, "\\endhead", "\\bottomrule\\noalign{}", "\\endlastfoot", *rows[1:]]
    opening = f"\\begin{{{env}}}" + ("{\\textwidth}" if env == "tabularx" else "[]" if env == "longtable" else "")
    body = [f"{opening}{{{spec}}}", *(["\\hline"] if ruled else []), *rows, f"\\end{{{env}}}"]
    if one_line:
        body = [" ".join(body)]
    if in_float:
        body = ["\\begin{table}[h]", "\\centering", *body, "\\end{table}"]
    return [*body, ""]


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _padded(grid: list[list[str]], min_gap: int) -> tuple[list[list[str]], list[int]]:
    """The grid's cells padded to their column's display width."""
    width = [max(_display_width(row[c]) for row in grid) for c in range(len(grid[0]))]
    cells = [[t + " " * (width[c] - _display_width(t)) for c, t in enumerate(row)] for row in grid]
    return cells, [w + min_gap for w in width]


def _aligned_rows(grid: list[list[str]], rng: random.Random) -> list[str]:
    gap = rng.choice([2, 2, 3, 4])
    grid = [[_space_inside(t, rng) if r < 3 and len(t) >= 2 and rng.random() < 0.2 else t for t in row]
            for r, row in enumerate(grid)]
    cells, _ = _padded(grid, gap)
    return [(" " * gap).join(row).rstrip() for row in cells]


def _box_rows(grid: list[list[str]], rng: random.Random) -> list[str]:
    if rng.random() < 0.3:
        return ["｜" + "｜".join(row) + "｜" for row in grid]
    cells, width = _padded(grid, 2)

    def rule(left: str, mid: str, right: str) -> str:
        return left + mid.join("─" * w for w in width) + right

    out = [rule("┌", "┬", "┐")]
    for r, row in enumerate(cells):
        out.append("│" + "│".join(f" {t} " for t in row) + "│")
        out.append(rule("├", "┼", "┤") if r < len(cells) - 1 else rule("└", "┴", "┘"))
    return out


def _wrapped(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` display columns (pandoc breaks CJK anywhere)."""
    lines, line = [], ""
    for ch in text:
        if line and _display_width(line + ch) > width:
            lines.append(line)
            line = ""
        line += ch
    return [*lines, line]


def _grid_wrapped_rows(grid: list[list[str]], rng: random.Random) -> list[str]:
    cap = rng.choice([8, 10, 12, 16])
    # a column is never narrower than its longest figure: numbers do not wrap
    width = [max(min(max(_display_width(row[c]) for row in grid), cap),
                 *(len(row[c]) for row in grid if re.fullmatch(r"[-\d,.]*", row[c])), 2)
             for c in range(len(grid[0]))]

    def rule(ch: str) -> str:
        return "+" + "+".join(ch * (w + 2) for w in width) + "+"

    out = [rule("-")]
    for r, row in enumerate(grid):
        pieces = [_wrapped(text, width[c]) for c, text in enumerate(row)]
        for k in range(max(len(p) for p in pieces)):
            parts = [p[k] if k < len(p) else "" for p in pieces]
            out.append("|" + "|".join(f" {t}{' ' * (width[c] - _display_width(t))} " for c, t in enumerate(parts)) + "|")
        out.append(rule("=" if r == 0 else "-"))
    return out


def _multiline_rows(grid: list[list[str]], rng: random.Random) -> list[str]:
    """The grid as a pandoc multiline table (what pandoc writes for a Word table, whose columns have
    widths): indented two spaces, columns marked by runs of dashes one space apart, each row's
    cells wrapped to their column's width, rows apart by a blank line; the first row as header or
    not. Widths share out the writer's line (72 columns by default) as the Word table's did."""
    content = [max(_display_width(row[c]) for row in grid) for c in range(len(grid[0]))]
    figures = [max([len(row[c]) for row in grid if re.fullmatch(r"[-\d,.]*", row[c])] or [0])
               for c in range(len(grid[0]))]
    if rng.random() < 0.5:
        cap = rng.choice([6, 8, 10, 12])
        width = [max(min(w, cap), f, 2) for w, f in zip(content, figures)]
    else:
        line = rng.choice([72, 72, 80, 100])
        share = [min(w, 24) + 2 for w in content]
        width = [max(line * s // sum(share) - 1, f, 2) for s, f in zip(share, figures)]
    segments = "  " + " ".join("-" * w for w in width)
    dashes = "  " + "-" * (len(segments) - 2)

    def lines_of(row: list[str]) -> list[str]:
        pieces = [_wrapped(text, width[c]) for c, text in enumerate(row)]
        return ["  " + " ".join(f"{t}{' ' * (width[c] - _display_width(t))}" for c, t in enumerate(parts)).rstrip()
                for parts in ([p[k] if k < len(p) else "" for p in pieces]
                              for k in range(max(len(p) for p in pieces)))]

    if rng.random() < 0.5:
        out, body, last = [dashes, *lines_of(grid[0]), segments], grid[1:], dashes
    else:
        out, body, last = [segments], grid, segments
    for r, row in enumerate(body):
        out += ([""] if r else []) + lines_of(row)
    return [*out, last]


def _simple_rows(grid: list[list[str]], rng: random.Random) -> list[str]:
    """The grid as a simple table: pandoc's (indented two spaces, columns one space apart) or knitr
    kable's (no indent, two apart), columns under runs of dashes, a blank cell left as spaces; the
    first row as header or not."""
    indent, gap = rng.choice([("  ", 1), ("", 2)])
    cells, width = _padded(grid, 0)
    rows = [indent + (" " * gap).join(row).rstrip() for row in cells]
    segments = indent + (" " * gap).join("-" * w for w in width)
    if rng.random() < 0.5:
        return [rows[0], segments, *rows[1:]]
    return [segments, *rows, segments]


def _space_inside(text: str, rng: random.Random) -> str:
    cut = rng.randint(1, len(text) - 1)
    return text[:cut] + " " + text[cut:]


def _gloss(text: str, rng: random.Random, rate: float) -> str:
    return "".join(ch + (f"({_PINYIN[ch]})" if ch in _PINYIN and rng.random() < rate else "") for ch in text)


def render_text(report: Report, shape: str, seed: int = 0) -> TextReport:
    """`report` as damaged converter text of `shape` (one of SHAPES), deterministic by seed."""
    if shape not in SHAPES:
        raise ValueError(f"unknown shape {shape!r}")
    rng = random.Random(f"{shape}:{seed}")
    damage = _Damage(report, rng)
    meta = _meta(report, rng, report.traditional)
    damage.notes += meta.notes
    grids = {t: _grid(report.tables[t]) for t in ("t2", "t3", "t4")}
    t3_header = 3
    lines: list[str] = []
    paragraph_gap = shape != "ocr" or rng.random() < 0.5

    def para(text: str) -> None:
        lines.append(text)
        if paragraph_gap:
            lines.append("")

    table_lines: dict[str, list[str]] = {}
    if shape == "markdown":
        group_rows = {r for r, row in enumerate(grids["t3"]) if r > 3 and not row[0] and not row[1] and row[2]}
        shift = set(rng.sample(sorted(group_rows), min(len(group_rows), rng.choice([0, 1, 2, 2, 3]))))
        if shift:
            damage.notes.append(f"t3 rows shifted left: {sorted(shift)}")
        split = rng.choice([None, rng.randint(6, len(grids["t3"]) - 2)])
        if split:
            damage.notes.append(f"t3 split before row {split}")
        spacer = rng.choice([None, None, 10, 3])
        for t in ("t2", "t3", "t4"):
            table_lines[t] = _md_rows(grids[t], rng, shift_rows=shift if t == "t3" else set(),
                                      spacer=spacer if t == "t3" else None, split_at=split if t == "t3" else None)
    elif shape in ("tsv", "ocr"):
        if shape == "ocr":
            _ocr_damage(grids, damage, rng)
            t3_header = 0 if rng.random() < 0.5 else 3
            if t3_header == 0:
                grids["t3"] = grids["t3"][3:]
                damage.notes.append("t3 header lost")
        trailing = rng.random() < 0.5
        break_header = rng.random() < 0.5
        for t, hdr in (("t2", 0), ("t3", t3_header), ("t4", 3)):
            table_lines[t] = _tsv_rows(grids[t], rng, header_rows=hdr, trailing=trailing and t != "t4",
                                       break_header=break_header and t == "t3")
    elif shape == "repeated_spans":
        for t in ("t2", "t3", "t4"):
            table_lines[t] = _md_rows(_repeated_grid(report.tables[t]), rng, shift_rows=set(), spacer=None,
                                      split_at=None)
    elif shape == "html_tables":
        split = rng.random() < 0.4
        for t in ("t2", "t3", "t4"):
            table_lines[t] = _html_rows(report.tables[t], rng, split=split and t == "t3")
        if split:
            damage.notes.append("t3 split in two tables")
    elif shape == "grid_spans":
        for t in ("t2", "t3", "t4"):
            table_lines[t] = _grid_span_rows(report.tables[t], rng)
    elif shape == "latex_tabular":
        for t in ("t2", "t3", "t4"):
            table_lines[t] = _latex_rows(report.tables[t], rng)
    elif shape in ("csv", "aligned", "box", "grid_wrapped", "multiline", "simple"):
        rows_of = {"csv": _csv_rows, "aligned": _aligned_rows, "box": _box_rows, "grid_wrapped": _grid_wrapped_rows,
                   "multiline": _multiline_rows, "simple": _simple_rows}[shape]
        for t in ("t2", "t3", "t4"):
            table_lines[t] = rows_of(grids[t], rng)
    else:  # per_line
        vertical = rng.random() < 0.7
        for t in ("t2", "t3", "t4"):
            out = []
            for r, row in enumerate(grids[t]):
                for c, text in enumerate(row):
                    if not text:
                        continue
                    if t == "t4" and r in (1, 2) and vertical and len(text) <= 4:
                        out += [ch for ch in text]  # vertical header, one character per line
                    else:
                        out.append(text)
            table_lines[t] = out
        if vertical:
            damage.notes.append("t4 vertical header")

    for line in meta.head:
        lines.append(line)
    for line in meta.title:
        para(("# " if shape in _MARKDOWN else "") + line)
    for p in report.preamble:
        para(p)
    for i, (heading, paragraphs) in enumerate(report.sections):
        para(("## " if shape in _MARKDOWN and rng.random() < 0.7 else "") + heading)
        if i in (1, 2, 3):
            t = ("t2", "t3", "t4")[i - 1]
            lines.extend(x for line in table_lines[t] for x in ([line, ""] if shape == "per_line" else [line]))
            lines.append("")
        for p in paragraphs:
            para(p)
    lines.append("")
    for s in meta.signature:
        para(s)
    if shape == "per_line" or rng.random() < 0.2:
        lines += ["", *rng.sample(_SPAM, 4)]
        damage.notes.append("spam after report")
    text = "\n".join(lines) + "\n"
    # (glossed here, after the tables are laid out, a repeated cell's copies would differ; a
    # converter repeats one cell's text as it is)
    if report.traditional and shape != "repeated_spans" and rng.random() < 0.8:
        text = _gloss(text, rng, rng.uniform(0.3, 0.9))
        damage.notes.append("pinyin glosses")
    return TextReport(text=text, answer=damage.answer, shape=shape, damage=damage.notes)


def _ocr_damage(grids: dict[str, list[list[str]]], damage: _Damage, rng: random.Random) -> None:
    damage.lookalikes(grids, rng.choice([0, 1, 2, 3]))  # before cells move
    t3 = grids["t3"]
    # rows printing fewer numbers than columns
    value_rows = [r for r in range(3, len(t3)) if any(("t3", r, c) in damage.key_at for c in range(10))]
    short = rng.sample(value_rows, rng.choice([0, 1, 1, 2, 3]))
    dropped = damage.drop_cells(t3, "t3", short, rng.choice([1, 1, 2]))
    for r, c in dropped:
        t3[r][c] = None  # removed below
    for r in range(len(t3)):
        t3[r] = [x for x in t3[r] if x is not None]
    # the vertical label broken into pieces down the first column, with a stray misread inside
    col0 = [r for r in range(len(t3)) if t3[r] and t3[r][0] == "三、本年度办理结果"]
    if col0 and rng.random() < 0.7:
        r0 = col0[0]
        pieces = ["三、本", "年度", "度办", "理结", "果"]
        t3[r0][0] = ""
        for k, piece in enumerate(pieces):
            if r0 + 2 + k < len(t3) and not t3[r0 + 2 + k][0]:
                t3[r0 + 2 + k][0] = piece
        damage.notes.append("vertical label broken")
    for r in range(len(t3)):
        for c, text in enumerate(t3[r]):
            if text.startswith("（一）") and rng.random() < 0.8:
                t3[r][c] = "(-)" + text[3:]
                damage.notes.append("(-) for （一）")
            elif text in ("（四）无法提供", "（五）不予处理") and rng.random() < 0.4:
                t3[r][c] = text[:3]
                below = r + 1
                if below < len(t3) and not t3[below][c]:
                    t3[below][c] = text[3:]
                    stray = r + 2
                    if stray < len(t3) and not t3[stray][c] and rng.random() < 0.5:
                        t3[stray][c] = rng.choice(["灰伤", "丨", "·"])
                damage.notes.append(f"group label broken: {text}")
            elif len(text) > 6 and not text[0].isdigit() and rng.random() < 0.15:
                t3[r][c] = _space_inside(text, rng)


def text_report(seed: int, shape: str | None = None, *, template: str | None = None) -> TextReport:
    """A random answer laid out as a report and rendered as damaged text, all decided by `seed`."""
    rng = random.Random(seed)
    shape = shape or SHAPES[seed % len(SHAPES)]
    fields = synth_answers(seed, template=template)
    variant: dict[str, Any] = {}
    notes = []
    # shapes that keep a blank cell as an empty field; `aligned` leaves no trace of one
    if shape in _KEEPS_BLANKS and rng.random() < 0.3:
        notes += _blank_group_t4(fields, rng)
    if shape in _KEEPS_BLANKS and rng.random() < 0.15:
        variant["blank_zeros"] = True
        notes.append("blank zeros")
    if shape == "per_line" and rng.random() < 0.7 or rng.random() < 0.1:
        variant["traditional"] = True
    if fields["meta.template"] == "2021" and rng.random() < 0.25:
        variant["other_handling_single_row"] = True
    report = build_report(fields, seed=seed, **variant)
    out = render_text(report, shape, seed)
    out.damage = notes + [f"variant {k}" for k in variant] + out.damage
    return out
