"""From the command line's INPUT arguments to the list of files a bulk run reads.

An INPUT is a file (always taken, whatever its name), a folder (walked recursively for
files whose name says they are documents, :data:`DOCUMENT_SUFFIXES`; hidden files and
folders are skipped) or a glob (``'reports/**/*.pdf'``, quoted so that the shell leaves
it alone; every file it matches is taken, every folder it matches is walked). Paths are
made absolute so that a run from another folder names the same files; symbolic links to
files are followed, links to folders are not (no loops).
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

# What a folder walk takes: the suffixes of the formats the loaders know (by content;
# the name only decides what a walk picks up). Name other files, or glob them, to add them.
DOCUMENT_SUFFIXES = frozenset({".pdf", ".txt", ".text", ".html", ".htm", ".xhtml", ".docx"})


@dataclass
class Inputs:
    """The files found, in a stable order, and the INPUT arguments that named nothing."""

    files: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def _walk(folder: str, exclude: set[str]) -> Iterator[str]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and os.path.join(root, d) not in exclude)
        for name in sorted(files):
            if not name.startswith(".") and os.path.splitext(name)[1].lower() in DOCUMENT_SUFFIXES:
                path = os.path.join(root, name)
                if os.path.isfile(path):
                    yield path


def find_documents(inputs: Sequence[str], *, exclude: Sequence[str | os.PathLike[str]] = ()) -> Inputs:
    """Files named by ``inputs``, each once, absolute; folders in ``exclude`` (the output
    folder) are never walked into.

    >>> import tempfile; folder = tempfile.mkdtemp()
    >>> for name in ("b.pdf", "a.txt", "notes.json", ".hidden.txt"):
    ...     _ = open(os.path.join(folder, name), "w").write("x")
    >>> found = find_documents([folder, os.path.join(folder, "*.json"), os.path.join(folder, "nothing-*")])
    >>> [os.path.basename(f) for f in found.files], [os.path.basename(m) for m in found.missing]
    (['a.txt', 'b.pdf', 'notes.json'], ['nothing-*'])
    """
    excluded = {os.path.abspath(e) for e in exclude}
    result = Inputs()
    seen: set[str] = set()

    def add(path: str) -> None:
        absolute = os.path.abspath(path)
        if any(absolute.startswith(e + os.sep) for e in excluded):
            return  # our own output, matched by a glob
        if absolute not in seen:
            seen.add(absolute)
            result.files.append(absolute)

    for argument in inputs:
        if os.path.exists(argument):
            matches = [argument]
        elif glob.has_magic(argument):
            matches = sorted(glob.glob(argument, recursive=True))
        else:
            matches = []
        if not matches:
            result.missing.append(argument)
        for match in matches:
            if os.path.isdir(match):
                if os.path.abspath(match) not in excluded:
                    for path in _walk(os.path.abspath(match), excluded):
                        add(path)
            else:
                add(match)
    return result


def largest_first(paths: Sequence[str]) -> list[str]:
    """Paths by decreasing size, so that a long document does not start last and leave
    the other workers idle at the end of a run."""
    def size(path: str) -> int:
        try:
            return Path(path).stat().st_size
        except OSError:
            return 0

    return sorted(paths, key=lambda p: (-size(p), p))
