"""Sentences and words realigned to offsets of the page text (extractor/segment.py)."""

from __future__ import annotations

import random
import re
import subprocess
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest

import extractor
from conftest import REPO
from extractor import segment as segment_module
from extractor.segment import Segmentation, Sentence, Token, segment, split_sentences, to_spacy_doc, tokenize

PAR_SENTENCE = (
    "Năm 2019 Chỉ số cải cách hành chính Par-Index của tỉnh đạt 81,42 điểm tăng 4,42 điểm "
    "so với năm 2018, xếp hạng thứ 27/63 tỉnh thành phố."
)
# What underthesea 9.5 makes of PAR_SENTENCE: multi-syllable words are one token each,
# and so are a number with its unit ("81,42 điểm") and a rank ("27/63").
PAR_WORDS = [
    "Năm", "2019", "Chỉ số", "cải cách", "hành chính", "Par-Index", "của", "tỉnh", "đạt",
    "81,42 điểm", "tăng", "4,42 điểm", "so", "với", "năm", "2018", ",", "xếp hạng", "thứ",
    "27/63", "tỉnh", "thành phố", ".",
]  # fmt: skip

# Everything a page may hold that underthesea rewrites, splits or merges.
AWKWARD = (
    "UBND TỈNH HOÀ BÌNH\n"
    "Tỉnh Hoà Bình có 19.568 hồ sơ, hoà nhập tốt; Chỉ số đạt 81,42 điểm,  tỷ lệ 2,4 % hồ sơ.\n\n"
    "Theo Nghị định số 24/2014/NĐ-CP và Quyết định số 510/QĐ-UBND ngày 07/7/2014 😀 của UBND tỉnh.\n"
    "Tiếng Trung 中文字 and English words,   nhiều    khoảng trắng.\n"
    "\n\n  Xem “https://dienbien.gov.vn/portal/Pages/2020-5-12.aspx?id=3” – Hết  \n"
)


def texts(text: str, spans: list[Token] | list[Sentence]) -> list[str]:
    return [span.text_in(text) for span in spans]


def non_space(text: str) -> str:
    return "".join(text.split())


def assert_well_formed(text: str, segmentation: Segmentation) -> None:
    """Spans in order, trimmed, without line breaks, and together covering the text."""
    for spans in (segmentation.sentences, segmentation.tokens):
        position = 0
        for span in spans:
            assert position <= span.start < span.end <= len(text), (span, position)
            piece = span.text_in(text)
            assert piece == piece.strip() and "\n" not in piece, repr(piece)
            position = span.end
        # Coverage, no overlap, no gap: the visible characters come back in order.
        assert "".join(non_space(piece) for piece in texts(text, spans)) == non_space(text)
    for sentence in segmentation.sentences:  # no token crosses a sentence boundary
        inside = segmentation.tokens_in(sentence.start, sentence.end)
        assert inside and inside[0].start == sentence.start and inside[-1].end == sentence.end
    assert sum(len(segmentation.tokens_in(s.start, s.end)) for s in segmentation.sentences) == len(segmentation.tokens)


# --- 1. round trip on awkward input -------------------------------------------------


@pytest.mark.parametrize("form", ["NFC", "NFD"])
def test_awkward_text_is_covered_exactly(form: str) -> None:
    text = unicodedata.normalize(form, AWKWARD)
    segmentation = segment(text)
    assert_well_formed(text, segmentation)
    words = texts(text, segmentation.tokens)
    nfc_words = [unicodedata.normalize("NFC", w) for w in words]
    # underthesea returns "Hòa Bình" and "hòa"; the tokens are the text's own spelling.
    assert "Hoà Bình" in nfc_words and "hoà" in nfc_words and "HOÀ BÌNH" in nfc_words
    assert "Hòa Bình" not in nfc_words
    for expected in ["81,42 điểm", "19.568", "hồ sơ", "2,4", "%", "24/2014", "NĐ-CP", "510", "QĐ-UBND",
                     "Nghị định", "Quyết định", "https://dienbien.gov.vn/portal/Pages/2020-5-12.aspx?id=3",
                     "English words", "“", "”", "–"]:  # fmt: skip
        assert expected in nfc_words, expected
    # The emoji and the Chinese stay inside tokens, as written.
    assert any("😀" in w for w in words) and any("中文字" in w for w in words)
    assert [unicodedata.normalize("NFC", s) for s in texts(text, segmentation.sentences)] == [
        "UBND TỈNH HOÀ BÌNH",
        "Tỉnh Hoà Bình có 19.568 hồ sơ, hoà nhập tốt; Chỉ số đạt 81,42 điểm,  tỷ lệ 2,4 % hồ sơ.",
        "Theo Nghị định số 24/2014/NĐ-CP và Quyết định số 510/QĐ-UBND ngày 07/7/2014 😀 của UBND tỉnh.",
        "Tiếng Trung 中文字 and English words,   nhiều    khoảng trắng.",
        "Xem “https://dienbien.gov.vn/portal/Pages/2020-5-12.aspx?id=3” – Hết",
    ]


