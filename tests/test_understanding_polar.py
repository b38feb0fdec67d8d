"""Yes / no / not sure as people say it: the question's verb or result said back, slang
and dialect, double negation, uncertainty (and someone to consult), a part of an "all",
closings and questions back that are not answers, fillers that are not numbers.
Replies written for these tests, in domains of their own."""

from __future__ import annotations

import pytest

from tests.support.understanding import hear_once
from voxdial.conversation import intents
from voxdial.conversation.engine import ActionKind, CallContext
from voxdial.conversation.matching import AnswerMatcher
from voxdial.conversation.normalize import clean, numbers
from voxdial.conversation.polarity import closing_only, question_verbs
from voxdial.conversation.script import ScriptEngine


def _read(question: str, answers: list[str], reply: str) -> str | None:
    m = AnswerMatcher(answers, question=question).match(reply)
    return None if m is None else m.answer


REPAIRED = ("您的电脑修好了吗？", ["是", "否"])


@pytest.mark.parametrize(
    ("reply", "want"),
    [
        ("早好了", "是"),
        ("好了 昨天就拿回来了", "是"),
        ("还没好呢", "否"),
        ("修了两回 还没好", "否"),  # said twice: the last saying counts
        ("羞好了", "是"),  # the verb heard as another character of its sound
        ("好不好用我还不知道", None),  # 好 inside another phrase: not the result
    ],
)
def test_the_questions_result_said_back(reply, want):
    assert _read(*REPAIRED, reply) == want


def test_the_result_of_a_question_counts_only_when_the_question_asks_about_it():
    assert {"修好", "修", "好"} <= set(question_verbs("您的电脑修好了吗？"))
    assert "到" not in question_verbs("需要我们把快递放到门口吗？")
    assert "放" in question_verbs("需要我们把快递放到门口吗？")


@pytest.mark.parametrize(
    ("question", "answers", "reply", "want"),
    [
        ("您打算给孩子报游泳班吗？", ["打算", "不打算", "还没想好"], "报 下个月就报", "打算"),
        ("您愿意签约自动续费吗？", ["愿意", "不愿意"], "那就签吧", "愿意"),
        ("您愿意签约自动续费吗？", ["愿意", "不愿意"], "不签 我自己交", "不愿意"),
        # the verb of a clause of time is not what is asked
        ("您搬家以后还打算订我们的牛奶吗？", ["打算", "不打算"], "还没搬呢", None),
    ],
)
def test_the_questions_own_verb_said_back(question, answers, reply, want):
    assert _read(question, answers, reply) == want


INVOICE = ("需要我们给您寄一份纸质发票吗？", ["需要", "不需要"])
RECEIPT = ("Would you like us to email you the receipt?", ["Yes", "No"])


@pytest.mark.parametrize(
    ("question", "reply", "want"),
    [
        (INVOICE, "中 寄吧", "需要"),
        (INVOICE, "木有必要", "不需要"),
        (INVOICE, "嗯呐", "需要"),
        (INVOICE, "那必须的", "需要"),
        (RECEIPT, "you bet", "Yes"),
        (RECEIPT, "that'd be lovely", "Yes"),
        (RECEIPT, "i'm gonna pass on that", "No"),
        (RECEIPT, "nope", "No"),
        (INVOICE, "犯不着 电子的就行", "不需要"),
        (RECEIPT, "no need, I keep it on the app", "No"),
        (RECEIPT, "sounds like a plan", "Yes"),
        # a short clause heard as another word of the same sound
        (INVOICE, "事的", "需要"),
        (INVOICE, "美有", "不需要"),
    ],
)
def test_slang_and_dialect_yes_and_no(question, reply, want):
    assert _read(*question, reply) == want


MEMBERSHIP = ("您愿意参加下个月的会员日活动吗？", ["愿意", "不愿意", "还没想好"])
STORE = ("您去过我们新开的门店吗？", ["去过", "没去过"])
NEWSLETTER = ("Would you like to get our monthly newsletter?", ["Yes", "No", "Not sure"])


@pytest.mark.parametrize(
    ("question", "reply", "want"),
    [
        (MEMBERSHIP, "倒也不是不愿意", "愿意"),
        (MEMBERSHIP, "也不是不愿意 就是那天可能要加班", "还没想好"),  # hedged
        (STORE, "不能说没去过 路过进去看了一眼", "去过"),
        (STORE, "不是没去过", "去过"),
        (STORE, "没有 都不知道开了新店", "没去过"),  # two clauses, two single negations
        (NEWSLETTER, "I wouldn't say no to that", "Yes"),
        (NEWSLETTER, "can't see why not", "Yes"),
    ],
)
def test_double_negation_is_a_yes(question, reply, want):
    assert _read(*question, reply) == want


PLAN = ("您要升级到家庭套餐吗？", ["升级", "不升级", "不确定"])
PLAN_NO_UNSURE = ("您要升级到家庭套餐吗？", ["要", "不要"])
DELIVERY = ("Would you like weekly delivery instead of monthly?", ["Yes", "No", "Not sure"])
DELIVERY_NO_UNSURE = ("Would you like weekly delivery instead of monthly?", ["Yes", "No"])


