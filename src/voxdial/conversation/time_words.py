"""Lexicons of how people say days and times of day, in Mandarin and English, for
`times` to read replies with. Tables, not branches: a new way of saying a time of day
is a new row. Every pattern is matched on folded text (lowercase, half-width)."""

from __future__ import annotations

import re

# ----- days of the week -----

# a weekday's number after 周 / 星期 / 礼拜 (Monday = 0): numerals and digits alike,
# "周4", "星期天", "礼拜日"; 末 is the weekend (read as its Saturday)
ZH_WEEKDAY = {
    "一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6,
    "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6, "末": 5,
}  # fmt: skip

# ASR slips of the numeral after 周 / 星期 / 礼拜: a character that sounds like it
# ("周事" for 周四, "星期伞" for 星期三). Read only where nothing but a particle follows.
ZH_WEEKDAY_SLIPS = {
    "事": "四", "寺": "四", "似": "四", "死": "四",
    "衣": "一", "医": "一", "依": "一",
    "尔": "二", "而": "二",
    "伞": "三", "散": "三",
    "午": "五", "舞": "五", "武": "五", "伍": "五",
    "溜": "六", "留": "六", "陆": "六",
}  # fmt: skip

# ASR slips of a period of the day ("下五" for 下午): a homophone read as the period
# unless a count follows ("下五个" is "the next five")
ZH_PERIOD_SLIPS = {"下五": "下午", "夏午": "下午", "上五": "上午", "尚午": "上午", "中五": "中午"}
# ASR slips of an English hour word ("at for", "too thirty"), read as hours only where a
# clock time is plain from the words around it
EN_HOUR_SLIPS = {"for": "four", "fore": "four", "too": "two", "tree": "three", "ate": "eight",
                 "won": "one"}  # fmt: skip

# English weekday names, their abbreviations and split or misspelt forms ASR writes
# ("weds", "thurs", "wednes day", "saterday", "mundy", "thirst day"), plurals included
EN_WEEKDAY = [
    r"mon(?:\s?day)?s?|mundy",
    r"tue(?:s(?:\s?day)?|\s?day)?s?|choose-?\s?day",
    r"wed(?:ne|nes|s)?(?:\s?day)?s?|wensday|wendsday",
    r"thu(?:r(?:s)?)?(?:\s?day)?s?|thirs(?:t)?\s?day",
    r"fri(?:\s?day)?s?|fryday",
    r"sat(?:ur|er)?(?:\s?day)?s?",
    r"sun(?:\s?day)?s?",
]
# abbreviations that are also words ("sat down", "the sun", "we wed"): a weekday only
# in a short reply or after a word that introduces a day
EN_WEEKDAY_WORDLIKE = frozenset({"mon", "wed", "sat", "sun", "tue", "thu", "fri"})
EN_DAY_LEAD = r"(?:on|next|this|by|till|until|say|maybe|or|and|not|every|coming)"

# English ordinals for a day of the month ("the seventeenth")
EN_ORDINALS = {
    w: i + 1
    for i, w in enumerate(
        "first second third fourth fifth sixth seventh eighth ninth tenth eleventh "
        "twelfth thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth "
        "nineteenth twentieth".split()
    )
} | {"twenty-first": 21, "twenty-second": 22, "twenty-third": 23, "twenty-fourth": 24,
     "twenty-fifth": 25, "twenty-sixth": 26, "twenty-seventh": 27, "twenty-eighth": 28,
     "twenty-ninth": 29, "thirtieth": 30, "thirty-first": 31}  # fmt: skip
EN_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        "january february march april may june july august september october "
        "november december".split()
    )
} | {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
     "sept": 9, "oct": 10, "nov": 11, "dec": 12}  # fmt: skip

# parts of a week, as (first, last) weekday: "early next week" -> Monday..Tuesday
WEEK_PARTS: list[tuple[str, tuple[int, int]]] = [
    (r"early (?:in )?(?:the )?|beginning of (?:the )?|start of (?:the )?|初|头几天|前半", (0, 1)),
    (r"mid-? ?|middle of (?:the )?|中间|中", (1, 3)),
    (r"late (?:in )?(?:the )?|later (?:in )?(?:the )?|end of (?:the )?|后半|晚些", (3, 4)),
]

# ----- times of the day -----


class Period:
    """A time of the day people name by a word: its pattern, the hours it spans, the
    hour a callback is placed at when no clock time is said, and whether a bare hour
    said with it is after noon ("晚上七点" -> 19)."""

    def __init__(self, name: str, pattern: str, span: tuple[float, float], *, at: int, pm: bool):
        self.name, self.span, self.at, self.pm = name, span, at, pm
        self.pattern = re.compile(pattern)


