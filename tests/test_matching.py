"""Reply normalisation, numbers, spoken times and the answer matcher's stages."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from voxdial.conversation import times
from voxdial.conversation.matching import AnswerMatcher, polarity, scale_score
from voxdial.conversation.normalize import apply_hot_words, clean, hot_words, numbers

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 10, 10, 30, tzinfo=SH)  # Tuesday


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("打五分", [5]),
        ("五颗星", [5]),
        ("four out of five", [4, 5]),
        ("一般般", []),
        ("我家有三口人", [3]),
        ("二十三岁", [23]),
        ("twenty-one", [21]),
        ("等一下", []),
    ],
)
def test_numbers(text, want):
    assert numbers(text) == want


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("嗯，那个，满意吧！", "满意"),
        ("Um, yeah, sure.", "yeah sure"),
        ("I don't think so", "i don't think"),
        ("ＯＫ的", "ok的"),
    ],
)
def test_clean(text, want):
    assert clean(text) == want


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("明天下午三点", NOW.replace(day=11, hour=15, minute=0)),
        ("半小时后", NOW + timedelta(minutes=30)),
        ("一个半小时后", NOW + timedelta(minutes=90)),
        ("两个小时以后再打", NOW + timedelta(hours=2)),
        ("晚上八点", NOW.replace(hour=20, minute=0)),
        ("周五上午十点半", NOW.replace(day=13, hour=10, minute=30)),
        ("下周一", NOW.replace(day=16, hour=10, minute=0)),
        ("tomorrow morning", NOW.replace(day=11, hour=9, minute=0)),
        ("tomorrow afternoon", NOW.replace(day=11, hour=15, minute=0)),
        ("in two hours", NOW + timedelta(hours=2)),
        ("in half an hour", NOW + timedelta(minutes=30)),
        ("call me at 4pm", NOW.replace(hour=16, minute=0)),
        ("三点", NOW.replace(hour=15, minute=0)),
        ("九点", NOW.replace(day=11, hour=9, minute=0)),  # already past today
        ("现在不方便", None),
        ("call me later", None),
    ],
)
def test_resolve_times(text, want):
    assert times.resolve(text, NOW) == want


@pytest.mark.parametrize(
    ("text", "want"),
    [("对的", True), ("嗯嗯", True), ("没问题", True), ("yeah", True), ("sure", True),
     ("不是", False), ("没有", False), ("nope", False), ("not really", False), ("你好", None)],
)  # fmt: skip
def test_polarity(text, want):
    assert polarity(clean(text)) is want


@pytest.mark.parametrize(
    ("text", "want"),
    [("非常满意", 5), ("挺好的", 4), ("还行", 3), ("不太满意", 2), ("太差了", 1), ("so so", 3)],
)
def test_scale_score(text, want):
    assert scale_score(text) == want


SAT = ["非常满意", "满意", "一般", "不满意", "非常不满意"]
STARS = ["1", "2", "3", "4", "5"]
PAY = ["微信支付", "支付宝", "银行卡"]
WHEN = ["上午", "下午", "晚上"]
SIZE = ["1人", "2人", "3-4人", "5人及以上"]


@pytest.mark.parametrize(
    ("answers", "reply", "want", "how"),
    [
        (SAT, "很满意", "非常满意", "scale"),
        (SAT, "还行吧", "一般", "scale"),
        (SAT, "不是很满意", "不满意", "scale"),
        (STARS, "打五分", "5", "number"),
        (STARS, "非常满意", "5", "scale"),
        (STARS, "four out of five", "4", "number"),
        (PAY, "第二个", "支付宝", "ordinal"),
        (PAY, "the last one", "银行卡", "ordinal"),
        (PAY, "支付包", "支付宝", "fuzzy"),
        (WHEN, "三点左右", "下午", "time"),
        (WHEN, "早上九点", "上午", "time"),
        (SIZE, "四口人", "3-4人", "number"),
        (SIZE, "七个", "5人及以上", "number"),
        (["愿意", "不愿意"], "我不太愿意", "不愿意", "said-negated"),
        (["愿意", "不愿意"], "嗯嗯没问题", "愿意", "yes"),
        (["Yes", "No"], "nah", "No", "no"),
    ],
)
def test_matcher_stages(answers, reply, want, how):
    m = AnswerMatcher(answers).match(reply)
    assert m is not None and (m.answer, m.how) == (want, how)


def test_no_match_without_an_answer():
    assert AnswerMatcher(PAY).match("今天天气不错") is None


class _FakeEncoder:
    """Embeds by known synonyms: enough to drive the embedding stage."""

    SYN = {"cash": 0, "现金": 0, "card": 1, "刷卡": 1, "phone pay": 2}

    def encode(self, texts):
        import numpy as np

        out = np.zeros((len(texts), 3), dtype=np.float32)
        for i, t in enumerate(texts):
            for word, axis in self.SYN.items():
                if word in t.lower():
                    out[i, axis] = 1.0
            norm = np.linalg.norm(out[i]) or 1.0
            out[i] /= norm
        return out


def test_embedding_stage_uses_threshold_and_margin():
    m = AnswerMatcher(["cash", "card", "phone pay"], encoder=_FakeEncoder())
    assert m.match("刷卡吧").how == "embedding"
    assert m.match("刷卡吧").answer == "card"
    assert m.match("不知道") is None


def test_hot_words():
    words = hot_words(
        [
            {"word": "极光", "weight": 5, "replacedWords": ["机关"], "enableFuzzyMatch": 0},
            {"word": "星辰宽带", "weight": 5, "replacedWords": [], "enableFuzzyMatch": 1},
        ]
    )
    assert apply_hot_words("机关套餐", words) == "极光套餐"
    assert apply_hot_words("我要星尘宽带", words) == "我要星辰宽带"
    assert apply_hot_words("我要宽带", words) == "我要宽带"