@pytest.mark.parametrize(
    ("question", "reply", "want"),
    [
        (PLAN, "还没琢磨好", "不确定"),
        (PLAN, "得跟家里人商量一下", "不确定"),
        (PLAN, "我得先问问我老公", "不确定"),
        (PLAN, "我老婆管这个", None),  # someone else decides: no answer, not "unsure"
        (PLAN_NO_UNSURE, "还没琢磨好", None),  # unsure, never a yes
        (PLAN_NO_UNSURE, "得跟家里人商量一下", None),
        (DELIVERY, "I'd need to talk it over with my husband", "Not sure"),
        (DELIVERY, "haven't made up my mind yet", "Not sure"),
        (DELIVERY, "possibly", "Not sure"),
        (DELIVERY, "still up in the air", "Not sure"),
        (PLAN, "还在犹豫", "不确定"),
        (PLAN, "也不是不想 主要是最近手头紧", "不确定"),  # ambivalence
        (DELIVERY_NO_UNSURE, "possibly", None),
        (DELIVERY_NO_UNSURE, "haven't made up my mind yet", None),
    ],
)
def test_uncertainty_goes_to_the_uncertain_answer_only(question, reply, want):
    assert _read(*question, reply) == want


LESSONS = ("您这周约的三节课都上了吗？", ["上了", "没上"])
TABLETS = ("Did you take all of the tablets?", ["Yes", "No"])


@pytest.mark.parametrize(
    ("question", "reply", "want"),
    [
        (LESSONS, "就上了一节", "没上"),
        (LESSONS, "只去了一半", "没上"),
        (TABLETS, "only half of them", "No"),
        (TABLETS, "there are two pills left", "No"),
        (TABLETS, "every single one", "Yes"),
    ],
)
def test_part_of_an_all_is_a_no(question, reply, want):
    assert _read(*question, reply) == want


PERMIT = ("Have you renewed your parking permit?", ["Yes", "No"])


@pytest.mark.parametrize(
    ("reply", "want"),
    [
        ("haven't renewed it yet", "No"),
        ("renewed it online last week", "Yes"),
        ("what does renewing it cost", None),  # a question back
        ("is there a late fee", None),
    ],
)
def test_english_questions_verb_said_back(reply, want):
    assert _read(*PERMIT, reply) == want


@pytest.mark.parametrize(
    ("question", "reply"),
    [
        (("是不是要带身份证过去？", ["是", "否"]), "是要带户口本吗"),
        (("您的车保养完了吗？", ["是", "否"]), "保养是多少钱来着"),
        (PERMIT, "ok thanks bye"),
        (INVOICE, "行了行了 知道了 拜拜"),
    ],
)
def test_questions_back_and_closings_are_not_answers(question, reply):
    assert _read(*question, reply) is None


@pytest.mark.parametrize(
    ("text", "closing"),
    [
        ("好嘞 那我挂了啊", True),
        ("行了行了 我知道了 再见", True),
        ("ok thanks bye", True),
        ("不需要 挂了", False),  # a refusal
        ("需要 再见", False),  # an answer and a goodbye
    ],
)
def test_closings_with_acknowledgements_only(text, closing):
    assert closing_only(clean(text)) is closing


def test_a_closing_is_a_goodbye_not_a_refusal():
    r = intents.read("好嘞 那我挂了啊")
    assert r.goodbye and not r.not_interested
    assert intents.read("不需要 挂了").not_interested


def test_looking_for_something_is_a_hold_and_its_one_is_no_number():
    assert clean("等下我查一查") == "等下我查查"
    assert numbers("我找一找") == []
    assert intents.read("稍等 我找一找").hold


def _call(question: str, answers: list[str], reply: str, lang: str = "zh"):
    ctx = CallContext(
        assistant={
            "welcome": "您好，这里是回访。" if lang == "zh" else "Hello, a quick follow-up.",
            "language": lang,
            "collect": [{"question": question, "answers": answers}],
            "hotWords": [],
        },
        name="",
    )
    return hear_once(ScriptEngine(), ctx, reply)


@pytest.mark.parametrize(
    ("question", "answers", "reply", "lang"),
    [
        ("您下个月还续订吗？", ["续订", "不续订"], "行了行了 知道了 拜拜", "zh"),
        ("您下个月还续订吗？", ["续订", "不续订"], "好嘞 那我挂了啊", "zh"),
        ("Will you keep the subscription next month?", ["Yes", "No"], "ok thanks, bye", "en"),
    ],
)
def test_engine_closes_a_closing_as_goodbye_collecting_nothing(question, answers, reply, lang):
    conv, actions = _call(question, answers, reply, lang)
    assert not [c for c in conv.collected if c.hit]
    hangup = [a for a in actions if a.kind == ActionKind.HANGUP]
    assert hangup and hangup[0].result != "refused"


