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
# in Wuhan speech ("冇得么斯")
_DIALECT = re.compile(r"冇|么斯")
_DIALECT_AS = {"冇": "没", "么斯": "什么"}
# Cantonese function words as their Mandarin ones, so that every table (polarity,
# nothing to add, not knowing, consent, goodbyes) reads them: 唔 is 不 before a word (on
# its own, "唔 三分", it is the hum 嗯 is); 系 is 是 except inside a Mandarin word (关系,
# 系统); 唔该 is thanks, not 不该; A唔A ("开唔开") stays as said, the question that
# intents.ASKING knows (A不A of any verb asks too much in Mandarin); 未 before a verb of
# knowing or deciding is 还没 ("未谂好", "未知开唔开车"); 讲 is 说 where it asks again
# ("你讲咩", "再讲一次"). Longer forms come first.
_CANTONESE_AS = {
    "唔该": "谢谢", "多谢": "谢谢", "唔使": "不用", "唔洗": "不用", "唔係": "不是",
    "唔知道": "不知道", "唔知": "不知道", "未知": "不知道", "未": "还没", "喺度": "在",
    "讲咩": "说什么", "再讲一": "再说一", "諗": "想", "揾": "找", "唔得闲": "没空", "唔得": "不行",
    "得闲": "有空", "迟啲": "晚点", "而家": "现在", "几多": "多少", "乜嘢": "什么", "边度": "哪里",
    "点解": "为什么", "听日": "明天", "琴日": "昨天", "佢哋": "他们", "唔": "不", "系": "是",
    "咩": "什么", "乜": "什么", "佢": "他", "哋": "们", "嘅": "的", "喺": "在", "啲": "点",
    "睇": "看", "谂": "想", "咗": "了", "嚟": "来", "畀": "给", "俾": "给", "嘢": "东西",
    "咁": "这样",
}  # fmt: skip
_CANTONESE = re.compile(
    r"唔该|多谢|唔使|唔洗|唔係|唔知道|唔知|唔得闲|唔得|得闲|迟啲|而家|几多|乜嘢|边度|点解|听日|琴日|佢哋"
    r"|未知(?!道)|未(?=谂|諗|想|知|决定|定|确定|考虑)|喺度|讲咩|再讲一(?=[次遍])"
    r"|(?<=(?P<verb>[\u4e00-\u9fff]))唔(?!(?P=verb))(?=[\u4e00-\u9fff])"
    r"|(?<![\u4e00-\u9fff])唔(?=[\u4e00-\u9fff])|(?<![关联体派直院父母谱水星世维干])系(?![统列数鞋带])"
    r"|[咩乜佢哋嘅喺啲睇谂諗揾咗嚟畀俾嘢咁]"
)
# a verb said with 紧 is the verb going on ("开紧会" is 在开会): read as 在 + the verb
_CANTONESE_ONGOING = re.compile(r"([开做食煮揸忙返讲睇瞓])紧")
# Scots forms as the English every table knows: "aye" is yes, "naw" / "nae" no, the
# "-nae" ending is "n't" ("cannae", "havenae", "wouldnae"), "wi" is with, "yous" you,
# and "no" after a pronoun and its verb is "not" ("I'm no sure", "I've no got one")
_SCOTS_NAE = re.compile(r"\b(can|have|has|would|could|should|did|does|do|din|is|was|are|were|"
                        r"must|will|win|had)nae?\b")
_SCOTS_NAE_AS = {"can": "can't", "will": "won't", "win": "won't", "din": "don't",
                 "do": "don't"}  # fmt: skip
_SCOTS_WORDS = re.compile(r"\b(aye|naw|nae|wi(?![- ]?fi\b)|yous|youse)\b")
_SCOTS_WORDS_AS = {"aye": "yes", "naw": "no", "nae": "no", "wi": "with", "yous": "you",
                   "youse": "you"}  # fmt: skip
_SCOTS_NOT = re.compile(
    r"\b(i'?m|you'?re|he'?s|she'?s|we'?re|they'?re|it'?s|that'?s|i'?ve|you'?ve|we'?ve|"
    r"they'?ve|i'?ll|you'?ll|he'?ll|she'?ll|i am|i was|you are|he is|she is|we are|they are) no "
    r"(?=\w+ing\b|sure\b|got\b|bothered\b|fussed\b|keen\b|interested\b|able\b|"
    r"happy\b|in\b|on\b|there\b|home\b|decided\b|ready\b|done\b|too\b|that\b|very\b|really\b|"
    r"quite\b|needed\b|needing\b)"
)
_SCOTS_MARKS = re.compile(r"\b(?:aye|naw|nae|wi|yous|youse|no)\b|nae\b")


def fold(text: str) -> str:
    """Full-width to half-width, lower case, dialect forms as Mandarin (and Scots forms
    as English)."""
    text = unicodedata.normalize("NFKC", text).lower()
    if "冇" in text or "么斯" in text:
        text = _DIALECT.sub(lambda m: _DIALECT_AS[m.group(0)], text)
    if not text.isascii():
        text = _CANTONESE_ONGOING.sub(r"在\1", text)
        text = _CANTONESE.sub(lambda m: _CANTONESE_AS[m.group(0)], text)
    if text.isascii() and _SCOTS_MARKS.search(text):
        text = _scots(text)
    return text


def _scots(text: str) -> str:
    text = _SCOTS_NAE.sub(lambda m: _SCOTS_NAE_AS.get(m.group(1), m.group(1) + "n't"), text)
    text = _SCOTS_WORDS.sub(lambda m: _SCOTS_WORDS_AS[m.group(1)], text)
    return _SCOTS_NOT.sub(lambda m: m.group(1) + " not ", text)


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
