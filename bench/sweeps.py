"""Accuracy sweeps: sets of damaged scans from fresh seeds, for checking a change to the scan reader
on documents nobody tuned it on (the figures quoted in bench/README.md and the issue notes).

    .venv/bin/python -m bench.sweeps mixed out/sweep-mixed          # writes in/ and golden/
    .venv/bin/gia-extract extract out/sweep-mixed/in/* --out out/sweep-mixed/out
    .venv/bin/python ../shared/score.py out/sweep-mixed/golden out/sweep-mixed/out

Sets, each deterministic by seed (default seed ranges in SETS):
- mixed: scans as image-only PDFs, multi-page TIFFs and searchable PDFs whose hidden text misreads
  digits; a fifth with a page on its side, some photographed; some reports print zeros blank, in
  traditional characters or with a one-row "other handling" block;
- photos: the same mix with two in five pages photographed and two in five turned;
- faxes: odd seeds as 204 × 98 dpi Group 4 fax TIFFs, even seeds as colour scans with a red seal
  over the signature, at 150, 200 or 300 dpi;
- digital: the born-digital kinds, no OCR: text-layer PDFs (browser or office furniture, tables
  ruled, boxed, barred, with horizontal rules only or none, cells centred or set flush, split over
  pages, embedded fonts, fake bold, fonts without a character map), HTML pages (encodings,
  sloppy markup, broken headers, blank cells as &nbsp; or empty), Word files (framed, text
  boxes, a seal) and converter text in every shape of tests/synth/text_report;
- unruled, unruled-blank: text-layer PDFs whose tables lost their vertical rulings (none, or
  horizontal rules only), cells centred or set flush; unruled-blank prints every zero blank;
- scanned-unruled: such a report printed and scanned (an image-only PDF at 150, 200 or 300 dpi);
- closeups: phone photos of each page held close, the sheet filling the picture (no desk to find
  it by), in perspective, turned up to 12°, lit unevenly; as a PDF of the photos or a TIFF;
- stacked: a report posted as one tall PNG or JPEG of its pages, one under another: scanned one
  by one, each tilted its own way, and stacked as whole sheets or cut to their print; or a long
  screenshot of the pages on a screen (no tilt, cut to their print);
- sheets: several pages on one page of the file: printed two to a sheet (a text-layer PDF, A4
  pages shrunk onto A4 landscape or whole on A3), such sheets scanned (an image-only PDF or a
  TIFF, one sheet in three fed sideways) or photographed into a PDF, or a tall picture of the
  pages, scanned one by one and stacked, made into one PDF page its own size.
"""
from __future__ import annotations

import argparse
import io
import json
import random
from pathlib import Path

SETS = {"mixed": range(900, 930), "photos": range(930, 960), "faxes": range(960, 984),
        "digital": range(5000, 5120), "unruled": range(6100, 6140), "unruled-blank": range(6000, 6040),
        "scanned-unruled": range(6200, 6224),
        "stacked": range(7000, 7024), "closeups": range(7100, 7124), "sheets": range(7200, 7224)}


def _variant(rng: random.Random, traditional: float, single_row: float | None = None) -> dict:
    """How the report prints (tests.synth.form.build_report's options), drawn in a fixed order so
    that a seed always gives the same document."""
    variant = {}
    if rng.random() < 0.25:
        variant["blank_zeros"] = True
    if rng.random() < traditional:
        variant["traditional"] = True
    if single_row is not None and rng.random() < single_row:
        variant["other_handling_single_row"] = True
    return variant


def _scanned_report(seed: int, rng: random.Random):
    """The report a scanned set prints: its variants drawn from `rng` (_variant), or the plain form
    where the seed's answers cannot take them."""
    from tests.synth.form import build_report, synth_answers

    variant = _variant(rng, traditional=0.15, single_row=0.2)
    try:
        return build_report(synth_answers(seed), seed=seed, **variant)
    except Exception:  # a variant the seed's answers cannot take: the plain form
        return build_report(synth_answers(seed), seed=seed)


