"""Spoken-call turn latency and how many spoken calls one server holds.

Starts `voxdial serve` (SQLite, no dialer) in its own process, creates an assistant,
and calls it over the websocket (Twilio media-stream framing, μ-law 8 kHz) with
simulated callees (tests/support/callee.py) who answer in a synthesized voice.

- **Turn latency**: from the last sample of the callee's speech leaving the callee to
  the first byte of the assistant's reply arriving, measured by the callee.
- **Bare ASR + first TTS chunk**: for the same turns, in this process, with the same
  models: transcribing the callee's utterance (after the same μ-law round trip) plus
  synthesizing the first clause of the assistant's reply. The ratio of the two, per
  turn, is the pipeline's overhead (end-of-speech detection, engine, framing, network).
- **Concurrency**: N callees at once, N = 1, 2, 3, ...; turn latency p95 at each N,
  until it passes 1.5 s.

    .venv/bin/python bench/voice_latency.py [--language en|zh] [--calls 10] [--max-n 8]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.figures import commit, pct  # noqa: E402
from tests.support.callee import MediaStreamCallee  # noqa: E402

from voxdial.settings import Settings  # noqa: E402
from voxdial.voice.audio import Downsampler, Upsampler, mulaw_to_pcm, pcm_to_mulaw  # noqa: E402
from voxdial.voice.models import SpeechModels  # noqa: E402
from voxdial.voice.playback import clauses  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
VOXDIAL = ROOT / ".venv" / "bin" / "voxdial"

ASSISTANTS = {
    "en": {
        "name": "Latency bench",
        "welcome": "Hi, this is Ava from StarNet.",
        "speakerId": 2,
        "listenerId": 2,
        "collect": [
            {"question": "Are you happy with our service?", "answers": ["Yes", "No"]},
            {
                "question": "Which day suits you for a visit?",
                "answers": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
            },
        ],
    },
    "zh": {
        "name": "延迟测试",
        "welcome": "您好，我是星辰宽带的客服小星。",
        "speakerId": 1,
        "listenerId": 1,
        "collect": [
            {"question": "您对我们的服务满意吗？", "answers": ["满意", "一般", "不满意"]},
            {"question": "您愿意推荐给朋友吗？", "answers": ["愿意", "不愿意"]},
        ],
    },
}
REPLIES = {
    "en": ["Yes, I am very happy.", "Friday would be best."],
    "zh": ["我觉得很满意。", "我愿意推荐。"],
}
CALLEE_VOICE = {"en": 2, "zh": 1}


def say(line: str = "") -> None:
    print(line, flush=True)  # noqa: T201 (a benchmark reports on stdout)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(workdir: Path) -> tuple[subprocess.Popen, str, str]:
    port = free_port()
    env = {
        **os.environ,
        "VOXDIAL_DATABASE_URL": f"sqlite:///{workdir}/bench.db",
        "VOXDIAL_DATA_DIR": str(workdir / "data"),
        "VOXDIAL_PORT": str(port),
        "VOXDIAL_DIALER_ENABLED": "false",
        "VOXDIAL_RATE_LIMIT_PER_SECOND": "0",
    }
    log = open(workdir / "server.log", "w")  # noqa: SIM115 (lives as long as the server)
    proc = subprocess.Popen([str(VOXDIAL), "serve"], env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    token_file = workdir / "data" / "token"
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz").status_code == 200 and token_file.exists():
                return proc, base, token_file.read_text().strip()
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"server did not start; see {workdir / 'server.log'}")


def server_side(path: Path) -> None:
    """Medians of the server's own per-turn figures (its `turn:` log lines)."""
    rows = [
        [float(x) for x in re.findall(r"([\d.]+) ms", line)]
        for line in path.read_text().splitlines()
        if "turn: end of speech" in line
    ]
    if rows:
        names = ["committed", "asr", "engine", "first tts", "first audio"]
        cols = [statistics.median(r[i] for r in rows) for i in range(len(names))]
        say(
            "server side, medians: "
            + ", ".join(f"{n} {v:.0f} ms" for n, v in zip(names, cols, strict=True))
        )
        ratios = [r[4] / (r[1] + r[3]) for r in rows if r[1] + r[3] > 0]
        say(
            f"  server side, per turn: first audio / (its ASR + first TTS) median "
            f"{statistics.median(ratios):.2f}, p95 {pct(ratios, 95):.2f}"
        )


def error_rate(refs: list[str], hyps: list[str], lang: str) -> float:
    """Character (zh) or word (en) error rate, punctuation and case aside."""
    from rapidfuzz.distance import Levenshtein

    def units(text: str) -> list[str]:
        text = re.sub(r"[^\w\s]", "", text.lower())
        return list(text.replace(" ", "")) if lang == "zh" else text.split()

    errors = sum(Levenshtein.distance(units(r), units(h)) for r, h in zip(refs, hyps, strict=True))
    total = sum(len(units(r)) for r in refs)
    return errors / total if total else float("nan")


def telephone(audio: np.ndarray) -> np.ndarray:
    """The callee's audio as the server hears it: 8 kHz μ-law and back."""
    return Upsampler()(mulaw_to_pcm(pcm_to_mulaw(Downsampler()(audio))))


