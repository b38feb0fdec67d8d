"""Transfers decided by the engine at intent A, and what a bridged transfer's agent
hears: `analysis.reaches_intent_a` (the live check, the same rules as the after-call
intent level), `transfer.transfer_plan` / `agent_summary`, and the script and LLM
engines putting an interested callee through once per call."""

from __future__ import annotations

from typing import Any

import pytest

from tests.test_openai_engine import SATISFIED, context, json_reply, kinds, mock_engine
from voxdial.conversation.analysis import analyse, reaches_intent_a
from voxdial.conversation.engine import ActionKind, CallContext, CollectResult
from voxdial.conversation.lines import TEXT
from voxdial.conversation.script import ScriptEngine
from voxdial.conversation.transfer import (
    INTENT_A_LINES,
    PERSON_CALLS_BACK,
    agent_summary,
    transfer_plan,
)
from voxdial.domain.status import HangupReason

Q1, Q2 = "Are you happy with our service?", "Would you like to hear about our new plan?"
AGENT = "sip:agent@127.0.0.1:5070"


def hit(question: str, result: str) -> CollectResult:
    return CollectResult(question, True, result)


@pytest.mark.parametrize(
    ("questions", "collected", "knowledge", "expected"),
    [
        ([Q1, Q2], [hit(Q1, "Yes"), hit(Q2, "Yes")], 0, True),
        ([Q1, Q2], [hit(Q1, "Yes")], 0, False),  # not every question answered
        ([Q1, Q2], [hit(Q1, "No"), hit(Q2, "No")], 0, False),  # no positive signal (B)
        ([Q1, Q2], [hit(Q1, "No"), hit(Q2, "No")], 1, True),  # asked about the product
        ([Q1], [hit(Q1, "满意")], 0, True),
        ([Q1], [hit(Q1, "5")], 0, True),
        ([Q1], [CollectResult(Q1, False, "")], 0, False),
        ([], [], 0, False),
        ([], [], 2, True),
    ],
)
def test_intent_a_live_check_agrees_with_the_after_call_level(
    questions, collected, knowledge, expected
):
    assert reaches_intent_a(questions, collected, knowledge_questions=knowledge) is expected
    level = analyse(
        language="en",
        outcome=HangupReason.ANSWERED,
        questions=questions,
        collected=collected,
        hangup_side="assistant",
        knowledge_questions=knowledge,
    ).intent_level
    assert (level == "A") is expected


def setting(**kw: Any) -> dict[str, Any]:
    return {"taskTransfer": {"target": AGENT, **kw}}


def test_the_plan_follows_the_setting():
    blind = transfer_plan(setting(), "asked")
    assert blind is not None and (blind.mode, blind.target, blind.summary) == ("blind", AGENT, "")
    assert transfer_plan(setting(), "intentA") is None  # `when` defaults to ["asked"]
    assert transfer_plan(setting(when=["intentA"]), "asked") is None
    assert (
        transfer_plan({}, "asked") is None
        and transfer_plan({"taskTransfer": None}, "asked") is None
    )
    bridged = transfer_plan(
        setting(mode="bridged", when=["asked", "intentA"], agentTimeoutSeconds=12),
        "intentA",
        name="Ann Lee",
        collected=[hit(Q1, "Yes")],
        lang="en",
    )
    assert bridged is not None
    assert (bridged.mode, bridged.why, bridged.agent_seconds) == ("bridged", "intentA", 12)
    assert bridged.summary == (
        "Transferred call: an interested callee. Callee: Ann Lee. "
        "So far: Are you happy with our service Yes."
    )
    assert "Ann Lee" not in repr(bridged)  # the summary stays out of reprs (and logs)
    quiet = transfer_plan(setting(mode="bridged", summary=False), "asked")
    assert quiet is not None and quiet.summary == "" and quiet.agent_seconds == 30


