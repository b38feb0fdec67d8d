"""Handing a call over to a person: when, what is said, and what the agent hears.

`asks_for_person()` reads a reply ("转人工", "我要跟真人说", "can I speak to a person",
"agent please"). An assistant with a `taskTransfer` setting (docs/transfer.md) then
says it is putting the callee through, and the engine emits a TRANSFER action with the
setting's `TransferPlan` (`transfer_plan()`): blind or bridged, and for a bridged one
the `agent_summary()` the agent hears before the callee is joined. The same happens,
once per call, when the conversation reaches intent A and the setting's `when` lists
"intentA" (the engine asks `analysis.reaches_intent_a`). The voice session carries
the plan out on the line and, when it fails, says `TRANSFER_FAILED` and goes on with
the actions after the TRANSFER (the engine puts the question it was asking there). An
assistant without the setting says a colleague will call back, and closes the call as
a callback.

A question about people ("你们有人工客服吗") is still a request for one: the callee who
asks it wants to talk to a person.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from voxdial.conversation.engine import CollectResult, TransferPlan
from voxdial.conversation.normalize import clean

__all__ = [
    "INTENT_A_LINES",
    "PERSON_CALLS_BACK",
    "TRANSFER_FAILED",
    "TRANSFER_LINES",
    "agent_summary",
    "asks_for_person",
    "transfer_plan",
    "transfer_target",
]

DEFAULT_AGENT_SECONDS = 30  # the API's default for `agentTimeoutSeconds`
_SUMMARY_CHARS = 300  # a one-line summary: longer answers are cut

_ZH = (
    r"(转|转接|接|找|要|叫|换)(你们|个)?(的)?人工|^人工(服务|客服)?$|有(没有)?人工(客服|服务)?(吗|么|没有)|"
    r"真人|活人|找(你们|个|一个)?(客服|工作人员|负责人|领导|经理)|"
    r"(让|叫|请|找)(你们)?(的)?(人|客服|工作人员|经理)(来)?(跟我|和我|给我)?(说|讲|聊|接)|"
    r"(不想|不要)(跟|和)(机器人?|机器|ai|电脑|录音)(说|讲|聊)|"
    r"你(是|就是)?机器人吧?.*(换|转|找)人"
)
_EN = (
    r"\b(speak|talk|chat) (to|with) (a|an|some|your|the|real)? ?"
    r"(real )?(person|human|people|agent|operator|representative|rep|someone|somebody)\b|"
    r"\b(want|need|like) (a|an|to get a) (real |live )?(person|human|agent|operator)\b|"
    r"\b(agent|operator|representative|human) please\b|"
    r"^(agent|operator|representative|human)$|"
    r"\b(get|give|put) me (through to )?(a|an|your)? ?(person|human|agent|operator|manager)\b|"
    r"\btransfer me\b|\bconnect me (to|with) (a|an|your)? ?(person|human|agent|someone)\b"
)
PERSON = re.compile(f"{_ZH}|{_EN}")
# "no need for a person": the callee declines one
_DECLINES = re.compile(
    r"不(用|要|需要)(转)?(人工|真人)|不用转|"
    r"\b(no|don'?t) (need|want) (a|an|to speak to a)? ?(person|human|agent)\b"
)

TRANSFER_LINES = {
    "zh": "好的，这就为您转接人工客服，请稍等。",
    "en": "Sure, I'll put you through to a colleague now, please hold.",
}
# said when the conversation reached intent A and the assistant puts the callee through
INTENT_A_LINES = {
    "zh": "好的，我这就为您转接专属顾问，为您详细介绍，请稍等。",
    "en": "Great, let me put you through to a colleague who can tell you more, please hold.",
}
# said when the transfer did not go through (refused, no answer, busy); the call goes on
TRANSFER_FAILED = {
    "zh": "抱歉，人工客服暂时无法接通，我们先继续。",
    "en": "Sorry, no one is available right now. Let's carry on.",
}
# an assistant that cannot transfer: a person calls back
PERSON_CALLS_BACK = {
    "zh": "好的，稍后会有工作人员给您回电，再见。",
    "en": "Of course, a colleague will call you back shortly. Goodbye.",
}


def asks_for_person(text: str) -> bool:
    """Whether the reply asks to talk to a person rather than the assistant."""
    said = clean(text)
    return bool(PERSON.search(said)) and not _DECLINES.search(said)


def transfer_target(assistant: dict[str, Any], why: str = "asked") -> str | None:
    """Where the assistant's calls go when `why` happens ("asked": the callee asks for a
    person; "intentA": the conversation reaches intent A). None: nowhere."""
    setting = assistant.get("taskTransfer")
    if not isinstance(setting, dict):
        return None
    target = setting.get("target")
    if not target or why not in (setting.get("when") or ["asked"]):
        return None
    return str(target)


def transfer_plan(
    assistant: dict[str, Any],
    why: str,
    *,
    name: str = "",
    collected: Sequence[CollectResult] = (),
    lang: str = "zh",
) -> TransferPlan | None:
    """The TRANSFER's plan when `why` happens, from the assistant's `taskTransfer`
    (None: it does not transfer then). A bridged one carries the summary the agent
    hears (when the setting's `summary` is on)."""
    target = transfer_target(assistant, why)
    if target is None:
        return None
    setting = assistant["taskTransfer"]
    if setting.get("mode") != "bridged":
        return TransferPlan(target, why=why)
    seconds = setting.get("agentTimeoutSeconds") or DEFAULT_AGENT_SECONDS
    summary = agent_summary(lang, why, name, collected) if setting.get("summary", True) else ""
    return TransferPlan(target, "bridged", why, int(seconds), summary)


_SUMMARY = {
    "zh": {
        "asked": "转接来电：客户要求转人工。",
        "intentA": "转接来电：客户意向较高。",
        "name": "客户：{name}。",
        "answers": "已了解：{answers}。",
        "none": "尚未收集到回答。",
        "join": "；",
        "pair": "{question}：{result}",
    },
    "en": {
        "asked": "Transferred call: the callee asked for a person.",
        "intentA": "Transferred call: an interested callee.",
        "name": " Callee: {name}.",
        "answers": " So far: {answers}.",
        "none": " No answers collected yet.",
        "join": "; ",
        "pair": "{question} {result}",
    },
}


def agent_summary(lang: str, why: str, name: str, collected: Sequence[CollectResult]) -> str:
    """The one line a bridged transfer's agent hears first: why the callee comes, their
    name if known, and the answers collected so far. It holds what the callee said:
    it is spoken to the agent, never logged."""
    words = _SUMMARY["en" if lang == "en" else "zh"]
    line = words["intentA" if why == "intentA" else "asked"]
    if name.strip():
        line += words["name"].format(name=name.strip())
    pairs = [
        words["pair"].format(question=c.question.strip().rstrip("?？"), result=c.result.strip())
        for c in collected
        if c.hit and c.result.strip()
    ]
    line += words["answers"].format(answers=words["join"].join(pairs)) if pairs else words["none"]
    return line[:_SUMMARY_CHARS]
