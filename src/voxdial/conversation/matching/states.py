"""A yes/no question about a state that is either fine or a problem ("水压正常吗",
"按约好的时间到的吗", "有没有破损", "any problems since?"): the reply is read as
describing the fine state or the problem, each word with its own negation ("没迟到" is
on time, "没觉得有啥不正常" is normal, "哪有准时" is late), and then mapped through
what the question asks about. Word lists are general ones for how people describe a
problem or its absence, not any one question's."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from voxdial.conversation.matching.cues import asks_back
from voxdial.conversation.matching.match import Ambiguous, Heard, Match
from voxdial.conversation.polarity import DOUBLE_NEGATION

if TYPE_CHECKING:
    from voxdial.conversation.matching.answers import AnswerSet

# a problem, a fault, lateness, damage, weakness
BAD = re.compile(
    r"不正常|异常|问题|毛病|故障|迟到|晚了|来晚|晚到|晚点到|不准时|破损|破了|破个|破了个|(?<![打突])破(?![费解])|坏了|损坏|"
    r"压扁|压坏|变形|裂了|碎了|漏水|渗水|滴水|漏了|时大时小|忽大忽小|水小|很小|太小|变小|小了|不稳|"
    r"落下|耽误|耽搁|错过|没来(?![晚迟])|放鸽子|爽约|"
    # a repair that did not hold: not working again, no change ("又不灵了", "跟没修一样")
    r"不灵|失灵|不好使|不管用|不顶用|不好用|罢工|老样子|没(什么|啥)?(变化|效果|改善)|"
    r"(跟|和)没[\u4e00-\u9fff]{1,2}(过)?一样|(跟|和)[\u4e00-\u9fff]{1,2}之前一样|"
    r"(?<![遗])漏(?![掉])|"
    r"\b(problems?|issues?|wrong|broken|damaged|late|leak(ing|s|ed)?|drip(ping|s)?|worse|"
    r"trouble|faulty|"
    r"not working|stopped working|weak|dented|torn|cracked|missed|skipped|no[- ]show|"
    r"same as before|no (better|different)|acting up|playing up|"
    r"didn'?t (show|turn) up|never (showed|turned) up)\b|"
    # a connection that drops ("dropped out", "keeps cutting out", "掉线", "断网")
    r"\b(drop(s|ped|ping)? (out|off)|cut(s|ting)? out|disconnect(s|ed|ing)?|outages?)\b|"
    r"掉线|断网|断线|断了|信号差|"
    # a smell ("还是有点臭", "又有那股味了", "a bit smelly"); not 有人情味, 臭美
    r"异味|怪味|(有|股)(点|股|那股|些|一股|怪)?味(?!道不错)|臭(?!美)|难闻|刺鼻|"
    r"\b(smelly|stinks?|stinky|stank|reeks?|odou?rs?)\b|"
    # a mess, said as a state ("脏兮兮的", "乱七八糟", "kinda grubby", "filthy")
    r"脏|乱七八糟|乱糟糟|邋遢|一层灰|全是灰|\b(dirty|grubby|filthy|messy|a mess|mucky|grimy|"
    r"stained|dusty|smelly|gross|disgusting|sticky)\b"
)
# the fine state
GOOD = re.compile(
    r"正常|准时|按时|按点|守时|准点|挺准|好好的|完好|完整|没坏|跟以前一样|和以前一样|跟原来一样|"
    r"挺好使|好使了|管用了|挺好的|"
    # a repair done, said of the thing ("早就修好了", "搞定了", "they fixed it")
    r"(修|弄|搞|处理|调)好了|修复了|解决了|搞定了|\b(fixed|sorted|resolved|repaired)\b|"
    # on time or early, said as a time kept ("到点就敲门了", "掐着点来的", "还提前了五分钟到")
    r"到点就|掐着点|提前[了个]?[\u4e00-\u9fff]{0,5}到|早到了|"
    r"\b(fine|normal|on time|punctual|intact|perfect(ly)?|working|in one piece|good as new)\b|"
    # steady, said of a connection or a machine ("rock solid", "rock steady", "很稳定")
    r"\b(rock solid|solid as a rock|rock steady|rock-solid|stable|reliable|flawless)\b|"
    r"稳定|很稳|挺稳|"
    # clean and tidy, said as a state ("干干净净的", "spotless", "clean as a whistle"); not
    # the act of cleaning ("had to clean up after them")
    r"干净|整洁|一尘不染|整整齐齐|利利索索|\b(spotless|pristine|immaculate|spick and span|"
    r"sparkling|clean as a whistle)\b|"
    r"\b(was|were|is|it'?s|pretty|very|really|so|nice and|perfectly|all|quite|super|fairly|"
    r"left it|kept it) (clean|tidy|neat)\b|^(clean|tidy|neat)\b(?! up)"
)
# a negator a few characters / words before a word ("没什么问题", "no problems", "wasn't late")
_NEG_ZH = re.compile(r"(没|不|无|未|别)[^，,。\s]{0,4}$")
_NEG_EN = re.compile(r"\b(no|not|never|without|nothing|hardly)\b[\w' ]{0,12}$|n't[\w' ]{0,8}$")
# a rhetorical question that denies ("哪有准时", "哪里准时了")
_DENY_ZH = re.compile(r"(哪有|哪里|哪儿|什么)[^，,。\s]{0,2}$")
# the question names what it asks about: a time kept ("按约好的时间"), a state, a repair
# done ("修好了吗", "has the leak been fixed")
# a repair asked about ("漏水的问题修好了吗", "has the leak been fixed"): the fine state
# is asked about, though the question names the problem
_ASKS_REPAIR = re.compile(
    r"(修|弄|处理|搞|调|装)好|修复|解决|搞定|恢复|\b(fixed|repaired|resolved|sorted)\b"
)
_ASKS_GOOD = re.compile(
    rf"{GOOD.pattern}|按.{{0,4}}时间|\b(as agreed|as scheduled)\b|\b(clean|tidy|neat)\b|"
    rf"{_ASKS_REPAIR.pattern}"
)
# a question whether something bad is over ("has the pain gone away", "不疼了吗"): it
# ceased ("no more", "went away", "消了") is the fine state, it lasts ("still", "又") the
# problem; read for such questions only
_ASKS_CEASED = re.compile(
    r"\b(gone|go|went) away\b|\b(stopped|cleared up|settled( down)?|eased( off)?|gone)\b|"
    r"(消|退|止住|缓解)了(吗|没)|不(疼|痛|痒|酸|晕|咳)了(吗|没)"
)
CEASED = re.compile(
    r"\bno more\b|\bnot any ?more\b|\bno longer\b|\b(went|gone|going) away\b|\bit'?s gone\b|"
    r"\b(cleared|cleared up|disappeared|stopped|settled|eased off|all gone)\b|"
    r"(消|退|止住|缓解|没)了|不[疼痛痒酸晕咳]了|好多了|都好了"
)
LASTING = re.compile(
    r"\bstill\b|\bagain\b|\bkeeps\b|\bcame back\b|\bcomes and goes\b|"
    r"还(是|在|有|会)?(疼|痛|痒|酸|晕|咳|有点)|又[\u4e00-\u9fff]{1,2}了|反反复复"
)


# a problem of something else ("顺便说一下 楼道灯也坏了", "also the bathroom tap is
# broken"): not the state asked about
_ANOTHER = re.compile(r"也|另外|还有|顺便|顺带|别的|其他|\b(also|another|other|by the way|btw)\b")


def _clause_before(text: str, start: int) -> str:
    """The words of the clause before `start` (Mandarin clauses end at spaces too)."""
    return re.split(r"[,.;]" if text.isascii() else r"[，,。\s]", text[:start])[-1]


def _states(text: str, ceased: bool = False) -> list[bool]:
    """What each state word says: True the fine state, False the problem; to a question
    whether something is over (`ceased`), also what says it ceased or lasts."""
    found: list[bool] = []
    if ceased:
        found += [True] * len(CEASED.findall(text)) + [False] * len(LASTING.findall(text))
    bad_spans = [m.span() for m in BAD.finditer(text)]
    for start, _ in bad_spans:
        if _ANOTHER.search(_clause_before(text, start)):
            continue  # "楼道灯也坏了": another thing's problem
        found.append(_negated(text, start))  # no problem: fine
    for m in GOOD.finditer(text):
        if any(s <= m.start() < e or m.start() <= s < m.end() for s, e in bad_spans):
            continue  # 正常 inside 不正常
        denied = _DENY_ZH.search(text[max(0, m.start() - 3) : m.start()])
        found.append(not (_negated(text, m.start()) or denied))
    return found


def _negated(text: str, start: int) -> bool:
    before = text[max(0, start - 16) : start]
    if text.isascii():
        return bool(_NEG_EN.search(before))
    before = _NOT_NEGATING.sub("，", before[-7:])[-5:]
    return bool(_NEG_ZH.search(before)) and not re.search(r"不错|没事了?$", before)


# words with a negator that negate nothing ("差不多晚了四十分钟", "不少", "不久"): left out
# before looking for a negation
_NOT_NEGATING = re.compile(r"差不多|不多|不少|不久|不一会|没多久|没一会")


def _state_pair(a: AnswerSet) -> tuple[int, int] | None:
    """Two answers that name the fine state and the problem themselves ("准时到了" /
    "迟到了", "on time" / "late"): (fine, problem); None for any other answers."""
    if len(a.keys) != 2:
        return None
    fine = [bool(GOOD.search(k)) and not BAD.search(k) for k in a.keys]
    bad = [bool(BAD.search(k)) for k in a.keys]
    if fine.count(True) != 1 or bad.count(True) != 1 or fine.index(True) == bad.index(True):
        return None
    return fine.index(True), bad.index(True)


def state(a: AnswerSet, heard: Heard) -> Match | None:
    if a.binary:
        assert a.yes is not None and a.no is not None
        return _state(a, heard, a.question, (a.yes, a.no))
    if (pair := _state_pair(a)) is not None:
        return _state(a, heard, "", pair, named=True)  # the answers name the fine state
    return None


def _state(
    a: AnswerSet, heard: Heard, question: str, fine_bad: tuple[int, int], *, named: bool = False
) -> Match | None:
    """The state the reply describes; the answer at fine_bad[0] when it is the state
    the question asks about (`named`: the answers name the states, the fine one first)."""
    yes, no = fine_bad
    ceased = bool(_ASKS_CEASED.search(question))
    asks_bad = bool(BAD.search(question)) and not ceased and not _ASKS_REPAIR.search(question)
    asks_good = (bool(_ASKS_GOOD.search(question)) or ceased or named) and not asks_bad
    if not asks_bad and not asks_good:
        return None
    parts = [p for p in heard.parts if not asks_back(p)] if heard.parts else []
    if heard.parts and not parts:
        return None  # "半夜漏水找谁": a question back, not a state
    if any(DOUBLE_NEGATION.search(p) for p in parts or [heard.text]):
        return None  # "I wouldn't say it never cut out": yes_no reads the denied denial
    # a cessation is read on the whole reply: "no more rattle" is a clause the matcher
    # narrows away as a turned-down one
    said = _states(heard.text if ceased or not parts else " ".join(parts), ceased)
    if not said:
        return None
    if len(set(said)) > 1:
        raise Ambiguous  # "准时 就是水有点小": both a fine state and a problem
    fine = said[0]
    return a.pick(yes if fine == asks_good else no, "state")
