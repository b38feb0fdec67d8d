"""Debug calls: a text conversation with an assistant, recorded as a `privateTest` call."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from voxdial.api.deps import PrincipalDep, StateDep
from voxdial.api.routes.paging import PathId
from voxdial.api.schemas import Strict
from voxdial.conversation.engine import Action
from voxdial.errors import Conflict
from voxdial.store import assistants as repo

router = APIRouter(tags=["assistants"])


class DebugTurn(Strict):
    sessionId: Annotated[str, Field(min_length=1, max_length=40)] | None = None
    text: Annotated[str, Field(max_length=2000)] | None = None
    name: Annotated[str, Field(max_length=100)] = ""
    variables: Annotated[
        dict[Annotated[str, Field(max_length=50)], Annotated[str, Field(max_length=500)]],
        Field(max_length=50),
    ] = {}


class DebugAction(BaseModel):
    kind: str
    text: str
    question: str
    result: str
    hit: bool
    at: str | None


class DebugCollect(BaseModel):
    question: str
    hit: bool
    result: str
    message: str


class DebugReply(BaseModel):
    sessionId: str
    reply: str
    actions: list[DebugAction]
    finished: bool
    collected: list[DebugCollect]


def _action(a: Action) -> dict[str, Any]:
    return {
        "kind": str(a.kind),
        "text": a.text,
        "question": a.question,
        "result": a.result,
        "hit": a.hit,
        "at": a.at.isoformat() if a.at else None,
    }


@router.post("/assistants/{assistantId}/debug", response_model=DebugReply)
async def debug_assistant(
    assistantId: PathId, body: DebugTurn, p: PrincipalDep, state: StateDep
) -> Any:
    """Talk to an assistant in text: no sessionId starts a session (the reply is the
    opening); then send the callee's words (`text`, empty for silence)."""
    return await run_in_threadpool(_turn, assistantId, body, p, state)


def _turn(assistant_id: int, body: DebugTurn, p, state) -> dict[str, Any]:
    sessions = state.debug_sessions
    if body.sessionId is None:
        with state.db.session() as s:
            a, v, _ = repo.get_current(s, workspace_id=p.workspace_id, assistant_id=assistant_id)
        if a.deleted_at is not None:
            raise Conflict(f"assistant {assistant_id} is deleted")
        turn = sessions.start(
            workspace_id=p.workspace_id,
            assistant=a,
            version=v,
            variables=body.variables,
            name=body.name,
            time_zone=p.time_zone,
        )
    else:
        turn = sessions.hear(
            body.sessionId, body.text, workspace_id=p.workspace_id, assistant_id=assistant_id
        )
    return {
        "sessionId": turn.session_id,
        "reply": " ".join(a.text for a in turn.actions if a.kind == "say"),
        "actions": [_action(a) for a in turn.actions],
        "finished": turn.finished,
        "collected": [
            {"question": c.question, "hit": c.hit, "result": c.result, "message": c.message}
            for c in turn.collected
        ],
    }
