"""Normalization: one canonical form of the text, and a map back to the raw text."""

from __future__ import annotations

import unicodedata

import pytest
import regex

from extractor.normalize import fold_tone_marks, normalize


def words_trace_back(raw: str) -> None:
    """Every word of the normalized text comes from a raw span that normalizes to it."""
    n = normalize(raw)
    for m in regex.finditer(r"\S+", n.text):
        start, end = n.raw_span(m.start(), m.end())
        source = unicodedata.normalize("NFC", raw[start:end])
        source = regex.sub(r"[\u00ad\u200b\u200c\u200d\u2060\ufeff\p{Cc}]", "", source)
        source = regex.sub(r"\s+", " ", source)
        assert fold_tone_marks(source) == m.group(), (m.group(), raw[start:end])


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Hoà Bình", "Hòa Bình"),
        ("Thanh Hoá và Khánh Hòa", "Thanh Hóa và Khánh Hòa"),
        ("thuỷ lợi, Thuý, uỷ ban", "thủy lợi, Thúy, ủy ban"),
        ("khoẻ mạnh", "khỏe mạnh"),
        ("HOÀ BÌNH", "HÒA BÌNH"),
        # A final letter after the nucleus, or "qu", is written the same way in both styles.
        ("hoàn thành, thuyền, ngoài, khoảng, quý, quỹ, quỳnh", "hoàn thành, thuyền, ngoài, khoảng, quý, quỹ, quỳnh"),
    ],
)
def test_one_tone_mark_placement(raw: str, expected: str) -> None:
    assert normalize(raw).text == expected


def test_nfd_and_nfc_give_the_same_text() -> None:
    nfc = "Chỉ số cải cách hành chính tỉnh Điện Biên đạt 81,42 điểm."
    nfd = unicodedata.normalize("NFD", nfc)
    assert len(nfd) > len(nfc)
    assert normalize(nfd).text == nfc
    n = normalize(nfd)
    start, end = n.raw_span(nfc.index("Điện"), nfc.index("Điện") + len("Điện"))
    assert unicodedata.normalize("NFC", nfd[start:end]) == "Điện"


def test_spaces_invisible_and_control_characters() -> None:
    raw = "Nghị\u00a0định\u2009số\u202f24/2014/NĐ\u00ad-CP\u200b ngày\x0007/7\ufeff/2014\tcột"
    assert normalize(raw).text == "Nghị định số 24/2014/NĐ-CP ngày07/7/2014\tcột"


def test_line_ends_are_unified() -> None:
    assert normalize("Dòng một.\r\nDòng hai.\rDòng ba.\u2028Dòng bốn.").text == "Dòng một.\nDòng hai.\nDòng ba.\nDòng bốn."


def test_wrapped_paragraph_is_joined_and_breaks_are_kept() -> None:
    raw = (
        "\n\nI. KẾT QUẢ CẢI CÁCH HÀNH CHÍNH   \n"
        "Năm 2019, Chỉ số cải cách hành chính của tỉnh đạt 81,42 điểm, tăng 4,42\n"
        "điểm so với năm 2018, xếp hạng thứ 27/63 tỉnh, thành phố trong cả nước và\n"
        "Điện Biên tiếp tục nằm trong nhóm các tỉnh có thứ hạng khá cao.\n"
        "Kết quả cụ thể như sau:\n"
        "- Cải cách thể chế: tỉnh ban hành 12 văn bản quy phạm pháp luật thuộc\n"
        "  thẩm quyền;\n"
        "- Cải cách thủ tục hành chính.\n"
        "\n\n\n"
        "II. HẠN CHẾ\n\n"
    )
    assert normalize(raw).text == (
        "I. KẾT QUẢ CẢI CÁCH HÀNH CHÍNH\n"
        "Năm 2019, Chỉ số cải cách hành chính của tỉnh đạt 81,42 điểm, tăng 4,42 "
        "điểm so với năm 2018, xếp hạng thứ 27/63 tỉnh, thành phố trong cả nước và "
        "Điện Biên tiếp tục nằm trong nhóm các tỉnh có thứ hạng khá cao.\n"
        "Kết quả cụ thể như sau:\n"
        "- Cải cách thể chế: tỉnh ban hành 12 văn bản quy phạm pháp luật thuộc "
        "thẩm quyền;\n"
        "- Cải cách thủ tục hành chính.\n"
        "\n"
        "II. HẠN CHẾ"
    )


def test_short_heading_stays_apart_from_its_paragraph() -> None:
    raw = "Hiện thực hoá mục tiêu\nVới quan điểm xác định công tác CCHC là nhiệm vụ trọng tâm, tỉnh ban hành kế hoạch hằng năm."
    assert normalize(raw).text == "Hiện thực hóa mục tiêu\nVới quan điểm xác định công tác CCHC là nhiệm vụ trọng tâm, tỉnh ban hành kế hoạch hằng năm."


def test_lowercase_continuation_is_joined_even_after_a_short_line() -> None:
    assert normalize("đã tăng lên 561 thủ tục\nhành chính").text == "đã tăng lên 561 thủ tục hành chính"


def test_joined_space_maps_to_the_line_break_it_replaced() -> None:
    raw = "tăng 4,42\n   điểm so với năm 2018"
    n = normalize(raw)
    assert n.text == "tăng 4,42 điểm so với năm 2018"
    space = n.text.index(" điểm")
    assert raw[slice(*n.raw_span(space, space + 1))] == "\n   "
    assert raw[slice(*n.raw_span(space + 1, space + 5))] == "điểm"


def test_offsets_map_back_on_awkward_input() -> None:
    raw = (
        "\ufeffQuyết định số 510/QĐ-UBND ngày 07/7/2014 của UBND tỉnh Hoà Bình\r\n"
        + unicodedata.normalize("NFD", "về việc phê duyệt Kế hoạch xác định Chỉ số CCHC,\r\n")
        + "đạt 2,4 % hồ sơ\u00a0trực tuyến 😀 và 中文 mixed.\r\n\r\n\r\n"
        + "Trang\u200b hai: thuỷ lợi, khoẻ\u00ad mạnh.\n"
    )
    words_trace_back(raw)
    n = normalize(raw)
    starts = [n.raw_span(i, i + 1)[0] for i in range(len(n.text))]
    assert starts == sorted(starts)
    assert n.raw_span(0, len(n.text)) == (1, len(raw) - 1)  # BOM and final newline dropped


def test_offsets_map_back_on_the_quickstart_sample() -> None:
    from conftest import QUICKSTART_SAMPLE

    words_trace_back(QUICKSTART_SAMPLE.read_text(encoding="utf-8"))


def test_empty_span_and_bounds() -> None:
    n = normalize("ab\ncd")
    assert n.raw_span(2, 2) == (2, 2)
    assert n.raw_span(len(n.text), len(n.text)) == (5, 5)
    with pytest.raises(IndexError):
        n.raw_span(3, 99)
