"""Matching a callee's reply to a question's preset answers.

Stages, first decisive one wins: uncertainty ("还没想好", "depends": the question's
uncertain answer, or no answer at all), a satisfaction scale, the answer said outright
(with negation: "不是很满意"; contrast: "上午不行 下午吧", "以前去营业厅 现在用微信"),
amounts and ranges ("五六个", "一百多"), ordinals ("第二个", "the last one"), times of
day and days ("三点左右", "周四", "tomorrow"), yes/no (with the question's own verb:
"续吧", "不打算续了"), fuzzy spelling (rapidfuzz), the same sound (toneless pinyin:
"一班" for 一般), a dropped last character ("不满" for 不满意), then embedding
similarity with a threshold and a margin over the runner-up.

A stage may also find the reply *ambiguous* (two answers said, "三四分", "都可以"):
then no answer is taken and the engine asks again. A wrong answer is worse than none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

import numpy as np
from rapidfuzz import fuzz

from voxdial.conversation import intents, times
from voxdial.conversation.normalize import HotWord, apply_hot_words, clean, fold
from voxdial.conversation.polarity import (
    NO,
    is_negative_answer,
    is_uncertain_answer,
    polarity,
    question_verbs,
)
from voxdial.conversation.quantities import Amount, amounts
from voxdial.conversation.scale import scale_score

EMBEDDING_THRESHOLD = 0.62
EMBEDDING_MARGIN = 0.06
FUZZY_THRESHOLD = 75

_NEGATORS = re.compile(
    r"(不|没|别|非|未|无|not|no|don't|dont|never|n't)"
    r"(\s*(是|太|很|怎么|大|那么|想|要|打算|愿意|会|再|that|very|really|so|the|a|an|on|at|"
    r"this|any|think|i'?ll|i will|we'?ll|want to|going to|gonna|plan to|to))*\s*$"
)
# someone else decides ("我老婆管这个", "ask my husband"): not the callee's answer
_DEFERS = re.compile(
    r"(老婆|老公|爱人|媳妇|家里人|孩子|儿子|女儿|领导|老板|我妈|我爸)(管|负责|做主|说了算|定)|"
    r"(问|找)(我|一下)?(老婆|老公|爱人|媳妇|家里人|领导|老板)|不归我管|不是我管|我不管这|"
    r"\b(my|the) (wife|husband|partner|boss) (handles|deals with|decides|takes care)|"
    r"ask my (wife|husband|partner|boss)|not my call|not up to me"
)
# a clock time or day said ("明天下午四点"): its number is not a score
_CLOCK = re.compile(
    r"[上下]午|早上|晚上|中午|今天|明天|后天|周.|星期.|礼拜.|\d+点|[一二两三四五六七八九十]+点|"
    r"o'?clock|\b(am|pm|tomorrow|tonight|today)\b"
)
# an amount for each of several people ("我和我老公各一辆", "one each")
_EACH = re.compile(r"各|每人|每个人|\beach\b|apiece")
# a clause that turns a choice down ("上午不行", "not Monday", "这礼拜没空")
_NEG_CLAUSE = re.compile(
    r"不行|不可以|不方便|没空|没时间|不在家|不太行|不合适|去不了|来不了|不成|不要|^不是|^别|"
    r"\bnot\b|\bno good\b|can'?t|cannot|won'?t work|doesn'?t work|busy|swamped|away|"
    r"\bnone\b|^no\b"
)
_PAST_CLAUSE = re.compile(r"以前|之前|原来|本来|过去|used to|previously|before")
_NOW_CLAUSE = re.compile(r"现在|如今|目前|\bnow\b|these days|nowadays")
_BOTH = re.compile(r"都(用|行|可以|好|有|要)|都挺|both|either|any of|whichever|all of them")
_ANY = re.compile(
    r"都可以|都行|哪天都|什么时候都|随便|无所谓|都无所谓|any ?time|"
    r"any day|whatever|doesn'?t matter|"
    r"either (is|one|way)|whenever|any of them"
)

# other words for a preset answer: (what the answer says, what a callee says for it)
_PARAPHRASES = [
    (
        r"^(搬走|搬家|搬出|move)",
        r"不租了|不想再?租|不续租|不再租|要搬|搬走|搬家|买房了?|换地方住|"
        r"\bmov(e|ing) out\b|\bmoving\b|bought a (house|place|flat)",
    ),
    (
        r"^(继续租|续租|stay|renew)",
        r"还住这|还在这住|继续住|接着住|接着租|还租|\bstay(ing)?\b|keep renting",
    ),
    (r"^(按季|季付|季度)|quarter", r"三个月|每季|季度|quarterly|every (three|3) months"),
    (r"^(按月|月付)|^month", r"每个月|一个月一交|一月一交|月月交|\bmonthly\b|every month"),
    (
        r"^(按年|年付)|^yearly|^annual",
        r"一年一交|一次交一年|每年交|\b(yearly|annually)\b|once a year",
    ),
    (r"短信|^text|^sms", r"\btext(s|ing)?\b|\bsms\b|message me|发短信|短信"),
    (r"电话|^phone", r"\bcall me\b|\bring me\b|\bphone\b|打电话|打我电话|电话联系"),
    (r"邮件|邮箱|email", r"\be-?mails?\b|\binbox\b|发邮件|邮箱"),
    (r"spin|单车", r"\bcycling\b|\bbikes?\b|\bcycle\b|动感单车|骑车"),
    (
        r"^switch|^换$|换一家|换别家",
        r"\bchange (it|plans?|to)\b|\bswitch(ing)?\b|go elsewhere|somewhere else|"
        r"another (provider|gym|plan)|换(一|个|掉|别|成)",
    ),
    (
        r"^不需要|^不用",
        r"先?自己(试试|试一下|来|弄|搞|处理|能行|会弄)|"
        r"i'?ll (try|do|manage|sort) (it )?myself|i can manage",
    ),
    (r"^keep", r"\bkeep (it|my|the|this|going)\b|stick with|stay (on|with)|\brenew\b"),
]
_PARAPHRASE_RES = [(re.compile(a), re.compile(r)) for a, r in _PARAPHRASES]
# the school a child goes to, as an age range
_SCHOOL_AGE = [
    (re.compile(r"幼儿园|kindergarten|preschool|nursery"), 3.0, 6.0),
    (re.compile(r"小学|primary school|elementary"), 6.0, 12.0),
    (re.compile(r"初中|中学|middle school|junior high"), 12.0, 15.0),
    (re.compile(r"高中|high school"), 15.0, 18.0),
    (re.compile(r"大学|college|university"), 18.0, 22.0),
]
# how likely, on a 1-5 scale ("very likely" -> 5)
_LIKELY_QUESTION = re.compile(r"likely|how probable|可能性|可能")
_LIKELY = [
    (
        re.compile(
            r"not (very |at all )?likely at all|not at all likely|very unlikely|"
            r"highly unlikely|\bi never\b|never (would|will|recommend)|no chance|"
            r"绝对不会|肯定不会|不可能"
        ),
        1,
    ),
    (re.compile(r"\bunlikely\b|not (very|that|too|really) likely|probably not|不太可能"), 2),
    (
        re.compile(
            r"very likely|extremely likely|highly likely|definitely|certainly|for sure|"
            r"absolutely|肯定会|一定会|非常可能"
        ),
        5,
    ),
    (re.compile(r"\b(likely|probably)\b|很可能|应该会"), 4),
]

_CONTRAST = re.compile(r"但是|可是|不过|\bbut\b|\bthough\b")
# a dislike or refusal before the question's verb, anywhere in its clause
_AVERSE = re.compile(r"(不|没|从不|从来不|从没)(喜欢|愿意|想|爱|打算|习惯|怎么)|懒得|讨厌")

_ZH_ORDINAL = {"一": 0, "二": 1, "两": 1, "三": 2, "四": 3, "五": 4, "六": 5, "1": 0, "2": 1,
               "3": 2, "4": 3, "5": 4, "6": 5}  # fmt: skip
_EN_ORDINAL = {"first": 0, "second": 1, "third": 2, "fourth": 3, "fifth": 4, "1st": 0,
               "2nd": 1, "3rd": 2, "4th": 3, "5th": 4}  # fmt: skip
# one-word replies ASR writes for a number
_SPOKEN_DIGITS = {"for": "4", "fore": "4", "to": "2", "too": "2", "won": "1", "tree": "3",
                  "ate": "8", "五份": "5", "四份": "4", "三份": "3"}  # fmt: skip
_TOP = re.compile(r"满分|最高分|五星|top marks|full marks|perfect score|highest")
_BOTTOM = re.compile(r"最低分|零分|lowest|bottom|the worst score")
_NONE_COUNT = re.compile(
    r"^(没有|没|无|零|一个都没有|none|zero|nothing|no)$|"
    r"没车|没有车|没孩子|we don'?t have|i don'?t have|"
    r"don'?t (own|have) (a|any)|no cars?"
)
# who makes up a household ("me, my wife and three kids")
_PERSON = re.compile(
    r"\b(me|myself|i|my (wife|husband|partner|son|daughter|mum|mom|dad|mother|father|"
    r"girlfriend|boyfriend|brother|sister|kid|child|baby|grandma|grandpa|flatmate|roommate))\b|"
    r"我(?!们)|老婆|老公|爱人|媳妇|儿子|女儿|孩子|妈|爸|对象"
)
_ME = {"i": "me", "myself": "me", "我": "me"}
_ZERO_ANSWER = re.compile(r"^(没有|无|零|none|zero|0|no\b)")


@dataclass
class Match:
    index: int
    answer: str
    how: str  # the stage that matched, for the calltrace
    score: float = 1.0


def _leads(text: str, pos: int) -> bool:
    """A one-character answer not used as a copula or auxiliary after a pronoun ("是" in
    "我是她老公", "会" in "我会考虑" say nothing about the answers 是 / 会)."""
    return pos == 0 or text[pos - 1] not in "我你他她它这那就还但可要也"


_PARTIAL_STOP = {
    "以上", "以下", "及以", "以内", "不是", "没有", "一个",
    "the", "a", "an", "it", "one", "of", "or", "and", "to", "sure", "yes", "no", "not",
    "ok", "okay", "very", "more", "than", "less", "my", "me", "i",
}  # fmt: skip


class _Ambiguous(Exception):
    """Raised by a stage that finds the reply names several answers, or none clearly."""


@dataclass
class _Range:
    low: float
    high: float


def _answer_range(answer: str) -> _Range | None:
    a = fold(answer)
    if _ZERO_ANSWER.search(a.strip()):
        return _Range(0, 0)
    found = amounts(a)
    if not found:
        return None
    if len(found) >= 2 and re.search(r"[-~到至]|to", a):
        return _Range(found[0].low, found[1].high)
    return _Range(found[0].low, found[0].high)


@lru_cache(maxsize=4096)
def _pinyin(text: str) -> tuple[str, ...]:
    from pypinyin import lazy_pinyin

    return tuple(lazy_pinyin(text))


class AnswerMatcher:
    """Matches replies to one question's preset answers. Build once per question:
    the answers' embeddings are computed on first use and kept. `question` (its
    text) lets yes/no answers be read from the question's verb and amounts from what
    it counts."""

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
        self.scores = [scale_score(k) for k in self.keys]
        self.is_scale = sum(s is not None for s in self.scores) >= 2
        self.ranges = _exclusive([_answer_range(a) for a in self.answers])
        self.is_numeric = sum(r is not None for r in self.ranges) >= 2
        self.uncertain = [is_uncertain_answer(a) for a in self.answers]
        self.negative = [
            is_negative_answer(a) and not u
            for a, u in zip(self.answers, self.uncertain, strict=True)
        ]
        self.choices = times.TimeChoices.of(self.answers)
        self.is_timed = self.choices is not None and self.choices.timed
        self.is_days = self.choices is not None and self.choices.dayish
        self.binary = (
            sum(self.negative) == 1
            and sum(not n and not u for n, u in zip(self.negative, self.uncertain, strict=True))
            == 1
        )
        self.verbs = self._echo_words(question) if self.binary else ()
        self.parts = self._distinctive_parts()
        self.paraphrases = [
            [
                said
                for means, said in _PARAPHRASE_RES
                if means.search(k) and (not neg or means.pattern.startswith("^不"))
            ]
            for k, neg in zip(self.keys, self.negative, strict=True)
        ]
        self.likely = self.is_numeric and bool(_LIKELY_QUESTION.search(self.question))
        self._unit_cache: tuple[str, ...] | None = None
        self._key_patterns = [
            (
                i,
                k,
                re.compile(rf"(?<![a-z']){re.escape(k)}(?![a-z])" if k.isascii() else re.escape(k)),
            )
            for i, k in sorted(enumerate(self.keys), key=lambda p: -len(p[1]))
            if k
        ]
        spelled = [
            re.sub(r"\d", lambda d: "零一两三四五六七八九"[int(d.group(0))], k)
            if re.fullmatch(r"\d[\u4e00-\u9fff]", k)
            else k
            for k in self.keys
        ]
        self.sounds = [
            _pinyin(k) if re.fullmatch("[\u4e00-\u9fff]{2,}", k) else None for k in spelled
        ]
        self._vectors: np.ndarray | None = None

    def _distinctive_parts(self) -> list[list[str]]:
        """Pieces of each answer found in no other answer: "微信" of 微信支付 (next to
        支付宝), "text" of "Text message"; none for negative or uncertain answers."""
        pieces: list[set[str]] = []
        for k in self.keys:
            got: set[str] = set()
            if k.isascii():
                got = {w for w in re.findall(r"[a-z]+", k) if len(w) >= 3}
            else:
                for run in re.findall("[\u4e00-\u9fff]{3,}", k):
                    got |= {run[i : i + n] for n in (2, 3) for i in range(len(run) - n + 1)}
            pieces.append(got - _PARTIAL_STOP)
        out = []
        for i, own in enumerate(pieces):
            if self.negative[i] or self.uncertain[i]:
                out.append([])
                continue
            others = set().union(*(p for j, p in enumerate(pieces) if j != i)) if pieces else set()
            keys = " ".join(k for j, k in enumerate(self.keys) if j != i)
            out.append(sorted((w for w in own - others if w not in keys), key=len, reverse=True))
        return out

    def _echo_words(self, question: str) -> tuple[str, ...]:
        """What saying back means yes: the question's verbs, the positive answer, and
        its verb when the negative answer is 不/没 + it (续约 / 不续约 -> 续)."""
        pos = next(
            k
            for k, n, u in zip(self.keys, self.negative, self.uncertain, strict=True)
            if not n and not u
        )
        neg = next(k for k, n in zip(self.keys, self.negative, strict=True) if n)
        words = list(question_verbs(question))
        if re.fullmatch("[\u4e00-\u9fff]{2,3}", pos):
            words.append(pos)
            if neg in ("不" + pos, "没" + pos, "没有" + pos) and len(pos) == 2:
                words.append(pos[0])
        return tuple(dict.fromkeys(sorted(words, key=len, reverse=True)))

    # ----- the stages -----

    def match(self, reply: str, *, today: date | None = None) -> Match | None:
        text = apply_hot_words(clean(reply), self.hot_words)
        if not text or not self.answers or intents.is_hesitation(reply):
            return None
        self._today = today or date.today()
        parts, self._narrowed = self._clauses(reply)
        first = (self._scale, self._said) if self.is_scale else (self._said, self._scale)
        try:
            for stage in (
                self._unsure,
                *first,
                self._number,
                self._ordinal,
                self._time,
                self._paraphrase,
                self._yes_no,
                self._partial,
                self._fuzzy,
                self._sounds,
                self._clipped,
                self._embedding,
            ):
                found = stage(text, parts)
                if found is not None:
                    return found
        except _Ambiguous:
            return None
        return None

    def _clauses(self, reply: str) -> tuple[list[str], bool]:
        """The reply's clauses that may carry the answer: a clause turning a choice down
        ("上午不行") or saying how it used to be ("以前去营业厅", with a "现在" clause)
        is left out when another clause remains."""
        parts = [apply_hot_words(clean(p), self.hot_words) for p in intents.clauses(reply)]
        parts = [p for p in parts if p]
        if len(parts) < 2:
            return parts, False
        kept = [p for p in parts if not _NEG_CLAUSE.search(p)]
        if any(_NOW_CLAUSE.search(p) for p in kept):
            kept = [p for p in kept if not _PAST_CLAUSE.search(p) or _NOW_CLAUSE.search(p)]
        return (kept, len(kept) < len(parts)) if kept else (parts, False)

    def _pick(self, index: int, how: str, score: float = 1.0) -> Match:
        return Match(index, self.answers[index], how, score)

    def _unsure(self, text: str, parts: list[str]) -> Match | None:
        if _DEFERS.search(text):
            raise _Ambiguous  # ask again (or the one who decides)
        if not intents.UNSURE.search(text):
            return None
        said = self._said(text, parts, quiet=True)
        if said is not None and self.uncertain[said.index]:
            return said
        if any(self.uncertain):
            return self._pick(self.uncertain.index(True), "unsure")
        raise _Ambiguous  # unsure, and the question offers no such answer: ask again

    def _said(self, text: str, parts: list[str], *, quiet: bool = False) -> Match | None:
        if self._narrowed or len(parts) > 1:
            for scope in ([" ".join(parts)] if self._narrowed else []) + parts:
                found = self._said_in(scope, quiet=True)
                if found is not None:
                    return found
        return self._said_in(text, quiet=quiet)

    def _said_in(self, text: str, *, quiet: bool) -> Match | None:
        spans: list[tuple[int, int, int]] = []  # (start, end, answer index)
        for i, key, pattern in self._key_patterns:
            if key not in text:
                continue
            for m in pattern.finditer(text):
                if len(key) == 1 and not _leads(text, m.start()):
                    continue  # "是" in "我是她老公" is not the answer 是
                if not any(s < m.end() and m.start() < e for s, e, _ in spans):
                    spans.append((m.start(), m.end(), i))
        if not spans:
            return None
        plain, negated = set(), set()
        for start, _, i in spans:
            if (
                not self.negative[i]
                and not self.uncertain[i]
                and _NEGATORS.search(text[max(0, start - (16 if text.isascii() else 6)) : start])
            ):
                negated.add(i)
            else:
                plain.add(i)
        if len(plain) == 1:
            return self._pick(plain.pop(), "said")
        if len(plain) > 1:
            if quiet:
                return None
            raise _Ambiguous
        # only negated answers: "不是很满意" says the answer's opposite
        if self.is_scale and all(self.scores[i] is not None for i in negated):
            return None  # the scale stage reads it
        opposite = [j for j, neg in enumerate(self.negative) if neg]
        if len(opposite) == 1:
            return self._pick(opposite[0], "said-negated")
        others = [j for j in range(len(self.answers)) if j not in negated]
        if len(others) == 1:  # "上午不行" of two choices
            return self._pick(others[0], "said-negated")
        if quiet:
            return None
        raise _Ambiguous

    def _scale(self, text: str, parts: list[str]) -> Match | None:
        score = scale_score(text)
        found = self._amounts(text)
        how = "scale"
        if score is None and found and self.is_scale:
            a = found[0]
            as_score = re.search(
                r"out of|满分|分$|星|points?|stars?|give|打", text
            ) or re.fullmatch(r"\W*\w+\W*", text)
            as_score = as_score and not _CLOCK.search(text)
            if len({(x.low, x.high) for x in found}) == 1 and a.exact and as_score:
                score, how = (int(a.low) if 1 <= a.low <= 5 else None), "scale-number"
        if score is None and self.likely and not found:
            score = next((n for p, n in _LIKELY if p.search(text)), None)
        if score is None or not self.is_scale:
            if score is not None and self.is_numeric and self._is_five_scale() and not found:
                return self._number_match(_Range(score, score), "scale")
            return None
        scored = [
            (abs(s - score), -s if score < 3 else s, i) for i, s in enumerate(self.scores) if s
        ]
        return self._pick(min(scored)[2], how)

    def _is_five_scale(self) -> bool:
        return all(r is None or (1 <= r.low <= 5 and r.low == r.high) for r in self.ranges)

    def _amounts(self, text: str) -> list[Amount]:
        word = _SPOKEN_DIGITS.get(text.strip())
        return amounts(word if word and self.is_numeric else text)

    def _number(self, text: str, parts: list[str]) -> Match | None:
        if not self.is_numeric:
            return None
        if self._is_five_scale():
            if _TOP.search(text):
                return self._number_match(_Range(5, 5), "number")
            if _BOTTOM.search(text):
                return self._number_match(_Range(1, 1), "number")
        if any(r is not None and r.high == 0 for r in self.ranges) and _NONE_COUNT.search(text):
            return self._number_match(_Range(0, 0), "number")
        found = self._amounts(text)
        if re.search(r"out of|满分", text) and len(found) >= 2:
            found = [min(found[:2], key=lambda a: a.low)] if "满分" in text else found[:1]
        units = self._units()
        counted = [a for a in found if a.unit and any(u in a.unit for u in units)]
        if counted:
            found = counted
        people = self._people(text)
        if people is None and found and _EACH.search(text):
            owners = len({_ME.get(m.group(0), m.group(0)) for m in _PERSON.finditer(text)})
            if owners < 2 or len(found) > 1 or not found[0].exact:
                raise _Ambiguous
            a = found[0]
            found = [Amount(a.low * owners, a.high * owners, a.start, a.end, a.unit)]
        elif people is not None and (not found or people > max(a.high for a in found)):
            found = [Amount(people, people, 0, 0, "人")]
        if not found and "岁" in units:
            school = [(lo, hi) for p, lo, hi in _SCHOOL_AGE if p.search(text)]
            if len(school) == 1:
                return self._number_match(_Range(*school[0]), "number")
        if not found:
            return None
        if len({(a.low, a.high) for a in found}) > 1:
            picks = {self._inside(_Range(a.low, a.high)) for a in found}
            if len(picks) == 1 and None not in picks:  # "好几辆 四五辆吧"
                return self._pick(picks.pop(), "number")
            raise _Ambiguous  # "老大九岁 老二三岁"
        a = found[0]
        low, high = a.low, a.high
        if "月" in a.unit and any(u in ("岁", "year") for u in units):  # 八个月 -> 0.7 岁
            low, high = low / 12, high / 12
        return self._number_match(_Range(low, high), "number")

    def _units(self) -> tuple[str, ...]:
        if self._unit_cache is None:
            self._unit_cache = self._find_units()
        return self._unit_cache

    def _find_units(self) -> tuple[str, ...]:
        said = " ".join(self.answers).lower() + " " + self.question
        out = []
        for unit, words in (
            ("人", ("人", "口", "几个人", "household", "people")),
            ("口", ("人", "口", "household", "people")),
            ("岁", ("岁", "年龄", "多大", "age", "old")),
            ("year", ("age", "old")),
            ("辆", ("辆", "车", "car")),
            ("台", ("辆", "车")),
            ("元", ("元", "钱", "话费", "dollar", "$")),
            ("块", ("元", "钱", "话费")),
            ("分", ("分", "打分", "评分", "score", "rate")),
            ("星", ("分", "星", "star")),
            ("people", ("people", "household")),
            ("car", ("car",)),
        ):
            if any(w in said for w in words):
                out.append(unit)
        return tuple(out)

    def _people(self, text: str) -> float | None:
        """How many people "me, my wife and three kids" or "我和我老婆" names."""
        if "人" not in self._units() and "people" not in self._units():
            return None
        if re.search(
            r"just me|only me|myself|live alone|就我一?个|我一个人|一个人|我自己|就我自己", text
        ):
            return 1.0
        named = {_ME.get(m.group(0), m.group(0)) for m in _PERSON.finditer(text)}
        kids = sum(a.low for a in amounts(text) if a.exact and re.search(
            r"^\s*(kids|children|sons|daughters|个孩子|孩子)", text[a.end : a.end + 10]
        ))  # fmt: skip
        if kids:
            named = {n for n in named if not re.search(r"kid|child|孩子", n)}
        if len(named) + (1 if kids else 0) < 2:
            return None
        return float(len(named) + kids)

    def _inside(self, said: _Range) -> int | None:
        inside = [
            i for i, r in enumerate(self.ranges)
            if r is not None and r.low <= said.low and said.high <= r.high
        ]  # fmt: skip
        return inside[0] if len(inside) == 1 else None

    def _number_match(self, said: _Range, how: str) -> Match | None:
        inside = [
            i for i, r in enumerate(self.ranges)
            if r is not None and r.low <= said.low and said.high <= r.high
        ]  # fmt: skip
        if len(inside) == 1:
            return self._pick(inside[0], how)
        if len(inside) > 1 or any(
            r is not None and r.low <= said.high and said.low <= r.high for r in self.ranges
        ):
            raise _Ambiguous  # "三四分", "一百左右" across two answers
        return None

    def _ordinal(self, text: str, parts: list[str]) -> Match | None:
        index = None
        if m := re.search(r"第([一二两三四五六123456])(个|种|项|条|位|档|类|)", text):
            index = _ZH_ORDINAL[m.group(1)]
        elif m := re.search(r"\b(first|second|third|fourth|fifth|1st|2nd|3rd|4th|5th)\b", text):
            index = _EN_ORDINAL[m.group(1)]
        elif re.search(r"中间|middle", text) and len(self.answers) == 3:
            index = 1
        elif re.search(r"最后|the last|last one|latter|后面那个|后一个|后者", text):
            index = len(self.answers) - 1
        elif re.search(r"前面那个|^前面的?$|前一个|前者|former|头一个|the first one", text):
            index = 0
        elif m := re.search(r"\b(?:option|choice) ([a-e])\b|^([a-e])$|选([a-eA-E])", text):
            index = "abcde".index((m.group(1) or m.group(2) or m.group(3)).lower())
        if index is None or index >= len(self.answers):
            return None
        return self._pick(index, "ordinal")

    def _time(self, text: str, parts: list[str]) -> Match | None:
        if self.choices is None:
            return None
        scope = " ".join(parts) if parts else text
        if _ANY.search(scope) and not times.is_soonest(scope):
            raise _Ambiguous
        try:
            index = self.choices.pick(scope, self._today)
        except times.Ambiguous:
            raise _Ambiguous from None
        return None if index is None else self._pick(index, "time")

    def _yes_no(self, text: str, parts: list[str]) -> Match | None:
        pos = [
            i for i in range(len(self.answers)) if not self.negative[i] and not self.uncertain[i]
        ]
        neg = [i for i, n in enumerate(self.negative) if n]
        if len(pos) != 1 or len(neg) != 1:
            return None
        said, how = self._echo(text), "echo"
        if said is None and (turn := _CONTRAST.split(text)[-1]) != text:
            said = polarity(turn)  # "下载了 但是没打开过": what comes after the "but"
            how = "contrast" if said is not None else ""
        if said is None:
            said, how = polarity(text), ""
        if said is True:
            return self._pick(pos[0], how or "yes")
        if said is False:
            return self._pick(neg[0], how or "no")
        return None

    def _echo(self, text: str) -> bool | None:
        """The question's own verb said back: "续吧" -> yes, "不打算续了" -> no."""
        for verb in self.verbs:
            pos = text.find(verb)
            if pos < 0:
                continue
            before, after = text[max(0, pos - 4) : pos], text[pos + len(verb) : pos + len(verb) + 2]
            if re.search(
                r"(不|没|别|不再|不想|不打算|不会|没怎么|不用|不太|无法)$", before
            ) or after.startswith(("不了", "不到", "不成")):
                return False
            if _AVERSE.search(text[:pos]):  # "我不喜欢给别人推荐东西"
                return False
            if polarity(text) is False and NO.match(text):
                return False
            return True
        return None

    def _paraphrase(self, text: str, parts: list[str]) -> Match | None:
        """Another word for one answer ("不租了" -> 搬走, "SMS" -> Text message); none
        when it is negated or when words for two answers are said."""
        scope = " ".join(parts) if self._narrowed else text
        found = set()
        for i, patterns in enumerate(self.paraphrases):
            for p in patterns:
                m = p.search(scope)
                if m and not _NEGATORS.search(scope[max(0, m.start() - 16) : m.start()]):
                    found.add(i)
        if len(found) == 1:
            return self._pick(found.pop(), "paraphrase")
        if found:
            raise _Ambiguous
        return None

    def _partial(self, text: str, parts: list[str]) -> Match | None:
        """A distinctive piece of one answer said ("一般用微信" -> 微信支付)."""
        scope = " ".join(parts) if self._narrowed else text
        found = set()
        for i, pieces in enumerate(self.parts):
            for w in pieces:
                if w not in scope:
                    continue
                pattern = rf"(?<![a-z]){w}(?![a-z])" if w.isascii() else re.escape(w)
                m = re.search(pattern, scope)
                if m and not _NEGATORS.search(scope[max(0, m.start() - 6) : m.start()]):
                    found.add(i)
                    break
        if len(found) == 1:
            return self._pick(found.pop(), "partial")
        return None

    def _fuzzy(self, text: str, parts: list[str]) -> Match | None:
        if re.search(r"\b(not|no|never)\b|n't|不|没", text):
            return None
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

    def _sounds(self, text: str, parts: list[str]) -> Match | None:
        """A run of characters that sounds like an answer (toneless pinyin)."""
        found = set()
        for i, want in enumerate(self.sounds):
            if want is None:
                continue
            n = len(want)
            for run in re.findall("[\u4e00-\u9fff]+", text):
                heard = _pinyin(run)
                for j in range(len(heard) - n + 1):
                    if heard[j : j + n] == want and not _NEGATORS.search(run[max(0, j - 3) : j]):
                        found.add(i)
        if len(found) == 1:
            return self._pick(found.pop(), "sounds")
        return None

    def _clipped(self, text: str, parts: list[str]) -> Match | None:
        """The answer with its last character dropped ("不满" for 不满意)."""
        hits = [i for i, k in enumerate(self.keys) if len(k) >= 3 and text == k[:-1]]
        return self._pick(hits[0], "clipped") if len(hits) == 1 else None

    def _embedding(self, text: str, parts: list[str]) -> Match | None:
        if self.encoder is None or re.search(r"\b(not|no|never)\b|n't|不|没", text):
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


def _exclusive(ranges: list[_Range | None]) -> list[_Range | None]:
    """ "100元以上" next to "50-100元": 100 itself belongs to the bounded answer."""
    out = list(ranges)
    for i, r in enumerate(out):
        if r is None:
            continue
        for j, other in enumerate(out):
            if i == j or other is None:
                continue
            if r.high == float("inf") and other.low <= r.low <= other.high and other.high != r.high:
                out[i] = _Range(r.low + 0.01, r.high)
            if r.low == float("-inf") and other.low <= r.high <= other.high and other.low != r.low:
                out[i] = _Range(r.low, r.high - 0.01)
    return out
