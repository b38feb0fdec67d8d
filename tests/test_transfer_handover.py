"""The hand-over module (voice/handover.py) in the spoken call, with tone fakes and a
line that bridges: the agent hears the summary in the assistant's voice, the session
stops listening once the calls are joined and records the agent on the right channel,
and the call ends when either party hangs up. A bridge that fails: the callee is told
and the call goes on. The engine's transfer at intent A, carried out the same way.
The bridged transfer against SIPp is tests/test_transfer_bridged.py."""

from __future__ import annotations

import asyncio
from datetime import datetime

import numpy as np
import pytest

from tests.support.voice import ScriptedLine, tone
from tests.test_transfer_session import AGENT, ANSWERED
from tests.test_transfer_session import session_for as transfer_session
from voxdial.conversation.transfer import INTENT_A_LINES, TRANSFER_FAILED, TRANSFER_LINES
from voxdial.voice.base import SAMPLE_RATE, BridgeLine, TransferFailed
from voxdial.voice.session import CallSession

WORDS = ["agent please", "yes"]
QUESTION = "Are you happy with our service?"
AGENT_HZ = 1100


def assistant(**setting) -> dict:
    transfer = {"mode": "bridged", "target": AGENT, "when": ["asked"], **setting}
    transfer.setdefault("agentTimeoutSeconds", 30)
    transfer.setdefault("summary", True)
    return {
        "welcome": "Hi, this is Ava from StarNet.",
        "language": "en",
        "collect": [{"question": QUESTION, "answers": ["Yes", "No"]}],
        "taskTransfer": transfer,
    }


def said(word: str, seconds: float = 0.8) -> np.ndarray:
    return tone(300 + 100 * WORDS.index(word), seconds)


class FakeAgent:
    """The agent's leg: says `speech`, then hangs up when `hangs_up` (once the callee
    has said all their replies, when given their `line`), else stays on."""

    def __init__(self, speech: np.ndarray, *, hangs_up: bool) -> None:
        self.speech = speech
        self.hangs_up = hangs_up
        self.closed = asyncio.Event()
        self.line: ScriptedLine | None = None

    async def frames(self):
        for i in range(0, len(self.speech), 320):
            yield self.speech[i : i + 320]
            await asyncio.sleep(0)
        if not self.hangs_up:
            await self.closed.wait()
        if self.line is not None:
            await self._callee_done(self.line)

    @staticmethod
    async def _callee_done(line: ScriptedLine) -> None:
        """Until the callee said all their replies, and a second more (the last one)."""
        end = None
        while end is None or line.position < end:
            if end is None and not line.replies:
                end = line.position + SAMPLE_RATE
            await asyncio.sleep(0.001)  # the scripted line has no event to wait on

    async def close(self) -> None:
        self.closed.set()


class BridgingLine(ScriptedLine):
    """A scripted callee whose line bridges to `agent` (or fails with `fail`)."""

    def __init__(self, replies, *, agent: FakeAgent | None = None, fail: str = "", tail=8.0):
        if agent is not None and agent.hangs_up:
            # the callee stays on until the agent hangs up: the line's timeline runs as
            # fast as the session takes frames, while the agent leaves in real time (it
            # polls), so a short tail let a loaded machine end the callee's side first
            tail = max(tail, 600.0)
        super().__init__(replies, tail=tail)
        self.agent = agent
        self.fail = fail
        self.bridges: list[tuple[str, float, np.ndarray | None, int]] = []

    async def bridge(self, target, *, answer_seconds, greeting):
        self.bridges.append((target, answer_seconds, greeting, self.queued_until))
        if self.fail:
            raise TransferFailed(self.fail)
        return self.agent


def session_for(line, config):
    s, conversation = transfer_session(line, config, name="Ann Lee")
    return s, conversation, s.playback.synthesizer


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 30))


