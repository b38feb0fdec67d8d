"""The answer said outright, whole ("满意", with negation: "不是很满意" says its opposite;
of two choices, "上午不行" says the other) or by a piece found in no other answer
("一般用微信" for 微信支付)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from voxdial.conversation.matching.cues import (
    NEGATION,
    QUESTION_BACK,
    negated_after,
    negated_before,
    negation_denied,
)
from voxdial.conversation.matching.match import Ambiguous, Heard, Match

# neither one nor the other ("不反对也不赞成", "neither for nor against")
NEITHER = re.compile(r"不[\u4e00-\u9fff]{1,3}也不[\u4e00-\u9fff]|\bneither\b.{1,30}\bnor\b")

if TYPE_CHECKING:
    from voxdial.conversation.matching.answers import AnswerSet

_PARTIAL_STOP = {
    "以上", "以下", "及以", "以内", "不是", "没有", "一个",
    "the", "a", "an", "it", "one", "of", "or", "and", "to", "sure", "yes", "no", "not",
    "ok", "okay", "very", "more", "than", "less", "my", "me", "i", "ones",
}  # fmt: skip


def key_patterns(keys: list[str]) -> list[tuple[int, str, re.Pattern[str]]]:
    """Each answer's text as a pattern, longest first; ASCII ones as whole words."""
    return [
        (
            i,
            k,
            re.compile(rf"(?<![a-z']){re.escape(k)}(?![a-z])" if k.isascii() else re.escape(k)),
        )
        for i, k in sorted(enumerate(keys), key=lambda p: -len(p[1]))
        if k
    ]


# the negation inside an answer ("从没做过", "没收拾"): a piece of it without the
# negation says the opposite, so only pieces that keep it name the answer
_NEGATOR_IN = re.compile(r"[没不无未别]|\b(never|no|not|none)\b")


def distinctive_parts(keys: list[str], skip: list[bool]) -> list[list[str]]:
    """Pieces of each answer found in no other answer: "微信" of 微信支付 (next to
    支付宝), "text" of "Text message"; none for the answers `skip` marks (negative or
    uncertain ones)."""
    pieces: list[set[str]] = []
    for k in keys:
        got: set[str] = set()
        got = {w for w in re.findall(r"[a-z]+", k) if len(w) >= 3}  # "app" of App还款 too
        # "contacts" of Contact lenses; never an everyday word ("good" of White goods)
        got |= {_other_number(w) for w in got - _PARTIAL_STOP} - _OTHER_NUMBER_STOP
        got |= {w[:-3] + "ery" for w in got if len(w) >= 7 and w.endswith("ing")}  # cookery
        for run in re.findall("[\u4e00-\u9fff]{3,}", k):
            got |= {run[i : i + n] for n in (2, 3) for i in range(len(run) - n + 1)}
        if negator := _NEGATOR_IN.search(k):  # 从没做过: "做过" says the opposite
            got = {w for w in got if negator.group(0) in w}
        pieces.append(got - _PARTIAL_STOP)
    out = []
    for i, own in enumerate(pieces):
        if skip[i]:
            out.append([])
            continue
        others = set().union(*(p for j, p in enumerate(pieces) if j != i)) if pieces else set()
        rest = " ".join(k for j, k in enumerate(keys) if j != i)
        out.append(sorted((w for w in own - others if w not in rest), key=len, reverse=True))
    return out


# the other number of these plurals is another, everyday word: "it's all good" names no
# White goods, "good news" no News, "thanks" no Thank-you card
_OTHER_NUMBER_STOP = frozenset(
    "good new thank mean sweet green great fine right well sure nice saving clothe pant "
    "premise".split()
)


