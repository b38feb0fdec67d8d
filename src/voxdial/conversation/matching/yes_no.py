"""Yes or no to a question with one positive and one negative answer, read from the
question's own verb said back ("续吧" -> yes, "不打算续了" -> no), from what comes after
a "but" ("下载了 但是没打开过"), or from the reply's polarity."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from voxdial.conversation.matching.cues import AVERSE, CONTRAST
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
    return tuple(dict.fromkeys(sorted(words, key=len, reverse=True)))


def yes_no(a: AnswerSet, heard: Heard) -> Match | None:
    text = heard.text
    pos = [i for i in range(len(a.answers)) if not a.negative[i] and not a.uncertain[i]]
    neg = [i for i, n in enumerate(a.negative) if n]
    if len(pos) != 1 or len(neg) != 1:
        return None
    said, how = _echo(a.verbs, text), "echo"
    if said is None and (turn := CONTRAST.split(text)[-1]) != text:
        said = polarity(turn)  # "下载了 但是没打开过": what comes after the "but"
        how = "contrast" if said is not None else ""
    if said is None:
        said, how = polarity(text), ""
    if said is True:
        return a.pick(pos[0], how or "yes")
    if said is False:
        return a.pick(neg[0], how or "no")
    return None


def _echo(verbs: tuple[str, ...], text: str) -> bool | None:
    """The question's own verb said back: "续吧" -> yes, "不打算续了" -> no."""
    for verb in verbs:
        pos = text.find(verb)
        if pos < 0:
            continue
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
    return None
