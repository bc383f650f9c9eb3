"""The pipeline: bytes → Document → tokens → canonical fields → checks → confidence → result.

Each stage is a small function over the previous stage's output; `extract` wires them and times
them. `extract_document` starts from a Document, so other table recoverers (the benchmark's
alternatives) go through the very same mapping."""
from __future__ import annotations

import hashlib
import re
import time
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from . import __version__
from .confidence import apply_rules
from .consistency import blank_totals, bind_rules, choose_placements, evaluate, infer_missing, one_misread, zero_style
from .contract import ACCEPT_THRESHOLD, ExtractionResult, FieldValue, Source
from .errors import NotAReport
from .excerpts import find_excerpt, meta_left_out, table_rows, without
from .extra_columns import form_columns_only
from .joined_columns import columns_parted
from .labelled_figures import rows_of_labelled_figures
from .meta import (YEAR_WORD, bare_place, find_published_date, find_signature_agency, find_title, info_block_start,
                   misread_of, parse_dates, plausible_agency, prints_no_date)
from .model import EVERYWHERE, BBox, Document
from .normalize import normalize_document
from .overview import rows_stated_none, stated_applications, table3_reads_empty
from .readings import CORRECTED, DOUBTED_BLANK, Reading, TableRead
from .schema import Schema, load_schema
from .sections import Sections, find_sections, is_boilerplate, prose
from .sniff import detect_kind
from .table2 import form_evidence, read_table2
from .table2_doubts import moved_by_ocr
from .table3 import read_table3
from .table3_parts import parts_joined
from .table_copies import own_copy
from .table4 import header_at, read_table4
from .tokens import document_tokens
from .turned_tables import tables_upright


# Documents whose own pages show every figure printed (OCR's pages aside, Document.ocr_pages).
_CELLS_SEEN = frozenset({"docx", "html", "pdf-text"})
# The most a dash read as 0 keeps: typed as 0 or as blank as a reader pleases, so always reviewed.
DOUBTED_DASH = 0.85
# The confidence table 3's figures keep when the overview contradicts an empty table: under review.
OVERVIEW_DISAGREES = 0.6
# The confidence of table 3's cells that read nothing, where the overview states their rows as none.
STATED_NONE = 0.93
_STATED = {"received_new": "no application received", "carried_over": "none carried over",
           "carried_forward": "none carried forward"}


@dataclass
class ExtractOptions:
    debug_dir: Path | None = None
    ocr: bool = True  # read image-only pages with the OCR engine when it is installed
    max_pages: int = 200


def read_document(data: bytes, options: ExtractOptions) -> Document:
    kind = detect_kind(data)
    if kind == "text":
        from .readers.text import read
        return read(data, _picture_reader(options))
    if kind == "html":
        from .readers.html import read
        return read(data, _picture_reader(options))
    if kind == "mhtml":
        from .readers.mhtml import read
        return read(data, _picture_reader(options))
    if kind == "docx":
        from .readers.docx import read
        return read(data, _picture_reader(options))
    if kind == "pdf":
        from .readers.pdf import read
        return read(data, **_pdf_options(options))
    from .readers.image import read as read_image  # kind == "image"
    return read_image(data)


def _picture_reader(options: ExtractOptions):
    """OCR for the pictures of a Word file, a web page or a text (a table pasted as an image), or None."""
    if not options.ocr:
        return None
    try:
        from .readers.image import read_frames  # the scan path (OCR engines) is optional
    except ImportError:
        return None
    return lambda gray, dpi: read_frames([(gray, dpi)])


def _pdf_options(options: ExtractOptions) -> dict:
    out = {}
    if options.ocr:
        try:
            from .scan.page_reader import ocr_page  # the scan path (OCR engines) is optional
        except ImportError:
            return out
        out["ocr_page"] = ocr_page
    return out


def extract(data: bytes, filename: str, options: ExtractOptions | None = None) -> ExtractionResult:
    """The first report the file holds (a volume's others are named in a warning)."""
    return _extract(data, filename, options or ExtractOptions(), every=False)[0]


def extract_reports(data: bytes, filename: str, options: ExtractOptions | None = None) -> list[ExtractionResult]:
    """Every report a file holds, in order: one for a file of one report, each of a volume's (a
    county's departments' reports bound in one file) for a volume. A report after the first that
    maps to no report is left out, named in the first one's warnings."""
    return _extract(data, filename, options or ExtractOptions(), every=True)


