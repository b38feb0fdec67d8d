"""Admission control: a worker never starts more spoken calls than it holds."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_media_socket import assistant, closed_with, start_event, use_tones, ws_path
from voxdial.runtime import Runtime
from voxdial.settings import Settings
from voxdial.voice.runtime import VoiceRuntime


def voice(capacity: int) -> VoiceRuntime:
    return VoiceRuntime(None, Path("/nonexistent"), capacity=capacity)


def test_inbound_calls_fit_beside_the_dialers_reserved_lines():
    v = voice(5)
    assert v.reserve(3) == 3
    assert [v.admit() for _ in range(3)] == [True, True, False]
    v.release()
    assert v.admit() is True
    assert v.reserve(50) == 5  # never more than the capacity
    assert v.admit() is False


def test_no_capacity_means_no_limit():
    v = voice(0)
    assert v.reserve(500) == 500
    assert all(v.admit() for _ in range(100))


@pytest.mark.parametrize(
    ("carrier", "lines", "capacity", "expected"),
    [
        ("mediastream", 200, 20, 20),  # spoken calls: the capacity bounds the lines
        ("mediastream", 8, 20, 8),
        ("sim", 200, 20, 200),  # simulated callees speak no audio
    ],
)
def test_the_dialers_lines_follow_the_spoken_capacity(tmp_path, carrier, lines, capacity, expected):
    settings = Settings(
        carrier=carrier,
        mediastream_dial_url="http://127.0.0.1:9/dial",
        dialer_max_lines=lines,
        voice_max_sessions=capacity,
        data_dir=tmp_path,
    )
    assert Runtime(settings).dialer_config().max_lines == expected


def test_a_burst_past_capacity_is_refused_with_a_clear_close(env, tmp_path):
    use_tones(env, tmp_path)
    voice = env.app.state.voxdial.runtime.voice
    voice.capacity = 2
    voice.active = 2  # two spoken calls already running
    a = assistant(env)
    codes = {
        closed_with(env.client, ws_path(a), start_event(a["websocketToken"])) for _ in range(3)
    }
    assert codes == {1013}
    assert voice.active == 2  # the refused sockets took no place
    voice.active = 0
    assert closed_with(env.client, ws_path(a), start_event("wrong")) == 1008
