"""Property tests on extract_text over generated Vietnamese-like text (issue 18).

The inputs come from tests/fuzz_inputs.py (bench/fuzz.py runs the same generators on
100,000 inputs). Hypothesis draws every random choice, so a failure shrinks to a short
document; runs are derandomized and keep no database, so CI sees the same examples each
time. Together a few hundred examples, a few seconds each test.
"""

from __future__ import annotations

import random
import re
import time
import unicodedata

import pytest
from fuzz_inputs import FAMILIES, HOSTILE_MUTATIONS, MUTATIONS, SCHEMA, SEPARATORS, check, document, fragment, schema_errors
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from extractor.errors import InputError
from extractor.pipeline import extract_text


def fuzz_settings(examples: int) -> settings:
    return settings(
        max_examples=examples, deadline=None, derandomize=True, database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
    )


def documents(*, hostile: bool = False, fragments: int = 12) -> st.SearchStrategy[str]:
    """Fragments of every family, each mutated, joined by separators; shrinks by dropping fragments."""
    mutations = tuple(MUTATIONS) + (tuple(HOSTILE_MUTATIONS) if hostile else ())
    piece = st.tuples(st.sampled_from(tuple(FAMILIES)), st.sampled_from(mutations), st.randoms(use_true_random=False),
                      st.sampled_from(SEPARATORS))
    return st.lists(piece, min_size=1, max_size=fragments).map(
        lambda pieces: "".join(fragment(rng, family, mutation) + sep for family, mutation, rng, sep in pieces)
    )


def problems_of(text: str) -> list[tuple[str, str]]:
    return check(text).problems


@fuzz_settings(120)
@given(documents())
def test_every_record_and_metric_points_at_its_text(text: str) -> None:
    """page_text[start:end] == surface for records and inferences; metric spans inside the page."""
    assert [p for p in problems_of(text) if p[0] in ("offsets", "evidence", "refused")] == []


@fuzz_settings(60)
@given(documents())
def test_the_same_text_gives_the_same_ids_and_json(text: str) -> None:
    assert [p for p in problems_of(text) if p[0] in ("determinism", "ids")] == []


@fuzz_settings(60)
@given(documents())
def test_the_written_json_fits_the_json_schema(text: str) -> None:
    assert [p for p in problems_of(text) if p[0] == "schema"] == []


@fuzz_settings(12)
@given(st.integers(0, 2**32).map(lambda seed: document(random.Random(seed), max_chars=20_000)))
def test_time_grows_with_the_text_not_faster(text: str) -> None:
    """Up to 20 KB (drawn by seed: hypothesis would shrink toward short texts). Generous:
    50 ms per KB plus a second, where a KB takes a few ms on this machine."""
    kb = len(text.encode("utf-8")) / 1024
    started = time.perf_counter()
    try:
        extract_text(text)
    except InputError:
        pass
    elapsed = time.perf_counter() - started
    assert elapsed < 1.0 + 0.05 * kb, f"{elapsed:.2f} s for {kb:.1f} KB"


@fuzz_settings(60)
@given(st.text(max_size=300))
def test_any_string_is_extracted_or_refused_as_blank(text: str) -> None:
    """Arbitrary code points, lone surrogates included: an extraction, or "no text" for a blank page."""
    assert problems_of(text) == []


@fuzz_settings(80)
@given(documents(hostile=True))
@example("Đơn vị\tĐiểm\nA\t1234567890123456")
def test_hostile_text_keeps_every_property(text: str) -> None:
    """Lone surrogates and numbers of 16 to 5,000 digits: never an exception, no record for an impossible number."""
    assert problems_of(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "a\ud800b đạt 5 điểm",
        "10000000000000000000 tỷ đồng",
        "đạt 1,00000000000000001 điểm",
        "đạt " + "9" * 4301 + " điểm",
        "tỷ lệ " + "1" * 5000 + "%",
    ],
    ids=["lone surrogate", "20 digits of tỷ đồng", "17 significant digits", "4,301 digits", "5,000 digits"],
)
def test_the_inputs_named_in_issue_18_keep_every_property(text: str) -> None:
    checked = check(text)
    assert checked.problems == []
    assert checked.extraction is not None
    # a number past 15 significant digits is no record; the rest of the sentence may still be read
    assert not [r.surface for r in checked.extraction.records if re.search(r"\d{16}", re.sub(r"[.,\s]", "", r.surface))]


def test_nfd_and_nfc_of_the_same_sentence_give_the_same_records() -> None:
    sentence = "Chỉ số CCHC năm 2023 của tỉnh Hòa Bình đạt 85,12 điểm, xếp thứ 5/63."
    nfc, nfd = (extract_text(unicodedata.normalize(form, sentence)) for form in ("NFC", "NFD"))
    assert [(r.kind, r.surface) for r in nfd.records] == [(r.kind, r.surface) for r in nfc.records]
    assert ("score", "85,12 điểm") in [(r.kind, r.surface) for r in nfc.records]


def test_the_schema_check_catches_what_the_schema_forbids() -> None:
    """The hand-written validator the properties rely on is not a no-op."""
    data = extract_text("Chỉ số CCHC năm 2019 của tỉnh Quảng Trị đạt 81,42 điểm, xếp thứ 5/63.").to_jsonable()
    assert schema_errors(data, SCHEMA) == []
    data["records"][0]["start"] = -1
    data["metrics"][0]["surprise"] = 1
    del data["source"]["sha256"]
    errors = schema_errors(data, SCHEMA)
    assert "$.source: missing sha256" in errors and "$.metrics[0]: unexpected surprise" in errors
    assert any(e.startswith("$.records[0]: 0 of the oneOf options fit") for e in errors)
