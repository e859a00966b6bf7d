"""extractor/postag.py makes underthesea's part-of-speech features in linear time; they
must be the very ones underthesea makes, and the tags the very ones its pos_tag gives."""

from __future__ import annotations

import pytest

from conftest import CORPUS
from extractor import load
from extractor.postag import TEMPLATES, features, pos_tag
from extractor.segment import sentences_of

underthesea = pytest.importorskip("underthesea")
from underthesea.pipeline.pos_tag.tagged_feature import word2features  # noqa: E402


def _lines() -> list[str]:
    lines = []
    for path in sorted((CORPUS / "dev").glob("*.txt"))[:40]:
        text = load(path).pages[0].text
        lines += [line for s in sentences_of(text) for line in text[s.start : s.end].split("\n") if line.strip()]
    return lines


def test_features_are_underthesea_features_on_corpus_sentences() -> None:
    lines = _lines()
    assert len(lines) > 500
    for line in lines:
        words = underthesea.word_tokenize(line)
        theirs = [word2features([(w, "X") for w in words], i, list(TEMPLATES)) for i in range(len(words))]
        assert features(words) == theirs, line


def test_tags_are_underthesea_tags() -> None:
    for line in _lines()[:200] + ["Chợ thịt chó nổi tiếng ở TPHCM bị truy quét", "a  b", "tỉnh đã tổ chức 19 Hội nghị"]:
        assert pos_tag(line) == underthesea.pos_tag(line), line


def test_the_models_templates_are_the_ones_we_know() -> None:
    from underthesea.pipeline.pos_tag.model_crf import CRFPOSTagPredictor

    assert tuple(CRFPOSTagPredictor.Instance().transformer.template) == TEMPLATES
