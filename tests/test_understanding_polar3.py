"""Round 9, yes / no: some of a thing or none at all, how often something happened,
not knowing it could be done, "maybe yes maybe no" and other hedges, a negation that is
itself denied, a thing replaced, a line that drops or holds, sounds said while listening
or asking back. Replies written for these tests, in domains of their own."""

from __future__ import annotations

import pytest

from tests.support.understanding import context, hear_once, last_answer
from voxdial.conversation.matching import AnswerMatcher
from voxdial.conversation.matching.cues import asks_back, only_asks_back
from voxdial.conversation.normalize import clean, is_filler
from voxdial.conversation.script import ScriptEngine


def _read(question: str, answers: list[str], reply: str) -> str | None:
    m = AnswerMatcher(answers, question=question).match(reply)
    return None if m is None else m.answer


STAIN = ("洗完车以后，座椅上还有没有污渍？", ["有污渍", "没有污渍"])


@pytest.mark.parametrize(
    ("reply", "want"),
    [
        ("还是有那么点", "有污渍"),  # some of it
        ("后排又有一些了", "有污渍"),
        ("就是有一点点", "有污渍"),
        ("一点痕迹都没", "没有污渍"),  # none at all
        ("啥也没看出来", "没有污渍"),  # none of it at all
        ("没看出来有什么", "没有污渍"),  # none noticed
        ("没发现啥", "没有污渍"),
        ("前排有些 后排没有", "有污渍"),  # some seats have: there are stains
    ],
)
def test_some_of_it_or_none_at_all(reply, want):
    assert _read(*STAIN, reply) == want


def test_a_degree_said_with_you_dian_is_no_some_of_it():
    q = ("这周末您有没有空来店里？", ["有空", "没空"])
    assert _read(*q, "有点忙") != "有空"
    assert _read(*q, "有些忙") != "有空"


def test_a_miss_that_is_none_is_not_none_at_all():
    # "一次都没落下" (never missed one) is not "none of it"
    q = ("这个月健身课您有没有按时上？", ["按时上了", "没按时上"])
    assert _read(*q, "一点都没落下") != "没按时上"


EVER_ZH = ("这周您有没有用过我们的自助借书机？", ["用过", "没用过"])
EVER_EN = ("Has the heating cut out at all since the repair?", ["yes", "no"])


@pytest.mark.parametrize(
    ("question", "reply", "want"),
    [
        (EVER_ZH, "一回都没去过", "没用过"),
        (EVER_ZH, "压根没进过图书馆", "没用过"),
        (EVER_ZH, "两回 都挺顺利", "用过"),
        (EVER_EN, "twice, both at night", "yes"),
        (EVER_EN, "just once, for a minute", "yes"),
        (EVER_EN, "not once", "no"),
        (EVER_EN, "a couple of times", "yes"),
    ],
)
def test_how_often_it_happened_answers_whether_it_ever_did(question, reply, want):
    assert _read(*question, reply) == want


@pytest.mark.parametrize(
    "reply",
    ["我都不知道还能在网上预约", "根本不知道有这个", "i didn't even know you could do that",
     "never knew about that"],
)  # fmt: skip
def test_not_knowing_it_could_be_done_is_a_no(reply):
    q = ("Have you tried booking online?", ["yes", "no"])
    if not reply.isascii():
        q = ("您有没有试过在网上预约？", ["试过", "没试过"])
    assert _read(*q, reply) == q[1][1]


def test_not_knowing_whether_it_can_be_done_is_no_no():
    q = ("您有没有试过在网上预约？", ["试过", "没试过"])
    assert _read(*q, "不知道能不能在网上约") != "没试过"


RENEW_ZH = ("明年您还会续订我们的报纸吗：会、不会，还是还没定？", ["会", "不会", "还没定"])
RENEW_EN = ("Will you renew your parking permit: yes, no, or not sure yet?",
            ["yes", "no", "not sure yet"])  # fmt: skip


@pytest.mark.parametrize(
    ("question", "reply", "want"),
    [
        (RENEW_ZH, "也许订也许不订", "还没定"),
        (RENEW_ZH, "可能续 也可能不续", "还没定"),
        (RENEW_ZH, "现在还定不下来", "还没定"),
        (RENEW_ZH, "家里还木想好", "还没定"),  # 木 for 没
        (RENEW_EN, "maybe yes maybe no", "not sure yet"),
        (RENEW_EN, "dunno", "not sure yet"),
        (RENEW_EN, "no clue to be honest", "not sure yet"),
        (RENEW_EN, "ask me again in march", "not sure yet"),
        (RENEW_EN, "we'll decide once the lease is signed", "not sure yet"),
    ],
)
def test_hedges_are_the_uncertain_answer(question, reply, want):
    assert _read(*question, reply) == want


