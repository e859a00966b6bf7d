"""A rule with an anchor runs only around the anchor's places (extractor/scan.py); its
matches must be exactly those of a scan of the whole text. Checked on every rule's
examples and counterexamples, and on every page of the corpus and of ../shared."""

from __future__ import annotations

import pytest

from conftest import CORPUS, SHARED
from extractor import load
from extractor.rulebook import Rule, load_rules
from extractor.scan import Places, rule_matches

ANCHORED = [rule for rule in load_rules() if rule.anchor is not None]


def _same(rule: Rule, text: str) -> None:
    whole = [m.span() for m in rule.pattern.finditer(text)]
    around = [m.span() for m in rule_matches(rule, Places(text), 60.0)]
    assert around == whole, f"{rule.id}: around its anchor {around}, whole text {whole}"


@pytest.mark.parametrize("rule", ANCHORED, ids=lambda r: r.id)
def test_an_anchored_rule_finds_on_its_examples_what_a_whole_scan_finds(rule: Rule) -> None:
    for text in [e.text for e in rule.examples] + list(rule.counterexamples):
        _same(rule, text)
        _same(rule, "Lời dẫn đủ dài để đoạn văn bắt đầu xa đầu trang. " * 3 + text + " Và một câu sau nữa.")


def _pages() -> list[tuple[str, str]]:
    paths = sorted(p for p in CORPUS.rglob("*") if p.suffix in (".txt", ".html", ".docx", ".pdf") and ".scan." not in p.name)
    if SHARED.is_dir():
        paths += sorted((SHARED / "samples").glob("*.txt")) + sorted((SHARED / "reference").glob("*.txt"))
    pages = []
    for path in paths:
        try:
            pages += [(f"{path.name}:{page.number}", page.text) for page in load(path).pages]
        except Exception:
            continue
    return pages


def test_every_anchored_rule_finds_on_every_corpus_page_what_a_whole_scan_finds() -> None:
    pages = _pages()
    assert len(pages) > 150
    for name, text in pages:
        for rule in ANCHORED:
            whole = [m.span() for m in rule.pattern.finditer(text)]
            around = [m.span() for m in rule_matches(rule, Places(text), 60.0)]
            assert around == whole, f"{name}: {rule.id} differs: {sorted(set(around) ^ set(whole))[:5]}"


def test_a_match_past_the_reach_of_its_anchor_is_still_found_when_it_runs_into_the_margin() -> None:
    """A stretch is read on while a match reaches past it: "cut" text is never trusted."""
    rule = next(r for r in ANCHORED if r.id == "percent.value")
    text = "Tỷ lệ hồ sơ đúng hạn đạt 97,8% trong năm. " * 40
    _same(rule, text)
