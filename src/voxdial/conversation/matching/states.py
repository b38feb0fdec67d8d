"""A yes/no question about a state that is either fine or a problem ("水压正常吗",
"按约好的时间到的吗", "有没有破损", "any problems since?"): the reply is read as
describing the fine state or the problem, each word with its own negation ("没迟到" is
on time, "没觉得有啥不正常" is normal, "哪有准时" is late), and then mapped through
what the question asks about. Word lists are general ones for how people describe a
problem or its absence, not any one question's."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from voxdial.conversation.matching.match import Ambiguous, Heard, Match

if TYPE_CHECKING:
    from voxdial.conversation.matching.answers import AnswerSet

# a problem, a fault, lateness, damage, weakness
BAD = re.compile(
    r"不正常|异常|问题|毛病|故障|迟到|晚了|来晚|晚到|晚点到|不准时|破损|破了|破个|破了个|(?<![打突])破(?![费解])|坏了|损坏|"
    r"压扁|压坏|变形|裂了|碎了|漏水|渗水|漏了|时大时小|忽大忽小|水小|很小|太小|变小|小了|不稳|"
    r"落下|耽误|耽搁|错过|没来(?![晚迟])|放鸽子|爽约|"
    r"\b(problems?|issues?|wrong|broken|damaged|late|leak(ing|s|ed)?|worse|trouble|faulty|"
    r"not working|stopped working|weak|dented|torn|cracked|missed|skipped|no[- ]show|"
    r"didn'?t (show|turn) up|never (showed|turned) up)\b"
)
# the fine state
GOOD = re.compile(
    r"正常|准时|按时|按点|守时|准点|挺准|好好的|完好|完整|没坏|跟以前一样|和以前一样|跟原来一样|"
    r"\b(fine|normal|on time|punctual|intact|perfect(ly)?|working|in one piece|good as new)\b"
)
# a negator a few characters / words before a word ("没什么问题", "no problems", "wasn't late")
_NEG_ZH = re.compile(r"(没|不|无|未|别)[^，,。\s]{0,4}$")
_NEG_EN = re.compile(r"\b(no|not|never|without|nothing|hardly)\b[\w' ]{0,12}$|n't[\w' ]{0,8}$")
# a rhetorical question that denies ("哪有准时", "哪里准时了")
_DENY_ZH = re.compile(r"(哪有|哪里|哪儿|什么)[^，,。\s]{0,2}$")
# the question names what it asks about: a time kept ("按约好的时间"), a state
_ASKS_GOOD = re.compile(GOOD.pattern + r"|按.{0,4}时间|\b(as agreed|as scheduled)\b")


def _states(text: str) -> list[bool]:
    """What each state word says: True the fine state, False the problem."""
    found: list[bool] = []
    bad_spans = [m.span() for m in BAD.finditer(text)]
    for start, _ in bad_spans:
        found.append(_negated(text, start))  # no problem: fine
    for m in GOOD.finditer(text):
        if any(s <= m.start() < e or m.start() <= s < m.end() for s, e in bad_spans):
            continue  # 正常 inside 不正常
        denied = _DENY_ZH.search(text[max(0, m.start() - 3) : m.start()])
        found.append(not (_negated(text, m.start()) or denied))
    return found


def _negated(text: str, start: int) -> bool:
    before = text[max(0, start - 16) : start]
    if text.isascii():
        return bool(_NEG_EN.search(before))
    return bool(_NEG_ZH.search(before[-5:])) and not re.search(r"不错|没事了?$", before[-5:])


def state(a: AnswerSet, heard: Heard) -> Match | None:
    if not a.binary:
        return None
    question = a.question
    asks_bad = bool(BAD.search(question))
    asks_good = bool(_ASKS_GOOD.search(question)) and not asks_bad
    if not asks_bad and not asks_good:
        return None
    said = _states(" ".join(heard.parts) if heard.parts else heard.text)
    if not said:
        return None
    if len(set(said)) > 1:
        raise Ambiguous  # "准时 就是水有点小": both a fine state and a problem
    fine = said[0]
    pos = next(i for i in range(len(a.answers)) if not a.negative[i] and not a.uncertain[i])
    neg = a.negative.index(True)
    return a.pick(pos if fine == asks_good else neg, "state")
