"""Extractors the service tests plug in through GIA_EXTRACTOR: the real pipeline made slow (to
catch a job mid-way or a document over its time limit) and one with a bug (to see a 500)."""
from __future__ import annotations

import os
import time

from extraction.pipeline import extract as real_extract

SLOW_S = float(os.environ.get("GIA_TEST_SLOW_S", "0.4"))


def slow_extract(data: bytes, filename: str):
    time.sleep(SLOW_S)
    return real_extract(data, filename)


def stuck_extract(data: bytes, filename: str):
    time.sleep(3600)


def buggy_extract(data: bytes, filename: str):
    raise RuntimeError("a bug in the extractor")
