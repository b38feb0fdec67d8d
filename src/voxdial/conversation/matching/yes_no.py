"""Yes or no to a question with one positive and one negative answer, read from the
question's own verb said back ("续吧" -> yes, "不打算续了" -> no), from what comes after
a "but" ("下载了 但是没打开过"), or from the reply's polarity."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from voxdial.conversation.matching.cues import AVERSE, CONTRAST, NEGATION
from voxdial.conversation.matching.match import Heard, Match
from voxdial.conversation.polarity import NO, polarity, question_verbs

if TYPE_CHECKING:
    from voxdial.conversation.matching.answers import AnswerSet


def echo_words(question: str, keys: list[str], negative: list[bool], uncertain: list[bool]):
    """What saying back means yes: the question's verbs, the positive answer, and
    its verb when the negative answer is 不/没 + it (续约 / 不续约 -> 续)."""
    pos = next(k for k, n, u in zip(keys, negative, uncertain, strict=True) if not n and not u)
    neg = next(k for k, n in zip(keys, negative, strict=True) if n)
    words = list(question_verbs(question))
    if re.fullmatch("[\u4e00-\u9fff]{2,3}", pos):
        words.append(pos)
        if neg in ("不" + pos, "没" + pos, "没有" + pos) and len(pos) == 2:
            words.append(pos[0])
        elif neg == "不" + pos and (aux := _AUXILIARY.match(pos)):
            words.append(aux.group(0))  # 会推荐 / 不会推荐: "会的", "应该会吧"
    return tuple(dict.fromkeys(sorted(words, key=len, reverse=True)))


# an auxiliary the answers open with ("会推荐" / "不会推荐"), said back for yes
_AUXILIARY = re.compile(r"会|能|愿意|要|想")
# negations that say yes or nothing ("没问题", "不错", "not bad"), left out when looking
# for a negation a yes leaves unresolved
_POSITIVE_NEGATIONS = re.compile(
    r"没问题|不错|没事|没关系|不客气|不好意思|不用谢|((i )?(don'?t|do not|can'?t) see )?why not|"
    r"no problem|not a problem|not bad|"
    r"no worries|no doubt"
)
# "不是不可以", "不会不推荐": two negations in one clause, a yes
_DOUBLE_NEGATION = re.compile(r"(不是|不会|没有|并不是|并非|不能|没)不")
# a bare acknowledgement: a yes to a plain yes/no question, too weak when the question
# also offers an uncertain answer
_BACKCHANNEL = re.compile(r"(嗯+|恩+|mm+|uh huh|mhm)")


def yes_no(a: AnswerSet, heard: Heard) -> Match | None:
    text = heard.text
    pos = [i for i in range(len(a.answers)) if not a.negative[i] and not a.uncertain[i]]
    neg = [i for i, n in enumerate(a.negative) if n]
    if len(pos) != 1 or len(neg) != 1:
        return None
    if any(a.uncertain) and _BACKCHANNEL.fullmatch(text):
        return None
    if any(_DOUBLE_NEGATION.search(p) for p in heard.parts) and not CONTRAST.search(text):
        return a.pick(pos[0], "double-negation")
    said, how = _echo(a.verbs, text), "echo"
    if said is None and (turn := CONTRAST.split(text)[-1]) != text:
        said = polarity(turn)  # "下载了 但是没打开过": what comes after the "but"
        how = "contrast" if said is not None else ""
    if said is None:
        said, how = polarity(text), ""
        if said is True and NEGATION.search(_POSITIVE_NEGATIONS.sub(" ", text)):
            return None  # "好像没破", "还没拆 看着没问题": a yes word beside a negation
    if said is True:
        return a.pick(pos[0], how or "yes")
    if said is False:
        return a.pick(neg[0], how or "no")
    return None


def _echo(verbs: tuple[str, ...], text: str) -> bool | None:
    """The question's own verb said back: "续吧" -> yes, "不打算续了" -> no; said more
    than once, the last saying counts ("推荐啥呀 不推荐")."""
    for verb in verbs:
        said = [_echoed(text, m.start(), verb) for m in re.finditer(re.escape(verb), text)]
        if said:
            return said[-1]
    return None


def _echoed(text: str, pos: int, verb: str) -> bool:
    """What one saying of the verb at `pos` says: yes, or no when negated."""
    before, after = text[max(0, pos - 4) : pos], text[pos + len(verb) : pos + len(verb) + 2]
    if re.search(
        r"(不|没|别|不再|不想|不打算|不会|没怎么|不用|不太|无法)$", before
    ) or after.startswith(("不了", "不到", "不成")):
        return False
    if AVERSE.search(text[:pos]):  # "我不喜欢给别人推荐东西"
        return False
    if polarity(text) is False and NO.match(text):
        return False
    return True
