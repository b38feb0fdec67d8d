"""The TTS cache and single-flight synthesis in the TTS scheduler (fakes only)."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from voxdial.voice.tts_cache import ClauseCache, clause_key
from voxdial.voice.tts_scheduler import Priority, TtsScheduler


class CountingVoice:
    """Counts its syntheses; `gate` holds each one until the test sets it."""

    name = "counting"
    language = "en"

    def __init__(self, cache_key=("counting", 1), gate: bool = False) -> None:
        self.cache_key = cache_key
        self.calls: list[str] = []
        self.go = threading.Event()
        self.started = threading.Event()
        if not gate:
            self.go.set()
        self._lock = threading.Lock()

    def synthesize(self, text: str) -> np.ndarray:
        self.started.set()
        assert self.go.wait(10)
        with self._lock:
            self.calls.append(text)
        if text == "broken":
            raise ValueError("cannot say that")
        return np.full(100 * len(text), len(self.calls), dtype=np.int16)


def pcm(n: int) -> np.ndarray:
    return np.zeros(n, dtype=np.int16)


def test_the_cache_keeps_the_most_recently_used_within_its_bytes():
    cache = ClauseCache(max_bytes=3000)
    for k in "abc":
        cache.put(k, pcm(500))  # 1000 bytes each: all three fit
    assert cache.bytes == 3000 and len(cache) == 3
    assert cache.get("a") is not None  # "a" is now the most recent
    cache.put("d", pcm(500))
    assert cache.get("b") is None  # the least recently used went
    assert cache.get("a") is not None and cache.get("d") is not None
    assert cache.bytes == 3000
    cache.put("huge", pcm(2000))  # 4000 bytes: larger than the cache, not kept
    assert cache.get("huge") is None and cache.bytes == 3000


def test_a_cached_clause_is_read_only_so_no_call_alters_anothers():
    cache = ClauseCache(max_bytes=10_000)
    cache.put("a", pcm(10))
    with pytest.raises(ValueError):
        cache.get("a")[0] = 1


def test_the_key_is_the_voice_settings_and_the_text_as_read():
    a, b = (
        CountingVoice(("piper", "/v.onnx", None, 0.8)),
        CountingVoice(("piper", "/v.onnx", 1.2, 0.8)),
    )
    assert clause_key(a, " Hello. ") == clause_key(a, "Hello.")
    assert clause_key(a, "Hello.") != clause_key(b, "Hello.")
    plain = type("Plain", (), {"synthesize": lambda self, t: pcm(1)})()
    assert clause_key(plain, "x")[0] is plain  # no cache_key: the voice itself


def test_a_clause_said_again_is_not_synthesized_again():
    voice = CountingVoice()
    tts = TtsScheduler(workers=1, cache_bytes=1 << 20)
    try:
        first = tts.synthesize(voice, "Hi, this is Ava.", Priority.FIRST)
        again = tts.synthesize(voice, "Hi, this is Ava.", Priority.FIRST)
        other = tts.synthesize(CountingVoice(("other", 1)), "Hi, this is Ava.")
    finally:
        tts.close()
    assert voice.calls == ["Hi, this is Ava."]
    assert np.array_equal(first, again)
    assert other is not first  # another voice's clause is its own
    s = tts.stats()
    assert (s.cache_hits, s.cache_misses) == (1, 2)
    assert s.synthesized == 2 and s.cache_bytes == first.nbytes + other.nbytes


def test_with_the_cache_off_every_clause_is_synthesized():
    voice = CountingVoice()
    tts = TtsScheduler(workers=1, cache_bytes=0)
    try:
        for _ in range(3):
            tts.synthesize(voice, "Hello.")
    finally:
        tts.close()
    assert voice.calls == ["Hello."] * 3
    s = tts.stats()
    assert (s.cache_hits, s.cache_misses, s.cache_bytes) == (0, 0, 0)


def test_twenty_calls_saying_one_greeting_at_once_share_one_synthesis():
    voice = CountingVoice(gate=True)
    tts = TtsScheduler(workers=4, cache_bytes=1 << 20)
    try:
        futures = [tts.submit(voice, "Welcome.", Priority.FIRST) for _ in range(10)]
        assert voice.started.wait(5)  # running now: the next ten join a running job
        futures += [tts.submit(voice, "Welcome.", Priority.FIRST) for _ in range(10)]
        voice.go.set()
        results = [f.result(5) for f in futures]
    finally:
        tts.close()
    assert voice.calls == ["Welcome."]
    assert all(r is results[0] for r in results)
    s = tts.stats()
    assert (s.cache_hits, s.cache_misses, s.synthesized) == (19, 1, 1)


def test_one_caller_giving_up_does_not_cancel_the_clause_for_the_others():
    voice = CountingVoice(gate=True)
    tts = TtsScheduler(workers=1, cache_bytes=1 << 20)
    try:
        busy = tts.submit(voice, "busy")  # holds the one worker
        assert voice.started.wait(5)
        a = tts.submit(voice, "Shared.")
        b = tts.submit(voice, "Shared.")
        gone = tts.submit(voice, "Nobody waits.")
        assert a.cancel()  # a's call barged in; b still waits
        assert gone.cancel()
        voice.go.set()
        assert b.result(5).size == 700
        busy.result(5)
    finally:
        tts.close()
    assert voice.calls == ["busy", "Shared."]  # "Nobody waits." was skipped


def test_a_first_clause_joining_a_waiting_later_one_moves_it_to_the_front():
    voice = CountingVoice(gate=True)
    tts = TtsScheduler(workers=1, max_wait_s=60, cache_bytes=1 << 20)
    try:
        busy = tts.submit(voice, "busy")
        assert voice.started.wait(5)
        later = tts.submit(voice, "Thanks, goodbye.", Priority.LATER)
        mine = tts.submit(voice, "Thanks, goodbye.", Priority.FIRST)
        other = tts.submit(voice, "Another call's first.", Priority.FIRST)
        voice.go.set()
        for f in (busy, later, other, mine):
            f.result(5)
    finally:
        tts.close()
    # left a later clause, it would have gone after the other call's first one
    assert voice.calls == ["busy", "Thanks, goodbye.", "Another call's first."]


def test_a_failed_synthesis_reaches_every_waiter_and_is_not_cached():
    voice = CountingVoice(gate=True)
    tts = TtsScheduler(workers=1, cache_bytes=1 << 20)
    try:
        futures = [tts.submit(voice, "broken") for _ in range(3)]
        voice.go.set()
        for f in futures:
            with pytest.raises(ValueError):
                f.result(5)
        with pytest.raises(ValueError):
            tts.synthesize(voice, "broken")  # tried again, not served from memory
    finally:
        tts.close()
    assert voice.calls == ["broken", "broken"]
