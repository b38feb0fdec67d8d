"""The `openai` conversation engine: wire parsing, replies to actions, fallback to the
script, on httpx.MockTransport, on a scripted loopback server, and on a real
OpenAI-compatible server (llama-cpp-python with a 0.5B model) on loopback."""

# Over 600 lines on purpose: one engine seen through four transports (parsing, a mock
# transport, a scripted loopback server, the real model server) that share the
# fixtures at the top. Split by transport, with them in tests/support/, if it grows.

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from tests.support.llm_server import (
    MODEL_ALIAS,
    LlamaServer,
    Reply,
    StubLLMServer,
    content_events,
    llama_missing,
    require_llm,
)
from tests.support.voice import (
    EnergyDetector,
    ScriptedLine,
    ToneRecognizer,
    ToneSynthesizer,
    tone,
)
from voxdial.conversation.engine import (
    Action,
    ActionKind,
    CallContext,
    MinimalScriptEngine,
)
from voxdial.conversation.factory import make_engine
from voxdial.conversation.llm import ChatClient, ChatEndpoint, ChatStream, LLMProtocolError
from voxdial.conversation.notes import NoteKind, note_kind
from voxdial.conversation.openai_engine import OpenAIEngine
from voxdial.conversation.reply import reply_schema
from voxdial.conversation.say_extractor import SayExtractor
from voxdial.settings import LLMSettings, Settings
from voxdial.voice.playback import Interruption
from voxdial.voice.session import CallSession

SATISFIED = "Are you satisfied with our service?"
WHEN = "When did you last visit us?"
ASSISTANT: dict[str, Any] = {
    "welcome": "Hello {姓名}, this is Acme calling about your recent visit.",
    "prompt": "You are a polite survey agent for Acme on a phone call.",
    "objective": "Find out whether the customer is satisfied and when they last visited.",
    "collect": [
        {"question": SATISFIED, "answers": ["satisfied", "neutral", "dissatisfied"]},
        {"question": WHEN, "answers": []},
    ],
    "knowledge": "Acme opens 9:00 to 18:00 every day.",
    "llmId": 1,
}


def context(**assistant: Any) -> CallContext:
    return CallContext(
        assistant={**ASSISTANT, **assistant},
        name="Ann",
        now=datetime.fromisoformat("2025-03-03T10:00:00+08:00"),
    )


def endpoint(base_url: str = "http://llm.test/v1", **kw: Any) -> LLMSettings:
    return LLMSettings(base_url=base_url, model="m", api_key=SecretStr("sk-secret-1"), **kw)


def sse(events: list[str]) -> bytes:
    return "".join(f"data: {e}\n\n" for e in events).encode()


def sse_response(body: bytes) -> httpx.Response:
    return httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})


def mock_engine(handler, **kw: Any) -> OpenAIEngine:
    transport = httpx.MockTransport(handler)
    return OpenAIEngine(
        kw.pop("settings", None) or endpoint(),
        fallback=MinimalScriptEngine(),
        transport=transport,
        async_transport=transport,
        knowledge=lambda text: _NoRetrieval(),
        **kw,
    )


class _NoRetrieval:
    def answer(self, question: str, *, topic: str = "") -> None:
        raise ImportError("no retrieval in these tests")


def json_reply(reply: dict[str, Any], **kw: Any):
    requests: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(json.loads(request.content))
        return sse_response(sse(content_events(json.dumps(reply), **kw)))

    handler.requests = requests  # type: ignore[attr-defined]
    return handler


def kinds(actions: list[Action]) -> list[ActionKind]:
    return [a.kind for a in actions]


# --- wire parsing ---------------------------------------------------------------------


def _client(body: bytes, content_type: str = "text/event-stream") -> ChatClient:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"content-type": content_type})

    transport = httpx.MockTransport(handler)
    return ChatClient(
        ChatEndpoint("http://llm.test", "m"),
        timeout=5,
        transport=transport,
        async_transport=transport,
    )


HELLO = '{"choices": [{"delta": {"content": "Hello"}}]}'
PINGED = f": ping\n\ndata: {HELLO}\n\nevent: x\ndata: [DONE]\n\ndata: {{}}\n\n".encode()


