#!/usr/bin/env python3
"""Command line: parse arguments, call the extractor, print. Logic lives in extractor/.

Exit codes: 0 all inputs read; 1 some inputs failed (the others are still written);
2 no input could be read, or the command line itself is wrong.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from extractor import SCHEMA_VERSION, ExtractorError, InputError, __version__, load
from extractor.csv_rows import CsvWriter
from extractor.deadline import time_limit
from extractor.limits import DOCUMENT_TIMEOUT_S, MAX_FILE_BYTES
from extractor.loaders import load_bytes
from extractor.loaders.pdf_tables import TABLE_MODES
from extractor.output import FORMATS, Writer, check_writable, choose_format
from extractor.paths import display_name
from extractor.pipeline import Outcome, extract_document, extract_files
from extractor.records import Extraction
from extractor.rulebook import PATTERNS_DIR

EXIT_OK, EXIT_SOME_FAILED, EXIT_NOTHING_READ = 0, 1, 2
EXTRACT_FORMATS = (*FORMATS, "csv")
STDIN = "<stdin>"  # what "-" is called in messages and in source.path


def _error(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)


def _extract_format(args: argparse.Namespace) -> str:
    if args.format is None and args.output and args.output.lower().endswith(".csv"):
        return "csv"
    return choose_format(args.format, args.output)


def _extract_args_problem(args: argparse.Namespace, fmt: str) -> str | None:
    """What is wrong with extract's command line, before any work is done."""
    if args.output not in (None, "-"):
        try:
            check_writable(args.output, force=args.force)
        except InputError as error:
            return str(error)
    if args.timeout <= 0:
        return "--timeout must be a positive number of seconds"
    if args.files.count("-") > 1:
        return "- (standard input) can be read only once"
    if args.records and fmt != "csv":
        return "--records goes with --format csv (JSON output has the records already)"
    return None


def _stdin_outcome(args: argparse.Namespace) -> Outcome:
    """Standard input read as a file is: its format found from its content."""
    try:
        with time_limit(args.timeout, STDIN):
            data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)  # one byte over: load_bytes names the limit
            document = load_bytes(data, STDIN, tables=args.tables)
            extraction = extract_document(document, include_text=args.include_text, patterns=Path(args.patterns))
    except InputError as error:
        return Outcome(STDIN, error=str(error))
    except (ExtractorError, KeyboardInterrupt, MemoryError):
        raise  # not about this input: as extract_files does
    except Exception as error:  # a bug of ours: one line, as for a file
        detail = " ".join(str(error).split()) or "no message"
        return Outcome(STDIN, error=f"{STDIN}: internal error ({type(error).__name__}: {detail}); please report it")
    return Outcome(STDIN, extraction=extraction)


def _outcomes(args: argparse.Namespace) -> Iterator[Outcome]:
    """An outcome per input, in argument order; "-" is standard input."""
    for path in args.files:
        if path == "-":
            yield _stdin_outcome(args)
        else:
            yield from extract_files([path], include_text=args.include_text, patterns=Path(args.patterns),
                                     tables=args.tables, timeout=args.timeout)


def cmd_extract(args: argparse.Namespace) -> int:
    fmt = _extract_format(args)
    problem = _extract_args_problem(args, fmt)
    if problem:
        _error(problem)
        return EXIT_NOTHING_READ
    failed = 0
    writer: Writer | CsvWriter = (
        CsvWriter(args.output, records=args.records) if fmt == "csv" else Writer(args.output, fmt, as_array=len(args.files) > 1)
    )
    try:
        for outcome in _outcomes(args):
            if outcome.error:
                failed += 1
                _error(outcome.error)
                if isinstance(writer, Writer):  # in JSON Lines every input has its line: a failed one says why
                    writer.write_error(display_name(outcome.path), outcome.error)
                continue
            assert outcome.extraction is not None  # no error: an extraction
            writer.write(outcome.extraction)  # written as it comes: memory holds one document
            if not args.quiet:
                for warning in outcome.extraction.warnings:
                    print(f"warning: {display_name(outcome.path)}: {warning}", file=sys.stderr)
    except BaseException:
        writer.close(keep=False)
        raise
    writer.close()
    if not writer.count:
        return EXIT_NOTHING_READ
    return EXIT_SOME_FAILED if failed else EXIT_OK


