"""Whom and which period a metric is about: subject identity, the 2025 merger, averages,
periods and where inferred fields came from. Every text here is written for the test."""

from __future__ import annotations

from decimal import Decimal

import pytest

from extractor.pipeline import extract_text
from extractor.records import Metric
from extractor.subjects import When, identify


def metrics(text: str) -> list[Metric]:
    return extract_text(text).metrics


def one(text: str, **fields: object) -> Metric:
    found = [m for m in metrics(text) if all(getattr(m, k) == v for k, v in fields.items())]
    assert len(found) == 1, [(m.subject_id, m.year, m.period) for m in metrics(text)]
    return found[0]


def test_two_districts_of_one_name_in_two_provinces_are_two_subjects() -> None:
    text = ("Năm 2023, huyện Châu Thành (Tiền Giang) đạt 82,15 điểm Chỉ số CCHC cấp huyện, xếp thứ 2/11; "
            "huyện Châu Thành, tỉnh Bến Tre đạt 79,40 điểm, xếp thứ 5/9.")
    found = [(m.subject, m.subject_type, m.subject_id, m.province, m.province_2025, m.score, m.rank) for m in metrics(text)]
    assert found == [
        ("Châu Thành", "district", "district:Tiền Giang/Châu Thành", "Tiền Giang", "Đồng Tháp", Decimal("82.15"), 2),
        ("Châu Thành", "district", "district:Bến Tre/Châu Thành", "Bến Tre", "Vĩnh Long", Decimal("79.40"), 5),
    ]
    assert len({m.id for m in metrics(text)}) == 2


def test_a_district_takes_its_province_from_the_gazetteer_or_the_document() -> None:
    unique = one("Năm 2022, huyện Văn Yên xếp thứ 4/9 về Chỉ số CCHC cấp huyện.")
    assert (unique.subject_id, unique.province, unique.province_2025) == ("district:Yên Bái/Văn Yên", "Yên Bái", "Lào Cai")
    # "Châu Thành" is a district in ten provinces: the document's own province decides.
    text = "KẾT QUẢ CHỈ SỐ CCHC CẤP HUYỆN NĂM 2023 CỦA TỈNH BẾN TRE\n\nHuyện Châu Thành xếp thứ 5/9 với 79,40 điểm."
    assert one(text, indicator="PAR_INDEX").subject_id == "district:Bến Tre/Châu Thành"
    # Without a province anywhere, a name of ten provinces has none.
    assert one("Năm 2023, huyện Châu Thành xếp thứ 5/9 về Chỉ số CCHC.").province is None


def test_a_department_belongs_to_the_province_named_with_it_or_the_documents() -> None:
    named = one("Về Chỉ số DDCI năm 2024, Sở Tư pháp tỉnh Bến Tre đạt 88,1 điểm, xếp thứ 3/21.")
    assert (named.subject, named.subject_type, named.province, named.subject_id) == (
        "Sở Tư pháp", "department", "Bến Tre", "department:Bến Tre/Sở Tư pháp")
    text = "TỈNH THÁI NGUYÊN CÔNG BỐ CHỈ SỐ DDCI NĂM 2024\n\nSở Tư pháp đạt 91,2 điểm, xếp thứ nhất trong 20 sở, ngành."
    assert one(text, indicator="DDCI").subject_id == "department:Thái Nguyên/Sở Tư pháp"


def test_a_2023_result_of_a_province_merged_in_2025_carries_its_province_after_the_merger() -> None:
    m = one("Năm 2023, Chỉ số PAPI của tỉnh Bình Định đạt 43,1 điểm, xếp thứ 12/63.")
    assert (m.subject, m.subject_type, m.province, m.province_2025, m.subject_id) == (
        "Bình Định", "province", "Bình Định", "Gia Lai", "province:Bình Định")
    kept = one("Năm 2023, Chỉ số PAPI của tỉnh Gia Lai đạt 41,2 điểm, xếp thứ 50/63.")
    assert (kept.subject_id, kept.province_2025) == ("province:Gia Lai (cũ)", "Gia Lai")
    unchanged = one("Năm 2023, Chỉ số PAPI của Hà Nội đạt 44,0 điểm, xếp thứ 7/63.")
    assert unchanged.subject_id == "province:Hà Nội"