def test_stream_skips_comments_and_stops_at_done() -> None:
    stream = ChatStream()
    client = _client(PINGED)
    assert list(client.stream_chat({"messages": []}, stream)) == ["Hello"]
    client.close()
    assert stream.content == "Hello"

    async def run() -> tuple[list[str], ChatStream]:
        astream = ChatStream()
        client = _client(PINGED)
        return [new async for new in client.astream_chat({"messages": []}, astream)], astream

    new, astream = asyncio.run(run())
    assert new == ["Hello"] and astream.content == "Hello"


def test_a_reply_that_is_not_an_event_stream_is_a_protocol_error() -> None:
    body = b'{"choices": [{"message": {"content": "Hello"}}]}'
    client = _client(body, "application/json")
    with pytest.raises(LLMProtocolError) as e:
        list(client.stream_chat({"messages": []}, ChatStream()))
    client.close()
    assert e.value.reason == "bad reply" and "event stream" in e.value.message

    async def run() -> None:
        async for _ in _client(body, "application/json").astream_chat({}, ChatStream()):
            pass

    with pytest.raises(LLMProtocolError):
        asyncio.run(run())


def test_stream_folds_content_and_tool_call_deltas() -> None:
    stream = ChatStream()
    chunks = [
        {"choices": [{"delta": {"role": "assistant", "content": "He"}}]},
        {"choices": [{"delta": {"content": "llo"}}]},
        {
            "choices": [
                {
                    "delta": {
                        "tool_calls": [
                            {
                                "index": 0,
                                "id": "c1",
                                "function": {"name": "reply", "arguments": '{"sa'},
                            }
                        ]
                    }
                }
            ]
        },  # noqa: E501
        {
            "choices": [
                {"delta": {"tool_calls": [{"index": 0, "function": {"arguments": 'y": 1}'}}]}}
            ]
        },  # noqa: E501
        {"choices": [{"delta": {}, "finish_reason": "tool_calls"}]},
    ]
    new = [stream.add(c) for c in chunks]
    assert new == ["He", "llo", '{"sa', 'y": 1}', ""]
    assert stream.content == "Hello"
    assert stream.tool_calls[0].name == "reply"
    assert json.loads(stream.tool_calls[0].arguments) == {"say": 1}
    assert stream.finish_reason == "tool_calls"


def test_say_extractor_cuts_clauses_while_streaming() -> None:
    raw = json.dumps({"say": "好的，谢谢您的反馈。Next question: is it OK? Bye", "action": "x"})
    x = SayExtractor(soft_after=2)
    clauses = []
    for i in range(0, len(raw), 3):  # three characters at a time, escapes split too
        clauses += x.feed(raw[i : i + 3])
    assert clauses == ["好的，", "谢谢您的反馈。", "Next question:", "is it OK?", "Bye"]


def test_schema_lists_preset_answers_per_question() -> None:
    schema = reply_schema(ASSISTANT["collect"])
    options = schema["properties"]["collected"]["items"]["anyOf"]
    assert options[0]["properties"]["question"]["enum"] == [SATISFIED]
    assert options[0]["properties"]["result"]["enum"] == ["satisfied", "neutral", "dissatisfied"]
    assert "enum" not in options[1]["properties"]["result"]
    assert list(schema["properties"])[0] == "say"


# --- replies to actions (MockTransport) -------------------------------------------------


