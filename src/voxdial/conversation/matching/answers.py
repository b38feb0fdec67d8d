"""One question's preset answers, read once: their cleaned texts, which are scores,
amounts, times, negative or uncertain, the words that say each, and (on first use)
their embeddings. Every matching stage reads a reply against an `AnswerSet`."""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from voxdial.conversation import times
from voxdial.conversation.matching.frequency import HowOften
from voxdial.conversation.matching.levels import Axis
from voxdial.conversation.matching.match import Match
from voxdial.conversation.matching.numbers import (
    answer_range,
    exclusive,
    in_one_time_unit,
    units_of,
)
from voxdial.conversation.matching.ordinals import figures_of, ranks_of
from voxdial.conversation.matching.outright import (
    described,
    distinctive_parts,
    key_patterns,
    question_forms,
    stems_of,
)
from voxdial.conversation.matching.paraphrases import paraphrases_of
from voxdial.conversation.matching.periods import periods_of
from voxdial.conversation.matching.scores import LIKELY_QUESTION
from voxdial.conversation.matching.spelling import sounds_of
from voxdial.conversation.matching.yes_no import echo_words
from voxdial.conversation.normalize import HotWord, apply_hot_words, clean, fold
from voxdial.conversation.polarity import is_negative_answer, is_uncertain_answer
from voxdial.conversation.scale import scale_score

# an answer that is itself a way of not deciding (说不清, "haven't decided", 待定)
_UNSURE_ANSWER = re.compile(
    r"^(还)?(说不清|讲不清|说不准|不清楚|不知道|待定|看情况|没想好|没决定|再看看)|"
    r"^(到时候?|以后|回头|之后)再(定|说|看|决定)|"
    r"^(haven'?t|have not) (yet )?decided|^not (yet )?decided|^(i )?don'?t know|^no idea|"
    r"^(it )?depends|^maybe$|^undecided|^not sure"
)

# ways of saying one has not decided, read as the question's uncertain answer only (a
# question without one asks again as before): "不好讲", "等我下次去店里再说", "who
# knows", "we'll decide when we get there", "could be". The hedges the intents and the
# polarity tables already read are not repeated here.
UNDECIDED = re.compile(
    r"不好讲|很难讲|难讲|讲不准|讲不清|说不来|不晓得(?=$|\s|怎么|咋|呢|啊)|"
    r"等.{1,12}再(说|定|决定|看)|回头再定|以后再(说|定)|过(段|阵)(时间|子)再(说|定)|"
    r"到时候?再定|先不定|还得想想|再想想|想想再说|走一步看一步|看缘分|随缘吧?$|"
    r"^(也许|或许|有可能|可能)吧?$|"
    r"\bwho knows\b|^(it )?could be\b|^(it )?might be\b|^perhaps\b|^possibly\b|"
    r"\bwe'?ll (decide|figure it out|work it out|see how)\b|"
    r"\bdecide (when|once|later|on the day|then|nearer|closer)\b|\bplay it by ear\b|"
    r"\b(toss[- ]up|fifty[- ]fifty|50[- /]50)\b|\bi'?m torn\b|\bcan'?t decide\b|"
    r"\btoo (early|soon) to (say|tell)\b|\btime will tell\b|\bremains to be seen\b|"
    r"\bnot made up my mind\b|\bstill (deciding|thinking)\b|"
    # to think it over, or to see how things turn out, before saying ("i'll have to have a
    # think about it first", "i'll have to see how things go")
    r"\b(have|need|want|got) to (have a )?think (about|on|it over)\b|"
    r"\bhave a (good |proper )?think\b|\bthink (it|things) over\b|"
    r"\b(have|need|got) to see how (it|things|we|i) (go|goes|get on|turn out|pan out)\b|"
    r"(再|还得|还要|得)(琢磨|掂量|合计|寻思)|\bmull it over\b|\bsleep on it\b|"
    # not known for sure: "不太清楚", "i'm not certain" (not "听不太清楚": not heard)
    r"(?<![听看得])不(太|大|是很|怎么)(清楚|确定)|\b(not |un)certain\b|"
    r"定不下来|定不了|拿不准|拿不定|决定不了|还没拿定|"
    r"\b(can'?t|cannot|haven'?t|not) (make|made) up my mind\b|\bin two minds\b|"
    r"\b(haven'?t|have not|not|never|can'?t|cannot) (yet )?(made|make) (my|our) minds? up\b|"
    # asked again once something has happened: not decided until then (not a call time)
    r"\bask me (again )?(after|once|when|closer to|nearer)\b"
)
# an answer named only to be conceded: "想办是想办 但…", "不是不想办", "I do want to, but"
CONCEDED = re.compile(
    r"([\u4e00-\u9fff]{1,3})是\1.{0,4}(但|可|就是|不过|只是)|(也|倒|并)?不是不|"
    r"\bi (do|would) (want|like) (to|it),? but\b"
)
# what is chosen changes from one time to the next ("每次不一样", "it varies"): no one
# answer, unless the question offers an uncertain one
VARIES = re.compile(
    r"每(次|回)都?不一样|不固定|看心情|看情况而定|的情况吧|说不定哪(个|种|次)|"
    r"\b(it )?varies\b|\bdepends on the (day|week|time|mood)\b|\bdifferent every time\b|"
    r"\bchanges (every|each) time\b"
)