def test_old_and_new_marks_give_two_subjects() -> None:
    text = ("Năm 2025, Chỉ số SIPAS của tỉnh Lào Cai (mới) đạt 86,2%, xếp thứ 5/34; "
            "trước đó, năm 2024, Lào Cai (cũ) đạt 83,9%, xếp thứ 30/63.")
    found = sorted((m.subject_id, m.year, m.score, m.rank_total) for m in metrics(text))
    assert found == [
        ("province:Lào Cai (cũ)", 2024, Decimal("83.9"), 63),
        ("province:Lào Cai (mới)", 2025, Decimal("86.2"), 34),
    ]


def test_a_rank_total_that_disagrees_with_the_year_wins_with_a_warning() -> None:
    result = extract_text("Năm 2026, Chỉ số PAR INDEX của tỉnh Gia Lai xếp thứ 41/63.")
    assert [m.subject_id for m in result.metrics] == ["province:Gia Lai (cũ)"]
    assert any("out of 63" in w and "2026" in w for w in result.warnings)
    early = extract_text("Năm 2022, Chỉ số PCI của tỉnh Gia Lai xếp thứ 5/34.")
    assert [m.subject_id for m in early.metrics] == ["province:Gia Lai (mới)"]
    assert any("out of 34" in w for w in early.warnings)


def test_a_result_of_2024_ranked_among_the_34_new_provinces_is_the_new_province_without_a_warning() -> None:
    """DTI 2024 was published in 2025 over the 34 provinces formed by the merger."""
    result = extract_text("Chỉ số DTI 2024 của tỉnh Lào Cai xếp thứ 12/34 tỉnh, thành phố.")
    assert [(m.subject_id, m.year, m.rank_total) for m in result.metrics] == [("province:Lào Cai (mới)", 2024, 34)]
    assert result.warnings == []


def test_a_province_that_no_longer_exists_ranked_out_of_34_is_a_warning() -> None:
    result = extract_text("Năm 2025, Chỉ số SIPAS của tỉnh Bình Định xếp thứ 9/34.")
    assert [(m.subject_id, m.province_2025) for m in result.metrics] == [("province:Bình Định", "Gia Lai")]
    assert any("merged into Gia Lai" in w for w in result.warnings)


def test_a_national_and_a_regional_average_are_aggregate_metrics_of_their_area() -> None:
    text = ("Năm 2024, điểm trung bình Chỉ số PAR INDEX của cả nước đạt 84,5 điểm; trung bình vùng Tây Nguyên đạt 82,1 điểm. "
            "Lâm Đồng đạt 86,0 điểm, xếp thứ 20/63.")
    found = [(m.subject, m.subject_type, m.subject_id, m.aggregate, m.score) for m in metrics(text)]
    assert found == [
        ("Cả nước", "country", "country:Cả nước", "average", Decimal("84.5")),
        ("Tây Nguyên", "region", "region:Tây Nguyên", "average", Decimal("82.1")),
        ("Lâm Đồng", "province", "province:Lâm Đồng (cũ)", None, Decimal("86.0")),
    ]


def test_an_average_in_parentheses_after_a_comparison_is_the_countrys() -> None:
    text = "Chỉ số SIPAS năm 2023 của Quảng Trị đạt 82,4%, cao hơn mức trung bình cả nước (80,1%), xếp thứ 30/63."
    average = one(text, aggregate="average")
    assert (average.subject_id, average.score) == ("country:Cả nước", Decimal("80.1"))
    assert one(text, aggregate=None).score == Decimal("82.4")


def test_two_months_of_index_766_are_two_metrics_with_their_periods() -> None:
    text = ("KẾT QUẢ BỘ CHỈ SỐ PHỤC VỤ NGƯỜI DÂN, DOANH NGHIỆP CỦA TỈNH LÂM ĐỒNG\n\n"
            "Trong tháng 9/2025, tỉnh Lâm Đồng đạt 85,2 điểm Bộ chỉ số 766, xếp thứ 12/34. "
            "Sang tháng 10/2025, tỉnh đạt 88,4 điểm, xếp thứ 8/34, tăng 4 bậc so với tháng 9/2025.\n"
            "Tháng 11/2025, tỉnh xếp thứ 6/34, tăng 2 bậc so với tháng trước.")
    found = [(m.period, m.year, m.score, m.rank, m.rank_change, m.compared_to, m.subject_id) for m in metrics(text)]
    assert found == [
        ("2025-09", 2025, Decimal("85.2"), 12, None, None, "province:Lâm Đồng (mới)"),
        ("2025-10", 2025, Decimal("88.4"), 8, 4, "2025-09", "province:Lâm Đồng (mới)"),
        ("2025-11", 2025, None, 6, 2, "2025-10", "province:Lâm Đồng (mới)"),
    ]


