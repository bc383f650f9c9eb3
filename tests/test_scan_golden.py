"""The seeds' golden answers drawn as scanned forms — a scanner's tilt, blur, noise and JPEG, a
faint and a broken ruling, one page on its side, and one phone-photo-like copy — through the real
OCR pipeline: at least 99% of fields right and no wrong field at confidence ≥ 0.9."""
from __future__ import annotations

import json

import pytest

from extraction.pipeline import extract
from tests.shared_data import GOLDEN, load_scorer
from tests.synth.form import build_report
from tests.synth.pdf_report import render_pdf
from tests.synth.scan import scan_pages, scan_pdf, scan_tiff, style_for

pytestmark = pytest.mark.skipif(not GOLDEN.exists(), reason=f"shared golden answers not found at {GOLDEN}")

CASES = [  # (golden file, style overrides, container)
    ("000_8ae95185705eeab5.json", dict(dpi=150, tilt=-1.5, turned=(2,), faint_ruling=True, broken_ruling=True), "pdf"),
    ("002_c762bceb15c3a5cd.json", dict(dpi=200, tilt=1.8), "tiff"),
    ("003_7fc331a43b9dfbe6.json", dict(dpi=300, tilt=0.7, photo=True), "tiff"),
]


@pytest.mark.parametrize("golden,style,container", CASES, ids=[c[0][:3] + "-" + c[2] for c in CASES])
def test_golden_as_scan(golden, style, container):
    answer = json.loads((GOLDEN / golden).read_text())["fields"]
    report = build_report(answer, seed=7)
    seed = int(golden[:3]) + 40
    st = style_for(seed, **style)
    pages = scan_pages(render_pdf(report, furniture="browser"), seed, st)
    data = scan_pdf(pages, st.dpi) if container == "pdf" else scan_tiff(pages, st.dpi)
    result = extract(data, f"scan.{container}")
    s = load_scorer().score_doc({"fields": report.answer}, json.loads(result.model_dump_json()), 0.9)
    assert result.source.kind == ("pdf-scan" if container == "pdf" else "image")
    assert s["right"] >= 0.99 * s["fields"], s["wrong"][:8]
    assert s["silent"] == 0, [w for w in s["wrong"] if w["confidence"] >= 0.9]
