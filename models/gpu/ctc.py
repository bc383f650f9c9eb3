"""Greedy CTC decoding of recogniser outputs already reduced to (best index, its probability)."""
from __future__ import annotations

import numpy as np


def alphabet(characters: list[str]) -> list[str]:
    """Class labels as the PP-OCR rec head emits them: blank first, the dictionary, then a space."""
    return ["<blank>", *characters, " "]


def ctc_decode(best: np.ndarray, prob: np.ndarray, labels: list[str],
               steps: np.ndarray | None = None) -> list[tuple[str, float]]:
    """best, prob: (N, T). steps: valid time steps per row (padding beyond is ignored).

    A label is emitted where it differs from the previous step and is not blank; a line's score is
    the mean probability of its emitted labels (0 when none), as PaddleOCR reports it.
    """
    n, t = best.shape
    keep = np.ones((n, t), dtype=bool)
    keep[:, 1:] = best[:, 1:] != best[:, :-1]
    keep &= best != 0
    if steps is not None:
        keep &= np.arange(t)[None, :] < steps[:, None]
    out: list[tuple[str, float]] = []
    for row in range(n):
        sel = keep[row]
        idx = best[row, sel]
        if len(idx) == 0:
            out.append(("", 0.0))
            continue
        out.append(("".join(labels[i] for i in idx), float(prob[row, sel].mean())))
    return out
