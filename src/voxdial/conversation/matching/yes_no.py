"""Yes or no to a question with one positive and one negative answer, read from the
question's own verb said back ("续吧" -> yes, "不打算续了" -> no, "早过了" to "考过了吗"),
from what comes after a "but" ("下载了 但是没打开过"), from how much of an "all" the
reply says ("就练上一次" to "都练上了吗"), or from the reply's polarity (slang and
dialect included: "中", "木有", "you bet"). A closing ("行了行了 我知道了 再见") and a
question back ("是考啥的") are not answers."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from voxdial.conversation.matching.cues import (
    ASKS_IF_COUNTS,
    AVERSE,
    CONTRAST,
    NEGATION,
    NOW_CLAUSE,
    PARTIAL,
    TOTAL,
    TOTALITY_QUESTION,
    only_asks_back,
)
from voxdial.conversation.matching.match import Ambiguous, Heard, Match
from voxdial.conversation.normalize import is_filler
from voxdial.conversation.polarity import (
    ALL_WELL,
    COMMIT,
    DOUBLE_NEGATION,
    GOES_ON,
    INDIFFERENT,
    NEGATED_AFTER,
    NEGATED_BEFORE,
    NO,
    OFFER,
    OFFER_DECLINED,
    OFFER_TAKEN,
    OPPOSITE_ACT,
    RESULTS,
    SAME_ACT,
    SAME_STATE,
    STOPS,
    UNAWARE,
    clause_polarity,
    closing_only,
    polarity,
    question_verbs,
    rhetorical,
    sound_polarity,
)

if TYPE_CHECKING:
    from voxdial.conversation.matching.answers import AnswerSet


def echo_words(question: str, keys: list[str], negative: list[bool], uncertain: list[bool]):
    """What saying back means yes: the question's verbs, the positive answer, and
    its verb when the negative answer is 不/没 + it (续约 / 不续约 -> 续)."""
    pos = next(k for k, n, u in zip(keys, negative, uncertain, strict=True) if not n and not u)
    neg = next(k for k, n in zip(keys, negative, strict=True) if n)
    words = list(question_verbs(question))
    if re.fullmatch("[\u4e00-\u9fff]{2,3}", pos):
        words.append(pos)
        if neg in ("不" + pos, "没" + pos, "没有" + pos) and len(pos) == 2:
            words.append(pos[0])
            if pos[1] in RESULTS:
                words.append(pos[1])  # 练上 / 没练上: "上了", "没上"
        elif neg == "不" + pos and (aux := _AUXILIARY.match(pos)):
            words.append(aux.group(0))  # 会推荐 / 不会推荐: "会的", "应该会吧"
        elif core := answers_core(pos, neg):
            words.append(core)  # 看过了 / 没看过: "早看过了"; 提醒了 / 没提醒: "提醒过的"
            if len(core) == 2 and core[1] in _COMPLEMENTS_SAID:
                words.append(core[0])  # 看过 -> "早看了"; 收到 -> "收了"
    for verb in [*words]:
        words += SAME_ACT.get(verb, ())  # 提醒 -> "说了说了", "讲过"
    return tuple(dict.fromkeys(sorted(words, key=len, reverse=True)))


# complements after which the verb alone says the same ("看过" -> 看, "收到" -> 收)
_COMPLEMENTS_SAID = "过到好完"
# aspect words an answer ends with ("看过了", "提醒了"), negators a negative one opens with
_ASPECT_END = re.compile(r"(了|啦|的|咯)$")
_NEGATOR_START = re.compile(r"^(没有|没|不|未)")


def answers_core(pos: str, neg: str) -> str:
    """The verb two answers share, from their own text: "看过了" / "没看过" -> 看过,
    "提醒了" / "没提醒" -> 提醒, "收到了" / "没收到" -> 收到; "" when they share none."""
    if not re.fullmatch("[\u4e00-\u9fff]{1,4}", pos) or not _NEGATOR_START.match(neg):
        return ""
    said, denied = _ASPECT_END.sub("", pos), _NEGATOR_START.sub("", neg)
    denied = _ASPECT_END.sub("", denied)
    if said == denied:
        return said
    if said.endswith("过") and said[:-1] == denied:
        return denied  # 看过了 / 没看
    return ""


def implied(a: AnswerSet, text: str) -> bool | None:
    """An act that undoes the answer's state, or its state said in other words: "喝了杯
    牛奶" to 空腹了 / 没空腹 (no), "啥也没吃" (yes), "饿着肚子去的" (yes); the last one
    said counts; None when the answers' verb has no such entry."""
    assert a.yes is not None and a.no is not None
    core = answers_core(a.keys[a.yes], a.keys[a.no])
    said: list[tuple[int, bool]] = []
    for state in SAME_STATE.get(core, ()):
        said += [(m.start(), not _negated_here(text, m.start(), state))
                 for m in re.finditer(state, text)]  # fmt: skip
    for act in OPPOSITE_ACT.get(core, ()):
        for m in re.finditer(act, text):
            if _own_word(text, m.start()) and not _ASKED_AFTER.match(text[m.end() :]):
                said.append((m.start(), _negated_here(text, m.start(), act)))
    return max(said)[1] if said else None


