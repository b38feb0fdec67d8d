"""Free-text questions: which replies are an answer and which are not.

A free-text question (suggestions, an order number, a name) has no preset answers, so
any reply with content used to be recorded. Several kinds of reply carry no answer:

- nothing to add: a "no" or "nothing" head, with only fillers and praise around it
  ("没啥意见 都挺满意", "nope you're all great", "can't think of anything"), or with
  clauses of praise that ask for nothing ("not really, everyone was lovely", "没得啥 师
  傅很专业");
- no content: backchannels and fillers only ("嗯嗯 你说", "right, yeah", "oh hmm"), or a
  pointer to a value never said ("same as last time", "老样子");
- cannot give it: the callee lost it, has not got it at hand or will not say it
  ("单子扔了", "这个就不报了吧", "I don't have it on me"), read on value questions only.

A reply is "nothing" or "no content" only when the tables cover all of it, so any word
of substance ("no, but the wait was long") keeps it an answer. Numbers said digit by
digit ("六八二三", "five five one eight", "5 5 1 8") are written as digits for questions
that ask for a number or a reference.
"""

from __future__ import annotations

import re

from voxdial.conversation import intents
from voxdial.conversation.normalize import fold

NOTHING = "nothing"  # nothing to add: the question is settled, nothing collected
EMPTY = "empty"  # no content yet: asked again
DECLINED = "declined"  # cannot or will not give it: moved on, nothing collected
QUESTION = "question"  # a question back said without a question mark: answered from knowledge

