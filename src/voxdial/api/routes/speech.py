"""The voices and ASR models an assistant can use."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from voxdial.api.deps import PrincipalDep
from voxdial.api.schemas import Listener, Speaker
from voxdial.voice.catalog import LISTENERS, SPEAKERS

router = APIRouter(tags=["speech"])


@router.get("/speakers", response_model=list[Speaker])
def list_speakers(_: PrincipalDep) -> Any:
    """TTS voices of this installation (`speakerId`)."""
    return [vars(s) for s in SPEAKERS]


@router.get("/listeners", response_model=list[Listener])
def list_listeners(_: PrincipalDep) -> Any:
    """ASR models of this installation (`listenerId`)."""
    return [vars(x) for x in LISTENERS]
