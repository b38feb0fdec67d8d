"""The opening's question ("可以吗？", "Is now a good time?"): the reply to it.

Yes goes on to the first question, with the answers said along with the consent ("可以
周六上午来吧") collected; busy or a time to call back schedules a callback; not
interested, or no longer concerned by what the call is about, closes politely; a
question back ("你是哪里？") is answered from the opening or the knowledge and the
opening's question is asked again, at most twice more, before the first question is
asked anyway. The script engine calls `hear` while `ScriptConversation.consenting`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from voxdial.conversation import intents, lines, polarity, several, topics
from voxdial.conversation.engine import Action, ActionKind
from voxdial.conversation.matching import Match
from voxdial.conversation.normalize import fold

if TYPE_CHECKING:
    from voxdial.conversation.script import ScriptConversation

MAX_CONSENT_ASKS = 2
# an answer to the first question said at the opening's question: said outright, or by
# a piece or another word found for one answer only ("深度的吧", "the van")
_ANSWERS_AT_CONSENT = {"said", "said-negated", "unsure", "partial", "paraphrase"}


def hear(conv: ScriptConversation, reply: str, r: intents.Reading) -> list[Action]:
    """The reply to the opening's question, and what the call does next."""
    if r.only_goodbye:
        return conv._close(conv.text["goodbye"], "goodbye")
    if declines_call(r):
        return conv._close(conv.text["refused"], "refused")
    if r.goodbye and not (r.consent or r.later or r.asking or r.hold):
        # "oh look I've got to go, bye", "someone's at the door, hooroo": leaving
        return conv._close(conv.text["goodbye"], "goodbye")
    declined = re.search(
        r"不(太|大)?方便|没空|没时间|不行|不可以|没有空|not (now|really|right now)", r.text
    )
    if r.later and (declined or not r.consent or r.call_again):
        return conv._callback(reply)
    if not r.consent and conv._time_only(-1, reply):
        if _names_first_day(conv, reply):  # "那就周六" to a call booking a day: the day
            conv.consenting = False
            return _answers(conv, reply, r, conv._match(0, reply)) + conv._ask()
        return conv._callback(reply)  # "in an hour", "明天吧": when to call back
    if not r.asking and _no_to_opening(r.text):
        return conv._close(conv.text["refused"], "refused")  # "no I'd rather not"
    question = lines.consent_question(conv.welcome, conv.lang)
    who = r.who or r.why or bool(_ABOUT_THE_CALL.search(r.text))
    if who or (r.asking and not r.consent):
        if who or intents.WHAT_THAT.search(r.text):
            line = lines.introduction(conv.welcome, conv.lang)
            intro = [Action(ActionKind.SAY, line)]
            if r.consent and re.search(r"说吧|你说|你问|请讲|可以|行|go ahead|go on", reply):
                conv.consenting = False
                return intro + conv._ask()
            also = _asked_beside_who(conv, reply)  # "你们是哪个游泳馆啊 在哪"
            return intro + also + ([] if question in line else [Action(ActionKind.SAY, question)])
        answered = conv._knowledge_answer(reply)
        if answered is not None:
            return [*answered, Action(ActionKind.SAY, question)]
    elif r.consent and r.asking:
        answered = _asked_with_consent(conv, reply)  # "sure, but first, what time do you shut"
        if answered:
            return [*answered, Action(ActionKind.SAY, question)]
    first = conv._match(0, reply)
    if r.consent or (first is not None and first.how in _ANSWERS_AT_CONSENT):
        conv.consenting = False
        return _answers(conv, reply, r, first) + conv._ask()
    conv.consent_asks += 1
    if conv.consent_asks > MAX_CONSENT_ASKS:
        conv.consenting = False
        return conv._ask()
    return [Action(ActionKind.SAY, question)]


def _answers(
    conv: ScriptConversation, reply: str, r: intents.Reading, first: Match | None
) -> list[Action]:
    """Answers said with the consent ("可以 周六上午来吧", "sure, thursday afternoon from
    four works", "monday at five would be perfect"): the first question's, read from
    the reply without its consent words and named plainly, and the later ones it
    carries; nothing when the consent is all there is."""
    rest = several.without_consent(reply) if r.consent else reply
    found = conv._match(0, rest) if r.consent else first
    if r.correction and r.corrected:  # "thursday, no sorry, saturday": the last one
        rest = several.without_consent(r.corrected)
        found = conv._match(0, rest) if rest else None
    if found is None or (r.consent and found.how not in several.PLAIN):
        return []
    if not _speaks_to_first(conv, rest):
        return []  # "yes that's fine go ahead", "没得问题 问嘛": a yes to the opening
    extra = conv._volunteered(0, rest, found)
    found, extra = several.better(several.read(conv, 0, rest, found), found, extra)
    actions = conv._record(0, found.answer, True, reply)
    for j, m in extra:
        actions += conv._record(j, m.answer, True, reply)
    return actions


