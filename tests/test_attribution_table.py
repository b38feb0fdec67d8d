"""The 归属地 table (domain/attribution_table.py) answers exactly as phonenumbers does."""

from __future__ import annotations

import random
import sqlite3
import threading

import phonenumbers
import pytest
from phonenumbers import PhoneNumberType, carrier, geocoder
from phonenumbers.geodata import GEOCODE_DATA

from voxdial.domain import attribution, attribution_table

# regions whose rules take the odd paths: a mobile token (AR, MX), a country code
# shared by several regions (NANPA, GB with its islands, RU/KZ, IT/VA), no zh names
OTHER_REGIONS = [
    "US", "CA", "JM", "BS", "GB", "GG", "JE", "IM", "RU", "KZ", "IT", "VA", "AR", "MX",
    "BR", "DE", "FR", "JP", "KR", "TW", "HK", "MO", "SG", "MY", "TH", "VN", "IN", "AU",
    "NZ", "ZA", "NG", "EG", "TR", "AE", "SA", "FI", "AX", "NO", "SJ", "CH", "NL", "ES",
]  # fmt: skip
TYPES = [PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE, PhoneNumberType.TOLL_FREE]


def reference(number: str) -> str:
    """What attribute_of gave before the table: the package's own answer in zh."""
    if not number.startswith("+") or len(number) > 20:
        return ""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(parsed):
        return ""
    parts = (
        geocoder.description_for_number(parsed, "zh"),
        carrier.name_for_number(parsed, "zh"),
    )
    return " ".join(p for p in parts if p)


def numbers(seed: int = 20261202) -> list[str]:
    """~4,000 numbers: Chinese mobiles and landlines, numbers of other countries made
    from their example numbers with random tails, and random digits after any code."""
    rng = random.Random(seed)
    out = [f"+861{rng.choice('3456789')}{rng.randrange(10**9):09d}" for _ in range(1500)]
    # landlines: the area codes phonenumbers knows, a local number of 7 or 8 digits
    areas = sorted(k[2:] for k in GEOCODE_DATA if k.startswith("86") and len(k) in (4, 5))
    areas = [a for a in areas if a[0] != "1" or a == "10"]
    for _ in range(1000):
        area = rng.choice(areas)
        local = rng.choice("2345678") + "".join(rng.choices("0123456789", k=10 - len(area)))
        out.append(f"+86{area}{local[: rng.choice((7, 8)) if len(area) == 3 else 8]}")
    for _ in range(1200):
        region, kind = rng.choice(OTHER_REGIONS), rng.choice(TYPES)
        example = phonenumbers.example_number_for_type(region, kind)
        if example is None:
            continue
        digits = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
        keep = rng.randrange(len(digits) - 4, len(digits))
        tail = "".join(rng.choice("0123456789") for _ in range(len(digits) - keep))
        out.append(digits[:keep] + tail)
    codes = sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)
    for _ in range(300):
        out.append(f"+{rng.choice(codes)}{rng.randrange(10**9):09d}")
    return out


@pytest.fixture(scope="module")
def table_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("attribution")
    attribution.use_cache_dir(path)
    yield path
    attribution.use_cache_dir(None)


def test_the_table_gives_phonenumbers_own_answers(table_dir):
    drawn = numbers()
    got = [attribution.attribute_of(n) for n in drawn]
    assert attribution._table is not None  # the table answered, not the fallback
    assert got == [reference(n) for n in drawn]
    # the draw reaches what the table holds: places with carriers, places alone,
    # countries abroad, and invalid numbers
    assert sum(" 中国" in g for g in got) > 1000
    assert sum(g.endswith("市") for g in got) > 300
    assert sum(g in {"美国", "加拿大", "英国", "阿根廷", "墨西哥"} for g in got) > 20
    assert got.count("") > 100


@pytest.mark.parametrize("number", ["+8612", "13912345678", "", "+", "+86abc", "+" + "1" * 25])
def test_bad_values_give_nothing(table_dir, number):
    assert attribution.attribute_of(number) == ""


def test_the_table_holds_only_zh_names(table_dir):
    db = sqlite3.connect(attribution.table_path())
    try:
        (beijing,) = db.execute("SELECT name FROM geo WHERE prefix = '8610'").fetchone()
        (us,) = db.execute("SELECT name FROM region WHERE code = 'US'").fetchone()
        english = db.execute("SELECT count(*) FROM geo WHERE prefix LIKE '1%'").fetchone()
    finally:
        db.close()
    assert (beijing, us) == ("北京市", "美国")
    assert english == (0,)  # US prefixes have English place names only: not kept


def test_builders_at_once_leave_one_whole_table(tmp_path):
    path = tmp_path / attribution_table.file_name()
    errors: list[BaseException] = []

    def build():
        try:
            attribution_table.build_in_child(path)
        except BaseException as exc:  # noqa: BLE001 - reported by the assert below
            errors.append(exc)

    threads = [threading.Thread(target=build) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left
    table = attribution_table.Table(path)
    try:
        assert table.place("8613912345") == "江苏省常州市"
        assert table.carrier("8613912345") == "中国移动"
    finally:
        table.close()


def test_a_broken_table_is_built_again(tmp_path):
    attribution.use_cache_dir(tmp_path)
    try:
        attribution.table_path().write_bytes(b"not a database")
        assert attribution.attribute_of("+8613912345678") == "江苏省常州市 中国移动"
        assert attribution._table is not None
    finally:
        attribution.use_cache_dir(None)


def test_without_a_table_the_package_answers(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    attribution.use_cache_dir(blocker / "cache")  # under a file: cannot be made
    try:
        assert attribution.attribute_of("+8613912345678") == "江苏省常州市 中国移动"
        assert attribution.attribute_of("+12025550123") == "美国"
        assert attribution._table is None
    finally:
        attribution.use_cache_dir(None)


def test_the_setting_places_the_table(tmp_path):
    from voxdial.runtime import Runtime
    from voxdial.settings import Settings

    settings = Settings(data_dir=tmp_path / "data", attribution_cache_dir=tmp_path / "cache")
    Runtime(settings)
    try:
        assert attribution.table_path().parent == tmp_path / "cache"
        attribution.preload()
        assert [p.name for p in (tmp_path / "cache").iterdir()] == [attribution_table.file_name()]
    finally:
        attribution.use_cache_dir(None)


def test_a_build_deletes_the_tables_of_other_versions(tmp_path):
    stale = [
        tmp_path / f"attribution-{attribution_table.LANGUAGE}-v1-phonenumbers-8.0.0.sqlite3",
        tmp_path / f"attribution-{attribution_table.LANGUAGE}-v2-phonenumbers-0.0.1.sqlite3",
    ]
    unrelated = [tmp_path / "attribution-notes.txt", tmp_path / "other.sqlite3"]
    for path in stale + unrelated:
        path.write_bytes(b"old")
    attribution.use_cache_dir(tmp_path)
    try:
        assert attribution.attribute_of("+8613800138000")
        names = sorted(p.name for p in tmp_path.iterdir())
        assert names == sorted([attribution_table.file_name(), *(p.name for p in unrelated)])
    finally:
        attribution.use_cache_dir(None)
