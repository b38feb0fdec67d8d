"""One speech-recognition scheduler per worker, shared by all its calls.

Calls hand finished utterances to `AsrScheduler.transcribe` (the `Recognizer`
interface, blocking, from the session's worker thread). One decoding thread takes
what is waiting, highest priority first, up to `max_batch` utterances, and decodes them
as one batch in fitted windows (`WhisperRecognizer.transcribe_batch`): with many calls
the encoder and decoder run once per batch instead of once per utterance.

Guesses start only while the queue is shallow (`may_guess`, `guess_queue`): under load
the CPU goes to turns, and a guess would mostly wait to be dropped.

Priority: a turn that is holding a callee (the end of their reply) goes before a
speculative transcription started at a pause. A speculative job that has waited longer
than `max_wait_s` is dropped (its caller gets `StaleGuess` and transcribes the final
audio instead); a turn's job is always decoded. A guess the session keeps as the turn's
words (only silence followed it) is `promote`d to a turn; a job whose future was
cancelled before its batch (the callee went on talking) is skipped. Figures
(`stats()`): queue depth, wait and batch size, for the benchmark and for `/metrics`.

Weak decodes (a fitted decode that looped or lost its place, `decode_fitted` gives
None): a guess's is dropped (`StaleGuess`: the turn's own decode decides, and a guess
is never worth a padded decode); a turn's is redone in the padded 30 s window on a
second thread (`voxdial-asr-redo`), so its seconds of CPU do not hold every other
call's batch on the decoding thread (the two threads share the cores; CTranslate2 runs
the model's jobs of both, see `WhisperRecognizer`'s workers).
"""

from __future__ import annotations

import heapq
import itertools
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from enum import IntEnum

from voxdial.voice.base import Pcm


class _Counter:
    """Transcriptions running in this process (on any thread)."""

    def __init__(self) -> None:
        self._n = 0
        self._lock = threading.Lock()

    def __enter__(self) -> None:
        with self._lock:
            self._n += 1

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._n -= 1

    @property
    def busy(self) -> bool:
        return self._n > 0


TRANSCRIBING = _Counter()  # the sessions count their transcriptions here


def guess_rule(recognizer) -> Callable[[], bool]:
    """When a call may start a speculative transcription at a pause: on an ASR
    scheduler, while its queue is not deep (`AsrScheduler.may_guess`); on a recognizer
    without a queue, only while no other transcription runs in the process (each one
    would take a thread and the CPU from a turn)."""
    may_guess = getattr(recognizer, "may_guess", None)
    if callable(may_guess):
        return may_guess
    return lambda: not TRANSCRIBING.busy


class StaleGuess(Exception):
    """A speculative transcription dropped because it waited past `max_wait_s`."""


class Priority(IntEnum):
    TURN = 0  # the callee finished speaking and waits for the answer
    SPECULATIVE = 1  # a guess at a pause; worthless once the turn's own job runs


@dataclass(order=True)
class _Job:
    priority: int
    seq: int
    audio: Pcm = field(compare=False)
    language: str | None = field(compare=False)
    hot_words: Sequence[str] = field(compare=False)
    queued: float = field(compare=False)
    future: Future = field(compare=False, default_factory=Future)


@dataclass
class SchedulerStats:
    queued: int  # waiting now
    decoded: int  # utterances decoded so far
    batches: int
    dropped: int  # speculative jobs dropped after max_wait_s
    wait_p50_s: float  # of the latest 2000 waits
    wait_p95_s: float
    mean_batch: float
    waited: int = 0  # jobs taken into a batch so far
    wait_sum_s: float = 0.0  # their queue waits, summed
    skipped_guesses: int = 0  # guesses not started: the queue was deep (`may_guess`)
    redos: int = 0  # turns' weak fitted decodes redone padded on the redo thread
    weak_guesses: int = 0  # guesses whose fitted decode was weak: dropped, not redone
    kept_loops: int = 0  # the recognizer's looped decodes kept for their hot word


