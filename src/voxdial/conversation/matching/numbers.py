"""Answers that are amounts or ranges ("1-2辆", "100元以上", "None"), and the amount a
reply says for them: counted in the question's unit ("两辆"), of people named ("me, my
wife and three kids"), for each of several owners ("我和我老公各一辆"), as a school age
("上小学"), or as a range across two answers ("三四分": ambiguous)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from voxdial.conversation import times
from voxdial.conversation.matching.cues import EACH, SOMETIMES, USUALLY
from voxdial.conversation.matching.match import Ambiguous, Heard, Match
from voxdial.conversation.normalize import fold
from voxdial.conversation.quantities import (
    EN_TENS,
    EN_UNITS,
    EVERY_MEAL,
    FREQUENCY_IDIOMS,
    RETRACT,
    TOTAL_AFTER,
    TOTAL_BEFORE,
    UNKNOWN_AMOUNT,
    WAS_PLANNED,
    ZERO_MISSED,
    ZERO_SAID,
    Amount,
    Period,
    amounts,
    day_parts,
    periods,
    years_since,
    zh_number,
)

if TYPE_CHECKING:
    from voxdial.conversation.matching.answers import AnswerSet

# the school a child goes to, as an age range
_SCHOOL_AGE = [
    (re.compile(r"幼儿园|kindergarten|preschool|nursery"), 3.0, 6.0),
    (re.compile(r"小学|primary school|elementary"), 6.0, 12.0),
    (re.compile(r"初中|中学|middle school|junior high"), 12.0, 15.0),
    (re.compile(r"高中|high school"), 15.0, 18.0),
    (re.compile(r"大学|college|university"), 18.0, 22.0),
]
# what an age is, said as a stage of life (for an age question, no number said)
_LIFE_STAGE = [
    (re.compile(r"puppy|kitten|幼犬|幼猫|小奶狗|小奶猫|狗崽|猫崽"), 0.0, 1.0),
    (re.compile(r"\b(baby|infant|newborn)\b|婴儿|刚出生|还没满月"), 0.0, 1.0),
    (re.compile(r"\btoddler\b"), 1.0, 3.0),
    (re.compile(r"\bteen(ager)?\b|青少年"), 13.0, 19.0),
    (re.compile(r"\bretired\b|\bpensioner\b|退休"), 55.0, float("inf")),
]
# the zero answer's verb: 没换过 -> 换, 从没去过 -> 去
_ZERO_VERB = re.compile(r"^(?:从来?)?没有?([\u4e00-\u9fff]{1,2}?)过")
# "none besides Biscuit", "just the one": one
_ONE_BESIDES = re.compile(
    r"\bnone (besides|other than|except|but)\b|\b(just|only) the one\b|就这一个|只有这一个"
)
# time units and their length in years, to read an amount in the unit a question asks in
_TIME_UNITS = [
    (re.compile(r"years?\b|(?<![今去前明])年(?!龄|级|纪|轻)|岁|\bold\b|\bage\b|多大"), 1.0),
    (re.compile(r"months?\b|(?<![上下这本])个?月"), 1 / 12),
    (re.compile(r"weeks?\b|(?<![上下这本])(?:周|星期|礼拜)(?![一二三四五六日天])"), 7 / 365),
    (re.compile(r"days?\b|nights?\b|(?<![今明昨后前])天|晚上?(?!饭|点)|宿"), 1 / 365),
    (re.compile(r"hours?\b|小时|钟头"), 1 / 8760),
    (re.compile(r"minutes?\b|\bmins?\b|分钟"), 1 / 525600),
]
# units that count people, any of them for any other
_PEOPLE_UNIT = re.compile(r"^(口人|口|个人|人|位|people|persons?|guests?|adults)$")
_OCCASIONS = ("次", "回", "趟", "遍", "times", "time")
# a mark out of a total: "3 out of 5", "eight out of ten", "4/5", "满分十分 我给八分"
_NUMBER_WORD = r"\d+(?:\.\d+)?|[a-z]+(?:[\s-](?:one|two|three|four|five|six|seven|eight|nine))?"
_OUT_OF = re.compile(
    rf"(?P<x>{_NUMBER_WORD})\s*(?:out of|/)\s*(?P<y>{_NUMBER_WORD})|"
    r"满分(?:是)?(?P<zy>[\d一二三四五六七八九十百]+)分?.{0,8}?(?:给|打)(?:个)?(?P<zx>[\d一二三四五六七八九十]+(?:点五)?)分"
)
_TIMES_QUESTION = re.compile(r"几次|多少次|几回|几趟|how many times|how often|频率")
_YEARS_QUESTION = re.compile(r"how many years|how long|多少年|几年|多久|多长时间")
_BORN = re.compile(r"\bborn\b|出生|生的|生于")
_HOW_MANY = re.compile(r"how many ([a-z]+)")
# one-word replies ASR writes for a number
_SPOKEN_DIGITS = {"for": "4", "fore": "4", "to": "2", "too": "2", "won": "1", "tree": "3",
                  "fife": "5", "sicks": "6", "ate": "8", "五份": "5", "四份": "4",
                  "三份": "3"}  # fmt: skip
# a reply's opening fillers and hedges, before a sound-alike number word ("uh won", "maybe to")
_LEAD = (
    r"^((?:uh|um|er|erm|hmm|mm|like|maybe|about|probably|just|only|i'?d say|"
    r"a (?:solid|good|strong|firm|fair|straight))\s+)*"
)
# ASR writes "four" as "for" after a filler or before the counted thing ("uh for I guess",
# "for bedrooms"), never in "for me", "for sure", "for now"
_FOR_FOUR = re.compile(
    _LEAD + r"(for|fore)\b"
    r"(?!\s+(me|us|you|him|her|them|it|that|this|the|a|an|my|our|your|now|sure|real|example|"
    r"a while|now|one|two|three|five|six|seven|eight|nine|ten|\d))"
)
# an amount said only in words ("很少", "hardly any", "挺多的 基本每天都有"): the lowest
# or the highest of answers that are ranges of a count, never a middle one
FEW = re.compile(
    r"(很|太|比较|挺|特别|非常|蛮)少|没几|不多|几乎没|偶尔|少得很|"
    r"\b(hardly|barely|rarely|seldom)\b|\bnot (that |very |too |so )?(many|much|a lot|often)\b|"
    r"\bvery few\b|\balmost (none|never|nothing)\b|\bonly (a couple|one or two)\b"
)
MANY = re.compile(
    r"(?<!不)(很|挺|好|特别|非常|老|蛮|超)多|不少|一大堆|每天都|天天|"
    r"\b(lots|loads|tons|plenty|heaps)\b|\ba (lot|bunch|load|ton|crowd)\b|\b(so|too) many\b|"
    r"\bevery ?day\b|"
    r"\ball the time\b"
)
_TEN_POINTS = re.compile(r"(?<![一二三四五六七八九几])十分(?=$|\s|吧|啊|呀|呢|嘛|[，,。!！])")
_GIVE_TEN = re.compile(r"(打|给|评)(个|了|上)?十分")  # "打个十分没毛病": ten points, given
# 是 misheard for 十 only where 是 cannot be meant: alone before 来/多/几 and a unit
_SHI_TEN = re.compile(
    r"(?:(?<=^)|(?<=\s)|(?<=了))是(?=[来几][年次回个岁天]|多[年次回个岁天](?!的))"
)
# spans of days said without a number, to a question asking how long in days or weeks:
# "a weekend" (2 days), "a long weekend" (3), "a fortnight", "the whole week", "一整周"
_DAYS_QUESTION = re.compile(
    r"how many (days|nights|weeks)|how long|几天|多少天|几晚|几周|多久|多长时间"
)
_ONE = r"\b(?:(?:a|one|the|this|next|that|just the|over the) )?"
_SPANS = [
    (re.compile(rf"{_ONE}long weekend\b"), "3 days"),
    (re.compile(rf"{_ONE}weekend\b"), "2 days"),
    (re.compile(r"\b(?:(?:a|one|the) )?fortnight\b"), "2 weeks"),
    (re.compile(r"\b(?:the|a|one) (?:full|whole|entire) week\b"), "a week"),
    (re.compile(r"一整(?:周|个星期|个礼拜)|整整一(?:周|个星期|个礼拜)"), "一周"),
    (re.compile(r"(?:一个|就|这个|那个)周末(?:两天)?|周末两天"), "两天"),
]
# a stay said as the days it runs over ("friday to sunday", "周五到周日"): two nights
# (to a question counting days it is three, or two as a rental counts: left unread);
# "a week" of nights is seven
_EN_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_ZH_DAYS = "一二三四五六日"
_WEEKDAY_SPAN = re.compile(
    r"\b(?:from )?(?P<a>(?:mon|tues|wednes|thurs|fri|satur|sun)day)s? (?:to|through|thru|till|"
    r"until|-) (?:the )?(?P<b>(?:mon|tues|wednes|thurs|fri|satur|sun)day)\b|"
    r"(?:周|星期|礼拜)(?P<za>[一二三四五六日天])(?:到|至|-)(?:周|星期|礼拜)?(?P<zb>[一二三四五六日天])"
)
_NIGHTS = re.compile(r"\bnights?\b|几晚|多少晚|住几天")
_A_WEEK = re.compile(r"\b(?:a|one|the whole|a whole|a full) week\b|一整?周|一个星期|一个礼拜")


def _nights_between(m: re.Match[str]) -> str:
    if m["a"]:
        return f"{(_EN_DAYS.index(m['b']) - _EN_DAYS.index(m['a'])) % 7} nights"
    first, last = (_ZH_DAYS.index(d.replace("天", "日")) for d in (m["za"], m["zb"]))
    return f"{(last - first) % 7}晚"


# a calendar year said digit by digit ("零八年装的", "一八年买的", "二零零八年", "08年"):
# not eight or eighteen years; two neighbouring digits ("五六年", "八九年") are a range
# of years, so they are left alone
_DIGIT_YEAR = re.compile(
    r"(?<![\d零〇一二两三四五六七八九十百])"
    r"([零〇一二三四五六七八九]{4}|[零〇一二三四五六七八九]{2}|0\d)年(?![级代纪龄])"
)
_DIGITS = {c: str(i) for i, c in enumerate("零一二三四五六七八九")} | {"〇": "0"}


def _calendar_year_said(m: re.Match[str]) -> str:
    said = "".join(_DIGITS.get(c, c) for c in m.group(1))
    if len(said) == 2 and said[0] != "0" and int(said[1]) - int(said[0]) == 1:
        return m.group()  # "五六年": five or six years
    if len(said) == 2:
        year = 2000 + int(said)
        said = str(year if year <= date.today().year else year - 100)
    return said + "年"


# a sound-alike number word opening the reply, and the word after it ("uh won fridge",
# "to, both in the kitchen"): a number when that word is what is counted
_SOUND_BEFORE = re.compile(
    _LEAD + r"(to|too|tree|won|fife|sicks|ate)\s+"
    r"((?:a|per|each|every) (?:day|week|month|year)\b|[a-z]+(?: (?:us|them|em)\b)?)"
)
_NOT_COUNTED = {"many", "much", "those", "these", "them", "there", "their", "your", "you",
                "have", "would", "like", "are", "and", "the", "how", "for", "with", "that",
                "this", "what", "which"}  # fmt: skip
# 个 as ASR writes it after a numeral ("一各 就一各"); 各 before one is "each" (各一节)
_GE_SOUND = re.compile(r"(?<=[一二两三四五六七八九十几\d])各")
# a sound-alike number word alone, or before a hedge or thanks ("too I guess", "tree
# maybe", "just won thanks", "a solid ate")
_SOUNDALIKE = re.compile(
    _LEAD + r"(to|too|tree|won|fife|sicks|ate)\b"
    r"(?=\s*(?:$|,|i guess|i think|i'?d say|maybe|probably|or so|i reckon|please|i suppose|"
    r"thanks|thank you|cheers|ta\b|mate|love))"
)
# words that turn down the mark or amount said right after them ("不能给五分 给三分", "not
# a five", "wouldn't give it a ten"): one table, read by this stage and by scores
REFUSED = (
    r"不能|不会|不给|给不了|不打|没法|到不了|不至于|不是|算不上|够不上|谈不上|"
    r"\bnot\b|n'?t\b|\bnever\b|\bno way\b|rather than|instead of"
)
# ... with the verb of giving between them and the mark ("不能给", "wouldn't give it a")
GIVEN = r"\s*(给|打|评|give|rate|say)?\s*(it|them|you)?\s*(an? )?$"
_TURNED_DOWN = re.compile(rf"({REFUSED}){GIVEN}")
# said after a mark that is turned down ("五分不至于", "满分谈不上", "五星给不了")
TURNED_DOWN_AFTER = re.compile(
    r"\s*(分|星|颗星|个)?\s*(不至于|给不了|打不了|谈不上|算不上|够不上|不够|不行|不可能|太高|太多)"
)
# numerals ASR writes as a homophone before 分 ("打酒分" for 九分)
_SCORE_SOUND = {"酒": "九", "久": "九", "巴": "八", "期": "七", "妻": "七", "溜": "六", "似": "四"}
_SCORE_SOUNDS = re.compile(r"([酒久巴期妻溜似])分")
_POINTS_QUESTION = re.compile(r"打分|评分|几分|分最|scale|\brate\b|score|points|out of")
_HOW_OFTEN = re.compile(r"how often|多久一次|多长时间一次|频率|经常")
# said before top marks that are not given ("不能给满分", "not quite full marks"): turned
# down, or not quite reached
_NOT_QUITE = re.compile(
    rf"{REFUSED}|没有|没到|不算|不到|差点|快|别|\balmost\b|\bnearly\b|\bshort of\b"
)
_NOT_EVEN_AFTER = re.compile(
    r"\s*(都|也)\s*(不|没|给不了)|\s*(is|would be) too (much|high|generous)"
)
_TOTAL_AFTER = re.compile(r"\s*(是|为)?\s*[\d一二三四五六七八九十百]+\s*分")
# a point or two short said with no full marks named ("就差一分"): short of what is not
# said, so the point is no mark
_SHORT_ALONE = re.compile(r"(?:^|[\s，,]|就|还|只)(?:差|少)(?:了|个)?\s*[一二两12]\s*分")
# the ends of a points scale said in words
_TOP = re.compile(
    r"满分|最高分|最高的|给最高|打最高|(?<![不没])最高(?=了|啦|\s|$)|五星|顶格|"
    r"top marks|full marks|perfect score|highest|"
    r"(?:给|打)(?:个|它|他|她)?满(?=的|了|吧|啊|呗|\s|$)|"  # "给满的": full marks, not 满意
    r"\btop score\b|max(imum)? (marks|score|points)|all the (marks|points|stars)|"
    r"\b(ten|10) out of (ten|10)\b|\bfive stars\b"
)
# full marks less a little or a point or two ("就比满分差一点点", "差一分满分", "one off
# full marks"): the mark below the top by that much (a little is one mark)
_SHORT_AFTER = re.compile(
    r"(?:了|啦)?[\s，,]*(?:还|就|只)?(?:差|少)(?:了|个)?\s*(?P<n>一点点?|一点儿|一丢丢|点儿?|[一二两\d]\s*分)"
)
_SHORT_BEFORE = re.compile(
    r"(?:差|少)(?:了|个)?\s*(?P<n>一点点?|一点儿|一丢丢|[一二两\d]\s*分)\s*(?:就|才)?(?:到|是|拿|得)?\s*$|"
    r"\b(?P<en>one|a|two|1|2)(?: point| mark)?s? (?:off|short of|below|under|less than)(?: the)? $"
)
_BOTTOM = re.compile(
    r"最低分|最低的|给最低|打最低|零分|最差的|lowest|bottom|the worst score|"
    r"(?<![不没比])最低(?:那一?个|那一?档|那一?级|(?=了|啦|吧|\s|$))|"
    r"minimum (marks|score|points)|\b(zero|0) (points|stars|out of)\b"
)
_NONE_COUNT = re.compile(
    r"^(没有|没|无|零|一个都没有|none|zero|nothing|no)$|"
    r"没车|没有车|没孩子|we don'?t have|i don'?t have|"
    r"don'?t (own|have) (a|any)|no cars?"
)
# who makes up a household or a party, named one by one ("me, my wife and three kids",
# "我 我老婆 还有我爸妈"): one person each; the callee as 我 / me / I
_PERSON = re.compile(
    r"\b(me|myself|i|my (wife|husband|hubby|partner|spouse|son|daughter|mum|mom|mother|dad|"
    r"father|girlfriend|boyfriend|fianc[eé]e?|brother|sister|kid|child|baby|grandma|grandpa|"
    r"grandmother|grandfather|granny|nan|aunt|uncle|cousin|nephew|niece|flatmate|roommate|"
    r"housemate|friend|colleague|nanny|mother-in-law|father-in-law)|"
    r"the (wife|missus|husband|hubby|kid|baby|little one|boyfriend|girlfriend))\b|"
    r"我(?!们|俩|家|自个|自己)|老婆|老公|老伴儿?|爱人|儿媳妇?|孙媳妇?|弟媳妇?|媳妇儿?|丈夫|妻子|先生|"
    r"太太|儿子|女儿|闺女|女婿|姐夫|妹夫|嫂子|侄子|侄女|外甥女?|"
    r"孩子|小孩|娃|宝宝|(?<!爸)妈(?!妈)|(?<!妈)爸(?!爸)|妈妈|爸爸|母亲|父亲|婆婆|公公|岳父|岳母|丈母娘|"
    r"老丈人|爷爷|奶奶|外公|外婆|姥姥|姥爷|哥哥?|姐姐?|弟弟?|妹妹?|孙子|孙女|外孙女?|"
    r"保姆|阿姨|对象|男朋友|女朋友|室友|舍友|同事|朋友|"
    # Cantonese and southern kin words ("我同佢阿爷", "加上阿嫲")
    r"阿嫲|阿嬷|阿婆|阿公|阿爷|阿爸|阿妈|阿爹|阿娘|老豆|老窦|老母|家姐|细佬|工人姐姐|菲佣"
)
# two people in one word ("老两口", "我爸妈", "my parents", "the twins")
_COUPLE = re.compile(
    r"夫妻俩|夫妻两个|两口子|老两口|小两口|我们俩|我们两个|我俩|咱俩|咱们俩|爸妈|父母|公婆|"
    r"岳父母|双胞胎|俩孩子|两个孩子|"
    # a pair named by how they are kin ("两公婆", "两母女", "两兄弟")
    r"两公婆|两夫妻|两夫妇|两仔爷|两仔乸|两母女|两母子|两父子|两父女|两姐妹|两兄弟|两姊妹|"
    r"\b(the two of us|us two|both of us|my parents|my folks|the in-?laws|my in-?laws|"
    r"(the|my|our) twins|me and (my )?(wife|husband|partner)'?s? parents)\b"
)
# the callee alone ("就我自个儿", "just me", "only myself"); not "just me and my husband"
_ALONE = re.compile(
    r"(?:就|只有|只|光)我(?![们俩家])(?:一个人?|自己|自个儿?|本人)?"
    r"(?![\u4e00-\u9fff]*(和|跟|与|加|还有|带|们))|"
    r"我一个人|一个人(住|来|过|用)|我自己(住|来|过|用|一个)|自个儿|独居|单身|"
    r"\b(just|only) (me|myself|the one of me)\b(?!,? (and|plus|with|&)\b)|"
    r"\bmyself\b(?!,? (and|plus|with|&)\b)|"
    r"\bby myself\b|\bon my own\b|\blive alone\b|\bjust the one person\b|"
    r"^(just )?solo\b|\b(going|travel(l?ing)?|coming) solo\b"
)
# "the four of us", "all three of us", "我们三个", "我们家五口": the whole party, counted
_N_OF_US = re.compile(
    r"\b(?:the|all)?\s*(?P<en>two|three|four|five|six|seven|eight|nine|ten|\d+) of us\b|"
    r"(?:我们|咱们|咱|我们家|咱家)(?:一共|总共|全家)?(?:(?P<zh>[一二两三四五六七八九十\d]+)(?:个人|个|口人|口|位|人)|(?P<zs>俩|仨))"
)
# a big household without a number ("一大家子", "a whole crowd"): five or more
_BIG_GROUP = re.compile(
    r"一大家子|一大家人|一大家|全家老小|老老小小一大堆|好大一家|"
    r"\b(a (whole|big) (crowd|gang|bunch|tribe|clan)|the whole (clan|tribe|gang)|a big family)\b"
)
_ME = {"i": "me", "myself": "me", "我": "me"}
# things counted by whose they are ("我跟我老婆的 还有我妈的": three phones; "就我自己这个":
# one; "mine and my wife's"): one owner, one thing
_OWNER = re.compile(
    r"(我|老婆|老公|老伴|爱人|媳妇|丈夫|妻子|儿子|女儿|闺女|孩子|我妈|我爸|妈妈|爸爸|母亲|父亲|"
    r"爷爷|奶奶|外公|外婆|姥姥|姥爷|哥哥|姐姐|弟弟|妹妹|对象)(?:自己|自个儿)?(?:的|这个|这部|这台|这张|那个)|"
    r"\b(mine|my (wife|husband|partner|son|daughter|mum|mom|dad|kid|brother|sister)'s)\b"
)
_ONLY = re.compile(r"就|只|光|仅|\b(just|only)\b")
# one each for a household counted ("一家五口人 每人一部", "four of us, one each")
_PER_HEAD = re.compile(
    r"(?:每人|每个人|一人|人手|各)(?:各)?(?:一|1)(?:个|部|张|辆|台|件|只|本|份)?|"
    r"\bone (each|apiece)\b|\beach (of us |of them )?(has|have|gets?|needs?|wants?) (one|a|an)\b"
)
# a question counting things, not people ("几辆车", "多少钱"), whatever else it names
_COUNTS_THINGS = re.compile(
    r"几(辆|部|张|台|只|条|本|次|回|趟|年|个月|岁|件|套|间|张)|多少(钱|元|块|吨|度|次|张|部|辆)"
)
_PEOPLE_NOUNS = {"people", "guests", "persons", "adults", "kids", "children", "of", "in",
                 "household", "members", "residents", "occupants", "passengers", "visitors",
                 "travellers", "travelers", "patients", "attendees", "participants"}  # fmt: skip
# a count of people the question asks ("几位", "how many guests", "几口人")
_PEOPLE_QUESTION = re.compile(
    r"几位|多少位|几个人|多少人|几口|几人|\bhow many (people|guests|persons|adults|of you|in your)|"
    r"\bhousehold\b|\bguests?\b"
)
# an answer meaning none ("None", "没有", "没换过", "从没去过", "Never", "0次")
_ZERO_ANSWER = re.compile(
    r"^(没有|无|零|none|zero|0|no\b)|^(从来?)?没有?[\u4e00-\u9fff]{1,2}过$|^从来?(没|不)|"
    r"^never\b|^not (once|ever)\b"
)
# "a month", "每周": the period an amount is counted over
_PERIOD = re.compile(
    r"(?:一个?|每个?|per|a|every|each)\s*(天|日|周|星期|礼拜|月|年|day|week|month|year)"
)
_PERIODS = {"天": "day", "日": "day", "周": "week", "星期": "week", "礼拜": "week", "月": "month",
            "年": "year"}  # fmt: skip
# the units a question counts in, by the words of its text and answers
_UNITS = (
    ("人", ("人", "口", "几个人", "household", "people")),
    ("口", ("人", "口", "household", "people")),
    ("岁", ("岁", "年龄", "多大", "age", "old")),
    ("year", ("age", "old")),
    ("辆", ("辆", "车", "car")),
    ("台", ("辆", "车")),
    ("元", ("元", "钱", "话费", "dollar", "$")),
    ("块", ("元", "钱", "话费")),
    ("分", ("分", "打分", "评分", "score", "rate")),
    ("星", ("分", "星", "star")),
    ("people", ("people", "household")),
    ("car", ("car",)),
)


@dataclass
class Range:
    low: float
    high: float


# "八十平", "120平以上": 平 after a number is square metres (平米), so what follows it
# (以上, 以下, 多) bounds the amount
_SQUARE_METRES = re.compile(r"(?<=[\d一二两三四五六七八九十百千几多来])平(?![米方时常均安板])")


# a flat's layout ("两室一厅", "一室户", "三居室"): rooms, not the size asked in area
_LAYOUT = re.compile(r"[一二两三四五六\d](室|居室?)([一二两三\d]厅|户)?")


# 平方 and 平方米 said for 平米 ("一百平方"), not 平方公里
_SQUARE = re.compile(r"平方米?(?!公里|千米)")


def _area_units(text: str) -> str:
    """The reply with 平 as 平米 and a flat's layout blanked, for answers in area."""
    if "平" not in text and "室" not in text and "居" not in text:
        return text
    text = _LAYOUT.sub(lambda m: " " * len(m.group()), text)
    return _SQUARE_METRES.sub("平米", _SQUARE.sub("平米", text))


