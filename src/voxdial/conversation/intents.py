"""What a callee's reply does, apart from answering: never call again, not interested,
call later, goodbye, unsure, hesitating, asking to wait or to repeat, asking something
back, correcting an earlier answer, agreeing to talk. Mandarin and English.

`read()` is run on every turn; the script engine decides from the flags (and from the
answer matcher) what to do. Every pattern runs on `clean()`ed text (folded, fillers out,
no punctuation, Chinese without spaces), except where the raw clauses are needed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from voxdial.conversation.normalize import clean, fold
from voxdial.conversation.polarity import THANKS_FOR, closing_only
from voxdial.conversation.polarity import UNSURE as _MORE_UNSURE

# "never call me again": block the number
NEVER_AGAIN = re.compile(
    r"别再打|不要再打|别再给我打|不要再给我打|以后别打|以后不要打|别打了|不要打了|再打.{0,2}投诉|"
    r"拉黑|删掉我的号码|把我号码删|电话号码删|号码删掉|别骚扰|不要骚扰|骚扰我|骚扰电话|别给我打电话|不要给我打电话|"
    r"不要再联系|别再联系|不要再打来|别再打来|说了多少次别打|"
    # 莫 and 勿, the 别 of south-western speech and of notices ("以后莫再打了", "勿再来电")
    r"(莫|勿)再(打|给我打|来电|联系)|(莫|勿)(打|给我打)了|"
    # "别往这个号打了", "再也别打了", "永远不要打": the number as the object
    r"(别|不要|甭|莫|不许|不准|再也别|再也不要|永远别|永远不要)(再)?(往|给|朝)(我|我们)?(这个|这|我这个|我的|这一个)?"
    r"(号码?|电话|手机号?|座机)?(上)?(再)?打|(再也|永远)(别|不要)(再)?打|"
    r"(名单|列表|系统)里?(把我)?(删|去掉)|把我.{0,8}(名单|列表).{0,3}(删|去掉)|从.{0,8}(名单|列表).{0,3}删|"
    r"不想再接到|别再给我来电|不要再给我来电|不要再来电|"
    r"stop calling|stop ringing|stop phoning|don'?t call (me |"
    r"this number )?(again|anymore|ever)|don'?t (ever )?call me|"
    # "don't ever call this number again", "do not ring this phone again", "never ever call"
    r"(don'?t|do not|never)( you)?( ever)? (call|ring|phone|dial|contact) (this|my|our) "
    r"(number|phone|line|house|home)|(don'?t|do not) ever (call|ring|phone|contact)|"
    r"never (ever )?(call|ring|phone|contact) (me|us|this|here|again)\b|quit calling|no more calls|"
    r"never call (me|us|again|this)|remove (me|my number)|"
    r"take me off|do not call|lose my number|stop bothering|"
    r"don'?t contact me|off your (calling )?list"
)
NOT_INTERESTED = re.compile(
    r"^不了(谢谢|谢了|吧)?$|不需要|不用了|没兴趣|不感兴趣|不考虑|不想听|没空听|不要了|用不着|算了吧|不了不了|不接受|"
    # "不用约", "不用安排了": the thing the call offers is not wanted
    r"不用(再)?(约|预约|安排|上门|来了|过来|麻烦了|联系了)|"
    r"不做(这个|调查|回访)|不想做|不回答|不想回答|不打分|没什么好说|没啥好说|不用问了|不搞这个|没空搞|"
    r"not interested|no thanks|no thank you|not for me|i'?ll pass|don'?t need|don'?t want|"
    r"no need|not buying|don'?t do surveys|(don'?t|not) want(ing)? to (do|rate|answer)|"
    # "I'm not booking anything over the phone": whatever the call offers, turned down
    r"\b(i'?m|i am|we'?re|we are) not (booking|buying|ordering|signing up for|paying for) "
    r"anything\b|"
    r"(not|no longer|isn'?t|aren'?t) needed|don'?t need (it|that|this|one|them) any ?more|"
    # "i wanna stop this call", "I'd like to end this conversation", "let's end it here"
    r"(want|wanna|going|gonna|like|need|have) (to )?(stop|end|finish|quit|hang up)"
    r"( this| the)?( call| conversation| now| here)|(stop|end) (this|the) (call|conversation)|"
    r"我要挂(电话)?了|我不想(聊|说|谈)了|不想(再)?(聊|谈)了|(结束|停止)(这个)?(通话|电话)|"
    # the call called a waste of the callee's time ("别耽误我时间了", "stop wasting my time")
    r"(别|不要|少)(再)?耽误我(的)?时间|浪费我(的)?时间|\bwasting my time\b|"
    r"\ba waste of (my )?time\b"
)
# no longer concerned: the callee has left, switched, sold or stopped what the call is
# about ("我已经退学了", "we sold the house", "I've already switched insurers"); at the
# opening's question this is a refusal, not a "no" to answer a question with
NO_LONGER = re.compile(
    r"已经(不|没)?(退学|退了|不学了|毕业|换了|换成|换到|搬走|搬家|搬了|卖了|转让|转走|注销|销户|取消|停了|"
    r"不在|不住|不用|离职|辞职|走了|去别家|在别家|找了别家|换了别家|办了别家)|"
    r"(找|用|选|换)(了)?别家(了)?|(现在|已经|都|一直)(在|去)别(的地方|处)|"
    # going elsewhere for it now ("I get my eyes tested somewhere else now")
    r"\b(i|we) (now |always |usually )?(get|go|use|buy|have|see|shop|take)\b[\w' ]{0,30}"
    r"\b(somewhere else|elsewhere|another (place|company|provider|shop|store|clinic|firm))\b|"
    r"\b(i'?m|we'?re) not \w+ing (again|any ?more)\b|"
    r"(不学|不开|不住|不用|不做|不干|不租)了|(房子|车子?|店|铺子)(已经)?卖了|"
    r"\balready (switched|moved|changed|cancell?ed|sold|left|quit|stopped|got (one|it|that)|"
    r"have (one|it|that)|"
    r"signed up|signed with|found|went with|booked|done (it|that))|"
    r"\b(we|i) (sold|moved out of|moved away from|gave up|closed) (the|our|my|that)\b|"
    r"\b(no longer|not any ?more|don'?t any ?more) (live|own|have|use|need|with|a customer|there)|"
    r"\b(not|no longer) (a|your) (customer|client|member|student|patient)"
)
# the callee will see to it alone ("I'll sort it out meself", "we'll book it ourselves")
SORTS_IT_ALONE = re.compile(
    r"\b(i|we)'?(ll| will) (sort|book|arrange|organi[sz]e|handle|do) (it|that|this|them)"
    r"( out)?( online)? (myself|meself|ourselves)\b"
)
# at the opening's question, not wanting what the call offers ("也不想换", "不打算办")
DECLINES_OFFER = re.compile(
    r"(不|不太|也不|并不|没)(想|打算|准备)(换|办|装|买|要|参加|弄|搞|约|签|续|报|学|改|做|听|聊|修|用|试|去)|"
    r"\b(don'?t|do not) (want|plan) (to )?(change|switch|buy|book|sign|renew|join|talk)"
)
# a refusal of the call's questions themselves ("别问了", "I'm not doing this"): a refusal
# even beside a plain "no", which then is not an answer
REFUSES_QUESTIONS = re.compile(
    r"别问了|不要问了|不用问了|不想(回)?答|不(愿意)?回答|不用回访|不需要回访|不做回访|不接受回访|"
    r"don'?t want to answer|won'?t answer|not answering|not doing (this|that|it|a survey|surveys)|"
    r"(don'?t have|no) time for (this|that|a survey|surveys|your survey|questions)|stop asking|"
    r"不(想)?参加.{0,4}(调查|问卷|回访|访问)|不(想)?做了?.{0,8}(调查|问卷|回访)|(调查|问卷|回访|访问).{0,4}不(想)?(参加|做|答)|不答了|不接受(调查|采访|访问|问卷)|不做(问卷|调查)|"
    r"don'?t do (phone |telephone )?(surveys|questionnaires|polls)|no more questions|"
    r"(rather|prefer) not (to )?answer (any|these|this|your)|not answering (any|these|your)|"
    r"(rather|prefer) not (to )?do (any of )?(this|these|it|that|the survey|surveys)\b|"
    # not taking part ("I'd rather not take part", "不想参与"): the questions refused
    r"\b((rather|prefer) not( to)?|(don'?t|do not) (want|wish) to|won'?t|not going to) "
    r"(take part|participate|be involved|join in)\b|不(想|愿意?)?参与"
)
# an explicit request to be called again (wins over a number or a time in the reply)
CALL_AGAIN = re.compile(
    r"再打|再联系|打过来|打给我|回个电话|回电|稍后再|晚点再|晚些再|回头再打|过会再|等会再|待会再|一会儿?再|"
    r"等(一)?下再(说|打|聊|联系)|"
    r"(明天|后天|下午|晚上|上午|早上|中午|晚点|改天|下周.?|周.|星期.|礼拜.|\d+点|[一二三四五六七八九十]+点|"
    r"等我(到家|回家|下班|忙完|有空|回来)|到家|回家|下班|忙完)"
    r"(以后|之后)?(再)?(打|联系|说|聊|谈)|"
    r"(call|ring|phone) (me )?(back )?later|(call|ring|phone) (me )?back|"
    # the call itself put off ("can we do this later", "let's talk another time")
    r"\b(do|continue|finish) (this|it) (later|another time|some other time|tomorrow|tonight)\b|"
    r"\btalk (about (this|it) )?(another time|some other time|tomorrow|tonight)\b|"
    r"call (me )?(tomorrow|tonight|in|at|after|this|next|on)|回头(再)?(打|联系)|"
    # phone and ring as the verb call is ("phone tomorrow morning at ten"), not the noun
    r"(?<!the )(?<!my )(?<!a )(?<!your )\b(phone|ring) (me |us )?(tomorrow|tonight|after|next|"
    r"this (morning|afternoon|evening)|(on )?(monday|tuesday|wednesday|thursday|friday|"
    r"saturday|sunday))\b|"
    r"call (me )?(back )?(on )?(monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"another day|some other time|the (morning|afternoon|evening))|"
    r"try (me )?again|try me\b|try (again )?later|ring me|ring (me )?back|"
    r"give me a (ring|call|buzz|bell)|"
    r"give me (half an hour|an hour|\d+ minutes)|another time"
)
# busy now (a callback, unless the reply answers anyway)
BUSY = re.compile(
    r"改天|晚点|晚些|稍后|回头再|过会|等会|待会|一会儿|不方便|不太方便|不大方便|没空|没时间|在开会|开会呢|在开车|开车呢|^开车|开着车|在忙|正忙|有点忙|忙着呢|现在忙|"
    r"太忙|在上班|今天忙|这会儿忙|这会忙|挺忙|很忙|比较忙|忙着|"
    r"在地铁|在高速|在医院|进电梯|有事|"
    r"等我(下班|到家|回家|回来|开完会|吃完饭)|"
    r"\b(when|once) i('?m| am| get) (home|back|off work|free|done)|after i (finish|get off) work|"
    r"busy|in a meeting|driving|not a good time|bad time|can'?t talk|at work|"
    # "at the doctor('s)" now, not what was done there ("we're all done at the doctor's")
    r"(?<!done )(?<!it )(?<!them )(?<!had )(?<!got )at the doctor|"
    r"(now'?s|now is|it'?s) not (great|good|ideal)|"
    r"in the middle of something|have to run|not (right )?now"
)
GOODBYE = re.compile(
    r"再见|拜拜|先这样|就这样吧?|(那)?(我)?先?挂了(啊|哈|哦)?$|挂了啊|先挂了|我挂了|"
    r"挂了(?=拜拜|再见)|不聊了|"
    r"\bbye\b|goodbye|bye bye|bye now|have to go|"
    # the goodbyes of northern English and casual speech ("ta-ra", "cheerio", "see ya")
    r"\bta[- ]?ra\b|\bcheerio\b|\bta ta\b|\bsee ya\b|\bhooroo\b|"
    r"gotta go|that'?s all( i'?ve got time for| i have time for| for now| for today)?|"
    # leaving, or ending the call for today ("我要出门了", "that's enough for today")
    r"我?(要|得)出门了|我?得走了|我?要走了|今天(就)?(先)?到这(里|儿)?|"
    r"that'?s enough for (today|now)|let'?s (leave it|stop) (there|here|for today)|"
    r"\bi (need|have|got) to (go|run)\b|\bi'?ve got to (go|run)\b"
)
# a bare sound said rising ("嗯？", "啊?", "huh?"): not heard, asked again
_HUH = re.compile(r"^\s*(嗯|啊|哈|呃|额|诶|什么|啥|huh|eh|what|hm+|uh)\s*[?？]+\s*$")
# what may stand beside a goodbye without being an answer
_ACK = re.compile(
    rf"{THANKS_FOR}|"
    r"好嘞|好咧|得嘞|好的?|好好|行了?|嗯+|谢谢|谢了|(我)?知道了|(我)?明白了|(那)?没(别的|什么|啥)?事了?吧?|"
    r"\b(okay|ok|alright|all right|right|thanks|thank you|cheers|got it|i see|understood|"
    r"bye|goodbye|now|then|so)\b|就这样|先这样|再见|拜拜|嗯嗯|那就|那我|那|啊|了|哈|吧|呀"
)
UNSURE = re.compile(
    r"还没想好|没想好|还没定|没定|还没决定|没决定|看情况|看价格|不一定|说不准|说不好|不好说|拿不准|"
    r"到时候再说|到时候看|到时候再看|到期再说|到时再说|再说吧|再看看|考虑考虑|考虑一下|再考虑|还在考虑|"
    r"我想想|想一想|让我想想|没(怎么)?想过|没考虑过|(还)?没(太)?(注意|留意)(过|到)?(?=$|\s|吧|呢|啊)|"
    r"不确定|看.{0,6}(?P<ab>.)不(?P=ab)|不(知道|晓得)(?=$|怎么|咋|是?(什么|啥|哪))|不清楚(?=$)|谁知道|还早呢|"
    # the callee's own knowledge hedged ("我不太清楚", "也不大清楚"), not a thing unclear
    r"(^|\s|我|俺|也)不(太|大)(清楚|确定)(?=$|\s|吧|呢|啊|哦)|"
    r"\bwho knows\b|"
    r"haven'?t (really )?(decided|thought)|haven'?t (really )?(noticed|checked|looked)(?! any)|"
    r"\b(didn'?t|did not) (really |even )?(notice|check|look)\b(?! any)|"
    r"not sure|unsure|don'?t know|no idea|(it )?depends|"
    r"^maybe$|maybe not|maybe,? maybe|we'?ll see|can'?t say|"
    r"hard to say|let me (have a )?think|i'?ll (have a )?think about it|undecided|"
    r"no clue|not a clue|haven'?t (got )?a clue|clueless|"
    r"not decided|说不上来|\b(couldn'?t|can'?t) (really )?tell you\b(?! how)|"
    r"ask me (again )?(later|closer)|closer to the time|i'?ll have to check|can'?t remember"
)
# a moment asked for ("one sec", "just a second", "give me a moment"); not "a second" or
# "one minute" alone, which can answer a question
_MOMENT = (
    r"(just )?(one|a) (sec|moment|tick)|one second|just a second|"
    r"give me (a|one) (sec|second|moment)"
)
_FILLER_WORDS = re.compile(
    r"嗯+|呃+|额+|啊+|哦+|诶+|那个啥|那个|这个嘛|这个|就是说|就是|我想想|让我想想|想一想|想想|"
    # asking for a moment and nothing more ("等一下", "uh hang on", "one sec"): still
    # thinking or looking, never an answer (the "one" of "one sec" is no count)
    r"等一下|等一等|等等|等下|稍等|你等下|等我一下|"
    rf"\b(um+|uh+|erm|er|hmm+|mm+|well|let me think|let me see|like|you know|"
    rf"hang on|hold on|wait|{_MOMENT})\b"
)
_ROOM_TO_TALK = (
    r"(这边|这里|我这)?(有点|太|很|特别)吵|信号不好.{0,4}(我|等)|我(出去|到外面|换个地方|找个安静|走远点)|"
    r"关(个|一下)?门|\b(it'?s|too) (loud|noisy) (here|in here)|let me (step|go|get) (outside|out|"
    r"somewhere)|"
    r"somewhere quieter"
)
HOLD = re.compile(
    r"^(等一下|等等|稍等|你等一下|等我一下|hold on|one moment|just a (sec|second|moment)|hang on)|"
    r"我(看看|找找|找一下|查一下|翻一下|去拿)|let me (check|look|find|grab|get)|"
    r"等一下我|稍等一下|我出去(说|接)|hold on|hang on|"
    # "等下我找一找", "我翻一翻", "等一等": a moment to look something up
    r"^等下(?![午周个次回])|等一等|我(找|翻|查|看|想)一(找|翻|查|看|想)|我(查查|翻翻)|"
    rf"let me (have a look|take a look|dig)|\b({_MOMENT})\b|"
    rf"{_ROOM_TO_TALK}"
)
# making room to talk ("等会儿 我这边有点吵", "let me step outside"): a moment, not a callback
ROOM_TO_TALK = re.compile(_ROOM_TO_TALK)
# "sorry?" alone asks again; said after an answer ("two, sorry") it apologises
REPEAT = re.compile(
    r"再说一遍|再说一次|没听清|没听到|听不清|听不太清|你说什么|你说啥|说啥|什么意思|啥意思|重复一下|再说一下|"
    # 讲 is 说 in southern speech ("你讲咩啊 再讲一次")
    r"再讲一(遍|次|下)|你讲(什么|啥)|"
    r"信号不好|听得到吗|听不见|^喂+$|^啊$|^what$|"
    r"pardon|^(?:(?:oh|um|uh|er|eh|erm|what)\W+)?sorry\??$|sorry what|say (that )?again|"
    r"repeat|didn'?t (catch|hear)|what did you say|"
    # not hearing a phone ring at all ("I can't hear the phone properly") is a reason,
    # not this call heard badly
    r"come again|breaking up|cut out|can'?t hear(?! (the|a|my) (phone|ring|doorbell|bell))"
)
# the kinds of organisation a callee asks "which one?" about (哪个驾校, which clinic)
_ORGANISATIONS = (
    "公司|单位|驾校|学校|银行|医院|诊所|机构|平台|门店|店|超市|酒店|物业|部门|中心|保险公司|快递|厂家|"
    "品牌|营业厅|健身房|俱乐部|培训班|培训机构|学校|电信|运营商|事务所|商家|网点"
)
_ORGANISATIONS_EN = (
    "company|firm|business|bank|clinic|hospital|practice|school|office|agency|store|shop|"
    "insurer|insurance company|provider|supplier|organi[sz]ation|outfit|department|service|gym|"
    "hotel|pharmacy|dentist|surgery|centre|center|garage|salon|restaurant|firm|utility"
)
# a question about who is calling or why: answered from the opening line
WHO = re.compile(
    r"你是哪|你哪位|哪位|你是谁|^你谁|谁啊|你哪里|哪里啊|什么公司|哪个公司|哪家公司|哪家的|你们是哪|"
    r"你找谁|找谁|who is this|who'?s this|who'?s calling|who are you|who do you want|"
    r"who are you (looking for|after)|"
    r"who is calling|what company|where are you calling|"
    # "哪个驾校", "哪家医院", "什么单位": which organisation, named by its kind
    rf"(哪个|哪家|哪一家|什么|啥)[\u4e00-\u9fff]{{0,3}}({_ORGANISATIONS})(的|啊|呀)?$|"
    rf"\b(which|what) ({_ORGANISATIONS_EN})\b( (is this|is it|was it|did you say|are you( with|"
    rf" from)?))?$|"
    r"who did you say|where did you say|who('?s| is) (speaking|this speaking)|who am i (speaking|"
    r"talking) (to|with)|"
    r"(say|what was|what'?s) (the|your) (name|company)( again)?|sorry,? who"
)
WHY = re.compile(
    r"什么事|啥事|干嘛|干什么|有什么事|找我.*事|找她.*事|找他.*事|怎么知道|怎么有我|"
    r"what'?s (this|it) (about|regarding)|what is (this|it) (about|regarding)|what for|"
    r"why are you calling|what do you want(?! to (know|ask))"
)
# "什么续约？", "what check-up?": a word of the opening line asked back (at the opening)
WHAT_THAT = re.compile(
    r"^(等等|等一下|啊|嗯)?(什么|啥)\w{1,4}$|"
    r"^((wait|sorry|huh|um|uh|er|hang on|hold on),? )?what \w+(-\w+)?$"
)
# go-ahead words that cancel a "busy" ("我在外面吃饭呢 你说")
GO_AHEAD = re.compile(
    r"你说|说吧|你问|问吧|请讲|请说|长话短说|简单说|快说|(您|你)讲|讲吧|我听着|听着呢|在听|说来听听|"
    r"go ahead|go on|shoot|fire away|make it quick|i'?m listening|"
    r"(i'?ve|i have|i'?ve got|got|have) (a|one|two|three|five|ten|a few|a couple( of)?|\d+) "
    r"(minutes?|mins?|seconds?|secs?)"
)
# Cantonese question words ("你哋电话几多", "礼拜一开唔开门", "有冇得停车", "喺边度"):
# 几多 (how many), A唔A (A or not), 有冇, 咩, 边度 / 边个 / 边间, 点样 / 点解; not inside
# "I don't know whether" (唔知 / 不知道 ...: an embedded question, said, not asked)
_ASKING_CANTONESE = (
    r"^(?!.*(?:唔知|唔清楚|唔记得|不知|不清楚|不记得)).*"
    r"(?:几多(?![都也])|(?P<either>[\u4e00-\u9fff])唔(?P=either)|有冇|咩|"
    r"边(?:度|个|间|位|处|日)|点样|点解)"
)
# (not knowing what a thing is, "不晓得是什么管子", says; it does not ask)
ASKING = re.compile(
    r"吗$|吗\s|呢$|几(楼|层|栋|单元|路|站|号线)|(?<![没不])(?<!没得)(?<!莫得)(?<!不晓得是)(?<!不知道是)(?<!不清楚是)什么(?!时候都|都|也)|(?<![没不])怎么(?!样)|(?<![没不])多少(?![都也])|多久|多长|多快|多大|几点|"
    r"几号|几天|周几|星期几|礼拜几|几时|哪儿|哪里|在哪|为什么|为啥|"
    # which ones ("包含哪些主材"), not every one ("哪些都不要")
    r"(?<![没不])哪(些|几(个|种|样|项))(?![都也])|"
    # how often ("每天遛几次"), not "a few times" ("去过几次", "好几回", "前几次")
    r"(?<![了过好十这那前头])几(次|回|遍|趟)|"
    r"是不是|(?<!没)有没有|能不能|可不可以|可以吗|(?<!不)要不要|会不会|行不行|收费吗|请问|咨询|问一下|问下|想问|想了解|"
    # a question word opening the reply; "can't" asks only before its subject ("can't you
    # look it up"), not before a verb ("can't decide yet" says, not asks)
    r"^(what|how|when|where|why|which|who|is|are|do|does|can|could|will|would|should|any)\b"
    r"(?!'t\s+(?!(you|i|we|they|he|she|it|someone)\b))|"
    # (not a question word made a noun: "he explained the when")
    r"(?<!the )\b(what|how much|how long|how many|how do|when|where|why|is there|are there|"
    r"do you|can i|can you|is it)\b|"
    # question words of colloquial Mandarin: 咋 (not 不咋样), "…来着" (and 啥: ASKING_RAW)
    r"(?<!不)咋|来着$|会怎(么)?样|(?<!不)怎样$|多会儿|" + _ASKING_CANTONESE
)
# questions said without a question word, read on a clause before its particles are
# cleaned away: a verb and a final 不 ("补考要钱不", "能退不"), surprise at something
# allowed ("还能换教练啊"), a statement ending in a question particle
ASKING_RAW = re.compile(
    r"((有|能|会|是|行|收|算|退|换|送|包|管|给|用|去|来|办|交|过|贵|远|够|开|方便|免费)[^\s，,。]{0,6}|"
    r"要[^\s，,。]{1,6})(?<![也都就还可并倒决才像])不[?？]?$|"  # 要不 alone: "or else"
    r"(还|也|都)(能|可以|让|给|会|要)[^\s，,。]+[啊呀哇哈][?？]?$|"
    r"[^\s]{2,}(吗|(?<![什怎那这多])么)[?？]?$|"
    # 啥 asks, but not in 没啥 / 啥都 or the filler 那个啥 (read before cleaning drops 那个)
    r"^(?!.*没[^啥]{0,6}啥).*(?<![没不])(?<!那个)(?<!这个)啥(?![都也])|"
    # "I rent, does that matter": a clause opening with an auxiliary and its subject
    r"^(does (that|this|it|the|my|our|he|she)|do (i|we|you|they)|is (that|this|it|there|he|she|my|"
    r"the)|"
    r"are (you|there|they|we|the)|(can|could) (i|we|you|someone)|will (that|this|it|i|you|someone|"
    r"the)|"
    r"would (that|this|it|i|you)|should (i|we)|did (you|i|we|they|someone)|has (it|my|the)|"
    r"have (you|they|we))\b"
)
CORRECTION = re.compile(
    r"不对|不是不是|说错了|我说错|我是说|[哦噢啊]不(?=\s|$|[，,])|我说的是|我的意思是|应该是|改成|改一下|更正|"
    r"\bno wait\b|\bwait no\b|\bi meant\b|\bi mean\b|\bno,? sorry,? (?=\w)|"
    r"\bactually\b|make that|make it (?!quick)|scratch that|correction|"
    r"\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten)\s*,?\s+no\b,?\s+(make it\s+)?"
    r"(\d+|one|two|three|four|five|six|seven|eight|nine|ten)\b|"
    r"sorry,? i meant|"
    # "friday. no, monday", "evening, no, morning": a short answer taken back by a bare no
    r"^(?!(yes|yeah|yep|no|nope|nah|not|well|oh|um|uh|so|ok|okay|and|but|i)\b)"
    r"[\w'-]+( [\w'-]+){0,2}[,.]\s*(no|well)[,.]\s+(?=\w)|\bor rather\b"
)
# the rest of a correction: what comes after its marker
_CORRECTION_SPLIT = re.compile(
    r".*?(?:不对不对|不对|不是不是|[哦噢啊]不(?=\s|$|[，,])|我说错了|说错了|我是说|我说的是|我的意思是|应该是|改成|更正|"
    r"no wait|wait no|sorry,? i meant|i meant|i mean|no,? sorry|"
    r"actually,? no,?|actually|make that|make it(?! quick)|scratch that|"
    r"\bno\b,?(?=\s*(make it\s*)?(\d+|one|two|three|four|five|six|seven|eight|nine|ten)\b)|"
    r"^(?!(yes|yeah|yep|no|nope|nah|not|well|oh|um|uh|so|ok|okay|and|but|i)\b)"
    r"[\w'-]+( [\w'-]+){0,2}[,.]\s*(no|well)[,.](?=\s+\w)|or rather)"
    r"[\s,，。.!！:：]*(?:是|那个)?\s*",
    re.S,
)
# the particles that end a yes or a go-ahead in regional speech ("行嘛", "要得噻", "说嘛")
_YES_PARTICLE = r"(嘛|噻|撒|哈|嘞|咯|啰)?"
CONSENT_YES = re.compile(
    r"^(可以|行|好|好的|好啊|好吧|嗯|嗯嗯|是|对|要得|ok|okay|yes|yeah|yep|sure|fine|alright|"
    rf"all right)+{_YES_PARTICLE}$|"  # repeated too ("行行行", "好好好")
    rf"可以|你说|你问|问吧|说吧|^(那|就)?(说|问|讲){_YES_PARTICLE}$|请讲|请说|方便|没问题|有空|有时间|行吧|"
    r"那行|来吧|"
    # not busy ("还好 不忙", "not busy at the moment"): free to talk
    r"(?<![很太])不(太|是很|怎么)?忙(?!的时候)|没(在)?忙|\bnot (too |that |very )?busy\b|"
    r"^(行|好|嗯)*(快点|快说|简单点|长话短说)|"
    # "得嘞 您讲", "你讲 我听着", "中", "好嘞": imperatives to speak and colloquial yeses
    r"(您|你)讲|讲吧|^讲$|我听着|听着呢|我在听|^(得嘞|好嘞|好咧|中|成|妥|得)$|^(得嘞|好嘞|好咧)|"
    r"^(中|成|行|好|嗯|得嘞|得)+(说|讲|问)$|^(能|可以)(聊|说|谈)(两|几)句|你约吧|约吧|接着说|继续说|你继续|那(你)?快点|快点说|"
    r"(两|几|一|三)分钟(啊|是吧|的话)|"
    r"\b(go ahead|go on|go for it|shoot|fire away|if it'?s quick|make it quick|i guess so|"
    r"i suppose so|suppose so|guess so|if you must|be quick|make it fast|i (suppose|guess)$|"
    r"sure thing|on you go|carry on|no bother|"
    r"yes|yeah|yep|yup|sure|okay|ok|it'?s fine|that'?s fine|i'?m listening|what'?s up|"
    r"what is it|ya|yea|no problem|not a problem|no worries|of course|certainly|absolutely|"
    # asking what the caller wants to ask: go on ("yep what do you want to know")
    r"what (do|did|would) you (want|need|like) to (know|ask))\b|"
    r"(i'?ve|i have|i'?ve got|got|have) (a|one|two|three|five|ten|a few|a couple( of)?|\d+) "
    r"(minutes?|mins?|seconds?|secs?)"
)
# a bare yes said as the reply's first clause ("行 正好我也想约"); not "嗯", a filler as often
# as a yes ("嗯 我在外面")
_CONSENT_FIRST = re.compile(r"(可以|行|好|好的|好啊|是|对|ok|okay|yes|yeah|yep|sure)")
# an imperative to speak with its particle ("说嘛", "你问呗", "讲吧"), read before cleaning
_SPEAK_ON = re.compile(r"(?<!再)(说|问|讲|来)(吧|嘛|呗)")
# not inconvenient to talk, but to say this ("不太方便说", "不方便透露"): a decline
_NOT_SAYING = re.compile(r"不(太|大)?方便(说|讲|透露|告诉|回答|讲)")
# a decline of this one question, not of the call
DECLINE_QUESTION = re.compile(
    r"不想说|不(太|大)?方便(说|讲|透露|告诉|回答)|不想告诉|不告诉你|保密|隐私|不便透露|"
    r"i'?d rather not|"
    r"rather not say|that'?s personal|"
    r"none of your business|prefer not to|"
    r"手边没有|手头没有|不在手边|不在身边|记不清|记不住|想不起来|"
    # not remembering: nothing to answer with ("不记得了", "忘了", "I forget")
    r"不记得|记不得|(^|我)(忘了|忘记了)$|(忘了|忘记了)(是|多少|几|哪|什么|啥)|"
    r"\bi (forget|forgot)$|(don'?t|can'?t|do not) (remember|recall)|"
    r"i don'?t have (it|that|them)( on me| with me| handy| here)?$|can'?t find (it|them)"
)


@dataclass
class Reading:
    """What one reply does; `text` is the cleaned reply."""

    text: str
    block: bool = False
    not_interested: bool = False
    refuses: bool = False  # refuses the questions themselves (also not_interested)
    call_again: bool = False
    busy: bool = False
    goodbye: bool = False  # says goodbye
    only_goodbye: bool = False  # ... and nothing else
    unsure: bool = False
    hesitation: bool = False
    hold: bool = False
    repeat: bool = False
    who: bool = False
    why: bool = False
    asking: bool = False
    correction: bool = False
    corrected: str = ""  # the words after the correction marker
    consent: bool = False
    decline_question: bool = False

    @property
    def later(self) -> bool:
        return self.call_again or self.busy


_HALF_GRANTED = re.compile(
    r"\bthe (when|how|what|why|where|who)( but)? (no|not) the (when|how|what|why|where|who)\b"
)


def read(reply: str) -> Reading:
    raw = fold(reply)
    text = clean(reply)
    r = Reading(text)
    r.block = bool(NEVER_AGAIN.search(text))
    r.refuses = bool(REFUSES_QUESTIONS.search(text))
    closing = closing_only(text)  # "好嘞 挂了啊", "行了行了 我知道了 再见": a goodbye
    r.not_interested = r.refuses or (bool(NOT_INTERESTED.search(text)) and not closing)
    r.call_again = bool(CALL_AGAIN.search(text))
    # "不方便说" / "不太方便透露" declines the question, it is not a busy line
    r.busy = bool(BUSY.search(_NOT_SAYING.sub(" ", text))) and not GO_AHEAD.search(raw)
    r.busy = r.busy and not (ROOM_TO_TALK.search(text) and not CALL_AGAIN.search(text))
    r.goodbye = bool(GOODBYE.search(text)) or closing
    if r.goodbye:
        rest = _ACK.sub(" ", GOODBYE.sub(" ", text))
        r.only_goodbye = not rest.strip() or closing
    r.unsure = bool(UNSURE.search(text) or _MORE_UNSURE.search(text))  # "不记得了"
    r.hesitation = _only_fillers(raw)
    r.hold = bool(HOLD.search(text))
    r.repeat = bool(REPEAT.search(text) or _HUH.match(raw))
    r.who = bool(WHO.search(text))
    r.why = bool(WHY.search(text))
    r.asking = bool(
        ASKING.search(text) or re.search(r"[?？]", raw) or any(map(asks_raw, clauses(raw)))
    ) and not re.search(r"why not|没问题|怎么了$", text)
    # "the when but no the how": one half granted, the other denied, not a correction
    r.correction = bool(CORRECTION.search(text) or CORRECTION.search(raw))
    r.correction = r.correction and not _HALF_GRANTED.search(text)
    if r.correction:
        rest = raw
        while (m := _CORRECTION_SPLIT.match(rest)) is not None and m.end() > 0:
            rest = rest[m.end() :]
        r.corrected = rest.strip() if rest != raw else ""
    r.consent = bool(
        (CONSENT_YES.search(text) or _SPEAK_ON.search(raw) or _consents_first(raw) and not r.busy)
        and (
            not re.search(r"不(太|大)?方便|没空|没时间|不行|不可以|not (now|really)", text)
            or bool(GO_AHEAD.search(raw))  # "not really, but go ahead"
        )
    )
    r.decline_question = bool(DECLINE_QUESTION.search(text))
    # declining while saying goodbye refuses the call ("不想说 挂了", "rather not say, bye")
    r.not_interested = r.not_interested or (r.decline_question and r.goodbye)
    # "no I'll sort it out myself when I'm ready": the call's offer turned down (with a
    # goodbye, "I'll sort it online myself, bye", the callee only takes leave)
    r.not_interested = r.not_interested or bool(SORTS_IT_ALONE.search(text) and not r.goodbye)
    return r


def _consents_first(raw: str) -> bool:
    """The reply opens with a bare yes as a clause of its own ("行 正好我也想约")."""
    parts = clauses(raw)
    return len(parts) > 1 and bool(_CONSENT_FIRST.fullmatch(clean(parts[0])))


def asks_raw(clause: str) -> bool:
    """A clause said as a question by its form alone (ASKING_RAW), before cleaning."""
    return bool(ASKING_RAW.search(clause.strip()))


@lru_cache(maxsize=4096)
def is_hesitation(reply: str) -> bool:
    """Nothing but fillers: the callee is still thinking."""
    return _only_fillers(fold(reply))


def _only_fillers(raw: str) -> bool:
    """Hesitation: nothing but fillers ("嗯……那个……", "um, well"). A plain "嗯" is a yes;
    trailing off ("嗯……") is not."""
    words = re.sub(r"[^\w'\s]+", " ", raw)
    if _FILLER_WORDS.sub(" ", words).strip():
        return False
    trailing = bool(re.search(r"……|\.\.\.|…", raw))
    return trailing or not re.fullmatch(r"\s*(嗯+|恩+|mm+|uh huh)\s*", words)


# "any day but Tuesday", "anything but the morning": "but" excepts, it does not join two
# clauses (cut there, "the morning" would read as the one wanted)
_ALL_BUT = "".join(
    rf"(?<!\b{w})"
    for w in ("any", "anything", "anyone", "anytime", "any day", "any time", "any one",
              "everything", "everyone", "nothing", "all")
)


def clauses(reply: str) -> list[str]:
    return list(_clauses(reply))


@lru_cache(maxsize=4096)
def _clauses(reply: str) -> tuple[str, ...]:
    """The reply cut at punctuation, at spaces between Chinese words and at English
    "but": "下午吧，上次挺好的" -> ["下午吧", "上次挺好的"]. A full stop splits only before a
    space or at the end, so "wang@163.com" stays whole."""
    text = fold(reply)
    parts = re.split(
        r"[，,。!！?？;；、…]+|\.+(?=\s|$)|(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])|"
        rf"{_ALL_BUT}\s+but\s+",
        text,
    )
    return tuple(p.strip() for p in parts if p and p.strip())