# a question asking how many or how old ("how many items", "几个孩子", "多大") whose
# answers are bare number ranges ("1 to 3", "7 to 10"): counts, not hours of the
# afternoon, unless an answer says it is a clock time ("9 am", "10点", "noon")
_COUNT_QUESTION = re.compile(
    r"\bhow (many|old|much)\b|\bnumber of\b|多大|几岁|年龄|多少(?!点|时候)|"
    r"几(?=个|位|件|台|样|次|回|趟|节|只|条|张|辆|间|口|人)"
)
_CLOCK_ANSWER = re.compile(
    r"\d:\d|\b(am|pm|a\.m|p\.m|o'?clock|noon|midday|midnight|morning|afternoon|evening|night)\b|"
    r"[点點时]|上午|下午|早上|晚上|中午"
)


# a mark written over its total ("8/10", "4 / 5"), as ASR writes "eight out of ten"
_SLASHED = re.compile(r"(?<![\d/])(\d{1,2})\s*/\s*(5|10|100)(?![\d/])")


def _counts(question: str, keys: list[str]) -> bool:
    """Whether the question counts things and no answer is a time of day."""
    if not _COUNT_QUESTION.search(question):
        return False
    return not any(_CLOCK_ANSWER.search(k) for k in keys)


class AnswerSet:
    """`question` (its text) lets yes/no answers be read from the question's verb and
    amounts from what it counts."""

    def __init__(
        self,
        answers: list[str],
        *,
        encoder: Any = None,
        hot_words: list[HotWord] | None = None,
        question: str = "",
    ) -> None:
        self.answers = [str(a) for a in answers]
        self.encoder = encoder
        self.hot_words = hot_words or []
        self.question = fold(question)
        self.keys = [apply_hot_words(clean(a), self.hot_words) for a in self.answers]
        # "IT" beside "it": the acronym is read only as written or spelled (see `clean`)
        self._acronyms = _acronyms(self.answers)
        self.keys = [self._acronyms.get(a, k) for a, k in zip(self.answers, self.keys, strict=True)]
        self._joined = _joined_words(self.keys)
        self.scores = [scale_score(k) for k in self.keys]
        self.is_scale = sum(s is not None for s in self.scores) >= 2
        # as said, overlaps and all; "more than a week" beside "4 to 7 days" is 7+ days
        self.stated = in_one_time_unit(self.answers, [answer_range(a) for a in self.answers])
        self.ranges = exclusive(self.stated)
        self.is_numeric = sum(r is not None for r in self.ranges) >= 2
        self.uncertain = [is_uncertain_answer(a) or bool(_UNSURE_ANSWER.search(k))
                          for a, k in zip(self.answers, self.keys, strict=True)]  # fmt: skip
        self.negative = [
            is_negative_answer(a) and not u
            for a, u in zip(self.answers, self.uncertain, strict=True)
        ]
        self.choices = (
            None
            if _counts(self.question, self.keys)
            else times.TimeChoices.of(self.answers, self.question)
        )
        self.is_timed = self.choices is not None and self.choices.timed
        self.is_days = self.choices is not None and self.choices.dayish
        # the answers that are neither negative nor uncertain, by index
        self.plain = [
            i for i, (n, u) in enumerate(zip(self.negative, self.uncertain, strict=True))
            if not (n or u)
        ]  # fmt: skip
        self.binary = sum(self.negative) == 1 and len(self.plain) == 1
        # of a yes/no pair: where its plain (yes) answer and its negative one stand
        self.yes = self.plain[0] if self.binary else None
        self.no = self.negative.index(True) if self.binary else None
        self.verbs = (
            echo_words(question, self.keys, self.negative, self.uncertain) if self.binary else ()
        )
        skip = [n or u for n, u in zip(self.negative, self.uncertain, strict=True)]
        self.parts = [
            own + [w for w in extra if w not in own]
            for own, extra in zip(
                distinctive_parts(question_forms(self.question, self.keys), skip),
                described(self.question, self.keys, skip),
                strict=True,
            )
        ]
        self.stems = stems_of(self.keys, skip)  # 粉 of 粉色 beside 蓝色: "粉的"
        self.paraphrases = paraphrases_of(self.keys, self.negative)
        self.going_on = paraphrases_of(self.keys, self.negative, going_on=True)
        self.how_often = HowOften.of(self.keys, self.uncertain)
        self.periods = periods_of(self.keys)
        self.ranks = ranks_of(self.keys, self.uncertain, self.question)
        self.figures = figures_of(self.question, self.keys)
        self.axis = Axis.of(self.keys, self.question, self.uncertain)
        self.likely = self.is_numeric and bool(LIKELY_QUESTION.search(self.question))
        self.units = units_of(self.answers, self.question)
        self.key_patterns = key_patterns(self.keys)
        self.sounds = sounds_of(self.keys)
        self._vectors: np.ndarray | None = None
        self._units: tuple[str, ...] | None = None  # numbers.py: the answers' own units

    def pick(self, index: int, how: str, score: float = 1.0) -> Match:
        return Match(index, self.answers[index], how, score)

    def pick_uncertain(self) -> Match | None:
        """The question's uncertain answer ("不确定", "Not sure"), read as unsure; None
        when the question offers none."""
        return self.pick(self.uncertain.index(True), "unsure") if any(self.uncertain) else None

    def vectors(self) -> np.ndarray:
        """The answers' embeddings, computed on first use and kept."""
        if self._vectors is None:
            self._vectors = np.asarray(self.encoder.encode(self.answers), dtype=np.float32)
        return self._vectors

    def clean(self, reply: str) -> str:
        if self.is_numeric and "/" in reply:
            reply = _SLASHED.sub(r"\1 out of \2", reply)  # "8/10": a mark, not 8 and 10
        for acronym, spelled in self._acronyms.items():
            reply = _spelled(reply, acronym, spelled)
        text = apply_hot_words(clean(reply), self.hot_words)
        if self._joined is not None:  # "on line" for online: one word heard as two
            text = self._joined[0].sub(lambda m: self._joined[1][m.group(0)], text)
        return text