def answer_range(answer: str) -> Range | None:
    a = fold(answer)
    # an answer that is a layout ("三室", "四室及以上") counts rooms: kept, not blanked
    a = _area_units(a) if "平" in a or not _LAYOUT.search(a) else a
    if _ZERO_ANSWER.search(a.strip()):
        return Range(0, 0)
    if re.fullmatch(r"\s*(?:12 )?(?:noon|midday)\s*", a):
        return Range(12, 12)  # beside "8 am" and "5 pm", "twelve" is noon
    found = amounts(a)
    if not found:
        return None
    if len(found) >= 2 and re.search(r"[-~到至]|to", a):
        return Range(found[0].low, found[1].high)
    return Range(found[0].low, found[0].high)


def in_one_time_unit(answers: list[str], ranges: list[Range | None]) -> list[Range | None]:
    """Answers in two time units ("4 to 7 days", "more than a week", "6-12 months",
    "over 2 years"): every range in the finest one, so "a week" is 7 days."""
    units = [_time_unit(fold(a)) for a in answers]
    present = {u for u, r in zip(units, ranges, strict=True) if u is not None and r is not None}
    if len(present) < 2:
        return ranges
    finest = min(present)
    out = []
    for u, r in zip(units, ranges, strict=True):
        scale = 1.0 if r is None or u is None else round(u / finest, 6)
        out.append(r if scale == 1.0 else Range(r.low * scale, r.high * scale))
    return out


