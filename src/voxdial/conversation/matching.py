"""Matching a callee's reply to a question's preset answers.

Stages, first match wins: a satisfaction scale, numbers and ranges, ordinals ("第二个",
"the second one"), the answer said outright (with negation: "不是很满意"), yes/no,
times of day and days, fuzzy spelling (rapidfuzz), then embedding similarity with a
threshold and a margin over the runner-up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
from rapidfuzz import fuzz

from voxdial.conversation import times
from voxdial.conversation.normalize import HotWord, apply_hot_words, clean, fold, numbers, squash

EMBEDDING_THRESHOLD = 0.62
EMBEDDING_MARGIN = 0.06
FUZZY_THRESHOLD = 75

# satisfaction phrases -> score 1..5; the longest phrase found wins ("不太满意" over "满意")
_SCALE = {
    5: "非常满意,很满意,特别满意,超级满意,十分满意,太满意,相当满意,非常好,特别好,很好,太好了,超棒,"
    "完美,五星,very satisfied,extremely satisfied,excellent,perfect,amazing,great,love it,"
    "fantastic,very happy,really happy,awesome,very good,really good",
    4: "满意,比较满意,挺满意,还挺满意,蛮满意,挺好,挺好的,不错,还不错,蛮好,满好,可以的,好评,"
    "satisfied,pretty good,good,happy,quite satisfied,fairly satisfied,pretty happy,nice",
    3: "一般,一般般,还行,还可以,凑合,马马虎虎,普通,过得去,中等,说不上,不好不坏,将就,"
    "so so,so-so,average,okay,ok,alright,neutral,not bad,not great,mediocre,it's fine,fine",
    2: "不满意,不太满意,不怎么满意,不是很满意,不大满意,有点不满意,较差,比较差,不太好,不好,差,"
    "不怎么样,dissatisfied,unsatisfied,not satisfied,not happy,not very good,poor,bad,"
    "not good,disappointed,not so good,not really satisfied",
    1: "非常不满意,很不满意,特别不满意,极其不满意,太差了,很差,非常差,特别差,糟糕,垃圾,烂透了,差劲,"
    "very dissatisfied,terrible,awful,horrible,worst,very bad,very unhappy,really bad",
}
_SCALE_TABLE = sorted(
    ((phrase, score) for score, text in _SCALE.items() for phrase in text.split(",")),
    key=lambda p: -len(p[0]),
)

_NEGATORS = re.compile(
    r"(不|没|别|非|未|无|not|no|don't|dont|never|n't)\s*(是|太|很|怎么|大|那么)*$"
)
_NEG_ANSWER = re.compile(r"^(不|没|否|无|非|未|not |no |don'?t |never)|^(no|否|不是|没有|不对)$")

_YES = re.compile(
    r"^(是|是的|是啊|是呀|对|对的|对对|对啊|对呀|嗯|嗯嗯|恩|好|好的|好啊|行|行啊|可以|可以的|当然|肯定|"
    r"没问题|没错|当然可以|必须的|ok|okay|yes|yeah|yep|yup|sure|of course|certainly|absolutely|"
    r"definitely|right|correct|that's right|i do|i would|i will|yes please|sounds good|go ahead|"
    r"we do|i have|we have|uh huh|why not)"
    r"|没问题|当然|肯定(是|会|要)|可以啊|是的|对的|(^| )(yes|yeah|yep|sure)( |$)|好的"
)
_NO = re.compile(
    r"^(不|不是|不对|没有|没|不要|不用|不需要|不行|不可以|不愿意|不会|不想|否|算了|别|无|"
    r"no|nope|nah|not really|not at all|never|no thanks|i don't|i do not|i won't|i wouldn't)"
    r"|不是|没有|不用|不要|不需要|不愿意|不想|不会|(^| )(no|nope|nah|don't|not|never)( |$)"
    r"|don't think so|not really|not at the moment|not yet|not now"
)

_ZH_ORDINAL = {"一": 0, "二": 1, "两": 1, "三": 2, "四": 3, "五": 4, "六": 5, "1": 0, "2": 1,
               "3": 2, "4": 3, "5": 4, "6": 5}  # fmt: skip
_EN_ORDINAL = {"first": 0, "second": 1, "third": 2, "fourth": 3, "fifth": 4, "1st": 0,
               "2nd": 1, "3rd": 2, "4th": 3, "5th": 4}  # fmt: skip


# ASCII phrases match as whole words; the others as substrings. Compiled once: this
# runs for every reply to a scale question.
_SCALE_SEARCH = [
    (
        re.compile(rf"(^|[^a-z']){re.escape(phrase)}($|[^a-z])").search
        if phrase.isascii()
        else None,
        phrase,
        score,
    )
    for phrase, score in _SCALE_TABLE
]


def scale_score(text: str) -> int | None:
    """1..5 for a satisfaction phrase in `text` (the longest phrase found)."""
    for search, phrase, score in _SCALE_SEARCH:
        if search is not None:
            if search(text):
                return score
        elif phrase in text:
            return score
    return None


def polarity(text: str) -> bool | None:
    """True for yes, False for no, None when the reply says neither."""
    if re.search(r"why not|no problem|not a problem|没问题|不客气", text):
        return True
    if _NO.search(text):
        return False
    if _YES.search(text):
        return True
    return None


def is_negative_answer(answer: str) -> bool:
    return bool(_NEG_ANSWER.search(squash(answer)))


@dataclass
class Match:
    index: int
    answer: str
    how: str  # the stage that matched, for the calltrace
    score: float = 1.0


@dataclass
class _Range:
    low: float
    high: float


def _answer_range(answer: str) -> _Range | None:
    a = fold(answer)
    found = numbers(a)
    if not found:
        return None
    if len(found) >= 2 and re.search(r"[-~到至]|to", a):
        return _Range(found[0], found[1])
    n = found[0]
    if re.search(r"以上|及以上|或以上|多|more|over|above|\+|plus|or more", a):
        return _Range(n + (0 if re.search(r"及以上|或以上|or more|\+", a) else 1e-9), float("inf"))
    if re.search(r"以下|以内|及以下|less|under|below|fewer", a):
        return _Range(float("-inf"), n - (0 if re.search(r"及以下|以内", a) else 1e-9))
    return _Range(n, n)


class AnswerMatcher:
    """Matches replies to one question's preset answers. Build once per question:
    the answers' embeddings are computed on first use and kept."""

    def __init__(
        self,
        answers: list[str],
        *,
        encoder: Any = None,
        hot_words: list[HotWord] | None = None,
    ) -> None:
        self.answers = [str(a) for a in answers]
        self.encoder = encoder
        self.hot_words = hot_words or []
        self.keys = [apply_hot_words(clean(a), self.hot_words) for a in self.answers]
        self.scores = [scale_score(k) for k in self.keys]
        self.is_scale = sum(s is not None for s in self.scores) >= 2
        self.ranges = [_answer_range(a) for a in self.answers]
        self.is_numeric = sum(r is not None for r in self.ranges) >= 2
        self.negative = [is_negative_answer(a) for a in self.answers]
        self.times = [times.parse(a) for a in self.answers]
        self._vectors: np.ndarray | None = None

    def match(self, reply: str) -> Match | None:
        text = apply_hot_words(clean(reply), self.hot_words)
        if not text or not self.answers:
            return None
        first = (self._scale, self._said) if self.is_scale else (self._said, self._scale)
        for stage in (
            *first,
            self._number,
            self._ordinal,
            self._yes_no,
            self._time,
            self._fuzzy,
            self._embedding,
        ):
            found = stage(text)
            if found is not None:
                return found
        return None

    def _pick(self, index: int, how: str, score: float = 1.0) -> Match:
        return Match(index, self.answers[index], how, score)

    def _said(self, text: str) -> Match | None:
        best = None
        for i, key in enumerate(self.keys):
            if not key:
                continue
            pos = text.find(key)
            if pos < 0 or (key.isascii() and not re.search(rf"(^|\W){re.escape(key)}($|\W)", text)):
                continue
            if best is None or len(key) > len(self.keys[best[0]]):
                best = (i, pos)
        if best is None:
            return None
        i, pos = best
        if not self.negative[i] and _NEGATORS.search(text[max(0, pos - 4) : pos]):
            # "不是很满意" says the answer's opposite
            if self.is_scale and self.scores[i] is not None:
                return None  # the scale stage reads it
            opposite = [j for j, neg in enumerate(self.negative) if neg]
            return self._pick(opposite[0], "said-negated") if len(opposite) == 1 else None
        return self._pick(i, "said")

    def _scale(self, text: str) -> Match | None:
        score = scale_score(text)
        if score is None:
            found = numbers(text)
            score = int(found[0]) if found and self.is_scale and 1 <= found[0] <= 5 else None
        if score is None or not self.is_scale:
            if score is not None and self.is_numeric and self._is_five_scale():
                return self._number_match(float(score), "scale")
            return None
        scored = [
            (abs(s - score), -s if score < 3 else s, i) for i, s in enumerate(self.scores) if s
        ]
        return self._pick(min(scored)[2], "scale")

    def _is_five_scale(self) -> bool:
        return all(r is None or (1 <= r.low <= 5 and r.low == r.high) for r in self.ranges)

    def _number(self, text: str) -> Match | None:
        if not self.is_numeric:
            return None
        found = numbers(text)
        if not found:
            if re.search(r"just me|only me|myself|live alone|就我一?个|我一个人|一个人", text):
                found = [1.0]
            elif re.search(
                r"me and my \w+|my \w+ and (me|i)|我(和|跟)我?(老婆|老公|爱人|妈|爸|对象)", text
            ):
                found = [2.0]
            else:
                return None
        value = found[0]
        if re.search(r"out of|满分", text) and len(found) >= 2:
            value = min(found[0], found[1]) if "满分" in text else found[0]
        return self._number_match(value, "number")

    def _number_match(self, value: float, how: str) -> Match | None:
        for i, r in enumerate(self.ranges):
            if r is not None and r.low <= value <= r.high:
                return self._pick(i, how)
        return None

    def _ordinal(self, text: str) -> Match | None:
        index = None
        if m := re.search(r"第([一二两三四五六123456])(个|种|项|条|位|档|类|)", text):
            index = _ZH_ORDINAL[m.group(1)]
        elif m := re.search(r"\b(first|second|third|fourth|fifth|1st|2nd|3rd|4th|5th)\b", text):
            index = _EN_ORDINAL[m.group(1)]
        elif re.search(r"中间|middle", text) and len(self.answers) == 3:
            index = 1
        elif re.search(r"最后|the last|last one|latter|后面那个|后一个|后者", text):
            index = len(self.answers) - 1
        elif re.search(r"前面那个|前一个|前者|former|头一个", text):
            index = 0
        elif m := re.search(r"\b(?:option|choice) ([a-e])\b|^([a-e])$|选([a-eA-E])", text):
            index = "abcde".index((m.group(1) or m.group(2) or m.group(3)).lower())
        if index is None or index >= len(self.answers):
            return None
        return self._pick(index, "ordinal")

    def _yes_no(self, text: str) -> Match | None:
        pos = [i for i, n in enumerate(self.negative) if not n]
        neg = [i for i, n in enumerate(self.negative) if n]
        if not pos or not neg:
            return None
        said = polarity(text)
        if said is True and len(pos) == 1:
            return self._pick(pos[0], "yes")
        if said is False and len(neg) == 1:
            return self._pick(neg[0], "no")
        return None

    def _time(self, text: str) -> Match | None:
        if not any(t.said for t in self.times):
            return None
        said = times.parse(text)
        if not said.said:
            return None
        hour = said.hour
        if hour is not None and said.period is None and 1 <= hour <= 7:
            hour += 12  # a bare "四点" for a visit means the afternoon
        period = said.period or _period_of(hour)
        period = _PERIOD_CLASS.get(period or "", period)
        for i, t in enumerate(self.times):
            answer_period = _PERIOD_CLASS.get(t.period or "", t.period)
            if t.period and period == answer_period and t.day_offset in (None, said.day_offset):
                return self._pick(i, "time")
            if t.day_offset is not None and t.day_offset == said.day_offset and not t.period:
                return self._pick(i, "time")
            if t.weekday is not None and t.weekday == said.weekday:
                return self._pick(i, "time")
        return None

    def _fuzzy(self, text: str) -> Match | None:
        best, best_score = None, 0.0
        for i, key in enumerate(self.keys):
            if len(key) < 3:
                continue
            score = (
                fuzz.partial_ratio(key, text) if len(text) >= len(key) else fuzz.ratio(key, text)
            )
            if score > best_score:
                best, best_score = i, score
        if best is not None and best_score >= FUZZY_THRESHOLD:
            return self._pick(best, "fuzzy", best_score / 100)
        return None

    def _embedding(self, text: str) -> Match | None:
        if self.encoder is None:
            return None
        if self._vectors is None:
            self._vectors = np.asarray(self.encoder.encode(self.answers), dtype=np.float32)
        vector = np.asarray(self.encoder.encode([text]), dtype=np.float32)[0]
        sims = self._vectors @ vector
        order = np.argsort(-sims)
        top = float(sims[order[0]])
        second = float(sims[order[1]]) if len(order) > 1 else -1.0
        if top >= EMBEDDING_THRESHOLD and top - second >= EMBEDDING_MARGIN:
            return self._pick(int(order[0]), "embedding", top)
        return None


# periods of day compared as the three a visit is booked in
_PERIOD_CLASS = {"凌晨": "上午", "早上": "上午", "傍晚": "晚上"}


def _period_of(hour: int | None) -> str | None:
    if hour is None:
        return None
    if hour < 12:
        return "上午"
    if hour < 13:
        return "中午"
    if hour < 18:
        return "下午"
    return "晚上"