def test_nfd_tokens_end_on_whole_characters() -> None:
    text = unicodedata.normalize("NFD", "Tỉnh Hoà Bình đạt 81,42 điểm.")
    words = texts(text, segment(text).tokens)
    # No token starts with a combining mark: marks stay with their letter.
    assert all(not unicodedata.combining(w[0]) for w in words)
    assert unicodedata.normalize("NFC", non_space("".join(words))) == "TỉnhHoàBìnhđạt81,42điểm."


def test_whitespace_inside_a_word_is_the_texts_own() -> None:
    # underthesea answers "Chỉ số" and "cải cách" with one plain space.
    text = "Chỉ  số cải\tcách hành\u00a0chính"
    assert texts(text, segment(text).tokens) == ["Chỉ  số", "cải\tcách", "hành\u00a0chính"]


def test_misspelling_that_underthesea_corrects_keeps_the_texts_spelling() -> None:
    # underthesea answers "ngành nghề": one character fewer than the text.
    text = "Các nghành nghề và ngành"
    tokens = segment(text).tokens
    assert [(t.start, t.end) for t in tokens] == [(0, 3), (4, 15), (16, 18), (19, 24)]
    assert texts(text, tokens) == ["Các", "nghành nghề", "và", "ngành"]


@pytest.mark.parametrize("text", ["", " ", "\n\n", " \t\n \n\n  "])
def test_empty_or_blank_text_gives_nothing(text: str) -> None:
    segmentation = segment(text)
    assert segmentation.sentences == [] and segmentation.tokens == []
    assert split_sentences(text) == [] and tokenize(text) == []
    assert to_spacy_doc(text, segmentation).text == text


@pytest.mark.parametrize(
    "text",
    [
        "a❤️b 👨\u200d👩\u200d👧 x",  # variation selector and joiners
        "x\u200by \u0301abc abc\u0301 \u0301",  # zero-width space, stray combining marks
        "ｆｕｌｌ\u3000ｗｉｄｔｈ ＡＢＣ１２３ ﬁle ð Ð İstanbul",
        "a\ud800b c",  # a lone surrogate: underthesea raises on it
        "x\x00y\x07z \x1c\x1dab a\rb",
        "\ue000\ue001 ab\ue002 🫨 new",
        "Tốt!”Hết. Ông nói: “Tốt!” Hết? Nói \"Được.\" Rồi \"Xong\"",
    ],
    # Plain ids: a lone surrogate in a test id would break pytest's cache file.
    ids=["emoji-joiners", "invisible-marks", "compatibility-forms", "lone-surrogate", "controls", "private-use", "quotes"],
)
def test_odd_characters_never_break_segmentation(text: str) -> None:
    assert_well_formed(text, segment(text))


def test_random_text_is_always_covered() -> None:
    pieces = list("aăâđeêoôơuưàáảãạằắẳẵặếềểễệỳýỷỹỵ AĐHQÀ0123456789.,;:!?…\"'“”‘’()-–/%\n\t\u00a0") + [
        "\u0300", "\u0301", "\u200b", "😀", "中", "\ufe0f", "   ", "\n\n", "nghành", "hoà", "thuỷ",
        "Chỉ số", "81,42 điểm", "https://a.vn/x?y=1",
    ]  # fmt: skip
    rng = random.Random(20240417)
    for _ in range(200):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))
        if rng.random() < 0.3:
            text = unicodedata.normalize("NFD", text)
        segmentation = segment(text)
        assert_well_formed(text, segmentation)
        assert to_spacy_doc(text, segmentation).text == text


