"""From the command line's INPUT arguments to the list of files a bulk run reads.

An INPUT is a file (always taken, whatever its name), a folder (walked recursively for
files whose name says they are documents, :data:`DOCUMENT_SUFFIXES`; hidden files and
folders are skipped) or a glob (``'reports/**/*.pdf'``, quoted so that the shell leaves
it alone; every file it matches is taken, every folder it matches is walked). Paths are
made absolute so that a run from another folder names the same files; symbolic links to
files are followed, links to folders are not (no loops). Each file also gets a path
relative to its INPUT (:func:`relative_to_input`), and the files a folder walk leaves out
are counted by suffix, for the run to say what it skipped (:func:`skipped_lines`).

A walk also takes what has a document's name but is no regular file (a FIFO, a device):
:func:`hash_file` refuses it without reading a byte, and the run records it as failed,
rather than leave the user wondering why it is not in the dataset. Only regular files of
at most :data:`~extractor.limits.MAX_FILE_BYTES` are ever read (:func:`open_regular`):
a FIFO would block the reader for ever, ``/dev/zero`` never ends.

:meth:`Inputs.covers` says which paths a run speaks for (its scope): a path recorded by an
earlier run that lies in the scope but was not found now has gone, and leaves the dataset.
"""

from __future__ import annotations

import errno
import fnmatch
import glob
import hashlib
import itertools
import os
import stat
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .. import limits

# What a folder walk takes: the suffixes of the formats the loaders know (by content;
# the name only decides what a walk picks up). Name other files, or glob them, to add them.
DOCUMENT_SUFFIXES = frozenset({".pdf", ".txt", ".text", ".html", ".htm", ".xhtml", ".docx"})


def _glob_parts_match(parts: Sequence[str], pattern: Sequence[str]) -> bool:
    """Whether path components match glob components as ``glob(recursive=True)`` does:
    ``**`` any number of folders, ``*`` never a leading dot."""
    if not pattern:
        return not parts
    head, rest = pattern[0], pattern[1:]
    if head == "**":
        return any(_glob_parts_match(parts[i:], rest) for i in range(len(parts) + 1)
                   if not any(part.startswith(".") for part in parts[:i]))
    if not parts or (parts[0].startswith(".") and not head.startswith(".")):
        return False
    return fnmatch.fnmatchcase(parts[0], head) and _glob_parts_match(parts[1:], rest)


@dataclass
class Inputs:
    """The files found, in a stable order, and the INPUT arguments that named nothing;
    the folders walked and the globs expanded, which make the run's scope."""

    files: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    folders: list[str] = field(default_factory=list)  # absolute
    globs: list[str] = field(default_factory=list)    # absolute patterns
    excluded: list[str] = field(default_factory=list)  # absolute (the output folder)
    # Each file's path relative to the INPUT it was found through (see :func:`relative_to_input`).
    relative: dict[str, str] = field(default_factory=dict)
    # Files a folder walk left out because of their name, counted by suffix ("" for none).
    skipped: Counter[str] = field(default_factory=Counter)

    def covers(self, path: str) -> bool:
        """Whether ``path`` (absolute) is one this run would have taken had it existed:
        anything under a folder walked, or matched by a glob. A file named as such is
        found, or the run stops before it writes (its INPUT is missing).

        >>> inputs = Inputs(folders=["/in"], globs=["/r/**/*.pdf"])
        >>> [inputs.covers(p) for p in ("/in/a/b.txt", "/inx/b.txt", "/r/x/y.pdf", "/r/y.pdf", "/r/.h/y.pdf", "/r/y.txt")]
        [True, False, True, True, False, False]
        """
        if any(path.startswith(e + os.sep) for e in self.excluded):
            return False
        if any(path.startswith(folder.rstrip(os.sep) + os.sep) for folder in self.folders):
            return True
        parts = path.split(os.sep)
        return any(_glob_parts_match(parts, pattern.split(os.sep)) for pattern in self.globs)


