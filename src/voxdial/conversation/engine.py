"""The conversation-engine interface, and the minimal script engine.

One interface serves simulated callees, text debug calls and (later) spoken calls:
the session feeds the callee's turns in and carries the engine's actions out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from voxdial.domain.language import Language, language_of


class ActionKind(StrEnum):
    SAY = "say"  # speak `text` (streamed engines may emit several SAYs per turn)
    COLLECT = "collect"  # an answer was recorded: `question`, `result`, `hit`
    HANGUP = "hangup"  # end the call (after what was said)
    TRANSFER = "transfer"  # hand the call to a person (`text`: where, if known)
    CALLBACK = "callback"  # the callee asked to be called again at `at` (None: soon)
    BLOCK = "block"  # the callee asked never to be called again: block the number
    NOTE = "note"  # not spoken: a line for the calltrace (e.g. an LLM fallback)
    KEYS = "keys"  # send the keys (DTMF) in `text` to the callee ("," waits 500 ms)


@dataclass(frozen=True, slots=True)
class TransferPlan:
    """How a TRANSFER goes (the assistant's `taskTransfer`, conversation/transfer.py):
    `blind` (the line sends the callee on) or `bridged` (voxdial calls the agent, who
    has `agent_seconds` to answer and first hears `summary`, "" for none). `why`:
    "asked" (the callee asked for a person) or "intentA"."""

    target: str
    mode: str = "blind"
    why: str = "asked"
    agent_seconds: int = 30
    summary: str = field(default="", repr=False)  # the callee's answers: never logged


@dataclass
class Action:
    kind: ActionKind
    text: str = ""
    question: str = ""
    result: str = ""
    hit: bool = False
    at: datetime | None = None
    transfer: TransferPlan | None = None  # a TRANSFER's plan (None: blind to `text`)


@dataclass
class CollectResult:
    question: str
    hit: bool
    result: str
    message: str = ""


@dataclass
class CallContext:
    """What an engine knows of a call: the pinned assistant version's config (its wire
    form: welcome, prompt, objective, collect, knowledge, hotWords, llmId, timeZone, ...),
    the number's name, note and variables, and when the call happens."""

    assistant: dict[str, Any]
    name: str = ""
    note: str = ""
    variables: dict[str, Any] = field(default_factory=dict)
    now: datetime | None = None  # call start (aware); resolves "tomorrow at 3"
    time_zone: str = "Asia/Shanghai"

    @property
    def language(self) -> Language:
        """The assistant's language (`domain.language.language_of`)."""
        return language_of(self.assistant)


class Conversation(Protocol):
    """One call's dialogue state."""

    def start(self) -> list[Action]: ...

    def hear(self, text: str) -> list[Action]: ...

    def silence(self) -> list[Action]: ...

    @property
    def collected(self) -> list[CollectResult]: ...

    @property
    def finished(self) -> bool: ...


class ConversationEngine(Protocol):
    def begin(self, context: CallContext) -> Conversation: ...


_VARIABLE = re.compile(r"\{([^{}]{1,50})\}")
_REFUSAL = re.compile(
    r"不需要|不用了|别再打|不要再打|没兴趣|不感兴趣|not interested|stop calling|don'?t call", re.I
)
_NEVER_AGAIN = re.compile(r"别再打|不要再打|stop calling|don'?t call", re.I)
_LATER = re.compile(r"不方便|晚点|稍后|回头再|call (me )?(back )?later|busy right now", re.I)


def fill_variables(text: str, context: CallContext) -> str:
    values = {"姓名": context.name, "备注": context.note, **context.variables}
    return _VARIABLE.sub(lambda m: str(values.get(m.group(1), m.group(0))), text)


class MinimalScriptEngine:
    """Says the opening line, asks each `collect` question in order and records the
    reply (a preset answer it contains, or the words themselves for free-text
    questions). Closes politely on refusal or when asked to call later."""

    def begin(self, context: CallContext) -> MinimalConversation:
        return MinimalConversation(context)


class MinimalConversation:
    CLOSING = {"zh": "感谢您的接听，再见。", "en": "Thank you for your time. Goodbye."}

    def __init__(self, context: CallContext) -> None:
        self.context = context
        self.questions: list[dict[str, Any]] = list(context.assistant.get("collect") or [])
        self.index = 0
        self._collected: list[CollectResult] = []
        self._finished = False
        self._silences = 0
        self.lang = context.language

    @property
    def collected(self) -> list[CollectResult]:
        return self._collected

    @property
    def finished(self) -> bool:
        return self._finished

    def start(self) -> list[Action]:
        actions = []
        welcome = fill_variables(self.context.assistant.get("welcome") or "", self.context)
        if welcome:
            actions.append(Action(ActionKind.SAY, welcome))
        return actions + self._next_question()

    def _next_question(self) -> list[Action]:
        if self.index < len(self.questions):
            return [Action(ActionKind.SAY, self.questions[self.index]["question"])]
        return self._close()

    def _close(self, why: str = "completed") -> list[Action]:
        self._finished = True
        return [
            Action(ActionKind.SAY, self.CLOSING[self.lang]),
            Action(ActionKind.HANGUP, result=why),
        ]

    def hear(self, text: str) -> list[Action]:
        if self._finished:
            return []
        self._silences = 0
        if _REFUSAL.search(text):
            block = [Action(ActionKind.BLOCK)] if _NEVER_AGAIN.search(text) else []
            return block + self._close("refused")
        if _LATER.search(text):
            return [Action(ActionKind.CALLBACK), *self._close("callback")]
        if self.index >= len(self.questions):
            return self._close()
        q = self.questions[self.index]
        answers = q.get("answers") or []
        if answers:
            # the longest preset answer the reply contains ("不满意" before "满意")
            found = [a for a in answers if a and a.lower() in text.lower()]
            result = max(found, key=len) if found else ""
            hit = bool(found)
        else:
            result, hit = text.strip(), bool(text.strip())
        self._collected.append(CollectResult(q["question"], hit, result, text))
        self.index += 1
        return [
            Action(ActionKind.COLLECT, question=q["question"], result=result, hit=hit),
            *self._next_question(),
        ]

    def silence(self) -> list[Action]:
        self._silences += 1
        if self._silences >= 2:
            return self._close("silence")
        prompt = "您还在听吗？" if self.lang == "zh" else "Are you still there?"
        return [Action(ActionKind.SAY, prompt)]
