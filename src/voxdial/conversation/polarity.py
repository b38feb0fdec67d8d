"""Yes, no or unsure: the polarity of a reply ("是的", "nope", "不打算续了"), which preset
answers are negative ("不满意", "No") or uncertain ("不确定", "Not sure"), and the verbs
of a Mandarin yes/no question, which a callee often says back instead of yes ("续吧").

The ways people say yes, no and "not sure" are kept as tables of expressions (both
languages), not as rules for any one question: a table entry has to read the same kind
of reply to any yes/no question in any domain."""

from __future__ import annotations

import re
from functools import lru_cache

from voxdial.conversation.normalize import squash

_NEG_ANSWER = re.compile(r"^(不|没|否|无|非|未|not |no |don'?t |never)|^(no|否|不是|没有|不对)$")
_UNCERTAIN_ANSWER = re.compile(
    r"不确定|不一定|说不好|说不准|不好说|没决定|没想好|没定|待定|不知道|不清楚|看情况|考虑|"
    r"undecided|not sure|unsure|don'?t know|maybe|depends|no idea|not decided"
)


def _words(*table: str) -> str:
    """A table of expressions as one alternation, longest first; English ones as whole
    words ("nah" not in "savannah")."""
    return "|".join(
        rf"(?<![a-z']){w}(?![a-z])" if w.isascii() else w
        for w in sorted(table, key=len, reverse=True)
    )


_YES = re.compile(
    r"^(是|是的|是啊|是呀|对|对的|对对|对啊|对呀|嗯|嗯嗯|恩|好|好的|好啊|好呀|行|行啊|可以|可以的|当然|肯定|"
    r"没问题|没错|当然可以|必须的|要的|要|需要|ok|okay|yes|yeah|"
    r"yep|yup|yea|ya|sure|of course|certainly|"
    r"absolutely|definitely|right|correct|that's right|i do|i did|i would|i will|yes please|"
    r"sounds good|go ahead|go on|we do|i have|we have|"
    r"uh huh|why not|speaking|it is|sure is)(?![a-z])"
    r"|没问题|当然|肯定(是|会|要)|可以啊|是的|对的|(^| )(yes|"
    r"yeah|yep|sure)( |$)|好的|(^|那|就)(可以|行|好)|"
    r"是我|我就是|就是我|本人|this is (he|she|him|her)|that'?s me|it'?s me|yes it is"
)
NO = re.compile(
    r"^(不|不是|不对|没有|没|不要|不用|不需要|不行|不可以|不愿意|不会|不想|否|算了|别|无|"
    r"no|nope|nah|not really|not at all|never|no thanks|i don't|i do not|i won't|i wouldn't)"
    r"|不是|没有|不用|不要|不需要|不愿意|不想|不会|不打算|不去|不了$|去不了|来不了|打错|不在|"
    r"(^| )(no|nope|nah|don't|not|never)( |$)|don't think|not really|not at the moment|not yet|"
    r"not now|not this time|not anymore|no longer|probably not|wrong number|cancel"
)