# most specific first: "late afternoon" before "afternoon" before "noon"; each row is
# one family of sayings in both languages
PERIODS: list[Period] = [
    Period("first thing", r"first thing|crack of dawn|一大早|大清早|一早|清早|一上班|刚上班|"
           r"早早的|early (?:in the )?morning|早上一开门", (6, 9.5), at=9, pm=False),
    Period("breakfast", r"breakfast ?time|over breakfast|before work|before i go to work|"
           r"早饭时间|吃早饭的时候|早饭那会|上班前|上班之前|上班以前", (6.5, 9), at=8, pm=False),
    Period("late morning", r"late (?:in the )?morning|mid-? ?morning|上午晚些|上午晚点|快中午|"
           r"临近中午|接近中午", (10, 12), at=11, pm=False),
    Period("after lunch", r"after lunch|after my lunch|early (?:in the )?(?:afternoon|arvo)|"
           r"午饭后|午饭以后|午饭之后|"
           r"吃完午饭|吃过午饭|吃了午饭|午休(?:之|以)?后|午觉(?:醒了|起来|之?后)|"
           r"中午.{0,5}(?:之|以)后(?!天)|中午过后|中午吃(?:完|过|了)饭|刚过中午|过了中午|下午早点|下午早些|"
           r"下午一上班", (13.5, 15.5),
           at=13, pm=True),
    Period("lunchtime", r"lunch ?time|lunch ?hour|over lunch|at lunch|around lunch|"
           r"about lunch|\blunch\b|around noon|about noon|中午前后|中午左右|午饭时间|午饭那会|"
           r"吃午饭的时候|午休(?:时间|的时候)?|中午饭点|午饭点", (11, 13.5), at=12, pm=False),
    Period("after school", r"after school|school run|放学(?:之|以)?后|放学(?=再|打|回)|接完孩子|"
           r"接孩子回来",
           (15.5, 18), at=16, pm=True),
    Period("end of the day", r"end of (?:the|my) (?:working |work )?day|close of business|"
           r"before i finish work|快下班|下班前|下班之前|下班以前|临下班", (16, 18), at=17,
           pm=True),
    Period("late afternoon", r"late (?:in the )?(?:afternoon|arvo)|"
           r"later (?:in the )?(?:afternoon|arvo)|"
           r"下午晚些|下午晚点|下午晚一点|下午四五点", (15.5, 18), at=16, pm=True),
    Period("after dinner", r"after dinner|after supper|after tea|晚饭后|晚饭以后|晚饭之后|"
           r"吃完晚饭|吃过晚饭|吃了晚饭", (19, 22), at=20, pm=True),
    # before the evening meal ("趁还没吃晚饭", "before tea"): the end of the afternoon
    Period("before dinner", r"before (?:dinner|supper|tea)|晚饭前|晚饭之前|晚饭以前|吃晚饭前|"
           r"吃晚饭之前|还没吃晚饭|没吃晚饭前", (17, 18.5), at=17.5, pm=True),
    Period("dinner time", r"dinner ?time|supper ?time|tea ?time|晚饭时间|晚饭那会|"
           r"吃晚饭的时候|晚饭点", (17.5, 19.5), at=18, pm=True),
    Period("after work", r"after work|after hours|when i finish work|once i'?m off|"
           r"下班(?:之|以)?后|下了班|下班回来|下班回家|收工(?:之|以)?后|下班(?=再|打|联系)|"
           r"等我下班", (18, 24), at=18, pm=True),
    Period("late evening", r"late (?:in the )?evening|late at night|late night|深夜|半夜|"
           r"晚上很晚|晚点睡前|睡觉前|睡前|bed ?time|before bed", (21, 24), at=21, pm=True),
    Period("凌晨", r"凌晨|before dawn", (0, 6), at=5, pm=False),
    Period("早上", r"早上|早晨|明早|朝早|mornings?|"
           r"^(?:(?:uh|um|er|oh|well|the|an?)\s+)*a\.?m\.?\b(?!\s+(?:i|we|not)\b)",
           (6, 12), at=9, pm=False),
    # 上昼 / 朝早, 下昼 / 晏昼: Cantonese for the morning and the afternoon
    Period("上午", r"上午|上半天|上晌|上昼", (6, 12), at=10, pm=False),
    Period("中午", r"中午|\bnoon\b|midday", (11, 13.5), at=12, pm=False),
    # "arvo": the afternoon in Australian English; "pm" alone opening the reply
    Period("下午", r"下午|午后|下半天|下晌|下昼|晏昼|afternoons?|\barvos?\b|"
           r"^(?:(?:uh|um|er|oh|well|the|an?)\s+)*p\.?m\.?\b", (12, 18), at=15, pm=True),
    Period("傍晚", r"傍晚|黄昏|天黑前|early evening|dusk", (17, 19.5), at=18, pm=True),
    Period("晚上", r"晚上|晚尚|今晚|明晚|夜里|evenings?|tonight|\bnight\b", (18, 24), at=19,
           pm=True),
]
PERIOD_BY_NAME = {p.name: p for p in PERIODS}

