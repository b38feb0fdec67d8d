"""`SipEndpoint`: the one thread that runs pjsua2, and the calls it carries.

pjsua2 wants one thread. `SipEndpoint` creates the pjsua2 `Endpoint` (null sound device,
no pjsua worker threads), pumps `libHandleEvents` and runs the commands handed to it
through a queue; every pjsua2 object is made and used on that thread, and dropped there
too (line ports never are: see `take_port`). The event loop talks to it through futures
(`submit`, `run_command`) and hears back through `loop.call_soon_threadsafe`
(`CallHandle`).

Audio: the conference bridge runs at 16 kHz and resamples each call's PCMA/PCMU stream
to it, so a call's `LinePort` (an `AudioMediaPort` clocked by the null sound device's
thread, one 20 ms frame each way per tick) sees the 16 kHz int16 audio the rest of
voxdial speaks.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import ctypes
import itertools
import logging
import queue
import re
import threading
import time
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from voxdial.logs import redact
from voxdial.voice.base import FRAME_SAMPLES, SAMPLE_RATE, Pcm

if TYPE_CHECKING:
    from voxdial.telephony.sip import SipConfig

try:
    import pjsua2 as pj
except ImportError:  # pragma: no cover - pjsua2-python is a dependency of the package
    pj = None

log = logging.getLogger("voxdial.sip")
pjlog = logging.getLogger("voxdial.sip.pjsua")

# The most calls one pjsua can hold: PJSUA_MAX_CALLS, fixed when pjproject is compiled.
# The pjsua2-python wheel is built small: 4 (a fifth makeCall fails with PJ_ETOOMANY;
# tests/test_sip_carrier.py checks it). More lines: more `voxdial worker` processes.
PJSUA_MAX_CALLS = 4
COMMAND_SECONDS = 10.0  # bound on any one command on the SIP thread
_FRAME_BYTES = FRAME_SAMPLES * 2
_RX_QUEUE_FRAMES = 3000  # a minute of callee audio waiting for a slow reader
_PJ_ETOOMANY = 70010  # pj_status_t: "too many objects of the specified type"


class SipError(Exception):
    """pjsua refused an operation (its message, masked)."""


_Q850 = re.compile(r"^Reason:\s*Q\.850\s*;\s*cause\s*=\s*(\d+)", re.I | re.M)


def q850_cause(message: str) -> int | None:
    """The cause of a `Reason: Q.850;cause=N` header in a SIP message, if it has one."""
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


class CallHandle:
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


# -- the thread --------------------------------------------------------------------


def _make_classes() -> tuple[type, type, type, type]:
    """The pjsua2 subclasses (defined only when pjsua2 imports)."""

    class LogWriter(pj.LogWriter):
        def write(self, entry: Any) -> None:
            level = logging.ERROR if entry.level <= 1 else logging.WARNING
            if entry.level >= 3:
                level = logging.DEBUG
            pjlog.log(level, "%s", redact(entry.msg.rstrip()))

    class LinePort(pj.AudioMediaPort):
        """A call's audio in the conference bridge: 16 kHz, 20 ms frames, called from
        the null sound device's clock thread. Serves one call at a time (`handle`)."""

        def __init__(self) -> None:
            super().__init__()
            self.handle: CallHandle | None = None

        def onFrameRequested(self, frame: Any) -> None:
            try:
                handle = self.handle
                chunk = handle.next_frame() if handle is not None else None
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
                handle = self.handle
                if handle is None or not handle.live:
                    return
                if frame.type == pj.PJMEDIA_FRAME_TYPE_AUDIO and frame.size:
                    data = _vector_bytes(frame.buf)
                else:
                    data = bytes(_FRAME_BYTES)  # no audio this tick: 20 ms of silence
                handle.heard(data)
            except Exception:
                log.exception("SIP capture failed")

    class Account(pj.Account):
        def __init__(self, sip: SipEndpoint) -> None:
            super().__init__()
            self.sip = sip

        def onRegState(self, prm: Any) -> None:
            self.sip.registration = (prm.code, prm.reason)
            if prm.code // 100 == 2 and prm.expiration > 0:
                self.sip.registered.set()
            else:
                self.sip.registered.clear()
                if prm.code // 100 != 2:
                    log.warning("SIP registration failed", extra={"status": prm.code})
            self.sip.registration_done.set()

    class Call(pj.Call):
        def __init__(self, account: Any, sip: SipEndpoint, handle: CallHandle) -> None:
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
                    message = _received_message(prm)
                    status = info.lastStatusCode
                    if message is None and not self.handle.ringing and not self.handle.live:
                        status = 0  # nothing ever came back: the trunk, not the callee
                    q850 = q850_cause(message) if message else None
                    self.handle.report_ended(status, info.lastReason, q850)
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
                self.port = self.sip.take_port(self.handle)
            audio.startTransmit(self.port)
            self.port.startTransmit(audio)

    return LogWriter, LinePort, Account, Call


def _received_message(prm: Any) -> str | None:
    """The SIP message from the far end behind a call state change, if one was (not a
    timer or a transport error here)."""
    try:
        event = prm.e
        if event.type != pj.PJSIP_EVENT_TSX_STATE:
            return None
        tsx = event.body.tsxState
        if tsx.type != pj.PJSIP_EVENT_RX_MSG:
            return None
        return str(tsx.src.rdata.wholeMsg)
    except Exception:  # nothing to read: the status code alone decides
        return None


