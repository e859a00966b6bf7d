"""Serialize extractions and write them without destroying anything a user has."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

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


def render(extractions: Sequence[Extraction], fmt: str, *, as_array: bool) -> str:
    """JSON text: one object, or an array of them (``as_array``), or JSON Lines."""
    if fmt == "jsonl":
        return "".join(json.dumps(e.to_jsonable(), ensure_ascii=False) + "\n" for e in extractions)
    data = [e.to_jsonable() for e in extractions]
    return json.dumps(data if as_array else data[0], ensure_ascii=False, indent=2) + "\n"


def check_writable(out: str, *, force: bool) -> None:
    """Refuse, before any work is done, to overwrite a file unless ``force`` is given."""
    path = Path(out)
    if path.is_dir():
        raise InputError(out, "is a directory; -o takes a file name")
    if path.exists() and not force:
        raise InputError(out, "already exists; use --force to overwrite it")
    if not path.parent.exists():
        raise InputError(out, f"folder {str(path.parent)!r} does not exist")


def write_atomically(out: str, text: str) -> None:
    """Write ``text`` to ``out`` through a temporary file, so a crash leaves no half file."""
    target = Path(out)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
