"""The packaged LLM as a second opinion on the replies the rules leave unsettled: for
each such reply (the samples of bench/scorer_cv.py: every answer-bearing one and a
random 60 of those expecting no answer), the question, the numbered preset answers and
"0. none of them" go to an OpenAI-compatible server (`make llm-test-server`, then
`scripts/llm-test-server.sh serve PORT`), temperature 0, two tokens; the first token's
log-probabilities are its confidence. Prints its picks, right and wrong, most confident
first, and its wall time per call.

    PYTHONPATH=src:. .venv/bin/python bench/scorer_llm.py http://127.0.0.1:PORT
"""

from __future__ import annotations

import math
import random
import statistics
import sys
import time

import httpx
from bench.scorer_cv import collect
from tests.support.understanding import SPENT as PARTS
from tests.support.understanding import load

SYSTEM = (
    "You read a phone survey. Given the question, its numbered preset answers and the "
    "callee's reply, output only the number of the preset answer the reply gives, or 0 "
    "if the reply gives none of them (a question back, a refusal, a goodbye, unclear, or "
    "unrelated)."
)


def ask(base: str, item: dict) -> tuple[int, float, float]:
    """(the number picked, its probability, seconds)."""
    options = "\n".join(f"{k + 1}. {a}" for k, a in enumerate(item["answers"]))
    user = (
        f"Question: {item['question']}\nAnswers:\n0. none of them\n{options}\n"
        f"Reply: {item['reply']}\nNumber:"
    )
    body = {
        "model": "voxdial-test",
        "messages": [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}],
        "temperature": 0,
        "max_tokens": 2,
        "logprobs": True,
        "top_logprobs": 8,
    }
    t = time.perf_counter()
    choice = httpx.post(f"{base}/v1/chat/completions", json=body, timeout=120).json()
    seconds = time.perf_counter() - t
    choice = choice["choices"][0]
    text = choice["message"]["content"].strip()
    picked = int(text[0]) if text[:1].isdigit() else 0
    top: dict[str, float] = {}
    for e in (choice.get("logprobs") or {}).get("content", [{}])[0].get("top_logprobs", []):
        top[e["token"].strip()] = top.get(e["token"].strip(), 0.0) + math.exp(e["logprob"])
    return picked, top.get(str(picked), 0.0), seconds


def main(base: str) -> None:
    samples, _ = collect()
    items = {i["id"]: i for p in PARTS for i in load(f"{p}_replies")}
    rng = random.Random(7)
    chosen = [s for s in samples if s.label is not None]
    chosen += rng.sample([s for s in samples if s.label is None], 60)
    rng.shuffle(chosen)
    picks, seconds = [], []
    for s in chosen:
        picked, p, dt = ask(base, items[s.id])
        seconds.append(dt)
        if picked:
            picks.append((p, s.label is not None and picked == s.label + 1))
    answers = sum(s.label is not None for s in chosen)
    right = sum(ok for _, ok in picks)
    print(f"{len(chosen)} replies ({answers} with an answer): named {len(picks)}, right {right}")  # noqa: T201
    curve, r, w = [], 0, 0
    for p, ok in sorted(picks, reverse=True)[:20]:
        r, w = r + ok, w + (not ok)
        curve.append(f"{p:.2f}:{r}/{w}")
    print("most confident first (p:right/wrong):", " ".join(curve))  # noqa: T201
    print(f"seconds per call: p50 {statistics.median(seconds):.2f}, max {max(seconds):.2f}")  # noqa: T201


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080")
