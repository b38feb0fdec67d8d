"""What kind of fact a question asks for, and which passages state one: a "where"
question wants an address, "how much" a price, "what time" hours, "what number" a
phone number, "how long" a duration. Knowledge retrieval ranks up the passages that
hold the kind of fact asked for; superlatives ("最便宜的", "the cheapest") pick an item
of a list by its figure."""

from __future__ import annotations

import re

# what "how much X do ..." asks about when it asks for money all the same
_MONEY_NOUNS = r"(?:money|cash|extra|more|deposit|tax|vat|tip|interest|rent|change)"
_AUXILIARY = r"(?:do|does|did|can|could|should|will|would|is|are|was|have|has)"

# kind -> (the question asks for it, a passage states it)
KINDS: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    "place": (
        re.compile(
            r"在?(?:哪|什么)[条个]?路上?|在哪[儿里]?|哪里|哪儿|地址|位置|什么地方|怎么走|怎么去|怎么过去|\bwhere\b|address|located|location|"
            r"directions|how do i get|how to get",
            re.I,
        ),
        re.compile(
            r"\d+号|[路街道]\d+|大厦|广场|商场|地铁|[一二三四五六七八九十\d]+楼|出口|旁边|对面|隔壁|紧挨|"
            r"\d+\s+\w+\s+(street|avenue|road|st|ave)\b|"
            r"\b(street|avenue|road|suite|across from|next to|above|behind|opposite)\b|"
            r"\b(\d+(st|nd|rd|th)|first|second|third|ground|top) floor\b",
            re.I,
        ),
    ),
    "hours": (
        re.compile(
            r"几点|营业时间|开门|关门|下班|上班|营业吗|休息吗|开吗|周末|礼拜天|周日|星期天|节假日|放假|"
            # a weekday asked about ("礼拜二去行不行", "can I come in monday")
            r"(周|礼拜|星期)[一二三四五六日天]|\b(monday|tuesday|wednesday|thursday|friday)s?\b|"
            r"\bhours\b|\bopen\b|\bclose\b|closed|what time|weekends?|saturdays?|sundays?|"
            r"\bat \d+ (in the morning|at night)|middle of the night|late at night|24/7|半夜|凌晨",
            re.I,
        ),
        re.compile(
            r"[0-9零一二三四五六七八九十]+点|点到|\d\s?(am|pm)\b|\b(monday|friday|saturday|sunday)\b|"
            r"周[一二三四五六日]|休息|day (and|or) night|any time|24|二十四小时",
            re.I,
        ),
    ),
    "price": (
        re.compile(
            r"多少钱|价格|价钱|收费|费用|贵|便宜|月租|月费|年费|交多少|"
            r"要钱|自己买|花钱|"
            # how callers ask for a price without naming it: 好多钱 (southwestern
            # 多少钱), money taken or given (收钱, 给钱, 加钱, 算钱, 扣钱), 咋收 / 怎么收
            # said alone, and 要多少 / 收多少 with no counted thing after it
            r"好多钱|[收给加算扣掏]钱|(?:咋|怎么)收(?=$|[\s的呢啊呀？?，,。])|"
            r"[要收]多少(?=$|[\s钱吗呢啊呀？?，,。])|"
            # "how much blood do you take", "how much time does it need": an amount of
            # the thing named after "how much", not a price (unless money is named)
            rf"\bhow much\b(?!\s+(?!{_MONEY_NOUNS}\b)[a-z]+\s+{_AUXILIARY}\b)|price|cost|"
            r"\bfees?\b|charge|expensive|cheap",
            re.I,
        ),
        re.compile(
            r"\d+\s*元|[0-9零一二三四五六七八九十百千]+块|[$£€¥]\s?\d+|dollars?|"
            r"\d+\s*(cents?|pence|p|euros?|pounds?|yuan|rmb)\b|免费|free\b|折|"
            r"不收.{0,3}费|不收钱|no charge",
            re.I,
        ),
    ),
    "phone": (
        re.compile(r"电话|热线|号码|打什么|联系方式|phone|number|hotline|call you", re.I),
        # a number written in groups too ("0141 339 2817", "020 7946 0958")
        re.compile(r"\d{3,4}-\d{3,4}(-\d{3,4})?|\d{7,}|\b0\d{2,4} \d{3,4} \d{3,4}\b"),
    ),
    "duration": (
        re.compile(r"多久|多长时间|多长|几天|要等|how long|how soon|how many days", re.I),
        re.compile(
            r"\d+\s*(分钟|小时|天|个工作日|工作日|minutes?|hours?|days?)|"
            r"[一二三四五六七八九十两]+(分钟|个小时|小时|天|个工作日)",
            re.I,
        ),
    ),
}

# A question for the number itself ("what number do I call", "你们客服电话多少"), which a
# passage saying only "call the donor line" does not answer, where "can I call you to
# book" is answered by one.
NUMBER_ASKED = re.compile(
    r"\b(?:what|which)(?:'s| is)? (?:the |your |a )?(?:[a-z]+ ){0,2}number\b|"
    r"(?:电话|热线|号码)(?:是)?多少|[打拨]哪个(?:电话|号)|[打拨]什么(?:电话|号)|什么号码",
    re.I,
)

# asking the way, which directions answer as well as an address does
DIRECTIONS = re.compile(r"怎么走|怎么去|怎么过去|坐什么车|directions|how do i get|how to get", re.I)
# A street address: the place fact that answers "where are you" about the business
# itself, where a floor or "next to the lift" (a place inside it) does not.
ADDRESS = re.compile(
    r"\d+\s*号(?!线)|[路街道巷]\s*\d+|"
    r"\b\d+[a-z]?\s+(?:[A-Z][\w'-]*\s+){1,3}(?:street|avenue|road|lane|boulevard|drive|way|"
    r"place|square|st|ave|rd|blvd)\b",
    re.I,
)

_CHEAPEST = re.compile(r"最便宜|最低|最少|最划算|cheapest|lowest|least expensive|most affordable")
_DEAREST = re.compile(r"最贵|最高档|most expensive|priciest")
_FASTEST = re.compile(r"最快|网速最快|fastest|quickest")
_PRICE = re.compile(r"(\d+(?:\.\d+)?)\s*元|\$\s?(\d+(?:\.\d+)?)")
_SPEED = re.compile(r"(\d+)\s*(?:m|兆|mbps|mb)\b|(\d+)\s*(?:m|兆)(?![a-z])", re.I)


def wanted(question: str) -> frozenset[str]:
    """The kinds of fact `question` asks for."""
    return frozenset(k for k, (asks, _) in KINDS.items() if asks.search(question))


def offered(passage: str) -> frozenset[str]:
    """The kinds of fact `passage` states."""
    return frozenset(k for k, (_, states) in KINDS.items() if states.search(passage))


def superlative(question: str) -> tuple[re.Pattern[str], bool] | None:
    """(the figure to compare, True for the largest) when the question asks for the
    cheapest, dearest or fastest item."""
    if _CHEAPEST.search(question):
        return _PRICE, False
    if _DEAREST.search(question):
        return _PRICE, True
    if _FASTEST.search(question):
        return _SPEED, True
    return None


def figure(pattern: re.Pattern[str], text: str) -> float | None:
    m = pattern.search(text)
    if m is None:
        return None
    return float(next(g for g in m.groups() if g is not None))
