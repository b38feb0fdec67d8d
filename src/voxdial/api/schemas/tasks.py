"""Wire shapes of tasks, their options, numbers, rejects and statistics."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
)

from voxdial.api.schemas.assistants import TaskAssistant
from voxdial.api.schemas.base import (
    DateText,
    Name,
    Strict,
    Weekdays,
    Windows,
    ZoneName,
    _document_no_nul,
)

# Integers in task and number-file bodies are JSON integers: "5", 5.0 and true are 422
# (pydantic's strict mode), not quietly 5 and 1.
# A numberFileMeta column: 0-based, or -1 for "no such column" (what the task detail
# shows for 号码, 备注 or 姓名 when the mapping lacks it, so a detail can be sent back).
ColumnIndex = Annotated[int, Field(strict=True, ge=-1, le=199)]
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


class NumberFileMetaPublic(BaseModel):
    """Column name -> 0-based column index in the task's number files; 号码, 备注 and
    姓名 always, -1 when the mapping has no such column (a task whose numbers all came
    as JSON has no mapping: all three are -1)."""

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
        json_schema_extra={"additionalProperties": {"type": "integer"}},
    )

    phone: int = Field(alias="号码")
    note: int = Field(alias="备注")
    name: int = Field(alias="姓名")


class TaskOption(BaseModel):
    numberFileMeta: NumberFileMetaPublic
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
