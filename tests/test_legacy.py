"""Legacy byte-font encodings (TCVN3, VNI): tables, detection, conversion, and loading."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from conftest import CORPUS, QUICKSTART_SAMPLE, SHARED, SHARED_HINT, encode_cp1258
from extractor import load
from extractor.legacy import convert, convert_page, decode_bytes, detect_legacy, encode_legacy, is_syllable, tables, to_unicode
from extractor.normalize import normalize

TONES = ("", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323")
VOWELS = ("a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y")
LOWER = sorted({unicodedata.normalize("NFC", v + t) for v in VOWELS for t in TONES} - set("aeiouy") | {"đ"})
LETTERS = LOWER + [letter.upper() for letter in LOWER]
TONED_CAPITALS = [letter for letter in LETTERS if letter.isupper() and set(unicodedata.normalize("NFD", letter)) & set(TONES[1:])]


def as_legacy(text: str, encoding: str) -> str:
    """``text`` as it shows when a legacy file of it is read: one character per byte."""
    return decode_bytes(encode_legacy(text, encoding))


def unicode_documents() -> list[Path]:
    return sorted(p for p in (CORPUS / "dev").glob("*.txt") if p.name.count(".") == 1)


def test_the_letters_are_the_134_of_vietnamese() -> None:
    assert len(LOWER) == 67 and len(LETTERS) == 134 and len(TONED_CAPITALS) == 60


# ---------------------------------------------------------------- tables


@pytest.mark.parametrize("letter", LETTERS)
def test_every_letter_round_trips_through_vni(letter: str) -> None:
    assert to_unicode(as_legacy(letter, "vni"), "vni") == letter


@pytest.mark.parametrize("letter", [letter for letter in LETTERS if letter not in TONED_CAPITALS])
def test_every_letter_tcvn3_has_round_trips_through_it(letter: str) -> None:
    assert len(as_legacy(letter, "tcvn3")) == 1
    assert to_unicode(as_legacy(f"a {letter}", "tcvn3"), "tcvn3") == f"a {letter}"  # (a sentence starts with a capital)


@pytest.mark.parametrize("letter", TONED_CAPITALS)
def test_a_toned_capital_comes_back_in_a_word_of_capitals(letter: str) -> None:
    # VN3 has no toned capitals: they are the small letter's byte in a ".VnTimeH" font.
    assert as_legacy(letter, "tcvn3") == as_legacy(letter.lower(), "tcvn3")
    assert to_unicode(as_legacy(f"X{letter}NH", "tcvn3"), "tcvn3") == f"X{letter}NH"
    assert to_unicode(as_legacy(f"Hà Nội. {letter}n", "tcvn3"), "tcvn3") == f"Hà Nội. {letter}n"  # a sentence start


def test_tcvn3_capitals_of_vn1_are_read_where_vn3_has_no_letter() -> None:
    t = tables()
    assert len(t.tcvn3) == 74 and len(t.tcvn3_capitals) == 48
    assert set(t.tcvn3.values()) | set(t.tcvn3_capitals.values()) <= set(LETTERS)
    for byte, capital in t.tcvn3_capitals.items():
        assert to_unicode(decode_bytes(b"N" + bytes([byte]) + b"N"), "tcvn3") == f"N{capital}N"
    # Between other characters 0x80-0x9F are Windows-1252 punctuation: quotes, dashes.
    assert to_unicode(decode_bytes(b"\x93H\xb5 N\xe9i\x94 \x96 x"), "tcvn3") == "“Hà Nội” – x"


def test_the_tables_agree_with_the_code_charts() -> None:
    """Spot checks against the published charts, independent of the data file's layout."""
    assert {b: tables().tcvn3[b] for b in (0xB5, 0xB8, 0xB6, 0xB7, 0xB9, 0xAE, 0xAD, 0xAC, 0xD6, 0xE9, 0xA7)} == {
        0xB5: "à", 0xB8: "á", 0xB6: "ả", 0xB7: "ã", 0xB9: "ạ", 0xAE: "đ", 0xAD: "ư", 0xAC: "ơ", 0xD6: "ệ", 0xE9: "ộ", 0xA7: "Đ"}
    # VNI: base + tone mark (ù ø û õ ï); â, ê the circumflex and the breve, with tones
    # á à å ã ä and é è ú ü ë; ô ö ñ are ơ ư đ; æ ó ò are ỉ ĩ ị and î is ỵ.
    marks = {"": "", "\u0301": "ù", "\u0300": "ø", "\u0309": "û", "\u0303": "õ", "\u0323": "ï"}
    circumflex = {"": "â", "\u0301": "á", "\u0300": "à", "\u0309": "å", "\u0303": "ã", "\u0323": "ä"}
    breve = {"": "ê", "\u0301": "é", "\u0300": "è", "\u0309": "ú", "\u0303": "ü", "\u0323": "ë"}
    expected = {"đ": "ñ", "ỉ": "æ", "ĩ": "ó", "ị": "ò", "ỵ": "î", "í": "í", "ì": "ì"}
    for tone in TONES:
        for base, vni in (("a", "a"), ("e", "e"), ("o", "o"), ("u", "u"), ("ơ", "ô"), ("ư", "ö")) + ((("y", "y"),) if tone != "\u0323" else ()):
            expected[unicodedata.normalize("NFC", base + tone)] = vni + marks[tone]
        for base in "aeo":
            expected[unicodedata.normalize("NFC", base + "\u0302" + tone)] = base + circumflex[tone]
        expected[unicodedata.normalize("NFC", "a\u0306" + tone)] = "a" + breve[tone]
    expected = {u: v for u, v in expected.items() if not u.isascii()}
    assert len(expected) == 67
    for letter, vni in expected.items():
        assert as_legacy(letter, "vni") == vni, letter
        assert as_legacy(letter.upper(), "vni") == vni.upper(), letter


