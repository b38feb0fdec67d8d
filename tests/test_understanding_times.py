"""Days and times of day as callees say them, read by the script engine on a debug call:
weekday numerals, abbreviations and ASR slips, relative days, dates, parts of a week,
times of day by family (lunchtime, after work, first thing, 饭后, 下班后), clock times in
words and ranges, the earliest or latest slot, corrections, and days or times turned
down (the one choice left taken only when exactly one is left). Mandarin and English;
the replies are written for these tests."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from tests.support.understanding import hear_once, last_answer
from voxdial.conversation import times
from voxdial.conversation.engine import ActionKind, CallContext
from voxdial.conversation.script import ScriptEngine

NOW = datetime(2026, 3, 10, 10, 30)  # a Tuesday
TUESDAY = NOW.date()
ZONES = {"zh": "Asia/Shanghai", "en": "America/New_York"}
WELCOME = {
    "zh": "您好{姓名}，我是安居物业的客服小刘。",
    "en": "Hi {name}, this is Sam from Brightway.",
}

DAYS_ZH = ("师傅哪天上门方便：周一、周三还是周五？", ["周一", "周三", "周五"])
WEEKEND_ZH = ("您想约周六还是周日？", ["周六", "周日"])
PERIOD_ZH = ("您希望什么时间段上门：上午、下午还是晚上？", ["上午", "下午", "晚上"])
SLOTS_ZH = ("体检您想约早上8点、中午12点半还是下午5点？", ["早上8点", "中午12点半", "下午5点"])
DAYS_EN = ("Which day suits you: Tuesday, Thursday or Saturday?",
           ["Tuesday", "Thursday", "Saturday"])  # fmt: skip
WORKDAYS_EN = ("Monday, Wednesday or Friday?", ["Monday", "Wednesday", "Friday"])
WEEKS_EN = ("Which week works: this week, next week or the week after?",
            ["This week", "Next week", "The week after"])  # fmt: skip
SLOTS_EN = ("Which slot: 9 to 11, 12 to 2, or 4 to 6?", ["9-11am", "12-2pm", "4-6pm"])
PARTS_EN = ("Morning, midday or evening?", ["Morning", "Midday", "Evening"])


@pytest.fixture(scope="module")
def engine():
    return ScriptEngine()


def _hear(engine, lang: str, question: str, answers: list[str], reply: str):
    """A fresh debug call with one collect question; the callee's one reply; the call."""
    zone = ZONES[lang]
    ctx = CallContext(
        assistant={
            "welcome": WELCOME[lang],
            "language": lang,
            "collect": [{"question": question, "answers": answers}],
            "knowledge": "",
            "hotWords": [],
        },
        name="陈先生" if lang == "zh" else "Ms. Lee",
        now=NOW.replace(tzinfo=ZoneInfo(zone)),
        time_zone=zone,
    )
    return hear_once(engine, ctx, reply)


@pytest.mark.parametrize(
    ("asked", "reply", "want"),
    [
        # weekday numerals, 礼拜 / 星期 / 周, and an ASR slip of the numeral
        (DAYS_ZH, "礼拜3吧", "周三"),
        (DAYS_ZH, "那就星期5", "周五"),
        (DAYS_ZH, "周伍吧", "周五"),
        (WEEKEND_ZH, "礼拜天", "周日"),
        (WEEKEND_ZH, "星期天上午", "周日"),
        # relative days and dates, resolved from Tuesday the 10th
        (DAYS_ZH, "明天", "周三"),
        (DAYS_ZH, "13号", "周五"),
        (DAYS_ZH, "下周初吧", "周一"),
        # a day turned down, the one left taken only when exactly one is left
        (DAYS_ZH, "周一周三都不行", "周五"),
        (DAYS_ZH, "周一不行", None),
        (WEEKEND_ZH, "周六要加班", "周日"),
        (DAYS_ZH, "周一我要开会 周五吧", "周五"),
        # a correction: the day said after it stands
        (DAYS_ZH, "周一 哦不对 我是说周五", "周五"),
        # times of day by family
        (PERIOD_ZH, "一大早就行", "上午"),
        (PERIOD_ZH, "午休以后吧", "下午"),
        (PERIOD_ZH, "等我下了班", "晚上"),
        (PERIOD_ZH, "吃完晚饭", "晚上"),
        (PERIOD_ZH, "快下班那会儿", "下午"),
        (PERIOD_ZH, "下午四点多", "下午"),
        (PERIOD_ZH, "傍晚", None),  # across the afternoon and the evening
        # clock times and the slot named by its place in time
        (SLOTS_ZH, "十二点半", "中午12点半"),
        (SLOTS_ZH, "五点钟", "下午5点"),
        (SLOTS_ZH, "最早的那个", "早上8点"),
        (SLOTS_ZH, "最晚那个", "下午5点"),
        (SLOTS_ZH, "五点太晚了 八点吧", "早上8点"),
        (SLOTS_ZH, "五点太晚了", None),
        (SLOTS_ZH, "早上七八点", "早上8点"),  # neighbouring numerals: seven or eight
        (SLOTS_ZH, "下午两点以后都行", "下午5点"),  # a bound, not "any of them"
        (SLOTS_ZH, "都行", None),
        (PERIOD_ZH, "下五两点", "下午"),  # an ASR slip of 下午, with a clock time
    ],
)
def test_mandarin_days_and_times(engine, asked, reply, want):
    conv, _ = _hear(engine, "zh", *asked, reply)
    assert last_answer(conv) == want


