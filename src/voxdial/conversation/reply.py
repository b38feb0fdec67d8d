"""One model reply of the `openai` engine: its JSON schema, and reading it back as data.

The model answers each callee turn with one JSON object: what to say, the answers it
heard, and the next step. `reply_schema` describes it (per assistant, so a
grammar-constrained server can only produce preset answers); `parse_reply` checks what
came back and keeps only what the schema allows, raising `LLMProtocolError` when the
reply is unusable.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from voxdial.conversation.llm import LLMProtocolError

REPLY_TOOL = "reply"


class NextStep(StrEnum):
    CONTINUE = "continue"
    HANGUP = "hangup"
    CALLBACK = "callback"
    BLOCK = "block"
    TRANSFER = "transfer"


_STEPS = tuple(s.value for s in NextStep)


@dataclass
class Reply:
    """A checked model reply: `collected` holds (question, result) pairs of known
    questions; `callback_at` is aware, or None."""

    say: str
    step: NextStep = NextStep.CONTINUE
    collected: list[tuple[str, str]] = field(default_factory=list)
    callback_at: datetime | None = None


def reply_schema(questions: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The JSON schema of one model reply. Each collect question becomes its own item
    shape, so a grammar-constrained server can only produce preset answers."""
    items: list[dict[str, Any]] = []
    for q in questions:
        answers = [a for a in q.get("answers") or [] if a]
        result: dict[str, Any] = {"type": "string"}
        if answers:
            result["enum"] = answers
        items.append(
            {
                "type": "object",
                "properties": {
                    "question": {"type": "string", "enum": [q["question"]]},
                    "result": result,
                },
                "required": ["question", "result"],
                "additionalProperties": False,
            }
        )
    if not items:
        item: dict[str, Any] = {
            "type": "object",
            "properties": {"question": {"type": "string"}, "result": {"type": "string"}},
            "required": ["question", "result"],
            "additionalProperties": False,
        }
    else:
        item = items[0] if len(items) == 1 else {"anyOf": items}
    return {
        "type": "object",
        "properties": {
            # `say` first: servers generate properties in order, so speech can start early
            "say": {"type": "string"},
            "collected": {"type": "array", "items": item},
            "action": {"type": "string", "enum": list(_STEPS)},
            "callback_at": {"type": "string"},
        },
        "required": ["say", "collected", "action", "callback_at"],
        "additionalProperties": False,
    }


def parse_reply(raw: str, *, questions: Sequence[dict[str, Any]], time_zone: str) -> Reply:
    """The model's reply text as checked data; `LLMProtocolError` if unusable.
    `time_zone` places a callback time given without an offset."""
    try:
        data = json.loads(_strip_fence(raw))
    except json.JSONDecodeError as e:
        raise LLMProtocolError("invalid JSON") from e
    if not isinstance(data, dict):
        raise LLMProtocolError("reply is not a JSON object")
    say = data.get("say", "")
    step = data.get("action", NextStep.CONTINUE) or NextStep.CONTINUE
    if not isinstance(say, str) or step not in _STEPS:
        raise LLMProtocolError("reply does not match the schema")
    if not say.strip() and step == NextStep.CONTINUE:
        raise LLMProtocolError("reply says nothing")
    return Reply(
        say=say.strip(),
        step=NextStep(step),
        collected=list(_valid_answers(data.get("collected"), questions)),
        callback_at=_when(data.get("callback_at"), time_zone),
    )


def _valid_answers(items: Any, questions: Sequence[dict[str, Any]]) -> Iterator[tuple[str, str]]:
    """(question, result) pairs for known questions whose result is a preset answer
    (or any text, for free-text questions); everything else is dropped."""
    if not isinstance(items, list):
        return
    by_text = {q["question"].strip().casefold(): q for q in questions}
    for item in items:
        if not isinstance(item, dict):
            continue
        q = by_text.get(str(item.get("question", "")).strip().casefold())
        result = item.get("result")
        if q is None or not isinstance(result, str) or not result.strip():
            continue
        answers = [a for a in q.get("answers") or [] if a]
        if not answers:
            yield q["question"], result.strip()
            continue
        match = next((a for a in answers if a.casefold() == result.strip().casefold()), None)
        if match is not None:
            yield q["question"], match


def _when(value: Any, time_zone: str) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        at = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if at.tzinfo is None:
        try:
            at = at.replace(tzinfo=ZoneInfo(time_zone))
        except ZoneInfoNotFoundError:
            return None
    return at


def _strip_fence(raw: str) -> str:
    """Models asked for JSON sometimes wrap it in a Markdown code fence."""
    text = raw.strip()
    if text.startswith("```"):
        text = text.split("\n", 1)[1] if "\n" in text else ""
        text = text.rsplit("```", 1)[0]
    return text
