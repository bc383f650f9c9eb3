"""A `Report` as a Word file: centred title, prose, the three tables with merged cells made by
python-docx's `cell.merge` (so the file carries real w:gridSpan / w:vMerge), signature.

`frame=True` puts the whole report inside a one-cell layout table, as some offices do to draw a
border around the page; the report's tables are then nested tables. `pictures=True` pastes each
table as a picture instead (a screenshot of the table as the PDF prints it, cut at page breaks),
and `seal=True` puts a round red seal beside the signature, a picture that holds no table.
`text_boxes=True` sets the title and the signature in text boxes, as Word stores them: DrawingML
with a VML fallback holding the same text again.
"""
from __future__ import annotations

import io
import zipfile

import docx
import pymupdf
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Inches
from PIL import Image, ImageDraw

from extraction.model import Table

from .form import Report, _to_traditional
from .pdf_report import render_pdf, ruled_boxes

# A picture of a table as Word shows it: the width of the text column.
_PICTURE_WIDTH_IN = 6.0
_TABLE_MARK = {"t2": "第二十条", "t3": "申请人", "t4": "行政复议"}


def table_pictures(report: Report, dpi: int = 150) -> dict[str, list[bytes]]:
    """Each table as PNG screenshots of the PDF rendering, one per page it spans."""
    doc = pymupdf.open(stream=render_pdf(report, furniture=None, split_t3_before=None), filetype="pdf")
    out: dict[str, list[bytes]] = {name: [] for name in _TABLE_MARK}
    current = None
    for page in doc:
        for box in ruled_boxes(page):
            text = page.get_text(clip=box)
            current = next((n for n, mark in _TABLE_MARK.items()
                            if mark in text or _to_traditional(mark) in text), current)
            if current is not None:
                out[current].append(page.get_pixmap(clip=box + (-4, -4, 4, 4), dpi=dpi, colorspace="gray").tobytes("png"))
    return out


def seal_png() -> bytes:
    img = Image.new("RGB", (300, 300), "white")
    draw = ImageDraw.Draw(img)
    draw.ellipse((10, 10, 290, 290), outline=(220, 30, 30), width=12)
    draw.regular_polygon((150, 150, 50), 5, fill=(220, 30, 30))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def render(report: Report, *, frame: bool = False, pictures: bool = False, seal: bool = False,
           text_boxes: bool = False) -> bytes:
    document = docx.Document()
    shots = table_pictures(report) if pictures else {}
    container = document
    if frame:
        outer = document.add_table(rows=1, cols=1)
        outer.style = "Table Grid"
        container = outer.cell(0, 0)
        container.paragraphs[0].text = ""  # the cell's mandatory first paragraph stays empty

    def para(text: str, *, align=None, bold: bool = False):
        p = container.add_paragraph()
        run = p.add_run(text)
        run.bold = bold
        if align is not None:
            p.alignment = align
        return p

    if text_boxes:
        _text_box(container.add_paragraph(), [report.title])
    else:
        para(report.title, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True)
    for text in report.preamble:
        para(text)
    table_after = {1: "t2", 2: "t3", 3: "t4"}
    for i, (heading, paragraphs) in enumerate(report.sections):
        para(heading, bold=True)
        for text in paragraphs:
            para(text)
        if i in table_after and pictures:
            for png in shots[table_after[i]]:
                container.add_paragraph().add_run().add_picture(io.BytesIO(png), width=Inches(_PICTURE_WIDTH_IN))
        elif i in table_after:
            _table(container, report.tables[table_after[i]])
            if (more := report.tables.get(table_after[i] + "_more")) is not None:
                _table(container, more)  # (a table cut in two by its columns: tests/synth/table_parts.py)
    if text_boxes:
        _text_box(container.add_paragraph(), report.signature)
    else:
        for line in report.signature:
            para(line, align=WD_ALIGN_PARAGRAPH.RIGHT)
    if seal:
        container.add_paragraph().add_run().add_picture(io.BytesIO(seal_png()), width=Inches(1.6))
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


_BOX_NS = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
           'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
           'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
           'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
           'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
           'xmlns:v="urn:schemas-microsoft-com:vml"')


