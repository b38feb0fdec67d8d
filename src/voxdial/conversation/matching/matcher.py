"""`AnswerMatcher`: a question's answers and the stages that read a reply against them,
first decisive one wins."""

from __future__ import annotations

import re
from datetime import date

from voxdial.conversation import intents, polarity, times
from voxdial.conversation.matching import (
    corrections,
    frequency,
    levels,
    numbers,
    ordinals,
    outright,
    paraphrases,
    periods,
    scores,
    similarity,
    spelling,
    states,
    yes_no,
)
from voxdial.conversation.matching.answers import CONCEDED, UNDECIDED, VARIES, AnswerSet
from voxdial.conversation.matching.cues import (
    ANY,
    CLOCK,
    DEFERS,
    NEG_CLAUSE,
    NEGATION,
    NOW_CLAUSE,
    PAST_CLAUSE,
    REASON,
    SOMETIMES,
    USUALLY,
    WHICH_ASKED,
    negated_before,
)
from voxdial.conversation.matching.match import Ambiguous, Heard, Match
from voxdial.conversation.normalize import fold
from voxdial.conversation.quantities import amounts

# never looked at it, or cannot get to it ("没看过", "够不着", "never checked"): of a
# question which kind a thing is, not known (to a yes/no, "没看过" is a no)
_NOT_LOOKED = re.compile(
    r"没(仔细)?(看|注意|留意|查|瞧)(过|到)|够不着|看不到|\bnever (looked|checked)\b"
)


# a guess ("好像没有吧", "I think not") beside a "not looked" clause: the callee does not
# know, unless looking is what the question asks about ("查过吗")
_GUESSED = re.compile(r"好像|应该|可能|大概|估计|\b(i think|i guess|probably|i don'?t think)\b")
_UNCHECKED = re.compile(
    r"(还|也)?没(仔细)?(看|查|检查|测|测试|验|化验|试|问)过|\bhaven'?t (checked|looked|tested)\b"
)


def _guessed_unchecked(a: AnswerSet, text: str) -> bool:
    m = _UNCHECKED.search(text)
    if m is None or not _GUESSED.search(text[: m.start()]):
        return False
    looked = m.group(3) or m.group(4) or ""
    stem = looked[:4] if looked.isascii() else looked[:1]  # "checked": check
    return stem not in a.question


def _unsure(a: AnswerSet, heard: Heard) -> Match | None:
    """Someone else decides, or the callee is unsure ("还没想好", "depends"): the
    question's uncertain answer, or no answer at all."""
    if a.is_numeric and WHICH_ASKED.search(heard.text):
        raise Ambiguous
    if (mark := _mark_first(a, heard)) is not None:
        return mark  # "五分 看情况", "两分 别的不想说了": the mark, then a hedge
    if polarity.CONSULTS.search(heard.text) and any(a.uncertain):
        return a.pick_uncertain()  # "得先问问我儿子": undecided
    if polarity.CONSULTS.search(heard.text) and a.is_numeric and not a.is_scale:
        raise Ambiguous  # "好几个呢 我问问他们家长": the count is not known yet
    said = [heard.text, *heard.parts]
    if a.binary and _guessed_unchecked(a, heard.text):
        raise Ambiguous  # "好像没有吧 还没查过": a guess by one who has not looked
    if any(a.uncertain) and not a.binary and any(_NOT_LOOKED.search(p) for p in said):
        if outright.said(a, heard, quiet=True) is None and outright.partial(a, heard) is None:
            return a.pick_uncertain()  # "灶台下面我够不着 没看过": which kind is not known
    if DEFERS.search(heard.text):
        if any(a.uncertain) and DONE_BY_ANOTHER.search(heard.text) and any(map(_not_known, said)):
            return a.pick_uncertain()  # "my daughter did it for me, no idea how": not known
        raise Ambiguous  # ask again (or the one who decides)
    if any(VARIES.search(p) for p in said):
        return _varies(a, heard)
    if not any(intents.UNSURE.search(p) or polarity.UNSURE.search(p) for p in said):
        # a clause of its own: "不知道，是我妈收的", "no... well, maybe"
        return _undecided(a, heard) if any(UNDECIDED.search(p) for p in said) else None
    found = outright.said(a, heard, quiet=True)
    if found is not None and a.uncertain[found.index]:
        return found
    if any(a.uncertain):
        return a.pick_uncertain()
    raise Ambiguous  # unsure, and the question offers no such answer: ask again