def test_json_reply_becomes_say_collect_and_continue() -> None:
    handler = json_reply(
        {
            "say": "Thanks! When did you last visit us?",
            "collected": [{"question": SATISFIED, "result": "satisfied"}],
            "action": "continue",
            "callback_at": "",
        }
    )
    with mock_engine(handler) as engine:
        conv = engine.begin(context())
        opening = conv.start()
        assert opening[0].text.startswith("Hello Ann")
        actions = conv.hear("Yes, quite satisfied.")
    assert kinds(actions) == [ActionKind.SAY, ActionKind.COLLECT]
    assert actions[1].question == SATISFIED and actions[1].result == "satisfied"
    assert [(c.question, c.result) for c in conv.collected] == [(SATISFIED, "satisfied")]
    assert not conv.finished
    request = handler.requests[0]
    assert request["stream"] is True and request["model"] == "m"
    assert request["response_format"]["type"] == "json_schema"
    system = request["messages"][0]["content"]
    assert "polite survey agent" in system and SATISFIED in system and "Acme opens" in system
    assert request["messages"][1:] == [
        {"role": "assistant", "content": opening[0].text + " " + opening[1].text},
        {"role": "user", "content": "Yes, quite satisfied."},
    ]


def test_answers_outside_the_presets_and_unknown_questions_are_dropped() -> None:
    handler = json_reply(
        {
            "say": "Noted.",
            "collected": [
                {"question": SATISFIED, "result": "ecstatic"},
                {"question": "What is your salary?", "result": "lots"},
                {"question": WHEN.upper(), "result": "last Tuesday"},
            ],
            "action": "continue",
            "callback_at": "",
        }
    )
    with mock_engine(handler) as engine:
        conv = engine.begin(context())
        conv.start()
        actions = conv.hear("I'm ecstatic, I came last Tuesday")
    collects = [(a.question, a.result) for a in actions if a.kind == ActionKind.COLLECT]
    assert collects == [(WHEN, "last Tuesday")]


@pytest.mark.parametrize(
    ("step", "expected", "result"),
    [
        ("hangup", [ActionKind.SAY, ActionKind.HANGUP], "completed"),
        ("block", [ActionKind.SAY, ActionKind.BLOCK, ActionKind.HANGUP], "refused"),
        ("callback", [ActionKind.SAY, ActionKind.CALLBACK, ActionKind.HANGUP], "callback"),
        ("transfer", [ActionKind.SAY, ActionKind.TRANSFER], None),
    ],
)
def test_next_step_ends_the_call(step: str, expected: list[ActionKind], result: Any) -> None:
    reply = {"say": "Goodbye.", "collected": [], "action": step, "callback_at": ""}
    if step == "callback":
        reply["callback_at"] = "2025-03-04T15:00:00"
    with mock_engine(json_reply(reply)) as engine:
        conv = engine.begin(context())
        conv.start()
        actions = conv.hear("whatever")
    assert kinds(actions) == expected
    assert conv.finished
    if result:
        assert actions[-1].result == result
    if step == "callback":
        at = actions[1].at
        assert at is not None and at.isoformat() == "2025-03-04T15:00:00+08:00"
    assert conv.hear("hello?") == []


def test_tool_call_reply() -> None:
    args = json.dumps(
        {
            "say": "Thank you.",
            "collected": [{"question": SATISFIED, "result": "neutral"}],
            "action": "continue",
            "callback_at": "",
        }
    )
    seen: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        calls = [{"index": 0, "id": "c", "function": {"name": "reply", "arguments": ""}}]
        events = [json.dumps({"choices": [{"delta": {"tool_calls": calls}}]})]
        for i in range(0, len(args), 10):
            part = [{"index": 0, "function": {"arguments": args[i : i + 10]}}]
            events.append(json.dumps({"choices": [{"delta": {"tool_calls": part}}]}))
        return sse_response(sse([*events, "[DONE]"]))

    with mock_engine(handler, settings=endpoint(structured="tools")) as engine:
        conv = engine.begin(context())
        conv.start()
        actions = conv.hear("It's OK I guess")
    assert seen[0]["tool_choice"] == {"type": "function", "function": {"name": "reply"}}
    assert seen[0]["tools"][0]["function"]["parameters"] == reply_schema(ASSISTANT["collect"])
    assert "response_format" not in seen[0]
    assert [(a.kind, a.text or a.result) for a in actions] == [
        (ActionKind.SAY, "Thank you."),
        (ActionKind.COLLECT, "neutral"),
    ]


# --- fallback (MockTransport) -----------------------------------------------------------