def cmd_text(args: argparse.Namespace) -> int:
    try:
        document = load(args.file)
    except InputError as error:
        _error(str(error))
        return EXIT_NOTHING_READ
    if args.page is not None:
        if not 1 <= args.page <= len(document.pages):
            _error(f"{display_name(args.file)}: no page {args.page} (the document has {len(document.pages)})")
            return EXIT_NOTHING_READ
        sys.stdout.write(document.pages[args.page - 1].text)
        return EXIT_OK
    total = len(document.pages)
    for page in document.pages:
        sys.stdout.write(f"=== page {page.number}/{total} · {document.path} ===\n{page.text}\n")
    return EXIT_OK


def cmd_eval(args: argparse.Namespace) -> int:
    from extractor.evaluate import evaluate  # only this command reads gold: extract need not import it

    report = evaluate([Path(p) for p in args.paths], patterns=Path(args.patterns))
    if args.format == "json":
        sys.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(report.table(show_errors=args.show_errors))
    return EXIT_OK if report.documents else EXIT_NOTHING_READ


def cmd_schema(args: argparse.Namespace) -> int:
    schema = Extraction.json_schema()
    sys.stdout.write(json.dumps(schema, ensure_ascii=False, indent=2) + "\n")
    return EXIT_OK


def cmd_bulk(args: argparse.Namespace) -> int:
    from extractor import bulk  # imported here: extract's start-up does not pay for it

    if args.workers is not None and args.workers < 1:
        _error("--workers must be at least 1")
        return EXIT_NOTHING_READ
    if args.timeout is not None and args.timeout <= 0:
        _error("--timeout must be a positive number of seconds")
        return EXIT_NOTHING_READ
    try:
        summary = bulk.run_bulk(
            args.inputs, args.out, workers=args.workers, timeout=args.timeout or bulk.DEFAULT_TIMEOUT_S,
            retry_failed=args.retry_failed, force=args.force, quiet=args.quiet, scheduler=args.scheduler,
        )
    except bulk.DatasetError as error:
        _error(str(error))
        return EXIT_NOTHING_READ
    for missing in summary.missing:
        _error(f"{missing}: no such file or folder (or a pattern that matches nothing)")
    if summary.missing:
        return summary.exit_code
    if not summary.files:
        _error(f"no documents found in {' '.join(args.inputs)} (folders are searched for {bulk.SUFFIXES_TEXT})")
        return summary.exit_code
    print(bulk.describe(summary), file=sys.stderr)
    return summary.exit_code


def cmd_export(args: argparse.Namespace) -> int:
    from extractor import bulk

    try:
        counts = bulk.export(args.dir)
    except bulk.DatasetError as error:
        _error(str(error))
        return EXIT_NOTHING_READ
    units = {"review": "pages", "index.html": "merged metrics"}
    for name, rows in counts.items():
        print(f"{Path(args.dir) / name}: {rows} {units.get(name, 'rows')}", file=sys.stderr)
    return EXIT_OK


def cmd_review(args: argparse.Namespace) -> int:
    from extractor.review import write_reviews  # only review renders HTML and page images

    if args.timeout <= 0:
        _error("--timeout must be a positive number of seconds")
        return EXIT_NOTHING_READ
    try:
        outcomes = write_reviews(args.files, args.output, force=args.force, page_images=not args.no_images, timeout=args.timeout)
    except InputError as error:
        _error(str(error))
        return EXIT_NOTHING_READ
    written = failed = 0
    for outcome in outcomes:
        if outcome.error:
            failed += 1
            _error(outcome.error)
        else:
            written += 1
            print(display_name(str(outcome.written)), flush=True)
    if not written:
        return EXIT_NOTHING_READ
    return EXIT_SOME_FAILED if failed else EXIT_OK