def _text_box(paragraph, lines: list[str]) -> None:
    """A floating text box anchored in `paragraph`, holding `lines`, stored as Word 2010+ does."""
    from xml.sax.saxutils import escape

    from docx.oxml import parse_xml

    content = "<w:txbxContent>" + "".join(
        f"<w:p><w:pPr><w:jc w:val=\"center\"/></w:pPr><w:r><w:t>{escape(line)}</w:t></w:r></w:p>"
        for line in lines) + "</w:txbxContent>"
    run = parse_xml(
        f"<w:r {_BOX_NS}><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing>"
        f"<wp:anchor distT=\"0\" distB=\"0\" distL=\"0\" distR=\"0\" simplePos=\"0\" relativeHeight=\"1\" "
        f"behindDoc=\"0\" locked=\"0\" layoutInCell=\"1\" allowOverlap=\"1\"><wp:simplePos x=\"0\" y=\"0\"/>"
        f"<wp:positionH relativeFrom=\"column\"><wp:posOffset>0</wp:posOffset></wp:positionH>"
        f"<wp:positionV relativeFrom=\"paragraph\"><wp:posOffset>0</wp:posOffset></wp:positionV>"
        f"<wp:extent cx=\"5486400\" cy=\"{457200 * len(lines)}\"/><wp:wrapTopAndBottom/>"
        f"<wp:docPr id=\"{id(paragraph) % 100000 + 1}\" name=\"Text Box\"/>"
        f"<a:graphic><a:graphicData uri=\"http://schemas.microsoft.com/office/word/2010/wordprocessingShape\">"
        f"<wps:wsp><wps:cNvSpPr txBox=\"1\"/><wps:spPr/><wps:txbx>{content}</wps:txbx><wps:bodyPr/></wps:wsp>"
        f"</a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>"
        f"<mc:Fallback><w:pict><v:shape style=\"width:432pt;height:{36 * len(lines)}pt\"><v:textbox>{content}"
        f"</v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>")
    paragraph._p.append(run)


def _table(container, table: Table) -> None:
    out = container.add_table(rows=table.n_rows, cols=table.n_cols)
    out.style = "Table Grid"
    # Table.cell() rebuilds the whole cell list on every call; take it once. The corners of each
    # merge stay valid: merges do not overlap, and a merge only rewrites the cells of its region.
    grid = out._cells

    def at(r: int, c: int):
        return grid[r * table.n_cols + c]

    for cell in table.cells:
        target = at(cell.row, cell.col)
        if cell.rowspan > 1 or cell.colspan > 1:
            target = target.merge(at(cell.row + cell.rowspan - 1, cell.col + cell.colspan - 1))
        # Multi-line labels: Word cells hold one paragraph per line.
        lines = cell.text.split("\n")
        target.text = lines[0]
        for line in lines[1:]:
            target.add_paragraph(line)


