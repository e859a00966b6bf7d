"""``python -m extractor ...``: the same command line as ``vnreform`` and ``cli.py``."""

import sys

from .cli import main

sys.exit(main())