def test_a_month_before_the_merger_is_a_province_of_63() -> None:
    m = one("Trong tháng 5/2025, tỉnh Bình Định đạt 84,0 điểm Bộ chỉ số 766, xếp thứ 10/63.")
    assert (m.period, m.subject_id) == ("2025-05", "province:Bình Định")
    assert not extract_text("Trong tháng 5/2025, tỉnh Bình Định đạt 84,0 điểm Bộ chỉ số 766, xếp thứ 10/63.").warnings


@pytest.mark.parametrize(
    ("text", "source", "surface"),
    [
        # The title's year.
        ("CHỈ SỐ PAR INDEX 2023 CỦA TỈNH NINH THUẬN\n\nTỉnh đạt 84,21%, xếp thứ 33/63.", "title", "2023"),
        # The year that opens the paragraph.
        ("Năm 2022, tỉnh Sóc Trăng có nhiều chuyển biến. Chỉ số PCI của tỉnh đạt 63,9 điểm.", "paragraph", "2022"),
        # A heading above.
        ("BÁO CÁO KẾT QUẢ CẢI CÁCH HÀNH CHÍNH\n\n" + "Báo cáo tổng hợp kết quả đánh giá các chỉ số quản trị của tỉnh Long An "
         "trong nhiều năm, nêu những mặt làm được, những hạn chế và nguyên nhân, cùng các giải pháp cho giai đoạn tới; "
         "số liệu lấy từ các báo cáo công bố chính thức.\n\nII. KẾT QUẢ NĂM 2021\n\nChỉ số PAPI của tỉnh Long An đạt 42,8 điểm.",
         "heading", "2021"),
    ],
)
def test_an_inferred_year_points_to_the_mention_it_came_from(text: str, source: str, surface: str) -> None:
    result = extract_text(text)
    [metric] = result.metrics
    assert "year" in metric.inferred
    [pointer] = [i for i in metric.inferred_from if i.field == "year"]
    assert (pointer.source, pointer.surface) == (source, surface)
    page = result.pages[0].text if result.pages else text
    assert page[pointer.start : pointer.end] == pointer.surface


def test_an_inferred_subject_points_to_the_title() -> None:
    text = "NINH THUẬN: CHỈ SỐ PAR INDEX 2023\n\nTỉnh đạt 84,21%, xếp thứ 33/63."
    [metric] = metrics(text)
    [pointer] = [i for i in metric.inferred_from if i.field == "subject"]
    assert (metric.subject, pointer.source, pointer.surface, text[pointer.start : pointer.end]) == (
        "Ninh Thuận", "title", "NINH THUẬN", "NINH THUẬN")


def test_identify_reads_the_era_from_the_mark_the_total_and_the_period() -> None:
    assert identify("Gia Lai", "province", era="after", when=When(2024))[0].id == "province:Gia Lai (mới)"
    assert identify("Gia Lai", "province", when=When(2025, "2025-06"))[0].id == "province:Gia Lai (cũ)"
    assert identify("Gia Lai", "province", when=When(2025, "2025-07"))[0].id == "province:Gia Lai (mới)"
    assert identify("Gia Lai", "province")[0].id == "province:Gia Lai"  # no clue: the name alone
    huế = identify("Thừa Thiên Huế", "province", when=When(2025))[0]
    assert (huế.name, huế.id) == ("Huế", "province:Huế")


def test_rows_of_averages_in_a_table_are_aggregate_metrics_of_their_area() -> None:
    text = ("KẾT QUẢ CHỈ SỐ PAR INDEX NĂM 2023 CÁC TỈNH VÙNG TÂY NGUYÊN\n\n"
            "Tỉnh\tĐiểm (%)\tXếp hạng\n"
            "Lâm Đồng\t86,12\t20\n"
            "Kon Tum\t83,10\t45\n"
            "Trung bình vùng Tây Nguyên\t84,57\t-\n"
            "Trung bình cả nước\t85,01\t-\n")
    found = [(m.subject_id, m.aggregate, m.score, m.rank) for m in metrics(text)]
    assert found == [
        ("province:Lâm Đồng (cũ)", None, Decimal("86.12"), 20),
        ("province:Kon Tum", None, Decimal("83.10"), 45),
        ("region:Tây Nguyên", "average", Decimal("84.57"), None),
        ("country:Cả nước", "average", Decimal("85.01"), None),
    ]