def _negated_here(text: str, pos: int, verb: str) -> bool:
    """The verb at `pos` negated just before or after it ("啥也没吃", "水都没敢喝",
    "用不着"), whatever the rest of the reply says."""
    before, after = text[max(0, pos - 4) : pos], text[pos + len(verb) : pos + len(verb) + 2]
    return bool(NEGATED_BEFORE.search(before) or NEGATED_AFTER.match(after))


# an auxiliary the answers open with ("会推荐" / "不会推荐"), said back for yes
_AUXILIARY = re.compile(r"会|能|愿意|要|想")
# negations that say yes or nothing ("没问题", "不错", "not bad"), left out when looking
# for a negation a yes leaves unresolved
_POSITIVE_NEGATIONS = re.compile(
    r"没问题|不错|没事|没关系|不客气|不好意思|不用谢|((i )?(don'?t|do not|can'?t) see )?why not|"
    r"no problem|not a problem|not bad|"
    r"no worries|no doubt"
)
# a bare acknowledgement: a yes to a plain yes/no question, too weak when the question
# also offers an uncertain answer
_BACKCHANNEL = re.compile(r"(嗯+|恩+|mm+|uh huh|mhm)")


def yes_no(a: AnswerSet, heard: Heard) -> Match | None:
    text = heard.text
    yes, no = a.yes, a.no
    if yes is None or no is None:
        return None
    if any(a.uncertain) and _BACKCHANNEL.fullmatch(text):
        return None
    if INDIFFERENT.search(text):
        raise Ambiguous  # "either way", "无所谓": neither answer
    if (double := _double_negation(a, heard)) is not None:
        return double
    if (retort := rhetorical(text)) is not None:
        return a.pick(yes if retort else no, "rhetorical")  # "能不借吗", "why would i"
    if ASKS_IF_COUNTS.search(text):
        raise Ambiguous  # "有只鹦鹉算不算", "does a hamster count": asked back, not said
    if (has := _exists(a.question, heard)) is not None:
        return a.pick(yes if has else no, "exists")  # "养了只橘猫", "现在没了"
    if UNAWARE.search(text) and not CONTRAST.search(text):
        return a.pick(no, "unaware")  # "我都不知道还能看监控": not done
    if (times := _times(a.question, heard)) is not None:
        return a.pick(yes if times else no, "times")  # "once, briefly", "一次都没打开过"
    if GOES_ON.search(a.question) and STOPS.search(text) and not _asks_back(heard):
        return a.pick(no, "stops")  # "这个月完了就停了吧" to "还继续包月吗"
    last = heard.parts[-1] if heard.parts else text
    if COMMIT.search(last) and not NEGATION.search(last):
        return a.pick(yes, "commit")  # "…就是怕没时间 先算我一个吧"
    said, how = _echo(a.verbs, text, heard.parts), "echo"
    if said is None and text.isascii() and not _asks_back(heard):
        said, how = short_answer(a.question, heard.parts or [text]), "short"
    if said is None and text.isascii() and not _asks_back(heard):
        said, how = _echo_en(english_verbs(a.question), text), "echo"
    if said is None and text.isascii() and not _asks_back(heard):
        said, how = _phrase_of_question(a.question, text), "echo"  # "every day"
    if said is None and not text.isascii() and heard.parts:
        said, how = _clipped(a.verbs, heard.parts[0]), "echo"  # "推了" for 推销过
    if said is None and not text.isascii() and heard.parts:
        said, how = _said_twice(a.question, heard.parts[0]), "echo"  # "打了打了" for 打电话
    if said is None and not text.isascii() and heard.parts:
        said, how = _kind_named(a.question, heard.parts[0]), "echo"  # "花生过敏" for 有没有过敏
    if said is None and not text.isascii():
        said, how = implied(a, text), "implied"
    if said is None and OFFER.search(a.question):
        said, how = _offer(text), "offer"  # "那麻烦你了", "那就不麻烦了"
    if said is None and (turn := CONTRAST.split(text)[-1]) != text:
        said = polarity(turn)  # "下载了 但是没打开过": what comes after the "but"
        how = "contrast" if said is not None else ""
    if said is None:
        if closing_only(text) or _asks_back(heard):
            raise Ambiguous  # "好的 再见", "是考啥的来着": not an answer, by any later stage
        said, how = polarity(text), ""
        if said is None:
            said, how = clause_polarity(heard.parts), "alone"
        if said is None:
            said, how = sound_polarity(heard.parts), "sound"  # "事的" heard for 是的
        if said is True and NEGATION.search(_POSITIVE_NEGATIONS.sub(" ", text)):
            return None  # "好像没破", "还没拆 看着没问题": a yes word beside a negation
    if said is True:
        return a.pick(yes, how or "yes")
    if said is False and _yes_then_of_another(_all_clauses(heard)):
        return None  # "definitely, they're not right at all": the "not" is the aids'
    if said is False:
        return a.pick(no, how or "no")
    return None


