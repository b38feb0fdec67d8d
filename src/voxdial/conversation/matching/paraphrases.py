"""Other words for a preset answer ("不租了" for 搬走, "SMS" for Text message): a table of
what an answer says and what a callee says for it."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from voxdial.conversation.matching.cues import negated_before
from voxdial.conversation.matching.match import Ambiguous, Heard, Match

if TYPE_CHECKING:
    from voxdial.conversation.matching.answers import AnswerSet

# (what the answer says, what a callee says for it)
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


def paraphrases_of(keys: list[str], negative: list[bool]) -> list[list[re.Pattern[str]]]:
    """For each answer, the patterns of what a callee says for it (a negative answer
    only by the table's rows for a negative answer, "^不...")."""
    return [
        [
            said
            for means, said in _PARAPHRASE_RES
            if means.search(k) and (not neg or means.pattern.startswith("^不"))
        ]
        for k, neg in zip(keys, negative, strict=True)
    ]


def paraphrase(a: AnswerSet, heard: Heard) -> Match | None:
    """Another word for one answer; none when it is negated or when words for two
    answers are said."""
    scope = " ".join(heard.parts) if heard.narrowed else heard.text
    found = set()
    for i, patterns in enumerate(a.paraphrases):
        for p in patterns:
            m = p.search(scope)
            if m and not negated_before(scope, m.start(), 16):
                found.add(i)
    if len(found) == 1:
        return a.pick(found.pop(), "paraphrase")
    if found:
        raise Ambiguous
    return None
