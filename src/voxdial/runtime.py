"""The composition root: the one place that builds the carrier, the conversation engine
factory, the spoken-call runtime and the media-stream calls waiting for their socket.

`voxdial serve` builds one `Runtime` and hands it to both the API (`create_app`) and the
in-process dialer (`DialerThread`), so a call the dialer places on the `mediastream`
carrier is found by the API's websocket, and every speech model loads once per process.
`voxdial worker` builds its own and runs `run_dialer`. Nothing else constructs carriers,
engines or speech models; library code takes them as arguments.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from datetime import UTC, datetime

from voxdial.clock import SystemClock
from voxdial.conversation.engine import ConversationEngine
from voxdial.conversation.factory import make_engine
from voxdial.dialer.dialer import Dialer, DialerConfig
from voxdial.dialer.events import OutboxEvents
from voxdial.dialer.identity import hold_identity
from voxdial.dialer.pace import PaceConfig, SpokenPace
from voxdial.domain import attribution
from voxdial.inbound import InboundLimit, SipInbound
from voxdial.links import websocket_url
from voxdial.metrics import MeteredCarrier, Metrics, SpeechQueues, WebhookBacklog
from voxdial.settings import Settings
from voxdial.store.db import Database
from voxdial.telephony.base import Carrier
from voxdial.telephony.mediastream import MediaStreamCarrier, PendingCalls
from voxdial.telephony.personas import PERSONAS
from voxdial.telephony.sim import SimCarrier, SimConfig
from voxdial.voice.models import SpeechModels
from voxdial.voice.runtime import VoiceRuntime
from voxdial.voice.tuning import VoiceTuning
from voxdial.voice.turns import TurnTiming
from voxdial.webhooks import AddressPolicy
from voxdial.webhooks.delivery import WebhookDeliverer
from voxdial.webhooks.outbox import backlog

log = logging.getLogger("voxdial.runtime")

SPOKEN_CARRIERS = ("sip", "mediastream")  # carriers whose calls run a voice session


class Runtime:
    """What one process shares between its API and its dialer. Speech models load
    lazily (on a call's first use, or in `warm_voice`); the carrier is built on first use.
    Tests may replace `voice` (e.g. with tone-based fakes) before the first call."""

    def __init__(
        self,
        settings: Settings,
        *,
        pending: PendingCalls | None = None,
        voice: VoiceRuntime | None = None,
    ) -> None:
        self.settings = settings
        if settings.attribution_cache_dir is not None:
            attribution.use_cache_dir(settings.attribution_cache_dir)
        self.pending = pending if pending is not None else PendingCalls()
        # each workspace's share of the inbound calls, SIP and media stream together
        self.inbound = InboundLimit(settings.inbound_calls_per_workspace)
        self._voice = voice
        self._carrier: Carrier | None = None
        self._lock = threading.RLock()  # `carrier` builds a SIP carrier with `voice`
        # what /metrics shows (metrics.py); the webhook backlog is counted in `outbox_db`
        # (the API's database, or the dialer's), the spoken-call limit is `pace`'s
        self.metrics = Metrics()
        self.outbox_db: Database | None = None
        self.pace: SpokenPace | None = None
        self._spoken_lines = 0  # the dialer's spoken-call lines without a pace
        if voice is not None:
            voice.on_turn = self._turn_answered
        self._watch()

    def engine_for(self, config: dict) -> ConversationEngine:
        """The conversation engine of an assistant version's config (`llmId` picks it)."""
        return make_engine(config, settings=self.settings)

    @property
    def voice(self) -> VoiceRuntime:
        with self._lock:
            if self._voice is None:
                self._voice = voice_runtime(self.settings)
                self._voice.on_turn = self._turn_answered
            return self._voice

    @voice.setter
    def voice(self, value: VoiceRuntime) -> None:
        with self._lock:
            self._voice = value
            value.on_turn = self._turn_answered

    @property
    def carrier(self) -> Carrier:
        with self._lock:
            if self._carrier is None:
                self._carrier = make_carrier(self)
            return self._carrier

    def answer_calls(self) -> None:
        """With `VOXDIAL_SIP_ACCEPT_CALLS`, start the SIP endpoint now, so the numbers
        bound at /openapi/inbound-numbers ring before the first dialled call."""
        if self.settings.carrier == "sip" and self.settings.sip.accept_calls:
            start = getattr(self.carrier, "start", None)
            if start is not None:
                start()

    def stream_url(self, assistant_id: int) -> str:
        """Where the `mediastream` carrier's dialler connects a call's audio."""
        return websocket_url(self.settings.base_url(), assistant_id)

    def warm_voice(self) -> None:
        """Load every voice and ASR model this installation has (`voxdial serve` does it
        in the background at start, so the first spoken call does not wait for them)."""
        speech = self.voice.speech
        speech.warm(
            [s.id for s in speech.catalog.available_speakers()],
            [x.id for x in speech.catalog.available_listeners()],
        )
        log.info("speech models loaded")

    def _watch(self) -> None:
        """The figures read at scrape time. None of them builds the speech runtime."""
        m = self.metrics
        m.spoken_sessions.set_function(lambda: self._voice.talking if self._voice else 0)
        m.spoken_call_limit.set_function(
            lambda: self.pace.limit if self.pace is not None else self._spoken_lines
        )
        m.watch(SpeechQueues(self._speech_queues))
        m.watch(WebhookBacklog(self._webhook_backlog))

    def _speech_queues(self) -> list:
        queues = getattr(getattr(self._voice, "speech", None), "queues", None)
        return queues() if callable(queues) else []

    def _webhook_backlog(self) -> tuple[int, float] | None:
        """Deliveries waiting, and how long the earliest due of them has been due."""
        db = self.outbox_db
        if db is None:
            return None
        with db.session() as s:
            waiting, first_due = backlog(s)
        overdue = 0.0 if first_due is None else (datetime.now(UTC) - first_due).total_seconds()
        return waiting, max(0.0, overdue)

    def _turn_answered(self, timing: TurnTiming) -> None:
        """Each answered turn of a spoken call (any thread): its latency to the
        metrics, and to the dialer's pace."""
        latency = timing.latency
        if latency is None:
            return
        self.metrics.observe_turn(latency)
        pace = self.pace
        if pace is not None:
            pace.observe(latency)

    def spoken_pace(self, lines: int) -> SpokenPace | None:
        """The adaptive pace of `lines` spoken-call lines (dialer/pace.py): None off a
        spoken carrier, or with `dialer_pace_target_seconds` 0."""
        target = self.settings.dialer_pace_target_seconds
        if self.settings.carrier not in SPOKEN_CARRIERS or target <= 0:
            return None
        config = PaceConfig(target_s=target, period_s=self.settings.dialer_pace_period_seconds)
        return SpokenPace(lines, config=config, clock=time.monotonic)

    def line_limit(self, pace: SpokenPace) -> int:
        """The dialer's lines now, by `pace` (the spoken calls running held against it)."""
        return pace.current(running=self._voice.talking if self._voice else 0)

    def dialer_config(self) -> DialerConfig:
        """The dialer's policy. On a spoken carrier (SIP, media streams) its lines are
        kept within the worker's spoken-call capacity, so extra numbers wait their turn
        instead of being dialled and dropped."""
        config = dialer_config(self.settings, self.carrier)
        if self.settings.carrier in SPOKEN_CARRIERS:
            config.max_lines = self.voice.reserve(config.max_lines)
        return config

    async def run_dialer(self, stop: asyncio.Event) -> None:
        """The dialer and the webhook deliverer, until `stop` is set. The dialer keeps
        this machine's worker name across restarts (dialer/identity.py)."""
        held = hold_identity(self.settings.data_dir, self.settings.worker_name)
        db = Database(self.settings.database_url)
        counts_outbox = self.outbox_db is None  # `voxdial worker`: no API counts it
        if counts_outbox:
            self.outbox_db = db
        try:
            # webhooks carry the numbers' 归属地: load its data before calls end
            await asyncio.to_thread(attribution.preload)
            config = self.dialer_config()
            pace = self.pace = self.spoken_pace(config.max_lines)
            if self.settings.carrier in SPOKEN_CARRIERS:
                self._spoken_lines = config.max_lines
            dialer = Dialer(
                db,
                carrier=MeteredCarrier(self.carrier, self.metrics),
                clock=SystemClock(),
                config=config,
                on_event=OutboxEvents(base_url=self.settings.base_url()),
                engine_for=self.engine_for,
                line_limit=None if pace is None else lambda: self.line_limit(pace),
                identity=held.identity,
            )
            deliverer = WebhookDeliverer(
                db,
                worker_id=dialer.worker_id,
                policy=AddressPolicy.from_text(self.settings.webhook_allow_networks),
                max_attempts=self.settings.webhook_max_attempts,
            )
            log.info(
                "dialer started",
                extra={"worker_id": dialer.worker_id, "generation": dialer.generation},
            )
            await asyncio.gather(dialer.run(stop), deliverer.run(stop))
        finally:
            if counts_outbox:
                self.outbox_db = None
            self.pace, self._spoken_lines = None, 0
            db.dispose()
            held.release()


def make_carrier(runtime: Runtime) -> Carrier:
    """The carrier `VOXDIAL_CARRIER` names, wired to this runtime."""
    settings = runtime.settings
    if settings.carrier == "sim":
        config = SimConfig(
            seed=settings.sim_seed, talk_seconds_per_char=settings.sim_talk_seconds_per_char
        )
        if settings.sim_personas:
            config.personas = parse_weights(settings.sim_personas)
        return SimCarrier(config)
    if settings.carrier == "mediastream":
        if not settings.mediastream_dial_url:
            raise ValueError("VOXDIAL_CARRIER=mediastream needs VOXDIAL_MEDIASTREAM_DIAL_URL")
        return MediaStreamCarrier(
            dial_url=settings.mediastream_dial_url,
            stream_url=runtime.stream_url,
            pending=runtime.pending,
            answer_timeout=settings.mediastream_answer_timeout,
            max_call_seconds=settings.voice_max_call_seconds + 60,
        )
    if settings.carrier == "sip":
        # the SIP stack is a native library with a process-wide endpoint, and sip.py
        # loads the answer detector's phrase tables (pypinyin: seconds): imported only
        # when this process places SIP calls.
        from voxdial.telephony.sip import SipCarrier, SipConfig

        carrier = SipCarrier(SipConfig.from_settings(settings), runtime.voice)
        if settings.sip.accept_calls:  # the same endpoint answers the bound numbers
            carrier.incoming = SipInbound(
                settings,
                voice=lambda: runtime.voice,
                engine_for=runtime.engine_for,
                limit=runtime.inbound,
            )
        return carrier
    raise ValueError(f"unknown carrier {settings.carrier!r}; this build has: sim, mediastream, sip")


def voice_runtime(settings: Settings) -> VoiceRuntime:
    tuning = VoiceTuning(
        pause_ms=settings.voice_pause_ms,
        end_silence_ms=settings.voice_end_silence_ms,
        no_reply_seconds=settings.voice_no_reply_seconds,
        max_call_seconds=settings.voice_max_call_seconds,
        stream_replies=settings.voice_stream_replies,
    )
    return VoiceRuntime(
        SpeechModels(settings),
        settings.data_dir / "recordings",
        tuning,
        capacity=settings.voice_max_sessions,
        answer_detection=settings.voice_answer_detection,
    )


def parse_weights(text: str) -> dict[str, float]:
    """`"cooperative=3,refuses=1"` -> {"cooperative": 3.0, "refuses": 1.0}."""
    weights: dict[str, float] = {}
    for part in text.split(","):
        name, _, weight = part.strip().partition("=")
        if name not in PERSONAS:
            raise ValueError(f"VOXDIAL_SIM_PERSONAS: unknown persona {name!r}")
        weights[name] = float(weight or 1)
    return weights


def dialer_config(settings: Settings, carrier: Carrier | None = None) -> DialerConfig:
    """The dialer's policy; its line cap is at most what the carrier holds (a SIP
    carrier's `lines`: VOXDIAL_SIP_MAX_CALLS, or the dialer's lines)."""
    lines = settings.dialer_max_lines
    held = getattr(carrier, "lines", None)
    if held is not None and lines > held:
        log.warning(
            "the %s carrier holds %d calls at once; the dialer uses %d lines, not %d",
            carrier.name if carrier else "",
            held,
            held,
            lines,
        )
        lines = held
    return DialerConfig(
        tick_seconds=settings.dialer_tick_seconds,
        max_lines=lines,
        calls_per_second=settings.dialer_calls_per_second,
        lease_seconds=settings.dialer_lease_seconds,
        daily_cap=settings.daily_call_cap,
        breaker_threshold=settings.breaker_threshold,
        caller_id=settings.caller_id,
    )


class DialerThread:
    """Runs a runtime's dialer on its own event loop in a thread, beside the API server."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._main, name="voxdial-dialer", daemon=True)
        self._ready = threading.Event()

    def start(self) -> None:
        self._thread.start()
        self._ready.wait(10)

    def _main(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._stop = asyncio.Event()
        self._ready.set()
        try:
            self._loop.run_until_complete(self.runtime.run_dialer(self._stop))
        finally:
            self._loop.close()

    def stop(self, timeout: float = 30) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout)
