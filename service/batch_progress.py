"""How a running batch shows its progress: a bar with rate and ETA on a terminal, and plain log
lines every few seconds when the output goes to a file or a CI log (a bar there is noise)."""
from __future__ import annotations

import sys
import time
from typing import Optional, TextIO


class Progress:
    def __init__(self, total: int, mode: str = "auto", stream: Optional[TextIO] = None, interval: float = 10.0):
        self.total = total
        self.done = 0
        self.failed = 0
        self.stream = stream or sys.stderr
        self.interval = interval
        self._t0 = time.monotonic()
        self._last_log = self._t0
        if mode == "auto":
            mode = "bar" if getattr(self.stream, "isatty", lambda: False)() else "log"
        self.mode = mode
        self._bar = None
        if mode == "bar" and total:
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit="doc", file=self.stream, dynamic_ncols=True, smoothing=0.1,
                             desc="extracting")

    def advance(self, status: str) -> None:
        self.done += 1
        self.failed += status == "failed"
        if self._bar is not None:
            self._bar.update(1)
            if self.failed:
                self._bar.set_postfix(failed=self.failed, refresh=False)
        elif self.mode == "log":
            now = time.monotonic()
            if now - self._last_log >= self.interval or self.done == self.total:
                self._last_log = now
                self._log(now)

    def line(self, now: Optional[float] = None) -> str:
        elapsed = (now or time.monotonic()) - self._t0
        rate = self.done / elapsed if elapsed > 0 else 0.0
        eta = (self.total - self.done) / rate if rate > 0 else None
        return (f"batch: {self.done}/{self.total} documents ({self.failed} failed), "
                f"{rate * 60:.1f} docs/min, elapsed {_clock(elapsed)}, ETA {_clock(eta) if eta is not None else '?'}")

    def _log(self, now: float) -> None:
        print(self.line(now), file=self.stream, flush=True)

    def note(self, message: str) -> None:
        if self.mode == "off":
            return
        if self._bar is not None:
            self._bar.write(message, file=self.stream)
        else:
            print(message, file=self.stream, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def _clock(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"