def _extract(data: bytes, filename: str, options: ExtractOptions, every: bool) -> list[ExtractionResult]:
    t0 = time.perf_counter()
    if options.debug_dir:
        from .scan.page_reader import collecting_pages

        with collecting_pages() as scanned:
            doc = read_document(data, options)
    else:
        doc = read_document(data, options)
    read_ms = round((time.perf_counter() - t0) * 1000, 1)
    results = _extract_reports(doc, filename, data, every)
    if options.debug_dir:
        _write_debug(data, doc, scanned, results[0], options.debug_dir)
    for result in results:
        result.timings_ms = {**doc.timings_ms, "read": read_ms, **result.timings_ms}
    results[0].timings_ms["total"] = round((time.perf_counter() - t0) * 1000, 1)
    return results


def _write_debug(data: bytes, doc: Document, scanned: list, result: ExtractionResult, out_dir: Path) -> None:
    """Per page, a PNG with the layout regions, the table grid and each field's key on its cell."""
    from .model import Table
    from .scan.debug import pdf_debug_pages, write_debug_images

    pages = scanned or (pdf_debug_pages(data) if detect_kind(data) == "pdf" else [])
    if pages:
        write_debug_images(pages, [b for b in doc.blocks if isinstance(b, Table)], result.fields, out_dir)


# the most a field read from another OCR's text (Document.unchecked_pages) is trusted: in review
UNCHECKED = 0.85


def extract_document(doc: Document, filename: str, data: bytes) -> ExtractionResult:
    """The first report the document holds (a volume's others are named in a warning)."""
    return _extract_reports(doc, filename, data, every=False)[0]


def _extract_reports(doc: Document, filename: str, data: bytes, every: bool) -> list[ExtractionResult]:
    schema = load_schema()
    timings: dict[str, float] = {}
    clock = _Clock(timings)
    doc = parts_joined(tables_upright(columns_parted(clock("normalize", normalize_document, doc))))
    tokens = clock("tokens", document_tokens, doc, schema.row_labels(), schema.col_labels())
    tokens = form_columns_only(rows_of_labelled_figures(tokens))
    parts = _reports(tokens)
    if not every and len(parts) > 1:
        others = "; ".join(part.where for part in parts[1:])
        notice = [f"the file holds {len(parts) - 1} other report{'s' if len(parts) > 2 else ''} after this one "
                  f"({others}); only the first was read: send each report on its own, or extract each "
                  f"(POST /v1/extract/reports; gia-extract extract --each-report)"]
        return [_result(schema, doc, parts[0], filename, data, dict(timings), notice)]
    results, left_out = [], []
    for n, part in enumerate(parts, 1):
        where = part.where
        notice = [f"report {n} of {len(parts)} in the file" + (f", from {where}" if where else "")] if len(parts) > 1 else []
        try:
            results.append(_result(schema, doc, part, filename, data, dict(timings), notice))
        except NotAReport as exc:
            if n == 1:
                raise
            left_out.append(f"report {n} of {len(parts)} in the file ({where}) was not read: {exc.reason}")
    results[0].warnings += left_out
    return results


@dataclass
class _Part:
    """One report of the file: its tokens, where it starts (None for the first), and its sections
    where finding the reports found them already."""
    tokens: list
    where: str | None = None
    sections: Sections | None = None


def _reports(tokens) -> list[_Part]:
    """The reports the tokens hold, in order."""
    parts: list[_Part] = []
    where = None
    while (sections := find_sections(tokens)).next_report is not None:
        head, other = _first_report(tokens, sections)
        if not head:
            break
        parts.append(_Part(head, where))
        tokens, where = tokens[len(head):], other
    parts.append(_Part(tokens, where, sections if sections.next_report is None else None))
    return parts


def _result(schema: Schema, doc: Document, part: _Part, filename: str, data: bytes, timings: dict[str, float],
            notice: list[str]) -> ExtractionResult:
    clock = _Clock(timings)
    try:
        fields, checks, sections, warnings = clock("map", _map, schema, part.tokens, doc.ocr_pages, doc.lossy_pages,
                                                   doc.unread_at, part.sections, doc.kind in _CELLS_SEEN)
    except NotAReport as exc:
        unread = [w for w in doc.warnings if "were not read" in w or "were not fetched" in w]  # tables as pictures
        if not unread:
            raise
        raise NotAReport(f"{exc}; {unread[0]}") from None
    warnings = [*notice, *warnings]
    if doc.unchecked_pages:
        # a document read even in part from another OCR's text: how often that OCR is wrong is not
        # known (a scanner's may misread a digit the same way throughout), so nothing is accepted
        fields = {k: f.model_copy(update={"confidence": min(f.confidence, UNCHECKED)}) for k, f in fields.items()}
    review = sorted(k for k, f in fields.items() if f.confidence < ACCEPT_THRESHOLD)
    return ExtractionResult(
        extractor_version=__version__,
        source=Source(filename=Path(filename).name, sha256=hashlib.sha256(data).hexdigest(), kind=doc.kind, pages=doc.pages),
        fields=fields,
        checks=checks,
        review=review,
        sections=sections,
        warnings=[*doc.warnings, *warnings],
        timings_ms=timings,
    )