# Each command's --help ends with examples, as a user would type them.
EPILOGS = {
    "main": """Examples:
  vnreform extract report.pdf                    one document's records and metrics as JSON
  vnreform extract --format csv *.pdf -o m.csv   every document's metrics as one spreadsheet
  vnreform bulk reports/ --out dataset/          a resumable dataset of a whole folder
  vnreform COMMAND --help                        a command's options and examples

The same commands run as `python -m extractor` and, in a checkout, `python cli.py`.""",
    "extract": """Examples:
  vnreform extract bao-cao.pdf                       one object: source, records, metrics, warnings
  vnreform extract a.pdf b.docx c.html               a JSON array, in argument order
  vnreform extract --format jsonl *.pdf -o out.jsonl a line per input; a failed one is
                                                     {"path": ..., "error": ...}
  vnreform extract --format csv *.pdf -o metrics.csv the metrics of all of them, a row each
  vnreform extract --format csv --records a.pdf      the records instead, a row each
  curl -s https://example.org/tin.html | vnreform extract -
                                                     standard input, its format read from its content

CSV is UTF-8 with a byte order mark (Excel shows Vietnamese letters; pandas reads it as is).
Exit codes: 0 every input read; 1 some failed (the others are still written); 2 none could be
read, or the command line is wrong.""",
    "text": """Examples:
  vnreform text bao-cao.pdf            every page, each under a === page N/M === line
  vnreform text --page 3 bao-cao.pdf   page 3 exactly: record offsets (start, end) index into it

Check a record: the page's text from start to end is its surface, e.g. in Python
  text[365:371] == "85,12%".""",
    "eval": """Examples:
  vnreform eval corpus/dev                      precision and recall per kind, on the dev corpus
  vnreform eval corpus/dev --show-errors        with each miss and false hit in its sentence
  vnreform eval ../shared/reference --format json
                                                GOLD-SPEC gold, as JSON""",
    "schema": """Examples:
  vnreform schema > output.schema.json
  vnreform schema | jq '.["$defs"].Metric.properties.rank.description'

The schema is JSON Schema draft 2020-12; its $id names the output's schema_version.""",
    "bulk": """Examples:
  vnreform bulk reports/ --out dataset/                 every PDF, HTML, DOCX and text file below reports/
  vnreform bulk 'reports/**/*.pdf' --out dataset/       a quoted glob: PDFs only
  vnreform bulk reports/ --out dataset/ --retry-failed  again, the files that failed before
  datasette dataset/dataset.sqlite                      browse the dataset as it is""",
    "review": """Examples:
  vnreform review bao-cao.pdf                   review/bao-cao.html: metrics, highlighted text, page images
  vnreform review *.pdf -o trang/ --no-images   a smaller page per document, without page images""",
    "export": """Examples:
  vnreform export dataset/     the JSONL and CSV files, index.html and review/ written again from dataset.sqlite""",
}