def exclusive(ranges: list[Range | None]) -> list[Range | None]:
    """ "100元以上" next to "50-100元": 100 itself belongs to the bounded answer."""
    out = list(ranges)
    for i, r in enumerate(out):
        if r is None:
            continue
        for j, other in enumerate(out):
            if i == j or other is None:
                continue
            if r.high == float("inf") and other.low <= r.low <= other.high and other.high != r.high:
                out[i] = Range(r.low + 0.01, r.high)
            if r.low == float("-inf") and other.low <= r.high <= other.high and other.low != r.low:
                out[i] = Range(r.low, r.high - 0.01)
    return out


# a question about a size in area ("多大面积", "how many square feet"): its 多大 asks
# for no age
_AREA = re.compile(
    r"面积|平方|平米|[\d十百]平|㎡|\bsquare (feet|foot|met(er|re)s?)\b|\bsq\.? ?(ft|m)\b"
)


def units_of(answers: list[str], question: str) -> tuple[str, ...]:
    said = " ".join(answers).lower() + " " + question
    units = tuple(unit for unit, words in _UNITS if any(w in said for w in words))
    return tuple(u for u in units if u not in ("岁", "year")) if _AREA.search(said) else units


def is_five_scale(a: AnswerSet) -> bool:
    return all(r is None or (1 <= r.low <= 5 and r.low == r.high) for r in a.ranges)


# "one" as a pronoun: "the ten year one", "the cheaper one", "that one" count nothing
_PRONOUN_ONE = re.compile(
    r"\b(?:(?:the|that|this|which)(?: (?!(?:and|or|plus|then|at|in|on|for|with|to)\b)[a-z0-9-]+)"
    r"{1,3}|that|this|which) (one)\b"
)


def without_pronoun_one(text: str) -> str:
    """The reply without "one" used as a pronoun ("the ten year one")."""
    if "one" not in text:
        return text
    return _PRONOUN_ONE.sub(lambda m: m.group(0)[: m.start(1) - m.start(0)] + "   ", text)


def spoken(a: AnswerSet, text: str) -> str:
    """The reply with the number words ASR mishears written as numbers, for a question
    whose answers are amounts: "for" / "too I guess" (a sound-alike alone or before a
    hedge), 打酒分 (九分), "打个十分" / "十分" alone on a ten-point scale, 是来年 (十来年)."""
    if not a.is_numeric:
        return text
    if _AREA.search(" ".join(a.keys)):
        text = _area_units(text)
    if _in_myriads(a):
        text = _W_MYRIAD.sub("万", text)  # "25w": 25万, as typed and as ASR writes it
    text = _NO_LESS_THAN_TOP.sub(lambda m: _top_given(a, m), text)
    if any("室" in k for k in a.keys):  # "三室两厅" to 几室: the rooms beside are no count
        text = _ROOMS_BESIDE.sub(lambda m: " " * len(m.group()), _SHI_ROOM.sub("室", text))
    text = without_pronoun_one(text)
    if _in_hundreds(a):
        text = _HUNDREDS_SAID.sub(_hundreds_written, text)
    if _DAYS_QUESTION.search(a.question):
        for pattern, days in _SPANS:
            text = pattern.sub(days, text)
        if _NIGHTS.search(a.question):  # days it runs over are counted either way: not read
            text = _WEEKDAY_SPAN.sub(_nights_between, text)
            text = _A_WEEK.sub(lambda m: "7 nights" if m.group().isascii() else "7晚", text)
    if _YEARS_QUESTION.search(a.question):
        text = _DIGIT_YEAR.sub(_calendar_year_said, text)
    word = _SPOKEN_DIGITS.get(text.strip())
    if word is not None:
        return word
    if any(r is not None and r.low <= 10 <= r.high for r in a.ranges):
        # on a ten-point scale "十分" alone is ten points, not "very" (十分满意)
        text = _TEN_POINTS.sub("10分", text)
        text = _GIVE_TEN.sub(lambda m: m.group(1) + "10分", text)
    text = _SCORE_SOUNDS.sub(lambda m: _SCORE_SOUND[m.group(1)] + "分", text)
    text = _SHI_TEN.sub("十", text)
    text = _GE_SOUND.sub("个", text)
    if _FOR_FOUR.search(text):
        return _FOR_FOUR.sub(lambda m: (m.group(1) or "") + "4", text, count=1)
    if (m := _SOUND_BEFORE.match(text)) is not None and _names_counted(a, m.group(3)):
        return text[: m.start(2)] + _SPOKEN_DIGITS[m.group(2)] + text[m.end(2) :]
    return _SOUNDALIKE.sub(lambda m: (m.group(1) or "") + _SPOKEN_DIGITS[m.group(2)], text, count=1)


# the living rooms, bathrooms and kitchens said after a flat's bedrooms ("三室两厅一卫")
_ROOMS_BESIDE = re.compile(r"[一二两三四\d][厅卫厨]")
# 式 after a numeral, as ASR writes 室 ("三式一厅")
_SHI_ROOM = re.compile(r"(?<=[一二两三四五六\d])式")
# no less than a mark can be given ("i couldn't give her less than five"): at least it
_NO_LESS_THAN_TOP = re.compile(
    r"\b(?:couldn'?t|could not|can'?t|cannot|wouldn'?t|would not) (?:give|rate|score)"
    r"(?: (?:her|him|them|it|you))? (?:any )?(?:less|lower) than (?:an? )?(?P<n>[a-z]+|\d+)\b"
)


def _top_given(a: AnswerSet, m: re.Match[str]) -> str:
    """ "couldn't give her less than five": five itself when five is the top mark."""
    said = amounts(m["n"])
    top = max((r.high for r in a.ranges if r is not None), default=None)
    if len(said) == 1 and said[0].exact and said[0].low == top:
        return f"give {m['n']}"
    return m.group()