# someone else did it for the callee ("my daughter did it for me", "是我老公去办的"): what
# the callee cannot tell about it, not knowing, is the question's uncertain answer (someone
# else deciding, "我老婆管这个 我不清楚", is not)
DONE_BY_ANOTHER = re.compile(
    r"\bmy (wife|husband|partner|son|daughter|mum|mom|dad|kids|flatmate|roommate) "
    r"(did|booked|arranged|handled|sorted|dealt with|took care of)\b|"
    r"是我(的)?(老婆|老公|爱人|媳妇|孩子|儿子|女儿|老伴|妈|爸)(去|来|帮我|帮忙|替我)?[\u4e00-\u9fff]{1,3}的"
)


def _not_known(part: str) -> bool:
    """Whether a clause says the callee does not know or has not decided ("no idea")."""
    return any(p.search(part) for p in (intents.UNSURE, polarity.UNSURE, UNDECIDED))


def _mark_first(a: AnswerSet, heard: Heard) -> Match | None:
    """A mark given on a points scale in the reply's opening clause, a hedge or a
    refusal to say more after it, and no other number ("五分 看情况", "两分 别的不想说了",
    "seven, depends on the day"): the mark. A hedge before the mark ("不好说 五分吧")
    still leaves it unread."""
    if not heard.parts or (len(heard.parts) < 2 and not heard.narrowed):
        return None
    first = heard.parts[0]
    if not heard.text.startswith(first) or len(amounts(heard.text)) != len(amounts(first)):
        return None
    hedges = (DEFERS, intents.UNSURE, polarity.UNSURE, polarity.CONSULTS, VARIES)
    if any(p.search(first) for p in hedges):
        return None
    try:
        return scores.first_mark(a, first, heard.today)
    except Ambiguous:
        return None


def _undecided(a: AnswerSet, heard: Heard) -> Match | None:
    """Not decided, in words only the uncertain answer is read from ("这个不好讲", "who
    knows"): that answer when the question offers one and no other answer is named,
    or one is named only to be conceded ("想办是想办 但还得琢磨琢磨", "不是不想办 ...
    以后再说吧": wanting it is not choosing it)."""
    if not any(a.uncertain):
        return None
    found = outright.said(a, heard, quiet=True)
    if found is not None and not a.uncertain[found.index] and not CONCEDED.search(heard.text):
        return None
    return a.pick_uncertain()


def _varies(a: AnswerSet, heard: Heard) -> Match | None:
    """It changes from time to time ("每次不一样", "it varies"): an answer said outright
    beside it is left to the later stages ("一般快递柜 每次不一样"); otherwise the
    uncertain answer, or no answer (ask again)."""
    if outright.said(a, heard, quiet=True) is not None:
        return None
    if any(a.uncertain):
        return a.pick_uncertain()
    raise Ambiguous


def _time_corrected(a: AnswerSet, heard: Heard) -> Match | None:
    """A day or time said again after a correction ("wednesday, oh wait, I'm out
    wednesday, monday", "晚上 哦不对 晚上我要接孩子 还是早上吧"): the one said last."""
    if a.choices is None or len(heard.parts) < 2:
        return None
    try:
        index = a.choices.corrected(heard.parts, heard.today)
    except times.Ambiguous:
        raise Ambiguous from None
    return None if index is None else a.pick(index, "corrected")  # final: not re-weighed