# --- alignment when underthesea's words do not match the text ------------------------


def words_from(answer: list[str] | Exception) -> Callable[[str], list[str]]:
    """A stand-in for underthesea's word_tokenize that gives ``answer`` (or raises it)."""

    def fake(line: str) -> list[str]:
        if isinstance(answer, Exception):
            raise answer
        return answer

    return fake


@pytest.mark.parametrize(
    ("text", "answer", "expected"),
    [
        # rewritten spelling, quotes, dashes, NFD: compared by folded letters
        ("Kế hoạch “Xác định” – Thanh Hoá", ["Kế hoạch", '"', "Xác định", '"', "-", "Thanh Hóa"],
         ["Kế hoạch", "“", "Xác định", "”", "–", "Thanh Hoá"]),
        (unicodedata.normalize("NFD", "Hoà Bình đạt"), ["Hòa Bình", "đạt"],
         [unicodedata.normalize("NFD", "Hoà Bình"), unicodedata.normalize("NFD", "đạt")]),
        # syllables joined with one space whatever the text had, even none
        ("2,4%  hồ\tsơ", ["2,4 %", "hồ sơ"], ["2,4%", "hồ\tsơ"]),
        # a word that does not fold to the text: resynchronised on the next ones
        ("Các nghành nghề và ngành", ["Các", "ngành nghề", "và", "ngành"], ["Các", "nghành nghề", "và", "ngành"]),
        ("Các xyz abc và ngành", ["Các", "qqq", "và", "ngành"], ["Các", "xyz", "abc", "và", "ngành"]),
        # characters underthesea dropped, and a word it made up
        ("Điểm ※※ 81,42 điểm", ["Điểm", "81,42 điểm"], ["Điểm", "※※", "81,42 điểm"]),
        ("Điểm 81,42 điểm", ["Điểm", "XYZ", "81,42 điểm"], ["Điểm", "81,42 điểm"]),
        # nothing aligns, or underthesea fails: tokens split on whitespace
        ("Chỉ số đạt 81,42 điểm", ["zzz"], ["Chỉ", "số", "đạt", "81,42", "điểm"]),
        ("Chỉ số đạt 81,42 điểm", [], ["Chỉ", "số", "đạt", "81,42", "điểm"]),
        ("Chỉ số đạt 81,42 điểm", RuntimeError("boom"), ["Chỉ", "số", "đạt", "81,42", "điểm"]),
    ],
)  # fmt: skip
def test_alignment_recovers_from_any_answer(
    monkeypatch: pytest.MonkeyPatch, text: str, answer: list[str] | Exception, expected: list[str]
) -> None:
    # underthesea's word_tokenize as seen by the module.
    monkeypatch.setattr(segment_module, "_word_tokenizer", lambda: words_from(answer))
    tokens = tokenize(text)
    assert texts(text, tokens) == expected
    assert_well_formed(text, Segmentation([Sentence(tokens[0].start, tokens[-1].end)], tokens))


# --- 2. a real sentence, word by word ------------------------------------------------


def test_words_of_a_real_sentence() -> None:
    tokens = segment(PAR_SENTENCE).tokens
    assert texts(PAR_SENTENCE, tokens) == PAR_WORDS
    spans = {t.text_in(PAR_SENTENCE): (t.start, t.end) for t in tokens}
    assert spans["Chỉ số"] == (9, 15)
    assert spans["cải cách"] == (16, 24)
    assert spans["81,42 điểm"] == (59, 69)
    assert spans["4,42 điểm"] == (75, 84)
    assert spans["27/63"] == (115, 120)
    assert PAR_SENTENCE[59:69] == "81,42 điểm" and PAR_SENTENCE[115:120] == "27/63"


