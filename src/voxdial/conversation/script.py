"""`ScriptEngine`: the embedded default engine, no LLM.

It says the opening line (variables filled in). When the opening asks something
("可以吗？", "Is now a good time?") it waits for the reply: yes goes on to the first
question, busy schedules a callback, no closes politely, a question back ("你是哪里？")
is answered from the opening and the knowledge and the opening's question is asked
again (conversation/consent.py). Then it asks the `collect` questions in order and
matches each reply to the preset answers (`AnswerMatcher`); free-text questions record
the reply.

A reply may answer later questions too ("下午吧，挺满意的"): those are kept and not asked;
a correction ("不对，我是说上午") replaces the earlier answer. When no answer is clear
(hesitation, "还没想好" with no such choice, two choices at once) it asks again,
rephrased with the choices, at most twice, then moves on with hit=false and the words
heard in `message`. Questions about the product are answered from `knowledge` and the
flow resumes; a question is never taken as a refusal. A refusal closes politely (and
blocks the number when the callee asks not to be called again); "call me later"
schedules a callback at the time the callee names; a goodbye closes. Silence is
prompted once, then the call closes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from voxdial.conversation import (
    amends,
    analysis,
    callback_time,
    consent,
    free_text,
    intents,
    keys,
    lines,
    several,
    topics,
    transfer,
)
from voxdial.conversation.described import described
from voxdial.conversation.engine import (
    Action,
    ActionKind,
    CallContext,
    CollectResult,
    TransferPlan,
    fill_variables,
)
from voxdial.conversation.lines import TEXT
from voxdial.conversation.matching import AnswerMatcher, Match, corrections, polarity
from voxdial.conversation.matching.cues import WHICH_ASKED
from voxdial.conversation.matching.matcher import GUESSED
from voxdial.conversation.matching.numbers import counted
from voxdial.conversation.normalize import apply_hot_words, clean, fold, hot_words
from voxdial.conversation.notes import NoteKind, note
from voxdial.conversation.time_choices import Ambiguous as TimeAmbiguous

MAX_SILENCES = 2
MAX_REASKS = 2  # asked again at most twice, then the engine moves on

# stages whose match is an answer even when the reply also sounds like a refusal
_STRONG = {"said", "said-negated", "scale", "number", "ordinal", "time", "unsure", "sounds",
           "clipped", "echo", "state", "left-over", "summed", "figure", "length", "verb",
           "full-marks"}  # fmt: skip
# what a later question may take from a reply to the current one
_VOLUNTEERED = {"said", "said-negated", "scale", "number", "time", "unsure", "echo",
               "paraphrase"}  # fmt: skip
_EMAIL = re.compile(
    r"[\w.+-]+@[\w-]+(\.[\w-]+)+|\w+ ?(at|在|艾特) ?\w+( ?(\.|dot|点) ?(com|cn|net|org|edu))+"
)
_EMAIL_QUESTION = re.compile(r"邮箱|邮件|email|e-mail", re.I)
_CODE = re.compile(r"\d{3,}")
# nothing to add ("no idea" and "no clue" are not knowing, not having nothing to say)
# nothing to say, or the question let go ("never mind", "forget it", "算了")
_NOTHING = re.compile(
    r"^(no(?! (idea|clue))|nothing|nope|never ?mind|forget it|没有|没了|没啥|没什么|没|算了)\b"
)
_SOLICITS = re.compile(
    r"意见|建议|改进|改善|需要改|还有什么|想说|suggest|improve|"
    r"better|feedback|anything else|comments?",
    re.I,
)
# a statement opening with a yes or no of its own ("no I haven't", "对 一直戴着")
_OPENS_YES_NO = re.compile(
    r"(yes|yeah|yep|yup|no|nope|nah|sure|of course|i do|i don'?t|i am|i'?m not)\b|"
    r"是|对|嗯|没有|没|不是|不"
)
_WISH = re.compile(
    r"能不能|能.{0,8}点|可不可以|可以.{0,8}吗|希望|最好|要是能|could you|can you|should"
)
# a reply of nothing but a day or a clock time ("明天吧 明天下午四点", "tomorrow at 4")
_TIME_ONLY = re.compile(
    r"(今天|明天|后天|大后天|下周.?|这周.?|周.|星期.|礼拜.|上午|下午|中午|晚上|早上|傍晚|"
    r"[零一二两三四五六七八九十\d]+(点半|点钟|点|:\d\d)|[零一二三四五六七八九十\d]+分|半|左右|"
    r"以后|之后|吧|呗|再说|再打|行|可以|嗯|那|就|过|等|个|小时|钟头|分钟|[零一二两三四五六七八九十\d]+|"
    r"\b(tomorrow|tonight|today|morning|afternoon|evening|next|week|monday|tuesday|wednesday|"
    r"thursday|friday|saturday|sunday|at|on|in|the|around|after|maybe|how about|try|then|"
    r"\d+(:\d\d)?|am|pm|o'?clock|one|two|three|four|five|six|seven|eight|nine|ten|eleven|"
    r"twelve|fifteen|twenty|thirty|forty|half past|an?|hours?|minutes?|mins|half|couple|of|few|"
    r"later|this|tonight|'s|is|better|works?|good|fine|suits?|best|would|be)\b|比较好|更好|合适|方便|"
    r"[\s,，。.!！?？]+)+"
)
# not being interested: a refusal of the call, unless the question asks about interest
_DISINTEREST = re.compile(r"not interested|没(有)?兴趣|不感兴趣")
_ASKS_INTEREST = re.compile(r"\binterest|兴趣", re.I)
# a choice that is itself a no, said with its verb (不报, 不需要): not being interested is in
# what that choice turns down, not a refusal of the call
_NEGATED_CHOICE = re.compile(r"[不没][\u4e00-\u9fff]{1,3}")
# an answer that is being phoned ("Phone call", "电话通知")
_PHONE_CALL = re.compile(r"\bphone|\bcall\b|电话")
_CALLED_BACK = re.compile(r"\b(back|again|tomorrow|tonight)\b|回电|回过来|打回|再打|明天|晚上")
# what a busy callee asks for when asking something ("can we do this later?", "能不能晚点
# 再说"): another time, which is a callback, not a question for the knowledge
_ASKS_FOR_LATER = re.compile(
    r"\blater\b|another time|some other time|another day|晚点|晚些|改天|回头|等会|待会|过会|一会儿"
)
# what a thank-you at the close is for ("ok thanks for that, bye", "thanks for calling")
_THANKS_FOR = re.compile(
    r"\b(thanks|thank you|cheers)( so much| a lot)? for (that|this|everything|calling|the call|"
    r"your time|ringing|letting me know|the update|the info)\b"
)
# "right" / "well" opening a statement of what the callee will do ("right I'll sort it
# online myself, bye now"): a discourse marker that takes the turn, not a yes
_MARKER_THEN_STATEMENT = re.compile(
    r"^(right|well|alright|all right|anyway)\s+(i|we)('ll| will|'m| am| can| shall)\b"
)
_PLAIN_NO = re.compile(r"\b(no|nope|nah)\b|^不是|^没有|^不$|^不了")


def _default_encoder() -> Any:
    try:
        from voxdial.conversation.embeddings import get_encoder
    except ImportError:  # pragma: no cover - the encoder module ships with the package
        return None
    return get_encoder()


def _default_knowledge(text: str, encoder: Any) -> Any:
    from voxdial.conversation.knowledge import cache_for

    return cache_for(text, encoder=encoder) if encoder is not None else cache_for(text)


class ScriptEngine:
    """The script engine. Injectable: `encoder` (None: the packaged model, False: none),
    `knowledge` (text -> object with `answer(question)`)."""

    def __init__(
        self, *, encoder: Any = None, knowledge: Callable[[str], Any] | None = None
    ) -> None:
        self._encoder = encoder
        self._knowledge = knowledge
        self._matchers: dict[tuple, AnswerMatcher] = {}

    @property
    def encoder(self) -> Any:
        if self._encoder is None:
            self._encoder = _default_encoder() or False
        return self._encoder or None

    def knowledge(self, text: str) -> Any:
        if self._knowledge is not None:
            return self._knowledge(text)
        return _default_knowledge(text, self.encoder)

    def matcher(
        self, answers: list[str], hot: list[dict[str, Any]] | None, *, question: str = ""
    ) -> AnswerMatcher:
        """One matcher per question, answer set and hot words, kept across calls so the
        answers' embeddings are computed once per campaign, not once per call."""
        key = (question, tuple(answers), repr(hot or []))
        m = self._matchers.get(key)
        if m is None:
            if len(self._matchers) > 256:
                self._matchers.clear()
            m = self._matchers[key] = AnswerMatcher(
                answers, encoder=self.encoder, hot_words=hot_words(hot), question=question
            )
        return m

    def begin(self, context: CallContext) -> ScriptConversation:
        return ScriptConversation(context, engine=self)


