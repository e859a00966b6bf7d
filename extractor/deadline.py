"""A time limit on one document, for the commands that run in one process.

Bulk runs each document in a worker it can kill; ``extract`` runs in the caller's
process, so the limit is an interval timer whose signal raises in the code that is
running. Python code is interrupted at once; a long call into C (PDFium on one page) at
its return. Where no timer can be set (Windows, a thread other than the main one) the
document runs without a limit.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from .errors import InputError


class DocumentTimeout(InputError):
    """A document took longer than its time limit."""


@contextmanager
def time_limit(seconds: float | None, name: str) -> Iterator[None]:
    """Raise :class:`DocumentTimeout` for ``name`` if the block runs past ``seconds``.

    >>> with time_limit(5, "a.txt"):
    ...     sum(range(10))
    45
    """
    usable = seconds is not None and seconds > 0 and hasattr(signal, "setitimer") \
        and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return
    assert seconds is not None

    def expire(signum: int, frame: FrameType | None) -> None:
        raise DocumentTimeout(name, f"took longer than {seconds:g} s, the time limit for one document (--timeout)")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
