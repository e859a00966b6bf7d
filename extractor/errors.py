"""Errors a user can act on.

Every failure that comes from the input (a missing file, an unsupported format, bytes
that are not text) is an :class:`InputError`. Its ``str()`` is one line naming the file
and the reason, which is exactly what the command line prints.
"""

from __future__ import annotations


class ExtractorError(Exception):
    """Base class of the errors this package raises on purpose."""


class InputError(ExtractorError):
    """A document could not be read; ``path`` and ``reason`` say which and why."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class UnsupportedFormatError(InputError):
    """The content is a format this version cannot read (yet)."""

    def __init__(self, path: str, what: str) -> None:
        super().__init__(path, f"unsupported format: {what}")
        self.what = what
