"""Handing the callee over to a person, for the call session (voice/session.py).

The engine's TRANSFER action names where the call goes; `Handover` carries it out on
the line: it asks a `TransferLine` to transfer (blind: a SIP REFER, or the media
stream's controller), and keeps what the call record and the calltrace say of it
(`extra.transfer`; `transfer.requested`, then `transfer.connected` or
`transfer.failed`). A transfer that does not go through is told to the callee, and the
call goes on with the engine's actions after the TRANSFER (docs/transfer.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from voxdial.conversation.calls import Utterance, note_request
from voxdial.conversation.engine import Action
from voxdial.conversation.transfer import TRANSFER_FAILED
from voxdial.voice.base import TransferFailed, TransferLine

if TYPE_CHECKING:
    from voxdial.voice.session import CallSession

__all__ = ["Handover"]


class Handover:
    """One call's hand-over to a person (at most one goes through per call)."""

    def __init__(self, session: CallSession) -> None:
        self.session = session

    @property
    def record(self) -> dict[str, Any] | None:
        """The call record's `extra.transfer` (None: no transfer was asked)."""
        return self.session.extra.get("transfer")

    @property
    def connected(self) -> bool:
        """The call went on to a person (a transfer the far end reported connected)."""
        return (self.record or {}).get("status") == "connected"

    async def run(self, action: Action) -> bool:
        """A TRANSFER to `action.text`: True once the callee is with a person; else the
        callee is told, and the call goes on."""
        s = self.session
        note_request(action, s.flags)
        if s.line_ended or await self._transfer(action.text):
            return True
        lang = "en" if s.language == "en" else "zh"
        said = await s.playback.say(TRANSFER_FAILED[lang], timing=None)
        if said is not None:
            await s.spoken(Utterance("system", said.text, s.at(said.start)))
        return False

    async def _transfer(self, target: str) -> bool:
        """Hand the callee over to `target` (after what was said: the line plays out
        what is queued before it transfers): True when the far end reports the callee
        connected. The calltrace gets `transfer.requested` and `transfer.connected` or
        `transfer.failed`; the call record's `extra.transfer` says to whom, when, and
        how it went."""
        s = self.session
        # the line lets what is queued ("I'll put you through") play out first
        requested = s.at(s.recording_end)
        record: dict[str, Any] = {
            "mode": "blind",
            "target": target,
            "requestedAt": requested.isoformat(),
            "status": "failed",
        }
        s.extra["transfer"] = record
        s.utterances.append(Utterance("transfer.requested", target, requested))
        try:
            if not target:
                raise TransferFailed("no transfer target")
            if not isinstance(s.line, TransferLine):
                raise TransferFailed("this line cannot transfer a call")
            await s.line.transfer(target)
        except TransferFailed as e:
            record["error"] = str(e)[:200]
            at = s.at(s.recording.position)
            s.utterances.append(Utterance("transfer.failed", record["error"], at))
            return False
        connected = s.at(s.recording_end)
        record.update(status="connected", connectedAt=connected.isoformat())
        s.utterances.append(Utterance("transfer.connected", target, connected))
        s.hang_up()
        return True
