"""A choice corrected or settled inside one reply: the last choice stands.

People change their mind mid-sentence ("晚上 哦不对 还是早上吧", "Monday, oh wait,
Friday", "no wait, the second one", "不对，我是说周四") or name one choice only to set
it aside before the one they settle on ("晚上我要接孩子 还是早上吧", "let's go with
email instead"). Both tables say so in any domain: what a clause after a correction
cue, or a clause opened by a settling cue, names is the answer; the choices named
before it are not. Two choices named with neither cue stay ambiguous (asked again).
"""

from __future__ import annotations

import re

# a correction cue: what comes after it replaces what came before; 算了 after words
# ("给八分…算了给个六分") gives up what was said, not when it closes the reply or follows
# 就/也 ("给八分就算了": that is the mark)
CORRECTION = re.compile(
    r"不对不对|不对|说错了|我说错|口误|不是不是|我是说|我说的是|我的意思是|更正一下|"
    # Cantonese 唔啱 / 唔系唔系 (不对 / 不是不是); a bare 不是 / 唔系 only after a pause and
    # before another ("三分…唔系 四分"): "三分 不是四分" turns four down
    r"唔啱|唔系唔系|(?<=\.\.\.)(?:不是|唔系)(?=[\s，,])|"
    r"(?:(?<=\.\.\.)|(?<=[^\s就也么样][\s，,]))算了(?!解|数|吧?$)|"
    r"[哦噢啊呃]不(?=\s|$|[，,]|是)|(?<=\S[\s，,])[嗯额][\s，,]?不(?=\s|$|[，,])|不不不?(?=\s|$|[，,])|等等|等一下不对|"
    r"\b(oh|no|hang on|hold on)[,，]?\s?wait\b|\bwait[,，]?\s?no\b|\bsorry,? i meant?\b|"
    r"\bi meant?\b|\bscratch that\b|\bcorrection\b|\bmy (bad|mistake)\b|"
    r"\bon second thoughts?\b|\bcome to think of it\b|\bactually,? no\b|"
    r"\b(oh )?no[,，]?\s?(?:hang|hold) on\b|"
    r"(?:(?<=[a-z0-9][,，] )|(?<=[a-z0-9][,，]))oh,? no\b(?!t)|"
    r"\b(?:hang|hold) on[,，]?\s?no\b|(?<=[a-z0-9,] )sorry,? no\b"
)
# a clause that settles on a choice after weighing ("还是早上吧", "make it Friday")
SETTLES = re.compile(
    r"^(那|我|那我|那还是|算了)?还是(?!.*还是)|^(那)?(就|干脆)?(改成?|换成|改到|换到)|^算了|"
    r"^(那|那么|那我)就|^就(选|定|要)|^就(?!是|不|没|算|这样|那样)(?=[\u4e00-\u9fffa-z]{1,6}$)|"
    r"^(so |ok |okay |well )?(let'?s (say|do|go with|make it)|make it|go with|i'?ll (take|go with|"
    r"pick|choose|say)|put me down for)\b|\binstead\b|\brather than\b|而不是"
)
# a choice put off after a correction ("the battery can come later", "那个以后再说"):
# named, but not the one chosen now
PUT_OFF = re.compile(
    r"\b(can|could|will) (come|wait) (later|another time)\b|\bcan wait\b|\bmaybe later\b|"
    r"\blater on\b|(以后|回头|下次)再(说|弄|办|装|买)|先不(要|弄|装|买|办)"
)
# a settling cue that changes a choice ("改两点", "make it two"): it names the new one
CHANGES = re.compile(r"^(那)?(就|干脆)?(改成?|换成|改到|换到)|^(so |ok |okay |well )?make it\b")
# "X instead of Y", "X rather than Y", "要X而不是Y": Y is set aside
SET_ASIDE = re.compile(r"\b(instead of|rather than|not)\b.*$|而不是.*$|不要.*$")


# an admission closing the reply after the correction it owns up to ("五分 哦不是 四分 我
# 说错了", "friday, no wait, monday, my mistake"): it points back, so the answer is
# what follows the cue before it
_OWNS_UP = re.compile(
    r"((我)?(说错了?|口误)(了)?(啊|哈|呀|哦)?|(sorry,? )?\b(my (bad|mistake)|i misspoke))"
    r"[\s,，.。!！]*$"
)


def after_correction(text: str) -> str | None:
    """What follows the last correction cue in the (folded) reply, None without a cue;
    "" when nothing follows it ("晚上 不对": the choice is taken back, none given)."""
    found = list(CORRECTION.finditer(text))
    if not found:
        return None
    owned = _OWNS_UP.search(text)
    earlier = [m for m in found if owned is not None and m.end() <= owned.start()]
    if owned is not None and earlier:
        return text[earlier[-1].end() : owned.start()].strip(" ,，.。!！")
    return text[found[-1].end() :].strip(" ,，.。!！")


def before_correction(text: str) -> str:
    """What comes before the last correction cue."""
    found = list(CORRECTION.finditer(text))
    return text[: found[-1].start()] if found else text


def settled(part: str) -> str | None:
    """The clause without its settling cue and what it sets aside, when it settles."""
    if not SETTLES.search(part):
        return None
    return SET_ASIDE.sub("", part).strip() or None
