"""Where a SIP call's audio frames went: counts at each hop, summed over the calls an
endpoint carried (`SipEndpoint.media`), for bench/sip_lines.py and the logs.

The hops of the callee's audio, in order:

1. `sent` - RTP packets the stack sent the far end (one per 20 ms while the call is up,
   silence included: with an echoing far end, what should come back);
2. `received` - RTP packets the stack read from its socket. A packet the far end sent
   that is still in the socket when the call closes is counted nowhere by the kernel
   (no `RcvbufErrors`): the stack's one SIP thread was busy (it tears down a closing
   call's media on that thread) and never read it;
3. `jbuf_late`, `jbuf_lost`, `jbuf_overflow` - the stack's jitter buffer: late
   (played at once, not lost), sequence gaps, packets it had no room for;
4. `ring_dropped`, `ring_discarded` - the stack's decoded-audio ring towards us, in
   20 ms frames: dropped as full (nobody read), skipped because we read too slowly;
5. `decoded` - 20 ms frames our pump took from the ring; `filled` - frames of
   silence it added where the stack had nothing for 0.5 s;
6. `queue_dropped` - frames our per-call queue dropped (a reader a minute behind).

Counts come from the stack's closing report of each call (its `CALL_CLOSED` event) and
from our own `CallMedia` and `CallHandle`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

__all__ = ["MediaCounters"]


@dataclass
class MediaCounters:
    """The counts of one call (`calls` 1), or summed over calls."""

    calls: int = 0  # calls closed
    sent: int = 0
    received: int = 0
    jbuf_late: int = 0
    jbuf_lost: int = 0
    jbuf_overflow: int = 0
    ring_dropped: int = 0
    ring_discarded: int = 0
    decoded: int = 0
    filled: int = 0
    queue_dropped: int = 0

    @classmethod
    def of_call(cls, stats: dict[str, Any], media: Any, queue_dropped: int) -> MediaCounters:
        """One closed call: the stack's closing report (`stats`, the `CALL_CLOSED`
        event's payload) and our `CallMedia` (None when its media never came up)."""
        tx, rx = stats.get("tx") or {}, stats.get("rx") or {}
        jbuf, audio = stats.get("jbuf") or {}, stats.get("audio") or {}
        frame_bytes = media.frame_bytes if media is not None else 320
        return cls(
            calls=1,
            sent=int(tx.get("packets", 0)),
            received=int(rx.get("packets", 0)),
            jbuf_late=int(jbuf.get("late", 0)),
            jbuf_lost=int(jbuf.get("lost", 0)),
            jbuf_overflow=int(jbuf.get("overflow", 0)),
            ring_dropped=int(audio.get("rx_dropped", 0)) // frame_bytes,
            ring_discarded=int(audio.get("rx_discarded", 0)) // frame_bytes,
            decoded=media.frames_in if media is not None else 0,
            filled=media.frames_filled if media is not None else 0,
            queue_dropped=queue_dropped,
        )

    def add(self, call: MediaCounters) -> MediaCounters:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(call, f.name))
        return call

    def as_dict(self) -> dict[str, int]:
        return asdict(self)
