"""The five real seed reports through the real pipeline, scored by the shared scorer."""
import json

import pytest

from extraction.pipeline import extract
from tests.shared_data import GOLDEN, SEEDS, load_scorer

pytestmark = pytest.mark.skipif(not SEEDS.exists(), reason=f"shared seeds not found at {SEEDS}")


@pytest.mark.parametrize("seed", sorted(p.name for p in SEEDS.glob("*.txt")) if SEEDS.exists() else [])
def test_seed_scores_perfectly(seed):
    scorer = load_scorer()
    path = SEEDS / seed
    result = extract(path.read_bytes(), path.name)
    golden = json.loads((GOLDEN / (path.stem + ".json")).read_text())
    output = json.loads(result.model_dump_json())
    r = scorer.score_doc(golden, output, 0.9)
    assert r["wrong"] == [], r["wrong"][:5]
    assert r["silent"] == 0 and r["spurious"] == 0
    assert r["right"] == r["fields"]
    # the contract's own promises
    assert output["source"]["kind"] == "text" and len(output["source"]["sha256"]) == 64
    assert set(output["review"]) == {k for k, f in output["fields"].items() if f["confidence"] < 0.9}
    assert output["sections"]["overview"] and output["sections"]["problems"]


def test_spam_after_report_is_not_in_sections():
    path = SEEDS / "001_ba25dc56f264295d.txt"
    result = extract(path.read_bytes(), path.name)
    other = result.sections["other_matters"]
    assert "无其他需要报告的事项" in other
    assert "精品" not in other and "扫一扫" not in other
    # traditional characters and pinyin glosses are gone from what we return
    assert "(" not in result.fields["meta.agency"].value and "區" not in result.fields["meta.agency"].value
