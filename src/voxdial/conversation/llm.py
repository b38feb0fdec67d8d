"""A small client for OpenAI-compatible `/v1/chat/completions` endpoints.

It speaks the streaming form only (`stream: true`, server-sent events, read with
`httpx-sse`), so a caller can act on the first tokens; `ChatStream` folds the deltas
into the full content and tool calls.
Both a sync (`stream_chat`) and an async (`astream_chat`) path are offered: simulated and
debug calls are sync, the voice loop is async.

Every failure leaves as one of the `LLMError` tree, translated once here:

    LLMError            base; `reason` is a short, key-free text for the call trace
    ├── LLMTimeout      no complete reply within the turn's budget
    ├── LLMStatusError  the server answered with a non-2xx status
    └── LLMProtocolError  a reply that is not the OpenAI wire shape (nor an event stream)

The API key goes into the Authorization header and nowhere else: no message, log line or
repr holds it.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from httpx_sse import EventSource, ServerSentEvent, SSEError


class LLMError(Exception):
    reason = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class LLMTimeout(LLMError):
    reason = "timeout"


class LLMStatusError(LLMError):
    reason = "http error"

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status

    @property
    def retryable(self) -> bool:
        return self.status >= 500 or self.status in (408, 429)


class LLMProtocolError(LLMError):
    reason = "bad reply"


@dataclass
class ToolCall:
    name: str = ""
    arguments: str = ""
    id: str = ""


@dataclass
class ChatStream:
    """The deltas of one streamed completion, folded as they arrive."""

    content: str = ""
    tool_calls: dict[int, ToolCall] = field(default_factory=dict)
    finish_reason: str | None = None

    def add(self, chunk: dict[str, Any]) -> str:
        """Fold one `chat.completion.chunk`; return the new text it carries (content, or
        a tool call's argument text, whichever the server streams)."""
        choices = chunk.get("choices")
        if not isinstance(choices, list):
            raise LLMProtocolError("a stream chunk has no choices")
        new = ""
        for choice in choices:
            if not isinstance(choice, dict):
                raise LLMProtocolError("a stream choice is not an object")
            if choice.get("finish_reason"):
                self.finish_reason = choice["finish_reason"]
            delta = choice.get("delta") or {}
            text = delta.get("content")
            if isinstance(text, str) and text:
                self.content += text
                new += text
            for call in delta.get("tool_calls") or []:
                index = call.get("index", 0) if isinstance(call, dict) else 0
                slot = self.tool_calls.setdefault(index, ToolCall())
                fn = call.get("function") or {}
                if call.get("id"):
                    slot.id = call["id"]
                if fn.get("name"):
                    slot.name = fn["name"]
                args = fn.get("arguments")
                if isinstance(args, str) and args:
                    slot.arguments += args
                    new += args
        return new


_DONE = "[DONE]"  # the data of the event that ends an OpenAI stream


def _payload(event: ServerSentEvent) -> str | None:
    """An event's data, or None for events that carry none (OpenAI streams only data)."""
    return event.data.strip() or None


def _decode_chunk(payload: str) -> dict[str, Any]:
    try:
        chunk = json.loads(payload)
    except json.JSONDecodeError as e:
        raise LLMProtocolError("a stream chunk is not JSON") from e
    if not isinstance(chunk, dict):
        raise LLMProtocolError("a stream chunk is not an object")
    if "error" in chunk:
        raise LLMProtocolError("the server streamed an error")
    return chunk


@dataclass(frozen=True)
class ChatEndpoint:
    """Where and how to ask: the base URL (with or without `/v1`), model and key."""

    base_url: str
    model: str
    api_key: str = field(default="", repr=False)

    @property
    def url(self) -> str:
        base = self.base_url.rstrip("/")
        if not base.endswith("/v1"):
            base += "/v1"
        return base + "/chat/completions"

    def headers(self) -> dict[str, str]:
        headers = {"Accept": "text/event-stream"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        return headers


def _status_error(response: httpx.Response, body: bytes) -> LLMStatusError:
    detail = body[:200].decode("utf-8", "replace").replace("\n", " ")
    return LLMStatusError(f"HTTP {response.status_code}: {detail}", status=response.status_code)


class ChatClient:
    """Streams chat completions from one endpoint; `timeout` bounds a whole request."""

    def __init__(
        self,
        endpoint: ChatEndpoint,
        *,
        timeout: float,
        transport: httpx.BaseTransport | None = None,
        async_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.timeout = timeout
        self._transport = transport
        self._async_transport = async_transport
        self._client: httpx.Client | None = None

    def _body(self, request: dict[str, Any]) -> dict[str, Any]:
        return {"model": self.endpoint.model, **request, "stream": True}

    def _sync_client(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(transport=self._transport, trust_env=False)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def stream_chat(
        self, request: dict[str, Any], stream: ChatStream, *, budget: float | None = None
    ) -> Iterator[str]:
        """Fold the reply into `stream`, yielding the new text of each chunk; raise
        `LLMError` on any failure. `budget` (default: the client's) bounds the request."""
        budget = self.timeout if budget is None else budget
        deadline = time.monotonic() + budget
        try:
            with self._sync_client().stream(
                "POST",
                self.endpoint.url,
                json=self._body(request),
                headers=self.endpoint.headers(),
                timeout=httpx.Timeout(budget),
            ) as response:
                if response.status_code >= 300:
                    raise _status_error(response, response.read())
                for event in EventSource(response).iter_sse():
                    payload = _payload(event)
                    if payload is None:
                        continue
                    if payload == _DONE:
                        break
                    chunk = _decode_chunk(payload)
                    if time.monotonic() > deadline:
                        raise LLMTimeout(f"no complete reply within {budget:g} s")
                    yield stream.add(chunk)
        except SSEError as e:
            raise LLMProtocolError("the server did not answer with an event stream") from e
        except httpx.TimeoutException as e:
            raise LLMTimeout(f"no complete reply within {budget:g} s") from e
        except httpx.HTTPError as e:
            raise LLMError(f"{type(e).__name__} talking to the model server") from e

    async def astream_chat(
        self, request: dict[str, Any], stream: ChatStream, *, budget: float | None = None
    ) -> AsyncIterator[str]:
        """The async twin of `stream_chat`; every read waits at most the time left."""
        budget = self.timeout if budget is None else budget
        deadline = time.monotonic() + budget
        try:
            async with (
                httpx.AsyncClient(transport=self._async_transport, trust_env=False) as client,
                client.stream(
                    "POST",
                    self.endpoint.url,
                    json=self._body(request),
                    headers=self.endpoint.headers(),
                    timeout=httpx.Timeout(budget),
                ) as response,
            ):
                if response.status_code >= 300:
                    raise _status_error(response, await response.aread())
                events = EventSource(response).aiter_sse()
                try:
                    while True:
                        left = deadline - time.monotonic()
                        if left <= 0:
                            raise LLMTimeout(f"no complete reply within {budget:g} s")
                        try:
                            event = await asyncio.wait_for(anext(events), left)
                        except StopAsyncIteration:
                            break
                        payload = _payload(event)
                        if payload is None:
                            continue
                        if payload == _DONE:
                            break
                        yield stream.add(_decode_chunk(payload))
                finally:
                    await events.aclose()
        except SSEError as e:
            raise LLMProtocolError("the server did not answer with an event stream") from e
        except (TimeoutError, httpx.TimeoutException) as e:
            raise LLMTimeout(f"no complete reply within {budget:g} s") from e
        except httpx.HTTPError as e:
            raise LLMError(f"{type(e).__name__} talking to the model server") from e
