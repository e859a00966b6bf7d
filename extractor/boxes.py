"""Where a record stands on its PDF page: boxes from the characters' positions.

A PDF loader keeps, for every character of a page's raw text, the box PDFium gives it
(or, on a page read by OCR, the box of the Tesseract word it belongs to) in a
:class:`PageBoxes`. A record's span of normalized text maps back to raw characters
(:meth:`~extractor.normalize.NormalizedText.raw_span`); their boxes, grouped by line,
give the record's ``bbox``: ``[x0, top, x1, bottom]`` in PDF points, origin at the top
left of the page as it is displayed (its crop box, turned by its rotation).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .normalize import NormalizedText

__all__ = ["PageBoxes", "record_bbox"]

Box = list[float]

# A character whose left edge lies this far left of the previous character's starts a
# new line even when its height still overlaps the line (a wrap onto a tight next line).
_BACKWARDS = 1.0


@dataclass(frozen=True, eq=False)
class PageBoxes:
    """The boxes of a page's raw characters, four floats each.

    ``rects`` holds, per raw character, left, top, right, bottom in the page's own
    coordinates (PDF user space: y grows upwards), the layout of PDFium's FS_RECTF, as
    32-bit floats (16 bytes a character); a character without a box (a space PDFium
    made up, a line break) has right <= left. ``view`` is the page's visible box
    (left, bottom, right, top) and ``rotation`` its clockwise turn in degrees: together
    they say where a point lands on the page as displayed.
    """

    rects: array
    view: tuple[float, float, float, float]
    rotation: int = 0

    @classmethod
    def from_buffer(cls, buffer: bytes | bytearray | memoryview, view: Sequence[float], rotation: int = 0) -> PageBoxes:
        """Boxes from a buffer of FS_RECTF structs (four C floats each)."""
        rects = array("f")
        rects.frombytes(buffer)
        return cls(rects, _view(view), rotation % 360)

    @classmethod
    def from_words(cls, length: int, words: Iterable[tuple[int, int, Box]], size: tuple[float, float]) -> PageBoxes:
        """Boxes for a text of ``length`` characters read by OCR: every character of a
        word gets the word's box. ``words`` are (start, end, [x0, top, x1, bottom]) with
        the box in points from the top left of a page of ``size`` (width, height)."""
        width, height = size
        rects = array("f", bytes(16 * length))
        for start, end, (x0, top, x1, bottom) in words:
            # Stored as the page's own coordinates (y up) of an unrotated page.
            rects[4 * start : 4 * end] = array("f", [x0, height - top, x1, height - bottom] * (end - start))
        return cls(rects, (0.0, 0.0, width, height), 0)

    def __len__(self) -> int:
        return len(self.rects) // 4

    def converted(self, starts: Sequence[int]) -> PageBoxes:
        """The boxes of a text converted from this one (a legacy font's layer), where
        character ``j`` of the new text starts at old character ``starts[j]``."""
        rects = array("f", bytes(16 * len(starts)))
        bounds = [*starts, len(self)]
        for new, old in enumerate(starts):
            box = _union(self._own(i) for i in range(old, max(bounds[new + 1], old + 1)))
            if box is not None:
                rects[4 * new : 4 * new + 4] = array("f", box)
        return PageBoxes(rects, self.view, self.rotation)

    def _own(self, index: int) -> Box | None:
        """Character ``index``'s box in the page's own coordinates, None without one."""
        if index >= len(self):
            return None
        left, top, right, bottom = self.rects[4 * index : 4 * index + 4]
        return [left, top, right, bottom] if right > left else None

    def shown(self, box: Box) -> Box:
        """A box in the page's own coordinates as [x0, top, x1, bottom] on the page as
        displayed (origin top left, y down)."""
        left, bottom_view, right_view, top_view = self.view
        x_a, y_a = self._turn(box[0], box[1], left, bottom_view, right_view, top_view)
        x_b, y_b = self._turn(box[2], box[3], left, bottom_view, right_view, top_view)
        return [min(x_a, x_b), min(y_a, y_b), max(x_a, x_b), max(y_a, y_b)]

    def _turn(self, x: float, y: float, left: float, bottom: float, right: float, top: float) -> tuple[float, float]:
        if self.rotation == 90:  # the left edge is now on top
            return y - bottom, x - left
        if self.rotation == 180:
            return right - x, y - bottom
        if self.rotation == 270:  # the top edge is now on the left
            return top - y, right - x
        return x - left, top - y

    def line_boxes(self, raw: str, raw_start: int, raw_end: int) -> list[Box]:
        """The boxes of ``raw[raw_start:raw_end]``'s visible characters, one per line,
        as displayed and rounded to 0.1 pt."""
        lines: list[Box] = []
        current: Box | None = None
        previous_left = 0.0
        for index in range(raw_start, min(raw_end, len(self), len(raw))):
            if raw[index].isspace():
                continue
            box = self._own(index)
            if box is None:
                continue
            box = self.shown(box)
            if current is None or _starts_line(current, box, previous_left):
                current = list(box)
                lines.append(current)
            else:
                current[:] = [min(current[0], box[0]), min(current[1], box[1]), max(current[2], box[2]), max(current[3], box[3])]
            previous_left = box[0]
        return [[round(value, 1) for value in line] for line in lines]


def _view(view: Sequence[float]) -> tuple[float, float, float, float]:
    left, bottom, right, top = (float(value) for value in view)
    return left, bottom, right, top


def _starts_line(line: Box, box: Box, previous_left: float) -> bool:
    """Whether ``box`` (displayed coordinates) begins a new line after ``line``: its
    middle is outside the line's height, or it lies left of the previous character."""
    middle = (box[1] + box[3]) / 2
    return not line[1] <= middle <= line[3] or box[0] < previous_left - _BACKWARDS


def _union(boxes: Iterable[Box | None]) -> Box | None:
    found = [box for box in boxes if box is not None]
    if not found:
        return None
    return [min(b[0] for b in found), max(b[1] for b in found), max(b[2] for b in found), min(b[3] for b in found)]


def record_bbox(boxes: PageBoxes, normalized: NormalizedText, start: int, end: int) -> list[Box] | None:
    """The boxes, one per line, of ``normalized.text[start:end]``; None when none of its
    characters has a box."""
    raw_start, raw_end = normalized.raw_span(start, end)
    return boxes.line_boxes(normalized.raw, raw_start, raw_end) or None