# yes in other words, anywhere in a reply: slang, dialect and set phrases of agreement
# ("那必须的", "you bet", "count me in"); none of them holds a negation. Read on clean()ed
# text: fillers ("like", "so") are out ("i think so" is "i think")
YES_PHRASES = re.compile(
    _words(
        "那必须", "必须滴", "妥妥的", "没毛病", "可不是", "那可不", "可不嘛", "那当然", "那是当然",
        "那还用说", "还用说", "一定一定", "得嘞", "好嘞", "好咧", "妥了", "搞定了", "没跑",
        "sure thing", "you bet", "absolutely", "definitely", "for sure", "totally", "of course",
        "count me in", "sign me up", "i'd love (that|to)", "would love (that|to)",
        "that would be (great|good|nice|lovely|helpful|perfect)",
        "that'?d be (great|good|nice|lovely|helpful|perfect)", "sounds (great|good|perfect)",
        "please do", "go for it", "by all means", "yes please", "yes indeed", "indeed",
        "i (guess|suppose|think|believe)( so)?$", "yeah yeah",
        "是滴", "对头", "那肯定", "肯定的", "安排上", "就这么办", "可以可以", "行行行",
        "好好好", "没错没错", "就是就是", "一百个愿意", "求之不得", "算我一个", "算我一份",
        "给我报上", "记上我",
        # a hedged yes ("probably", "i'd say so"; "so" is cleaned out as a filler)
        "probably", "most likely", "very likely", "i'?d say( so)?$", "i reckon so", "i expect so",
        "i'?d imagine so", "presumably",
        "you got it", "sounds( like)? a plan", "let'?s do it", "i'?d( like)? that", "yes sir",
        "yes ma'?am", "yessir", "righto", "okie dokie", "alrighty", "certainly",
        # Australian "too right", and "yeas" / "yess" (yes as ASR writes it)
        "too right", "yeas", "yess",
    )
)  # fmt: skip
# no in other words, anywhere in a reply
NO_PHRASES = re.compile(
    _words(
        "木有", "没得", "莫得", "么有", "没呢", "还没呢", "才没有", "没那回事", "不咯",
        "no way", "not a chance", "no chance", "not at all", "i'?m (gonna|going to) pass",
        "i'?ll pass", "i'?ll give it a miss", "not for me", "i'?d rather not", "don'?t think so",
        "i doubt it", "hardly ever", "not really", "not anymore", "not any more",
        "nah", "nope", "no thanks", "no thank you",
        "没有没有", "不了不了", "不用不用", "免了", "拉倒吧", "没那个必要", "没必要", "用不着",
        "犯不着", "再也不", "再也没", "再不会", "打死也不",
        "absolutely not", "certainly not", "definitely not", "no can do", "not likely",
        "no need", "not necessary", "don'?t bother", "not in a million years", "never again",
        # leaving it out ("skip it", "i'll skip that")
        "skip it", "skip that", "skip the \\w+", "i'?ll skip", "we'?ll skip", "give it a miss",
        "leave it out", "decided against( it)?", "decided not to",
    )
)  # fmt: skip
# no trouble in saying yes: a negation that is a go-ahead ("no bother", "没得问题" in
# south-western speech, where 没得 is 没有)
NO_TROUBLE = re.compile(
    r"\b(no bother|not a bother|no worries|no problem|not a problem)\b|"
    r"(没|没得|莫得|没有)(啥|什么|啥子)?问题"
)
# words that are a yes or a no only as a clause of their own ("中", "成": also parts of
# other words; "中 给我报上", "木有 还在刷题"); not "嗯", a filler as often as a yes
YES_ALONE = re.compile(
    _words("中", "成", "行", "好", "对", "有", "是", "要", "会", "能", "可以", "得嘞", "妥",
           "yes", "yeah", "yep", "yup", "yea", "ya", "ok", "okay", "sure", "right", "correct",
           "absolutely", "definitely", "totally", "certainly", "indeed", "affirmative")
)  # fmt: skip
NO_ALONE = re.compile(
    _words("不", "没", "没有", "木有", "没得", "莫得", "还没", "还没有", "没呢", "不是", "不要",
           "不用", "否", "不行", "不会", "不能", "不成", "不中", "no", "nope", "nah", "never",
           "negative")
)  # fmt: skip
# a no said as a double negation: a yes ("不是不想", "也不能说没练上", "i wouldn't say no",
# "can't complain"); whether a hedge follows ("也不是不愿意 就是得问问") is for the caller
DOUBLE_NEGATION = re.compile(
    r"(不是|不会|没有|并不是|并非|不能|没|倒也不是|也不是)不(?!是)|"
    r"(不能说|不好说|不是说|也不能说|倒不是|谈不上|说不上)(没|不)|没说不|(不是|并不是|并非)没|"
    # none denied ("不会没人的", "不可能没有"): there is
    r"(不会|不可能)没|"
    r"(wouldn'?t|would not|can'?t|couldn'?t|won'?t|don'?t|never) say no|"
    # a denial denied ("I wouldn't say it never happened", "can't say we didn't")
    r"(wouldn'?t|would not|can'?t|couldn'?t|won'?t) (say|claim) (that )?"
    r"(it|i|we|they|he|she|you|there) (never|didn'?t|hasn'?t|haven'?t|wasn'?t|weren'?t|isn'?t|"
    r"doesn'?t|don'?t|won'?t)\b|"
    # a lapse denied ("I wouldn't say I've missed a day", "can't say we ever forgot"): a yes
    r"(wouldn'?t|would not|can'?t|couldn'?t) (say|claim) (that )?(i|we|they|he|she)"
    r"( have|'ve| had|'d)?( ever)? (missed|skipped|forgotten|forgot|failed)\b|"
    r"(not|never) (say|said) no|not against (it|that)|can'?t see why not|don'?t see why not|"
    r"wouldn'?t (say no|object|be against)|"
    r"no reason not to|not unwilling|not opposed|wouldn'?t rule it out|"
    # never without it ("not a day goes by without them", "can't do without it", "离不开"):
    # always, a yes
    r"\bnot a (day|week|night|morning) (goes|went|passes) by without\b|"
    r"\b(can'?t|couldn'?t|cannot) (do|live|go|manage|cope) without\b|"
    r"\b(wouldn'?t|would not) (be|do|live|go|manage|cope) without\b|"
    r"\bnever (go|leave the house|leave home) without\b|离不开|离不了"
)
# "not sure" as people say it, beside the engine's own list of hedges (intents.UNSURE):
# undecided, thinking it over, it depends, perhaps, can't remember, others decide
UNSURE = re.compile(
    r"没(琢磨|想|考虑|拿定|打定|决定)(好|清楚|明白|主意)|还没(琢磨|盘算|合计|寻思)|拿不定|"
    r"(琢磨|考虑|想|商量|研究)(琢磨|考虑|想|商量|研究)?(一下|下)?再说|再(琢磨|合计|寻思|商量)|"
    r"看(情况|心情|时间|价钱|价格|到时候|具体)|说不定|不一定|没准(?![时点])|难说|两说|"
    r"还在犹豫|有点犹豫|犹豫不决|挺纠结|还在纠结|吃不准|没谱|说不清|五五开|看看再说|回头再说|"
    r"还没(想清楚|拿主意|主意)|"
    # both said as possible ("可能会可能不会", "也许去也许不去", "maybe yes maybe no"), or
    # not settled ("还定不下来", "决定不了", "can't make up my mind")
    r"(可能|也许|或许)(?P<maybe>[\u4e00-\u9fff]{1,2})也?(可能|也许|或许)?(不|没)(?P=maybe)|"
    r"定不(下来|了)|决定不了|拿不了主意|"
    r"\bmaybe (yes|so),? maybe (no|not)\b|\bcan'?t make up my mind\b|"
    # not knowing at all, in slang ("dunno", "no clue", "beats me", "天知道")
    r"\b(dunno|no clue|not a clue|haven'?t (got )?a clue|beats me|search me|no idea)\b|"
    r"天知道|鬼知道|不晓得|"
    # still to be thought over, put off till later ("但还得琢磨琢磨", "以后再说吧")
    r"(?<!不)(还得|得|还要|再)(琢磨|考虑|想想|合计|寻思|斟酌)|(以后|改天|过段时间|过阵子|下次|到时候)再说|"
    r"不记得|记不得|想不起|"
    # ambivalence: "也不是不愿意 就是…", "not that I don't want to, but…"
    # ("不是不要 我是还不知道谁送": not knowing what decides it)
    r"(也|倒|倒也|并)?不是不[\u4e00-\u9fff]{1,3}.{0,2}(就是|只是|但|可是|不过|主要是|"
    r"我是(?=还?(不知道|不清楚|不确定|没想好|没定)))"
    r"(?!.*(算我|报上|记上|给我报|先报|count me in|sign me up))|"
    r"not that i (don'?t|wouldn'?t) (want|like)[\w ]{0,20}\b(but|just)\b|"
    r"haven'?t (made up my mind|made a decision|decided|thought about it)|"
    r"(need|have|got) to think|(i'?ll|let me|i will|gotta|i'?d have to) think( about it| it over)?|"
    r"thinking about it|think it over|sleep on it|on the fence|up in the air|"
    # put off till later ("ask me after the season", "we'll decide when we get there")
    r"\bask me (again )?(later|after|closer|nearer|next|in)\b|"
    r"\b(we'?ll|i'?ll) (decide|see|figure it out|work it out) (when|once|later|nearer|closer)\b|"
    r"still (deciding|thinking|weighing)|can'?t decide|not decided yet|not sure yet|"
    r"fifty[- ]fifty|50[- /]50|i'?ll let you know|might do|"
    r"^(possibly|perhaps|maybe|might|could be)$|(possibly|perhaps|might be),? (maybe|not)|"
    r"who knows|hard to tell|it depends|depends on|remains to be seen|"
    r"don'?t remember|can'?t recall|"
    # not knowing whether ("我也不知道修没修好", "not sure if it came"): neither answer
    r"不(知道|清楚|晓得|记得|确定)[\u4e00-\u9fff]{0,6}?(?P<whether>[\u4e00-\u9fff])[没不](?P=whether)|"
    r"不(知道|清楚|晓得|确定)(是不是|有没有|到没到|对不对)|"
    r"\b(don'?t|do not|didn'?t) know (if|whether)\b|"
    r"\b(not sure|no idea|can'?t tell) (if|whether)\b|"
    # partly, said on its own ("well sort of", "kind of"), or one half of the thing
    # granted and the other denied ("the when but no the how"): neither a yes nor a no
    r"^(sort of|kind of|kinda|sorta|partly|in a way|half and half)$|"
    r"\bthe (when|how|what|why|where|who)( but)? (no|not) the (when|how|what|why|where|who)\b"
)