def _other_number(word: str) -> str:
    """An English word in the other number: "contacts" for contact, "daily" for
    dailies, "glass" for glasses (people say "the monthly ones" for "Monthlies")."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if re.search(r"(ss|x|ch|sh)es$", word):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss") and len(word) > 4:
        return word[:-1]
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    return word + ("es" if re.search(r"(ss|x|ch|sh)$", word) else "s")


def _leads(text: str, pos: int) -> bool:
    """A one-character answer not used as a copula or auxiliary after a pronoun ("是" in
    "我是她老公", "会" in "我会考虑" say nothing about the answers 是 / 会), nor inside a
    sentence between two words unless negated ("科目一是考啥的": a copula, not the
    answer 是; "没见到有坏的" does say 没有)."""
    if pos == 0:
        return True
    if text[pos - 1] in "我你他她它这那就还但可要也":
        return False
    after = text[pos + 1 : pos + 2]
    inside = _CJK.match(text[pos - 1]) and after and _CJK.match(after)
    return not (inside and after not in _PARTICLES) or negated_before(text, pos, 6)


_CJK = re.compile("[\u4e00-\u9fff]")
_PARTICLES = "的啊吧呀呢了嘛哈哦呗啦"
# "X没X过", "去不去": a question of whether, naming no answer (不记得换没换过)
WHETHER = re.compile("([\u4e00-\u9fff])[没不]\\1|有没得")  # 有没得: 有没有, in the south-west


def a_not_a(text: str, start: int, key: str) -> bool:
    """Whether the answer at text[start:] is part of an "X没X" / "X不X" question."""
    end = start + len(key)
    return any(s < end and start < e for s, e in (m.span() for m in WHETHER.finditer(text)))


# answer words used as adverbs when a verb or adverb follows ("一般都用微信": usually)
_ADVERB = {
    "一般": re.compile(r"(都|是|会|就|在|用|去|来|要|比较|挺|很|也|不|没|周|早|晚|上午|下午)")
}
# a negative answer itself denied ("也不能说没练上", "i wouldnt say no"): not that answer
_DENIED = re.compile(
    r"(不能说|不好说是|谈不上|也不是|并不是|不是说|说不上)\s*$|(?<![有])没有$|"
    r"\b(wouldn'?t|won'?t|can'?t|couldn'?t|don'?t|didn'?t|not) "
    r"(say|call it|go so far as to say)\s*$"
)


def said(a: AnswerSet, heard: Heard, *, quiet: bool = False) -> Match | None:
    """An answer said outright: in the clauses that may carry it first, then anywhere.
    `quiet`: None instead of Ambiguous when several are said."""
    parts = heard.parts
    if heard.narrowed or len(parts) > 1:
        for scope in ([" ".join(parts)] if heard.narrowed else []) + parts:
            found = said_in(a, scope, quiet=True)
            if found is not None:
                return found
    found = said_in(a, heard.text, quiet=quiet or heard.narrowed)
    if found is None and (joined := _joined(heard.text, a.keys)) != heard.text:
        found = said_in(a, joined, quiet=True)  # "e-mail", "east gate": one word, split
    if heard.narrowed and found is not None and not a.negative[found.index]:
        # not from a clause turned down ("以前去驿站 现在都是上门取"), unless that clause
        # leaves the one other choice ("not harbour road, i can never get parking there")
        return found if found.how == "said-negated" else None  # (a negative one is kept above)
    return found


def _joined(text: str, keys: list[str]) -> str:
    """The text with an answer's word said split in two by a hyphen or a space put back
    together ("e-mail" for Email, "east gate" for Eastgate), two letters or more after it."""
    for w in {w for k in keys if k.isascii() for w in re.findall(r"[a-z]{4,}", k)}:
        halves = "|".join(f"{w[:n]}[- ]{w[n:]}" for n in range(1, len(w) - 1))
        text = re.sub(rf"(?<![a-z])(?:{halves})(?![a-z])", w, text)
    return text


def said_in(a: AnswerSet, text: str, *, quiet: bool) -> Match | None:
    spans: list[tuple[int, int, int]] = []  # (start, end, answer index)
    for i, key, pattern in a.key_patterns:
        if key not in text:
            continue
        for m in pattern.finditer(text):
            if len(key) == 1 and (not _leads(text, m.start()) or QUESTION_BACK.search(text)):
                continue  # "是" in "我是她老公", "科目一是考啥的" is not the answer 是
            if _ADVERB.get(key) and _ADVERB[key].match(text, m.end()):
                continue  # "一般都挺快的": usually, not the answer 一般
            if a_not_a(text, m.start(), key):
                continue  # "换没换过" asks whether, it does not say 没换过
            if not any(s < m.end() and m.start() < e for s, e, _ in spans):
                spans.append((m.start(), m.end(), i))
    if not spans:
        return None
    plain, negated = set(), set()
    for start, end, i in spans:
        if a.negative[i] and (_denied_before(text, start) or _denies_next(text, end, a.keys[i])):
            return _denied(a, i, quiet)
        if (
            not a.negative[i]
            and not a.uncertain[i]
            and (_turned_away(text, start, end) or _listed_then_refused(a, text, end))
        ):
            negated.add(i)
        else:
            plain.add(i)
    if len(plain) == 1:
        return a.pick(plain.pop(), "said")
    if len(plain) > 1:
        if quiet:
            return None
        raise Ambiguous
    # only negated answers: "不是很满意" says the answer's opposite, but "不反对也不赞成"
    # turns both down (of three, a later stage may find the one left)
    if NEITHER.search(text) or ALL_REFUSED.search(text):
        if quiet:
            return None
        raise TurnedDown(negated)
    if a.is_scale and all(a.scores[i] is not None for i in negated):
        return None  # the scale stage reads it
    opposite = [j for j, neg in enumerate(a.negative) if neg]
    if len(opposite) == 1:
        return a.pick(opposite[0], "said-negated")
    others = [j for j in range(len(a.answers)) if j not in negated]
    if len(others) == 1:  # "上午不行" of two choices
        return a.pick(others[0], "said-negated")
    if quiet:
        return None
    raise TurnedDown(negated)


class TurnedDown(Ambiguous):
    """Answers turned down and several left ("不去驿站 ... 一般用柜子"): a later stage
    may name one of the rest; none of these may be taken."""

    def __init__(self, indexes: set[int]) -> None:
        super().__init__()
        self.indexes = frozenset(indexes)


def _denied_before(text: str, start: int) -> bool:
    """The answer at `start` comes after a denial of it: cues' double negations and the
    longer English forms ("wouldn't go so far as to say no")."""
    return negation_denied(text, start) or bool(_DENIED.search(text[max(0, start - 24) : start]))


def _denies_next(text: str, end: int, key: str) -> bool:
    """A negative answer that negates what follows it ("不会不来的", "不是不想"): a double
    negation, a yes; the answer said twice ("不会不会") is an emphatic no."""
    return (
        key[0] in "不没" and text[end : end + 1] in ("不", "没") and not text.startswith(key, end)
    )


def _denied(a: AnswerSet, index: int, quiet: bool) -> Match | None:
    """A negative answer denied: of two answers, the other one ("也不能说没练上" ->
    练上了); with more (an uncertain one too) it is not clear which is meant."""
    if a.binary:
        return a.pick(next(j for j in range(len(a.answers)) if j != index), "said-negated")
    if quiet:
        return None
    raise Ambiguous


# a unit of time: among amounts ("4 to 7 days", "more than a week") it names no answer
# ("the full week" is 7 days, which the number stage reads)
_TIME_UNIT_WORD = re.compile(r"^(day|week|month|year|night|hour)s?$")
# a bound of an amount: among amounts ("over 200", "10万以上") it names no answer without
# the amount ("well over the minimum" says no weight)
_BOUND_WORD = re.compile(r"^(over|under|more|less|fewer|above|below|than|plus|以上|以下|以内)$")


def _amount_word(w: str) -> bool:
    return _TIME_UNIT_WORD.match(w) is not None or _BOUND_WORD.match(w) is not None


# a denied verb just before a piece ("doesn't run early", "can't do mornings"); "don't
# mind" allows it
_NEG_VERB_BEFORE = re.compile(r"(?:\b\w+n't|\bnot|\bnever)\s+(?!mind\b)[a-z]+\s+$")


def partial(a: AnswerSet, heard: Heard) -> Match | None:
    """A distinctive piece of one answer said ("一般用微信" -> 微信支付)."""
    scope = " ".join(heard.parts) if heard.narrowed else heard.text
    if NONE_WANTED.search(scope):
        return None  # "造型药浴都不做": pieces listed, then all turned down
    scope = _joined(scope, a.keys)
    found = set()
    for i, pieces in enumerate(a.parts):
        for w in pieces:
            if w not in scope or (a.is_numeric and _amount_word(w)):
                continue
            pattern = rf"(?<![a-z]){w}(?![a-z])" if w.isascii() else re.escape(w)
            m = re.search(pattern, scope)
            if m and scope[max(0, m.start() - 6) : m.start()] == "on my ":
                continue  # "on my phone": the device used, not the answer "by phone"
            if m and _other_kind(a.keys[i], w, scope, m.start()):
                continue
            if m and _other_object(a, i, w, scope, m.end()):
                continue
            if m and w.isascii() and _NEG_VERB_BEFORE.search(scope[: m.start()]):
                continue  # "the bus doesn't run early": the piece is denied, not chosen
            if m and not negated_before(scope, m.start(), 16 if w.isascii() else 6):
                found.add(i)  # "i'm done with contacts" turns Contact lenses down
                break
    if len(found) == 1:
        return a.pick(found.pop(), "partial")
    return None


# a verb's complement that wants a place or person after it (退到, 寄给, 放在, 转进)
_WANTS_OBJECT = "到给在进"
# what may follow such a piece without naming an object of its own
_AFTER_OBJECT = set("了的吧啊呀哦嘛呢这那里上")


def _other_object(a: AnswerSet, i: int, piece: str, text: str, end: int) -> bool:
    """Whether the piece is the answer's verb said with another object: "退到账户上" says
    where to (an account, which either answer may be), not 退到余额's balance."""
    if piece[-1] not in _WANTS_OBJECT:
        return False
    after = text[end : end + 1]
    if not ("\u4e00" <= after <= "\u9fff") or after in _AFTER_OBJECT:
        return False
    return after not in a.answers[i] + "".join(a.parts[i])