class _Clock:
    def __init__(self, timings: dict[str, float]):
        self.timings = timings

    def __call__(self, name: str, fn: Callable, *args):
        t = time.perf_counter()
        out = fn(*args)
        self.timings[name] = round((time.perf_counter() - t) * 1000, 1)
        return out


def _map(schema: Schema, tokens, ocr_pages: frozenset[int] | None = None, lossy_pages: frozenset[int] | None = None,
         unread_at: dict[int, tuple[BBox, ...]] | None = None, sections: Sections | None = None,
         cells_seen: bool = False):
    """`ocr_pages`, `lossy_pages`, `unread_at`: the document's pages OCR read, those where it left
    ink unread, and where that ink stands (Document); None where not known. `sections`: the
    tokens' sections, where found already. `cells_seen`: the document's own pages (not OCR's)
    show every figure printed, so a cell no figure stands in is printed blank (a Word file, a web
    page, a PDF's text layer; not a text file, which OCR may have written)."""
    sections = sections or find_sections(tokens)
    warnings: list[str] = []
    title = _own_title(tokens, sections)
    year = title.year if title else None

    span2, span3, span4 = sections.table_span(2), sections.table_span(3), sections.table_span(4)
    evidence = form_evidence(schema, tokens, span2)
    if evidence["2019"] or evidence["2021"]:
        template, template_conf = max(evidence, key=evidence.get), 0.97 if abs(evidence["2019"] - evidence["2021"]) >= 1 else 0.8
    else:
        template, template_conf = ("2021" if (year or 2021) >= 2021 else "2019"), 0.7
    t2 = read_table2(schema, tokens, span2, template)
    span3 = own_copy(tokens, span3, schema.t3_rows(single_other_handling=False), year)
    head4 = header_at(tokens, span3) if 4 not in sections.starts else None
    if head4 is not None:
        # table 4's header, its heading not in the document: table 3 (if any) ends before it
        span3, span4 = (span3[0], head4), (head4, span4[1])
    t3, single = read_table3(schema, tokens, span3, prefer_single=template == "2019")
    if not (evidence["2019"] or evidence["2021"] or t2.found_rows) and (shown := _form_of_table3(t3, single, year)):
        # no table 2 to tell the forms apart (a photo of table 3's page): its (六) rows tell
        template, template_conf = shown
        t2 = read_table2(schema, tokens, span2, template)
    if 4 not in sections.starts and head4 is None and (after := max(t2.end, t3.end)):
        span4 = (max(span4[0], after), span4[1])  # without its heading, table 4 follows the tables before it
    t4 = read_table4(schema, tokens, span4, lossy_pages)
    for key in schema.t4_keys():
        t4.readings.setdefault(key, Reading(key, None, "missing", 0.0))
    if not (t2.found_rows or t3.found_rows):
        if not _table4_alone(t4, sections, head4 is not None):
            raise NotAReport("no table of the annual report's form (tables 2 and 3) was found")
        # a page of table 4 by itself (one photo of the report's last table): its fields only,
        # since tables 2 and 3 are not on it to be missing from it
        t2, t3 = TableRead(), TableRead()
    rows = table_rows(schema, template, single)
    part = find_excerpt(rows, {2: t2, 3: t3, 4: t4}, sections, title is not None)
    if part:
        t2, t3, t4 = (without(t, f"table {n}", part.left_out.get(f"t{n}", frozenset()), rows[n])
                      for n, t in ((2, t2), (3, t3), (4, t4)))
        warnings.append(part.warning())
    elif not (t2.found_rows or t3.found_rows):
        warnings.append("tables 2 and 3 are not in this document: table 4 alone is read")

    readings: dict[str, Reading] = {}
    for t in (t2, t3, t4):
        readings.update(t.readings)
        warnings += t.warnings
    warnings += _whole_counts(schema, readings)
    warnings += _unsigned_counts(readings, ocr_pages or frozenset())

    rules = bind_rules(schema, set(readings))
    agreed = choose_placements(readings, t3.short_rows + t2.short_rows + t4.short_rows, rules)
    styles = {t: zero_style(readings, t) for t in ("t2", "t3", "t4")}
    for key, r in readings.items():
        if r.stray_mark and styles[key.split(".")[0]] == "zero":
            # a mark (。 . ,) in a table that prints every cell, its zeros as 0: a 0 misread (a small
            # round 0 read as 。), corrected like a look-alike, for the rules to confirm
            readings[key] = replace(r, value=0, status="corrected", stray_mark=False,
                                    confidence=round(r.confidence / DOUBTED_BLANK * CORRECTED, 4))
    # where a row OCR read nothing in is the only blank, it does not show how the table prints 0
    shown = {k: r for k, r in readings.items() if not r.quiet_row}
    blank_zeros = frozenset(t for t in styles if zero_style(shown, t) == "blank")
    in_doubt = [k for t in (t2, t3, t4) if t.in_doubt for k in t.readings]
    # the cells a joint placement of short rows leaves empty (joint_placement.py) are zeros as
    # the rules count them, printed as this table prints its zeros, like the zeros the rules infer
    emptied = {k: (0, "") for k, r in readings.items() if r.status == "inferred" and r.joint}
    in_doubt += _mostly_emptied(emptied, readings, styles)
    # (table 2's rows the document prints: none where it has no table 2, some where it is a part)
    t2_rows = [r for r in schema.t2_rows(template) if all(k in readings for k in r.keys)]
    in_doubt += moved_by_ocr(t2_rows, readings, ocr_pages or frozenset(), styles["t2"])
    for table in sorted({k.split(".")[0] for k in emptied}):
        n = sum(k.startswith(table + ".") for k in emptied)
        warnings.append(f"{table}: {n} cells its short rows leave empty read as zeros, by the placement of "
                        f"the rows that satisfies every rule")
    inferred = infer_missing(readings, rules)
    for key, (value, rule_id) in [*emptied.items(), *inferred.items()]:
        old = readings[key]
        style = styles[key.split(".")[0]]
        if key in emptied and cells_seen and old.page not in (ocr_pages or ()) and style in ("zero", "mixed"):
            # a short row's cells seen empty (a row of figures as a line of text in a Word file):
            # printed blank, though the table's other rows print their zeros; in review, since
            # where a row's figures go is the rules' guess. (OCR's text drops zeros: there the
            # table's other zeros say what its empty cells were, as in the seeds' scan.)
            value = None
            in_doubt.append(key)
        elif value == 0 and style in ("blank", "unknown"):
            # printed blank, like this table's other zeros (a rule counts it as 0); with no zero
            # read in the table either way, blank is likelier (printed 0s would have been read),
            # but not sure
            value = None
            if style == "unknown":
                in_doubt.append(key)
        elif value == 0 and style == "mixed":
            in_doubt.append(key)  # printed blank or 0: the rule cannot tell which
        readings[key] = Reading(key, value, "inferred", 0.0, old.raw, old.page, old.bbox, placed=old.placed, joint=old.joint)
        if rule_id:
            warnings.append(f"{key} inferred as {'blank' if value is None else value} from rule {rule_id}")
    _not_printed(readings, t3.absent)
    checks = evaluate(readings, rules)
    # (from OCR only: a document's own text says what it prints, its arithmetic right or wrong)
    misread = one_misread(readings, rules, checks) if ocr_pages else None
    if misread and readings[misread[0]].page in ocr_pages:
        # the value the broken rules give the one cell they share; in review, since it overrules
        # what OCR read there (kept as raw)
        key, value = misread
        old = readings[key]
        if value == 0 and styles[key.split(".")[0]] in ("blank", "unknown"):
            value = None  # (a zero printed as this table prints them, as for the cells inferred above)
        readings[key] = Reading(key, value, "inferred", 0.0, old.raw, old.page, old.bbox)
        in_doubt.append(key)
        warnings.append(f"{key} read {old.raw!r}: the rules broken with it all give it "
                        f"{'blank' if value is None else value} (in review)")
        checks = evaluate(readings, rules)
    apply_rules(readings, checks, agreed, blank_zeros, blank_totals(readings, rules),
                {k: rule_id for k, (_, rule_id) in inferred.items() if readings[k].status == "inferred"})
    for key in in_doubt:
        readings[key].confidence = min(readings[key].confidence, 0.75)
    warnings += _held_against_overview(readings, tokens, sections, styles)
    # (after the overview: where it states no application, a lost 0 and a blank are both none)
    warnings += _blanks_among_zeros(readings, ocr_pages or frozenset())
    _not_printed(readings, t3.absent)
    for c in checks:
        if c.ok is False:
            warnings.append(f"rule {c.rule} broken: {c.lhs} != {c.rhs}")

    fields: dict[str, FieldValue] = {}
    tail_start = _tail_start(tokens, sections)
    signer = find_signature_agency(tokens[:sections.text_end], tail_start)
    meta = _meta(tokens, sections, title, template, template_conf, tail_start, signer, ocr_pages, lossy_pages,
                 unread_at or {})
    fields.update(meta)
    for key in meta_left_out(part, meta) if part else ():
        del fields[key]
    for key, r in readings.items():
        if r.dash and r.value is None:
            # a dash where a count belongs says none: 0 to whoever sums the table, though some type
            # it blank (the rules cannot tell which, so it stays in review)
            r = replace(r, value=0, status="corrected", confidence=min(r.confidence, DOUBTED_DASH))
        fields[key] = FieldValue(value=_typed(schema, key, r.value), confidence=r.confidence, raw=r.raw, page=r.page,
                                 bbox=list(r.bbox) if r.bbox else None, status=r.status, unit=r.unit)
    return fields, checks, _sections(tokens, sections, title, signer), warnings