# the callee would first consult someone ("得跟家里商量", "得先问问我儿子", "I'd have to
# ask my wife"): not decided yet, unlike someone else deciding ("我老婆管这个": no answer)
_KIN = (
    r"(家里|家人|家里人|老婆|老公|爱人|媳妇|孩子|儿子|女儿|领导|老板|老伴|父母|爸妈|我妈|我爸|"
    r"wife|husband|partner|boss|family|kids|son|daughter|parents|other half|landlord|bank|"
    # whom a callee asks for someone in their care ("I'd need to ask her doctor")
    r"mum|mom|dad|doctor|gp|carer|nurse)"
)
CONSULTS = re.compile(
    rf"(得|要|需要|还得|先|回去)(先)?(跟|和|同|与)(我)?{_KIN}.{{0,3}}(商量|合计|说一下|说说|讨论)|"
    rf"(得|要|需要|还得|先|回去)(先)?(问问|问一下|问下|问|请示)(一下)?(我)?{_KIN}|"
    # "我问问他们家长", "我回头问下他家里人": someone else's family, asked first
    rf"我(先|回头|再)?(问问|问一下|问下)(一下)?(他们|她们|他|她)(的)?(家长|{_KIN})|"
    rf"(i'?d|i would|i'?ll|i will|i|we'?d|we'?ll|we) (have|need|want|got) to "
    rf"(ask|check with|talk (it over )?with|talk to|discuss (it|this|that) with|run it by) "
    rf"(my|the|our|her|his|their) {_KIN}|"
    rf"(let me|i'?ll|i will|gotta|got to|have to|need to) (ask|check with|talk to|run it by) "
    rf"(my|the|our|her|his|their) {_KIN}"
)


