"""Benchmark: how many SIP calls with audio one host holds, through one SIP carrier.

    .venv/bin/python bench/sip_lines.py [--lines 25,50,100,150,200] [--seconds 8]

For each N: one SIPp on 127.0.0.1 answers every call (PCMA) and echoes its RTP
(-rtp_echo); the carrier dials N calls at 50 per second (the dialer's default pace),
and each answered call plays a tone for the whole hold and listens. Reported per N:
calls up at once, the callee frames heard against the 50 a second due, frames on time
(the gap to the previous frame under 60 ms: 20 ms frames, a tick of pump and loop),
the 99th percentile and worst gap, the echoed tone heard (loud frames against the
frames played back), and CPU: this process (the stack, the pump, the event loop) and
SIPp, in cores. A host holds N when every call is up, >= 97% of the frames come (a
stream's first few go to the jitter buffer's start) and >= 98% of them on time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
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
from voxdial.telephony.sip import SipCarrier, SipConfig  # noqa: E402
from voxdial.voice.base import FRAME_SAMPLES  # noqa: E402

ON_TIME = 0.060
CPS = 50


class HoldRuntime:
    """Each answered call: play a tone for `seconds`, record when each frame came."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.arrivals: list[np.ndarray] = []
        self.loud: list[int] = []
        self.up = 0
        self.most_up = 0

    async def talk(self, request, *, engine, line, clock, started, answered) -> CallResult:
        loop = asyncio.get_running_loop()
        times: list[float] = []
        loud = 0
        self.up += 1
        self.most_up = max(self.most_up, self.up)

        async def listen() -> None:
            nonlocal loud
            async for pcm in line.frames():
                times.append(loop.time())
                loud += int(np.sqrt(np.mean(pcm.astype(np.float64) ** 2)) > 1000)

        listener = asyncio.create_task(listen())
        await line.play(tone(self.seconds, hz=440))
        await asyncio.wait([listener], timeout=self.seconds)
        self.up -= 1
        self.arrivals.append(np.array(times))
        self.loud.append(loud)
        await line.close()
        listener.cancel()
        return CallResult(HangupReason.ANSWERED, started, answered, clock.now(), "assistant")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def run(lines: int, seconds: float, workdir: Path) -> dict[str, float]:
    sipp = Sipp(
        scenario("answer", workdir, pt=8, codec="PCMA"),
        workdir,
        rtp_echo=True,
        extra=["-max_socket", "4096"],
    )
    runtime = HoldRuntime(seconds)
    carrier = SipCarrier(
        SipConfig(domain=sipp.domain, max_calls=lines, dial_timeout_seconds=10), runtime
    )
    try:
        await asyncio.to_thread(carrier.start)
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
    finally:
        await asyncio.to_thread(carrier.close)
        sipp.stop()
    answered = sum(r.outcome == HangupReason.ANSWERED for r in results)
    gaps = np.concatenate([np.diff(a) for a in runtime.arrivals if a.size > 1] or [np.zeros(1)])
    spans = [a[-1] - a[0] for a in runtime.arrivals if a.size > 1]
    due = sum(s * 1000 / (FRAME_SAMPLES / 16) for s in spans)  # 50 frames a second
    frames = sum(max(0, a.size - 1) for a in runtime.arrivals)
    return {
        "lines": lines,
        "answered": answered,
        "most_up": runtime.most_up,
        "frames": frames / due if due else 0.0,
        "on_time": float(np.mean(gaps < ON_TIME)),
        "p99_gap_ms": float(np.percentile(gaps, 99) * 1000),
        "max_gap_ms": float(gaps.max() * 1000),
        "echo": sum(runtime.loud) / max(1.0, due),
        "late_ticks": late,
        "cpu": cpu,
        "sipp_cpu": sipp_cpu,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", default="25,50,100,150,200")
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args()
    console = Console(width=150)
    table = Table(title=f"SIP calls with audio on one host ({os.cpu_count()} cores)")
    for column in (
        "lines", "up", "at once", "frames", "on time", "p99 gap", "max gap",
        "echo heard", "late ticks", "CPU", "SIPp CPU",
    ):  # fmt: skip
        table.add_column(column, justify="right")
    held = 0
    for n in (int(x) for x in args.lines.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            r = asyncio.run(run(n, args.seconds, Path(tmp)))
        ok = r["answered"] == n and r["frames"] >= 0.97 and r["on_time"] >= 0.98
        held = n if ok else held
        table.add_row(
            str(n), str(r["answered"]), str(r["most_up"]), f"{r['frames']:.1%}",
            f"{r['on_time']:.1%}", f"{r['p99_gap_ms']:.0f} ms", f"{r['max_gap_ms']:.0f} ms",
            f"{r['echo']:.1%}", f"{r['late_ticks']:.1%}", f"{r['cpu']:.2f}",
            f"{r['sipp_cpu']:.2f}",
        )  # fmt: skip
    console.print(table)
    console.print(f"this host holds {held} SIP calls with audio (of those tried)")


if __name__ == "__main__":
    main()
