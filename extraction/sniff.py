"""Which kind of input the bytes are, from their content (magic numbers), never the file name."""
from __future__ import annotations

import io
import re
import zipfile

from .errors import EmptyInput, UnsupportedInput

_IMAGE_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"BM", "bmp"),
    (b"GIF87a", "gif"),  # (a screenshot saved as GIF: a page in 256 greys or colours)
    (b"GIF89a", "gif"),
)
# An ISO media file's brands that hold HEIF still images: an iPhone's photos (.heic) and the like.
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
# ...and those of AV1 pictures in the same box (AVIF: a picture saved from the web, or by an
# Android phone), which Pillow reads itself; a file may name them among its compatible brands only.
_AVIF_BRANDS = {b"avif", b"avis"}
_REFUSED_MAGIC = (
    (b"PK\x03\x04", "a ZIP archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a legacy Office or WPS (OLE2 .doc/.xls/.wps) file; save it as .docx or PDF"),
    (b"{\\rtf", "an RTF document (.rtf); save it as .docx or PDF"),
    (b"\x7fELF", "an executable"),
    (b"MZ", "an executable"),
)


# ZIP containers of other document formats, told by the part each must hold.
_ZIP_FORMATS = (
    ("OFD.xml", "an OFD document (GB/T 33190); send it as PDF, which any OFD reader prints to"),
    ("xl/workbook.xml", "an Excel workbook (.xlsx); send the report itself as PDF, DOCX or a web page"),
    ("ppt/presentation.xml", "a PowerPoint presentation (.pptx); send the report as PDF or DOCX"),
    ("content.xml", "an OpenDocument file (.odt/.ods); save it as .docx or PDF"),
)


# A table set as HTML among a converter's Markdown lines (MinerU's kind), often wrapped in a page's
# <html><body> of its own; tables never nest in such output.
EMBEDDED_TABLE = re.compile(r"<table\b.*?</table\s*>", re.I | re.S)
PAGE_WRAPPER = re.compile(r"</?(?:html|body)\b[^>]*>", re.I)
_TAG = re.compile(r"</?[a-zA-Z][\w:-]*[^<>]*>")
# Markup such Markdown carries in its lines too: a line break, a picture, a footnote's mark, a
# highlight. None of it makes a page of blocks, and the text reader takes it out (INLINE_MARKUP).
INLINE_MARKUP = re.compile(r"</?(?:br|img|sup|sub|span|font|b|i|u|s|strong|em|mark|small|a)\b[^<>]*>", re.I)


# Blocks a converter writes as HTML in Markdown (a centred title, a paragraph, a page's anchor, a
# comment where a picture was): each ends the line's paragraph, and the text reader breaks there.
BLOCK_MARKUP = re.compile(r"</?(?:p|div|center|h[1-6]|blockquote|section|article|header|footer|figure"
                          r"|figcaption|ul|ol|li|hr)\b[^<>]*>|<!--.*?-->", re.I | re.S)
_MARKDOWN_LINE = re.compile(r"^[ \t]{0,3}(?:#{1,6}[ \t]+\S|[|｜].*[|｜].*[|｜])", re.M)
# What only a web page opens with.
_PAGE_START = ("<!doctype", "<html", "<?xml", "<head", "<meta", "<body", "<title", "<style", "<script", "<link")


def _text_with_markup(text: str) -> bool:
    """Whether a text that holds markup is Markdown or plain text, read line by line, whose markup
    is HTML tables, their page wrappers and inline markup in its lines; or, when it is Markdown
    (headings, pipe tables), blocks too, which it may open with (a centred title)."""
    opening = text.lstrip("\ufeff \r\n\t")[:16].lower()
    if opening.startswith(_PAGE_START):
        return False
    rest = INLINE_MARKUP.sub("", PAGE_WRAPPER.sub("", EMBEDDED_TABLE.sub("", text)))
    if len(_MARKDOWN_LINE.findall(rest, 0, 200_000)) >= 2:
        return not _TAG.search(BLOCK_MARKUP.sub("", rest))
    return opening[:1] != "<" and not _TAG.search(rest)


