"""Round 8, yes / no: states named by the answers themselves (on time / late), having
something said by counting it, going on or stopping, English short answers with the
question's auxiliary, hedges that put the answer off, "does this count" asked back.
Replies written for these tests, in domains of their own."""

from __future__ import annotations

import pytest

from voxdial.conversation.engine import CallContext
from voxdial.conversation.matching import AnswerMatcher
from voxdial.conversation.script import ScriptEngine


def _read(question: str, answers: list[str], reply: str) -> str | None:
    m = AnswerMatcher(answers, question=question).match(reply)
    return None if m is None else m.answer


ON_TIME = ("送餐员是按约定的时间送到的吗？", ["准时送到", "晚到了"])


@pytest.mark.parametrize(
    ("reply", "want"),
    [
        ("晚了 差不多晚了半个钟头", "晚到了"),  # 差不多 negates nothing
        ("没准时 说是电梯坏了", "晚到了"),  # 没准时 is late, not 没准 (maybe)
        ("哪有准时 汤都凉了", "晚到了"),  # a rhetorical denial
        ("到点就按门铃了", "准时送到"),
        ("还提前了十分钟到的", "准时送到"),
        ("准点到的", "准时送到"),
    ],
)
def test_answers_that_name_the_fine_state_and_the_problem(reply, want):
    assert _read(*ON_TIME, reply) == want


def test_state_answers_in_english_name_the_state_too():
    q = ("Did the plumber arrive at the time you booked?", ["On time", "Late"])
    assert _read(*q, "he was late, nearly an hour") == "Late"
    assert _read(*q, "right on time") == "On time"


HAS = ("您家里有电动车吗？", ["有电动车", "没有电动车"])


@pytest.mark.parametrize(
    ("reply", "want"),
    [
        ("有辆旧的 平时买菜骑", "有电动车"),
        ("两辆 我和我爱人一人一辆", "有电动车"),
        ("前年有过 现在没了", "没有电动车"),
        ("有辆自行车算不算 电动的没有", None),  # asked back and a no: neither
    ],
)
def test_having_something_said_by_counting_it(reply, want):
    assert _read(*HAS, reply) == want


GOES_ON = ("下学期您还打算继续给孩子报钢琴课吗？", ["继续报", "不报了", "还没定"])


@pytest.mark.parametrize(
    ("reply", "want"),
    [
        ("续 接着学", "继续报"),
        ("这学期上完就停了", "不报了"),
        ("报 哦不是 先暂停一学期", "不报了"),  # the correction's act of stopping
        ("不是不想报 是最近太忙 以后再说吧", "还没定"),  # put off: undecided
        ("想报是想报 但还得琢磨琢磨", "还没定"),
    ],
)
def test_going_on_stopping_and_putting_it_off(reply, want):
    assert _read(*GOES_ON, reply) == want


def test_hand_in_questions_with_手续_are_not_read_as_going_on():
    q = ("您的退货手续办好了吗？", ["办好了", "没办好"])
    assert _read(*q, "退了 钱也到了") != "没办好"


@pytest.mark.parametrize(
    ("question", "reply", "want"),
    [
        ("Did the driver help you carry the boxes in?", "he did, all of them", "Yes"),
        ("Did the driver help you carry the boxes in?", "didn't lift a finger", "No"),
        ("Did the driver help you carry the boxes in?", "yeah he didn't", None),
        ("After the visit, was the kitchen left tidy?", "it wasn't, crumbs everywhere", "No"),
        ("After the visit, was the kitchen left tidy?", "it was", "Yes"),
        ("Will you need a ride from the station?", "my son picks me up so i won't need it", "No"),
        ("Will you need a ride from the station?", "we will", "Yes"),
    ],
)
def test_english_short_answers_take_the_questions_auxiliary(question, reply, want):
    assert _read(question, ["Yes", "No"], reply) == want


def test_the_short_answer_needs_the_questions_own_auxiliary():
    # "it was" answers a was-question, not a did-question
    assert _read("Did the driver call ahead?", ["Yes", "No"], "it was") is None


def test_does_this_count_is_asked_back_in_english():
    q = ("Do you have any pets at home?", ["Yes", "No"])
    assert _read(*q, "does a goldfish count") is None


