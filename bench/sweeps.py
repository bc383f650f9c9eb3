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
  over the signature, at 150, 200 or 300 dpi.
"""
from __future__ import annotations

import argparse
import io
import json
import random
from pathlib import Path

SETS = {"mixed": range(900, 930), "photos": range(930, 960), "faxes": range(960, 984)}


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


def scan_document(seed: int, turned: float = 0.2, photo: float = 0.15) -> tuple[str, bytes, dict]:
    """One report of the mixed and photos sets: (file name, bytes, right answer)."""
    from tests.synth import pdf_report, scan
    from tests.synth.form import build_report, synth_answers

    rng = random.Random(seed * 7 + 1)
    variant = _variant(rng, traditional=0.15, single_row=0.2)
    try:
        report = build_report(synth_answers(seed), seed=seed, **variant)
    except Exception:  # a variant the seed's answers cannot take: the plain form
        report = build_report(synth_answers(seed), seed=seed)
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


def build_set(name: str, out: Path, seeds: range | None = None) -> list[Path]:
    """Write the set's documents to out/in and their answers to out/golden; the documents' paths."""
    make = {"mixed": scan_document,
            "photos": lambda seed: scan_document(seed, turned=0.4, photo=0.4),
            "faxes": fax_document}[name]
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
