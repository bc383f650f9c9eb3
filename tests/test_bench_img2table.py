"""img2table as the benchmark's alternative: one synthetic scanned report (150 dpi) and one text-layer
report go through the tool's real path — a subprocess of .venv-img2table's interpreter running
img2table (with our OCR engine on the scan, with the PDF's own text layer on the text PDF), its grids
turned into our Tables and mapped by our pipeline — and are scored.

.venv-img2table is not a project dependency (`make bench-img2table-env`); without it this skips."""
from __future__ import annotations

import pytest

from bench.run import IMG2TABLE, IMG2TABLE_PYTHON, _run_group_img2table, summarise

pytestmark = pytest.mark.skipif(not IMG2TABLE_PYTHON.exists(),
                                reason=f"{IMG2TABLE_PYTHON} missing: run `make bench-img2table-env`")


def test_img2table_reads_a_scanned_report_into_scored_fields():
    from bench.corpus import build_corpus

    docs = build_corpus(1, ("scan-150",))
    group = _run_group_img2table(IMG2TABLE, docs)
    (row,) = group["rows"]
    assert row["error"] is None
    assert row["pages"] == docs[0].pages and row["seconds"] > 0
    assert row["timings_ms"]["recover_tables"] > 0  # img2table's table recovery, timed on its own
    assert len(row["fields"]) > 100
    assert group["peak_rss_mib"] > 0

    result = summarise(IMG2TABLE, "scan-150", group, {d.name: d.answer for d in docs}, threshold=0.9)
    assert result["fields"] == len(docs[0].answer)
    assert result["accuracy"] > 0.3
    assert result["precision"] > 0.9


def test_img2table_reads_a_text_layer_report_from_its_own_text_layer():
    from bench.corpus import build_corpus

    docs = build_corpus(1, ("pdf-text",))
    group = _run_group_img2table(IMG2TABLE, docs)
    (row,) = group["rows"]
    assert row["error"] is None  # tables 2 and 3 found: not NotAReport
    assert row["timings_ms"]["recover_tables"] > 0
    result = summarise(IMG2TABLE, "pdf-text", group, {d.name: d.answer for d in docs}, threshold=0.9)
    assert result["fields"] == len(docs[0].answer)
    assert result["accuracy"] > 0.3