def test_phrases_from_the_domain_notes() -> None:
    assert to_unicode("Hµ Néi", "tcvn3") == "Hà Nội"
    assert to_unicode("TiÕng ViÖt", "tcvn3") == "Tiếng Việt"
    assert to_unicode("th¸ng", "tcvn3") == "tháng"
    assert to_unicode("Céng hoµ x· héi chñ nghÜa ViÖt Nam", "tcvn3") == "Cộng hoà xã hội chủ nghĩa Việt Nam"
    assert to_unicode("Haø Noäi", "vni") == "Hà Nội"
    assert to_unicode("Tieáng Vieät", "vni") == "Tiếng Việt"
    assert to_unicode("Xin chaøo caùc baïn", "vni") == "Xin chào các bạn"
    assert to_unicode("Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam", "vni") == "Cộng hòa xã hội chủ nghĩa Việt Nam"
    assert to_unicode("chaúng, huyeän lî", "vni") == "chẳng, huyện lỵ"  # the two letters viparse's table lacks


def test_case_is_restored_where_the_text_tells_it() -> None:
    assert to_unicode("UBND TØNH QU¶NG TRÞ\nSë NéI Vô          §éc lËp - Tù do", "tcvn3") == \
        "UBND TỈNH QUẢNG TRỊ\nSỞ NỘI VỤ          Độc lập - Tự do"
    assert to_unicode("Sè: 125/Q§-UBND", "tcvn3") == "Số: 125/QĐ-UBND"
    assert to_unicode("ñy ban nh©n d©n. ñy ban\n\nñy ban: ë ®©y\n- ñy ban", "tcvn3") == \
        "Ủy ban nhân dân. Ủy ban\n\nỦy ban: ở đây\n- Ủy ban"
    assert to_unicode("cña ñy ban", "tcvn3") == "của ủy ban"  # mid-sentence: the byte cannot tell


def test_syllables() -> None:
    assert all(map(is_syllable, "Nội nghiêng quốc gì giữa thuỷ thủy khuya quyết tuyết oanh ở ý Đường".split()))
    assert not any(map(is_syllable, "hềt ộtộ Bỡnh café Néi Haø abc xyz".split()))


# ---------------------------------------------------------------- detection