# not knowing the thing could be done or was there ("我都不知道还能看", "不知道有这个",
# "didn't even know you could"): a no to whether the callee did or used it; not "不知道
# 能不能" (whether: UNSURE)
UNAWARE = re.compile(
    r"不(知道|晓得)(还|也)?(能|可以|有(这|那|个))(?![不没])|"
    r"\b(didn'?t|did not|never) (even )?(know|reali[sz]e) (you|we|i|there|it|that) "
    r"(could|can|was|were|had|offered?|existed)\b|\bnever knew (about )?(that|it|this)\b|"
    r"\bfirst i'?ve heard of (it|that|this)\b"
)


# a closing: the callee ends the call ("再见", "挂了啊", "ok bye"); what stands beside it
# is an acknowledgement, not an answer, unless it names one
CLOSING = re.compile(
    r"再见|拜拜|回见|先挂了|挂了|我挂了|先这样|就这样|不聊了|不说了|回头聊|下次聊|有空再聊|"
    r"\b(bye|goodbye|bye bye|bye now|see you|see ya|ta[- ]?ra|cheerio|ta ta|take care|"
    r"talk (to you )?later|gotta go|"
    r"have a (good|nice|great) (one|day|night|evening|weekend)|catch you later|"
    r"have to go|got to go|i'?ll let you go)\b"
)
# thanks for what was said or done ("thanks for that", "thank you for calling",
# "谢谢你啊", "麻烦你了"): an acknowledgement, whatever it thanks for
THANKS_FOR = (
    r"\b(thanks|thank you|cheers|ta) ((so |very )?much |a lot )?for (that|this|it|calling|"
    r"the call|your time|your help|the help|letting me know|the reminder|the info|the update|"
    r"everything|checking( in)?|ringing)\b|谢谢(你|您)(们)?|麻烦(你|您)(们)?了|辛苦(你|您)(们)?了"
)
# acknowledgements: "I heard you" said before a closing ("行了行了 我知道了", "ok thanks")
ACKNOWLEDGE = re.compile(
    r"行了|好了|好的|好嘞|得嘞|好咧|妥了|好吧|好|行|嗯+|恩+|哦+|知道了|我知道了|明白了|了解了|晓得了|清楚了|收到|"
    r"谢谢|谢了|多谢|麻烦了|辛苦了|没事了|没别的事了?|没什么事了?|没啥事了?|就这些|那就|那|就|先|我|吧|啊|了|哈|呀|啦|"
    r"\b(ok|okay|alright|all right|right|thanks|thank you|cheers|got it|i see|understood|"
    r"fine|great|sure|yeah|yes|then|so|now|and|well)\b"
)