def test_engine_does_not_take_a_search_for_the_answer_as_free_text():
    conv, actions = _call("请报一下您的会员卡号。", [], "稍等 我找一找")
    assert not [c for c in conv.collected if c.hit]
    assert not any(a.kind == ActionKind.HANGUP for a in actions)


def test_engine_collects_a_result_said_back():
    conv, _ = _call("您的电脑修好了吗？", ["是", "否"], "早好了")
    assert [c.result for c in conv.collected if c.hit] == ["是"]


# --- round 7: the answers' own verb, not-yet, implied states, not-my-knowledge ---

ROUND7 = [
    # the answers' shared verb said back with aspect words, and verbs for the same act
    ("快递员有没有通知您取件？", ["通知了", "没通知"], "早通知过了", "通知了"),
    ("快递员有没有通知您取件？", ["通知了", "没通知"], "讲了讲了", "通知了"),
    ("快递员有没有通知您取件？", ["通知了", "没通知"], "压根没讲", "没通知"),
    ("您看过新的合同了吗？", ["看过了", "没看过"], "早看了", "看过了"),
    ("您看过新的合同了吗？", ["看过了", "没看过"], "还没来得及看", "没看过"),
    ("您看过新的合同了吗？", ["看过了", "没看过"], "瞄了一眼", "看过了"),
    ("您的发票收到了吗？", ["收到了", "没收到"], "好像没见着", "没收到"),
    ("您还需要我们派车接您吗？", ["需要", "不需要"], "会议改线上了 用不着了", "不需要"),
    # a state that implies the answer, or an act that undoes it
    ("抽血前您是空腹的吗？", ["空腹了", "没空腹"], "啥都没敢吃", "空腹了"),
    ("抽血前您是空腹的吗？", ["空腹了", "没空腹"], "路上吃了个包子", "没空腹"),
    ("抽血前您是空腹的吗？", ["空腹了", "没空腹"], "空着肚子来的", "空腹了"),
    # a repair that did not hold, and a problem of something else
    ("您家的热水器修好了吗？", ["修好了", "没修好"], "修是修了 但是又不灵了", "没修好"),
    ("您家的热水器修好了吗？", ["修好了", "没修好"], "跟没修一样", "没修好"),
    ("您家的热水器修好了吗？", ["修好了", "没修好"], "修好了 另外门铃也坏了", "修好了"),
    ("您家的热水器修好了吗？", ["修好了", "没修好"], "晚上热水器坏了找谁啊", None),
    # not knowing, someone else knows or did it, not saying: no answer
    ("您家的热水器修好了吗？", ["修好了", "没修好"], "我也不清楚修没修好 我出差了", None),
    ("快递员有没有通知您取件？", ["通知了", "没通知"], "是我女儿去拿的 你问她吧", None),
    ("您今年的会费交了吗？", ["交了", "没交"], "这个不方便说", None),
    ("您的发票收到了吗？", ["收到了", "没收到"], "木有", "没收到"),
    ("最近有没有人上门推销？", ["有", "没有"], "木有", "没有"),
    # a commitment said last settles a hedge
    ("周六的亲子活动您愿意参加吗？", ["愿意", "不愿意", "还没想好"],
     "也不是不想 就是怕孩子闹 算我一个吧", "愿意"),
    # English: a thing gone, all well, either way, someone else did it
    ("Has the rattle in the engine stopped?", ["Yes", "No"], "no more rattle, all good", "Yes"),
    ("Has the rattle in the engine stopped?", ["Yes", "No"], "nope, it's still there", "No"),
    ("Has the swelling gone away?", ["Yes", "No"], "it went away on sunday", "Yes"),
    ("Was the courier polite?", ["Yes", "No"], "yeah no complaints at all", "Yes"),
    ("Did you have any problems with the courier?", ["Yes", "No"], "no problems at all", "No"),
    ("Would you like a receipt by email?", ["Yes", "No"], "i don't mind either way", None),
    ("Did the plumber leave the invoice?", ["Yes", "No"], "my husband dealt with that", None),
    ("Did the plumber leave the invoice?", ["Yes", "No"], "i'd rather not say", None),
]


@pytest.mark.parametrize(("question", "answers", "reply", "want"), ROUND7)
def test_round7_yes_no_readings(question, answers, reply, want):
    assert _read(question, answers, reply) == want


def test_a_purpose_clause_verb_is_not_the_questions():
    """ "推荐朋友来…健身": 来 and 健身 are the friends' acts; saying them is no answer."""
    assert "健身" not in question_verbs("您会推荐朋友来我们这儿健身吗？")
    answers = ["会", "不会", "说不准"]
    assert _read("您会推荐朋友来我们这儿健身吗？", answers, "我同事每周都健身") is None


def test_a_question_back_after_a_filler_is_no_answer():
    """ "嗯 你们开票要多久": the filler is no yes, the clause asks back."""
    assert _read("您的发票收到了吗？", ["收到了", "没收到"], "嗯 你们开票要多久") is None
    assert clean("木有") == "没有"
