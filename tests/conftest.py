"""Shared fixtures: paths to the repository, its corpus, and the optional ../shared folder."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"
QUICKSTART_SAMPLE = CORPUS / "dev" / "quang-tri-par-2023.txt"
# Documents written by others live beside the repository, never inside it: ../shared,
# or the folder VN_REFORM_SHARED names.
SHARED = Path(os.environ.get("VN_REFORM_SHARED") or REPO.parent / "shared")
SHARED_HINT = "set VN_REFORM_SHARED to the shared folder (default: ../shared beside the repository)"
CP1258_TONES = "\u0300\u0301\u0303\u0309\u0323"


@pytest.fixture
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent: real documents by others are not part of the repository; {SHARED_HINT}")
    return SHARED


@pytest.fixture
def press_release(shared: Path) -> Path:
    path = shared / "samples" / "dien-bien-par-2019.txt"
    if not path.is_file():
        pytest.skip(f"{path} is absent; {SHARED_HINT}")
    return path


def encode_cp1258(text: str) -> bytes:
    """Encode like a Windows-1258 editor does: letters with their own code, tones apart."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            marks = "".join(c for c in unicodedata.normalize("NFD", ch) if c in CP1258_TONES)
            base = unicodedata.normalize("NFC", "".join(c for c in unicodedata.normalize("NFD", ch) if c not in CP1258_TONES))
            out += base.encode("cp1258") + marks.encode("cp1258")
    return bytes(out)