class SipEndpoint(threading.Thread):
    """The one thread that touches pjsua2. pjsua is a process-wide singleton: one
    endpoint runs at a time (a second fails to start, and its calls fail)."""

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
        self._free_ports: list[Any] = []
        self._port_count = 0
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
        return await asyncio.wait_for(fut, COMMAND_SECONDS)

    def start(self) -> None:
        _RUNNING.add(self)
        super().start()

    def stop(self, timeout: float = 15.0) -> None:
        self._stopping.set()
        if self.is_alive():
            self.join(timeout)

    # event loop -----------------------------------------------------------------------

    async def hang_up(self, handle: CallHandle, *, unanswered_only: bool = False) -> None:
        """Hang up (CANCEL before an answer, BYE after); no-op once the call ended.
        With `unanswered_only`, a call answered meanwhile is left up."""
        try:
            await self.run_command(lambda: self._hang_up(handle.id, unanswered_only))
        except (SipError, TimeoutError) as e:
            log.warning("SIP hang-up failed", extra={"error": str(e)})

    # the thread -----------------------------------------------------------------------

    def run(self) -> None:
        # pjsua is one per process: a second endpoint waits for the first to stop.
        if not _PJSUA.acquire(timeout=PJSUA_WAIT_SECONDS):
            self.start_error = SipError("another SIP endpoint is running in this process")
            self.ready.set()
            return
        try:
            self._run()
        finally:
            _PJSUA.release()

    def _run(self) -> None:
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
        # pjsua2 deletes the log writer in libDestroy: hand it over (`__disown__`), or
        # Python deletes it a second time later and corrupts the heap.
        self._writer = LogWriter()
        self._writer.__disown__()
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
                pj.AuthCredInfo("digest", "*", cfg.username, 0, cfg.password.get_secret_value())
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
        # Hang up and unregister here, waiting (up to 2 s) for the answers; then pjsua has
        # nothing left to send and is destroyed without its own one-second wait.
        try:
            ep.hangupAllCalls()
            unregistering = self.registered.is_set() and self._account is not None
            if unregistering:
                self.registration_done.clear()
                self._account.setRegistration(False)
            deadline = time.monotonic() + 2.0
            while time.monotonic() < deadline and (
                self._calls or (unregistering and not self.registration_done.is_set())
            ):
                ep.libHandleEvents(10)
        except Exception:
            log.exception("SIP hang-up at shutdown failed")
        for call in self._calls.values():
            if call.port is not None:
                call.port.handle = None
        self._calls.clear()
        self._retired.clear()
        self._free_ports.clear()  # left to pjsua2 (see take_port)
        self._account = None
        try:
            ep.libDestroy(pj.PJSUA_DESTROY_NO_NETWORK)
        except Exception:
            log.exception("SIP endpoint shutdown failed")
        self._ep = None
        self._writer = None

    # commands (on the thread) ---------------------------------------------------------

    def make_call(self, handle: CallHandle, uri: str, headers: dict[str, str]) -> None:
        prm = pj.CallOpParam(True)
        for name, value in headers.items():
            header = pj.SipHeader()
            header.hName = name
            header.hValue = value
            prm.txOption.headers.append(header)
        limit = min(self.config.max_calls, PJSUA_MAX_CALLS)
        for attempt in itertools.count():
            call = self._Call(self._account, self, handle)
            try:
                call.makeCall(uri, prm)
            except pj.Error as e:
                self._retired.append(call)
                # A call that just ended may hold its pjsua slot a moment longer than
                # its DISCONNECTED callback: let pjsua finish, then try again (briefly).
                if e.status != _PJ_ETOOMANY or len(self._calls) >= limit or attempt >= 20:
                    raise
                self._ep.libHandleEvents(50)
                continue
            except BaseException:
                self._retired.append(call)
                call = None  # not kept alive by the traceback: dropped on this thread
                raise
            self._calls[handle.id] = call
            return

    def _hang_up(self, handle_id: int, unanswered_only: bool) -> None:
        call = self._calls.get(handle_id)
        if call is None or not call.isActive():
            return
        if unanswered_only and call.getInfo().state >= pj.PJSIP_INV_STATE_CONNECTING:
            return
        call.hangup(pj.CallOpParam(True))

    def take_port(self, handle: CallHandle) -> Any:
        """A line port for this call: a free one, or a new one.

        Ports are never destroyed. pjmedia's conference bridge removes a port
        asynchronously, on its clock thread, while pjsua2's AudioMediaPort destructor
        frees the port at once: a port destroyed while the bridge runs can be called after
        it is gone. So each port is handed to pjsua2 (`__disown__`), serves one call after
        another, and outlives the endpoint (at most `max_calls` ports, a few KB)."""
        if self._free_ports:
            port = self._free_ports.pop()
        else:
            port = self._LinePort()
            fmt = pj.MediaFormatAudio()
            fmt.init(pj.PJMEDIA_FORMAT_PCM, SAMPLE_RATE, 1, 20000, 16)
            self._port_count += 1
            port.createPort(f"line{self._port_count}", fmt)
            port.__disown__()
        port.handle = handle
        return port

    def retire(self, call: Any) -> None:
        """A call ended: free its port, and forget it after this callback returns."""
        self._calls.pop(call.handle.id, None)
        if call.port is not None:
            call.port.handle = None
            self._free_ports.append(call.port)
            call.port = None
        self._retired.append(call)


_PJSUA = threading.Lock()  # held by the endpoint that has pjsua
PJSUA_WAIT_SECONDS = 5.0  # how long a new endpoint waits for the last one to stop

# Endpoints still running when the interpreter exits are stopped first, on their own
# threads: pjsua2 objects must not be torn down from the main thread at finalization.
_RUNNING: weakref.WeakSet[SipEndpoint] = weakref.WeakSet()


@atexit.register
def _stop_all() -> None:
    for thread in list(_RUNNING):
        thread.stop()


def _translate(e: BaseException) -> BaseException:
    if pj is not None and isinstance(e, pj.Error):
        return SipError(redact(f"{e.title}: {e.reason} (status {e.status})"))
    return e