def _turned_down(a: AnswerSet, heard: Heard) -> Match | None:
    """Days or times all turned down ("周二周四都不行", "not monday, not friday"): the one
    choice left, or no answer; read before the answers said outright, which would take
    a day named only to be turned down."""
    if a.choices is None:
        return None
    try:
        clauses = [heard.text] if times.excepts(heard.text) else heard.parts or [heard.text]
        left = a.choices.turned_down(clauses, heard.today)
        if left is None and heard.every and not _names_any(a, clauses[0], heard.today):
            # "不要上午 我要睡觉 也不要晚上": the clauses left out turn the others down
            left = a.choices.turned_down(list(heard.every), heard.today)
    except times.Ambiguous:
        raise Ambiguous from None
    if left is None:
        return None
    said = outright.said(a, heard, quiet=True)  # the same answer, said outright
    return said if said is not None and said.index == left else a.pick(left, "time")


def _names_any(a: AnswerSet, text: str, today: date) -> bool:
    """Whether `text` names a day or time choice, or reads as one by another stage's
    words ("the first one": an ordinal)."""
    try:
        return a.choices is not None and a.choices.pick(text, today) is not None
    except times.Ambiguous:
        return True


# "am" / "pm" said alone for the half of the day ("am please", "pm if you can"), not as
# "i am", nor in a reply with an hour ("ten am", "9 30 in the am": the clock reads those)
_HALF_DAY = re.compile(r"(?<!\bi )\b(a|p)\.?m\b\.?(?! i\b)")
_HOUR_SAID = re.compile(
    r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|noon|o'?clock)\b"
)


def _half_day(text: str) -> str:
    """The reply with a bare "am" / "pm" said as the morning / the afternoon."""
    if "m" not in text or _HOUR_SAID.search(text):
        return text
    return _HALF_DAY.sub(lambda m: "morning" if m.group(1) == "a" else "afternoon", text)


def _time(a: AnswerSet, heard: Heard) -> Match | None:
    """A time of day or a day ("三点左右", "周四", "tomorrow") among timed choices."""
    if a.choices is None:
        return None
    scope = ", ".join(heard.parts) if heard.parts else heard.text  # clauses kept apart
    scope = _half_day(scope)
    if heard.parts and all(NEG_CLAUSE.search(p) for p in heard.parts):
        # "mornings are no good": turned down, nothing chosen, unless one choice is left
        if (left := a.choices.remaining(heard.parts, heard.today)) is None:
            raise Ambiguous
        return a.pick(left, "time")
    if ANY.search(scope) and not (
        times.is_soonest(scope) or times.excepts(scope) or times.bounded(scope)
    ):
        raise Ambiguous
    try:
        index = a.choices.pick(scope, heard.today)
    except times.Ambiguous:
        raise Ambiguous from None
    return None if index is None else a.pick(index, "time")


# how plainly a clause names an answer: said outright (2) or in other words (1); a score
# word is not weighed (a reason clause, "太差了 装了三次才装好", often carries one)
_RANK = {"state": 2, "said": 2, "period": 2, "number": 2, "time": 2, "ordinal": 2,
         "paraphrase": 1, "partial": 1}  # fmt: skip
# a hedged guess that ends as a question: the callee asks rather than tells
GUESS_ASKED = re.compile(
    r"(\b(probably|maybe|perhaps|i guess|i suppose)\b|可能|大概|估计|也许).*[?？]$"
)
# readings by sound, spelling or meaning alone
GUESSED = {"fuzzy", "sounds", "clipped", "embedding"}
# a correction in the reply: the later answer stands, the engine reads it
CORRECTION = re.compile(
    r"不对|说错|我是说|应该是|哦不|啊不|不是不是|\bno,? (wait|sorry)\b|\bactually\b|"
    r"\bi mean\b|\bsorry\b|\brather\b|scratch that|make (that|it)"
)


def _without_whether(text: str) -> str:
    """The reply without "X没X" / "X不X" ("不记得去没去过": asks whether, says neither)."""
    return outright.WHETHER.sub(" ", text).strip() if "没" in text or "不" in text else text


def _names(found: Match, clause: str) -> bool:
    """Whether a clause's match names its answer plainly; a count read from a clock
    time ("改一点半" is half past one, not one time) does not."""
    return found.how in _RANK and not (found.how == "number" and CLOCK.search(clause))