def _form_of_table3(t3: TableRead, single: bool, year: int | None) -> tuple[str, float] | None:
    """The form table 3's (六) rows follow, where printed: its three sub-rows are the 2021 form's
    alone; its one row the 2019 form's, though later reports print it too (so not after 2020)."""
    if single:
        return ("2019", 0.8) if "other_handling" not in t3.unfound and (year is None or year < 2021) else None
    subs = ("other_handling.overdue_correction", "other_handling.overdue_fee", "other_handling.other")
    return ("2021", 0.85) if any(r not in t3.unfound for r in subs) else None


# of table 4's fifteen cells, those read (a figure, or a blank in its place) for a page to be table 4's
_TABLE4_ALONE = 12


def _table4_alone(t4: TableRead, sections: Sections, headed: bool) -> bool:
    """Whether the document is table 4 by itself: its heading (四、…行政复议、行政诉讼情况) found, or
    its header (`headed`), and most of its cells read under it."""
    return (4 in sections.starts or headed) and sum(r.status != "missing" for r in t4.readings.values()) >= _TABLE4_ALONE


# lines before another report's 一、总体情况 looked through for its title (title, preamble, a CMS's fields)
_NEXT_TITLE_REACH = 15


def _own_title(tokens, sections: Sections):
    """The report's title: the first line before its 一、 (or its first lines) that reads as one."""
    return find_title(tokens, sections.starts.get(1, min(len(tokens), 60)) + 1)


