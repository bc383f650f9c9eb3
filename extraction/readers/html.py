"""Web pages: the report as a government CMS publishes it.

Such pages wrap everything in layout tables (site frame, column, article box) and put the report's
own tables innermost; they leave cells blank with `&nbsp;`, break header cells with `<br>`, declare
GBK or nothing at all, and are often not well-formed. The reader keeps the page's reading order:
paragraphs from block elements, interleaved with the data tables as grids (colspan/rowspan become
cell spans). Site header, navigation, footer, scripts and hidden elements are dropped. A picture
carried in the page itself (a data: URI, as pages saved whole embed them) is read by OCR where it
stands (`pictures`); one the page only links to is not fetched, and is counted in a warning.
"""
from __future__ import annotations

import codecs
import re
import time
from typing import Any, Callable, Optional

import lxml.etree
import lxml.html

from ..errors import CorruptInput
from ..model import Block, Cell, Document, Paragraph, Table
from ..sniff import decode_chinese
from .css_tables import SIMPLE_SELECTOR, Styles, boxes_of, holds_blanks, style_rules
from .html_unseen import struck, unseen_white
from .note_marks import reference as note_reference
from .pictures import DATA_URI, PictureReader, Pictures, inline_picture, picture_size

# Elements whose content is never report text. (<noscript> is kept: it holds what the page shows
# without its scripts, such as a static copy of a table a script draws.)
# (and a ruby's annotation: the pinyin over a character, <rt>, and the brackets round it, <rp>)
_DROP_TAGS = {"script", "style", "template", "object", "embed", "svg", "canvas",
              "select", "button", "input", "textarea", "map", "head", "rt", "rp"}
# Page furniture: dropped unless it sits inside the article itself (<article><header><h1>...).
_FURNITURE_TAGS = {"nav", "header", "footer", "aside"}
# class/id tokens CMS templates give their furniture.
_FURNITURE_NAMES = {"header", "head", "top", "topbar", "nav", "navbar", "menu", "mainnav", "subnav",
                    "breadcrumb", "crumb", "crumbs", "position", "location", "footer", "foot", "bottom",
                    "copyright", "sidebar", "share", "toolbar", "links", "friendlink"}
# Boxes that only ever hold a trail of links: dropped even when the trail ends in the report's title.
_TRAIL_NAMES = {"breadcrumb", "crumb", "crumbs", "position", "location"}
# "...2022年...年度报告": an article's own header carries the title; a site header does not.
_REPORT_TITLE = re.compile(r"20\d{2}\s*年.{0,40}报告")
# A data cell holds a label or a number; a cell with this much text is a layout box holding prose.
_LAYOUT_CELL_CHARS = 200
# Furniture holds little text; a "header" box with the whole report in it is a badly named wrapper.
_FURNITURE_MAX_CHARS = 400

_BLOCK_TAGS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
               "section", "article", "main", "blockquote", "pre", "center", "form", "fieldset",
               "address", "figure", "figcaption", "table", "tr", "td", "th", "thead", "tbody", "tfoot",
               "caption", "hr", "body", "html"}

