"""Benchmark: how many SIP calls with audio one host holds, through one SIP carrier.

    .venv/bin/python bench/sip_lines.py [--lines 25,50,100,150,200] [--seconds 8] [--at-once]

For each N: one SIPp on 127.0.0.1 answers every call (PCMA) and echoes its RTP
(-rtp_echo); the carrier dials N calls at 50 per second (the dialer's default pace),
and each answered call plays a tone for the whole hold and listens. Reported per N:
calls up at once, the callee frames heard against the 50 a second due, frames on time
(the gap to the previous frame under 60 ms: 20 ms frames, a tick of pump and loop),
the 99th percentile and worst gap, the echoed tone heard (loud frames against the
frames played back), the pump's late ticks and its share of a core (wall time in the
tick, waits for the GIL included; "pump CPU": its thread's CPU time alone), and CPU:
this process (the stack, the pump, the event loop) and SIPp, in cores. A host holds N
when every call is up, and while all N are held >= 97% of the frames come (a stream's
first few go to the jitter buffer's start) and >= 98% of them on time.

"held" counts each call's frames from its first to the first hang-up of any call, once
every call was up ("held s": from the last answer to the first hang-up); "whole" counts
each call from its first frame to its last, and so includes the seconds in which the
other calls are hung up, at 50 a second.
Those seconds cost frames: the stack tears a closing call's media down on its one SIP
thread (it waits for the call's audio threads to stop), and meanwhile the other calls'
RTP waits in their sockets; what is still there when a call closes is never read (the
kernel counts it nowhere: no RcvbufErrors). The second table follows the frames hop by
hop (telephony/sip_stats.py): RTP sent, read by the stack, lost in its jitter buffer
or its ring towards us, decoded by our pump, and the UDP figures of the run (receive
buffer errors; the most bytes waiting in the stack's sockets, while held and in all).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.sipp import Sipp, scenario, tone  # noqa: E402

from voxdial.clock import SystemClock  # noqa: E402
from voxdial.conversation.calls import CallResult, DialRequest  # noqa: E402
from voxdial.conversation.engine import CallContext  # noqa: E402
from voxdial.conversation.script import ScriptEngine  # noqa: E402
from voxdial.domain.status import HangupReason  # noqa: E402
from voxdial.telephony import sip_endpoint  # noqa: E402
from voxdial.telephony.sip import SipCarrier, SipConfig  # noqa: E402
from voxdial.voice.base import FRAME_SAMPLES  # noqa: E402

ON_TIME = 0.060
CPS = 50


class HoldRuntime:
    """Each answered call: play a tone for `seconds`, record when each frame came, and
    when all `lines` were up and when the first was hung up (loop time)."""

    def __init__(self, seconds: float, lines: int) -> None:
        self.seconds = seconds
        self.lines = lines
        self.arrivals: list[np.ndarray] = []
        self.loud: list[int] = []
        self.up = 0
        self.most_up = 0
        self.all_up_at: float | None = None
        self.first_down_at: float | None = None

    async def talk(self, request, *, engine, line, clock, started, answered) -> CallResult:
        loop = asyncio.get_running_loop()
        times: list[float] = []
        loud = 0
        self.up += 1
        self.most_up = max(self.most_up, self.up)
        if self.up == self.lines:
            self.all_up_at = loop.time()

        async def listen() -> None:
            nonlocal loud
            async for pcm in line.frames():
                times.append(loop.time())
                loud += int(np.sqrt(np.mean(pcm.astype(np.float64) ** 2)) > 1000)

        listener = asyncio.create_task(listen())
        await line.play(tone(self.seconds, hz=440))
        await asyncio.wait([listener], timeout=self.seconds)
        if self.first_down_at is None:
            self.first_down_at = loop.time()
        self.up -= 1
        self.arrivals.append(np.array(times))
        self.loud.append(loud)
        await line.close()
        listener.cancel()
        return CallResult(HangupReason.ANSWERED, started, answered, clock.now(), "assistant")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def udp_counters() -> dict[str, int]:
    """The host's UDP counters (/proc/net/snmp)."""
    udp = [line.split()[1:] for line in Path("/proc/net/snmp").read_text().splitlines()
           if line.startswith("Udp:")]  # fmt: skip
    return dict(zip(udp[0], map(int, udp[1]), strict=True))