async def calls(url: str, token: str, replies: list[np.ndarray], n: int) -> list:
    callees = [
        MediaStreamCallee(url, list(replies), token=token, quiet_before_reply=1.0) for _ in range(n)
    ]
    return await asyncio.gather(*(c.run() for c in callees))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--language", choices=["en", "zh"], default="en")
    parser.add_argument("--calls", type=int, default=10, help="sequential calls (2 turns each)")
    parser.add_argument("--max-n", type=int, default=8, help="most concurrent calls to try")
    args = parser.parse_args()
    lang = args.language
    say(f"commit {commit()}")

    speech = SpeechModels(Settings())
    voice = speech.synthesizer(CALLEE_VOICE[lang], language=lang)
    replies = [voice.synthesize(t) for t in REPLIES[lang]]

    with tempfile.TemporaryDirectory() as tmp:
        proc, base, token = start_server(Path(tmp))
        try:
            headers = {"Authorization": f"Bearer {token}"}
            with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
                a = http.post("/openapi/assistants", json=ASSISTANTS[lang]).json()
                url = base.replace("http", "ws") + f"/openapi/assistants/{a['id']}/ws"
                ws_token = a["websocketToken"]
                say("warming up (the server loads its models on the first call) ...")
                asyncio.run(calls(url, ws_token, replies, 1))

                # -- sequential calls: latency against bare ASR + first TTS chunk, the
                # bare figures measured right after each call, on the same turns
                recognizer = speech.recognizer(ASSISTANTS[lang]["listenerId"], language=lang)
                synth = speech.synthesizer(ASSISTANTS[lang]["speakerId"], language=lang)
                heard = [telephone(r) for r in replies]
                words = [w for q in ASSISTANTS[lang]["collect"] for w in q["answers"]]
                recognizer.transcribe(heard[0], language=lang, hot_words=words)  # warm
                latencies: list[float] = []
                bare: list[float] = []
                raw: list[str] = []
                said: list[str] = []
                sessions: list[str] = []
                for i in range(args.calls):
                    before = {c["sessionId"] for c in http.get("/openapi/calllog").json()["items"]}
                    (report,) = asyncio.run(calls(url, ws_token, replies, 1))
                    latencies += [t.latency for t in report.turns if t.latency is not None]
                    listed = http.get("/openapi/calllog").json()["items"]
                    (sid,) = [c["sessionId"] for c in listed if c["sessionId"] not in before]
                    sessions.append(sid)
                    trace = http.get(f"/openapi/calltrace/{sid}").json()
                    for k, t in enumerate(trace):
                        if t["event"] != "customer.say":
                            continue
                        turn = len(said) % len(heard)
                        said.append(t["content"])
                        nxt = next((x for x in trace[k + 1 :] if x["event"] == "system.say"), None)
                        if nxt is None:
                            continue
                        t0 = time.perf_counter()
                        raw.append(
                            recognizer.transcribe(heard[turn], language=lang, hot_words=words)
                        )
                        synth.synthesize(clauses(nxt["content"])[0])
                        bare.append(time.perf_counter() - t0)
                    say(f"  call {i + 1}/{args.calls}: {len(report.turns)} turns")

                say(f"\nturn latency ({lang}), {len(latencies)} turns over {args.calls} calls")
                p50, p95 = pct(latencies, 50) * 1000, pct(latencies, 95) * 1000
                say(f"  p50 {p50:.0f} ms, p95 {p95:.0f} ms")
                say(
                    f"bare ASR + first TTS chunk, {len(bare)} turns: p50 "
                    f"{pct(bare, 50) * 1000:.0f} ms, p95 {pct(bare, 95) * 1000:.0f} ms"
                )
                if bare and latencies:
                    ratio = statistics.median(latencies) / statistics.median(bare)
                    say(f"  ratio of medians: {ratio:.2f} (pipeline overhead {ratio - 1:+.0%})")
                server_side(Path(tmp) / "server.log")
                refs = [REPLIES[lang][i % len(REPLIES[lang])] for i in range(len(said))]
                say(
                    f"ASR error rate ({'characters' if lang == 'zh' else 'words'}) over "
                    f"{len(said)} turns: in calls {error_rate(refs, said, lang):.1%} "
                    f"(after sound-alike correction), bare Whisper "
                    f"{error_rate(refs[: len(raw)], raw, lang):.1%}"
                )
                answered = http.get("/openapi/calllog", params={"pageSize": 100}).json()["items"]
                right = sum(
                    1
                    for c in answered
                    if c["sessionId"] in sessions
                    and len([x for x in c["collect"] or [] if x["hit"]]) == len(REPLIES[lang])
                )
                say(f"calls with every answer collected: {right}/{len(sessions)}")

                # -- concurrency
                say("\nconcurrent calls (each 2 turns): turn latency p95")
                held = 0
                for n in range(1, args.max_n + 1):
                    t0 = time.perf_counter()
                    reports = asyncio.run(calls(url, ws_token, replies, n))
                    lat = [t.latency for r in reports for t in r.turns if t.latency is not None]
                    missing = sum(len(REPLIES[lang]) - len(r.turns) for r in reports)
                    p95 = pct(lat, 95)
                    say(
                        f"  N={n}: p50 {pct(lat, 50) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
                        f"{len(lat)} turns, {missing} missing, {time.perf_counter() - t0:.0f} s",
                    )
                    if p95 <= 1.5 and not missing:
                        held = n
                    else:
                        break
                say(f"held with p95 <= 1.5 s: {held} concurrent calls")
        finally:
            proc.terminate()
            proc.wait(10)


if __name__ == "__main__":
    main()
