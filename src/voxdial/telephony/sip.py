"""`SipCarrier`: calls through a SIP trunk or PBX with pjsua2, the answered ones spoken.

pjsua2 wants one thread. A `SipCarrier` owns a `_SipThread` that creates the pjsua2
`Endpoint` (null sound device, no pjsua worker threads), pumps `libHandleEvents` and runs
commands handed to it through a queue; every pjsua2 object is made, used and dropped on
that thread. The event loop talks to it through futures (`submit`) and hears back
through `loop.call_soon_threadsafe` (`_CallHandle`).

Audio: the conference bridge runs at 16 kHz and resamples each call's PCMA/PCMU stream
to it, so a call's `_LinePort` (an `AudioMediaPort` clocked by the null device's thread,
one 20 ms frame each way per tick) sees the same 16 kHz int16 audio as the rest of
voxdial. `SipLine` is the call as a `voxdial.voice.base.Line`: frames in through an
asyncio queue, assistant audio out through a playout buffer.

SIP only runs in real time: the injected clock stamps the result, the waits are real.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import ctypes
import itertools
import logging
import queue
import re
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from voxdial.conversation.engine import ConversationEngine
from voxdial.dialer.clock import Clock
from voxdial.domain.phone import mask
from voxdial.domain.status import HangupReason
from voxdial.logs import redact
from voxdial.telephony.base import CallResult, DialRequest
from voxdial.voice.base import FRAME_SAMPLES, SAMPLE_RATE, Line, Pcm

if TYPE_CHECKING:
    from voxdial.settings import Settings

try:
    import pjsua2 as pj
except ImportError:  # pragma: no cover - pjsua2-python is a dependency of the package
    pj = None

log = logging.getLogger("voxdial.sip")

# The most calls one pjsua can hold: PJSUA_MAX_CALLS, fixed when pjproject is compiled.
# The pjsua2-python wheel is built small: 4 (a fifth makeCall fails with PJ_ETOOMANY;
# tests/test_sip_carrier.py checks it). More lines: more `voxdial worker` processes.
PJSUA_MAX_CALLS = 4
_FRAME_BYTES = FRAME_SAMPLES * 2
_RX_QUEUE_FRAMES = 3000  # a minute of callee audio waiting for a slow reader
_COMMAND_SECONDS = 10.0  # bound on any one command on the SIP thread
_END_SECONDS = 40.0  # bound on the wait for a call to end once hung up (Timer B is 32 s)


@dataclass
class SipConfig:
    """Where and how to place calls (settings `VOXDIAL_SIP_*`)."""

    domain: str  # host[:port] calls go to: sip:<number>@<domain>
    registrar: str = ""  # e.g. "sip:pbx.example.com"; empty: no registration
    proxy: str = ""  # outbound proxy URI, e.g. "sip:proxy.example.com;lr"
    username: str = ""  # auth user (and the From user when set)
    password: str = ""
    caller_id: str = ""  # empty: each request's caller
    codecs: tuple[str, ...] = ("PCMA", "PCMU")  # in order of preference; others are off
    bind_host: str = "127.0.0.1"
    port: int = 0  # SIP UDP port; 0: any free port
    rtp_port_start: int = 0  # first RTP port; 0: pjsua's default (4000 up)
    dial_timeout_seconds: float = 45.0  # unanswered this long: cancelled, no answer
    max_calls: int = PJSUA_MAX_CALLS  # at most PJSUA_MAX_CALLS
    strip_plus: bool = False  # dial 8613... instead of +8613...
    register_timeout_seconds: float = 10.0
    log_level: int = 1  # pjsua log level: 0 fatal .. 5 trace, to logger voxdial.sip.pjsua

    @classmethod
    def from_settings(cls, settings: Settings) -> SipConfig:
        """The `VOXDIAL_SIP_*` settings; the line count defaults to the dialer's."""
        domain = settings.sip_domain
        if not domain and settings.sip_registrar:
            domain = settings.sip_registrar.removeprefix("sip:").split(";")[0]
        codecs = tuple(c.strip() for c in settings.sip_codecs.split(",") if c.strip())
        return cls(
            domain=domain,
            registrar=settings.sip_registrar,
            proxy=settings.sip_proxy,
            username=settings.sip_username,
            password=settings.sip_password.get_secret_value(),
            caller_id=settings.sip_caller_id or settings.caller_id,
            codecs=codecs,
            bind_host=settings.sip_bind_host,
            port=settings.sip_port,
            rtp_port_start=settings.sip_rtp_port_start,
            dial_timeout_seconds=settings.sip_dial_timeout_seconds,
            max_calls=settings.sip_max_calls or min(settings.dialer_max_lines, PJSUA_MAX_CALLS),
            strip_plus=settings.sip_strip_plus,
            log_level=settings.sip_log_level,
        )