def scan_document(seed: int, turned: float = 0.2, photo: float = 0.15) -> tuple[str, bytes, dict]:
    """One report of the mixed and photos sets: (file name, bytes, right answer)."""
    from tests.synth import pdf_report, scan

    rng = random.Random(seed * 7 + 1)
    report = _scanned_report(seed, rng)
    pdf = pdf_report.render_pdf(report)
    over = {}
    if rng.random() < turned:
        over["turned"] = (2,)
    if rng.random() < photo:
        over["photo"] = True
    style = scan.style_for(seed, **over)
    pages = scan.scan_pages(pdf, seed, style)
    r = rng.random()
    if r < 0.55:
        return f"s{seed}.pdf", scan.scan_pdf(pages, style.dpi), report.answer
    if r < 0.8:
        return f"s{seed}.tif", scan.scan_tiff(pages, style.dpi), report.answer
    return f"s{seed}.pdf", scan.searchable_pdf(pages, style.dpi, pdf, misread="0O1l"), report.answer


def closeup_document(seed: int) -> tuple[str, bytes, dict]:
    """One report of the closeups set: (file name, bytes, right answer)."""
    from tests.synth import pdf_report, scan

    rng = random.Random(seed * 19 + 11)
    report = _scanned_report(seed, rng)
    pdf = pdf_report.render_pdf(report, furniture=rng.choice(["office", "browser", None]))
    dpi = rng.choice([150, 200, 300])
    pages = scan.closeup_pages(pdf, seed, dpi=dpi, keystone=rng.uniform(0.01, 0.04), turn=rng.uniform(2.0, 12.0))
    if rng.random() < 0.6:
        return f"q{seed}.pdf", scan.scan_pdf(pages, dpi), report.answer
    return f"q{seed}.tif", scan.scan_tiff(pages, dpi), report.answer


def stacked_document(seed: int) -> tuple[str, bytes, dict]:
    """One report of the stacked set: (file name, bytes, right answer)."""
    import cv2
    import pymupdf

    from tests.synth import pdf_report, scan

    rng = random.Random(seed * 17 + 7)
    report = _scanned_report(seed, rng)
    pdf = pdf_report.render_pdf(report, furniture=rng.choice(["office", "browser", None]))
    shape = rng.choice(["sheets", "trimmed", "screenshot"])
    dpi = rng.choice([150, 200])
    if shape == "screenshot":
        image = scan.stacked(scan.screen_pages(pdf, dpi), dpi, trim_in=rng.uniform(0.05, 0.2))
    else:
        n = pymupdf.open(stream=pdf, filetype="pdf").page_count
        tilts = [rng.choice([-1, 1]) * rng.uniform(0.4, 2.0) for _ in range(n)]
        pages = scan.leaning_apart(pdf, seed, tilts, dpi=dpi)
        image = scan.stacked(pages, dpi, trim_in=rng.uniform(0.25, 0.6) if shape == "trimmed" else None)
    ext = rng.choice(["png", "jpg"])
    ok, buf = cv2.imencode(f".{ext}", image, [cv2.IMWRITE_JPEG_QUALITY, 85] if ext == "jpg" else [])
    return f"k{seed}_{shape}.{ext}", buf.tobytes(), report.answer