def _walk(folder: str, exclude: set[str], skipped: Counter[str]) -> Iterator[str]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and os.path.join(root, d) not in exclude)
        for name in sorted(files):
            if name.startswith("."):
                continue  # .DS_Store, editors' swap files: nobody's documents, not worth a word
            if os.path.splitext(name)[1].lower() not in DOCUMENT_SUFFIXES:
                skipped[os.path.splitext(name)[1].lower()] += 1
                continue
            path = os.path.join(root, name)
            try:
                if not stat.S_ISDIR(os.stat(path).st_mode):  # a FIFO or a device too: refused, said
                    yield path
            except OSError:
                pass  # a dangling symbolic link: nothing to read or to report


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
    result = Inputs(excluded=sorted(excluded))
    seen: set[str] = set()

    def add(path: str, base: str | None) -> None:
        absolute = os.path.abspath(path)
        if any(absolute.startswith(e + os.sep) for e in excluded):
            return  # our own output, matched by a glob
        if absolute not in seen:
            seen.add(absolute)
            result.files.append(absolute)
            result.relative[absolute] = relative_to_input(absolute, base)

    for argument in inputs:
        if os.path.exists(argument):
            matches = [argument]
        elif glob.has_magic(argument):
            matches = sorted(glob.glob(argument, recursive=True))
            here = argument if os.path.isabs(argument) else os.path.join(glob.escape(os.getcwd()), argument)
            result.globs.append(os.path.normpath(here))
        else:
            matches = []
        if not matches:
            result.missing.append(argument)
        for match in matches:
            _take(match, argument, result, excluded, add)
    return result


def _take(match: str, argument: str, result: Inputs, excluded: set[str], add: Callable[[str, str | None], None]) -> None:
    """Add a file, or the documents of a folder, that ``argument`` names or matches."""
    base = _glob_base(argument) if glob.has_magic(argument) and not os.path.exists(argument) else None
    if os.path.isdir(match):
        folder = os.path.abspath(match)
        if folder not in excluded:
            result.folders.append(folder)
            for path in _walk(folder, excluded, result.skipped):
                add(path, base or folder)
    else:
        add(match, base)


def _glob_base(pattern: str) -> str:
    """The folder a glob starts from: its components before the first with a wildcard.

    >>> _glob_base("/r/2020/**/*.pdf"), _glob_base("/r/*.pdf")
    ('/r/2020', '/r')
    """
    parts = os.path.abspath(pattern).split(os.sep)
    fixed = list(itertools.takewhile(lambda part: not glob.has_magic(part), parts))
    return os.sep.join(fixed) or os.sep


def relative_to_input(path: str, base: str | None) -> str:
    """``path`` (absolute) as the dataset shows it beside the absolute one: relative to the
    folder it was found under (a folder INPUT, or a glob's folder before its first
    wildcard), so that it reads the same wherever the collection is moved; a file named
    as such is its own INPUT and keeps only its name.

    >>> relative_to_input("/in/2020/a.pdf", "/in"), relative_to_input("/x/b.txt", None)
    ('2020/a.pdf', 'b.txt')
    """
    if base is None:
        return os.path.basename(path)
    return os.path.relpath(path, base).replace(os.sep, "/")


def largest_first(paths: Sequence[str]) -> list[str]:
    """Paths by decreasing size, so that a long document does not start last and leave
    the other workers idle at the end of a run."""
    def size(path: str) -> int:
        try:
            return Path(path).stat().st_size
        except OSError:
            return 0

    return sorted(paths, key=lambda p: (-size(p), p))


# --- reading files safely ----------------------------------------------------------------

_KINDS = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"))
_OS_REASONS = {errno.ENOENT: "no such file", errno.EACCES: "permission denied", errno.EPERM: "permission denied",
               errno.ELOOP: "too many levels of symbolic links (a symbolic link loop?)"}


