"""The task's suggestion: one sentence per figure outside its documented bounds, each
naming its figure and what to change, in the assistant's language; "normal" only when
every figure is within bounds."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from voxdial.insights import writer
from voxdial.insights.figures import TaskFigures

SAT_Q = {"question": "您对我们的服务满意吗？", "answers": ["满意", "一般", "不满意"]}
SCORE_Q = {"question": "Please rate us from 1 to 5", "answers": ["1", "2", "3", "4", "5"]}


def healthy(**changes) -> TaskFigures:
    """100 calls, 60 answered: every figure within bounds."""
    f = TaskFigures(
        total=100, final=100, called=100, answered=60, collected=50, attempts=100,
        outcomes=Counter({"answered": 60, "no_answer": 20, "busy": 5, "vacant": 5,
                          "voicemail": 10}),
        answers={SAT_Q["question"]: {"满意": 40, "一般": 12, "不满意": 8}},
        questions=[SAT_Q],
        hour_attempts=Counter({9: 30, 10: 40, 14: 30}),
        hour_answered=Counter({9: 18, 10: 24, 14: 18}),
        hangup_after=Counter({"opening": 5, SAT_Q["question"]: 3}),
        blocked_requests=2, welcome_chars=24, retry_count=2, retry_interval=30,
        windows=[["09:00", "12:00"], ["14:00", "18:00"]],
        first_attempts=80, first_answered=48, retry_attempts=20, retry_answered=12,
    )  # fmt: skip
    for key, value in changes.items():
        setattr(f, key, value)
    return f


def sentences(text: str, zh: bool) -> list[str]:
    parts = re.split(r"(?<=。)" if zh else r"(?<=[.;])\s+(?=[A-Z0-9\"])", text)
    return [p for p in parts if p.strip()]


def advice(f: TaskFigures, lang: str = "zh") -> str:
    return writer.write(f, language=lang)[1]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_normal_only_when_every_figure_is_within_bounds(lang):
    text = advice(healthy(), lang)
    assert ("各项指标正常" in text) if lang == "zh" else ("within bounds" in text)
    assert "60%" in text  # the connect rate it rests on
    # one figure just past its bound, and it is no longer "normal"
    text = advice(healthy(outcomes=Counter({"answered": 60, "no_answer": 20, "vacant": 12,
                                            "voicemail": 8})), lang)  # fmt: skip
    assert "各项指标正常" not in text and "within bounds" not in text
    assert "12%" in text


def test_the_best_hour_and_whether_the_windows_cover_it():
    f = healthy(
        hour_attempts=Counter({9: 30, 10: 30, 19: 40}),
        hour_answered=Counter({9: 12, 10: 12, 19: 36}),
    )
    text = advice(f)
    assert "19点接通率90%" in text and "不在当前呼叫时段内" in text and "19点" in text
    f.windows = [["09:00", "12:00"], ["18:00", "21:00"]]
    assert "已在呼叫时段内" in advice(f)
    assert "19:00 answers at 90%" in advice(f, "en") and "inside the windows" in advice(f, "en")


def test_retries_answer_rate_against_the_retry_interval():
    text = advice(healthy(retry_attempts=40, retry_answered=4, retry_interval=15))
    assert "重拨接通率10%" in text and "60%" in text and "15分钟" in text and "60分钟" in text
    en = advice(healthy(retry_attempts=40, retry_answered=4, retry_interval=45), "en")
    assert "Retries answer at 10%" in en and "45 minutes" in en and "90+ minutes" in en
    # retries that answer as well as first attempts need no change
    assert "重拨" not in advice(healthy(retry_attempts=40, retry_answered=20))


def test_the_question_where_most_callees_hang_up():
    f = healthy(hangup_after=Counter({"opening": 2, SAT_Q["question"]: 9, "other": 20}))
    text = advice(f)
    assert f"问到「{SAT_Q['question']}」时（9次，占接通的15%）" in text


def test_not_again_voicemail_and_invalid_numbers():
    f = healthy(
        blocked_requests=6,
        outcomes=Counter({"answered": 60, "voicemail": 20, "vacant": 8, "suspended": 7}),
    )
    text = advice(f)
    assert "10%的接通客户（6人）要求不再来电" in text
    assert "转入语音信箱占20%（20次）" in text
    assert "空号/停机占15%（15次）" in text
    en = advice(f, "en")
    assert "10% of answered callees (6) asked not to be called again" in en
    assert "20% of calls (20) went to voicemail" in en
    assert "15% of calls (15) reached vacant or suspended numbers" in en


def test_the_dissatisfied_share_of_a_satisfaction_question():
    f = healthy(answers={SAT_Q["question"]: {"满意": 30, "一般": 10, "不满意": 20}})
    assert f"「{SAT_Q['question']}」有33%（20/60）回答不满意" in advice(f)
    f = healthy(questions=[SCORE_Q], answers={SCORE_Q["question"]: {"5": 10, "2": 6, "1": 4}})
    assert '50% (10 of 20) were dissatisfied at "Please rate us from 1 to 5"' in advice(f, "en")
    # a question that is not about satisfaction has no dissatisfied share
    other = {"question": "您家有几口人？", "answers": ["1人", "2人", "3人以上"]}
    f = healthy(questions=[other], answers={other["question"]: {"1人": 30, "2人": 30}})
    assert "不满意" not in advice(f)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_sentence_names_its_figure_in_the_assistants_language(lang):
    f = healthy(
        hour_attempts=Counter({9: 30, 10: 30, 19: 40}),
        hour_answered=Counter({9: 12, 10: 12, 19: 36}),
        retry_attempts=40, retry_answered=4, retry_count=1,
        outcomes=Counter({"answered": 40, "no_answer": 30, "voicemail": 20, "vacant": 10}),
        hangup_after=Counter({"opening": 12, SAT_Q["question"]: 8}),
        blocked_requests=5, collected=10, answered=40,
        answers={SAT_Q["question"]: {"满意": 5, "不满意": 15}},
        unanswered_questions=Counter({"几点营业？": 4}),
    )  # fmt: skip
    text = advice(f, lang)
    found = sentences(text, lang == "zh")
    assert len(found) >= 9, text
    for s in found:
        assert re.search(r"\d", s), f"no figure in {s!r}"
    if lang == "zh":
        assert all(re.search("[\u4e00-\u9fff]", s) for s in found)
    else:
        assert not re.search("[\u4e00-\u9fff]", text.replace(SAT_Q["question"], "").replace(
            "几点营业？", ""))  # fmt: skip


def test_too_few_calls_says_how_many():
    f = healthy(attempts=7)
    assert "7通" in advice(f) and "Only 7 calls" in advice(f, "en")