class ScriptConversation:
    def __init__(self, context: CallContext, *, engine: ScriptEngine) -> None:
        self.context = context
        self.engine = engine
        config = context.assistant
        self.questions: list[dict[str, Any]] = list(config.get("collect") or [])
        self.hot = config.get("hotWords") or []
        self.lang = context.language
        self.text = TEXT[self.lang]
        self.welcome = fill_variables(config.get("welcome") or "", context)
        self._asked = [fill_variables(q["question"], context) for q in self.questions]
        zone = ZoneInfo(context.time_zone)
        self.now = (context.now or datetime.now(zone)).astimezone(zone)
        self.index = 0  # the question being asked
        self.reasks = 0
        self.heard: list[str] = []  # replies to the current question, for `message`
        self.silences = 0
        self.consenting = False  # waiting for the reply to the opening's question
        self.consent_asks = 0
        self.answers: dict[int, CollectResult] = {}
        self.recent: list[int] = []  # answered questions, latest last
        self._finished = False
        self._transfer_tried = False
        self.knowledge_asked = 0  # questions the knowledge was asked (a positive signal)

    @property
    def collected(self) -> list[CollectResult]:
        return [self.answers[i] for i in sorted(self.answers)]

    @property
    def finished(self) -> bool:
        return self._finished

    # ----- flow -----

    def start(self) -> list[Action]:
        actions = keys.opening_keys(self.context)
        actions += [Action(ActionKind.SAY, self.welcome)] if self.welcome.strip() else []
        if self.questions and lines.asks(self.welcome):
            self.consenting = True
            return actions
        return actions + self._ask()

    def _question(self, index: int) -> str:
        return self._asked[index]

    def _answers_of(self, index: int) -> list[str]:
        return [str(a) for a in self.questions[index].get("answers") or []]

    def _ask(self, prefix: str = "") -> list[Action]:
        while self.index < len(self.questions) and self.index in self.answers:
            self.index += 1
        if self.index >= len(self.questions):
            return self._close(self.text["closing"], "completed")
        return [Action(ActionKind.SAY, prefix + self._question(self.index))]

    def _close(self, line: str, why: str, *extra: Action) -> list[Action]:
        self._finished = True
        return [*extra, Action(ActionKind.SAY, line), Action(ActionKind.HANGUP, result=why)]

    def _record(self, index: int, result: str, hit: bool, message: str) -> list[Action]:
        q = self.questions[index]["question"]
        self.answers[index] = CollectResult(q, hit, result, message)
        if index in self.recent:
            self.recent.remove(index)
        self.recent.append(index)
        if index == self.index:
            self.reasks = 0
            self.heard = []
        return [Action(ActionKind.COLLECT, question=q, result=result, hit=hit)]

    def silence(self) -> list[Action]:
        if self._finished:
            return []
        self.silences += 1
        if self.silences >= MAX_SILENCES:
            return self._close(self.text["silence_close"], "silence")
        return [Action(ActionKind.SAY, self.text["still_there"])]

    def hear(self, text: str) -> list[Action]:
        if self._finished:
            return []
        words = hot_words(self.hot)
        said = apply_hot_words(clean(text), words)
        if not said.strip():
            return self.silence()
        self.silences = 0
        reply = apply_hot_words(fold(text), words)
        r = intents.read(reply)
        if r.block:
            return self._close(self.text["blocked"], "refused", Action(ActionKind.BLOCK))
        if transfer.asks_for_person(reply):
            return self._to_person()
        if self.consenting:
            return self._at_intent_a(consent.hear(self, reply, r))
        return self._at_intent_a(self._reply(reply, r, text.strip()))

    def press(self, digit: str) -> list[Action] | None:
        """A key the callee pressed (conversation/keys.py); None: this question takes none."""
        return keys.press(self, digit)

    def accepts_key(self, digit: str) -> bool:
        return keys.accepts(self, digit)

    # ----- a reply while asking -----

    def _reply(self, reply: str, r: intents.Reading, heard: str) -> list[Action]:
        late = amends.read(self, _statements(reply)) if not r.only_goodbye else None
        if late is not None:  # "保安八分 刚才保洁那个我改一下 给四分"
            actions = self._amended(late, heard)
            rest = late.rest.strip()
            return actions + (self._reply(rest, intents.read(rest), heard) if rest else self._ask())
        index = self.index
        answers = self._answers_of(index)
        self.heard.append(heard)
        if r.only_goodbye:
            return self._close(self.text["goodbye"], "goodbye")
        content = _statements(reply)
        if r.correction and r.corrected:
            fixed = self._correct(reply, r)
            if fixed is not None:
                return fixed
            # "需要 哦不对 不需要": only what follows the correction answers
            content = _statements(r.corrected)
        main = self._match(index, content) if content and answers and not r.hesitation else None
        if main is not None and self._which_asked(index, reply):
            main = None  # "the tutor? which one, we had two": the count is no answer
        if main is not None and self._guess_asked(index, reply, main):
            main = None  # "my mum's O so probably me too?": the "?" `_statements` drops
        if main is not None and self._question_asked_back(index, reply, main):
            main = None  # "do I have to wear them every day? nobody told me that"
        if main is None and r.correction and r.corrected and answers:
            main = self._first_clause(index, reply, r.corrected)  # "plus, gig's too pricey"
        if main is None and content and answers and not (r.hesitation or r.asking or r.correction):
            main = self._described(index, content)  # "the one by the ferry terminal"
        if main is not None and r.hold and main.how in GUESSED:
            main = None  # "嗯…… 等下", "uh hang on": a moment asked, not 下周一 or "one" guessed
        repeat = r.repeat and not r.call_again and not r.not_interested
        if repeat and (main is None or main.how not in ("said", "ordinal")):
            return self._ask()
        extra = None
        if r.call_again and not (main is not None and self._ringing_chosen(main, r, reply)):
            # "weekends, and call me after 5": the time may answer a later question
            extra = self._volunteered(index, content, main) if main is not None else []
            if not any(self._is_timed(j) for j, _ in extra):
                return self._callback(reply)
        if r.not_interested and not self._answers_despite_refusal(main, r, answers):
            later = self._later_despite_refusal(index, content, main, r)
            if not later:
                return self._close(self.text["refused"], "refused")
            actions = [a for j, m in later for a in self._record(j, m.answer, True, heard)]
            return actions + self._ask()  # "不需要 离得近": a later question's 不需要
        if extra is None:
            extra = self._volunteered(index, content, main)
        if answers and content and not r.hesitation:
            # "保洁四分 保安给八分吧": one answer per clause, the later ones kept
            main, extra = several.better(several.read(self, index, content, main), main, extra)
            if self._polar_of_later(index, content, main, extra):
                main = None  # "不低于四分": the 不 is the later mark's, not a no
        unread = free_text.read(self._question(index), reply) if not answers else None
        if main is None and unread == free_text.EMPTY and r.goodbye:
            return self._close(self.text["goodbye"], "goodbye")  # "ok talk soon, bye"
        if main is None and unread == free_text.QUESTION and not (r.who or r.why):
            answered = self._knowledge_answer(heard, unknown=True) or []
            return answered + self._ask(self.text["back"])
        if main is None and unread in (free_text.NOTHING, free_text.DECLINED):
            if r.goodbye:
                return self._close(self.text["goodbye"], "goodbye")
            return self._give_up(index)  # "没啥意见 都挺满意", "单子扔了": nothing to collect
        if (
            main is None
            and not answers
            and unread is None
            # a code said asking ("是不是ST260419那个") is the code, with no statement left
            and (
                self._code_said(index, reply)
                or bool(content)
                and self._free_answer(r, reply, index)
            )
        ):
            main = Match(-1, self._free_text(index, heard), "free")
        if main is None and not answers and r.asking and self._solicits(index) and not unread:
            # "能便宜点吗", "能不能周日也开门" asked for feedback are suggestions; another
            # question back ("投诉打哪个电话") is a question, unless questions are asked for
            if _WISH.search(r.text) or free_text.solicits_questions(self._question(index)):
                main = Match(-1, heard, "free")
        if main is not None and r.goodbye and main.how == "yes" and (
            not _without_goodbye(r.text) or self._marker_yes(index, r.text)
        ):
            main = None  # "ok that's enough for today, thanks, bye": the ok closes the call
        if main is not None:
            actions = self._record(index, main.answer, True, heard)
            for j, m in extra:
                actions += self._record(j, m.answer, True, heard)
            actions += self._answer_back(reply) if r.asking else []
            if r.goodbye:
                return actions + self._close(self.text["goodbye"], "goodbye")
            return actions + self._ask()
        if extra:
            actions = []
            for j, m in extra:
                actions += self._record(j, m.answer, True, heard)
            return actions + self._ask()
        if r.goodbye and (answers or _NOTHING.search(_without_goodbye(r.text)) or not
                          _without_goodbye(r.text)):  # fmt: skip
            return self._close(self.text["goodbye"], "goodbye")
        if r.busy and (not r.asking or _ASKS_FOR_LATER.search(r.text)) and not (
            self._choice_named(index, reply)
        ):
            return self._callback(reply)  # "I'm at work, can we do this later?": not a question
        if self._time_only(index, reply):
            return self._callback(reply)
        if r.who or r.why:
            line = lines.introduction(self.welcome, self.lang)
            return [Action(ActionKind.SAY, line), *self._ask(self.text["back"])]
        if r.asking and not r.repeat and not r.unsure:
            answered = self._knowledge_answer(heard, unknown=True)
            if answered is not None:
                return answered + self._ask(self.text["back"])
        if r.hold and not r.asking:
            return [Action(ActionKind.SAY, self.text["hold"]), *self._ask()]
        if r.decline_question:
            return self._give_up(index)
        return self._reask(index, r)

    def _marker_yes(self, index: int, text: str) -> bool:
        """A yes read only from a discourse marker opening a statement ("right I'll sort
        it online myself"): what follows the marker answers nothing."""
        m = _MARKER_THEN_STATEMENT.match(text)
        return m is not None and self._match(index, text[len(m.group(1)) :].strip()) is None

    def _first_clause(self, index: int, reply: str, corrected: str) -> Match | None:
        """After a correction, the answer its first clause names plainly, when the
        clauses after it name only the answer taken back, as the reason it was ("friday.
        no, monday, I work friday", "周二 不对 周四吧 周二我要加班")."""
        said = fold(reply)
        head = said[: said.rfind(corrected)]
        # the clause before the cue ("周五…不对不对": 周五), not the cue with it
        before = intents.clauses(corrections.before_correction(head)) or intents.clauses(head)
        before = before or [""]
        taken_back = self._match(index, before[0])  # said first, then the correction cue
        parts = intents.clauses(_statements(corrected))
        first = self._match(index, parts[0]) if len(parts) > 1 else None
        if taken_back is not None and first is not None and first.answer == taken_back.answer:
            return self._after_reason(index, parts[1:], taken_back)
        if taken_back is None or first is None or first.how not in several.PLAIN:
            return None
        if first.answer == taken_back.answer:
            return None
        for part in parts[1:]:
            m = self._match(index, part)
            if m is not None and m.answer != taken_back.answer:
                return None
        return first

    def _after_reason(self, index: int, parts: list[str], taken_back: Match) -> Match | None:
        """After a correction whose first clause gives the reason the answer was taken
        back ("周三 不对 周三有钢琴 周二", "friday, no wait, friday I'm out, monday"): the one
        answer the clauses after the reason name plainly, if it is another one."""
        found = [m for p in parts if (m := self._match(index, p)) is not None]
        if len(found) != 1 or found[0].how not in several.PLAIN:
            return None
        return None if found[0].answer == taken_back.answer else found[0]

    def _polar_of_later(
        self, index: int, content: str, main: Match | None, extra: list[tuple[int, Match]]
    ) -> bool:
        """Whether the yes or no read for this question comes only from clauses that
        answer a later question plainly (a mark, a count, a time said with a negation)."""
        if main is None or main.how not in ("yes", "no") or not extra:
            return False
        later = [j for j, m in extra if m.how in several.PLAIN]
        polar = [c for c in intents.clauses(content) if self._reads(index, c, main.how)]
        return bool(later and polar) and all(
            any(self._reads(j, c, None) for j in later) for c in polar
        )

    def _reads(self, index: int, clause: str, how: str | None) -> bool:
        m = self._match(index, clause)
        return m is not None and (how is None and m.how in several.PLAIN or m.how == how)

    def _later_despite_refusal(
        self, index: int, content: str, main: Match | None, r: intents.Reading
    ) -> list[tuple[int, Match]]:
        """A "不需要" / "no need" that is a later question's answer said outright, and
        nothing else in the reply refuses: those answers, else none (a refusal)."""
        if r.refuses or not content:
            return []
        later = [(j, m) for j, m in self._volunteered(index, content, main)
                 if m.how in ("said", "said-negated")]  # fmt: skip
        for _, m in later:
            rest = r.text.replace(clean(m.answer), " ")
            if intents.read(rest).not_interested:
                return []
        return later

    def _answer_back(self, reply: str) -> list[Action]:
        """The knowledge's answer to a question asked along with an answer ("过年想放你们那
        除夕开门不"); nothing when the knowledge holds none (the answer was the point)."""
        asked = _questions_back(reply)
        return (self._knowledge_answer(asked) or []) if asked else []

    def _ringing_chosen(self, main: Match, r: intents.Reading, reply: str) -> bool:
        """Whether "ring me" / "给我打电话" chooses the question's phone-call answer: no
        call back asked ("call me back", "回电"), no time or later said, not busy now."""
        if r.busy or not _PHONE_CALL.search(fold(main.answer)):
            return False
        said = fold(reply)
        if _ASKS_FOR_LATER.search(said) or _CALLED_BACK.search(said):
            return False
        return callback_time.when(reply, self.now) is None

    def _is_timed(self, index: int) -> bool:
        m = self._matcher(index)
        return m is not None and m.is_timed

    def _choice_named(self, index: int, reply: str) -> bool:
        """Whether a reply to a question offering days or times names one or more of them
        ("别周三 那天不方便 周四周六随便"): what is inconvenient is a choice, not the call."""
        m = self._matcher(index)
        if m is None or m.choices is None:
            return False
        for clause in intents.clauses(fold(reply)):
            try:
                if m.choices.pick(clause, self.now.date()) is not None:
                    return True
                if m.choices.turned_down([clause], self.now.date()) is not None:
                    return True  # "周三不方便": the one left
            except TimeAmbiguous:
                return True
        return False

    def _time_only(self, index: int, reply: str) -> bool:
        """A day or a time said to a question that asks neither (index -1: the opening's
        question): when to call back."""
        m = self._matcher(index) if index >= 0 else None
        if m is not None and (m.is_timed or m.is_days) or not _TIME_ONLY.fullmatch(reply):
            return False
        return callback_time.when(reply, self.now) is not None

    def _answers_despite_refusal(
        self, main: Match | None, r: intents.Reading, answers: list[str]
    ) -> bool:
        """ "不需要" to "需要吗？", "no thanks" to "Would you like ...?": an answer; not
        when the questions themselves are refused ("no, I'm not doing this")."""
        if main is None or r.refuses:
            return False
        if main.how == "said" and _NEGATED_CHOICE.fullmatch(main.answer) and main.answer in r.text:
            return True  # "没兴趣 不报" to 报、不报还是再考虑: the choice that turns it down
        if _DISINTEREST.search(r.text) and not _ASKS_INTEREST.search(self._question(self.index)):
            return False  # "no thanks, not interested" to "joining our plan?": the call refused
        if main.how in _STRONG:
            return True
        hard = re.search(
            r"没兴趣|不感兴趣|not interested|不考虑|不想听|挂了|don'?t do|不做|不接受|不回答|没空|"
            r"不想做|not for me|i'?ll pass",
            r.text,
        )
        return not hard and (bool(_PLAIN_NO.search(r.text)) or self._names_offer(r.text))

    def _names_offer(self, text: str) -> bool:
        """Whether a no names what the question offers ("i don't need a reminder" to "Would
        you like a text reminder ...?", "短信提醒就不用了"): it turns that down, not the call."""
        said = fold(text)
        offer = topics.words(self._question(self.index), "", content=True)
        return any(topics.names(said, w) for w in offer)

    def _free_answer(self, r: intents.Reading, content: str, index: int) -> bool:
        """Whether a reply to a free-text question is its answer."""
        if r.hesitation or r.hold or r.repeat or r.decline_question or r.busy:
            return False
        if r.unsure and not _NOTHING.search(r.text):
            return False
        if r.who or r.why or r.asking and not _WISH.search(r.text) and not _CODE.search(r.text):
            return False  # a question back ("你们营业厅在哪儿") is not the answer
        if r.goodbye:
            rest = _without_goodbye(r.text)
            if not rest or _NOTHING.search(rest):
                return False
        return True

    def _code_said(self, index: int, reply: str) -> bool:
        """A number or reference said after a hold ("等下我找找卡 四四零二")."""
        q = self._question(index)
        return free_text.asks_for_code(q) and bool(_CODE.search(free_text.digits(fold(reply))))

    def _free_text(self, index: int, heard: str) -> str:
        """What is recorded: a number said digit by digit is written as digits."""
        if not free_text.asks_for_code(self._question(index)):
            return heard
        written = free_text.digits(heard)
        return heard if written == heard else f"{heard} ({written})"  # both forms kept

    def _solicits(self, index: int) -> bool:
        """A free-text question asking for opinions, where a question is a suggestion."""
        return bool(_SOLICITS.search(self.questions[index]["question"]))

    def _match(self, index: int, text: str) -> Match | None:
        if index >= len(self.questions):
            return None
        answers = self._answers_of(index)
        if not answers or not text.strip():
            return None
        m = self.engine.matcher(answers, self.hot, question=self._question(index))
        return m.match(text, today=self.now.date())

    def _volunteered(self, index: int, text: str, main: Match | None) -> list[tuple[int, Match]]:
        """Answers to later questions said in the same reply ("下午吧，挺满意的")."""
        out: list[tuple[int, Match]] = []
        if not text:
            return out
        this = self._matcher(index)
        for j in range(index + 1, len(self.questions)):
            if j in self.answers:
                continue
            answers = self._answers_of(j)
            if not answers:
                if _EMAIL_QUESTION.search(self.questions[j]["question"]):
                    if m := _EMAIL.search(text):
                        out.append((j, Match(-1, m.group(0), "free")))
                continue
            other = self._matcher(j)
            m = other.match(text, today=self.now.date())
            if m is None or m.how not in _VOLUNTEERED or not counted(other, text, m.how):
                continue  # a count not in the later question's unit ("a few left") is not its
            if m.how == "unsure" and main is None:
                continue  # "这个不好说" with the current question unanswered: a hedge on it
            if this is not None and _same_evidence(this, other, main, m):
                continue
            if m.how == "unsure" and main is None and self.reasks == 0:
                continue  # "这个不好说 那天我没跟去", the first reply: the hedge is this question's
            if several.echoes_current(self, index, other, text, m):
                continue  # "垃圾都拉走了": the current question's rubbish, not a rating
            if m.how == "echo" and not several.own_clause(self, index, j, text):
                continue  # "周一要上班 周二吧": the 要 is the day's reason, not a yes
            out.append((j, m))
        return out

    def _which_asked(self, index: int, reply: str) -> bool:
        """Whether a question back asks which one is meant, to a question answered with a
        number: what the reply says beside it is the question's context."""
        m = self._matcher(index)
        return m is not None and m.is_numeric and bool(WHICH_ASKED.search(fold(reply)))

    def _guess_asked(self, index: int, reply: str, main: Match) -> bool:
        """Whether the reply, its rising end kept, is a guess put as a question
        (matcher `guess_asked`): the statement read from it tells no choice."""
        m = self._matcher(index)
        return m is not None and not m.uncertain[main.index] and m.guess_asked(reply)

    def _question_asked_back(self, index: int, reply: str, main: Match) -> bool:
        """Whether the callee asks the yes/no question's own matter back ("do I have to
        wear them every day?") and the rest opens with no yes or no of its own: a "no"
        read inside what follows ("nobody told me that") is about the asking."""
        m = self._matcher(index)
        asked = fold(_questions_back(reply))
        if m is None or not m.binary or main.how not in ("yes", "no", "") or not asked:
            return False
        words = topics.words(self._question(index), "", content=True)
        if sum(topics.names(asked, w[:4]) for w in words) < 2:
            return False
        return not _OPENS_YES_NO.match(fold(_statements(reply)).strip())

    def _described(self, index: int, text: str) -> Match | None:
        """The choice the knowledge alone says the reply's words of (described.py)."""
        m = self._matcher(index)
        knowledge = self.context.assistant.get("knowledge") or ""
        found = described(m, knowledge, text) if m is not None else None
        return None if found is None else m.pick(found, "described")

    def _matcher(self, index: int) -> AnswerMatcher | None:
        answers = self._answers_of(index)
        if not answers:
            return None
        return self.engine.matcher(answers, self.hot, question=self._question(index))

    def _correct(self, reply: str, r: intents.Reading) -> list[Action] | None:
        """ "不对，我是说上午": the corrected answer replaces an earlier one, unless it
        answers the current question plainly ("四分，不对，三分": corrects itself within
        this answer; a bare yes or no read from it does not count)."""
        now = self._match(self.index, _statements(r.corrected))
        if now is not None and now.how in _STRONG:
            return None
        for j in reversed(self.recent):
            m = self._match(j, r.corrected)
            if m is None or m.answer == self.answers[j].result:
                continue
            q = self.questions[j]["question"]
            old = self.answers[j].result
            actions = self._record(j, m.answer, True, reply)
            note = Action(ActionKind.NOTE, f"corrected: {q[:80]}: {old} -> {m.answer}")
            confirm = Action(ActionKind.SAY, self.text["corrected"].format(answer=m.answer))
            self.heard = self.heard[:-1]
            return [*actions, note, confirm, *self._ask()]
        return None

    def _amended(self, late: amends.Amend, heard: str) -> list[Action]:
        """An earlier answer replaced by a late correction, noted and confirmed."""
        q = self.questions[late.index]["question"]
        old = self.answers[late.index].result
        actions = self._record(late.index, late.found.answer, True, heard)
        trace = Action(ActionKind.NOTE, f"corrected: {q[:80]}: {old} -> {late.found.answer}")
        confirm = Action(ActionKind.SAY, self.text["corrected"].format(answer=late.found.answer))
        return [*actions, trace, confirm]

    def _reask(self, index: int, r: intents.Reading) -> list[Action]:
        if self.reasks >= MAX_REASKS:
            return self._give_up(index)
        self.reasks += 1
        answers = self._answers_of(index)
        t = self.text
        lead = t["unsure"] if r.unsure else t["calm"] if r.hesitation else ""
        question = self._question(index)
        if self.reasks == 1:
            first = (lead or t["reask"]) + question
            hint = t["options"].format(options=t["sep"].join(answers)) if answers else ""
        else:
            first = t["reask_again"] + question
            hint = (
                t["options_again"].format(options=lines.choices(answers, self.lang))
                if answers
                else t["free_again"]
            )
        return [Action(ActionKind.SAY, first)] + ([Action(ActionKind.SAY, hint)] if hint else [])

    def _give_up(self, index: int) -> list[Action]:
        message = " / ".join(self.heard)
        return self._record(index, "", False, message) + self._ask()

    def _knowledge_hit(self, knowledge: str, text: str) -> Any:
        """The knowledge's answer to `text`; the question being asked (or the opening)
        goes with it as the topic that settles a near tie between two passages."""
        asking = not self.consenting and self.index < len(self._asked)
        topic = self._question(self.index) if asking else self.welcome
        return self.engine.knowledge(knowledge).answer(text, topic=topic)

    def _knowledge_answer(self, text: str, *, unknown: bool = False) -> list[Action] | None:
        """The knowledge passage that answers `text` (a trace note says whether one
        did); without one, the "noted, a colleague will call" line when `unknown`."""
        knowledge = self.context.assistant.get("knowledge") or ""
        hit = self._knowledge_hit(knowledge, text) if knowledge.strip() else None
        asked = _asked_first(text) if hit is None and knowledge.strip() else ""
        if asked:  # "你们电话多少 我存一下": the question without the aside said after it
            hit = self._knowledge_hit(knowledge, asked)
        if hit is None and not unknown:
            return None
        # a trace line: the task insight lists the questions the knowledge missed
        kind = NoteKind.KNOWLEDGE_HIT if hit else NoteKind.KNOWLEDGE_MISS
        self.knowledge_asked += 1
        trace = note(kind, text[:200])
        line = hit.passage if hit is not None else self.text["unknown"]
        return [trace, Action(ActionKind.SAY, line)]

    def _to_person(self) -> list[Action]:
        """The callee asks for a person: put them through once (what follows the
        TRANSFER is said only if it fails: the flow goes on), else a person calls back."""
        plan = self._plan("asked")
        if plan is None or self._transfer_tried:
            line = transfer.PERSON_CALLS_BACK[self.lang]
            return self._close(line, "callback", Action(ActionKind.CALLBACK))
        self._transfer_tried = True
        self.consenting = False
        said = Action(ActionKind.SAY, transfer.TRANSFER_LINES[self.lang])
        return [said, Action(ActionKind.TRANSFER, plan.target, transfer=plan), *self._ask()]

    def _plan(self, why: str) -> TransferPlan | None:
        return transfer.transfer_plan(
            self.context.assistant,
            why,
            name=self.context.name,
            collected=self.collected,
            lang=self.lang,
        )

    def _at_intent_a(self, actions: list[Action]) -> list[Action]:
        """The turn's actions, with the callee put through first when this reply made
        the conversation intent A (analysis.reaches_intent_a) and the assistant
        transfers then; once per call. A turn that closes the call for another reason
        (refused, callback, goodbye) is left as it is. The closing line after a
        completed conversation is said only if the transfer fails."""
        if self._transfer_tried or any(
            a.kind == ActionKind.CALLBACK
            or (a.kind == ActionKind.HANGUP and a.result != "completed")
            for a in actions
        ):
            return actions
        questions = [q["question"] for q in self.questions]
        if not analysis.reaches_intent_a(
            questions, self.collected, knowledge_questions=self.knowledge_asked
        ):
            return actions
        plan = self._plan("intentA")
        if plan is None:
            return actions
        self._transfer_tried = True
        hold = [
            Action(ActionKind.SAY, transfer.INTENT_A_LINES[self.lang]),
            Action(ActionKind.TRANSFER, plan.target, transfer=plan),
        ]
        closes = len(actions) >= 2 and actions[-1].kind == ActionKind.HANGUP
        at = len(actions) - 2 if closes and actions[-2].kind == ActionKind.SAY else len(actions)
        return [*actions[:at], *hold, *actions[at:]]

    def _callback(self, said: str) -> list[Action]:
        at = callback_time.when(said, self.now)
        if at is None:
            line = self.text["callback"]
        else:
            line = self.text["callback_at"].format(at=_spoken(at, self.now, self.lang))
        return self._close(line, "callback", Action(ActionKind.CALLBACK, at=at))