_CJK = "\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef\u201c\u201d\u2018\u2019"
# A line break of the source between two Chinese characters is wrapping, not a space.
_WRAP_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])[ \t\u00a0]*[\r\n]\s*(?=[{_CJK}])")
_SPACES = re.compile(r"[\s\u00a0]+")
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([-\w.:]+)""", re.I)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
# Not shown either, given in an element's own style: no opacity (which nothing inside undoes; a style
# sheet's opacity:0 is often a class that a script fades in), or, for an element with no element
# inside, no size or no colour: what some sites slip between a text's characters against copying
# (1<span style="font-size:0">7</span>2 shows as 12). A box set to font-size:0 to close the gaps
# between its inline blocks gives them their own size.
_TRANSPARENT_STYLE = re.compile(r"(?<![-\w])opacity\s*:\s*0(?:\.0*)?\s*(?:;|$|!)", re.I)
_UNDRAWN_STYLE = re.compile(r"(?<![-\w])font-size\s*:\s*0(?:\.0*)?(?:px|pt|em|rem|%)?\s*(?:;|$|!|\})"
                            r"|(?<![-\w])color\s*:\s*transparent", re.I)
_SHOWN_STYLE = re.compile(r"display\s*:\s*(?!none)[a-z]|visibility\s*:\s*visible", re.I)
_CSS_NAMES = re.compile(r"[.#]([\w-]+)")
_LINK_LIST_TAGS = {"ul", "ol", "dl", "div"}
_WORDS = re.compile(r"[\u4e00-\u9fffA-Za-z]")  # characters of words, not of dates or numbers
_LINK_SHARE = 0.85
_WESTERN_DEFAULTS = {"iso8859-1", "cp1252", "ascii"}
_CSS_PX_PER_INCH = 96
# a picture wider than this many times its height is wider than a page laid on its side (A4: 1.41)
_WIDER_THAN_A_PAGE = 1.5
# A linked picture narrower than this (CSS px) is an icon or a logo, not worth a warning.
_LINKED_PICTURE_MIN_WIDTH = 200
GB_FAMILY = {"gb2312", "gbk", "gb18030", "x-gbk", "gb_2312-80", "euc-cn", "cp936", "hz-gb-2312", "csgb2312"}


# What a web archive holds at an address the page names: (content type, bytes), or None.
Resolver = Callable[[str], Optional[tuple[str, bytes]]]


# A space entity escaped twice by a site's editor (&amp;nbsp;) shows as the letters "&nbsp;" beside
# a cell's figure, and the figure then reads as no number; its author meant a space.
_DOUBLE_ESCAPED_SPACE = re.compile(r"&amp;(nbsp|ensp|emsp|thinsp|#160|#xa0|#12288|#x3000);", re.I)


def read(data: bytes, read_picture: PictureReader | None = None, resolve: Resolver | None = None) -> Document:
    """`read_picture`: OCR for the pictures the page carries; without it they are counted.
    `resolve`: the pictures and framed pages a web archive saved with the page (readers/mhtml.py)."""
    start = time.perf_counter()
    warnings: list[str] = []
    text = _DOUBLE_ESCAPED_SPACE.sub(r"&\1;", decode(data, warnings))
    try:
        root = lxml.html.document_fromstring(
            text.encode("utf-8"), parser=lxml.html.HTMLParser(encoding="utf-8", remove_comments=True))
    except (lxml.etree.ParserError, ValueError) as exc:
        raise CorruptInput(f"the HTML page cannot be parsed: {exc}") from exc
    _inline_frames(root, resolve)
    styles = Styles(root)  # before the <head> and its style sheets are dropped
    head_title = _head_title(root)
    viewed = _attachments(root, ("embed", "object"))  # (the page's viewers: dropped with the boilerplate)
    _strip_boilerplate(root)
    walker = _Walker(Pictures(read_picture), styles, resolve)
    body = root.find("body")
    walker.walk(body if body is not None else root)
    walker.flush()
    if head_title and not _titled(walker.blocks):
        # The page shows the report's title only in its <head> (the body is the article's text
        # alone, the title set apart by the site's template outside it, or not kept): the title
        # the site gave it stands in for the line a printed report opens with.
        walker.blocks.insert(0, Paragraph(head_title))
    pictures = walker.pictures
    warnings += pictures.warnings()
    if walker.linked:
        warnings.append(f"{walker.linked} picture(s) the page links to were not fetched: "
                        f"a table shown as an image there is not read")
    if walker.framed:
        warnings.append(f"{walker.framed} framed page(s) the page links to were not fetched: "
                        f"a table shown in a frame there is not read")
    linked = _attachments(body if body is not None else root, ("a", "iframe"))
    if attached := [*linked.values(), *(name for url, name in viewed.items() if url not in linked)]:
        warnings.append(f"{len(attached)} attached document(s) the page links to were not fetched ({attached[0]}"
                        f"{', ...' if len(attached) > 1 else ''}): where the report is there, send that file")
    return Document(blocks=walker.blocks, kind="html", pages=1, warnings=warnings,
                    timings_ms={"read_html": (time.perf_counter() - start) * 1000 - pictures.ms,
                                **pictures.timings}, ocr_pages=pictures.pages(),
                    lossy_pages=pictures.lossy_pages())


# A report's title: its year, 政府信息公开, and 报告 (…工作年度报告), on a line of its own. Narrower
# than _REPORT_TITLE, which only keeps a box of furniture that may hold the title: this one picks
# the title out of a <title> that also names the site.
_TITLE_LINE = re.compile(r"(?:19|20)\d{2}\s*年.{0,40}?政府信息公开.{0,12}?报告")
_TITLE_MAX_CHARS = 80
# What a page's <title> joins the article's title and the site's name with.
_TITLE_SEPARATORS = re.compile(r"\s*[_|｜—–-]+\s*|\s{2,}")


def _head_title(root) -> str | None:
    """The report's title as the page's <head> gives it: a CMS's ArticleTitle, else the part of
    <title> that is a report's title (a site appends or prepends its own name)."""
    for meta in root.iter("meta"):
        if (meta.get("name") or "").lower() in ("articletitle", "title"):
            text = _SPACES.sub(" ", meta.get("content") or "").strip()
            if _is_title_line(text):
                return text
    title = root.find(".//title")
    if title is None or not title.text_content():
        return None
    parts = [p.strip() for p in _TITLE_SEPARATORS.split(_SPACES.sub(" ", title.text_content()).strip())]
    return next((p for p in parts if _is_title_line(p)), None)


