"""scan.unread_ink: the marks the size of a character on a page that no word read accounts for."""
from __future__ import annotations

import cv2
import numpy as np

from extraction.scan.unread_ink import unread_ink


def _page() -> np.ndarray:
    """A grey page (paper at 230) with three lines of 20-px print, each inside a word's box, the
    first running across the page to x 488."""
    page = np.full((400, 600), 230, np.uint8)
    cv2.putText(page, "1234567890123456789", (60, 40), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 20, 2)
    cv2.putText(page, "1234", (60, 100), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 20, 2)
    cv2.putText(page, "5678", (60, 200), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 20, 2)
    return page


_WORDS = [("1234567890123456789", 0.99, (55.0, 20.0, 490.0, 46.0)),
          ("1234", 0.99, (55.0, 80.0, 130.0, 106.0)), ("5678", 0.99, (55.0, 180.0, 130.0, 206.0))]


def test_print_inside_the_words_read_leaves_nothing_unread():
    assert unread_ink(_page(), _WORDS) == []


def test_a_number_no_word_holds_is_unread_ink():
    page = _page()
    cv2.putText(page, "0", (400, 200), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 20, 2)
    [(x0, y0, x1, y1)] = unread_ink(page, _WORDS)
    assert 395 <= x0 < x1 <= 425 and 175 <= y0 < y1 <= 205


def test_a_word_that_reads_as_no_character_accounts_for_nothing():
    """A "0" read as "。" is a word, but not one that says what the ink is."""
    page = _page()
    cv2.putText(page, "0", (400, 200), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 20, 2)
    assert len(unread_ink(page, _WORDS + [("。", 0.9, (395.0, 180.0, 420.0, 206.0))])) == 1
    assert unread_ink(page, _WORDS + [("0", 0.9, (395.0, 180.0, 420.0, 206.0))]) == []


def test_faint_grey_print_counts_and_the_paper_s_edge_and_grain_do_not():
    page = _page()
    page[:, :3] = 40  # a scanner's dark edge
    page[300:302, 300:302] = 60  # grain, far smaller than a character
    assert unread_ink(page, _WORDS) == []
    cv2.putText(page, "7", (400, 300), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 160, 2)  # 70 under the paper
    assert len(unread_ink(page, _WORDS)) == 1


def test_a_full_stop_on_a_line_of_its_own_is_no_number():
    """A paragraph's last 。 wrapped onto a line alone (no word holds it) stands under half the
    print's height: not a digit a row may have lost."""
    page = _page()
    cv2.circle(page, (300, 300), 3, 20, 2)  # 10 px across, under half of the print (21 px)
    assert unread_ink(page, _WORDS) == []


def test_marks_beside_everything_read_are_the_margins_not_print():
    """Right of the rightmost word and left of the leftmost (the background around a photographed
    page, a neighbouring page's edge) nothing of the report's is printed; under the last line, in
    the text's width, a date or a number may be."""
    page = _page()
    cv2.putText(page, "0", (540, 200), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 20, 2)  # right of x 490
    cv2.putText(page, "0", (12, 300), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 20, 2)  # left of x 55
    assert unread_ink(page, _WORDS) == []
    cv2.putText(page, "0", (300, 300), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 20, 2)
    [(x0, y0, x1, y1)] = unread_ink(page, _WORDS)
    assert 295 <= x0 < x1 <= 325 and 275 <= y0 < y1 <= 305


def test_the_grey_between_white_padding_and_an_erased_edge_is_no_ink():
    """A straightened close-up: paper at 213, the sheet's edge erased to white (255) and, past a grey
    piece of the table under it (193), the white a straightened photo is padded with. The grey is 62
    under the white around it, but only 20 under the page's paper: no ink. A digit printed on the
    paper is."""
    page = _page()
    page[page == 230] = 213
    page[300:, :] = 255  # the erased edge and the padding
    page[305:317, 200:240] = 193
    assert unread_ink(page, _WORDS) == []
    cv2.putText(page, "0", (300, 260), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 20, 2)
    assert len(unread_ink(page, _WORDS)) == 1