def alt_chunk(payload: bytes, content_type: str, *, before: str | None = None, copies: int = 1) -> bytes:
    """A Word file whose body is an alternative part (w:altChunk) in another format, as a web
    page's "export to Word" writes it (html-docx-js: the page as MHT): `payload` of `content_type`
    (`copies` parts of it), after a paragraph `before` where given."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from docx.oxml import parse_xml

    document = docx.Document()
    if before:
        document.add_paragraph(before)
    suffix = {"text/html": "html", "message/rfc822": "mht", "text/plain": "txt"}.get(content_type, "bin")
    body = document.element.body
    for n in range(copies):
        part = Part(PackURI(f"/word/afchunk{n or ''}.{suffix}"), content_type, payload, document.part.package)
        rid = document.part.relate_to(part, RT.A_F_CHUNK)
        chunk = parse_xml(f'<w:altChunk xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
                          f'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="{rid}"/>')
        body.insert(len(body) - 1, chunk)  # before the section properties, which close the body
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


_CN_NUMERALS = "一二三四五六七八九十"


def auto_numbered(data: bytes) -> bytes:
    """The Word file with its numbers drawn by Word's automatic numbering instead of typed: the
    six section headings through a heading style that carries a list ("%1、", Chinese counting),
    the overview's （一）…（五） as a list of their own, and in every table the labels 1. 2. …
    of each group as a decimal list restarted for the group (Word's "restart numbering": a
    w:startOverride). Only the typed number is taken out of the text."""
    import re

    from docx.oxml import parse_xml

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    document = docx.Document(io.BytesIO(data))
    numbering = document.part.numbering_part.element
    for aid, fmt, text in ((801, "chineseCounting", "%1、"), (802, "chineseCounting", "（%1）"), (803, "decimal", "%1.")):
        abstract = parse_xml(f'<w:abstractNum {w} w:abstractNumId="{aid}"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
                             f'<w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/></w:lvl></w:abstractNum>')
        first = numbering.find(f"{{{numbering.nsmap['w']}}}num")
        first.addprevious(abstract) if first is not None else numbering.append(abstract)
    ids = iter(range(8001, 9000))

    def new_list(aid: int) -> str:
        nid = next(ids)
        numbering.append(parse_xml(f'<w:num {w} w:numId="{nid}"><w:abstractNumId w:val="{aid}"/><w:lvlOverride '
                                   f'w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>'))
        return str(nid)

    heading = document.styles.add_style("ReportHeading", 1)  # a paragraph style
    heading.element.get_or_add_pPr().append(parse_xml(
        f'<w:numPr {w}><w:ilvl w:val="0"/><w:numId w:val="{new_list(801)}"/></w:numPr>'))

    def take(p, prefix: str) -> bool:
        """The typed number out of the paragraph's first run."""
        runs = [r for r in p.runs if r.text]
        if not runs or not runs[0].text.startswith(prefix):
            return False
        runs[0].text = runs[0].text[len(prefix):]
        return True

    def numbered(p, nid: str) -> None:
        p._p.get_or_add_pPr().insert(0, parse_xml(
            f'<w:numPr {w}><w:ilvl w:val="0"/><w:numId w:val="{nid}"/></w:numPr>'))

    overview = new_list(802)
    for p in document.paragraphs:
        if (m := re.match(f"[{_CN_NUMERALS}]、", p.text)) and take(p, m.group(0)):
            p.style = heading
        elif (m := re.match(f"（[{_CN_NUMERALS}]）", p.text)) and take(p, m.group(0)):
            numbered(p, overview)
    items = None
    for tc in document.element.body.iter(f"{{{numbering.nsmap['w']}}}tc"):
        for p in docx.table._Cell(tc, None).paragraphs:
            m = re.match(r"(\d+)\.(?=\D)", p.text)
            if not m:
                continue
            if m.group(1) == "1":
                items = new_list(803)
            if items and take(p, m.group(0)):
                numbered(p, items)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def legacy_workbook(texts: dict[tuple[int, int], str], merges: list[tuple[int, int, int, int]], *,
                    ole_size: tuple[int, int, int, int] | None = None, hidden_rows: tuple[int, ...] = ()) -> bytes:
    """An Excel 97-2003 workbook (BIFF8 in an OLE file, written by xlwt) holding the grid on its
    one sheet: plain figures as numbers, other texts as strings, the merges merged; `ole_size`:
    (first row, first column, last row, last column) of the range an embedded object shows, as
    the OLESIZE record Excel writes into an embedded workbook (xlwt writes none); `hidden_rows`:
    rows hidden."""
    import struct

    import xlwt
    from xlwt.CompoundDoc import XlsDoc

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Sheet1")
    anchors = {(m[0], m[1]): m for m in merges}
    for (r, c), text in sorted(texts.items()):
        value = int(text) if text.lstrip("-").isdigit() else text
        if (r, c) in anchors:
            r0, c0, r1, c1 = anchors.pop((r, c))
            sheet.write_merge(r0, r1, c0, c1, value)
        else:
            sheet.write(r, c, value)
    for r0, c0, r1, c1 in anchors.values():  # merged cells holding nothing
        sheet.write_merge(r0, r1, c0, c1, "")
    for r in hidden_rows:
        sheet.row(r).hidden = True
    stream = book.get_biff_data()
    if ole_size:
        r0, c0, r1, c1 = ole_size
        record = struct.pack("<HHHHHBB", 0x00DE, 8, 0, r0, r1, c0, c1)
        first = 4 + struct.unpack_from("<H", stream, 2)[0]  # after the globals' BOF
        stream = stream[:first] + record + stream[first:]
        pos = 0
        while pos < len(stream):  # each BOUNDSHEET's offset of its sheet, moved by the record
            code, length = struct.unpack_from("<HH", stream, pos)
            if code == 0x0085:
                at = struct.unpack_from("<I", stream, pos + 4)[0]
                stream = stream[:pos + 4] + struct.pack("<I", at + len(record)) + stream[pos + 8:]
            if code == 0x000A:
                break
            pos += 4 + length
    out = io.BytesIO()
    XlsDoc().save(out, stream)
    return out.getvalue()


