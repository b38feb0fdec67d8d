"""Logging that keeps phone numbers and tokens out of log lines.

Code logs static messages with values in `extra` fields, masked (see `domain.phone.mask`).
As a second line of defence, `RedactingFilter` masks anything in a record, its `extra`
fields included, that looks like a bearer token, a secret query value (`?token=`) or a
phone number; session ids, dates and times are left as they are.

Two formats (`VOXDIAL_LOG_FORMAT`): `plain`, one line per record with its `extra` fields
after the message (`key=value`), and `json`, one JSON object per line.
"""

from __future__ import annotations

import json
import logging
import re
import time
from typing import Any, Literal
from urllib.parse import unquote_plus

from pythonjsonlogger.json import JsonFormatter

LogFormat = Literal["plain", "json"]

_TOKEN = re.compile(r"vxd_[A-Za-z0-9]{10}_[A-Za-z0-9_-]+")
# Seven or more digits, however written: separated by up to two of space, dash, dot,
# slash, brackets or plus (a form-encoded space), plain or percent-encoded, behind an
# optional + or %2B.
_PHONE = r"(?:\+|%2[Bb])?(?<!\d)(?:\d(?:[\s\-./()+]|%2[0BbDd89]){0,2}){6,}\d(?!\d)"
# Digits that are no phone number, tried first at each place: a UUID (dashed, or 32 hex
# digits as session ids are), an ISO date with its time, a time of day.
_NOT_A_PHONE = (
    r"(?<![0-9A-Za-z])[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}(?![0-9A-Za-z])"
    r"|(?<![0-9A-Za-z])(?=[0-9]*[a-fA-F])[0-9a-fA-F]{32}(?![0-9A-Za-z])"
    r"|(?<!\d)\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?)?(?!\d)"
    r"|(?<!\d)\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?(?!\d)"
)
_DIGITS = re.compile(f"(?P<keep>{_NOT_A_PHONE})|(?P<phone>{_PHONE})")

# Query parameters whose value is a credential (the websocket's `?token=`, ...), compared
# case-insensitively and after percent-decoding the name.
SECRET_QUERY_NAMES = frozenset({"token", "access_token", "streamtoken"})
_QUERY_PAIR = re.compile(r"(?<=[?&;])([^=&;\s\"'#]+)=([^&;\s\"'#]*)")


def _hide_secret_pair(m: re.Match[str]) -> str:
    if unquote_plus(m.group(1)).strip().lower() in SECRET_QUERY_NAMES:
        return f"{m.group(1)}=***"
    return m.group(0)


def scrub_query(text: str) -> str:
    """`text` with the values of credential query parameters (`token=`, `access_token=`,
    `streamToken=`) replaced by `***`."""
    return _QUERY_PAIR.sub(_hide_secret_pair, text)


def _mask_digits(m: re.Match[str]) -> str:
    if m.group("keep") is not None:
        return m.group(0)
    return "***" + m.group(0)[-2:]


def redact(text: str) -> str:
    text = scrub_query(_TOKEN.sub("vxd_***", text))
    return _DIGITS.sub(_mask_digits, text)


# What every LogRecord has; the rest of its attributes are `extra` fields.
_RECORD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}
# Not shown: our marker (below), and uvicorn's coloured copy of the message template.
_HIDDEN = frozenset({"redacted", "color_message"})


def extra_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The record's `extra` fields, in the order they were given."""
    return {k: v for k, v in vars(record).items() if k not in _RECORD_ATTRS and k not in _HIDDEN}


def _redact_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {redact(str(k)): _redact_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_redact_value(v) for v in value]
    return redact(str(value))


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in extra_fields(record).items():
            setattr(record, key, _redact_value(value))
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


class SecretQueryFilter(logging.Filter):
    """On uvicorn's loggers (`uvicorn.access`, and `uvicorn.error`, which logs each
    websocket handshake with its URL): credential query values go from the record's
    arguments, which keep their shape (uvicorn's own access formatter unpacks them)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(scrub_query(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str) and not record.args:
            record.msg = scrub_query(record.msg)
        return True


_FORMATTER = logging.Formatter()


def _show(value: Any) -> str:
    """A field's value on a plain line: a string as it is while that is unambiguous,
    else (and anything else) as compact JSON."""
    if isinstance(value, str):
        if value and value.isprintable() and not any(c in value for c in ' ="'):
            return value
        return json.dumps(value, ensure_ascii=False)
    return json.dumps(value, ensure_ascii=False, default=str, separators=(",", ":"))


class PlainFormatter(logging.Formatter):
    """`time level logger: message key=value ...`, a traceback on the lines below."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        fields = extra_fields(record)
        if not fields:
            return text
        first, newline, rest = text.partition("\n")
        shown = " ".join(f"{key}={_show(value)}" for key, value in fields.items())
        return f"{first} {shown}{newline}{rest}"


class JsonLogFormatter(JsonFormatter):
    """One JSON object a line: time, level, logger, message and the `extra` fields."""

    def __init__(self) -> None:
        super().__init__(
            "%(levelname)s %(name)s %(message)s",
            rename_fields={"levelname": "level", "name": "logger"},
            reserved_attrs=[*_RECORD_ATTRS, *_HIDDEN],
            timestamp="time",
            json_ensure_ascii=False,
        )

    def formatException(self, ei: Any) -> str:  # noqa: N802 (logging's name)
        return redact(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:  # noqa: N802 (logging's name)
        return redact(super().formatStack(stack_info))


def make_formatter(fmt: LogFormat = "plain") -> logging.Formatter:
    if fmt == "json":
        return JsonLogFormatter()
    if fmt == "plain":
        return PlainFormatter()
    raise ValueError(f"unknown log format {fmt!r}; use plain or json")


def configure(level: str = "INFO", *, fmt: LogFormat = "plain") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(make_formatter(fmt))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn.access", "uvicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, SecretQueryFilter) for f in logger.filters):
            logger.addFilter(SecretQueryFilter())


access_log = logging.getLogger("voxdial.access")


def log_request(method: str, path: str, status: int, started: float, **fields: Any) -> None:
    """One access-log line. Credential query values go first (while the query is still
    encoded, so a value cannot hide behind an encoded name or separator), then the path
    is decoded and redacted (numbers and tokens can sit in query strings, percent- or
    form-encoded), and control characters are escaped so a request cannot forge log
    lines."""
    if not access_log.isEnabledFor(logging.INFO):
        return
    shown = redact(unquote_plus(scrub_query(path), errors="replace"))
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in shown)
    access_log.info(
        "%s %s %d %.1fms",
        method,
        shown,
        status,
        (time.perf_counter() - started) * 1000,
        extra={**fields, "redacted": True},
    )