def _titled(blocks: list[Block]) -> bool:
    """Whether a report's title stands on a line of its own before the first table."""
    for block in blocks:
        if isinstance(block, Table):
            return False
        if any(_is_title_line(line.strip()) for line in block.text.split("\n")):
            return True
    return False


def _is_title_line(text: str) -> bool:
    return len(text) <= _TITLE_MAX_CHARS and bool(_TITLE_LINE.search(text))


def decode(data: bytes, warnings: list[str] | None = None) -> str:
    """Text of the page: BOM, then the declared charset, then UTF-8, then GB18030 or Big5."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                     (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom):].decode(enc, errors="replace")
    candidates = []
    declared = _declared_charset(data[:4096])
    if declared:
        candidates.append(declared)
    candidates += ["utf-8", "gb18030"]
    for enc in dict.fromkeys(candidates):
        found = _decoded(data, enc, declared)
        if found is None:
            if enc == "utf-8" and _nearly_utf8(data):
                # A UTF-8 page with a few damaged bytes: GB18030 would "decode" it into nonsense.
                if warnings is not None:
                    warnings.append("the page has bytes that are not UTF-8; replaced")
                return data.decode("utf-8", errors="replace")
            continue
        text, enc = found
        if declared and enc != declared and warnings is not None:
            warnings.append(f"the page declares {declared} but is {enc}")
        return text
    if warnings is not None:
        warnings.append("the page's encoding is unclear; undecodable bytes replaced")
    return data.decode(declared or "gb18030", errors="replace")


def _decoded(data: bytes, enc: str, declared: str | None) -> tuple[str, str] | None:
    """The page in `enc`, with the encoding it turned out to be; None where it does not decode.
    Undeclared and not UTF-8, GB18030 is tried beside Big5, which GB18030 would decode into nonsense."""
    if enc == "gb18030" and enc != declared:
        return decode_chinese(data)
    try:
        return data.decode(enc), enc
    except UnicodeDecodeError:
        return None


def _nearly_utf8(data: bytes) -> bool:
    bad = data.decode("utf-8", errors="replace").count("\ufffd")
    return bad <= max(3, len(data) // 2000)


def _declared_charset(head: bytes) -> str | None:
    m = _META_CHARSET.search(head)
    if not m:
        return None
    label = m.group(1).decode("ascii", "ignore").lower()
    if label in GB_FAMILY:
        return "gb18030"  # a superset: pages declaring GB2312 use GBK characters all the time
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    # Servers' default labels, never a Chinese page's real encoding, and Latin-1 "decodes" any bytes.
    return None if name in _WESTERN_DEFAULTS else name


def join_lines(lines: list[str]) -> str:
    """Lines of one cell or paragraph as one text: no space where a line break fell between CJK
    characters (header cells broken as 结果<br>维持), one space between Latin words or numbers."""
    out = ""
    for line in lines:
        line = clean_inline(line)
        if not line:
            continue
        if out and not (re.match(rf"[{_CJK}]", out[-1]) or re.match(rf"[{_CJK}]", line[0])):
            out += " "
        out += line
    return out


def clean_inline(text: str) -> str:
    """Source whitespace as a browser shows it (runs collapsed to one space), minus the line
    wrapping of the source between Chinese characters."""
    text = _INVISIBLE.sub("", text)
    return _SPACES.sub(" ", _WRAP_BETWEEN_CJK.sub("", text)).strip()


def _strip_boilerplate(root) -> None:
    rules = style_rules(root)  # (parsed once for both)
    hidden_by_css = _css_hidden(rules)
    white, struck_out = unseen_white(rules), struck(rules)
    doomed, emptied = [], []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        tag = el.tag.lower()
        if tag in ("td", "th", "tr") and (white(el) or struck_out(el)):
            # not read, but a cell still holds its place in its row, and a row in its table (where
            # a cell above may reach down over it)
            emptied += [el] if tag != "tr" else [c for c in el if isinstance(c.tag, str)
                                                 and c.tag.lower() in ("td", "th")]
        elif (tag in _DROP_TAGS or _hidden(el) or hidden_by_css(el) or white(el) or struck_out(el)
                or tag == "sup" and note_reference(el.text_content())):
            doomed.append(el)
        elif tag in _LINK_LIST_TAGS and _link_list(el):
            doomed.append(el)
        elif tag in _FURNITURE_TAGS and not _inside_article(el) and not _holds_title(el):
            doomed.append(el)
        elif _furniture_named(el) and _looks_like_furniture(el):
            doomed.append(el)
    for el in doomed:
        if el.getparent() is not None and _attached(el, root):
            el.drop_tree()  # keeps the tail text, which belongs to the parent
    for el in emptied:
        if _attached(el, root):
            el.text = None
            for child in list(el):
                el.remove(child)


def _inline_frames(root, resolve: Resolver | None) -> None:
    """Puts each <iframe srcdoc> (a page a CMS embeds whole, as some embed a report's tables), and
    each framed page a web archive saved, in place as the body of that page, with its style sheets;
    frames within it too, three deep. A frame that only links to its page is left: that page is not
    fetched."""
    for _ in range(3):
        frames = [(f, page) for f in root.iter("iframe") if (page := _framed_page(f, resolve))]
        if not frames:
            break
        for frame, page in frames:
            box = lxml.html.Element("div", {k: v for k, v in frame.attrib.items()
                                            if k in ("style", "class", "id", "hidden")})
            try:
                inner = lxml.html.document_fromstring(page)
            except (lxml.etree.ParserError, ValueError):
                inner = None
            if inner is not None:
                box.extend(list(inner.iter("style")))
                body = inner.find("body")
                if body is not None:
                    box.text = body.text
                    box.extend(list(body))
            box.tail = frame.tail
            frame.getparent().replace(frame, box)


# A document a page offers as its attachment or shows in a viewer: the report itself, often, with
# the page around it only its title (附件：某某局2023年政府信息公开工作年度报告.pdf).
_ATTACHMENT = re.compile(r"\.(?:pdf|docx?|wps|ofd|xlsx?|et|zip|rar)(?:$|[?#])", re.I)


def _attached_file(url: str) -> str:
    """The address of the document `url` links to or shows; "" where it is no document."""
    # (a PDF viewer is given its file as a parameter: viewer.html?file=/x/report.pdf)
    return next((part for part in re.split(r"[?&=]", url)[::-1] if _ATTACHMENT.search(part)), "")


def _attachments(root, tags: tuple[str, ...]) -> dict[str, str]:
    """The documents the page's elements of `tags` link to or embed, by address, each once, in
    order, with its name: a link's text where it names the file, else the address's last part."""
    names: dict[str, str] = {}  # by the file's address
    for el in root.iter(*tags):
        url = el.get("href") or el.get("src") or el.get("data") or ""
        target = _attached_file(url)
        if not target:
            continue
        text = re.sub(r"\s+", "", el.text_content() if el.tag == "a" else "")
        name = text if _ATTACHMENT.search(text) else target.rsplit("/", 1)[-1].split("#")[0]
        if name and (target not in names or name == text):
            names[target] = name
    return names


def _framed_page(frame, resolve: Resolver | None) -> str | None:
    if frame.get("srcdoc", "").strip():
        return frame.get("srcdoc")
    found = resolve(frame.get("src", "").strip()) if resolve and frame.get("src") else None
    if found is None or "html" not in found[0]:
        return None
    return decode(found[1])


def _attached(el, root) -> bool:
    while el is not None:
        if el is root:
            return True
        el = el.getparent()
    return False


def _hidden(el) -> bool:
    style = el.get("style", "")
    return ("hidden" in el.attrib or bool(_HIDDEN_STYLE.search(style)) or bool(_TRANSPARENT_STYLE.search(style))
            or len(el) == 0 and bool(_UNDRAWN_STYLE.search(style)))


def _css_hidden(rules: list[tuple[str, str]]) -> Callable[[Any], bool]:
    """Whether the page's own style sheets hide an element: rules of one simple selector (.hide,
    tr.old, #stale) that set display:none or visibility:hidden (or, for an element with no element
    inside, font-size:0 or a transparent colour), unless another rule shows the name
    again (a tab's .tab-pane{display:none} and .tab-pane.active{display:block}). A stale row kept
    under such a class is not printed. Rules for print only (@media print) are left out: the screen
    shows those. `rules`: the page's style rules (css_tables.style_rules)."""
    classes: set[str] = set()
    ids: set[str] = set()
    undrawn: set[str] = set()  # .names and #names of rules drawing at no size or in no colour
    shown: set[str] = set()  # names some rule shows again (.tab-pane.active{display:block})
    for selectors, body in rules:
        if _SHOWN_STYLE.search(body):
            shown.update(n.lower() for n in _CSS_NAMES.findall(selectors))
        hides, draws_nothing = bool(_HIDDEN_STYLE.search(body)), bool(_UNDRAWN_STYLE.search(body))
        for sel in selectors.split(",") if hides or draws_nothing else ():
            m = SIMPLE_SELECTOR.match(sel.strip())
            if m and hides:
                (ids if m.group("kind") == "#" else classes).add(m.group("name").lower())
            elif m:
                undrawn.add(m.group("kind") + m.group("name").lower())
    classes -= shown
    ids -= shown
    if not classes and not ids and not undrawn:
        return lambda el: False

    def hidden(el) -> bool:
        names = set(el.get("class", "").lower().split())
        ident = el.get("id", "").lower()
        if names & classes or ident in ids:
            return True
        # (as in _hidden: only an element with no element inside is hidden by drawing nothing)
        return len(el) == 0 and bool(({"." + n for n in names} | {"#" + ident}) & undrawn)
    return hidden


def _link_list(el) -> bool:
    """A list of links (other years' reports, related articles): navigation, whatever its box is
    named. Its words are nearly all link text; a date beside each link has no words."""
    links = el.findall(".//a")
    if len(links) < 2 or el.find(".//table") is not None:
        return False
    words = len(_WORDS.findall(el.text_content()))
    linked = sum(len(_WORDS.findall(a.text_content())) for a in links)
    return words > 0 and linked >= _LINK_SHARE * words


def _inside_article(el) -> bool:
    return any(isinstance(a.tag, str) and a.tag.lower() in ("article", "main") for a in el.iterancestors())


def _name_tokens(el) -> set[str]:
    return {t for t in re.split(r"[\s_-]+", f"{el.get('class', '')} {el.get('id', '')}".lower()) if t}


def _furniture_named(el) -> bool:
    return bool(_name_tokens(el) & _FURNITURE_NAMES)


def _holds_title(el) -> bool:
    return bool(_REPORT_TITLE.search(el.text_content()))


def _looks_like_furniture(el) -> bool:
    if el.find(".//table") is not None and _has_data_table(el):
        return False
    if len(el.text_content().strip()) > _FURNITURE_MAX_CHARS:
        return False
    return bool(_name_tokens(el) & _TRAIL_NAMES) or not _holds_title(el)


def _has_data_table(el) -> bool:
    return any(table_grid(t) is not None for t in el.iter("table"))


class _Walker:
    """Reading order: text runs into the current paragraph until a block element closes it."""

    def __init__(self, pictures: Pictures, styles: Styles, resolve: Resolver | None = None) -> None:
        self.blocks: list[Block] = []
        self.buf: list[str] = []
        self.pictures = pictures
        self.styles = styles
        self.resolve = resolve
        self.linked = 0  # pictures large enough to hold a table that the page only links to
        self.framed = 0  # frames whose page is only linked to (src)

    def flush(self) -> None:
        text = clean_inline("".join(self.buf))
        self.buf = []
        if text:
            self.blocks.append(Paragraph(text))

    def walk(self, el) -> None:
        if not isinstance(el.tag, str):
            return
        tag = el.tag.lower()
        if tag == "br":
            self.flush()
            return
        if tag == "img":
            self._picture(el)
            return
        if tag == "iframe":  # its own content is only what browsers without frames show
            src = el.get("src", "").strip().lower()
            tiny = any(el.get(a, "").strip() in ("0", "1", "0px", "1px") for a in ("width", "height"))
            # (a frame showing a document, a PDF viewer's, is counted with the attachments)
            self.framed += bool(src) and not tiny and not src.startswith(("about:", "javascript:")) \
                and not _attached_file(src)
            return
        if tag in ("pre", "xmp") and el.find(".//table") is None:
            self._preformatted(el)
            return
        if tag == "table":
            table = table_grid(el)
            if table is not None:
                self.flush()
                self.blocks.append(table)
                return
        block = tag in _BLOCK_TAGS
        if block and tag != "table":
            table = boxed_table(el, self.styles)
            if table is not None:
                self.flush()
                self.blocks.append(table)
                return
        if block:
            self.flush()
        if el.text:
            self.buf.append(el.text)
        for child in el:
            self.walk(child)
            if child.tail:
                self.buf.append(child.tail)
        if block:
            self.flush()


    def _preformatted(self, el) -> None:
        """Text set out in lines (a text report posted in <pre>, its tables tab-separated, in
        columns of spaces or drawn with bars): read as the text reader reads a text file, where
        it stands."""
        from . import text  # (the text reader imports this module for its HTML tables)

        for br in el.iter("br"):
            br.tail = "\n" + (br.tail or "")
        self.flush()
        self.blocks += text.read(el.text_content().encode("utf-8")).blocks

    def _picture(self, el) -> None:
        width = _span(el.get("width"), 100000) if el.get("width") else None
        # a lazy-loading page's picture is in data-src (WeChat, many CMSs), its src a 1 x 1
        # placeholder until the page's script swaps them, as every browser showing it has done:
        # of the pictures an <img> holds, the largest
        sources = [v for a in (*_LAZY_SOURCES, "src") if (v := el.get(a, "").strip())]
        blob = max((b for b in map(self._picture_data, sources) if b is not None), key=len, default=None)
        if blob is None:
            if sources and not any(DATA_URI.match(v) for v in sources) \
                    and (width is None or width >= _LINKED_PICTURE_MIN_WIDTH):
                self.linked += 1
            return
        if width is None and (size := picture_size(blob)) and size[0] > _WIDER_THAN_A_PAGE * size[1]:
            # a strip (a table's first rows, table 4, a banner) is no page, though the reader takes
            # a picture of unknown size for one (its shorter side a page's width: that would make
            # the strip's type four times too large); a browser shows it a pixel to a CSS px
            width = size[0]
        found = self.pictures.blocks(blob, width / _CSS_PX_PER_INCH if width else None)
        if found:
            self.flush()
            self.blocks += found

    def _picture_data(self, src: str) -> bytes | None:
        """The picture a source holds: inline (data:), or a part of the saved page; else None."""
        if DATA_URI.match(src) is not None:
            return inline_picture(src)
        saved = self.resolve(src) if self.resolve else None
        return saved[1] if saved is not None and saved[0].startswith("image/") else None


_LAZY_SOURCES = ("data-src", "data-original", "data-lazy-src", "data-actualsrc")


def table_grid(el) -> Table | None:
    """The grid of a data table, or None for a layout table (one holding other tables, one too
    small to be a table of figures - a single row or column, but for a row of figures - or one whose
    cells hold prose)."""
    if el.find(".//table") is not None:
        return None
    # (as a browser lays them out: the head on top and the foot at the bottom wherever they stand,
    # HTML 4 writing <tfoot> before <tbody>)
    rows = el.xpath("./thead/tr") + el.xpath("./tr | ./tbody/tr") + el.xpath("./tfoot/tr")
    n_rows = len(rows)
    if n_rows < 1:
        return None
    taken: set[tuple[int, int]] = set()
    cells: list[Cell] = []
    for r, tr in enumerate(rows):
        c = 0
        for td in tr.xpath("./td | ./th"):
            if _hidden(td):
                continue
            while (r, c) in taken:
                c += 1
            rowspan = min(_span(td.get("rowspan"), n_rows), n_rows - r)
            colspan = _span(td.get("colspan"), 1000)
            if td.get("rowspan", "").strip() == "0":  # HTML: to the end of the table section
                rowspan = n_rows - r
            for dr in range(rowspan):
                for dc in range(colspan):
                    taken.add((r + dr, c + dc))
            cells.append(Cell(r, c, _cell_text(td), rowspan=rowspan, colspan=colspan))
            c += colspan
    n_cols = max((c for _, c in taken), default=-1) + 1
    return _table_of_figures(cells, n_rows, n_cols)


def boxed_table(el, styles: Styles) -> Table | None:
    """The grid of a table the page draws with CSS boxes (css_tables), or None."""
    boxes = boxes_of(el, styles, _cell_text)
    if boxes is None or el.find(".//table") is not None:
        return None
    if not (any(_FIGURE.match(c.text.strip()) for c in boxes.cells) or holds_blanks(boxes)):
        return None  # a page's layout grid, or rows of cards
    return _table_of_figures(boxes.cells, boxes.n_rows, boxes.n_cols)


def _table_of_figures(cells: list[Cell], n_rows: int, n_cols: int) -> Table | None:
    if n_cols < 2 or not any(not cell.blank for cell in cells):
        return None
    if n_rows < 2 and not row_of_figures(cells):
        return None
    if any(len(cell.text) > _LAYOUT_CELL_CHARS for cell in cells):
        return None
    return Table(cells=cells, n_rows=n_rows, n_cols=n_cols, origin="html")


_FIGURE = re.compile(r"^[-−+]?\d[\d,.]*$")


def row_of_figures(cells: list[Cell]) -> bool:
    """Whether a one-row table is a row of a table's figures, not layout: three cells or more, each
    a number or blank (table 4's fifteen values, set in a table of their own under the header's,
    whose blank cells are printed blanks)."""
    return (len(cells) >= 3 and all(c.blank or _FIGURE.match(c.text.strip()) for c in cells)
            and any(not c.blank for c in cells))


def _span(value: str | None, limit: int) -> int:
    m = re.match(r"\s*(\d+)", value or "")
    n = int(m.group(1)) if m else 1
    return max(1, min(n, limit))


def _cell_text(td) -> str:
    lines: list[str] = []
    buf: list[str] = []

    def visit(el) -> None:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if tag == "br" or tag in _BLOCK_TAGS:
            lines.append("".join(buf))
            buf.clear()
        if tag and tag != "br" and el.text:
            buf.append(el.text)
        for child in el:
            visit(child)
            if child.tail:
                buf.append(child.tail)
        if tag in _BLOCK_TAGS:
            lines.append("".join(buf))
            buf.clear()

    visit(td)
    lines.append("".join(buf))
    return join_lines(lines)
