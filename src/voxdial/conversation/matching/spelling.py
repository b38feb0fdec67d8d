"""An answer heard slightly wrong: a near spelling (rapidfuzz), the same sound (toneless
pinyin: "一班" for 一般), or its last character dropped ("不满" for 不满意)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from voxdial.conversation.matching.cues import NEGATION, negated_before
from voxdial.conversation.matching.match import Heard, Match
from voxdial.conversation.matching.outright import a_not_a

if TYPE_CHECKING:
    from voxdial.conversation.matching.answers import AnswerSet

# a thing used ("on my phone", "on the computer"): not the answer that names it
_DEVICE = re.compile(r"\bon my (phone|mobile|cell|computer|laptop|tablet|ipad)\b")
# an acronym answer's key, its letters spaced ("i t" of IT; see AnswerSet)
_LETTERS = re.compile(r"[a-z]( [a-z])+")
FUZZY_THRESHOLD = 75
FUZZY_COVER = 1 / 3  # of the reply's words (characters in Mandarin) the answer spans


@lru_cache(maxsize=4096)
def _pinyin(text: str) -> tuple[str, ...]:
    from pypinyin import lazy_pinyin

    return tuple(lazy_pinyin(text))


def sounds_of(keys: list[str]) -> list[tuple[str, ...] | None]:
    """Each Mandarin answer's toneless pinyin ("5分" spelled 五分 first); None for the
    others."""
    spelled = [
        re.sub(r"\d", lambda d: "零一两三四五六七八九"[int(d.group(0))], k)
        if re.fullmatch(r"\d[\u4e00-\u9fff]", k)
        else k
        for k in keys
    ]
    return [_pinyin(k) if re.fullmatch("[\u4e00-\u9fff]{2,}", k) else None for k in spelled]


def fuzzy(a: AnswerSet, heard: Heard) -> Match | None:
    text = heard.text
    if NEGATION.search(text):
        return None
    best, best_score = None, 0.0
    used = {m.group(1) for m in _DEVICE.finditer(text)}
    for i, key in enumerate(a.keys):
        if len(key) < 3 or used & set(key.split()):
            continue  # "on my phone" is the device used, not the answer "by phone"
        if _LETTERS.fullmatch(key):
            continue  # an acronym's letters ("i t" of IT): "i'd like it" is not near it
        score = fuzz.partial_ratio(key, text) if len(text) >= len(key) else fuzz.ratio(key, text)
        if score > best_score:
            best, best_score = i, score
    if best is not None and best_score >= FUZZY_THRESHOLD and _covers(a.keys[best], text):
        return a.pick(best, "fuzzy", best_score / 100)
    return None


def _covers(key: str, text: str) -> bool:
    """A near spelling counts only as a good part of the reply ("wensday", "e-mail I
    guess"), not as one word of a longer reply about something else ("autopay from my
    checking account" is not Check)."""
    if key.isascii():
        return len(key.split()) / max(1, len(text.split())) >= FUZZY_COVER
    return len(key) / max(1, len(text)) >= FUZZY_COVER


# a count of 个 going on into a span of time ("两个月", "三个小时", "两个星期"): a
# duration, not the count "2个" a question offers
_SPAN_AFTER_GE = re.compile(r"^(?:月|小时|钟头|星期|礼拜|季度|工作日|周)")


def _counts_span(key: str, run: str, end: int) -> bool:
    """Whether the sound of the count answer `key` ("2个"), heard in `run` up to `end`,
    is the start of a span of time ("出国两个月")."""
    return bool(re.fullmatch(r"\d个", key)) and bool(_SPAN_AFTER_GE.match(run[end:]))


def sounds(a: AnswerSet, heard: Heard) -> Match | None:
    """A run of characters that sounds like an answer (toneless pinyin)."""
    found = set()
    for i, want in enumerate(a.sounds):
        if want is None:
            continue
        n = len(want)
        for run in re.findall("[\u4e00-\u9fff]+", heard.text):
            heard_as = _pinyin(run)
            for j in range(len(heard_as) - n + 1):
                if _counts_span(a.keys[i], run, j + n):
                    continue
                if heard_as[j : j + n] == want and not negated_before(run, j, 3):
                    if not a_not_a(run, j, "x" * n):  # "换没换过" asks, says nothing
                        found.add(i)
    if len(found) == 1:
        return a.pick(found.pop(), "sounds")
    return None


def clipped(a: AnswerSet, heard: Heard) -> Match | None:
    """The answer with its last character dropped ("不满" for 不满意)."""
    hits = [i for i, k in enumerate(a.keys) if len(k) >= 3 and heard.text == k[:-1]]
    return a.pick(hits[0], "clipped") if len(hits) == 1 else None
