"""What text shows on white paper: one measure for the readers that meet last year's figures left
in white beside this year's (`pdf_visibility`, `docx_unseen`, `html_unseen`)."""
from __future__ import annotations

# A colour this light (each channel, 0-255) cannot be seen on white paper.
WHITE_MIN = 240
# A fill this dark or darker (luminance 0-1) under white text lets it be seen.
DARK_MAX = 0.6


def luminance(red: float, green: float, blue: float) -> float:
    """Of a colour given in channels 0-1."""
    return 0.299 * red + 0.587 * green + 0.114 * blue


def white(rgb: tuple[int, int, int]) -> bool:
    """Whether a colour (channels 0-255) cannot be seen on white paper."""
    return min(rgb) >= WHITE_MIN


def dark(rgb: tuple[int, int, int]) -> bool:
    """Whether white text can be seen on a fill of this colour (channels 0-255)."""
    return luminance(*(c / 255 for c in rgb)) <= DARK_MAX
