"""Real documents written by others, read by path from ../shared (skipped without it)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from conftest import REPO


def test_text_of_the_real_press_release_is_printed_normalized(press_release: Path) -> None:
    result = subprocess.run(
        [sys.executable, "cli.py", "text", str(press_release)], cwd=REPO, capture_output=True, text=True, encoding="utf-8"
    )
    assert result.returncode == 0 and result.stderr == ""
    header, _, body = result.stdout.partition("\n")
    assert header == f"=== page 1/1 · {press_release} ==="
    raw = press_release.read_text(encoding="utf-8")
    # The release is clean NFC text with one paragraph per line: normalization keeps every
    # line apart and changes only the one tone mark written the other way ("hoá").
    assert len(re.findall(r"\bhoá\b", raw)) == 1 and not re.search(r"\bhoá\b", body)
    assert body == re.sub(r"\bhoá\b", "hóa", raw.strip()) + "\n"
    paragraphs = body.rstrip("\n").split("\n")
    assert len(paragraphs) == 18
    assert paragraphs[3] == "Hiện thực hóa mục tiêu"
    assert paragraphs[-1] == "Có thể bạn quan tâm"
    assert "Chỉ số cải cách hành chính Par-Index của tỉnh đạt 81,42 điểm tăng 4,42 điểm so với năm 2018" in body
