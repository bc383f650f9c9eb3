"""Where the shared seeds, golden answers and scorer live (../shared beside the checkout)."""
from __future__ import annotations

import functools
import importlib.util
import os
from pathlib import Path

SHARED = Path(os.environ.get("GIA_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))
SEEDS = SHARED / "seeds"
GOLDEN = SHARED / "golden"


@functools.cache  # score.py is read and executed once per process, not once per caller
def load_scorer():
    spec = importlib.util.spec_from_file_location("gia_score", SHARED / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
