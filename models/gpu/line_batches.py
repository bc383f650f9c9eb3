"""How text lines are grouped into recognition batches.

Each line is resized to height 48 keeping its aspect ratio, then padded on the right to its batch's
width. Lines are sorted into a few fixed width buckets (so the device sees a handful of input shapes
and its allocator and kernel choices are reused), and a batch holds as many lines as fit a pixel
budget, so a batch of long prose lines costs about what a batch of short table cells does.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

REC_HEIGHT = 48
# Table pages are mostly one- to four-digit cells, 48-140 px wide at height 48: padding each to a
# 320-px line made the recogniser read mostly blank columns, so the narrow buckets come first (96 is
# the CPU engine's narrowest batch, two time steps per character at least).
WIDTH_BUCKETS = (96, 192, 320, 640, 960, 1440, 2048, 3200)
# 14 buckets: number cells of 64 px or less no longer padded to 96, short lines padded by at most
# 32 px. On 1,477 recorded line crops of four sweep scans: the recogniser's input 1.50 -> 1.32
# times the lines' own width, the same readings but 4 (none a number). Twice the shapes to plan,
# smaller batches per bucket: whether it is faster on a GPU is unmeasured (GIA_REC_WIDTHS=fine).
FINE_WIDTH_BUCKETS = (64, 96, 128, 160, 192, 224, 256, 288, 320, 640, 960, 1440, 2048, 3200)
BUDGET_WIDTH = 320  # batch sizes are given as lines at this width
# Batches are padded up to one of these line counts (or to their bucket's cap). cuDNN builds an
# execution plan for every new input shape, about 12 ms per convolution on the H100 machine, so
# 1.4 s for the recogniser: free batch sizes made every call a new shape and the GPU path ran at
# CPU speed. With these levels the recogniser sees at most ~35 shapes, built once (warm_up).
ROW_LEVELS = (8, 32, 128, 512, 2048)
SMALL_BATCH = 32  # row_pieces: batches this small are padded, never split


@dataclass(frozen=True)
class LineBatch:
    lines: np.ndarray  # indices into the caller's list of lines
    width: int  # padded input width of the batch
    used: np.ndarray  # resized width of each line (≤ width); the rest is padding
    rows: int = 0  # padded line count (one of row_levels); 0: not padded



@dataclass(frozen=True)
class LineInput:
    """How a cut-out text line becomes recogniser input: height REC_HEIGHT, its aspect ratio kept,
    except that lines at least squeeze_from times as wide as high are read at squeeze × their width
    (as models.ocr's CPU engine: square CJK glyphs keep enough time steps, and the recogniser's
    cost follows width). Picklable, so that the processes cutting lines (models.ocr_server's
    workers) prepare them exactly as the engine would."""
    squeeze: float = 0.7
    squeeze_from: float = 4.0

    def ratios(self, ratios: np.ndarray) -> np.ndarray:
        ratios = np.asarray(ratios, dtype=np.float64)
        if self.squeeze >= 1.0:
            return ratios
        return np.where(ratios >= self.squeeze_from, ratios * self.squeeze, ratios)

    def __call__(self, crop: np.ndarray) -> np.ndarray:
        """crop (gray or BGR/BGRA, any size) as a (REC_HEIGHT, width) uint8 line, gray or BGR."""
        if crop.ndim == 3 and crop.shape[2] == 4:
            crop = cv2.cvtColor(crop, cv2.COLOR_BGRA2BGR)
        h, w = crop.shape[:2]
        ratio = float(self.ratios(np.array([w / max(1, h)]))[0])
        width = int(min(WIDTH_BUCKETS[-1], max(1, math.ceil(REC_HEIGHT * ratio))))
        return cv2.resize(crop, (width, REC_HEIGHT), interpolation=cv2.INTER_LINEAR)


def width_buckets(spec: str) -> tuple[int, ...]:
    """The recogniser's width buckets from GIA_REC_WIDTHS: "default", "fine", or increasing widths
    separated by commas that end at the widest line LineInput makes."""
    spec = spec.strip().lower()
    if spec in ("", "default"):
        return WIDTH_BUCKETS
    if spec == "fine":
        return FINE_WIDTH_BUCKETS
    try:
        widths = tuple(int(w) for w in spec.split(","))
    except ValueError:
        raise ValueError(f"GIA_REC_WIDTHS must be default, fine or widths like 96,320,3200, not {spec!r}") from None
    if any(w < 16 for w in widths) or list(widths) != sorted(set(widths)) or widths[-1] != WIDTH_BUCKETS[-1]:
        raise ValueError(f"GIA_REC_WIDTHS: increasing widths of at least 16 px ending at {WIDTH_BUCKETS[-1]}, "
                         f"not {spec!r}")
    return widths


def plan_line_batches(ratios: np.ndarray, lines_at_320: int,
                      buckets: tuple[int, ...] = WIDTH_BUCKETS) -> list[LineBatch]:
    """ratios: width / height of each line. lines_at_320: batch size for 320-wide lines; wider
    buckets get proportionally fewer lines (at least one)."""
    ratios = np.asarray(ratios, dtype=np.float64)
    return plan_width_batches(np.ceil(REC_HEIGHT * ratios), lines_at_320, buckets)


def plan_width_batches(widths: np.ndarray, lines_at_320: int,
                       buckets: tuple[int, ...] = WIDTH_BUCKETS) -> list[LineBatch]:
    """plan_line_batches for lines already at recogniser height: widths in pixels."""
    widths = np.asarray(widths, dtype=np.float64)
    if len(widths) == 0:
        return []
    need = np.maximum(np.minimum(widths, buckets[-1]).astype(np.int64), 1)
    ratios = need / REC_HEIGHT
    bucket = np.searchsorted(np.array(buckets), need, side="left")
    batches: list[LineBatch] = []
    for b, width in enumerate(buckets):
        members = np.flatnonzero(bucket == b)
        if len(members) == 0:
            continue
        members = members[np.argsort(ratios[members], kind="stable")]
        start = 0
        for lines, rows in row_pieces(len(members), row_levels(lines_per_batch(width, lines_at_320))):
            chunk = members[start:start + lines]
            start += lines
            batches.append(LineBatch(chunk, width, need[chunk], rows))
    return batches


def row_pieces(n: int, levels: list[int]) -> list[tuple[int, int]]:
    """n lines of one bucket as batches (lines, padded rows) with rows from levels (ascending).

    Padding every batch up to the next level wasted up to three quarters of the recogniser's
    work (levels step by 4: 130 lines ran as 512). A batch is padded only while it is more than
    half full, or small (up to SMALL_BATCH rows, where launching a second batch would cost more
    than the padding); otherwise a full batch of the level below is taken and the rest planned
    again (600 lines: 512 + 88 padded to 128, not 2048)."""
    pieces: list[tuple[int, int]] = []
    while n > 0:
        up = next((lv for lv in levels if lv >= n), None)
        if up is None:  # more than the biggest batch: take a full one
            pieces.append((levels[-1], levels[-1]))
            n -= levels[-1]
            continue
        down = max((lv for lv in levels if lv <= n), default=None)
        if down is None or 2 * n > up or up <= SMALL_BATCH:
            pieces.append((n, up))
            return pieces
        pieces.append((down, down))
        n -= down
    return pieces


def row_levels(per_batch: int) -> list[int]:
    """The padded line counts of a bucket whose batches hold at most per_batch lines."""
    return [lv for lv in ROW_LEVELS if lv < per_batch] + [per_batch]


def lines_per_batch(width: int, lines_at_320: int) -> int:
    """Lines of this padded width that cost what lines_at_320 lines of width 320 cost (at most the
    largest row level)."""
    return max(1, min(ROW_LEVELS[-1], (lines_at_320 * BUDGET_WIDTH) // width))