def _statements(reply: str) -> str:
    """The reply without its questions back ("免费的啊？那可以" -> "那可以")."""
    parts = re.split(r"(?<=[?？])", reply)
    said: list[tuple[str, bool]] = []  # (clause, asks)
    last = len([p for p in parts if p.strip()]) - 1
    for n, part in enumerate(parts):
        if re.search(r"[?？]\s*$", part) and (n < last or intents.ASKING.search(clean(part))):
            said.append((part, True))
            continue  # a last part that asks nothing ("I think three?") is said rising
        for clause in intents.clauses(part):
            c = clean(clause)
            if c:
                asks = (
                    (intents.ASKING.search(c) or intents.asks_raw(clause))
                    and not re.search(r"why not|没问题|怎么了$", c)
                    and not intents.UNSURE.search(c)  # "depends what you offer"
                )
                said.append((clause, bool(asks)))
    kept = [
        c for n, (c, asks) in enumerate(said)
        if not asks and not ((_supposed(c) or _aside(c)) and n + 1 < len(said)
                             and _asks(said[n + 1]))
    ]  # fmt: skip
    return "，".join(kept)


# a condition put before a question ("我到不了的话 是不是就量不成了", "if I can't make it,
# can someone else let you in"): what is supposed, not what is said
_SUPPOSED = re.compile(
    r"的话$|^(那)?(如果|要是|假如|假设|万一|若是)|^(what )?if\b|^(just )?in case\b|^suppose\b|"
    r"^supposing\b|^say\b"
)


