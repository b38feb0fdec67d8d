"""The `openai` conversation engine: an OpenAI-compatible chat model drives the dialogue.

Each callee turn asks the model for one JSON reply (`reply.reply_schema`): what to say,
the answers heard, and what to do next. The assistant's prompt, objective, collect questions
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

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any

from voxdial.conversation.analysis import reaches_intent_a
from voxdial.conversation.engine import (
    Action,
    ActionKind,
    CallContext,
    CollectResult,
    Conversation,
    ConversationEngine,
    TransferPlan,
    fill_variables,
)
from voxdial.conversation.knowledge import cache_for
from voxdial.conversation.llm import ChatClient, ChatEndpoint, ChatStream, LLMError
from voxdial.conversation.notes import NoteKind, note
from voxdial.conversation.reply import REPLY_TOOL, NextStep, Reply, parse_reply, reply_schema
from voxdial.conversation.say_extractor import SayExtractor
from voxdial.conversation.script import ScriptEngine
from voxdial.conversation.transfer import INTENT_A_LINES, transfer_plan
from voxdial.settings import LLMSettings

KNOWLEDGE_CHARS = 2000
_CLOSING = {"zh": "感谢您的接听，再见。", "en": "Thank you for your time. Goodbye."}


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
        transport: Any = None,  # an httpx transport, handed to the LLM client (tests)
        async_transport: Any = None,
        knowledge: Callable[[str], Any] | None = None,
    ) -> None:
        self.settings = endpoint
        self.fallback = fallback or ScriptEngine()
        self.knowledge = knowledge or cache_for
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
        self._intent_a_tried = False  # transferred (or tried) at intent A: once per call
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

    def press(self, digit: str) -> list[Action] | None:
        """A key the callee pressed: the script answers it (conversation/keys.py), no
        model turn; None when the question asked takes no keys."""
        press = getattr(self.script, "press", None)
        actions = press(digit) if press is not None and not self._finished else None
        if actions is None:
            return None
        self.history.append({"role": "user", "content": f"(pressed key {digit})"})
        return self._adopt(actions)

    def accepts_key(self, digit: str) -> bool:
        accepts = getattr(self.script, "accepts_key", None)
        return bool(accepts is not None and accepts(digit))

    def hear(self, text: str) -> list[Action]:
        if self._finished:
            return []
        fallback, request = self._prepare(text)
        stream = ChatStream()
        try:
            for _ in self.engine.client.stream_chat(request, stream):
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
        # the script's turn and the knowledge lookup may run a sentence encoder: off the
        # event loop, which carries the audio of every call
        fallback, request = await asyncio.to_thread(self._prepare, text)
        extractor = SayExtractor()
        stream = ChatStream()
        said: list[str] = []
        try:
            async for new in self.engine.client.astream_chat(request, stream):
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
        if not said and reply.say:
            yield Action(ActionKind.SAY, reply.say)
        for action in self._apply(reply, say=False):
            yield action

    def restore(self, turns: Iterable[tuple[str, str | None, list[Action]]]) -> None:
        """Take recorded turns again without asking the model (a text debug call that
        another process served): each turn's kind (`start`, `hear`, `silence`), the
        callee's words and the actions it gave. The script hears them again (it is
        deterministic); the history and the answers come from the recorded actions,
        as `hear()` and `_adopt()` kept them."""
        for kind, text, actions in turns:
            if kind == "start":
                self.script.start()
            elif kind == "hear" and text is not None:
                self.script.hear(text)
                self.history.append({"role": "user", "content": text})
            else:
                self.script.silence()
            said = " ".join(a.text for a in actions if a.kind == ActionKind.SAY)
            if said:
                self.history.append({"role": "assistant", "content": said})
            for a in actions:
                if a.kind == ActionKind.COLLECT:
                    self._collected[a.question] = CollectResult(a.question, a.hit, a.result)
                if a.kind in (ActionKind.HANGUP, ActionKind.TRANSFER):
                    self._finished = True

    # --- the model's turn ------------------------------------------------------------

    def _prepare(self, text: str) -> tuple[list[Action], dict[str, Any]]:
        """The script's answer to `text` (the fallback) and the model's request."""
        fallback = self.script.hear(text)
        self.history.append({"role": "user", "content": text})
        return fallback, self._request(text)

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

    def _parse(self, stream: ChatStream) -> Reply:
        """The model's reply as checked data; `LLMProtocolError` if unusable."""
        if self.engine.settings.structured == "tools":
            call = next((c for c in stream.tool_calls.values() if c.name == REPLY_TOOL), None)
            raw = call.arguments if call else stream.content
        else:
            raw = stream.content
        return parse_reply(raw, questions=self.questions, time_zone=self.context.time_zone)

    def _apply(self, reply: Reply, *, say: bool) -> list[Action]:
        actions: list[Action] = []
        if say and reply.say:
            actions.append(Action(ActionKind.SAY, reply.say))
        if reply.say:
            self.history.append({"role": "assistant", "content": reply.say})
        for question, result in reply.collected:
            self._collected[question] = CollectResult(question, True, result)
            actions.append(Action(ActionKind.COLLECT, question=question, result=result, hit=True))
        step = reply.step
        if step == NextStep.CALLBACK:
            actions.append(Action(ActionKind.CALLBACK, at=reply.callback_at))
            actions.append(Action(ActionKind.HANGUP, result="callback"))
        elif step == NextStep.BLOCK:
            actions.append(Action(ActionKind.BLOCK))
            actions.append(Action(ActionKind.HANGUP, result="refused"))
        elif step == NextStep.TRANSFER:
            # to the assistant's taskTransfer target; none: only noted (the flag)
            plan = self._plan("asked")
            actions.append(Action(ActionKind.TRANSFER, plan.target if plan else "", transfer=plan))
        elif step == NextStep.HANGUP:
            actions.append(Action(ActionKind.HANGUP, result="completed"))
        if step != NextStep.CONTINUE:
            self._finished = True
        elif reply.collected:
            actions += self._at_intent_a()
        return actions

    def _plan(self, why: str) -> TransferPlan | None:
        return transfer_plan(
            self.context.assistant,
            why,
            name=self.context.name,
            collected=self.collected,
            lang=self.lang,
        )

    def _at_intent_a(self) -> list[Action]:
        """Once per call, after the answer that makes the conversation intent A
        (analysis.reaches_intent_a): the hold line and a TRANSFER, when the assistant
        transfers then. A failed one leaves the conversation going on."""
        questions = [q["question"] for q in self.context.assistant.get("collect") or []]
        if self._intent_a_tried or not reaches_intent_a(questions, self.collected):
            return []
        plan = self._plan("intentA")
        if plan is None:
            return []
        self._intent_a_tried = True
        return [
            Action(ActionKind.SAY, INTENT_A_LINES[self.lang]),
            Action(ActionKind.TRANSFER, plan.target, transfer=plan),
        ]

    # --- the script's turn -----------------------------------------------------------

    def _fall_back(self, error: LLMError, actions: list[Action]) -> list[Action]:
        fell_back = note(NoteKind.LLM_FALLBACK, f"{error.reason}: {error.message}")
        if not actions and self.script.finished:
            # the script had already closed the call; close it here too
            actions = [
                Action(ActionKind.SAY, _CLOSING[self.lang]),
                Action(ActionKind.HANGUP, result="completed"),
            ]
        return [fell_back, *self._adopt(actions)]

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
