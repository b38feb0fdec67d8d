"""The `openai` conversation engine: an OpenAI-compatible chat model drives the dialogue.

Each callee turn asks the model for one JSON reply (`REPLY_SCHEMA`): what to say, the
answers heard, and what to do next. The assistant's prompt, objective, collect questions
with their preset answers, and the knowledge relevant to the turn go into the system
message; the dialogue so far follows it.

A script conversation runs in lockstep with the model (it hears every turn too), so when
the model times out, fails or replies with something unusable, that turn's actions come
from the script instead, behind a `NOTE` ("llm fallback: <reason>") for the call trace.
The next turn tries the model again.

`hear()` is sync (simulated and debug calls are); `stream_turn()` is its async twin for the
voice loop and yields each clause as a `SAY` as soon as the model has streamed it.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx

from voxdial.conversation.engine import (
    Action,
    ActionKind,
    CallContext,
    CollectResult,
    Conversation,
    ConversationEngine,
    fill_variables,
)
from voxdial.conversation.llm import (
    ChatClient,
    ChatEndpoint,
    ChatStream,
    LLMError,
    LLMProtocolError,
)
from voxdial.conversation.script import ScriptEngine
from voxdial.settings import LLMSettings, Settings

REPLY_TOOL = "reply"
NEXT_STEPS = ("continue", "hangup", "callback", "block", "transfer")
KNOWLEDGE_CHARS = 2000
_CLOSING = {"zh": "感谢您的接听，再见。", "en": "Thank you for your time. Goodbye."}


def script_engine() -> ConversationEngine:
    """The script engine, which answers for llmId 0 and for failed LLM turns."""
    return ScriptEngine()


def make_engine(
    assistant: dict[str, Any], *, settings: Settings, **options: Any
) -> ConversationEngine:
    """The engine for an assistant config: the script engine for `llmId` 0 or an id with
    no endpoint in `settings.llms`, else an `OpenAIEngine` on that endpoint."""
    llm_id = assistant.get("llmId") or 0
    endpoint = settings.llms.get(llm_id) if llm_id else None
    if endpoint is None:
        return script_engine()
    timeout = endpoint.timeout_seconds or settings.llm_timeout_seconds
    return OpenAIEngine(endpoint, timeout=timeout, **options)


def reply_schema(questions: list[dict[str, Any]]) -> dict[str, Any]:
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
            "action": {"type": "string", "enum": list(NEXT_STEPS)},
            "callback_at": {"type": "string"},
        },
        "required": ["say", "collected", "action", "callback_at"],
        "additionalProperties": False,
    }


class SayExtractor:
    """Pulls the text of the `"say"` string out of a JSON reply while it streams, and cuts
    it into clauses so speech can start before the reply is complete."""

    _KEY = re.compile(r'"say"\s*:\s*"')
    _ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "", "f": "", "n": " ", "r": " ", "t": " "}
    # Clause ends: full stops always; commas and colons once the clause has some length.
    # ASCII marks count only before a space ("3.5", "10:30" stay whole).
    _HARD = set("。！？；\n.!?;")
    _SOFT = set("，、：,:")
    _ASCII = set(".!?;,:")

    def __init__(self, *, soft_after: int = 12) -> None:
        self.raw = ""
        self.start: int | None = None
        self.pos = 0
        self.done = False
        self.pending = ""
        self.soft_after = soft_after

    def feed(self, text: str) -> list[str]:
        """Take more reply text; return the clauses completed by it."""
        self.raw += text
        if self.done:
            return []
        if self.start is None:
            m = self._KEY.search(self.raw)
            if m is None:
                return []
            self.start = self.pos = m.end()
        self.pending += self._decode()
        return self._clauses()

    def flush(self) -> list[str]:
        rest, self.pending = self.pending.strip(), ""
        return [rest] if rest else []

    def _decode(self) -> str:
        out = []
        raw, i = self.raw, self.pos
        while i < len(raw):
            ch = raw[i]
            if ch == '"':
                self.done = True
                i += 1
                break
            if ch == "\\":
                if i + 1 >= len(raw):
                    break
                esc = raw[i + 1]
                if esc == "u":
                    if i + 6 > len(raw):
                        break
                    try:
                        out.append(chr(int(raw[i + 2 : i + 6], 16)))
                    except ValueError:
                        pass
                    i += 6
                    continue
                out.append(self._ESCAPES.get(esc, esc))
                i += 2
                continue
            out.append(ch)
            i += 1
        self.pos = i
        return "".join(out)

    def _clauses(self) -> list[str]:
        clauses = []
        start = 0
        text = self.pending
        for i, ch in enumerate(text):
            if ch not in self._HARD and ch not in self._SOFT:
                continue
            if ch in self._SOFT and i - start < self.soft_after:
                continue
            if ch in self._ASCII and not (i + 1 < len(text) and text[i + 1] == " "):
                continue
            clause = text[start : i + 1].strip()
            if clause:
                clauses.append(clause)
            start = i + 1
        self.pending = text[start:]
        if self.done:
            clauses += self.flush()
        return clauses


def _default_knowledge(text: str) -> Any:
    from voxdial.conversation.knowledge import cache_for

    return cache_for(text)


class OpenAIEngine:
    """Conversations driven by one OpenAI-compatible endpoint. Owns an HTTP client:
    `close()` it (or use it as a context manager) when done. `knowledge` maps a knowledge
    text to an object with `answer(question)` (default: the shared retrieval cache)."""

    def __init__(
        self,
        endpoint: LLMSettings,
        *,
        timeout: float = 8.0,
        fallback: ConversationEngine | None = None,
        transport: httpx.BaseTransport | None = None,
        async_transport: httpx.AsyncBaseTransport | None = None,
        knowledge: Callable[[str], Any] | None = None,
    ) -> None:
        self.settings = endpoint
        self.fallback = fallback or script_engine()
        self.knowledge = knowledge or _default_knowledge
        self.client = ChatClient(
            ChatEndpoint(endpoint.base_url, endpoint.model, endpoint.api_key.get_secret_value()),
            timeout=timeout,
            transport=transport,
            async_transport=async_transport,
        )

    def begin(self, context: CallContext) -> OpenAIConversation:
        return OpenAIConversation(self, context, self.fallback.begin(context))

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> OpenAIEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class OpenAIConversation:
    def __init__(self, engine: OpenAIEngine, context: CallContext, script: Conversation):
        self.engine = engine
        self.context = context
        self.script = script
        self.questions: list[dict[str, Any]] = [
            q for q in context.assistant.get("collect") or [] if q.get("question")
        ]
        self.history: list[dict[str, str]] = []
        self._collected: dict[str, CollectResult] = {}
        self._finished = False
        self.lang = context.language

    @property
    def collected(self) -> list[CollectResult]:
        return list(self._collected.values())

    @property
    def finished(self) -> bool:
        return self._finished

    # --- the interface -------------------------------------------------------------

    def start(self) -> list[Action]:
        """The opening comes from the script (a fixed line needs no model round trip)."""
        return self._adopt(self.script.start())

    def silence(self) -> list[Action]:
        return self._adopt(self.script.silence())

    def hear(self, text: str) -> list[Action]:
        if self._finished:
            return []
        fallback = self.script.hear(text)
        self.history.append({"role": "user", "content": text})
        stream = ChatStream()
        try:
            for _ in self.engine.client.stream_chat(self._request(text), stream):
                pass
            reply = self._parse(stream)
        except LLMError as e:
            return self._fall_back(e, fallback)
        return self._apply(reply, say=True)

    async def stream_turn(self, text: str) -> AsyncIterator[Action]:
        """`hear()` for the voice loop: each clause of the reply is yielded as a `SAY` as
        soon as it has streamed, then the turn's other actions. On failure, what was not
        yet said comes from the script, after a `NOTE`."""
        if self._finished:
            return
        fallback = self.script.hear(text)
        self.history.append({"role": "user", "content": text})
        extractor = SayExtractor()
        stream = ChatStream()
        said: list[str] = []
        try:
            async for new in self.engine.client.astream_chat(self._request(text), stream):
                for clause in extractor.feed(new):
                    said.append(clause)
                    yield Action(ActionKind.SAY, clause)
            reply = self._parse(stream)
        except LLMError as e:
            if said:
                self.history.append({"role": "assistant", "content": "".join(said)})
            for action in self._fall_back(e, fallback):
                yield action
            return
        for clause in extractor.flush():
            said.append(clause)
            yield Action(ActionKind.SAY, clause)
        if not said and reply["say"]:
            yield Action(ActionKind.SAY, reply["say"])
        for action in self._apply(reply, say=False):
            yield action

    # --- the model's turn ------------------------------------------------------------

    def _request(self, text: str) -> dict[str, Any]:
        cfg = self.engine.settings
        schema = reply_schema(self.questions)
        request: dict[str, Any] = {
            "messages": [{"role": "system", "content": self._system(text)}, *self.history],
            "max_tokens": cfg.max_tokens,
            "temperature": cfg.temperature,
        }
        if cfg.structured == "tools":
            request["tools"] = [
                {
                    "type": "function",
                    "function": {
                        "name": REPLY_TOOL,
                        "description": "Speak to the callee and record what was heard.",
                        "parameters": schema,
                    },
                }
            ]
            request["tool_choice"] = {"type": "function", "function": {"name": REPLY_TOOL}}
        elif cfg.structured == "json_object":
            request["response_format"] = {"type": "json_object", "schema": schema}
        else:
            request["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "reply", "strict": True, "schema": schema},
            }
        return request

    def _system(self, text: str) -> str:
        a, ctx = self.context.assistant, self.context
        parts = []
        if a.get("prompt"):
            parts.append(fill_variables(a["prompt"], ctx))
        if a.get("objective"):
            parts.append("Objective: " + fill_variables(a["objective"], ctx))
        who = [f"name: {ctx.name}"] if ctx.name else []
        if ctx.note:
            who.append(f"note: {ctx.note}")
        who += [f"{k}: {v}" for k, v in ctx.variables.items()]
        if who:
            parts.append("The callee (" + "; ".join(who) + ").")
        if ctx.now is not None:
            parts.append(f"Now: {ctx.now.isoformat(timespec='minutes')} ({ctx.time_zone}).")
        if self.questions:
            lines = ["Questions to ask, one at a time, in order:"]
            for i, q in enumerate(self.questions, 1):
                answers = [x for x in q.get("answers") or [] if x]
                kind = "answer one of: " + " / ".join(answers) if answers else "free text"
                done = self._collected.get(q["question"])
                status = f" [answered: {done.result}]" if done else ""
                lines.append(f"{i}. {q['question']} ({kind}){status}")
            parts.append("\n".join(lines))
        passages = self._knowledge(text)
        if passages:
            parts.append("Knowledge, for the callee's questions:\n" + "\n".join(passages))
        language = "English" if self.lang == "en" else "Chinese"
        parts.append(
            "Reply with one JSON object only. `say`: what to speak next, short, in "
            f"{language}. `collected`: the answers the callee gave in the last turn, the "
            "question copied exactly, the result one of its preset answers. `action`: "
            "continue; hangup when all questions are answered or the callee declines; "
            "callback when asked to call later (`callback_at`: ISO 8601 time if one was "
            'named, else ""); block when asked never to call again; transfer when the '
            'callee asks for a person. `callback_at` is "" otherwise.'
        )
        return "\n\n".join(parts)

    def _knowledge(self, text: str) -> list[str]:
        """The passage that answers the callee's words (the retrieval the script engine
        uses), or, without retrieval, the head of the knowledge text."""
        knowledge = self.context.assistant.get("knowledge") or ""
        if not knowledge:
            return []
        try:
            hit = self.engine.knowledge(knowledge).answer(text)
        except Exception:  # retrieval is an aid: its failure must not end the call
            return [knowledge[:KNOWLEDGE_CHARS]]
        if hit is None:
            return []
        passage = getattr(hit, "passage", hit)
        return [str(getattr(passage, "text", passage))]

    def _parse(self, stream: ChatStream) -> dict[str, Any]:
        """The model's reply as checked data; `LLMProtocolError` if unusable."""
        if self.engine.settings.structured == "tools":
            call = next((c for c in stream.tool_calls.values() if c.name == REPLY_TOOL), None)
            raw = call.arguments if call else stream.content
        else:
            raw = stream.content
        try:
            data = json.loads(_strip_fence(raw))
        except json.JSONDecodeError as e:
            raise LLMProtocolError("invalid JSON") from e
        if not isinstance(data, dict):
            raise LLMProtocolError("reply is not a JSON object")
        say = data.get("say", "")
        step = data.get("action", "continue") or "continue"
        if not isinstance(say, str) or step not in NEXT_STEPS:
            raise LLMProtocolError("reply does not match the schema")
        if not say.strip() and step == "continue":
            raise LLMProtocolError("reply says nothing")
        return {
            "say": say.strip(),
            "collected": list(self._valid_answers(data.get("collected"))),
            "action": step,
            "callback_at": self._when(data.get("callback_at")),
        }

    def _valid_answers(self, items: Any) -> Iterator[tuple[str, str]]:
        """(question, result) pairs for known questions whose result is a preset answer
        (or any text, for free-text questions); everything else is dropped."""
        if not isinstance(items, list):
            return
        by_text = {q["question"].strip().casefold(): q for q in self.questions}
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

    def _when(self, value: Any) -> datetime | None:
        if not isinstance(value, str) or not value.strip():
            return None
        try:
            at = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
        if at.tzinfo is None:
            try:
                at = at.replace(tzinfo=ZoneInfo(self.context.time_zone))
            except ZoneInfoNotFoundError:
                return None
        return at

    def _apply(self, reply: dict[str, Any], *, say: bool) -> list[Action]:
        actions: list[Action] = []
        if say and reply["say"]:
            actions.append(Action(ActionKind.SAY, reply["say"]))
        if reply["say"]:
            self.history.append({"role": "assistant", "content": reply["say"]})
        for question, result in reply["collected"]:
            self._collected[question] = CollectResult(question, True, result)
            actions.append(Action(ActionKind.COLLECT, question=question, result=result, hit=True))
        step = reply["action"]
        if step == "callback":
            actions.append(Action(ActionKind.CALLBACK, at=reply["callback_at"]))
            actions.append(Action(ActionKind.HANGUP, result="callback"))
        elif step == "block":
            actions.append(Action(ActionKind.BLOCK))
            actions.append(Action(ActionKind.HANGUP, result="refused"))
        elif step == "transfer":
            actions.append(Action(ActionKind.TRANSFER))
        elif step == "hangup":
            actions.append(Action(ActionKind.HANGUP, result="completed"))
        if step != "continue":
            self._finished = True
        return actions

    # --- the script's turn -----------------------------------------------------------

    def _fall_back(self, error: LLMError, actions: list[Action]) -> list[Action]:
        note = Action(ActionKind.NOTE, text=f"llm fallback: {error.reason}: {error.message}")
        if not actions and self.script.finished:
            # the script had already closed the call; close it here too
            actions = [
                Action(ActionKind.SAY, _CLOSING[self.lang]),
                Action(ActionKind.HANGUP, result="completed"),
            ]
        return [note, *self._adopt(actions)]

    def _adopt(self, actions: list[Action]) -> list[Action]:
        """Take the script's actions as this turn's: remember what it said and collected."""
        said = " ".join(a.text for a in actions if a.kind == ActionKind.SAY)
        if said:
            self.history.append({"role": "assistant", "content": said})
        for a in actions:
            if a.kind == ActionKind.COLLECT:
                self._collected[a.question] = CollectResult(a.question, a.hit, a.result)
        if self.script.finished or any(a.kind == ActionKind.HANGUP for a in actions):
            self._finished = True
        return actions


def _strip_fence(raw: str) -> str:
    """Models asked for JSON sometimes wrap it in a Markdown code fence."""
    text = raw.strip()
    if text.startswith("```"):
        text = text.split("\n", 1)[1] if "\n" in text else ""
        text = text.rsplit("```", 1)[0]
    return text
