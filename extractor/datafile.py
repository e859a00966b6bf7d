"""Reading the YAML data files (rules, cues, gazetteers) with libyaml when PyYAML has it.

PyYAML's pure-Python parser takes about a quarter of a second for our forty files, a
large part of every start; its C binding (in PyYAML's wheels) reads the same data
about ten times as fast. Both give the same Python objects for the safe subset.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

# The data ship inside the package (package data in the wheel), so that an installed
# copy finds them next to its code, wherever it is installed and whatever the cwd.
PATTERNS_DIR = Path(__file__).resolve().parent / "patterns"
GAZETTEERS_DIR = PATTERNS_DIR / "gazetteers"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> Any:
    """The data in a YAML file (UTF-8); yaml.YAMLError when it is not valid YAML.

    >>> import tempfile, os
    >>> with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False, encoding="utf-8") as f:
    ...     _ = f.write("tỉnh: [Hà Nội, Huế]")
    >>> read_yaml(Path(f.name)); os.unlink(f.name)
    {'tỉnh': ['Hà Nội', 'Huế']}
    """
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
