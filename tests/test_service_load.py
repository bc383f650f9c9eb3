"""A small version of tests/load/load_service.py: the real server under uvicorn on 127.0.0.1,
concurrent extractions, every one answered 200, the server alive after, memory bounded."""
import pytest

from tests.load.load_service import SEEDS, run_load


@pytest.mark.skipif(not SEEDS.exists(), reason=f"shared seeds not found at {SEEDS}")
def test_small_load_all_answered():
    report = run_load(requests=30, concurrency=4, workers=1)
    assert report["status_codes"] == {200: 30}, report
    assert report["alive_after"]
    assert report["p95_ms"] < 10_000 and 0 < report["peak_rss_mb"] < 2_000, report