def right_channel_hz(s: CallSession, hz: float, from_sample: int) -> float:
    """Seconds of the recording's right channel after `from_sample` carrying `hz`."""
    right = s.recording._assistant[from_sample : s.recording.speaking_until]
    frames = right[: len(right) // 320 * 320].reshape(-1, 320).astype(np.float64)
    n = 0
    for f in frames:
        if np.sqrt(np.mean(f**2)) > 500:
            peak = np.argmax(np.abs(np.fft.rfft(f))) * SAMPLE_RATE / 320
            n += abs(peak - hz) <= 60
    return n * 0.02


def offset(s: CallSession, stamp: str) -> int:
    return int((datetime.fromisoformat(stamp) - ANSWERED).total_seconds() * SAMPLE_RATE)


def test_the_agent_hears_the_summary_then_the_session_only_records_until_the_agent_leaves():
    agent = FakeAgent(tone(AGENT_HZ, 1.0), hangs_up=True)
    line = BridgingLine([said("agent please"), said("yes")], agent=agent)
    agent.line = line  # the agent stays until the callee has said "yes" to them
    s, conversation, voice = session_for(line, assistant())
    assert isinstance(line, BridgeLine)
    run(s.run())
    assert len(line.bridges) == 1
    target, seconds, greeting, queued = line.bridges[0]
    assert (target, seconds) == (AGENT, 30) and queued > 0  # after the hold line was queued
    summary = voice.spoken[-1]
    assert summary.startswith("Transferred call: the callee asked for a person.")
    assert "Ann Lee" in summary and summary not in [u.text for u in s.utterances]
    assert greeting is not None and len(greeting) == len(voice.synthesize(summary))
    record = s.extra["transfer"]
    assert record["mode"] == "bridged" and record["status"] == "connected"
    assert offset(s, record["requestedAt"]) <= offset(s, record["connectedAt"])
    assert offset(s, record["connectedAt"]) < offset(s, record["endedAt"])
    assert right_channel_hz(s, AGENT_HZ, offset(s, record["connectedAt"])) >= 0.9
    assert s.hangup_side == "agent" and line.closed  # the callee's call ended with it
    assert not line.replies  # the callee said "yes" to the agent: the engine never heard it
    assert not any(c.hit for c in conversation.collected)
    heard = [u for u in s.utterances if u.side == "customer"]
    assert [u.text for u in heard] == ["agent please"]
    spoken = [u.text for u in s.utterances if u.side == "system"]
    assert spoken[-1] == TRANSFER_LINES["en"]
    trace = [(u.side, u.text) for u in s.utterances if u.side.startswith("transfer.")]
    assert trace == [("transfer.requested", AGENT), ("transfer.connected", f"{AGENT} (bridged)")]


def test_the_callee_hanging_up_after_the_bridge_hangs_up_the_agent():
    agent = FakeAgent(tone(AGENT_HZ, 0.5), hangs_up=False)
    line = BridgingLine([said("agent please")], agent=agent, tail=3.0)
    s, _, _ = session_for(line, assistant(summary=False))
    run(s.run())
    assert line.bridges[0][2] is None  # no summary: nothing played to the agent
    assert s.hangup_side == "callee" and agent.closed.is_set()
    assert s.extra["transfer"]["status"] == "connected" and s.extra["transfer"]["endedAt"]


@pytest.mark.parametrize("reason", ["no answer in 30 s", "busy (486 Busy Here)"])
def test_a_bridge_that_fails_is_told_and_the_question_asked_again(reason):
    line = BridgingLine([said("agent please"), said("yes")], fail=reason)
    s, conversation, _ = session_for(line, assistant())
    run(s.run())
    record = s.extra["transfer"]
    assert record["mode"] == "bridged" and record["status"] == "failed"
    assert record["error"] == reason and "endedAt" not in record
    spoken = [u.text for u in s.utterances if u.side == "system"]
    i = spoken.index(TRANSFER_FAILED["en"])
    assert spoken[i - 1] == TRANSFER_LINES["en"] and spoken[i + 1] == QUESTION
    assert [(c.question, c.result) for c in conversation.collected if c.hit] == [(QUESTION, "Yes")]
    assert s.hangup_side == "assistant" and not s.transferred


def test_a_line_that_cannot_bridge_fails_the_transfer_cleanly():
    line = ScriptedLine([said("agent please"), said("yes")])
    s, conversation, _ = session_for(line, assistant())
    run(s.run())
    assert s.extra["transfer"]["error"] == "this line cannot bridge a call"
    assert conversation.collected[0].result == "Yes"


def test_reaching_intent_a_puts_the_callee_through_with_the_answers():
    agent = FakeAgent(tone(AGENT_HZ, 0.5), hangs_up=True)
    line = BridgingLine([said("yes")], agent=agent)
    s, conversation, voice = session_for(line, assistant(when=["intentA"]))
    run(s.run())
    assert len(line.bridges) == 1
    summary = voice.spoken[-1]
    assert summary.startswith("Transferred call: an interested callee.")
    assert f"So far: {QUESTION.rstrip('?')} Yes." in summary
    spoken = [u.text for u in s.utterances if u.side == "system"]
    assert spoken[-1] == INTENT_A_LINES["en"]  # the closing is said only if it fails
    assert [(c.question, c.result) for c in conversation.collected] == [(QUESTION, "Yes")]
    assert s.hangup_side == "agent"