def _first_report(tokens, sections: Sections):
    """A volume of reports (a county's departments', bound in one file): the tokens of the first
    report, cut where the next one's title stands before its heading 一、总体情况, or its 二、 where
    its 一、 is worded otherwise (at that heading where no title is found), and the next one named
    by its title and page. The next one's title begins on the line of an agency standing above the
    rest (某某局 / 2023年度政府信息公开工作报告) where the first report's title names another: one
    whose title names none signs with it. The next one's web page's information block goes with it."""
    next_heading = sections.next_report
    # (before its 二、, the next report's title stands before all of its section 一: looked for
    # after this report's last heading)
    lo = max(0, next_heading - _NEXT_TITLE_REACH) if sections.next_section == 1 else max(sections.starts.values()) + 1
    title = find_title(tokens[lo:next_heading], next_heading - lo)
    cut = next((i for i in range(lo, next_heading) if title and tokens[i] is title.token), next_heading)
    name = re.sub(r"\s+", "", title.token.text) if title else "its heading 一、总体情况"
    if title and title.agency and title.agency not in name and (own := _own_title(tokens, sections)) \
            and own.agency not in (None, title.agency):
        above = next((i for i in range(cut - 1, max(lo, cut - 3) - 1, -1)
                      if title.agency in re.sub(r"\s+", "", tokens[i].text)), None)
        if above is not None:
            cut, name = above, title.agency + name
    cut = info_block_start(tokens, cut)
    at = tokens[cut]
    return tokens[:cut], f"{name}, page {at.page}" if at.page else name


def _whole_counts(schema: Schema, readings: dict[str, Reading]) -> list[str]:
    """A count read with a point between its digits (1.1): a count has no fraction, and OCR reads a
    speck between two digits as a point, so the digits are the number (11), a correction the rules
    then confirm or break like any other."""
    out = []
    for key, r in readings.items():
        raw = (r.raw or "").strip()
        if (schema.fields[key].type == "int" and r.status in ("read", "corrected") and isinstance(r.value, float)
                and not r.value.is_integer() and re.fullmatch(r"\d+\.\d+", raw)):
            number = int(raw.replace(".", ""))
            readings[key] = replace(r, value=number, status="corrected", confidence=round(r.confidence * CORRECTED, 4))
            out.append(f"{key}: {raw} read as {number} (a count has no fraction)")
    return out


def _not_printed(readings: dict[str, Reading], keys: list[str]) -> None:
    """The cells of a column the table does not print are not found, though the sums (or the
    overview's none) would fill them in."""
    for key in keys:
        readings[key] = Reading(key, None, "missing", 0.0)


def _unsigned_counts(readings: dict[str, Reading], ocr_pages: frozenset[int]) -> list[str]:
    """A count no report can print below zero (all but the 2019 form's 本年增/减) that OCR read with a
    minus: a fax's broken ruling or a speck before the digits read as one, so the digits are the
    number, a correction the rules then confirm or break like any other."""
    out = []
    for key, r in readings.items():
        if (isinstance(r.value, (int, float)) and r.value < 0 and not key.endswith(".change")
                and r.page in ocr_pages and r.status in ("read", "corrected")):
            readings[key] = replace(r, value=-r.value, status="corrected", confidence=round(r.confidence * CORRECTED, 4))
            out.append(f"{key}: {r.raw} read as {-r.value} (a count is never below zero)")
    return out