# a clause that negates what a third thing is or does ("they're not right", "it doesn't
# fit"): a statement about that thing, not a no to what is asked
_OF_ANOTHER = re.compile(
    r"^(?:they|it|that|this|he|she|there|those|these)(?:(?:'re|'s)\s*(?:not|never|no)\b|"
    r"\s+(?:are|is|was|were|do|does|did|have|has)\s*(?:n't|not|never)\b|"
    r"\s+(?:aren't|isn't|wasn't|weren't|don't|doesn't|didn't|haven't|hasn't|can't|won't|"
    r"never)\b)"
)


def _all_clauses(heard: Heard) -> list[str]:
    """The reply's clauses, those the matcher left out as turning something down too
    (they follow the kept ones in the text)."""
    if not heard.narrowed or not heard.parts or not heard.text.startswith(heard.parts[0]):
        return heard.parts
    rest = heard.text
    for p in heard.parts:
        rest = rest.replace(p, " ", 1)
    return [*heard.parts, rest.strip()] if rest.strip() else heard.parts


def _yes_then_of_another(parts: list[str]) -> bool:
    """Whether a reply opens with a plain yes and negates only what something else is or
    does after it ("yep, they don't fit well"): the yes and the "not" are of different
    things, so the no is not read."""
    if len(parts) < 2 or clause_polarity(parts[:1]) is not True:
        return False
    negated = [p for p in parts[1:] if NEGATION.search(p)]
    return bool(negated) and all(_OF_ANOTHER.search(p) for p in negated)


