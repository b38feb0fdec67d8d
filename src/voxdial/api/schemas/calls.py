"""Wire shapes of call records and traces."""

from __future__ import annotations

from typing import Any

from pydantic import (
    BaseModel,
)


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
    caller: str
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