# the head of a "nothing to add" reply (one of these must be said)
_NOTHING_HEADS = (
    # nothing to do ("没什么要注意的", "没啥好改的", "没什么需要提醒的"): 没什么 + 要 + a verb
    # + 的, before 没什么 alone
    r"没(有|得)?(什么|啥子|啥)(要|需要|好|可|值得)[\u4e00-\u9fff]{1,3}的|"
    r"没有了|没有|没了|没啥子|没得啥子|没啥|没什么|没别的|没其他|没其它|木有|没意见|没建议|暂时没有|"
    r"想不到|想不出来|想不出|说不上来|挑不出毛病|就这些|就这样|没问题|不用了|"
    r"没得|莫得|"  # 没有 in south-western Mandarin ("没得啥意见")
    r"没(?=[啦了呢哦喔]|\s|$)|"  # 没 said alone (Cantonese 冇, "冇啦 多谢")
    # longer phrases first: "nothing comes to mind" before "nothing"
    r"\b(no complaints|no suggestions|no issues|no problems|nothing else|"
    r"nothing (more |else )?to (add|say|report)|nothing (was|went) wrong|"
    r"nothing (really |much )?(to|i'?d|i would) (change|improve|fix|mention|complain about)|"
    r"nothing comes to mind|nothing springs to mind|off the top of my head|"
    r"nothing (that )?i can think of|"
    r"(i )?can'?t think of anything|(i )?cannot think of anything|not that i can think of|"
    r"that'?s all|that'?s everything|that'?s it|i'?m good|we'?re good|all good|"
    r"(i )?don'?t think so|not a thing|not at the moment|not right now|not really|"
    r"never ?mind|forget it|no|nope|nah|nothing|none)\b"
)
# what may stand around the head: praise, thanks, fillers, time hedges
_NOTHING_AROUND_ZH = (
    r"意见|建议|要求|特别的|特殊的|特别|要说的|说的|好说的|补充|要补充的|别的|其他|其它|什么|啥子|啥|的|"
    r"挺好的|挺好|很好|都好|蛮好|不错|挺不错|都不错|满意|挺满意|很满意|非常满意|都挺满意|都满意|"
    r"都挺好|好的|还行|还可以|挺可以|很棒|挺棒|辛苦了|谢谢你|谢谢您|谢谢|感谢|多谢|你们|整体|总体|各方面|"
    r"服务|态度|一切|都|也|就|了|吧|啊|呀|哈|嘛|哦|嗯|额|呃|诶|哎|啦|喔|那个|这个|暂时|目前|现在|"
    r"真的|其实|倒是|好像|应该|基本上|特别|挺|很|再见|拜拜|"
    # "just come and do it" ("来量就是了", "弄好就行了"): nothing asked beyond the job
    r"[\u4e00-\u9fff]{1,3}就(是了|行了|好了|可以了|行)|"
    r"直接(来|过来|上门|弄|做)(就行|就好|就是了)?|"  # "直接来": come and do it, nothing to add
    r"继续保持|保持下去|保持|继续努力|加油|"  # praise that asks for nothing to change
)
_NOTHING_AROUND_EN = set(
    (
        "it was were is all everything everything's went you're you guys are great fine good "
        "perfect excellent lovely wonderful grand brilliant happy very really satisfied service "
        "job "
        "keep up the work thanks thank um uh hmm er well oh so honestly right now for at "
        "moment just yeah ok okay i think guess anything else i'm with been has it's we're to "
        "be honest actually pretty much quite super nice a and your team bye goodbye cheers "
        "was everyone everybody like that special nothing's you've doing "
        # address terms ("nothing love", "all good mate")
        "love mate dear darling pet hun sweetheart"
    ).split()
)
# praise that asks for nothing ("everyone was lovely", "师傅很专业"): a clause with a word
# of praise and none of contrast, complaint or wish, said beside a "nothing" head
_PRAISE = re.compile(
    r"好|不错|满意|棒|专业|热情|周到|耐心|细心|用心|贴心|细致|仔细|到位|靠谱|认真|负责|准时|及时|"
    r"给力|利索|麻利|干净|漂亮|新鲜|"
    r"\b(good|great|grand|fine|lovely|brilliant|excellent|perfect|fantastic|amazing|wonderful|"
    r"awesome|superb|helpful|friendly|nice|kind|polite|professional|happy|pleased|"
    r"satisfied|spot on|top notch)\b"
)
_NOT_PRAISE = re.compile(
    r"但|不过|可是|只是|就是|除了|希望|建议|能不能|能否|要是|如果|最好|再|太|有点|有些|"
    r"不(?!错)|没|差|慢|贵|晚|久|问题|麻烦|"
    r"\b(but|though|although|except|apart|besides|other than|only|wish|hope|could|should|"
    r"would|maybe|perhaps|more|less|better|worse|too|bit|not|never|if|when|wait|slow|late|"
    r"long|rude|price|prices|cost|expensive|(do|does|did|is|was|are|were|could|would|should|"
    r"ca|wo|have|has|had)n'?t)\b"
)
# backchannels and fillers: no content at all
_EMPTY_ZH = (
    r"嗯+|恩+|啊+|哦+|呃+|额+|诶+|哎+|那个|这个|怎么说呢|你说|你讲|说吧|对对|对|是的|是|好的|好|行|"
    r"再见|拜拜|"
)
_EMPTY_EN = set(
    (
        "right yeah yes ok okay sure um uh hmm oh well so mhm uh-huh huh go on i see let me "
        "er mm ah talk soon take care cheers thanks bye goodbye"
    ).split()
)
# a pointer to a value never said: the engine cannot know it
_REFERENCE = re.compile(
    r"^(跟|和|同)?(上次|以前|之前)(的)?一样(的)?$|^老样子$|^还是(那个|老的|原来的)$|"
    r"^(the )?same( one)? as (last time|before|usual)$|^the usual$|^same again$|"
    # the value is already on the caller's records ("you should have it already")
    r"^(but )?you (should|must|ought to|already) (already )?(have|know|got) (it|that|them)"
    r"( already)?( on (file|the system|record))?$|^(you'?ve|you have) (already )?got (it|that)"
    r"( already)?$|^你们(应该|不是)?(已经)?(有|知道)(的|了|啊|吗)?$"
)
# cannot give it: lost, not at hand, will not say (value questions only)
_CANNOT_GIVE = re.compile(
    r"扔了|丢了|弄丢|找不到|找不着|没带|不在身边|不在手边|手边没有|不报了|不说了|"
    r"不(方便|想|愿意)(在电话里)?(告诉|说|透露|讲|报)|保密|不给你|"
    r"\b(don'?t|do not|haven'?t) (have|got) (it|that|one|(the|my) \w+( \w+)?) "
    r"(on me|with me|handy|here|to hand|at hand|in front of me|nearby)\b|not on me|"
    r"(i )?lost it|threw it (away|out)|can'?t find (it|the|my)\b|rather not (say|give)|"
    r"prefer not to|"
    r"not giving that out|won'?t give|"
    # never had the thing the number belongs to ("没办卡", "I don't have an account")
    r"没(有)?(办|开|注册|申请|买)(过)?(卡|会员|账户|账号|户头)?$|没(有)?(办|开)过|"
    r"\b(i )?(don'?t|do not|never) (have|had|got|opened) (one|an? (account|card|membership))|"
    r"\bnot a member\b|never signed up|"
    # never given one ("I haven't got one", "no reference I'm afraid", "没有单号"): the
    # number asked for does not exist, there is nothing to write down
    r"\b(i )?(haven'?t|have not|don'?t|do not|never) (got|have|had|received|got given) (one|any)\b|"
    r"^(uh |um |er |oh )?(there'?s |there is )?no (reference|ref|number|code|booking number)\b|"
    r"^(没|没有|没得|莫得)(单号|编号|号码|订单号|预约号)|"
    # the card or slip with the number on it lost ("i lost the card")
    r"\b(i'?ve |i have |i )?lost (the|my) (card|letter|slip|receipt|ticket|paper|email)\b"
)
# does not know it, someone else keeps it ("我不知道 是他妈妈保管的"): asked again
_NOT_KNOWN = re.compile(
    r"不知道|^(我)?(也)?不知|不清楚|不记得|记不(得|住|清)|\b(i )?(don'?t|do not) know\b|"
    r"\bno idea\b|\b(can'?t|cannot|don'?t) remember\b"
)
# questions that ask for a number, a code or a reference
# questions back the intents miss: verb-not-verb ("疼不疼", "有没有"), "哪个/哪家", "到底";
# not the wishes "能不能 / 可不可以 / 要不要", which the engine reads as suggestions
_QUESTION_BACK = re.compile(r"(?!能|可|要)(\w)[不没]\1|哪个|哪家|哪一|到底|\bhow much\b")
_ASKS_FOR_CODE = re.compile(
    r"号|编号|单号|卡号|尾号|后四位|后几位|户号|学号|账号|验证码|门牌|号码|"
    r"\b(number|reference|code|id|pin|digits|account)\b",
    re.I,
)
_CODE = re.compile(r"\d{3,}")
# how many digits the question asks for ("那串10位的数字", "后六位", "the last four digits",
# "your 8-digit number")
_ZH_COUNT = "一二两三四五六七八九十"
_COUNTS = {
    **{c: n for n, c in enumerate("一二三四五六七八九十", start=1)},
    "两": 2, "十一": 11, "十二": 12,
    **{w: n for n, w in enumerate("four five six seven eight nine ten eleven twelve".split(), 4)},
}  # fmt: skip
_LENGTH = re.compile(
    rf"(\d+|[{_ZH_COUNT}]+)位|\b(\d+|four|five|six|seven|eight|nine|ten|eleven|twelve)[- ]digits?\b"
)
_ZH_DIGITS = dict(zip("零〇洞幺一二两三四五六七八九", "00011223456789", strict=True))
_EN_DIGITS = dict(
    zip(
        "zero oh o one two three four five six seven eight nine".split(),
        "000123456789",
        strict=True,
    )
)
_ZH_RUN = re.compile(r"[零〇洞幺一二两三四五六七八九](\s?[零〇洞幺一二两三四五六七八九]){2,}")
_EN_WORD = r"(zero|one|two|three|four|five|six|seven|eight|nine|(double|triple) \w+)"
_EN_RUN = re.compile(rf"\b{_EN_WORD}((\s|-|,\s?)({_EN_WORD}|oh|o))+\b|\b(double|triple) \w+\b")
_SPACED = re.compile(r"\b\d(?:[ -]\d\b){2,}")