# an answer that is an acronym spelling an everyday word ("IT", "US", "OR"): the word in
# a reply ("i need it for work") is not the answer, its capitals or its letters are
_EVERYDAY = frozenset("it us or as am is in on at to so no go do me we he be an my up".split())
# how the letters are said, for an acronym spelled out ("eye tee")
_LETTER_NAMES = {
    "a": "ay|a", "b": "bee", "c": "see|sea", "d": "dee", "e": "ee", "g": "gee", "i": "eye|i",
    "j": "jay", "k": "kay", "m": "em", "n": "en", "o": "oh|o", "p": "pee", "r": "are|ar",
    "s": "ess", "t": "tee|t", "u": "you|u", "v": "vee", "y": "why",
}  # fmt: skip


def _acronyms(answers: list[str]) -> dict[str, str]:
    """Each answer written as an acronym of an everyday word, and its letters spaced
    ("IT" -> "i t"), the key it is matched by."""
    return {
        a: " ".join(a.lower())
        for a in answers
        if re.fullmatch(r"[A-Z]{2,3}", a) and a.lower() in _EVERYDAY
    }


def _spelled(reply: str, acronym: str, spelled: str) -> str:
    """The reply with the acronym, written in capitals, dotted or spelled by its letters'
    names ("IT", "i.t.", "eye tee"), as its spaced letters; a reply of the word alone
    ("it") is the acronym too."""
    reply = re.sub(rf"\b{acronym}\b", spelled, reply)
    names = r"[\s.]+".join(f"(?:{_LETTER_NAMES.get(c, c)})" for c in acronym.lower())
    reply = re.sub(rf"(?i)\b{names}\b\.?", spelled, reply)
    return spelled if clean(reply) == acronym.lower() else reply


def _joined_words(keys: list[str]) -> tuple[re.Pattern[str], dict[str, str]] | None:
    """A pattern for the one-word English answers of six letters or more said as two
    words ("on line", "north gate", "week end"), each part of two letters or more, and
    the answer each pair spells."""
    pairs = {
        f"{k[:i]} {k[i:]}": k
        for k in keys
        if re.fullmatch(r"[a-z]{6,}", k)  # not "maybe" of "may be"
        for i in range(2, len(k) - 1)
    }
    if not pairs:
        return None
    alternatives = "|".join(re.escape(p) for p in sorted(pairs, key=len, reverse=True))
    return re.compile(rf"(?<![a-z']){alternatives}(?![a-z'])"), pairs