def test_never_again_is_a_no():
    q = ("以后您还会来我们店吗：会、不会，还是说不好？", ["会", "不会", "说不好"])
    assert _read(*q, "再也不来了") == "不会"


def _collected(question: str, answers: list[str], reply: str, lang: str) -> str | None:
    ctx = CallContext(
        assistant={
            "welcome": "您好，这里是回访。" if lang == "zh" else "Hello, a quick follow-up.",
            "language": lang,
            "collect": [{"question": question, "answers": answers}],
            "hotWords": [],
        },
        name="",
    )
    conv = ScriptEngine(encoder=False).begin(ctx)
    conv.start()
    conv.hear(reply)
    hits = [c for c in conv.collected if c.hit]
    return hits[-1].result if hits else None


@pytest.mark.parametrize(
    ("question", "answers", "reply", "lang", "want"),
    [
        (*ON_TIME, "晚到了快二十分钟吧", "zh", "晚到了"),
        (*HAS, "养了只狗 没有电动车", "zh", "没有电动车"),
        ("Did the driver call ahead?", ["Yes", "No"], "he didn't, just turned up", "en", "No"),
        (*HAS, "有辆三轮算不算", "zh", None),
    ],
)
def test_the_engine_collects_what_the_reply_says(question, answers, reply, lang, want):
    assert _collected(question, answers, reply, lang) == want


BORROWED = ("您这个月去健身房上过团课吗？", ["上过", "没上过"])


@pytest.mark.parametrize(
    ("reply", "want"),
    [
        ("可不是嘛", "上过"),  # 不是 inside an agreement
        ("能不上吗 办了年卡的", "上过"),
        ("谁说没上", "上过"),
        ("哪有的事", "没上过"),
        ("怎么可能", "没上过"),
    ],
)
def test_rhetorical_answers(reply, want):
    assert _read(*BORROWED, reply) == want


@pytest.mark.parametrize(
    ("reply", "want"),
    [
        ("why would i", "No"),
        ("are you kidding, hell yes", "Yes"),
        ("probably", "Yes"),
        ("most likely", "Yes"),
        ("probably not", "No"),
    ],
)
def test_rhetorical_and_hedged_answers_in_english(reply, want):
    q = ("Will you bring the dog to the next class?", ["Yes", "No"])
    assert _read(*q, reply) == want


OFFERED = ("需要我们帮您把旧家具一起搬走吗？", ["需要", "不需要"])


@pytest.mark.parametrize(
    ("reply", "want"),
    [
        ("那麻烦你了", "需要"),
        ("那敢情好", "需要"),
        ("那就不麻烦了 我自己来", "不需要"),
    ],
)
def test_an_offer_taken_up_or_turned_down(reply, want):
    assert _read(*OFFERED, reply) == want


def test_thanks_for_the_trouble_is_no_yes_to_a_question_that_offers_nothing():
    q = ("您上周的快递收到了吗？", ["收到了", "没收到"])
    assert _read(*q, "麻烦你了") is None


def test_an_offer_in_english():
    q = ("Would you like us to send a reminder the day before?", ["Yes", "No"])
    assert _read(*q, "no need to bother, i'll remember") == "No"
    assert _read(*q, "if you could, that'd help") == "Yes"


@pytest.mark.parametrize(
    ("question", "answers", "reply", "want"),
    [
        ("Was the gym changing room clean?", ["Yes", "No"], "spotless, honestly", "Yes"),
        ("Was the gym changing room clean?", ["Yes", "No"], "kind of grimy", "No"),
        ("Was the gym changing room clean?", ["Yes", "No"], "it wasn't dirty", "Yes"),
        # the act of cleaning is not the state
        ("Was the gym changing room clean?", ["Yes", "No"], "not really, i had to clean up", "No"),
        ("酒店房间入住的时候干净吗？", ["干净", "不干净"], "一尘不染", "干净"),
        ("酒店房间入住的时候干净吗？", ["干净", "不干净"], "乱七八糟的", "不干净"),
        ("酒店房间入住的时候干净吗？", ["干净", "不干净"], "不算脏", "干净"),
    ],
)
def test_clean_or_messy_said_as_a_state(question, answers, reply, want):
    assert _read(question, answers, reply) == want