def closing_only(text: str) -> bool:
    """A closing and acknowledgements only ("行了行了 我知道了 再见", "好嘞 挂了", "ok bye"):
    neither an answer nor a refusal."""
    if not CLOSING.search(text):
        return False
    return not ACKNOWLEDGE.sub(" ", CLOSING.sub(" ", text)).strip()


# a commitment ("先算我一个吧", "put me down for it"): said last, after any hedge, it
# settles a yes ("不是不想去 就是怕没时间 先算我一个吧")
COMMIT = re.compile(
    r"算我一个|算我一份|算上我|给我报上|帮我报上|记上我|给我记上|报上吧|那就(这么)?定了|"
    r"\b(count me in|sign me up|put me down|book me in|pencil me in)\b"
)
# neither answer wanted ("either way", "都行", "无所谓"): to a yes/no question, no answer
INDIFFERENT = re.compile(
    r"\beither way\b|\bone way or the other\b|\b(doesn'?t|does not|don'?t) (really )?matter\b|"
    r"\b(don'?t|do not) (really )?(mind|care) either\b|\bwhichever\b|\bno preference\b|"
    r"\bup to you\b|\byour call\b|"
    r"都行|都可以|都成|都好|无所谓|随便|随你|怎么都行|都一样|听你的|你们看着办|看你们"
)
# a negated word that says all is well ("no problems at all", "no complaints", "没毛病"):
# a yes, unless the question itself asks about problems (states reads those)
ALL_WELL = re.compile(
    r"\bno (problems?|issues?|complaints?|trouble|worries|bother)( at all| whatsoever)?\b|"
    r"\bnot a (problem|bother)\b|"
    # no harm left, or not bad at all ("no mess really", "it wasn't too bad")
    r"\bno (mess|damage|fuss|hassle|harm( done)?)( at all| whatsoever| really)?\b|"
    r"\b(not|wasn'?t|wasnt|isn'?t|isnt|weren'?t|werent) (too|that|so|half) bad\b|"
    r"\bcan'?t complain\b|\bnothing wrong\b|\bnot a (thing|single thing) wrong\b|"
    r"没毛病|挑不出毛病|没得说|没话说|没的说|没什么可说的|没啥问题|没什么问题|一点问题都没有|"
    # south-western 没得 / 莫得 for 没有 ("没得问题", "莫得啥子问题")
    r"(没得|莫得)(啥|啥子|什么)?问题"
)
# a question whether the callee goes on with something ("还打算继续包月吗", "续租吗",
# "will you renew", "keep using"), and the words that say it stops ("这个月完了就停了",
# "先停一个月", "退了吧", "I'll stop after this one"): a no to it
GOES_ON = re.compile(
    r"继续|(?<![手持陆])续|接着|还(打算|要|会|想|在)?(用|租|订|包|办|来|做)|"
    r"\b(continue|renew|keep|carry on|stay with|stick with|still (using|use|on|with|have))\b"
)
STOPS = re.compile(
    r"(?<![不没别])(停(了|掉|一[下个阵段]|[一两几]个月)|先停|暂停|停下|退(了|掉)|不干了|到此为止|就到这|"
    r"就这一[次回期个]|完了就(停|不))|"
    r"\b(stop(ping)?|quit(ting)?|pause|call it a day|give it up|that'?s it for me|"
    r"done after this|last one)\b|"
    # replaced by another or one's own ("we swapped it for a netgear", "I use my own now",
    # "换了个别家的", "自己买了一个")
    r"\b(swapped|switched|replaced|changed) (it|over|to|for)\b|\bgot rid of\b|"
    r"\b(sent|gave|took) it back\b|\b(use|using|have|got|bought) (my|our) own\b|"
    r"换(了|掉)(个|一个)?(别|自己|新)|(用|买)(了)?(我)?自己的|自己买了|"
    # put away unused ("it's in a drawer somewhere", "collecting dust", "放着吃灰")
    r"\bin (a|the) (drawer|cupboard|closet|box|garage|loft|attic)\b|\bin storage\b|"
    r"\b(collecting|gathering) dust\b|\b(threw|thrown|chucked) it (out|away)\b|"
    r"吃灰|闲置|扔了|收起来了|放着没用"
)
# a question that offers to do something for the callee ("需要我们帮您预约吗", "would you
# like us to..."), and the words that take the offer up ("那麻烦你了", "那敢情好", "please
# do") or turn it down ("那就不麻烦了", "I'll manage"): read only to such a question
OFFER = re.compile(
    r"(帮|给|为|替)(您|你)|需要我们|要不要我们|我们(可以|来)|"
    r"\b(would you like|do you want|shall|should) (us|me|we|i)\b|\bcan (we|i) (help|send|book)\b"
)
OFFER_TAKEN = re.compile(
    r"麻烦(你|您)了|那就麻烦(你|您)?|那就拜托|拜托(你|您)了|敢情好|那太好了|那(就)?有劳|"
    r"\b(that would|that'?d) help\b|\bif you (could|would|don'?t mind)\b|"
    # the offered act asked for outright ("麻烦订一个", "please book one")
    r"^麻烦(你|您)?(帮(我|忙))?(给我)?(订|约|预约|留|安排|登记|报|加)|"
    r"^please (do|book|reserve|arrange|add|put)\b"
)
OFFER_DECLINED = re.compile(
    r"不(用|必)?麻烦|就不麻烦|不劳(您|你)|我自己(来|弄|去|搞)|"
    r"\bno need to bother\b|\bdon'?t (trouble|bother) yourself\b|\bi'?ll manage\b|"
    r"\bi can do it myself\b|\bi'?ll do it myself\b"
)
# people's words for a "not yet": not got round to it ("还没顾上看呢", "没来得及"), and
# other ways a verb is negated before it ("不至于推荐", "水都没敢喝", "没法看", "忘了交")
NEGATED_BEFORE = re.compile(
    r"(不|没|没有|别|未|不再|不想|不打算|不会|没怎么|不用|不太|无法|没敢|不敢|没能|不能|"
    r"没顾上|顾不上|没顾得上|没来得及|来不及|没空|没时间|没工夫|没机会|没法|没办法|不至于|"
    r"忘了|忘记|懒得|用不着|犯不着|不必|没必要)$"
)
# a verb negated after it: it cannot be done ("用不着", "看不上", "去不成", "交不起")
NEGATED_AFTER = re.compile(r"^不[了到成着上起动完下来去]")