# more than one of the choices wanted ("flu and covid both", "两个都要", "all three",
# "a bit of each")
BOTH = re.compile(
    r"\bboth\b(?! of (us|you))|\ball (three|four|of them|of those)\b|\bthe lot\b|"
    r"\b(a bit|a little|some|one) of each\b|"
    r"\b(a )?bit of everything\b|\ba (bit of a )?(mix|mixture)\b|\ba mixed bag\b|\ball sorts\b|"
    r"(两|三|几)(个|种|样|项)(都|全)|都要了?$|全都要|全要|(什么|啥|样样|各种(各样)?)都有|"
    r"(和|跟|与|还有).{1,8}都(看|用|要|选|想要|去|买)|^都(看|用|要|选)(?!不)"
)
# an answer that is itself more than one of the others ("Both", "两个都要", "All of them")
BOTH_ANSWER = re.compile(
    r"^(both|all of (them|the above)|all (three|four))\b|^(a )?(mix|mixture|combination)\b|"
    r"^mixed\b|^(a )?bit of (both|everything)\b|^混合|^(各种|什么)都有|"
    r"^(两|三)?(个|种|样|者)?(都|全)(要|有|需要|用|做|选)?$|^(全都|全部|以上都)"
)
# two answers said side by side ("glasses and also a box of contacts", "微信加现金"):
# more than one of them, not the first named
TOGETHER = re.compile(
    r"\band(?: also| then| a| some)?\b|\bplus\b|\bas well as\b|\balong with\b|"
    r"和|跟|还有|以及|加上|外加|再加"
)


# words that offer what follows as an alternative ("要么洗澡要么造型", "可能会可能不会",
# "either the van or the estate", "maybe plus, maybe gig"); 不可能 is a no, not a maybe
EITHER = re.compile(r"要么|或者|或是|(?<!不)可能|也许|或许|\beither\b|\bor\b|\bmaybe\b")


# a weekday word whose day is not a day ("周事", "星期似", "礼拜师": ASR's sound for one)
_ODD_DAY = re.compile(r"(?:周|星期|礼拜)(?![一二三四五六七日天末几1-7儿])[\u4e00-\u9fff]")
# one choice excepted from a refusal of all the others ("除了周五 其他都不行", "除开微信
# 别的都不用", "except friday, none of them work"): that one
_ONLY_EXCEPTED = re.compile(
    r"(?:除了|除开)(?P<x>[^，,。]{1,12}?)(?:以外|之外)?\s*(?:其他|其它|别的|其余|剩下)的?"
    r"[\u4e00-\u9fff]{0,3}?都(?:不行|不可以|不方便|没空|没时间|去不了|来不了|不用|不要|不考虑)|"
    r"\b(?:except|apart from|other than|besides) (?P<x2>[a-z0-9 ]{2,20}?),? "
    r"(?:nothing|none of (?:them|the others)|no other (?:day|time|one)) "
    r"(?:works?|suits?|is any good)\b"
)


# a question of what the callee means to do ("打算装吗", "would you like to book")
_ASKS_PLAN = re.compile(
    r"打算|准备|要不要|想不想|考虑|\b(plan|planning|going|intend) to\b|\bwould you like\b|"
    r"\bdo you want\b"
)
# said done already, in English ("already booked it", "we've already got one")
_ALREADY_DONE = re.compile(
    r"\balready (had|have|got|done|did|booked|installed|bought|ordered|signed|sorted|"
    r"changed|replaced)\b"
)
_ALREADY = "(已经|早就|早都|早已)"
# somewhere other than the caller's ("at the GP", "elsewhere", 在别家)
_ELSEWHERE = re.compile(
    r"\bat (the|my|a) (gp|doctor'?s|surgery|clinic|chemist'?s?|pharmacy|hospital)\b|"
    r"\bat work\b|\b(elsewhere|somewhere else)\b|在(别的|别家|其他|外面|别处)|别家"
)
# an answer's first character that says no act ("不装": the negator, "再考虑": a wait)
_NOT_DONE = set("不没别再还")


