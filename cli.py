#!/usr/bin/env python3
"""The command line from a checkout: ``python cli.py extract FILE``.

A shim: the commands live in :mod:`extractor.cli`, which the installed ``vnreform``
command and ``python -m extractor`` run too.
"""

import sys

from extractor.cli import main

if __name__ == "__main__":
    sys.exit(main())
