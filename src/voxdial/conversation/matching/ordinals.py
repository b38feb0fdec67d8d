"""An answer named by its place in the list: "第二个", "the last one", "option B"."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from voxdial.conversation.matching.match import Heard, Match

if TYPE_CHECKING:
    from voxdial.conversation.matching.answers import AnswerSet

_ZH_ORDINAL = {"一": 0, "二": 1, "两": 1, "三": 2, "四": 3, "五": 4, "六": 5, "1": 0, "2": 1,
               "3": 2, "4": 3, "5": 4, "6": 5}  # fmt: skip
_EN_ORDINAL = {"first": 0, "second": 1, "third": 2, "fourth": 3, "fifth": 4, "1st": 0,
               "2nd": 1, "3rd": 2, "4th": 3, "5th": 4}  # fmt: skip


def place(text: str, count: int) -> int | None:
    """The index `text` names among `count` answers, if it names one by place."""
    index = None
    if m := re.search(r"第([一二两三四五六123456])(个|种|项|条|位|档|类|)", text):
        index = _ZH_ORDINAL[m.group(1)]
    elif m := re.search(
        r"(?<!\ba )(?<!\bone )(?<!\bat )\b(first|second|third|fourth|fifth|1st|2nd|3rd|4th|5th)\b"
        r"(?! (time|thought|hand|opinion|guess))",
        text,
    ):
        index = _EN_ORDINAL[m.group(1)]
    elif re.search(r"中间|middle", text) and count == 3:
        index = 1
    elif re.search(r"最后|the last|(?<!every )last one|latter|后面那个|后一个|后者", text):
        index = count - 1
    elif re.search(r"前面那个|^前面的?$|前一个|前者|former|头一个|the first one", text):
        index = 0
    elif m := re.search(r"\b(?:option|choice) ([a-e])\b|^([a-e])$|选([a-eA-E])", text):
        index = "abcde".index((m.group(1) or m.group(2) or m.group(3)).lower())
    if index is None or index >= count:
        return None
    return index


def ordinal(a: AnswerSet, heard: Heard) -> Match | None:
    index = place(heard.text, len(a.answers))
    return None if index is None else a.pick(index, "ordinal")