# none of the choices wanted, said in a clause ("都不用", "什么都不办", "不用不用", "none")
_NOTHING_WANTED = re.compile(
    r"^都(不|没)|(什么|啥|哪样|哪个|一样)都不|^(不用|不要|不需要|不必)(了|不用|不要|不需要)*$|"
    r"\b(none|nothing|neither)\b"
)


# after the answer said outright and the scale, in this order
_LATER_STAGES = (
    levels.level,
    ordinals.quantity,  # before the number stage: "two forty" is one figure, not two counts
    numbers.number,
    ordinals.ordinal,
    ordinals.extreme,
    ordinals.figure,
    ordinals.span,
    ordinals.length,
    periods.period,
    _time,
    outright.left_over,  # before paraphrase, which reads "不X也不Y" as neither of two
    outright.left_of_turned_down,
    paraphrases.paraphrase,
    yes_no.yes_no,
    paraphrases.going_on,  # after yes/no: "续吧" to 续约吗 is the question's verb echoed
    outright.partial,
    outright.stem,
    outright.verb,
    spelling.fuzzy,
    spelling.sounds,
    spelling.clipped,
    similarity.embedding,
)


def _opens_with_another(parts: list[str], read: list, found: Match) -> bool:
    """Whether the reply opens with a clause naming another answer than `found` (read
    from a later clause), with no usually / sometimes to rank them: the opening clause
    is where a choice is said, so the two are not told apart (asked again)."""
    if not read or read[0][0] != parts[0] or any(USUALLY.search(p) or SOMETIMES.search(p)
                                                 for p in parts):  # fmt: skip
        return False
    first = read[0][1]
    return first is not None and first.how in _RANK and first.index != found.index


