"""`PhoneNormalizer` agrees with plain phonenumbers on every input, fast path or not."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from voxdial.domain.phone import InvalidPhone, PhoneNormalizer, mask

CN = PhoneNormalizer("CN")


def reference(text: str) -> str | None:
    """What phonenumbers alone says: E.164, or None for a number it refuses."""
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def ours(text: str) -> str | None:
    try:
        out = CN.normalize(text)
    except InvalidPhone as e:
        assert e.reason, "an InvalidPhone without a reason"
        return None
    assert out.startswith("+") and out[1:].isdigit(), out
    return out


SEPARATORS = st.sampled_from(["", "", "", " ", "-", ".", "  ", "\t", "\u3000", "\u00a0"])
PREFIXES = st.sampled_from(["", "", "+86", "+86 ", "0086", "0086-", "86", "+", "00", "+8 6"])


@st.composite
def separated(draw, digits: str) -> str:
    """`digits` with a separator drawn before each one (most are empty)."""
    return "".join(draw(SEPARATORS) + d for d in digits).strip()


@st.composite
def mobile_shaped(draw) -> str:
    second = draw(st.sampled_from("0123456789"))
    rest = draw(st.text("0123456789", min_size=9, max_size=9))
    length_tweak = draw(st.sampled_from(["", "", "", "drop", "add"]))
    national = "1" + second + rest
    if length_tweak == "drop":
        national = national[:-1]
    elif length_tweak == "add":
        national += draw(st.sampled_from("0123456789"))
    return draw(PREFIXES) + draw(separated(national))


@st.composite
def random_digits(draw) -> str:
    digits = draw(st.text("0123456789", min_size=5, max_size=16))
    return draw(st.sampled_from(["", "", "+", "00", "0", "+86", "0086"])) + digits


@st.composite
def landline_shaped(draw) -> str:
    area = draw(
        st.one_of(
            st.sampled_from(["10", "20", "21", "22", "23", "24", "25", "27", "28", "29"]),
            st.sampled_from(["311", "371", "431", "510", "571", "591", "755", "769", "898"]),
            st.text("0123456789", min_size=2, max_size=3),
        )
    )
    local = draw(st.text("0123456789", min_size=6, max_size=9))
    style = draw(st.sampled_from(["plain", "dash", "paren", "intl", "intl00", "space"]))
    if style == "dash":
        return f"0{area}-{local}"
    if style == "paren":
        return f"(0{area}) {local[:4]} {local[4:]}"
    if style == "intl":
        return f"+86 {area} {local}"
    if style == "intl00":
        return f"0086{area}{local}"
    if style == "space":
        return f"0{area} {local}"
    return f"0{area}{local}"


@pytest.mark.slow
@given(st.one_of(mobile_shaped(), random_digits(), landline_shaped()))
@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example("13912345678")
@example("+86 139 1234 5678")
@example("0086-139-1234-5678")
@example("010-62345678")
@example("(021) 6234 5678")
@example("+86 10 6234 5678")
@example("12345")
@example("+8613912345678")
@example("861391234567")
@example("17012345678")
@example("19912345678")
@example("400 123 4567")
@example("95588")
def test_fast_path_agrees_with_phonenumbers(text):
    assert ours(text) == reference(text), text


@given(st.text(max_size=30))
@settings(max_examples=500, deadline=None)
def test_any_text_either_normalises_or_raises_invalid_phone(text):
    got = ours(text)
    if got is not None and len(text.strip()) <= 64:
        assert got == reference(text.strip()), text


@pytest.mark.parametrize(
    "raw, e164",
    [
        ("13912345678", "+8613912345678"),
        (" +86 139 1234 5678 ", "+8613912345678"),
        ("0086 139-1234-5678", "+8613912345678"),
        ("139.1234.5678", "+8613912345678"),
        ("010-62345678", "+861062345678"),
        ("(021) 6234 5678", "+862162345678"),
        ("0755 8888 6666", "+8675588886666"),
        (13912345678, "+8613912345678"),
        (13912345678.0, "+8613912345678"),
        ("+1 650-253-0000", "+16502530000"),
    ],
)
def test_known_forms(raw, e164):
    assert CN.normalize(raw) == e164


@pytest.mark.parametrize(
    "raw", ["", "   ", None, "abc", "12345", "1391234567", "139123456789", "+999 1234", "1" * 70]
)
def test_invalid_forms_raise_with_a_reason(raw):
    with pytest.raises(InvalidPhone) as info:
        CN.normalize(raw)
    assert info.value.reason


def test_mask_keeps_only_country_code_and_last_two_digits():
    assert mask("+8613912345678") == "+86*********78"
    assert "1234" not in mask("+8613912345678")
    assert mask("+861") == "***"
