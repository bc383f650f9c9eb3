"""An Excel 97-2003 workbook (BIFF8 in an OLE compound file), as Word keeps a table pasted as an
Excel.Sheet.8 object (word/embeddings/oleObject1.bin, or a .xls part): the sheet the object
shows, read with xlrd. The range shown is the workbook's OLESIZE record, which xlrd passes over,
so it is found here among the records of the workbook's globals."""
from __future__ import annotations

import io
import struct

from .workbook_grid import MAX_CELLS, MAX_PART_BYTES, SheetView, number_text

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OLESIZE, _EOF = 0x00DE, 0x000A


def legacy_sheet(blob: bytes) -> SheetView | None:
    """The sheet the object shows; None where the bytes are no workbook xlrd can read."""
    if not blob.startswith(OLE_MAGIC) or len(blob) > MAX_PART_BYTES:
        return None
    import xlrd  # here, not at import: only a Word file with such an object needs it (the GPU kit has none)

    try:
        # on_demand keeps the workbook stream, where the OLESIZE record is; the log is xlrd's chatter
        book = xlrd.open_workbook(file_contents=blob, formatting_info=True, on_demand=True, logfile=io.StringIO())
    except Exception:  # noqa: BLE001 - xlrd raises what its parser meets (struct, index, its own errors)
        return None
    try:
        shown = _ole_size(book.mem, book.base)
        sheets = [book.sheet_by_index(i) for i in range(book.nsheets)]
        if not sheets:
            return None
        sheet = next((s for s in sheets if s.sheet_visible), sheets[0])  # the tab displayed
        if sheet.nrows * sheet.ncols > 4 * MAX_CELLS:
            return None
        texts = {}
        for r in range(sheet.nrows):
            for c, cell in enumerate(sheet.row(r)):
                text = _cell_text(cell).strip()
                if text:
                    texts[(r, c)] = text
        merges = [(r0, c0, r1 - 1, c1 - 1) for r0, r1, c0, c1 in sheet.merged_cells]
        hidden_rows = {r for r, info in sheet.rowinfo_map.items() if info.hidden}
        hidden_cols = {c for c, info in sheet.colinfo_map.items() if info.hidden}
        return SheetView(texts, merges, hidden_rows, hidden_cols, shown)
    except Exception:  # noqa: BLE001 - a sheet damaged past reading
        return None
    finally:
        book.release_resources()


def _ole_size(mem: bytes, base: int) -> tuple[int, int, int, int] | None:
    """(first row, first column, last row, last column) of the OLESIZE record in the globals."""
    pos = base
    while pos + 4 <= len(mem):
        code, length = struct.unpack_from("<HH", mem, pos)
        if code == _OLESIZE and length >= 8:
            _, r0, r1, c0, c1 = struct.unpack_from("<HHHBB", mem, pos + 4)
            return min(r0, r1), min(c0, c1), max(r0, r1), max(c0, c1)
        if code == _EOF:
            return None
        pos += 4 + length
    return None


def _cell_text(cell) -> str:
    import xlrd

    if cell.ctype in (xlrd.XL_CELL_NUMBER, xlrd.XL_CELL_DATE):
        return number_text(float(cell.value))
    if cell.ctype == xlrd.XL_CELL_TEXT:
        return cell.value
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return "TRUE" if cell.value else "FALSE"
    return ""  # empty, blank, or an error (#DIV/0!): no figure
