"""A blind transfer over SIP against SIPp on 127.0.0.1: the callee answers, voxdial
sends a REFER to the transfer target, SIPp accepts it (202) and reports the new call
(a NOTIFY sipfrag). "200 OK": the call ends for voxdial; a failure: the call stays up.

Skipped without SIPp (Debian `sip-tester`) unless VOXDIAL_REQUIRE_SIPP=1.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from tests.support.sipp import Sipp, need_sipp, scenario
from tests.test_sip_carrier import config, request, sync
from voxdial.clock import Clock, SystemClock
from voxdial.conversation.calls import CallResult, DialRequest
from voxdial.conversation.script import ScriptEngine
from voxdial.domain.status import HangupReason as H
from voxdial.telephony.sip import SipCarrier
from voxdial.voice.base import Line, TransferFailed, TransferLine

pytestmark = [pytest.mark.timeout(90), pytest.mark.sipp]

AGENT = "sip:agent@127.0.0.1:5999"


class TransferringRuntime:
    """Stands in for the voice session: once the call is up, transfers it to `target`
    and notes how that went; hangs up itself when the transfer failed."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.error: str | None = None
        self.ended_by_transfer = False
        self.was_transfer_line = False

    async def talk(
        self,
        request: DialRequest,
        *,
        engine,
        line: Line,
        clock: Clock,
        started: datetime,
        answered: datetime,
    ) -> CallResult:
        self.was_transfer_line = isinstance(line, TransferLine)
        frames = []

        async def listen() -> None:
            async for pcm in line.frames():
                frames.append(pcm)

        listener = asyncio.create_task(listen())
        await asyncio.sleep(0.3)
        try:
            await line.transfer(self.target)  # type: ignore[attr-defined]
            await asyncio.wait_for(listener, 5)  # the line ended with the transfer
            self.ended_by_transfer = True
        except TransferFailed as e:
            self.error = str(e)
            assert not listener.done()  # still up
            await line.close()
            await asyncio.wait_for(listener, 10)
        return CallResult(H.ANSWERED, started, answered, clock.now(), "assistant")


@pytest.fixture
def refer_sipp(tmp_path: Path) -> Iterator:
    need_sipp()
    started: list[Sipp] = []

    def start(notify_status: str) -> Sipp:
        path = scenario("refer", tmp_path, notify_status=notify_status)
        sipp = Sipp(path, tmp_path)
        started.append(sipp)
        return sipp

    yield start
    for sipp in started:
        sipp.stop()


async def _call(sipp, runtime) -> CallResult:
    """One call through a SIP carrier of its own, closed afterwards."""
    carrier = SipCarrier(config(sipp), runtime)
    try:
        return await asyncio.wait_for(
            carrier.place_call(request(), clock=SystemClock(), engine=ScriptEngine()), 60
        )
    finally:
        carrier.close()


@sync
async def test_blind_transfer_refers_the_callee_and_ends_our_part(refer_sipp):
    sipp = refer_sipp("200 OK")
    runtime = TransferringRuntime(AGENT)
    result = await _call(sipp, runtime)
    assert result.outcome == H.ANSWERED
    assert runtime.was_transfer_line and runtime.error is None and runtime.ended_by_transfer
    assert sipp.saw("REFER sip:")
    assert sipp.saw(f"Refer-To: {AGENT}")
    assert sipp.saw("NOTIFY sip:") and sipp.saw("BYE sip:")  # the stack ended our part


@sync
async def test_a_number_is_referred_through_the_trunk_domain(refer_sipp):
    sipp = refer_sipp("200 OK")
    runtime = TransferringRuntime("+8613912345678")
    await _call(sipp, runtime)
    assert runtime.ended_by_transfer
    assert sipp.saw(f"sip:+8613912345678@{sipp.domain}")


@sync
async def test_a_failed_transfer_leaves_the_call_up(refer_sipp):
    sipp = refer_sipp("486 Busy Here")
    runtime = TransferringRuntime(AGENT)
    result = await _call(sipp, runtime)
    assert result.outcome == H.ANSWERED
    assert runtime.error and not runtime.ended_by_transfer
    assert sipp.saw("BYE sip:")  # our own hang-up, after the failed transfer
