"""Several answers in one reply, read clause by clause.

Callees often answer the question asked and, in the same breath, one asked later:
"保洁四分 保安给八分吧", "a four for the phone, and an eight for the claim", "两张 我家是
8栋1单元702", "twice a day, and my patient number is 51207", or the later one first
("我们家三口人 一个月十五吨左右吧"). Read as a whole, such a reply names two numbers and
is ambiguous; read clause by clause, each clause names one answer.

The reading is kept only when it is clean: exactly one answer for the question asked,
named plainly by its own clauses, and every other answer taken from clauses that do not
read as an answer to the question asked. Otherwise the reply is left to the usual
reading (the engine asks again). The same reading serves the reply to the opening's
question when it carries answers ("可以 周六上午来吧", "sure, thursday afternoon from four
works"): the consent words are left out first.
"""

from __future__ import annotations

import re
from typing import Any

from voxdial.conversation import free_text, intents, topics
from voxdial.conversation.matching import Match
from voxdial.conversation.matching.numbers import counted
from voxdial.conversation.normalize import clean, fold
from voxdial.conversation.quantities import TOTAL

# how plainly a clause must name the current question's answer to be read on its own
PLAIN = {"said", "said-negated", "scale", "number", "time", "ordinal", "period", "state"}
# what a clause may give a later question (the engine's own list for volunteered answers)
LATER = {"said", "said-negated", "scale", "number", "time", "echo", "paraphrase", "people"}
# what a later question takes from the clauses that name its topic: a plain answer, or a
# piece of one answer ("拖得干干净净" for 很干净); not its own words echoed, which are the
# topic named, not an answer ("上门保养的师傅人挺好" says nothing of 会 or 不会)
_ADDRESSED = (LATER - {"echo"}) | {"partial"}
# a clause giving a total ("一共两部", "three in total"): it stands over a clause counting
# a part of it ("家里还有我老婆一部")
_TOTAL = re.compile(TOTAL)
# a later free-text question asking for comments takes the clause that names what it asks
# for ("建议嘛就是希望能带双鞋套", "my only suggestion is ...") and the clauses after it
_SOLICITED = re.compile(r"意见|建议|改进|suggest|improve|feedback|comments?|complain|投诉", re.I)

# consent said at the head of the reply to the opening's question: the words left out
# before its answers are read ("可以 你问吧 我是满意的", "sure, go ahead, thursday")
_CONSENT_CLAUSE = re.compile(
    r"^(?:(?:嗯|恩|哦|噢|啊|呃|额|诶|哎|那|那就|好|好的|好啊|好吧|行|行啊|行吧|可以|可以的|可以啊|"
    r"没问题|方便|是|是的|对|对的|嗯哪|"
    r"有空|有时间|你说|你问|您说|您问|说吧|问吧|你说吧|你问吧|请讲|请说|来吧|中|得嘞|成|"
    r"um+|uh+|er+|erm|hmm+|mm+|well|oh|ah|right|so|yes please|please|"
    r"ok|okay|sure|yes|yeah|yep|yup|fine|alright|all right|of course|go ahead|go on|"
    r"fire away|shoot|ask away|i have|i do|i've got a minute|got a minute|"
    r"sure thing|no problem|why not)\s*)+$"
)
# the time a callee grants the call, at the opening's question ("两分钟没问题", "就几分钟啊",
# "a couple of minutes is fine", "two minutes, go on"), with what says it is enough
_CALL_LENGTH = re.compile(
    r"(就|给你|给您)?([一两二三四五几十]|\d+)(来)?分钟(的话|是吧|啊|吧|够了|可以|行|没问题)?|"
    # "能聊两句", "说几句": a few words' time, the length of the call
    r"(能|可以)?(聊|说|谈)(两|几|一)句(话)?|"
    r"\b(a|one|two|three|five|ten|a few|a couple( of)?|\d+) (minutes?|mins?)"
    r"( is| are)?( (fine|ok|okay|alright|all right|enough))?\b"
)
# a later free-text question that asks for a number or reference takes the digits a
# clause gives ("我家是8栋1单元702", "my patient number is 51207")
_CODE = re.compile(r"\d{3,}")


def clauses(text: str) -> list[str]:
    """The reply's clauses (at punctuation, spaces between Chinese words, "but")."""
    return [c for c in intents.clauses(text) if clean(c)]


def without_consent(reply: str) -> str:
    """The reply to the opening's question without the clauses that only consent, the
    time granted for the call left out first ("两分钟没问题", "sure, a few minutes is fine":
    the two is the minutes the opening asked for, not an answer)."""
    kept = []
    for c in clauses(reply):
        said = _CALL_LENGTH.sub(" ", fold(c)).strip()
        if said and not _CONSENT_CLAUSE.match(said):
            kept.append(c)
    return "，".join(kept)