class CallRuntime(Protocol):
    """What runs an answered call (`voxdial.voice.session.VoiceRuntime`)."""

    async def talk(
        self,
        request: DialRequest,
        *,
        engine: ConversationEngine,
        line: Line,
        clock: Clock,
        started: datetime,
        answered: datetime,
    ) -> CallResult: ...


class SipError(Exception):
    """pjsua refused an operation (its message, masked)."""


# -- SIP final responses to outcomes ---------------------------------------------------

_BY_STATUS: dict[int, HangupReason] = {
    486: HangupReason.BUSY,
    600: HangupReason.BUSY,
    480: HangupReason.NO_ANSWER,
    408: HangupReason.NO_ANSWER,
    487: HangupReason.NO_ANSWER,  # cancelled: our dial timeout
    603: HangupReason.REFUSED,
    404: HangupReason.VACANT,
    410: HangupReason.VACANT,
    484: HangupReason.VACANT,
    604: HangupReason.VACANT,
    502: HangupReason.UNREACHABLE,
    503: HangupReason.UNREACHABLE,
    504: HangupReason.UNREACHABLE,
}

# ITU-T Q.850 cause values (a `Reason: Q.850;cause=N` header) that say more than the
# status code: 480 with cause 20 is a switched-off phone, not one left ringing.
_BY_Q850: dict[int, HangupReason] = {
    1: HangupReason.VACANT,  # unallocated number
    3: HangupReason.UNREACHABLE,  # no route to destination
    17: HangupReason.BUSY,  # user busy
    18: HangupReason.NO_ANSWER,  # no user responding
    19: HangupReason.NO_ANSWER,  # no answer from user
    20: HangupReason.POWERED_OFF,  # subscriber absent
    21: HangupReason.REFUSED,  # call rejected
    22: HangupReason.VACANT,  # number changed
    27: HangupReason.UNREACHABLE,  # destination out of order
    28: HangupReason.VACANT,  # invalid number format
}

_Q850 = re.compile(r"^Reason:\s*Q\.850\s*;\s*cause\s*=\s*(\d+)", re.I | re.M)


def outcome_for(status: int, q850: int | None = None) -> HangupReason:
    """The outcome of a call that ended with final response `status` before an answer.

    4xx/5xx/6xx codes not listed (403, 488, 500, auth failures, ...) say the trunk or our
    side failed: FAILED, which trips the dialer's breaker when it keeps happening."""
    if q850 is not None and q850 in _BY_Q850:
        return _BY_Q850[q850]
    return _BY_STATUS.get(status, HangupReason.FAILED)


def q850_cause(message: str) -> int | None:
    m = _Q850.search(message)
    return int(m.group(1)) if m else None


# -- reading pjsua2 byte vectors fast --------------------------------------------------


def _vector_bytes_slow(vector: Any) -> bytes:
    return bytes(vector)


def _vector_bytes_fast(vector: Any) -> bytes:
    """A `std::vector<unsigned char>` as bytes, read through its (begin, end) pointers:
    SWIG's own iteration costs ~0.6 ms per 20 ms frame, this ~3 µs."""
    begin, end, _ = (ctypes.c_void_p * 3).from_address(int(vector.this))
    if not begin or not end:
        return b""
    return ctypes.string_at(begin, end - begin)


