"""Views of a read Document that reader tests compare against the synthetic form."""
from extraction.model import Paragraph, Table


def _spans(table: Table) -> set[tuple[int, int, int, int, str]]:
    return {(c.row, c.col, c.rowspan, c.colspan, c.text) for c in table.cells}


def _tables(doc) -> list[Table]:
    return [b for b in doc.blocks if isinstance(b, Table)]


def _texts(doc) -> list[str]:
    return [b.text for b in doc.blocks if isinstance(b, Paragraph)]


def assert_read_from_pictures(answer: dict, result) -> None:
    """The tables of a page shown as pictures the page carries came back by OCR: nearly every field
    right, none wrong and accepted, and no picture left unfetched."""
    from tests.synth.form import wrong_fields

    output = result.model_dump(mode="json")
    wrong = wrong_fields(answer, output)
    assert len(wrong) <= 0.01 * len(answer), wrong[:5]
    assert not [k for k, _, _ in wrong if output["fields"].get(k, {}).get("confidence", 0) >= 0.9]
    assert any("were read by OCR" in w for w in result.warnings)
    assert not any("not fetched" in w for w in result.warnings)
