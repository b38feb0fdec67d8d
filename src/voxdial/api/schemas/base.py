"""Wire shapes shared by every resource: the strict request base, errors, pages, and
the field types (names, texts, ids, schedule fields).

Response models document the API (and are what schemathesis checks responses against);
the hot read paths build plain dicts in `render.py` that match them field for field.
"""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

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
