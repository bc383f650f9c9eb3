"""GPU OCR benchmark: PP-OCR det+rec through PyTorch on CUDA over a scan corpus.

Two steps, because the GPU machine has torch but neither PyMuPDF nor rapidocr:

  # here: render synthetic reports to page images at 150/200/300 dpi, with the text each page
  # carries (the PDF text layer) as truth, and copy the ONNX models beside them
  .venv/bin/python -m bench.gpu_ocr prepare --out .devcarry/ocr

  # on the GPU machine (python with torch + onnx2torch):
  GIA_OCR_MODEL_DIR=.devcarry/ocr/models python3 -m bench.gpu_ocr run --data .devcarry/ocr --out $OUT

`run` checks the converted graphs against onnxruntime (when importable), then times end-to-end
page reading (decoded pixels in host memory → text lines) for a grid of batch sizes, detection
resolutions and scan resolutions, and writes gpu_ocr.json and gpu_ocr.md. Accuracy is character
F1 against the page's own text (bag of characters, whitespace ignored), so it needs no mapping.
"""
from __future__ import annotations

import argparse
import json
import platform
import shutil
import sys
import time
from collections import Counter
from pathlib import Path

DPIS = (150, 200, 300)


# ------------------------------------------------------------------------------------ prepare
def prepare(out: Path, reports: int) -> None:
    import cv2
    import numpy as np
    import pymupdf

    from models.gpu.model_files import DET_FILE, REC_FILE, model_dir
    from tests.synth.form import build_report, synth_answers
    from tests.synth.pdf_report import render_pdf

    truth: dict[str, str] = {}
    for dpi in DPIS:
        (out / f"dpi{dpi}").mkdir(parents=True, exist_ok=True)
    for seed in range(reports):
        report = build_report(synth_answers(seed), seed=seed)
        pdf = pymupdf.open(stream=render_pdf(report), filetype="pdf")
        for page in pdf:
            name = f"r{seed}_p{page.number + 1}.png"
            truth[name] = page.get_text()
            for dpi in DPIS:
                pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
                img = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width)
                cv2.imwrite(str(out / f"dpi{dpi}" / name), img)
    (out / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    (out / "models").mkdir(exist_ok=True)
    for f in (DET_FILE, REC_FILE):
        shutil.copyfile(model_dir() / f, out / "models" / f)
    print(f"{len(truth)} pages × {len(DPIS)} dpi under {out}")


# ------------------------------------------------------------------------------------ scoring
def char_f1(found: str, truth: str) -> float:
    a = Counter(ch for ch in found if not ch.isspace())
    b = Counter(ch for ch in truth if not ch.isspace())
    hit = sum((a & b).values())
    if not a or not b:
        return float(a == b)
    p, r = hit / sum(a.values()), hit / sum(b.values())
    return 0.0 if hit == 0 else 2 * p * r / (p + r)


# ------------------------------------------------------------------------------------ run
def _numerics(files, pages) -> dict:
    """Converted graphs vs onnxruntime (CPU) on a real page and real line crops."""
    import numpy as np
    import torch

    from models.gpu.convert import load_onnx, to_torch
    from models.gpu.engine import det_size

    out: dict = {}
    try:
        import onnxruntime as ort
    except ImportError:
        return {"skipped": "onnxruntime not importable"}
    import cv2

    page = pages[0]
    rh, rw = det_size(*page.shape[:2], 736, "min")
    x = cv2.resize(cv2.cvtColor(page, cv2.COLOR_GRAY2BGR), (rw, rh)).astype(np.float32) / 127.5 - 1.0
    det_in = x.transpose(2, 0, 1)[None].copy()
    # Real crops: horizontal strips of the page at line height, stacked into one batch.
    strips = [cv2.resize(cv2.cvtColor(page[y:y + 40, 100:900], cv2.COLOR_GRAY2BGR), (960, 48))
              for y in range(200, 1400, 60)]
    rec_in = (np.stack(strips).astype(np.float32) / 127.5 - 1.0).transpose(0, 3, 1, 2).copy()
    for name, path, x in (("det", files.det, det_in), ("rec", files.rec, rec_in)):
        sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        ref = sess.run(None, {sess.get_inputs()[0].name: x})[0].astype(np.float64)
        module = to_torch(load_onnx(path)).cuda()
        row = {"shape": list(x.shape)}
        for dtype in (torch.float32, torch.float16):
            m = module.to(dtype)
            with torch.inference_mode():
                got = m(torch.from_numpy(x).cuda().to(dtype)).double().cpu().numpy()
            key = "fp32" if dtype == torch.float32 else "fp16"
            row[f"{key}_rel_err"] = float(np.linalg.norm(got - ref) / np.linalg.norm(ref))
            row[f"{key}_max_abs"] = float(np.abs(got - ref).max())
            if name == "rec":
                row[f"{key}_argmax_agree"] = float((got.argmax(-1) == ref.argmax(-1)).mean())
        out[name] = row
    return out


def _micro(engine_cls, config, page_shape) -> dict:
    """Model-only throughput on fixed shapes (autotuned, fp16, random inputs), timed with CUDA
    events: the ceiling the end-to-end numbers are measured against."""
    import dataclasses

    import torch

    from models.gpu.engine import det_size

    torch.backends.cudnn.benchmark = True
    engine = engine_cls(dataclasses.replace(config, cudnn_benchmark=True), files=_FILES)

    def timed(module, x, reps=5):
        with torch.inference_mode():
            for _ in range(2):
                module(x)
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            times = []
            for _ in range(reps):
                start.record()
                module(x)
                end.record()
                torch.cuda.synchronize()
                times.append(start.elapsed_time(end) / 1000.0)
        return sorted(times)[len(times) // 2]

    out: dict = {"det": [], "rec": []}
    h, w = page_shape
    for limit in (960, 1280):
        rh, rw = det_size(h, w, limit, "max")
        for b in (1, 8, 32, 64):
            x = torch.empty((b, 3, rh, rw), device="cuda", dtype=engine.dtype).uniform_(-1, 1)
            t = timed(engine.det, x)
            row = {"input": [b, 3, rh, rw], "s": round(t, 5), "pages_per_s": round(b / t, 1)}
            out["det"].append(row)
            print(json.dumps({"micro_det": row}), flush=True)
    for width in (320, 960, 1600):
        for n in (256, 1024, 2048):
            if n * width > 2048 * 960:
                continue
            x = torch.empty((n, 3, 48, width), device="cuda", dtype=engine.dtype).uniform_(-1, 1)
            t = timed(engine.rec, x)
            row = {"input": [n, 3, 48, width], "s": round(t, 5), "lines_per_s": round(n / t, 0),
                   "mpx_per_s": round(n * width * 48 / t / 1e6, 1)}
            out["rec"].append(row)
            print(json.dumps({"micro_rec": row}), flush=True)
    torch.backends.cudnn.benchmark = False
    return out


def _measure(engine_cls, config, pages, truth_texts, repeat: int) -> dict:
    import torch

    cuda = config.device.startswith("cuda")
    engine = engine_cls(config, files=_FILES)
    batch = pages * repeat
    engine.read_lines(batch)  # warm-up on the same work: kernels, allocator, autotuned shapes
    if cuda:
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    engine.times = type(engine.times)()
    t0 = time.perf_counter()
    lines = engine.read_lines(batch)
    if cuda:
        torch.cuda.synchronize()
    wall = time.perf_counter() - t0
    n_lines = sum(len(x) for x in lines)
    f1 = [char_f1("".join(l.text for l in page_lines), t) for page_lines, t in zip(lines, truth_texts * repeat)]
    return {
        "pages": len(batch), "wall_s": round(wall, 3), "pages_per_s": round(len(batch) / wall, 1),
        "lines": n_lines, "lines_per_s": round(n_lines / wall, 0),
        "char_f1": round(sum(f1) / len(f1), 4), "stage_ms": engine.times.as_ms(),
        "peak_gpu_mib": round(torch.cuda.max_memory_allocated() / 2**20) if cuda else None,
        "texts": [[l.text for l in page_lines] for page_lines in lines[: len(pages)]],
    }


_FILES = None


def run(data: Path, out: Path, quick: bool, device: str = "cuda") -> None:
    import dataclasses

    import cv2
    import torch

    from models.gpu.engine import GpuOcrConfig, GpuOcrEngine
    from models.gpu.line_batches import LineInput
    from models.gpu.model_files import ocr_model_files

    global _FILES
    _FILES = ocr_model_files()
    out.mkdir(parents=True, exist_ok=True)
    truth = json.loads((data / "truth.json").read_text(encoding="utf-8"))
    names = sorted(truth)
    corpus = {dpi: [cv2.imread(str(data / f"dpi{dpi}" / n), cv2.IMREAD_GRAYSCALE) for n in names] for dpi in DPIS}
    texts = [truth[n] for n in names]
    cuda = device.startswith("cuda")
    env = {"python": platform.python_version(), "torch": torch.__version__,
           "device": torch.cuda.get_device_name(0) if cuda else platform.processor() or "cpu",
           "pages_per_corpus": len(names)}
    print(json.dumps(env), flush=True)
    result: dict = {"env": env}
    if cuda:
        result["numerics"] = _numerics(_FILES, corpus[200])
        print(json.dumps(result["numerics"]), flush=True)

    result["micro"] = _micro(GpuOcrEngine, GpuOcrConfig(device=device), corpus[200][0].shape) if cuda else {}
    base = GpuOcrConfig(device=device, det_limit_type="max", det_limit_side=1280, det_batch=16, rec_batch=1024)
    runs = []

    def go(tag: str, dpi: int, cfg: GpuOcrConfig, repeat: int = 8) -> dict:
        r = _measure(GpuOcrEngine, cfg, corpus[dpi], texts, repeat)
        row = {"tag": tag, "dpi": dpi, "det": f"{cfg.det_limit_type}{cfg.det_limit_side}",
               "det_batch": cfg.det_batch, "rec_batch": cfg.rec_batch, "half": cfg.half,
               "autotune": cfg.cudnn_benchmark, **{k: v for k, v in r.items() if k != "texts"}}
        runs.append(row)
        print(json.dumps(row), flush=True)
        return r

    ref = go("fp32", 200, dataclasses.replace(base, half=False), repeat=1)
    half = go("fp16", 200, base, repeat=1)
    same = [a == b for pa, pb in zip(ref["texts"], half["texts"]) for a, b in zip(pa, pb)]
    result["fp16_vs_fp32_same_lines"] = round(sum(same) / max(1, len(same)), 4)
    repeat = 1 if quick else 8
    for autotune in (False, True):
        for det in (("max", 960), ("max", 1280)):
            for _ in range(2):  # twice: the spread between identical runs is the noise floor
                go("steady", 200, dataclasses.replace(base, cudnn_benchmark=autotune, det_limit_type=det[0],
                                                      det_limit_side=det[1]), repeat)
    best = dataclasses.replace(base, cudnn_benchmark=True)
    go("no_squeeze", 200, dataclasses.replace(best, line_input=LineInput(squeeze=1.0)), repeat)
    for db in ((4,) if quick else (4, 32)):
        go("det_batch", 200, dataclasses.replace(best, det_batch=db), repeat)
    for rb in ((256,) if quick else (256, 2048)):
        go("rec_batch", 200, dataclasses.replace(best, rec_batch=rb), repeat)
    for dpi in (150, 300):
        for det in (("max", 960), ("max", 1280), ("min", 736)):
            go("resolution", dpi, dataclasses.replace(best, det_limit_type=det[0], det_limit_side=det[1]), repeat)
    result["runs"] = runs
    (out / "gpu_ocr.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    (out / "gpu_ocr.md").write_text(markdown(result), encoding="utf-8")
    print(markdown(result))


def markdown(result: dict) -> str:
    env = result["env"]
    lines = [f"GPU OCR on {env['device']} (torch {env['torch']}), {env['pages_per_corpus']} distinct A4 pages",
             "", "| run | dpi | det input | det batch | rec batch | fp16 | autotune | pages/s | lines/s | char F1 | "
             "upload | detect | boxes | recognise | rec model | decode | rec Mpx | peak GPU MiB |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in result["runs"]:
        s = r["stage_ms"]
        lines.append(f"| {r['tag']} | {r['dpi']} | {r['det']} | {r['det_batch']} | {r['rec_batch']} | {r['half']} | "
                     f"{r.get('autotune', False)} | {r['pages_per_s']} | {r['lines_per_s']:.0f} | {r['char_f1']} | "
                     f"{s['upload']} | {s['detect']} | {s['boxes']} | {s['recognise']} | {s.get('rec_model', '')} | "
                     f"{s['decode']} | {s.get('rec_padded_px', 0) * 48 / 1e6:.0f} | {r['peak_gpu_mib']} |")
    lines.append("")
    lines.append("Stage columns are ms summed over the timed run; recognise includes rec model and decode.")
    micro = result.get("micro") or {}
    if micro:
        lines += ["", "Model-only ceilings (fp16, autotuned, CUDA events, median of 5):", "",
                  "| model | input | ms | pages/s or lines/s |", "|---|---|---|---|"]
        for r in micro["det"]:
            lines.append(f"| det | {r['input']} | {r['s'] * 1000:.1f} | {r['pages_per_s']} pages/s |")
        for r in micro["rec"]:
            lines.append(f"| rec | {r['input']} | {r['s'] * 1000:.1f} | {r['lines_per_s']:.0f} lines/s |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="bench.gpu_ocr", description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--reports", type=int, default=4)
    r = sub.add_parser("run")
    r.add_argument("--data", type=Path, required=True)
    r.add_argument("--out", type=Path, required=True)
    r.add_argument("--quick", action="store_true")
    r.add_argument("--device", default="cuda")
    a = ap.parse_args(argv)
    if a.cmd == "prepare":
        prepare(a.out, a.reports)
    else:
        run(a.data, a.out, a.quick, a.device)
    return 0


if __name__ == "__main__":
    sys.exit(main())