def _pick_vector_reader() -> Callable[[Any], bytes]:
    """The fast reader if this build's vector layout is the one it assumes."""
    if pj is None:
        return _vector_bytes_slow
    probe = bytes(range(256)) * 3
    try:
        if _vector_bytes_fast(pj.ByteVector(probe)) == probe:
            return _vector_bytes_fast
    except Exception:  # an unexpected layout: the slow reader is always right
        pass
    return _vector_bytes_slow


_vector_bytes = _pick_vector_reader()


# -- one call, as both threads see it --------------------------------------------------


class _CallHandle:
    """A call's state shared by the SIP thread (which reports) and the event loop (which
    waits). Holds no pjsua2 object: those live and die on the SIP thread only."""

    _ids = itertools.count(1)

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.id = next(self._ids)
        self.loop = loop
        self.answered: asyncio.Future[None] = loop.create_future()
        self.ended: asyncio.Future[tuple[int, str, int | None]] = loop.create_future()
        self.rx: asyncio.Queue[Pcm | None] = asyncio.Queue()
        self.live = False  # frames count from the answer on (early media is dropped)
        self.ringing = False  # a provisional response came: the trunk is there
        self.hung_up_locally = False
        self._out = bytearray()
        self._out_lock = threading.Lock()

    # SIP thread ---------------------------------------------------------------------

    def _post(self, fn: Callable[..., None], *args: Any) -> None:
        try:
            self.loop.call_soon_threadsafe(fn, *args)
        except RuntimeError:  # the loop is closed: nobody is waiting any more
            pass

    def report_answered(self) -> None:
        self.live = True
        self._post(_resolve, self.answered, None)

    def report_ended(self, status: int, reason: str, q850: int | None) -> None:
        self.live = False
        self._post(_resolve, self.ended, (status, reason, q850))
        self._post(self.rx.put_nowait, None)

    # conference clock thread ----------------------------------------------------------

    def heard(self, data: bytes) -> None:
        if self.live:
            pcm = np.frombuffer(data, dtype=np.int16).copy()
            self._post(self._queue_frame, pcm)

    def next_frame(self) -> bytes | None:
        """The next 20 ms of assistant audio (padded), or None when there is none."""
        with self._out_lock:
            if not self._out:
                return None
            chunk = bytes(self._out[:_FRAME_BYTES])
            del self._out[:_FRAME_BYTES]
        if len(chunk) < _FRAME_BYTES:
            chunk += bytes(_FRAME_BYTES - len(chunk))
        return chunk

    # event loop -----------------------------------------------------------------------

    def _queue_frame(self, pcm: Pcm) -> None:
        if self.rx.qsize() >= _RX_QUEUE_FRAMES:
            self.rx.get_nowait()  # a reader that fell a minute behind loses the oldest
        self.rx.put_nowait(pcm)

    def queue_audio(self, pcm: Pcm) -> None:
        data = np.asarray(pcm, dtype=np.int16).tobytes()
        with self._out_lock:
            self._out += data

    def clear_audio(self) -> None:
        with self._out_lock:
            self._out.clear()

    @property
    def queued_seconds(self) -> float:
        with self._out_lock:
            return len(self._out) / 2 / SAMPLE_RATE


def _resolve(fut: asyncio.Future[Any], value: Any) -> None:
    if not fut.done():
        fut.set_result(value)


class SipLine:
    """An answered SIP call as the session sees it (`voxdial.voice.base.Line`)."""

    def __init__(self, handle: _CallHandle, sip: _SipThread) -> None:
        self._handle = handle
        self._sip = sip

    async def frames(self) -> AsyncIterator[Pcm]:
        while True:
            pcm = await self._handle.rx.get()
            if pcm is None:
                return
            yield pcm

    async def play(self, audio: Pcm) -> None:
        if not self._handle.ended.done():
            self._handle.queue_audio(audio)

    async def clear(self) -> None:
        self._handle.clear_audio()

    async def close(self) -> None:
        """Let what is queued play out, hang up, and wait (bounded) for the call to end."""
        handle = self._handle
        if handle.ended.done():
            return
        left = handle.queued_seconds
        if left:
            deadline = handle.loop.time() + left + 1.0
            while handle.queued_seconds and not handle.ended.done():
                if handle.loop.time() >= deadline:
                    break
                await asyncio.sleep(0.02)
        await self._sip.hang_up(handle)
        await _wait(handle.ended, _END_SECONDS)

    @property
    def ended(self) -> bool:
        return self._handle.ended.done()


