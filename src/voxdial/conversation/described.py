"""A choice named by what the knowledge says of it and of no other choice: "the one by the
ferry terminal" for Harbour Road, when the knowledge puts the Harbour Road campus next to
the ferry terminal; "半包吧 899那个" for the package it prices at 899 a square metre, as a
half package."""

from __future__ import annotations

import re
from functools import lru_cache

from voxdial.conversation.matching.answers import AnswerSet
from voxdial.conversation.matching.cues import NEGATION
from voxdial.conversation.normalize import fold

# a sentence's end
_SENTENCE = re.compile(r"(?<=[。！？!?；;])|(?<=\.)\s+|\n+")
# the reply points at one of the choices by what it is ("the one by the ferry", "the
# emergency one", "899那个", "带主材的"): a thing named alone ("支付宝") may be another
# option, one the question does not offer
_POINTS = re.compile(
    r"\bthe ([a-z'-]+ ){0,2}(one|ones|option|side|place)\b|\bone (by|near|with|next to|at|on|in|"
    r"that|where|for)\b|那个|那种|那款|那块|那家|那套|的(那|吧|$)"
)
# words that say nothing of one choice
_STOP = frozenset(
    "the and for with that this one ones them they their there then than have has had you your "
    "our are was were will would can could should not but all any its it's i'm i'd i'll "
    "just really think reckon maybe probably please yes yeah okay from into onto over near "
    "next what which who when where how about some more most less much very well also "
    "like want need get got give take make do does did done say said go going come "
    "thing things something anything bit lot way side kind sort".split()
)
# characters that leave a pair of Mandarin characters saying nothing of one choice
_STOP_CJK = set("的了吧是我你他她它这那个就都也还要有在和不没吗呢啊嘛呀哦想说一些种")
# how often a term may turn up in the knowledge and still single a choice out
_MOST = 3


def described(a: AnswerSet, knowledge: str, reply: str) -> int | None:
    """The one plain choice the knowledge says the reply's own words of ("ferry
    terminal", "899", 半包), in sentences naming that choice and no other; the words must
    be found in no sentence naming another choice, nor in the question. None when the
    reply turns something down, when its words point at two choices, or at none."""
    if not knowledge or a.binary or a.is_numeric or a.is_scale or a.choices is not None:
        return None
    said = fold(reply)
    if NEGATION.search(said):
        return None  # "not the one by the ferry": which is meant is not for this reading
    plain = a.plain
    if len(plain) < 2:
        return None
    sentences = _sentences(knowledge)
    named = [{i for i in plain if _names(s, a.keys[i])} for s in sentences]
    points = _POINTS.search(said) is not None
    if (cheap := _CHEAP.search(said)) or (dear := _DEAR.search(said)):
        said_at = cheap or dear
        if not points and not _MOST_OF.search(said_at.group(0)):
            return None  # "便宜点吧": cheaper, not one of them
        if _PROVIDED.search(said[said_at.end() :]):
            return None  # "whatever's cheapest that still streams 4k": a condition to meet
        return _by_price(a, plain, sentences, cheapest=cheap is not None)
    if not points:
        return None
    shut = a.question + " " + " ".join(a.keys)
    pointed: set[int] = set()
    for term in _terms(said):
        if _holds(shut, term):
            continue
        holding = [
            n for s, n in zip(sentences, named, strict=True)
            if _holds(s, term) and not _before_its_choice(s, term, n, a)
        ]  # fmt: skip
        if not holding or len(holding) > _MOST:
            continue
        choices = set().union(*holding)
        if len(choices) == 1 and all(n == choices for n in holding):
            pointed |= choices
        elif choices:
            return None  # said of two choices: not one of them
    return pointed.pop() if len(pointed) == 1 else None


@lru_cache(maxsize=32)
def _sentences(knowledge: str) -> tuple[str, ...]:
    """The knowledge text's sentences, folded: split once per text, not once per reply."""
    return tuple(fold(s) for s in _SENTENCE.split(knowledge) if s and s.strip())


