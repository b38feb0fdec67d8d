"""`pageIndex` (from 1) and `pageSize` (default 10, max 100)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Path, Query


@dataclass(frozen=True)
class Paging:
    index: int
    size: int

    @property
    def offset(self) -> int:
        return (self.index - 1) * self.size

    def page(self, items: list[Any], total: int) -> dict[str, Any]:
        return {"items": items, "total": total, "pageIndex": self.index, "pageSize": self.size}


def paging(
    pageIndex: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    pageSize: Annotated[int, Query(ge=1, le=100)] = 10,
) -> Paging:
    return Paging(pageIndex, pageSize)


PagingDep = Annotated[Paging, Depends(paging)]


# Ids in paths: positive and within what both databases store (else 422, never a 500).
PathId = Annotated[int, Path(ge=1, le=2**53, description="id")]