async def _wait(fut: asyncio.Future[Any], seconds: float) -> bool:
    """Wait for `fut` (never cancelling it) at most `seconds`; True if it is done."""
    if not fut.done():
        await asyncio.wait([fut], timeout=seconds)
    return fut.done()


# -- the SIP thread --------------------------------------------------------------------


def _make_classes() -> tuple[type, type, type, type]:
    """The pjsua2 subclasses (defined only when pjsua2 imports)."""

    class LogWriter(pj.LogWriter):
        def write(self, entry: Any) -> None:
            level = logging.ERROR if entry.level <= 1 else logging.WARNING
            if entry.level >= 3:
                level = logging.DEBUG
            pjlog.log(level, "%s", redact(entry.msg.rstrip()))

    class LinePort(pj.AudioMediaPort):
        """One call's audio in the conference bridge: 16 kHz, 20 ms frames, called from
        the null sound device's clock thread."""

        def __init__(self, handle: _CallHandle) -> None:
            super().__init__()
            self.handle = handle

        def onFrameRequested(self, frame: Any) -> None:
            try:
                chunk = self.handle.next_frame()
                if chunk is None:
                    frame.type = pj.PJMEDIA_FRAME_TYPE_NONE
                    return
                frame.type = pj.PJMEDIA_FRAME_TYPE_AUDIO
                frame.buf = pj.ByteVector(chunk)
                frame.size = len(chunk)
            except Exception:  # nothing may escape into the C++ clock thread
                log.exception("SIP playout failed")

        def onFrameReceived(self, frame: Any) -> None:
            try:
                if frame.type == pj.PJMEDIA_FRAME_TYPE_AUDIO and frame.size:
                    data = _vector_bytes(frame.buf)
                else:
                    data = bytes(_FRAME_BYTES)  # no audio this tick: 20 ms of silence
                self.handle.heard(data)
            except Exception:
                log.exception("SIP capture failed")

    class Account(pj.Account):
        def __init__(self, sip: _SipThread) -> None:
            super().__init__()
            self.sip = sip

        def onRegState(self, prm: Any) -> None:
            self.sip.registration = (prm.code, prm.reason)
            if prm.code // 100 == 2:
                self.sip.registered.set()
            else:
                log.warning("SIP registration failed", extra={"status": prm.code})
            self.sip.registration_done.set()

    class Call(pj.Call):
        def __init__(self, account: Any, sip: _SipThread, handle: _CallHandle) -> None:
            super().__init__(account)
            self.sip = sip
            self.handle = handle
            self.port: Any = None

        def onCallState(self, prm: Any) -> None:
            try:
                info = self.getInfo()
                if info.state in (pj.PJSIP_INV_STATE_EARLY, pj.PJSIP_INV_STATE_CONNECTING):
                    self.handle.ringing = True
                elif info.state == pj.PJSIP_INV_STATE_CONFIRMED:
                    self.handle.report_answered()
                elif info.state == pj.PJSIP_INV_STATE_DISCONNECTED:
                    status = info.lastStatusCode
                    if status == 408 and not self.handle.ringing:
                        status = 0  # nothing came back at all: the trunk, not the callee
                    self.handle.report_ended(status, info.lastReason, _event_q850(prm))
                    self.sip.retire(self)
            except Exception:
                log.exception("SIP call state handling failed")

        def onCallMediaState(self, prm: Any) -> None:
            try:
                info = self.getInfo()
                for index, media in enumerate(info.media):
                    if (
                        media.type == pj.PJMEDIA_TYPE_AUDIO
                        and media.status == pj.PJSUA_CALL_MEDIA_ACTIVE
                    ):
                        self._connect(self.getAudioMedia(index))
            except Exception:
                log.exception("SIP media handling failed")

        def _connect(self, audio: Any) -> None:
            if self.port is None:
                self.port = LinePort(self.handle)
                fmt = pj.MediaFormatAudio()
                fmt.init(pj.PJMEDIA_FORMAT_PCM, SAMPLE_RATE, 1, 20000, 16)
                self.port.createPort(f"line{self.handle.id}", fmt)
            audio.startTransmit(self.port)
            self.port.startTransmit(audio)

    return LogWriter, LinePort, Account, Call