def read(conv: Any, index: int, text: str, main: Match | None) -> tuple[Match, list] | None:
    """(the current question's answer, [(later index, answer), ...]) read clause by
    clause, or None when the clauses do not give one clean reading. `main`: what the
    whole reply gave the current question (None: nothing); a clause reading that names
    another answer is not taken."""
    parts = clauses(text)
    if len(parts) < 2:
        return None
    parts, comment = _comment(conv, index, parts)
    parts, addressed = _addressed(conv, index, parts)
    own, rest, codes = [], [], []
    for part in parts:
        code = _later_code(conv, index, part)
        if code is not None:  # "my patient number is 51207": a reference, not a count
            codes.append(code)
            continue
        m = conv._match(index, part)
        plain = m is not None and (m.how in PLAIN or main is not None and m.answer == main.answer)
        (own if plain else rest).append((part, m))
    answers = {m.answer for _, m in own}
    if len(answers) != 1 or (main is not None and main.answer not in answers):
        return None
    found = main if main is not None else own[0][1]
    later = _later(conv, index, [p for p, m in rest if m is None])
    if later is None or len({j for j, _ in codes}) < len(codes):
        return None
    return found, sorted([*later, *codes, *comment, *addressed])


def _comment(conv: Any, index: int, parts: list[str]) -> tuple[list[str], list]:
    """(the clauses left, [(j, free answer)]): from the first clause naming what a later
    free-text question asks for, the rest of the reply is its answer."""
    for j in range(index + 1, len(conv.questions)):
        if j in conv.answers or conv._answers_of(j):
            continue
        asked = {w.lower() for w in _SOLICITED.findall(conv._question(j))}
        if not asked:
            continue
        for n, part in enumerate(parts[1:], start=1):
            said = {w.lower() for w in _SOLICITED.findall(part)}
            if said & asked:
                return parts[:n], [(j, Match(-1, "，".join(parts[n:]), "free"))]
    return parts, []


def _addressed(conv: Any, index: int, parts: list[str]) -> tuple[list[str], list]:
    """(the clauses left, [(j, answer)]): from a clause after the first one that names
    the topic of a later unanswered question ("and the front desk a five", "yes please
    to the text reminder", "走之前地也拖得干干净净"), the rest of the reply answers that
    question, when it names one of its answers plainly; the current question does not
    read those clauses (the five is the front desk's, not the visit's)."""
    for n, part in enumerate(parts[1:], start=1):
        said = fold(part)
        for j in range(index + 1, len(conv.questions)):
            if j in conv.answers or not conv._answers_of(j):
                continue
            topic = topics.words(conv._question(j), conv._question(index), content=True)
            if not any(topics.names(said, w) for w in topic):
                continue
            m = conv._match(j, "，".join(parts[n:]))
            if m is not None and m.how in _ADDRESSED:
                return _others_kept(conv, index, j, parts, n, m), [(j, m)]
            return parts, []
    return parts, []


def _others_kept(conv: Any, index: int, j: int, parts: list[str], n: int, m: Match) -> list[str]:
    """The clauses left for the other questions once clauses n.. answered question j:
    those before n, and those after n when clause n alone gives j's answer and each of
    them answers another later question ("周二 五点半那个 两个孩子一起": the last clause
    is the count's, not the time's)."""
    rest = parts[n + 1 :]
    if not rest:
        return parts[:n]
    alone = conv._match(j, parts[n])
    if alone is None or alone.answer != m.answer:
        return parts[:n]
    answered = [_one_clause(conv, index, p) for p in rest]
    if not all(found and found[0][0] != j for found in answered):
        return parts[:n]
    return parts[:n] + rest


def own_clause(conv: Any, index: int, j: int, text: str) -> bool:
    """Whether a clause of `text` answers question `j` and is not read by the question
    being asked (`index`): a word echoed from a later question counts only there."""
    for part in clauses(text):
        if conv._match(j, part) is not None and conv._match(index, part) is None:
            return True
    return False


def better(split: tuple | None, main: Match | None, extra: list) -> tuple[Match | None, list]:
    """The clause reading when it says more than the whole reply's and agrees with it
    (the same answers for the questions both read); the whole reply's with the later
    answers only the clauses give added, when both give the current question the same
    answer and no question two different ones; else the whole reply's."""
    if split is None or not split[1]:
        return main, extra
    given = dict(split[1])
    if any(j in given and given[j].answer != m.answer for j, m in extra):
        return main, extra
    if len(split[1]) > len(extra) and all(j in given for j, _ in extra):
        return split
    if main is None or split[0].answer != main.answer or not set(given) - {j for j, _ in extra}:
        return main, extra
    # "周六上午 管子是橡胶的": the whole reply gives the slot (上午), the clauses the hose;
    # they agree on the day and name different questions, so both are kept
    return main, sorted([*extra, *((j, m) for j, m in split[1] if j not in dict(extra))])