def other_object(a: AnswerSet, i: int, text: str) -> bool:
    """Whether the reply says the answer's verb and complement (退到) with an object of its
    own: a near spelling of the answer ("退到账户上" of 退到余额) does not name it."""
    for end in range(2, len(text)):
        if text[end - 1] in _WANTS_OBJECT and text[end - 2 : end] in a.answers[i]:
            if _other_object(a, i, text[end - 2 : end], text, end):
                return True
    return False


def _other_kind(key: str, piece: str, text: str, start: int) -> bool:
    """Whether the piece is the answer's head word said of another kind: "普通的空调"
    names an ordinary 空调, not 中央空调, whose own modifier (中央) is not said."""
    return key.endswith(piece) and len(piece) < len(key) and text[max(0, start - 1) : start] == "的"


def stems_of(keys: list[str], skip: list[bool]) -> list[str]:
    """Each two-character Mandarin answer's first character when it shares its last one
    (its head: 色, 号, 款, 机) with another answer: 粉 of 粉色 beside 蓝色 / 黄色, 大 of
    大号 beside 小号; "" for the rest (and for the answers `skip` marks)."""
    two = re.compile("[\u4e00-\u9fff]{2}")
    plain = [k if not s and two.fullmatch(k) else "" for k, s in zip(keys, skip, strict=True)]
    heads = [k[-1:] for k in plain]
    stems = []
    for i, k in enumerate(plain):
        shared = k and sum(h == heads[i] for h in heads) >= 2
        alone = shared and not any(k[0] in o for j, o in enumerate(keys) if j != i)
        stems.append(k[0] if alone and k[0] not in _NO_STEM else "")
    return stems


