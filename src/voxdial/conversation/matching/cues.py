"""Cues in a reply that the stages share: a negator just before an answer, someone else
deciding, a clock time, "each", a clause turning a choice down, then and now, "any of
them", a contrast, a dislike."""

from __future__ import annotations

import re

from voxdial.conversation.normalize import is_filler

NEGATORS = re.compile(
    r"(不|没|别|非|未|无|not|no|don't|dont|never|n't|"
    # given up on it ("i'm done with contacts", "sick of the van")
    r"\b(done|finished|through|fed up) with|\b(sick|tired) of|\bno more)"
    r"(\s*(是|太|很|怎么|大|那么|想|要|打算|愿意|会|再|that|very|really|so|the|a|an|on|at|"
    r"this|any|think|i'?ll|i will|we'?ll|want to|going to|gonna|plan to|to|"
    # the light verb or the means turned down with it ("i don't do email", "not by text")
    r"do|use|by|via|"
    # or not had at all ("i don't have a mobile", "i've not got a computer")
    r"have|has|got|own|"
    r"(she|he|it|they|we|you)('s|'re| is| are| was| were)|is|are|was|were|be|getting))*\s*$"
)
# a negation anywhere in the reply: the spelling and similarity stages stay out of it
NEGATION = re.compile(r"\b(not|no|never)\b|n't|不|没")
# the callee asks whether their case counts ("有只鹦鹉算不算", "does a hamster count"):
# a question back, not an answer; read with DEFERS, on the reply as said (the matcher
# takes "X不X" out of what the later stages read)
ASKS_IF_COUNTS = re.compile(
    r"算不算|也算吗|算吗|能算吗|算数吗|\b(does|would|do) (that|it|this|they|a \w+|an \w+) count\b"
)
# someone else decides, did it or knows ("我老婆管这个", "ask my husband", "是我老公去取的"),
# or the callee will not say ("不想说"): not the callee's answer
DEFERS = re.compile(
    r"(老婆|老公|爱人|媳妇|家里人|孩子|儿子|女儿|领导|老板|我妈|我爸)(管|负责|做主|说了算|定)|"
    r"(问|找|问问|问一下|问下|商量|跟.{0,3}商量)(我|一下)?(老婆|老公|爱人|媳妇|家里人|领导|老板|儿子|女儿|孩子|老伴|家里)|"
    r"不归我管|不是我管|我不管这|"
    # the household is still arguing it out ("我们俩还在吵呢", "we can't agree on it")
    r"(还在|正在|一直在?)(吵|争|商量)|意见不(一|统一)|没(商量|统一|谈)好|谈不拢|"
    r"\b(we'?re|we are) still (arguing|discussing|talking it over)\b|\bwe (can'?t|don'?t) agree\b|"
    r"\b(my|the) (wife|husband|partner|boss) (handles|deals with|decides|takes care)|"
    r"(ask|check with|talk to) my (wife|husband|partner|boss|son|daughter|kids|family)|"
    r"not my call|not up to me|"
    # someone else did it or knows ("是我老公去取的 你得问他", "my wife handled that"):
    # the callee cannot say
    r"是我(的)?(老婆|老公|爱人|媳妇|家里人|孩子|儿子|女儿|老伴|我妈|我爸|妈|爸|同事|朋友)"
    r"(去|来|帮我|帮忙|替我)?[\u4e00-\u9fff]{1,3}的|"
    r"(你|您)(得|要|去|可以|还是|最好)?(问问|问一下|问下|问|找)(一下)?(他|她)(们)?|"
    r"^(问|找)(他|她)(们)?(吧|去)|(他|她)(比我)?(知道|清楚)|我不(太)?(管|过问)这(个|些)?|"
    r"\bmy (wife|husband|partner|son|daughter|mum|mom|dad|kids|flatmate|roommate) "
    r"(handled|did|dealt with|took care of|picked (it|them) up|collected|sorted|does|handles) "
    r"(that|it|this|them|all that)\b|"
    r"\b(you'?d|you would|you'?ll|you will|you) (have|need|want) to ask (him|her|them)\b|"
    r"\b(he|she|they)'?d (know|be the one to ask)\b|\bask (him|her|them)\b|"
    # the callee will not say ("我不想说这个", "rather not say"): no answer
    r"不想说|不(太|大)?方便(说|讲|透露|告诉)|不便说|不便透露|不告诉你|不想告诉|保密|无可奉告|"
    r"不关你(的)?事|跟你没关系|"
    r"\b(rather|prefer) not (to )?(say|answer|tell|get into|go into|discuss|talk about|share|"
    r"disclose|comment)\b|none of your business|"
    r"\bnot telling( you)?\b|\bno comment\b|"
    # or asks whether their case counts
    + ASKS_IF_COUNTS.pattern
)
# a clock time or day said ("明天下午四点"): its number is not a score
CLOCK = re.compile(
    r"[上下]午|早上|晚上|中午|今天|明天|后天|周.|星期.|礼拜.|\d+点|[一二两三四五六七八九十]+点|"
    r"o'?clock|\b(am|pm|tomorrow|tonight|today)\b"
)
# an amount for each of several people ("我和我老公各一辆", "one each")
EACH = re.compile(r"各|每人|每个人|\beach\b|apiece")
# a clause that turns a choice down ("上午不行", "not Monday", "这礼拜没空")
NEG_CLAUSE = re.compile(
    r"不行|不可以|不方便|没空|没时间|不在|不太行|不合适|去不了|来不了|不成|不要|^不是|^别|"
    r"加班|出差|有事|(?<!帮)忙|要出去|出门|不在家|回老家|要上班|上班时间|"
    r"\bnot\b(?! (?:more|less|fewer) than\b)|\bno good\b|can'?t|cannot|won'?t work|"
    r"doesn'?t work|don'?t work|busy|swamped|away|"
    r"on (vacation|holiday)|out of town|travell?ing|\bi('m| am)? work(ing)?\b|"
    r"\bnone\b|^no\b(?! (?:more|less|fewer) than\b)"
)  # "not more than one" bounds a count, it turns nothing down
PAST_CLAUSE = re.compile(r"以前|之前|原来|本来|过去|used to|previously|before")
NOW_CLAUSE = re.compile(r"现在|如今|目前|\bnow\b|these days|nowadays")
ANY = re.compile(
    r"都可以|都行|哪天都|什么时候都|随便|无所谓|都无所谓|any ?time|"
    r"any day|whatever|doesn'?t matter|"
    r"either (is|one|way)|whenever|any of them"
)
# how often a clause's answer holds: the usual one answers "how do you usually..."
USUALLY = re.compile(
    r"一般|平时|通常|主要|大多|基本上|多数|"
    r"\b(usually|mostly|normally|generally|mainly|typically)\b"
)
SOMETIMES = re.compile(
    r"有时|偶尔|个别|\b(sometimes|occasionally|once in a while|now and then|rarely)\b"
)
# a clause giving a reason ("因为上午要上班", "because I'm at work"): it answers nothing
REASON = re.compile(r"^(因为|由于|毕竟|because|since|'?cause|cos)\b|^(因为|由于|毕竟)")
CONTRAST = re.compile(r"但是|可是|不过|\bbut\b|\bthough\b")
# a dislike or refusal before the question's verb, anywhere in its clause
AVERSE = re.compile(r"(不|没|从不|从来不|从没)(喜欢|愿意|想|爱|打算|习惯|怎么)|懒得|讨厌")


