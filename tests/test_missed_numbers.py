"""Numbers the text detector passed over (extraction/scan/missed_numbers.py): ink the size of the
page's characters, clear of every line found and level with one, is read on its own; only digits
read well are kept, at a score a rule must confirm."""
from __future__ import annotations

import cv2
import numpy as np

from extraction.readings import READ_CONFIDENCE
from extraction.scan.missed_numbers import SCORE, kept, missed_numbers


def _page_with_row() -> tuple[np.ndarray, dict[str, tuple[int, int, int, int]]]:
    """A white page with a table row of numbers in 22-px print, each number's ink box by name."""
    page = np.full((300, 900), 255, np.uint8)
    boxes = {}
    for name, x in (("12", 100), ("3", 300), ("45", 500), ("6", 700)):
        cv2.putText(page, name, (x, 150), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 0, 2)
        ys, xs = np.nonzero(page[:, x - 5:x + 60] < 140)
        boxes[name] = (x - 5 + int(xs.min()), int(ys.min()), x - 5 + int(xs.max()) + 1, int(ys.max()) + 1)
    return page, boxes


def _detected(box, grow: int = 4):
    x0, y0, x1, y1 = box
    return (x0 - grow, y0 - grow, x1 + grow, y1 + grow)


def test_a_number_the_detector_passed_over_is_found_and_nothing_else():
    page, ink = _page_with_row()
    lines = [_detected(ink[n]) for n in ("12", "45", "6")]  # "3" was passed over
    cv2.circle(page, (300, 40), 1, 0, -1)  # a speck
    cv2.putText(page, "7", (850, 280), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 0, 2)  # in a margin, no line level with it
    x1 = ink["6"][2]
    cv2.line(page, (x1 + 5, 135), (x1 + 5, 150), 0, 2)  # a stroke against a line found
    quads = missed_numbers(page, lines)
    assert len(quads) == 1
    (qx0, qy0), (qx1, qy1) = quads[0][0], quads[0][2]
    x0, y0, x1, y1 = ink["3"]
    assert qx0 < x0 and x1 < qx1 and qy0 < y0 and y1 < qy1
    assert qx1 - qx0 >= qy1 - qy0  # never so narrow that it would be read as vertical text


def test_the_digits_of_one_number_are_found_as_one():
    page, ink = _page_with_row()
    quads = missed_numbers(page, [_detected(ink["3"])])  # "12", "45" and "6" passed over
    spans = sorted((float(q[0][0]), float(q[2][0])) for q in quads)
    assert len(spans) == 3
    assert spans[0][0] < ink["12"][0] and ink["12"][2] < spans[0][1]


def test_nothing_is_looked_for_on_a_page_without_lines():
    page, _ = _page_with_row()
    assert missed_numbers(page, []) == []


def test_only_digits_read_well_are_kept_and_never_above_what_a_rule_must_confirm():
    assert kept("1", 0.999) == ("1", SCORE)
    assert kept(" 2 0 ", 0.95) == ("20", SCORE)
    assert kept("1", 0.8) is None
    assert kept("本", 1.0) is None
    assert kept("l", 1.0) is None  # a stroke read as a letter is not taken for a 1
    assert kept("", 1.0) is None
    assert READ_CONFIDENCE * SCORE < 0.9  # not accepted without a rule that holds over it
