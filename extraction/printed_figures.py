"""What a figure's cell may print beyond its digits: the unit some offices set after every figure
(0件, 3 项, 1.5万元), and the mark that refers a figure to a note under its table (12*, 12※).
One list for the readers that must not take them for a label's characters (`readers.text`,
`readers.note_marks`) and for the token rules that read the figure (`tokens`)."""
from __future__ import annotations

# (an alternation for regular expressions; 人次 before 次, so that the longer one is taken)
UNITS = "万元|元|件|条|个|项|人次|次|%"
NOTE_MARKS = "*＊※†‡"
