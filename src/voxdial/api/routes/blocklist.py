"""The workspace block list: numbers that must never be called."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite

from voxdial.api import render
from voxdial.api.deps import PrincipalDep, SessionDep, StateDep
from voxdial.api.routes.paging import PagingDep
from voxdial.api.schemas import BlockedPublic, BlocklistAdd, BlocklistChanged, BlocklistRemove, Page
from voxdial.domain.phone import InvalidPhone, PhoneNormalizer
from voxdial.errors import Unprocessable
from voxdial.store.models import BlockedNumber, utcnow

router = APIRouter(tags=["block list"])


def _normalize_all(normalizer: PhoneNormalizer, values: list[str]) -> tuple[list[str], list[dict]]:
    good: list[str] = []
    invalid: list[dict] = []
    for i, value in enumerate(values):
        try:
            e164 = normalizer.normalize(value)
        except InvalidPhone as e:
            invalid.append({"index": i, "value": value[:64], "reason": e.reason})
            continue
        if e164 not in good:
            good.append(e164)
    return good, invalid


@router.post("/blocklist", response_model=BlocklistChanged)
def add_blocked_numbers(body: BlocklistAdd, p: PrincipalDep, s: SessionDep, state: StateDep) -> Any:
    """Add numbers to the block list; invalid ones are listed and nothing else changes for them."""
    good, invalid = _normalize_all(state.normalizer, body.numbers)
    added = 0
    if good:
        dialect = sqlite if s.get_bind().dialect.name == "sqlite" else postgresql
        stmt = dialect.insert(BlockedNumber.__table__).on_conflict_do_nothing()
        added = len(
            s.execute(
                stmt.returning(BlockedNumber.id),
                [
                    {
                        "workspace_id": p.workspace_id,
                        "phone": e,
                        "reason": body.reason,
                        "created_at": utcnow(),
                    }
                    for e in good
                ],
            ).all()
        )
        s.commit()
    return {"count": added, "invalid": invalid}


@router.get("/blocklist", response_model=Page[BlockedPublic])
def list_blocked_numbers(
    p: PrincipalDep,
    s: SessionDep,
    state: StateDep,
    page: PagingDep,
    phone: Annotated[str | None, Query(max_length=64)] = None,
) -> Any:
    """The block list, newest first; `phone` looks one number up."""
    where = [BlockedNumber.workspace_id == p.workspace_id]
    if phone:
        try:
            where.append(BlockedNumber.phone == state.normalizer.normalize(phone))
        except InvalidPhone as e:
            raise Unprocessable(f"phone: not a valid phone number ({e.reason})") from e
    total = s.execute(select(func.count()).select_from(BlockedNumber).where(*where)).scalar_one()
    rows = s.execute(
        select(BlockedNumber)
        .where(*where)
        .order_by(BlockedNumber.id.desc())
        .offset(page.offset)
        .limit(page.size)
    ).scalars()
    return page.page(
        [
            {
                "id": b.id,
                "phone": b.phone,
                "reason": b.reason,
                "createdAt": render.ts(b.created_at, p.time_zone),
            }
            for b in rows
        ],
        total,
    )


@router.delete("/blocklist", response_model=BlocklistChanged)
def remove_blocked_numbers(
    body: BlocklistRemove, p: PrincipalDep, s: SessionDep, state: StateDep
) -> Any:
    """Remove numbers from the block list."""
    good, invalid = _normalize_all(state.normalizer, body.numbers)
    removed = 0
    if good:
        removed = s.execute(
            delete(BlockedNumber).where(
                BlockedNumber.workspace_id == p.workspace_id, BlockedNumber.phone.in_(good)
            )
        ).rowcount
        s.commit()
    return {"count": removed, "invalid": invalid}