def sheets_document(seed: int) -> tuple[str, bytes, dict]:
    """One report of the sheets set: (file name, bytes, right answer)."""
    import cv2
    import pymupdf

    from tests.synth import pdf_report, scan

    rng = random.Random(seed * 23 + 5)
    report = _scanned_report(seed, rng)
    pdf = pdf_report.render_pdf(report, furniture=rng.choice(["office", "browser", None]))
    shape = rng.choice(["text", "scan", "photo", "tall"])
    if shape == "tall":
        dpi = rng.choice([150, 200])
        n = pymupdf.open(stream=pdf, filetype="pdf").page_count
        pages = scan.leaning_apart(pdf, seed, [rng.uniform(-2.0, 2.0) for _ in range(n)], dpi=dpi)
        image = scan.stacked(pages, dpi, trim_in=rng.choice([None, rng.uniform(0.25, 0.6)]))
        doc = pymupdf.open()
        page = doc.new_page(width=image.shape[1] * 72 / dpi, height=image.shape[0] * 72 / dpi)
        page.insert_image(page.rect, stream=cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 85])[1].tobytes())
        return f"h{seed}_tall.pdf", doc.tobytes(), report.answer
    sheet = rng.choice(["a4", "a3"])
    two_up = pdf_report.two_up(pdf, sheet)
    if shape == "text":
        return f"h{seed}_text_{sheet}.pdf", two_up, report.answer
    dpi = rng.choice([200, 300]) if sheet == "a4" else rng.choice([150, 200])
    style = scan.style_for(seed, dpi=dpi, photo=shape == "photo",
                           turned=(1,) if shape == "scan" and rng.random() < 0.33 else ())
    sheets = scan.scan_pages(two_up, seed, style)
    if shape == "scan" and rng.random() < 0.5:
        return f"h{seed}_scan_{sheet}.tif", scan.scan_tiff(sheets, dpi), report.answer
    return f"h{seed}_{shape}_{sheet}.pdf", scan.scan_pdf(sheets, dpi), report.answer


