"""How text lines are grouped into recognition batches.

Each line is resized to height 48 keeping its aspect ratio, then padded on the right to its batch's
width. Lines are sorted into a few fixed width buckets (so the device sees a handful of input shapes
and its allocator and kernel choices are reused), and a batch holds as many lines as fit a pixel
budget, so a batch of long prose lines costs about what a batch of short table cells does.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

REC_HEIGHT = 48
WIDTH_BUCKETS = (320, 480, 640, 800, 960, 1280, 1600, 1920, 2400, 3200)


@dataclass(frozen=True)
class LineBatch:
    lines: np.ndarray  # indices into the caller's list of lines
    width: int  # padded input width of the batch
    used: np.ndarray  # resized width of each line (≤ width); the rest is padding


def plan_line_batches(ratios: np.ndarray, lines_at_320: int) -> list[LineBatch]:
    """ratios: width / height of each line. lines_at_320: batch size for 320-wide lines; wider
    buckets get proportionally fewer lines (at least one)."""
    ratios = np.asarray(ratios, dtype=np.float64)
    if len(ratios) == 0:
        return []
    need = np.minimum(np.ceil(REC_HEIGHT * ratios), WIDTH_BUCKETS[-1]).astype(np.int64)
    need = np.maximum(need, 1)
    bucket = np.searchsorted(np.array(WIDTH_BUCKETS), need, side="left")
    batches: list[LineBatch] = []
    for b, width in enumerate(WIDTH_BUCKETS):
        members = np.flatnonzero(bucket == b)
        if len(members) == 0:
            continue
        members = members[np.argsort(ratios[members], kind="stable")]
        per_batch = max(1, (lines_at_320 * WIDTH_BUCKETS[0]) // width)
        for start in range(0, len(members), per_batch):
            chunk = members[start:start + per_batch]
            batches.append(LineBatch(chunk, width, need[chunk]))
    return batches


def resized_width(ratio: float, width: int) -> int:
    return int(min(width, max(1, math.ceil(REC_HEIGHT * ratio))))
