"""Choices among preset answers as people say them: corrections inside one reply, how
often, payment periods, levels on an axis, the lowest or highest of a list, other
words for an answer, answers turned down, and replies that must stay unread.

Each case drives the script engine the way a debug call does (`start()`, then `hear()`)
and checks what it collected; the matcher's cases also check which stage read it.
The replies are written for these tests, in domains of their own.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.support.understanding import hear_once, last_answer
from voxdial.conversation.engine import ActionKind, CallContext
from voxdial.conversation.matching import AnswerMatcher
from voxdial.conversation.script import ScriptEngine

TUESDAY = date(2026, 3, 10)


@pytest.fixture(scope="module")
def engine() -> ScriptEngine:
    return ScriptEngine(encoder=False)


def _collected(engine: ScriptEngine, question: str, answers: list[str], reply: str):
    """What one reply collects on a fresh call ("" when nothing), and the turn."""
    ctx = CallContext(
        assistant={"welcome": "Hi", "collect": [{"question": question, "answers": answers}]}
    )
    conv, actions = hear_once(engine, ctx, reply)
    return (last_answer(conv) or ""), actions


CHANNELS_ZH = ["微信", "短信", "电话"]
CHANNELS_EN = ["Email", "Text", "Phone call"]
DELAYS_ZH = ["总是准时", "偶尔延误", "经常延误"]
CRASHES_EN = ["Never", "Sometimes", "Often"]
LATE_EN = ["Always on time", "Sometimes late", "Often late"]
BILLING_ZH = ["每月", "每季度", "每年"]
BILLING_EN = ["Weekly", "Monthly", "Yearly"]
SPEED_ZH = ("您觉得维修师傅上门的速度怎么样？", ["很快", "一般", "很慢"])
PRICE_EN = ("What do you think of our prices?", ["Expensive", "Fair", "Cheap"])
TIERS_EN = ["Bronze", "Silver", "Gold"]
TIERS_ZH = ["基础版", "标准版", "高级版"]
PAYING_ZH = ["自动扣款", "网上支付", "去营业厅"]


@pytest.mark.parametrize(
    ("question", "answers", "reply", "want"),
    [
        # a correction: what follows the last cue stands
        ("您希望我们怎么通知您？", CHANNELS_ZH, "短信 不对不对 我是说微信", "微信"),
        ("您希望我们怎么通知您？", CHANNELS_ZH, "电话吧 哦不 电话老是漏接 还是发短信吧", "短信"),
        ("How should we reach you?", CHANNELS_EN, "text me, no wait, just email", "Email"),
        ("How should we reach you?", CHANNELS_EN, "email. sorry, I meant a text", "Text"),
        # a clause that settles on a choice after setting one aside
        ("How should we reach you?", CHANNELS_EN,
         "phone is hard for me at work, let's go with email", "Email"),
        ("How should we reach you?", CHANNELS_EN, "a text rather than a phone call", "Text"),
        # how often, onto answers that say how often
        ("快递一般会按时送到吗？", DELAYS_ZH, "从来没延误过", "总是准时"),
        ("快递一般会按时送到吗？", DELAYS_ZH, "三天两头延误", "经常延误"),
        ("快递一般会按时送到吗？", DELAYS_ZH, "十次有七次延误", "经常延误"),
        ("快递一般会按时送到吗？", DELAYS_ZH, "有时候准时 有时候延误", "偶尔延误"),
        ("How often does the app crash?", CRASHES_EN, "every now and then", "Sometimes"),
        ("How often does the app crash?", CRASHES_EN, "like every single time", "Often"),
        ("Is the bus on time?", LATE_EN, "late more often than not", "Often late"),
        ("Is the bus on time?", LATE_EN, "it's never late", "Always on time"),
        # payment periods
        ("您想怎么交费？", BILLING_ZH, "一年交一次就行", "每年"),
        ("您想怎么交费？", BILLING_ZH, "三个月一交吧", "每季度"),
        ("您想怎么交费？", BILLING_ZH, "不要每月 一次性付清", "每年"),
        ("How would you like to be billed?", BILLING_EN, "twelve times a year", "Monthly"),
        ("How would you like to be billed?", BILLING_EN, "not weekly, once a month", "Monthly"),
        ("How would you like to be billed?", BILLING_EN, "all at once, upfront", "Yearly"),
        # levels on an axis, in the words of what the question measures
        (*SPEED_ZH, "当天就来了 挺快的", "很快"),
        (*SPEED_ZH, "等了好久才来", "很慢"),
        (*SPEED_ZH, "不算慢 还挺利索", "很快"),
        (*SPEED_ZH, "马马虎虎吧", "一般"),
        (*PRICE_EN, "a bit steep to be honest", "Expensive"),
        (*PRICE_EN, "pretty reasonable", "Fair"),
        (*PRICE_EN, "quite affordable actually", "Cheap"),
        # the lowest or the highest, when the answers say their order
        ("Which plan would you like?", TIERS_EN, "whichever is cheapest", "Bronze"),
        ("Which plan would you like?", TIERS_EN, "the top tier please", "Gold"),
        ("您想办哪个套餐？", TIERS_ZH, "最便宜的那个", "基础版"),
        ("您想办哪个套餐？", TIERS_ZH, "要最贵的", "高级版"),
        # other words for an answer, in families that recur across domains
        ("您平时怎么交费？", PAYING_ZH, "绑了银行卡 每月自己扣", "自动扣款"),
        ("您平时怎么交费？", PAYING_ZH, "一般在网上交", "网上支付"),
        ("How do you send parcels?", ["Pick up from home", "Parcel locker", "Drop-off point"],
         "I have the courier come and collect it", "Pick up from home"),
        ("How do you send parcels?", ["Pick up from home", "Parcel locker", "Drop-off point"],
         "I usually drop it off at the corner shop", "Drop-off point"),
        ("您的症状怎么样了？", ["好转", "没变化", "加重"], "比之前强多了", "好转"),
        ("您的症状怎么样了？", ["好转", "没变化", "加重"], "还是老样子", "没变化"),
        ("您的症状怎么样了？", ["好转", "没变化", "加重"], "比原来严重了", "加重"),
        # an answer turned down, one of the rest named in other words
        ("您想怎么交费？", ["按月付", "按季付", "按年付"], "不要按月付 一次交一年的", "按年付"),
        # a negative answer denied
        ("您需要上门安装吗？", ["需要", "不需要"], "也不是说不需要 还是要的", "需要"),
        ("Would you like a reminder?", ["Yes", "No"], "i wouldn't say no to that", "Yes"),
        # a score between two answers names the only one on its side
        ("您觉得这次的服务怎么样？", ["非常好", "还行", "很差"], "挺好的 很耐心", "非常好"),
        # a cheaper and a dearer kind of one thing
        ("Which filter would you like?", ["Store brand", "Original"], "whichever is cheaper",
         "Store brand"),
        ("您想换哪种配件？", ["原厂件", "副厂件"], "要贵点的那个", "原厂件"),
        # the question's own words for an answer
        ("您想把红包用在哪：抵话费、换视频会员，还是存着？", ["抵话费", "换会员", "存着"],
         "换视频那个吧", "换会员"),
        # an answer that is itself undecided
        ("Which day suits you: Monday, Friday, or not decided yet?",
         ["Monday", "Friday", "not decided"], "no idea to be honest", "not decided"),
        # how a thing is handed over, cards by their network
        ("您的旧家电怎么处理？", ["上门回收", "寄回", "送到门店"], "自己拿过去 不远", "送到门店"),
        ("您的旧家电怎么处理？", ["上门回收", "寄回", "送到门店"], "叫师傅来家里拉走", "上门回收"),
        ("How will you pay at pickup?", ["credit card", "debit card", "cash"], "mastercard",
         "credit card"),
        ("How do you book?", ["by phone", "online", "in person"], "I usually phone up",
         "by phone"),
    ],
)  # fmt: skip
def test_a_choice_said_in_other_words_is_collected(engine, question, answers, reply, want):
    got, _ = _collected(engine, question, answers, reply)
    assert got == want


@pytest.mark.parametrize(
    ("question", "answers", "reply"),
    [
        # a correction with nothing after it takes the choice back
        ("您希望我们怎么通知您？", CHANNELS_ZH, "短信 不对"),
        ("How should we reach you?", CHANNELS_EN, "email, no wait, hmm"),
        # two answers with no correction cue
        ("How should we reach you?", CHANNELS_EN, "email or a text"),
        ("您希望我们怎么通知您？", CHANNELS_ZH, "短信微信都可以"),
        # a share between two answers
        ("快递一般会按时送到吗？", DELAYS_ZH, "很少延误"),
        ("How often does the app crash?", CRASHES_EN, "hardly ever"),
        # a period not offered, or two periods
        ("How would you like to be billed?", BILLING_EN, "twice a year"),
        ("您想怎么交费？", BILLING_ZH, "每月或者每季度都行"),
        # 'the cheaper one' compares two; of three it names none
        ("Which plan would you like?", TIERS_EN, "the cheaper one"),
        # the only answer named is turned down
        ("How do you send parcels?", ["Pick up from home", "Parcel locker", "Drop-off point"],
         "not the parcel locker"),
        # a level denied says only what it is not
        (*SPEED_ZH, "不算慢"),
        # asking whether, not saying
        ("这台空调修过几次？", ["没修过", "修过一次", "修过两次以上"], "忘了修没修过"),
        # more than one of several choices
        ("Which classes interest you?", ["yoga", "pilates", "spinning"], "yoga and pilates, both"),
        ("您想参加哪个活动？", ["亲子游", "读书会", "健步走"], "亲子游读书会两个都要"),
        # 'on my phone' is the device, not the answer 'by phone'
        ("How do you book?", ["by phone", "online", "in person"], "on my phone mostly"),
    ],
)  # fmt: skip
def test_an_unclear_choice_is_asked_again(engine, question, answers, reply):
    got, actions = _collected(engine, question, answers, reply)
    assert got == ""
    said = " ".join(a.text for a in actions if a.kind == ActionKind.SAY)
    assert question in said  # asked again, not closed or turned into a callback


@pytest.mark.parametrize(
    ("answers", "question", "reply", "want", "how"),
    [
        (CHANNELS_EN, "", "text me, no wait, just email", "Email", "said"),
        (DELAYS_ZH, "", "三天两头延误", "经常延误", "how-often"),
        (BILLING_EN, "", "once every month", "Monthly", "period"),
        (TIERS_ZH, "", "最便宜的那个", "基础版", "ordinal"),
        (SPEED_ZH[1], SPEED_ZH[0], "等了好久才来", "很慢", "level"),
        (["Better", "Same", "Worse"], "", "no real change", "Same", "paraphrase"),
    ],
)
def test_the_stage_that_reads_a_choice(answers, question, reply, want, how):
    m = AnswerMatcher(answers, question=question).match(reply, today=TUESDAY)
    assert m is not None and (m.answer, m.how) == (want, how)


def test_a_correction_to_the_previous_question_is_read_as_its_answer(engine):
    ctx = CallContext(
        assistant={
            "welcome": "您好",
            "collect": [
                {"question": "您想约哪个时间段？", "answers": ["上午9点", "下午2点", "下午5点"]},
                {"question": "您是第一次来吗？", "answers": ["是", "不是"]},
            ],
        }
    )
    conv = engine.begin(ctx)
    conv.start()
    conv.hear("五点的")
    conv.hear("哦不 五点来不了 改两点")
    assert [c.result for c in conv.collected if c.hit][:1] == ["下午2点"]
