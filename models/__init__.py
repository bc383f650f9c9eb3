"""Model engines (OCR, layout, orientation) on onnxruntime, weights from the installed wheels.

Each engine is built once per process on first use and shared (`ocr_engine()`,
`layout_engine()`, `orientation_engine()`); `ModelConfig.from_env()` says where the weights are
and how inference runs (CPU by default, CUDA on request)."""
from .config import ModelConfig, ModelMissing

__all__ = ["ModelConfig", "ModelMissing"]