def _fallback_check(actions: list[Action], reason: str) -> None:
    assert actions[0].kind == ActionKind.NOTE
    assert note_kind(actions[0]) is NoteKind.LLM_FALLBACK
    assert actions[0].text.startswith(f"llm fallback: {reason}")
    assert "sk-secret" not in actions[0].text
    # the script's turn: "satisfied" is a preset answer of the first question
    assert actions[1].kind == ActionKind.COLLECT and actions[1].result == "satisfied"
    assert actions[2] == Action(ActionKind.SAY, WHEN)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("this is not json", "bad reply: invalid JSON"),
        ('{"say": "Hi", "collected": [], "action": "dance", "callback_at": ""}', "bad reply"),
        ('{"say": "", "collected": [], "action": "continue", "callback_at": ""}', "bad reply"),
        ('{"say": "truncated because max_tok', "bad reply: invalid JSON"),
    ],
)
def test_unusable_reply_falls_back_to_the_script(content: str, reason: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return sse_response(sse(content_events(content)))

    with mock_engine(handler) as engine:
        conv = engine.begin(context())
        conv.start()
        actions = conv.hear("I am satisfied")
    _fallback_check(actions, reason)
    assert [(c.question, c.result) for c in conv.collected] == [(SATISFIED, "satisfied")]


def test_http_error_falls_back_and_the_next_turn_asks_the_model_again() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        assert request.headers["authorization"] == "Bearer sk-secret-1"
        if len(calls) == 1:
            return httpx.Response(503, json={"error": "overloaded"})
        reply = {"say": "Thanks, bye.", "collected": [], "action": "hangup", "callback_at": ""}
        return sse_response(sse(content_events(json.dumps(reply))))

    with mock_engine(handler) as engine:
        conv = engine.begin(context())
        conv.start()
        actions = conv.hear("I am satisfied")
        _fallback_check(actions, "http error: HTTP 503")
        second = conv.hear("Last week")
    assert kinds(second) == [ActionKind.SAY, ActionKind.HANGUP]
    # the model saw the script's question in the history
    history = json.loads(calls[1].content)["messages"]
    assert {"role": "assistant", "content": WHEN} in history


def test_fallback_after_the_script_has_closed_still_closes() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(500)

    with mock_engine(handler) as engine:
        conv = engine.begin(context(collect=[]))
        conv.start()  # no questions: the script closes at once
        assert conv.finished


def test_keys_stay_out_of_reprs() -> None:
    with mock_engine(json_reply({})) as engine:
        assert "sk-secret" not in repr(engine.settings)
        assert "sk-secret" not in repr(engine.client.endpoint)


# --- async streaming (MockTransport) ----------------------------------------------------


def test_stream_turn_yields_clauses_then_actions() -> None:
    reply = {
        "say": "Thank you, that helps a lot. One more thing: when did you last visit?",
        "collected": [{"question": SATISFIED, "result": "satisfied"}],
        "action": "continue",
        "callback_at": "",
    }

    async def run() -> list[Action]:
        with mock_engine(json_reply(reply, pieces=12)) as engine:
            conv = engine.begin(context())
            conv.start()
            return [a async for a in conv.stream_turn("satisfied")]

    actions = asyncio.run(run())
    says = [a.text for a in actions if a.kind == ActionKind.SAY]
    assert len(says) >= 2
    assert " ".join(says) == reply["say"]
    assert actions[-1].kind == ActionKind.COLLECT


def test_stream_turn_falls_back_on_error() -> None:
    async def run() -> list[Action]:
        with mock_engine(lambda r: httpx.Response(500, text="boom")) as engine:
            conv = engine.begin(context())
            conv.start()
            return [a async for a in conv.stream_turn("I am satisfied")]

    _fallback_check(asyncio.run(run()), "http error: HTTP 500")


# --- settings and the factory -----------------------------------------------------------


def test_settings_read_numbered_endpoints(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOXDIAL_LLMS", '{"2": {"base_url": "http://b/v1", "model": "b"}}')
    monkeypatch.setenv("VOXDIAL_LLM_1_BASE_URL", "http://a/v1")
    monkeypatch.setenv("VOXDIAL_LLM_1_MODEL", "a")
    monkeypatch.setenv("VOXDIAL_LLM_1_API_KEY", "sk-secret-2")
    monkeypatch.setenv("VOXDIAL_LLM_1_STRUCTURED", "tools")
    monkeypatch.setenv("VOXDIAL_LLM_2_TIMEOUT_SECONDS", "3")
    monkeypatch.setenv("VOXDIAL_LLM_TIMEOUT_SECONDS", "4.5")
    s = Settings()
    assert s.llm_timeout_seconds == 4.5
    assert s.llms[1].model == "a" and s.llms[1].structured == "tools"
    assert s.llms[1].api_key.get_secret_value() == "sk-secret-2"
    assert s.llms[2].base_url == "http://b/v1" and s.llms[2].timeout_seconds == 3
    assert "sk-secret" not in repr(s)


def test_make_engine_picks_by_llm_id(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("VOXDIAL_LLMS", "VOXDIAL_LLM_1_BASE_URL", "VOXDIAL_LLM_1_MODEL"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings(llms={1: endpoint(timeout_seconds=2.5)}, llm_timeout_seconds=9)
    for llm_id in (0, None, 7):
        engine = make_engine({**ASSISTANT, "llmId": llm_id}, settings=settings)
        assert not isinstance(engine, OpenAIEngine)
        assert hasattr(engine, "begin")
    with make_engine(ASSISTANT, settings=settings) as engine:
        assert isinstance(engine, OpenAIEngine)
        assert engine.client.timeout == 2.5
        assert engine.client.endpoint.url == "http://llm.test/v1/chat/completions"


# --- a scripted loopback server: real HTTP, real timeouts -------------------------------


def stub_engine(stub: StubLLMServer, *, timeout: float) -> OpenAIEngine:
    return OpenAIEngine(
        endpoint(stub.base_url),
        timeout=timeout,
        fallback=MinimalScriptEngine(),
        knowledge=lambda text: _NoRetrieval(),
    )


def test_loopback_http_500_falls_back() -> None:
    with (
        StubLLMServer(lambda r: Reply(500, '{"error": "internal"}')) as stub,
        stub_engine(stub, timeout=5) as engine,
    ):
        conv = engine.begin(context())
        conv.start()
        actions = conv.hear("I am satisfied")
    _fallback_check(actions, "http error: HTTP 500")
    assert stub.headers[0]["Authorization"] == "Bearer sk-secret-1"


@pytest.mark.parametrize("how", ["stall", "dribble"])
def test_loopback_timeout_falls_back_in_time(how: str) -> None:
    reply = {"say": "Too late.", "collected": [], "action": "continue", "callback_at": ""}
    events = content_events(json.dumps(reply), pieces=10)
    slow = Reply(stall=3) if how == "stall" else Reply(events=events, delay=0.3)
    with StubLLMServer(lambda r: slow) as stub, stub_engine(stub, timeout=0.5) as engine:
        conv = engine.begin(context())
        conv.start()
        t0 = time.monotonic()
        actions = conv.hear("I am satisfied")
        took = time.monotonic() - t0
    _fallback_check(actions, "timeout")
    assert took < 2.0


def test_loopback_async_timeout_falls_back_in_time() -> None:
    async def run() -> tuple[list[Action], float]:
        with (
            StubLLMServer(lambda r: Reply(stall=3)) as stub,
            stub_engine(stub, timeout=0.3) as engine,
        ):
            conv = engine.begin(context())
            conv.start()
            t0 = time.monotonic()
            actions = [a async for a in conv.stream_turn("I am satisfied")]
            return actions, time.monotonic() - t0

    actions, took = asyncio.run(run())
    _fallback_check(actions, "timeout")
    assert took < 1.5


def test_loopback_first_clause_arrives_before_the_reply_ends() -> None:
    reply = {
        "say": "Thank you for that. When did you last visit us?",
        "collected": [{"question": SATISFIED, "result": "satisfied"}],
        "action": "continue",
        "callback_at": "",
    }
    events = content_events(json.dumps(reply), pieces=12)

    async def run() -> list[tuple[float, Action]]:
        with (
            StubLLMServer(lambda r: Reply(events=events, delay=0.1)) as stub,
            stub_engine(stub, timeout=10) as engine,
        ):
            conv = engine.begin(context())
            conv.start()
            t0 = time.monotonic()
            return [(time.monotonic() - t0, a) async for a in conv.stream_turn("satisfied")]

    timed = asyncio.run(run())
    first_say = next(t for t, a in timed if a.kind == ActionKind.SAY)
    assert first_say < timed[-1][0] - 0.3
    assert [a.text for _, a in timed if a.kind == ActionKind.SAY] == [
        "Thank you for that.",
        "When did you last visit us?",
    ]


# --- a real OpenAI-compatible server: llama-cpp-python with a 0.5B model --------------


@pytest.fixture(scope="module")
def llama() -> Iterator[LlamaServer]:
    missing = llama_missing()
    if missing:
        if require_llm():
            pytest.fail(f"the LLM test server is required (VOXDIAL_REQUIRE_LLM=1): {missing}")
        pytest.skip(missing)
    server = LlamaServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def real_engine(llama: LlamaServer, *, timeout: float = 120, **kw: Any) -> OpenAIEngine:
    settings = LLMSettings(
        base_url=kw.pop("base_url", llama.base_url),
        model=MODEL_ALIAS,
        structured=kw.pop("structured", "json_object"),
        max_tokens=kw.pop("max_tokens", 120),
        temperature=0,
    )
    return OpenAIEngine(
        settings,
        timeout=timeout,
        fallback=MinimalScriptEngine(),
        knowledge=lambda text: _NoRetrieval(),
    )


def _model_turn_ok(actions: list[Action]) -> None:
    assert not [a for a in actions if a.kind == ActionKind.NOTE], actions
    assert actions and actions[0].kind == ActionKind.SAY and actions[0].text
    for a in actions:
        if a.kind == ActionKind.COLLECT and a.question == SATISFIED:
            assert a.result in ("satisfied", "neutral", "dissatisfied")
        else:
            assert a.kind != ActionKind.COLLECT or a.question == WHEN


@pytest.mark.parametrize("structured", ["json_object", "tools"])
def test_real_server_reply_becomes_actions(llama: LlamaServer, structured: str) -> None:
    with real_engine(llama, structured=structured) as engine:
        conv = engine.begin(context())
        conv.start()
        actions = conv.hear("Yes, I am very satisfied with the service.")
    _model_turn_ok(actions)


def test_real_server_streams_chunks_that_assemble(llama: LlamaServer) -> None:
    with real_engine(llama) as engine:
        conv = engine.begin(context())
        conv.start()
        request = conv._request("I am satisfied.")
        conv.history.append({"role": "user", "content": "I am satisfied."})
        request["messages"] = [request["messages"][0], *conv.history]

        async def chunks() -> tuple[list[str], ChatStream]:
            stream = ChatStream()
            return [c async for c in engine.client.astream_chat(request, stream)], stream

        pieces, stream = asyncio.run(chunks())
    assert len([p for p in pieces if p]) > 3
    assert "".join(pieces) == stream.content
    assert isinstance(json.loads(stream.content)["say"], str)

    async def turn() -> list[Action]:
        with real_engine(llama) as engine:
            conv = engine.begin(context())
            conv.start()
            return [a async for a in conv.stream_turn("I am satisfied.")]

    _model_turn_ok(asyncio.run(turn()))


class _LoggedTurns:
    """A conversation whose streamed turns log where they are: start, each action, end."""

    def __init__(self, inner: Any, log: list[str]) -> None:
        self.inner = inner
        self.log = log

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def stream_turn(self, text: str) -> AsyncIterator[Action]:
        self.log.append("engine: start")
        async for action in self.inner.stream_turn(text):
            self.log.append(f"engine: {action.kind}")
            yield action
        self.log.append("engine: end")


class _LoggedLine(ScriptedLine):
    def __init__(self, replies: list[Any], log: list[str]) -> None:
        super().__init__(replies, tail=0.5)
        self.log = log

    async def play(self, audio: Any) -> None:
        self.log.append("play")
        await super().play(audio)


def test_real_server_spoken_call_plays_before_the_reply_is_done(llama: LlamaServer) -> None:
    # a spoken call (tone fakes for the line, speech recognition and the voice) on the
    # real model: its reply's first clause is on the line before the model has finished
    words = ["Yes, I am very satisfied with the service."]
    log: list[str] = []
    line = _LoggedLine([tone(300, 0.8)], log)
    with real_engine(llama) as engine:
        conversation = _LoggedTurns(engine.begin(context()), log)
        session = CallSession(
            conversation=conversation,
            line=line,
            recognizer=ToneRecognizer(words),
            synthesizer=ToneSynthesizer(),
            detector=EnergyDetector(),
            answered=datetime.fromisoformat("2025-03-03T10:00:00+08:00"),
            language="en",
            interruption=Interruption(method="none"),
        )
        line.session = session
        asyncio.run(asyncio.wait_for(session.run(), 300))
    assert [u.text for u in session.utterances if u.side == "customer"] == words
    assert not [u for u in session.utterances if u.text.startswith("llm fallback")]
    turn = log[log.index("engine: start") : log.index("engine: end") + 1]
    assert "play" in turn, log  # first audio while the model was still streaming
    assert turn.index("engine: say") < turn.index("play")
    # the reply is in the transcript once, whole, after the callee's words
    sides = [u.side for u in session.utterances]
    after = sides.index("customer") + 1
    reply = [u.text for u in session.utterances[after:] if u.side == "system"]
    assert len(reply) == 1
    assert reply[0].split() == engine_say(conversation).split()


def engine_say(conversation: Any) -> str:
    """The model's spoken reply as the engine keeps it in the dialogue history."""
    return next(m["content"] for m in reversed(conversation.history) if m["role"] == "assistant")


def test_real_server_timeout_falls_back(llama: LlamaServer) -> None:
    with real_engine(llama, timeout=0.05, max_tokens=8) as engine:
        conv = engine.begin(context())
        conv.start()
        actions = conv.hear("I am satisfied")
    _fallback_check(actions, "timeout")


def test_real_server_http_errors_fall_back(llama: LlamaServer) -> None:
    root = llama.base_url.removesuffix("/v1")
    # a path the server does not serve (404), and OpenAI's `json_schema` format, which
    # llama-cpp-python's server rejects (its validation errors come back as 500)
    for kw in ({"base_url": root + "/nowhere"}, {"structured": "json_schema"}):
        with real_engine(llama, **kw) as engine:
            conv = engine.begin(context())
            conv.start()
            actions = conv.hear("I am satisfied")
        _fallback_check(actions, "http error: HTTP ")


def test_real_server_truncated_json_falls_back(llama: LlamaServer) -> None:
    with real_engine(llama, max_tokens=4) as engine:
        conv = engine.begin(context())
        conv.start()
        actions = conv.hear("I am satisfied")
    _fallback_check(actions, "bad reply: invalid JSON")


class _Hit:
    def __init__(self, passage: str) -> None:
        self.passage = passage


class _Retrieval:
    def answer(self, question: str, *, topic: str = "") -> _Hit | None:
        return _Hit("Parking is free for customers.") if "park" in question else None


@pytest.mark.parametrize(("said", "passage"), [("Where do I park?", True), ("Fine.", False)])
def test_retrieved_passage_goes_into_the_system_message(said: str, passage: bool) -> None:
    handler = json_reply({"say": "Ok.", "collected": [], "action": "continue", "callback_at": ""})
    transport = httpx.MockTransport(handler)
    with OpenAIEngine(
        endpoint(),
        fallback=MinimalScriptEngine(),
        transport=transport,
        knowledge=lambda t: _Retrieval(),
    ) as engine:
        conv = engine.begin(context(knowledge="Parking is free for customers. Long text."))
        conv.start()
        conv.hear(said)
    system = handler.requests[0]["messages"][0]["content"]
    assert ("Parking is free for customers." in system) is passage
    assert "Long text." not in system
