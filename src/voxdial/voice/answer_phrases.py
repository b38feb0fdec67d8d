"""What a transcript of the first seconds of a call says about who answered: the phrases
of carrier announcements and voicemail greetings, Mandarin and English.

Whisper on telephone audio misspells: Mandarin comes out as near-homophones (已关机 as
以关机), English with words dropped or merged. So a phrase is matched by sound, not by
characters: Mandarin as toneless pinyin syllables, English as words, each against the
closest stretch of the transcript (an edit distance whose substitutions cost less for
sound-alikes: zh/z, in/ing, "dialled"/"dialed"), within a budget that grows with the
phrase's length (a two-syllable phrase must sound the same exactly).

When several phrases match, the most specific wins: a named state of the number
(powered off, vacant, suspended, busy) over an invitation to leave a message, which
wins over a vague "cannot be reached" / "no answer" (a carrier's voicemail says both).
Phrases that only say "this is an announcement" (您拨打的, "the number you have
dialed") are *hints*: they decide nothing alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from pypinyin import lazy_pinyin
from rapidfuzz.fuzz import ratio

from voxdial.voice.answer_types import AnswerOutcome

_O = AnswerOutcome
HINT = None  # a phrase that says "announcement" without saying which

# (outcome or HINT, rank, phrases): higher rank wins
_ZH: list[tuple[AnswerOutcome | None, int, tuple[str, ...]]] = [
    (_O.POWERED_OFF, 3, ("已关机", "关机", "手机关机")),
    (_O.VACANT, 3, ("空号", "是空号", "号码不存在", "不存在", "号码有误", "号码错误")),
    (_O.SUSPENDED, 3, ("已停机", "停机", "欠费停机")),
    (_O.BUSY, 3, ("正在通话中", "通话中", "正忙", "用户忙")),
    (
        _O.VOICEMAIL,
        2,
        (
            "留言",
            "语音信箱",
            "提示音后",
            "嘀声后",
            "滴声后",
            "不方便接听",
            "没空接",
            "无法接听您的电话",
        ),
    ),
    (_O.UNREACHABLE, 1, ("无法接通", "暂时无法接通", "不在服务区", "不在服务区内")),
    (_O.NO_ANSWER, 1, ("无人接听", "没有人接听", "暂时无人接听", "无应答")),
    (HINT, 0, ("您拨打的", "你拨打的", "您所拨打的", "请稍后再拨", "稍后再拨", "请查证后再拨")),
]
_EN: list[tuple[AnswerOutcome | None, int, tuple[str, ...]]] = [
    (_O.POWERED_OFF, 3, ("powered off", "power off", "switched off", "turned off")),
    (
        _O.VACANT,
        3,
        (
            "not in service",
            "no longer in service",
            "does not exist",
            "not a valid number",
            "has been disconnected",
            "is disconnected",
            "not a working number",
            "cannot be completed as dialed",
            "is not assigned",
            "number is invalid",
            "vacant number",
        ),
    ),
    (_O.SUSPENDED, 3, ("suspended", "barred", "out of service", "temporarily out of service")),
    (_O.UNREACHABLE, 3, ("out of the service area", "outside the service area", "out of coverage")),
    (_O.BUSY, 3, ("is busy", "line is busy", "on another call", "is engaged")),
    (
        _O.VOICEMAIL,
        2,
        (
            "leave a message",
            "leave your message",
            "leave me a message",
            "leave your name and number",
            "after the tone",
            "after the beep",
            "at the tone",
            "at the beep",
            "voicemail",
            "voice mail",
            "mailbox",
            "record your message",
            "can't take your call",
            "cannot take your call",
            "can't come to the phone",
            "cannot come to the phone",
            "you've reached",
            "you have reached",
            "get back to you",
        ),
    ),
    (
        _O.UNREACHABLE,
        1,
        (
            "cannot be connected",
            "can not be connected",
            "cannot be reached",
            "can't be reached",
            "unreachable",
            "not reachable",
            "is not available",
            "unable to connect",
        ),
    ),
    (
        _O.NO_ANSWER,
        1,
        (
            "not answering",
            "no answer",
            "no one is answering",
            "nobody is answering",
            "there is no reply",
            "no one answered",
        ),
    ),
    (
        HINT,
        0,
        (
            "the number you have dialed",
            "the number you dialed",
            "the subscriber you",
            "the person you are calling",
            "the phone you are calling",
            "the mobile phone you are calling",
            "the customer you",
            "please try again later",
            "please redial later",
            "please check the number",
            "we're sorry",
        ),
    ),
]


@dataclass(frozen=True)
class PhraseMatch:
    """A phrase found in a transcript: what it means (None: a hint), how specific it is,
    the phrase itself (from the table above: safe to log) and what it cost."""

    outcome: AnswerOutcome | None
    rank: int
    phrase: str
    cost: float

    @property
    def is_hint(self) -> bool:
        return self.outcome is None


# -- tokens ---------------------------------------------------------------------------

_HAN = re.compile(r"[\u4e00-\u9fff]")
_TOKEN = re.compile(r"[\u4e00-\u9fff]|[a-z0-9]+")
# initials and finals Mandarin speakers and Whisper confuse
_FUZZY = [("zh", "z"), ("ch", "c"), ("sh", "s"), ("l", "n"), ("f", "h"), ("r", "l")]
_FUZZY_FINAL = [
    ("iang", "ian"),
    ("uang", "uan"),
    ("ing", "in"),
    ("eng", "en"),
    ("ang", "an"),
    ("ao", "ou"),  # telephone Mandarin: 号 comes out as 后, 号码 as 后马
]
# English words Whisper swaps freely ("leave my message"): a swap of two costs half
_FUNCTION_WORDS = frozenset(
    "a an the my your his her our this that to of at in on is are was".split()
)


def _normal_english(text: str) -> str:
    return re.sub(r"[’'`]", "", text.lower())


@lru_cache(maxsize=8192)
def _pinyin(char: str) -> str:
    return lazy_pinyin(char)[0]


def tokens(text: str) -> list[str]:
    """Toneless pinyin per Han character, lower-case words (apostrophes dropped) for
    the rest: "您拨打的 number" -> ["nin", "bo", "da", "de", "number"]."""
    out = []
    for t in _TOKEN.findall(_normal_english(text)):
        out.append(_pinyin(t) if _HAN.fullmatch(t) else t)
    return out


@lru_cache(maxsize=16384)
def _canonical_syllable(s: str) -> str:
    for a, b in _FUZZY:
        if s.startswith(a):
            s = b + s[len(a) :]
            break
    for a, b in _FUZZY_FINAL:
        if s.endswith(a):
            s = s[: -len(a)] + b
            break
    return s


@lru_cache(maxsize=16384)
def _substitution(a: str, b: str) -> float:
    """Cost of hearing token `b` where `a` was said."""
    if a == b:
        return 0.0
    if _canonical_syllable(a) == _canonical_syllable(b):
        return 0.4
    if a in _FUNCTION_WORDS and b in _FUNCTION_WORDS:
        return 0.5
    if len(a) >= 4 and len(b) >= 4 and ratio(a, b) >= 75:
        return 0.5  # "dialled"/"dialed", "powered"/"power"
    return 1.0


def _budget(n: int) -> float:
    """How far off a phrase of `n` tokens may be heard."""
    if n <= 2:
        return 0.0  # 占线 is not 张先 (zhan xian / zhang xian): two syllables must be exact
    if n == 3:
        return 0.8
    if n <= 5:
        return 1.0
    return 1.5


def align_cost(
    pattern: Sequence[str],
    text: Sequence[str],
    substitution: Callable[[str, str], float] = _substitution,
) -> float:
    """The cheapest edit distance from `pattern` to any stretch of `text` (insertions
    and deletions cost 1, substitutions `substitution`)."""
    if not pattern:
        return 0.0
    prev = [0.0] * (len(text) + 1)  # a stretch may start anywhere: free prefix
    for i, p in enumerate(pattern, 1):
        cur = [float(i)] + [0.0] * len(text)
        for j, t in enumerate(text, 1):
            cur[j] = min(prev[j - 1] + substitution(p, t), prev[j] + 1.0, cur[j - 1] + 1.0)
        prev = cur
    return min(prev)  # ... and end anywhere


@lru_cache(maxsize=1)
def _table() -> list[tuple[AnswerOutcome | None, int, str, tuple[str, ...]]]:
    rows = []
    for entries in (_ZH, _EN):
        for outcome, rank, phrases in entries:
            for phrase in phrases:
                rows.append((outcome, rank, phrase, tuple(tokens(phrase))))
    return rows


def find_phrases(transcript: str) -> list[PhraseMatch]:
    """Every phrase of the tables heard in `transcript` (either language), best first."""
    text = tokens(transcript)
    if not text:
        return []
    found = []
    for outcome, rank, phrase, pattern in _table():
        cost = align_cost(pattern, text)
        if cost <= _budget(len(pattern)):
            found.append(PhraseMatch(outcome, rank, phrase, cost))
    found.sort(key=lambda m: (-m.rank, m.cost, -len(m.phrase)))
    return found


# What the recognizer is told to expect (Whisper reads it as text said just before): the
# states of a number as announcements name them. No voicemail words: over speech it cannot
# read, Whisper recites its prompt, and a person must never come out as a voicemail.
_HOT_WORDS = {
    "zh": ["关机", "空号", "停机", "通话中", "无法接通", "无人接听"],
    "en": [
        "not in service",
        "switched off",
        "suspended",
        "busy",
        "cannot be reached",
        "not answering",
    ],
}


def hot_words_for(language: str | None) -> list[str]:
    """Words to bias the recognizer toward, for callees speaking `language` (zh, en;
    None: both)."""
    if language in _HOT_WORDS:
        return list(_HOT_WORDS[language])
    return _HOT_WORDS["zh"] + _HOT_WORDS["en"]


def classify(transcript: str) -> PhraseMatch | None:
    """The phrase that decides what `transcript` is (a hint when only hints matched),
    or None when it says nothing a machine would.

    A transcript naming two different states of the number ("已关机、空号、已停机") is
    the recognizer reciting its prompt over audio it could not read: only a phrase that
    is not a hot word itself counts then ("关机、电话正在通话中" is busy), and without
    one the transcript is a hint only."""
    found = find_phrases(transcript)
    if not found or recited(transcript):
        return None
    states = {m.outcome for m in found if m.rank >= 3}
    if len(states) >= 2:
        # the hot words themselves may be recited; a longer phrase around one is not
        hot = set(_HOT_WORDS["zh"] + _HOT_WORDS["en"])
        kept = [m for m in found if m.phrase not in hot]
        if len({m.outcome for m in kept if m.rank >= 3}) != 1:
            return PhraseMatch(None, 0, "(several states: the prompt recited)", 0.0)
        return kept[0]
    return found[0]


def recited(transcript: str) -> bool:
    """`transcript` is nothing but hot words (what Whisper writes over audio it cannot
    read): no announcement says "关机" alone."""
    rest = _normal_english(transcript)
    for word in sorted(_HOT_WORDS["zh"] + _HOT_WORDS["en"], key=len, reverse=True):
        rest = rest.replace(word, " ")
    return len(tokens(rest)) <= 1 and len(tokens(transcript)) > len(tokens(rest))
