"""A transfer in the spoken call (voice/session.py) with tone fakes: the callee asks
for a person, the session hands the call to the line's `transfer` once the line saying
so was queued (the line plays it out first); the calltrace, the call record's
`extra.transfer` and the `task.call.transfer` webhook event follow. A failed
transfer: the assistant says so and goes on with the question. The real transfer
(SIP REFER against SIPp) is in tests/test_transfer_sip.py."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import numpy as np

from tests.support.calls import stored_call, trace_of
from tests.support.voice import EnergyDetector, ScriptedLine, ToneRecognizer, ToneSynthesizer, tone
from voxdial.conversation.calls import CallResult
from voxdial.conversation.engine import CallContext
from voxdial.conversation.script import ScriptEngine
from voxdial.conversation.transfer import TRANSFER_FAILED, TRANSFER_LINES
from voxdial.domain.status import HangupReason
from voxdial.store.models import Call
from voxdial.voice.base import SAMPLE_RATE, TransferFailed
from voxdial.voice.playback import Interruption
from voxdial.voice.session import CallSession
from voxdial.webhooks.events import call_transfer_data, transferred

WORDS = ["agent please", "yes", "Tuesday"]
ANSWERED = datetime(2026, 3, 10, 2, 30, tzinfo=UTC)
AGENT = "sip:agent@127.0.0.1:5070"
ASSISTANT = {
    "welcome": "Hi, this is Ava from StarNet.",
    "language": "en",
    "collect": [{"question": "Are you happy with our service?", "answers": ["Yes", "No"]}],
    "taskTransfer": {"mode": "blind", "target": AGENT, "when": ["asked"]},
}


def said(word: str, seconds: float = 0.8) -> np.ndarray:
    return tone(300 + 100 * WORDS.index(word), seconds)


class TransferringLine(ScriptedLine):
    """A scripted callee whose line can transfer: to a person (`fail` None: the line
    ends for us) or not (`fail`: TransferFailed, the line stays up)."""

    def __init__(self, replies, *, fail: str | None = None) -> None:
        super().__init__(replies)
        self.fail = fail
        self.transfers: list[tuple[str, int, int]] = []  # target, position, queued_until

    async def transfer(self, target: str) -> None:
        self.transfers.append((target, self.position, self.queued_until))
        if self.fail:
            raise TransferFailed(self.fail)
        self.closed = True  # the far end took the callee: frames end


class PlainLine(ScriptedLine):
    """A line with no transfer (a browser's, a websocket's)."""


def session_for(line, assistant=ASSISTANT, *, name: str = ""):
    context = CallContext(assistant=assistant, name=name, now=ANSWERED, time_zone="UTC")
    conversation = ScriptEngine().begin(context)
    s = CallSession(
        conversation=conversation,
        line=line,
        recognizer=ToneRecognizer(WORDS),
        synthesizer=ToneSynthesizer(),
        detector=EnergyDetector(),
        answered=ANSWERED,
        language="en",
        interruption=Interruption(method="none"),
    )
    line.session = s
    return s, conversation


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 30))


def events(s: CallSession) -> list[tuple[str, str]]:
    return [(u.side, u.text) for u in s.utterances if u.side.startswith("transfer.")]


def test_asking_for_a_person_transfers_after_the_line_saying_so():
    line = TransferringLine([said("agent please")])
    s, _ = session_for(line)
    run(s.run())
    assert len(line.transfers) == 1
    target, _, queued_until = line.transfers[0]
    assert target == AGENT
    assert queued_until > 0  # "I'll put you through" was queued before the transfer
    assert events(s) == [("transfer.requested", AGENT), ("transfer.connected", AGENT)]
    spoken = [u.text for u in s.utterances if u.side == "system"]
    assert spoken[-1] == TRANSFER_LINES["en"]  # nothing said after the hand-over
    record = s.extra["transfer"]
    assert record["status"] == "connected" and record["target"] == AGENT
    assert record["mode"] == "blind"
    assert datetime.fromisoformat(record["connectedAt"]) >= datetime.fromisoformat(
        record["requestedAt"]
    )
    assert s.transferred and s.hangup_side == "assistant"
    assert s.flags.get("transfer") is True


def test_a_failed_transfer_is_said_and_the_call_goes_on():
    line = TransferringLine([said("agent please"), said("yes")], fail="486 Busy Here")
    s, conversation = session_for(line)
    run(s.run())
    assert [t[0] for t in line.transfers] == [AGENT]
    assert events(s) == [("transfer.requested", AGENT), ("transfer.failed", "486 Busy Here")]
    spoken = [u.text for u in s.utterances if u.side == "system"]
    i = spoken.index(TRANSFER_FAILED["en"])
    assert spoken[i + 1] == "Are you happy with our service?"  # asked again
    assert [(c.question, c.result) for c in conversation.collected if c.hit] == [
        ("Are you happy with our service?", "Yes")
    ]
    assert s.extra["transfer"]["status"] == "failed" and not s.transferred


def test_a_line_that_cannot_transfer_fails_the_transfer_cleanly():
    line = PlainLine([said("agent please"), said("yes")])
    s, conversation = session_for(line)
    run(s.run())
    assert [e[0] for e in events(s)] == ["transfer.requested", "transfer.failed"]
    assert s.extra["transfer"]["error"] == "this line cannot transfer a call"
    assert conversation.collected and conversation.collected[0].result == "Yes"


def test_the_call_record_trace_and_webhook_say_to_whom_and_when():
    line = TransferringLine([said("agent please")])
    s, conversation = session_for(line)
    run(s.run())
    ended = s.ended_at
    result = CallResult(
        HangupReason.ANSWERED,
        ANSWERED - timedelta(seconds=5),
        ANSWERED,
        ended,
        s.hangup_side,
        utterances=s.utterances,
        extra={"spoken": True, **s.extra},
    )

    rows = trace_of(result)
    names = [r[1] for r in rows]
    assert names[0] == "begin" and names[-1] == "hangup"
    assert "transfer.requested" in names and "transfer.connected" in names
    connected = rows[names.index("transfer.connected")]
    assert connected[2] == AGENT and connected[3] >= 0

    call = stored_call(result)
    assert transferred(call) is not None
    data = call_transfer_data(call, base_url="http://voxdial.test", tz="Asia/Shanghai")
    assert data["session_id"] == "abcdef0123456789"
    assert data["transfer"]["target"] == AGENT and data["transfer"]["mode"] == "blind"
    assert data["transfer"]["connected_at"].endswith("+08:00")
    failed = Call(**{**{c: getattr(call, c) for c in ("session_id", "workspace_id")},
                     "extra": {"transfer": {"status": "failed", "target": AGENT}}})  # fmt: skip
    assert transferred(failed) is None
    assert SAMPLE_RATE  # the timeline the trace is measured on
