"""Serialize extractions and write them without destroying anything a user has."""

from __future__ import annotations

import io
import json
import os
import sys
import tempfile
import textwrap
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from .errors import InputError
from .records import Extraction

FORMATS = ("json", "jsonl")


def choose_format(requested: str | None, out: str | None) -> str:
    """The output format: as requested, else from the output file's suffix, else json.

    >>> choose_format(None, "dataset.jsonl"), choose_format(None, None), choose_format("jsonl", "x.json")
    ('jsonl', 'json', 'jsonl')
    """
    if requested:
        return requested
    return "jsonl" if out and out.lower().endswith(".jsonl") else "json"


class _Serializer:
    """JSON text written an extraction at a time to ``handle``: JSON Lines a line each, a
    JSON array an element each, or the one object."""

    def __init__(self, handle: TextIO, fmt: str, *, as_array: bool) -> None:
        self.handle, self.fmt, self.as_array, self.count = handle, fmt, as_array, 0

    def write(self, extraction: Extraction) -> None:
        data = extraction.to_jsonable()
        if self.fmt == "jsonl":
            self.handle.write(json.dumps(data, ensure_ascii=False) + "\n")
        elif self.as_array:  # the text json.dumps(list, indent=2) gives, an element at a time
            item = textwrap.indent(json.dumps(data, ensure_ascii=False, indent=2), "  ")
            self.handle.write(("[\n" if self.count == 0 else ",\n") + item)
        elif self.count == 0:
            self.handle.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        self.count += 1

    def finish(self) -> None:
        if self.fmt == "json" and self.as_array and self.count:
            self.handle.write("\n]\n")


def render(extractions: Sequence[Extraction], fmt: str, *, as_array: bool) -> str:
    """JSON text: one object, or an array of them (``as_array``), or JSON Lines."""
    buffer = io.StringIO()
    serializer = _Serializer(buffer, fmt, as_array=as_array)
    for extraction in extractions:
        serializer.write(extraction)
    serializer.finish()
    return buffer.getvalue()


def file_mode() -> int:
    """The mode ``open()`` gives a new file: 0o666 less the umask (0644 under the usual 022).

    The umask can only be read by setting it: it is set back at once (a thread creating a
    file in between would get 0o666; this tool creates no files from threads).
    """
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def open_temporary(target: Path, *, encoding: str = "utf-8", newline: str | None = None) -> tuple[TextIO, str]:
    """A text file beside ``target`` to be renamed onto it once complete (so that a crash
    never leaves half a file under the name), with the mode an ordinary new file would
    have: mkstemp's 0600 would hide from other users a file meant to be shared."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.fchmod(fd, file_mode())
    except BaseException:
        os.close(fd)
        Path(tmp).unlink(missing_ok=True)
        raise
    return os.fdopen(fd, "w", encoding=encoding, newline=newline), tmp


@contextmanager
def atomic_file(target: Path, *, encoding: str = "utf-8", newline: str | None = None) -> Iterator[TextIO]:
    """A text file that replaces ``target`` only once the block has written it completely."""
    handle, tmp = open_temporary(target, encoding=encoding, newline=newline)
    try:
        with handle:
            yield handle
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def error_line(path: str, error: str) -> str:
    """The JSON Lines line of an input that failed: its path and the reason, without the
    path that the one-line message starts with.

    >>> error_line("thieu.txt", "thieu.txt: no such file")
    '{"path": "thieu.txt", "error": "no such file"}\\n'
    """
    reason = error.removeprefix(f"{path}: ")
    return json.dumps({"path": path, "error": reason}, ensure_ascii=False) + "\n"


class Writer:
    """Extractions written as they come, so that memory holds one document, not all of
    them (the text :func:`render` gives for all). To a file through a temporary file
    (:func:`open_temporary`), renamed into place when :meth:`close` is called with something written; to stdout
    straight away.
    """

    def __init__(self, out: str | None, fmt: str, *, as_array: bool) -> None:
        self._target = Path(out) if out not in (None, "-") else None
        self._tmp: str | None = None
        handle: TextIO = sys.stdout
        if self._target is not None:
            handle, self._tmp = open_temporary(self._target)
        self._serializer = _Serializer(handle, fmt, as_array=as_array)

    @property
    def count(self) -> int:
        return self._serializer.count

    def write(self, extraction: Extraction) -> None:
        self._serializer.write(extraction)

    def write_error(self, path: str, error: str) -> None:
        """A failed input's line, in JSON Lines only: {"path": ..., "error": reason}."""
        if self._serializer.fmt == "jsonl":
            self._serializer.handle.write(error_line(path, error))

    def close(self, *, keep: bool = True) -> None:
        """Finish the output; a file is put in place only when ``keep`` and something was written."""
        self._serializer.finish()
        handle = self._serializer.handle
        if self._target is None:
            handle.flush()
            return
        handle.close()
        assert self._tmp is not None
        if keep and self.count:
            os.replace(self._tmp, self._target)
        else:
            Path(self._tmp).unlink(missing_ok=True)


def check_writable(out: str, *, force: bool) -> None:
    """Refuse, before any work is done, to overwrite a file unless ``force`` is given."""
    path = Path(out)
    if path.is_dir():
        raise InputError(out, "is a directory; -o takes a file name")
    if path.exists() and not force:
        raise InputError(out, "already exists; use --force to overwrite it")
    if not path.parent.exists():
        raise InputError(out, f"folder {str(path.parent)!r} does not exist")
