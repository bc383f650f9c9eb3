"""A part of a report: one photographed page, a screenshot of table 3, pages 2-3 of a PDF.

The contract returns the keys of the rows a document prints. A whole report prints every row of
its form, so a row not found there is missing (in review); a part prints only the rows on its
pages, and the others are not its to return. A document is a part where it begins inside a
report (neither the title nor section 一 in it, and a table before its first one not in it at
all, or that table's own heading not in it) or ends inside one (neither section 五 nor 六 in it,
and a table after its last one not in it, or only that table's heading at its end). Its first
table's rows before the first one read began on an earlier page, its last table's rows after
the last one read go on to a later one; rows not found between rows read stay missing (OCR lost
them, the page did not), and so do the tables of a document that holds the report's beginning
and end, or that lost a table between two it shows: a whole report read in part."""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from .readings import TableRead
from .schema import Row, Schema
from .sections import Sections

_TABLES = (2, 3, 4)  # the form's tables, by the number of the section that holds each
_TABLE4 = "table4"  # table 4 as one row: its cells have no row labels to be found by


@dataclass
class Excerpt:
    """What a part of a report leaves out: the keys of the rows it does not print, by table."""
    left_out: dict[str, frozenset[str]] = field(default_factory=dict)  # "t3" → keys
    absent: tuple[int, ...] = ()  # tables not in it at all
    cut: tuple[int, ...] = ()  # tables it shows only some rows of
    # which form it follows is shown: table 2 is in it, or table 3's (六) rows, where the forms differ
    form_shown: bool = False

    def keys(self) -> frozenset[str]:
        return frozenset().union(*self.left_out.values()) if self.left_out else frozenset()

    def warning(self) -> str:
        said = [_tables(self.absent, "is not in it", "are not in it")] if self.absent else []
        if self.cut:
            said.append(_tables(self.cut, "runs past its edge", "run past its edge"))
        return (f"the document is part of a report ({'; '.join(said)}): only the fields of the rows it prints "
                f"are returned ({len(self.keys())} of the form's left out)")


def _tables(numbers: tuple[int, ...], one: str, more: str) -> str:
    """The tables named, with the verb that fits them: table 4 is …, tables 2 and 4 are …."""
    many = len(numbers) > 1
    return f"table{'s' if many else ''} {' and '.join(map(str, numbers))} {more if many else one}"


def meta_left_out(part: Excerpt, meta: dict) -> set[str]:
    """The report's facts a part does not print (the agency and the date where neither its title
    nor its signature is in it, the year where no sentence of it names one), and the form where
    nothing in it differs between the two forms."""
    out = {k for k in ("meta.agency", "meta.year", "meta.published_date") if k in meta and meta[k].status == "missing"}
    if not part.form_shown:
        out.add("meta.template")
    return out


def find_excerpt(rows: dict[int, list[Row]], tables: dict[int, TableRead], sections: Sections,
                 titled: bool) -> Excerpt | None:
    """`rows`: each table's rows in printed order (table 4 as one row); `tables`: what was read of
    each; `titled`: the report's title is in the document. None for a whole report (or one that
    cannot be told from a whole report)."""
    seen = {n: [r for r in rows[n] if _found(tables[n], r)] for n in _TABLES}
    shown = [n for n in _TABLES if seen[n]]
    absent = [n for n in _TABLES if not seen[n] and n not in sections.starts]
    if not shown:
        return None
    first, last = shown[0], shown[-1]
    if any(first < n < last for n in absent):
        return None  # a table lost between two others: a whole report read in part
    opens = titled or 1 in sections.starts  # the report's beginning is in it
    closes = 5 in sections.starts or 6 in sections.starts  # and its end
    if any(n < first for n in absent) and opens or any(n > last for n in absent) and closes:
        return None  # so the tables missing between them were lost, not left out
    # it begins inside a report: tables before the first one it shows are not in it, or that
    # table's heading is not (its first rows on the page before)
    begins_inside = not opens and (any(n < first for n in absent) or first not in sections.starts)
    out = Excerpt(absent=tuple(absent),
                  form_shown=bool(seen[2]) or any(r.id.startswith("other_handling") for r in seen[3]))
    cut = []
    for n in _TABLES:
        table_rows = rows[n]
        keys = {k for r in table_rows for k in r.keys}
        if n in absent:
            out.left_out[f"t{n}"] = frozenset(keys)
            continue
        ends_it = not closes and not any(m > n for m in sections.starts)  # no heading after it: it runs to the edge
        if not seen[n]:
            if n < last or not ends_it:
                continue  # its heading is in it and its rows are not: they were lost, not left out
            dropped = frozenset(keys)  # its heading the last line of the part: its rows are beyond
        else:
            # (its edges are where its figures begin and end: a label found with no figure read
            # beside it may be a piece of another's, 予公开 of (三)不予公开 taken for (一)予以公开)
            valued = [i for i, r in enumerate(table_rows) if r in seen[n] and _valued(tables[n], r)]
            at = valued or [i for i, r in enumerate(table_rows) if r in seen[n]]
            before = table_rows[:at[0]] if n == first and begins_inside and n not in sections.starts else []
            after = table_rows[at[-1] + 1:] if n == last and ends_it else []
            dropped = frozenset(k for r in before + after for k in r.keys)
        if dropped:
            out.left_out[f"t{n}"] = dropped
            cut.append(n)
    out.cut = tuple(cut)
    return out if out.left_out else None


def table_rows(schema: Schema, template: str, single_other_handling: bool) -> dict[int, list[Row]]:
    """The rows of each of the form's tables as `find_excerpt` takes them."""
    t4 = Row(_TABLE4, "", None, tuple(schema.t4_keys()))
    return {2: schema.t2_rows(template), 3: schema.t3_rows(single_other_handling), 4: [t4]}


def _valued(table: TableRead, row: Row) -> bool:
    return any(r.status != "missing" for k in row.keys if (r := table.readings.get(k)))


def _found(table: TableRead, row: Row) -> bool:
    """Whether the row is in the document: its label found (tables 2 and 3, a row found with its
    figures lost is still printed), or a figure read (table 4, whose cells have no labels)."""
    if row.id == _TABLE4:
        return _valued(table, row)
    return row.id not in table.unfound and all(k in table.readings for k in row.keys)


def without(table: TableRead, name: str, keys: frozenset[str], rows: list[Row]) -> TableRead:
    """The table less the rows of `keys`, its warning of rows not found naming only those left."""
    if not keys:
        return table
    gone = {r.id for r in rows if set(r.keys) <= keys}
    head = f"{name}: rows not found: "
    warnings = []
    for w in table.warnings:
        if w.startswith(head):
            left = [rid for rid in w[len(head):].split(", ") if rid not in gone]
            if not left:
                continue
            w = head + ", ".join(left)
        warnings.append(w)
    return replace(table, readings={k: r for k, r in table.readings.items() if k not in keys}, warnings=warnings,
                   unfound=[rid for rid in table.unfound if rid not in gone])