_SOLICITS_QUESTIONS = re.compile(r"问题|疑问|疑虑|想问|\b(questions?|concerns?)\b", re.I)


def solicits_questions(question: str) -> bool:
    """A question asking for the callee's questions, where a question back answers it."""
    return bool(_SOLICITS_QUESTIONS.search(question))


def asks_for_code(question: str) -> bool:
    return bool(_ASKS_FOR_CODE.search(question))


def digits(text: str) -> str:
    """Numbers said digit by digit written as digits: "六八二三" -> "6823",
    "five five one eight" -> "5518", "double seven" -> "77", "5 5 1 8" -> "5518"."""
    text = _ZH_RUN.sub(lambda m: "".join(_ZH_DIGITS[c] for c in m.group(0) if c.strip()), text)
    text = _EN_RUN.sub(lambda m: _en_digits(m.group(0)) or m.group(0), text)
    return _SPACED.sub(lambda m: re.sub(r"[ -]", "", m.group(0)), text)


def _en_digits(run: str) -> str:
    words = re.findall(r"[a-z]+", run.lower())
    out, times = [], 1
    for w in words:
        if w in ("double", "triple"):
            times = 2 if w == "double" else 3
            continue
        if w not in _EN_DIGITS:
            return ""
        out.append(_EN_DIGITS[w] * times)
        times = 1
    return "".join(out) if len("".join(out)) >= 2 else ""


