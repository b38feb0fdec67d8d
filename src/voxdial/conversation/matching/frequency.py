"""How often, read onto answers that say how often: 很准时 / 偶尔晚点 / 经常晚点, Never /
Sometimes / Often, Always on time / Sometimes late / Often late.

An answer carrying a how-often word gets its share of the time (偶尔 0.4, 经常 0.7);
the rest of it is the event (晚点, late). Of answers about one event, a single answer
without a how-often word (很准时) or about another event (always *on time*) is its far
end. A reply's share comes from a how-often word next to the event ("老晚点" 0.7), the
event negated ("没晚过", "基本不晚点": 0 or almost), a count ("十回有八回晚": 0.8), or
"有时…有时…", "hit or miss" (the middle). The answer nearest that share is taken, and
only when it is nearer than any other by a clear margin; otherwise the reply is left
unread. Every answer must be placed, or the stage stays out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from voxdial.conversation.matching.match import Ambiguous, Heard, Match

if TYPE_CHECKING:
    from voxdial.conversation.matching.answers import AnswerSet

# (share of the time, words that say it), Mandarin and English; longest words first
# within a row does not matter: every row is searched and the longest hit wins
_HOW_OFTEN = [
    (0.0, r"从不|从来不|从来没有?|从没有?|从未|一次都没|一回都没|一次也没|一回也没|"
          r"never|not once|not ever|not a single time"),
    (0.1, r"基本不|基本上不|基本没|几乎不|几乎没|almost never|next to never|practically never"),
    (0.2, r"很少|极少|难得|没怎么|不怎么|不常|不经常|不太经常|不大经常|hardly ever|barely ever|"
          r"rarely|seldom|hardly|not (very |that |too |all that )?often|not much"),
    (0.4, r"偶尔|偶然|有时候?|有的时候|时不时|间或|个别时候|不时|"
          r"once in a while|occasionally|sometimes|now and (then|again)|every so often|"
          r"from time to time|every now and then|on occasion"),
    (0.7, r"经常|常常|老是|动不动就?|三天两头|十有八九|大多数时候|多半|"
          r"often|a lot|frequently|most of the time|more often than not|regularly|"
          r"usually|most days|most times"),
    (1.0, r"总是|每次|回回|次次|一直|天天|每回|always|every (single )?time|constantly|"
          r"all the time|without fail|each time"),
]  # fmt: skip
_HOW_OFTEN_RES = [(share, re.compile(words)) for share, words in _HOW_OFTEN]
# a how-often word only in a reply, never in an answer: 老 ("老晚点"), 总 ("总迟到")
_REPLY_ONLY = [(0.7, re.compile(r"(?<![古养])老(?=[\u4e00-\u9fff])|总(?=[\u4e00-\u9fff])"))]
# "有时晚 有时准", "sometimes late, sometimes not", "hit or miss": the middle
_MIXED = re.compile(
    r"有时.{1,8}有时|时而.{1,8}时而|有的时候.{1,8}有的时候|一会儿.{1,6}一会儿|"
    r"sometimes .{1,20} sometimes|hit (or|and) miss|on and off|off and on|"
    r"some days .{1,20} some days"
)
# "十回有八回", "三次里两次", "8 out of 10 times"
_ZH_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9, "十": 10}  # fmt: skip
_ZH_COUNT = re.compile(
    r"([一二两三四五六七八九十\d]+)(次|回|趟)(里|中|里面|当中)?(有|能有)?"
    r"([一二两三四五六七八九十\d]+)(次|回|趟)"
)
_EN_COUNT = re.compile(
    r"\b(\d+|one|two|three|four|five|six|seven|eight|nine) (out of|in) (\d+|ten|five|four|three)\b"
)
_EN_DIGITS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
              "eight": 8, "nine": 9, "ten": 10}  # fmt: skip
# a negator just before the event: "没晚过", "不晚点", "not late", "never late"
_NEGATED = re.compile(r"(不|没|没有|未|not|n't|never)\s*$")
_DEGREE_WORDS = re.compile(r"^(很|挺|比较|非常|特别|都|基本|very|quite|pretty|always|really)\s*")
MARGIN = 0.15  # the nearest answer's share must be this much nearer than the next


@dataclass(frozen=True)
class HowOften:
    """The answers' shares of the time, what a reply says for the event they count
    ("晚点", "晚"; none for Never / Sometimes / Often) and for its opposite ("准时")."""

    shares: tuple[float, ...]
    stems: tuple[str, ...]
    opposites: tuple[str, ...]

    @classmethod
    def of(cls, keys: list[str], uncertain: list[bool]) -> HowOften | None:
        said = [None if u else _share_in(k) for k, u in zip(keys, uncertain, strict=True)]
        events = [_event(k, hit) for k, hit in zip(keys, said, strict=True)]
        counted = [e for e, hit in zip(events, said, strict=True) if hit is not None]
        event = max(set(counted), key=counted.count) if counted else ""
        if counted.count(event) < 2:
            return None
        shares, opposites = [], []
        for hit, ev, u in zip(said, events, uncertain, strict=True):
            if u:
                shares.append(-9.0)  # the uncertain answer is never nearest
            elif hit is not None and ev == event:
                shares.append(hit[0])
            elif ev and event and event not in ev:  # "always on time", 很准时 of "late"
                shares.append(1.0 - hit[0] if hit is not None else 0.0)
                opposites.append(ev)
            else:
                return None
        if sum(hit is None and not u for hit, u in zip(said, uncertain, strict=True)) > 1:
            return None
        stems = tuple(s for o in opposites for s in _stems(o))
        return cls(tuple(shares), _stems(event) if event else (), stems)

    def nearest(self, share: float) -> int | None:
        order = sorted((abs(s - share), i) for i, s in enumerate(self.shares) if s >= 0)
        if not order or (len(order) > 1 and order[1][0] - order[0][0] < MARGIN):
            return None
        return order[0][1]


def _share_in(text: str, *, reply: bool = False) -> tuple[float, int, int] | None:
    """The how-often word in `text`: (share, start, end); None when there is none, or
    (in a reply) when words of different shares are said ("不是经常 偶尔吧")."""
    rows = _HOW_OFTEN_RES + (_REPLY_ONLY if reply else [])
    hits = sorted(
        ((m.start(), -m.end(), share) for share, p in rows for m in p.finditer(text)),
    )
    kept: list[tuple[float, int, int]] = []
    for start, neg_end, share in hits:  # the longest of overlapping words
        if kept and start < kept[-1][2]:
            continue
        kept.append((share, start, -neg_end))
    if not kept or (reply and len({k[0] for k in kept}) > 1):
        return None
    return kept[0]


def _event(key: str, hit: tuple[float, int, int] | None) -> str:
    """The answer without its how-often word and degree words: "晚点" of 偶尔晚点."""
    rest = key[: hit[1]] + key[hit[2] :] if hit else key
    return _DEGREE_WORDS.sub("", rest.strip()).strip()


def _stems(event: str) -> tuple[str, ...]:
    """How a reply may say the event: whole, or (Mandarin) by its first character."""
    if event.isascii():
        return (event,)
    return (event, event[0]) if len(event) > 1 else (event,)


def _count(text: str) -> float | None:
    if m := _ZH_COUNT.search(text):
        of, hits = _number(m.group(1)), _number(m.group(5))
    elif m := _EN_COUNT.search(text):
        hits, of = _number(m.group(1)), _number(m.group(3))
    else:
        return None
    if not of or hits is None or hits > of:
        return None
    return hits / of


def _number(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    if word in _EN_DIGITS:
        return _EN_DIGITS[word]
    if len(word) == 1:
        return _ZH_DIGITS.get(word)
    if word == "十":
        return 10
    return None


def _reply_share(h: HowOften, text: str) -> float | None:
    """The share of the time the reply gives for the event, if it gives one."""
    if _MIXED.search(text):
        return 0.4
    if not h.stems:  # Never / Sometimes / Often: the how-often word alone
        said = _share_in(text, reply=True)
        return said[0] if said is not None else None
    if (at := _find(h.stems, text)) is not None:
        flip = False
    elif (at := _find(h.opposites, text)) is not None:
        flip = True
    else:
        return None
    if (n := _count(text)) is not None:
        return 1.0 - n if flip else n
    said = _share_in(text, reply=True)
    if _NEGATED.search(text[max(0, at - 8) : at]):
        if flip:
            return None  # "不准时": late, but how often is not said
        return said[0] if said is not None and said[0] <= 0.1 else 0.0
    if said is None:
        return None
    return 1.0 - said[0] if flip else said[0]


def _find(stems: tuple[str, ...], text: str) -> int | None:
    for stem in stems:
        pattern = rf"(?<![a-z]){re.escape(stem)}(?![a-z])" if stem.isascii() else re.escape(stem)
        if m := re.search(pattern, text):
            return m.start()
    return None


def how_often(a: AnswerSet, heard: Heard) -> Match | None:
    """The answer nearest the share of the time the reply says; a share between two
    answers ("很少" between 很准时 and 偶尔晚点) is asked again."""
    if a.how_often is None:
        return None
    scope = " ".join(heard.parts) if heard.narrowed else heard.text
    share = _reply_share(a.how_often, scope)
    if share is None:
        return None
    index = a.how_often.nearest(share)
    if index is None:
        raise Ambiguous
    return a.pick(index, "how-often")