@pytest.mark.parametrize(
    ("asked", "reply", "want"),
    [
        # abbreviations and split words; a word-like one only in a short reply
        (DAYS_EN, "tues", "Tuesday"),
        (DAYS_EN, "thurs works", "Thursday"),
        (DAYS_EN, "on sat please", "Saturday"),
        (DAYS_EN, "thurs day", "Thursday"),
        # relative days, dates, parts of a week
        (DAYS_EN, "the day after tomorrow", "Thursday"),
        (DAYS_EN, "the 14th", "Saturday"),
        (WORKDAYS_EN, "midweek", "Wednesday"),
        (DAYS_EN, "midweek", None),  # Tuesday to Thursday: two of the choices
        (WEEKS_EN, "in a fortnight", "The week after"),
        (WEEKS_EN, "early next week", "Next week"),
        (WEEKS_EN, "march 19th", "Next week"),
        # turned down, and what is left
        (DAYS_EN, "not tuesday, not saturday", "Thursday"),
        (DAYS_EN, "any day except thursday", None),
        (WORKDAYS_EN, "I can't do monday or friday", "Wednesday"),
        (WORKDAYS_EN, "mondays and fridays are no good for me", "Wednesday"),
        (DAYS_EN, "tuesday, oh wait, I'm away tuesday, saturday then", "Saturday"),
        # clock times in words, ranges, families
        (SLOTS_EN, "half past twelve", "12-2pm"),
        (SLOTS_EN, "quarter to five", "4-6pm"),
        (SLOTS_EN, "between ten and eleven", "9-11am"),
        (SLOTS_EN, "first thing", "9-11am"),
        (SLOTS_EN, "over lunch", "12-2pm"),
        (SLOTS_EN, "when school's out, after school", "4-6pm"),
        (SLOTS_EN, "the latest one you have", "4-6pm"),
        (SLOTS_EN, "the second one", "12-2pm"),
        (PARTS_EN, "after dinner", "Evening"),
        (PARTS_EN, "12 15", "Midday"),
        (PARTS_EN, "late evening, like nine", "Evening"),
        (SLOTS_EN, "half past for", "4-6pm"),  # an ASR slip of four
        (SLOTS_EN, "anytime after 3 works for me", "4-6pm"),
    ],
)
def test_english_days_and_times(engine, asked, reply, want):
    conv, _ = _hear(engine, "en", *asked, reply)
    assert last_answer(conv) == want


@pytest.mark.parametrize(
    ("lang", "reply", "want"),
    [
        ("en", "not now, ring me after seven", "2026-03-10T19:00"),
        ("en", "busy, call me back at four this afternoon", "2026-03-10T16:00"),
        ("en", "can't talk, give me twenty minutes and call back", "2026-03-10T10:50"),
        ("zh", "半个钟头以后再打过来", "2026-03-10T11:00"),
        ("zh", "今天没空 礼拜四再打吧", "2026-03-12T10:00"),
        ("en", "I'm travelling, call me back in three days", "2026-03-13T10:00"),
    ],
)
def test_callback_at_the_time_said(engine, lang, reply, want):
    conv, actions = _hear(engine, lang, *(DAYS_EN if lang == "en" else DAYS_ZH), reply)
    callback = next((a for a in actions if a.kind == ActionKind.CALLBACK), None)
    assert callback is not None and callback.at is not None
    assert callback.at.isoformat().startswith(want)
    assert last_answer(conv) is None


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("half past two", (14.5, 14.5)),
        ("quarter past nine", (9.25, 9.25)),
        ("两点半", (14.5, 14.5)),
        ("下午三点多", (15, 16)),
        ("中午一点", (13, 13)),
        ("11am-1pm", (11, 13)),
        ("3-5pm", (15, 17)),
        ("between three and five", (15, 17)),
        ("from 8 till 10", (8, 10)),
        ("after six", (18, 24)),
        ("before noon", (0, 12)),
        ("一大早", (6, 9.5)),
        ("after work", (18, 24)),
        ("2-3人", None),  # people, not hours
        ("10-20吨", None),
        ("maybe three, maybe four", None),  # a count, unless a time is asked
    ],
)
def test_clock_times_ranges_and_periods(text, want):
    assert times.window(text) == want


def test_a_bare_hour_counts_only_where_a_time_is_asked():
    assert times.window("about three") is None
    assert times.window("about three", asked=True) == (15, 15)
    assert times.window("late afternoon five") == (17, 17)  # beside a period of the day


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("礼拜4", ["03-12"]),
        ("周事吧", ["03-12"]),  # an ASR slip of 周四, read where only a particle follows
        ("下下周", [f"03-{d}" for d in range(23, 30)]),
        ("the week after next", [f"03-{d}" for d in range(23, 30)]),
        ("end of next week", ["03-19", "03-20"]),
        ("the seventeenth", ["03-17"]),
        ("3月20号", ["03-20"]),
        ("this weekend", ["03-14", "03-15"]),
        ("today's no good, friday", ["03-13"]),
    ],
)
def test_days_said(text, want):
    assert sorted(d.isoformat()[5:] for d in times.days(text, TUESDAY)) == want


def test_word_like_abbreviations_need_a_short_reply_or_a_lead():
    assert times.days("sat", TUESDAY) == frozenset({date(2026, 3, 14)})
    assert times.days("I sat down with my wife about it", TUESDAY) is None
    assert times.days("the sun was out all day", TUESDAY) is None