class SocketBacklog(threading.Thread):
    """Every 50 ms: the bytes waiting in the host's UDP sockets other than SIPp's
    (/proc/net/udp's rx_queue), the most seen while `held()` says so and in all."""

    def __init__(self, skip_ports: set[int], held) -> None:
        super().__init__(daemon=True)
        self.skip, self.held = skip_ports, held
        self.most = self.most_held = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.05):
            total = 0
            for line in Path("/proc/net/udp").read_text().splitlines()[1:]:
                fields = line.split()
                local, queues = fields[1], fields[4]
                if int(local.split(":")[1], 16) not in self.skip:
                    total += int(queues.split(":")[1], 16)
            self.most = max(self.most, total)
            if self.held():
                self.most_held = max(self.most_held, total)


def held_window(runtime: HoldRuntime) -> tuple[float, float] | None:
    """When every call was up: from the last answer to the first hang-up."""
    if runtime.all_up_at is None or runtime.first_down_at is None:
        return None
    start, end = runtime.all_up_at, runtime.first_down_at
    return (start, end) if end - start > 0.5 else None


def frame_figures(arrivals: list[np.ndarray]) -> tuple[float, float, np.ndarray]:
    """Frames come against the 50 a second due (each call from its first frame to its
    last), the share of gaps on time, and the gaps."""
    gaps = np.concatenate([np.diff(a) for a in arrivals if a.size > 1] or [np.zeros(1)])
    due = sum((a[-1] - a[0]) * 1000 / (FRAME_SAMPLES / 16) for a in arrivals if a.size > 1)
    frames = sum(max(0, a.size - 1) for a in arrivals)
    return (frames / due if due else 0.0), float(np.mean(gaps < ON_TIME)), gaps


