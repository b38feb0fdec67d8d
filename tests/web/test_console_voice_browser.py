"""Trying an assistant by voice in the browser, as an operator does: Chromium (Debian's,
headless) with a fake microphone that plays a WAV of the callee's answer, said by the
suite's piper voice, against a real `voxdial serve` with the real speech models.

The operator creates an English assistant (piper speaks, Whisper tiny.en listens) and
starts a voice call on its page: the page gets a one-call token from the console, sends
the microphone's audio (downsampled on the audio thread) over the assistant's websocket
and plays its voice back; the transcript shows the assistant's welcome and the callee's
recognised words as they come. After hanging up, the call's page plays its recording:
the audio element loads with a duration, and a transcript line seeks it. No console
error, no request or socket to any other host; screenshots to tests/screenshots/.
"""

from __future__ import annotations

import re
import wave

import numpy as np
import pytest

from tests.support.speech import PIPER_SPEAKER, TINY_EN_LISTENER, spoken
from tests.web.browser import ARGS, CHROMIUM, Watch, need_browser, serve, shot, sign_in
from voxdial.voice.base import SAMPLE_RATE

pytestmark = [pytest.mark.browser, pytest.mark.speech, pytest.mark.timeout(300)]

REPLY = "Yes, I am very happy."


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    need_browser()
    with serve(tmp_path_factory.mktemp("serve")) as running:
        yield running


def callee_wav(path) -> None:
    """The fake microphone's input: quiet, the answer, quiet. Chromium loops it, so the
    callee says it again every few seconds, whenever the assistant asks."""
    quiet = np.zeros(int(2.5 * SAMPLE_RATE), np.int16)
    audio = np.concatenate([quiet, spoken(PIPER_SPEAKER, REPLY), quiet])
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(audio.astype("<i2").tobytes())


def test_an_operator_tries_an_assistant_by_voice_and_plays_the_call(server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    base = server["base"]
    microphone = tmp_path / "callee.wav"
    callee_wav(microphone)
    flags = [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={microphone}",
    ]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS + flags)
        context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US")
        context.grant_permissions(["microphone"], origin=base)
        context.set_default_timeout(30_000)
        page = context.new_page()
        watch = Watch(page, base)
        sign_in(page, server)

        # an English assistant
        page.goto(base + "/assistants/new")
        page.get_by_label("Name", exact=True).fill("Service check")
        page.get_by_label("Language").select_option("en")
        page.get_by_label("Voice (speaker)").select_option(str(PIPER_SPEAKER))
        page.get_by_label("Speech recognition (listener)").select_option(str(TINY_EN_LISTENER))
        page.get_by_role("textbox", name="Welcome", exact=True).fill(
            "Hi, this is Ava from StarNet."
        )
        page.get_by_label("Questions and answers").fill(
            "Are you happy with our service? | Yes, No\n"
            "Which day suits you for a visit? | Monday, Tuesday, Wednesday, Thursday, Friday"
        )
        page.get_by_role("button", name="Create assistant").click()
        expect(page.get_by_role("heading", name="Service check")).to_be_visible()
        watch.check("new assistant")

        # the voice call: the welcome, then what the microphone said, live
        page.get_by_role("button", name="Start a voice call").click()
        transcript = page.get_by_role("list", name="Voice call transcript")
        speaking = page.get_by_text("The assistant is speaking.")
        # its voice: queued in the page's audio context as it comes, and played
        expect(speaking).to_be_visible(timeout=120_000)
        expect(transcript.locator("li.assistant").first).to_contain_text("Ava from StarNet")
        expect(page.get_by_text("On the call: speak when the assistant asks.")).to_be_visible()
        expect(transcript.locator("li.callee").first).to_contain_text(
            re.compile("happy", re.I), timeout=120_000
        )
        shot(page, "assistant-voice")
        watch.check("voice call")

        page.get_by_role("button", name="Hang up").click()
        expect(page.get_by_text("The call ended.")).to_be_visible(timeout=60_000)
        expect(transcript).to_contain_text("✓ Are you happy with our service? → Yes")
        expect(speaking).to_be_hidden(timeout=60_000)  # what was queued has played out
        page.get_by_role("link", name="Open the call and its recording").click()

        # its page: the recording loads, and a line of the transcript seeks it
        expect(page.get_by_role("heading", name="Call")).to_be_visible()
        expect(page.locator("li.callee .text").first).to_contain_text(re.compile("happy", re.I))
        page.wait_for_function(
            "() => { const a = document.getElementById('recording');"
            " return a && a.readyState >= 1 && a.duration > 0 && isFinite(a.duration); }"
        )
        duration = page.evaluate("document.getElementById('recording').duration")
        assert duration > 2.0, duration
        seek = page.locator("li.callee button.seek").first
        at = int(seek.get_attribute("data-seek")) / 1000
        assert 0 < at < duration
        seek.click()
        page.wait_for_function(
            "(at) => document.getElementById('recording').currentTime >= at", arg=at - 0.05
        )
        now = page.evaluate("document.getElementById('recording').currentTime")
        assert at - 0.05 <= now <= duration, (at, now, duration)
        shot(page, "call-recording")
        watch.check("call recording")
        browser.close()
