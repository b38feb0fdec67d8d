"""Wire shapes of call records and traces."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    Field,
)

# 归属地 and carrier of a number (domain/attribution.py); "" when unknown.
Attribute = Annotated[
    str,
    Field(
        description="where the number is registered, then its carrier: '江苏省常州市 中国移动', "
        "'广东省广州市' (a landline), '美国' (abroad); '' when not a valid E.164 number"
    ),
]


class CallAssistant(BaseModel):
    id: int
    vid: int


class CallCollect(BaseModel):
    question: str
    hit: bool
    result: str


class CallPublic(BaseModel):
    sessionId: str
    taskId: int | None
    taskItemId: int | None
    startAt: str
    answerAt: str | None
    endAt: str | None
    callee: str
    calleeAttribute: Attribute
    caller: str
    callerAttribute: Attribute
    direction: str
    duration: int
    billsec: int
    ringTime: int
    recordFile: str
    assistant: list[CallAssistant]
    hangupReason: str | None
    hangupSide: str | None
    rounds: int
    intentLevel: str | None
    collect: list[CallCollect]
    summary: str
    description: str
    extra: dict[str, Any]


class CallTraceItem(BaseModel):
    sessionId: str
    event: str
    content: str
    elapsedMillSeconds: int
    dialogID: str
    createdAt: str


class CallLogAnswer(BaseModel):
    """One collect question of the call: its preset answers (`option`), those the
    callee's answer matched (`answerOption`), the answer, and what the callee said."""

    question: str
    option: list[str]
    answerOption: list[str]
    answer: str
    hit: bool
    message: str


class CallLogCollect(BaseModel):
    vid: int
    items: list[CallLogAnswer]


class CallLogPublic(BaseModel):
    """VoiceFox's call detail (`GET /openapi/call_logs/{sessionID}`). An id that does
    not apply to the call is null: voxdial has no IVR plans (`scriptPlanId`) and no
    human agents (`agentId`; `agentName` is ""); `numberId` (the number file the callee
    came from), `taskId` and `taskItemId` are null for a call no task dialled. Times not
    reached yet are null; `hangupSide` and `hangupReason` are "" while the call lasts."""

    id: int
    sessionId: str
    scriptPlanId: int | None
    agentId: int | None
    numberId: int | None
    taskId: int | None
    taskItemId: int | None
    startAt: str
    endAt: str | None
    answerAt: str | None
    createdAt: str
    callee: str
    calleeAttribute: Attribute
    caller: str
    callerAttribute: Attribute
    direction: Literal["inbound", "outbound"]
    agentName: str
    recordFile: str
    duration: int
    billsec: int
    hangupSide: str
    hangupReason: str
    ringTime: int
    assistantVids: list[int]
    collect: list[CallLogCollect]
