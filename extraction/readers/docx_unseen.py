"""Text a Word file holds but does not show as printed: runs coloured white on white paper.

An author may colour last year's figure white beside this year's instead of deleting it (the same
habit PDFs show, `pdf_visibility`). Read with the rest, it joins the figure of its cell (10 and a
white 1 read as "110"). White text that stands on something dark is seen: a shaded run, paragraph,
cell, row or table, a highlight, or a table style that shades (a dark header row of white labels).
"""
from __future__ import annotations

from lxml import etree

from . import paper

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_NS = {"w": _W}
_COLOURED_RUNS = etree.XPath(".//w:r[w:rPr/w:color]", namespaces=_NS)
_SHADING_UNDER = etree.XPath(
    "w:rPr/w:shd | ancestor::w:p[1]/w:pPr/w:shd | ancestor::w:tc[1]/w:tcPr/w:shd"
    " | ancestor::w:tr[1]/w:trPr/w:shd | ancestor::w:tbl[1]/w:tblPr/w:shd", namespaces=_NS)
_HIGHLIGHT = etree.XPath("w:rPr/w:highlight/@w:val", namespaces=_NS)
_TABLE_STYLE = etree.XPath("ancestor::w:tbl[1]/w:tblPr/w:tblStyle/@w:val", namespaces=_NS)
_STYLE_SHADING = etree.XPath(".//w:shd", namespaces=_NS)
_STYLE_BASE = etree.XPath("w:basedOn/@w:val", namespaces=_NS)
_STYLES = etree.XPath("w:style[@w:type='table']", namespaces=_NS)


def _q(tag: str) -> str:
    return f"{{{_W}}}{tag}"


def drop_unseen_white(body, styles) -> None:
    """Takes out of `body` the runs coloured white on nothing dark. `styles`: styles.xml's root (for
    the table styles that shade), or None."""
    shading = _shading_table_styles(styles)
    for run in _COLOURED_RUNS(body):
        if _white(run.find(f"{_q('rPr')}/{_q('color')}").get(_q("val"), "")) and not _on_dark(run, shading):
            run.getparent().remove(run)


def _on_dark(run, shading: set[str]) -> bool:
    if any(h not in ("none", "white", "lightGray", "yellow", "cyan", "green") for h in _HIGHLIGHT(run)):
        return True  # a highlight of a dark colour
    if any(style in shading for style in _TABLE_STYLE(run)):
        return True
    return any(_painted(shd) for shd in _SHADING_UNDER(run))


def _painted(shd) -> bool:
    """Whether a shading is dark, or of a theme's colour (w:themeFill), which is not known here and
    is taken as dark, so that white on it is read."""
    return _dark(shd.get(_q("fill"), "")) or bool(shd.get(_q("themeFill")))


def _shading_table_styles(styles) -> set[str]:
    """The table styles that shade something dark, their own or a style they are based on."""
    if styles is None:
        return set()
    own, base = {}, {}
    for style in _STYLES(styles):
        sid = style.get(_q("styleId"))
        own[sid] = any(_painted(shd) for shd in _STYLE_SHADING(style))
        base[sid] = next(iter(_STYLE_BASE(style)), None)

    def shades(sid: str | None, depth: int = 0) -> bool:
        return sid is not None and depth < 10 and (own.get(sid, False) or shades(base.get(sid), depth + 1))

    return {sid for sid in own if shades(sid)}


def _white(colour: str) -> bool:
    rgb = _rgb(colour)
    return rgb is not None and paper.white(rgb)


def _dark(fill: str) -> bool:
    rgb = _rgb(fill)
    return rgb is not None and paper.dark(rgb)


def _rgb(value: str) -> tuple[int, int, int] | None:
    """A colour as Word writes it (FFFFFF); None for auto, a theme's name or anything else."""
    if len(value) != 6:
        return None
    try:
        return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)
    except ValueError:
        return None
