"""Web archives: a page saved as one file (.mht from Internet Explorer and Word, .mhtml from
Chrome and Edge), as offices keep the reports they collect from agencies' sites.

The file is a MIME message: the page's HTML, and the pictures and framed pages it showed, each a
part named by the address the page used for it (Content-Location, or a cid: Content-ID). The page
is read as any web page (readers/html.py) with those parts at hand, so a table shown as a picture
is read by OCR and a table in a frame is read where it stands: an archive carries what a plain
saved page would only link to.
"""
from __future__ import annotations

import email
import email.policy
from email.message import Message
from urllib.parse import unquote, urljoin, urldefrag

from ..errors import CorruptInput
from ..model import Document
from . import html
from .pictures import PictureReader

_MAX_PARTS = 2000  # an archive of a page holds tens of parts; past this it is no saved page


def read(data: bytes, read_picture: PictureReader | None = None) -> Document:
    message = email.message_from_bytes(data, policy=email.policy.compat32)
    if not message.is_multipart():
        raise CorruptInput("the web archive holds no parts (a damaged .mht/.mhtml file)")
    parts = [p for p in message.walk() if not p.is_multipart()][:_MAX_PARTS]
    pages = [p for p in parts if p.get_content_type() == "text/html"]
    if not pages:
        raise CorruptInput("the web archive holds no web page")
    page = pages[0]
    base = (page.get("Content-Location") or message.get("Snapshot-Content-Location") or "").strip()
    saved: dict[str, tuple[str, bytes]] = {}
    for part in parts:
        if part is page:
            continue
        body = part.get_payload(decode=True) or b""
        for name in _names(part, base):
            saved.setdefault(name, (part.get_content_type(), _text_in_utf8(part, body)))

    def resolve(src: str) -> tuple[str, bytes] | None:
        for name in _candidates(src, base):
            if name in saved:
                return saved[name]
        return None

    return html.read(_text_in_utf8(page, page.get_payload(decode=True) or b""), read_picture, resolve)


def _names(part: Message, base: str) -> list[str]:
    names = []
    location = (part.get("Content-Location") or "").strip()
    if location:
        names += _candidates(location, base)
    content_id = (part.get("Content-ID") or "").strip().strip("<>")
    if content_id:
        names.append("cid:" + content_id)
    return names


def _candidates(src: str, base: str) -> list[str]:
    """The keys an address may be saved under: as written, made absolute against the page's own
    address, and unescaped (archives write %E5%9B%BE for 图 as often as not)."""
    src = urldefrag(src.strip())[0]
    out = [src]
    if base and not src.lower().startswith(("cid:", "data:")):
        out.append(urljoin(base, src))
    out += [unquote(s) for s in out]
    return list(dict.fromkeys(out))


def _text_in_utf8(part: Message, body: bytes) -> bytes:
    """A text part as UTF-8 with a BOM where its MIME header names its charset (other parts as they
    are): the header is the archive's word on the encoding, which the page itself may not repeat."""
    charset = part.get_content_charset()
    if part.get_content_maintype() != "text" or not charset:
        return body
    if charset in html.GB_FAMILY:
        charset = "gb18030"  # pages labelled GB2312 use GBK's characters all the time
    try:
        return b"\xef\xbb\xbf" + body.decode(charset).encode("utf-8")
    except (LookupError, UnicodeDecodeError):
        return body  # the page's own declaration, or the reader's guess, decides