def read(question: str, reply: str) -> str | None:
    """NOTHING, EMPTY or DECLINED for a reply that does not answer the free-text
    question; None when the reply may be its answer (the engine's other checks apply)."""
    raw = fold(reply)
    if asks_for_code(question) and _CODE.search(digits(raw)):
        # fewer digits than the question asks for are not its number ("是不是那个表上的钢印号
        # 12345" to a 10-digit account number): asked again
        return EMPTY if _too_short(question, digits(raw)) else None
    words = _words(raw)
    if _leaving(raw):
        return EMPTY  # "不说了 宝宝醒了 再见啊": the callee leaves, the reason is no answer
    if _nothing_to_add(raw):
        return NOTHING
    if _covered(words, "", _EMPTY_ZH, _EMPTY_EN, head=False):
        return EMPTY
    plain = re.sub(r"^(uh|um|hmm|er|oh|嗯|呃|额|哦)\s+", "", re.sub(r"\s+", " ", words))
    if _REFERENCE.search(plain):
        return EMPTY
    if _QUESTION_BACK.search(raw) and not solicits_questions(question):
        return QUESTION
    if asks_for_code(question) and _CANNOT_GIVE.search(raw):
        return DECLINED
    if asks_for_code(question) and _NOT_KNOWN.search(raw):
        return EMPTY
    return None


# the callee breaking off ("不说了", "gotta go"): said first, with a goodbye last, what
# stands between is the reason for leaving
_LEAVING = re.compile(
    r"^(好了|行了|哎)?(先)?(不说了|不聊了|先这样|就这样|我?(得|要)走了|我?要忙了)|"
    r"^(ok |okay |right |oh )?(i'?ve )?(gotta|got to|have to|need to|must) (go|run)\b"
)


def _leaving(raw: str) -> bool:
    parts = intents.clauses(raw)
    return (
        len(parts) > 1
        and _LEAVING.search(parts[0]) is not None
        and intents.GOODBYE.search(parts[-1]) is not None
    )


def asked_length(question: str) -> int | None:
    """The number of digits a question asks for, when it says so."""
    m = _LENGTH.search(fold(question))
    if m is None:
        return None
    said = m.group(1) or m.group(2)
    if said.isdigit():
        return int(said)
    return _COUNTS.get(said)


def _too_short(question: str, written: str) -> bool:
    want = asked_length(question)
    return want is not None and len(re.findall(r"\d", written)) < want


def _words(text: str) -> str:
    return re.sub(r"[^\w'\s-]+", " ", text).strip()


def _nothing_to_add(raw: str) -> bool:
    """A "no" / "nothing" head with only fillers and praise around it, in the whole
    reply or clause by clause, where a clause may also be praise that asks for nothing
    ("not really, everyone was lovely")."""
    words = _words(raw)
    if _covered(words, _NOTHING_HEADS, _NOTHING_AROUND_ZH, _NOTHING_AROUND_EN, head=True):
        return True
    if not re.search(_NOTHING_HEADS, words):
        return False
    for clause in intents.clauses(raw):
        rest = re.sub(_NOTHING_HEADS, " ", _words(clause))
        if _covered(rest, "", _NOTHING_AROUND_ZH, _NOTHING_AROUND_EN, head=False):
            continue
        if not _PRAISE.search(rest) or _NOT_PRAISE.search(rest):
            return False
    return True


def _covered(words: str, heads: str, around_zh: str, around_en: set[str], *, head: bool) -> bool:
    """Whether the reply is all head (when `head`, at least one) and words around it."""
    rest = words
    if head:
        rest, n = re.subn(heads, " ", rest)
        if not n:
            return False
    zh = re.compile(f"({around_zh.rstrip('|')})+")
    rest = zh.sub(" ", rest)
    left = [w for w in rest.split() if w not in around_en]
    return not left
