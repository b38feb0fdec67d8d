"""What a call amounted to: an intent level, a one-line summary, and the
`conversation_analysis` items of the `task.call.collect` webhook.

Intent levels (documented rules, applied in order):

    E  not connected: nobody answered (no answer, busy, off, vacant, voicemail, ...)
    D  connected but refused: the callee declined, asked not to be called again, or
       hung up before answering any question
    C  connected, partly engaged: some questions unanswered, or asked to be called later
    B  every question answered
    A  every question answered and a positive signal: an answer such as 满意 / 愿意 /
       yes / interested, or a question about the product

With no `collect` questions, an answered call that was not refused is B (A with a
positive signal).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from voxdial.conversation.engine import CollectResult
from voxdial.domain.language import language_of
from voxdial.domain.status import HangupReason

if TYPE_CHECKING:
    from voxdial.conversation.calls import CallResult

_POSITIVE = re.compile(
    r"^(满意|非常满意|很满意|愿意|感兴趣|有兴趣|需要|是|是的|好|可以|同意|会|yes|sure|"
    r"satisfied|very satisfied|interested|agree|ok|okay|[45]|[45]分)$",
    re.I,
)

OUTCOME_WORDS = {
    "zh": {
        HangupReason.NO_ANSWER: "无人接听",
        HangupReason.BUSY: "占线",
        HangupReason.REFUSED: "被拒接",
        HangupReason.POWERED_OFF: "关机",
        HangupReason.UNREACHABLE: "无法接通",
        HangupReason.VACANT: "空号",
        HangupReason.SUSPENDED: "停机",
        HangupReason.VOICEMAIL: "转入语音信箱",
        HangupReason.BLOCKED: "在免打扰名单中，未拨打",
        HangupReason.FAILED: "线路故障",
    },
    "en": {
        HangupReason.NO_ANSWER: "no answer",
        HangupReason.BUSY: "line busy",
        HangupReason.REFUSED: "call declined",
        HangupReason.POWERED_OFF: "phone switched off",
        HangupReason.UNREACHABLE: "unreachable",
        HangupReason.VACANT: "number not in service",
        HangupReason.SUSPENDED: "number suspended",
        HangupReason.VOICEMAIL: "went to voicemail",
        HangupReason.BLOCKED: "on the block list, not dialled",
        HangupReason.FAILED: "carrier failure",
    },
}


@dataclass
class CallAnalysis:
    intent_level: str
    summary: str
    items: list[dict[str, str]] = field(default_factory=list)


def analyse(
    *,
    language: str,
    outcome: HangupReason,
    questions: list[str],
    collected: list[CollectResult],
    hangup_side: str,
    refused: bool = False,
    callback: bool = False,
    knowledge_questions: int = 0,
) -> CallAnalysis:
    zh = language != "en"
    if outcome != HangupReason.ANSWERED:
        words = OUTCOME_WORDS["zh" if zh else "en"].get(outcome, str(outcome))
        summary = f"未接通（{words}）。" if zh else f"Not connected ({words})."
        return _done("E", summary, zh)
    hits = [c for c in collected if c.hit]
    if refused or (not hits and questions and hangup_side == "callee"):
        level = "D"
    elif callback or not _complete(questions, hits):
        level = "C"
    else:
        level = "A" if _positive(hits, knowledge_questions) else "B"
    return _done(level, _summary(zh, level, questions, hits, refused, callback), zh)


def reaches_intent_a(
    questions: list[str], collected: list[CollectResult], *, knowledge_questions: int = 0
) -> bool:
    """Whether a call still going on is at intent A already: by the rules above, once
    it is answered, not refused and not put off (the engine checks those itself), every
    question answered and a positive signal. The engine asks it after each answer to
    transfer an interested callee (`taskTransfer.when: ["intentA"]`)."""
    hits = [c for c in collected if c.hit]
    return _complete(questions, hits) and _positive(hits, knowledge_questions)


def _complete(questions: list[str], hits: list[CollectResult]) -> bool:
    answered = {c.question for c in hits}
    return all(q in answered for q in questions)


def _positive(hits: list[CollectResult], knowledge_questions: int) -> bool:
    return knowledge_questions > 0 or any(_POSITIVE.match(c.result.strip()) for c in hits)


def analyse_call(config: dict[str, Any], result: CallResult) -> CallAnalysis:
    """A finished call's intent level, summary and analysis items, from its assistant's
    config (language, `collect` questions) and how the call went."""
    return analyse(
        language=language_of(config),
        outcome=HangupReason(result.outcome),
        questions=[q["question"] for q in config.get("collect") or []],
        collected=result.collected,
        hangup_side=result.hangup_side,
        refused=result.refused or result.block,
        callback=result.callback,
        knowledge_questions=result.knowledge_questions,
    )


def _summary(
    zh: bool,
    level: str,
    questions: list[str],
    hits: list[CollectResult],
    refused: bool,
    callback: bool,
) -> str:
    answers = (
        "；".join(f"{c.question}→{c.result}" for c in hits)
        if zh
        else "; ".join(f"{c.question} -> {c.result}" for c in hits)
    )
    n, total = len({c.question for c in hits}), len(questions)
    if level == "D":
        if refused:
            return (
                "客户明确拒绝，要求不再来电。"
                if zh
                else "The callee declined and asked not to be called again."
            )
        return (
            "客户接听后很快挂断，未回答问题。"
            if zh
            else "The callee hung up before answering any question."
        )
    if zh:
        head = f"客户接听，回答了{n}/{total}个问题" if total else "客户接听并完成了对话"
        tail = "，要求稍后回电" if callback else ""
        return f"{head}{tail}。" + (f"{answers}。" if answers else "")
    head = f"The callee answered {n} of {total} questions" if total else "The callee talked"
    tail = " and asked to be called back later" if callback else ""
    return f"{head}{tail}." + (f" {answers}." if answers else "")


def _done(level: str, summary: str, zh: bool) -> CallAnalysis:
    items = [
        {"title": "意向等级" if zh else "intent level", "result": level},
        {"title": "通话摘要" if zh else "summary", "result": summary},
    ]
    return CallAnalysis(level, summary, items)