def _speaks_to_first(conv: ScriptConversation, rest: str) -> bool:
    """Whether a reply to the opening speaks to the first question when that question is
    a yes/no one: it names a word of the question or of its answers ("可以 垃圾都清干净了",
    "yes, it was ready"). A yes or a no alone, or a problem of something else ("你说嘛
    不过卫生间在漏水"), answers the opening's question, not the first one."""
    m = conv._matcher(0)
    if m is None or not m.binary:
        return True
    q = conv.questions[0]
    said = fold(polarity.YES_PHRASES.sub(" ", polarity.NO_PHRASES.sub(" ", rest)))
    said = polarity.NO_TROUBLE.sub(" ", said)
    named = topics.words(" ".join([q["question"], *q["answers"]]), "", content=True)
    return any(topics.names(said, w) for w in named)


# at the opening, a guess at who is calling or why ("is this about my mum's tablets", "is
# this the chemist on Byres Road or the other one", "是不是关于上次体检的事"): the opening's
# own line answers it
_ABOUT_THE_CALL = re.compile(
    r"^(?:(?:so|oh|sorry|and|wait),? )*is (?:this|it|that) (?:about|regarding|to do with|"
    r"(?:the|a|an) [\w' -]+? (?:on|in|at|from|up|down|near)\b)|"
    r"^(?:你们?|这|这个|你哋)?(?:是不是|系唔系|系咪)(?:关于|为了|因为|讲|说)"
)
# what a plain no to the opening may be said with: a decline, sorry or thanks, a goodbye
_NO_WORDS = re.compile(
    r"\b(no|nope|nah|sorry|thanks|thank you|absolutely|definitely|certainly|really)\b|"
    r"不可以|不行|不要|不用|不了|不好|谢谢|对不起|[了吧啊呢哈]"
)
# a question about what the caller wants, asked with the consent ("sure, what's up"): a
# go-ahead, not a question for the knowledge
_GO_AHEAD_ASKED = re.compile(
    r"what'?s up|what is it|what do you (want|need)|what'?s (this|it) about|什么事|啥事|说什么|"
    # what the call has to offer ("what day have you got"): the call's own question comes
    r"\bwhat( \w+)? (have you got|do you have|have you|are you offering)\b|"
    r"有(哪些|什么|啥)(时间|日子)"
)


def _no_to_opening(text: str) -> bool:
    """A plain no to the opening's question, alone or with a decline, thanks or a goodbye
    ("no", "no I'd rather not", "absolutely not, goodbye", "不可以"): the call refused, not
    the first question's "no"."""
    if not (polarity.NO_ALONE.search(text) or polarity.NO_PHRASES.search(text)):
        return False
    rest = polarity.NO_PHRASES.sub(" ", text)
    rest = intents.GOODBYE.sub(" ", intents.DECLINE_QUESTION.sub(" ", rest))
    return not _NO_WORDS.sub(" ", rest).strip()


def _asked_with_consent(conv: ScriptConversation, reply: str) -> list[Action]:
    """A question asked with the consent ("sure, but first, what time does the centre
    shut", "yeah but quick question, how much is..."): the knowledge's answer, when it
    holds one; nothing for a question that only invites the caller to go on."""
    asked = several.without_consent(reply)
    if not asked or _GO_AHEAD_ASKED.search(asked) or not intents.read(asked).asking:
        return []
    return conv._knowledge_answer(asked) or []


def _asked_beside_who(conv: ScriptConversation, reply: str) -> list[Action]:
    """The knowledge's answer to a question asked beside "who is this" ("你们是哪个游泳馆啊
    在哪", "who is this and where are you based"); nothing when no clause asks more."""
    other = [
        c for c in intents.clauses(reply)
        if not (intents.WHO.search(c) or intents.WHY.search(c) or _ABOUT_THE_CALL.search(c))
        and intents.read(c).asking
    ]  # fmt: skip
    return (conv._knowledge_answer(reply) or []) if other else []


def _names_first_day(conv: ScriptConversation, reply: str) -> bool:
    """A day or time said at the opening's question that is, word for word, a choice
    of the first question when that question asks for a day or a time: the answer, not
    when to call back (the call is about booking it)."""
    m = conv._matcher(0)
    if m is None or not (m.is_timed or m.is_days):
        return False
    found = conv._match(0, reply)
    return found is not None and found.how == "said"


def declines_call(r: intents.Reading) -> bool:
    """At the opening's question: not interested (even when busy too: "不方便 也不想换"),
    or no longer concerned by what the call is about ("我已经退学了", "we sold the
    house"), unless the callee still lets the call go on or asks to be called later."""
    if r.call_again or intents.GO_AHEAD.search(r.text):
        return False
    if r.not_interested or intents.DECLINES_OFFER.search(r.text):
        return True
    return bool(intents.NO_LONGER.search(r.text))
