"""PP-OCR on CUDA through PyTorch: the rapidocr ONNX models converted with onnx2torch.

Nothing here is imported by the CPU path. Importing this package itself pulls in neither torch nor
onnx; only `models.gpu.engine` and `models.gpu.convert` do, so a CPU-only install never needs them.
"""
from __future__ import annotations

import importlib.util


def gpu_available() -> bool:
    """True when torch, onnx and onnx2torch import and torch sees a CUDA device."""
    for name in ("torch", "onnx", "onnx2torch"):
        if importlib.util.find_spec(name) is None:
            return False
    import torch

    return bool(torch.cuda.is_available())
