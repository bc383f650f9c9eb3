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
# Table pages are mostly one- to four-digit cells, 48-140 px wide at height 48: padding each to a
# 320-px line made the recogniser read mostly blank columns, so the narrow buckets come first (96 is
# the CPU engine's narrowest batch, two time steps per character at least).
WIDTH_BUCKETS = (96, 192, 320, 640, 960, 1440, 2048, 3200)
BUDGET_WIDTH = 320  # batch sizes are given as lines at this width
# Batches are padded up to one of these line counts (or to their bucket's cap). cuDNN builds an
# execution plan for every new input shape, about 12 ms per convolution on the H100 machine, so
# 1.4 s for the recogniser: free batch sizes made every call a new shape and the GPU path ran at
# CPU speed. With these levels the recogniser sees at most ~35 shapes, built once (warm_up).
ROW_LEVELS = (8, 32, 128, 512, 2048)


@dataclass(frozen=True)
class LineBatch:
    lines: np.ndarray  # indices into the caller's list of lines
    width: int  # padded input width of the batch
    used: np.ndarray  # resized width of each line (≤ width); the rest is padding
    rows: int = 0  # padded line count (one of row_levels); 0: not padded



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
        per_batch = lines_per_batch(width, lines_at_320)
        levels = row_levels(per_batch)
        for start in range(0, len(members), per_batch):
            chunk = members[start:start + per_batch]
            rows = next(lv for lv in levels if lv >= len(chunk))
            batches.append(LineBatch(chunk, width, need[chunk], rows))
    return batches


def row_levels(per_batch: int) -> list[int]:
    """The padded line counts of a bucket whose batches hold at most per_batch lines."""
    return [lv for lv in ROW_LEVELS if lv < per_batch] + [per_batch]


def lines_per_batch(width: int, lines_at_320: int) -> int:
    """Lines of this padded width that cost what lines_at_320 lines of width 320 cost (at most the
    largest row level)."""
    return max(1, min(ROW_LEVELS[-1], (lines_at_320 * BUDGET_WIDTH) // width))


def resized_width(ratio: float, width: int) -> int:
    return int(min(width, max(1, math.ceil(REC_HEIGHT * ratio))))
