"""score.py's figures summed over a benchmark's documents."""
from __future__ import annotations

from collections import defaultdict


def score_rows(rows: list[dict], answers: dict[str, dict], threshold: float) -> dict:
    """rows: {"name", "fields": {key: {"value", "confidence"}}}; answers: name -> right values."""
    from tests.shared_data import load_scorer

    scorer = load_scorer()
    tot: dict[str, int] = defaultdict(int)
    for r in rows:
        s = scorer.score_doc({"fields": answers[r["name"]]}, {"fields": r["fields"]}, threshold)
        for k in ("fields", "right", "accepted", "accepted_right", "silent"):
            tot[k] += s[k]
    return {"accuracy": tot["right"] / tot["fields"] if tot["fields"] else 0.0,
            "precision": tot["accepted_right"] / tot["accepted"] if tot["accepted"] else 0.0,
            "coverage": tot["accepted"] / tot["fields"] if tot["fields"] else 0.0,
            "silent": tot["silent"], "fields": tot["fields"]}
