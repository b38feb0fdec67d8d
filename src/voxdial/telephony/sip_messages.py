"""What the SIP stack's texts and SIP addresses say: a Q.850 cause in a message, the
status of a close reason, the host and the user part of an address."""

from __future__ import annotations

import re

__all__ = ["closed_status", "q850_cause", "sip_host", "sip_user"]

_Q850 = re.compile(r"^Reason:\s*Q\.850\s*;\s*cause\s*=\s*(\d+)", re.I | re.M)
_CLOSED = re.compile(r"^\s*(\d{3})\s*([^,]*)(?:,\s*Q\.850\s*;\s*cause\s*=\s*(\d+))?", re.I)


def q850_cause(message: str) -> int | None:
    """The cause of a `Reason: Q.850;cause=N` header in a SIP message, if it has one."""
    m = _Q850.search(message)
    return int(m.group(1)) if m else None


def closed_status(text: str | None) -> tuple[int, str, int | None]:
    """(status, reason, Q.850 cause) of the stack's close reason for a call: "486 Busy
    Here", "480 Temporarily Unavailable,Q.850;cause=20"; status 0 when no final
    response came (a timeout, a transport error, our own hang-up)."""
    m = _CLOSED.match(text or "")
    if m is None:
        return 0, text or "", None
    cause = int(m.group(3)) if m.group(3) else None
    return int(m.group(1)), m.group(2).strip(), cause


def sip_host(uri: str) -> str:
    """The host of a SIP URI or host[:port]: "sip:pbx.example.com:5060;lr" -> "pbx.example.com"."""
    rest = uri.split(":", 1)[1] if uri.startswith(("sip:", "sips:")) else uri
    return rest.split(";")[0].split("@")[-1].rsplit(":", 1)[0].lower()


def sip_user(address: str) -> str:
    """The user part of a SIP address: '"Ann" <sip:+8613...@pbx;x=y>' -> "+8613..."."""
    rest = address.split("<", 1)[-1]
    rest = rest.split(":", 1)[1] if rest.startswith(("sip:", "sips:", "tel:")) else rest
    return rest.split("@", 1)[0].split(";", 1)[0].split(">", 1)[0].strip()
