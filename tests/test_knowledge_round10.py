"""Round 10, knowledge: how callers ask for a price without naming it in Mandarin
(好多钱, 咋算钱, 要给钱吗, 扣钱不, 咋收, 大概要多少), so the passage stating the price
of the thing asked about answers. Questions and texts written for these tests, in
domains of their own."""

from __future__ import annotations

import pytest

from voxdial.conversation import answer_types
from voxdial.conversation.embeddings import HashingEncoder
from voxdial.conversation.knowledge import KnowledgeBase


@pytest.mark.parametrize(
    "question",
    [
        "补个胎好多钱",  # southwestern 多少钱
        "链条断了换一根咋算钱",  # money reckoned
        "师傅看一眼没修 要给钱吗",  # money given
        "约好了又不去了 扣钱不",  # money taken off
        "车送过去又不修了 咋收",  # 咋收 said alone
        "换个后轮大概要多少",  # 要多少 with nothing counted after it
        "最多收多少",
    ],
)
def test_a_price_asked_without_naming_it(question):
    assert "price" in answer_types.wanted(question)


@pytest.mark.parametrize(
    "question",
    [
        "大概要多少天",  # a count of days, not a price
        "要多少人",
        "快递怎么收到",  # receiving, not charging
        "花了好多时间",
    ],
)
def test_a_count_or_receiving_is_no_price(question):
    assert "price" not in answer_types.wanted(question)


BIKE_SHOP = """\
车行在城东的梧桐路12号，早上9点到晚上7点营业，周三休息。

补胎：师傅会先检查内胎和外胎，找到漏气的地方，补好以后打足气再还给您。

补胎每次15元，换内胎35元，换外胎80元起。

换链条的时候会顺便清洗飞轮和牙盘，并给链条上油。

会员每年可以免费做两次全车保养。
"""


def test_a_colloquial_price_question_is_met_by_the_price_passage():
    # the word matches meet the passage about patching ("补胎"); the one stating
    # what a patch costs answers "好多钱"
    kb = KnowledgeBase.from_text(BIKE_SHOP, encoder=HashingEncoder())
    hit = kb.search("补胎好多钱", k=1)[0]
    assert "15元" in hit.passage