# a rhetorical question or retort that means yes ("可不是嘛", "能不借吗", "谁说没借",
# "那还用问", "do bears..."), and one that means no ("why would i", "哪有的事", "怎么可能");
# read before the negation inside them
RHETORICAL_YES = re.compile(
    r"可不是|那可不|可不嘛|谁说不是|谁说(我|咱|我们)?(没|不)|(?<![能])能不(?![能])[\u4e00-\u9fff]{1,3}(吗|么)|"
    r"哪能不|怎么(能|会)不[\u4e00-\u9fff]{1,3}(吗|么|呢)?$|怎么可能不|还用问|不然呢|"
    r"\b(hell|heck) yes\b|\bdo bears\b|\band how\b|\bdoes it ever\b|\bwho wouldn'?t\b"
)
RHETORICAL_NO = re.compile(
    r"^(那)?哪有(啊|呀|的事|这回事)?$|哪有的事|哪有这回事|^怎么可能(啊|呢|呀)?$|开什么玩笑|想得美|"
    r"\bwhy would (i|we)\b(?! not)|\bas if\b|\bwhat for\b|\bnot on your life\b|"
    r"\bare you (kidding|joking)\b|\byou'?re (kidding|joking)\b"
)


def rhetorical(text: str) -> bool | None:
    """What a rhetorical answer says: True, False, or None when the reply holds none."""
    if RHETORICAL_YES.search(text):
        return True
    if RHETORICAL_NO.search(text):
        return False
    return None


def polarity(text: str) -> bool | None:
    """True for yes, False for no, None when the reply says neither. A double negation
    is read clause by clause (yes_no), not here: "没有 不知道有" is two clauses."""
    if re.search(r"why not|no problem|not a problem|没问题|不客气|no doubt", text):
        return True
    if (said := rhetorical(text)) is not None:
        return said
    if NO.search(text) or NO_PHRASES.search(text):
        return False
    if _YES.search(text) or YES_PHRASES.search(text):
        return True
    return None


def clause_polarity(parts: list[str]) -> bool | None:
    """A yes or no said as a clause of its own ("中", "木有 还在刷题"): the first such
    clause; None when there is none."""
    for p in parts:
        if NO_ALONE.fullmatch(p):
            return False
        if YES_ALONE.fullmatch(p):
            return True
    return None


