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
from urllib.parse import unquote_plus

_TOKEN = re.compile(r"vxd_[A-Za-z0-9]{10}_[A-Za-z0-9_-]+")
# Seven or more digits, however written: separated by up to two of space, dash, dot,
# slash, brackets or plus (a form-encoded space), plain or percent-encoded, behind an
# optional + or %2B.
_PHONE = re.compile(
    r"(?:\+|%2[Bb])?(?<!\d)(?:\d(?:[\s\-./()+]|%2[0BbDd89]){0,2}){6,}\d(?!\d)"
)


def redact(text: str) -> str:
    text = _TOKEN.sub("vxd_***", text)
    return _PHONE.sub(lambda m: "***" + m.group(0)[-2:], text)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "redacted", False):
            return True  # masked where it was made (the access log); masking again mangles it
        if record.args:
            try:
                record.msg = record.getMessage()
            except Exception:  # a malformed record is still logged, unformatted
                record.msg = str(record.msg)
            record.args = None
        record.msg = redact(str(record.msg))
        if record.exc_info and not record.exc_text:
            # the traceback is text too (exception messages can quote values): format it
            # here, masked; the handler's formatter then uses this text as it is
            record.exc_text = redact(_FORMATTER.formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_FORMATTER = logging.Formatter()


def configure(level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


access_log = logging.getLogger("voxdial.access")


def log_request(method: str, path: str, status: int, started: float, **fields: Any) -> None:
    """One access-log line. The path is decoded, then redacted (numbers and tokens can
    sit in query strings, percent- or form-encoded), and control characters are escaped
    so a request cannot forge log lines."""
    if not access_log.isEnabledFor(logging.INFO):
        return
    shown = redact(unquote_plus(path, errors="replace"))
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in shown)
    access_log.info(
        "%s %s %d %.1fms",
        method,
        shown,
        status,
        (time.perf_counter() - started) * 1000,
        extra={**fields, "redacted": True},
    )
