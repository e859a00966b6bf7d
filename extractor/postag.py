"""Part-of-speech tags from underthesea's CRF model, with its features made in linear time.

underthesea's ``pos_tag`` builds each word's features with a function that copies the
whole sentence's columns again for every template of every word: 22 templates times the
sentence's length, for each word, so a sentence of a hundred words costs 220,000 steps
and tagging was most of a page's time. :func:`features` gives the very same features
(tests/test_postag.py compares them with underthesea's on every corpus sentence) in one
pass, and the same model tags them. The templates are the model's (underthesea
6.x, ``pipeline/pos_tag/model_crf.py``); :func:`check_templates` fails loudly if a
release changes them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

# The model's feature templates, as underthesea's CRFPOSTagPredictor declares them.
TEMPLATES = (
    "T[-2].lower", "T[-1].lower", "T[0].lower", "T[1].lower", "T[2].lower",
    "T[0].istitle", "T[-1].istitle", "T[1].istitle",
    "T[-2]", "T[-1]", "T[0]", "T[1]", "T[2]",
    "T[-2,-1]", "T[-1,0]", "T[0,1]", "T[1,2]",
    "T[-3][1]", "T[-2][1]", "T[-1][1]",
    "T[-3,-2][1]", "T[-2,-1][1]",
)
_PLACEHOLDER_TAG = "X"  # what the model's transformer puts in the tag column while tagging


def _istitle(word: str) -> bool:
    """underthesea's test: every space-separated part starts with a capital."""
    try:
        return all(part[0].istitle() for part in word.split(" ")) if word else False
    except IndexError:  # an empty part (two spaces): not a title, as underthesea says
        return False


def _parse(template: str) -> tuple[str, int, int | None, bool, str]:
    """ "T[-3,-2][1]" -> (template, -3, -2, True (the tag column), ""); "T[0].lower" -> (..., 0, None, False, "lower")."""
    spec, _, function = template.partition(".")
    first, _, second = spec[2 : spec.index("]")].partition(",")
    return template, int(first), int(second) if second else None, spec.count("[") == 2, function


_PARSED = tuple(_parse(t) for t in TEMPLATES)


def features(words: Sequence[str]) -> list[list[str]]:
    """Each word's features for the model, as underthesea makes them.

    One template at a time over the sentence, each word's lower-case form and title test
    made once: "BOS" and "EOS" where a template reaches past an end, as underthesea does.

    >>> features(["Hà Nội", "đạt"])[0][:3]
    ['T[-2].lower=BOS', 'T[-1].lower=BOS', 'T[0].lower=hà nội']
    """
    forms = {"": list(words), "lower": [w.lower() for w in words], "istitle": [str(_istitle(w)) for w in words]}
    columns = [_column(words, forms, parsed) for parsed in _PARSED]
    return [list(row) for row in zip(*columns)] if words else []


def _column(words: Sequence[str], forms: dict[str, list[str]], parsed: tuple[str, int, int | None, bool, str]) -> list[str]:
    """One template's feature for every word of the sentence."""
    template, a, b, tag_column, function = parsed
    n, prefix = len(words), template + "="
    if b is None:
        values = [_PLACEHOLDER_TAG] * n if tag_column else forms[function]
        return [prefix + ("BOS" if i + a < 0 else "EOS" if i + a >= n else values[i + a]) for i in range(n)]
    column = []
    for i in range(n):
        if i + a < 0:
            column.append(prefix + "BOS")
        elif i + a >= n or i + b >= n:
            column.append(prefix + "EOS")
        else:
            word = " ".join([_PLACEHOLDER_TAG] * (b - a + 1)) if tag_column else " ".join(words[i + a : i + b + 1])
            column.append(prefix + (word.lower() if function == "lower" else str(_istitle(word)) if function == "istitle" else word))
    return column


@cache
def _model() -> tuple[Callable[[str], list[str]], Any]:
    from underthesea import word_tokenize
    from underthesea.pipeline.pos_tag.model_crf import CRFPOSTagPredictor

    predictor = CRFPOSTagPredictor.Instance()
    check_templates(predictor.transformer.template)
    return word_tokenize, predictor.model


def check_templates(templates: Sequence[str]) -> None:
    if tuple(templates) != TEMPLATES:
        raise RuntimeError("underthesea's part-of-speech model uses other feature templates than extractor/postag.py knows")


def pos_tag(line: str) -> list[tuple[str, str]]:
    """underthesea's ``pos_tag(line)``: its words with their tags ("N", "M", "V"...)."""
    word_tokenize, model = _model()
    words = word_tokenize(line)
    if not words:
        return []
    return list(zip(words, model.tag(features(words))))
