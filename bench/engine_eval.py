"""The `openai` engine on the labelled evaluation sets (tests/data/eval/), beside the
script engine on the same items.

Each item runs as a debug call does (`start()`, then `hear()` per callee turn) and is
scored by the same runner as tests/test_understanding_eval.py (tests/support/
understanding.py): right, wrong (an answer collected that the callee did not give) or
missed. Without `--base-url` it starts the packaged test model (Qwen2.5-Coder 0.5B
Instruct Q4 GGUF on llama-cpp-python's server, `scripts/llm-test-server.sh prepare`) on
loopback; with it, it asks that OpenAI-compatible endpoint (vLLM, llama.cpp, an operator's own).

The model is measured **alone**: a turn the model fails (timeout, HTTP error, unusable
JSON) gets no answer from the script here, so it scores as missed (in a deployment the
script answers such turns; the failures are counted by reason). The opening line and
silence turns come from the script, as in the engine. Seconds per reply: wall time of
each callee turn's `hear()` (the whole streamed reply).

`--limit N` takes N evenly spaced replies (and N/8 conversations) of each part, so a
slow endpoint can be sampled across all question types.

    .venv/bin/python bench/engine_eval.py --parts heldout --limit 80
    .venv/bin/python bench/engine_eval.py --base-url http://127.0.0.1:8000/v1 \\
        --model qwen2.5-7b-instruct --structured json_schema
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import SecretStr

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.figures import commit, pct  # noqa: E402
from tests.support.llm_server import MODEL_ALIAS, LlamaServer, llama_missing  # noqa: E402
from tests.support.understanding import (  # noqa: E402
    Tally,
    judge_conversation,
    judge_reply,
    load,
)

from voxdial.conversation.engine import (  # noqa: E402
    Action,
    ActionKind,
    CallContext,
    Conversation,
    ConversationEngine,
)
from voxdial.conversation.notes import NoteKind, note_kind  # noqa: E402
from voxdial.conversation.openai_engine import OpenAIEngine  # noqa: E402
from voxdial.conversation.script import ScriptEngine  # noqa: E402
from voxdial.settings import LLMSettings  # noqa: E402


class _OpeningOnly:
    """The script's conversation, kept in step, whose answers to the callee are dropped:
    the `openai` engine's fallback when the model is measured alone."""

    def __init__(self, inner: Conversation) -> None:
        self.inner = inner

    def start(self) -> list[Action]:
        return self.inner.start()

    def silence(self) -> list[Action]:
        return self.inner.silence()

    def hear(self, text: str) -> list[Action]:
        self.inner.hear(text)
        return []

    @property
    def collected(self) -> list:
        return []

    @property
    def finished(self) -> bool:
        return False


class OpeningOnlyEngine:
    def __init__(self) -> None:
        self.script = ScriptEngine()

    def begin(self, context: CallContext) -> _OpeningOnly:
        return _OpeningOnly(self.script.begin(context))


@dataclass
class Clock:
    """Seconds per callee turn and the model's failures, by reason."""

    seconds: list[float] = field(default_factory=list)
    failures: Counter = field(default_factory=Counter)


class _Timed:
    def __init__(self, inner: Conversation, clock: Clock) -> None:
        self.inner = inner
        self.clock = clock

    def start(self) -> list[Action]:
        return self.inner.start()

    def silence(self) -> list[Action]:
        return self.inner.silence()

    def hear(self, text: str) -> list[Action]:
        t0 = time.perf_counter()
        actions = self.inner.hear(text)
        self.clock.seconds.append(time.perf_counter() - t0)
        for a in actions:
            if a.kind == ActionKind.NOTE and note_kind(a) == NoteKind.LLM_FALLBACK:
                detail = a.text.partition(": ")[2]  # "<reason>: <message>"
                self.clock.failures[": ".join(detail.split(": ")[:2])[:40]] += 1
        return actions

    @property
    def collected(self):
        return self.inner.collected

    @property
    def finished(self) -> bool:
        return self.inner.finished


class TimedEngine:
    def __init__(self, inner: ConversationEngine) -> None:
        self.inner = inner
        self.clock = Clock()

    def begin(self, context: CallContext) -> _Timed:
        return _Timed(self.inner.begin(context), self.clock)


def spread(items: list[dict[str, Any]], limit: int | None) -> list[dict[str, Any]]:
    """`limit` items evenly spaced over the file (its order groups question types)."""
    if not limit or limit >= len(items):
        return items
    step = len(items) / limit
    return [items[int(i * step)] for i in range(limit)]