# in Mandarin a negator may stand before the verb of the answer ("不去驿站", "没看到有")
_ZH_NEGATED_VERB = re.compile(r"(不|没|别|未)[\u4e00-\u9fff]{0,2}$")
# a thought or a sight denied, its subject between ("没觉得他开心", "不觉得她累", "没看出来孩子
# 喜欢"): what was not thought or seen is negated, however far the verb stands
_ZH_NEGATED_THOUGHT = re.compile(
    # (the sight with its 过: "没发现过有" denies the 有)
    r"(不|没|没有)(觉得|感觉|感到|认为|看出来?|发现|注意到|看到|看见|见到|遇到|碰到|听说)(到|过)?"
    r"(他|她|它|孩子|我|我们|他们|她们)?"
    r"(挺|很|有多|多|太|特别|有)?$"
)
# negators that do not negate what follows ("不错", "不过", "没问题")
_NOT_NEGATING = re.compile(r"不错|不过|不管|不然|要不|不好意思|不客气|没问题|没事|没关系")


# an answer turned down just after it ("mornings are no good", "周五我不行")
_AFTER = re.compile(
    r"^\W*(s\b)?\s*(is|are|'s|'re|would be|will be)?\s*(no good|not good|not great|bad|out|"
    r"impossible|difficult|tough|(don'?t|doesn'?t|won'?t|wouldn'?t) work|not possible|"
    r"not ideal|a no|off the table)\b|"
    r"^.{0,2}(不行|不可以|不方便|没空|没时间|不太行|不合适|去不了|来不了|不成|够呛|悬)"
)


def negated_after(text: str, end: int) -> bool:
    """The answer at text[..end] turned down by what follows it."""
    return bool(_AFTER.search(text[end : end + 24]))


def negated_before(text: str, start: int, width: int) -> bool:
    """A negator in the `width` characters before `start` ("不是很" before 满意)."""
    before = text[max(0, start - width) : start]
    if NEGATORS.search(before) or _ZH_NEGATED_THOUGHT.search(text[max(0, start - 9) : start]):
        return True
    return bool(_ZH_NEGATED_VERB.search(_NOT_NEGATING.sub("，", before[-4:])))


