"""Wire shapes of assistants, versions, speakers and listeners."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    Field,
    StringConstraints,
)

from voxdial.api.schemas.base import (
    LongText,
    Name,
    ShortText,
    Strict,
    ZoneName,
)


class CollectItem(Strict):
    question: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    answers: Annotated[list[Annotated[str, Field(max_length=200)]], Field(max_length=50)] = []


class HotWord(Strict):
    word: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
    weight: Annotated[int, Field(ge=1, le=10)] = 5
    replacedWords: Annotated[list[Annotated[str, Field(max_length=50)]], Field(max_length=50)] = []
    enableFuzzyMatch: bool = False


class Interruption(Strict):
    method: Literal["none", "talk_over", "keyword"] = "talk_over"
    uninterruptibleMs: Annotated[int, Field(ge=0, le=60_000)] = 1500
    talkOverThresholdMs: Annotated[int, Field(ge=0, le=10_000)] = 500


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
    """Handing the call over to a person (VoiceFox's `taskTransfer`; NOTES-transfer.md):
    when the callee asks for one ("asked"), the call is sent on to `target` by a SIP
    REFER ("blind"). Bridged transfers and transfers at intent A are not carried yet,
    so they are refused rather than stored and ignored."""

    mode: Literal["blind"] = "blind"
    target: TransferTarget
    when: Annotated[list[Literal["asked"]], Field(min_length=1, max_length=1)] = ["asked"]


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
