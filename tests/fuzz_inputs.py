"""Vietnamese-like fuzz inputs for extract_text, and the properties every output must keep.

Shared by tests/test_fuzz.py (hypothesis draws the random choices, so failures shrink) and
bench/fuzz.py (the long run, from a seeded :class:`random.Random`). Every generator takes
``rng``, anything with ``random()``, ``randint()`` and ``choice()``: both kinds qualify.

A document is a list of fragments, each made by a *family* (a score, a rank, a legal
reference, a table row...) and then bent by a *mutation* (NFD, zero-width characters,
repetition, nesting...), joined by separators that make sentences, lines, paragraphs and
table cells. Hostile mutations (lone surrogates, numbers of hundreds of digits) are kept
apart so that the suite can check them on their own while they are open findings.
"""

from __future__ import annotations

import json
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from extractor.errors import InputError
from extractor.normalize import normalize
from extractor.output import render
from extractor.pipeline import extract_text
from extractor.records import Extraction


class Rng(Protocol):
    def random(self) -> float: ...
    def randint(self, a: int, b: int) -> int: ...
    def choice(self, seq: Sequence[Any]) -> Any: ...


# --- words ------------------------------------------------------------------------------

SUBJECTS = (
    "tỉnh Quảng Trị", "tỉnh Gia Lai", "thành phố Hà Nội", "TP. Hồ Chí Minh", "tỉnh Hòa Bình", "tỉnh Khánh Hoà",
    "huyện Châu Thành", "thị xã Quảng Trị", "Sở Nội vụ", "Sở Tư pháp", "Bộ Tài chính", "cả nước", "UBND tỉnh",
    "xã Tân Phú", "Đồng bằng sông Cửu Long", "tỉnh Thừa Thiên Huế", "thành phố Huế", "quận 1", "tỉnh Điện Biên",
)
INDICATORS = (
    "Chỉ số CCHC", "Chỉ số cải cách hành chính (PAR INDEX)", "Chỉ số SIPAS", "chỉ số hài lòng", "PAPI", "Chỉ số PCI",
    "ICT Index", "Chỉ số chuyển đổi số (DTI)", "PAR Index", "chỉ số năng lực cạnh tranh",
)
FILLER = (
    "công tác", "cải cách hành chính", "tiếp tục được", "triển khai", "so với cùng kỳ", "theo kết quả công bố",
    "trong đó", "bên cạnh đó", "nhìn chung", "các cơ quan", "đơn vị", "hồ sơ", "trực tuyến", "người dân", "doanh nghiệp",
    "đã", "và", "của", "với", "là", "được", "cao hơn", "thấp hơn", "bình quân", "khoảng", "gần", "trên", "dưới",
)
UNITS = ("thủ tục hành chính", "hồ sơ", "máy tính", "người", "xã", "dịch vụ công", "văn bản", "cuộc họp", "đơn vị")
DOC_TYPES = (("Nghị định", "NĐ-CP"), ("Quyết định", "QĐ-UBND"), ("Thông tư", "TT-BNV"), ("Nghị quyết", "NQ-CP"),
             ("Kế hoạch", "KH-UBND"), ("Chỉ thị", "CT-TTg"), ("Quyết định", "QĐ-TTg"))
SYMBOLS = ("%", "‰", "±", "~", "≥", "≤", ">", "<", "(", ")", "[", "]", "/", "–", "—", "…", "“", "”", "«", "»", "°", "×",
           "+", "-", "*", "#", "&", ";", ":", "'", '"', "|", "\\", "§", "€", "₫", "·", "•")
SEPARATORS = (" ", " ", ", ", ". ", "; ", "\n", "\n\n", "\t", " - ", ": ", "\n- ", "\n+ ", "\n1. ", "", "\r\n", "\f")
ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad")
CONTROLS = tuple(chr(c) for c in [*range(0, 9), 11, 12, *range(14, 32), 127, 0x85]) + ("\u2028", "\u2029", "\r", "\v")
ODD_SPACES = ("\u00a0", "\u202f", "\u2009", "\u3000", "\t", "  ")
ODD_DIGITS = ("١٢٣", "１２", "²", "½", "߂", "⁵", "৪")


def pick(rng: Rng, options: Sequence[Any]) -> Any:
    return options[rng.randint(0, len(options) - 1)]


# --- numbers ----------------------------------------------------------------------------