def test_tokens_and_sentences_lookup() -> None:
    text = "Câu một.\n" + PAR_SENTENCE
    segmentation = segment(text)
    first, second = segmentation.sentences
    rank = text.index("27/63")
    assert segmentation.sentence_at(rank) == second and segmentation.sentence_at(0) == first
    assert segmentation.sentence_at(7) == first and segmentation.sentence_at(9) == second
    assert segmentation.sentence_at(8) is None  # the line break
    assert segmentation.sentence_at(len(text)) is None and segmentation.sentence_at(-1) is None
    assert segmentation.token_at(rank + 2) == Token(rank, rank + 5)
    assert segmentation.token_at(text.index(" 2019")) is None  # a space
    assert texts(text, segmentation.tokens_in(0, 9)) == ["Câu", "một", "."]
    assert texts(text, segmentation.tokens_in(rank - 4, rank + 5)) == ["thứ", "27/63"]
    assert texts(text, segmentation.tokens_in(rank - 3, rank + 4)) == []  # partial tokens are left out


# --- 3. sentences -------------------------------------------------------------------


def test_sentences_of_a_paragraph_and_a_line_break() -> None:
    text = (
        "Năm 2019 tỉnh đạt 81,42 điểm, tăng 4,42 điểm. Xếp hạng thứ 27/63 tỉnh thành phố.\n"
        "Chỉ số SIPAS đạt 85%\n\n"
        "  Hết  "
    )
    sentences = split_sentences(text)
    assert texts(text, sentences) == [
        "Năm 2019 tỉnh đạt 81,42 điểm, tăng 4,42 điểm.",
        "Xếp hạng thứ 27/63 tỉnh thành phố.",
        "Chỉ số SIPAS đạt 85%",
        "Hết",
    ]
    assert [(s.start, s.end) for s in sentences][-1] == (len(text) - 5, len(text) - 2)


def test_a_line_break_always_ends_a_sentence() -> None:
    text = "Chỉ số cải cách hành chính\nnăm 2019 của tỉnh, xếp thứ\n27/63"
    sentences = split_sentences(text)
    assert texts(text, sentences) == ["Chỉ số cải cách hành chính", "năm 2019 của tỉnh, xếp thứ", "27/63"]
    assert all("\n" not in s.text_in(AWKWARD) for s in split_sentences(AWKWARD))


def test_sentence_boundaries_underthesea_gets_wrong_are_repaired() -> None:
    text = (
        "Tại địa chỉ https://lltptructuyen.moj.gov.vn/dienbien… Đặc biệt, ông nói: “Tốt!” Hết? "
        "Đơn vị.Từ đó tăng. Xem a.aspx?id=3 nhé."
    )
    assert texts(text, split_sentences(text)) == [
        "Tại địa chỉ https://lltptructuyen.moj.gov.vn/dienbien…",  # URL kept; "…" ends it
        "Đặc biệt, ông nói: “Tốt!”",  # the closing quote goes with its sentence
        "Hết?",
        "Đơn vị.",  # a capital after "." still starts a sentence
        "Từ đó tăng.",
        "Xem a.aspx?id=3 nhé.",
    ]


# --- 4. word-segmenting one sentence ------------------------------------------------


def test_tokenize_a_middle_sentence_like_segment() -> None:
    text = "Câu mở đầu.\n\nTỉnh Hoà Bình có 1.920 cán bộ. " + PAR_SENTENCE + " Câu cuối cùng."
    segmentation = segment(text)
    middle = segmentation.sentences[2]
    assert middle.text_in(text) == PAR_SENTENCE
    tokens = tokenize(text, middle.start, middle.end)
    assert tokens == segmentation.tokens_in(middle.start, middle.end)
    assert tokens[0].start == middle.start == text.index("Năm 2019") and texts(text, tokens) == PAR_WORDS
    # The span is read like a slice; out-of-range bounds are clamped, not errors.
    last = segmentation.sentences[-1]
    assert last.text_in(text) == "Câu cuối cùng."
    assert tokenize(text, -len("Câu cuối cùng.")) == segmentation.tokens_in(last.start, last.end)
    assert tokenize(text, 5, 2) == [] and tokenize(text, 10_000) == []


# --- 5. spaCy -------------------------------------------------------------------------