POSITIVE = [
    ("Hµ Néi", "tcvn3"),
    ("Céng hoµ x· héi chñ nghÜa ViÖt Nam\n§éc lËp - Tù do - H¹nh phóc", "tcvn3"),
    ("UBND tØnh Qu¶ng TrÞ ®¹t 85,12 ®iÓm PAR INDEX 2023", "tcvn3"),
    ("Haø Noäi", "vni"),
    ("Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam", "vni"),
    ("TRÖÔØNG ÑAÏI HOÏC, Xin chaøo caùc baïn", "vni"),
]
NEGATIVE = [
    "Cộng hòa xã hội chủ nghĩa Việt Nam",
    unicodedata.normalize("NFD", "Cộng hòa xã hội chủ nghĩa Việt Nam"),
    "Hoà Bình, Thanh Hoá, Khánh Hoà, Cà Mau, Tây Ninh. Tôi có nhà ở Hoà Bình. Anh ta là bác sĩ.",  # Latin-1 letters only
    "The Provincial Competitiveness Index (PCI) 2023 ranks 63 provinces. A naïve résumé.",
    "Où est le café? À l'école, les élèves étudient. Ça va très bien, merci à vous.",
    "El señor José Muñoz está aquí con el niño. ¿Dónde está la estación?",
    "Müller und Schön gehen über die Straße. Fünf Männer trinken Bier in München.",
    "1.234,56  2019  85,12%  31/63  12/6/2025",
    "© 2020 Company® 5 µg ½ cup × 3 ÷ 2 ± 0,5 °C; §4 «quote»",
    "",
]


@pytest.mark.parametrize(("text", "encoding"), POSITIVE)
def test_legacy_text_is_detected(text: str, encoding: str) -> None:
    assert detect_legacy(text) == encoding


@pytest.mark.parametrize("text", NEGATIVE)
def test_other_text_is_not_detected(text: str) -> None:
    assert detect_legacy(text) is None
    assert detect_legacy(decode_bytes(text.encode("cp1252", errors="replace"))) is None