class AsrScheduler:
    """Batches `transcribe` calls of many sessions onto one recognizer that has
    `transcribe_batch(clips) -> texts` (WhisperRecognizer)."""

    def __init__(
        self,
        recognizer,
        *,
        max_batch: int = 8,
        max_wait_s: float = 1.0,
        guess_queue: int = 0,
        clock=time.monotonic,
    ) -> None:
        self.recognizer = recognizer
        self.name = recognizer.name
        self.max_batch = max_batch
        self.max_wait_s = max_wait_s
        # guesses start only while fewer jobs than this wait (0: half a batch, at least
        # one): a guess then still fits the next batch beside the turns, while a deeper
        # queue means turns are waiting and a guess would only slow their batches
        self.guess_queue = guess_queue if guess_queue > 0 else max(1, max_batch // 2)
        self._skipped_guesses = 0
        self._clock = clock
        self._heap: list[_Job] = []
        self._seq = itertools.count()
        self._cv = threading.Condition()
        self._closed = False
        self._waits: deque[float] = deque(maxlen=2000)
        self._decoded = self._batches = self._dropped = 0
        self._waited, self._wait_sum = 0, 0.0
        self._redos = self._weak_guesses = 0
        self._running: list[_Job] = []  # the batch being decoded (`promote` reaches it)
        # a recognizer that can leave weak decodes to its caller gets a redo thread
        self._split = callable(getattr(recognizer, "decode_fitted", None)) and callable(
            getattr(recognizer, "redo_padded", None)
        )
        self._redo_queue: queue.Queue[_Job | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="voxdial-asr", daemon=True)
        self._thread.start()
        self._redo_thread: threading.Thread | None = None
        if self._split:
            self._redo_thread = threading.Thread(
                target=self._run_redos, name="voxdial-asr-redo", daemon=True
            )
            self._redo_thread.start()

    # -- what calls use --------------------------------------------------------------

    def may_guess(self) -> bool:
        """Whether a call may queue a speculative transcription now (the queue is not
        deep: fewer than `guess_queue` jobs wait). A refusal is counted."""
        with self._cv:
            if len(self._heap) < self.guess_queue:
                return True
            self._skipped_guesses += 1
            return False

    def guess(self, audio: Pcm, *, language: str | None, hot_words: Sequence[str]) -> str:
        """A speculative transcription, behind every waiting turn (may raise StaleGuess)."""
        return self.transcribe(
            audio, language=language, hot_words=hot_words, priority=Priority.SPECULATIVE
        )

    def transcribe(
        self,
        audio: Pcm,
        *,
        language: str | None,
        hot_words: Sequence[str],
        priority: Priority = Priority.TURN,
    ) -> str:
        return self.submit(
            audio, language=language, hot_words=hot_words, priority=priority
        ).result()

    def submit(
        self,
        audio: Pcm,
        *,
        language: str | None,
        hot_words: Sequence[str],
        priority: Priority = Priority.TURN,
    ) -> Future:
        job = _Job(int(priority), next(self._seq), audio, language, tuple(hot_words), self._clock())
        with self._cv:
            if self._closed:
                raise RuntimeError("the ASR scheduler is closed")
            heapq.heappush(self._heap, job)
            self._cv.notify()
        return job.future

    def promote(self, future: Future) -> None:
        """The speculative job of `future`, if still waiting, becomes a turn's job (the
        callee waits for it now): it goes before later guesses and is never dropped; if
        its batch is decoding, a weak decode of it is redone. A job is in the queue or in
        the running batch from `submit` until its outcome is decided (both under the
        lock), so a promotion before that decision always reaches it."""
        with self._cv:
            for job in self._running:  # decoding now: a weak decode is then redone
                if job.future is future:
                    job.priority = int(Priority.TURN)
                    return
            for job in self._heap:
                if job.future is future and job.priority != Priority.TURN:
                    job.priority = int(Priority.TURN)
                    heapq.heapify(self._heap)
                    return

    def stats(self) -> SchedulerStats:
        with self._cv:
            waits = sorted(self._waits)
            queued = len(self._heap)
            decoded, batches, dropped = self._decoded, self._batches, self._dropped
            waited, wait_sum = self._waited, self._wait_sum
            skipped = self._skipped_guesses
            redos, weak_guesses = self._redos, self._weak_guesses

        def pct(p: float) -> float:
            return waits[min(len(waits) - 1, int(p * len(waits)))] if waits else 0.0

        return SchedulerStats(
            queued=queued,
            decoded=decoded,
            batches=batches,
            dropped=dropped,
            wait_p50_s=pct(0.5),
            wait_p95_s=pct(0.95),
            mean_batch=decoded / batches if batches else 0.0,
            waited=waited,
            wait_sum_s=wait_sum,
            skipped_guesses=skipped,
            redos=redos,
            weak_guesses=weak_guesses,
            kept_loops=int(getattr(self.recognizer, "kept_loops", 0)),
        )

    def close(self) -> None:
        with self._cv:
            self._closed = True
            self._cv.notify_all()
        self._thread.join(5)
        if self._redo_thread is not None:
            self._redo_queue.put(None)
            self._redo_thread.join(5)
        close = getattr(self.recognizer, "close", None)
        if callable(close):
            close()

    # -- the decoding thread -----------------------------------------------------------

    def _take(self) -> list[_Job] | None:
        with self._cv:
            while not self._heap and not self._closed:
                self._cv.wait()
            if self._closed and not self._heap:
                return None
            now = self._clock()
            batch: list[_Job] = []
            while self._heap and len(batch) < self.max_batch:
                job = heapq.heappop(self._heap)
                if not job.future.set_running_or_notify_cancel():
                    continue  # its caller gave up on it
                if job.priority == Priority.SPECULATIVE and now - job.queued > self.max_wait_s:
                    self._dropped += 1
                    job.future.set_exception(StaleGuess())
                    continue
                self._waits.append(now - job.queued)
                self._waited += 1
                self._wait_sum += now - job.queued
                batch.append(job)
            # in the same hold of the lock as the pops: a job is always in the heap or in
            # the running batch until its outcome is decided, so `promote` never misses it
            self._running = batch
            return batch

    def _run(self) -> None:
        while (batch := self._take()) is not None:
            if not batch:
                continue
            clips = [(j.audio, j.language, j.hot_words) for j in batch]
            try:
                if self._split:
                    texts = self.recognizer.decode_fitted(clips)
                else:
                    texts = self.recognizer.transcribe_batch(clips)
            except BaseException as exc:  # handed to the callers, never kills the thread
                with self._cv:
                    self._running = []
                for j in batch:
                    j.future.set_exception(exc)
                continue
            with self._cv:
                # what becomes of each weak decode is read from its priority in the same
                # hold of the lock that takes the batch out of `_running`: a `promote`
                # before it makes the job a turn's (redone), one after it finds no job
                self._running = []
                self._decoded += len(batch)
                self._batches += 1
                pairs = zip(batch, texts, strict=True)
                redo = [t is None and j.priority == Priority.TURN for j, t in pairs]
                self._weak_guesses += sum(t is None for t in texts) - sum(redo)
            for j, text, again in zip(batch, texts, redo, strict=True):
                if text is not None:
                    j.future.set_result(text)
                elif again:
                    self._redo_queue.put(j)
                else:
                    j.future.set_exception(StaleGuess())  # the turn's own decode decides

    def _run_redos(self) -> None:
        while (job := self._redo_queue.get()) is not None:
            try:
                text = self.recognizer.redo_padded((job.audio, job.language, job.hot_words))
            except BaseException as exc:  # handed to the caller, never kills the thread
                job.future.set_exception(exc)
                continue
            with self._cv:
                self._redos += 1
            job.future.set_result(text)
