"""`SipEndpoint`: the thread that runs the SIP stack, and the calls it carries.

The stack is baresip (libre) through baresip-python: one native SIP thread, driven from
an asyncio loop of its own, which `SipEndpoint` runs in the `voxdial-sip` thread. Every
stack object is made and used on that loop; the carrier's event loop hands it commands
(`submit`, `run_command`) and hears back through each call's `CallHandle`
(sip_media.py).

One endpoint holds as many calls as the host carries: the stack has no compiled cap
(`SipConfig.max_calls` is the carrier's own; bench/sip_lines.py measures a host).

Audio: one pump, every 20 ms on that loop, moves every answered call's audio
(sip_media.py's `pump`, all 8 kHz calls resampled in one batch): the callee's decoded
PCM to 16 kHz frames, delivered to each event loop in one batch per tick, and the
assistant's audio to the stack's transmit buffer.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import logging
import re
import socket
import threading
import time
import weakref
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from voxdial.logs import redact
from voxdial.telephony.sip_media import FRAME_SECONDS, CallHandle, CallMedia, deliver_all, pump
from voxdial.telephony.sip_messages import closed_status, q850_cause, sip_host, sip_user
from voxdial.telephony.sip_stats import MediaCounters

if TYPE_CHECKING:
    from voxdial.telephony.sip import SipConfig

try:
    import baresip
    from baresip.events import Event
except ImportError:  # pragma: no cover - baresip-python is a dependency of the package
    baresip = None

__all__ = [
    "COMMAND_SECONDS",
    "CODECS",
    "CallHandle",
    "IncomingCall",
    "SipEndpoint",
    "SipError",
    "q850_cause",
]

log = logging.getLogger("voxdial.sip")

COMMAND_SECONDS = 10.0  # bound on any one command on the SIP thread
STACK_WAIT_SECONDS = 5.0  # how long a new endpoint waits for the last one to stop
_PORT_TRIES = 5  # ports picked for the stack before giving up (each can be taken meanwhile)
# Calls with media are hung up one at a time, this long apart (None: at once): the stack
# tears media down on its one SIP thread, waiting for the call's audio threads, and reads
# no RTP meanwhile; fifty at once held the others' RTP ~1 s (bench/sip_lines.py --at-once).
HANGUP_GAP_SECONDS = 0.01
# Codecs by their SDP name, as the stack names them (G.722 is 16 kHz audio).
CODECS = {"PCMA": "pcma", "PCMU": "pcmu", "G722": "g722/16000/1"}
_EARLY_CALLS = 256  # calls whose events wait for dial() to return, at most
_CALLED_HEADERS = ("P-Called-Party-ID", "To")  # the number called: the first there
_LOG_LEVELS = {0: "error", 1: "error", 2: "warning", 3: "info"}  # 4, 5: debug


class SipError(Exception):
    """The SIP stack refused an operation (its message, masked)."""


@dataclass(frozen=True, slots=True)
class IncomingCall:
    """An INVITE to us, as the endpoint's `on_incoming` sees it: the number called (the
    user part of its P-Called-Party-ID, else of its To), the caller (the user part of
    the caller's URI), and the endpoint (for the `SipLine` of the call once answered)."""

    called: str
    caller: str
    endpoint: SipEndpoint


# An INVITE offered to the application: a future (resolved on any thread) of the
# CallHandle that will hold the call, or None to refuse it (486).
Incoming = Callable[[IncomingCall], "concurrent.futures.Future[CallHandle | None]"]


class _Call:
    """A call the endpoint carries (SIP thread only)."""

    def __init__(self, handle: CallHandle, call: Any) -> None:
        self.handle = handle
        self.call = call
        self.answered = False  # 200 OK came: a hang-up now is a BYE
        self.media: CallMedia | None = None
        self.early_pending = False  # a 183 came; its media may start on a later tick
        self.closing = False  # waiting for its turn to be hung up
        self.peer: _Call | None = None  # joined to this call (a bridged transfer)


class SipEndpoint(threading.Thread):
    """The one thread that drives the SIP stack. The stack is one per process: one
    endpoint runs at a time (a second waits `STACK_WAIT_SECONDS`, then fails)."""

    def __init__(self, config: SipConfig) -> None:
        super().__init__(name="voxdial-sip", daemon=True)
        self.config = config
        self.ready = threading.Event()
        self.start_error: BaseException | None = None
        self.registered = threading.Event()
        self.registration_done = threading.Event()
        self.registration: tuple[int, str] | None = None
        self.local_port = 0
        self.ticks_late = 0  # pump ticks that started more than a frame late
        self.ticks = 0
        self.pump_seconds = 0.0  # time spent moving audio (figures for bench/sip_lines.py)
        self.pump_cpu_seconds = 0.0  # ... of it on the CPU (the rest: waits for the GIL)
        self.media = MediaCounters()  # where the calls' frames went (sip_stats.py)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_event: asyncio.Event | None = None
        self._stopping = threading.Event()
        self._calls: dict[int, _Call] = {}  # by handle id
        self._by_stack: dict[int, _Call] = {}  # by the stack's call handle
        self._early: dict[int, list[Any]] = {}  # events of calls dial() has not returned yet
        self._runtime: Any = None
        self._ua: Any = None
        self._registering: asyncio.Task[None] | None = None
        self._no_calls: asyncio.Event | None = None  # set while no call is up
        self._hangups: asyncio.Queue[tuple[int, bool]] | None = None  # calls with media
        # Inbound calls: set before `start()` to answer INVITEs (any user part); unset,
        # the stack refuses them. Their CALL_INCOMING events wait here for the offer.
        self.on_incoming: Incoming | None = None
        self._invites: dict[int, Any] = {}
        self._offers: set[asyncio.Task[None]] = set()

    # any thread -----------------------------------------------------------------------

    def submit(self, fn: Callable[[], Awaitable[Any]]) -> concurrent.futures.Future[Any]:
        """Run the coroutine `fn()` on the SIP thread's loop."""
        loop = self._loop
        if self._stopping.is_set() or loop is None or not self.is_alive():
            fut: concurrent.futures.Future[Any] = concurrent.futures.Future()
            fut.set_exception(SipError("the SIP endpoint is not running"))
            return fut
        return asyncio.run_coroutine_threadsafe(_translated(fn), loop)

    async def run_command(self, fn: Callable[[], Awaitable[Any]]) -> Any:
        fut = asyncio.wrap_future(self.submit(fn))
        return await asyncio.wait_for(fut, COMMAND_SECONDS)

    def start(self) -> None:
        _RUNNING.add(self)
        super().start()

    def stop(self, timeout: float = 15.0) -> None:
        self._stopping.set()
        loop, stop = self._loop, self._stop_event
        if loop is not None and stop is not None:
            try:
                loop.call_soon_threadsafe(stop.set)
            except RuntimeError:  # the loop already closed
                pass
        if self.is_alive():
            self.join(timeout)

    @property
    def calls(self) -> int:
        return len(self._calls)

    # event loop -----------------------------------------------------------------------

    async def hang_up(self, handle: CallHandle, *, unanswered_only: bool = False) -> None:
        """Hang up (CANCEL before an answer, BYE after); no-op once the call ended.
        With `unanswered_only`, a call answered meanwhile is left up."""
        try:
            await self.run_command(lambda: self._hang_up(handle.id, unanswered_only))
        except (SipError, TimeoutError) as e:
            log.warning("SIP hang-up failed", extra={"error": str(e)})

    async def send_keys(self, handle: CallHandle, digits: str) -> bool:
        """Send keys (of 0-9 * # A-D) out of band, as the account's DTMF mode says
        (RTP telephone-events, RFC 4733); False when the stack would not."""
        try:
            await self.run_command(lambda: self._send_keys(handle.id, digits))
        except (SipError, TimeoutError, ValueError) as e:
            log.warning("SIP keys not sent", extra={"error": str(e)})
            return False
        return True

    async def transfer(self, handle: CallHandle, uri: str, *, seconds: float) -> None:
        """Blind-transfer an answered call (REFER to `uri`) and wait, at most `seconds`,
        for the far end to report the new call answered (its NOTIFY "200 OK"): then the
        call has ended for us. Raises SipError (the call still up) when the far end
        refuses or reports a failure, or no report came in time."""
        fut = asyncio.wrap_future(self.submit(lambda: self._transfer(handle.id, uri, seconds)))
        try:
            await asyncio.wait_for(fut, seconds + COMMAND_SECONDS)
        except TimeoutError:
            raise SipError("no transfer outcome in time") from None

    async def bridge(self, a: CallHandle, b: CallHandle) -> None:
        """Join two answered calls (a bridged transfer): from the next tick on, each
        one's audio goes to the other. Raises SipError when either is not up."""
        await self.run_command(lambda: self._bridge(a.id, b.id))

    # the thread -----------------------------------------------------------------------

    def run(self) -> None:
        if not _STACK.acquire(timeout=STACK_WAIT_SECONDS):
            self.start_error = SipError("another SIP endpoint is running in this process")
            self.ready.set()
            return
        try:
            loop = asyncio.new_event_loop()
            try:
                loop.run_until_complete(self._main(loop))
            finally:
                loop.close()
        finally:
            _STACK.release()

    async def _main(self, loop: asyncio.AbstractEventLoop) -> None:
        self._stop_event = asyncio.Event()
        self._no_calls = asyncio.Event()
        self._no_calls.set()
        self._loop = loop
        try:
            await self._setup()
        except BaseException as e:
            self.start_error = e
            self.ready.set()
            await self._teardown()
            return
        self.ready.set()
        self._hangups = asyncio.Queue()
        closer = loop.create_task(self._close_calls(self._hangups))
        try:
            await self._pump()
        finally:
            closer.cancel()
            await self._teardown()

    async def _setup(self) -> None:
        if baresip is None:
            raise SipError("baresip-python is not installed (pip install baresip-python)")
        cfg = self.config
        wanted = [c.upper() for c in cfg.codecs]
        missing = [c for c in wanted if c not in CODECS]
        if missing or not wanted:
            raise SipError(
                f"unknown SIP codecs {missing or wanted}; this build has: " + ", ".join(CODECS)
            )
        # A port picked for us can be taken between the pick and the stack's bind (by any
        # process's outgoing TCP connection, say): then pick again.
        for attempt in range(1, _PORT_TRIES + 1):
            self.local_port = cfg.port or free_sip_port(cfg.bind_host)
            try:
                await self._start_stack()
                break
            except baresip.BaresipError as e:
                if cfg.port or attempt == _PORT_TRIES or "in use" not in str(e):
                    raise
                log.info("SIP port taken meanwhile, picking another", extra={"try": attempt})
                await self._runtime.close()
        self._runtime.subscribe(self._on_stack_event)
        self._ua = await baresip.UserAgent.create(self._runtime, self._account())
        self._ua.on(self._on_registration)
        if self.on_incoming is not None:
            self._ua.on_incoming(self._incoming)
        if cfg.registrar:
            self._registering = asyncio.get_running_loop().create_task(self._register())
        else:
            self.registration_done.set()

    async def _start_stack(self) -> None:
        """Start the stack listening on `local_port` (UDP and TCP there, TLS on the next)."""
        cfg = self.config
        lines = [f"sip_listen {cfg.bind_host}:{self.local_port}"]
        if cfg.rtp_port_start:
            span = max(100, 4 * cfg.max_calls)  # RTP and RTCP per call, with room to churn
            lines.append(f"rtp_ports {cfg.rtp_port_start}-{cfg.rtp_port_start + span}")
        self._runtime = baresip.Runtime()
        await self._runtime.start(
            baresip.Config(
                net_interface=cfg.bind_host,
                max_concurrent_calls=None,  # the carrier keeps its own line cap
                native_log_level=_LOG_LEVELS.get(cfg.log_level, "debug"),
                # an INVITE's number called, for inbound calls (the event has no To)
                expose_headers=_CALLED_HEADERS if self.on_incoming is not None else (),
                extra_config_text="\n".join(lines) + "\n",
            )
        )

    def _account(self) -> str:
        """The stack's account line: who we are, the codecs, registration, the proxy."""
        cfg = self.config
        user = cfg.username or cfg.caller_id or "voxdial"
        outbound = cfg.proxy
        if not outbound and cfg.registrar and sip_host(cfg.registrar) != sip_host(cfg.domain):
            outbound = cfg.registrar  # register (and call) through the registrar
        params = ["catchall=yes"] if self.on_incoming is not None else []  # any number called
        if outbound:
            proxy = re.sub(r";lr\b", "", outbound)  # the stack adds loose routing itself
            params.append(f'outbound="{proxy}"')
        account = baresip.Account(
            user=user,
            domain=cfg.domain,
            password=cfg.password.get_secret_value(),
            reg_interval=300 if cfg.registrar else 0,
            audio_codecs=tuple(CODECS[c.upper()] for c in cfg.codecs),
            auth_user=cfg.username or None,
            extra_params=tuple(params),
        )
        display = f'"{cfg.caller_id}" ' if cfg.caller_id and cfg.caller_id != user else ""
        return display + account.aor()

    async def _register(self) -> None:
        try:
            await self._ua.register(timeout=self.config.register_timeout_seconds + 30)
        except Exception as e:  # RegistrationError, or a timeout: the event said why
            log.warning("SIP registration failed", extra={"error": redact(str(e))})
        finally:
            self.registration_done.set()

    def _on_registration(self, event: Any) -> None:
        if event.event == Event.REGISTER_OK:
            self.registration = (200, event.text or "")
            self.registered.set()
            self.registration_done.set()
        elif event.event == Event.REGISTER_FAIL:
            status, reason, _ = closed_status(event.text)
            self.registration = (status, reason)
            self.registered.clear()
            self.registration_done.set()

    async def _pump(self) -> None:
        """Every 20 ms: each answered call's audio both ways, until stopped."""
        assert self._stop_event is not None
        loop = asyncio.get_running_loop()
        stop = asyncio.ensure_future(self._stop_event.wait())
        due = loop.time()
        try:
            while not stop.done():
                now = loop.time()
                if now - due > FRAME_SECONDS:
                    self.ticks_late += 1
                    if now - due > 5 * FRAME_SECONDS:  # far behind: start the beat again
                        due = now
                self.ticks += 1
                cpu = time.thread_time()
                self._tick(now)
                self.pump_cpu_seconds += time.thread_time() - cpu
                self.pump_seconds += loop.time() - now
                due += FRAME_SECONDS
                await asyncio.wait([stop], timeout=max(0.0, due - loop.time()))
        finally:
            stop.cancel()

    def _tick(self, now: float) -> None:
        lives = []
        for live in list(self._calls.values()):
            if live.early_pending and live.media is None:
                self._start_early_media(live)
            if live.media is not None:
                lives.append(live)
        medias = [live.media for live in lives]
        batches: dict[asyncio.AbstractEventLoop, list] = defaultdict(list)
        for live, media, frames in zip(lives, medias, pump(medias, now), strict=True):
            if frames:
                batches[live.handle.loop].append((live.handle, frames, media.early))
                if live.peer is not None:  # joined: the other party hears these too
                    for pcm in frames:
                        live.peer.handle.queue_audio(pcm)
        for target, batch in batches.items():
            try:
                target.call_soon_threadsafe(deliver_all, batch)
            except RuntimeError:  # that loop closed: nobody listens
                pass

    async def _teardown(self) -> None:
        # Hang up and unregister, waiting (up to 2 s) for the answers.
        try:
            calls = [live.call for live in self._calls.values()]
            await asyncio.gather(*(c.hangup() for c in calls), return_exceptions=True)
            if self._no_calls is not None:
                await asyncio.wait([asyncio.ensure_future(self._no_calls.wait())], timeout=2.0)
            if self._ua is not None and self.registered.is_set():
                try:
                    await self._ua.unregister(timeout=2.0)
                except Exception as e:
                    log.warning("SIP unregistration failed", extra={"error": redact(str(e))})
                self.registered.clear()
        except Exception:
            log.exception("SIP hang-up at shutdown failed")
        for live in list(self._calls.values()):
            live.handle.report_ended(0, "SIP endpoint stopped", None)
        self._calls.clear()
        if self._runtime is not None:
            try:
                await self._runtime.close()
            except Exception:
                log.exception("SIP endpoint shutdown failed")
        self._runtime = self._ua = None

    # commands (on the thread) ---------------------------------------------------------

    async def make_call(self, handle: CallHandle, uri: str, headers: dict[str, str]) -> None:
        call = await self._ua.dial(uri, headers)
        live = _Call(handle, call)
        self._calls[handle.id] = live
        self._by_stack[call.handle] = live
        if self._no_calls is not None:
            self._no_calls.clear()
        for event in self._early.pop(call.handle, []):
            self._on_call_event(live, event)

    def _on_stack_event(self, event: Any) -> None:
        """Every event of the stack: a call's go to that call. A fast callee's first
        events can come before `dial()` returns the call: they wait for it."""
        if not event.call:
            return
        if event.event == Event.CALL_INCOMING and self.on_incoming is not None:
            if len(self._invites) >= _EARLY_CALLS:  # offers never made: forget them
                self._invites.pop(next(iter(self._invites)))
            self._invites[event.call] = event  # the user agent's listener comes next
            return
        live = self._by_stack.get(event.call)
        if live is not None:
            self._on_call_event(live, event)
            return
        if len(self._early) >= _EARLY_CALLS:  # calls never claimed (not ours): forget them
            self._early.pop(next(iter(self._early)))
        self._early.setdefault(event.call, []).append(event)

    def _on_call_event(self, live: _Call, event: Any) -> None:
        try:
            kind = event.event
            handle = live.handle
            if kind in (Event.CALL_RINGING, Event.CALL_PROGRESS):
                handle.ringing = True
                if kind == Event.CALL_PROGRESS and handle.wants_early and not live.answered:
                    live.early_pending = True
                    self._start_early_media(live)
            elif kind == Event.CALL_ANSWERED:
                handle.ringing = True
                live.answered = True
            elif kind == Event.CALL_ESTABLISHED:
                live.answered = True
                live.early_pending = False
                self._start_media(live)
                handle.report_answered()
            elif kind == Event.CALL_DTMF_START and event.text:
                handle.report_key(event.text[:1].upper())
            elif kind == Event.CALL_CLOSED:
                self._calls.pop(handle.id, None)
                self._by_stack.pop(live.call.handle, None)
                if not self._calls and self._no_calls is not None:
                    self._no_calls.set()
                stats = MediaCounters.of_call(event.stats or {}, live.media, handle.rx_dropped)
                handle.media_report = self.media.add(stats)
                live.media = None
                if live.peer is not None:
                    live.peer.peer = live.peer = None
                status, reason, q850 = closed_status(event.text)
                handle.report_ended(status, reason, q850)
        except Exception:
            log.exception("SIP call event handling failed")

    def _start_early_media(self, live: _Call) -> None:
        """Early media's audio, once the stack has it up (it may take a tick or two
        after the 183); until then `early_pending` stays set."""
        if live.answered:
            live.early_pending = False
            return
        try:
            info = live.call.audio.info()
        except baresip.BaresipError:
            return  # not up yet
        if not info.rx_ready or info.rx_sample_rate not in (8000, 16000):
            return
        assert self._loop is not None
        live.early_pending = False
        live.media = CallMedia(
            live.handle, live.call.audio, info.rx_sample_rate, self._loop.time(), early=True
        )

    def _incoming(self, call: Any) -> None:
        """An INVITE came (the user agent's callback): offer it, off this callback."""
        task = asyncio.get_running_loop().create_task(self._offer(call))
        self._offers.add(task)
        task.add_done_callback(self._offers.discard)

    async def _offer(self, call: Any) -> None:
        """Ask `on_incoming` whether to take the call: answer it with the handle it
        gives, or refuse it. Its events route to the handle from then on."""
        event = self._invites.pop(call.handle, None)
        headers = {k.lower(): v for k, v in (event.headers if event is not None else {}).items()}
        called = sip_user(
            next((headers[h.lower()] for h in _CALLED_HEADERS if h.lower() in headers), "")
        )
        caller = sip_user(call.peer or "")
        handle = None
        try:
            assert self.on_incoming is not None
            offered = self.on_incoming(IncomingCall(called, caller, self))
            handle = await asyncio.wait_for(asyncio.wrap_future(offered), COMMAND_SECONDS)
        except Exception:
            log.exception("SIP inbound call offer failed")
        try:
            if handle is None:
                await call.reject()
                return
            live = _Call(handle, call)
            self._calls[handle.id] = live
            self._by_stack[call.handle] = live
            if self._no_calls is not None:
                self._no_calls.clear()
            await call.answer()
        except Exception as e:  # gone meanwhile, or the stack refused: the handle hears
            log.warning("SIP inbound call not answered", extra={"error": redact(str(e))})
            if handle is not None and handle.id in self._calls:
                self._calls.pop(handle.id, None)
                self._by_stack.pop(call.handle, None)
                handle.report_ended(0, "not answered", None)

    def _start_media(self, live: _Call) -> None:
        audio = live.call.audio
        info = audio.info()
        assert self._loop is not None
        live.media = CallMedia(live.handle, audio, info.rx_sample_rate, self._loop.time())

    async def _send_keys(self, handle_id: int, digits: str) -> None:
        live = self._calls.get(handle_id)
        if live is None or live.media is None:
            raise SipError("the call is not up")
        await live.call.send_dtmf(digits)

    async def _transfer(self, handle_id: int, uri: str, seconds: float) -> None:
        live = self._calls.get(handle_id)
        if live is None or not live.answered:
            raise SipError("the call is not up")
        try:
            await live.call.transfer(uri, timeout=seconds)
        except baresip.TransferFailed as e:
            raise SipError(f"transfer failed: {redact(str(e))}") from None

    async def _bridge(self, a_id: int, b_id: int) -> None:
        a, b = self._calls.get(a_id), self._calls.get(b_id)
        if a is None or b is None or a.media is None or b.media is None:
            raise SipError("both calls must be up to be joined")
        a.peer, b.peer = b, a

    async def _hang_up(self, handle_id: int, unanswered_only: bool) -> None:
        live = self._calls.get(handle_id)
        if live is None or (unanswered_only and live.answered):
            return
        if live.media is None or self._hangups is None or HANGUP_GAP_SECONDS is None:
            try:
                await live.call.hangup()
            except baresip.StaleHandleError:  # it ended meanwhile
                pass
        elif not live.closing:  # its turn comes (`HANGUP_GAP_SECONDS`); ended tells
            live.closing = True
            self._hangups.put_nowait((handle_id, unanswered_only))

    async def _close_calls(self, hangups: asyncio.Queue[tuple[int, bool]]) -> None:
        """Hang up the calls with media, one at a time (`HANGUP_GAP_SECONDS`)."""
        while True:
            handle_id, unanswered_only = await hangups.get()
            live = self._calls.get(handle_id)
            if live is None:
                continue
            live.closing = False
            if unanswered_only and live.answered:
                continue
            try:
                await live.call.hangup()
            except baresip.StaleHandleError:  # it ended meanwhile
                pass
            except Exception as e:
                log.warning("SIP hang-up failed", extra={"error": redact(str(e))})
            await asyncio.sleep(HANGUP_GAP_SECONDS)


def free_sip_port(host: str) -> int:
    """A port the stack can listen on: free for UDP and TCP, and the next one for TCP."""
    for _ in range(100):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind((host, 0))
            port = int(s.getsockname()[1])
        if port < 65535 and _tcp_free(host, port) and _tcp_free(host, port + 1):
            return port
    raise SipError("no free port to listen for SIP on")


def _tcp_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


async def _translated(fn: Callable[[], Awaitable[Any]]) -> Any:
    try:
        return await fn()
    except Exception as e:
        if baresip is not None and isinstance(e, baresip.BaresipError):
            raise SipError(redact(str(e))) from None
        raise


_STACK = threading.Lock()  # held by the endpoint that has the stack

# Endpoints still running when the interpreter exits are stopped first, on their own
# threads: the stack must not be torn down from the main thread at finalization.
_RUNNING: weakref.WeakSet[SipEndpoint] = weakref.WeakSet()


@atexit.register
def _stop_all() -> None:
    for thread in list(_RUNNING):
        thread.stop()
