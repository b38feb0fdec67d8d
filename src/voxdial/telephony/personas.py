"""Simulated callees. Each answers the assistant's last words with text, silence
(`None`) or a hang-up."""

from __future__ import annotations

import random
from dataclasses import dataclass

from voxdial.conversation.engine import CallContext


@dataclass
class Reply:
    text: str | None = None
    hang_up: bool = False


class Persona:
    name = "persona"

    def __init__(self, *, rng: random.Random, context: CallContext) -> None:
        self.rng = rng
        self.context = context
        self.turn = 0
        self.english = context.language == "en"

    def reply(self, heard: str) -> Reply:
        self.turn += 1
        return self._reply(heard)

    def _reply(self, heard: str) -> Reply:
        raise NotImplementedError

    def _answer_for(self, heard: str) -> str:
        for q in self.context.assistant.get("collect") or []:
            if q["question"] in heard:
                if q.get("answers"):
                    return self.rng.choice(q["answers"])
                return (
                    "my email is test@example.com" if self.english else "我的邮箱是test@example.com"
                )
        return "okay" if self.english else "好的"


class Cooperative(Persona):
    name = "cooperative"

    def _reply(self, heard: str) -> Reply:
        return Reply(self._answer_for(heard))


class Refuses(Persona):
    name = "refuses"

    def _reply(self, heard: str) -> Reply:
        return Reply("not interested, stop calling me" if self.english else "不需要，别再打了")


class AsksQuestion(Persona):
    name = "asks_question"

    def _reply(self, heard: str) -> Reply:
        if self.turn == 1:
            return Reply("what are your opening hours?" if self.english else "你们几点营业？")
        return Reply(self._answer_for(heard))


class CallMeLater(Persona):
    name = "call_me_later"

    def _reply(self, heard: str) -> Reply:
        return Reply(
            "I'm busy right now, call me later" if self.english else "现在不方便，晚点再打"
        )


class Silent(Persona):
    name = "silent"

    def _reply(self, heard: str) -> Reply:
        return Reply(None)


class HangsUpAfterOpening(Persona):
    name = "hangs_up_after_opening"

    def _reply(self, heard: str) -> Reply:
        return Reply(hang_up=True)


PERSONAS: dict[str, type[Persona]] = {
    p.name: p
    for p in (Cooperative, Refuses, AsksQuestion, CallMeLater, Silent, HangsUpAfterOpening)
}
