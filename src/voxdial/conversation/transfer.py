"""Handing a call over to a person: when the callee asks for one, and what is said.

`asks_for_person()` reads a reply ("转人工", "我要跟真人说", "can I speak to a person",
"agent please"). An assistant with a `taskTransfer` setting (API.md; NOTES-transfer.md)
then says it is putting the callee through and the engine emits a TRANSFER action to
the setting's target; the voice session carries it out on the line (a SIP REFER) and,
when that fails, says `TRANSFER_FAILED` and goes on with the actions after the
TRANSFER (the engine puts the question it was asking there). An assistant without the
setting says a colleague will call back, and closes the call as a callback.

A question about people ("你们有人工客服吗") is still a request for one: the callee who
asks it wants to talk to a person.
"""

from __future__ import annotations

import re
from typing import Any

from voxdial.conversation.normalize import clean

__all__ = [
    "PERSON_CALLS_BACK",
    "TRANSFER_FAILED",
    "TRANSFER_LINES",
    "asks_for_person",
    "transfer_target",
]

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
# said when the transfer did not go through; the call goes on
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


def transfer_target(assistant: dict[str, Any]) -> str | None:
    """Where the assistant's calls go when the callee asks for a person (None: nowhere)."""
    setting = assistant.get("taskTransfer")
    if not isinstance(setting, dict):
        return None
    target = setting.get("target")
    if not target or "asked" not in (setting.get("when") or ["asked"]):
        return None
    return str(target)
