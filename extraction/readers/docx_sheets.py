"""Tables pasted into a Word file as Excel objects (`w:object` holding an `o:OLEObject` whose
ProgID is Excel.Sheet.*), as offices that keep their figures in a spreadsheet often do.

Word shows such a table as a preview picture (EMF, which we cannot decode) and keeps the workbook
itself in the file: an .xlsx package for Excel 2007 on (Excel.Sheet.12), the binary format of
Excel 97-2003 in an OLE container before it (Excel.Sheet.8, legacy_workbook.py). The .xlsx is read
here: the range the object shows (the workbook's `oleSize`, else every cell that holds something)
of the sheet it shows (the active one), with its merged cells as spans (workbook_grid.py): the grid
the picture draws, exactly. An object whose workbook cannot be read is named in a warning, and its
preview left alone.
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field

from lxml import etree

from ..model import Table
from .legacy_workbook import OLE_MAGIC, legacy_sheet
from .workbook_grid import MAX_CELLS, MAX_PART_BYTES, SheetView, number_text, shown_grid

_O = "urn:schemas-microsoft-com:office:office"
_V = "urn:schemas-microsoft-com:vml"
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_PKG_R = "http://schemas.openxmlformats.org/package/2006/relationships"
_REF = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)  # the file is the sender's


@dataclass
class EmbeddedSheets:
    """What the Excel objects of one Word file gave: the pictures they stand behind (left unread
    where the sheet was read) and the objects that could not be read."""
    previews: set[str] = field(default_factory=set)
    unread: int = 0

    def warnings(self) -> list[str]:
        return [f"{self.unread} table(s) pasted as Excel objects were not read (their workbooks damaged, or in "
                f"a format not read); save them as native Word tables"] if self.unread else []


def sheet_tables(p, part, seen: EmbeddedSheets) -> list[Table]:
    """The tables the Excel objects of one body paragraph show, in order. The preview pictures of
    those read are added to `seen.previews` (their relationship ids), for the picture reader to
    pass over."""
    out = []
    workbooks: set[str] = set()  # (an object given twice, as a markup-compatibility choice and its fallback, is one)
    for obj in p.iter(f"{{{_W}}}object"):
        ole = obj.find(f".//{{{_O}}}OLEObject")
        if ole is None or not (ole.get("ProgID") or "").startswith("Excel.Sheet") or ole.get(f"{{{_R}}}id") in workbooks:
            continue
        workbooks.add(ole.get(f"{{{_R}}}id"))
        try:
            blob = part.related_parts[ole.get(f"{{{_R}}}id")].blob
        except (KeyError, AttributeError):
            continue  # linked to a workbook outside the file: Word shows only the preview too
        table = workbook_table(blob)
        if table is None:
            seen.unread += 1
            continue
        out.append(table)
        seen.previews |= {rid for rid in (img.get(f"{{{_R}}}id") for img in obj.iter(f"{{{_V}}}imagedata")) if rid}
    return out


def workbook_table(blob: bytes) -> Table | None:
    """The grid an embedded workbook (.xlsx, or Excel 97-2003's) shows; None where it is neither or
    holds no table."""
    view = legacy_sheet(blob) if blob.startswith(OLE_MAGIC) else _xlsx_sheet(blob)
    return shown_grid(view) if view is not None else None


def _xlsx_sheet(blob: bytes) -> SheetView | None:
    try:
        with zipfile.ZipFile(io.BytesIO(blob)) as z:
            return _Workbook(z).sheet()
    except (zipfile.BadZipFile, KeyError, IndexError, StopIteration, TypeError, etree.XMLSyntaxError, ValueError):
        return None  # no .xlsx, or one damaged past reading (no sheet, a cell without its reference...)


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _at(ref: str) -> tuple[int, int]:
    m = _REF.match(ref.strip().upper())
    if m is None:
        raise ValueError(f"not a cell reference: {ref}")
    return int(m.group(2)) - 1, _column_number(m.group(1))


def _range(ref: str) -> tuple[int, int, int, int]:
    first, _, last = ref.partition(":")
    (r0, c0), (r1, c1) = _at(first), _at(last or first)
    return min(r0, r1), min(c0, c1), max(r0, r1), max(c0, c1)


class _Workbook:
    def __init__(self, z: zipfile.ZipFile) -> None:
        self.z = z
        self.book = self._xml("xl/workbook.xml")

    def _xml(self, path: str):
        if self.z.getinfo(path).file_size > MAX_PART_BYTES:
            raise ValueError(f"{path}: too large for a table")
        return etree.fromstring(self.z.read(path), _PARSER)

    def _shown_sheet(self) -> str:
        sheets = self.book.findall(f"{{{_S}}}sheets/{{{_S}}}sheet")
        view = self.book.find(f"{{{_S}}}bookViews/{{{_S}}}workbookView")
        active = int(view.get("activeTab", "0")) if view is not None else 0
        sheet = sheets[min(active, len(sheets) - 1)]
        rels = self._xml("xl/_rels/workbook.xml.rels")
        rid = sheet.get(f"{{{_R}}}id")
        target = next(r.get("Target") for r in rels.iter(f"{{{_PKG_R}}}Relationship") if r.get("Id") == rid)
        return target.lstrip("/") if target.startswith("/") else "xl/" + target

    def _shared_strings(self) -> list[str]:
        if "xl/sharedStrings.xml" not in self.z.namelist():
            return []
        # a string's text is its runs' (or its one t's); rPh holds a phonetic reading, not shown
        return ["".join(t.text or "" for t in si.iter(f"{{{_S}}}t") if t.getparent().tag != f"{{{_S}}}rPh")
                for si in self._xml("xl/sharedStrings.xml").iter(f"{{{_S}}}si")]

    def sheet(self) -> SheetView | None:
        sheet = self._xml(self._shown_sheet())
        strings = self._shared_strings()
        hidden_cols = set()
        for col in sheet.iter(f"{{{_S}}}col"):
            if col.get("hidden") in ("1", "true"):
                hidden_cols |= set(range(int(col.get("min")) - 1, int(col.get("max"))))
        texts: dict[tuple[int, int], str] = {}
        hidden_rows = set()
        for n, row in enumerate(sheet.iter(f"{{{_S}}}row")):
            r = int(row.get("r", n + 1)) - 1
            if row.get("hidden") in ("1", "true"):
                hidden_rows.add(r)
            for k, c in enumerate(row.iter(f"{{{_S}}}c")):
                at = _at(c.get("r")) if c.get("r") else (r, k)
                text = self._cell_text(c, strings).strip()
                if text:
                    texts[at] = text
                if len(texts) > MAX_CELLS:
                    return None
        size = self.book.find(f"{{{_S}}}oleSize")
        merges = [_range(merge.get("ref")) for merge in sheet.iter(f"{{{_S}}}mergeCell")]
        return SheetView(texts, merges, hidden_rows, hidden_cols, _range(size.get("ref")) if size is not None else None)

    @staticmethod
    def _cell_text(c, strings: list[str]) -> str:
        kind = c.get("t", "n")
        if kind == "inlineStr":
            return "".join(t.text or "" for t in c.iter(f"{{{_S}}}t"))
        v = c.find(f"{{{_S}}}v")
        if v is None or v.text is None:
            return ""
        if kind == "s":
            i = int(v.text)
            return strings[i] if 0 <= i < len(strings) else ""
        if kind in ("str", "b"):
            return v.text
        if kind == "e":
            return ""  # #DIV/0! and its kind: no figure
        return number_text(float(v.text))