_DIGITS_SAID = {w: n for w, n in EN_UNITS.items() if w.isalpha() and 1 <= n <= 9}  # one .. nine
# a number read out as its hundreds and then its tens, the way weights, heights and prices
# are said: "one eighty" (180), "one twenty five" (125); not "one hundred"
_HUNDREDS_SAID = re.compile(
    rf"\b({'|'.join(_DIGITS_SAID)})[\s-]+({'|'.join(EN_TENS)})(?:[\s-]+({'|'.join(_DIGITS_SAID)}))?"
    r"\b(?![\s-]+(?:hundred|thousand|or|to)\b)"
)


def _in_hundreds(a: AnswerSet) -> bool:
    """Whether every bound the answers state, but none, is a hundred or more ("under 110
    pounds" / "110 to 150" / "over 200"): then "one eighty" is 180, not one and eighty."""
    bounds = {b for r in a.stated if r is not None for b in (r.low, r.high)}
    bounds = {b for b in bounds if b not in (0, float("inf"), float("-inf"))}
    return bool(bounds) and min(bounds) >= 100 and not a.is_timed


def _hundreds_written(m: re.Match[str]) -> str:
    n = _DIGITS_SAID[m[1]] * 100 + EN_TENS[m[2]] + (_DIGITS_SAID[m[3]] if m[3] else 0)
    return str(n)


# "w" after digits, for 万 (wan)
_W_MYRIAD = re.compile(r"(?<=\d)\s*w(?![a-z])")


def _in_myriads(a: AnswerSet) -> bool:
    """Whether every answer says its amount in 万 ("10万以下", "10到20万")."""
    return all("万" in k for k in a.keys) and bool(a.keys)


def _myriads_unsaid(a: AnswerSet, found: list[Amount]) -> bool:
    """Whether an amount said to answers in 万 is too small to be meant as it is said:
    "二十五" to 10万以下 / 10到20万 is 25万 by sense, 25 by the words; not guessed."""
    return _in_myriads(a) and any(abs(x.low) < 1000 or abs(x.high) < 1000 for x in found)


def _names_counted(a: AnswerSet, word: str) -> bool:
    """Whether `word`, said right after a sound-alike number word, is what the question
    counts ("won fridge" to "how many fridges"), "both" or "of us"."""
    if word in ("both", "of us", "of them", "of em"):
        return True  # "tree of us"
    if word in _NOT_COUNTED:
        return False  # "too many", "to those"
    if (per := re.fullmatch(r"(?:a|per|each|every) (day|week|month|year)", word)) is not None:
        return re.search(rf"\b(?:a|per|each|every) {per.group(1)}\b", a.question) is not None
    stem = word[:-1] if word.endswith("s") and len(word) > 3 else word
    return len(stem) >= 3 and re.search(rf"\b{re.escape(stem)}", a.question) is not None


def amounts_said(a: AnswerSet, text: str) -> list[Amount]:
    """The amounts a reply says for `a` (see `spoken`); an amount turned down ("不能给五分
    给三分吧", "not a five, a four", "不是五分") is left out."""
    heard = spoken(a, text)
    found = amounts(heard)
    return [
        x for x in found
        if not _TURNED_DOWN.search(heard[max(0, x.start - 14) : x.start])
        and not TURNED_DOWN_AFTER.match(heard[x.end : x.end + 8])
    ]  # fmt: skip


def vague(a: AnswerSet, text: str) -> Match | None:
    """ "很少" / "hardly any" to the lowest count answer (above none), "挺多的" / "loads" to
    the open-ended highest one; only among three or more count ranges, and only for a
    count over a period ("一个月多少个", "how many a week"): "家里人挺多的" says no size."""
    if not _PERIOD.search(a.question) and not _HOW_OFTEN.search(a.question):
        if FEW.search(text) or MANY.search(text):
            raise Ambiguous  # "a bunch" of people: no size said, and no later stage guesses one
        return None
    ranges = [(r.low, r.high, i) for i, r in enumerate(a.ranges) if r is not None]
    if len(ranges) < 3 or len(ranges) != len(a.ranges) or is_five_scale(a):
        return None
    few, many = FEW.search(text), MANY.search(text)
    if bool(few) == bool(many):
        return None
    if few:
        low = min((r for r in ranges if r[1] > 0), default=None)
        return None if low is None else a.pick(low[2], "number-vague")
    high = max(ranges)
    return a.pick(high[2], "number-vague") if high[1] == float("inf") else None


def early(a: AnswerSet, heard: Heard) -> Match | None:
    """Before any answer is read from its words: a count the callee does not know or
    will not give ("不记得换没换过", "no idea") is no answer (or the uncertain one); none
    said as words ("从来没换", "一次都来不了", "never") is the zero answer, or no answer
    when the question offers none; "none besides Biscuit" is one."""
    if not a.is_numeric:
        return None
    text = heard.text
    if (later := _after_retraction(a, text)) is not None:
        # the count said last, read whole: no clause before the retraction outweighs it
        found = early(a, Heard(later, [later], False, heard.today)) or number(
            a, Heard(later, [later], False, heard.today)
        )
        return None if found is None else Match(found.index, found.answer, "corrected")
    if (times_a_day := _day_parts_count(a, text)) is not None:
        return number_match(a, Range(times_a_day, times_a_day), "occasions")
    if is_points_scale(a):
        return _out_of(a, spoken(a, text))
    if _someone_uncounted(a, text):
        return _more_than_said(a, text)  # "夫妻俩加上邻居": more than the two said
    if (kinds := _kinds_total(a, text)) is not None:  # before "one" is read as said
        return number_match(a, Range(kinds, kinds), "summed")  # its clauses are its parts
    if amounts_said(a, ZERO_SAID.sub(lambda m: " " * len(m.group()), text)):
        return None  # an amount is given: the number stage reads it
    if ZERO_MISSED.search(text) and ZERO_SAID.search(text):
        raise Ambiguous  # "一次都没落下": every time, not a count
    if UNKNOWN_AMOUNT.search(text):
        if any(a.uncertain):
            return a.pick_uncertain()
        raise Ambiguous
    if _ONE_BESIDES.search(text):
        return number_match(a, Range(1, 1), "number")
    if not _zero_said(a, text):
        return None
    zero = [i for i, r in enumerate(a.ranges) if r is not None and r.low == r.high == 0]
    if len(zero) == 1:
        return a.pick(zero[0], "number")
    raise Ambiguous  # none, and no answer is none: ask again


def _out_of(a: AnswerSet, text: str) -> Match | None:
    """A mark said out of a total ("3 out of 5", "eight out of ten", "4/5", "满分十分给八
    分"), on the scale's own total or converted when that is exact (8 out of 10 on a
    1-5 scale is 4; 7 out of 10 is no mark of it)."""
    m = _OUT_OF.search(text)
    if m is None:
        return None
    mark = amounts(m.group("x") or m.group("zx") or "")
    total = amounts(m.group("y") or m.group("zy") or "")
    if len(mark) != 1 or len(total) != 1 or not (mark[0].exact and total[0].exact):
        raise Ambiguous
    top = max(r.low for r in a.ranges if r is not None)
    value = mark[0].low * top / total[0].low if total[0].low else -1.0
    if value != int(value) or not 0 <= value <= top:
        raise Ambiguous  # "7 out of 10" on a 1-5 scale: between two marks
    return number_match(a, Range(value, value), "number")


def _zero_said(a: AnswerSet, text: str) -> bool:
    """Whether the reply says none of what is counted: a word for none, or the zero
    answer's own verb negated ("没换" for 没换过), and not "never missed one"."""
    if ZERO_MISSED.search(text):
        return False
    if ZERO_SAID.search(text):
        return True
    verbs = [m.group(1) for k in a.keys if (m := _ZERO_VERB.match(k))]
    return any(re.search(rf"没有?{re.escape(v)}(?!几|多少)", text) for v in verbs)


def is_points_scale(a: AnswerSet) -> bool:
    """Answers that are the points of a scale (1-5, 0-10): four or more, consecutive."""
    points = sorted(r.low for r in a.ranges if r is not None and r.low == r.high)
    return (
        len(points) == len(a.ranges) >= 4
        and points[0] in (0, 1)
        and points == [points[0] + i for i in range(len(points))]
    )


def _ends(a: AnswerSet, text: str) -> Match | None:
    """Top or bottom marks ("满分", "最低的", "full marks") on a points scale."""
    points = [r.low for r in a.ranges if r is not None and r.low == r.high]
    if len(points) == len(a.ranges) and (
        _POINTS_QUESTION.search(a.question) or is_points_scale(a)
    ):
        top, bottom = max(points), min(points)
    elif is_five_scale(a):
        top, bottom = 5, 1
    else:
        return None
    for pattern, end in ((_TOP, top), (_BOTTOM, bottom)):
        if (m := pattern.search(text)) is None:
            continue
        end_at, how = m.end(), "number"
        if m.group() == "满分" and (total := _TOTAL_AFTER.match(text[m.end() :])):
            # "满分十分 必须的": full marks, the total said after them; not a plain mark, so
            # that as a clause of "满分十分 我给八分" it does not outweigh the mark given
            end_at, how = m.end() + total.end(), "full-marks"
        if (short := _short_of(text, m)) is not None:
            # read whole, as full marks are: a clause alone ("就差一分") is no mark
            below = Range(end - short, end - short)
            return number_match(a, below, "full-marks") if end == top else None
        if _NOT_EVEN_AFTER.match(text[m.end() :]):
            raise Ambiguous  # "零分都不想给": worse than any mark, none given
        if _NOT_QUITE.search(text[max(0, m.start() - 14) : m.start()]):
            raise Ambiguous  # "不能给满分", "not top marks": some other mark, not said
        if amounts_said(a, text[: m.start()] + " " + text[end_at:]):
            return None  # "满分十分 我给八分": the amount said is the mark
        return number_match(a, Range(end, end), how)
    return None


def short_of_top(text: str) -> bool:
    """Whether the reply puts its mark a little or a point below full marks ("比满分差一
    分"): the point said is what is taken off, not the mark."""
    return any(_short_of(text, m) is not None for m in _TOP.finditer(text))


def short_alone(text: str) -> bool:
    """Whether the reply says a point or two short with no full marks named ("就差一分")."""
    return _SHORT_ALONE.search(text) is not None and not short_of_top(text)


def _short_of(text: str, m: re.Match[str]) -> float | None:
    """How far below full marks a reply puts its mark ("比满分差一点点": 1), or None."""
    short = _SHORT_AFTER.match(text, m.end()) or _SHORT_BEFORE.search(text[: m.start()])
    if short is None:
        return None
    n = short["n"] or short["en"] or ""
    return 2.0 if n[0] in "两二2t" else 1.0


def _end_first(a: AnswerSet, parts: list[str]) -> Match | None:
    """An end of the scale said as the opening clause alone ("最低那个 她全程在看手机",
    the filler 那个 cleaned away), the reasons after it giving no number."""
    if len(parts) < 2 or not (_BOTTOM.fullmatch(parts[0]) or _TOP.fullmatch(parts[0])):
        return None
    if any(amounts_said(a, p) for p in parts[1:]):
        return None
    return _ends(a, parts[0])


