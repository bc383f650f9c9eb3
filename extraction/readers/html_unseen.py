"""Text a web page holds but does not print as standing: text coloured white on the white page,
and text struck out.

Pasted from a Word file (or edited by hand), a page may keep last year's figure coloured white
beside this year's (the habit `pdf_visibility` and `docx_unseen` meet in those files), or struck
through beside it (<del>, <s>, <strike>, text-decoration: line-through). Read with the rest, it
joins the figure of its cell (10 and a white 1 read as "110"). A colour or a line-through comes from
the element's own style, a <font color>, or a style sheet's rule of one simple selector naming its
class or id (.old, span#x2; the rule of the id over the class's, a later class rule over an
earlier one, as the cascade weighs them). White text on something dark (a background of its own or
of an element around it, or a picture behind it, inline or by a style sheet's rule naming its tag,
class or id in the rule's subject: the last element its selector names) is seen, and so is text
inside it that another colour paints.
"""
from __future__ import annotations

import re
from typing import Callable

from . import paper
from .css_tables import SIMPLE_SELECTOR

_COLOUR = re.compile(r"(?:^|;)\s*color\s*:\s*([^;!]+)", re.I)
_DECORATION = re.compile(r"(?:^|;)\s*text-decoration(?:-line)?\s*:\s*([^;!]+)", re.I)
_STRUCK_TAGS = {"del", "s", "strike"}
_BACKGROUND = re.compile(r"background(?:-color)?\s*:\s*([^;!]+)", re.I)
_NO_PAINT = {"", "none", "transparent", "initial", "inherit", "unset", "0"}
_HEX = re.compile(r"#([0-9a-f]{3}|[0-9a-f]{6})\b", re.I)
_RGB = re.compile(r"rgba?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)", re.I)
_NAMED = {"white": (255, 255, 255), "black": (0, 0, 0), "navy": (0, 0, 128), "blue": (0, 0, 255),
          "red": (255, 0, 0), "green": (0, 128, 0), "gray": (128, 128, 128), "grey": (128, 128, 128),
          "maroon": (128, 0, 0), "purple": (128, 0, 128), "teal": (0, 128, 128), "darkblue": (0, 0, 139),
          "darkred": (139, 0, 0), "darkgreen": (0, 100, 0), "snow": (255, 250, 250), "ivory": (255, 255, 240)}


_COMPOUND_PART = re.compile(r"([.#]?)([A-Za-z][\w-]*)")
_COMBINATORS = re.compile(r"\s*[>+~]\s*|\s+")


def unseen_white(rules: list[tuple[str, str]]) -> Callable[[object], bool]:
    """Whether an element's own colour is white, on nothing dark, with no other colour inside it.
    `rules`: the page's style rules (css_tables.style_rules)."""
    painted = _painted_by_css(rules)
    coloured = _named_by_css(rules, _COLOUR)

    def colour(el) -> tuple[int, int, int] | None:
        value = _own_or_named(el, _COLOUR, coloured)
        if value is not None:
            return _rgb(value)
        if el.tag.lower() == "font" and el.get("color"):
            return _rgb(el.get("color"))
        return None

    def on_background(node) -> bool:
        if _on_background(node):
            return True
        tag, ident, classes = node.tag.lower(), node.get("id", "").lower(), set(node.get("class", "").lower().split())
        return any((not t or t == tag) and (not i or i == ident) and c <= classes for t, i, c in painted)

    def unseen(el) -> bool:
        rgb = colour(el)
        if rgb is None or not paper.white(rgb):
            return False
        if any(colour(inner) not in (None, rgb) for inner in el.iterdescendants()
               if isinstance(inner.tag, str)):
            return False
        node = el
        while node is not None:
            if isinstance(node.tag, str) and on_background(node):
                return False
            node = node.getparent()
        return True
    return unseen


def struck(rules: list[tuple[str, str]]) -> Callable[[object], bool]:
    """Whether an element is struck out: a <del>, <s> or <strike>, or styled line-through (its
    own style or a rule naming its class or id), unless its own decoration says otherwise.
    `rules`: the page's style rules (css_tables.style_rules)."""
    decorated = _named_by_css(rules, _DECORATION)

    def through(el) -> bool:
        value = _own_or_named(el, _DECORATION, decorated)
        if value is not None:
            return "line-through" in value.lower()
        return el.tag.lower() in _STRUCK_TAGS
    return through


def _named_by_css(rules: list[tuple[str, str]], prop: re.Pattern) -> dict[str, str]:
    """The value `prop` takes for each ".class" and "#id" that a rule of one simple selector
    names, the later rule's where two name one."""
    named = {}
    for selectors, body in rules:
        values = prop.findall(body)
        for sel in selectors.split(",") if values else ():
            if m := SIMPLE_SELECTOR.match(sel.strip()):
                name = m.group("kind") + m.group("name").lower()
                named.pop(name, None)  # (kept in the order of the rules that set them last)
                named[name] = values[-1].strip()
    return named


def _own_or_named(el, prop: re.Pattern, named: dict[str, str]) -> str | None:
    """The value of `prop` for an element: its own style's, else its id's rule's, else the last
    of its classes' rules (in the sheet's order, as the cascade has it)."""
    if own := prop.findall(el.get("style", "")):
        return own[-1].strip()
    if not named:
        return None
    ident = el.get("id", "").lower()
    if ident and "#" + ident in named:
        return named["#" + ident]
    classes = {"." + c for c in el.get("class", "").lower().split()}
    found = [value for name, value in named.items() if name in classes]
    return found[-1] if found else None


def _painted_by_css(rules: list[tuple[str, str]]) -> list[tuple[str, str, frozenset[str]]]:
    """(tag, id, classes) of the subjects of the page's style rules that paint a dark background or
    a picture: an element with all of one subject's names may be so painted (its context, the
    selector's other parts, is not weighed: what it matches is taken as seen)."""
    subjects = []
    for selectors, body in rules:
        if not _paints(body):
            continue
        for selector in selectors.split(","):
            last = _COMBINATORS.split(selector.strip().lower())[-1].split(":")[0]
            tag, ident, classes = "", "", set()
            for kind, name in _COMPOUND_PART.findall(last):
                if kind == "#":
                    ident = name
                elif kind == ".":
                    classes.add(name)
                else:
                    tag = name
            subjects.append((tag if tag != "*" else "", ident, frozenset(classes)))
    return subjects


def _paints(style: str) -> bool:
    """Whether a style paints a background white may show on: a picture, a dark colour, or one not
    known here (a variable, a keyword): taken as dark, so that white on it is read."""
    if "url(" in style.lower():
        return True
    for m in _BACKGROUND.finditer(style):
        value = m.group(1).strip().lower()
        rgb = _rgb(value)
        if rgb is None and value not in _NO_PAINT:
            return True
        if rgb is not None and paper.dark(rgb):
            return True
    return False


def _on_background(el) -> bool:
    """Whether the element paints something under its text that white may show on: a dark
    colour, or a picture (whose colours are not known)."""
    if el.get("background") or _paints(el.get("style", "")):
        return True
    return bool(el.get("bgcolor")) and _paints(f"background:{el.get('bgcolor')}")


def _rgb(value: str) -> tuple[int, int, int] | None:
    value = value.strip().lower()
    if m := _HEX.search(value):
        digits = m.group(1)
        if len(digits) == 3:
            digits = "".join(d * 2 for d in digits)
        return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)
    if m := _RGB.search(value):
        return int(m.group(1)), int(m.group(2)), int(m.group(3))
    return _NAMED.get(value.split()[0] if value else "")