# a question whether the callee has something ("家里有养宠物吗", "有没有车"), and what
# says so: things counted with their measure word ("有条狗", "养了只猫", "两只猫一只狗"),
# or none of them (now: "以前养过 现在没了")
_ASKS_EXIST = re.compile(r"有没有|有[\u4e00-\u9fff]{1,14}(吗|么|没)")
_HAS_COUNT = re.compile(
    r"^(有|还有|家里有|养了?|养着|[一两二三四五六七八九十几俩仨\d])[一两二三四五六七八九十几\d]?"
    r"[只条头匹位台辆部套间]"
)
_HAS_NONE = re.compile(r"没有|没了|没养|一个都没|都没")
# some of it ("又有那股味儿", "就是有一点点", "还有些"): a yes to whether there is any; not
# 有点 / 有些 said of a degree ("有点忙" to "有没有空")
_HAS_SOME = re.compile(
    r"(^|[又还也就是])有(股|一股|那股|(一点点|一点儿|点儿|一些|些|那么点)(?=$|[了的啊吧呢]))"
)
# none of it at all ("一点味都没", "啥也没有"), or none noticed ("没闻出来有啥味", "没发现什么"):
# a no to whether there is any; not a miss that is none ("一次都没落下")
_NONE_AT_ALL = re.compile(
    r"(一点|一丝|半点|丁点|啥|什么)[\u4e00-\u9fff]{0,3}?[都也](没|不)(?!.{0,2}(落|漏|错过|忘|耽误|迟|缺|断))|"
    r"没(闻|看|听|发现|觉得|感觉|注意|察觉|见)(出来|出|到|着)?(有)?(啥|什么)"
)


# a "none" denied ("也不能说完全没有 就是有一点点"): not a none
_NONE_DENIED = re.compile(
    r"(不能说|不好说|不是说|谈不上|说不上|倒不是|并不是|也不是)[\u4e00-\u9fff]{0,3}没"
)


def _exists(question: str, heard: Heard) -> bool | None:
    """Whether the reply says the callee has what the question asks about: True for
    things counted or some of it, False for none now or none at all; None when it says
    neither or both ("有只鹦鹉 猫狗是没有": Ambiguous)."""
    if not _ASKS_EXIST.search(question) or not heard.parts:
        return None
    if any(NOW_CLAUSE.search(p) and _HAS_NONE.search(p) for p in heard.parts):
        return False  # "以前养过 现在没了"
    none = any(_NONE_AT_ALL.search(p) for p in heard.parts)
    has = any(
        (_HAS_COUNT.search(p) or _HAS_SOME.search(p)) and not NEGATION.search(p)
        for p in heard.parts
    )
    said_none = [p for p in heard.parts if _HAS_NONE.search(p) and not _NONE_DENIED.search(p)]
    if has and (none or said_none):
        raise Ambiguous
    if none:
        return False
    return True if has else None


# a question whether something happened or was ever done ("Has it dropped out at all",
# "有没有…看过", "have you ever"), and how often the reply says it did: a count of times
# ("once, briefly", "a couple of times", "两回") is a yes, never once ("一次都没打开过",
# "not once") a no
_ASKS_EVER = re.compile(
    r"\b(at all|ever|yet)\b|有没有[\u4e00-\u9fff]{0,12}过|[\u4e00-\u9fff]过(吗|没|么)"
)
_TIMES_SAID = re.compile(
    r"^(once|twice|a (few|couple( of)?) times|(two|three|four|several|a few|many) times|"
    r"(just|only) (once|twice|the once))\b|^(有|有过)?([一两二三几好]|好几)[次回遍趟]"
)
_NEVER_ONCE = re.compile(
    r"(一次|一回|一遍)[都也](没|不)|从(来)?没|压根(就)?没|根本(就)?没|\bnot (even )?once\b|"
    r"\bnever (once|ever|have|has|did)\b"
)


def _times(question: str, heard: Heard) -> bool | None:
    """How often the reply says it happened, to a question whether it ever did: True
    for a count of times, False for never once; None when it says neither or both."""
    if not _ASKS_EVER.search(question.lower()):
        return None
    parts = heard.parts or [heard.text]
    never = any(_NEVER_ONCE.search(p) for p in parts)
    counted = any(_TIMES_SAID.search(p) and not NEGATION.search(p) for p in parts)
    if never == counted:
        return None
    return counted


def _offer(text: str) -> bool | None:
    """An offer taken up or turned down; None when the reply says neither or both."""
    taken, declined = bool(OFFER_TAKEN.search(text)), bool(OFFER_DECLINED.search(text))
    return None if taken == declined else taken


