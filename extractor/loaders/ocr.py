"""OCR of PDF pages without a usable text layer, with Tesseract's Vietnamese model.

Tesseract is run as a program (``tesseract``, Debian's tesseract-ocr and
tesseract-ocr-vie), no Python binding: each page is rendered by pypdfium2 (grayscale,
:data:`DPI`), the rules of its tables are painted white (:func:`erase_rules`), and one
Tesseract process per core reads one page each. A page is worth OCR when its text layer
is empty but something is drawn on it (a scanned image, or letters drawn as outlines),
or when it is a scan whose text layer is garbage: the layer some scanners add is often
the output of an OCR that did not know Vietnamese ("CQNG HOA XA HQI", "DQc l$p - Tg do -
tlSnh phric"), which :func:`is_unusable_text_layer` tells from Vietnamese by its words.

``VN_REFORM_OCR=off`` in the environment turns OCR off (pages are then read as their
text layer says, and the loader warns about the ones it could not read).
"""

from __future__ import annotations

import functools
import io
import os
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from concurrent.futures import ALL_COMPLETED, FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import regex

__all__ = [
    "DPI",
    "INSTALL_HINT",
    "OcrError",
    "OcrPage",
    "TextLayerStats",
    "erase_rules",
    "is_unusable_text_layer",
    "ocr_image",
    "ocr_page",
    "ocr_pages",
    "ocr_unavailable_reason",
    "one_tesseract",
    "page_has_content",
    "page_is_scanned",
    "read_image",
    "render_page",
    "tesseract_available",
    "text_layer_stats",
]

TESSERACT = "tesseract"
LANGUAGE = "vie"
# 250 dpi: on the real scans (200 dpi images) 200, 250 and 300 dpi all read the document
# symbols; 250 misread the fewest dates and symbols, and takes 15 % less time than 300.
DPI = 250
# --psm 4 (one column of lines of any size): the automatic segmentation (--psm 3) reads
# nothing at all on some ruled table pages; on prose both read the same.
# preserve_interword_spaces keeps the gaps between table columns as runs of spaces,
# which the plain-text table reader needs.
# Tesseract dies with the thread that started it, even when its worker is killed with
# SIGKILL and nothing is left to stop it: util-linux's setpriv sets the death signal, then
# runs Tesseract in its place (preexec_fn would be unsafe beside the OCR threads).
_DIE_WITH_WORKER = ["setpriv", "--pdeathsig", "KILL", "--"] if sys.platform.startswith("linux") and shutil.which("setpriv") else []
TESSERACT_OPTIONS = ("--psm", "4", "-c", "preserve_interword_spaces=1")
TIMEOUT = 120  # seconds for one page
INSTALL_HINT = "apt-get install tesseract-ocr tesseract-ocr-vie"
_OFF = {"0", "off", "no", "false"}


class OcrError(Exception):
    """Tesseract failed on one page or ran out of time; the message says how."""


# A word's span in the page text and its box: [x0, top, x1, bottom] in points from the
# top left of the page.
Word = tuple[int, int, list[float]]


@dataclass(frozen=True)
class OcrPage:
    """What Tesseract read on one page: its text, and where each word of it stands on a
    page of ``size`` (width, height in points)."""

    text: str
    words: list[Word] = field(default_factory=list)
    size: tuple[float, float] = (0.0, 0.0)


