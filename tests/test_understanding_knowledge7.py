"""Round 13 knowledge (h/knowledge7): amounts that are no price, numbers asked of a
passage without one, the business named in stemmed words, and a "by the way" before a
question. Sentences of a made-up bakery and library, not of any eval part."""

from __future__ import annotations

import pytest

from voxdial.conversation import answer_types
from voxdial.conversation.knowledge import KnowledgeBase
from voxdial.conversation.knowledge_terms import asked_about
from voxdial.conversation.script import _statements


@pytest.mark.parametrize(
    "question",
    ["how much flour do you use per loaf", "how much time does the course take",
     "how much notice do I need to give"],
)
def test_how_much_of_a_thing_is_no_price(question: str) -> None:
    assert "price" not in answer_types.wanted(question)


@pytest.mark.parametrize(
    "question", ["how much does it cost", "how much is it", "how much money do i need",
                 "how much for a sourdough"],
)
def test_how_much_money_is_a_price(question: str) -> None:
    assert "price" in answer_types.wanted(question)


def test_place_and_centre_are_the_business_itself() -> None:
    assert asked_about("what's the address of the Elm place again?") == ["elm"]
    assert "centr" not in asked_about("can I borrow laptops at your centre")


_TEXT = (
    "The library help desk is on 020 7946 0000, Monday to Friday.\n\n"
    "To renew a loan, use the app or call the help desk at least a day before it is due."
)


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.from_text(_TEXT)


def test_number_asked_is_not_met_by_a_passage_without_one(kb: KnowledgeBase) -> None:
    hit = kb.answer("what number do I call if I need to renew?")
    assert hit is None or "020" in hit.passage


@pytest.mark.parametrize(
    ("reply", "kept"),
    [("对了 你们周日开门吗", ""), ("oh by the way, do you open sundays?", ""),
     ("有哇 还有 师傅能不能再来看一下", "有哇，还有")],
)
def test_a_by_the_way_before_a_question_is_no_answer(reply: str, kept: str) -> None:
    assert _statements(reply) == kept