def test_spacy_doc_keeps_text_offsets_words_and_sentences() -> None:
    text = "  Tỉnh Hoà Bình đạt 81,42 điểm.  Xếp thứ 27/63.\n\nChỉ số  tăng \n" + PAR_SENTENCE + "\n"
    segmentation = segment(text)
    doc = to_spacy_doc(text, segmentation)
    assert doc.text == text
    words = [t for t in doc if not t.is_space]
    assert [t.idx for t in words] == [t.start for t in segmentation.tokens]
    assert [t.text for t in words] == texts(text, segmentation.tokens)
    assert [s.text.strip() for s in doc.sents] == texts(text, segmentation.sentences)
    # Multi-syllable words stay one spaCy token.
    assert "Chỉ số" in [t.text for t in doc] and "81,42 điểm" in [t.text for t in doc]
    # spaCy's whitespace convention: one space is a token's whitespace_, more is a token.
    assert [t.text for t in doc if t.is_space] == ["  ", " ", "\n\n", " ", "\n", "\n"]
    assert doc[0].is_space and doc[1].text == "Tỉnh" and doc[1].whitespace_ == " "


def test_spacy_doc_default_segmentation_and_mismatch() -> None:
    doc = to_spacy_doc(PAR_SENTENCE)
    assert [t.text for t in doc] == PAR_WORDS and len(list(doc.sents)) == 1
    assert doc.vocab is segment_module.spacy_vocab() and doc.lang_ == "vi"
    with pytest.raises(ValueError, match="does not fit"):
        to_spacy_doc("Một câu khác hẳn.", segment(PAR_SENTENCE))
    with pytest.raises(ValueError, match="does not fit"):
        to_spacy_doc(PAR_SENTENCE + " thêm", segment(PAR_SENTENCE))


def test_importing_segment_loads_neither_underthesea_nor_spacy() -> None:
    code = "import sys, extractor.segment; print('underthesea' in sys.modules, 'spacy' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "False"], "start-up must not pay for underthesea or spaCy"


# --- 6. the real press release ------------------------------------------------------


def test_real_press_release(press_release: Path) -> None:
    text = extractor.load(press_release).pages[0].text
    segmentation = segment(text)
    assert_well_formed(text, segmentation)
    sentences = texts(text, segmentation.sentences)
    # 18 lines (paragraphs and headings) of some 9,000 characters.
    assert text.count("\n") == 17 and 30 <= len(sentences) <= 60
    assert 1200 <= len(segmentation.tokens) <= 2000
    for known in [
        "Vì sao Điện Biên 3 năm liên tiếp trong nhóm cải cách hành chính khá cao cả nước?",
        "Hiện thực hóa mục tiêu",
        "Năm 2019 Chỉ số cải cách hành chính Par-Index của tỉnh đạt 81,42 điểm tăng 4,42 điểm so với năm 2018, "
        "xếp hạng thứ 27/63 tỉnh thành phố trong cả nước, tăng 01 bậc so với năm 2018.",
        "Từ đó, đã tăng số lượng hồ sơ trực tuyến 1745/3377 tổng hồ sơ, đạt 51,6% hồ sơ trực tuyến.",
        "Tại địa chỉ https://lltptructuyen.moj.gov.vn/dienbien…",
        "Có thể bạn quan tâm",
    ]:
        assert known in sentences, known
    par = segmentation.sentences[sentences.index(next(s for s in sentences if s.startswith("Năm 2019 Chỉ số cải")))]
    assert par.start == text.index("Năm 2019 Chỉ số cải cách hành chính Par-Index")
    score = text.index("81,42 điểm", par.start)
    assert Token(score, score + len("81,42 điểm")) in segmentation.tokens
    rank = text.index("27/63", par.start)
    assert segmentation.token_at(rank) == Token(rank, rank + 5)
    assert segmentation.sentence_at(rank) == par
    # Both statements of the score are single tokens, wherever they stand.
    scores = [m.start() for m in re.finditer("81,42 điểm", text)]
    assert len(scores) == 2 and all(Token(s, s + 10) in segmentation.tokens for s in scores)
    doc = to_spacy_doc(text, segmentation)
    assert doc.text == text and len(list(doc.sents)) == len(sentences)


def test_real_press_release_in_nfd_segments_like_nfc(press_release: Path) -> None:
    text = extractor.load(press_release).pages[0].text
    nfd = unicodedata.normalize("NFD", text)
    expected, got = segment(text), segment(nfd)
    assert_well_formed(nfd, got)
    for spans in ("sentences", "tokens"):
        assert [unicodedata.normalize("NFC", s.text_in(nfd)) for s in getattr(got, spans)] == texts(
            text, getattr(expected, spans)
        )
