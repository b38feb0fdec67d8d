"""Whisper decoding with the mel window fitted to the utterance, in batches.

faster-whisper pads every clip to Whisper's 30-second window (3,000 mel frames), so a
1-second "好的" costs as much encoder work as 30 seconds of speech. CTranslate2's
Whisper accepts any window up to 3,000 frames; here each batch is padded only to its
longest clip plus `margin_s` of silence, encoded once, and decoded with one `generate`
call for every clip in it (clips of several calls share the CPU's vector units).

What keeps the short window as accurate as the padded one (measured in
bench/asr_windows.py, figures in BENCHMARKS.md):
- timestamps stay on: without `<|notimestamps|>` the decoder marks where speech ends,
  and only segments that start before the clip's end are kept (a short window without
  timestamps makes the model repeat itself up to `max_length`);
- `max_length` is bounded by the clip's duration (tokens per second, plus a floor);
- a no-speech gate drops decodes of non-speech: Whisper's `no_speech_prob` above
  `no_speech_threshold` with an average log-probability below `logprob_threshold`
  (faster-whisper's own rule), so noise-only segments give "" instead of invented words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from voxdial.voice.audio import is_digital_silence
from voxdial.voice.base import SAMPLE_RATE, Pcm

HOP = 160  # samples per mel frame at 16 kHz
MAX_FRAMES = 3000  # Whisper's whole window: 30 s
SECONDS_PER_TIMESTAMP = 0.02
MIN_SAMPLES = SAMPLE_RATE // 10  # under 100 ms: nothing Whisper can read


@dataclass(frozen=True)
class WindowPolicy:
    """How a clip is windowed and when a decode counts as non-speech."""

    margin_s: float = 2.0
    tokens_per_second: float = 10.0
    min_tokens: int = 12
    no_speech_threshold: float = 0.6
    logprob_threshold: float = -1.0
    beam_size: int = 1
    # a clip whose every 32 ms frame Silero scores below this is not decoded at all
    vad_threshold: float = 0.5
    timestamps: bool = True  # decode with timestamps and keep segments inside the clip


@dataclass(frozen=True)
class Job:
    """One clip to decode: its audio, Whisper language code and prompt tokens."""

    audio: Pcm
    prompt: Sequence[int]


@dataclass(frozen=True)
class Decoded:
    tokens: list[int]
    no_speech_prob: float
    avg_logprob: float
    gated: bool  # dropped as non-speech
    # a weak decode, to be redone in the padded window: the decoder repeated itself (the
    # tail was cut) or named a time past its window
    weak: bool = False
    # (of a weak decode) it went round its words twice or more, and named no time past
    # its window: its first turn is what was said, repeated (`tokens` holds one turn)
    looped: bool = False


def batch_features(extractor, clips: Sequence[np.ndarray], *, margin_s: float) -> np.ndarray:
    """Log-mel features [batch, 80, frames] with every clip padded with silence to the
    batch's longest clip plus `margin_s`, rounded to an even frame count, at most 30 s."""
    longest = max(c.size for c in clips)
    samples = min(longest + int(margin_s * SAMPLE_RATE), MAX_FRAMES * HOP)
    frames = min(MAX_FRAMES, samples // HOP)
    frames -= frames % 2
    out = []
    for clip in clips:
        x = clip[:samples].astype(np.float32) * (1.0 / 32768.0)
        x = np.pad(x, (0, samples - x.size))
        mel = extractor(x, padding=0)
        mel = mel[:, :frames]
        if mel.shape[1] < frames:
            mel = np.pad(mel, ((0, 0), (0, frames - mel.shape[1])), mode="edge")
        out.append(mel)
    return np.ascontiguousarray(np.stack(out).astype(np.float32))


def max_length(prompt_len: int, clip_samples: int, policy: WindowPolicy) -> int:
    """The decode bound for a clip: what this much audio can say, plus the prompt."""
    seconds = clip_samples / SAMPLE_RATE
    return min(448, prompt_len + policy.min_tokens + int(seconds * policy.tokens_per_second))


def speech_tokens(tokens: Sequence[int], *, timestamp_begin: int, clip_seconds: float) -> list[int]:
    """The text tokens of segments that start before the clip ends (timestamp pairs
    delimit segments; what the model says about the silent margin is dropped)."""
    kept: list[int] = []
    current: list[int] = []
    start: float | None = None
    for t in tokens:
        if t >= timestamp_begin:
            at = (t - timestamp_begin) * SECONDS_PER_TIMESTAMP
            if start is None:
                start = at
            else:
                if start < clip_seconds:
                    kept.extend(current)
                current, start = [], None
        else:
            current.append(t)
    if current and (start is None or start < clip_seconds):
        kept.extend(current)
    return kept


def without_repeats(tokens: Sequence[int], *, partial: bool = True) -> list[int]:
    """`tokens` with a looping tail cut to one turn of the loop: a greedy decoder in a
    short window may restart the same words until `max_length` ("Please call. Please
    call. Please ca", or the whole sentence once more, cut short). The earliest position
    from which the rest repeats with some period keeps one period: the rest must hold
    two whole turns, or (`partial`) one turn and a partial one of at least three tokens
    and half the period; anything else is returned as is."""
    n = len(tokens)
    for start in range(n):
        rest = n - start
        for period in range(1, rest):
            tail = rest - period
            if tail < period and (not partial or tail < max(3, (period + 1) // 2)):
                continue
            if all(tokens[i] == tokens[i - period] for i in range(start + period, n)):
                return list(tokens[: start + period])
    return list(tokens)


def beyond_window(tokens: Sequence[int], *, timestamp_begin: int, window_seconds: float) -> bool:
    """Whether a decode names a time past the end of its window: the model lost its place
    ("<|0.00|> Please call Vox <|18.22|>" in a 4-second window), so what it said before
    is not to be trusted either."""
    limit = window_seconds + SECONDS_PER_TIMESTAMP
    return any(
        t >= timestamp_begin and (t - timestamp_begin) * SECONDS_PER_TIMESTAMP > limit
        for t in tokens
    )


def has_speech(audio: Pcm, threshold: float) -> bool:
    """Whether any 32 ms frame of `audio` sounds like speech to Silero VAD. Digital
    silence is not (and costs no model run). The detector is this thread's own, reset
    first: its state never carries over from another call's clip, and no clip pays for
    a new ONNX session."""
    from voxdial.voice.vad import thread_detector  # ONNX Runtime: loaded on first use

    if is_digital_silence(audio):
        return False
    detector = thread_detector()
    detector.reset()
    n = detector.frame_samples
    return any(detector.probability(audio[i : i + n]) >= threshold for i in range(0, audio.size, n))


def is_non_speech(no_speech_prob: float, avg_logprob: float, policy: WindowPolicy) -> bool:
    return no_speech_prob > policy.no_speech_threshold and avg_logprob < policy.logprob_threshold


def decode_batch(
    model, extractor, jobs: Sequence[Job], *, timestamp_begin: int, policy: WindowPolicy
) -> list[Decoded]:
    """Encode `jobs` as one batch and decode them with one `generate` call.

    `model` is a `ctranslate2.models.Whisper`; `extractor` faster-whisper's
    `FeatureExtractor`. Clips shorter than 100 ms decode to nothing."""
    import ctranslate2  # the engine faster-whisper runs on; loaded with the model

    live = [
        i
        for i, j in enumerate(jobs)
        if j.audio.size >= MIN_SAMPLES and has_speech(j.audio, policy.vad_threshold)
    ]
    results = [Decoded([], 1.0, 0.0, True) for _ in jobs]
    if not live:
        return results
    clips = [np.asarray(jobs[i].audio).reshape(-1) for i in live]
    features = batch_features(extractor, clips, margin_s=policy.margin_s)
    encoded = model.encode(ctranslate2.StorageView.from_array(features), to_cpu=False)
    prompts = [list(jobs[i].prompt) for i in live]
    longest = max(max_length(len(p), c.size, policy) for p, c in zip(prompts, clips, strict=True))
    window_seconds = features.shape[-1] * HOP / SAMPLE_RATE
    generated = model.generate(
        encoded,
        prompts,
        beam_size=policy.beam_size,
        max_length=longest,
        return_scores=True,
        return_no_speech_prob=True,
        suppress_blank=True,
        suppress_tokens=[-1],
    )
    for i, clip, prompt, g in zip(live, clips, prompts, generated, strict=True):
        bound = max_length(len(prompt), clip.size, policy) - len(prompt)
        tokens = list(g.sequences_ids[0])[:bound]
        # CTranslate2's score is the length-normalised log-probability; faster-whisper
        # turns it into the average over the tokens plus the end token the same way.
        avg = float(g.scores[0]) * len(tokens) / (len(tokens) + 1) if g.scores else 0.0
        gated = is_non_speech(float(g.no_speech_prob), avg, policy)
        seconds = clip.size / SAMPLE_RATE
        text: list[int] = []
        weak = looped = False
        if not gated:
            spoken = speech_tokens(tokens, timestamp_begin=timestamp_begin, clip_seconds=seconds)
            text = without_repeats(spoken)
            # a decode that went round twice is weak; one that began its sentence again
            # and was cut short keeps its first turn (redone padded, short clips fare
            # worse: "我觉得很满意" came back "我觉得很难以")
            looped = len(without_repeats(spoken, partial=False)) < len(spoken)
            lost = beyond_window(
                tokens, timestamp_begin=timestamp_begin, window_seconds=window_seconds
            )
            weak = looped or lost
            looped = looped and not lost
        results[i] = Decoded(text, float(g.no_speech_prob), avg, gated, weak, looped)
    return results
