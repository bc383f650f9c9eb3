"""OCR speed per page, stage by stage.

    .venv/bin/python bench/ocr_speed.py                   # 3 synthetic scanned pages (seed 21)
    .venv/bin/python bench/ocr_speed.py --seeds 21 22 --threads 2 --repeat 2
    .venv/bin/python bench/ocr_speed.py --images a.png b.jpg --dpi 200
    .venv/bin/python bench/ocr_speed.py --baseline        # also RapidOCR with its defaults
    .venv/bin/python bench/ocr_speed.py --score 11 12 21  # field scores on the scan set

Prints, per stage, wall and CPU milliseconds per page (CPU counts all threads; on a shared
machine wall time also counts the neighbours' load, CPU time does not). The first page of a run
also pays for loading the models; it is reported apart and left out of the means (--repeat > 1
reads every page again with warm engines).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cv2  # noqa: E402

from extraction.scan.images import image_source  # noqa: E402
from extraction.scan.page_reader import READ_DPI, PageReader  # noqa: E402
from models.config import ModelConfig  # noqa: E402
from models.ocr import RapidOcrEngine  # noqa: E402

STAGES = ["render", "straighten", "rulings", "detect", "orientation", "recognize", "grid", "reread", "ink"]


def synthetic_pages(seeds: list[int]):
    from tests.synth.form import build_report, synth_answers
    from tests.synth.pdf_report import render_pdf
    from tests.synth.scan import scan_pages, style_for

    for seed in seeds:
        style = style_for(seed, dpi=200, turned=(2,))
        pdf = render_pdf(build_report(synth_answers(seed), seed=seed), furniture="office")
        for i, page in enumerate(scan_pages(pdf, seed, style)):
            yield f"seed{seed}-p{i + 1}", page, float(style.dpi)


def image_pages(paths: list[str], dpi: float):
    for p in paths:
        yield Path(p).name, cv2.imread(p, cv2.IMREAD_GRAYSCALE), dpi


# The scan set: per seed, how the report is delivered (see tests.synth.scan).
SCAN_SET = {
    11: ("tiff", {}),
    12: ("tiff", {"photo": True}),
    13: ("tiff", {"dpi": 300}),
    21: ("pdf", {}),
    22: ("pdf", {"dpi": 150, "tilt": -1.8}),
}


def score_scan_set(seeds: list[int]) -> int:
    import json

    from extraction.pipeline import extract
    from tests.shared_data import load_scorer
    from tests.synth.form import build_report, synth_answers
    from tests.synth.pdf_report import render_pdf
    from tests.synth.scan import scan_pages, scan_pdf, scan_tiff, style_for

    score_doc = load_scorer().score_doc
    total = {"fields": 0, "right": 0, "accepted": 0, "accepted_right": 0, "silent": 0, "pages": 0, "s": 0.0}
    for seed in seeds:
        how, over = SCAN_SET.get(seed, ("tiff", {}))
        report = build_report(synth_answers(seed), seed=seed)
        style = style_for(seed, turned=(2,), **over)
        pages = scan_pages(render_pdf(report, furniture="office"), seed, style)
        for data in [scan_pdf(pages, style.dpi) if how == "pdf" else scan_tiff(pages, style.dpi)]:
            t = time.perf_counter()
            result = extract(data, f"seed{seed}")
            dt = time.perf_counter() - t
            r = score_doc({"fields": report.answer}, json.loads(result.model_dump_json()), 0.9)
            for k in ("fields", "right", "accepted", "accepted_right", "silent"):
                total[k] += r[k]
            total["pages"] += len(pages)
            total["s"] += dt
            print(f"seed {seed:3d} {how:10s} dpi {style.dpi} tilt {style.tilt:+.1f} photo {style.photo!s:5s} "
                  f"kind {result.source.kind:8s} acc {r['right']}/{r['fields']} accepted {r['accepted']} "
                  f"silent {r['silent']}  {dt / len(pages):.1f} s/page")
            for w in r["wrong"][:6]:
                print(f"    {w['key']}: gold {w['gold']!r} got {w['got']!r} conf {w['confidence']:.2f}")
    prec = total["accepted_right"] / total["accepted"] if total["accepted"] else 0.0
    print(f"TOTAL accuracy {total['right'] / total['fields']:.4f} ({total['right']}/{total['fields']}) "
          f"accepted-coverage {total['accepted'] / total['fields']:.4f} accepted-precision {prec:.4f} "
          f"silent {total['silent']}  {total['s'] / total['pages']:.1f} s/page wall")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, nargs="*", default=[21])
    ap.add_argument("--images", nargs="*")
    ap.add_argument("--dpi", type=float, default=200.0, help="resolution of --images")
    ap.add_argument("--threads", type=int, default=0, help="onnxruntime threads (0: the default)")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--baseline", action="store_true", help="also time RapidOCR's defaults per page")
    ap.add_argument("--score", type=int, nargs="*",
                    help="seeds of the scan set to run through the whole pipeline and score")
    a = ap.parse_args()
    if a.score:
        return score_scan_set(a.score)

    cfg = ModelConfig.from_env()
    if a.threads:
        cfg = ModelConfig(device=cfg.device, threads=a.threads)
    t = time.perf_counter()
    reader = PageReader(RapidOcrEngine(cfg))
    print(f"engine load {1000 * (time.perf_counter() - t):.0f} ms, threads {cfg.threads}, read at {READ_DPI:.0f} dpi")
    pages = list(image_pages(a.images, a.dpi) if a.images else synthetic_pages(a.seeds))

    rows = []
    for rep in range(a.repeat):
        for name, gray, dpi in pages:
            w0, c0 = time.perf_counter(), time.process_time()
            scan = reader.read(image_source(gray, dpi), 1)
            wall, cpu = 1000 * (time.perf_counter() - w0), 1000 * (time.process_time() - c0)
            rows.append((rep, name, wall, cpu, scan))
            print(f"{name:14s} rep {rep}  wall {wall:7.0f} ms  cpu {cpu:7.0f} ms  words {len(scan.words):4d}  "
                  + "  ".join(f"{s} {scan.timings_ms.get(s, 0):.0f}/{scan.cpu_ms.get(s, 0):.0f}" for s in STAGES))
    warm = rows[1:] if len(rows) > 1 else rows
    n = len(warm)
    print(f"\nmean over {n} warm page reads (ms, wall / cpu):")
    for s in STAGES:
        print(f"  {s:12s} {sum(r[4].timings_ms.get(s, 0) for r in warm) / n:7.0f} / "
              f"{sum(r[4].cpu_ms.get(s, 0) for r in warm) / n:7.0f}")
    print(f"  {'page':12s} {sum(r[2] for r in warm) / n:7.0f} / {sum(r[3] for r in warm) / n:7.0f}")

    if a.baseline:
        from rapidocr import RapidOCR

        sp = Path(cfg.det_model).parent
        base = RapidOCR(params={"Global.log_level": "warning",
                                "Det.model_path": str(sp / "PP-OCRv6_det_small.onnx"),
                                "Rec.model_path": str(sp / "PP-OCRv6_rec_small.onnx"),
                                "Cls.model_path": str(sp / "ch_ppocr_mobile_v2.0_cls_mobile.onnx"),
                                "EngineConfig.onnxruntime.intra_op_num_threads": cfg.threads})
        base(pages[0][1])  # load
        tot_w = tot_c = 0.0
        for name, gray, dpi in pages:
            img = cv2.resize(gray, None, fx=200 / dpi, fy=200 / dpi) if abs(dpi - 200) > 1 else gray
            w0, c0 = time.perf_counter(), time.process_time()
            out = base(cv2.cvtColor(img, cv2.COLOR_GRAY2BGR))
            w, c = 1000 * (time.perf_counter() - w0), 1000 * (time.process_time() - c0)
            tot_w, tot_c = tot_w + w, tot_c + c
            el = [round(1000 * e) if e else 0 for e in (out.elapse_list or [0, 0, 0])]
            print(f"baseline {name:14s} wall {w:7.0f} ms  cpu {c:7.0f} ms  det/cls/rec wall {el}")
        print(f"baseline mean per page: wall {tot_w / len(pages):.0f} ms  cpu {tot_c / len(pages):.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
