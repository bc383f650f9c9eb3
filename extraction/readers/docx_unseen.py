"""Text a Word file holds but does not print as standing: runs coloured white on white paper, runs
hidden, runs struck out; and a note's reference mark raised after a figure.

An author may colour last year's figure white beside this year's instead of deleting it, hide it,
or strike it through (the habits `pdf_visibility` and `html_unseen` meet in other files). Read with
the rest, it joins the figure of its cell (10 and a white 1 read as "110"), as a superscript note
mark would (12 and a raised 1 read as "121", `note_marks`). A run's look comes from
its own properties, else its character style (and the styles that one is based on), else its
paragraph's style: a file may hide or whiten its old figures by a style ("旧数据", vanish) rather
than run by run, and Word raises a footnote's reference by its style. Directly hidden runs are left
out by the reader itself (docx._RUNS). White text that stands on something dark is seen: a shaded
run, paragraph, cell, row or table, a highlight, or a table style that shades (a dark header row of
white labels).
"""
from __future__ import annotations

from lxml import etree

from . import paper
from .note_marks import reference as note_reference

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_NS = {"w": _W}
_RUNS = etree.XPath(".//w:r", namespaces=_NS)
_PARAGRAPH_STYLE = etree.XPath("ancestor::w:p[1]/w:pPr/w:pStyle/@w:val", namespaces=_NS)
_OWN_PARAGRAPH_SHADING = etree.XPath("ancestor::w:p[1]/w:pPr/w:shd", namespaces=_NS)
# Toggles (w:vanish, w:strike) are on unless their value says off.
_OFF = {"0", "false", "off"}
_SHADING_UNDER = etree.XPath(
    "w:rPr/w:shd | ancestor::w:p[1]/w:pPr/w:shd | ancestor::w:tc[1]/w:tcPr/w:shd"
    " | ancestor::w:tr[1]/w:trPr/w:shd | ancestor::w:tbl[1]/w:tblPr/w:shd", namespaces=_NS)
_HIGHLIGHT = etree.XPath("w:rPr/w:highlight/@w:val", namespaces=_NS)
_TABLE_STYLE = etree.XPath("ancestor::w:tbl[1]/w:tblPr/w:tblStyle/@w:val", namespaces=_NS)
_STYLE_SHADING = etree.XPath(".//w:shd", namespaces=_NS)
_STYLE_BASE = etree.XPath("w:basedOn/@w:val", namespaces=_NS)
_STYLES = etree.XPath("w:style[@w:type='table']", namespaces=_NS)
_LOOK_STYLES = etree.XPath("w:style[@w:type='character' or @w:type='paragraph']", namespaces=_NS)


def _q(tag: str) -> str:
    return f"{{{_W}}}{tag}"


def drop_unseen(body, styles) -> None:
    """Takes out of `body` the runs hidden or struck out, by themselves or by their style, the runs
    coloured white on nothing dark, and the note marks raised as superscripts. `styles`: styles.xml's
    root, or None."""
    shading = _shading_table_styles(styles)
    looks = _StyleLooks(styles)
    for run in _RUNS(body):
        look = looks.of(run)
        hidden = look.get("vanish") or look.get("strike") or look.get("dstrike")
        white = _white(look.get("color") or "") and not look.get("shaded") and not _on_dark(run, shading)
        mark = look.get("vertAlign") == "superscript" and note_reference(
            "".join(t.text or "" for t in run.iter(_q("t"))))
        if hidden or white or mark:
            run.getparent().remove(run)


class _StyleLooks:
    """What a run shows of its properties, its character style's and its paragraph style's (each
    style with the ones it is based on): hidden, struck, its colour, raised, and whether a style
    shades it dark."""

    def __init__(self, styles) -> None:
        self._own: dict[str, dict] = {}
        self._base: dict[str, str | None] = {}
        for style in _LOOK_STYLES(styles) if styles is not None else ():
            sid = style.get(_q("styleId"))
            self._own[sid] = _look(style.find(_q("rPr")))
            shading = [shd for props in ("rPr", "pPr") for shd in style.iterfind(f"{_q(props)}/{_q('shd')}")]
            if shading:  # (a heading style of white on its own dark band)
                self._own[sid]["shaded"] = any(_painted(shd) for shd in shading)
            self._base[sid] = next(iter(_STYLE_BASE(style)), None)
        self._resolved: dict[str, dict] = {}

    def of(self, run) -> dict:
        look = dict(self._style(next(iter(_PARAGRAPH_STYLE(run)), None)))
        if _OWN_PARAGRAPH_SHADING(run):
            look.pop("shaded", None)  # (the paragraph's own shading is the one under it)
        rpr = run.find(_q("rPr"))
        style = rpr.find(_q("rStyle")) if rpr is not None else None
        look.update(self._style(style.get(_q("val")) if style is not None else None))
        if rpr is not None and rpr.find(_q("shd")) is not None:
            look.pop("shaded", None)
        look.update(_look(rpr))
        return look

    def _style(self, sid: str | None) -> dict:
        if sid is None or sid not in self._own:
            return {}
        if sid not in self._resolved:
            look: dict = {}
            for base in reversed(_based_on(sid, self._base)):  # (the style's own properties last)
                look.update(self._own.get(base, {}))
            self._resolved[sid] = look
        return self._resolved[sid]


def _look(rpr) -> dict:
    """The properties a run's or a style's rPr sets: toggles as bools, the colour and the vertical
    alignment as written."""
    look: dict = {}
    if rpr is None:
        return look
    for toggle in ("vanish", "strike", "dstrike"):
        el = rpr.find(_q(toggle))
        if el is not None:
            look[toggle] = el.get(_q("val"), "true").lower() not in _OFF
    for prop in ("color", "vertAlign"):
        el = rpr.find(_q(prop))
        if el is not None:
            look[prop] = el.get(_q("val"), "")
    return look


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
    return {sid for sid in own if any(own.get(s, False) for s in _based_on(sid, base, most=10))}


def _based_on(sid: str, base: dict[str, str | None], most: int = 11) -> list[str]:
    """The style and the styles it is based on, nearest first, at most `most` of them (a loop of
    basedOn in a damaged file ends there)."""
    chain: list[str] = []
    while sid is not None and len(chain) < most:
        chain.append(sid)
        sid = base.get(sid)
    return chain


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