def _double_negation(a: AnswerSet, heard: Heard) -> Match | None:
    """ "不是不想", "也不能说没练上", "i wouldn't say no": a yes (a hedge after it,
    "也不是不愿意 就是…", is uncertainty: polarity.UNSURE)."""
    if not any(DOUBLE_NEGATION.search(p) for p in heard.parts or [heard.text]):
        return None
    if CONTRAST.search(heard.text):
        return None
    assert a.yes is not None
    return a.pick(a.yes, "double-negation")


def _asks_back(heard: Heard) -> bool:
    """Every clause of the reply is a question back ("科目一是考啥的来着")."""
    return only_asks_back(heard.parts or [heard.text])


def share(a: AnswerSet, heard: Heard) -> Match | None:
    """A stage before the answer said outright: sounds said while listening are no yes
    ("uh huh, go on"); to a question about all of something, a part of it is the
    negative answer even when the positive one is said ("就上了一节" to "都上了吗")."""
    if a.yes is not None and len(heard.parts) > 1 and is_filler(heard.text):
        raise Ambiguous  # "uh huh, mhm": listening, not a yes (read before "yes" said)
    if not a.binary:
        return None
    if (well := _all_well(a, heard.text)) is not None:
        return well
    said = _share(a.question, heard.text)
    if said is None:
        return None
    assert a.yes is not None and a.no is not None
    return a.pick(a.yes if said else a.no, "share")


def _all_well(a: AnswerSet, text: str) -> Match | None:
    """ "no problems at all", "no complaints", "没毛病": a yes, read before the answers
    said outright (its "no" is not the answer No), where the question does not ask about
    problems and nothing else in the reply is negated or turned."""
    if not ALL_WELL.search(text) or _ASKS_TROUBLE.search(a.question):
        return None
    rest = ALL_WELL.sub(" ", text)
    if NEGATION.search(_POSITIVE_NEGATIONS.sub(" ", rest)) or CONTRAST.search(rest):
        return None
    assert a.yes is not None
    return a.pick(a.yes, "all-well")


# a question about problems: "no problems" answers it No (states reads it)
_ASKS_TROUBLE = re.compile(
    r"问题|毛病|故障|不满|投诉|\b(problems?|issues?|complaints?|trouble|wrong|complain|mess|"
    r"messy|damage|damaged|fuss|hassle|bad)\b"
)


def _share(question: str, text: str) -> bool | None:
    """To a question about all of something ("都按时练上了吗", "finished all of them?"),
    a part of it is a no ("就练上一次", "stopped halfway") and the whole a yes ("every
    last one"); None when the question asks about no whole or the reply says neither."""
    if not TOTALITY_QUESTION.search(question):
        return None
    if PARTIAL.search(text):
        return False
    if TOTAL.search(text) and not NEGATION.search(text):
        return True
    return None