# between a sentence's clauses
_CLAUSE = re.compile(r"[,，;；]")


def _before_its_choice(sentence: str, term: str, named: set[int], a: AnswerSet) -> bool:
    """Whether the term is said only in clauses before the one choice the sentence
    names: what a sentence tells of a thing follows the thing ("安检员统一穿蓝色工装，...
    在微信公众号里核验": the blue is the uniform's, not 微信's)."""
    if len(named) != 1:
        return False
    key = a.keys[next(iter(named))]
    clauses = _CLAUSE.split(sentence)
    first = next((n for n, c in enumerate(clauses) if _names(c, key)), None)
    if first is None:
        return False
    return not any(_holds(c, term) for c in clauses[first:])


def _names(sentence: str, key: str) -> bool:
    if key.isascii():
        return re.search(rf"(?<![a-z]){re.escape(key)}(?![a-z])", sentence) is not None
    return key in sentence


def _terms(said: str) -> set[str]:
    """The reply's words that may single a choice out: English words of four letters or
    more, figures of two digits or more, and pairs of Mandarin characters."""
    terms = {w for w in re.findall(r"[a-z][a-z'-]{3,}", said) if w not in _STOP}
    terms |= set(re.findall(r"\d{2,}", said))
    for run in re.findall("[\u4e00-\u9fff]+", said):
        pairs = (run[i : i + 2] for i in range(len(run) - 1))
        terms |= {p for p in pairs if not set(p) & _STOP_CJK}
    return terms


def _holds(sentence: str, term: str) -> bool:
    """Whether the sentence holds the term as a word or a word's start ("stop" of
    "stops": the more sentences hold it, the likelier two choices do); a figure not
    inside a longer one."""
    if term.isdigit():
        return re.search(rf"(?<!\d){term}(?!\d)", sentence) is not None
    if term.isascii():
        return re.search(rf"(?<![a-z0-9]){re.escape(term)}", sentence) is not None
    return term in sentence


# the cheapest or the dearest of the choices ("便宜的那个", "the cheapest one", "最贵的")
_CHEAP = re.compile(r"(最)?便宜|实惠的|\bcheap(est)?\b|\bleast expensive\b|\blowest price\b")
# a condition the cheapest or the dearest must meet, said after it
_PROVIDED = re.compile(
    r"\b(that|which|as long as|so long as|provided|but|if|with)\b|只要|但|前提|能"
)
_MOST_OF = re.compile(r"最|est\b|\b(least|most)\b")
_DEAR = re.compile(r"最贵|贵的那|\b(dearest|priciest|most expensive)\b")
# a price: a figure with its currency ("899元", "£165", "$40")
_PRICE = re.compile(r"([£$€])\s?(\d+(?:\.\d+)?)|(\d+(?:\.\d+)?)\s?(元|块|pounds|dollars|euros)")


def _by_price(
    a: AnswerSet, plain: list[int], sentences: tuple[str, ...], *, cheapest: bool
) -> int | None:
    """The plain choice the knowledge prices lowest (or highest): each choice's price is
    the first one the knowledge gives in a clause naming it and no other ("基础套餐每平方米
    899元", before what its tiles may cost); None when a choice has no price."""
    price: dict[int, float] = {}
    for clause in (c for s in sentences for c in re.split(r"[，,：:]", s)):
        named = [i for i in plain if _names(clause, a.keys[i])]
        found = [float(m.group(2) or m.group(3)) for m in _PRICE.finditer(clause)]
        if len(named) == 1 and len(found) == 1:
            price.setdefault(named[0], found[0])
    if len(price) != len(plain):
        return None
    best = (min if cheapest else max)(price.values())
    picked = [i for i, p in price.items() if p == best]
    return picked[0] if len(picked) == 1 else None