def _sheet_grid(tbl) -> tuple[dict[tuple[int, int], str], list[tuple[int, int, int, int]]]:
    """A Word table's texts by (row, column) of its grid, and its merged cells as (r0, c0, r1, c1)."""
    w = f"{{{tbl.nsmap['w']}}}"
    texts, merges, open_above = {}, [], {}
    for r, tr in enumerate(tbl.iterchildren(f"{w}tr")):
        c, now_open = 0, {}
        for tc in tr.iterchildren(f"{w}tc"):
            span_el, vmerge = tc.find(f"{w}tcPr/{w}gridSpan"), tc.find(f"{w}tcPr/{w}vMerge")
            span = int(span_el.get(f"{w}val")) if span_el is not None else 1
            text = "".join(t.text or "" for t in tc.iter(f"{w}t")).strip()
            if vmerge is not None and vmerge.get(f"{w}val", "continue") == "continue" and c in open_above:
                anchor = open_above[c]
                anchor[2] = r
                now_open[c] = anchor
            else:
                anchor = [r, c, r, c + span - 1]
                merges.append(anchor)
                now_open[c] = anchor
                if text:
                    texts[(r, c)] = text
            c += span
        open_above = now_open
    return texts, [tuple(m) for m in merges if m[2] > m[0] or m[3] > m[1]]