# a stem said with 的 after a word that picks or points at it ("给个蓝的", "要粉的", "就黄的吧");
# after any other character it is part of a word ("明白的", "网红的"): not the answer
_STEM_AFTER = "要个给选拿换用是就还挑来弄整那这"
# characters that are no colour, size or kind of their own
_NO_STEM = set("一二两三四五六七八九十不没无有是的了")


def stem(a: AnswerSet, heard: Heard) -> Match | None:
    """A two-character answer named by its first character and 的, its head dropped ("粉的
    女孩子嘛" -> 粉色, "不要粉的 给个蓝的" -> 蓝色); a stem turned down is not the answer."""
    text = heard.text
    found, loose = set(), set()  # said after a word that picks it; said anywhere
    for i, c in enumerate(a.stems):
        for m in re.finditer(f"{re.escape(c)}的", text) if c else ():
            if negated_before(text, m.start(), 6):
                continue
            loose.add(i)
            before = text[m.start() - 1 : m.start()]
            if not before or before in _STEM_AFTER or not _CJK.match(before):
                found.add(i)
    return a.pick(found.pop(), "stem") if len(found) == 1 and loose == found else None


# every one of them, said of the answers ("哪个都不要", "一个都不选", "neither of them")
_EVERY_ONE = r"哪个都|一个都|\bneither of\b"
# none of them wanted ("都不要", "neither", "none of them"): nothing is left to choose
NONE_WANTED = re.compile(rf"都不|都没|{_EVERY_ONE}|\b(none|nothing)\b")
# turned away after it is named ("药浴不要", "造型也不用了", "the gig, no thanks")
_UNWANTED_AFTER = re.compile(
    r"^\s*(就|也|都|可以|的话)?\s*(不要|不用|不做|不需要|不考虑|算了|免了|pass)|^,?\s*no thanks\b"
)


