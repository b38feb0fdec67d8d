"""Wire shapes: what clients send (`*Create`, `*Update`) and receive (`*Public`).

Response models document the API (and are what schemathesis checks responses against);
the hot read paths build plain dicts in `render.py` that match them field for field.
"""

from __future__ import annotations

from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)
from pydantic_core import PydanticCustomError

T = TypeVar("T")

Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    Field(json_schema_extra={"pattern": r"^[^\x00]*\S[^\x00]*$"}),  # not only whitespace
]
ShortText = Annotated[str, Field(max_length=2000)]
LongText = Annotated[str, Field(max_length=200_000)]
Id = Annotated[int, Field(ge=1, le=2**53)]

# Schedule fields: the JSON Schema documents their shape; `domain.schedule` checks them
# (and what no schema can say: real calendar dates, windows in order, known zones) with
# messages that name the value (400 invalid_schedule).
DateText = Annotated[
    str, Field(json_schema_extra={"pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "format": "date"})
]
HHMM = Annotated[
    str, Field(json_schema_extra={"pattern": r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$"})
]
Windows = Annotated[
    list[Annotated[list[HHMM], Field(json_schema_extra={"minItems": 2, "maxItems": 2})]],
    Field(max_length=48, json_schema_extra={"minItems": 1}),
]


def _distinct_weekdays(days: list[int]) -> list[int]:
    repeated = sorted({d for d in days if days.count(d) > 1})
    if repeated:
        raise PydanticCustomError(
            "weekday_repeated",
            "list each weekday once; repeated: {repeated}",
            {"repeated": ", ".join(map(str, repeated))},
        )
    return days


# ISO weekdays, each once: at most 7, each 1..7, integers only (422 otherwise); an empty
# list is refused by `domain.schedule` (400 invalid_schedule).
Weekdays = Annotated[
    list[Annotated[int, Field(strict=True, ge=1, le=7)]],
    Field(max_length=7, json_schema_extra={"minItems": 1, "uniqueItems": True}),
    AfterValidator(_distinct_weekdays),
]
ZoneName = Annotated[
    str,
    Field(
        max_length=64,
        json_schema_extra={"pattern": r"^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$"},
    ),
]


def unstorable_text(value: object) -> str | None:
    """Why a value cannot be stored as text on every database, or None: a NUL character
    (PostgreSQL refuses it) or an unpaired surrogate (not UTF-8), at any depth."""
    if isinstance(value, str):
        if "\x00" in value:
            return "must not contain NUL (\\u0000) characters"
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return "must be valid Unicode (it holds an unpaired surrogate)"
        return None
    if isinstance(value, dict):
        for k, v in value.items():
            if why := unstorable_text(k) or unstorable_text(v):
                return why
    elif isinstance(value, list | tuple):
        for v in value:
            if why := unstorable_text(v):
                return why
    return None


NO_NUL = r"^[^\x00]*$"


def _document_no_nul(schema: dict[str, Any], *_: Any) -> None:
    """Say in the JSON Schema what `_storable_text` enforces: strings (and object keys)
    without NUL. A string that has a pattern already excludes NUL in it."""
    if schema.get("type") == "string" and "pattern" not in schema:
        schema["pattern"] = NO_NUL
    if schema.get("type") == "object" and isinstance(schema.get("additionalProperties"), dict):
        schema.setdefault("propertyNames", {}).setdefault("pattern", NO_NUL)
    for value in schema.values():
        for node in value if isinstance(value, list) else [value]:
            if isinstance(node, dict):
                _document_no_nul(node)


class Strict(BaseModel):
    """What clients send: unknown fields refused, and no text a database cannot store."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_document_no_nul)

    @field_validator("*", mode="after")
    @classmethod
    def _storable_text(cls, value: Any) -> Any:
        if (why := unstorable_text(value)) is not None:
            raise PydanticCustomError("unstorable_text", why)
        return value


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: list[Any] = []


class ErrorBody(BaseModel):
    error: ErrorDetail


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    pageIndex: int
    pageSize: int


# --- assistants -------------------------------------------------------------------


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


class AssistantFields(Strict):
    """Fields shared by create and update; every one is versioned."""

    scene: Literal["outbound_collect", "outbound_notice", "inbound_knowledge"] | None = None
    speakerId: Annotated[int, Field(ge=1, le=2**31)] | None = None
    listenerId: Annotated[int, Field(ge=1, le=2**31)] | None = None
    welcome: ShortText | None = None
    language: Annotated[
        Literal["zh", "en"] | None,
        Field(description="the language spoken and heard; default: English for a plain-ASCII "
              "welcome, else Mandarin"),
    ] = None
    prompt: LongText | None = None
    objective: ShortText | None = None
    collect: Annotated[list[CollectItem], Field(max_length=50)] | None = None
    knowledge: LongText | None = None
    hotWords: Annotated[list[HotWord], Field(max_length=200)] | None = None
    llmId: Annotated[int, Field(ge=0, le=2**31)] | None = None
    timeZone: ZoneName | None = None
    interruption: Interruption | None = None


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


# --- tasks ------------------------------------------------------------------------

# Integers in task and number-file bodies are JSON integers: "5", 5.0 and true are 422
# (pydantic's strict mode), not quietly 5 and 1.
ColumnIndex = Annotated[int, Field(strict=True, ge=0, le=199)]
TaskRefId = Annotated[int, Field(strict=True, ge=1, le=2**53)]


class TaskOptionFields(Strict):
    startDate: DateText | None = None
    startTime: Windows | None = None
    retryCount: Annotated[int, Field(strict=True, ge=0, le=10)] | None = None
    retryInterval: Annotated[int, Field(strict=True, ge=1, le=10_080)] | None = None
    weeks: Weekdays | None = None
    endDate: DateText | None = None
    timeZone: ZoneName | None = None
    concurrency: Annotated[int, Field(strict=True, ge=1, le=1000)] | None = None


class TaskOptionCreate(TaskOptionFields):
    numberFileMeta: dict[Annotated[str, Field(min_length=1, max_length=50)], ColumnIndex] = {}
    # each file once (a repeated id is 422, from domain.options)
    numbers: Annotated[list[TaskRefId], Field(max_length=100)] = []
    startDate: DateText
    startTime: Windows


class TaskOptionUpdate(TaskOptionFields):
    numberFileMeta: dict[str, ColumnIndex] | None = None
    numbers: list[TaskRefId] | None = None


def _task_create_schema(schema: dict[str, Any], *_: Any) -> None:
    _document_no_nul(schema)
    schema["anyOf"] = [{"required": ["assistantId"]}, {"required": ["assistantVid"]}]


class TaskCreate(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra=_task_create_schema,
    )

    name: Name
    assistantId: TaskRefId | None = None
    assistantVid: TaskRefId | None = None
    option: TaskOptionCreate


class TaskUpdate(Strict):
    name: Name | None = None
    option: TaskOptionUpdate | None = None


class TaskStatusUpdate(Strict):
    status: Literal["running", "stop.operate"]


class TaskOption(BaseModel):
    numberFileMeta: dict[str, int]
    numbers: list[int]
    startDate: str
    startTime: list[list[str]]
    retryCount: int
    retryInterval: int
    weeks: list[int]
    endDate: str | None
    timeZone: str
    concurrency: int


class TaskPublic(BaseModel):
    id: int
    createdAt: str
    updatedAt: str
    name: str
    status: Literal["pending", "running", "stop.operate", "stop.timeout", "stop.abnormal", "done"]
    total: int
    progress: int
    collectionRate: int
    option: TaskOption
    summary: str
    suggestion: str
    assistantVid: int
    assistant: TaskAssistant
    stopReason: str | None
    rejected: int


class NumberRow(BaseModel):
    model_config = ConfigDict(extra="allow")


# One JSON number: the same bounds as a file row (column names as in numberFileMeta,
# cells up to reader.MAX_CELL_CHARS, at most reader.MAX_COLUMNS columns).
NumberItem = Annotated[
    dict[
        Annotated[str, Field(min_length=1, max_length=50)],
        Annotated[str, Field(max_length=10_000)] | Annotated[int, Field(strict=True)],
    ],
    Field(max_length=200),
]


class TaskNumbersAdd(Strict):
    numbers: Annotated[list[NumberItem], Field(min_length=1)]


class NumbersAdded(BaseModel):
    count: int
    rejected: int


class RejectPublic(BaseModel):
    row: int
    fileId: int | None
    value: str
    reason: Literal["invalid", "duplicate", "blocked"]
    detail: str


class TaskNumberPublic(BaseModel):
    id: int
    phone: str
    name: str
    note: str
    variables: dict[str, Any]
    row: int
    fileId: int | None
    state: str
    attempts: int
    lastOutcome: str | None
    nextAttemptAt: str | None
    collected: list[dict[str, Any]]


class ResultCount(BaseModel):
    result: str
    total: int
    percent: int


class QuestionOverview(BaseModel):
    question: str
    total: int
    option: list[str]
    results: list[ResultCount]


class TaskStatistics(BaseModel):
    totalNum: int
    pendingNum: int
    callingNum: int
    calledNum: int
    calledAnsweredNum: int
    calledUnAnsweredNum: int
    overview: list[QuestionOverview]


# --- number files -----------------------------------------------------------------


class NumberFilePublic(BaseModel):
    id: int
    name: str
    rows: int
    columns: list[str]
    preview: list[list[str]]
    createdAt: str
    kind: str
    encoding: str | None
    size: int


# --- calls ------------------------------------------------------------------------


class CallAssistant(BaseModel):
    id: int
    vid: int


class CallCollect(BaseModel):
    question: str
    hit: bool
    result: str


class CallPublic(BaseModel):
    sessionId: str
    taskId: int | None
    taskItemId: int | None
    startAt: str
    answerAt: str | None
    endAt: str | None
    callee: str
    caller: str
    direction: str
    duration: int
    billsec: int
    ringTime: int
    recordFile: str
    assistant: list[CallAssistant]
    hangupReason: str | None
    hangupSide: str | None
    rounds: int
    intentLevel: str | None
    collect: list[CallCollect]
    summary: str
    description: str
    extra: dict[str, Any]


class CallTraceItem(BaseModel):
    sessionId: str
    event: str
    content: str
    elapsedMillSeconds: int
    dialogID: str
    createdAt: str


# --- webhooks and block list ------------------------------------------------------

WebhookEvent = Literal["task.call.end", "task.call.collect", "task.end"]


class WebhookCreate(Strict):
    url: Annotated[
        str,
        StringConstraints(min_length=8, max_length=2048),
        Field(json_schema_extra={"pattern": r"^https?://[^\s/?#@\x00]+([/?#][^\s\x00]*)?$"}),
    ]
    events: Annotated[list[WebhookEvent], Field(min_length=1, max_length=3)] = [
        "task.call.end",
        "task.call.collect",
        "task.end",
    ]
    authorization: Annotated[str, Field(max_length=512)] = ""
    secret: Annotated[str, StringConstraints(min_length=16, max_length=128)] | None = None


class WebhookPublic(BaseModel):
    id: int
    url: str
    events: list[str]
    hasAuthorization: bool
    createdAt: str


class WebhookCreated(WebhookPublic):
    secret: str


class WebhookDeliveryPublic(BaseModel):
    id: int  # the `X-Voxdial-Delivery` header's value
    event: str
    status: Literal["pending", "retrying", "delivered", "failed", "dropped"]
    attempts: int
    lastStatus: int | None  # the receiver's last HTTP status
    lastError: str  # why the last attempt failed; never the URL or a credential
    createdAt: str
    nextAttemptAt: str | None  # null once finished with
    finishedAt: str | None  # delivered, given up or dropped


class BlocklistAdd(Strict):
    numbers: Annotated[
        list[Annotated[str, Field(max_length=64)]], Field(min_length=1, max_length=10_000)
    ]
    reason: Annotated[str, Field(max_length=200)] = ""


class BlocklistRemove(Strict):
    numbers: Annotated[
        list[Annotated[str, Field(max_length=64)]], Field(min_length=1, max_length=10_000)
    ]


class InvalidValue(BaseModel):
    index: int
    value: str
    reason: str


class BlocklistChanged(BaseModel):
    count: int
    invalid: list[InvalidValue]


class BlockedPublic(BaseModel):
    id: int
    phone: str
    reason: str
    createdAt: str
