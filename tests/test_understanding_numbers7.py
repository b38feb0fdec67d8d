"""Round 13, numbers: spoken hundreds, weights in another unit, occasions by their place,
full marks less a little, corrections."""

from __future__ import annotations

import pytest

from voxdial.conversation.matching import AnswerMatcher

WEIGHT_Q = "And roughly what do you weigh: under 110 pounds, 110 to 150, 151 to 200, or over 200?"
WEIGHTS = ["under 110", "110-150", "151-200", "over 200"]
TIMES_Q = "Roughly how many times have you given blood before: never, one or two times, three to ten times, or more than ten?"  # noqa: E501
TIMES = ["never", "1-2", "3-10", "more than 10"]
ZH_TIMES_Q = "您之前献过几次血：没有、1到2次、3到10次、10次以上？"
ZH_TIMES = ["没有", "1到2次", "3到10次", "10次以上"]
SCALE5_Q = "这次菜品的新鲜程度您打几分？1到5分，5分是非常新鲜。"
SCALE5 = [f"{i}分" for i in range(1, 6)]
SCALE10_Q = "您有多大可能推荐给朋友？1到10分，10分是一定会推荐。"
SCALE10 = [f"{i}分" for i in range(1, 11)]
JIN_Q = "您的体重大概多少：100斤以下、100到140斤、140斤以上？"
JIN = ["100斤以下", "100到140斤", "140斤以上"]


def _answer(question: str, answers: list[str], reply: str) -> str | None:
    found = AnswerMatcher(answers, question=question).match(reply)
    return None if found is None else found.answer


@pytest.mark.parametrize(
    ("question", "answers", "reply", "want"),
    [
        (WEIGHT_Q, WEIGHTS, "one eighty", "151-200"),
        (WEIGHT_Q, WEIGHTS, "about one thirty", "110-150"),
        (WEIGHT_Q, WEIGHTS, "one twenty five", "110-150"),
        (WEIGHT_Q, WEIGHTS, "one fifty give or take", None),
        (WEIGHT_Q, WEIGHTS, "ten stone", "110-150"),
        (WEIGHT_Q, WEIGHTS, "around seventy kilos", "151-200"),
        (WEIGHT_Q, WEIGHTS, "does it matter? I'm well over the minimum", None),
        (JIN_Q, JIN, "六十公斤", "100到140斤"),
        (TIMES_Q, TIMES, "this will be my fourth", "3-10"),
        (TIMES_Q, TIMES, "my fourth", None),
        (TIMES_Q, TIMES, "this is my first", "never"),
        (ZH_TIMES_Q, ZH_TIMES, "这是第一次", "没有"),
        (ZH_TIMES_Q, ZH_TIMES, "第一次", None),
        (TIMES_Q, TIMES, "I've got my ten donation pin and a few more since", "more than 10"),
        (TIMES_Q, TIMES, "three times, sorry no, two", "1-2"),
        (SCALE5_Q, SCALE5, "就比满分差一点点", "4分"),
        (SCALE5_Q, SCALE5, "比满分差一分", "4分"),
        (SCALE5_Q, SCALE5, "差一点满分", "4分"),
        (SCALE5_Q, SCALE5, "十分新鲜 给满的", "5分"),
        (SCALE10_Q, SCALE10, "打个8分 嗯 不 7分吧", "7分"),
    ],
)
def test_numbers7(question: str, answers: list[str], reply: str, want: str | None) -> None:
    assert _answer(question, answers, reply) == want


def test_day_corrected_after_hang_on() -> None:
    days = ["Tuesday", "Thursday", "Saturday"]
    q = "Which day suits you best for the appointment: Tuesday, Thursday or Saturday?"
    assert _answer(q, days, "saturday, oh no hang on, tuesday") == "Tuesday"
