"""What a call's outcome means for its number: final, or worth another attempt."""

from __future__ import annotations

from voxdial.domain.status import HangupReason

# API.md: retries are for a call that was not answered (no answer, busy, powered off,
# unreachable, transient failure), never for vacant or invalid numbers. A voicemail
# greeting is a machine, not the callee: it is retried too.
RETRYABLE = frozenset(
    {
        HangupReason.NO_ANSWER,
        HangupReason.BUSY,
        HangupReason.POWERED_OFF,
        HangupReason.UNREACHABLE,
        HangupReason.FAILED,
        HangupReason.VOICEMAIL,
    }
)

# Outcomes that say the carrier (not the callee) is failing; a streak of them stops the
# task with stop.abnormal.
CARRIER_FAILURES = frozenset({HangupReason.FAILED})


def is_final(outcome: HangupReason, *, attempts: int, retry_count: int) -> bool:
    """True when the number needs no further attempt."""
    return outcome not in RETRYABLE or attempts >= 1 + retry_count