async def run(lines: int, seconds: float, workdir: Path) -> dict[str, float]:
    sipp = Sipp(
        scenario("answer", workdir, pt=8, codec="PCMA"),
        workdir,
        rtp_echo=True,
        extra=["-max_socket", "4096"],
    )
    runtime = HoldRuntime(seconds, lines)
    carrier = SipCarrier(
        SipConfig(domain=sipp.domain, max_calls=lines, dial_timeout_seconds=10), runtime
    )

    def held() -> bool:
        return runtime.all_up_at is not None and runtime.first_down_at is None

    backlog = SocketBacklog({sipp.port, *range(sipp.media_port, sipp.media_port + 4)}, held)
    try:
        await asyncio.to_thread(carrier.start)
        udp0 = udp_counters()
        backlog.start()
        cpu0, sipp0, wall0 = time.process_time(), cpu_seconds(sipp.process.pid), time.monotonic()

        async def dial(i: int) -> CallResult:
            await asyncio.sleep(i / CPS)
            context = CallContext(assistant={}, now=datetime.now(UTC))
            request = DialRequest(
                session_id=uuid.uuid4().hex, callee=f"+86138{i:08d}", caller="", context=context
            )
            return await carrier.place_call(request, clock=SystemClock(), engine=ScriptEngine())

        results = await asyncio.gather(*(dial(i) for i in range(lines)))
        wall = time.monotonic() - wall0
        cpu = (time.process_time() - cpu0) / wall
        sipp_cpu = (cpu_seconds(sipp.process.pid) - sipp0) / wall
        endpoint = carrier._endpoint
        late = endpoint.ticks_late / max(1, endpoint.ticks) if endpoint else 0.0
        pump = endpoint.pump_seconds / wall if endpoint else 0.0
        pump_cpu = endpoint.pump_cpu_seconds / wall if endpoint else 0.0
    finally:
        await asyncio.to_thread(carrier.close)
        backlog.done.set()
        sipp.stop()
    udp1 = udp_counters()
    media = endpoint.media.as_dict() if endpoint is not None else {}
    answered = sum(r.outcome == HangupReason.ANSWERED for r in results)
    frames, on_time, gaps = frame_figures(runtime.arrivals)
    due = frames and sum(max(0, a.size - 1) for a in runtime.arrivals) / frames
    window = held_window(runtime)
    held_frames = held_on_time = 0.0
    if window is not None:
        # each call from its first frame to the first hang-up: a stall at the set-up
        # that is caught up later counts as on time or not, never as frames lost
        inside = [a[a < window[1]] for a in runtime.arrivals]
        held_frames, held_on_time, _ = frame_figures(inside)
    return {
        "lines": lines,
        "answered": answered,
        "most_up": runtime.most_up,
        "held_seconds": (window[1] - window[0]) if window else 0.0,
        "held_frames": held_frames,
        "held_on_time": held_on_time,
        "frames": frames,
        "on_time": on_time,
        "p99_gap_ms": float(np.percentile(gaps, 99) * 1000),
        "max_gap_ms": float(gaps.max() * 1000),
        "echo": sum(runtime.loud) / max(1.0, due),
        "late_ticks": late,
        "pump": pump,
        "pump_cpu": pump_cpu,
        "cpu": cpu,
        "sipp_cpu": sipp_cpu,
        "rcvbuf_errors": udp1["RcvbufErrors"] - udp0["RcvbufErrors"],
        "backlog_held": backlog.most_held,
        "backlog": backlog.most,
        **{f"hop_{k}": v for k, v in media.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", default="25,50,100,150,200")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument(
        "--at-once",
        action="store_true",
        help="hang calls up all at once, not one at a time (what the endpoint did before)",
    )
    args = parser.parse_args()
    if args.at_once:
        sip_endpoint.HANGUP_GAP_SECONDS = None
    console = Console(width=150)
    console.print(
        f"load average {Path('/proc/loadavg').read_text().split()[:3]}; hang-ups "
        + ("all at once" if args.at_once else "one at a time")
    )
    table = Table(title=f"SIP calls with audio on one host ({os.cpu_count()} cores)")
    for column in (
        "lines", "up", "at once", "held s", "frames held", "on time held", "frames whole",
        "on time whole", "p99 gap", "max gap", "echo heard", "late ticks", "pump",
        "pump CPU", "CPU", "SIPp CPU",
    ):  # fmt: skip
        table.add_column(column, justify="right")
    hops = Table(title="where the callee's frames went (20 ms frames, all calls)")
    for column in (
        "lines", "RTP sent", "read by stack", "jbuf late/lost/full", "ring dropped/skipped",
        "decoded", "filled", "queue dropped", "RcvbufErrors", "backlog held / all",
    ):  # fmt: skip
        hops.add_column(column, justify="right")
    holds = 0
    for n in (int(x) for x in args.lines.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            r = asyncio.run(run(n, args.seconds, Path(tmp)))
        ok = r["answered"] == n and r["held_frames"] >= 0.97 and r["held_on_time"] >= 0.98
        holds = n if ok else holds
        table.add_row(
            str(n), str(r["answered"]), str(r["most_up"]), f"{r['held_seconds']:.1f}",
            f"{r['held_frames']:.1%}", f"{r['held_on_time']:.1%}", f"{r['frames']:.1%}",
            f"{r['on_time']:.1%}", f"{r['p99_gap_ms']:.0f} ms", f"{r['max_gap_ms']:.0f} ms",
            f"{r['echo']:.1%}", f"{r['late_ticks']:.1%}", f"{r['pump']:.2f}",
            f"{r['pump_cpu']:.2f}", f"{r['cpu']:.2f}", f"{r['sipp_cpu']:.2f}",
        )  # fmt: skip
        sent = max(1, r["hop_sent"])
        hops.add_row(
            str(n), str(r["hop_sent"]), f"{r['hop_received']} ({r['hop_received'] / sent:.1%})",
            f"{r['hop_jbuf_late']}/{r['hop_jbuf_lost']}/{r['hop_jbuf_overflow']}",
            f"{r['hop_ring_dropped']}/{r['hop_ring_discarded']}", str(r["hop_decoded"]),
            str(r["hop_filled"]), str(r["hop_queue_dropped"]), str(r["rcvbuf_errors"]),
            f"{r['backlog_held'] // 1024} / {r['backlog'] // 1024} KiB",
        )  # fmt: skip
    console.print(table)
    console.print(hops)
    console.print(f"this host holds {holds} SIP calls with audio (of those tried)")


if __name__ == "__main__":
    main()
