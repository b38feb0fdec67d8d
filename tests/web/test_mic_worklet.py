"""The console's microphone worklet (web/static/mic-worklet.js) in Chromium: an offline
audio context at 48 or 44.1 kHz renders a tone through it, and the 16 kHz frames it
posts are measured: 20 ms frames, a tone below 7 kHz passes at its level and pitch, a
tone the 16 kHz rate cannot carry (10 kHz, which would alias to 6 kHz) is filtered out.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.web.browser import ARGS, CHROMIUM, Watch, need_browser, serve

pytestmark = pytest.mark.browser

AMPLITUDE = 0.5
RENDER = """async ([rate, freq, amplitude]) => {
  const ctx = new OfflineAudioContext(1, rate, rate);  // one second
  await ctx.audioWorklet.addModule("/static/mic-worklet.js");
  const node = new AudioWorkletNode(ctx, "mic-pcm", {
    numberOfInputs: 1, numberOfOutputs: 1, channelCount: 1,
    processorOptions: { rate: 16000 } });
  const frames = [];
  node.port.onmessage = (e) => frames.push(Array.from(new Int16Array(e.data)));
  const tone = ctx.createOscillator();
  tone.frequency.value = freq;
  const gain = ctx.createGain();
  gain.gain.value = amplitude;
  tone.connect(gain).connect(node);
  node.connect(ctx.destination);
  tone.start();
  await ctx.startRendering();
  // the frames posted during rendering arrive as tasks on this thread
  for (let i = 0; i < 100 && frames.length < 49; i++) await new Promise((r) => setTimeout(r, 20));
  return frames;
}"""


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    need_browser()
    from playwright.sync_api import sync_playwright

    with serve(tmp_path_factory.mktemp("serve")) as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        watch = Watch(page, server["base"])
        page.goto(server["base"] + "/login")
        yield page
        watch.check("worklet")
        browser.close()


def render(page, rate: int, freq: float) -> np.ndarray:
    frames = page.evaluate(RENDER, [rate, freq, AMPLITUDE])
    assert len(frames) in (49, 50), len(frames)  # a second at 16 kHz, less the filter's delay
    assert {len(f) for f in frames} == {320}  # 20 ms each
    return np.concatenate([np.asarray(f, np.float64) for f in frames])


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(x**2)))


@pytest.mark.parametrize("rate", [48000, 44100])
@pytest.mark.parametrize(
    ("freq", "within"),
    # the telephone band within 3 %; 6 kHz within 10 % (at 44.1 kHz the linear
    # interpolation between filtered samples takes 5 % off there)
    [(300.0, 0.03), (1000.0, 0.03), (3400.0, 0.03), (6000.0, 0.10)],
)
def test_speech_frequencies_pass_at_their_level_and_pitch(page, rate, freq, within):
    pcm = render(page, rate, freq)[400:]  # past the filter's start
    expected = AMPLITUDE * 32767 / np.sqrt(2)
    assert rms(pcm) == pytest.approx(expected, rel=within)
    spectrum = np.abs(np.fft.rfft(pcm * np.hanning(len(pcm))))
    peak = np.argmax(spectrum) * 16000 / len(pcm)
    assert peak == pytest.approx(freq, abs=16000 / len(pcm) * 1.5)


@pytest.mark.parametrize("rate", [48000, 44100])
@pytest.mark.parametrize("freq", [9000.0, 10000.0, 14000.0])
def test_what_16_khz_cannot_carry_is_filtered_not_aliased(page, rate, freq):
    pcm = render(page, rate, freq)[400:]
    passed = AMPLITUDE * 32767 / np.sqrt(2)
    assert rms(pcm) < passed * 0.01  # 40 dB down