def test_a_hedged_no_is_not_maybe_yes_maybe_no():
    assert _read(*RENEW_ZH, "可能有点不想续了") != "还没定"


def test_a_hedge_never_gives_yes_or_no_without_an_uncertain_answer():
    q = ("Will you need a parking permit?", ["yes", "no"])
    for reply in ("dunno", "beats me", "maybe yes maybe no"):
        assert _read(*q, reply) is None


@pytest.mark.parametrize(
    ("question", "reply", "want"),
    [
        (("孩子最近胃口好不好？", ["好", "不好"]), "没有不好 吃得挺多", "好"),
        (RENEW_ZH, "不会不订的 肯定还订", "会"),
        (RENEW_ZH, "不会不会 太贵了", "不会"),  # a no said twice is a no
        (EVER_EN, "I wouldn't say it never cut out, it went off once", "yes"),
        (EVER_EN, "can't say we didn't notice it going off", None),
    ],
)
def test_a_denied_negation(question, reply, want):
    assert _read(*question, reply) == want


@pytest.mark.parametrize("reply", ["skip it", "I'll skip that one", "leave it out thanks"])
def test_leaving_it_out_is_no(reply):
    q = ("Would you like gift wrapping: add it, no thanks, or not sure yet?",
         ["Add it", "No thanks", "Not sure yet"])  # fmt: skip
    assert _read(*q, reply) == "No thanks"


STILL = ("Are you still using the water filter we installed?", ["yes", "no"])


@pytest.mark.parametrize(
    ("question", "reply", "want"),
    [
        (STILL, "we replaced it with a brita", "no"),
        (STILL, "switched to a bigger one last month", "no"),
        (STILL, "nah we use our own now", "no"),
        (STILL, "yes, still using it daily", "yes"),
        (("您还在用我们装的净水器吗？", ["还在用", "不用了"]), "换了个别家的", "不用了"),
    ],
)
def test_replaced_by_another_or_ones_own(question, reply, want):
    assert _read(*question, reply) == want


@pytest.mark.parametrize(
    ("question", "reply", "want"),
    [
        (("Has the wifi dropped out since the upgrade?", ["yes", "no"]), "it's been rock solid",
         "no"),
        (("Has the wifi dropped out since the upgrade?", ["yes", "no"]), "it's been stable", "no"),
        (("Has the wifi dropped out since the upgrade?", ["yes", "no"]),
         "it keeps cutting out in the evening", "yes"),
        (("网络最近还掉线吗？", ["还掉线", "不掉了"]), "挺稳定的", "不掉了"),
        (("网络最近还掉线吗？", ["还掉线", "不掉了"]), "不稳定 晚上老断网", "还掉线"),
    ],
)  # fmt: skip
def test_a_connection_that_drops_or_holds(question, reply, want):
    assert _read(*question, reply) == want


def test_a_glance_is_a_look():
    q = ("您有没有看过我们发的电子账单？", ["看过", "没看过"])
    assert _read(*q, "瞄了几眼") == "看过"
    assert _read(*q, "看了几次") == "看过"
    assert _read(*q, "看几次啊") is None  # asked, not said


YESNO_EN = ("Was the parcel left at your door?", ["Yes", "No"])
YESNO_ZH = ("快递放门口了吗？", ["放了", "没放"])


@pytest.mark.parametrize("reply", ["uh huh, mhm", "mhm, mhm", "mhm uh huh"])
def test_sounds_said_while_listening_are_no_yes(reply):
    assert _read(*YESNO_EN, reply) is None


def test_one_sound_of_agreement_is_still_a_yes():
    assert _read(*YESNO_EN, "uh huh") == "Yes"
    assert _read(*YESNO_ZH, "嗯") == "放了"


@pytest.mark.parametrize("reply", ["嗯？", "啊？", "嗯？你说啥", "huh?", "mm?"])
def test_a_sound_said_rising_asks_back(reply):
    q = YESNO_EN if reply.isascii() else YESNO_ZH
    assert _read(*q, reply) is None


