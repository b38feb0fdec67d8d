"""A phone number's 归属地 (where it is registered) and carrier, as the call records
show them (`calleeAttribute`, `callerAttribute`), from the offline geocoding and carrier
data of the phonenumbers package: no network, no account.

The text is the place, then a space, then the carrier: "江苏省常州市 中国移动". The place
is the most precise the data knows (a province and city in China; a country for numbers
abroad, "美国"); the carrier is the one the number's range was allocated to (a number
ported since still shows its first carrier), and landlines have none: "广东省广州市".
A part the data lacks is left out; a value that is not a valid number in E.164 form
(`+` and country code: what voxdial stores for every callee) gives "".

The data loads on first use, once per process: about 0.4-1.3 s and 100 MB (the package
keeps all of its geocoding data in memory); `preload()` loads it ahead, so that the
first call's webhook (built inside the outcome's transaction) does not wait for it.
Answers are cached per number.
"""

from __future__ import annotations

from functools import lru_cache

import phonenumbers
from phonenumbers import NumberParseException

LANGUAGE = "zh"


@lru_cache(maxsize=8192)
def attribute_of(number: str, *, language: str = LANGUAGE) -> str:
    """'<place> <carrier>' of an E.164 number, "" when there is nothing to tell."""
    if not number.startswith("+") or len(number) > 20:
        return ""
    try:
        parsed = phonenumbers.parse(number, None)
    except NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(parsed):
        return ""
    # imported here: the geocoding data costs ~100 MB, only for processes that use it
    from phonenumbers import carrier, geocoder

    place = geocoder.description_for_number(parsed, language)
    allocated = carrier.name_for_number(parsed, language)
    return " ".join(part for part in (place, allocated) if part)


def preload() -> None:
    """Load the geocoding and carrier data now (blocking: run it in a thread)."""
    attribute_of("+8613912345678")