# yes and no words by their toneless sound, for ASR slips of a short clause ("事的" for
# 是的, "美有" for 没有, "可疑" for 可以)
_SOUNDS = {
    "是的": True, "对的": True, "好的": True, "可以": True, "需要": True, "没错": True,
    "要的": True, "行的": True,
    "没有": False, "不是": False, "不用": False, "不要": False, "不对": False, "不行": False,
    "不需要": False, "不可以": False, "没有的": False,
}  # fmt: skip


def sound_polarity(parts: list[str]) -> bool | None:
    """A short clause that sounds like a yes or no word ("事的", "美有"): the first such
    clause; None when none does."""
    from voxdial.conversation.matching.spelling import _pinyin

    sounds = _sound_table()
    for p in parts:
        if 2 <= len(p) <= 3 and re.fullmatch("[\u4e00-\u9fff]+", p):
            if (said := sounds.get(_pinyin(p))) is not None:
                return said
    return None


@lru_cache(maxsize=1)
def _sound_table() -> dict[tuple[str, ...], bool]:
    from voxdial.conversation.matching.spelling import _pinyin

    return {_pinyin(w): v for w, v in _SOUNDS.items()}


def is_negative_answer(answer: str) -> bool:
    return bool(_NEG_ANSWER.search(squash(answer)))


def is_uncertain_answer(answer: str) -> bool:
    return bool(_UNCERTAIN_ANSWER.search(squash(answer)))


# verbs of a yes/no question that say nothing on their own
_GENERIC_VERBS = set(
    "是 有 会 能 要 想 觉得 希望 请问 打算 可以 问 让 给 把 做 说 看 方便 知道 还".split()
)
# a question's verb and the words said back for it ("继续租吗" -> "续", "接着来")
_VERB_SYNONYMS = {
    "需要": ("要", "用"), "使用": ("用",), "继续": ("还", "续", "接着"), "续保": ("续",),
    "续约": ("续",), "续租": ("续",),
}  # fmt: skip
# verbs a callee says for the same act ("提醒了吗" -> "说了说了", "讲过", "压根没提";
# "收到了吗" -> "没见着"; "看过了吗" -> "瞅了一眼"): said back, they answer as the verb does
SAME_ACT = {
    "提醒": ("说", "讲", "提", "告诉", "交代", "嘱咐", "通知"),
    "通知": ("说", "讲", "告诉", "提醒", "发"),
    "告诉": ("说", "讲", "提"),
    "说明": ("说", "讲", "解释"),
    "解释": ("说", "讲"),
    "收到": ("见着", "见到", "看到", "看见", "拿到", "接到", "收着", "到了"),
    "拿到": ("收到", "见着", "到手"),
    "看": ("瞅", "瞧", "瞄", "看到"),
    "看过": ("瞅", "瞧", "瞄", "看到"),
    "推荐": ("介绍", "安利"),
    "联系": ("打电话", "打过电话", "来电话", "找"),
}
# acts that undo an answer's state, said instead of it ("空腹了吗" -> "喝了杯牛奶": no,
# "啥也没吃": yes), and states said for it ("饿着肚子去的")
OPPOSITE_ACT = {"空腹": ("吃", "喝"), "禁食": ("吃", "喝"), "戒烟": ("抽",), "戒酒": ("喝",)}
SAME_STATE = {"空腹": ("饿着肚子", "空着肚子", "饿着", "空着"), "禁食": ("饿着",)}
# result complements a verb takes ("考过", "修好", "练上"): when the question asks about
# the result ("考过了吗"), said alone they answer it ("过了", "还没过")
RESULTS = "过完好上成通齐"
# complements after a verb ("放到", "交给", "修好"): the verb before them is said back
# alone ("放吧"); only a result (RESULTS) is said alone too
_COMPLEMENTS = RESULTS + "到给在进回走掉"
# a verb and its result asked about ("修好了吗", "考过没")
_ASKS_RESULT = re.compile(rf"([\u4e00-\u9fff])([{RESULTS}])了?(?:吗|没|么|没有)")
# modal verbs a question's own verb follows ("打算报", "愿意签", "想换")
_MODALS = ("打算", "准备", "愿意", "考虑", "想", "要", "会", "能")
# objects of verb-object compounds: the verb alone is said back ("签约" -> "签", "续费"
# -> "续", "报名" -> "报")
_VO_OBJECTS = set("约费款保名字卡户单号课")
# what a modal may be followed by that is not a verb: pronouns, prepositions, adverbs
_NOT_VERB_FLAGS = ("r", "p", "d", "u", "y", "x", "m", "q", "t", "f", "c")
# a verb in a clause of time is not what the question asks ("拿证以后打算报…吗")
_TIME_CLAUSE = re.compile(r"^.{0,3}?(以后|之后|以前|之前|的时候|后|前)")


