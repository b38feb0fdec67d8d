"""Round 12, preset choices: putting off to think it over is not deciding; two of three
choices weighed are no answer; a question about a choice is not its choice; the one
choice left when the other of two is turned down beside a reason; an acronym answer that
spells an everyday word ("IT"); one word heard as two ("on line"); choices said in other
words (done from home or in person, computing by what is learnt, a home's state, the
trades of a fit-out, cookery); a choice named by what the knowledge says of it alone, or
as the cheapest or the dearest the knowledge prices. Replies written for these tests, in
domains of their own."""

from __future__ import annotations

import pytest

from tests.support.understanding import context, hear_once, last_answer
from voxdial.conversation.matching import AnswerMatcher
from voxdial.conversation.script import ScriptEngine


def _read(question: str, answers: list[str], reply: str) -> str | None:
    m = AnswerMatcher(answers, question=question).match(reply)
    return None if m is None else m.answer


WELCOME = {
    "zh": "您好，这里是客服中心，跟您做个简单回访。",
    "en": "Hi, this is the customer team with a quick follow-up.",
}


@pytest.fixture(scope="module")
def engine():
    return ScriptEngine()


def _answer(engine, lang: str, question: str, answers: list[str], reply: str,
            knowledge: str = "") -> str | None:  # fmt: skip
    """A fresh debug call with one collect question and the knowledge, the callee's one
    reply: the answer collected, or None."""
    ctx = context(
        lang=lang, welcome=WELCOME[lang], name="周女士" if lang == "zh" else "Sam", kb=None,
        collect=[{"question": question, "answers": answers}],
    )  # fmt: skip
    ctx.assistant["knowledge"] = knowledge
    conv, _ = hear_once(engine, ctx, reply)
    return last_answer(conv)


RETURN = ("Will you come back to the gym next season?", ["yes", "no", "not sure"])
PLAN = ("您这次选哪个套餐：入门版、进阶版、旗舰版，还是还不确定？",
        ["入门版", "进阶版", "旗舰版", "不确定"])  # fmt: skip
DEPOT = ("Which depot is easier for you, Riverside or Hillcrest?", ["Riverside", "Hillcrest"])
TRACK = ("Which track interests you most: art, IT, music or sport?",
         ["art", "IT", "music", "sport"])  # fmt: skip
SITTING = ("Would you sit the exam online, at the centre, or are you not sure?",
           ["online", "at the centre", "not sure"])  # fmt: skip
CLUB = ("Which club would you join: baking, cooking or gardening?",
        ["baking", "cooking", "gardening"])  # fmt: skip
FLAT = ("您家现在是什么情况：毛坯房、精装房，还是老房翻新？", ["毛坯房", "精装房", "老房翻新"])
TRADE = ("您对哪一项最不满意：水电、泥瓦、木工还是油漆？", ["水电", "泥瓦", "木工", "油漆"])


@pytest.mark.parametrize(
    ("asked", "reply", "want"),
    [
        # putting off to think it over, or to see how things go, is the uncertain answer
        (RETURN, "i'll have to have a think about it", "not sure"),
        (RETURN, "i need to see how things go with work", "not sure"),
        # two of three choices weighed: no answer (all of two still is the uncertain one)
        (PLAN, "入门或者进阶 还在这两个里面挑", None),
        # of two choices, the one turned down beside its reason leaves the other
        (DEPOT, "not riverside, the traffic there is awful", "Hillcrest"),
        # an acronym spelling an everyday word: the word is not the answer, the acronym is
        (TRACK, "music, i love it", "music"),
        (TRACK, "sport, i need it for my health", "sport"),
        (TRACK, "IT please", "IT"),
        (TRACK, "eye tee i suppose", "IT"),
        (TRACK, "i'd like it", None),
        # one word heard as two
        (SITTING, "on line if i can", "online"),
        # done from home, or in person
        (SITTING, "email me the link and i'll do it from home", "online"),
        (SITTING, "i'd rather come in for it", "at the centre"),
        (SITTING, "not online, my laptop is broken, i'll come in", "at the centre"),
        # computing by what is learnt in it
        (TRACK, "the computer stuff, i want to learn spreadsheets", "IT"),
        (TRACK, "not art anyway, maybe the computers one", "IT"),
        # cookery for cooking, not for baking
        (CLUB, "cookery i think", "cooking"),
        # a home's state, and the trades of a fit-out, in other words
        (FLAT, "刚交房 啥都没弄", "毛坯房"),
        (FLAT, "二手房 想重新装一下", "老房翻新"),
        (TRADE, "卫生间贴砖的那块", "泥瓦"),
        (TRADE, "刷墙那个 有色差", "油漆"),
    ],
)
def test_choices_read_or_left(asked, reply, want):
    assert _read(*asked, reply) == want


def test_an_acronym_said_outright_beside_the_word(engine):
    """"IT, it's for work": the capitals are the answer, the pronoun is not another one."""
    assert _answer(engine, "en", *TRACK, "IT, it's for my job") == "IT"


def test_a_question_about_a_choice_is_not_its_choice(engine):
    """"进阶版包含哪些功能嘛" asks what the choice holds; the choice is not made."""
    assert _answer(engine, "zh", *PLAN, "进阶版包含哪些功能嘛") is None


DEPOT_KB = (
    "The Riverside depot is at 2 Mill Lane, opposite the railway station, and has a large "
    "yard. The Hillcrest depot is on the ring road beside the retail park. Both depots open "
    "at 7am."
)
PLAN_KB = (
    "套餐按年收费。入门版每年299元，只有基础功能。进阶版每年599元，多了数据导出。旗舰版每年999元，"
    "再加专属客服。"
)


@pytest.mark.parametrize(
    ("asked", "kb", "lang", "reply", "want"),
    [
        # a choice named by what the knowledge says of it alone
        (DEPOT, DEPOT_KB, "en", "the one opposite the railway station", "Riverside"),
        (DEPOT, DEPOT_KB, "en", "the one by the retail park", "Hillcrest"),
        (PLAN, PLAN_KB, "zh", "带数据导出的那个", "进阶版"),
        (PLAN, PLAN_KB, "zh", "599那个吧", "进阶版"),
        # ... or the cheapest or dearest the knowledge prices
        (PLAN, PLAN_KB, "zh", "便宜的那个", "入门版"),
        (PLAN, PLAN_KB, "zh", "最贵的吧", "旗舰版"),
        # words the knowledge says of both, or a choice turned down: no answer
        (DEPOT, DEPOT_KB, "en", "the one that opens at 7am", None),
        (DEPOT, DEPOT_KB, "en", "not the one by the retail park", None),
    ],
)
def test_a_choice_named_by_the_knowledge(engine, asked, kb, lang, reply, want):
    assert _answer(engine, lang, *asked, reply, knowledge=kb) == want