def score(engine: ConversationEngine, part: str, limit: int | None) -> dict[str, Any]:
    replies, units = Tally(), Tally()
    by_type: dict[str, Tally] = {}
    reply_items = spread(load(f"{part}_replies"), limit)
    for n, item in enumerate(reply_items, 1):
        if n % 10 == 0:
            print(f"  {part}: {n}/{len(reply_items)} replies", file=sys.stderr, flush=True)  # noqa: T201
        verdict, _ = judge_reply(engine, item)
        replies.add(verdict)
        by_type.setdefault(item["type"], Tally()).add(verdict)
    conversations = spread(load(f"{part}_conversations"), limit and max(4, limit // 8))
    whole = 0
    for c in conversations:
        outcome = judge_conversation(engine, c)
        for verdict, _ in [*outcome.answers, outcome.flow]:
            units.add(verdict)
        whole += all(v == "right" for v, _ in [*outcome.answers, outcome.flow])
    return {
        "replies": replies,
        "units": units,
        "by_type": by_type,
        "conversations": len(conversations),
        "whole": whole,
    }


def cell(t: Tally) -> str:
    return (
        f"{t.right}/{t.total} ({t.share('right'):.1%}) | {t.wrong} ({t.share('wrong'):.1%}) "
        f"| {t.missed} ({t.share('missed'):.1%})"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--parts", default="dev,heldout")
    ap.add_argument("--limit", type=int, default=0, help="replies per part (0: all)")
    ap.add_argument("--base-url", help="an OpenAI-compatible endpoint (default: the test model)")
    ap.add_argument("--model", default=MODEL_ALIAS)
    ap.add_argument("--api-key", default=os.environ.get("VOXDIAL_BENCH_API_KEY", ""))
    ap.add_argument(
        "--structured",
        choices=["json_schema", "json_object", "tools"],
        help="default: json_object for the test model (llama.cpp), else json_schema",
    )
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds per reply")
    defaults = LLMSettings.model_fields
    ap.add_argument("--max-tokens", type=int, default=defaults["max_tokens"].default)
    ap.add_argument("--temperature", type=float, default=defaults["temperature"].default)
    ap.add_argument("--no-script", action="store_true", help="skip the script engine's run")
    ap.add_argument("--json", type=Path, help="write every figure here")
    args = ap.parse_args()

    server = None
    base_url = args.base_url
    if base_url is None:
        missing = llama_missing()
        if missing:
            sys.exit(f"engine_eval: {missing}")
        server = LlamaServer()
        server.start()
        base_url = server.base_url
    structured = args.structured or ("json_object" if server else "json_schema")
    settings = LLMSettings(
        base_url=base_url,
        model=args.model,
        api_key=SecretStr(args.api_key),
        structured=structured,
        max_tokens=args.max_tokens,
        temperature=args.temperature,
    )
    rows: list[tuple[str, str, dict[str, Any], Clock]] = []
    packaged = "packaged Qwen2.5-Coder 0.5B Instruct Q4 (llama-cpp-python)"
    endpoint = packaged if server else args.model
    print(  # noqa: T201
        f"commit {commit()}; endpoint {endpoint}, {structured}, max_tokens {args.max_tokens}, "
        f"temperature {args.temperature}; limit {args.limit or 'all'}"
    )
    try:
        with OpenAIEngine(settings, timeout=args.timeout, fallback=OpeningOnlyEngine()) as llm:
            engines: list[tuple[str, TimedEngine]] = [("openai", TimedEngine(llm))]
            if not args.no_script:
                engines.append(("script", TimedEngine(ScriptEngine())))
            for part in args.parts.split(","):
                for name, engine in engines:
                    engine.clock = Clock()
                    t0 = time.perf_counter()
                    figures = score(engine, part, args.limit or None)
                    rows.append((part, name, figures, engine.clock))
                    s = engine.clock.seconds
                    print(  # noqa: T201
                        f"{part} {name}: replies {cell(figures['replies'])}; "
                        f"units {cell(figures['units'])}; whole conversations "
                        f"{figures['whole']}/{figures['conversations']}; s/reply mean "
                        f"{statistics.mean(s):.2f} p50 {pct(s, 50):.2f} p95 {pct(s, 95):.2f} "
                        f"({len(s)} turns, {time.perf_counter() - t0:.0f} s); "
                        f"model failures {dict(engine.clock.failures)}",
                        flush=True,
                    )
    finally:
        if server is not None:
            server.stop()

    head = (
        "| part | engine | replies right | wrong | missed | conversation units right | wrong "
        "| missed | whole conversations | s/reply p50 / p95 |"
    )
    print("\n" + head)  # noqa: T201
    print("|---|---|---|---|---|---|---|---|---|---|")  # noqa: T201
    for part, name, f, clock in rows:
        print(  # noqa: T201
            f"| {part} | {name} | {cell(f['replies'])} | {cell(f['units'])} | "
            f"{f['whole']}/{f['conversations']} | "
            f"{pct(clock.seconds, 50):.2f} / {pct(clock.seconds, 95):.2f} |"
        )
    for part, name, f, _ in rows:
        types = ", ".join(
            f"{t} {x.right}/{x.total}" + (f" ({x.wrong} wrong)" if x.wrong else "")
            for t, x in sorted(f["by_type"].items())
        )
        print(f"{part} {name} by type: {types}")  # noqa: T201
    if args.json:
        out = [
            {
                "part": part,
                "engine": name,
                "replies": vars(f["replies"]) | {"notes": []},
                "units": vars(f["units"]) | {"notes": []},
                "whole": f["whole"],
                "conversations": f["conversations"],
                "seconds": clock.seconds,
                "failures": dict(clock.failures),
            }
            for part, name, f, clock in rows
        ]
        args.json.write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
