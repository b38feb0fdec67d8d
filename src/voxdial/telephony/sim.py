"""`SimCarrier`: a simulated phone network with callee personas.

Outcomes are drawn from configurable rates; ring and talk times come from ranges; an
answered call is a real text dialogue between the conversation engine and a persona.
Everything waits on the injected clock, so campaigns run in virtual time in tests and
`voxdial demo`. A seed makes runs repeatable.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from voxdial.clock import Clock
from voxdial.conversation.calls import CallResult, DialRequest, Utterance, note_request
from voxdial.conversation.engine import ActionKind, ConversationEngine
from voxdial.domain.status import HangupReason
from voxdial.telephony.personas import PERSONAS, Persona

DEFAULT_RATES: dict[HangupReason, float] = {
    HangupReason.ANSWERED: 0.55,
    HangupReason.NO_ANSWER: 0.2,
    HangupReason.BUSY: 0.07,
    HangupReason.REFUSED: 0.04,
    HangupReason.POWERED_OFF: 0.05,
    HangupReason.UNREACHABLE: 0.03,
    HangupReason.VACANT: 0.03,
    HangupReason.VOICEMAIL: 0.03,
}

DEFAULT_PERSONAS: dict[str, float] = {
    "cooperative": 0.55,
    "refuses": 0.15,
    "asks_question": 0.1,
    "call_me_later": 0.08,
    "silent": 0.05,
    "hangs_up_after_opening": 0.07,
}


@dataclass
class SimConfig:
    rates: dict[HangupReason, float] = field(default_factory=lambda: dict(DEFAULT_RATES))
    personas: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_PERSONAS))
    ring_seconds: tuple[float, float] = (3.0, 20.0)
    no_answer_seconds: float = 45.0
    # seconds per character spoken; 0 makes talk instant (benchmarks)
    talk_seconds_per_char: float = 0.25
    think_seconds: float = 0.8
    max_turns: int = 30
    seed: int | None = None


class SimCarrier:
    name = "sim"

    def __init__(self, config: SimConfig | None = None) -> None:
        self.config = config or SimConfig()
        self.random = random.Random(self.config.seed)

    def _pick(self, weights: dict) -> object:
        keys = list(weights)
        return self.random.choices(keys, weights=[weights[k] for k in keys])[0]

    async def place_call(
        self, request: DialRequest, *, clock: Clock, engine: ConversationEngine
    ) -> CallResult:
        cfg = self.config
        started = clock.now()
        outcome = HangupReason(self._pick(cfg.rates))
        if outcome == HangupReason.NO_ANSWER:
            await clock.sleep(cfg.no_answer_seconds)
            return CallResult(outcome, started, None, clock.now(), "carrier")
        if outcome != HangupReason.ANSWERED:
            ring = 0.0 if outcome in (HangupReason.VACANT, HangupReason.POWERED_OFF) else 2.0
            if outcome == HangupReason.VOICEMAIL:
                ring = self.random.uniform(*cfg.ring_seconds)
            await clock.sleep(ring)
            return CallResult(outcome, started, None, clock.now(), "carrier")

        await clock.sleep(self.random.uniform(*cfg.ring_seconds))
        answered = clock.now()
        persona = PERSONAS[str(self._pick(cfg.personas))](rng=self.random, context=request.context)
        return await self._converse(request, persona, engine, clock, started, answered)

    async def _converse(
        self,
        request: DialRequest,
        persona: Persona,
        engine: ConversationEngine,
        clock: Clock,
        started,
        answered,
    ) -> CallResult:
        cfg = self.config
        conversation = engine.begin(request.context)
        utterances: list[Utterance] = []
        actions = conversation.start()
        hangup_side = "assistant"
        # The dialogue is computed on a local timeline and the call then lasts as long as
        # it took: one wait on the clock per call, not one per utterance.
        elapsed = 0.0
        pace = cfg.talk_seconds_per_char
        flags: dict[str, Any] = {}
        for _ in range(cfg.max_turns):
            said = []
            for action in actions:
                at = answered + timedelta(seconds=elapsed)
                if action.kind == ActionKind.SAY:
                    utterances.append(Utterance("system", action.text, at))
                    elapsed += len(action.text) * pace
                    said.append(action.text)
                elif action.kind == ActionKind.NOTE:
                    utterances.append(Utterance("note", action.text, at))
                    if action.text.startswith("knowledge "):
                        flags["knowledge_questions"] = flags.get("knowledge_questions", 0) + 1
                else:
                    note_request(action, flags)
            if conversation.finished or any(a.kind == ActionKind.HANGUP for a in actions):
                break
            reply = persona.reply(" ".join(said))
            if reply.hang_up:
                hangup_side = "callee"
                break
            elapsed += cfg.think_seconds if pace else 0.0
            if reply.text is None:
                actions = conversation.silence()
                continue
            at = answered + timedelta(seconds=elapsed)
            utterances.append(Utterance("customer", reply.text, at))
            elapsed += len(reply.text) * pace
            actions = conversation.hear(reply.text)
        await clock.sleep(elapsed)
        return CallResult(
            HangupReason.ANSWERED,
            started,
            answered,
            clock.now(),
            hangup_side,
            utterances=utterances,
            collected=list(conversation.collected),
            extra={"persona": persona.name},
            **flags,
        )
