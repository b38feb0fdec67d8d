"""The reply scorer (`matching.scorer`): its features, its fit, its threshold, and where
the script engine consults it (only when no rule settled the reply)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np

from voxdial.conversation import intents
from voxdial.conversation.engine import ActionKind, CallContext
from voxdial.conversation.matching import AnswerMatcher, Match
from voxdial.conversation.matching.scorer import (
    ANSWER_FEATURES,
    NONE_FEATURES,
    ReplyScorer,
    candidates,
    fit,
    probabilities,
)
from voxdial.conversation.script import ScriptEngine

QUESTION = "您下个月还会继续使用我们的服务吗？"
ANSWERS = ["会", "不会", "不确定"]


def _read(reply: str, answers=ANSWERS, question=QUESTION):
    a = AnswerMatcher(answers, question=question)
    return a, candidates(a, reply, intents.read(reply))


def test_candidates_have_a_row_per_answer_and_read_the_reply():
    a, c = _read("不会再用了")
    assert c.answers.shape == (3, len(ANSWER_FEATURES))
    assert c.none.shape == (len(NONE_FEATURES),)
    col = {f: i for i, f in enumerate(ANSWER_FEATURES)}
    assert c.answers[1, col["inside"]] == 1.0  # "不会" said as it is
    assert c.answers[1, col["negative"]] == 1.0
    assert c.answers[2, col["uncertain"]] == 1.0
    assert c.answers[1, col["negation_negative"]] == 1.0
    assert c.answers[0, col["negation_negative"]] == 0.0


def test_an_asking_reply_sets_the_none_features():
    _, c = _read("你们是哪里的？")
    col = {f: i for i, f in enumerate(NONE_FEATURES)}
    assert c.none[col["bias"]] == 1.0
    assert c.none[col["question_mark"]] == 1.0


def _toy():
    """Replies that name one answer by its characters, and replies that ask back."""
    rows = [("会的", 0), ("不会", 1), ("不确定", 2), ("会用", 0), ("不会再用", 1)]
    rows += [("你们是谁？", None), ("什么事？", None), ("哪里打来的？", None)]
    return [(_read(reply)[1], label) for reply, label in rows]


def test_fit_learns_the_labels_it_is_given():
    samples = _toy()
    w, v = fit(samples, l2=0.1)
    for c, label in samples:
        p = probabilities(c, w, v)
        assert int(np.argmax(p)) == (0 if label is None else label + 1)


def test_pick_names_an_answer_only_above_its_threshold():
    w, v = fit(_toy(), l2=0.1)
    a, c = _read("不会再用")
    p = probabilities(c, w, v)
    sure = ReplyScorer(w, v, threshold=float(p.max()) - 1e-6)
    assert sure.pick(a, "不会再用", intents.read("不会再用")).answer == "不会"
    strict = ReplyScorer(w, v, threshold=float(p.max()) + 1e-6)
    assert strict.pick(a, "不会再用", intents.read("不会再用")) is None
    assert sure.pick(a, "你们是谁？", intents.read("你们是谁？")) is None  # none wins


def test_weights_round_trip_through_their_file(tmp_path):
    w, v = fit(_toy(), l2=0.1)
    path = tmp_path / "scorer.json"
    ReplyScorer(w, v, 0.8).save(path, fitted_on=["toy"])
    back = ReplyScorer.load(path)
    assert back is not None and back.threshold == 0.8
    assert np.allclose(back.w, w) and np.allclose(back.v, v)
    assert ReplyScorer.load(tmp_path / "absent.json") is None


class _Always:
    """A scorer that names the second answer of whatever it is asked about."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def pick(self, a, text, r):
        self.asked.append(text)
        return Match(1, a.answers[1], "scored", 0.9)


def _call(engine: ScriptEngine, reply: str):
    zone = "Asia/Shanghai"
    ctx = CallContext(
        assistant={
            "welcome": "您好，我是城联宽带的客服。",
            "language": "zh",
            "collect": [{"question": QUESTION, "answers": ANSWERS}],
            "knowledge": "",
            "hotWords": [],
        },
        name="王女士",
        now=datetime(2026, 3, 10, 10, 30, tzinfo=ZoneInfo(zone)),
        time_zone=zone,
    )
    conv = engine.begin(ctx)
    conv.start()
    actions = conv.hear(reply)
    return conv, actions


def test_the_engine_asks_the_scorer_only_when_no_rule_settled_the_reply():
    scorer = _Always()
    engine = ScriptEngine(encoder=False, scorer=scorer)
    conv, _ = _call(engine, "会的，一直在用")  # the rules settle it
    assert [c.result for c in conv.collected if c.hit] == ["会"]
    assert scorer.asked == []
    conv, actions = _call(engine, "嗯 那个 墨墨迹迹的")  # nothing the rules read
    assert len(scorer.asked) == 1 and "墨墨迹迹的" in scorer.asked[0]
    assert [c.result for c in conv.collected if c.hit] == ["不会"]
    assert any(a.kind == ActionKind.HANGUP for a in actions)  # the only question answered


def test_without_a_scorer_the_engine_asks_again():
    conv, actions = _call(ScriptEngine(encoder=False, scorer=False), "嗯 那个 墨墨迹迹的")
    assert not [c for c in conv.collected if c.hit]
    said = " ".join(a.text for a in actions if a.kind == ActionKind.SAY)
    assert QUESTION in said
