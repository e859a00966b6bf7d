#!/usr/bin/env python3
"""Write dev texts in the legacy byte-font encodings TCVN3 and VNI, with their gold.

    python corpus/build_legacy.py            # write <name>.tcvn3.txt, <name>.vni.txt and their gold
    python corpus/build_legacy.py --check    # only check that the committed files are what this writes

Each document in DOCUMENTS is encoded with extractor.legacy.encode_legacy, as a
".VnTime" (TCVN3) or "VNI-Times" (VNI) word processor would have saved it: TCVN3
capitals with a tone mark get the small letter's byte, as typed in a ".VnTimeH" font.
The tool must read the file back to exactly the normalized text of the Unicode original,
which is checked, so the original's gold records apply as they are; the derived gold
differs only in "document" and "note". The documents were picked because they read
back exactly: TCVN3 cannot say the case of a toned capital in the middle of a sentence
("của Ủy ban" comes back "của ủy ban"), which rules out some texts. Only files this
script made are overwritten.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from extractor import load  # noqa: E402
from extractor.legacy import encode_legacy  # noqa: E402
from extractor.loaders import load_bytes  # noqa: E402

ENCODINGS = ("tcvn3", "vni")
# Texts of corpus/dev without tables: two press releases, a conference report, and an
# official letter with a two-column letterhead in capitals (TCVN3's hard case).
DOCUMENTS = (
    "quang-tri-par-2023",
    "pci-2024-toan-quoc",
    "phu-tho-sau-hop-nhat-cchc",
    "ha-tinh-cong-van-2231-snv",
)
NOTE = ("derived by corpus/build_legacy.py from {name}.txt.gold.json: the same text in the legacy {encoding} "
        "encoding, which reads back as the same normalized text; do not edit")


def build(source: Path, encoding: str, *, check: bool) -> str:
    """Write (or check) one legacy file and its gold; returns a line saying what happened."""
    name = source.name.removesuffix(".txt")
    out = source.with_name(f"{name}.{encoding}.txt")
    gold_out = Path(f"{out}.gold.json")
    data = encode_legacy(source.read_text(encoding="utf-8"), encoding)
    if load_bytes(data, str(out)).pages[0].text != load(source).pages[0].text:
        return f"{'error' if check else 'skipped'}: {out} (does not read back as the text of {source.name})"
    gold = json.loads(Path(f"{source}.gold.json").read_text(encoding="utf-8"))
    derived = {**gold, "document": out.name, "note": NOTE.format(name=name, encoding=encoding.upper())}
    if check:
        if not out.is_file() or out.read_bytes() != data:
            return f"error: {out}: differs from what build_legacy.py writes"
        committed = json.loads(gold_out.read_text(encoding="utf-8")) if gold_out.is_file() else None
        return f"ok: {out}" if committed == derived else f"error: {gold_out}: differs from what build_legacy.py derives"
    if gold_out.exists() and "derived by corpus/build_legacy.py" not in gold_out.read_text(encoding="utf-8"):
        return f"error: {gold_out}: exists and was not made by this script; not overwritten"
    out.write_bytes(data)
    gold_out.write_text(json.dumps(derived, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return f"wrote: {out}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="check the committed files and gold; write nothing")
    args = parser.parse_args(argv)
    status = 0
    for name in DOCUMENTS:
        for encoding in ENCODINGS:
            line = build(REPO / "corpus" / "dev" / f"{name}.txt", encoding, check=args.check)
            print(line)
            status |= line.startswith("error")
    return status


if __name__ == "__main__":
    sys.exit(main())