def _echo(verbs: tuple[str, ...], text: str, parts: list[str]) -> bool | None:
    """The question's own verb said back: "续吧" -> yes, "不打算续了" -> no. Several
    sayings (of one verb or of the verb and its result): the last one counts ("推荐啥呀
    不推荐", "修了两回 还没好"), a longer verb before the shorter ones inside it. A
    result complement ("过" of 考过) counts only where it stands as the result
    ("早过了", "还没过", "烤过了" heard for 考过了), not inside another word ("错过",
    "不过")."""
    ends = _clause_ends(text, parts)
    heads = tuple(v for v in verbs if len(v) == 1 and v not in RESULTS)
    taken: list[tuple[int, int]] = []
    said: list[tuple[int, bool]] = []
    for verb in verbs:  # longest first
        for m in re.finditer(re.escape(verb), text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            if len(verb) == 1 and not (
                _stands_as_result(text, m.start(), ends, heads)
                if verb in RESULTS
                else _own_word(text, m.start())
            ):
                continue
            taken.append(m.span())
            if (saying := _echoed(text, m.start(), verb)) is not None:
                said.append((m.start(), saying))
    return max(said)[1] if said else None


# English yes/no questions: the auxiliary and subject they open with, the words that
# stand between them and the verb, and verbs too light to echo without their object
_EN_OPENING = re.compile(
    r"^(?:\w+ )?(have|has|had|did|do|does|are|is|was|were|will|would|can|could|should) "
    r"(you|he|she|it|they|we|anyone|anybody|someone|everyone|[a-z]+) "
)
_EN_BETWEEN = set(
    "still ever already yet also really like to want wish planning plan thinking of about "
    "interested in going need be been currently usually normally".split()
)  # fmt: skip
# words that cannot be the question's verb: the subject runs on ("anyone in your home")
_EN_NOT_VERB = set("the a an any some your my our his her their this that in on at for".split())
_EN_LIGHT = set("make made have had take took get got do did give gave put".split())
# a negation a few words before the verb said back ("haven't changed", "no longer use")
_EN_NEGATED = re.compile(
    r"(\b(not|never|no|nothing)\b|n't|\bno longer\b|\b(stopped|quit|gave up)\b)(\s+\w+){0,2}\s*$"
)


@lru_cache(maxsize=512)
def english_verbs(question: str) -> tuple[str, ...]:
    """The verb of an English yes/no question and, for a light verb, its object ("Have
    you made any changes" -> changes; "Has Biscuit finished all of..." -> finished),
    as patterns of their word forms."""
    q = re.sub(r"[^a-z' ]+", " ", question.lower()).strip()
    m = _EN_OPENING.match(q)
    if not m:
        return ()
    words = [w for w in q[m.end() :].split() if w not in _EN_BETWEEN]
    if not words:
        return ()
    verb = words[0]
    if verb in _EN_LIGHT:  # "made any changes": the object
        verb = next((w for w in words[1:] if w not in _EN_NOT_VERB), "")
    elif verb in _EN_NOT_VERB:
        return ()
    stem = re.sub(r"(ing|ed|es|s|e)$", "", verb)
    if len(stem) < 3:  # "use": its own forms only, not "us"
        return (rf"\b({re.escape(verb)}|{re.escape(verb)}s|{re.escape(verb)}d|{stem}ing)\b",)
    return (rf"\b{re.escape(stem)}(e|es|s|ed|ing|d)?\b",)


# the auxiliaries an English short answer takes back from the question ("Did the desk
# explain...?" -> "they did", "didn't explain nothing"; "Was your room ready?" -> "it
# wasn't"; "Will you need...?" -> "we won't")
_EN_SHORT = {
    "did": "did", "do": "do|does|did", "does": "do|does|did",
    "is": "is|are|was|were", "are": "is|are|was|were|am", "was": "was|were|is",
    "were": "was|were|are", "have": "have|has|had", "has": "have|has|had", "had": "had",
    "will": "will|wo|would", "would": "would|will|wo", "can": "can|could|ca",
    "could": "could|can|ca", "should": "should",
}  # fmt: skip
_EN_SUBJECT = r"(?:(?:i|we|they|he|she|it|you|there|that|someone|somebody|everyone) )?"
_EN_OPENER = r"(?:(?P<word>yes|yeah|yep|yup|no|nope|nah|well|oh|um|uh|sure) )?"
_EN_NOT = r"(?P<neg>n'?t| not|nt)?"
_EN_TAIL = r"(?: (?:too|either|actually))?"
# where a denied verb may stand: opening the clause, or after its own subject later in it
# ("coming by bus, we won't need it"), not in a condition ("if we don't need it")
_EN_DENIED_AT = (
    r"(?:^" + _EN_OPENER + _EN_SUBJECT + r"|^(?!.*\b(?:if|unless|whether|when)\b).*\b"
    r"(?:i|we|they|he|she|it|you) )"
)


def short_answer(question: str, parts: list[str]) -> bool | None:
    """An English short answer with the question's own auxiliary ("they did", "it
    wasn't", "we won't need it"), or a do-question's verb denied right after it ("didn't
    explain nothing"): yes, or no when negated; None when the clauses disagree or a yes
    word before it says the opposite ("yeah it wasn't")."""
    asked = question.lower().split(",")[-1]  # "When you arrived, was your room ready?"
    m = _EN_OPENING.match(re.sub(r"[^a-z' ]+", " ", asked).strip())
    if not m or m.group(1) not in _EN_SHORT:
        return None
    family = _EN_SHORT[m.group(1)]
    if (doubted := _doubted(family, parts)) is not None:
        return doubted
    bare = re.compile(rf"^{_EN_OPENER}{_EN_SUBJECT}(?:{family}){_EN_NOT}{_EN_TAIL}$")
    denied = re.compile(rf"{_EN_DENIED_AT}(?:{family})(?P<neg>n'?t| not|nt) (?!bad\b)[a-z]+")
    said = set()
    for part in parts:
        found = bare.match(part) or (m.group(1) in ("did", "do", "does", "will", "would")
                                     and denied.match(part))
        if not found:
            continue
        yes = not found.group("neg")
        word = found.group("word")
        if word and word not in ("well", "oh", "um", "uh") and (polarity(word) is True) != yes:
            return None  # "yeah it wasn't"
        said.add(yes)
    return said.pop() if len(said) == 1 else None


def _doubted(family: str, parts: list[str]) -> bool | None:
    """A short answer said as doubted ("can't say it has", "i can't say i did"): the
    opposite of what follows it; None when no clause says one."""
    doubt = re.compile(
        rf"^(?:i )?(?:can'?t|cannot|couldn'?t) (?:really )?say (?:that )?{_EN_SUBJECT}"
        rf"(?:{family}){_EN_NOT}\b"
    )
    said = {not m.group("neg") for p in parts if (m := doubt.match(p))}
    return (not said.pop()) if len(said) == 1 else None


def _echo_en(verbs: tuple[str, ...], text: str) -> bool | None:
    """The English question's verb said back: "she finished them" -> yes, "haven't
    changed a thing" -> no; the last saying counts."""
    said = [not _EN_NEGATED.search(text[: m.start()]) for v in verbs for m in re.finditer(v, text)]
    return said[-1] if said else None


def _phrase_of_question(question: str, text: str) -> bool | None:
    """The reply is the phrase the question ends with, said back, two words or more
    ("every day" to "Are you wearing them every day?", "the blue one" to "Is it the blue
    one?"): a yes; None otherwise (a negation or any word of its own keeps it unread)."""
    said = re.sub(r"[^a-z' ]+", " ", text.lower()).split()
    if len(said) < 2 or NEGATION.search(text) or not any(len(w) > 3 for w in said):
        return None
    asked = " ".join(re.sub(r"[^a-z' ]+", " ", question.lower()).split())
    return True if re.search(rf"(^| ){re.escape(' '.join(said))}$", asked) else None


def _clipped(verbs: tuple[str, ...], clause: str) -> bool | None:
    """The question's two-character verb said by its first character alone, as the
    opening clause ("推了" / "推了推了" to "有没有推销…"): a yes; None otherwise."""
    for verb in verbs:
        # a negator's piece is no verb: "不了" declines ("不会" clipped is not "会")
        if verb[0] in "不没别未无":
            continue
        if len(verb) == 2 and re.fullmatch(r"[\u4e00-\u9fff]{2}", verb) and "有" not in verb:
            if re.fullmatch(rf"({re.escape(verb[0])}(了|过了?))+", clause):
                return True
    return None


# one-character words said twice that acknowledge or stop, not a verb of the question
# ("好了好了", "够了够了", "行了行了", "知道了知道了")
_NOT_ACTS = "好行对是嗯算得够完知懂晓不没别未无有来"
_TWICE = re.compile(r"([\u4e00-\u9fff])(了|过了?)\1(了|过了?)")


def _said_twice(question: str, clause: str) -> bool | None:
    """A one-character verb of the question said twice as the opening clause ("打了打了"
    to "有没有打电话提醒您", "发过了发过了"): a yes; None otherwise."""
    m = _TWICE.fullmatch(clause)
    if m is None or m.group(1) in _NOT_ACTS:
        return None
    return True if m.group(1) in question else None


# a question whether something exists ("有没有食物过敏", "有没有漏水的地方"): its last word
_EXISTS_ASKED = re.compile(r"有没有[^，,。]*?([\u4e00-\u9fff]{2})[吗呢？?。\s]*$")


def _kind_named(question: str, clause: str) -> bool | None:
    """The thing a "有没有…" question asks about named with its kind as the opening
    clause ("花生过敏" to "有没有…过敏"): it exists, a yes; None otherwise (a negation or a
    question word in the clause reads nothing)."""
    m = _EXISTS_ASKED.search(question)
    if m is None:
        return None
    thing = m.group(1)
    named = re.fullmatch(rf"([\u4e00-\u9fff]{{1,4}}){re.escape(thing)}的?", clause)
    # a demonstrative points back at the question ("这个问题 我得问问"): no kind named
    if named is None or re.search(r"[不没无未别非啥哪谁么这那]|什么|怎么|多少", named.group(1)):
        return None
    return True


def _own_word(text: str, pos: int) -> bool:
    """A one-character verb at `pos` is a word of its own (考 in "还没考", "考了"), not
    part of another word (补考, 教练)."""
    for word, start, end in _words_of(text):
        if start <= pos < end:
            return start == pos or (end - start == 2 and word[0] in "不没别未")
    return True


@lru_cache(maxsize=2048)
def _words_of(text: str) -> tuple[tuple[str, int, int], ...]:
    import jieba

    from voxdial.conversation.knowledge import _jieba

    _jieba()
    return tuple(jieba.tokenize(text, HMM=False))  # dictionary words only


def _clause_ends(text: str, parts: list[str]) -> set[int]:
    """Where the reply's clauses end in `text` (its clauses run together)."""
    if "".join(parts) != text:
        return {len(text)}
    ends, at = set(), 0
    for p in parts:
        at += len(p)
        ends.add(at)
    return ends


# a result or degree after a negated verb ("没看太懂", "没听明白"): the act was done,
# its result not
_RESULT_MISSED = re.compile(r"^(太|很|大)?(懂|明白|清楚|仔细|全|完)")
# a question word just after the verb: the verb is asked about ("续费多少钱", "考啥")
_ASKED_AFTER = re.compile(r"^(?!了几[眼次回遍下趟])(.{0,3}(啥|什么|多少|几|吗|么|咋|怎么))")
# what may stand before a result complement said alone ("早过了", "一次就过了", "还没过")
_BEFORE_RESULT = re.compile(r"(^|[早已都也刚才就又总算终于次回没还经]|没有|已经)$")
# what may follow it ("过了", "过啦", "过过", "没过")
_AFTER_RESULT = re.compile(r"^[了啦咯喽的吧啊过]")


def _stands_as_result(text: str, pos: int, ends: set[int], heads: tuple[str, ...]) -> bool:
    """The result complement at `pos` stands alone, or after the question's verb heard
    as another character of the same sound (烤过 for 考过)."""
    after = pos + 1 in ends or bool(_AFTER_RESULT.match(text[pos + 1 : pos + 2]))
    start = pos == 0 or pos in ends
    before = start or bool(_BEFORE_RESULT.search(text[max(0, pos - 2) : pos]))
    if not before and heads and (start_of_verb := pos - 1) >= 0:
        before = (start_of_verb == 0 or start_of_verb in ends) and _same_sound(
            text[start_of_verb], heads
        )
    return before and after


def _same_sound(char: str, heads: tuple[str, ...]) -> bool:
    from voxdial.conversation.matching.spelling import _pinyin

    return any(_pinyin(char) == _pinyin(h) for h in heads)


def _echoed(text: str, pos: int, verb: str) -> bool | None:
    """What one saying of the verb at `pos` says: yes, or no when negated; None when
    it is asked about ("续费多少钱", "考啥")."""
    missed = _RESULT_MISSED.match(text[pos + len(verb) :])
    if missed and re.search("没|不", text[max(0, pos - 2) : pos]):
        return None  # "没看太懂": looked, did not understand; says neither
    if _negated_here(text, pos, verb):
        return False
    if _ASKED_AFTER.match(text[pos + len(verb) :]):
        return None
    if AVERSE.search(text[:pos]):  # "我不喜欢给别人推荐东西"
        return False
    if polarity(text) is False and NO.match(text):
        return False
    return True