def integer(rng: Rng, digits: int | None = None) -> str:
    """Digits as reports write them: plain, or grouped with dots or spaces."""
    digits = digits or pick(rng, (1, 1, 2, 2, 3, 4, 5, 7))
    text = str(rng.randint(1 if digits > 1 else 0, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(digits - 1))
    if digits > 3 and rng.random() < 0.4:
        sep = pick(rng, (".", ",", " ", "\u00a0"))
        head = len(text) % 3 or 3
        text = sep.join([text[:head]] + [text[i : i + 3] for i in range(head, len(text), 3)])
    return text


def decimal(rng: Rng) -> str:
    whole = integer(rng, pick(rng, (1, 2, 2, 3)))
    return whole + pick(rng, (",", ",", ".")) + integer(rng, pick(rng, (1, 2, 2, 3)))


def number(rng: Rng) -> str:
    roll = rng.random()
    if roll < 0.45:
        return decimal(rng)
    if roll < 0.9:
        return integer(rng)
    return pick(rng, ("0", "00", "-3", "+2", "1e5", "0,0", "100,00", "99,99", "1.000.000", "0.5", ",5", "5,")) + (
        pick(rng, ODD_DIGITS) if rng.random() < 0.3 else "")


def huge_number(rng: Rng) -> str:
    """Past any real value: 16 to a few thousand digits, sometimes with a decimal comma."""
    digits = pick(rng, (16, 17, 19, 20, 25, 40, 300, 4301, 5000))
    text = "1" + "".join(pick(rng, "0123456789") for _ in range(digits - 1))
    if rng.random() < 0.4:
        cut = rng.randint(1, len(text) - 1)
        text = text[:cut] + pick(rng, (",", ".")) + text[cut:]
    return text


def year(rng: Rng) -> str:
    return str(rng.randint(1990, 2030)) if rng.random() < 0.9 else str(rng.randint(0, 9999))


# --- fragment families --------------------------------------------------------------------


def score(rng: Rng) -> str:
    n = number(rng)
    return pick(rng, (f"đạt {n} điểm", f"{pick(rng, INDICATORS)} năm {year(rng)} đạt {n}/100 điểm", f"với {n} điểm",
                      f"{pick(rng, SUBJECTS)} đạt {n} điểm", f"đạt {n}%", f"điểm số {n}"))


def rank(rng: Rng) -> str:
    n, total = integer(rng, pick(rng, (1, 2))), pick(rng, ("63", "34", "63", "19", "700", integer(rng)))
    return pick(rng, (f"xếp thứ {n}/{total}", f"đứng thứ {n} trên {total} tỉnh, thành phố", f"xếp hạng {n}",
                      f"xếp vị trí thứ {n}/{total} tỉnh", f"đứng đầu {total} tỉnh", f"xếp thứ {n} cả nước"))


def change(rng: Rng) -> str:
    n, verb = number(rng), pick(rng, ("tăng", "giảm", "tụt", "vượt"))
    return pick(rng, (f"{verb} {integer(rng, 1)} bậc so với năm {year(rng)}", f"{verb} {n} điểm so với năm {year(rng)}",
                      f"{verb} {integer(rng, 1)} hạng", f"{verb} {n} điểm", f"{verb} {n}% so với cùng kỳ"))


def percent(rng: Rng) -> str:
    a, b = number(rng), number(rng)
    return pick(rng, (f"{a}%", f"tỷ lệ {a} %", f"đạt {a} phần trăm", f"từ {a}% đến {b}%", f"trên {a}%",
                      f"{a}-{b}%", f"đạt tỷ lệ {a}%", f"chiếm {a}% tổng số", f"{a}‰"))


def count(rng: Rng) -> str:
    n = integer(rng)
    return pick(rng, (f"{n} {pick(rng, UNITS)}", f"khoảng {n} {pick(rng, UNITS)}", f"tổng số {n} {pick(rng, UNITS)}",
                      f"{n}/{integer(rng)} {pick(rng, UNITS)}", f"{n} trên {integer(rng)} {pick(rng, UNITS)}"))


def money(rng: Rng) -> str:
    n = number(rng)
    return pick(rng, (f"{n} tỷ đồng", f"{n} triệu đồng", f"{integer(rng)} đồng", f"{n} nghìn tỷ đồng", f"{n} tỉ đồng",
                      f"{n} tr.đ", f"{n} VNĐ"))


def date(rng: Rng) -> str:
    d, m, y = str(rng.randint(0, 32)), str(rng.randint(0, 13)), year(rng)
    return pick(rng, (f"ngày {d}/{m}/{y}", f"ngày {d} tháng {m} năm {y}", f"tháng {m}/{y}", f"năm {y}",
                      f"ngày {d}-{m}-{y}", f"quý {rng.randint(0, 5)}/{y}", f"{d}/{m}/{y}"))


def period(rng: Rng) -> str:
    a, b = year(rng), year(rng)
    return pick(rng, (f"giai đoạn {a}-{b}", f"từ năm {a} đến nay", f"{a} – {b}", f"giai đoạn {a} - {b}",
                      f"từ năm {a} đến năm {b}", f"nhiệm kỳ {a}-{b}"))


def legal_ref(rng: Rng) -> str:
    kind, code = pick(rng, DOC_TYPES)
    n, y = integer(rng, pick(rng, (2, 3, 4))), year(rng)
    return pick(rng, (f"{kind} số {n}/{y}/{code}", f"{kind} số {n}/{code} ngày {date(rng)[5:]}", f"{kind} {n}/{y}/{code}",
                      f"Khoản {integer(rng, 1)}, Điều {integer(rng, 2)} {kind} số {n}/{y}/{code}",
                      "Luật Ngân sách nhà nước", f"{kind} số {n}/{code}"))


def listing(rng: Rng) -> str:
    """A "lần lượt" list: names and values paired by position."""
    size = rng.randint(1, 5)
    names = ", ".join(pick(rng, SUBJECTS) for _ in range(size))
    values = ", ".join(number(rng) for _ in range(rng.randint(1, 5)))
    tail = pick(rng, ("điểm", "%", "", "bậc"))
    return f"{names} lần lượt đạt {values} {tail}".strip()


def table(rng: Rng) -> str:
    """Rows set out with tabs, sometimes ragged."""
    rows = ["STT\tĐơn vị\tĐiểm\tXếp hạng"]
    for i in range(rng.randint(1, 6)):
        cells = [str(i + 1), pick(rng, SUBJECTS), number(rng), integer(rng, 1)]
        rows.append("\t".join(cells[: rng.randint(1, 4)] if rng.random() < 0.2 else cells))
    return "\n".join(rows)


def prose(rng: Rng) -> str:
    words = [pick(rng, FILLER) for _ in range(rng.randint(1, 8))]
    if rng.random() < 0.3:
        words.insert(0, pick(rng, INDICATORS) + " " + year(rng))
    if rng.random() < 0.3:
        words.append(pick(rng, SUBJECTS))
    return " ".join(words)


def heading(rng: Rng) -> str:
    return pick(rng, ("I. KẾT QUẢ", "II.", "1.", "a)", "PHẦN THỨ NHẤT", "Kết quả năm " + year(rng), "BÁO CÁO",
                      "KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM " + year(rng)))


def noise(rng: Rng) -> str:
    """Symbols, digits and stray letters with no sense."""
    parts = [pick(rng, (pick(rng, SYMBOLS), number(rng), pick(rng, FILLER), pick(rng, ODD_DIGITS), "đ", "Đ"))
             for _ in range(rng.randint(1, 8))]
    return pick(rng, ("", " ")).join(parts)


def wide_unicode(rng: Rng) -> str:
    """Any code point but surrogates: letters, marks, emoji, private use."""
    out = []
    for _ in range(rng.randint(1, 12)):
        c = rng.randint(0, 0x10FFFF)
        out.append(chr(c) if not 0xD800 <= c <= 0xDFFF else "?")
    return "".join(out)


FAMILIES: dict[str, Callable[[Rng], str]] = {
    "score": score, "rank": rank, "change": change, "percent": percent, "count": count, "money": money, "date": date,
    "period": period, "legal_ref": legal_ref, "listing": listing, "table": table, "prose": prose, "heading": heading,
    "noise": noise, "wide_unicode": wide_unicode,
}


# --- mutations ------------------------------------------------------------------------------


def _insert(rng: Rng, text: str, options: Sequence[str], times: int) -> str:
    for _ in range(times):
        at = rng.randint(0, len(text))
        text = text[:at] + pick(rng, options) + text[at:]
    return text


def nfd_words(rng: Rng, text: str) -> str:
    """Some words decomposed (NFD), the rest left composed: one text, two normal forms."""
    return " ".join(unicodedata.normalize("NFD", w) if rng.random() < 0.5 else w for w in text.split(" "))


def repeat(rng: Rng, text: str) -> str:
    return pick(rng, (" ", ", ", "", "\n", " và ")).join([text] * rng.randint(2, 40))


def nest(rng: Rng, text: str) -> str:
    inner = FAMILIES[pick(rng, tuple(FAMILIES))](rng)
    at = rng.randint(0, len(text))
    return text[:at] + pick(rng, ("(", "[", " (", "“")) + inner + pick(rng, (")", "]", ") ", "”")) + text[at:]


def truncate(rng: Rng, text: str) -> str:
    return text[: rng.randint(0, len(text))] if rng.random() < 0.5 else text[rng.randint(0, len(text)) :]


def nfd_tone_swap(rng: Rng, text: str) -> str:
    return text.replace("òa", "oà").replace("ỏe", "oẻ").replace("ủy", "uỷ") if rng.random() < 0.5 else unicodedata.normalize("NFD", text)


def glue(rng: Rng, text: str) -> str:
    """Spaces dropped or doubled around numbers: "đạt81,42điểm"."""
    return text.replace(" ", pick(rng, ("", "  ", "\u00a0", "\t")))


MUTATIONS: dict[str, Callable[[Rng, str], str]] = {
    "none": lambda rng, text: text,
    "nfd": lambda rng, text: unicodedata.normalize("NFD", text),
    "nfd_words": nfd_words,
    "tone_swap": nfd_tone_swap,
    "zero_width": lambda rng, text: _insert(rng, text, ZERO_WIDTH, rng.randint(1, 4)),
    "control": lambda rng, text: _insert(rng, text, CONTROLS, rng.randint(1, 3)),
    "odd_space": lambda rng, text: _insert(rng, text, ODD_SPACES, rng.randint(1, 3)),
    "symbol": lambda rng, text: _insert(rng, text, SYMBOLS, rng.randint(1, 3)),
    "repeat": repeat,
    "nest": nest,
    "truncate": truncate,
    "upper": lambda rng, text: text.upper(),
    "glue": glue,
}
# The inputs behind open findings: kept out of the ordinary mix until fixed (see test_fuzz.py).
HOSTILE_MUTATIONS: dict[str, Callable[[Rng, str], str]] = {
    "surrogate": lambda rng, text: _insert(rng, text, ("\ud800", "\udfff", "\udc80"), 1),
    "huge_number": lambda rng, text: _insert(rng, text, (huge_number(rng) + pick(rng, ("", " điểm", " tỷ đồng", "%", " người")),), 1),
}


def fragment(rng: Rng, family: str, mutation: str) -> str:
    mutate = MUTATIONS.get(mutation) or HOSTILE_MUTATIONS[mutation]
    return mutate(rng, FAMILIES[family](rng))


def document(rng: Rng, *, max_chars: int = 2000, hostile: bool = False) -> str:
    """A document of fragments up to about ``max_chars`` (a repeated fragment may go past)."""
    mutations = tuple(MUTATIONS) + tuple(MUTATIONS)[:1] * 6 + (tuple(HOSTILE_MUTATIONS) if hostile else ())
    parts: list[str] = []
    size = 0
    target = rng.randint(1, max_chars)
    while size < target:
        piece = fragment(rng, pick(rng, tuple(FAMILIES)), pick(rng, mutations)) + pick(rng, SEPARATORS)
        parts.append(piece)
        size += len(piece)
    return "".join(parts)


# --- properties -------------------------------------------------------------------------------


@dataclass
class Checked:
    """What one input gave: the extraction (None when refused) and each property broken."""

    extraction: Extraction | None
    problems: list[tuple[str, str]] = field(default_factory=list)  # (property, detail)
    seconds: float = 0.0  # the first extraction alone


def record_problems(extraction: Extraction, pages: dict[int, str]) -> list[tuple[str, str]]:
    """Offsets of every record: ``text[start:end] == surface``, in the page or its cell."""
    problems = []
    for r in extraction.records:
        source = r.cell_text if r.cell_text is not None else pages.get(r.page)
        if source is None or not 0 <= r.start <= r.end <= len(source) or source[r.start : r.end] != r.surface:
            got = None if source is None else source[r.start : r.end]
            problems.append(("offsets", f"record {r.id}: surface {r.surface!r} but the text there is {got!r}"))
    ids = [r.id for r in extraction.records]
    if len(set(ids)) != len(ids):
        problems.append(("ids", f"record ids repeat: {sorted(i for i in set(ids) if ids.count(i) > 1)[:3]}"))
    return problems


def metric_problems(extraction: Extraction, pages: dict[int, str]) -> list[tuple[str, str]]:
    """Every metric's span lies in its page, its evidence names records, its inferences quote the page."""
    problems = []
    ids = {r.id for r in extraction.records}
    for m in extraction.metrics:
        text = pages.get(m.page)
        if text is None or not 0 <= m.start <= m.end <= len(text):
            problems.append(("offsets", f"metric {m.id}: span {m.start}:{m.end} outside page {m.page}"))
        if not set(m.evidence) <= ids:
            problems.append(("evidence", f"metric {m.id}: evidence {sorted(set(m.evidence) - ids)} names no record"))
        for inf in m.inferred_from:
            source = pages.get(inf.page)
            if source is None or source[inf.start : inf.end] != inf.surface or not 0 <= inf.start <= inf.end <= len(source):
                got = None if source is None else source[inf.start : inf.end]
                problems.append(("offsets", f"metric {m.id}: inferred {inf.field} {inf.surface!r} but the text there is {got!r}"))
    metric_ids = [m.id for m in extraction.metrics]
    if len(set(metric_ids)) != len(metric_ids):
        problems.append(("ids", "metric ids repeat"))
    return problems


# The schema ``cli.py schema`` prints. jsonschema is not a dependency, so the keywords that
# pydantic's schema uses are checked by :func:`schema_errors` below.
SCHEMA = Extraction.model_json_schema(mode="serialization")
_JSON_TYPES: dict[str, Callable[[Any], bool]] = {
    "object": lambda v: isinstance(v, dict), "array": lambda v: isinstance(v, list), "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool), "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def _object_errors(value: Any, schema: dict, path: str) -> list[str]:
    errors = [f"{path}: missing {key}" for key in schema.get("required", ()) if key not in value]
    properties = schema.get("properties", {})
    for key, item in value.items():
        if key in properties:
            errors += schema_errors(item, properties[key], f"{path}.{key}")
        elif schema.get("additionalProperties") is False:
            errors.append(f"{path}: unexpected {key}")
    return errors


def schema_errors(value: Any, schema: dict, path: str = "$") -> list[str]:
    """Where ``value`` breaks ``schema`` (the subset of JSON Schema that pydantic writes)."""
    if "$ref" in schema:
        return schema_errors(value, SCHEMA["$defs"][schema["$ref"].rsplit("/", 1)[1]], path)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            passing = sum(not schema_errors(value, option, path) for option in schema[key])
            if passing == 0 or (key == "oneOf" and passing > 1):
                return [f"{path}: {passing} of the {key} options fit {str(value)[:60]!r}"]
    if "type" in schema and not _JSON_TYPES[schema["type"]](value):
        return [f"{path}: {type(value).__name__} where the schema says {schema['type']}"]
    if ("const" in schema and value != schema["const"]) or ("enum" in schema and value not in schema["enum"]):
        return [f"{path}: {value!r} not allowed"]
    if "minimum" in schema and value < schema["minimum"]:
        return [f"{path}: {value!r} under {schema['minimum']}"]
    if isinstance(value, dict):
        return _object_errors(value, schema, path)
    if isinstance(value, list) and "items" in schema:
        return [e for i, item in enumerate(value) for e in schema_errors(item, schema["items"], f"{path}[{i}]")]
    return []


def schema_problems(extraction: Extraction) -> list[tuple[str, str]]:
    """The JSON the CLI writes fits the JSON Schema and reads back into the model unchanged."""
    written = render([extraction], "jsonl", as_array=False)
    data = json.loads(written)
    problems = [("schema", error) for error in schema_errors(data, SCHEMA)[:5]]
    if render([Extraction.model_validate(data)], "jsonl", as_array=False) != written:
        problems.append(("schema", "the written JSON does not read back to the same JSON"))
    return problems


def check(text: str) -> Checked:
    """Extract twice and test every property. Exceptions other than a refusal of blank text propagate."""
    started = time.perf_counter()
    try:
        first = extract_text(text, include_text=True)
    except InputError as error:
        blank = not normalize(text).text.strip()
        return Checked(None, [] if blank and error.reason == "no text" else [("refused", str(error))], time.perf_counter() - started)
    seconds = time.perf_counter() - started
    assert first.pages is not None
    pages = {p.number: p.text for p in first.pages}
    problems = record_problems(first, pages) + metric_problems(first, pages) + schema_problems(first)
    second = extract_text(text)
    if second.model_dump_json() != first.model_copy(update={"pages": None}).model_dump_json():
        problems.append(("determinism", "a second extraction of the same text differs"))
    return Checked(first, problems, seconds)
