"""First-audio latency of a spoken call on the `openai` engine, with the reply streamed
into speech clause by clause and without (the whole reply awaited first).

Each call is a real `CallSession`: the `openai` engine on the packaged test model
(Qwen2.5-Coder 0.5B Instruct Q4 on llama-cpp-python's server, started on loopback) or
on `--base-url`, the piper voice Joe (US English) as the synthesizer, and a scripted
callee whose words are tones (tests/support/voice.py: the tone recognizer hears them back
at once, so the figure is the engine's and the voice's, not speech recognition's). Per callee turn:

    first audio   end of speech committed -> the reply's first audio queued on the line
    whole reply   the engine's turn, first request byte to last streamed token

Calls alternate between the two modes (streamed, whole, streamed, ...) so that both see
the same machine; temperature 0, so both get the same replies. Figures: medians and p95
per mode, and the ratio of the medians.

    .venv/bin/python bench/llm_first_audio.py [--calls 6] [--base-url URL --model M]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import SecretStr

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.figures import commit, pct  # noqa: E402
from tests.support.llm_server import MODEL_ALIAS, LlamaServer, llama_missing  # noqa: E402
from tests.support.voice import (  # noqa: E402
    EnergyDetector,
    ScriptedLine,
    ToneRecognizer,
    tone,
)

from voxdial.conversation.engine import CallContext  # noqa: E402
from voxdial.conversation.openai_engine import OpenAIEngine  # noqa: E402
from voxdial.settings import LLMSettings, Settings  # noqa: E402
from voxdial.voice.models import SpeechModels  # noqa: E402
from voxdial.voice.playback import Interruption  # noqa: E402
from voxdial.voice.session import CallSession  # noqa: E402
from voxdial.voice.tuning import VoiceTuning  # noqa: E402

PIPER_JOE = 2
ANSWERED = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
SATISFIED = "Are you satisfied with our service?"
WHEN = "When did you last visit us?"
ASSISTANT: dict[str, Any] = {
    "welcome": "Hello, this is Acme calling about your recent visit.",
    "prompt": "You are a polite survey agent for Acme on a phone call.",
    "objective": "Find out whether the customer is satisfied and when they last visited.",
    "collect": [
        {"question": SATISFIED, "answers": ["satisfied", "neutral", "dissatisfied"]},
        {"question": WHEN, "answers": []},
    ],
    "language": "en",
}
# what the callee says, turn by turn (a tone per sentence; the recognizer hears it back)
WORDS = [
    "Yes, I am very satisfied, the staff were friendly and quick.",
    "I came in last Tuesday afternoon, I think.",
]


def said(i: int) -> Any:
    return tone(300 + 100 * i, 0.8)


class TimedSynthesizer:
    """The real voice, with the seconds each clause took."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.name = inner.name
        self.language = getattr(inner, "language", "en")
        self.seconds: list[float] = []

    def synthesize(self, text: str) -> Any:
        t0 = time.perf_counter()
        pcm = self.inner.synthesize(text)
        self.seconds.append(time.perf_counter() - t0)
        return pcm


async def one_call(engine: OpenAIEngine, synth: TimedSynthesizer, *, stream: bool) -> dict:
    """One call's turns, and how many of its turns the model failed (the script spoke)."""
    context = CallContext(assistant=ASSISTANT, name="Ann", now=ANSWERED, time_zone="UTC")
    conversation = engine.begin(context)
    line = ScriptedLine([said(i) for i in range(len(WORDS))], tail=0.5)
    session = CallSession(
        conversation=conversation,
        line=line,
        recognizer=ToneRecognizer(WORDS),
        synthesizer=synth,
        detector=EnergyDetector(),
        answered=ANSWERED,
        language="en",
        interruption=Interruption(method="none"),
        tuning=VoiceTuning(stream_replies=stream),
    )
    line.session = session
    await asyncio.wait_for(session.run(), 600)
    turns = [
        {
            "stream": stream,
            "first_audio": t.first_audio - t.committed,
            "whole_reply": t.engine_seconds,
            "first_tts": t.tts_first_seconds,
        }
        for t in session.turns
        if t.first_audio is not None
    ]
    failed = sum(u.side == "note" and u.text.startswith("llm fallback") for u in session.utterances)
    return {"stream": stream, "turns": turns, "failed": failed}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--calls", type=int, default=6, help="calls per mode (2 turns each)")
    ap.add_argument("--base-url", help="an OpenAI-compatible endpoint (default: the test model)")
    ap.add_argument("--model", default=MODEL_ALIAS)
    ap.add_argument("--api-key", default="")
    ap.add_argument("--structured", choices=["json_schema", "json_object", "tools"])
    ap.add_argument("--json", type=Path, help="write every turn's figures here")
    args = ap.parse_args()
    measured = commit()

    server = None
    base_url = args.base_url
    if base_url is None:
        missing = llama_missing()
        if missing:
            sys.exit(f"llm_first_audio: {missing}")
        server = LlamaServer()
        server.start()
        base_url = server.base_url
    settings = LLMSettings(
        base_url=base_url,
        model=args.model,
        api_key=SecretStr(args.api_key),
        structured=args.structured or ("json_object" if server else "json_schema"),
        temperature=0,
    )
    synth = TimedSynthesizer(SpeechModels(Settings()).synthesizer(PIPER_JOE))
    synth.synthesize("Warming up the voice.")
    calls: list[dict] = []
    try:
        with OpenAIEngine(settings, timeout=120) as engine:
            asyncio.run(one_call(engine, synth, stream=True))  # warm-up: prompt cache, voice
            for i in range(2 * args.calls):
                calls.append(asyncio.run(one_call(engine, synth, stream=i % 2 == 0)))
                first = ", ".join(f"{t['first_audio']:.2f}" for t in calls[-1]["turns"])
                mode = "streamed" if calls[-1]["stream"] else "whole"
                print(f"call {i + 1} {mode}: first audio {first} s", flush=True)  # noqa: T201
    finally:
        if server is not None:
            server.stop()

    print(f"commit {measured}; {args.calls} calls per mode, {len(WORDS)} turns each")  # noqa: T201
    medians = {}
    for stream in (True, False):
        mine = [t for c in calls if c["stream"] == stream for t in c["turns"]]
        failed = sum(c["failed"] for c in calls if c["stream"] == stream)
        first = [t["first_audio"] for t in mine]
        whole = [t["whole_reply"] for t in mine]
        tts = [t["first_tts"] for t in mine]
        medians[stream] = statistics.median(first) if first else float("nan")
        print(  # noqa: T201
            f"{'streamed' if stream else 'whole reply first'}: {len(mine)} turns; first audio "
            f"p50 {statistics.median(first):.2f} s p95 {pct(first, 95):.2f} s; whole reply "
            f"p50 {statistics.median(whole):.2f} s; first clause TTS p50 "
            f"{statistics.median(tts):.3f} s; model failures (script answered) "
            f"{failed}"
        )
    print(f"first audio, streamed / whole: {medians[True] / medians[False]:.2f}")  # noqa: T201
    # the same in one call: how far into its own reply a streamed turn was first heard
    share = [t["first_audio"] / t["whole_reply"] for c in calls if c["stream"] for t in c["turns"]]
    print(f"streamed turns, first audio / whole reply: median {statistics.median(share):.2f}")  # noqa: T201
    if args.json:
        args.json.write_text(json.dumps(calls, indent=1))


if __name__ == "__main__":
    main()