def _cell_ref(r: int, c: int) -> str:
    letters = ""
    c += 1
    while c:
        c, rem = divmod(c - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{r + 1}"


def workbook(texts: dict[tuple[int, int], str], merges: list[tuple[int, int, int, int]], *,
             ole_size: bool = True) -> bytes:
    """A minimal .xlsx holding the grid on its one sheet: plain figures as numbers, other texts as
    shared strings, the merges as mergeCells; `ole_size`: the range an embedded object shows."""
    from xml.sax.saxutils import escape

    strings: list[str] = []
    rows: dict[int, list[str]] = {}
    for (r, c), text in sorted(texts.items()):
        ref = _cell_ref(r, c)
        if text.lstrip("-").isdigit():
            rows.setdefault(r, []).append(f'<c r="{ref}"><v>{int(text)}</v></c>')
        else:
            strings.append(text)
            rows.setdefault(r, []).append(f'<c r="{ref}" t="s"><v>{len(strings) - 1}</v></c>')
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rns = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    last = (max(r for r, _ in texts), max(m[3] for m in merges) if merges else 0)
    last = (last[0], max(last[1], max(c for _, c in texts)))
    sheet = (f'<worksheet {ns}><sheetData>'
             + "".join(f'<row r="{r + 1}">{"".join(cells)}</row>' for r, cells in sorted(rows.items()))
             + '</sheetData>'
             + (f'<mergeCells count="{len(merges)}">'
                + "".join(f'<mergeCell ref="{_cell_ref(a, b)}:{_cell_ref(c, d)}"/>' for a, b, c, d in merges)
                + '</mergeCells>' if merges else "") + '</worksheet>')
    size = f'<oleSize ref="A1:{_cell_ref(*last)}"/>' if ole_size else ""
    parts = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        '</Types>',
        "_rels/.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        '</Relationships>',
        "xl/workbook.xml": f'<workbook {ns} {rns}>{size}<bookViews><workbookView activeTab="0"/></bookViews>'
        '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
        '</Relationships>',
        "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": f'<sst {ns} count="{len(strings)}" uniqueCount="{len(strings)}">'
        + "".join(f"<si><t>{escape(s)}</t></si>" for s in strings) + "</sst>",
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, xml in parts.items():
            z.writestr(name, xml)
    return buf.getvalue()


# An EMF's first record (EMR_HEADER): enough for a reader to know the kind, which it cannot draw.
_EMF_PREVIEW = (b"\x01\x00\x00\x00\x6c\x00\x00\x00" + b"\x00" * 32 + b" EMF" + b"\x00\x00\x01\x00" + b"\x00" * 64)


def embedded_sheets(data: bytes, *, legacy: bool = False, damaged: bool = False) -> bytes:
    """The Word file with each of its tables pasted as an Excel object instead, as Word stores one:
    a paragraph holding a w:object with the preview picture (EMF) and an o:OLEObject whose
    relationship points at the workbook, an .xlsx package (Excel.Sheet.12). `legacy`: the objects
    are Excel 97-2003's (Excel.Sheet.8), whose workbook is a binary OLE file (legacy_workbook);
    `damaged`: its bytes an OLE file's header and nothing a reader can use."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from docx.oxml import parse_xml

    document = docx.Document(io.BytesIO(data))
    body = document.element.body
    w = f"{{{body.nsmap['w']}}}"
    data_tables = [t for t in body.iter(f"{w}tbl") if next(t.iterdescendants(f"{w}tbl"), None) is None]
    for n, tbl in enumerate(data_tables, 1):  # (a frame around the report stays a Word table)
        texts, merges = _sheet_grid(tbl)
        if legacy:
            blob = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 if damaged else legacy_workbook(texts, merges)
            sheet = Part(PackURI(f"/word/embeddings/oleObject{n}.bin"), "application/vnd.openxmlformats-officedocument.oleObject",
                         blob, document.part.package)
            rel, prog = RT.OLE_OBJECT, "Excel.Sheet.8"
        else:
            sheet = Part(PackURI(f"/word/embeddings/Microsoft_Excel_Worksheet{n}.xlsx"),
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", workbook(texts, merges),
                         document.part.package)
            rel, prog = RT.PACKAGE, "Excel.Sheet.12"
        preview = Part(PackURI(f"/word/media/sheet{n}.emf"), "image/x-emf", _EMF_PREVIEW, document.part.package)
        sheet_rid, preview_rid = document.part.relate_to(sheet, rel), document.part.relate_to(preview, RT.IMAGE)
        tbl.addprevious(parse_xml(
            '<w:p xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
            'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office">'
            '<w:r><w:object w:dxaOrig="9000" w:dyaOrig="6000">'
            f'<v:shape id="_x0000_i10{n:02d}" type="#_x0000_t75" style="width:450pt;height:300pt" o:ole="">'
            f'<v:imagedata r:id="{preview_rid}" o:title=""/></v:shape>'
            f'<o:OLEObject Type="Embed" ProgID="{prog}" ShapeID="_x0000_i10{n:02d}" DrawAspect="Content" '
            f'ObjectID="_17{n:08d}" r:id="{sheet_rid}"/></w:object></w:r></w:p>'))
        tbl.getparent().remove(tbl)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def positioned(report: Report, *, frames: bool = False) -> bytes:
    """The report as a PDF-to-Word converter that writes no table: prose as paragraphs, each table
    on a page of its own, every cell's text a box placed on the page and every cell's border a
    line shape. `frames=False`: DrawingML text boxes and lines anchored to the page, written
    column by column; `frames=True`: framed paragraphs (w:framePr) and VML lines, row by row."""
    from xml.sax.saxutils import escape

    from docx.oxml import parse_xml

    document = docx.Document()
    body = document.element.body
    shape = [0]

    def para(text: str) -> None:
        document.add_paragraph(text)

    def raw(xml: str) -> None:
        body.insert(len(body) - 1, parse_xml(xml))  # before the body's final sectPr

    def box(text: str, x: float, y: float, w: float, h: float) -> str:
        if frames:
            return (f"<w:p {_BOX_NS}><w:pPr><w:framePr w:w=\"{round(w * 20)}\" w:h=\"{round(h * 20)}\" "
                    f"w:hRule=\"exact\" w:wrap=\"around\" w:vAnchor=\"page\" w:hAnchor=\"page\" w:x=\"{round(x * 20)}\" "
                    f"w:y=\"{round(y * 20)}\"/><w:jc w:val=\"center\"/></w:pPr><w:r><w:rPr><w:sz w:val=\"16\"/></w:rPr>"
                    f"<w:t xml:space=\"preserve\">{escape(text)}</w:t></w:r></w:p>")
        shape[0] += 1
        content = (f"<w:txbxContent><w:p><w:pPr><w:jc w:val=\"center\"/></w:pPr><w:r><w:rPr><w:sz w:val=\"16\"/></w:rPr>"
                   f"<w:t xml:space=\"preserve\">{escape(text)}</w:t></w:r></w:p></w:txbxContent>")
        return _anchor(x, y, w, h, shape[0], f"<wps:cNvSpPr txBox=\"1\"/><wps:spPr><a:prstGeom prst=\"rect\"/></wps:spPr>"
                                             f"<wps:txbx>{content}</wps:txbx><wps:bodyPr/>")

    def line(x0: float, y0: float, x1: float, y1: float) -> str:
        if frames:
            return (f"<w:p {_BOX_NS}><w:r><w:pict><v:line style=\"position:absolute;mso-position-horizontal-relative:page;"
                    f"mso-position-vertical-relative:page\" from=\"{x0}pt,{y0}pt\" to=\"{x1}pt,{y1}pt\"/></w:pict></w:r></w:p>")
        shape[0] += 1
        return _anchor(x0, y0, x1 - x0, y1 - y0, shape[0], "<wps:cNvCnPr/><wps:spPr><a:prstGeom prst=\"line\"/></wps:spPr><wps:bodyPr/>")

    para(report.title)
    for text in report.preamble:
        para(text)
    table_after = {1: "t2", 2: "t3", 3: "t4"}
    for i, (heading, paragraphs) in enumerate(report.sections):
        para(heading)
        for text in paragraphs:
            para(text)
        if i not in table_after:
            continue
        table = report.tables[table_after[i]]
        left, top, width, row_h = 60.0, 80.0, 475.0, 18.0
        label_cols = min(c.col for c in table.cells if c.text.strip() and any(ch.isdigit() for ch in c.text)) \
            if any(any(ch.isdigit() for ch in c.text) for c in table.cells) else 1
        # label columns wider than the figures' columns
        weights = [3.0 if k < label_cols else 1.0 for k in range(table.n_cols)]
        xs = [left]
        for wgt in weights:
            xs.append(xs[-1] + width * wgt / sum(weights))
        raw(f"<w:p {_BOX_NS}><w:r><w:br w:type=\"page\"/></w:r></w:p>")
        cells = sorted(table.cells, key=lambda c: (c.row, c.col) if frames else (c.col, c.row))
        for c in cells:
            x0, x1 = xs[c.col], xs[c.col + c.colspan]
            y0, y1 = top + c.row * row_h, top + (c.row + c.rowspan) * row_h
            text = c.text.replace("\n", "")
            if text.strip():
                raw(box(text, x0 + 1, y0 + (y1 - y0 - 12) / 2, x1 - x0 - 2, 12))
            for a, b in (((x0, y0), (x1, y0)), ((x0, y1), (x1, y1)), ((x0, y0), (x0, y1)), ((x1, y0), (x1, y1))):
                raw(line(*a, *b))
        raw(f"<w:p {_BOX_NS}><w:r><w:br w:type=\"page\"/></w:r></w:p>")
    for text in report.signature:
        para(text)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _anchor(x: float, y: float, w: float, h: float, n: int, shape: str) -> str:
    emu = 12700
    return (f"<w:p {_BOX_NS}><w:r><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing>"
            f"<wp:anchor distT=\"0\" distB=\"0\" distL=\"0\" distR=\"0\" simplePos=\"0\" relativeHeight=\"{n}\" "
            f"behindDoc=\"0\" locked=\"0\" layoutInCell=\"1\" allowOverlap=\"1\"><wp:simplePos x=\"0\" y=\"0\"/>"
            f"<wp:positionH relativeFrom=\"page\"><wp:posOffset>{round(x * emu)}</wp:posOffset></wp:positionH>"
            f"<wp:positionV relativeFrom=\"page\"><wp:posOffset>{round(y * emu)}</wp:posOffset></wp:positionV>"
            f"<wp:extent cx=\"{round(w * emu)}\" cy=\"{round(h * emu)}\"/><wp:wrapNone/>"
            f"<wp:docPr id=\"{n}\" name=\"Shape {n}\"/><a:graphic><a:graphicData "
            f"uri=\"http://schemas.microsoft.com/office/word/2010/wordprocessingShape\"><wps:wsp>{shape}</wps:wsp>"
            f"</a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice></mc:AlternateContent></w:r></w:p>")
