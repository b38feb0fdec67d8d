"""What a question is about, in words a callee may name when going back to it or ahead.

A question's topic words are the words it has that another question (the one being
asked) does not: CJK pairs ("保洁", "前台", "走之前" gives 走之 and 之前) and English words of
four letters or more ("front", "desk", "reminder"), the question's common wording left
out (您对, 多少, "would", "rate"). A clause naming one is about that question: "刚才保洁那个
我改一下" goes back to it (conversation/amends.py), "and the front desk a five" answers it
ahead of its turn (conversation/several.py).
"""

from __future__ import annotations

import re

from voxdial.conversation.normalize import fold

# words of a question that do not name its topic
_COMMON_ZH = set(
    "您对 对小 我们 您的 您家 多少 几分 打几 是否 需要 什么 哪个 时候 方便 怎么 满意 程度 "
    "的时 时间 一下 还有 以后 这次 上次 明年 还打 打算 从1 到5 到1 吗？ 您有".split()
)
_STOP_EN = set(
    "what which when would will your you have with that this from there they them does "
    "about like how many much scale rate likely going ahead last time next yes".split()
)
# characters that make a pair a piece of the question's wording, not of its topic
# ("有没", "没有", "还是", "的话", "一点"): a clause saying them names no topic
_FUNCTION_ZH = re.compile(
    r"[的了吗呢吧啊呀是不没有还么什怎哪几多少您你我他她们这那个把得被在和或一也都就要会能可]"
)


def words(question: str, current: str, *, content: bool = False) -> set[str]:
    """Words naming what `question` is about that `current` does not have; `content`:
    only pairs of content characters (a function character in a pair, "有没", is the
    question's wording)."""
    q, c = fold(question), fold(current)
    pairs = {q[i : i + 2] for i in range(len(q) - 1)}
    zh = {p for p in pairs if re.fullmatch(r"[\u4e00-\u9fff]{2}", p) and p not in _COMMON_ZH}
    if content:
        zh = {p for p in zh if not _FUNCTION_ZH.search(p)}
    en = {w for w in re.findall(r"[a-z]{4,}", q) if w not in _STOP_EN}
    return {w for w in zh | en if w not in c}


def names(text: str, word: str) -> bool:
    """Whether `text` (folded) says `word` (an English word from its start)."""
    return re.search(rf"(?<![a-z]){re.escape(word)}", text) is not None
