"""Asking for a person (conversation/transfer.py), and what the script engine does."""

from __future__ import annotations

import pytest

from voxdial.conversation.engine import ActionKind, CallContext
from voxdial.conversation.script import ScriptEngine
from voxdial.conversation.transfer import (
    PERSON_CALLS_BACK,
    TRANSFER_LINES,
    asks_for_person,
    transfer_target,
)

ASKS = [
    "转人工",
    "帮我转人工吧",
    "找你们人工",
    "我要人工",
    "人工",
    "我要跟真人说",
    "你们有人工客服吗",
    "我不想跟机器人说",
    "让你们经理跟我说",
    "Can I speak to a person?",
    "can I talk to a human",
    "Agent please",
    "agent",
    "I want to talk to a real person",
    "put me through to an agent",
    "transfer me",
    "I'd like to speak with someone",
    "I want a real person",
]
NOT_ASKS = [
    "不用转人工",
    "满意",
    "人工服务态度也不错",
    "are you a real person",  # a question about the assistant: the knowledge answers it
    "下午吧",
    "I am a person",
    "the agent was nice",
    "I spoke to your agent yesterday",
    "no I don't need a person",
    "yes",
    "不需要",
]


@pytest.mark.parametrize("text", ASKS)
def test_asks_for_person(text):
    assert asks_for_person(text)


@pytest.mark.parametrize("text", NOT_ASKS)
def test_does_not_ask_for_person(text):
    assert not asks_for_person(text)


def test_transfer_target_from_the_setting():
    assert transfer_target({}) is None
    assert transfer_target({"taskTransfer": None}) is None
    assert transfer_target({"taskTransfer": {"target": "sip:a@h", "when": ["asked"]}}) == "sip:a@h"
    assert transfer_target({"taskTransfer": {"target": "+8613912345678"}}) == "+8613912345678"
    assert transfer_target({"taskTransfer": {"target": "sip:a@h", "when": ["intentA"]}}) is None
    assert transfer_target({"taskTransfer": "sip:a@h"}) is None


ZH = {
    "welcome": "您好，这里是回访中心。",
    "collect": [{"question": "您对服务满意吗？", "answers": ["满意", "不满意"]}],
    "language": "zh",
}
EN = {
    "welcome": "Hello, this is the service desk.",
    "collect": [{"question": "Were you happy with the service?", "answers": ["yes", "no"]}],
    "language": "en",
}


def _conversation(assistant):
    return ScriptEngine().begin(CallContext(assistant=assistant))


@pytest.mark.parametrize(
    ("assistant", "said", "lang"),
    [(ZH, "我要转人工", "zh"), (EN, "can I speak to a person please", "en")],
)
def test_script_engine_transfers_when_configured(assistant, said, lang):
    config = {**assistant, "taskTransfer": {"target": "sip:agent@127.0.0.1", "when": ["asked"]}}
    c = _conversation(config)
    c.start()
    actions = c.hear(said)
    kinds = [a.kind for a in actions]
    assert kinds[:2] == [ActionKind.SAY, ActionKind.TRANSFER]
    assert actions[0].text == TRANSFER_LINES[lang]
    assert actions[1].text == "sip:agent@127.0.0.1"
    # what follows the TRANSFER is the flow going on if it fails: the question again
    assert actions[2:] and actions[2].text == assistant["collect"][0]["question"]
    assert not c.finished
    # the callee then answers as usual
    answer = "满意" if lang == "zh" else "yes"
    after = c.hear(answer)
    assert [a.kind for a in after][0] == ActionKind.COLLECT
    assert c.collected[0].result == answer


def test_script_engine_tries_a_transfer_once_then_promises_a_call_back():
    config = {**ZH, "taskTransfer": {"target": "+8613912345678"}}
    c = _conversation(config)
    c.start()
    assert ActionKind.TRANSFER in [a.kind for a in c.hear("转人工")]
    again = c.hear("转人工")
    assert ActionKind.TRANSFER not in [a.kind for a in again]
    assert [a.kind for a in again] == [ActionKind.CALLBACK, ActionKind.SAY, ActionKind.HANGUP]
    assert c.finished


@pytest.mark.parametrize(
    ("assistant", "said", "lang"),
    [(ZH, "我要跟真人说", "zh"), (EN, "agent please", "en")],
)
def test_script_engine_without_transfer_says_a_person_calls_back(assistant, said, lang):
    c = _conversation(assistant)
    c.start()
    actions = c.hear(said)
    assert ActionKind.TRANSFER not in [a.kind for a in actions]
    assert [a.kind for a in actions] == [ActionKind.CALLBACK, ActionKind.SAY, ActionKind.HANGUP]
    assert actions[1].text == PERSON_CALLS_BACK[lang]
    assert actions[2].result == "callback"
    assert c.finished