# every choice turned down, not only the ones named ("都不要 烫发染发都不做", "哪个都不想要")
ALL_REFUSED = re.compile(rf"^都(不|没)|{_EVERY_ONE}|\bnone of\b")
# between answers listed one after another
_LIST_GLUE = r"(?:\s|和|跟|与|还有|以及|或者|、|,|\band\b|\bor\b)*"


def _listed_then_refused(a: AnswerSet, text: str, end: int) -> bool:
    """An answer listed with others before they are all turned down ("烫发染发都不做",
    "小号和大号都不要")."""
    keys = "|".join(re.escape(k) for k in sorted(a.keys, key=len, reverse=True) if k)
    if "都" not in text[end:] or not keys:
        return False
    return bool(re.match(rf"(?:{_LIST_GLUE}(?:{keys}))*{_LIST_GLUE}(的)?都(不|没)", text[end:]))


def _refused_after(text: str, end: int) -> bool:
    return negated_after(text, end) or bool(_UNWANTED_AFTER.match(text[end : end + 10]))


# a negation itself denied just before an answer ("不是不想报", "也不是不要"): the answer said
DOUBLE_NEGATION = re.compile(r"(不是|并不是|也不是|倒不是|倒也不是)不(想|要|会|打算|愿意|肯)?")
_DOUBLE_NEGATED = re.compile(f"(?:{DOUBLE_NEGATION.pattern})$")


def _turned_away(text: str, start: int, end: int) -> bool:
    """Whether the answer at text[start:end] is negated before it (not twice: "不是不想报"
    says it) or turned away after."""
    if _DOUBLE_NEGATED.search(text[max(0, start - 6) : start]):
        return _refused_after(text, end)
    return negated_before(text, start, 16 if text.isascii() else 6) or _refused_after(text, end)


