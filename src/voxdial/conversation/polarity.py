"""Yes, no or unsure: the polarity of a reply ("是的", "nope", "不打算续了"), which preset
answers are negative ("不满意", "No") or uncertain ("不确定", "Not sure"), and the verbs
of a Mandarin yes/no question, which a callee often says back instead of yes ("续吧")."""

from __future__ import annotations

import re
from functools import lru_cache

from voxdial.conversation.normalize import squash

_NEG_ANSWER = re.compile(r"^(不|没|否|无|非|未|not |no |don'?t |never)|^(no|否|不是|没有|不对)$")
_UNCERTAIN_ANSWER = re.compile(
    r"不确定|不一定|说不好|说不准|不好说|没决定|没想好|没定|待定|不知道|不清楚|看情况|考虑|"
    r"undecided|not sure|unsure|don'?t know|maybe|depends|no idea|not decided"
)


_YES = re.compile(
    r"^(是|是的|是啊|是呀|对|对的|对对|对啊|对呀|嗯|嗯嗯|恩|好|好的|好啊|好呀|行|行啊|可以|可以的|当然|肯定|"
    r"没问题|没错|当然可以|必须的|要的|要|需要|ok|okay|yes|yeah|"
    r"yep|yup|yea|ya|sure|of course|certainly|"
    r"absolutely|definitely|right|correct|that's right|i do|i did|i would|i will|yes please|"
    r"sounds good|go ahead|go on|we do|i have|we have|"
    r"uh huh|why not|speaking|it is|sure is)(?![a-z])"
    r"|没问题|当然|肯定(是|会|要)|可以啊|是的|对的|(^| )(yes|"
    r"yeah|yep|sure)( |$)|好的|(^|那|就)(可以|行|好)|"
    r"是我|我就是|就是我|本人|this is (he|she|him|her)|that'?s me|it'?s me|yes it is"
)
NO = re.compile(
    r"^(不|不是|不对|没有|没|不要|不用|不需要|不行|不可以|不愿意|不会|不想|否|算了|别|无|"
    r"no|nope|nah|not really|not at all|never|no thanks|i don't|i do not|i won't|i wouldn't)"
    r"|不是|没有|不用|不要|不需要|不愿意|不想|不会|不打算|不去|不了$|去不了|来不了|打错|不在|"
    r"(^| )(no|nope|nah|don't|not|never)( |$)|don't think|not really|not at the moment|not yet|"
    r"not now|not this time|not anymore|no longer|probably not|wrong number|cancel"
)


# verbs of a yes/no question that say nothing on their own
_GENERIC_VERBS = set(
    "是 有 会 能 要 想 觉得 希望 请问 打算 可以 问 让 给 把 做 说 看 方便 知道 还".split()
)
_VERB_SYNONYMS = {"需要": ("要", "用"), "使用": ("用",), "继续": ("还",), "续保": ("续",)}


def polarity(text: str) -> bool | None:
    """True for yes, False for no, None when the reply says neither."""
    if re.search(r"why not|no problem|not a problem|没问题|不客气|no doubt", text):
        return True
    if NO.search(text):
        return False
    if _YES.search(text):
        return True
    return None


def is_negative_answer(answer: str) -> bool:
    return bool(_NEG_ANSWER.search(squash(answer)))


def is_uncertain_answer(answer: str) -> bool:
    return bool(_UNCERTAIN_ANSWER.search(squash(answer)))


@lru_cache(maxsize=512)
def question_verbs(question: str) -> tuple[str, ...]:
    """The verbs of a Mandarin yes/no question ("您还会继续使用我们的服务吗" -> 继续, 使用)."""
    if not re.search("[\u4e00-\u9fff]", question):
        return ()
    import jieba.posseg

    from voxdial.conversation.knowledge import _jieba

    _jieba()
    verbs = [w for w, flag in jieba.posseg.lcut(question) if flag.startswith("v")]
    out: list[str] = []
    for v in verbs:
        if v in _GENERIC_VERBS:
            continue
        out.append(v)
        out += _VERB_SYNONYMS.get(v, ())
    for v, more in _VERB_SYNONYMS.items():  # whatever jieba tagged them as ("续保吗")
        if v in question and v not in out and len(more[0]) == 1 and len(v) == 2:
            out += [v, *more]
    return tuple(dict.fromkeys(out))