# a question back: the clause asks something ("科目一是考啥的来着", "does that cost extra")
QUESTION_BACK = re.compile(
    r"啥|什么|多少|哪|谁|怎么|咋|为什么|为啥|来着|吗$|么$|几[个点号天次回年岁块钱]|"
    r"(?<=[\u4e00-\u9fff]{2})(?<![还我也就都没])不$|"  # "补考要钱不": a question
    r"^(what|how|when|where|which|who|whose)\b|^why(?! not)\b|"
    r"^(does|do|is|are|am|was|were|has|have|had|can|could|will|would|should|did|may|must) "
    r"(it|that|this|these|those|you|i|they|there|we|he|she|the|my|your|his|her|our|their)\b"
)
# a question word that asks nothing: after a negation ("没觉得有啥不正常", "没什么问题")
# or in a denial ("哪有准时", "哪里准时", "哪儿干净了"); not where it asks a place ("在哪里",
# "哪儿能办")
_NOT_ASKING = re.compile(
    r"[没不无].{0,4}(啥|什么|哪)|哪有|^那?哪(里|儿)(?!买|办|能|可以|有卖)|"
    r"哪(里|儿)[\u4e00-\u9fff]{0,4}了$"
)


# the callee asks which one is meant ("which one, we had two", "项目经理是哪个"): a number
# said with it tells the question's context, not its answer ("哪个都行" asks nothing)
WHICH_ASKED = re.compile(r"\bwhich (one|of them|ones)\b|哪个(?!都|也)|哪一个(?!都|也)|哪位")


def asks_back(clause: str) -> bool:
    """The clause asks something ("半夜漏水找谁", "是考啥的来着"): what it names is
    not said as the callee's answer."""
    return bool(QUESTION_BACK.search(clause)) and not _NOT_ASKING.search(clause)


def only_asks_back(parts: list[str]) -> bool:
    """Every clause but fillers asks back ("嗯 你们客服电话多少", "科目一是考啥的来着")."""
    parts = [p for p in parts if not is_filler(p)]
    return bool(parts) and all(asks_back(p) for p in parts)


# a question about all of something ("都按时练上了吗", "finished all of her antibiotics")
TOTALITY_QUESTION = re.compile(
    r"都|全部|所有|每一?[次个天回]|全都|天天|\b(all|every|each|whole|entire|most days)\b"
)
# part of it ("就练上一次", "只来了一半", "only some", "stopped halfway", "one left")
PARTIAL = re.compile(
    r"(只|就|才|仅)(有|是)?[\u4e00-\u9fff]{0,3}?([一两二三半几]|一部分)"
    r"[次个回天些半节堂趟遍颗粒片瓶盒份张本块项件]|"
    r"一部分|一半|大部分|没(全|都)|不(全|都)是|还(剩|差)|"
    r"\bonly (some|half|part|a few|one|two|once|twice)\b|\bnot (all|every|quite all)\b|"
    r"\b(half|some|most|part) of (them|it)\b|\bhalfway\b|\bpart ?way\b|"
    r"\b(stopped|quit|gave up) (early|halfway|after)\b|"
    # only on some days, to a question about every day or most ("only for football on
    # sundays", "just at weekends", "只有周末")
    r"\b(only|just)\b[\w' ]{0,25}\b(weekends?|(mon|tues|wednes|thurs|fri|satur|sun)days|"
    r"holidays|special occasions)\b|(只有|只在|就|只是|仅)(周末|节假日|礼拜天|星期天|周日|偶尔)|"
    r"\b(one|two|a few|some|\d+) (\w+ )?(left|remaining|to go)\b"
)
# all of it ("每次都去了", "一次不落", "every last one", "all of them")
TOTAL = re.compile(
    r"每次都|全都|全部|一次不落|一个不落|都[\u4e00-\u9fff]{0,3}了|"
    r"\bevery (last|single) one\b|\ball of (them|it)\b|\beach (one|time)\b|\bevery time\b|"
    r"\b(all|every one) (done|finished|gone|taken)\b|\bthe whole (thing|course|lot|pack)\b"
)


# a negative answer denied ("也不能说没练上", "不是没用过"): said as a double negation
_DENIED = re.compile(
    r"(不能说|不好说|不是说|也不能说|倒不是|谈不上|说不上|不是|并不是|并非|也不是|倒也不是|没有)$"
)
# a negative answer that opens a double negation ("不会不来的", "不是不想去"): its
# negation is itself negated; not a no said twice ("不会不会", "不是不是")
_DENIED_AFTER = re.compile(r"(不|没)(?P<neg>[是会能要想用])不(?!(?P=neg)|是|过|好意思|了|然)")


_DENIED_EN = re.compile(
    r"\b(wouldn'?t|would not|can'?t|cannot|couldn'?t|won'?t|wont|never|not) (say|said|saying) $"
)


def negation_denied(text: str, start: int) -> bool:
    """The negative answer at `start` comes after a denial: a double negation, a yes
    ("也不能说没练上", "i wouldn't say no")."""
    if text.isascii():
        return bool(_DENIED_EN.search(text[max(0, start - 24) : start]))
    return bool(_DENIED.search(text[max(0, start - 5) : start]) or _DENIED_AFTER.match(text, start))