class AnswerMatcher(AnswerSet):
    """Matches replies to one question's preset answers. Build once per question:
    the answers' embeddings are computed on first use and kept."""

    def match(self, reply: str, *, today: date | None = None) -> Match | None:
        changed, found = self._changed_mind(reply, today)
        if changed:
            return found
        if self._several(reply, today):
            return self._both(reply)  # "flu and covid both", "两个都要": more than one choice
        if (offered := self._alternatives(reply, today)) is not None:
            # "要么玫瑰要么百合" of those two, "可能会可能不会": not chosen, so unsure; two
            # of three ("基础或者标准 在这两个里头纠结") narrow the choice: ask again
            return self.pick_uncertain() if offered >= set(self.plain) else None
        found = self._match(reply, today, whole=True)
        if found is None and self.binary and self._done_elsewhere(reply):
            return self.pick(self.no, "said")  # "I've already had it at the GP": not with us
        none = self._none_answer()
        if none is not None and (found is None or found.index == none) and self._wants_none(reply):
            return self.pick(none, "said")  # "什么都不办", "不用不用 就安检": the "none" answer
        refuses = self._refuses_all(reply) and not _ONLY_EXCEPTED.search(self.clean(reply))
        kept = found is not None and (self.uncertain[found.index] or found.index == none)
        if found is not None and not kept and refuses:
            return None  # "都不要 烫发染发都不做", "none of them": no choice is left
        if found is not None and found.how in GUESSED and outright.NONE_WANTED.search(fold(reply)):
            return None  # "造型药浴都不做": none is wanted, a spelling guess does not name one
        if found is not None and not self.uncertain[found.index] and self.guess_asked(reply):
            return None  # "my mum's O so probably me too?": a guess asked back, no answer
        if found is not None and not self.uncertain[found.index] and self._done_already(reply):
            return None  # "已经装了啊" to 打算装吗: done already, no plan to choose
        if found is not None and found.how in GUESSED and outright.other_object(
            self, found.index, fold(reply)
        ):
            return None  # "退到账户上": near 退到余额 by its verb, but it names its own object
        if found is not None and found.how in GUESSED and self._odd_day(reply):
            return None  # "周事吧": a weekday misheard, which one is not known
        if found is None or found.how not in _RANK:
            return found
        return self._one_answer(reply, found, today)

    def guess_asked(self, reply: str) -> bool:
        """Whether a choice reply is a guess put as a question ("probably B?", "大概是A吧？");
        a scale or a yes/no takes a hedge as its own reading."""
        plain_choice = not (self.binary or self.is_scale or self.is_numeric)
        return plain_choice and GUESS_ASKED.search(fold(reply).strip()) is not None

    def _done_already(self, reply: str) -> bool:
        """Whether a question of what the callee means to do is told it is done already
        ("已经装了", "早就换过了", "already booked it"): none of the plans is chosen."""
        if not _ASKS_PLAN.search(self.question or ""):
            return False
        said = fold(reply)
        verbs = {k[:1] for k in self.keys if k and not k.isascii()} - _NOT_DONE
        done = (rf"{_ALREADY}[\u4e00-\u9fff]{{0,2}}{re.escape(c)}(了|过|上|好)" for c in verbs)
        return any(re.search(d, said) for d in done) or _ALREADY_DONE.search(said) is not None

    def _done_elsewhere(self, reply: str) -> bool:
        """Whether a plan asked of is told done already somewhere else ("I've already had
        it at the GP", "早就在别家装了"): no need of it from the caller."""
        return self._done_already(reply) and _ELSEWHERE.search(fold(reply)) is not None

    def _none_answer(self) -> int | None:
        """The answer that turns every other one down ("都不用", "None of them"), if any."""
        if self.binary or self.is_numeric or self.is_scale:
            return None
        found = [i for i in self.plain if outright.NONE_ANSWER.search(self.keys[i])]
        return found[0] if len(found) == 1 else None

    def _wants_none(self, reply: str) -> bool:
        """Whether a clause wants none of the choices ("都不用", "什么都不办", "不用不用")."""
        return any(_NOTHING_WANTED.search(fold(c)) for c in intents.clauses(reply))

    def _odd_day(self, reply: str) -> bool:
        """Whether the answers are days and the reply names a weekday that is none."""
        return self.is_days and _ODD_DAY.search(fold(reply)) is not None

    def _several(self, reply: str, today: date | None) -> bool:
        """Whether the reply wants more than one choice: in words ("两个都要", "both",
        not "不是两个都要") or by naming two answers joined ("glasses and contacts")."""
        if self.is_numeric or self.binary:
            return False
        said = fold(reply)
        if BOTH.search(said):
            return not self._mostly_one(said)
        if self.is_scale or self.choices is not None or any(TOGETHER.search(k) for k in self.keys):
            return False  # marks and days have stages of their own; "Cats and dogs" is one
        if any(c.search(said) for c in (NEGATION, CORRECTION, EITHER, USUALLY, SOMETIMES)):
            return False  # "not X and not Y", "or rather", "mostly X, now and then Y": ranked later
        named = set()
        for stretch in TOGETHER.split(said):
            found = self._match(stretch, today, whole=False) if stretch.strip() else None
            if found is not None and _names(found, stretch) and not self.uncertain[found.index]:
                named.add(found.index)
        return len(named) > 1

    def _mostly_one(self, said: str) -> bool:
        """Whether "both" is ranked with a usually ("both, but mostly Byres Road", "两家都去
        主要去东门那家") and no answer says both: the one used most is the answer."""
        return USUALLY.search(said) is not None and not any(map(BOTH_ANSWER.search, self.keys))

    def _both(self, reply: str) -> Match | None:
        """The answer that says more than one of the others ("Both"), or none; none
        either when "both" is denied ("不是两个都要", "not both")."""
        said = fold(reply)
        both = BOTH.search(said)
        if both is not None and negated_before(said, both.start(), 6):
            return None
        for i, k in enumerate(self.keys):
            if BOTH_ANSWER.search(k):
                return self.pick(i, "said")
        return None

    def _refuses_all(self, reply: str) -> bool:
        """Whether a clause turns every choice down ("都不要", "none of them"); the
        uncertain answer is still read from "都没想好"."""
        if self.is_numeric or self.binary:
            return False
        return any(outright.ALL_REFUSED.search(fold(c)) for c in intents.clauses(reply))

    def _alternatives(self, reply: str, today: date | None) -> set[int] | None:
        """The answers the reply offers as alternatives, two or more, each named plainly
        in its own stretch ("要么洗澡要么造型", "morning or lunchtime"); None when it
        offers none. Amounts and scales are left to their stages ("一两个", "4 or 5" are
        ranges), answers that hold such a word themselves ("3 or more") and corrections
        ("or rather") too."""
        said = fold(reply)
        if (self.is_numeric and not self.is_timed) or self.is_scale or CORRECTION.search(said):
            return None
        if not EITHER.search(said) or any(EITHER.search(k) for k in self.keys):
            return None
        named = set()
        for stretch in EITHER.split(said):
            found = self._match(stretch, today, whole=False) if stretch.strip() else None
            if found is not None and _names(found, stretch):
                named.add(found.index)
        return named if len(named) > 1 else None

    def _one_answer(self, reply: str, found: Match, today: date | None) -> Match | None:
        """Collect only when one answer has the evidence: a clause naming another answer
        at least as plainly ("周二吧，周四也行") makes the reply ambiguous (None). What
        a clause says happens sometimes gives way to what happens usually ("usually
        online, sometimes a check"); a weaker reading in a reason clause ("text, I'm
        always on my phone") does not outweigh an answer said outright. A correction
        ("不对", "no wait") is the engine's to read: the last answer stands."""
        parts, _ = self._clauses(reply)
        if len(parts) < 2 or CORRECTION.search(fold(reply)):
            return found
        if found.how == "number" and self._marked(reply, parts) == found.index:
            return found  # "三分 扎了两回": the mark given, not the count in the reason
        read = [(p, self._match(p, today, whole=False)) for p in parts if not REASON.search(p)]
        own = [p for p, m in read if m is not None and m.index == found.index]
        rare = bool(own) and all(SOMETIMES.search(p) for p in own)
        if _opens_with_another(parts, read, found):
            return None  # "brand, the generic gave me a headache": which is chosen is unclear
        for part, other in read:
            if other is None or other.index == found.index or other.how not in _RANK:
                continue
            if SOMETIMES.search(part) and not rare:
                continue
            if rare or USUALLY.search(part):
                return other if not SOMETIMES.search(part) else None
            if _RANK[other.how] >= _RANK[found.how]:
                return None
        return found

    def _marked(self, reply: str, parts: list[str]) -> int | None:
        """The answer a mark given on a points scale names (scores.mark), if any."""
        try:
            found = scores.mark(self, Heard(self.clean(reply), parts, False, date.today()))
        except Ambiguous:
            return None
        return None if found is None else found.index

    def _changed_mind(self, reply: str, today: date | None) -> tuple[bool, Match | None]:
        """(True, the answer) when the reply corrects itself ("晚上 哦不对 早上", "Monday,
        oh wait, Friday": what follows the last cue answers, or nothing does) or settles
        on a choice in its last clause naming one ("晚上要接孩子 还是早上吧")."""
        said = fold(reply)
        rest = corrections.after_correction(said)
        tail = self._parts(rest) if rest else []
        before = corrections.before_correction(said) if rest is not None else ""
        if tail:
            dropped = self._match(before, today, whole=False) if before.strip() else None
            return True, self._last_said(tail, today, None if dropped is None else dropped.index)
        if before and self._match(before, today, whole=False):
            return True, None  # "晚上 不对": taken back, nothing said instead
        for part in reversed(self._parts(reply)):
            kept = corrections.settled(part)
            found = self._match(kept, today, whole=False) if kept else None
            if found is not None and _names(found, part):
                return True, found
            if kept and corrections.CHANGES.search(part):
                return True, None  # "改两点" changes something this question does not offer
            if kept or self._match(part, today, whole=False) is not None:
                break
        return False, None

    def _parts(self, text: str) -> list[str]:
        return [p for p in (self.clean(c) for c in intents.clauses(text)) if p]

    def _last_said(
        self, tail: list[str], today: date | None, dropped: int | None = None
    ) -> Match | None:
        """The answer the clauses after a correction give: the last clause naming one
        plainly (not one turning it down, nor the one taken back when another is named
        before it: "周五 不对不对 周六 周五我要送伢上学" gives the reason), or else all of
        them read together."""
        named = [(p, self._match(p, today, whole=False)) for p in tail]
        others = {m.index for p, m in named if m is not None and _names(m, p)} - {dropped}
        for part, found in reversed(named):
            if corrections.PUT_OFF.search(part):
                continue  # "panels first, the battery can come later": not the one chosen
            if found is not None and found.index == dropped and others:
                continue
            if found is not None and _names(found, part) and not NEG_CLAUSE.search(part):
                return found
        return self._match("，".join(tail), today, whole=False) if tail else None

    def _match(self, reply: str, today: date | None, *, whole: bool) -> Match | None:
        text = self.clean(reply)
        if not text or not self.answers or intents.is_hesitation(reply):
            return None
        if (only := _ONLY_EXCEPTED.search(text)) is not None:
            # "除了周五 其他都不行": every other choice is turned down, the excepted one is left
            kept = only["x"] or only["x2"]
            found = self._match(kept, today, whole=False)
            return found if found is not None and _names(found, kept) else None
        parts, narrowed = self._clauses(reply)
        as_said = Heard(text, parts, narrowed, today or date.today())
        # the other stages read the reply without "X没X" ("不记得去没去过" says neither);
        # the unsure one keeps it ("看房东涨不涨价吧": it depends)
        every = tuple(p for p in map(self.clean, intents.clauses(reply)) if p) if narrowed else ()
        heard = Heard(
            _without_whether(text),
            [p for p in map(_without_whether, parts) if p],
            narrowed,
            as_said.today,
            every,
        )
        said, scale = outright.said, scores.scale
        first = (scale, said) if self.is_scale else (said, scale)
        if self.how_often is not None:  # before "said": "不太经常" is not 经常
            first = (frequency.how_often, *first)
        later = _LATER_STAGES if whole else _LATER_STAGES[:-1]  # no encoder per clause
        try:
            found = _unsure(self, as_said)
            if found is None:  # a mark given on a points scale, among other numbers
                found = scores.mark(self, heard)
            if found is None:  # counts not known, none said as words, marks out of a total
                found = numbers.early(self, heard)
            if found is not None:
                return found
            staged = (yes_no.share, _time_corrected, _turned_down, *first, *later)
            return self._staged(heard, staged)
        except Ambiguous:
            return None

    def _staged(self, heard: Heard, stages: tuple) -> Match | None:
        """The first stage's answer; answers a stage turned down ("不去驿站") are not
        taken from a later one."""
        turned_down: frozenset[int] = frozenset()
        for stage in (states.state, *stages):
            try:
                found = stage(self, heard)
            except outright.TurnedDown as e:
                turned_down, found = e.indexes, None
            if found is not None:
                return None if found.index in turned_down else found
        return None

    def _clauses(self, reply: str) -> tuple[list[str], bool]:
        """The reply's clauses that may carry the answer: a clause turning a choice down
        ("上午不行") or saying how it used to be ("以前去营业厅", with a "现在" clause)
        is left out when another clause remains."""
        parts = [self.clean(p) for p in intents.clauses(reply)]
        parts = [p for p in parts if p]
        if len(parts) < 2:
            return parts, False
        kept = [p for p in parts if not NEG_CLAUSE.search(p) or outright.DOUBLE_NEGATION.match(p)]
        if any(NOW_CLAUSE.search(p) for p in kept):
            kept = [p for p in kept if not PAST_CLAUSE.search(p) or NOW_CLAUSE.search(p)]
        return (kept, len(kept) < len(parts)) if kept else (parts, False)
