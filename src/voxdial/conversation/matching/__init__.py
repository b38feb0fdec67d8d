"""Matching a callee's reply to a question's preset answers.

Stages, first decisive one wins (`matcher.AnswerMatcher.match`), one module each:
uncertainty ("还没想好", "depends": the question's uncertain answer, or no answer at
all; in `matcher`), the answer said outright (`outright`: with negation, "不是很满意";
contrast, "上午不行 下午吧", "以前去营业厅 现在用微信") and a satisfaction scale
(`scores`; first when the answers are a scale), amounts and ranges (`numbers`: "五六个",
"一百多"), ordinals (`ordinals`: "第二个", "the last one"), times of day and days
("三点左右", "周四", "tomorrow"; in `matcher`), other words for an answer
(`paraphrases`), yes/no (`yes_no`, with the question's own verb: "续吧", "不打算续了"),
a distinctive piece of one answer (`outright`), fuzzy spelling, the same sound (toneless
pinyin: "一班" for 一般) and a dropped last character ("不满" for 不满意) (`spelling`),
then embedding similarity with a threshold and a margin over the runner-up
(`similarity`). `answers.AnswerSet` reads the answers once for them all; `cues` holds
the reply cues they share.

Before them, a reply that corrects itself or settles on a choice ("晚上 哦不对 还是早上吧",
"Monday, oh wait, Friday") is read by its last choice (`corrections`). Among the later
stages: levels on one axis (`levels`: "挺快的" for 很高 when the question asks about
speed), the lowest or highest of ordered answers (`ordinals`: "the cheapest one"),
periods (`periods`: "four times a year"), and how often (`frequency`: "老晚点" for
经常晚点, first when the answers say how often).

A stage may also find the reply *ambiguous* (two answers said, "三四分", "都可以"):
then no answer is taken and the engine asks again. A wrong answer is worse than none.
"""

from __future__ import annotations

from voxdial.conversation.matching.match import Match
from voxdial.conversation.matching.matcher import AnswerMatcher
from voxdial.conversation.polarity import polarity
from voxdial.conversation.scale import scale_score

__all__ = ["AnswerMatcher", "Match", "polarity", "scale_score"]
