"""Extract administrative-reform metrics from Vietnamese reports, traceable to the text.

The public API is small:

- :func:`extract_file` and :func:`extract_text` give an :class:`Extraction`, the output
  contract (schema_version "2") as pydantic models;
- :func:`load` gives the :class:`Document` with its normalized pages;
- :class:`InputError` is what bad input raises, with a one-line reason.
"""

from __future__ import annotations

from .document import Document, Page
from .errors import ExtractorError, InputError, UnsupportedFormatError
from .loaders import load
from .normalize import NormalizedText, normalize
from .pipeline import extract_document, extract_file, extract_text
from .records import SCHEMA_VERSION, Extraction, Metric, Record

__version__ = "0.1.0"

__all__ = [
    "SCHEMA_VERSION",
    "Document",
    "Extraction",
    "ExtractorError",
    "InputError",
    "Metric",
    "NormalizedText",
    "Page",
    "Record",
    "UnsupportedFormatError",
    "__version__",
    "extract_document",
    "extract_file",
    "extract_text",
    "load",
    "normalize",
]