def left_over(a: AnswerSet, heard: Heard) -> Match | None:
    """The one answer left when every other one is turned down by its name or a piece of
    it ("不做造型 也不用药浴" -> 洗澡 of 洗澡 / 全身造型 / 药浴; "not the gig, not starter"),
    among three or more; the uncertain and negative answers are never left over."""
    plain = a.plain
    if len(plain) < 3 or NONE_WANTED.search(heard.text):
        return None
    # named somewhere, and plainly in no clause that may carry the answer ("也不算大 中型吧":
    # 中型 is not what 不算 turns down; "不是小型的" is a clause turning one down)
    clauses = heard.parts or [heard.text]
    down = {
        i
        for i in plain
        if _mentions(a, i, heard.text)
        and not any(_mentions(a, i, c, plainly=True) for c in clauses)
        or _means_turned_down(a.keys[i], heard.text)
    }
    left = [i for i in plain if i not in down]
    return a.pick(left[0], "left-over") if len(left) == 1 and len(down) >= 2 else None


# a way of being reached and what it takes: a text needs a mobile, an email a computer or
# the internet ("I've not got a mobile and I don't do the computer": neither of those)
_MEANS = (
    (re.compile(r"^(a )?(text|sms)"), re.compile(r"\b(mobile|cell ?phone|smartphone)\b")),
    (re.compile(r"^(an )?e-?mail"), re.compile(r"\b(computer|internet|laptop)\b")),
)


def _means_turned_down(key: str, text: str) -> bool:
    """Whether the reply says the callee lacks what answer `key` needs ("no mobile" of a
    text message)."""
    for answer, means in _MEANS:
        if answer.search(key):
            return any(_turned_away(text, m.start(), m.end()) for m in means.finditer(text))
    return False


def _mentions(a: AnswerSet, i: int, text: str, *, plainly: bool = False) -> bool:
    """Whether `text` names answer `i` by its whole text or a piece of it (`plainly`: not
    negated before it nor turned away after it)."""
    for word in [a.keys[i], *a.parts[i]]:
        pattern = rf"(?<![a-z]){re.escape(word)}(?![a-z])" if word.isascii() else re.escape(word)
        for m in re.finditer(pattern, text):
            if not plainly or not _turned_away(text, m.start(), m.end()):
                return True
    return False


# characters too common to stand for an answer's verb ("上门" / "到店": 上 and 到 are
# everywhere), numerals and negators among them
_NO_VERB = set("一二两三四五六七八九十百不没无有是会要能可上下大小中多少快慢好先再都也就还这那全")


def verb(a: AnswerSet, heard: Heard) -> Match | None:
    """An answer named by its leading verb said as a light verb phrase ("洗洗就行",
    "简单洗一下" for 洗澡; "看一看" for 看牙): the verb doubled, with 一下 or 一V, or after
    简单; only a verb found in no other answer."""
    found = set()
    for i, key in enumerate(a.keys):
        c = key[:1]
        if len(key) < 2 or not _CJK.match(c) or c in _NO_VERB or a.negative[i] or a.uncertain[i]:
            continue
        if any(c in k for j, k in enumerate(a.keys) if j != i):
            continue
        m = re.search(rf"{c}{c}|{c}一下|{c}一{c}|简单{c}", heard.text)
        if m and not negated_before(heard.text, m.start(), 6):
            found.add(i)
    return a.pick(found.pop(), "verb") if len(found) == 1 else None


# what the question says an answer is for or comes with ("toric lenses for astigmatism",
# "the premium plan with free calls"): a callee may name the answer by it alone
_FOR_WITH = re.compile(r"\b(?:for|with) ((?:[a-z'-]+ ?){1,3})")


def described(question: str, keys: list[str], skip: list[bool]) -> list[list[str]]:
    """For each English answer, the words the question says it is for or comes with
    ("astigmatism" of Toric in "daily, monthly, or toric lenses for astigmatism"), when
    they are said nowhere else in the question nor in another answer."""
    stretches = re.split(r"[,?;:]| or ", question)
    out: list[list[str]] = []
    for i, key in enumerate(keys):
        own = [s for s in stretches if key.isascii() and re.search(rf"\b{re.escape(key)}\b", s)]
        m = _FOR_WITH.search(own[0], own[0].index(key)) if len(own) == 1 and not skip[i] else None
        words = re.findall(r"[a-z]{5,}", m.group(1)) if m else []
        out.append([w for w in words if question.count(w) == 1 and not any(w in k for k in keys)])
    return out