def _supposed(clause: str) -> bool:
    return bool(_SUPPOSED.search(fold(clause).strip(" ,，。.")))


# a marker that turns to another matter before a question ("对了 你们急送多久能到", "oh by
# the way, do you open sundays"): no answer to the question asked (对了 is no yes there)
_ASIDE = re.compile(
    r"^(?:[哦噢诶欸哎啊]?对了|顺便问一?下|(?:oh,? )?by the way|btw|oh and|"
    r"one more thing|while i have you)$"
)


def _aside(clause: str) -> bool:
    return bool(_ASIDE.search(fold(clause).strip(" ,，。.")))


def _asks(said: tuple[str, bool]) -> bool:
    return said[1] or intents.read(said[0]).asking


def _questions_back(reply: str) -> str:
    """The clauses of the reply that ask something (what `_statements` leaves out)."""
    kept = set(_statements(reply).split("，"))
    asked = [c for c in intents.clauses(reply) if c not in kept and intents.read(c).asking]
    return "，".join(asked)


def _asked_first(reply: str) -> str:
    """The question a reply opens with, when statements follow it ("你们电话多少 我存一下",
    "can they take stuff from inside, I've got a bad back"): asked alone, the aside after
    it no longer dilutes it; "" when the reply does not open with a question or says
    nothing else (what comes before a question sets what it asks about)."""
    parts = intents.clauses(reply)
    asked = _questions_back(reply).split("，")
    if len(parts) < 2 or not asked[0] or parts[0] != asked[0] or len(asked) == len(parts):
        return ""
    return "，".join(asked)