def _command(commands: argparse._SubParsersAction, name: str, **kwargs: Any) -> argparse.ArgumentParser:
    if "description" in kwargs:  # the raw formatter keeps the examples' layout: wrap the prose here
        kwargs["description"] = textwrap.fill(kwargs["description"], width=80)
    parser: argparse.ArgumentParser = commands.add_parser(
        name, epilog=EPILOGS[name], formatter_class=argparse.RawDescriptionHelpFormatter, **kwargs
    )
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vnreform",
        description="Extract administrative-reform metrics from Vietnamese reports into JSON.",
        epilog=EPILOGS["main"], formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__} (output schema_version {SCHEMA_VERSION})"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    extract = _command(commands, "extract", help="extract records from documents into JSON or CSV")
    extract.add_argument(
        "files", nargs="+", metavar="FILE", help="documents to read: PDF, HTML, DOCX or text; - reads standard input"
    )
    extract.add_argument("-o", "--output", metavar="OUT", help="write to OUT instead of standard output")
    extract.add_argument(
        "--format", choices=EXTRACT_FORMATS, help="json: one object, an array for several files; jsonl: one object per "
        "line; csv: a row per metric of every document (default: from OUT's suffix .jsonl or .csv, else json)",
    )
    extract.add_argument("--records", action="store_true", help="with --format csv: a row per record instead of per metric")
    extract.add_argument("--include-text", action="store_true", help="add pages: [{number, text}] to each object")
    extract.add_argument("--force", action="store_true", help="overwrite OUT if it exists")
    extract.add_argument("-q", "--quiet", action="store_true", help="do not echo document warnings on stderr")
    extract.add_argument(
        "--patterns", metavar="DIR", default=str(PATTERNS_DIR),
        help="folder of pattern files to use (default: the rules shipped in extractor/patterns/)"
    )
    extract.add_argument(
        "--tables", choices=TABLE_MODES, default="auto",
        help="how PDF tables are read: auto (every ruled page, from PDFium's drawing: fast), "
        "pdfplumber (the same pages read by pdfplumber itself: slow, to cross-check), or off",
    )
    extract.add_argument(
        "--timeout", type=float, metavar="SECONDS", default=DOCUMENT_TIMEOUT_S,
        help=f"time limit per file; a file over it fails with that reason and the others go on (default: {DOCUMENT_TIMEOUT_S:g})",
    )
    extract.set_defaults(run=cmd_extract)

    text = _command(commands, "text", help="print the normalized text that record offsets index into")
    text.add_argument("file", metavar="FILE")
    text.add_argument("--page", type=int, metavar="N", help="print only page N, exactly, with no header")
    text.set_defaults(run=cmd_text)

    evaluation = _command(commands, "eval", help="precision and recall against gold annotations")
    evaluation.add_argument(
        "paths", nargs="+", metavar="PATH",
        help="folders of gold files, gold files, documents with gold beside them, "
        "or a folder with gold/*.json in the GOLD-SPEC format (../shared/reference)",
    )
    evaluation.add_argument("--show-errors", action="store_true", help="list misses and false hits with their sentence")
    evaluation.add_argument("--format", choices=("text", "json"), default="text", help="text table (default) or JSON")
    evaluation.add_argument("--patterns", metavar="DIR", default=str(PATTERNS_DIR), help="folder of pattern files to use")
    evaluation.set_defaults(run=cmd_eval)

    schema = _command(commands, "schema", help="print the JSON Schema of extract's output")
    schema.set_defaults(run=cmd_schema)

    bulk = _command(
        commands, "bulk", help="extract from many documents into a dataset (SQLite, JSONL, CSV, an HTML overview); resumable",
        description="Walk folders and globs, extract every document in parallel worker processes, and write "
        "DIR/dataset.sqlite (the source of truth) and JSONL/CSV exports, DIR/index.html (an overview) and DIR/review/ (a page per "
        "document) beside it. Running it again skips "
        "documents already done by this extractor version, so an interrupted run resumes. Exit codes: 0 every "
        "file was read; 1 some failed (their rows say why); 2 nothing could be read, or an input does not exist; "
        "130 interrupted.",
    )
    bulk.add_argument("inputs", nargs="+", metavar="INPUT", help="files, folders (searched recursively) or quoted globs ('docs/**/*.pdf')")
    bulk.add_argument("--out", required=True, metavar="DIR", help="folder of the dataset (created if needed)")
    bulk.add_argument("--workers", type=int, metavar="N", help="worker processes (default: all cores)")
    bulk.add_argument("--timeout", type=float, metavar="SECONDS", help="time limit per file; a file over it is recorded as failed (default: 300)")
    bulk.add_argument("--retry-failed", action="store_true", help="process again the documents that failed in an earlier run")
    bulk.add_argument("--scheduler", metavar="ADDRESS",
                      help="run on a Dask cluster: a scheduler address (tcp://host:8786), or 'local' for --workers "
                           "processes on this machine (needs pip install '.[cluster]'); files are read by path on the workers")
    bulk.add_argument("--force", action="store_true", help="process every document again, even those already done")
    bulk.add_argument("-q", "--quiet", action="store_true", help="no line per document when stderr is not a terminal (failures are still shown)")
    bulk.set_defaults(run=cmd_bulk)

    review = _command(
        commands, "review", help="write an HTML review page per document: metrics, highlighted text, PDF pages with boxes",
        description="Write OUT/<file stem>.html for each document: a self-contained page (no network, no script) with the "
        "metrics table, every page's text with each record highlighted and linked, and for a PDF each page's image "
        "with the records' boxes. Exit codes as for extract.",
    )
    review.add_argument("files", nargs="+", metavar="FILE", help="documents to read: PDF, HTML, DOCX or text")
    review.add_argument("-o", "--output", metavar="OUT", default="review", help="folder for the pages (default: review/, created if needed)")
    review.add_argument("--force", action="store_true", help="overwrite review pages that exist")
    review.add_argument("--no-images", action="store_true", help="leave out the PDF page images (a much smaller file)")
    review.add_argument(
        "--timeout", type=float, metavar="SECONDS", default=DOCUMENT_TIMEOUT_S,
        help=f"time limit per file for the extraction (default: {DOCUMENT_TIMEOUT_S:g})",
    )
    review.set_defaults(run=cmd_review)

    export = _command(commands, "export", help="write the JSONL and CSV exports, index.html and review/ of a bulk dataset again")
    export.add_argument("dir", metavar="DIR", help="folder holding dataset.sqlite")
    export.set_defaults(run=cmd_export)
    return parser


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")  # Vietnamese output even under a C locale
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except BrokenPipeError:  # piped into head: stop quietly, and keep exit-time flushes quiet
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except ExtractorError as error:  # not about one input: a broken pattern file, say
        _error(str(error))
        return EXIT_NOTHING_READ


if __name__ == "__main__":
    sys.exit(main())
