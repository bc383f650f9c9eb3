"""What a batch worker does with one document, the same in a local process and in a Ray actor:
load the extractor once, warm its engines, and turn bytes into an Outcome that never raises."""
from __future__ import annotations

import importlib
import pkgutil
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

DEFAULT_EXTRACTOR = "extraction.pipeline:extract"
EACH_REPORT_EXTRACTOR = "extraction.pipeline:extract_reports"
_WARM_UP_SAMPLE = Path(__file__).resolve().parents[1] / "extraction" / "examples" / "baoding_kjj_2022.txt"

Extractor = Callable[..., Any]


@dataclass
class Outcome:
    status: str  # ok | failed
    result: Optional[dict[str, Any]] = None
    code: Optional[str] = None
    reason: Optional[str] = None
    elapsed_ms: float = 0.0


def expired_slots(slots, timeout: float, elapsed_ms) -> list[tuple[int, Any, Outcome]]:
    """Slots (local processes or Ray actors) whose document has run past the time limit, each with
    the failure to record; the caller kills and replaces the worker."""
    now = time.monotonic()
    return [(i, s.task, Outcome("failed", code="timeout", reason=f"no result after {timeout:g} s; the worker was killed",
                                elapsed_ms=elapsed_ms(s)))
            for i, s in enumerate(slots) if s.task is not None and now - s.started > timeout]


def load_extractor(ref: str = DEFAULT_EXTRACTOR) -> Extractor:
    """`module:function`; the batch runs the pipeline by default, a test may name a stand-in."""
    module_name, _, attr = ref.partition(":")
    return getattr(importlib.import_module(module_name), attr or "extract")


def warm_up(ref: str, extract: Extractor) -> None:
    """Load the engines before the first timed document, once per worker: the pipeline's own
    warm-up when it offers one, else one extraction of the bundled example report and an import
    of every reader (the PDF reader alone takes seconds to import, which would otherwise land on
    the first PDF of each worker, and on its timeout)."""
    module = importlib.import_module(ref.partition(":")[0])
    hook = getattr(module, "warm_up", None)
    if callable(hook):
        hook()
        return
    if _WARM_UP_SAMPLE.exists():
        try:
            extract(_WARM_UP_SAMPLE.read_bytes(), _WARM_UP_SAMPLE.name)
        except Exception:  # a warm-up that fails must not stop the worker; documents will tell
            pass
    try:
        import extraction.readers as readers
    except ImportError:
        return
    for info in pkgutil.iter_modules(readers.__path__):
        try:
            importlib.import_module(f"{readers.__name__}.{info.name}")
        except Exception:  # an optional reader whose dependency is absent
            continue


def extractor_version() -> str:
    from extraction import __version__

    return __version__


def extract_one(extract: Extractor, data: bytes, filename: str) -> Outcome:
    from extraction.errors import ExtractionError

    t0 = time.perf_counter()
    try:
        result = extract(data, filename)
        if isinstance(result, list):  # every report of a volume (extract_reports)
            return Outcome("ok", {"reports": [_as_doc(r) for r in result]}, elapsed_ms=_ms(t0))
        return Outcome("ok", _as_doc(result), elapsed_ms=_ms(t0))
    except ExtractionError as e:
        return Outcome("failed", code=e.code, reason=e.reason, elapsed_ms=_ms(t0))
    except MemoryError:
        return Outcome("failed", code="internal_error", reason="out of memory", elapsed_ms=_ms(t0))
    except Exception as e:
        where = traceback.extract_tb(e.__traceback__)[-1]
        reason = f"{type(e).__name__}: {e} (at {Path(where.filename).name}:{where.lineno})"
        return Outcome("failed", code="internal_error", reason=reason, elapsed_ms=_ms(t0))


def _as_doc(result) -> dict:
    doc = result.model_dump(mode="json") if hasattr(result, "model_dump") else dict(result)
    if not doc.get("extractor_version"):
        doc["extractor_version"] = extractor_version()
    return doc


def reports_of(result: dict) -> list[dict]:
    """The results an outcome holds: a volume's reports (extract_reports), else the one."""
    return result["reports"] if "reports" in result else [result]


def _ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000, 1)