# Read 0s in an OCR'd table from which its empty cells are taken for zeros OCR lost (see below).
_ZEROS_SHOWN = 3


def _blanks_among_zeros(readings: dict[str, Reading], ocr_pages: frozenset[int]) -> list[str]:
    """An empty cell OCR read in a table that prints its zeros as 0 (three read, or as many as its
    empty cells) is likelier a 0 lost than a cell printed blank: on a bent or blurred page the
    detector passes over small round 0s, or a line running across two rows pulls one into a
    neighbour's cell. The rules hold for a lost 0 as for a blank, so nothing confirms it: in review."""
    out = []
    for table in ("t2", "t3", "t4"):
        mine = {k: r for k, r in readings.items() if k.startswith(table + ".") and r.page in ocr_pages}
        zeros = sum(r.value == 0 and r.status in ("read", "corrected") for r in mine.values())
        blanks = [k for k, r in mine.items() if r.status == "blank" and r.confidence > DOUBTED_BLANK]
        if blanks and zeros and (zeros >= _ZEROS_SHOWN or zeros >= len(blanks)):
            for k in blanks:
                readings[k].confidence = DOUBTED_BLANK
            out.append(f"{table}: {len(blanks)} empty cells among {zeros} printed 0s held for review "
                       f"(a 0 OCR lost reads empty)")
    return out


def _held_against_overview(readings: dict[str, Reading], tokens, sections, styles: dict[str, str]) -> list[str]:
    """Table 3 held against what the text before table 2 says of applications (overview.py)."""
    text = prose(tokens, (0, sections.starts.get(2, sections.starts.get(3, 0))))
    # held last: an empty table beside a stated count lost its figures, those stated none included
    return [*_stated_none(readings, text, styles), *_held_by_overview(readings, text)]


def _held_by_overview(readings: dict[str, Reading], text: str) -> list[str]:
    """Table 3 read all blank or 0 while the overview states applications received: its figures
    are held for review."""
    stated = stated_applications(text)
    keys = [k for k in readings if k.startswith("t3.")]
    if not stated or not table3_reads_empty({k: readings[k].value for k in keys}, keys):
        return []
    for key in keys:
        readings[key].confidence = min(readings[key].confidence, OVERVIEW_DISAGREES)
    return [f"table 3 reads blank or 0 throughout, but the overview states {stated} applications received: "
            f"its figures are held for review"]


def _stated_none(readings: dict[str, Reading], text: str, styles: dict[str, str]) -> list[str]:
    """The rows of table 3 the overview states as none are 0 throughout: their cells read blank or
    0, or not found at all (a table of labels alone that OCR did not rebuild), are accepted as such;
    a number in them is held for review."""
    stated = rows_stated_none(text)
    said = ", ".join(words for row, words in _STATED.items() if row in stated)
    rows = set(stated)
    if {"received_new", "carried_over"} <= stated:
        rows = {k.split(".")[1] for k in readings if k.startswith("t3.")}
    keys = [k for k in readings if k.startswith("t3.") and k.split(".")[1] in rows]
    counted = [k for k in keys if readings[k].value not in (None, 0)]
    if counted:
        for key in keys:
            readings[key].confidence = min(readings[key].confidence, OVERVIEW_DISAGREES)
        return [f"the overview states {said}, but {counted[0]} reads {readings[counted[0]].value}: "
                f"those rows are held for review"]
    # a cell not found is printed as the table prints its zeros; where table 3 shows neither, a
    # table that printed 0s would have shown some, unless the report prints none anywhere
    printed = 0 if styles["t3"] == "zero" else None
    sure = styles["t3"] in ("blank", "zero") or (
        styles["t3"] == "unknown" and not any(v in ("zero", "mixed") for v in styles.values()))
    found = 0
    for key in keys:
        r = readings[key]
        if r.confidence >= STATED_NONE or r.stray_mark:  # (a mark: ink, perhaps a 0, perhaps not)
            continue
        if r.status in ("read", "corrected", "blank"):  # a 0 or a blank the cell itself printed
            readings[key] = replace(r, confidence=STATED_NONE)
        else:
            readings[key] = replace(r, value=printed, status="inferred", confidence=STATED_NONE if sure else 0.75)
            found += 1
    if not found:
        return []
    return [f"table 3: {found} cells not found are {'blank' if printed is None else 0}, as the overview "
            f"states {said}"]


def _typed(schema: Schema, key: str, value):
    if value is None:
        return None
    if schema.fields[key].type == "int" and float(value).is_integer():
        return int(value)
    return value


