"""Logging that keeps phone numbers and tokens out of messages.

Code logs static messages with values in `extra` fields, masked (see `domain.phone.mask`).
As a second line of defence, `RedactingFilter` masks anything in a formatted record
that looks like a bearer token or a phone number.
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any

_TOKEN = re.compile(r"vxd_[A-Za-z0-9]{10}_[A-Za-z0-9_-]+")
_PHONE = re.compile(r"(?<![\w])(\+|%2B)?\d[\d\- ]{5,}\d(?![\w])")


def redact(text: str) -> str:
    text = _TOKEN.sub("vxd_***", text)
    return _PHONE.sub(lambda m: "***" + m.group(0)[-2:], text)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            try:
                record.msg = record.getMessage()
            except Exception:  # a malformed record is still logged, unformatted
                record.msg = str(record.msg)
            record.args = None
        record.msg = redact(str(record.msg))
        return True


def configure(level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


access_log = logging.getLogger("voxdial.access")


def log_request(method: str, path: str, status: int, started: float, **fields: Any) -> None:
    """One access-log line; the path is redacted (numbers can sit in query strings)."""
    access_log.info(
        "%s %s %d %.1fms",
        method,
        redact(path),
        status,
        (time.perf_counter() - started) * 1000,
        extra=fields,
    )
