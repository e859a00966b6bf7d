"""Tell layout wraps from real line breaks with the geometry of a PDF page.

Text alone cannot tell whether a line that ends with ";" continues on the next line or
whether a heading stands apart. The page can: a line is wrapped when the next line's
first word would not have fitted in the space left on it, and a paragraph ends where
the vertical gap to the next line is larger than the usual line pitch. These
facts become hints for :func:`extractor.normalize.normalize`.
"""

from __future__ import annotations

import itertools
import statistics
from dataclasses import dataclass

from ..normalize import LineBreak

# A vertical step this many times the page's usual pitch separates paragraphs by a
# blank line; a smaller extra step still ends a paragraph.
_PARAGRAPH_GAP = 1.6
_SPACED_GAP = 1.15
# A space is about this share of the line height in the fonts official documents use.
_SPACE_SHARE = 0.25
# Line breakers wrap a little early (cell padding, a trailing space or comma counted
# with the word), and the widest line seen is short of the real margin: allow this
# many spaces more before saying the next word would have fitted.
_SLACK_SPACES = 2


@dataclass(frozen=True)
class LineBox:
    """One text line of a page: where its line break is, and where it sits (PDF points)."""

    break_at: int  # offset of the line break that ends this line in the page text
    left: float
    right: float
    bottom: float
    top: float
    first_word_width: float


def classify_breaks(lines: list[LineBox]) -> dict[int, LineBreak]:
    """Hints for the break after each line that has a successor on the same page.

    >>> body = [LineBox(10, 50, 500, 700, 712, 30), LineBox(20, 50, 200, 686, 698, 40),
    ...         LineBox(30, 50, 480, 672, 684, 35), LineBox(40, 50, 300, 640, 652, 20)]
    >>> classify_breaks(body)
    {10: 'wrap', 20: 'break', 30: 'paragraph'}
    """
    if len(lines) < 2:
        return {}
    pitches = [a.bottom - b.bottom for a, b in itertools.pairwise(lines) if a.bottom - b.bottom > 0]
    if not pitches:
        return {}
    # The tightest common pitch: where most paragraphs are one line long, the median
    # would be the pitch between paragraphs.
    usual_pitch = statistics.quantiles(pitches, n=4)[0] if len(pitches) >= 4 else min(pitches)
    left_margin = min(line.left for line in lines)
    # The body text's right edge: headers set in a right-hand column ("CỘNG HÒA XÃ HỘI
    # CHỦ NGHĨA VIỆT NAM") reach further and must not move it.
    body_rights = [line.right for line in lines if line.left - left_margin < line.top - line.bottom]
    right_margin = max(body_rights or [line.right for line in lines])

    hints: dict[int, LineBreak] = {}
    for a, b in itertools.pairwise(lines):
        pitch = a.bottom - b.bottom
        if pitch <= 0:  # the next line is beside or above: another column, no claim
            continue
        height = max(a.top - a.bottom, 1.0)
        if pitch > _PARAGRAPH_GAP * usual_pitch:
            hints[a.break_at] = "paragraph"
        elif pitch > _SPACED_GAP * usual_pitch:  # spacing after a paragraph, as Word adds
            hints[a.break_at] = "break"
        elif a.right + (1 + _SLACK_SPACES) * _SPACE_SHARE * height + b.first_word_width > right_margin:
            hints[a.break_at] = "wrap"
        elif abs(a.left - left_margin) < height and abs(b.left - left_margin) < height:
            hints[a.break_at] = "break"
    return hints
