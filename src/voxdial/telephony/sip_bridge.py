"""A bridged transfer over SIP: the agent's call, from the same endpoint, joined to the
callee's.

`call_agent` places a second call (an INVITE to the agent's URI) while the callee
hears the assistant's hold line, and gives the agent `answer_seconds` to answer. A
final response first (486 busy, 603 declined, ...) or no answer in time (the call is
cancelled) raises `TransferFailed` with the reason, the callee's call untouched. Once
the agent answers, the summary (`greeting`, in the assistant's voice) is played to the
agent, the callee's queued audio plays out, and the endpoint joins the two calls
(`SipEndpoint.bridge`): from then on its 20 ms pump hands each call's decoded frames to
the other's transmit side, on the SIP thread, as it does the assistant's audio. The
`AgentCall` it returns yields the agent's frames (for the recording) until the agent
hangs up.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from voxdial.telephony.sip_endpoint import SipError
from voxdial.telephony.sip_media import END_SECONDS, CallHandle, play_out, received, wait_done
from voxdial.voice.base import Pcm, TransferFailed

if TYPE_CHECKING:
    from voxdial.telephony.sip_endpoint import SipEndpoint

__all__ = ["AgentCall", "call_agent", "failure_reason"]

# the agent's final response, as the callee's failed transfer is recorded
_REASONS = {
    486: "busy",
    600: "busy",
    603: "declined",
    480: "no answer",
    408: "no answer",
    487: "no answer",
    404: "no such agent",
}


def failure_reason(status: int, reason: str) -> str:
    """Why the agent's call failed, from its final response: "busy", "declined",
    "no answer", ... then the response itself ("busy (486 Busy Here)")."""
    if not status:
        return f"the agent's call failed: {reason or 'no response'}"
    word = _REASONS.get(status, "the agent's call failed")
    return f"{word} ({status} {reason})".strip()


class AgentCall:
    """The agent's call of a bridged transfer (`voxdial.voice.base.AgentLeg`)."""

    def __init__(self, handle: CallHandle, endpoint: SipEndpoint) -> None:
        self.handle = handle
        self._endpoint = endpoint

    def frames(self) -> AsyncIterator[Pcm]:
        return received(self.handle)

    async def close(self) -> None:
        """Hang up (CANCEL before the answer, BYE after), waiting (bounded) for the end."""
        if not self.handle.ended.done():
            await self._endpoint.hang_up(self.handle)
            await wait_done(self.handle.ended, END_SECONDS)


async def call_agent(
    endpoint: SipEndpoint,
    callee: CallHandle,
    uri: str,
    *,
    answer_seconds: float,
    greeting: Pcm | None,
) -> AgentCall:
    """Call the agent at `uri`, play them `greeting`, and join them to `callee`'s call.
    Raises TransferFailed (the agent's call gone, the callee's still up)."""
    agent = CallHandle(asyncio.get_running_loop())
    try:
        await endpoint.run_command(lambda: endpoint.make_call(agent, uri, {}))
    except (SipError, TimeoutError) as e:
        raise TransferFailed(f"the agent's call was not placed: {e or 'timeout'}") from None
    leg = AgentCall(agent, endpoint)
    try:
        await _answered(endpoint, agent, callee, answer_seconds)
        if greeting is not None and len(greeting):
            agent.queue_audio(greeting)
            await play_out(agent)
        await play_out(callee)  # the hold line
        if callee.ended.done() or agent.ended.done():
            gone = "the callee" if callee.ended.done() else "the agent"
            raise TransferFailed(f"{gone} hung up")
        try:
            await endpoint.bridge(callee, agent)
        except (SipError, TimeoutError) as e:
            raise TransferFailed(f"the calls could not be joined: {e}") from None
    except BaseException:
        await asyncio.shield(leg.close())
        raise
    while not agent.rx.empty():  # what the agent said before the join is not the call's
        agent.rx.get_nowait()
    return leg


async def _answered(
    endpoint: SipEndpoint, agent: CallHandle, callee: CallHandle, seconds: float
) -> None:
    """Wait for the agent to answer, at most `seconds`; raise TransferFailed when the
    agent's call ends first, the callee hangs up meanwhile, or time runs out (the
    agent's call is cancelled)."""
    await asyncio.wait(
        [agent.answered, agent.ended, callee.ended],
        timeout=seconds,
        return_when=asyncio.FIRST_COMPLETED,
    )
    if agent.answered.done():
        return
    if agent.ended.done():
        status, reason, _ = agent.ended.result()
        raise TransferFailed(failure_reason(status, reason))
    if callee.ended.done():
        raise TransferFailed("the callee hung up")
    await endpoint.hang_up(agent, unanswered_only=True)  # CANCEL
    await asyncio.wait(
        [agent.answered, agent.ended], timeout=END_SECONDS, return_when=asyncio.FIRST_COMPLETED
    )
    if not agent.answered.done():
        raise TransferFailed(f"no answer in {seconds:g} s")