def _mostly_emptied(emptied, readings, styles) -> list[str]:
    """The cells of a row the placement filled more than half of, in a table that prints its
    zeros: that row was not read short of a few zeros (what OCR drops) but lost its figures, 1s
    and 2s among them, and the rules hold as well with them all 0 (seen: table 4's fifteen read as
    one 0件); what it kept is in doubt as well (that one 0 was a 10). (Where a table prints its
    zeros blank, a row of few figures is what it prints.)"""
    rows = Counter(k.rsplit(".", 1)[0] for k in readings)
    filled = Counter(k.rsplit(".", 1)[0] for k in emptied)
    lost = {row for row, n in filled.items() if 2 * n > rows[row] and styles[row.split(".")[0]] in ("zero", "mixed")}
    return [k for k in readings if k.rsplit(".", 1)[0] in lost]


# a sentence's punctuation: a title read inside the overview's prose, not on a line of its own
_SENTENCE_MARK = re.compile(r"[。；;！？]")


# how sure an agency is that OCR read under the report only, where the seal stands over it
SEALED_SIGNATURE = 0.85


def _named_elsewhere(tokens, signer, name: str) -> bool:
    """Whether another line of the report names the agency as the signature reads it."""
    return any(t is not signer and not t.is_value and name in re.sub(r"\s+", "", t.text) for t in tokens)


def _meta(tokens, sections, title, template: str, template_conf: float, tail_start: int, signer,
          ocr_pages: frozenset[int] | None = None, lossy_pages: frozenset[int] | None = None,
          unread_at: dict[int, tuple[BBox, ...]] | None = None) -> dict[str, FieldValue]:
    """`signer`: the agency's name under the report (find_signature_agency from `tail_start`), or None.
    `ocr_pages`, `lossy_pages`, `unread_at`: Document.ocr_pages, .lossy_pages and .unread_at; None
    where not known (then a date not found stays in doubt)."""
    out: dict[str, FieldValue] = {}
    signed = re.sub(r"\s+", "", signer.text) if signer else None
    if title and title.agency:
        # the title names it; a signature that agrees (or names the same body more fully) confirms it
        agrees = bool(signed and (signed.endswith(title.agency) or title.agency.endswith(signed)))
        # a signature a character or two away: one of the two was misread, and which is not known
        misread = bool(signed) and not agrees and misread_of(signed, title.agency)
        conf = 0.97 if agrees else (0.95 if plausible_agency(title.agency) and not misread else 0.8)
        if bare_place(title.agency) and not agrees:
            # the place alone: the government, or its office that signs, is the reviewer's to say
            conf = min(conf, 0.8)
        value, named = title.agency, title.token
        if agrees and len(signed) > len(title.agency) and _SENTENCE_MARK.search(title.token.text):
            # the title read out of the overview's sentence (现公布常州 / 市武进区…年度报告。) begins
            # where its line does, the name's first characters on the line before: the signature's is whole
            value, named = signed, signer
        out["meta.agency"] = FieldValue(value=value, confidence=conf, raw=named.text, page=named.page,
                                        bbox=list(named.bbox) if named.bbox else None)
    elif signed:
        conf = 0.9 if plausible_agency(signed) else 0.7
        if ocr_pages and signer.page in ocr_pages and not _named_elsewhere(tokens, signer, signed):
            # OCR's reading of a name under the seal (a seal's ink over a character takes it
            # with it: 合肥市教育局 read 合肥市育局), said nowhere else in the report
            conf = min(conf, SEALED_SIGNATURE)
        out["meta.agency"] = FieldValue(value=signed, confidence=conf, raw=signer.text,
                                        page=signer.page, bbox=list(signer.bbox) if signer.bbox else None)
    else:
        out["meta.agency"] = FieldValue(value=None, confidence=0.0, status="missing")
    if title:
        out["meta.year"] = FieldValue(value=title.year, confidence=0.97, raw=title.token.text, page=title.token.page,
                                      bbox=list(title.token.bbox) if title.token.bbox else None)
    else:
        # no title: the year the overview speaks of most, which is usually but not always it
        # (or, where none is named before table 2, by the rest of its prose: a part of a report)
        years = _prose_years(tokens[:sections.starts.get(2, 80)]) or _prose_years(tokens)
        common = max(set(years), key=years.count) if years else None
        out["meta.year"] = FieldValue(value=common, confidence=0.75 if common else 0.0, status="read" if common else "missing")
    out["meta.template"] = FieldValue(value=template, confidence=template_conf)
    at_title = next((i for i, t in enumerate(tokens) if title and t is title.token), None)
    under_title = tokens[at_title + 1:sections.starts[1]] if at_title is not None and 1 in sections.starts else []
    date = find_published_date(tokens, tail_start, title.year if title else None, under_title)
    if date:
        confidence = date.confidence
        if date.page in (ocr_pages or ()) and _NUMERAL_STROKES.search(date.raw or ""):
            # 一, 二 and 三 are one stroke apart, and a date is where a seal is stamped: OCR's 二月
            # under a seal was 三月
            confidence = min(confidence, _NUMERAL_DATE)
        out["meta.published_date"] = FieldValue(value=date.value, confidence=confidence, raw=date.raw, page=date.page,
                                                bbox=list(date.bbox) if date.bbox else None)
    else:
        # Nothing printed is the usual case; a date-like string we could not accept is a doubt.
        doubtful = any(parse_dates(t.text) or YEAR_WORD.search(t.text)
                       for t in tokens[tail_start:] if not t.is_value)
        # "not printed" is a claim about the whole document, which a missed or misread date would
        # make wrong: accepted only where every word printed was read (the document's own text, or
        # OCR that left no ink unread) and nothing in the places a report is dated looks like a date
        # (a year in the sentences there is no doubt to it: 2021年我局未收取信息处理费)
        # (the places are known only where the sections before and after them were found)
        placed = 1 in sections.starts and (5 in sections.starts or 6 in sections.starts)
        # (lossy_pages are OCR's pages only: none where every word is the document's own)
        whole = lossy_pages is not None and placed and not _lost_where_dated(
            tokens, sections.starts[1], tail_start, lossy_pages, unread_at or {})
        unprinted = whole and prints_no_date(tokens, sections.starts[1], tail_start, by_ocr=bool(ocr_pages))
        out["meta.published_date"] = FieldValue(value=None, confidence=0.92 if unprinted else 0.6 if doubtful else 0.88,
                                                status="missing")
    return out


