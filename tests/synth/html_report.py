"""A `Report` as a government CMS web page: site header and navigation, a frame of nested layout
tables around the article, the report's tables with colspan/rowspan, a footer with its own dates.

Knobs for the shapes we meet: the page's encoding and whether it declares it, sloppy markup
(unclosed cells and paragraphs, upper-case tags, unquoted attributes), header cells broken with
<br>, blank cells written as &nbsp; or nothing. `pictures=True` shows each table as a picture the
page carries (a data: URI, as a page saved whole embeds it) with a linked site logo beside;
`lazy=True` puts each in data-src, its src a 1 x 1 placeholder, as lazy-loading pages do.
`boxes` draws the tables without <table>: "grid" (CSS grid, each cell placed by grid-area),
"grid-auto" (spans only, CSS auto-placement), "flex" (rows of flex boxes, widths in percent), or
keeps <table> but puts table 3 inside an <iframe srcdoc> ("frame").
"""
from __future__ import annotations

import base64
import html
import random

from extraction.model import Table

from .docx_report import table_pictures
from .form import Report

_PICTURE_WIDTH_PX = 640  # CSS px: the article column
# a lazy-loading page's 1 x 1 transparent GIF, shown until its script loads the picture
_PLACEHOLDER = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"

def render(report: Report, *, encoding: str = "utf-8", declare: str | None = "meta",
           layout: bool = True, sloppy: bool = False, break_headers: bool = True,
           blank: str = "mixed", seed: int = 0, pictures: bool = False, boxes: str | None = None,
           lazy: bool = False) -> bytes:
    """declare: "meta" (<meta charset>), "http-equiv" (<meta http-equiv=Content-Type>) or None.
    blank: "nbsp", "empty" or "mixed" for cells printed blank."""
    rng = random.Random(seed)
    charset = {"utf-8": "UTF-8", "gb18030": "GB2312", "gbk": "GBK"}.get(encoding, encoding)
    head = ["<head>"]
    if declare == "meta":
        head.append(f'<meta charset="{charset}">')
    elif declare == "http-equiv":
        head.append(f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">')
    head += [f"<title>{_e(report.title)}_{_e(report.agency)}</title>",
             "<style>td{border:1px solid #000} .hide{display:none}</style>",
             '<script>var nav = "<table><tr><td>首页</td></tr></table>"; document.title += "2019年";</script>',
             "</head>"]

    shots = table_pictures(report) if pictures else {}
    article = [f"<h1 class=\"title\">{_e(report.title)}</h1>"]
    if pictures:
        article.append('<p><img src="/images/emblem.png" width="64"></p>')
    info = f"来源：{_e(report.agency)}"
    if report.published_date:
        info = f"发布日期：{report.published_date}　{info}"
    article.append(f'<div class="info">{info}　浏览次数：{rng.randint(100, 9000)}</div>')
    article.append('<div class="TRS_Editor">')
    article += [_p(t, sloppy) for t in report.preamble]
    table_after = {1: "t2", 2: "t3", 3: "t4"}
    for i, (heading, paragraphs) in enumerate(report.sections):
        article.append(_p(f"<strong>{_e(heading)}</strong>", sloppy, raw=True))
        article += [_p(t, sloppy) for t in paragraphs]
        if i in table_after and pictures:
            for png in shots[table_after[i]]:
                picture = f"data:image/png;base64,{base64.b64encode(png).decode()}"
                source = f'src="{_PLACEHOLDER}" data-src="{picture}" class="lazy"' if lazy else f'src="{picture}"'
                article.append(f'<p><img {source} width="{_PICTURE_WIDTH_PX}"></p>')
        elif i in table_after and boxes in ("grid", "grid-auto", "flex"):
            article.append(_boxes(report.tables[table_after[i]], boxes))
        elif i in table_after and boxes == "frame" and table_after[i] == "t3":
            inner = _table(report.tables["t3"], sloppy, break_headers, blank, rng)
            framed = f"<!DOCTYPE html><html><head><style>td{{border:1px solid #000}}</style></head><body>{inner}</body></html>"
            article.append(f'<iframe class="tbl" style="width:100%;height:1200px;border:0" srcdoc="{html.escape(framed)}">'
                           "</iframe>")
        elif i in table_after:
            article.append(_table(report.tables[table_after[i]], sloppy, break_headers, blank, rng))
            if (more := report.tables.get(table_after[i] + "_more")) is not None:
                article.append(_table(more, sloppy, break_headers, blank, rng))  # (tests/synth/table_parts.py)
    article += [f'<p style="text-align:right">{_e(line)}</p>' for line in report.signature]
    article.append('<p style="display: none">隐藏的统计代码 2020年1月1日</p>')
    article.append("</div>")
    article_html = "\n".join(article)

    site = report.agency
    header = (f'<div class="header"><div class="logo">{_e(site)}门户网站</div>'
              '<ul class="nav"><li>首页</li><li>机构概况</li><li>政务公开</li><li>政务服务</li><li>互动交流</li></ul></div>'
              '<div class="position">当前位置：首页 &gt; 政府信息公开 &gt; 政府信息公开年报</div>')
    footer = (f'<div class="footer"><p>主办单位：{_e(site)}　网站标识码：1306000012</p>'
              '<p>版权所有 2018-2024　最后更新：2024年3月1日</p></div>')
    if layout:
        body = (f"{header}\n<table width=\"1000\" align=\"center\"><tr>"
                "<td width=\"200\" valign=\"top\"><div class=\"sidebar\"><ul><li>年度报告</li><li>政策文件</li></ul></div></td>"
                "<td valign=\"top\"><table width=\"100%\"><tr><td>\n"
                f"{article_html}\n</td></tr></table></td></tr></table>\n{footer}")
    else:
        body = f"{header}\n<div class=\"main\">{article_html}</div>\n{footer}"
    page = f"<!DOCTYPE html>\n<html>\n{''.join(head)}\n<body>\n{body}\n</body>\n</html>\n"
    if sloppy:
        page = page.replace("<body>", "<BODY bgcolor=#ffffff>").replace("</html>", "")
    return page.encode(encoding)


def _e(text: str) -> str:
    return html.escape(text, quote=False)


def _p(text: str, sloppy: bool, raw: bool = False) -> str:
    body = text if raw else _e(text)
    # Sloppy pages leave paragraphs open; the parser has to close them.
    return f"<P>{body}" if sloppy else f"<p style=\"text-indent:2em\">{body}</p>"


def _cell_html(text: str, is_value: bool, break_headers: bool, blank: str, rng: random.Random) -> str:
    if not text.strip():
        if blank == "nbsp" or (blank == "mixed" and rng.random() < 0.5):
            return "&nbsp;"
        return ""
    if is_value:
        return f'<p align="center"><span style="font-size:14px">{_e(text)}</span></p>'
    if break_headers and 4 <= len(text) <= 8 and "、" not in text:
        # Narrow header cells wrap, and Word-exported pages keep the wrap as <br>.
        half = len(text) // 2
        return f"{_e(text[:half])}<br>\n{_e(text[half:])}"
    return _e(text)


def _table(table: Table, sloppy: bool, break_headers: bool, blank: str, rng: random.Random) -> str:
    out = ['<table border="1" cellspacing="0" cellpadding="0" class="MsoNormalTable">' if not sloppy
           else "<TABLE border=1 cellSpacing=0>", "<tbody>" if not sloppy else ""]
    for r in range(table.n_rows):
        out.append("<tr>" if not sloppy else "<TR>")
        for cell in table.row_cells(r):
            attrs = ""
            if cell.rowspan > 1:
                attrs += f' rowspan="{cell.rowspan}"' if not sloppy else f" rowSpan={cell.rowspan}"
            if cell.colspan > 1:
                attrs += f' colspan="{cell.colspan}"' if not sloppy else f" colSpan={cell.colspan}"
            is_value = not cell.text.strip() or cell.text.strip().replace(".", "", 1).lstrip("-").isdigit()
            content = _cell_html(cell.text, is_value, break_headers, blank, rng)
            out.append(f"<TD{attrs}>{content}" if sloppy else f"<td{attrs}>{content}</td>")
        if not sloppy:
            out.append("</tr>")
    out.append("</tbody></table>" if not sloppy else "</TABLE>")
    return "\n".join(out)


def _boxes(table: Table, how: str) -> str:
    cell_style = "border-right:1px solid #333;border-bottom:1px solid #333;padding:4px;text-align:center"
    if how == "flex":
        rows = []
        for r in range(table.n_rows):
            # A flex row has a box for every column it covers: a merged cell's lower rows are
            # empty boxes, as such pages draw them (with no bottom border above).
            boxes, c = [], 0
            while c < table.n_cols:
                cell = table.at(r, c)
                width = 100.0 * cell.colspan / table.n_cols
                text = _e(cell.text) if cell.row == r else ""
                boxes.append(f'<div style="flex:0 0 {width:.3f}%;box-sizing:border-box;{cell_style}">{text}</div>')
                c = cell.col + cell.colspan
            rows.append('<div class="row" style="display:flex">' + "".join(boxes) + "</div>")
        return '<div class="flex-table">' + "\n".join(rows) + "</div>"
    items = []
    for cell in sorted(table.cells, key=lambda c: (c.row, c.col)):
        if how == "grid":
            place = f"grid-area:{cell.row + 1} / {cell.col + 1} / span {cell.rowspan} / span {cell.colspan}"
        else:
            place = f"grid-column:span {cell.colspan};grid-row:span {cell.rowspan}"
        items.append(f'<div class="c" style="{place}">{_e(cell.text)}</div>')
    return (f"<style>.g{table.n_cols}{{display:grid;grid-template-columns:repeat({table.n_cols}, minmax(0, 1fr))}}"
            f" .c{{{cell_style}}}</style>\n<div class=\"g{table.n_cols}\">" + "\n".join(items) + "</div>")