def test_the_summary_in_mandarin_and_its_length():
    line = agent_summary(
        "zh", "asked", "张先生", [hit("您对服务满意吗？", "满意"), CollectResult("x", False, "")]
    )
    assert line == "转接来电：客户要求转人工。客户：张先生。已了解：您对服务满意吗：满意。"
    assert agent_summary("zh", "asked", "", []) == "转接来电：客户要求转人工。尚未收集到回答。"
    long = agent_summary("en", "asked", "Ann", [hit(f"Question {i}?", "x" * 50) for i in range(20)])
    assert len(long) == 300


def _script(when: list[str], mode: str = "bridged"):
    assistant = {
        "welcome": "Hi, this is Ava.",
        "language": "en",
        "collect": [{"question": q, "answers": ["Yes", "No"]} for q in (Q1, Q2)],
        "taskTransfer": {"mode": mode, "target": AGENT, "when": when, "summary": True},
    }
    c = ScriptEngine().begin(CallContext(assistant=assistant, name="Ann Lee"))
    c.start()
    return c


def test_the_answer_that_makes_it_intent_a_puts_the_callee_through_once():
    c = _script(["intentA"])
    first = c.hear("yes")
    assert ActionKind.TRANSFER not in kinds(first)  # one question still open
    actions = c.hear("yes")
    assert kinds(actions) == [
        ActionKind.COLLECT, ActionKind.SAY, ActionKind.TRANSFER, ActionKind.SAY, ActionKind.HANGUP,
    ]  # fmt: skip
    assert actions[1].text == INTENT_A_LINES["en"]
    plan = actions[2].transfer
    assert plan is not None and (plan.target, plan.mode, plan.why) == (AGENT, "bridged", "intentA")
    assert "So far: Are you happy with our service Yes; " in plan.summary
    assert actions[3].text == TEXT["en"]["closing"]  # said only if the transfer fails
    assert actions[4].result == "completed"


def test_no_transfer_at_b_nor_when_only_asked_and_asking_needs_asked():
    c = _script(["intentA"])
    c.hear("no")
    assert ActionKind.TRANSFER not in kinds(c.hear("no"))  # intent B
    c = _script(["asked"])
    c.hear("yes")
    assert ActionKind.TRANSFER not in kinds(c.hear("yes"))  # A, but not a trigger
    c = _script(["intentA"])
    asked = c.hear("agent please")  # the callee asks, but only intent A transfers
    assert kinds(asked) == [ActionKind.CALLBACK, ActionKind.SAY, ActionKind.HANGUP]
    assert asked[1].text == PERSON_CALLS_BACK["en"]


def test_a_callee_put_through_on_asking_is_not_transferred_again_at_intent_a():
    c = _script(["asked", "intentA"], mode="blind")
    assert ActionKind.TRANSFER in kinds(c.hear("agent please"))  # (it failed: the call goes on)
    c.hear("yes")
    assert ActionKind.TRANSFER not in kinds(c.hear("yes"))


def test_the_llm_engine_transfers_at_intent_a_and_goes_on_if_it_fails():
    handler = json_reply(
        {"say": "Great, thanks!", "collected": [{"question": SATISFIED, "result": "satisfied"}],
         "action": "continue", "callback_at": ""}
    )  # fmt: skip
    transfer = {"mode": "bridged", "target": AGENT, "when": ["intentA"], "summary": True}
    with mock_engine(handler) as engine:
        conv = engine.begin(
            context(
                collect=[{"question": SATISFIED, "answers": ["satisfied"]}], taskTransfer=transfer
            )
        )
        conv.start()
        actions = conv.hear("Yes, very satisfied.")
        again = conv.hear("Yes, very satisfied.")
    assert kinds(actions) == [
        ActionKind.SAY,
        ActionKind.COLLECT,
        ActionKind.SAY,
        ActionKind.TRANSFER,
    ]
    plan = actions[3].transfer
    assert plan is not None and plan.why == "intentA" and "Ann" in plan.summary
    assert not conv.finished and ActionKind.TRANSFER not in kinds(again)  # once per call
