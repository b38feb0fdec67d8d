"""The voices and ASR models an assistant can use."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from voxdial.api.deps import PrincipalDep, StateDep
from voxdial.api.schemas import Listener, Speaker
from voxdial.voice.catalog import Catalog

router = APIRouter(tags=["speech"])


@router.get("/speakers", response_model=list[Speaker])
def list_speakers(_: PrincipalDep, state: StateDep) -> Any:
    """TTS voices of this installation (`speakerId`): only those whose model is here."""
    return [s.public() for s in Catalog.from_settings(state.settings).available_speakers()]


@router.get("/listeners", response_model=list[Listener])
def list_listeners(_: PrincipalDep, state: StateDep) -> Any:
    """ASR models of this installation (`listenerId`): only those whose model is here."""
    return [x.public() for x in Catalog.from_settings(state.settings).available_listeners()]
