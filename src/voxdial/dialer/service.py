"""Composition of a dialer process: database, carrier, clock and the loop, with a clean
stop on SIGTERM/SIGINT (worker) or from the API server's shutdown (serve)."""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

from voxdial.clock import SystemClock
from voxdial.conversation.factory import make_engine
from voxdial.dialer.dialer import Dialer, DialerConfig
from voxdial.dialer.events import OutboxEvents
from voxdial.settings import Settings
from voxdial.store.db import Database
from voxdial.telephony.base import Carrier
from voxdial.telephony.sim import SimCarrier, SimConfig
from voxdial.webhooks.delivery import WebhookDeliverer

log = logging.getLogger("voxdial.dialer")


def make_carrier(settings: Settings) -> Carrier:
    if settings.carrier == "sim":
        config = SimConfig(
            seed=settings.sim_seed, talk_seconds_per_char=settings.sim_talk_seconds_per_char
        )
        if settings.sim_personas:
            config.personas = parse_weights(settings.sim_personas)
        return SimCarrier(config)
    if settings.carrier == "mediastream":
        from voxdial.telephony.mediastream import MediaStreamCarrier

        if not settings.mediastream_dial_url:
            raise ValueError("VOXDIAL_CARRIER=mediastream needs VOXDIAL_MEDIASTREAM_DIAL_URL")
        return MediaStreamCarrier(
            dial_url=settings.mediastream_dial_url,
            base_url=settings.base_url(),
            answer_timeout=settings.mediastream_answer_timeout,
            max_call_seconds=settings.voice_max_call_seconds + 60,
        )
    if settings.carrier == "sip":
        from voxdial.telephony.sip import SipCarrier, SipConfig

        return SipCarrier(SipConfig.from_settings(settings), make_voice_runtime(settings))
    raise ValueError(f"unknown carrier {settings.carrier!r}; this build has: sim, mediastream, sip")


# settings object id -> (the settings, kept alive so the id stays theirs; the runtime)
_RUNTIMES: dict[int, tuple[Settings, Any]] = {}
_RUNTIMES_LOCK = threading.Lock()


def make_voice_runtime(settings: Settings) -> Any:
    """The spoken-call runtime of these settings: one per process (the API's websocket and
    the in-process dialer share it, so each model loads once). Models load lazily, on a
    call's first use, or in `warm_voice`."""
    with _RUNTIMES_LOCK:
        entry = _RUNTIMES.get(id(settings))
        if entry is None:
            entry = _RUNTIMES[id(settings)] = (settings, _voice_runtime(settings))
        return entry[1]


def warm_voice(settings: Settings) -> None:
    """Load every voice and ASR model this installation has (`voxdial serve` does it in
    the background at start, so the first spoken call does not wait for them)."""
    runtime = make_voice_runtime(settings)
    catalog = runtime.speech.catalog
    runtime.speech.warm(
        [s.id for s in catalog.available_speakers()],
        [x.id for x in catalog.available_listeners()],
    )
    log.info("speech models loaded")


def _voice_runtime(settings: Settings) -> Any:
    from voxdial.voice.models import SpeechModels
    from voxdial.voice.runtime import VoiceRuntime
    from voxdial.voice.tuning import VoiceTuning

    tuning = VoiceTuning(
        pause_ms=settings.voice_pause_ms,
        end_silence_ms=settings.voice_end_silence_ms,
        no_reply_seconds=settings.voice_no_reply_seconds,
        max_call_seconds=settings.voice_max_call_seconds,
    )
    return VoiceRuntime(SpeechModels(settings), settings.data_dir / "recordings", tuning)


def parse_weights(text: str) -> dict[str, float]:
    """`"cooperative=3,refuses=1"` -> {"cooperative": 3.0, "refuses": 1.0}."""
    from voxdial.telephony.personas import PERSONAS

    weights: dict[str, float] = {}
    for part in text.split(","):
        name, _, weight = part.strip().partition("=")
        if name not in PERSONAS:
            raise ValueError(f"VOXDIAL_SIM_PERSONAS: unknown persona {name!r}")
        weights[name] = float(weight or 1)
    return weights


def dialer_config(settings: Settings, carrier: Carrier | None = None) -> DialerConfig:
    """The dialer's policy; its line cap is at most what the carrier holds (a SIP carrier
    holds 4 calls per process: more lines mean more workers)."""
    lines = settings.dialer_max_lines
    held = getattr(carrier, "lines", None)
    if held is not None and lines > held:
        log.warning(
            "the %s carrier holds %d calls per process; the dialer uses %d lines, not %d",
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


async def run_worker(settings: Settings, stop: asyncio.Event) -> None:
    """The dialer and the webhook deliverer, until `stop` is set."""
    db = Database(settings.database_url)
    try:
        carrier = make_carrier(settings)
        dialer = Dialer(
            db,
            carrier=carrier,
            clock=SystemClock(),
            config=dialer_config(settings, carrier),
            on_event=OutboxEvents(base_url=settings.base_url()),
            engine_for=lambda config: make_engine(config, settings=settings),
        )
        deliverer = WebhookDeliverer(db, worker_id=dialer.worker_id)
        log.info("dialer started", extra={"worker_id": dialer.worker_id})
        await asyncio.gather(dialer.run(stop), deliverer.run(stop))
    finally:
        db.dispose()


class DialerThread:
    """Runs the dialer on its own event loop in a thread, beside the API server."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
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
            self._loop.run_until_complete(run_worker(self.settings, self._stop))
        finally:
            self._loop.close()

    def stop(self, timeout: float = 30) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout)