pjlog = logging.getLogger("voxdial.sip.pjsua")


def _event_q850(prm: Any) -> int | None:
    """The Q.850 cause of the message that ended the call, if it carried one."""
    try:
        event = prm.e
        if event.type != pj.PJSIP_EVENT_TSX_STATE:
            return None
        tsx = event.body.tsxState
        if tsx.type != pj.PJSIP_EVENT_RX_MSG:
            return None
        return q850_cause(tsx.src.rdata.wholeMsg)
    except Exception:  # no message to read: the status code alone decides
        return None


class _SipThread(threading.Thread):
    """The one thread that touches pjsua2."""

    def __init__(self, config: SipConfig) -> None:
        super().__init__(name="voxdial-sip", daemon=True)
        self.config = config
        self._commands: queue.SimpleQueue[
            tuple[Callable[[], Any], concurrent.futures.Future[Any]]
        ] = queue.SimpleQueue()
        self._stopping = threading.Event()
        self.ready = threading.Event()
        self.start_error: BaseException | None = None
        self.registered = threading.Event()
        self.registration_done = threading.Event()
        self.registration: tuple[int, str] | None = None
        self.local_port = 0
        self._calls: dict[int, Any] = {}  # handle id -> pjsua2 Call
        self._retired: list[Any] = []
        self._ep: Any = None
        self._account: Any = None
        self._writer: Any = None

    # any thread -----------------------------------------------------------------------

    def submit(self, fn: Callable[[], Any]) -> concurrent.futures.Future[Any]:
        fut: concurrent.futures.Future[Any] = concurrent.futures.Future()
        if self._stopping.is_set() or not self.is_alive():
            fut.set_exception(SipError("the SIP endpoint is not running"))
        else:
            self._commands.put((fn, fut))
        return fut

    async def run_command(self, fn: Callable[[], Any]) -> Any:
        fut = asyncio.wrap_future(self.submit(fn))
        return await asyncio.wait_for(fut, _COMMAND_SECONDS)

    def stop(self, timeout: float = 15.0) -> None:
        self._stopping.set()
        if self.is_alive():
            self.join(timeout)

    # event loop -----------------------------------------------------------------------

    async def hang_up(self, handle: _CallHandle, *, unanswered_only: bool = False) -> None:
        """Hang up (CANCEL before an answer, BYE after); no-op once the call ended.
        With `unanswered_only`, a call answered meanwhile is left up."""
        handle.hung_up_locally = True
        try:
            await self.run_command(lambda: self._hang_up(handle.id, unanswered_only))
        except (SipError, TimeoutError) as e:
            log.warning("SIP hang-up failed", extra={"error": str(e)})

    # the thread -----------------------------------------------------------------------

    def run(self) -> None:
        try:
            self._setup()
        except BaseException as e:
            self.start_error = e
            self.ready.set()
            self._teardown()
            return
        self.ready.set()
        try:
            while not self._stopping.is_set():
                self._ep.libHandleEvents(5)
                self._run_commands()
                if self._retired:
                    self._retired.clear()  # dropped here, after pjsua2 is done with them
        finally:
            self._fail_pending()
            self._teardown()

    def _run_commands(self) -> None:
        while True:
            try:
                fn, fut = self._commands.get_nowait()
            except queue.Empty:
                return
            if not fut.set_running_or_notify_cancel():
                continue
            try:
                fut.set_result(fn())
            except BaseException as e:
                fut.set_exception(_translate(e))

    def _fail_pending(self) -> None:
        while True:
            try:
                _, fut = self._commands.get_nowait()
            except queue.Empty:
                return
            if fut.set_running_or_notify_cancel():
                fut.set_exception(SipError("the SIP endpoint stopped"))

    def _setup(self) -> None:
        if pj is None:
            raise SipError("pjsua2 is not installed (pip install pjsua2-python)")
        cfg = self.config
        LogWriter, self._LinePort, Account, self._Call = _make_classes()
        self._ep = pj.Endpoint()
        self._ep.libCreate()
        ep_cfg = pj.EpConfig()
        ep_cfg.uaConfig.threadCnt = 0  # this thread polls: no pjsua worker threads
        ep_cfg.uaConfig.mainThreadOnly = False
        ep_cfg.uaConfig.maxCalls = cfg.max_calls
        ep_cfg.uaConfig.userAgent = "voxdial"
        ep_cfg.medConfig.clockRate = SAMPLE_RATE
        ep_cfg.medConfig.noVad = True  # a steady RTP stream, silence included
        ep_cfg.medConfig.ecTailLen = 0  # no echo canceller: there is no sound device
        ep_cfg.medConfig.maxMediaPorts = 2 * cfg.max_calls + 4  # stream + line per call
        self._writer = LogWriter()
        ep_cfg.logConfig.writer = self._writer
        ep_cfg.logConfig.level = cfg.log_level
        ep_cfg.logConfig.consoleLevel = cfg.log_level
        ep_cfg.logConfig.decor = 0
        self._ep.libInit(ep_cfg)

        transport = pj.TransportConfig()
        transport.boundAddress = cfg.bind_host
        transport.port = cfg.port
        tid = self._ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, transport)
        self.local_port = self._ep.transportGetInfo(tid).localName.rpartition(":")[2]
        self._ep.libStart()
        self._ep.audDevManager().setNullDev()
        self._set_codecs()

        acc_cfg = pj.AccountConfig()
        user = cfg.username or cfg.caller_id or "voxdial"
        display = f'"{cfg.caller_id}" ' if cfg.caller_id and cfg.caller_id != user else ""
        acc_cfg.idUri = f"{display}<sip:{user}@{cfg.domain}>"
        if cfg.registrar:
            acc_cfg.regConfig.registrarUri = cfg.registrar
            acc_cfg.regConfig.timeoutSec = 300
        else:
            acc_cfg.regConfig.registerOnAdd = False
        if cfg.proxy:
            acc_cfg.sipConfig.proxies.append(cfg.proxy)
        if cfg.username:
            acc_cfg.sipConfig.authCreds.append(
                pj.AuthCredInfo("digest", "*", cfg.username, 0, cfg.password)
            )
        media = acc_cfg.mediaConfig.transportConfig
        media.boundAddress = cfg.bind_host
        if cfg.rtp_port_start:
            media.port = cfg.rtp_port_start
        self._account = Account(self)
        self._account.create(acc_cfg)
        if not cfg.registrar:
            self.registration_done.set()

    def _set_codecs(self) -> None:
        """Only the configured codecs, in their order (priority 0 turns a codec off)."""
        wanted = [c.upper() for c in self.config.codecs]
        codec_ids = [c.codecId for c in self._ep.codecEnum2()]
        names = {codec_id.split("/")[0].upper() for codec_id in codec_ids}
        missing = [c for c in wanted if c not in names]
        if missing or not wanted:
            raise SipError(
                f"unknown SIP codecs {missing or wanted}; this build has: "
                + ", ".join(sorted(names))
            )
        for codec_id in codec_ids:
            name = codec_id.split("/")[0].upper()
            priority = 255 - wanted.index(name) if name in wanted else 0
            self._ep.codecSetPriority(codec_id, priority)

    def _teardown(self) -> None:
        ep = self._ep
        if ep is None:
            return
        try:
            ep.hangupAllCalls()
            for _ in range(20):  # let the BYEs and CANCELs out
                ep.libHandleEvents(10)
        except Exception:
            pass
        self._calls.clear()
        self._retired.clear()
        self._account = None
        try:
            ep.libDestroy()
        except Exception:
            log.exception("SIP endpoint shutdown failed")
        self._ep = None
        self._writer = None

    # commands (on the thread) ---------------------------------------------------------

    def make_call(self, handle: _CallHandle, uri: str, headers: dict[str, str]) -> None:
        call = self._Call(self._account, self, handle)
        prm = pj.CallOpParam(True)
        for name, value in headers.items():
            header = pj.SipHeader()
            header.hName = name
            header.hValue = value
            prm.txOption.headers.append(header)
        try:
            call.makeCall(uri, prm)
        except BaseException:
            self._retired.append(call)
            raise
        self._calls[handle.id] = call

    def _hang_up(self, handle_id: int, unanswered_only: bool) -> None:
        call = self._calls.get(handle_id)
        if call is None or not call.isActive():
            return
        if unanswered_only and call.getInfo().state >= pj.PJSIP_INV_STATE_CONNECTING:
            return
        call.hangup(pj.CallOpParam(True))

    def retire(self, call: Any) -> None:
        """A call ended: forget it after this callback returns."""
        self._calls.pop(call.handle.id, None)
        self._retired.append(call)

    @property
    def calls_in_pjsua(self) -> int:
        return len(self._calls)