def question_forms(question: str, keys: list[str]) -> list[str]:
    """Each answer as the question words it ("换航空里程" for the answer 换里程 in "换商品、
    换航空里程，还是抵年费"): the shortest stretch of the question holding the answer's
    characters in order, first and last included, so a reply may name it by the
    question's words ("换航空那个"). Mandarin answers only; the answer itself otherwise."""
    forms = []
    for key in keys:
        form = key
        if len(key) >= 2 and re.fullmatch("[\u4e00-\u9fff]+", key) and key not in question:
            gaps = "".join(re.escape(c) + "[\u4e00-\u9fff]{0,3}" for c in key[:-1])
            pattern = re.compile(gaps + re.escape(key[-1]))
            found = {m.group(0) for m in pattern.finditer(question)}
            if len(found) == 1:
                form = found.pop()
        forms.append(form)
    return forms


# an answer that turns every other one down ("都不用", "none of them", "neither")
NONE_ANSWER = re.compile(r"^(都不|都没|全都不|一个都不|哪个都不|不用了|none\b|neither\b|nothing\b)")
# words whose 不 negates nothing ("不锈钢" is steel, "不错" good)
_NOT_NEGATING = re.compile(r"不锈钢?|不错|不过|不管|不然|不少")
# characters of an answer too common to point at it among the ones left
_NO_POINT = set("的了吧是我你他她它这那个就都也还要有在和不没一上下大小中多少好去来")


def left_of_turned_down(a: AnswerSet, heard: Heard) -> Match | None:
    """The one choice left when the reply turns others down by name ("不要报警器", "不是橡胶的",
    "不用微信 也不用支付宝") and says, in a clause of its own, what it wants instead ("管子还是
    换了吧", "是不锈钢的", "工行每个月自己扣": of the choices left, the one whose own
    characters that clause says). Of two choices and nothing else, turning one down says the
    other ("不要余额"). A "none of them" answer or an unsure one is never what is left."""
    if a.is_numeric or a.is_scale or a.binary or a.choices is not None:
        return None
    text = heard.text
    real = [i for i in a.plain if not NONE_ANSWER.search(a.keys[i])]
    if len(real) < 2 or NONE_WANTED.search(text) or ALL_REFUSED.search(text):
        return None
    clauses = heard.parts or [text]
    down = {
        i for i in real
        if _mentions(a, i, text) and not any(_mentions(a, i, c, plainly=True) for c in clauses)
    }  # fmt: skip
    left = [i for i in real if i not in down]
    if not down or not left:
        return None
    if len(real) == 2 and len(a.keys) == 2:
        return a.pick(left[0], "left-over")  # "不要余额" of two: the other
    wanted = [
        c for c in clauses
        if not NEGATION.search(_NOT_NEGATING.sub(" ", c))
        and not any(_mentions(a, i, c) for i in down)
    ]  # fmt: skip
    pointed = [
        i for i in left
        if any(_points_at(a, i, left, c) or len(left) == 1 and _CHOOSES.search(c) for c in wanted)
    ]  # fmt: skip
    return a.pick(pointed[0], "left-over") if len(pointed) == 1 else None


# a clause that says what is chosen ("是不锈钢的", "还是换了吧", "就要那个")
_CHOOSES = re.compile(r"^(就|那就|还是)?(是|要|用|选)|还是")


def _points_at(a: AnswerSet, i: int, left: list[int], clause: str) -> bool:
    """Whether a clause says a Mandarin character of choice `i` found in no other choice
    left ("自己扣" of 银行代扣 beside 营业厅; "管子还是换了吧" of 换软管, 换报警器 turned
    down)."""
    others = "".join(a.keys[j] for j in left if j != i)
    own = {c for c in a.keys[i] if _CJK.match(c) and c not in others and c not in _NO_POINT}
    return any(c in clause for c in own)
