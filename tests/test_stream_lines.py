"""The websocket framings as voice lines, tested without a web server."""

from __future__ import annotations

import asyncio
import base64
import json

import numpy as np
import pytest

from voxdial.telephony.stream_lines import (
    BrowserLine,
    Frame,
    FrameReader,
    MediaStreamLine,
)
from voxdial.voice.audio import pcm_to_mulaw


class Peer:
    """The far end: keeps what was sent; `gone` makes every later send fail."""

    def __init__(self) -> None:
        self.sent: list[str | bytes] = []
        self.gone = False

    async def send(self, frame: str | bytes) -> bool:
        if self.gone:
            return False
        self.sent.append(frame)
        return True


def run(coro):
    return asyncio.run(coro)


def test_media_stream_out_chunks_then_a_mark_per_clause_with_the_stream_sid():
    peer = Peer()
    line = MediaStreamLine(peer.send, "MZ1")
    run(line.play(np.zeros(16_000 // 2 * 1, dtype=np.int16)))  # 500 ms at 16 kHz
    events = [json.loads(f) for f in peer.sent]
    assert [e["event"] for e in events] == ["media", "media", "media", "mark"]
    assert {e["streamSid"] for e in events} == {"MZ1"}
    sizes = [len(base64.b64decode(e["media"]["payload"])) for e in events[:3]]
    assert sizes == [1600, 1600, 800]  # 200 ms chunks of 8 kHz μ-law
    assert events[3]["mark"]["name"] == "clause-1"
    run(line.clear())
    assert json.loads(peer.sent[-1]) == {"event": "clear", "streamSid": "MZ1"}


def test_a_gone_peer_marks_the_line_gone_and_nothing_more_is_sent():
    peer = Peer()
    line = BrowserLine(peer.send)
    peer.gone = True
    run(line.play(np.ones(320, dtype=np.int16)))
    assert line.gone and peer.sent == []


@pytest.mark.parametrize(
    ("frame", "verdict"),
    [
        ({"text": json.dumps({"event": "connected"})}, Frame.CONTROL),
        ({"text": json.dumps({"event": "stop"})}, Frame.STOP),
        ({"text": "not json"}, Frame.MALFORMED),
        ({"text": "[1, 2]"}, Frame.MALFORMED),
        ({"text": json.dumps({"event": "media"})}, Frame.MALFORMED),
        ({"text": json.dumps({"event": "media", "media": "x"})}, Frame.MALFORMED),
        ({"text": json.dumps({"event": "media", "media": {"payload": "%%%"}})}, Frame.MALFORMED),
        ({"data": b"\x00\x01"}, Frame.MALFORMED),  # binary on a media stream
    ],
)
def test_media_stream_frames(frame, verdict):
    line = MediaStreamLine(Peer().send, "MZ2")
    reader = FrameReader(line, assistant_id=1)
    assert reader.feed(**frame) == verdict
    assert reader.malformed == (1 if verdict == Frame.MALFORMED else 0)


def test_media_in_becomes_16k_audio_and_bad_frames_never_end_the_line():
    line = MediaStreamLine(Peer().send, "MZ3")
    reader = FrameReader(line, assistant_id=1)
    tone = (3000 * np.sin(np.arange(1600) / 8)).astype(np.int16)  # 200 ms at 8 kHz
    payload = base64.b64encode(pcm_to_mulaw(tone)).decode()
    assert reader.feed(text="garbage") == Frame.MALFORMED
    assert reader.feed(text=json.dumps({"event": "media", "media": {"payload": payload}})) == (
        Frame.AUDIO
    )
    reader.finish(gone=True)

    async def collect():
        return [f async for f in line.frames()]

    frames = run(collect())
    assert sum(f.size for f in frames) == 3200  # upsampled to 16 kHz
    assert line.gone and reader.malformed == 1


def test_browser_pcm_in_and_out():
    peer = Peer()
    line = BrowserLine(peer.send)
    reader = FrameReader(line, assistant_id=1)
    pcm = np.arange(-5, 5, dtype=np.int16)
    assert reader.feed(data=pcm.astype("<i2").tobytes() + b"\x01") == Frame.AUDIO  # odd byte cut
    reader.finish(gone=False)

    async def first():
        async for f in line.frames():
            return f

    assert np.array_equal(run(first()), pcm)
    run(line.started("abc"))
    run(line.play(pcm))
    assert json.loads(peer.sent[0]) == {"type": "started", "sessionId": "abc"}
    assert peer.sent[1] == pcm.astype("<i2").tobytes()


def test_a_bridged_transfer_asks_the_controller_with_the_agents_time():
    from voxdial.voice.base import BridgeLine, TransferFailed

    async def scenario() -> list:
        peer = Peer()
        line = MediaStreamLine(peer.send, "MZ2")
        reader = FrameReader(line, assistant_id=1)
        line.transfer_seconds = 0.05
        outcomes: list = [isinstance(line, BridgeLine)]
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        try:  # no word within the agent's time and the usual wait
            await line.bridge("sip:agent@pbx", answer_seconds=1, greeting=None)
        except TransferFailed as e:
            outcomes.append((str(e), loop.time() - t0 >= 1))
        outcomes.append(json.loads(peer.sent[-1]))
        no_answer = json.dumps(
            {"event": "transfer", "transfer": {"status": "failed", "reason": "no answer"}}
        )
        connected = json.dumps({"event": "transfer", "transfer": {"status": "connected"}})
        for answer in (no_answer, connected):
            task = asyncio.create_task(
                line.bridge("+8613912345678", answer_seconds=30, greeting=None)
            )
            await asyncio.sleep(0)
            reader.feed(text=answer)
            try:
                outcomes.append(await task)
            except TransferFailed as e:
                outcomes.append(str(e))
        outcomes.append([f async for f in line.frames()])  # the line ended for us
        return outcomes

    assert run(scenario()) == [
        True,
        ("no transfer outcome in time", True),
        {
            "event": "transfer",
            "transfer": {"mode": "bridged", "target": "sip:agent@pbx", "agentTimeoutSeconds": 1},
            "streamSid": "MZ2",
        },
        "no answer",
        None,  # connected: the controller has the callee and the agent
        [],
    ]


def test_a_transfer_waits_for_the_controllers_word():
    from voxdial.voice.base import TransferFailed, TransferLine

    async def scenario() -> list:
        peer = Peer()
        line = MediaStreamLine(peer.send, "MZ1")
        reader = FrameReader(line, assistant_id=1)
        line.transfer_seconds = 0.05
        outcomes: list = []
        try:  # no word in time
            await line.transfer("sip:agent@pbx")
        except TransferFailed as e:
            outcomes.append(str(e))
        asked = json.loads(peer.sent[-1])
        assert asked == {
            "event": "transfer",
            "transfer": {"mode": "blind", "target": "sip:agent@pbx"},
            "streamSid": "MZ1",
        }
        line.transfer_seconds = 5
        bad = json.dumps({"event": "transfer", "transfer": "yes"})
        refused = json.dumps({"event": "transfer", "transfer": {"status": "failed"}})
        connected = json.dumps({"event": "transfer", "transfer": {"status": "connected"}})
        for answer in (refused, connected):
            task = asyncio.create_task(line.transfer("+8613912345678"))
            await asyncio.sleep(0)
            outcomes.append(reader.feed(text=bad))
            outcomes.append(reader.feed(text=answer))
            try:
                await task
                outcomes.append("connected")
            except TransferFailed as e:
                outcomes.append(str(e))
        outcomes.append([f async for f in line.frames()])  # the line ended for us
        browser = BrowserLine(peer.send)
        outcomes.append(isinstance(line, TransferLine) and not isinstance(browser, TransferLine))
        return outcomes

    assert run(scenario()) == [
        "no transfer outcome in time",
        Frame.MALFORMED,
        Frame.CONTROL,
        "failed",
        Frame.MALFORMED,
        Frame.CONTROL,
        "connected",
        [],
        True,
    ]
