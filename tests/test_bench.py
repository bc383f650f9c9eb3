"""The benchmark's own logic: alternatives' grids become Tables with the right spans, they replace
our tables page by page, and the report arithmetic (ratios, Markdown) is right."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from bench.alternatives import grid_table, with_tables
from bench.run import markdown, ratios
from extraction.model import Document, Paragraph, Table


def test_grid_with_merged_cells_keeps_spans():
    t = grid_table([["项目", None, "数量"], ["申请", "自然人", "3"], [None, "法人", "4"]], page=2, origin="x")
    assert (t.n_rows, t.n_cols, t.page) == (3, 3, 2)
    head = t.at(0, 1)
    assert head.text == "项目" and head.colspan == 2 and head.rowspan == 1
    side = t.at(2, 0)
    assert side.text == "申请" and side.rowspan == 2
    assert t.at(2, 2).text == "4"


def test_spans_follow_the_cell_boxes_where_the_none_runs_are_ambiguous():
    # [A, B] over [C, None]: the None continues B downwards or C to the right; the boxes say which
    texts = [["A", "B"], ["C", None]]
    down = grid_table(texts, 1, "x", [[(0, 0, 10, 10), (10, 0, 20, 20)], [(0, 10, 10, 20), None]])
    assert (down.at(1, 1).text, down.at(1, 1).rowspan, down.at(1, 0).colspan) == ("B", 2, 1)
    right = grid_table(texts, 1, "x", [[(0, 0, 10, 10), (10, 0, 20, 10)], [(0, 10, 20, 20), None]])
    assert (right.at(1, 1).text, right.at(1, 1).colspan, right.at(0, 1).rowspan) == ("C", 2, 1)


def test_ragged_rows_are_padded_blank():
    t = grid_table([["a", "b", "c"], ["d"]], page=1, origin="x")
    assert t.n_cols == 3 and t.at(1, 2).text == "" and t.at(1, 2).colspan == 1


def test_alternative_tables_take_our_tables_place():
    ours = Table([], 0, 0, page=1)
    doc = Document([Paragraph("标题", page=1), ours, Paragraph("正文", page=1), Paragraph("二页", page=2)],
                   kind="pdf-text", pages=2)
    alt1 = grid_table([["x"]], 1, "alt")
    alt2 = grid_table([["y"]], 2, "alt")
    got = with_tables(doc, [alt1, alt2]).blocks
    assert got[0].text == "标题" and got[1] is alt1 and got[2].text == "正文"
    assert got[3].text == "二页" and got[4] is alt2  # no table of ours on page 2: after its prose
    assert ours not in got


def test_alternative_tables_stand_where_they_are_on_the_page():
    # Our reader joins a table broken across pages 1 and 2 into one (page 1) and has its own next
    # table on page 2 under a heading. The alternative returns the continuation at the top of page 2:
    # it goes above the heading, not where our page-2 table was.
    ours = [Table([], 0, 0, page=1), Table([], 0, 0, page=2)]
    doc = Document([Paragraph("三、收到和处理", page=1, bbox=(72, 100, 500, 112)), ours[0],
                    Paragraph("四、行政复议", page=2, bbox=(72, 400, 500, 412)), ours[1],
                    Paragraph("五、问题", page=2, bbox=(72, 700, 500, 712))], kind="pdf-text", pages=2)
    part1 = grid_table([["a"]], 1, "alt", [[(72, 130, 500, 780)]])
    part2 = grid_table([["b"]], 2, "alt", [[(72, 64, 500, 380)]])
    t4 = grid_table([["c"]], 2, "alt", [[(72, 430, 500, 600)]])
    got = with_tables(doc, [part1, part2, t4]).blocks
    assert [b.text if isinstance(b, Paragraph) else b for b in got] == \
        ["三、收到和处理", part1, part2, "四、行政复议", t4, "五、问题"]
    assert part2.cells[0].bbox == (72, 64, 500, 380)  # the slot's box, kept on the cell


def test_where_an_alternatives_tables_stand_words_may_be_lost():
    """Our reader never drops a word of a text layer, and the mapping trusts that (table 4's header
    over no number there is fifteen printed blanks). An alternative's tables may have dropped
    numbers: their pages are lossy where the tables stand, so that claim is not made for them, and
    a date under the title or the signature is still looked for as before. A page already lossy
    everywhere stays so."""
    from extraction.pipeline import ExtractOptions, extract_document, read_document
    from tests.synth.form import build_report, synth_answers
    from tests.synth.pdf_report import render_pdf

    doc = Document([Paragraph("四、行政复议", page=2, bbox=(72, 400, 500, 412))], kind="pdf-text", pages=2)
    t4 = grid_table([["c"]], 2, "alt", [[(72, 430, 500, 600)]])
    got = with_tables(doc, [t4])
    assert (got.lossy_pages, got.unread_at) == (frozenset({2}), {2: ((72, 430, 500, 600),)})
    scanned = replace(doc, lossy_pages=frozenset({2}))
    assert with_tables(scanned, [t4]).unread_at == {}
    # a table 4 whose numbers the alternative lost: not fifteen accepted blanks
    report = build_report(synth_answers(7, template="2021"), seed=7)
    data = render_pdf(report)
    ours = read_document(data, ExtractOptions())
    t4_ours = [b for b in ours.blocks if isinstance(b, Table)][-1]
    # the alternative's table 4: its header rows, its row of numbers lost
    emptied = Table([c for c in t4_ours.cells if c.row < 3], 3, t4_ours.n_cols, page=t4_ours.page, origin="alt")
    fields = extract_document(with_tables(ours, [*[b for b in ours.blocks if isinstance(b, Table)][:-1], emptied]),
                              "r.pdf", data).fields
    assert all(fields[k].confidence < 0.9 for k in fields if k.startswith("t4."))


def test_ratios_and_markdown():
    rows = [
        {"tool": "gia-extract", "kind": "pdf-text", "seconds": 2.0, "accuracy": 0.9},
        {"tool": "pdfplumber", "kind": "pdf-text", "seconds": 8.0, "accuracy": 0.6},
        {"tool": "gia-extract", "kind": "html", "seconds": 1.0, "accuracy": 1.0},
    ]
    r = ratios(rows)
    assert r == [{"kind": "pdf-text", "versus": "pdfplumber", "time_ratio": 0.25, "accuracy_ratio": 1.5}]
    full = [{**x, "documents": 1, "pages": 3, "docs_per_s": 0.5, "pages_per_s": 1.5, "precision": 1.0,
             "coverage": 1.0, "silent": 0, "peak_rss_mib": 100, "stage_ms_per_doc": {"read": 10.0}} for x in rows]
    md = markdown({"machine": "m", "reports": 1, "results": full, "ratios": r})
    assert "| pdf-text | pdfplumber | 0.25 | 1.5 |" in md
    assert md.count("\n| ") >= 5


def test_tables_without_rulings_are_recovered_in_each_alternatives_own_mode_for_them():
    for module in ("pdfplumber", "camelot"):  # the bench extra: pip install -e '.[bench]'
        pytest.importorskip(module)
    from bench.alternatives import recoverer
    from bench.corpus import build_corpus

    docs = {d.kind: d for d in build_corpus(1, ("pdf-text", "pdf-unruled"))}
    unruled = docs["pdf-unruled"]
    assert unruled.answer == docs["pdf-text"].answer
    # pdfplumber's and camelot's defaults find no table where no line is drawn; their modes for
    # text alignment, which the bench runs on this kind, do, and hold the report's numbers (how
    # well is the bench's to say)
    for tool in ("pdfplumber", "camelot"):
        assert recoverer(tool, "pdf-text")(unruled.data) == []
        found = recoverer(tool, "pdf-unruled")(unruled.data)
        assert sum(c.text.isdigit() for t in found for c in t.cells) >= 50, tool


def test_a_spawned_worker_reports_its_own_peak_memory_not_its_parents():
    import multiprocessing as mp

    from bench.memory import peak_rss_mib

    ballast = bytearray(300 * 1024 * 1024)
    ballast[::4096] = b"\1" * len(ballast[::4096])  # touched, so resident
    assert peak_rss_mib() > 300
    with mp.get_context("spawn").Pool(1) as pool:
        child = pool.apply(peak_rss_mib)
    assert 0 < child < 150  # ru_maxrss there says > 300: the parent's mark at the fork
    del ballast


def test_rapid_table_reads_a_scanned_table_into_a_grid_with_spans_and_boxes():
    pytest.importorskip("rapid_table")  # the bench extra
    import pymupdf

    from bench.corpus import build_corpus
    from bench.rapid_table_alt import page_image, page_tables

    doc = build_corpus(1, ("scan-200",))[0]
    with pymupdf.open(stream=doc.data, filetype="pdf") as pdf:
        image, width_pt = page_image(pdf[0]), pdf[0].rect.width
    tables = page_tables(image, 1)
    t2 = next(t for t in tables if any(c.text == "规章" for c in t.cells))
    label = next(c for c in t2.cells if c.text == "规章")
    row = sorted((c for c in t2.cells if c.row == label.row and c.col > label.col), key=lambda c: c.col)
    assert [c.text for c in row] == [str(doc.answer[f"t2.rules.{k}"]) for k in ("issued", "repealed", "in_force")]
    group = next(c for c in t2.cells if c.text.startswith("第二十条第（一）项"))
    assert group.colspan == t2.n_cols  # a merged group header, from the HTML's colspan
    # each cell has the model's box for its own <td>, in page points: the numbers stand right of
    # their label, left to right
    xs = [label.bbox[0], *(c.bbox[0] for c in row)]
    assert xs == sorted(xs) and 0 < xs[0] and row[-1].bbox[2] < width_pt
    assert all(c.page == 1 and 0 < c.score <= 1 for c in t2.cells)


def test_sweep_sets_are_written_with_their_answers_the_same_each_time(tmp_path):
    import json

    from PIL import Image

    from bench.sweeps import build_set

    paths = build_set("faxes", tmp_path / "a", range(961, 962))  # an odd seed: a Group 4 fax
    assert [p.name for p in paths] == ["c961.tif"]
    with Image.open(paths[0]) as fax:
        assert fax.n_frames >= 2 and fax.mode == "1"
        assert fax.info.get("compression") == "group4"
        assert tuple(round(float(v)) for v in fax.info["dpi"]) == (204, 98)
    answer = json.loads((tmp_path / "a" / "golden" / "c961.json").read_text())["fields"]
    assert len(answer) > 150 and any(isinstance(v, int) and v > 0 for v in answer.values())
    again = build_set("faxes", tmp_path / "b", range(961, 962))
    assert again[0].read_bytes() == paths[0].read_bytes()


def test_the_sheets_sweep_set_puts_several_pages_on_one_page_of_the_file(tmp_path):
    import pymupdf

    from bench.sweeps import build_set

    paths = build_set("sheets", tmp_path / "a", range(7200, 7202))
    assert [p.name for p in paths] == ["h7200_text_a4.pdf", "h7201_tall.pdf"]
    with pymupdf.open(paths[0]) as two_up, pymupdf.open(paths[1]) as tall:
        assert all(p.rect.width > 1.4 * p.rect.height for p in two_up) and two_up[0].get_text().strip()
        assert tall.page_count == 1 and tall[0].rect.height > 2.5 * tall[0].rect.width
        assert not tall[0].get_text().strip() and tall[0].get_images()
    again = build_set("sheets", tmp_path / "b", range(7200, 7201))
    assert again[0].read_bytes() == paths[0].read_bytes()


def test_born_digital_sweep_sets_cover_their_kinds_and_are_read_right(tmp_path):
    """The digital set mixes PDFs, web pages, Word files and converter text; the unruled-blank set's
    PDFs draw tables without vertical rulings and print their zeros blank."""
    import json

    import pymupdf

    from bench.sweeps import build_set
    from extraction.pipeline import extract
    from tests.synth.form import wrong_fields

    digital = build_set("digital", tmp_path / "d", range(5000, 5012))
    assert {p.suffix for p in digital} == {".pdf", ".html", ".docx", ".txt"}
    again = build_set("digital", tmp_path / "e", range(5000, 5003))  # (a Word file's zip carries its time)
    assert [p.name for p in again] == [p.name for p in digital[:3]]
    assert [(tmp_path / "e" / "golden" / f"{p.stem}.json").read_text() for p in again] == \
        [(tmp_path / "d" / "golden" / f"{p.stem}.json").read_text() for p in digital[:3]]
    [blank] = build_set("unruled-blank", tmp_path / "u", range(6003, 6004))
    with pymupdf.open(blank) as doc:
        assert not any(abs(item[1].x - item[2].x) < 0.1 for page in doc for path in page.get_drawings()
                       for item in path["items"] if item[0] == "l")  # no vertical ruling drawn
    answer = json.loads((tmp_path / "u" / "golden" / "p6003.json").read_text())["fields"]
    assert any(v is None for k, v in answer.items() if k.startswith("t3."))  # zeros printed blank
    output = json.loads(extract(blank.read_bytes(), blank.name).model_dump_json())
    assert wrong_fields(answer, output) == []


def test_gpu_results_plot_and_table_name_each_setting(tmp_path):
    """The committed H200 results redrawn as bench.gpu_pipeline draws its own: one bar per setting
    in the plot, and each setting's graphs, widths and OCR split in the table."""
    pytest.importorskip("matplotlib")
    from bench.gpu_pipeline import markdown, plot_report

    results = Path(__file__).parents[1] / "bench" / "results" / "gpu_pipeline_h200.json"
    report = json.loads(results.read_text(encoding="utf-8"))
    png = tmp_path / "gpu.png"
    plot_report(report, png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    table = markdown({"machine": report["machine"], "documents": 288, "pages": 864, "kinds": ["scan-150"],
                      "results": [run["result"] for run in report["runs"]]})
    assert table.count("graphs on") == 7 and table.count("graphs off") == 5
    # runs before the detect scale read whole pages at 150 dpi
    assert "widths fine, graphs on, detect ×1, device threads 1 | 15 × 8 | 37.91" in table
    assert "widths default, graphs on, detect ×1, server processes 2 | 15 × 8 | 50.12" in table
    run = dict(report["runs"][-1]["result"], detect_scale=0.7)
    assert "detect ×0.7, server processes 2" in markdown({"machine": report["machine"], "documents": 288, "pages": 864,
                                                          "kinds": ["scan-150"], "results": [run]})
    assert "| detect 0.786, recognize 0.871 |" in table  # each device thread's share of the run


def test_gpu_run_figures_count_the_timed_run_and_keep_levels():
    """The OCR server's figures over the timed run: counters are differenced between its start and
    end, the graphs captured at warm-up (a level) are kept as they stand."""
    from bench.gpu_pipeline import _difference

    before = {"pool": {"requests": 4, "thread_busy_s": {"detect": 1.0}}, "cpu_s": 1.0,
              "gpu_times_ms": {"detect": 2.0, "graphs": {"det": {"captured": 5, "replays": 2, "error": None}}}}
    after = {"pool": {"requests": 10, "thread_busy_s": {"detect": 3.5}}, "cpu_s": 4.0,
             "gpu_times_ms": {"detect": 5.0, "graphs": {"det": {"captured": 5, "replays": 20, "error": None}}}}
    assert _difference(after, before) == {
        "pool": {"requests": 6, "thread_busy_s": {"detect": 2.5}}, "cpu_s": 3.0,
        "gpu_times_ms": {"detect": 3.0, "graphs": {"det": {"captured": 5, "replays": 18, "error": None}}}}


def test_worker_cpu_replays_every_recorded_request_and_reads_the_same_fields(tmp_path):
    """bench.worker_cpu on one 150-dpi scan with the CPU engine: every request the page reader
    makes is answered from the recording, the same fields come out (measure checks both), and the
    figures are written and add up."""
    from bench.worker_cpu import main

    assert main(["--reports", "1", "--repeat", "2", "--kinds", "scan-150", "--out", str(tmp_path)]) == 0
    res = json.loads((tmp_path / "worker_cpu.json").read_text())
    assert res["documents"] == 1 and res["pages"] == 3 and res["requests_per_pass"] >= 6
    stages = res["stage_cpu_ms_per_page"]
    assert {"render", "straighten", "rulings", "detect", "recognize", "grid"} <= set(stages)
    assert all(v >= 0 for v in stages.values()) and stages["render"] > 0
    assert res["cpu_ms_per_page"] == pytest.approx(sum(stages.values()) + res["outside_stages_ms_per_page"], abs=0.5)


def test_a_replayed_request_that_differs_from_the_recording_is_refused():
    import numpy as np

    from bench.worker_cpu import Recording, Replay
    from models.pooled_ocr import RequestingOcrEngine

    class Answers(RequestingOcrEngine):
        def submit(self, kind, payload):
            from concurrent.futures import Future

            f = Future()
            f.set_result([("1", 0.9)] * len(payload))
            return f

    recording = Recording(Answers())
    lines = [np.zeros((48, 60), np.uint8), np.zeros((48, 90), np.uint8)]
    assert recording.submit("recognize", lines).result() == [("1", 0.9)] * 2
    replay = Replay(recording)
    assert replay.submit("recognize", [ln.copy() for ln in lines]).result() == [("1", 0.9)] * 2
    replay = Replay(recording)
    with pytest.raises(RuntimeError, match="differs from the recording"):
        replay.submit("recognize", lines[:1])


def test_the_gpu_pipelines_workers_read_with_an_alternatives_tables():
    """bench.gpu_pipeline --tool rapid_table, on the CPU engine: a spawned worker reads each
    document as bench.run does (our reader's prose, RapidTable's tables, our mapping), the same
    fields come out, and RapidTable's own time is reported beside our reader's stages."""
    pytest.importorskip("rapid_table")  # the bench extra
    from bench.corpus import build_corpus
    from bench.gpu_pipeline import run_setting, summarise
    from bench.run import RAPID_TABLE, _run_one

    doc = build_corpus(1, ("scan-150",))[0]
    setting = run_setting([doc], processes=1, threads=1, ocr_server=False, tool=RAPID_TABLE)
    row = summarise(setting, {doc.name: doc.answer}, 0.9)
    assert row["tool"] == RAPID_TABLE and row["errors"] == [] and row["pages"] == 3
    assert row["stage_ms_per_page"]["recover_tables"] > 0 and row["stage_ms_per_page"]["ocr_detect"] > 0
    # bench.run's row for the same document, in this process
    alone = _run_one(RAPID_TABLE, doc)
    assert setting["rows"][0]["fields"] == alone["fields"]
    ours = _run_one("gia-extract", doc)
    assert ours["fields"] != alone["fields"]  # the tables were RapidTable's, not ours


def test_worker_cpu_measures_an_alternatives_worker_on_one_thread(tmp_path, monkeypatch):
    pytest.importorskip("rapid_table")
    from bench.run import RAPID_TABLE
    from bench.worker_cpu import main, measure

    monkeypatch.setenv("GIA_OCR_THREADS", "2")
    with pytest.raises(ValueError, match="GIA_OCR_THREADS=1"):
        measure(1, 1, ("scan-150",), RAPID_TABLE)
    assert main(["--tool", RAPID_TABLE, "--reports", "1", "--repeat", "1", "--kinds", "scan-150",
                 "--out", str(tmp_path)]) == 0
    res = json.loads((tmp_path / "worker_cpu.json").read_text())
    assert res["tool"] == RAPID_TABLE and res["pages"] == 3
    # RapidTable's layout and SLANet-plus run outside our page reader's stages, on the timed thread
    assert res["outside_stages_ms_per_page"] > 100


def test_gpu_runs_of_ours_and_an_alternative_compare_with_bench_runs_ratios():
    """bench.gpu_pipeline --compare: the committed H200 runs (ours, several settings) and an
    alternative's run made from the fastest of them with half its pages/s and a lower accuracy at
    150 dpi give the ratios against the fastest of ours; runs of another machine are refused."""
    import copy

    from bench.gpu_pipeline import comparison

    ours = json.loads((Path(__file__).parents[1] / "bench" / "results" / "gpu_pipeline_h200.json").read_text())
    fastest = max((run["result"] for run in ours["runs"]), key=lambda r: r["pages_per_s"])
    theirs = copy.deepcopy(fastest)
    theirs.update(tool="rapid_table", pages_per_s=fastest["pages_per_s"] / 2)
    theirs["by_kind"]["scan-150"]["accuracy"] = 0.8
    alt = {"machine": ours["machine"], "kinds": ["scan-150", "scan-200", "scan-300"], "results": [theirs]}
    table = comparison([ours, alt])
    rows = [ln.split(" | ") for ln in table.splitlines() if ln.startswith("| gia-extract") or ln.startswith("| rapid_table")]
    assert len(rows) == 6  # the fastest of ours and the alternative, three kinds each
    assert [r[2] for r in rows[:3]] == [str(fastest["pages_per_s"])] * 3
    alt_150 = next(r for r in rows if r[0] == "| rapid_table" and r[4] == "scan-150")
    assert alt_150[3] == "0.500"  # our time / theirs: half, as they took twice as long
    assert alt_150[-1].rstrip(" |") == f"{1.0 / 0.8:.3f}"
    other = dict(alt, machine="no GPU, 2 CPU x86_64")
    with pytest.raises(ValueError, match="different machines"):
        comparison([ours, other])