def _later(conv: Any, index: int, parts: list[str]) -> list[tuple[int, Match]] | None:
    """The later questions' answers the clauses give, each from its own clauses; None
    when two clauses give one question different answers."""
    out: dict[int, Match] = {}
    totals: set[int] = set()
    for part in parts:
        for j, m in _one_clause(conv, index, part):
            total = bool(_TOTAL.search(part))
            if j in out and out[j].answer != m.answer:
                if total == (j in totals):
                    return None
                if not total:
                    continue  # the total said before stands
            out[j] = m
            totals |= {j} if total else set()
    return sorted(out.items())


def _one_clause(conv: Any, index: int, part: str) -> list[tuple[int, Match]]:
    """The first later unanswered question this clause answers plainly."""
    for j in range(index + 1, len(conv.questions)):
        if j in conv.answers:
            continue
        if not conv._answers_of(j):
            code = _code(conv, j, part)
            if code is not None:
                return [(j, code)]
            continue
        other = conv._matcher(j)
        m = other.match(part, today=conv.now.date())
        if m is None or m.how not in LATER or echoes_current(conv, index, other, part, m):
            continue
        marked = _points(other) and _a_mark(part)
        if counted(other, part, m.how) or marked or _asked_unit(other, part):
            return [(j, m)]
    return []


def echoes_current(conv: Any, index: int, other: Any, text: str, m: Match) -> bool:
    """Whether a later question's reading `m` of `text` rests on the words of the question
    being asked: "垃圾都拉走了" to "有没有把装修垃圾清干净" says the rubbish went, not a mark
    of 1 ("垃圾" as a rating) for the next question. Those words taken out, `m` is gone."""
    said = fold(text)
    own = [w for w in topics.words(conv._question(index), "", content=True) if w in said]
    if not own:
        return False
    for w in sorted(own, key=len, reverse=True):  # English words whole ("after", not "afternoon")
        said = re.sub(rf"\b{re.escape(w)}s?\b" if w.isascii() else re.escape(w), " ", said)
    left = other.match(said, today=conv.now.date()) if said.strip() else None
    return left is None or left.answer != m.answer


# a number followed by a word it counts or measures ("拖了一遍地", "一堆碎片", "一下"): no mark
_COUNTS_SOMETHING = re.compile(r"[零一二两三四五六七八九十\d]+\s*(?![分星])[\u4e00-\u9fff]")
_MARK_END = re.compile(
    r"[零一二两三四五六七八九十\d]+\s*(分|星|颗星)?\s*[吧嘛啊呀哈了的呢噻撒咯]*$"
)


def _a_mark(part: str) -> bool:
    """Whether a clause's number reads as a mark ("四分嘛", "就三吧", "a four"), not a
    count of something else ("拖了一遍地", "一堆瓷砖碎片")."""
    said = fold(part)
    if not re.search(r"[\u4e00-\u9fff]", said):
        return True
    return bool(_MARK_END.search(said)) or not _COUNTS_SOMETHING.search(said)


# what a question counts, named in it: "how many years ...", "几张", "多少吨"
_ASKED_UNIT = re.compile(r"how many (\w+?)s?\b|(?:几|多少)(?:个)?([\u4e00-\u9fff])")


def _asked_unit(a: Any, part: str) -> bool:
    """Whether a clause counts in the unit the question asks about ("we've been here
    about fifteen years" to "How many years ..."): a number in it answers that question."""
    m = _ASKED_UNIT.search(a.question)
    unit = m and (m.group(1) or m.group(2))
    return bool(unit) and re.search(rf"\b{re.escape(unit)}|{re.escape(unit)}", part) is not None


def _points(a: Any) -> bool:
    """A points scale ("1".."10", "1分".."5分"): a number said alone in a clause is a mark."""
    return a.is_scale or all(re.fullmatch(r"\d+\s*(分|points?|stars?)?", k) for k in a.keys)


def _later_code(conv: Any, index: int, part: str) -> tuple[int, Match] | None:
    """The first later unanswered free-text question asking for a reference that this
    clause gives digits for."""
    for j in range(index + 1, len(conv.questions)):
        if j not in conv.answers and not conv._answers_of(j):
            code = _code(conv, j, part)
            if code is not None:
                return j, code
    return None


def _code(conv: Any, index: int, part: str) -> Match | None:
    question = conv._question(index)
    if not free_text.asks_for_code(question):
        return None
    if not _CODE.search(free_text.digits(fold(part))):
        return None
    return Match(-1, part, "free")
