"""Handing the callee over to a person, for the call session (voice/session.py).

The engine's TRANSFER action names where the call goes and how (its `TransferPlan`);
`Handover` carries it out on the line:

- **blind**: the line sends the callee on (`TransferLine`: a SIP REFER, or the media
  stream's controller); once connected, our part of the call is over.
- **bridged**: the line calls the agent itself (`BridgeLine`), plays them the summary
  in the assistant's voice, and joins the two calls. The session then stops listening
  (no endpointing, no engine) and only records: the callee on the left channel as
  always, the agent on the right one after the assistant's last words, until either
  party hangs up (`ended_by`: "callee" or "agent"; "assistant" at the call's time
  limit). A line that does the bridging itself (the media stream's controller)
  returns no agent leg: our part ends as for a blind transfer.

Either way the call record's `extra.transfer` says to whom, how, when and how it went;
the calltrace gets `transfer.requested`, then `transfer.connected` or
`transfer.failed` (the reason: refused, no answer, busy, declined). A transfer that
does not go through is told to the callee, and the call goes on with the engine's
actions after the TRANSFER (the question it was asking; docs/transfer.md).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from voxdial.conversation.calls import Utterance, note_request
from voxdial.conversation.engine import Action, TransferPlan
from voxdial.conversation.transfer import TRANSFER_FAILED
from voxdial.voice.base import AgentLeg, BridgeLine, TransferFailed, TransferLine

if TYPE_CHECKING:
    from voxdial.voice.session import CallSession

__all__ = ["Handover"]


class Handover:
    """One call's hand-over to a person (at most one goes through per call)."""

    def __init__(self, session: CallSession) -> None:
        self.session = session
        # who ended the call, when a transfer decided it: "assistant" (a blind transfer
        # took the callee away, or a bridge ran past the call's time limit), "callee"
        # or "agent" (hung up after the bridge); None: the transfer did not end it
        self.ended_by: str | None = None
        self.joined = False  # the callee talks with the agent (the line joined the calls)

    @property
    def record(self) -> dict[str, Any] | None:
        """The call record's `extra.transfer` (None: no transfer was asked)."""
        return self.session.extra.get("transfer")

    @property
    def connected(self) -> bool:
        """The call went on to a person (a transfer the far end reported connected)."""
        return (self.record or {}).get("status") == "connected"

    async def run(self, action: Action) -> bool:
        """A TRANSFER: True once the callee is with a person (and, bridged, once that
        call is over); else the callee is told, and the call goes on."""
        s = self.session
        note_request(action, s.flags)
        plan = action.transfer or TransferPlan(action.text)
        if s.line_ended or await self._transfer(plan):
            return True
        lang = "en" if s.language == "en" else "zh"
        said = await s.playback.say(TRANSFER_FAILED[lang], timing=None)
        if said is not None:
            await s.spoken(Utterance("system", said.text, s.at(said.start)))
        return False

    async def _transfer(self, plan: TransferPlan) -> bool:
        """Hand the callee over as `plan` says (after what was said: the line plays out
        what is queued first): True when the callee got through to the person."""
        s = self.session
        # the line lets what is queued ("I'll put you through") play out first
        requested = s.at(s.recording_end)
        record: dict[str, Any] = {
            "mode": plan.mode,
            "target": plan.target,
            "requestedAt": requested.isoformat(),
            "status": "failed",
        }
        s.extra["transfer"] = record
        s.utterances.append(Utterance("transfer.requested", plan.target, requested))
        try:
            if not plan.target:
                raise TransferFailed("no transfer target")
            leg = await (self._bridge(plan) if plan.mode == "bridged" else self._blind(plan))
        except TransferFailed as e:
            record["error"] = str(e)[:200]
            at = s.at(s.recording.position)
            s.utterances.append(Utterance("transfer.failed", record["error"], at))
            return False
        connected = s.at(s.recording_end)
        record.update(status="connected", connectedAt=connected.isoformat())
        shown = plan.target if plan.mode == "blind" else f"{plan.target} ({plan.mode})"
        s.utterances.append(Utterance("transfer.connected", shown, connected))
        if leg is None:  # the callee left our part of the call
            self.ended_by = "assistant"
        else:
            await self._joined(leg)
            record["endedAt"] = s.at(s.recording_end).isoformat()
        s.hang_up()
        return True

    async def _blind(self, plan: TransferPlan) -> None:
        line = self.session.line
        if not isinstance(line, TransferLine):
            raise TransferFailed("this line cannot transfer a call")
        await line.transfer(plan.target)

    async def _bridge(self, plan: TransferPlan) -> AgentLeg | None:
        s = self.session
        if not isinstance(s.line, BridgeLine):
            raise TransferFailed("this line cannot bridge a call")
        greeting = await s.playback.render(plan.summary) if plan.summary else None
        return await s.line.bridge(
            plan.target, answer_seconds=plan.agent_seconds, greeting=greeting
        )

    async def _joined(self, leg: AgentLeg) -> None:
        """The callee and the agent talk (the line carries their audio): record the
        agent's side until either hangs up, or the call reaches its time limit."""
        s = self.session
        self.joined = True
        s.stop_listening()
        agent = asyncio.create_task(self._record(leg), name="transfer-agent")
        callee = asyncio.create_task(s.wait_line_ended(), name="transfer-callee")
        try:
            done, _ = await asyncio.wait(
                {agent, callee}, timeout=s.seconds_left, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            for task in (agent, callee):
                task.cancel()
            await asyncio.gather(agent, callee, return_exceptions=True)
            await leg.close()
        self.ended_by = "callee" if callee in done else "agent" if agent in done else "assistant"
        if self.ended_by != "callee":  # the agent hung up, or time is up: end the callee's too
            await s.line.close()

    async def _record(self, leg: AgentLeg) -> None:
        """The agent's audio on the recording's right channel, as it comes."""
        recording = self.session.recording
        async for pcm in leg.frames():
            recording.speak(pcm)
