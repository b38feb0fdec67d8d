"""Correct Mandarin transcripts toward the words a call expects, by how they sound.

Whisper on telephone audio often writes a near-homophone of what was said: 满意 (man yi)
comes out as 买意 (mai yi), 推荐 as 陪见. When the callee is expected to say one of a
few words (hot words, a question's preset answers), a run of characters that sounds
like one of them is taken to be it: the same toneless pinyin, or every syllable the
same but one that keeps its initial consonant (man/mai; tui/pei is too far, and y/w
are glides, not consonants: yuan/yi differ), or swaps the nasals m/n before the same
final (难以 nan yi for 满意 man yi, heard from Whisper base in a spoken call). A word
already present is left alone, and the whole transcript is left alone when it already
contains any expected word, so a correct transcript is never "corrected".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

_HAN = re.compile(r"[\u4e00-\u9fff]+")


@lru_cache(maxsize=4096)
def _syllables(text: str) -> tuple[str, ...]:
    return tuple(lazy_pinyin(text))


@lru_cache(maxsize=4096)
def _initials(text: str) -> tuple[str, ...]:
    return tuple(lazy_pinyin(text, style=Style.INITIALS, strict=False))


def sounds_like(heard: str, word: str) -> bool:
    """`heard` (as many characters as `word`) sounds like `word`."""
    a, b = _syllables(heard), _syllables(word)
    if len(a) != len(b):
        return False
    differ = [i for i in range(len(a)) if a[i] != b[i]]
    if not differ:
        return True
    if len(differ) > 1 or len(b) < 2:
        return False
    i = differ[0]
    ia, ib = _initials(heard)[i], _initials(word)[i]
    if ia == ib:
        return ia not in ("", "y", "w")
    # the telephone band blurs the nasals: nan/man with the same final is one slip
    return {ia, ib} == {"m", "n"} and a[i][len(ia) :] == b[i][len(ib) :]


def correct(text: str, expected: Sequence[str]) -> str:
    """`text` with a sound-alike of an expected Mandarin word replaced by the word."""
    words = [w for w in dict.fromkeys(expected) if len(w) >= 2 and _HAN.fullmatch(w)]
    if not words or not _HAN.search(text) or any(w in text for w in words):
        return text
    for word in sorted(words, key=len, reverse=True):
        n = len(word)
        for run in _HAN.finditer(text):
            start, chars = run.start(), run.group()
            for i in range(len(chars) - n + 1):
                if sounds_like(chars[i : i + n], word):
                    at = start + i
                    return text[:at] + word + text[at + n :]
    return text


_WORD = re.compile(r"[A-Za-z][A-Za-z']*")


def snap_spelling(text: str, hot_words: Sequence[str], *, min_ratio: float = 84.0) -> str:
    """`text` with a run of one to three English words that spells nearly like a hot word
    (joined, case and spaces ignored: "Vox deal" for "Voxdial") replaced by the hot
    word. Only hot words of five letters or more are snapped, and a text that already
    holds the word is left alone."""
    from rapidfuzz.fuzz import ratio

    wanted = [w for w in dict.fromkeys(hot_words) if len(w) >= 5 and _WORD.fullmatch(w)]
    for word in wanted:
        if re.search(rf"\b{re.escape(word)}\b", text, re.I):
            continue
        spans = list(_WORD.finditer(text))
        best: tuple[float, int, int] | None = None
        for i in range(len(spans)):
            for j in range(i, min(i + 3, len(spans))):
                joined = "".join(m.group() for m in spans[i : j + 1]).lower()
                score = ratio(joined, word.lower())
                if score >= min_ratio and (best is None or score > best[0]):
                    best = (score, spans[i].start(), spans[j].end())
        if best is not None:
            text = text[: best[1]] + word + text[best[2] :]
    return text