class Refused(Exception):
    """A file that is not read: ``reason`` says why, in the words the loaders use."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _limit_text(size: int) -> str:
    return f"{size // limits.MB} MB" if size >= limits.MB and size % limits.MB == 0 else limits.describe_bytes(size)


def _check(info: os.stat_result, limit: int) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise Refused("is a directory, not a file")
    if not stat.S_ISREG(info.st_mode):
        kind = next((label for test, label in _KINDS if test(info.st_mode)), "a special file")
        raise Refused(f"is not a regular file ({kind})")
    _check_size(info.st_size, limit)


def _check_size(size: int, limit: int) -> None:
    if size > limit:
        raise Refused(f"is {limits.describe_bytes(size)}, over the {_limit_text(limit)} limit for one file")


def open_regular(path: str, *, limit: int = limits.MAX_FILE_BYTES) -> int:
    """A file descriptor open for reading on ``path``, a regular file of at most ``limit``
    bytes; :class:`Refused` otherwise. Never blocks: the kind of file is known before it
    is opened, O_NONBLOCK covers a FIFO swapped in meanwhile, and the open file is checked
    again."""
    try:
        _check(os.stat(path), limit)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as error:
        raise Refused(_OS_REASONS.get(error.errno or 0) or f"cannot read: {error.strerror or error}") from None
    try:
        _check(os.fstat(fd), limit)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _chunks(fd: int, limit: int) -> Iterator[bytes]:
    """The file's bytes, a MB at a time; a file that grows past ``limit`` as it is read is refused."""
    total = 0
    while chunk := os.read(fd, 1 << 20):
        total += len(chunk)
        _check_size(total, limit)
        yield chunk


def hash_file(path: str, *, limit: int = limits.MAX_FILE_BYTES) -> tuple[str | None, str | None]:
    """(sha256, None) of a regular file within ``limit``, or (None, the reason it is not read).

    >>> hash_file("/dev/null")
    (None, 'is not a regular file (a character device)')
    """
    try:
        fd = open_regular(path, limit=limit)
        try:
            digest = hashlib.sha256()
            for chunk in _chunks(fd, limit):
                digest.update(chunk)
        finally:
            os.close(fd)
    except Refused as refused:
        return None, refused.reason
    except OSError as error:
        return None, f"cannot read: {error.strerror or error}"
    return digest.hexdigest(), None


def read_regular(path: str, *, limit: int = limits.MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file within ``limit``; :class:`Refused` or OSError otherwise."""
    fd = open_regular(path, limit=limit)
    try:
        return b"".join(_chunks(fd, limit))
    finally:
        os.close(fd)


# --- what a walk left out ------------------------------------------------------------------

# What to do about files a walk leaves out, by suffix: formats with a way in, and formats
# that are not read at all (said, so that nobody waits for their numbers).
_CONVERT = "convert to .docx: libreoffice --headless --convert-to docx FILE"
SKIPPED_HINTS = {
    ".doc": _CONVERT, ".rtf": _CONVERT, ".odt": _CONVERT,
    ".xls": "spreadsheets are not read", ".xlsx": "spreadsheets are not read", ".ods": "spreadsheets are not read",
    ".csv": "spreadsheets are not read",
    ".zip": "archives are not opened: unpack them first", ".rar": "archives are not opened: unpack them first",
    ".7z": "archives are not opened: unpack them first",
}


def skipped_lines(skipped: Counter[str]) -> list[str]:
    """The summary of files a walk left out: a line per suffix we can say something about,
    then one for the rest.

    >>> skipped_lines(Counter({".doc": 3, ".xlsx": 2, ".jpg": 1, "": 1}))
    ['.doc: 3 (convert to .docx: libreoffice --headless --convert-to docx FILE)', '.xlsx: 2 (spreadsheets are not read)', '2 other files']
    """
    lines = [f"{suffix}: {skipped[suffix]} ({SKIPPED_HINTS[suffix]})" for suffix in sorted(skipped) if suffix in SKIPPED_HINTS]
    others = sum(count for suffix, count in skipped.items() if suffix not in SKIPPED_HINTS)
    if others:
        lines.append(f"{others} other file{'s' * (others != 1)}")
    return lines