def _without_goodbye(text: str) -> str:
    rest = _THANKS_FOR.sub(" ", intents.GOODBYE.sub(" ", text))
    return re.sub(r"\s+", " ", intents._ACK.sub(" ", rest)).strip()


def _same_evidence(this: AnswerMatcher, other: AnswerMatcher, main: Match | None, m: Match) -> bool:
    """A later question's match that only repeats what answered the current one: the
    same words ("满意" for two satisfaction questions), the same kind of time."""
    if main is not None and main.answer == m.answer:
        return True
    if m.how == "scale" and this.is_scale:
        return True
    if m.how == "time" and (this.is_timed and other.is_timed or this.is_days and other.is_days):
        return True
    if m.how == "number" and this.is_numeric:
        return True
    return m.how in ("yes", "no") and this.binary


def _spoken(at: datetime, now: datetime, lang: str) -> str:
    days = (at.date() - now.date()).days
    if lang == "zh":
        day = {0: "今天", 1: "明天", 2: "后天"}.get(days, f"{at.month}月{at.day}日")
        return f"{day}{at.hour}点" + (f"{at.minute}分" if at.minute else "")
    day = {0: "today", 1: "tomorrow"}.get(days, at.strftime("on %A"))
    clock = at.strftime("%I:%M %p").lstrip("0")
    return f"{day} at {clock}"


def yes_no(text: str) -> bool | None:
    """True / False / None for a yes-no reply (exposed for other engines)."""
    return polarity(clean(fold(text)))