@pytest.mark.parametrize("path", unicode_documents(), ids=lambda p: p.name)
def test_unicode_documents_in_any_byte_reading_are_not_legacy(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert detect_legacy(text) is None
    assert detect_legacy(decode_bytes(encode_cp1258(text))) is None  # Windows-1258 bytes
    assert detect_legacy(decode_bytes(text.encode("utf-8"))) is None  # UTF-8 read as Windows-1252
    assert detect_legacy(as_legacy(text, "tcvn3")) == "tcvn3"
    assert detect_legacy(as_legacy(text, "vni")) == "vni"


def test_the_real_press_release_is_not_legacy() -> None:
    path = SHARED / "samples" / "dien-bien-par-2019.txt"
    if not path.is_file():
        pytest.skip(f"{path} is absent; {SHARED_HINT}")
    text = path.read_text(encoding="utf-8")
    assert detect_legacy(text) is None
    assert load(path).encoding == "utf-8" and not any("legacy" in w for w in load(path).warnings)


def test_unicode_words_inside_legacy_text_are_left_alone() -> None:
    # A word with a letter only Unicode has (Đ) is Unicode: its ô and á are not ụ and ỏ.
    assert to_unicode("Đông Đá: Hµ Néi", "tcvn3") == "Đông Đá: Hà Nội"
    assert to_unicode("Đông Đá: Haø Noäi", "vni") == "Đông Đá: Hà Nội"


def test_conversion_says_where_each_character_came_from() -> None:
    conversion = convert("Tieáng\nVieät", "vni")
    assert conversion.text == "Tiếng\nViệt"
    assert [conversion.text[conversion.offset(i)] for i in (0, 6, 7)] == ["T", "\n", "V"]
    assert convert("TiÕng ViÖt", "tcvn3").starts == tuple(range(10))
    assert convert_page("Tieáng\nVieät", {6: "wrap"}) == ("Tiếng\nViệt", {5: "wrap"}, "VNI")
    assert convert_page("Tiếng\nViệt", {5: "wrap"}) == ("Tiếng\nViệt", {5: "wrap"}, None)


def test_characters_a_legacy_file_cannot_hold_are_refused() -> None:
    with pytest.raises(ValueError, match="cannot be written"):
        encode_legacy("→", "tcvn3")
    with pytest.raises(ValueError, match="read back as a letter"):
        encode_legacy("5 × 3", "tcvn3")
    with pytest.raises(ValueError, match="read back as a letter"):
        encode_legacy("señor", "vni")


# ---------------------------------------------------------------- loading


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_a_legacy_txt_loads_to_the_text_of_its_unicode_original(tmp_path: Path, encoding: str) -> None:
    original = QUICKSTART_SAMPLE.read_text(encoding="utf-8")
    path = tmp_path / f"doc.{encoding}.txt"
    path.write_bytes(encode_legacy(original, encoding))
    document = load(path)
    assert document.encoding == encoding
    name = {"tcvn3": "TCVN3", "vni": "VNI"}[encoding]
    assert document.warnings == [f"text was in the legacy {name} encoding; converted to Unicode"]
    assert document.pages[0].text == load(QUICKSTART_SAMPLE).pages[0].text


def test_legacy_text_saved_as_utf8_is_converted_too(tmp_path: Path) -> None:
    path = tmp_path / "mojibake.txt"
    path.write_text("UBND tØnh Qu¶ng TrÞ ®¹t 85,12 ®iÓm n¨m 2023.", encoding="utf-8")
    document = load(path)
    assert document.pages[0].text == "UBND tỉnh Quảng Trị đạt 85,12 điểm năm 2023."
    assert document.encoding == "tcvn3" and "stored as utf-8" in document.warnings[0]


def test_latin1_text_that_is_not_legacy_keeps_the_windows_1258_reading(tmp_path: Path) -> None:
    path = tmp_path / "french.txt"
    path.write_bytes("Où est le café? À l'école, les élèves étudient.".encode("latin-1"))
    assert load(path).encoding == "cp1258"
    path.write_bytes(encode_cp1258("Cộng hòa xã hội chủ nghĩa Việt Nam"))
    assert load(path).encoding == "cp1258" and load(path).pages[0].text == "Cộng hòa xã hội chủ nghĩa Việt Nam"


def test_offsets_index_the_converted_text(tmp_path: Path) -> None:
    from extractor import extract_file

    path = tmp_path / "vni.txt"
    path.write_bytes(encode_legacy(QUICKSTART_SAMPLE.read_text(encoding="utf-8"), "vni"))
    result = extract_file(path, include_text=True)
    text = result.pages[0].text
    assert result.records and all(text[r.start : r.end] == r.surface for r in result.records)
    assert [r.surface for r in result.records] == [r.surface for r in extract_file(QUICKSTART_SAMPLE).records]


@pytest.fixture
def no_ocr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VN_REFORM_OCR", "off")


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_a_pdf_text_layer_in_a_legacy_encoding_is_converted(tmp_path: Path, encoding: str, no_ocr: None) -> None:
    from corpus.render_pdf import find_font, render

    try:
        font = find_font()
    except FileNotFoundError as error:
        pytest.skip(str(error))
    original = ("Chỉ số cải cách hành chính năm 2023 của tỉnh Quảng Trị đạt 85,12%, tăng 1,39% so với năm 2022, "
                "xếp thứ 31/63 tỉnh, thành phố, tăng 6 bậc so với năm 2022.\nThông tin thêm: Hà Nội, ngày 17/4/2024.")
    mojibake = as_legacy(original, encoding)
    if encoding == "tcvn3":  # some producers give ư (0xAD, a soft hyphen) as a minus sign
        mojibake = mojibake.replace("\xad", "\u2212")
    path = tmp_path / f"{encoding}.pdf"
    path.write_bytes(render(mojibake, font))
    document = load(path)
    name = {"tcvn3": "TCVN3", "vni": "VNI"}[encoding]
    assert f"page 1: text layer in {name}; converted to Unicode" in document.warnings
    assert document.pages[0].text == normalize(original).text


# ---------------------------------------------------------------- corpus


def test_committed_legacy_corpus_files_are_what_build_legacy_writes(capsys: pytest.CaptureFixture[str]) -> None:
    from corpus.build_legacy import main

    assert main(["--check"]) == 0, capsys.readouterr().out


def test_eval_breaks_down_by_encoding_and_legacy_copies_score_as_their_originals() -> None:
    from extractor.evaluate import evaluate

    golds = [CORPUS / "dev" / f"quang-tri-par-2023{infix}.txt.gold.json" for infix in ("", ".tcvn3", ".vni")]
    by_encoding = evaluate(golds).as_dict()["by_encoding"]
    assert sorted(by_encoding) == ["tcvn3", "utf-8", "vni"]
    assert by_encoding["tcvn3"] == by_encoding["vni"] == by_encoding["utf-8"]
