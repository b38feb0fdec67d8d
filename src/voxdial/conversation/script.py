"""`ScriptEngine`: the embedded default engine, no LLM.

It says the opening line (variables filled in), asks the `collect` questions in order
and matches each reply to the preset answers (`AnswerMatcher`); free-text questions
record the reply. One re-ask when nothing matches, then it moves on. Questions about
the product are answered from `knowledge` and the flow resumes. A refusal closes
politely (and blocks the number when the callee asks not to be called again); "call me
later" schedules a callback at the time the callee names. Silence is prompted once,
then the call closes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from voxdial.conversation import times
from voxdial.conversation.engine import (
    Action,
    ActionKind,
    CallContext,
    CollectResult,
    fill_variables,
)
from voxdial.conversation.matching import AnswerMatcher, polarity
from voxdial.conversation.normalize import apply_hot_words, clean, fold, hot_words
from voxdial.conversation.notes import NoteKind, note

# "never call me again": block the number
_NEVER_AGAIN = re.compile(
    r"别再打|不要再打|别再给我打|不要再给我打|以后别打|以后不要打|别打了|不要打了|再打我就投诉|拉黑|"
    r"删掉我的号码|把我号码删|别骚扰|不要骚扰|骚扰电话|别给我打电话|不要给我打电话|不要再联系|"
    r"stop calling|don'?t call (me )?(again|anymore)|don'?t (ever )?call me|"
    r"never call|remove (me|my number)|take me off|do not call|lose my number|stop bothering"
)
_NOT_INTERESTED = re.compile(
    r"不需要|不用了|没兴趣|不感兴趣|不考虑|不想听|没空听|不要了|用不着|算了吧|不了不了|挂了|"
    r"not interested|no thanks|no thank you|not for me|i'?ll pass|don'?t need|don'?t want|"
    r"no need|not buying|goodbye|bye"
)
_LATER = re.compile(
    r"不方便|晚点|晚些|稍后|回头再|过会|等会|待会|一会儿?再|改天|在开会|开会呢|在开车|开车呢|在忙|"
    r"正忙|有点忙|忙着呢|再打|再联系|打过来|再说|"
    r"call (me )?(back )?later|call (me )?back|busy|in a meeting|driving|not a good time|"
    r"bad time|can'?t talk|try (me )?(again )?(later|tomorrow|tonight)|ring me|"
    r"call me (tomorrow|tonight|in|at|after|this|next|on)"
)
_QUESTION = re.compile(
    r"[?？]|吗$|呢$|什么|怎么|多少|多久|多长|多快|多大|几点|几号|几天|哪|为什么|为啥|是不是|有没有|"
    r"能不能|可不可以|收费吗|"
    r"会不会|请问|咨询|问一下|问下|想问|想了解|^(what|how|when|where|why|which|who|is|are|do|does|"
    r"can|could|will|would|should)\b|\b(what|how much|how long|how many|when|where|why)\b"
)
_REPEAT = re.compile(
    r"再说一遍|再说一次|没听清|没听到|听不清|你说什么|什么意思|啥意思|重复一下|说啥|"
    r"pardon|sorry\?|say (that )?again|repeat|didn'?t (catch|hear)|what did you say|come again"
)

TEXT = {
    "zh": {
        "closing": "感谢您的接听，祝您生活愉快，再见。",
        "refused": "好的，不打扰您了，祝您生活愉快，再见。",
        "blocked": "好的，非常抱歉打扰您，我们以后不会再给您打电话了，再见。",
        "callback_at": "好的，那我们{at}再联系您，再见。",
        "callback": "好的，那我们稍后再联系您，再见。",
        "still_there": "喂，您好，您还在听吗？",
        "silence_close": "可能信号不太好，我们稍后再联系您，再见。",
        "reask": "不好意思，我没太听清。",
        "options": "您可以说：{options}。",
        "unknown": "这个问题我记下了，稍后请专员回复您。",
        "back": "我们继续，",
    },
    "en": {
        "closing": "Thank you for your time. Goodbye.",
        "refused": "No problem, sorry to have bothered you. Goodbye.",
        "blocked": "Understood, we will not call you again. Sorry for the trouble. Goodbye.",
        "callback_at": "Sure, we will call you back {at}. Goodbye.",
        "callback": "Sure, we will call you back later. Goodbye.",
        "still_there": "Hello, are you still there?",
        "silence_close": "I can't hear you, we will call back another time. Goodbye.",
        "reask": "Sorry, I didn't quite catch that.",
        "options": "You can say: {options}.",
        "unknown": "I have noted your question; a colleague will get back to you.",
        "back": "Back to my question: ",
    },
}

MAX_SILENCES = 2
MAX_REASKS = 1


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
    """The script engine. `encoder` (a `SentenceEncoder`, None: the packaged model;
    False: no embedding stage) and `knowledge` (text -> object with `answer(question)`)
    are injectable for tests."""

    def __init__(
        self,
        *,
        encoder: Any = None,
        knowledge: Callable[[str], Any] | None = None,
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

    def matcher(self, answers: list[str], hot: list[dict[str, Any]] | None) -> AnswerMatcher:
        """One matcher per answer set and hot words, kept across calls so the answers'
        embeddings are computed once per campaign, not once per call."""
        key = (tuple(answers), repr(hot or []))
        m = self._matchers.get(key)
        if m is None:
            if len(self._matchers) > 256:
                self._matchers.clear()
            m = self._matchers[key] = AnswerMatcher(
                answers, encoder=self.encoder, hot_words=hot_words(hot)
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
        self.index = 0
        self.reasks = 0
        self.silences = 0
        self._collected: list[CollectResult] = []
        self._finished = False

    @property
    def collected(self) -> list[CollectResult]:
        return self._collected

    @property
    def finished(self) -> bool:
        return self._finished

    # ----- flow -----

    def start(self) -> list[Action]:
        welcome = fill_variables(self.context.assistant.get("welcome") or "", self.context)
        actions = [Action(ActionKind.SAY, welcome)] if welcome.strip() else []
        return actions + self._ask()

    def _ask(self, prefix: str = "") -> list[Action]:
        if self.index >= len(self.questions):
            return self._close(self.text["closing"], "completed")
        question = fill_variables(self.questions[self.index]["question"], self.context)
        return [Action(ActionKind.SAY, prefix + question)]

    def _close(self, line: str, why: str, *extra: Action) -> list[Action]:
        self._finished = True
        return [*extra, Action(ActionKind.SAY, line), Action(ActionKind.HANGUP, result=why)]

    def _record(self, result: str, hit: bool, message: str) -> list[Action]:
        q = self.questions[self.index]["question"]
        self._collected.append(CollectResult(q, hit, result, message))
        self.index += 1
        self.reasks = 0
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
        said = apply_hot_words(clean(text), hot_words(self.hot))
        if not said.strip():
            return self.silence()
        self.silences = 0
        question = self.questions[self.index] if self.index < len(self.questions) else None
        answers = [str(a) for a in (question or {}).get("answers") or []]

        if _NEVER_AGAIN.search(said):
            return self._close(self.text["blocked"], "refused", Action(ActionKind.BLOCK))
        asking = bool(_QUESTION.search(said)) and not re.search(r"why not|没问题", said)
        match = None
        if answers:
            match = self.engine.matcher(answers, self.hot).match(text)
        # a strong match (the answer said outright, a score, a number) is an answer even
        # when it sounds like a refusal ("不需要" to "需要吗？"); weaker readings give way
        # to a callback request, a refusal or a question
        strong = match is not None and (
            match.how in ("scale", "number", "ordinal")
            or (match.how.startswith("said") and len(match.answer) >= 2)
        )
        if strong and not (asking and match.how.startswith("said") and len(match.answer) < 2):
            return self._record(match.answer, True, text) + self._ask()
        if _LATER.search(said):
            return self._callback(said)
        if _NOT_INTERESTED.search(said):
            return self._close(self.text["refused"], "refused")
        if match is not None and not asking:
            return self._record(match.answer, True, text) + self._ask()
        if _REPEAT.search(said):
            return self._ask()
        if asking:
            answered = self._answer_question(text, record_miss=question is not None and not answers)
            if answered is not None:
                return answered
        if question is None:
            return self._close(self.text["closing"], "completed")
        if not answers:
            return self._record(text.strip(), True, text) + self._ask()
        if self.reasks < MAX_REASKS:
            self.reasks += 1
            options = ("、" if self.lang == "zh" else ", ").join(answers)
            hint = self.text["options"].format(options=options)
            return self._ask(self.text["reask"]) + [Action(ActionKind.SAY, hint)]
        return self._record("", False, text) + self._ask()

    def _answer_question(self, text: str, *, record_miss: bool) -> list[Action] | None:
        """The knowledge passage that answers `text`, then the current question again.
        None when nothing answers it and the reply may as well be a free-text answer."""
        knowledge = self.context.assistant.get("knowledge") or ""
        hit = self.engine.knowledge(knowledge).answer(text) if knowledge.strip() else None
        if hit is None and record_miss and not re.search(r"[?？]|吗$", text.strip()):
            return None
        # a trace line: the task insight lists the questions the knowledge missed
        kind = NoteKind.KNOWLEDGE_HIT if hit else NoteKind.KNOWLEDGE_MISS
        trace = note(kind, text[:200])
        line = hit.passage if hit is not None else self.text["unknown"]
        return [trace, Action(ActionKind.SAY, line), *self._ask(self.text["back"])]

    def _callback(self, said: str) -> list[Action]:
        zone = ZoneInfo(self.context.time_zone)
        now = (self.context.now or datetime.now(zone)).astimezone(zone)
        at = times.resolve(said, now)
        if at is None:
            line = self.text["callback"]
        else:
            line = self.text["callback_at"].format(at=_spoken(at, now, self.lang))
        return self._close(line, "callback", Action(ActionKind.CALLBACK, at=at))


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
