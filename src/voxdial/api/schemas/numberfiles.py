"""Wire shapes of number files."""

from __future__ import annotations

from pydantic import (
    BaseModel,
)


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
