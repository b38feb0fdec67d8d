"""Where a call's recording is filed: one stereo WAV per answered call, by date."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from pathlib import Path

from voxdial.voice.audio import Recording

log = logging.getLogger(__name__)


def recording_name(session_id: str, answered: datetime) -> str:
    """The WAV's path under the recordings folder: `YYYY/MM/DD/<session id>.wav`."""
    return f"{answered:%Y/%m/%d}/{session_id or uuid.uuid4().hex}.wav"


def save_recording(
    recording: Recording, directory: Path, *, session_id: str, answered: datetime
) -> str:
    """Write the call's WAV under `directory`; returns its name there ("" when nothing
    was heard or played, or the file could not be written)."""
    if recording.position == 0 and recording.speaking_until == 0:
        return ""
    name = recording_name(session_id, answered)
    try:
        recording.save(directory / name)
    except OSError:
        log.exception("could not save the recording of %s", session_id[:8])
        return ""
    return name