@functools.cache
def tesseract_available() -> bool:
    """Whether the ``tesseract`` program and its Vietnamese model are installed."""
    if shutil.which(TESSERACT) is None:
        return False
    try:
        result = subprocess.run([TESSERACT, "--list-langs"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return result.returncode == 0 and LANGUAGE in (result.stdout + result.stderr).split()


def ocr_unavailable_reason() -> str | None:
    """None when pages can be OCR'd; otherwise why not, in the words of a warning."""
    if os.environ.get("VN_REFORM_OCR", "").strip().lower() in _OFF:
        return f"OCR is turned off (VN_REFORM_OCR={os.environ['VN_REFORM_OCR']})"
    if not tesseract_available():
        return f"OCR is not available: Tesseract with its Vietnamese model is not installed ({INSTALL_HINT})"
    return None


def render_page(page: Any, dpi: int = DPI) -> Any:
    """A pypdfium2 page as a grayscale PIL image at ``dpi``."""
    return page.render(scale=dpi / 72, grayscale=True).to_pil()


def ocr_image(image: Any, *, dpi: int = DPI, timeout: float | None = None) -> str:
    """The text Tesseract reads in a PIL image rendered at ``dpi``, in Vietnamese.

    Tesseract gets ``timeout`` seconds (:data:`TIMEOUT` unless given) and is stopped
    then. Raises :class:`OcrError`.
    """
    return read_image(image, dpi=dpi, timeout=timeout).text


def read_image(image: Any, *, dpi: int = DPI, timeout: float | None = None, size: tuple[float, float] | None = None) -> OcrPage:
    """The text Tesseract reads in a PIL image rendered at ``dpi``, with its words' boxes
    in points (``size``: the page's, else the image's at ``dpi``), from one Tesseract run
    that writes both its plain text and its table of words (TSV).

    Tesseract gets ``timeout`` seconds (:data:`TIMEOUT` unless given). Raises :class:`OcrError`.
    """
    timeout = TIMEOUT if timeout is None else timeout
    png = io.BytesIO()
    image.save(png, format="PNG")
    # One thread per page: pages run side by side (:func:`ocr_pages`), and Tesseract's
    # OpenMP threads make a page slower, not faster (p10: 5 to 7 s a page with them,
    # under 2 s without).
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    with tempfile.TemporaryDirectory(prefix="vn-reform-ocr-") as folder:
        base = Path(folder) / "page"
        # The plain text is the same as Tesseract writes to stdout alone; the TSV comes
        # from the same recognition, so the words are those of the text.
        command = [*_DIE_WITH_WORKER, TESSERACT, "stdin", str(base), "-l", LANGUAGE, "--dpi", str(dpi), *TESSERACT_OPTIONS, "txt", "tsv"]
        _run(command, png.getvalue(), timeout, env)
        try:
            raw_text = base.with_suffix(".txt").read_bytes().decode("utf-8", "replace")
            table = base.with_suffix(".tsv").read_bytes().decode("utf-8", "replace")
        except OSError as error:
            raise OcrError(f"Tesseract wrote no output ({error.strerror or error})") from None
    # Tesseract ends each page with a form feed.
    text = _fix_misreadings(raw_text.replace("\f", ""))
    scale = 72 / dpi
    return OcrPage(text, _place_words(text, table, scale), size or (image.width * scale, image.height * scale))


def _run(command: list[str], data: bytes, timeout: float, env: dict[str, str]) -> None:
    try:
        result = subprocess.run(command, input=data, capture_output=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        raise OcrError(f"Tesseract ran out of time ({timeout:g} s)") from None
    except OSError as error:
        raise OcrError(f"Tesseract could not be run ({error.strerror or error})") from None
    if result.returncode != 0:
        message = " ".join(result.stderr.decode("utf-8", "replace").split())[-200:]
        raise OcrError(f"Tesseract failed ({message or f'exit status {result.returncode}'})")


_TSV_COLUMNS = 12
_WORD_LEVEL = "5"


def _place_words(text: str, table: str, scale: float) -> list[Word]:
    """Tesseract's words (TSV rows of level 5, in reading order) found in ``text`` one
    after the other, each with its box scaled from pixels to points. A word that is not
    next in the text (nothing but spaces between) is left without a box.

    >>> table = "level\\tpage_num\\tblock_num\\tpar_num\\tline_num\\tword_num\\tleft\\ttop\\twidth\\theight\\tconf\\ttext\\n" \\
    ...     "5\\t1\\t1\\t1\\t1\\t1\\t100\\t50\\t40\\t20\\t96\\tQÐ\\n5\\t1\\t1\\t1\\t1\\t2\\t150\\t50\\t30\\t20\\t95\\t12\\n"
    >>> _place_words("QĐ  12\\n", table, 0.5)
    [(0, 2, [50.0, 25.0, 70.0, 35.0]), (4, 6, [75.0, 25.0, 90.0, 35.0])]
    """
    words: list[Word] = []
    position = 0
    for row in table.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) != _TSV_COLUMNS or cells[0] != _WORD_LEVEL or not cells[11].strip():
            continue
        word = _fix_misreadings(cells[11].strip())
        found = text.find(word, position)
        if found < 0 or text[position:found].strip():
            continue
        left, top, width, height = (int(cell) * scale for cell in cells[6:10])
        words.append((found, found + len(word), [left, top, left + width, top + height]))
        position = found + len(word)
    return words


# The Vietnamese model reads Đ now and then as the Icelandic Ð, or as both ("QĐÐ-BNV");
# Ð and ð are no Vietnamese letters.
_ETH = regex.compile("[ĐÐ]Ð|Ð[Đ]?|ð")


def _fix_misreadings(text: str) -> str:
    """Tesseract's text with its misreadings of Đ undone.

    >>> _fix_misreadings("Quyết định số 876/QĐÐ-BNV, 222/QÐ-BTP, ðồng")
    'Quyết định số 876/QĐ-BNV, 222/QĐ-BTP, đồng'
    """
    return _ETH.sub(lambda m: "đ" if m.group() == "ð" else "Đ", text)


def erase_rules(image: Any, dpi: int = DPI) -> Any:
    """The image with the ruling of tables (long straight dark lines) painted white.

    Tesseract misreads the letters that touch a table's rules ("Quảng Ninh" in a ruled
    cell came out as "jmảnMm"); without the rules it reads the cells as columns of
    text. A stroke counts as a rule when it runs straight for a third of an inch, far
    longer than any stroke of a letter in a document's text. Needs numpy (installed
    with spaCy); without it the image is returned as it is.
    """
    try:
        import numpy as np
    except ImportError:
        return image
    from PIL import Image

    pixels = np.asarray(image.convert("L"))
    dark = pixels < 160
    length = max(dpi // 3, 2)

    def along_rows(mask: Any) -> Any:
        """Pixels that lie in a run of ``length`` dark pixels along their row."""
        width = mask.shape[1]
        sums = np.zeros((mask.shape[0], width + 1), dtype=np.int32)
        np.cumsum(mask, axis=1, out=sums[:, 1:])
        starts = (sums[:, length:] - sums[:, :-length]) == length  # run [j, j + length) is dark
        covered = np.zeros((mask.shape[0], width + 1), dtype=np.int32)
        np.cumsum(np.pad(starts, ((0, 0), (0, length - 1))), axis=1, out=covered[:, 1:])
        # pixel j is in a dark run that starts in (j - length, j]
        return (covered[:, 1:] - np.pad(covered[:, 1:], ((0, 0), (length, 0)))[:, :width]) > 0

    rules = along_rows(dark) | along_rows(dark.T).T
    if not rules.any():
        return image
    cleaned = pixels.copy()
    cleaned[rules] = 255
    return Image.fromarray(cleaned)


def _read_page_image(image: Any, size: tuple[float, float]) -> OcrPage:
    return read_image(erase_rules(image), size=size)


# How many Tesseracts one call of :func:`ocr_pages` may run side by side; None: one per core.
# A cluster worker sets 1 (:func:`one_tesseract`): its processes already fill the cores.
_THREADS: ContextVar[int | None] = ContextVar("ocr_threads", default=None)


@contextmanager
def one_tesseract() -> Iterator[None]:
    """Within this block, :func:`ocr_pages` runs one Tesseract at a time."""
    token = _THREADS.set(1)
    try:
        yield
    finally:
        _THREADS.reset(token)


def _workers() -> int:
    limit = _THREADS.get()
    if limit is not None:
        return limit
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _render(document: Any, number: int) -> tuple[Any, tuple[float, float]] | OcrError:
    """Page ``number``'s image and its size in points (as rendered: the crop box, turned
    by the rotation), or why it could not be rendered."""
    page = document[number - 1]
    try:
        return render_page(page), page.get_size()
    except Exception as error:  # PDFium's errors, or no memory for the bitmap
        return OcrError(f"the page could not be rendered ({' '.join(str(error).split())})")
    finally:
        page.close()


def _outcome(read: Callable[[], OcrPage]) -> OcrPage | OcrError:
    """What ``read`` gives (a pool's future's ``result``, or the reading itself), its error as a value."""
    try:
        return read()
    except OcrError as error:
        return error
    except Exception as error:  # Pillow or numpy on a strange bitmap: that page only
        return OcrError(f"the page image could not be prepared ({' '.join(str(error).split())})")


def ocr_page(document: Any, number: int) -> OcrPage | OcrError:
    """One page (numbered from 1) of a pypdfium2 document, read in this thread: what
    :func:`ocr_pages` gives for it, with no thread pool (a cluster's page task)."""
    rendered = _render(document, number)
    if isinstance(rendered, OcrError):
        return rendered
    image, size = rendered
    return _outcome(lambda: _read_page_image(image, size))


def ocr_pages(document: Any, numbers: list[int]) -> dict[int, OcrPage | OcrError]:
    """OCR the given pages (numbered from 1) of a pypdfium2 document, one page per core.

    Pages are rendered here, one at a time (PDFium is not thread-safe), and read by
    Tesseract processes side by side; a few rendered pages wait at most, so memory
    stays bounded on a long scan. A page that fails gives its :class:`OcrError`.
    """
    results: dict[int, OcrPage | OcrError] = {}
    if not numbers:
        return results
    workers = min(len(numbers), _workers())

    def collect(futures: dict[Future[OcrPage], int], until: Any) -> None:
        done, _ = wait(futures, return_when=until)
        for future in done:
            results[futures.pop(future)] = _outcome(future.result)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures: dict[Future[OcrPage], int] = {}
        for number in numbers:
            rendered = _render(document, number)
            if isinstance(rendered, OcrError):
                results[number] = rendered
                continue
            futures[pool.submit(_read_page_image, *rendered)] = number
            if len(futures) >= 2 * workers:
                collect(futures, FIRST_COMPLETED)
        if futures:
            collect(futures, ALL_COMPLETED)
    return {number: results[number] for number in sorted(results)}


def page_has_content(page: Any) -> bool:
    """Whether anything is drawn on a pypdfium2 page (a blank page is not worth OCR)."""
    return next(iter(page.get_objects(max_depth=1)), None) is not None


def page_is_scanned(page: Any, cover: float = 0.5) -> bool:
    """Whether an image covers at least ``cover`` of a pypdfium2 page: a scan.

    Only such a page can carry the text layer of a bad OCR; a born-digital page whose
    words are no Vietnamese (an English form) is kept as it is.
    """
    from pypdfium2 import raw

    width, height = page.get_size()
    area = width * height
    for image in page.get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE]):
        left, bottom, right, top = image.get_bounds()
        if area and (right - left) * (top - bottom) >= cover * area:
            return True
    return False


# --- is a text layer Vietnamese? --------------------------------------------------------

_TONES = dict.fromkeys(map(ord, "\u0300\u0301\u0303\u0309\u0323"))
_ONSET = "(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?"
# Vowel groups, longest first; a final consonant may follow only the first group.
_CLOSABLE = "uyê|iê|yê|uô|ươ|oa|oă|oe|oo|uâ|uê|uơ|uy|[aăâeêioôơuưy]"
_OPEN = (
    "iêu|yêu|oai|oao|oay|oeo|uây|uôi|ươi|ươu|uya|uyu|"
    "ai|ao|au|ay|âu|ây|eo|êu|ia|iu|oi|ôi|ơi|ua|ui|ưa|ưi|ưu"
)
_SYLLABLE = regex.compile(rf"{_ONSET}(?:(?:{_CLOSABLE})(?:ch|ng|nh|[cmnpt])?|{_OPEN})")
_TOKEN = regex.compile(r"\S+")
_EDGE_PUNCTUATION = "\"'“”‘’«»()[]{}<>.,;:!?…*-–—_/\\|•·"
_COMPOUND = regex.compile(r"[-/._]")  # symbols, dates, abbreviations: 18/2022/QĐ-TTg, TP.HCM
_ASCII_LETTER = regex.compile(r"[a-zA-Z]")


def _is_syllable(word: str) -> bool:
    bare = unicodedata.normalize("NFC", unicodedata.normalize("NFD", word.lower()).translate(_TONES))
    return _SYLLABLE.fullmatch(bare) is not None


@dataclass(frozen=True)
class TextLayerStats:
    """What the words of a text layer look like.

    ``syllables`` are words spelled as Vietnamese syllables (lower case, capitalized or
    all capitals), ``marked`` those of them with a letter outside ASCII (a diacritic or
    đ), ``junk`` words that no Vietnamese text has: letters mixed with digits or signs
    ("ph6p", "l$p"), capitals inside a word ("dQng"), or letters that make no syllable
    ("ngdy", "tlSnh"). Numbers, symbols with "/", "-" or ".", and capitals that make no
    syllable (abbreviations: UBND, HĐND) count as neither.
    """

    syllables: int
    marked: int
    junk: int

    @property
    def words(self) -> int:
        return self.syllables + self.junk

    @property
    def junk_share(self) -> float:
        return self.junk / self.words if self.words else 0.0

    @property
    def marked_share(self) -> float:
        return self.marked / self.syllables if self.syllables else 0.0


def text_layer_stats(text: str) -> TextLayerStats:
    """Count the words of ``text`` as :class:`TextLayerStats` says."""
    syllables = marked = junk = 0
    for match in _TOKEN.finditer(unicodedata.normalize("NFC", text)):
        word = match.group().strip(_EDGE_PUNCTUATION)
        if not word or not any(ch.isalpha() for ch in word) or _COMPOUND.search(word):
            continue
        if not all(ch.isalpha() for ch in word):
            junk += 1  # letters with digits or signs
        elif _is_syllable(word) and (word.islower() or word.isupper() or word[1:].islower()):
            syllables += 1
            marked += _ASCII_LETTER.sub("", word) != ""
        elif word.isupper():
            continue  # an abbreviation
        else:
            junk += 1
    return TextLayerStats(syllables, marked, junk)


# Below MIN_WORDS words there is too little to judge, and a short layer is kept.
MIN_WORDS = 20
MAX_JUNK_SHARE = 0.5
MIN_MARKED_SHARE = 0.3


def is_unusable_text_layer(text: str) -> bool:
    """Whether a page's text layer is too garbled to read: OCR it instead.

    Vietnamese is written in syllables, and most of them carry a diacritic; the output
    of an OCR that did not know the language has words that are no syllable ("ngdy",
    "nghiQp", "ph6p") and few diacritics ("CQNG HOA XA HQI").

    >>> is_unusable_text_layer("CQNG HOA XA HQI CHU NGHIA VIPT NAM DQc l$p - Tg do - tlSnh phric " * 3)
    True
    >>> is_unusable_text_layer("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc " * 3)
    False
    """
    stats = text_layer_stats(text)
    if stats.words < MIN_WORDS:
        return False
    return stats.junk_share > MAX_JUNK_SHARE or stats.marked_share < MIN_MARKED_SHARE
