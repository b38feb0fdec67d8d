"""Round 10, preset choices: more than one choice wanted (a "both" answer, two answers
joined by "and"), a word in the other number ("the weekly ones" for Weeklies), a choice
given up on ("i'm done with cans"), choices said in other words (keeping things as they
are, a website, eyewear, where an appliance is mounted), a head word said of another
kind ("普通的牙刷" is not 电动牙刷), not being certain, and "有没得" asking whether.
Replies written for these tests, in domains of their own."""

from __future__ import annotations

import pytest

from voxdial.conversation.matching import AnswerMatcher


def _read(question: str, answers: list[str], reply: str) -> str | None:
    m = AnswerMatcher(answers, question=question).match(reply)
    return None if m is None else m.answer


DRINKS = ("Would you like tea, coffee, or both with the breakfast box?", ["Tea", "Coffee", "Both"])
FRUIT = ("这次配送您要苹果、橙子，还是两样都要？", ["苹果", "橙子", "两样都要"])


@pytest.mark.parametrize(
    ("question", "reply", "want"),
    [
        (DRINKS, "both, my husband drinks coffee", "Both"),
        (DRINKS, "a bit of each please", "Both"),
        (DRINKS, "tea and also a flask of coffee", "Both"),
        (DRINKS, "coffee plus a pot of tea", "Both"),
        (FRUIT, "苹果和橙子都来点", "两样都要"),
        (FRUIT, "苹果加上橙子", "两样都要"),
    ],
)
def test_more_than_one_choice_is_the_both_answer(question, reply, want):
    assert _read(*question, reply) == want


REACH = ("How should we reach you?", ["Text message", "Email", "Phone call"])
PAY = ("您想怎么付：微信支付、支付宝还是现金？", ["微信支付", "支付宝", "现金"])


@pytest.mark.parametrize(
    ("question", "reply"),
    [(REACH, "email and also a text"), (REACH, "a call plus an email"),
     (PAY, "现金加上微信"), (PAY, "支付宝跟微信")],
)  # fmt: skip
def test_two_choices_joined_without_a_both_answer_is_no_answer(question, reply):
    assert _read(*question, reply) is None


def test_both_denied_is_not_the_both_answer():
    assert _read(*FRUIT, "不是两样都要 就要苹果") != "两样都要"
    assert _read(*DRINKS, "not both, just tea") != "Both"


BOXES = ("Do you want to stay on weeklies or switch to fortnightlies?",
         ["Stay on weeklies", "Switch to fortnightlies"])  # fmt: skip


@pytest.mark.parametrize(
    ("question", "reply", "want"),
    [
        (BOXES, "the fortnightly ones would suit us better", "Switch to fortnightlies"),
        (BOXES, "weekly is fine", "Stay on weeklies"),
        (("A box, a bag or a hamper?", ["Boxes", "Bags", "Hampers"]),
         "a hamper for my mum", "Hampers"),
    ],
)
def test_a_word_in_the_other_number_names_its_answer(question, reply, want):
    assert _read(*question, reply) == want


@pytest.mark.parametrize(
    ("question", "reply", "want"),
    [
        (("Cans, bottles or kegs?", ["Cans", "Bottles", "Kegs"]),
         "bottles, i'm done with cans", "Bottles"),
        (("Cans, bottles or kegs?", ["Cans", "Bottles", "Kegs"]),
         "kegs, we're sick of bottles", "Kegs"),
    ],
)  # fmt: skip
def test_a_choice_given_up_on_is_turned_down(question, reply, want):
    assert _read(*question, reply) == want


PLAN = ("When your contract ends, do you want to keep your current tariff or move to the "
        "unlimited one?", ["Keep current tariff", "Move to unlimited", "Not sure"])  # fmt: skip
HEARD = ("How did you hear about the book club: a poster, our website, or a friend?",
         ["A poster", "Our website", "A friend"])  # fmt: skip
HEATER = ("您家的取暖器是壁挂式、落地式，还是嵌入吊顶的？", ["壁挂式", "落地式", "吊顶嵌入式"])


@pytest.mark.parametrize(
    ("question", "reply", "want"),
    [
        (PLAN, "no change for me thanks", "Keep current tariff"),
        (PLAN, "leave it as it is", "Keep current tariff"),
        (HEARD, "found it online", "Our website"),
        (HEARD, "googled it one evening", "Our website"),
        ((HEARD[0], ["A poster", "An sms", "A friend"]), "got a text from you", "An sms"),
        (("Are you after new glasses or contact lenses?", ["Glasses", "Contact lenses"]),
         "a new pair of specs", "Glasses"),
        (HEATER, "挂在墙上的那种", "壁挂式"),
        (HEATER, "立着的 放地上", "落地式"),
        (HEATER, "装在天花板里面的", "吊顶嵌入式"),
    ],
)
def test_a_choice_said_in_other_words(question, reply, want):
    assert _read(*question, reply) == want


def test_a_head_word_said_of_another_kind_names_no_answer():
    q = ("您这次买的是电动牙刷还是冲牙器？", ["电动牙刷", "冲牙器"])
    assert _read(*q, "就是普通的牙刷") is None


@pytest.mark.parametrize(
    ("question", "reply", "want"),
    [
        (("这套房子大概是哪年装修的：五年内、五到十年，还是不清楚？",
          ["五年内", "五到十年", "不清楚"]), "这个我不太清楚 我是后搬来的", "不清楚"),
        (("Will you renew the parking permit: yes, no, or not sure yet?",
          ["Yes", "No", "Not sure yet"]), "i'm not certain at this point", "Not sure yet"),
    ],
)  # fmt: skip
def test_not_being_certain_is_the_uncertain_answer(question, reply, want):
    assert _read(*question, reply) == want


def test_not_being_certain_without_an_uncertain_answer_is_no_answer():
    q = ("您家的暖气是地暖还是暖气片？", ["地暖", "暖气片"])
    assert _read(*q, "这个不太清楚") is None


def test_you_mei_de_asks_whether_and_says_no():
    q = ("下个月您还打算来上课吗？", ["打算", "不打算", "还没定"])
    assert _read(*q, "你们下个月有没得优惠嘛") != "不打算"


@pytest.mark.parametrize(
    ("question", "reply", "want"),
    [
        (("Which membership suits you: off-peak, standard, or the premium one with sauna "
          "access?", ["Off-peak", "Standard", "Premium"]), "the one with the sauna", "Premium"),
        (("Which filter would you like: carbon, ceramic, or uv filters for bacteria?",
          ["Carbon", "Ceramic", "UV"]), "the ones for bacteria please", "UV"),
    ],
)  # fmt: skip
def test_a_choice_named_by_what_the_question_says_it_is_for(question, reply, want):
    assert _read(*question, reply) == want
