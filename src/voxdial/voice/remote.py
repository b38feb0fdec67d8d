"""The HTTP side of speech on a server of its own (OpenAI-compatible `/v1/audio/*`).

`SpeechServer` is one server as a speech provider sees it: a pooled, thread-safe httpx
client (many calls of a worker share its connections), a timeout per request, and
bounded retries of what is safe to retry. Transcribing and synthesizing change nothing
on the server, so a request is sent again when it never reached the server (connect
errors, a pooled connection the server had closed) or when the server says it is busy
or broken (429, 5xx), after a short back-off: 0.1 s, then 0.3 s, or the server's
`Retry-After` when it is shorter than a second. A read timeout is not retried: the
server is working on it, and a second request would only add load and latency.

Every failure leaves as `SpeechServerError`, translated once here. Its message names
the status and the server's error code, never the URL (it may carry credentials), the
key, the text spoken or the server's error message (which can echo either).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

import httpx

log = logging.getLogger(__name__)

RETRIES = 2  # after the first attempt
BACKOFF_S = (0.1, 0.3)
MAX_RETRY_AFTER_S = 1.0
MAX_CONNECTIONS = 32  # a worker's calls in flight at once, each with a request or two
_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


class SpeechServerError(RuntimeError):
    """A speech server did not give a usable answer. `reason` is a short, key-free text
    (`timeout`, `unreachable`, `http 503`, `bad reply`); `status` the HTTP status, if
    any; `retryable` whether a later request may succeed."""

    def __init__(
        self, message: str, *, reason: str, status: int | None = None, retryable: bool = False
    ) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.status = status
        self.retryable = retryable


def api_url(base_url: str, path: str) -> str:
    """`path` under the server's `/v1` (`base_url` given with or without it)."""
    base = base_url.strip().rstrip("/")
    if not base.lower().startswith(("http://", "https://")):
        raise ValueError("a speech server's base_url must be an http(s) URL")
    if not base.endswith("/v1"):
        base += "/v1"
    return f"{base}/{path.lstrip('/')}"


class SpeechServer:
    """One OpenAI-compatible speech server: POSTs with retries, errors translated."""

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str = "",
        timeout: float = 10.0,
        what: str = "speech server",
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if timeout <= 0:
            raise ValueError("a speech server's timeout must be positive")
        api_url(base_url, "")  # refuses what is not an http(s) URL, now rather than per call
        self.base_url = base_url
        self.what = what
        self._sleep = sleep
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(
            headers=headers,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 3.0)),
            limits=httpx.Limits(
                max_connections=MAX_CONNECTIONS, max_keepalive_connections=MAX_CONNECTIONS
            ),
            transport=transport,
            trust_env=False,
        )

    def url(self, path: str) -> str:
        return api_url(self.base_url, path)

    def post(self, path: str, **request: Any) -> httpx.Response:
        """The server's 2xx answer to `POST path` (`request`: httpx's `data`, `files`,
        `json`); `SpeechServerError` after the retries of the module docstring."""
        url = self.url(path)
        for attempt in range(RETRIES + 1):
            last = attempt == RETRIES
            try:
                response = self._client.post(url, **request)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.RemoteProtocolError) as e:
                if last:
                    raise SpeechServerError(
                        f"{self.what}: {type(e).__name__} (no answer after {attempt + 1} tries)",
                        reason="unreachable",
                        retryable=True,
                    ) from e
                self._back_off(attempt, None, cause=type(e).__name__)
                continue
            except httpx.TimeoutException as e:
                raise SpeechServerError(
                    f"{self.what}: no answer within the timeout ({type(e).__name__})",
                    reason="timeout",
                    retryable=True,
                ) from e
            except httpx.HTTPError as e:
                raise SpeechServerError(
                    f"{self.what}: {type(e).__name__}", reason="unreachable", retryable=True
                ) from e
            if response.is_success:
                return response
            if response.status_code in _RETRY_STATUS and not last:
                self._back_off(attempt, response, cause=f"http {response.status_code}")
                continue
            raise _status_error(self.what, response)
        raise AssertionError("unreachable")  # the loop returns or raises

    def _back_off(self, attempt: int, response: httpx.Response | None, *, cause: str) -> None:
        delay = BACKOFF_S[min(attempt, len(BACKOFF_S) - 1)]
        after = _retry_after(response)
        if after is not None:
            delay = min(max(after, delay), MAX_RETRY_AFTER_S)
        log.info(
            "speech server request retried",
            extra={"what": self.what, "cause": cause, "attempt": attempt + 1, "delay_s": delay},
        )
        self._sleep(delay)

    def close(self) -> None:
        self._client.close()


def _retry_after(response: httpx.Response | None) -> float | None:
    if response is None:
        return None
    value = response.headers.get("retry-after", "").strip()
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:  # an HTTP date: not worth waiting for inside a call
        return None


def _status_error(what: str, response: httpx.Response) -> SpeechServerError:
    code = _error_code(response)
    status = response.status_code
    return SpeechServerError(
        f"{what}: HTTP {status}" + (f" ({code})" if code else ""),
        reason=f"http {status}",
        status=status,
        retryable=status in _RETRY_STATUS or status == 408,
    )


def _error_code(response: httpx.Response) -> str:
    """The OpenAI error shape's `code` or `type` (`{"error": {...}}`, or FastAPI's
    `{"detail": {"error": {...}}}`): a short identifier, safe to show."""
    try:
        body = json.loads(response.content[:4096])
    except (ValueError, UnicodeDecodeError):
        return ""
    if isinstance(body, dict) and isinstance(body.get("detail"), dict):
        body = body["detail"]
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return ""
    code = error.get("code") or error.get("type")
    if not isinstance(code, str):
        return ""
    return "".join(c for c in code[:60] if c.isalnum() or c in "_-.")
