"""Debug calls (`POST /openapi/assistants/{id}/debug`) of the ways people really answer:
the opening's question, uncertainty, negation, closings and fillers, several answers at
once, corrections, asking again, questions back -- in Mandarin and English."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.api import create_assistant
from tests.support.understanding import knowledge_text

RENEW_ZH = {"question": "您下个月还会继续使用我们的服务吗？", "answers": ["会", "不会", "不确定"]}
SAT_ZH = {"question": "您对我们上次的上门服务满意吗？", "answers": ["满意", "一般", "不满意"]}
SLOT_ZH = {
    "question": "您希望师傅什么时间上门：上午、下午还是晚上？",
    "answers": ["上午", "下午", "晚上"],
}
RENEW_EN = {"question": "Will you be renewing next month?", "answers": ["Yes", "No", "Not sure"]}
SAT_EN = {
    "question": "How satisfied were you?",
    "answers": ["Satisfied", "Neutral", "Dissatisfied"],
}
SLOT_EN = {
    "question": "When should we come: morning, afternoon or evening?",
    "answers": ["Morning", "Afternoon", "Evening"],
}
CONSENT_ZH = "您好{姓名}，我是城联宽带的客服小林，想耽误您一分钟做个回访，可以吗？"
CONSENT_EN = "Hi {姓名}, this is Ava from Brightside Dental. Do you have a minute for a survey?"
PLAIN_ZH = "您好{姓名}，我是城联宽带的客服小林。"
PLAIN_EN = "Hi {姓名}, this is Ava from Brightside Dental."


class Call:
    """A debug call, turn by turn."""

    def __init__(self, env, *, lang: str, welcome: str, collect: list[dict], kb: str = ""):
        self.client = env.client
        a = create_assistant(
            env.client,
            welcome=welcome,
            collect=collect,
            language=lang,
            knowledge=knowledge_text(kb) if kb else "无" if lang == "zh" else "None.",
        )
        self.path = f"/openapi/assistants/{a['id']}/debug"
        first = self._post({"name": "王女士" if lang == "zh" else "Mr. Lee"})
        self.sid = first["sessionId"]
        self.opening = first

    def _post(self, body: dict) -> dict[str, Any]:
        r = self.client.post(self.path, json=body)
        assert r.status_code == 200, r.text
        return r.json()

    def say(self, text: str) -> dict[str, Any]:
        return self._post({"sessionId": self.sid, "text": text})

    def record(self) -> dict[str, Any]:
        calls = self.client.get("/openapi/calllog", params={"description": "privateTest"})
        return next(c for c in calls.json()["items"] if c["sessionId"] == self.sid)

    def trace(self) -> list[dict]:
        return self.client.get(f"/openapi/calltrace/{self.sid}").json()


def kinds(turn: dict) -> list[str]:
    return [a["kind"] for a in turn["actions"]]


def collected(turn: dict) -> dict[str, tuple[bool, str]]:
    return {c["question"]: (c["hit"], c["result"]) for c in turn["collected"]}


# ----- the opening's question -----


@pytest.mark.parametrize(
    ("lang", "welcome", "reply", "question"),
    [("zh", CONSENT_ZH, "可以，你说吧", SAT_ZH), ("en", CONSENT_EN, "sure, go ahead", SAT_EN)],
)
def test_the_opening_waits_for_yes_then_asks(sqlite_env, lang, welcome, reply, question):
    call = Call(sqlite_env, lang=lang, welcome=welcome, collect=[question])
    assert question["question"] not in call.opening["reply"]
    assert call.opening["finished"] is False
    turn = call.say(reply)
    assert turn["reply"] == question["question"] and turn["collected"] == []


@pytest.mark.parametrize(
    ("lang", "welcome", "question"), [("zh", PLAIN_ZH, SAT_ZH), ("en", PLAIN_EN, SAT_EN)]
)
def test_an_opening_without_a_question_goes_straight_on(sqlite_env, lang, welcome, question):
    call = Call(sqlite_env, lang=lang, welcome=welcome, collect=[question])
    assert call.opening["reply"].endswith(question["question"])


@pytest.mark.parametrize(
    ("lang", "welcome", "busy", "no"),
    [
        ("zh", CONSENT_ZH, "我在开车，不方便，明天下午再打吧", "不需要，谢谢"),
        ("en", CONSENT_EN, "not now, I'm driving. Call me tomorrow at 3", "no, not interested"),
    ],
)
def test_busy_gets_a_callback_and_no_closes(sqlite_env, lang, welcome, busy, no):
    call = Call(sqlite_env, lang=lang, welcome=welcome, collect=[SAT_ZH])
    turn = call.say(busy)
    assert kinds(turn) == ["callback", "say", "hangup"] and turn["finished"]
    assert turn["actions"][0]["at"] is not None and "T15:00" in turn["actions"][0]["at"]
    call = Call(sqlite_env, lang=lang, welcome=welcome, collect=[SAT_ZH])
    turn = call.say(no)
    assert kinds(turn) == ["say", "hangup"] and turn["actions"][-1]["result"] == "refused"
    assert call.record()["intentLevel"] == "D"


@pytest.mark.parametrize(
    ("lang", "welcome", "ask", "fact", "question"),
    [
        ("zh", CONSENT_ZH, "你是哪里？", "城联宽带", SAT_ZH),
        ("zh", CONSENT_ZH, "什么事啊", "回访", SAT_ZH),
        ("en", CONSENT_EN, "who is this?", "Brightside Dental", SAT_EN),
        ("en", CONSENT_EN, "what's it about?", "survey", SAT_EN),
    ],
)
def test_a_question_back_at_the_opening_is_answered_then_asked_again(
    sqlite_env, lang, welcome, ask, fact, question
):
    call = Call(sqlite_env, lang=lang, welcome=welcome, collect=[question])
    turn = call.say(ask)
    assert fact in turn["reply"] and turn["reply"].rstrip().endswith(("?", "？"))
    assert question["question"] not in turn["reply"] and not turn["finished"]
    turn = call.say("好的" if lang == "zh" else "okay")
    assert turn["reply"] == question["question"]


# ----- replies as people give them -----


@pytest.mark.parametrize(
    ("lang", "question", "reply", "want"),
    [
        ("zh", RENEW_ZH, "还没想好", "不确定"),
        ("zh", RENEW_ZH, "看情况吧", "不确定"),
        ("zh", RENEW_ZH, "到时候再说", "不确定"),
        ("zh", RENEW_ZH, "不打算续了", "不会"),
        ("zh", RENEW_ZH, "不想再用了", "不会"),
        ("zh", RENEW_ZH, "没怎么用，应该不用了", "不会"),
        ("en", RENEW_EN, "haven't decided", "Not sure"),
        ("en", RENEW_EN, "depends", "Not sure"),
        ("en", RENEW_EN, "I don't think so", "No"),
        ("en", RENEW_EN, "nope, cancelling", "No"),
    ],
)
def test_uncertainty_and_negation(sqlite_env, lang, question, reply, want):
    welcome = PLAIN_ZH if lang == "zh" else PLAIN_EN
    call = Call(sqlite_env, lang=lang, welcome=welcome, collect=[question])
    turn = call.say(reply)
    assert "callback" not in kinds(turn)
    assert collected(turn) == {question["question"]: (True, want)}


@pytest.mark.parametrize(
    ("lang", "question", "bye", "filler"),
    [
        ("zh", RENEW_ZH, "好的再见", "嗯……那个……"),
        ("en", RENEW_EN, "ok bye", "um, well..."),
        ("en", RENEW_EN, "okay, thank you, bye", "um, well..."),  # "okay" is no yes here
    ],
)
def test_closings_and_fillers_are_not_answers(sqlite_env, lang, question, bye, filler):
    welcome = PLAIN_ZH if lang == "zh" else PLAIN_EN
    call = Call(sqlite_env, lang=lang, welcome=welcome, collect=[question, SAT_ZH])
    turn = call.say(filler)
    assert turn["collected"] == [] and question["question"] in turn["reply"]
    assert all(a in turn["reply"] for a in question["answers"])  # asked again, with the choices
    turn = call.say(bye)
    assert turn["finished"] and turn["collected"] == []
    assert "callback" not in kinds(turn) and turn["actions"][-1]["result"] != "refused"
    assert not call.record()["collect"]


@pytest.mark.parametrize(
    ("lang", "question", "reply"),
    [
        ("zh", RENEW_ZH, "别问了，我不想回答"),
        ("en", RENEW_EN, "no, I'm not doing this"),  # the "no" refuses the call, not renewing
    ],
)
def test_a_refusal_of_the_questions_is_no_answer(sqlite_env, lang, question, reply):
    welcome = PLAIN_ZH if lang == "zh" else PLAIN_EN
    call = Call(sqlite_env, lang=lang, welcome=welcome, collect=[question])
    turn = call.say(reply)
    assert turn["finished"] and turn["collected"] == []
    assert turn["actions"][-1]["result"] == "refused" and "block" not in kinds(turn)
    assert not call.record()["collect"]


# ----- several answers at once, corrections -----


@pytest.mark.parametrize(
    ("lang", "collect", "reply", "want"),
    [
        ("zh", [SLOT_ZH, SAT_ZH], "下午吧，上次师傅挺好的，很满意", ["下午", "满意"]),
        ("en", [SLOT_EN, SAT_EN], "The afternoon would be better. I'm quite satisfied, thanks.",
         ["Afternoon", "Satisfied"]),
    ],
)  # fmt: skip
def test_answers_volunteered_early_are_kept_and_not_asked(sqlite_env, lang, collect, reply, want):
    welcome = PLAIN_ZH if lang == "zh" else PLAIN_EN
    call = Call(sqlite_env, lang=lang, welcome=welcome, collect=collect)
    turn = call.say(reply)
    assert [a["result"] for a in turn["actions"] if a["kind"] == "collect"] == want
    assert collect[1]["question"] not in turn["reply"] and turn["finished"]
    assert [c["result"] for c in call.record()["collect"]] == want


@pytest.mark.parametrize(
    ("lang", "collect", "first", "fix", "last", "want"),
    [
        ("zh", [SLOT_ZH, SAT_ZH], "下午", "不对，我是说上午", "满意", ["上午", "满意"]),
        ("en", [SLOT_EN, SAT_EN], "the afternoon", "no wait, the morning", "satisfied",
         ["Morning", "Satisfied"]),
    ],
)  # fmt: skip
def test_a_correction_replaces_the_earlier_answer(
    sqlite_env, lang, collect, first, fix, last, want
):
    welcome = PLAIN_ZH if lang == "zh" else PLAIN_EN
    call = Call(sqlite_env, lang=lang, welcome=welcome, collect=collect)
    call.say(first)
    turn = call.say(fix)
    assert [a["result"] for a in turn["actions"] if a["kind"] == "collect"] == [want[0]]
    assert collected(turn)[collect[0]["question"]] == (True, want[0])
    assert turn["reply"].endswith(collect[1]["question"])  # then back to the open question
    turn = call.say(last)
    assert turn["finished"]
    record = call.record()
    assert [(c["question"], c["result"]) for c in record["collect"]] == [
        (q["question"], w) for q, w in zip(collect, want, strict=True)
    ]
    notes = [t["content"] for t in call.trace() if t["event"] == "system.note"]
    assert any(n.startswith("corrected:") and want[0] in n for n in notes)


# ----- unsure means ask -----


@pytest.mark.parametrize(
    ("lang", "question", "replies"),
    [
        ("zh", {"question": "您愿意参加下周的活动吗？", "answers": ["愿意", "不愿意"]},
         ["我想想", "这个真说不好", "不好说"]),
        ("en", {"question": "Would you like our newsletter?", "answers": ["Yes", "No"]},
         ["hmm", "I'm not sure", "hard to say"]),
    ],
)  # fmt: skip
def test_unsure_is_asked_twice_then_left_without_a_guess(sqlite_env, lang, question, replies):
    welcome = PLAIN_ZH if lang == "zh" else PLAIN_EN
    call = Call(sqlite_env, lang=lang, welcome=welcome, collect=[question, SAT_ZH])
    asked = []
    for reply in replies[:2]:
        turn = call.say(reply)
        assert turn["collected"] == [] and question["question"] in turn["reply"]
        assert all(a in turn["reply"] for a in question["answers"])
        asked.append(turn["reply"])
    assert asked[0] != asked[1]  # rephrased
    turn = call.say(replies[2])
    assert turn["collected"] == [
        {
            "question": question["question"],
            "hit": False,
            "result": "",
            "message": " / ".join(replies),
        }
    ]
    assert SAT_ZH["question"] in turn["reply"]  # moved on


# ----- questions back mid-call -----


@pytest.mark.parametrize(
    ("lang", "kb", "question", "ask", "fact"),
    [
        ("zh", "broadband_zh", RENEW_ZH, "最便宜的套餐多少钱一个月", "59元"),
        ("zh", "broadband_zh", SAT_ZH, "你们营业厅几点关门", "晚上八点"),
        ("en", "clinic_en", SAT_EN, "where are you located?", "42 Harbor Street"),
        ("en", "clinic_en", SAT_EN, "how much is a cleaning?", "$95"),
    ],
)
def test_a_question_mid_call_is_answered_with_the_fact(sqlite_env, lang, kb, question, ask, fact):
    welcome = PLAIN_ZH if lang == "zh" else PLAIN_EN
    call = Call(sqlite_env, lang=lang, welcome=welcome, collect=[question], kb=kb)
    turn = call.say(ask)
    assert fact in turn["reply"] and not turn["finished"] and turn["collected"] == []
    assert turn["reply"].endswith(question["question"])  # back to the question
    assert "hangup" not in kinds(turn)
    notes = [t["content"] for t in call.trace() if t["event"] == "system.note"]
    assert any(n.startswith("knowledge hit") for n in notes)


def _engine_call(lang: str, collect: list[dict], turns: list[str]):
    """The script engine straight, no API: the collected results after the turns."""
    from tests.support.understanding import context
    from voxdial.conversation.script import ScriptEngine

    welcome = "您好，我是物业的小张。" if lang == "zh" else "Hi, this is Sam from the clinic."
    conv = ScriptEngine().begin(context(lang=lang, welcome=welcome, name="", kb=None,
                                        collect=collect))  # fmt: skip
    conv.start()
    for turn in turns:
        conv.hear(turn)
    return {r.question: (r.hit, r.result) for r in conv.collected}


def test_a_question_back_is_not_a_free_text_answer():
    got = _engine_call("zh", [{"question": "麻烦报一下您的会员卡号。", "answers": []}],
                       ["对了 你们物业办公室在几楼"])  # fmt: skip
    assert not any(hit for hit, _ in got.values()), got


def test_a_count_without_the_later_questions_unit_is_not_volunteered():
    collect = [
        {"question": "Did you take all of the tablets?", "answers": ["Yes", "No"]},
        {"question": "How many people live with you?", "answers": ["1", "2", "3 or more"]},
    ]
    got = _engine_call("en", collect, ["not quite, a few are left"])
    assert got.get("Did you take all of the tablets?") == (True, "No")
    assert "How many people live with you?" not in got, got


def test_a_correction_with_a_reason_naming_the_old_answer():
    collect = [
        {"question": "Which suits you: morning, afternoon or evening?",
         "answers": ["Morning", "Afternoon", "Evening"]},
        {"question": "Anything else we should know?", "answers": []},
    ]  # fmt: skip
    got = _engine_call("en", collect, ["morning", "actually, make that afternoon, I work mornings"])
    assert got["Which suits you: morning, afternoon or evening?"] == (True, "Afternoon")
    assert not got.get("Anything else we should know?", (False, ""))[0], got