@lru_cache(maxsize=512)
def question_verbs(question: str) -> tuple[str, ...]:
    """The verbs of a Mandarin yes/no question ("您还会继续使用我们的服务吗" -> 继续, 使用;
    "考过了吗" -> 考过, 考, 过; "打算报…吗" -> 报; "签约…吗" -> 签约, 签)."""
    if not re.search("[\u4e00-\u9fff]", question):
        return ()
    import jieba.posseg

    from voxdial.conversation.knowledge import _jieba

    _jieba()
    tagged = [(p.word, p.flag) for p in jieba.posseg.lcut(question)]
    modal_verbs = _after_modals(tagged)
    purpose = _purpose_clause(tagged, modal_verbs)
    out: list[str] = []
    at = 0
    for k, (w, flag) in enumerate(tagged):
        at = question.find(w, at)
        end = at + len(w)
        if k >= purpose:
            break  # "推荐家里人来我们这儿体检": 来 / 体检 are not what is asked
        if flag.startswith("v") and _TIME_CLAUSE.match(question[end:]):
            continue  # "拿证以后"
        after_modal = k in modal_verbs
        if not flag.startswith("v") and not (after_modal and re.fullmatch("[\u4e00-\u9fff]", w)):
            continue
        if re.search("吗|呢|么", w):
            continue  # a verb cut together with the question's particle ("好了吗")
        for v in _verb_forms(w, question[end:]):
            if v not in _GENERIC_VERBS:
                out.append(v)
                out += _VERB_SYNONYMS.get(v, ())
    for m in _ASKS_RESULT.finditer(question):  # however jieba cut it ("修 / 好了吗")
        verb, result = m.group(1), m.group(2)
        if verb not in _GENERIC_VERBS:
            out += [verb + result, verb, result]
    for v, more in _VERB_SYNONYMS.items():  # whatever jieba tagged them as ("续保吗")
        if v in question and v not in out and len(more[0]) == 1 and len(v) == 2:
            out += [v, *more]
    return tuple(dict.fromkeys(out))


def _purpose_clause(tagged: list[tuple[str, str]], modal_verbs: set[int]) -> int:
    """Where a purpose clause after the modal's verb and its object starts ("会推荐家里人
    来…体检吗": at 来): its verbs are someone else's act, not the callee's answer."""
    if not modal_verbs:
        return len(tagged)
    main = min(modal_verbs)
    for j in range(main + 2, len(tagged)):
        if tagged[j][0] in ("来", "去") and tagged[j - 1][1].startswith(("n", "r")):
            return j
    return len(tagged)


def _after_modals(tagged: list[tuple[str, str]]) -> set[int]:
    """Where the verb after each modal stands: the next word, or the word after a
    prepositional phrase ("打算给孩子报…" -> 报)."""
    found = set()
    for k, (w, _) in enumerate(tagged):
        if w not in _MODALS:
            continue
        j = k + 1
        if j < len(tagged) and tagged[j][1].startswith("p"):  # 给 孩子
            j += 1
            while j < len(tagged) and tagged[j][1].startswith(("n", "r")) and len(tagged[j][0]) > 1:
                j += 1
        if j < len(tagged) and not tagged[j][1].startswith(_NOT_VERB_FLAGS):
            found.add(j)
    return found


def _verb_forms(verb: str, rest: str) -> list[str]:
    """A question's verb and the parts of it said back alone: the verb of a modal
    joined to it ("想换" -> 换), of a verb-object compound ("签约" -> 签), and the
    verb before a complement ("放到" -> 放) and the result asked about ("考过了吗" ->
    考, 过)."""
    forms = [verb]
    if len(verb) == 2 and verb[0] in "想要会能" and verb not in _GENERIC_VERBS:
        forms.append(verb[1])
    elif len(verb) == 2 and verb[1] in _VO_OBJECTS and verb[0] not in _GENERIC_VERBS:
        forms.append(verb[0])
    elif len(verb) == 2 and verb[1] in _COMPLEMENTS and verb[0] not in _GENERIC_VERBS:
        forms.append(verb[0])
        if verb[1] in RESULTS and re.match(r"^(了)?(吗|没|么|没有)", rest):
            forms.append(verb[1])  # "考过了吗": "过了"
    return forms
