"""Text normalisation for callee replies: width, case, punctuation, fillers, hot words,
and the numbers said in them (Arabic, Chinese numerals, English words)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import cn2an
from rapidfuzz import fuzz

_PUNCT = re.compile(r"(?:[^\w']|_|(?<!\w)'|'(?!\w))+", re.UNICODE)
# fillers ASR leaves in: removed before matching so "嗯那个满意吧" reads as "满意"
_ZH_FILLERS = re.compile(
    r"嗯+|呃+|额+|啊+|哦+|噢+|喔+|唉+|哎+|诶+|那个|这个嘛|就是说|然后|吧|呀|哈|啦|呢|的话"
)
_EN_FILLERS = re.compile(r"\b(?:um+|uh+|erm|er|hmm+|well|like|you know|i mean|so|oh|ah)\b")
# sounds that are fillers only as a clause of their own ("恩", "喂 你们电话多少", "就是"):
# inside a clause they are words (感恩, 喂养, 就是我)
_FILLER_CLAUSE = re.compile(
    rf"(?:{_ZH_FILLERS.pattern}|{_EN_FILLERS.pattern}|恩+|欸+|喂+|就是|er+|\s)+"
)


def is_filler(clause: str) -> bool:
    """A `clean`ed clause of fillers only ("嗯", "um well", "喂"): it neither answers
    nor asks."""
    return bool(_FILLER_CLAUSE.fullmatch(clause))


_ZH_DIGITS = "零一二两三四五六七八九十百千万点半"
_ZH_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百千万]+")
# words that contain numeral characters but are not numbers
_NOT_NUMBERS = (
    "一般", "一下", "一直", "一样", "一定", "一些", "一起", "统一", "万一", "一会", "一点点",
    "一切", "一边", "一向", "一共", "唯一", "第一时间", "一致", "千万", "万分", "十分",
    "一天到晚", "不一", "一直", "一旦", "一概", "一律",
)  # fmt: skip
EN_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "a couple of": 2, "a couple": 2, "couple of": 2, "a few": 3,
}  # fmt: skip
EN_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
            "eighty": 80, "ninety": 90}  # fmt: skip
_EN_NUMBER = re.compile(
    r"\b(?:(" + "|".join(EN_TENS) + r")(?:[\s-](one|two|three|four|five|six|seven|eight|nine))?"
    r"|(" + "|".join(sorted(EN_UNITS, key=len, reverse=True)) + r"))\b"
)


# dialect forms read as the Mandarin words every table knows: 冇 (冇得, 冇有) is 没 / 没有
# in Cantonese, Hubei and south-western speech ("冇看到他拿证", "冇得意见"), 么斯 is 什么
# in Wuhan speech ("冇得么斯"). Cantonese's own words too: its negators 唔 (不: "唔报",
# "唔使" 不用, "唔系" 不是, "唔知" 不知道) and 未 before a verb of knowing or deciding (还没:
# "未谂好", "未知开唔开车"), and its everyday words 谂 (想), 睇 (看), 佢 (他), 乜 (什么),
# 嘅 (的), 喺 (在), 嚟 (来), 畀 (给), 揾 (找), 咩 (什么), 讲 as 说 where it asks again ("你讲咩",
# "再讲一次"). 唔 is a negator only joined to the word it
# negates: "唔，好" (a murmur, then a yes) keeps it; 唔该 is a thank-you.
_DIALECT = re.compile(
    r"冇|么斯|唔(?:使|洗)|唔(?:系|係)|唔知(?:道)?|唔得闲|唔该|唔(?=[\u4e00-\u9fff])|"
    r"未知(?!道)|未(?=谂|諗|想|知|决定|定|确定|考虑)|谂|諗|睇|佢|乜嘢|乜|嘅|喺度|喺|嚟|畀|揾|"
    r"讲咩|咩|再讲一(?=[次遍])"
)
_DIALECT_AS = {
    "冇": "没", "么斯": "什么", "唔使": "不用", "唔洗": "不用", "唔系": "不是", "唔係": "不是",
    "唔知": "不知道", "唔知道": "不知道", "唔得闲": "没空", "唔该": "谢谢", "唔": "不",
    "未": "还没", "未知": "不知道", "谂": "想", "諗": "想", "睇": "看", "佢": "他",
    "乜嘢": "什么", "乜": "什么", "嘅": "的", "喺度": "在", "喺": "在", "嚟": "来", "畀": "给",
    "揾": "找", "讲咩": "说什么", "咩": "什么", "再讲一": "再说一",
}  # fmt: skip
_DIALECT_MARKS = frozenset("冇么唔未谂諗睇佢乜嘅喺嚟畀揾咩讲")
# Scots and northern English forms read as the standard words: aye (yes), naw (no), the
# -nae negatives ("havenae", "wouldnae", "cannae", "dinnae": haven't, wouldn't, can't,
# don't), and "no" for "not" after a verb of being or having, before what it negates
# ("I'm no sure", "I've no got a mobile", "we're no wanting it"); "I've no idea" and
# "there's no way" are left as they are.
_EN_DIALECT = re.compile(
    r"\b(?:aye|naw|(?P<aux>have|has|had|would|could|should|did|does|is|was|are|were|must)nae|"
    r"cannae|canna|dinnae|dinna|willnae|winnae|"
    r"(?P<be>i'm|i am|you're|we're|they're|he's|she's|it's|i've|we've|they've|i was|"
    r"that's) no(?= (?:sure|got|\w+ing|decided|bothered|fussed|keen|ready|able|done|happy|"
    r"interested|too|that|very|really|quite|needed|needing)\b))\b"
)
_EN_DIALECT_AS = {
    "aye": "yes", "naw": "no", "cannae": "can't", "canna": "can't", "dinnae": "don't",
    "dinna": "don't", "willnae": "won't", "winnae": "won't",
}  # fmt: skip


def _standard(m: re.Match[str]) -> str:
    if m.group("aux"):
        return m.group("aux") + "n't"
    if m.group("be"):
        return m.group("be") + " not"
    return _EN_DIALECT_AS[m.group(0)]


def fold(text: str) -> str:
    """Full-width to half-width, lower case, dialect forms as Mandarin or standard
    English."""
    text = unicodedata.normalize("NFKC", text).lower()
    if text.isascii():
        return _EN_DIALECT.sub(_standard, text) if _has_en_dialect(text) else text
    if not _DIALECT_MARKS.intersection(text):
        return text
    return _DIALECT.sub(lambda m: _DIALECT_AS[m.group(0)], text)


def _has_en_dialect(text: str) -> bool:
    return "aye" in text or "naw" in text or "nae" in text or "nna" in text or " no " in text


def squash(text: str) -> str:
    """Fold, and drop punctuation and spaces between CJK characters (kept between
    Latin words, as single spaces)."""
    text = fold(text)
    text = _PUNCT.sub(" ", text).strip()
    return re.sub(r"(?<=[^\x00-\x7f]) | (?=[^\x00-\x7f])", "", text)


def strip_fillers(text: str) -> str:
    """`squash`ed text without filler words; the text itself when nothing else is left."""
    out = _EN_FILLERS.sub(" ", _ZH_FILLERS.sub("", text))
    out = re.sub(r"\s+", " ", out).strip()
    return out or text


# sounds that mean yes, before "uh" is dropped as a filler
_SOUNDS_YES = r"uh[- ]?huh|mm[- ]?hmm|mhm|mm-hm"
_AFFIRM = re.compile(rf"\b({_SOUNDS_YES})\b")
# the same sounds said one after another and nothing else ("uh huh, mhm"), or with a
# "go on" ("uh huh, go on"): the callee is listening, not agreeing; kept as a filler
# ("嗯，嗯" is one already)
_LISTENING = re.compile(
    rf"^(?:{_SOUNDS_YES})(?: (?:{_SOUNDS_YES}|嗯+|go on|carry on|keep going|i'?m listening))+$"
)
# the northern "嗯呐" / "嗯那" yes, before "那" could be read as a word ("嗯那 说" is
# "嗯 说"); not "嗯那个", "嗯哪天"
_AFFIRM_ZH = re.compile(r"嗯+[呐哪那](?![个些里儿边位天种样么])")
# dialect and slang spellings of 没有 ("木有", "么有"): read as 没有, before the
# 有 inside them could be taken for a yes ("有" / "没有" answers)
_DIALECT_NO = re.compile(
    r"木有|(?<![什怎这那多要])么有|(?<=[还都也])木(?=[定想去来做办弄好到收看用听见过吃])"
)
# a sound said rising, on its own ("嗯？", "啊？", "huh?"): the callee asks back, it is not
# the yes "嗯" is; kept as a question word, since cleaning drops the question mark
_ASKED_SOUND = re.compile(r"(?<![\w'])(嗯+|恩+|啊+|哦+|噢+|诶+|欸+|huh|hm+|mm+|eh)\s*\?+")
# a verb said as "V一V" ("找一找", "查一查"): the same as "VV" ("找找"), and its 一 is no
# number
_TRY_VERB = re.compile(r"([找查翻看瞧问试等听])一\1")


@lru_cache(maxsize=8192)
def clean(text: str) -> str:
    text = _ASKED_SOUND.sub(_asked, fold(text))
    text = _LISTENING.sub("hmm", squash(text))
    text = _DIALECT_NO.sub(_said_no, _AFFIRM.sub("yes", text))
    return strip_fillers(_TRY_VERB.sub(r"\1\1", _AFFIRM_ZH.sub("嗯", text)))


def _asked(m: re.Match[str]) -> str:
    return " what " if m.group(1).isascii() else " 啥 "


def _said_no(m: re.Match[str]) -> str:
    return "没" if m.group() == "木" else "没有"


@dataclass(frozen=True)
class HotWord:
    word: str
    replaced: tuple[str, ...]
    fuzzy: bool


def hot_words(config: list[dict[str, Any]] | None) -> list[HotWord]:
    out = []
    for h in config or []:
        word = str(h.get("word") or "").strip()
        if not word:
            continue
        replaced = tuple(
            squash(r) for r in h.get("replacedWords") or [] if r and squash(str(r)) != squash(word)
        )
        out.append(HotWord(squash(word), replaced, bool(h.get("enableFuzzyMatch"))))
    return out


def apply_hot_words(text: str, words: list[HotWord]) -> str:
    """Replace each hot word's `replacedWords` (ASR's usual mishearings) by the word;
    with fuzzy matching on, also a near spelling of the same length (one edit in four)."""
    for h in words:
        for r in h.replaced:
            if r:
                text = text.replace(r, h.word)
        if h.fuzzy and h.word not in text and len(h.word) >= 2:
            n = len(h.word)
            for i in range(0, max(0, len(text) - n) + 1):
                window = text[i : i + n]
                if fuzz.ratio(window, h.word) >= 75 and window != h.word:
                    text = text[:i] + h.word + text[i + n :]
                    break
    return text


def _zh_value(run: str) -> float | None:
    try:
        value = cn2an.cn2an(run, "smart")
    except (ValueError, KeyError, IndexError):
        return None
    return float(value)


def numbers(text: str) -> list[float]:
    """The numbers said in `text`, in order: "打五分" -> [5], "three out of five" ->
    [3, 5], "12点半" -> [12.5]. Numeral characters inside ordinary words ("一般",
    "一下") are not numbers."""
    text = _TRY_VERB.sub(r"\1\1", fold(text))  # "找一找"
    for w in _NOT_NUMBERS:
        text = text.replace(w, " ")
    found: list[tuple[int, float]] = []
    for m in re.finditer(r"\d+(?:\.\d+)?", text):
        found.append((m.start(), float(m.group())))
    for m in _ZH_NUMBER.finditer(text):
        value = _zh_value(m.group())
        if value is not None:
            found.append((m.start(), value))
    for m in _EN_NUMBER.finditer(text):
        if m.group(1):
            value = EN_TENS[m.group(1)] + (EN_UNITS[m.group(2)] if m.group(2) else 0)
        else:
            value = EN_UNITS[m.group(3)]
        found.append((m.start(), float(value)))
    return [v for _, v in sorted(found)]
