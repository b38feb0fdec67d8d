"""When a callee asks to be called back: the time said in a callback request, resolved
by `times.resolve` after the request is rewritten into the forms it reads.

People asking for a callback say the time the way they would to a friend: an hour in
words ("after six", "at five"), a delay they grant ("give me an hour"), a moment of
their day ("after work", "下班以后", "吃完午饭"), and often a time that does not suit
before the one that does ("今天不行 周四再打", "not now, call me after five").
`times.resolve` reads hours in words and delays itself, and gives each moment of the
day the hour a callback means (`time_words.PERIODS`: "下班以后" 18:00, "吃完午饭" 13:00;
a clock time said with it wins: "下班以后 七点"); the tables below drop the time that
does not suit and read "around seven" as an hour (times does so only where a time is
asked for). A callback without a time is still a callback.
"""

from __future__ import annotations

import re
from datetime import datetime

from voxdial.conversation import time_words as words
from voxdial.conversation import times
from voxdial.conversation.normalize import fold

# the twelve hours said as words ("noon" and "midnight" are left to times as they are)
_HOUR_OF = {word: words.EN_HOURS[word] for word in list(words.EN_HOURS)[:12]}
_HOUR_WORD = r"\b(" + "|".join(_HOUR_OF) + r")\b"

# a time that does not suit, said before the one that does: dropped before resolving
_RULED_OUT = re.compile(
    r"(今天|今儿|明天|现在|这会儿|上午|下午|中午|晚上|早上|这周|本周|周.|星期.|礼拜.)"
    r"(不行|不方便|没空|没时间|不可以|不太行|不太方便|不得空|够呛|不在|"
    r"(很|挺|太|比较|有点)?忙|有事|走不开|排满了)|"
    r"\b(i'?m|we'?re) (busy|out|away|working) "
    r"(today|tomorrow|this (morning|afternoon|evening|week)|now)\b|"
    r"\bnot (today|tomorrow|now|right now|this (morning|afternoon|evening|week)|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|"
    r"\b(today|tomorrow|this (morning|afternoon|evening|week)|now)('s| is| isn'?t)? "
    r"(no good|bad|not good|not great|won'?t work|doesn'?t work|out)\b"
)

_MORNING = re.compile(r"\bam\b|a\.m\.|早上|上午|morning")

# the forms `times.resolve` does not read by itself in a callback request; the rest
# ("after six", "give me an hour", "half past four", "five this evening") it reads as said
_REWRITES: tuple[tuple[str, str], ...] = (
    (r"半个(小时|钟头)", r"半\1"),  # "半个小时以后": half an hour, not one hour
    # "around seven" is an hour in a callback request (times reads "around N" as an
    # hour only where a time is asked for: "around two" to a 1-5 scale is a mark)
    (rf"\b(?:around|about|roughly) {_HOUR_WORD}", lambda m: f"at {_HOUR_OF[m.group(1)]}"),
    (r"\b(?:around|about|roughly) (\d{1,2})\b(?!\s*(?:days?|weeks?|minutes?|mins?|hours?))",
     r"at \1"),
)  # fmt: skip


def spoken(said: str) -> str:
    """The callback request rewritten for `times.resolve`."""
    text = fold(said)
    text = _RULED_OUT.sub(" ", text)
    for pattern, replacement in _REWRITES:
        text = re.sub(pattern, replacement, text)
    return re.sub(r"\s+", " ", text).strip()


def when(said: str, now: datetime) -> datetime | None:
    """The time a callback request names, relative to `now`; None when it names none.
    A bare hour already past this morning is this evening's ("call back after eight"
    at ten: 20:00 today, not 08:00 tomorrow)."""
    text = spoken(said)
    at = times.resolve(text, now)
    st = times.parse(text)
    bare = st.hour is not None and st.hour < 12 and st.day_offset is None and st.weekday is None
    if at is None or not bare or st.period is not None or _MORNING.search(text):
        return at
    evening = now.replace(hour=st.hour + 12, minute=st.minute, second=0, microsecond=0)
    if at.date() > now.date() and now < evening and evening.hour <= 21:
        return evening
    return at
