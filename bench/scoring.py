"""score.py's figures summed over a benchmark's documents."""
from __future__ import annotations

from collections import defaultdict


def score_rows(rows: list[dict], answers: dict[str, dict], threshold: float) -> dict:
    """rows: {"name", "fields": {key: {"value", "confidence"}}}; answers: name -> right values.
    silent_fields lists each accepted wrong field (document, key, gold, got, confidence)."""
    from tests.shared_data import load_scorer

    scorer = load_scorer()
    tot: dict[str, int] = defaultdict(int)
    silent: list[dict] = []
    for r in rows:
        s = scorer.score_doc({"fields": answers[r["name"]]}, {"fields": r["fields"]}, threshold)
        for k in ("fields", "right", "accepted", "accepted_right", "silent"):
            tot[k] += s[k]
        silent += [{"document": r["name"], **w} for w in s["wrong"] if w["confidence"] >= threshold]
    return {"accuracy": tot["right"] / tot["fields"] if tot["fields"] else 0.0,
            "precision": tot["accepted_right"] / tot["accepted"] if tot["accepted"] else 0.0,
            "coverage": tot["accepted"] / tot["fields"] if tot["fields"] else 0.0,
            "silent": tot["silent"], "fields": tot["fields"],
            # which fields: a silent error is the figure that must be explained, not only counted
            "silent_fields": silent}
