"""Where the PP-OCR det/rec ONNX files are: the ones shipped inside the rapidocr wheel.

`GIA_OCR_MODEL_DIR` overrides the folder (the GPU machine has no rapidocr install, so the files
travel there on their own).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from models.config import DET_FILE, REC_FILE, ModelMissing, rapidocr_models


@dataclass(frozen=True)
class OcrModelFiles:
    det: Path
    rec: Path


def model_dir() -> Path:
    override = os.environ.get("GIA_OCR_MODEL_DIR")
    if override:
        return Path(override)
    try:
        return rapidocr_models()
    except ModelMissing:
        raise FileNotFoundError("rapidocr is not installed and GIA_OCR_MODEL_DIR is not set") from None


def ocr_model_files() -> OcrModelFiles:
    root = model_dir()
    files = OcrModelFiles(det=root / DET_FILE, rec=root / REC_FILE)
    for path in (files.det, files.rec):
        if not path.is_file():
            raise FileNotFoundError(f"PP-OCR model missing: {path}")
    return files