def is_web_archive(head: bytes) -> bool:
    """Whether the file's first bytes are a MIME message of related parts: a web page saved as one
    file (.mht, .mhtml)."""
    top = head[:4096].lower()
    header_end = re.search(rb"\r?\n\r?\n", top)
    headers = top[:header_end.start()] if header_end else top
    return (b"mime-version:" in headers and b"multipart/related" in headers
            and re.match(rb"\s*[\w-]+:", top) is not None)


def image_format(data: bytes) -> str | None:
    for magic, name in _IMAGE_MAGIC:
        if data.startswith(magic):
            return name
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[4:8] == b"ftyp":
        brands = _ftyp_brands(data)
        if brands & _AVIF_BRANDS:
            return "avif"
        if brands & _HEIF_BRANDS:
            return "heif"
    return None


def _ftyp_brands(data: bytes) -> set[bytes]:
    """The major and compatible brands of an ISO media file's first box."""
    size = min(int.from_bytes(data[:4], "big"), len(data), 256)
    compatible = [data[i:i + 4] for i in range(16, size - 3, 4)]
    return {data[8:12], *compatible}


def detect_kind(data: bytes) -> str:
    """One of: pdf, html, mhtml (a web page saved with its pictures as one file), docx, text, image.
    Raises UnsupportedInput / EmptyInput."""
    if not data or not data.strip():
        raise EmptyInput("the file is empty")
    head = data[:2048]
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if image_format(data):
        return "image"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = set(z.namelist())
        except zipfile.BadZipFile:
            raise UnsupportedInput("a damaged ZIP container: not a readable .docx") from None
        if "word/document.xml" in names:
            return "docx"
        for marker, what in _ZIP_FORMATS:
            if marker in names:
                raise UnsupportedInput(f"the file is {what}, which is not read")
        raise UnsupportedInput("a ZIP archive, not a report: send the documents one by one")
    for magic, what in _REFUSED_MAGIC:
        if data.startswith(magic):
            raise UnsupportedInput(f"the file is {what}, not a report")
    text = _as_text(head)
    if text is not None and is_web_archive(head):
        return "mhtml"
    if text is None:
        raise UnsupportedInput("binary data of an unknown kind (not PDF, image, HTML, DOCX or text)")
    low = text.lower().lstrip("\ufeff \r\n\t")
    if "<" in low and _text_with_markup(decode_text(data)):
        return "text"
    if low.startswith(("<!doctype html", "<html", "<?xml")) or "<table" in low or "<body" in low or "<div" in low[:400]:
        return "html"
    return "text"


def _as_text(head: bytes) -> str | None:
    """The head decoded as text if it plausibly is text (UTF-8, UTF-16 with BOM or GB18030)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="ignore")
    if b"\x00" in head:
        return None
    for enc in ("utf-8", "gb18030"):
        try:
            # a multi-byte character may be cut at the end of the head
            return head.decode(enc) if enc != "utf-8" else head[:-4].decode(enc) + head[-4:].decode(enc, "ignore")
        except UnicodeDecodeError:
            continue
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return None if controls > len(head) // 50 else head.decode("latin-1")


# A report's commonest characters, in both scripts (the, year, government, information, public,
# report, application, work...).
_COMMON_CHARACTERS = "的年月政府信息資訊公开開报報告申请請度工作情况況"


def decode_text(data: bytes) -> str:
    """Whole-document text decoding: BOMs, then UTF-8, then GB18030 (the national encoding) or Big5."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    found = decode_chinese(data)
    return found[0] if found is not None else data.decode("utf-8", errors="replace")


def decode_chinese(data: bytes) -> tuple[str, str] | None:
    """The bytes as GB18030 or Big5, whichever decodes them and holds more of a report's commonest
    characters (Big5 bytes, a traditional-character text, mostly decode as GB18030 too, into
    nonsense), with that encoding's name; None when neither decodes them."""
    readings = []
    for enc in ("gb18030", "big5"):
        try:
            readings.append((data.decode(enc), enc))
        except UnicodeDecodeError:
            continue
    return max(readings, key=lambda r: sum(map(r[0].count, _COMMON_CHARACTERS))) if readings else None
