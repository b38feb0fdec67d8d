"""Keys in a call: the question schema's `keys` and `sendKeys` (validated), the script
engine's key answers, key messages on the websocket framings, and the spoken-call loop
with keys in band (tones in the callee's audio), out of band (a line's key events, one
press heard both ways counted once) and sent by the assistant."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import numpy as np
import pytest

from tests.support.voice import (
    EnergyDetector,
    ScriptedLine,
    ToneRecognizer,
    ToneSynthesizer,
    silence,
    tone,
)
from voxdial.conversation.engine import ActionKind, CallContext
from voxdial.conversation.script import ScriptEngine
from voxdial.store.outcomes import TRACE_EVENTS
from voxdial.telephony.stream_lines import BrowserLine, Frame, FrameReader, MediaStreamLine
from voxdial.voice.base import SAMPLE_RATE
from voxdial.voice.dtmf import DtmfDetector, Key, KeySource, tones
from voxdial.voice.playback import Interruption
from voxdial.voice.session import CallSession

ANSWERED = datetime(2026, 3, 10, 2, 30, tzinfo=UTC)
WORDS = ["yes", "Tuesday"]
SURVEY = {
    "welcome": "您好，这里是星网客服。",
    "collect": [
        {
            "question": "您对我们的服务满意吗？满意请按1，不满意请按2。",
            "answers": ["满意", "不满意"],
            "keys": {"1": "满意", "2": "不满意"},
        },
        {"question": "您哪天方便？", "answers": ["周一", "周二"]},
    ],
}


def conversation(assistant=SURVEY):
    context = CallContext(assistant=assistant, now=ANSWERED, time_zone="UTC")
    return ScriptEngine(encoder=False).begin(context)


# -- the engine ------------------------------------------------------------------------


def test_a_mapped_key_answers_the_question_asked():
    conv = conversation()
    conv.start()
    assert conv.accepts_key("1") and conv.accepts_key("2") and not conv.accepts_key("3")
    actions = conv.press("2")
    collect = [a for a in actions if a.kind == ActionKind.COLLECT]
    assert [(a.result, a.hit) for a in collect] == [("不满意", True)]
    assert conv.collected[0].message == "key 2"
    # the next question is asked, and it takes no keys
    assert any(a.kind == ActionKind.SAY and "哪天" in a.text for a in actions)
    assert not conv.accepts_key("1") and conv.press("1") is None
    assert len(conv.collected) == 1


def test_an_unmapped_key_asks_again():
    conv = conversation()
    conv.start()
    actions = conv.press("9")
    assert [a.kind for a in actions if a.kind != ActionKind.SAY] == []
    assert any("满意" in a.text for a in actions) and conv.collected == []
    assert [c.result for c in conv.collected] == []
    conv.press("1")
    assert [c.result for c in conv.collected] == ["满意"]


def test_keys_answer_the_first_question_while_the_opening_waits_for_consent():
    conv = conversation({**SURVEY, "welcome": "您好，耽误您一分钟可以吗？"})
    conv.start()
    assert conv.consenting
    conv.press("1")
    assert [c.result for c in conv.collected] == ["满意"] and not conv.consenting


def test_send_keys_go_out_before_the_opening():
    actions = conversation({**SURVEY, "sendKeys": "1,2#"}).start()
    assert (actions[0].kind, actions[0].text) == (ActionKind.KEYS, "1,2#")
    assert actions[1].kind == ActionKind.SAY
    assert all(a.kind != ActionKind.KEYS for a in conversation().start())


# -- the schema -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("collect", "send", "field", "words"),
    [
        ([{"question": "q", "answers": ["是"], "keys": {"1": "否"}}], None, "collect.0", "keys.1"),
        ([{"question": "q", "keys": {"11": "是"}}], None, "collect.0.keys.11.[key]", "pattern"),
        ([{"question": "q", "keys": {"1": ""}}], None, "collect.0.keys.1", "at least 1"),
        ([{"question": "q", "keys": {"a": "x", "A": "y"}}], None, "collect.0", "twice"),
        ([{"question": "q", "keys": ["1"]}], None, "collect.0.keys", "dictionary"),
        (None, "1;2", "sendKeys", "pattern"),
        (None, "1" * 33, "sendKeys", "pattern"),
    ],
)
def test_bad_keys_are_refused_naming_the_field(env, collect, send, field, words):
    body: dict = {"name": "keys", "welcome": "hi"}
    if collect is not None:
        body["collect"] = collect
    if send is not None:
        body["sendKeys"] = send
    r = env.client.post("/openapi/assistants", json=body)
    assert r.status_code == 422, r.text
    detail = r.json()
    text = json.dumps(detail, ensure_ascii=False)
    assert field in text and words in text


def test_keys_and_send_keys_are_stored_and_shown(env):
    r = env.client.post("/openapi/assistants", json={"name": "survey", **SURVEY, "sendKeys": "1#"})
    assert r.status_code == 201, r.text
    a = env.client.get(f"/openapi/assistants/{r.json()['id']}").json()
    assert a["collect"][0]["keys"] == {"1": "满意", "2": "不满意"}
    assert "keys" not in a["collect"][1] or a["collect"][1]["keys"] is None
    assert a["sendKeys"] == "1#"


# -- the websocket framings ---------------------------------------------------------------


async def _sent(frame) -> bool:
    return True


async def first_key(line) -> Key:
    return await asyncio.wait_for(anext(line.keys()), 1)


def test_media_stream_and_browser_key_messages_become_keys():
    async def go():
        line = MediaStreamLine(_sent, "MZ1")
        reader = FrameReader(line, assistant_id=1)
        twilio = {"event": "dtmf", "dtmf": {"track": "inbound_track", "digit": "7"}}
        assert reader.feed(text=json.dumps(twilio)) == Frame.CONTROL
        assert await first_key(line) == Key("7", KeySource.MEDIASTREAM)
        for bad in ({"event": "dtmf"}, {"event": "dtmf", "dtmf": {"digit": "x"}},
                    {"event": "dtmf", "dtmf": {"digit": "12"}}):  # fmt: skip
            assert reader.feed(text=json.dumps(bad)) == Frame.MALFORMED
        assert reader.malformed == 3
        browser = BrowserLine(_sent)
        FrameReader(browser, assistant_id=1).feed(text='{"type": "dtmf", "digit": "#"}')
        assert (await first_key(browser)).digit == "#"
        assert await line.send_keys("1") is None  # the media stream's keys go as tones

    asyncio.run(go())


# -- the spoken call -----------------------------------------------------------------------


class KeyedLine(ScriptedLine):
    """A scripted line that also carries keys out of band: `events` are (timeline ms,
    digit) the callee presses, `after_prompt` (ms after the assistant first speaks,
    digit); keys sent are kept in `sent`."""

    def __init__(self, replies, *, events=(), after_prompt=(), send_ok=True, **kw) -> None:
        super().__init__(replies, **kw)
        self.events = list(events)
        self.after_prompt = list(after_prompt)
        self.sent: list[str] = []
        self.send_ok = send_ok

    async def play(self, audio) -> None:
        now_ms = self.position * 1000 // SAMPLE_RATE
        self.events += [(now_ms + ms, digit) for ms, digit in self.after_prompt]
        self.after_prompt = []
        await super().play(audio)

    async def keys(self) -> AsyncIterator[Key]:
        while True:
            while self.events and self.position >= self.events[0][0] * SAMPLE_RATE // 1000:
                _, digit = self.events.pop(0)
                yield Key(digit, KeySource.SIP)
            await asyncio.sleep(0.001)

    async def send_keys(self, digits: str):
        if not self.send_ok:
            return None
        self.sent.append(digits)
        return KeySource.SIP


class HearsWords(ToneRecognizer):
    """A recognizer that hears words in any sound (as Whisper may in key tones)."""

    def transcribe(self, audio, *, language, hot_words) -> str:
        self.calls += 1
        return "周一" if np.abs(audio.astype(np.int32)).max() > 500 else ""


def session_for(line, assistant=SURVEY, interruption=None, recognizer=None):
    conv = conversation(assistant)
    s = CallSession(
        conversation=conv,
        line=line,
        recognizer=recognizer or ToneRecognizer(WORDS),
        synthesizer=ToneSynthesizer(),
        detector=EnergyDetector(),
        answered=ANSWERED,
        language="zh",
        interruption=interruption or Interruption(method="none"),
    )
    line.session = s
    return s, conv


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 30))


def dtmf_lines(s, direction="in"):
    lines = [json.loads(u.text) for u in s.utterances if u.side == "dtmf"]
    return [(x["digit"], x["source"]) for x in lines if x["direction"] == direction]


def test_a_key_pressed_in_band_answers_the_question():
    # a key held 0.6 s: long enough for the voice detector to take it for speech
    line = ScriptedLine([tones("1", tone_ms=600), silence(0.2)])
    s, conv = session_for(line, recognizer=HearsWords(WORDS))
    run(s.run())
    assert [(c.result, c.hit) for c in conv.collected] == [("满意", True)]
    assert dtmf_lines(s) == [("1", "inband")]
    assert TRACE_EVENTS["dtmf"] == "dtmf"
    # the tones were the reply: no utterance of them reached the recognizer as speech
    assert [u for u in s.utterances if u.side == "customer"] == []


def test_an_out_of_band_key_heard_as_tones_too_is_one_press():
    # the callee's key comes as an event and as tones (a carrier that passes both)
    line = KeyedLine([tones("2"), silence(0.2)], after_prompt=[(600, "2")])
    s, conv = session_for(line)
    run(s.run())
    assert [c.result for c in conv.collected][:1] == ["不满意"]
    assert len(dtmf_lines(s)) == 1


def test_a_key_the_question_does_not_take_changes_nothing():
    assistant = {**SURVEY, "collect": [{"question": "您哪天方便？", "answers": ["周一", "周二"]}]}
    line = KeyedLine([], events=[(1500, "1")], tail=4.0)
    s, conv = session_for(line, assistant)
    run(s.run())
    assert dtmf_lines(s) == [("1", "sip")]
    assert conv.collected == [] or not conv.collected[0].hit


def test_an_accepted_key_interrupts_the_question_and_others_do_not():
    question = "请您为我们的服务打分，满意请按1，不满意请按2。" * 4
    long_q = {**SURVEY["collect"][0], "question": question}
    assistant = {**SURVEY, "welcome": "", "collect": [long_q, SURVEY["collect"][1]]}
    line = KeyedLine([], events=[(800, "3"), (1600, "1")], tail=3.0)
    s, conv = session_for(line, assistant)
    run(s.run())
    # "3" is no answer (asked again, no barge-in); "1" answers and cuts the question
    assert line.cleared == 1
    assert [c.result for c in conv.collected][:1] == ["满意"]


def test_send_keys_go_out_of_band_when_the_line_can():
    line = KeyedLine([], tail=1.0)
    s, _ = session_for(line, {**SURVEY, "sendKeys": "12#"})
    run(s.run())
    assert line.sent == ["12#"]
    assert dtmf_lines(s, "out") == [("1", "sip"), ("2", "sip"), ("#", "sip")]


def test_send_keys_go_as_tones_on_a_line_without_keys():
    line = ScriptedLine([], tail=1.0)
    s, _ = session_for(line, {**SURVEY, "sendKeys": "4,0*"})
    run(s.run())
    first = line.played[0]
    found = DtmfDetector().feed(first)
    assert [d for d, _ in found] == ["4", "0", "*"]
    assert dtmf_lines(s, "out") == [("4", "inband"), ("0", "inband"), ("*", "inband")]
    # and a KeyLine that cannot send them falls back to tones as well
    line2 = KeyedLine([], tail=1.0, send_ok=False)
    s2, _ = session_for(line2, {**SURVEY, "sendKeys": "9"})
    run(s2.run())
    assert [d for d, _ in DtmfDetector().feed(line2.played[0])] == ["9"]


def test_speech_tones_of_the_fakes_are_no_keys():
    # the fakes' "speech" is single tones: heard as words, never as keys
    line = ScriptedLine([tone(300, 0.8), tone(400, 0.8)])
    assistant = {"welcome": "Hi.", "collect": [{"question": "Q?", "answers": ["yes"]}]}
    s, conv = session_for(line, assistant)
    run(s.run())
    assert dtmf_lines(s) == [] and np.any([u.side == "customer" for u in s.utterances])


# -- a call over the media stream ----------------------------------------------------------


@pytest.mark.timeout(120)
@pytest.mark.parametrize("how", ["message", "tones"])
@pytest.mark.slow  # a whole call at phone speed: 4-15 s of real time
def test_a_media_stream_callee_answers_with_a_key(env, tmp_path, how):
    from tests.support.callee import MediaStreamCallee, live_server
    from tests.test_media_socket import use_tones

    use_tones(env, tmp_path)
    body = {
        "name": "Key survey",
        "welcome": "Hi, this is Ava.",
        "collect": [
            {
                "question": "Happy with us? Press 1 for yes, 2 for no.",
                "answers": ["Yes", "No"],
                "keys": {"1": "Yes", "2": "No"},
            }
        ],
        "sendKeys": "5",
    }
    a = env.client.post("/openapi/assistants", json=body).json()
    key = (
        {"event": "dtmf", "dtmf": {"track": "inbound_track", "digit": "2"}}
        if how == "message"
        else tones("2").astype(np.int16)
    )
    with live_server(env.app) as base:
        url = base.replace("http", "ws") + f"/openapi/assistants/{a['id']}/ws"
        callee = MediaStreamCallee(url, [key], token=a["websocketToken"])
        report = asyncio.run(callee.run())

    assert report.close_code == 1000  # answered, closed, hung up
    # the assistant's own key went out as tones in the media (mu-law, 8 kHz and back)
    assert [d for d, _ in DtmfDetector().feed(report.heard)][:1] == ["5"]
    call = env.client.get("/openapi/calllog").json()["items"][0]
    assert [(c["result"], c["hit"]) for c in call["collect"]] == [("No", True)]
    trace = env.client.get(f"/openapi/calltrace/{call['sessionId']}").json()
    keys = [json.loads(t["content"]) for t in trace if t["event"] == "dtmf"]
    source = "mediastream" if how == "message" else "inband"
    assert keys == [
        {"digit": "5", "direction": "out", "source": "inband"},
        {"digit": "2", "direction": "in", "source": source},
    ]


def test_the_console_form_keeps_a_questions_keys():
    from voxdial.web.assistant_form import _collect, collect_text

    collect = [
        {
            "question": "满意吗？",
            "answers": ["满意", "不满意"],
            "keys": {"1": "满意", "2": "不满意"},
        },
        {"question": "哪天？", "answers": []},
        {"question": "按1确认", "answers": [], "keys": {"1": "确认"}},
    ]
    text = collect_text(collect)
    assert text.splitlines()[0] == "满意吗？ | 满意, 不满意 | 1=满意, 2=不满意"
    assert _collect(text) == collect
    # a pair without "=" reaches validation as a bad key (422 naming it), not lost
    assert _collect("q | a | 1")[0]["keys"] == {"1": ""}


def test_the_openai_engine_takes_keys_through_its_script_without_a_model_turn():
    import httpx

    from tests.test_openai_engine import endpoint
    from voxdial.conversation.openai_engine import OpenAIEngine

    def no_model(request):
        raise AssertionError("a key needs no model turn")

    transport = httpx.MockTransport(no_model)
    engine = OpenAIEngine(
        endpoint(),
        fallback=ScriptEngine(encoder=False),
        transport=transport,
        async_transport=transport,
    )
    conv = engine.begin(CallContext(assistant=SURVEY, now=ANSWERED, time_zone="UTC"))
    conv.start()
    assert conv.accepts_key("1") and not conv.accepts_key("5")
    actions = conv.press("1")
    assert [(a.result, a.hit) for a in actions if a.kind == ActionKind.COLLECT] == [("满意", True)]
    assert [c.result for c in conv.collected] == ["满意"]
    assert conv.press("1") is None  # the next question takes no keys
    engine.close()
