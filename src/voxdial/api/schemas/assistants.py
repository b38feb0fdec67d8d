"""Wire shapes of assistants, versions, speakers and listeners."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    Field,
    StringConstraints,
    model_validator,
)
from pydantic_core import PydanticCustomError

from voxdial.api.schemas.base import (
    LongText,
    Name,
    ShortText,
    Strict,
    ZoneName,
)

# A key of the phone's keypad (DTMF), and a string of them to send ("," waits 500 ms).
KeyDigit = Annotated[str, StringConstraints(pattern=r"^[0-9A-Da-d*#]$")]
KeyAnswer = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
SendKeys = Annotated[str, StringConstraints(pattern=r"^[0-9A-Da-d*#,]{0,32}$")]


class CollectItem(Strict):
    question: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    answers: Annotated[list[Annotated[str, Field(max_length=200)]], Field(max_length=50)] = []
    keys: Annotated[
        dict[KeyDigit, KeyAnswer] | None,
        Field(
            max_length=16,
            description="[voxdial] keys that answer the question, key -> answer "
            '({"1": "满意", "2": "不满意"}); with preset answers, each one of them',
            exclude_if=lambda keys: keys is None,  # shown only on questions that have them
        ),
    ] = None

    @model_validator(mode="after")
    def _keys_answer(self) -> CollectItem:
        if self.keys and self.answers:
            for key, answer in self.keys.items():
                if answer not in self.answers:
                    raise PydanticCustomError(
                        "key_answer",
                        "keys.{key}: '{answer}' is not one of the question's answers",
                        {"key": key, "answer": answer},
                    )
        if self.keys and len({k.upper() for k in self.keys}) != len(self.keys):
            raise PydanticCustomError("key_repeated", "keys: a key is listed twice", {})
        return self


class HotWord(Strict):
    word: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
    weight: Annotated[int, Field(ge=1, le=10)] = 5
    replacedWords: Annotated[list[Annotated[str, Field(max_length=50)]], Field(max_length=50)] = []
    enableFuzzyMatch: bool = False


class Interruption(Strict):
    method: Literal["none", "talk_over", "keyword"] = "talk_over"
    uninterruptibleMs: Annotated[int, Field(ge=0, le=60_000)] = 1500
    talkOverThresholdMs: Annotated[int, Field(ge=0, le=10_000)] = 500


class AnswerDetection(Strict):
    """Who answered a dialled call, decided before the assistant speaks (voxdial's
    extension; voice/answering.py). A person: the conversation starts. A carrier
    announcement: hung up with its outcome (`powered_off`, `vacant`, ...). Voicemail:
    hung up, or `leave_message` speaks `voicemailMessage` (variables as in the script,
    `{姓名}`) after the beep. The time limits are ms of call audio."""

    # strict: "true" or 700.0 is refused, as the schema says, not quietly taken
    enabled: Annotated[bool, Field(strict=True)] = True
    onVoicemail: Literal["hangup", "leave_message"] = "hangup"
    voicemailMessage: Annotated[str, Field(strict=True, max_length=500)] = ""
    afterGreetingSilenceMs: Annotated[int, Field(strict=True, ge=300, le=2000)] = 700
    maxGreetingMs: Annotated[int, Field(strict=True, ge=800, le=8000)] = 2800
    machineLimitMs: Annotated[int, Field(strict=True, ge=1000, le=15_000)] = 4000
    totalLimitMs: Annotated[int, Field(strict=True, ge=1000, le=30_000)] = 6000
    beepWaitMs: Annotated[int, Field(strict=True, ge=0, le=15_000)] = 4000

    @model_validator(mode="after")
    def _consistent(self) -> AnswerDetection:
        if self.onVoicemail == "leave_message" and not self.voicemailMessage.strip():
            raise ValueError("voicemailMessage is required when onVoicemail is leave_message")
        if self.totalLimitMs < self.machineLimitMs:
            raise ValueError("totalLimitMs must be at least machineLimitMs")
        return self


DEFAULT_AGENT_SECONDS = 30  # a bridged transfer's agent has this long to answer

# a number in E.164 form, or a SIP URI (sip:agent@host, sips:...), one line, no spaces
TransferTarget = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        max_length=200,
        pattern=r"^(\+[1-9][0-9]{5,15}|sips?:[A-Za-z0-9._~%+-]+@[A-Za-z0-9.-]+(:[0-9]{1,5})?"
        r"(;[A-Za-z0-9=._-]+)*)$",
    ),
]


class TaskTransfer(Strict):
    """Handing the call over to a person (VoiceFox's `taskTransfer`; docs/transfer.md):
    when the callee asks for one ("asked") or the conversation reaches intent A
    ("intentA"), the call goes on to `target`, sent there by a SIP REFER ("blind"), or
    joined to a second call that voxdial places to the agent ("bridged": the agent has
    `agentTimeoutSeconds` to answer and, with `summary`, hears a one-line summary
    first). The two bridged-only fields are refused on a blind transfer, and filled
    with their defaults on a bridged one."""

    mode: Literal["blind", "bridged"] = "blind"
    target: TransferTarget
    when: Annotated[list[Literal["asked", "intentA"]], Field(min_length=1, max_length=2)] = [
        "asked"
    ]
    agentTimeoutSeconds: Annotated[
        int | None,
        Field(
            strict=True,
            ge=5,
            le=120,
            description="bridged only: seconds the agent has to answer (default 30)",
            exclude_if=lambda v: v is None,
        ),
    ] = None
    summary: Annotated[
        bool | None,
        Field(
            strict=True,
            description="bridged only: say a one-line summary to the agent first (default true)",
            exclude_if=lambda v: v is None,
        ),
    ] = None

    @model_validator(mode="after")
    def _by_mode(self) -> TaskTransfer:
        if len(set(self.when)) != len(self.when):
            raise PydanticCustomError("when_repeated", "when: a trigger is listed twice", {})
        if self.mode == "bridged":
            if self.agentTimeoutSeconds is None:
                self.agentTimeoutSeconds = DEFAULT_AGENT_SECONDS
            if self.summary is None:
                self.summary = True
            return self
        for name in ("agentTimeoutSeconds", "summary"):
            if getattr(self, name) is not None:
                raise PydanticCustomError(
                    "bridged_only", "{name}: only for a bridged transfer", {"name": name}
                )
        return self


class AssistantFields(Strict):
    """Fields shared by create and update; every one is versioned."""

    scene: Literal["outbound_collect", "outbound_notice", "inbound_knowledge"] | None = None
    speakerId: Annotated[int, Field(ge=1, le=2**31)] | None = None
    listenerId: Annotated[int, Field(ge=1, le=2**31)] | None = None
    welcome: ShortText | None = None
    language: Annotated[
        Literal["zh", "en"] | None,
        Field(
            description="the language spoken and heard; default: English for a plain-ASCII "
            "welcome, else Mandarin"
        ),
    ] = None
    prompt: LongText | None = None
    objective: ShortText | None = None
    collect: Annotated[list[CollectItem], Field(max_length=50)] | None = None
    knowledge: LongText | None = None
    hotWords: Annotated[list[HotWord], Field(max_length=200)] | None = None
    llmId: Annotated[int, Field(ge=0, le=2**31)] | None = None
    timeZone: ZoneName | None = None
    interruption: Interruption | None = None
    answerDetection: AnswerDetection | None = None
    sendKeys: Annotated[
        SendKeys | None,
        Field(
            description="[voxdial] keys sent when the call is answered, before the "
            'opening (to get through a menu): 0-9 * # A-D, "," waits 500 ms'
        ),
    ] = None
    taskTransfer: TaskTransfer | None = None


class AssistantCreate(AssistantFields):
    name: Name


class AssistantUpdate(AssistantFields):
    name: Name | None = None


class Creator(BaseModel):
    email: str


class AssistantPublic(BaseModel):
    id: int
    projectId: int
    name: str
    versionId: int
    scene: str
    speakerId: int
    speakerName: str
    websocketUrl: str
    websocketToken: str
    listenerId: int
    listenerName: str
    welcome: str
    language: Literal["zh", "en"]
    prompt: str
    objective: str
    collect: list[CollectItem]
    knowledge: str
    hotWords: list[HotWord]
    llmId: int
    timeZone: str
    interruption: Interruption
    answerDetection: AnswerDetection
    sendKeys: str = ""

    taskTransfer: TaskTransfer | None = None
    createdAt: str
    updatedAt: str
    creator: Creator
    deletedAt: str | None
    idOldVersion: bool
    usageCount: int
    creatorId: int


class TaskAssistant(BaseModel):
    """The `assistant` object of the task detail: exactly the seed's fields."""

    id: int
    projectId: int
    name: str
    versionId: int
    scene: str
    speakerId: int
    websocketUrl: str
    websocketToken: str
    listenerId: int
    welcome: str
    prompt: str
    collect: list[CollectItem]
    knowledge: str
    createdAt: str
    updatedAt: str
    creator: Creator
    deletedAt: str | None
    idOldVersion: bool
    usageCount: int
    creatorId: int


class AssistantVersionPublic(BaseModel):
    versionId: int
    name: str
    createdAt: str
    config: dict[str, Any]


class Speaker(BaseModel):
    id: int
    name: str
    language: str
    provider: str
    gender: str


class Listener(BaseModel):
    id: int
    name: str
    language: str
    provider: str
