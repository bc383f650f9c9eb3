"""Where the PP-OCR det/rec ONNX files are: the ones shipped inside the rapidocr wheel.

`GIA_OCR_MODEL_DIR` overrides the folder (the GPU machine has no rapidocr install, so the files
travel there on their own).
"""
from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

DET_FILE = "PP-OCRv6_det_small.onnx"
REC_FILE = "PP-OCRv6_rec_small.onnx"


@dataclass(frozen=True)
class OcrModelFiles:
    det: Path
    rec: Path


def model_dir() -> Path:
    override = os.environ.get("GIA_OCR_MODEL_DIR")
    if override:
        return Path(override)
    # find_spec rather than import: importing rapidocr initialises onnxruntime, which we do not need.
    spec = importlib.util.find_spec("rapidocr")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("rapidocr is not installed and GIA_OCR_MODEL_DIR is not set")
    return Path(list(spec.submodule_search_locations)[0]) / "models"


def ocr_model_files() -> OcrModelFiles:
    root = model_dir()
    files = OcrModelFiles(det=root / DET_FILE, rec=root / REC_FILE)
    for path in (files.det, files.rec):
        if not path.is_file():
            raise FileNotFoundError(f"PP-OCR model missing: {path}")
    return files