def fax_document(seed: int) -> tuple[str, bytes, dict]:
    """One report of the faxes set: (file name, bytes, right answer)."""
    import cv2
    import numpy as np
    from PIL import Image

    from tests.synth import scan
    from tests.synth.form import build_report, synth_answers
    from tests.synth.pdf_report import render_pdf

    rng = random.Random(seed * 11 + 3)
    variant = _variant(rng, traditional=0.2)
    report = build_report(synth_answers(seed), seed=seed, **variant)
    pdf = render_pdf(report, furniture="office") if rng.random() < 0.5 else render_pdf(report)
    if seed % 2:
        style = scan.style_for(seed, dpi=204, jpeg=95, noise=2.0)
        frames = []
        for page in scan.scan_pages(pdf, seed, style):
            # a fax's standard resolution: 204 dpi across, 98 down, one bit a pixel
            half = cv2.resize(page, (page.shape[1], page.shape[0] * 98 // 204), interpolation=cv2.INTER_AREA)
            frames.append(Image.fromarray(((half > 150) * 255).astype(np.uint8)).convert("1"))
        buf = io.BytesIO()
        frames[0].save(buf, format="TIFF", compression="group4", save_all=True, append_images=frames[1:],
                       dpi=(204, 98))
        return f"c{seed}.tif", buf.getvalue(), report.answer
    dpi = rng.choice([150, 200, 300])
    pages = scan.sealed_colour_pages(pdf, dpi, report.signature[-1])
    return f"c{seed}.pdf", scan.scan_pdf(pages, dpi), report.answer


def digital_document(seed: int) -> tuple[str, bytes, dict]:
    """One report of the digital set: (file name, bytes, right answer)."""
    from tests.synth import docx_report, html_report
    from tests.synth.text_report import text_report

    rng = random.Random(seed * 13 + 5)
    kind = rng.choice(["pdf", "pdf", "pdf", "html", "docx", "text"])
    if kind == "text":
        tr = text_report(seed)
        return f"t{seed}.txt", tr.data, tr.answer
    report = _digital_report(seed, rng, blank_zeros=None)
    if kind == "html":
        data = html_report.render(report, encoding=rng.choice(["utf-8", "gb18030", "gbk"]),
                                  declare=rng.choice(["meta", "http-equiv", None]), sloppy=rng.random() < 0.5,
                                  break_headers=rng.random() < 0.5, blank=rng.choice(["nbsp", "empty", "mixed"]),
                                  seed=seed)
        return f"h{seed}.html", data, report.answer
    if kind == "docx":
        data = docx_report.render(report, frame=rng.random() < 0.4, text_boxes=rng.random() < 0.4,
                                  seal=rng.random() < 0.3)
        return f"w{seed}.docx", data, report.answer
    return f"p{seed}.pdf", _text_pdf(report, rng, ["lines", "lines", "none", "horizontal", "rects", "bars"]), report.answer


def unruled_document(seed: int, blank_zeros: bool) -> tuple[str, bytes, dict]:
    """One report of the unruled sets: (file name, bytes, right answer)."""
    rng = random.Random(seed * 13 + 5)
    report = _digital_report(seed, rng, blank_zeros=blank_zeros)
    return f"p{seed}.pdf", _text_pdf(report, rng, ["none", "horizontal"]), report.answer


def scanned_unruled_document(seed: int) -> tuple[str, bytes, dict]:
    """A report whose tables lost their rulings, printed and scanned: (file name, bytes, answer)."""
    from tests.synth import pdf_report, scan

    rng = random.Random(seed * 13 + 5)
    report = _digital_report(seed, rng, blank_zeros=None)
    pdf = pdf_report.render_pdf(report, rulings=rng.choice(["none", "horizontal"]),
                                cells=rng.choice(["centred", "centred", "top_left"]))
    dpi = rng.choice([150, 200, 300])
    pages = scan.scan_pages(pdf, seed, scan.style_for(seed, dpi=dpi, turned=()))
    return f"u{seed}.pdf", scan.scan_pdf(pages, dpi), report.answer


def _digital_report(seed: int, rng: random.Random, blank_zeros: bool | None):
    """The report of a born-digital document; blank_zeros None: drawn, as the other variants."""
    from tests.synth.form import build_report, synth_answers

    variant = _variant(rng, traditional=0.15, single_row=0.2)
    if blank_zeros is not None:
        variant.pop("blank_zeros", None)
        if blank_zeros:
            variant["blank_zeros"] = True
    try:
        return build_report(synth_answers(seed), seed=seed, **variant)
    except Exception:  # a variant the seed's answers cannot take: the plain form
        return build_report(synth_answers(seed), seed=seed)


def _text_pdf(report, rng: random.Random, rulings: list[str]) -> bytes:
    from tests.synth import pdf_report

    opts = dict(furniture=rng.choice(["browser", "office", None]),
                split_t3_before=rng.choice(["t3.unavailable.not_held", None]), repeat_header=rng.random() < 0.5,
                rulings=rng.choice(rulings), cells=rng.choice(["centred", "centred", "top_left"]),
                embed_font=rng.random() < 0.3)
    post = rng.choice(["", "", "", "bold", "bold_char", "char_map"])
    if post == "char_map":  # a font without its /ToUnicode map: the text layer is garbled, read by OCR
        return pdf_report.without_char_map(pdf_report.render_pdf(report, **{**opts, "embed_font": True}))
    pdf = pdf_report.render_pdf(report, **opts)
    if post.startswith("bold"):
        pdf = pdf_report.fake_bold(pdf, per_char=post == "bold_char")
    return pdf


def build_set(name: str, out: Path, seeds: range | None = None) -> list[Path]:
    """Write the set's documents to out/in and their answers to out/golden; the documents' paths."""
    make = {"mixed": scan_document,
            "photos": lambda seed: scan_document(seed, turned=0.4, photo=0.4),
            "faxes": fax_document,
            "digital": digital_document,
            "unruled": lambda seed: unruled_document(seed, blank_zeros=False),
            "unruled-blank": lambda seed: unruled_document(seed, blank_zeros=True),
            "scanned-unruled": scanned_unruled_document,
            "stacked": stacked_document, "closeups": closeup_document, "sheets": sheets_document}[name]
    (out / "in").mkdir(parents=True, exist_ok=True)
    (out / "golden").mkdir(parents=True, exist_ok=True)
    written = []
    for seed in seeds if seeds is not None else SETS[name]:
        file_name, data, answer = make(seed)
        path = out / "in" / file_name
        path.write_bytes(data)
        (out / "golden" / f"{Path(file_name).stem}.json").write_text(
            json.dumps({"fields": answer}, ensure_ascii=False))
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("set", choices=sorted(SETS))
    ap.add_argument("out", type=Path)
    ap.add_argument("--first", type=int, help="first seed (default: the set's own range)")
    ap.add_argument("--count", type=int, help="how many seeds from --first")
    args = ap.parse_args(argv)
    seeds = None
    if args.first is not None:
        seeds = range(args.first, args.first + (args.count or len(SETS[args.set])))
    for path in build_set(args.set, args.out, seeds):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
