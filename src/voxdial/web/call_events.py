"""What the call page shows of a call's line besides its words: the hand-overs to a
person (`transfer.*` calltrace lines and `extra.transfer`, docs/transfer.md) and the
keys either side pressed (`dtmf` lines, docs/keys.md).

Calltrace lines are the call's own record, written by voice/session.py through the
outcome writer, but they are read here as untrusted text: a line that is not what it
should be is skipped, never an error, and everything shown is escaped by the template.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from voxdial.voice.dtmf import KeySource

TRANSFER_REQUESTED = "transfer.requested"
# the line that ends a transfer attempt -> its outcome
TRANSFER_ENDS = {
    "transfer.connected": "connected",
    "transfer.failed": "failed",
    "transfer.no_answer": "no_answer",  # a bridged transfer's agent did not answer
}
TRANSFER_MODES = ("blind", "bridged")
KEY_EVENT = "dtmf"
KEY_DIRECTIONS = ("in", "out")
KEY_SOURCES = frozenset(s.value for s in KeySource)
VALID_DIGITS = frozenset("0123456789*#ABCD")


@dataclass(frozen=True, slots=True)
class Transfer:
    """One hand-over the call tried: to whom, how, when it was asked (ms from the
    answer) and how it went (`connected`, `failed`, `no_answer`, or `pending` when the
    call ended before the line said)."""

    target: str
    mode: str
    at_ms: int
    outcome: str = "pending"
    reason: str = ""
    ended_ms: int | None = None


@dataclass(frozen=True, slots=True)
class KeyPress:
    """A key: `in` from the callee, `out` sent by the assistant, at ms from the answer."""

    digit: str
    direction: str
    source: str
    at_ms: int


def transfers_of(extra: Any, traces: list[Any]) -> list[Transfer]:
    """The call's transfer attempts, in order, from its calltrace. The mode is the call
    record's (`extra.transfer.mode`: the trace lines carry only the target or the
    error); blind when the record has none."""
    record = extra.get("transfer") if isinstance(extra, dict) else None
    mode = record.get("mode") if isinstance(record, dict) else None
    mode = mode if mode in TRANSFER_MODES else "blind"
    found: list[Transfer] = []
    open_one: Transfer | None = None
    for tr in traces:
        if tr.event == TRANSFER_REQUESTED:
            if open_one is not None:
                found.append(open_one)
            open_one = Transfer(target=_text(tr.content), mode=mode, at_ms=_ms(tr.elapsed_ms))
        elif tr.event in TRANSFER_ENDS and open_one is not None:
            outcome = TRANSFER_ENDS[tr.event]
            reason = "" if outcome == "connected" else _text(tr.content)
            found.append(
                Transfer(
                    target=open_one.target,
                    mode=open_one.mode,
                    at_ms=open_one.at_ms,
                    outcome=outcome,
                    reason=reason,
                    ended_ms=_ms(tr.elapsed_ms),
                )
            )
            open_one = None
    if open_one is not None:
        found.append(open_one)
    return found


def keys_of(traces: list[Any]) -> list[KeyPress]:
    """The keys of the call, in order: each `dtmf` line whose content is the shape
    voice/keypad.py writes (`{"digit", "direction", "source"}`)."""
    keys = []
    for tr in traces:
        if tr.event != KEY_EVENT:
            continue
        key = key_line(tr.content, tr.elapsed_ms)
        if key is not None:
            keys.append(key)
    return keys


def key_line(content: str, elapsed_ms: Any) -> KeyPress | None:
    try:
        value = json.loads(content)
    except (TypeError, ValueError):
        return None
    if not isinstance(value, dict):
        return None
    digit = str(value.get("digit", "")).upper()
    direction, source = value.get("direction"), value.get("source")
    if digit not in VALID_DIGITS or direction not in KEY_DIRECTIONS:
        return None
    return KeyPress(digit, direction, source if source in KEY_SOURCES else "", _ms(elapsed_ms))


def _text(value: Any) -> str:
    return str(value or "")[:300]


def _ms(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