def number(a: AnswerSet, heard: Heard) -> Match | None:
    if not a.is_numeric or a.is_timed and _reads_as_time(a, heard):
        return None  # hours of the day ("上午9-12点", "noon to four"): the time stage's
    text = " ".join(heard.parts) if heard.narrowed else heard.text  # "不是五分 是四分"
    if "十分" in heard.parts:  # "十分吧 挺好的": ten points, a clause of its own
        text = text.replace("十分", "10分", 1)
    if (ends := _ends(a, text) or _end_first(a, heard.parts)) is not None:
        return ends
    if short_alone(text) and is_points_scale(a):
        raise Ambiguous  # "就差一分": one short of some mark, not a mark of one
    if any(r is not None and r.high == 0 for r in a.ranges) and _NONE_COUNT.search(text):
        return number_match(a, Range(0, 0), "number")
    if _new_beside(a, heard.parts):
        raise Ambiguous  # "灶是新的 热水器用了十年": the years are another thing's
    text = _without_grades(a, text)
    said = spoken(a, text)
    found = amounts_said(a, text)
    if (rate := _rate(a, said, found)) is not None:
        return number_match(a, rate, "number")
    if (since := _since(a, said, found, heard.today)) is not None:
        return number_match(a, since, "number")
    found = [x for x in _without_periods(said, found) if not _calendar_year(a, x)]
    if re.search(r"out of|满分", text) and len(found) >= 2:
        found = [min(found[:2], key=lambda x: x.low)] if "满分" in text else found[:1]
    if (nth := _occasion_said(a, said)) is not None:
        return number_match(a, Range(nth, nth), "number")  # "this will be my fourth": 3
    found = _more_since(said, _as_times(a, found))
    found = _in_asked_weight(a, said, found)
    if _myriads_unsaid(a, found):
        raise Ambiguous
    if (closing := _closing_total(a, heard.parts)) is not None:
        return number_match(a, Range(closing, closing), "summed")  # "..., and a bed, so four"
    if (total := _total_of(said, found)) is not None and _in_asked_unit(a, total.unit) == 1:
        return number_match(a, Range(total.low, total.high), "summed")  # its parts said too
    units = a.units
    said_in = _answer_units(a)
    if found and said_in and all(x.unit and not _same_unit(x.unit, said_in + units) for x in found):
        # "就我一个人住" counts people, the answers count tons; no later stage takes the
        # sound of the amount for an answer ("出国两个月" is not 2个)
        vaguely = vague(a, text)
        if vaguely is None and all(x.unit in _SPAN_UNITS for x in found):
            raise Ambiguous  # only a length of time: "打四份" may still sound like 四分
        return vaguely
    counted = [x for x in found if x.unit and any(u in x.unit for u in units)]
    found = counted or _of_asked_noun(a, said, found)
    found = _total_then_parts(found)
    if (weekly := _days_total(a, said, found)) is not None:
        return number_match(a, Range(weekly, weekly), "summed")  # "礼拜二一节礼拜六一节"
    if len(found) >= 2 and all(x.exact for x in found) and _summed(text, found):
        found = [Amount(sum(x.low for x in found), sum(x.low for x in found), 0, 0, found[0].unit)]
    if (owned := _owned(a, text)) is not None:
        return number_match(a, Range(owned, owned), "number")
    people = _people(a, text)
    if people is None and found and EACH.search(said):
        owners = len({_ME.get(m.group(0), m.group(0)) for m in _PERSON.finditer(text)})
        if owners < 2 or len(found) > 1 or not found[0].exact:
            raise Ambiguous
        x = found[0]
        found = [Amount(x.low * owners, x.high * owners, x.start, x.end, x.unit)]
    elif people is not None and (
        not found or people > max(x.high for x in found) or _total_named(found, people)
    ):
        # named one by one: the whole reply's list, which no clause of it outweighs
        return number_match(a, Range(people, people), "people")
    if not found and "岁" in units:
        stage = [(lo, hi) for p, lo, hi in _SCHOOL_AGE + _LIFE_STAGE if p.search(text)]
        if len(stage) == 1:
            return number_match(a, Range(*stage[0]), "number")
    if not found:
        return vague(a, text)
    found = _narrowed(found)
    if len({(x.low, x.high) for x in found}) > 1:
        picks = {_inside(a, _aged(a, Range(x.low, x.high))) for x in found}
        if len(picks) == 1 and None not in picks:  # "好几辆 四五辆吧"
            return a.pick(picks.pop(), "number")
        if (usual := _usual(said, found)) is not None:
            return number_match(a, Range(usual.low, usual.high), "number")
        raise Ambiguous  # "老大九岁 老二三岁"
    x = found[0]
    scale = _in_asked_unit(a, x.unit)  # 八个月 -> 0.7 岁, "a few months" -> 0.25 years
    if scale is None or (scale != 1 and _asked_back(said, x)):
        return None  # "oh a week" to "how many guests": no count of them; "保修几个月"
    if x.exact and _approximate(said, x) and _on_shared_bound(a, x.low * scale):
        raise Ambiguous  # "三百左右" to 100到300元 / 300元以上: either side of the bound
    return number_match(a, _aged(a, Range(x.low * scale, x.high * scale)), "number")


# an amount said as roughly so much ("三百左右", "差不多一百", "about 50", "20 or so"; the
# "so" of "or so" is cleaned away as a filler, leaving "or" last)
_ROUGHLY_BEFORE = re.compile(
    r"(大概|大约|约莫|约|差不多|估计|\b(about|around|roughly|approximately))\s*(是|有|花了|要)?\s*$"
)
_ROUGHLY_AFTER = re.compile(r"^[^\s\d]{0,2}?\s*(左右|上下|\bor( so)?\s*$|-?ish\b|\bgive or take\b)")


# units of weight, in kilograms: a weight said in another unit than the question's is
# read in the question's ("ten stone" to "under 110 pounds" is 140 pounds)
_WEIGHTS = (
    (re.compile(r"\b(?:pounds?|lbs?)\b|磅"), 0.45359),
    (re.compile(r"\b(?:kilos?|kilograms?|kgs?)\b|公斤|千克"), 1.0),
    (re.compile(r"\bstones?\b"), 6.35029),
    (re.compile(r"(?<!公)斤"), 0.5),
)
_WEIGHT_AFTER = re.compile(
    r"(?: and a half)?\s*(?:of\s+)?(pounds?|lbs?|kilos?|kilograms?|kgs?|stones?|磅|公斤|千克|斤)"
)


def _weight_unit(text: str) -> float | None:
    """The one unit of weight `text` names, in kilograms."""
    found = {kg for pattern, kg in _WEIGHTS if pattern.search(text)}
    return found.pop() if len(found) == 1 else None


def _in_asked_weight(a: AnswerSet, said: str, found: list[Amount]) -> list[Amount]:
    """The amounts said in a unit of weight, in the one the question asks in ("seventy
    kilos" to pounds: 154); as said when the question names no unit of weight."""
    asked = _weight_unit(" ".join([a.question, *a.keys]))
    if asked is None:
        return found
    out = []
    for x in found:
        unit = _WEIGHT_AFTER.match(said, x.end)
        kg = _weight_unit(unit.group(1)) if unit else None
        if kg is None or kg == asked:
            out.append(x)
            continue
        factor = kg / asked
        out.append(Amount(x.low * factor, x.high * factor, x.start, x.end, ""))
    return out


def _approximate(said: str, x: Amount) -> bool:
    after = said[x.end :].lstrip()
    after = after[len(x.unit) :] if x.unit and after.startswith(x.unit) else after
    return bool(_ROUGHLY_BEFORE.search(said[max(0, x.start - 16) : x.start])) or bool(
        _ROUGHLY_AFTER.search(after)
    )


def _on_shared_bound(a: AnswerSet, value: float) -> bool:
    """Whether `value` is where one answer ends and another begins, as the answers say
    them ("300" of 100到300元 / 300元以上; "100" of 100元以下 / 100到300元), or where one
    ends and the next begins a step on ("150" of 110-150 / 151-200, within 1%)."""
    ends = [(i, b) for i, r in enumerate(a.stated) if r is not None for b in (r.low, r.high)]
    at = {i for i, b in ends if abs(b - value) <= max(0.011, abs(value) / 100)}
    return len(at) >= 2