def _prose_years(tokens) -> list[int]:
    return [int(y) for t in tokens if not t.is_value and not _DATE_LINE.fullmatch(t.text)
            for y in re.findall(r"(20\d{2})\s*年", t.text)]


# a line that is a date alone: when the report was signed (2024年1月8日), not the year it reports on
_DATE_LINE = re.compile(r"\s*20\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*")
# A date OCR read in Chinese numerals with 一, 二 or 三 in its month or day is in review.
_NUMERAL_STROKES = re.compile(r"年[^月]*[一二三][^月]*月|月[^日]*[一二三][^日]*日")
_NUMERAL_DATE = 0.85


def _tail_start(tokens, sections) -> int:
    """Where the report's last lines (signature, date) are looked for: from section 六 (or 五)."""
    return sections.starts.get(6, sections.starts.get(5, max(0, len(tokens) - 40)))


def _lost_where_dated(tokens, head_end: int, tail_start: int, lossy_pages: frozenset[int],
                      unread_at: dict[int, tuple[BBox, ...]]) -> bool:
    """Whether ink OCR left unread stands where a report is dated: above section 一's heading
    (tokens[head_end]: under the title) or from the last sections' heading on (tokens[tail_start]:
    under the signature). Ink lost elsewhere, in a table say, is no date."""
    def at(i: int) -> tuple[int, float] | None:
        tok = tokens[i] if i < len(tokens) else None
        return (tok.page, tok.bbox[1]) if tok is not None and tok.page is not None and tok.bbox else None

    head, tail = at(head_end), at(tail_start)
    for page in lossy_pages:
        for box in unread_at.get(page, (EVERYWHERE,)):
            if box == EVERYWHERE or head is None or tail is None:
                return True
            mid = (box[1] + box[3]) / 2
            if (page, mid) < head or (page, mid) > tail:
                return True
    return False


def _sections(tokens, sections, title, signer) -> dict[str, str]:
    agency = title.agency if title else None

    def end_of_report(tok) -> bool:
        text = tok.text.strip()
        # by its source line: a name run over two lines comes back as a joined copy of the first
        if is_boilerplate(text) or (signer is not None and (tok.page, tok.row) == (signer.page, signer.row)):
            return True
        if agency and text.replace(" ", "").endswith(agency) and len(text) <= len(agency) + 8:
            return True
        return bool(parse_dates(text)) and len(text) <= 16

    def body(k: int, **kw) -> str:
        text = prose(tokens, sections.span(k), **kw)
        first = sections.inline.get(k, "")
        return f"{first}\n{text}".strip() if first else text

    return {
        "overview": body(1),
        "problems": body(5),
        "other_matters": body(6, stop_at=end_of_report),
    }


def warm_up() -> None:
    """Load what every document needs once per process (schema, OpenCC, the readers, and the OCR
    engines when installed), so a worker's first document is not charged for it."""
    from .normalize import normalize_text

    load_schema()
    normalize_text("預熱")
    from .readers import docx, html, pdf, text  # noqa: F401
    try:
        from .scan.page_reader import warm_up as warm_scan
    except ImportError:
        return
    warm_scan()