@pytest.mark.parametrize(("reply", "lang"), [("嗯？", "zh"), ("huh?", "en")])
def test_the_engine_asks_again_after_a_rising_sound(reply, lang):
    q, answers = YESNO_ZH if lang == "zh" else YESNO_EN
    welcome = "您好，我是快递回访。" if lang == "zh" else "Hi, this is the courier."
    ctx = context(lang=lang, welcome=welcome, name="X", kb=None,
                  collect=[{"question": q, "answers": answers}])  # fmt: skip
    conv, actions = hear_once(ScriptEngine(), ctx, reply)
    assert last_answer(conv) is None
    assert any(q in (a.text or "") for a in actions)


def test_clean_keeps_a_rising_sound_as_a_question_word():
    assert clean("嗯？") == "啥"
    assert clean("huh?") == "what"
    assert clean("嗯") == "嗯"
    assert clean("还木定") == "还没定"
    assert clean("木头的") == "木头的"  # 木 as a word, not 没


@pytest.mark.parametrize("clause", ["嗯", "恩", "喂喂", "um well", "呃那个", "hmm"])
def test_filler_clauses(clause):
    assert is_filler(clause)


@pytest.mark.parametrize("clause", ["感恩", "喂养", "就是我", "yes", "好的"])
def test_words_that_hold_a_filler_sound_are_not_fillers(clause):
    assert not is_filler(clause)


def test_one_reading_of_a_question_back():
    assert asks_back("半夜漏水找谁")
    assert not asks_back("没什么问题")
    assert not asks_back("哪有准时")
    assert asks_back("你们店在哪里")
    assert only_asks_back(["嗯", "你们客服电话多少"])
    assert not only_asks_back(["嗯", "好的"])


@pytest.mark.parametrize(
    "reply", ["it's in a cupboard somewhere", "collecting dust in the garage", "早就放着吃灰了"]
)
def test_put_away_unused_is_no_to_still_using(reply):
    q = ("Do you still use the blender from our shop?", ["yes", "no"])
    if not reply.isascii():
        q = ("您还在用我们店的料理机吗？", ["还在用", "不用了"])
    assert _read(*q, reply) == q[1][1]


def test_decided_against_is_no():
    q = ("Are you going ahead with the kitchen refit: yes, no, or not sure?",
         ["yes", "no", "not sure"])  # fmt: skip
    assert _read(*q, "we decided against it") == "no"


@pytest.mark.parametrize("reply", ["uh huh, go on", "mhm, i'm listening", "uh huh carry on"])
def test_listening_with_go_on_is_no_yes(reply):
    q = ("Would you like a reminder text: yes, no, or not sure?", ["yes", "no", "not sure"])
    assert _read(*q, reply) is None


def test_go_on_to_an_offer_is_still_a_yes():
    assert _read("Shall we book the tune-up for you?", ["yes", "no"], "go on then") == "yes"


SMELL = ("冰箱清洗完以后还有没有异味？", ["有异味", "没有异味"])


@pytest.mark.parametrize(
    ("reply", "want"),
    [
        ("还是有股味", "有异味"),
        ("过两天又有点臭了", "有异味"),
        ("没闻到有什么味", "没有异味"),
        ("一点味儿都没有了", "没有异味"),
        ("师傅很有人情味", None),  # 人情味 is no smell
    ],
)
def test_a_smell_is_a_problem_state(reply, want):
    assert _read(*SMELL, reply) == want


def test_a_smell_in_english():
    q = ("Is there any odour left in the carpet?", ["yes", "no"])
    assert _read(*q, "it's still a bit smelly") == "yes"
    assert _read(*q, "no odour at all") == "no"


REPAIR_EN = ("Has the dripping tap been fixed?", ["yes", "no"])
REPAIR_ZH = ("卫生间渗水的问题解决了吗？", ["解决了", "没解决"])


@pytest.mark.parametrize(
    ("question", "reply", "want"),
    [
        (REPAIR_EN, "still dripping every night", "no"),  # the problem lasts: not fixed
        (REPAIR_EN, "they fixed it on monday", "yes"),
        (REPAIR_EN, "not fixed yet", "no"),
        (REPAIR_ZH, "还在渗水", "没解决"),
        (REPAIR_ZH, "早就弄好了", "解决了"),
    ],
)
def test_a_repair_question_asks_about_the_fine_state_though_it_names_the_problem(
    question, reply, want
):
    assert _read(*question, reply) == want