def _aged(a: AnswerSet, said: Range) -> Range:
    """An age that falls between two answers, in the whole years they count it in
    ("九岁半" of 3到9岁 / 10岁及以上 is 9, "快十岁" is up to 9); any other amount as said
    (六岁半 of 2-6岁 / 6岁以上 is above 6)."""
    if "岁" not in _answer_units(a) or said.high == float("inf") or _inside(a, said) is not None:
        return said
    return Range(said.low // 1, said.high // 1)


def _after_retraction(a: AnswerSet, text: str) -> str | None:
    """What follows a count taken back ("两张 嗯不 一张就够", "twice, well, honestly once
    most days", "本来三个 我爸临时没去 就俩"), when a count is said on both sides: the
    later count stands; None when nothing is taken back."""
    for m in reversed(list(RETRACT.finditer(text))):
        before, after = text[: m.start()], text[m.end() :]
        if _a_count(a, before) and _a_count(a, _soon_after(after)):
            return after.strip(" ,，。")
    planned = WAS_PLANNED.search(text)
    if planned is not None:
        first = amounts(text[planned.end() :])
        if first:
            after = text[planned.end() + first[0].end :]
            if _a_count(a, after):
                return after.strip(" ,，。")
    return None


def _soon_after(after: str) -> str:
    """The words right after an English retraction, where the count it brings is said
    ("honestly once most days", "actually i'd say three"); a count further on is in a
    reason ("one honestly, he never turned up and cancelled twice")."""
    if not after.isascii():
        return after
    return " ".join(after.split()[:4])


def _a_count(a: AnswerSet, text: str) -> bool:
    return bool(amounts_said(a, text)) or _people(a, text) is not None


def _day_parts_count(a: AnswerSet, text: str) -> float | None:
    """Times a day said by naming when ("morning and night", "早晚各一次", "早上一次 晚上一
    次", "after every meal"), for a question counting times a day: one per part of the
    day named (each part's own count when one is said for every part); a single part
    only with "just" ("就早上刷"). None when the reply counts otherwise."""
    asked = periods(a.question, asked=True)
    if len(asked) != 1 or asked[0].high != 1 or not _counts_times(a):
        return None
    said = [x for x in amounts_said(a, text) if x.unit in ("", *_OCCASIONS)]
    if EVERY_MEAL.search(text):
        return 3.0 if not said else None
    parts = day_parts(text)
    if not parts or len(parts) == 1 and not said and not _ONLY.search(text):
        return None
    if not said:
        return float(len(parts))
    if len(said) == len(parts) and all(x.exact for x in said):
        return float(sum(x.low for x in said))
    if len(said) == 1 and said[0].exact and EACH.search(text):
        return float(len(parts) * said[0].low)
    return None


# a school grade ("三年级", "初二", "高一", "year 4", "third grade", "grade 5"): its number
# is no age, nor a count of years
_GRADE = re.compile(
    r"[一二三四五六七八九十\d]+年级|(?<![最提])[初高][一二三](?![点些倍下])|"
    r"\b(?:year|grade|yr) (?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b|"
    r"\b(?:\d+(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|"
    r"tenth|eleventh|twelfth) grade\b"
)
_AGE_QUESTION = re.compile(r"how old|\bage\b|\baged\b|多大|几岁|年龄|年纪|岁数")


def _without_grades(a: AnswerSet, text: str) -> str:
    """An age question's reply with the school grades blanked ("今年上三年级 九岁": nine,
    not three years; "十四 初二了": fourteen), unless the answers are grades themselves."""
    if not (_AGE_QUESTION.search(a.question) or "岁" in _answer_units(a)):
        return text
    if any(_GRADE.search(k) for k in a.keys):
        return text
    return _GRADE.sub(lambda m: " " * len(m.group()), text)


def _in_asked_unit(a: AnswerSet, unit: str) -> float | None:
    """What one `unit` said is in the time unit the question counts in (a month is 1/12
    of the years asked about); 1 when `unit` is no time unit; None when the question
    counts in no time unit (or in several), so a time said counts nothing it asks."""
    said = _time_unit(unit) if unit else None
    if said is None:
        return 1.0
    question = a.question
    for p in periods(question, asked=True):
        question = question[: p.start] + " " * (p.end - p.start) + question[p.end :]
    asked = {u for u in (_time_unit(w) for w in [question, *a.keys]) if u is not None}
    answered = {u for u in (_time_unit(k) for k in a.keys) if u is not None}
    if len(answered) >= 2:  # the answers' ranges are in their finest unit (in_one_time_unit)
        return said / min(answered)
    if not asked and all(_INSTALMENTS.search(k) for k in a.keys if amounts(k)):
        return said * 12  # 3期 / 6期 / 12期 are monthly: "半年" is 6 of them, "一年" 12
    return said / asked.pop() if len(asked) == 1 else None


# an answer counting monthly instalments ("6期", "12 instalments", "24 monthly payments")
_INSTALMENTS = re.compile(r"\d\s*期|\binstal?lments?\b|\bmonthly payments?\b")


def _asked_back(said: str, x: Amount) -> bool:
    """Whether a 几 amount is itself asked ("保修几个月": how many months is the
    warranty): it is, after a word other than 没/才/就/只/刚/有/了/过/的 ("用了几个月",
    "才几个月", "几个月" alone are answers)."""
    if "几" not in said[x.start : x.end] or x.start == 0:
        return False
    before = said[x.start - 1]
    return "\u4e00" <= before <= "\u9fff" and before not in "没才就只刚有了过的好十"


def _time_unit(text: str) -> float | None:
    """The time unit `text` counts in, in years."""
    found = {years for pattern, years in _TIME_UNITS if pattern.search(text)}
    return found.pop() if len(found) == 1 else None


# a thing said to be new ("灶是新的", "it's brand new"): no years of use to count
_NEW = re.compile(
    r"(?:是|挺|很|还|都)新的|新(?:买|换|装)的|刚(?:买|换|装)的|(?:换|买)了?(?:个|台|一个)?新的|"
    r"\bbrand new\b|"
    r"\b(?:is|are|it'?s|its|they'?re) (?:fairly |quite |pretty |still |nearly )?new\b"
)


def _new_beside(a: AnswerSet, parts: list[str]) -> bool:
    """Whether, to a question asking how many years, one clause calls a thing new and
    another gives years, two or more: those years are for something else the reply names."""
    if len(parts) < 2 or not _YEARS_QUESTION.search(a.question):
        return False
    new = [p for p in parts if _NEW.search(p) and not amounts(p)]
    years = [x for p in parts if p not in new for x in amounts(p)]
    # "刚买的 不到一年" agrees: new, and under a year; "用了十年" is no new thing's
    return bool(new) and any(x.low >= 2 and ("年" in x.unit or "year" in x.unit) for x in years)


def _narrowed(found: list[Amount]) -> list[Amount]:
    """A bound then an amount within it ("没有八年 大概七年", "over five, maybe seven"): the
    amount, which says more closely what the bound said."""
    if len(found) != 2:
        return found
    wide, close = found
    unbounded = float("inf") in (abs(wide.low), abs(wide.high))
    within = wide.low <= close.low and close.high <= wide.high
    same_unit = not wide.unit or not close.unit or wide.unit == close.unit
    if unbounded and within and close.high - close.low < 1e9 and same_unit:
        return [close]
    return found


def _usual(said: str, found: list[Amount]) -> Amount | None:
    """Of several amounts, the one said as usual ("平时三个 周末五个", "usually two") or
    the only one not said as now and then ("four, sometimes six", "三个 有时候五个")."""
    ends = [0] + [x.end for x in found[:-1]]  # what is said since the amount before
    before = [said[max(end, x.start - 14) : x.start] for x, end in zip(found, ends, strict=True)]
    usual = [x for x, b in zip(found, before, strict=True) if USUALLY.search(b)]
    if len(usual) != 1:
        usual = [x for x, b in zip(found, before, strict=True) if not SOMETIMES.search(b)]
    return usual[0] if len(usual) == 1 and len(found) > 1 else None


def _calendar_year(a: AnswerSet, x: Amount) -> bool:
    """Whether `x` is a year of the calendar ("born in 1980", "2019年") where the answers
    count far less than years of the calendar: a date, not an amount."""
    ends = [b for r in a.ranges if r is not None for b in (r.low, r.high)]
    bounds = [b for b in ends if abs(b) != float("inf")]
    return x.exact and 1900 <= x.low <= 2100 and bool(bounds) and max(bounds) < 1000


# a total said as one ("加氟一百八 远途费四十 一共二百二", "forty for the test and thirty
# for the lenses, seventy all in")
_SUM_BEFORE = re.compile(
    rf"({TOTAL_BEFORE}|\b(?:so|so that'?s|that'?s|that makes|which makes|makes it)\b)"
    r"\s*(是|花了|有|要|is|was|of)?\s*$"
)
_SUM_AFTER = re.compile(rf"^\s*[a-z]*\s*({TOTAL_AFTER})")


def _total_of(said: str, found: list[Amount]) -> Amount | None:
    """Of several amounts, the one said as their total, when just one is."""
    totals = [
        x for x in found
        if _SUM_BEFORE.search(said[max(0, x.start - 12) : x.start])
        or _SUM_AFTER.search(said[x.end : x.end + 24])
    ]  # fmt: skip
    return totals[0] if len(found) > 1 and len(totals) == 1 else None


# what may stand beside the number in a clause that only totals a list
_ONLY_TOTAL = re.compile(
    r"(?:so|that'?s|which makes|makes|所以|那就是|一共|总共|加起来|算|就算|那就算)?\s*"
    r"(?:things?|items?|pieces?|of them|in all|in total|altogether|total|"
    r"[个件样只台位条辆张次口人]|个人)?\s*(?:吧|了)?"
)


def _closing_total(a: AnswerSet, parts: list[str]) -> float | None:
    """Things listed clause by clause, then a clause that is only their number ("a
    wardrobe, two chests of drawers and a bed, so four"; "so" is cleaned away): that
    number, when it is above every amount in the list and no clause doubts one. Two
    clauses do when the first shares out ("one for each ear, so two")."""
    if len(parts) < 3 and not (len(parts) == 2 and EACH.search(parts[0])):
        return None
    closing = spoken(a, parts[-1])
    last = amounts(closing)
    if len(last) != 1 or not last[0].exact:
        return None
    rest = (closing[: last[0].start] + " " + closing[last[0].end :]).strip()
    if not _ONLY_TOTAL.fullmatch(rest):
        return None  # "..., three chairs": one more thing listed, not the total
    listed = [x for p in parts[:-1] for x in amounts(spoken(a, p))]
    if any(not x.exact or x.low >= last[0].low for x in listed):
        return None
    if any(_DOUBT.search(p) for p in parts):
        return None
    return last[0].low


def _total_then_parts(found: list[Amount]) -> list[Amount]:
    """A total said first, then what it is made of ("two, a dog and a cat", "三个 两个大
    的一个小的"): the total."""
    if len(found) < 3 or not all(x.exact for x in found):
        return found
    first, rest = found[0], found[1:]
    return [first] if first.low == sum(x.low for x in rest) else found


_EN_NTH = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
           "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12}
# an occasion said by its place ("my fourth", "the 3rd time", "第四次"): the times before
# it are one fewer, and only the current or the next occasion says how many
_NTH_OCCASION = re.compile(
    rf"\b(?:my|our|his|her|their|the) (?P<en>{'|'.join(_EN_NTH)}|\d+(?:st|nd|rd|th))\b"
    r"(?! (?:thought|hand|opinion|guess|choice|option|one)\b)|"
    r"第(?P<zh>[一二两三四五六七八九十]|\d+)(?:次|回|趟)"
)
_THIS_OCCASION = re.compile(
    r"\b(?:this|it|that|today|next|tomorrow)(?:'s|'ll|'d| is| will| would| was| were)?"
    r"(?: (?:be|going to be|gonna be|have been))? (?:only |just |actually )?$|"
    r"(?:这|这次|这回|这趟|今天|下次|下回)(?:是|算|就是|算是|会是|将是)?(?:我的?|我们的?)?$"
)
_BEFORE_ASKED = re.compile(r"\bbefore\b|\bso far\b|\bprevious|以前|之前|过")


def _occasion_said(a: AnswerSet, said: str) -> float | None:
    """The times before, for a reply that says the current occasion by its place ("this
    will be my fourth", "这是第四次": 3) to a question counting the times before; an
    occasion said by its place otherwise ("my second was in May") is not read."""
    m = _NTH_OCCASION.search(said)
    if m is None or not _counts_times(a):
        return None
    word = m["en"] or m["zh"]
    if m["zh"] and not word.isdigit():
        nth = zh_number(word) or 0.0  # 第四次
    else:
        nth = _EN_NTH.get(word) or int(re.sub(r"\D", "", word) or 0)  # my fourth, the 3rd time
    before = said[max(0, m.start() - 30) : m.start()]
    if nth and _BEFORE_ASKED.search(a.question) and _THIS_OCCASION.search(before):
        return nth - 1.0
    raise Ambiguous


def _counts_times(a: AnswerSet) -> bool:
    """Whether the question counts occasions ("几次", "how many times", "how often")."""
    return bool(_TIMES_QUESTION.search(a.question)) or any(
        re.search(r"次|回|趟|\btimes?\b", k) for k in a.keys
    )


def _rate(a: AnswerSet, said: str, found: list[Amount]) -> Range | None:
    """A count over another period than the question asks about, converted when that is
    plain ("一周两三个" to "一个月多少个": 8..13; "两个月三十吨": 15 a month; "twice a
    month" to "how many a week"), or a frequency said without a numeral ("每天", "every
    other week", "隔三差五") to a question counting occasions."""
    asked = periods(a.question, asked=True)
    said_periods = periods(said)
    counted = [x for x in found if not any(p.start <= x.start < p.end for p in said_periods)]
    if len(asked) != 1:
        if said_periods and counted:
            raise Ambiguous  # "一年换一次" to "换过几次": a rate, the question asks a count
        return None
    if _lengths_of_time(a):
        return None  # "4 to 7 days, or more than a week?" asks how long, not how often
    if not said_periods or not counted:
        return _idiom_rate(a, said, found, asked[0])
    if len(said_periods) > 1 or len(counted) > 1:
        if any((p.low, p.high) != (asked[0].low, asked[0].high) for p in said_periods):
            raise Ambiguous  # "一周两次 一个月也就五六次": not one plain rate
        return None
    return _per(asked[0], said_periods[0], counted[0].low, counted[0].high)


def _lengths_of_time(a: AnswerSet) -> bool:
    """Whether the answers are lengths of time ("1 to 3 days", "more than a week"): every
    amount in them counts in a unit of time."""
    units = [x.unit for k in a.keys for x in amounts(k)]
    return bool(units) and all(u and _time_unit(u) is not None for u in units)


def _idiom_rate(a: AnswerSet, said: str, found: list[Amount], asked: Period) -> Range | None:
    if found or not _counts_times(a) or re.search(r"不是|不到|没有|\bnot\b", said):
        return None
    for pattern, low, high, days in FREQUENCY_IDIOMS:
        if pattern.search(said):
            return _per(asked, Period(0, 0, days, days), low, high)
    return None


def _per(asked: Period, said: Period, low: float, high: float) -> Range | None:
    """`low`..`high` a `said` period, as a count over the `asked` one (None: the same)."""
    if (asked.low, asked.high) == (said.low, said.high):
        return None
    return Range(low * asked.low / said.high, high * asked.high / said.low)


def _without_periods(said: str, found: list[Amount]) -> list[Amount]:
    """The amounts that are not the period counted over ("一个月" in "一个月五个"); an
    amount that is all the reply says ("就周末一天") stays."""
    spans = periods(said)
    kept = [x for x in found if not any(p.start <= x.start < p.end for p in spans)]
    return kept or found


def _as_times(a: AnswerSet, found: list[Amount]) -> list[Amount]:
    """Days counted as occasions ("就周末一天", "two days a week") when the question counts
    occasions over a period."""
    if not found or not _counts_times(a) or not periods(a.question, asked=True):
        return found
    days = ("天", "day", "days")
    return [Amount(x.low, x.high, x.start, x.end, "次") if x.unit in days else x for x in found]


def _of_asked_noun(a: AnswerSet, said: str, found: list[Amount]) -> list[Amount]:
    """The amounts that count the noun the question asks about ("how many bedrooms":
    "three bedrooms, two baths" -> 3), when some do; else all of them."""
    m = _HOW_MANY.search(a.question)
    if m is None or len(found) < 2:
        return found
    stem = m.group(1)[:-1] if m.group(1).endswith("s") and len(m.group(1)) > 3 else m.group(1)
    own = [x for x in found if re.match(rf"\s*(?:[a-z]+\s+)?{re.escape(stem)}", said[x.end :])]
    return own or found


def _since(a: AnswerSet, said: str, found: list[Amount], today: date) -> Range | None:
    """How long, said as when it began ("since 2019", "去年搬来的", "we just moved in
    last year"), for a question asking how many years."""
    asked = a.question + " " + " ".join(a.keys)
    if not _YEARS_QUESTION.search(a.question) or not re.search(r"year|年", asked):
        return None
    if re.search(r"month|月|week|周|day|天|hour|小时|minute|分钟", " ".join(a.keys)):
        return None  # answers counted in shorter units than years
    if any(not (1950 <= x.low <= today.year) for x in found) or _BORN.search(said):
        return None  # "born in 1980" dates the callee, not what the question asks about
    span = years_since(said, today)
    return None if span is None else Range(*span)


_PLUS = re.compile(r"^\s*[a-z\u4e00-\u9fff]{0,8}?\s*(,?\s*and|plus|\+|加上?|再加|还有|另外)\s*$")


# a question counting over a week, and the days of the week a reply names
_WEEKLY = re.compile(
    r"一周|每周|一个?星期|每个?星期|一个?礼拜|每个?礼拜|周[几]|\b(a|per|each|every) week\b|weekly"
)
_WEEKDAY = re.compile(
    r"(?:周|星期|礼拜)[一二三四五六日天1-7]|"
    r"\b(?:mon|tue|tues|wed|wednes|thu|thur|thurs|fri|sat|satur|sun)(?:days?)?\b"
)
_DOUBT = re.compile(r"或|到|至|还是|可能|也许|不|没|\b(or|to|maybe|perhaps|not|no)\b")


def _days_total(a: AnswerSet, said: str, found: list[Amount]) -> float | None:
    """Counts said day by day, to a question counting over a week ("礼拜二一节礼拜六一节":
    2; "two on monday, one on friday": 3): each amount has a weekday of its own, and no
    word of doubt or choice ("周二或者周四一节") joins them."""
    if len(found) < 2 or not all(x.exact for x in found) or not _WEEKLY.search(a.question):
        return None
    if _DOUBT.search(said):
        return None
    starts = [0] + [x.end for x in found]
    ends = [x.start for x in found[1:]] + [len(said)]
    if _WEEKDAY.search(said[: found[0].start]):  # "礼拜二一节": each day before its count
        stretches = [said[b : x.start] for b, x in zip(starts, found, strict=False)]
    else:  # "two on monday and one on friday": each day after its count
        stretches = [said[x.end : e] for x, e in zip(found, ends, strict=True)]
    days = [tuple(_WEEKDAY.findall(t)) for t in stretches]
    if any(len(d) != 1 for d in days) or len(set(days)) < len(days):
        return None
    return sum(x.low for x in found)


# more of the same on top of an amount said before it, not a count of its own ("my ten
# year pin and a few more since", "ten, and some more"): a few or a couple adds under ten
_MORE_ON_TOP = re.compile(
    r"\b(?:and|plus) (?:(?P<few>a few|a couple(?: of)?|few)|some|several|a bunch|loads|lots|"
    r"a lot|many|plenty) more\b"
)


def _more_since(said: str, found: list[Amount]) -> list[Amount]:
    """One amount, more than the one said before "and a few more", when other words
    stand between them ("ten and a few more" is summed: 13)."""
    m = _MORE_ON_TOP.search(said)
    before = [x for x in found if x.end <= m.start()] if m else []
    if m is None or len(before) != 1 or not before[0].exact:
        return found
    if not said[before[0].end : m.start()].strip():
        return found
    n = before[0].low
    rest = [x for x in found if x.start >= m.end()]
    high = n + 9 if m["few"] else float("inf")
    return [Amount(n + 1, high, before[0].start, m.end(), before[0].unit), *rest]


def _summed(text: str, found: list[Amount]) -> bool:
    """Amounts of kinds added up ("two dogs and three cats", "两个大人加三个孩子"): each
    counted in a word of its own, joined by "and" / 加."""
    gaps = [text[x.end : y.start] for x, y in zip(found, found[1:], strict=False)]
    return not re.search(r"between|之间|到|至|\bor\b|或", text) and all(
        _PLUS.search(g) and re.search(r"[a-z\u4e00-\u9fff]", g.split()[0] if g.split() else "")
        for g in gaps
    )


# what lies between two amounts of kinds listed one after another ("一只狗一只猫", "一狗一猫
# 还有一对鹦鹉", "two adults two teenagers"): the first one's noun, stuck to its unit, and
# maybe a joiner; a word of time or doubt between them ("三个 有时候五个", "three maybe
# four kids", "平时两个 周末三个") ranks or doubts the amounts, it adds nothing
_KIND_NOUN = re.compile(
    r"^[\u4e00-\u9fff]{1,3}\s*(还有|和|跟|加上?|另外)?\s*$|^\s*[a-z][a-z-]{2,}\s*(,|and|plus)?\s*$"
)
_KIND_STOP = re.compile(
    r"[或到至不没是吧啊呀呢了的嘛哈就点]|有时|平时|周末|一般|通常|左右|上下|\b(or|to|maybe|perhaps|"
    r"about|like|no|not|actually|sometimes|usually|now|then|today|tomorrow|weekdays?|"
    r"weekends?|times?|each|per|more|less|than|and|plus)\b"
)
# amounts that are not kinds of things or people: ages, lengths of time, money, marks
_NOT_KINDS = re.compile(
    r"岁|年|月|天|日|周|星期|礼拜|小时|分|点|元|块|米|平|"
    r"years?|months?|days?|weeks?|hours?|minutes?|dollars?|bucks|points?|stars?"
)


def _kind_noun(said: str, x: Amount, end: int) -> str:
    """What `x` counts, said after it up to `end`: its unit when that is an English
    noun ("two adults"), else the words after its unit ("一只狗", "一狗")."""
    if len(x.unit) >= 3 and x.unit.isascii():
        return x.unit
    rest = said[x.end : end]
    return rest[len(x.unit) :] if x.unit and rest.startswith(x.unit) else rest


def _kinds_total(a: AnswerSet, text: str) -> float | None:
    """The total of amounts of kinds listed one after another, each with a noun of its
    own ("一只狗一只猫": 2, "一对鹦鹉": 2, "two adults two teenagers": 4), or the total
    said before such parts ("俩 一猫一狗": 2); None for amounts doubted, ranked or joined
    by "or" / 到 ("两只 三只", "平时三个 周末五个")."""
    said = spoken(a, text)
    found = amounts(said)
    if len(found) < 2 or not all(x.exact and not _NOT_KINDS.search(x.unit) for x in found):
        return None
    if len(_of_asked_noun(a, said, found)) < len(found):
        return None  # "three bedrooms, two baths": only one of them is what is asked
    if len(found) > 2 and found[0].low == sum(x.low for x in found[1:]):
        # "俩 一猫一狗", "three, two adults one kid": the total, then what it is made of
        parts = _kinds_total(a, said[found[1].start :])
        return found[0].low if parts == found[0].low else None
    ends = [y.start for y in found[1:]] + [len(said)]
    nouns = [_kind_noun(said, x, end) for x, end in zip(found, ends, strict=True)]
    last = re.match(r"\s*([\u4e00-\u9fff]{1,3}|[a-z][a-z-]{2,})", nouns[-1])
    if last is None or _KIND_STOP.search(last.group(1)):
        return None
    if not all(_KIND_NOUN.match(n) and not _KIND_STOP.search(n.split(",")[0].split(" and")[0])
               for n in nouns[:-1]):  # fmt: skip
        return None
    return sum(x.low * (2 if said.startswith("对", x.end) else 1) for x in found)


def counted(a: AnswerSet, text: str, how: str = "number") -> bool:
    """Whether the reply counts what `a`'s question counts (an amount in its unit, a
    score given as one, the people named): only then may a count answer it when another
    question was asked."""
    if how != "number":
        return True
    if _POINTS_QUESTION.search(a.question) and re.search(r"out of|give|分|打|points?|stars?", text):
        return True
    units = _answer_units(a) + a.units
    said = _area_units(text) if "平米" in units else text  # "一百三十平" counts in 平米
    return _people(a, text) is not None or any(
        x.unit and x.unit != "个" and (_same_unit(x.unit, units) or _span_in(x.unit, units))
        for x in amounts(said)
    )  # "收的话一个月七八个": a count over a month volunteered, as before `_span_of`


def _span_in(unit: str, units: tuple[str, ...]) -> bool:
    return unit in _SPAN_UNITS and "个" in units


def _answer_units(a: AnswerSet) -> tuple[str, ...]:
    """The units the answers themselves count in ("10吨以下" -> 吨)."""
    if a._units is None:
        keys = [_area_units(fold(k)) for k in a.answers]
        a._units = tuple({x.unit for k in keys for x in amounts(k) if x.unit})
    return a._units


_SPAN_UNITS = ("个月", "个小时", "个钟", "个钟头", "个星期", "个礼拜", "个周", "个年头")


def _span_of(unit: str, u: str) -> bool:
    """Whether `unit` is a length of time that only holds the counting word `u` ("两个月"
    to answers of 1个 / 2个: months, not the people or things counted)."""
    return u == "个" and unit in _SPAN_UNITS


def _same_unit(unit: str, units: tuple[str, ...]) -> bool:
    """Whether a unit said counts what the answers count; 个 counts anything; 次, 回, 趟,
    遍 and "times" all count occasions."""
    if unit == "个" or any(u in unit or unit in u for u in units if not _span_of(unit, u)):
        return True
    if unit in _OCCASIONS and any(u in _OCCASIONS for u in units):
        return True
    if _PEOPLE_UNIT.match(unit) and any(_PEOPLE_UNIT.match(u) for u in units):
        return True  # 三口 / 三个人 / 三位 / "three guests" all count people
    ages = ("岁", "年", "year", "月", "month")  # lengths of time: "a few weeks" of years too
    spans = (*ages, "week", "周", "星期", "day", "天")
    return any(w in unit for w in spans) and any(w in u for u in units for w in ages)


def _reads_as_time(a: AnswerSet, heard: Heard) -> bool:
    """Whether the time stage reads the reply among answers that are hours of the day."""
    try:
        return a.choices is not None and a.choices.pick(heard.text, heard.today) is not None
    except times.Ambiguous:
        return True


def _people(a: AnswerSet, text: str) -> float | None:
    """How many people a reply names: alone ("就我自个儿", "just me"), the party counted
    ("both of us", "我们仨"), a big household ("一大家子"), or one by one ("我 我老婆 还有
    我爸妈", "me, my husband and the twins"); None when it names fewer than two."""
    if not _asks_people(a):
        return None
    return people_named(text)


def _total_named(found: list[Amount], people: float) -> bool:
    """ "four, me, my husband and the two kids": the total said first is the people
    named after it."""
    return len(found) >= 2 and found[0].exact and found[0].low == people


def _owned(a: AnswerSet, text: str) -> float | None:
    """Things counted by the people who own them, for a question that counts things
    (not people): one each for a household counted ("一家五口人 每人一部": 5), or one
    per owner named ("我跟我老婆的 还有我妈的": 3, "就我自己这个", "just mine": 1)."""
    if _asks_people(a) or not a.is_numeric:
        return None
    if (each := _PER_HEAD.search(text)) is not None:
        rest = text[: each.start()] + " " + text[each.end() :]
        heads = [x for x in amounts(rest) if x.exact and _PEOPLE_UNIT.match(x.unit)]
        count = heads[0].low if len(heads) == 1 else people_named(rest)
        return count
    owners = {m.group(1) or m.group(2) for m in _OWNER.finditer(text)}
    if not owners or amounts(text):
        return None
    # "就我跟我闺女的": the owners are everyone named before the 的
    named = {_ME.get(m.group(0), m.group(0)) for m in _PERSON.finditer(text)}
    count = max(len(owners), len(named))
    if count == 1 and not _ONLY.search(text):
        return None  # "我的坏了": whose, not how many
    return float(count)


def _asks_people(a: AnswerSet) -> bool:
    """Whether the question counts people (not "how many cars in your household")."""
    q = a.question.lower()
    if _COUNTS_THINGS.search(q):
        return False
    m = _HOW_MANY.search(q)
    if m is not None and m.group(1) not in _PEOPLE_NOUNS:
        return False
    return "人" in a.units or "people" in a.units or bool(_PEOPLE_QUESTION.search(q))


# someone added to a count ("加上阿嫲", "还有司机", "plus the neighbour")
_ADDED = re.compile(
    r"(?:再)?(?:加上|外加|另加|还有|(?<![a-z])plus|\band also|\bas well as)\s*"
    r"(?![吗呢吧啊呀嘛])(?P<x>[^\s，,。]{1,8})"
)


def _someone_uncounted(a: AnswerSet, text: str) -> bool:
    """Whether a count of people adds someone the reply does not count: a word after
    加上 / 还有 / plus that is no person named and no number ("夫妻俩加上邻居": three or
    more, not the two said)."""
    if not _asks_people(a):
        return False
    for m in _ADDED.finditer(text):
        x = m["x"]
        if not (_PERSON.search(x) or _COUPLE.search(x) or amounts(x)):
            return True
    return False


# one other person alone ("就保姆自己", "只有他奶奶一个人"), no one joined to them
_OTHER_ALONE = re.compile(
    r"(?:就|只有|只|光)(?:他|她|佢|我)?(?P<p>[\u4e00-\u9fff]{1,4}?)(?:自己|自个儿?|一个人?)"
    r"(?![\u4e00-\u9fff]*(?:和|跟|与|加|还有|带|同|们))"
)


def _one_alone(text: str) -> bool:
    m = _OTHER_ALONE.search(text)
    return m is not None and _PERSON.fullmatch(m["p"]) is not None


def _more_than_said(a: AnswerSet, text: str) -> Match:
    """The open top answer when the count said plus the one added reaches it ("夫妻俩加上
    邻居" to 1 / 2 / 3个及以上, "一家五口 还有老人" to 5人以上); else asked again."""
    said = [x.low for x in amounts(text) if x.exact]
    n = people_named(text) or (max(said) if said else None)
    top = [i for i, r in enumerate(a.ranges) if r is not None and r.high == float("inf")]
    if n is None or len(top) != 1 or n + 1 < a.ranges[top[0]].low:  # type: ignore[union-attr]
        raise Ambiguous
    return a.pick(top[0], "number")


def people_named(text: str) -> float | None:
    """The people `text` names (see `_people`), or None."""
    if (m := _N_OF_US.search(text)) is not None:
        said = amounts(m.group("en") or m.group("zh") or m.group("zs") or "")
        if len(said) == 1 and said[0].exact:
            return said[0].low
    if _ALONE.search(text) or _one_alone(text):
        return 1.0
    if _BIG_GROUP.search(text) and not amounts(text):
        return 5.0
    pairs = len(_COUPLE.findall(text))
    if pairs:
        text = _COUPLE.sub(" ", text)
    named = {_ME.get(m.group(0), m.group(0)) for m in _PERSON.finditer(text)}
    kids = sum(x.low for x in amounts(text) if x.exact and re.search(
        r"^\s*(kids|children|sons|daughters|个孩子|孩子|个小孩|小孩)", text[x.end : x.end + 10]
    ))  # fmt: skip
    if kids:
        named = {n for n in named if not re.search(r"kid|child|孩子|小孩", n)}
    if 2 * pairs + len(named) + (1 if kids else 0) < 2:
        return None
    return float(2 * pairs + len(named) + kids)


def _inside(a: AnswerSet, said: Range) -> int | None:
    inside = [
        i for i, r in enumerate(a.ranges)
        if r is not None and r.low <= said.low and said.high <= r.high
    ]  # fmt: skip
    return inside[0] if len(inside) == 1 else None


def number_match(a: AnswerSet, said: Range, how: str) -> Match | None:
    """The one answer whose range holds `said`; Ambiguous when it overlaps two ("三四分",
    "一百左右" across two answers); None when it falls outside them all."""
    inside = [
        i for i, r in enumerate(a.ranges)
        if r is not None and r.low <= said.low and said.high <= r.high
    ]  # fmt: skip
    stated = [i for i, r in enumerate(a.stated) if r == said]
    if not inside and len(stated) == 1:  # "十五个以上" for 15个以上 (next to 5-15个)
        return a.pick(stated[0], how)
    if not inside and (bounded := _same_bound(a, said)) is not None:
        return a.pick(bounded, how)  # "不超过十万" for 10万以下 (next to 10到20万)
    if not inside and (end := _at_the_end(a, said)) is not None:
        return a.pick(end, how)  # "not more than one" to 1 / 2 / 3
    if len(inside) == 1:
        return a.pick(inside[0], how)
    if len(inside) > 1 or any(
        r is not None and r.low <= said.high and said.low <= r.high for r in a.ranges
    ):
        raise Ambiguous
    return None


def _same_bound(a: AnswerSet, said: Range) -> int | None:
    """The one answer open on the same side as `said` and bounded where it is, give or
    take the cent that "以下" / "below" takes off: "不超过十万" (up to 10万) is 10万以下."""
    if said.low == float("-inf"):
        same = [i for i, r in enumerate(a.stated) if r is not None and r.low == said.low
                and abs(r.high - said.high) <= 0.011]  # fmt: skip
    elif said.high == float("inf"):
        same = [i for i, r in enumerate(a.stated) if r is not None and r.high == said.high
                and abs(r.low - said.low) <= 0.011]  # fmt: skip
    else:
        return None
    return same[0] if len(same) == 1 else None


def _at_the_end(a: AnswerSet, said: Range) -> int | None:
    """An upper bound that reaches into the answers at their low end only, where it holds
    the whole of one answer and touches no other ("not more than one" to 1 / 2 / 3)."""
    if said.low != float("-inf"):
        return None  # "more than three" is read as "three or more": not taken for 3
    touched = [i for i, r in enumerate(a.ranges)
               if r is not None and r.low <= said.high and said.low <= r.high]  # fmt: skip
    if len(touched) != 1:
        return None
    r = a.ranges[touched[0]]
    return touched[0] if r is not None and said.low <= r.low and r.high <= said.high else None