def _translate(e: BaseException) -> BaseException:
    if pj is not None and isinstance(e, pj.Error):
        return SipError(redact(f"{e.title}: {e.reason} (status {e.status})"))
    return e


# -- the carrier -----------------------------------------------------------------------


@dataclass
class SipCarrier:
    """Places calls through a SIP trunk or PBX; an answered call is handed, as a
    `SipLine`, to the runtime's `talk` until either side hangs up.

    The pjsua endpoint starts with the first call (or `start()`) and stops at `close()`.
    At most `config.max_calls` calls run at once; one more is refused as FAILED at once.
    """

    config: SipConfig
    runtime: CallRuntime
    name: str = "sip"
    _thread: _SipThread | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _active: int = field(default=0, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.config.max_calls < 1:
            raise ValueError("SIP max calls must be at least 1")
        if self.config.max_calls > PJSUA_MAX_CALLS:
            log.warning(
                "SIP max calls capped at the pjsua build's limit",
                extra={"asked": self.config.max_calls, "limit": PJSUA_MAX_CALLS},
            )
            self.config.max_calls = PJSUA_MAX_CALLS
        if not self.config.domain:
            raise ValueError("the SIP carrier needs a domain (VOXDIAL_SIP_DOMAIN)")

    # lifecycle --------------------------------------------------------------------

    def start(self) -> None:
        """Start the endpoint (blocking, idempotent); raises SipError if it cannot."""
        with self._lock:
            thread = self._thread
            if thread is None or not thread.is_alive():
                thread = self._thread = _SipThread(self.config)
                thread.start()
        thread.ready.wait(_COMMAND_SECONDS)
        if thread.start_error is not None:
            raise SipError(f"SIP endpoint failed to start: {thread.start_error}")
        if not thread.ready.is_set():
            raise SipError("SIP endpoint did not start in time")
        if self.config.registrar and not thread.registration_done.wait(
            self.config.register_timeout_seconds
        ):
            log.warning("SIP registration has not finished yet")

    def close(self) -> None:
        """Hang up whatever is still up and stop the endpoint."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            thread.stop()

    @property
    def registered(self) -> bool:
        thread = self._thread
        return thread is not None and thread.registered.is_set()

    @property
    def local_port(self) -> int:
        """The UDP port SIP listens on (once started)."""
        thread = self._thread
        return int(thread.local_port) if thread is not None else 0

    # calls ------------------------------------------------------------------------

    def target_uri(self, number: str) -> str:
        if self.config.strip_plus:
            number = number.lstrip("+")
        return f"sip:{number}@{self.config.domain}"

    async def place_call(
        self, request: DialRequest, *, clock: Clock, engine: ConversationEngine
    ) -> CallResult:
        started = clock.now()
        with self._lock:
            if self._active >= self.config.max_calls:
                return _failed(started, clock, "no free SIP line")
            self._active += 1
        try:
            return await self._place(request, clock=clock, engine=engine, started=started)
        except Exception as e:  # a carrier never raises for a failed call
            log.error(
                "SIP call failed",
                extra={"session_id": request.session_id, "callee": mask(request.callee)},
                exc_info=e,
            )
            return _failed(started, clock, type(e).__name__)
        finally:
            with self._lock:
                self._active -= 1

    async def _place(
        self,
        request: DialRequest,
        *,
        clock: Clock,
        engine: ConversationEngine,
        started: datetime,
    ) -> CallResult:
        try:
            await asyncio.to_thread(self.start)
        except SipError as e:
            return _failed(started, clock, str(e))
        sip = self._thread
        assert sip is not None
        handle = _CallHandle(asyncio.get_running_loop())
        headers = {}
        caller = self.config.caller_id or request.caller
        if caller:
            headers["P-Asserted-Identity"] = f"<sip:{caller}@{self.config.domain}>"
        uri = self.target_uri(request.callee)
        try:
            await sip.run_command(lambda: sip.make_call(handle, uri, headers))
        except (SipError, TimeoutError) as e:
            log.warning(
                "SIP call not placed",
                extra={"session_id": request.session_id, "error": str(e)},
            )
            return _failed(started, clock, str(e) or "timeout")
        try:
            return await self._follow(request, handle, sip, clock, engine, started)
        finally:
            if not handle.ended.done():  # cancelled or failed half-way: never leave it up
                await asyncio.shield(sip.hang_up(handle))

    async def _follow(
        self,
        request: DialRequest,
        handle: _CallHandle,
        sip: _SipThread,
        clock: Clock,
        engine: ConversationEngine,
        started: datetime,
    ) -> CallResult:
        await asyncio.wait(
            [handle.answered, handle.ended],
            timeout=self.config.dial_timeout_seconds,
            return_when=asyncio.FIRST_COMPLETED,
        )
        if not handle.answered.done() and not handle.ended.done():
            # Rang too long: CANCEL. A trunk that never answered the INVITE at all gets
            # no CANCEL (pjsua lets the INVITE time out by itself): nothing to wait for.
            rang = handle.ringing
            await sip.hang_up(handle, unanswered_only=True)
            await asyncio.wait(
                [handle.answered, handle.ended],
                timeout=_END_SECONDS if rang else 1.0,
                return_when=asyncio.FIRST_COMPLETED,
            )
            if not handle.answered.done():
                if not rang:
                    return _failed(started, clock, "no response from the SIP trunk")
                ended = handle.ended.result() if handle.ended.done() else (487, "", None)
                return _unanswered(started, clock, ended, timed_out=True)
        if not handle.answered.done():
            return _unanswered(started, clock, handle.ended.result(), timed_out=False)

        answered = clock.now()
        line = SipLine(handle, sip)
        try:
            result = await self.runtime.talk(
                request, engine=engine, line=line, clock=clock, started=started, answered=answered
            )
        except Exception as e:  # the session broke mid-call: end it, keep what we know
            log.error(
                "SIP call session failed",
                extra={"session_id": request.session_id},
                exc_info=e,
            )
            result = CallResult(
                HangupReason.ANSWERED,
                started,
                answered,
                clock.now(),
                "carrier",
                extra={"error": type(e).__name__},
            )
        if not handle.ended.done():
            await line.close()
        return result


def _failed(started: datetime, clock: Clock, error: str) -> CallResult:
    return CallResult(
        HangupReason.FAILED, started, None, clock.now(), "carrier", extra={"error": error}
    )


def _unanswered(
    started: datetime,
    clock: Clock,
    ended: tuple[int, str, int | None],
    *,
    timed_out: bool,
) -> CallResult:
    status, reason, q850 = ended
    if timed_out:
        outcome = HangupReason.NO_ANSWER
    elif status == 0:
        outcome = HangupReason.FAILED  # no response from the trunk at all
    else:
        outcome = outcome_for(status, q850)
    sip: dict[str, Any] = {"status": status, "reason": reason}
    if q850 is not None:
        sip["q850"] = q850
    if timed_out:
        sip["dial_timeout"] = True
    return CallResult(outcome, started, None, clock.now(), "carrier", extra={"sip": sip})
