"""How often something is paid or done, as times a year, read onto answers that are
periods: Monthly / Quarterly / Yearly, 按月付 / 按季付 / 按年付, Weekly / Every two weeks.

An answer names a period ("quarterly", 季付); a reply names one too ("every three
months", "一年四次", "once a month", "月月交"), or pays all at once ("all in one go",
"一次性交清", "the whole year at once": the longest period offered). Periods the
reply turns down ("not monthly") are left out by the clause narrowing before this
stage; a reply naming two periods is ambiguous.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from voxdial.conversation.matching.cues import negated_before
from voxdial.conversation.matching.match import Ambiguous, Heard, Match

if TYPE_CHECKING:
    from voxdial.conversation.matching.answers import AnswerSet

# times a year, and the words that name that period (in an answer or a reply)
_PERIODS = [
    (365, r"\bdaily\b|\bevery ?day\b|\bonce a day\b|\bper day\b|每天|每日|按天|天天|日付"),
    (52, r"\bweekly\b|\bevery week\b|\bonce a week\b|\bper week\b|每周|每星期|每礼拜|"
         r"按周|周付|一周一(次|交|付)|一个?星期一(次|交|付)"),
    (26, r"\bfortnightly\b|\bbi-?weekly\b|\bevery (two|2|other) weeks\b|每两周|"
         r"两周一(次|交|付)|双周"),
    (12, r"\bmonthly\b|\bevery month\b|\bonce a month\b|\bper month\b|\bmonth by month\b|"
         r"\bmonth to month\b|\beach month\b|每个?月|按月|月付|月缴|月交|一个?月一(次|交|付|缴)|"
         r"月月(交|付|缴)"),
    (4, r"\bquarterly\b|\bquaterly\b|\bevery (three|3) months\b|\bonce a quarter\b|"
        r"\bper quarter\b|\beach quarter\b|\bevery quarter\b|每个?季度?|按季度?|季付|季缴|季交|"
        r"(三|3)个月一(次|交|付|缴)|一个?季度?一(次|交|付|缴)|每(三|3)个月"),
    (2, r"\bhalf-?yearly\b|\bsemi-?annual(ly)?\b|\btwice a year\b|\bevery (six|6) months\b|"
        r"每半年|半年一(次|交|付|缴)|按半年|(六|6)个月一(次|交|付|缴)"),
    (1, r"\byearly\b|\bannual(ly)?\b|\bonce a year\b|\bper year\b|\bevery year\b|\beach year\b|"
        r"\bfor the (whole |full )?year\b|\bthe (whole|full|entire) year\b|\ba year at a time\b|"
        r"每年|按年|年付|年缴|年交|一年一(次|交|付|缴)|一次(交|付|缴)一年|全年|一整年|整年"),
]  # fmt: skip
_PERIOD_RES = [(n, re.compile(words)) for n, words in _PERIODS]
# paying everything at once: the longest period offered
_AT_ONCE = re.compile(
    r"\ball at once\b|\bat once\b|\bin one go\b|\bone go\b|\bin one (payment|lump|hit)\b|"
    r"\blump sum\b|\bup ?front\b|\bin full\b|\ball in one\b|\bone payment\b|\bpay it off\b|"
    r"\bget it (over with|done)\b|一次性|一次(交|付|缴|结)(清|完|齐|了)|一口气|一把(交|付)|全款|"
    r"一下子(交|付)(完|清)|一次搞定"
)
# "N times a year", "一年N次", "every N months", "每N个月"
_EN_NUM = {"one": 1, "two": 2, "three": 3, "four": 4, "six": 6, "twelve": 12, "once": 1,
           "twice": 2}  # fmt: skip
_ZH_NUM = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "六": 6, "十二": 12}
_TIMES_A_YEAR = re.compile(
    r"\b(\d+|one|two|three|four|six|twelve|once|twice)( times)? (a|per|each) year\b|"
    r"(?:一年|每年)(?:交|付|缴|结|去|来)?(\d+|一|两|二|三|四|六|十二)(次|回)"
)
_EVERY_N_MONTHS = re.compile(
    r"\bevery (\d+|two|three|four|six|twelve) months\b|每(\d+|两|二|三|四|六|十二)个月|"
    r"(\d+|两|二|三|四|六|十二)个月(一次|一交|一付|交一次|付一次)"
)


_NOT_NUMBERS = (" times", "a", "per", "each", "次", "回")


def period_of(text: str) -> int | None:
    """Times a year an answer's text names, if it names exactly one period."""
    found = {n for n, p in _PERIOD_RES if p.search(text)}
    return found.pop() if len(found) == 1 else None


def _number(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    return _EN_NUM.get(word, _ZH_NUM.get(word))


def _said(text: str, offered: set[int]) -> set[int]:
    """Times a year the reply names (not negated just before)."""
    found: set[int] = set()
    counted = [m.span() for r in (_TIMES_A_YEAR, _EVERY_N_MONTHS) for m in r.finditer(text)]
    for n, p in _PERIOD_RES:
        for m in p.finditer(text):
            inside = any(s <= m.start() < e for s, e in counted)  # 每年 of "每年四次"
            if not inside and not negated_before(text, m.start(), 12):
                found.add(n)
    for m in _TIMES_A_YEAR.finditer(text):
        word = next(g for g in m.groups() if g and g not in _NOT_NUMBERS)
        if (n := _number(word)) is not None and not negated_before(text, m.start(), 12):
            found.add(n)
    for m in _EVERY_N_MONTHS.finditer(text):
        word = next(g for g in m.groups() if g)
        months = _number(word)
        if months and 12 % months == 0 and not negated_before(text, m.start(), 12):
            found.add(12 // months)
    if _AT_ONCE.search(text) and offered:
        found.add(min(offered))
    return found


def period(a: AnswerSet, heard: Heard) -> Match | None:
    """The offered period the reply names, clause by clause (so "不按月 一年一交" turns
    down only the month)."""
    if a.periods is None:
        return None
    offered = {n for n in a.periods if n is not None}
    said = set().union(*(_said(p, offered) for p in heard.parts or [heard.text]))
    found = said & offered
    if not said:
        return None
    if len(found) != 1:
        raise Ambiguous  # two periods, or one not offered ("twice a year")
    return a.pick(a.periods.index(found.pop()), "period")


def periods_of(keys: list[str]) -> list[int | None] | None:
    """Each answer's times a year, when at least two answers are distinct periods."""
    periods = [period_of(k) for k in keys]
    named = [n for n in periods if n is not None]
    return periods if len(set(named)) >= 2 and len(named) == len(set(named)) else None