# hours said as English words
EN_HOURS = {
    w: i + 1
    for i, w in enumerate(
        "one two three four five six seven eight nine ten eleven twelve".split()
    )
} | {"noon": 12, "midday": 12, "midnight": 0}

# ----- a choice named by its place in time -----

# "the earliest one", "最早那场": the first of the choices in time. Not "最早九点" (at
# the earliest, nine): a number must not follow.
EARLIEST = re.compile(
    r"(?:最早|最前面|早的那|早一点的那|早点的那)(?:的)?(?:那)?(?:一)?(?:个|场|次|班|档|批|天|段)?"
    r"(?![\d零一二两三四五六七八九十点])|"
    r"\b(?:the )?(?:earliest|soonest|first available|early one|earlier one|first slot)\b"
    r"(?!\s*(?:\d|one o|at|by))"
)
# "the latest slot", "最晚的那个": the last of the choices in time ("at the latest" and
# "最晚四点" name a deadline, not a choice)
LATEST = re.compile(
    r"(?:最晚|最迟|最后面|最后那|晚的那|晚一点的那|晚点的那)(?:的)?(?:那)?(?:一)?"
    r"(?:个|场|次|班|档|批|天|段)?(?![\d零一二两三四五六七八九十点])|"
    r"\b(?:the )?(?:latest (?:one|slot|time|option|appointment)|late one|later one|"
    r"last slot|last time slot|last appointment)\b"
)
AT_THE_LATEST = re.compile(r"at the latest|at the earliest|最晚.{0,3}[\d零一二两三四五六七八九十]")

# a clause turning a day or time down: "周二不行", "四点太晚了", "not monday"; read to
# exclude what it names
REJECTS = re.compile(
    r"不行|不可以|不方便|没空|没时间|不在|不太行|不合适|去不了|来不了|不成|赶不上|太早|太晚|"
    r"不要(?!紧|太)|^别(?=[\u4e00-\u9fff])|"
    r"不太方便|有事|要上班|加班|出差|要接孩子|接孩子|要上课|要开会|开会|值班|"
    r"起不来|起不了|来不及|赶不过来|够呛|不得空|"
    r"\bnot\b(?! (?:busy|a problem|bad|an issue|sure))|\bno good\b|can'?t|cannot|"
    r"won'?t work|doesn'?t work|don'?t work|"
    r"too (?:early|late)|(?<!not )busy|\baway\b|\bout\b|except|anything but|other than|除了|除开|"
    r"apart from|"
    # something already on that day ("i've got choir on monday", "i have work on friday")
    r"\b(?:i'?ve got|i have got|we'?ve got|i have|we have) (?!time\b|nothing\b|no\b|free\b)"
    r"[a-z]+(?: [a-z]+)? on\b|"
    # somewhere else then ("i'm at the bingo in the afternoon", "i'm at work on tuesday")
    r"\b(?:i'?m|i am|we'?re|we are) (?:at|out at|away at) "
    r"(?!(?:(?:the|my|our) )?(?:home|hame|house|place|flat|bit)\b)"
    r"(?:the |my |our )?[a-z]+(?: [a-z]+)? "
    r"(?:in|on)\b"
)

# a choice picked by its place in the list ("第一个", "the second one", "option 3"): the
# ordinals stage reads it, and its numeral is no hour
BY_POSITION = re.compile(
    r"第[一二三四五六七八九十\d]+(?:个|场|次|班|档|项|种|天)?|最后一(?:个|场|次|班|项)|"
    r"\b(?:the )?(?:first|second|third|fourth|middle|last|final) (?:one|slot|option|choice)\b|"
    r"\b(?:option|number|choice) (?:one|two|three|four|\d)\b"
)

# a correction in a reply: what follows it stands ("周一 哦不对 周三", "monday, no wait,
# friday")
CORRECTS = re.compile(
    r"^(?:oh |no |hang on |)wait\b|^(?:no,? )?sorry\b|^i mean\b|^actually\b|^scratch that\b|"
    r"^no no\b|^(?:哦|啊|噢)?不对(?:不对)?|我是说|说错了|^(?:哦|啊)不是"
)

# a weekday named by its name ("friday", "周五", "礼拜天"): when no choice holds it, the
# reply names a day not offered, and no choice is taken for the likeness of its words
NAMES_WEEKDAY = re.compile(
    r"\b(?:mon|tues|wednes|thurs|fri|satur|sun)days?\b|"
    r"(?:周|星期|礼拜)[一二三四五六日天1-7]"
)
