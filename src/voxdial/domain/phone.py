"""Phone number normalisation to E.164.

`PhoneNormalizer.normalize()` accepts what operators paste into spreadsheets: `+86`,
`0086`, spaces, dashes, dots and brackets, landlines with area codes. It returns E.164 or
raises `InvalidPhone` with a reason.

The phonenumbers library decides every answer. Parsing with it costs ~40 µs a number,
too slow for million-row imports, so the common shape (a national mobile number of the
default region, optionally behind `+CC` or `00CC`) takes a fast path: the validity test
is compiled once per region from the library's own metadata into a single regular
expression, mirroring `phonenumbers`' number-type check. Any input whose parse could be
ambiguous (it starts like an international or carrier prefix) goes the slow way. The
test suite checks that both paths agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import NumberParseException, PhoneMetadata

_SEPARATORS = str.maketrans("", "", " -().\u00a0\u3000\u2010\u2011\u2012\u2013\u2014")
# the ASCII ones, for bytes.translate: on ASCII text it deletes them several times
# faster than str.translate does
_ASCII_SEPARATORS = bytes(c for c in _SEPARATORS if c < 128)
# Mobile first: order does not change validity, and most numbers dialled are mobiles.
_TYPE_DESCS = (
    "mobile",
    "premium_rate",
    "toll_free",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
    "fixed_line",
)


class InvalidPhone(ValueError):
    """The value is not a dialable phone number; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class _Region:
    country_code: str
    plus_cc: str  # "+86"
    idd_cc: str  # "0086"
    # A valid national number whose start cannot be read as an international or national
    # prefix: one regular expression, so one match call per number.
    national: re.Pattern[str]


def _desc_regex(desc, general_lengths: tuple[int, ...]) -> str | None:
    if desc is None or not desc.national_number_pattern:
        return None
    lengths = [n for n in (desc.possible_length or general_lengths) if n > 0]
    if not lengths:
        return None
    return rf"(?=(?:{_length_check(lengths)})$)(?:{desc.national_number_pattern})$"


def _length_check(lengths: list[int]) -> str:
    r"""Runs of consecutive lengths as ranges (`\d{7,12}`, not `\d{7}|\d{8}|...`): the same
    test with less backtracking."""
    runs: list[list[int]] = []
    for n in sorted(set(lengths)):
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    return "|".join(rf"\d{{{a}}}" if a == b else rf"\d{{{a},{b}}}" for a, b in runs)


def _compile_region(region: str) -> _Region | None:
    md: PhoneMetadata | None = PhoneMetadata.metadata_for_region(region)
    if md is None or md.general_desc is None:
        return None
    general_lengths = tuple(md.general_desc.possible_length or ())
    general = _desc_regex(md.general_desc, general_lengths)
    types = [r for r in (_desc_regex(getattr(md, a), general_lengths) for a in _TYPE_DESCS) if r]
    if general is None or not types:
        return None
    valid = rf"(?={general})(?:{'|'.join(f'(?:{t})' for t in types)})"
    prefixes = [p for p in (md.international_prefix, md.national_prefix_for_parsing) if p]
    prefixes.append("0")
    ambiguous = "|".join(f"(?:{p})" for p in prefixes)
    cc = str(md.country_code)
    return _Region(cc, f"+{cc}", f"00{cc}", re.compile(f"(?!{ambiguous}){valid}"))


class PhoneNormalizer:
    """Normalises raw phone strings of one default region to E.164."""

    def __init__(self, default_region: str = "CN") -> None:
        self.default_region = default_region.upper()
        self._region = _compile_region(self.default_region)

    def normalize(self, raw: object) -> str:
        if isinstance(raw, str):
            text = raw.strip()
        elif isinstance(raw, float) and raw.is_integer():
            text = str(int(raw))  # spreadsheets store long digit strings as floats
        elif raw is None:
            raise InvalidPhone("empty")
        else:
            text = str(raw).strip()
        if not text:
            raise InvalidPhone("empty")
        if text.isdigit():
            digits = text
        elif text.isascii():
            digits = text.encode().translate(None, _ASCII_SEPARATORS).decode()
        else:
            digits = text.translate(_SEPARATORS)
        fast = self._fast(digits)
        if fast is not None:
            return fast
        return self._slow(text)

    def _fast(self, digits: str) -> str | None:
        region = self._region
        if region is None:
            return None
        if digits.startswith(region.plus_cc):
            national = digits[len(region.plus_cc) :]
        elif digits.startswith(region.idd_cc):
            national = digits[len(region.idd_cc) :]
        else:
            national = digits
        if national.isdigit() and national.isascii() and region.national.match(national):
            return region.plus_cc + national
        return None

    def _slow(self, text: str) -> str:
        if len(text) > 64:
            raise InvalidPhone("too long")
        try:
            number = phonenumbers.parse(text, self.default_region)
        except NumberParseException as e:
            raise InvalidPhone(_PARSE_REASONS.get(e.error_type, "not a phone number")) from e
        if not phonenumbers.is_valid_number(number):
            raise InvalidPhone("not a valid number")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


_PARSE_REASONS = {
    NumberParseException.INVALID_COUNTRY_CODE: "unknown country code",
    NumberParseException.NOT_A_NUMBER: "not a phone number",
    NumberParseException.TOO_SHORT_AFTER_IDD: "too short",
    NumberParseException.TOO_SHORT_NSN: "too short",
    NumberParseException.TOO_LONG: "too long",
}


def mask(e164: str) -> str:
    """A form safe for logs: country code and last two digits only."""
    if len(e164) <= 5:
        return "***"
    return e164[:3] + "*" * (len(e164) - 5) + e164[-2:]
