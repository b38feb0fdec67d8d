"""`GET /metrics`: scraped from a running app after real work (a sim task dialled to its
end, a spoken call over the media websocket), parsed as Prometheus text; who may scrape
it; the worker's own metrics server; and the adaptive pace wired to the turn latency."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent import futures

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import make_settings
from tests.support.callee import MediaStreamCallee, live_server
from tests.support.dialer import make_task, phones, task_row
from tests.support.voice import (
    ToneRecognizer,
    ToneSpeech,
    ToneSynthesizer,
    tone,
)
from tests.support.webhook_receiver import Receiver
from voxdial import runtime as runtime_module
from voxdial.api.app import create_app
from voxdial.domain.status import HangupReason
from voxdial.metrics import Metrics, SpeechQueues, scrape_refusal, serve_metrics
from voxdial.runtime import DialerThread, Runtime
from voxdial.store.db import Database
from voxdial.store.models import Webhook
from voxdial.telephony.sim import SimCarrier, SimConfig
from voxdial.voice.asr_scheduler import AsrScheduler
from voxdial.voice.runtime import VoiceRuntime
from voxdial.voice.tts_scheduler import TtsScheduler
from voxdial.voice.turns import TurnTiming
from voxdial.webhooks import events as ev

pytestmark = pytest.mark.timeout(120)

WORDS = ["yes", "Tuesday"]
ENGLISH = {
    "name": "Service check",
    "welcome": "Hi, this is Ava.",
    "collect": [
        {"question": "Are you happy with us?", "answers": ["Yes", "No"]},
        {"question": "Which day suits you?", "answers": ["Monday", "Tuesday"]},
    ],
}


def parse(text: str) -> dict[str, list]:
    """{sample name: [(labels, value)]} of a Prometheus text exposition."""
    samples: dict[str, list] = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            samples.setdefault(s.name, []).append((s.labels, s.value))
    return samples


def value(samples: dict[str, list], name: str, **labels: str) -> float:
    """The one sample of `name` with these labels (KeyError when absent)."""
    found = [
        v for got, v in samples.get(name, []) if all(got.get(k) == x for k, x in labels.items())
    ]
    if len(found) != 1:
        raise KeyError(f"{name}{labels}: {len(found)} samples")
    return found[0]


def scrape(base: str, **headers: str) -> dict[str, list]:
    # generous: the first scrape of a fresh server timed out at 10 s on a host at load 20
    r = httpx.get(base + "/metrics", headers=headers, timeout=60)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain")
    return parse(r.text)


# -- a sim task dialled to its end ------------------------------------------------------


def fast_sim(rt: Runtime) -> SimCarrier:
    """The sim carrier with calls of about a second (rings, talk and think shortened)."""
    return SimCarrier(
        SimConfig(
            seed=7,
            ring_seconds=(0.05, 0.3),
            no_answer_seconds=0.5,
            talk_seconds_per_char=0.001,
            think_seconds=0.02,
            personas={"cooperative": 3, "refuses": 1},  # no call-me-later: every number ends
        )
    )


def test_a_sim_task_moves_the_dial_and_webhook_series(sqlite_url, tmp_path, monkeypatch):
    monkeypatch.setattr(runtime_module, "make_carrier", fast_sim)
    settings = make_settings(
        sqlite_url,
        tmp_path,
        dialer_tick_seconds=0.05,
        webhook_allow_networks="127.0.0.0/8",
        webhook_max_attempts=20,
    )
    db = Database(sqlite_url)
    rt = Runtime(settings)
    app = create_app(settings, db=db, runtime=rt)
    numbers = phones(8, seed=3)
    with Receiver() as receiver:
        receiver.set_default("/hook", 500)  # every delivery fails: the backlog stays
        task = make_task(db, numbers, workspace="acme", running=False, retryCount=0)
        _subscribe(db, task.workspace_id, receiver.url("/hook"))
        with live_server(app) as base:
            before = scrape(base)
            assert "voxdial_dial_attempts_total" not in before
            assert value(before, "voxdial_webhook_backlog") == 0
            assert value(before, "voxdial_webhook_overdue_seconds") == 0

            _start(db, task.id)
            dialer = DialerThread(rt)
            dialer.start()
            try:
                deadline = time.monotonic() + 60
                while task_row(db, task.id).status == "running" and time.monotonic() < deadline:
                    time.sleep(0.1)
            finally:
                dialer.stop()
            assert task_row(db, task.id).status == "done"
            response = httpx.get(base + "/metrics", timeout=10)
    db.dispose()

    text = response.text
    after = parse(text)
    attempts = {
        labels["outcome"]: v
        for labels, v in after["voxdial_dial_attempts_total"]
        if labels["carrier"] == "sim"
    }
    assert sum(attempts.values()) == len(numbers)  # one attempt each (no retries)
    assert set(attempts) <= {h.value for h in HangupReason}
    assert value(after, "voxdial_calls_in_flight", carrier="sim") == 0
    # an event per call and the task's, none acknowledged
    assert value(after, "voxdial_webhook_backlog") == len(numbers) + 1
    assert value(after, "voxdial_webhook_overdue_seconds") >= 0
    # the sim carrier places no spoken calls: no limit, no session, no turn
    assert value(after, "voxdial_spoken_call_limit") == 0
    assert value(after, "voxdial_spoken_sessions") == 0
    assert value(after, "voxdial_turn_latency_seconds_count") == 0
    # no tenant data in the figures
    for secret in [*numbers, *(n.lstrip("+") for n in numbers), "acme", receiver.url("/hook")]:
        assert secret not in text


def _subscribe(db: Database, workspace_id: int, url: str) -> None:
    with db.session() as s:
        s.add(
            Webhook(
                workspace_id=workspace_id,
                url=url,
                events=[ev.CALL_END, ev.TASK_END],
                secret="s3cret",
            )
        )
        s.commit()


def _start(db: Database, task_id: int) -> None:
    from voxdial.store.models import Task

    with db.session() as s:
        s.get(Task, task_id).status = "running"
        s.commit()


# -- a spoken call over the media websocket -----------------------------------------------


class BatchTones(ToneRecognizer):
    """The tone recognizer with the batch interface the ASR scheduler drives."""

    def transcribe_batch(self, clips):
        return [self.transcribe(a, language=lang, hot_words=h) for a, lang, h in clips]


class QueuedToneSpeech(ToneSpeech):
    """The tone fakes, the recognizer behind a real ASR scheduler."""

    def __init__(self) -> None:
        super().__init__(WORDS)
        self.asr = AsrScheduler(BatchTones(WORDS), max_batch=4)

    def recognizer(self, listener_id, *, language=None):
        return self.asr

    def queues(self):
        return [("asr", self.asr)]


def said(word: str):
    return tone(300 + 100 * WORDS.index(word), 0.8)


class WeakTones(ToneRecognizer):
    """Every fitted decode is weak; the padded redo hears the tone."""

    kept_loops = 0

    def decode_fitted(self, clips):
        return [None] * len(clips)

    def redo_padded(self, clip):
        audio, language, hot_words = clip
        return self.transcribe(audio, language=language, hot_words=hot_words)


class GuessFirstScheduler(AsrScheduler):
    """The real scheduler, where a kept guess is promoted only once its own decode is
    over: each reply's guess is decoded weak and dropped, then the turn's own decode is
    weak too and redone padded (one weak guess and one redo per reply, every run)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.promoted = 0

    def promote(self, future) -> None:
        futures.wait([future], timeout=10)
        self.promoted += 1
        super().promote(future)


class WeakToneSpeech(QueuedToneSpeech):
    def __init__(self) -> None:
        ToneSpeech.__init__(self, WORDS)
        self.asr = GuessFirstScheduler(WeakTones(WORDS), max_batch=4)


def spoken_call(env, speech, recordings) -> tuple[str, str, object]:
    """/metrics before and after one spoken call ("yes", "Tuesday") over the websocket,
    heard through `speech`; and the callee's report."""
    env.app.state.voxdial.runtime.voice = VoiceRuntime(speech, recordings)
    r = env.client.post("/openapi/assistants", json=ENGLISH)
    assert r.status_code == 201, r.text
    a = r.json()
    try:
        with live_server(env.app) as base:
            before = scrape(base)
            url = base.replace("http", "ws") + f"/openapi/assistants/{a['id']}/ws"
            callee = MediaStreamCallee(
                url, [said("yes"), said("Tuesday")], token=a["websocketToken"]
            )
            report = asyncio.run(callee.run())
            after = scrape(base)
    finally:
        speech.asr.close()
    return before, after, report


@pytest.mark.slow  # a whole call at phone speed: 4-15 s of real time
def test_weak_decodes_move_the_redo_and_weak_guess_series(sqlite_env, tmp_path):
    speech = WeakToneSpeech()
    before, after, report = spoken_call(sqlite_env, speech, tmp_path / "recordings")
    model = {"kind": "asr", "model": "tones"}
    assert len(report.turns) == 2  # both replies heard right, through the padded redo
    assert speech.asr.promoted == 2  # each reply had its guess
    for name in ("redos", "weak_guesses", "skipped_guesses", "kept_loops"):
        assert value(before, f"voxdial_speech_{name}_total", **model) == 0
    assert value(after, "voxdial_speech_redos_total", **model) == 2
    assert value(after, "voxdial_speech_weak_guesses_total", **model) == 2
    assert value(after, "voxdial_speech_skipped_guesses_total", **model) == 0


@pytest.mark.slow  # a whole call at phone speed: 4-15 s of real time
def test_a_spoken_call_moves_the_turn_and_speech_queue_series(sqlite_env, tmp_path):
    speech = QueuedToneSpeech()
    _, after, report = spoken_call(sqlite_env, speech, tmp_path / "recordings")
    assert len(report.turns) == 2  # the callee heard both replies
    assert value(after, "voxdial_turn_latency_seconds_count") == 2
    assert value(after, "voxdial_turn_latency_seconds_sum") > 0
    assert value(after, "voxdial_turn_latency_seconds_bucket", le="+Inf") == 2
    assert value(after, "voxdial_spoken_sessions") == 0  # ended
    model = {"kind": "asr", "model": "tones"}
    stats = speech.asr.stats()
    assert value(after, "voxdial_speech_batch_size_sum", **model) == stats.decoded >= 2
    assert value(after, "voxdial_speech_batch_size_count", **model) == stats.batches >= 1
    assert value(after, "voxdial_speech_queue_wait_seconds_count", **model) >= 2
    assert value(after, "voxdial_speech_queue_wait_seconds", quantile="0.95", **model) >= 0
    assert value(after, "voxdial_speech_queue_depth", **model) == 0


# -- who may scrape ------------------------------------------------------------------------


def test_a_client_off_loopback_is_refused_without_a_token(sqlite_env):
    # TestClient's client address is "testclient": not loopback
    r = sqlite_env.client.get("/metrics")
    assert r.status_code == 403
    assert "VOXDIAL_METRICS_TOKEN" in r.json()["error"]["message"]


def test_with_a_token_only_its_bearer_may_scrape(sqlite_url, tmp_path):
    from fastapi.testclient import TestClient

    settings = make_settings(sqlite_url, tmp_path, metrics_token="m-3x4mpl3")
    db = Database(sqlite_url)
    app = create_app(settings, db=db)
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            assert client.get("/metrics").status_code == 401
            wrong = client.get("/metrics", headers={"Authorization": "Bearer nope"})
            assert wrong.status_code == 401
            right = client.get("/metrics", headers={"Authorization": "Bearer m-3x4mpl3"})
            assert right.status_code == 200
            assert "voxdial_spoken_sessions" in parse(right.text)
        with live_server(app) as base:  # loopback needs the token too, once one is set
            assert httpx.get(base + "/metrics", timeout=10).status_code == 401
    finally:
        db.dispose()


def test_metrics_are_not_in_the_api_schema(sqlite_env):
    assert "/metrics" not in sqlite_env.client.get("/openapi.json").json()["paths"]


# -- the worker's metrics server -------------------------------------------------------------


def test_the_worker_metrics_server_answers_on_loopback_and_keeps_the_token_rule():
    metrics = Metrics()
    metrics.dial_attempts.labels(carrier="sip", outcome="busy").inc(3)
    server = serve_metrics(metrics, host="127.0.0.1", port=0)
    guarded = serve_metrics(metrics, host="127.0.0.1", port=0, token="w-t0ken")
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        samples = scrape(base)
        assert value(samples, "voxdial_dial_attempts_total", carrier="sip", outcome="busy") == 3
        assert httpx.get(base + "/other", timeout=10).status_code == 404
        other = f"http://127.0.0.1:{guarded.server_port}"
        assert httpx.get(other + "/metrics", timeout=10).status_code == 401
        assert scrape(other, Authorization="Bearer w-t0ken")["voxdial_dial_attempts_total"]
    finally:
        for s in (server, guarded):
            s.shutdown()
            s.server_close()


# -- the adaptive pace, wired -----------------------------------------------------------------


def timing(latency: float) -> TurnTiming:
    return TurnTiming(speech_end=100.0, first_audio=100.0 + latency)


def test_slow_turns_lower_the_spoken_call_limit_the_dialer_reads(sqlite_url, tmp_path):
    settings = make_settings(
        sqlite_url,
        tmp_path,
        carrier="mediastream",
        mediastream_dial_url="http://127.0.0.1:9/dial",
        dialer_pace_target_seconds=1.5,
        dialer_pace_period_seconds=0,
    )
    rt = Runtime(settings)
    rt.voice = VoiceRuntime(NoSpeech(), tmp_path / "recordings", capacity=8)
    lines = rt.voice.reserve(8)
    pace = rt.pace = rt.spoken_pace(lines)
    assert pace is not None and rt.line_limit(pace) == 8
    hook = rt.voice.on_turn  # what each spoken session calls per answered turn
    assert hook is not None
    for _ in range(5):
        hook(timing(2.5))
    assert rt.line_limit(pace) == 6
    for _ in range(5):
        hook(timing(4.0))
    assert rt.line_limit(pace) == 4
    samples = parse(rt.metrics.exposition().decode())
    assert value(samples, "voxdial_spoken_call_limit") == 4
    assert value(samples, "voxdial_turn_latency_seconds_count") == 10
    for _ in range(3):  # three calm decisions: one call more
        for _ in range(5):
            hook(timing(0.6))
        rt.line_limit(pace)
    assert rt.line_limit(pace) == 5


def test_no_pace_on_the_sim_carrier_or_with_the_target_off(sqlite_url, tmp_path):
    sim = Runtime(make_settings(sqlite_url, tmp_path, carrier="sim"))
    assert sim.spoken_pace(10) is None
    off = Runtime(
        make_settings(
            sqlite_url,
            tmp_path,
            carrier="mediastream",
            mediastream_dial_url="http://127.0.0.1:9/dial",
            dialer_pace_target_seconds=0,
        )
    )
    assert off.spoken_pace(10) is None


class NoSpeech:
    """A speech stand-in for tests that run no call."""

    def queues(self):
        return []


def test_the_running_dialer_reads_its_lines_from_the_pace(sqlite_url, tmp_path, monkeypatch):
    """run_dialer hands the dialer the pace's limit, and the turns of spoken calls reach
    that pace while it runs (the dialer's own loop is replaced by these checks)."""
    seen: dict[str, int] = {}

    class Probe(runtime_module.Dialer):
        async def run(self, stop) -> None:
            assert self.line_limit is not None
            seen["before"] = self.line_limit()
            for _ in range(5):
                rt.voice.on_turn(timing(3.0))
            seen["after"] = self.line_limit()
            seen["gauge"] = value(
                parse(rt.metrics.exposition().decode()), "voxdial_spoken_call_limit"
            )

    monkeypatch.setattr(runtime_module, "Dialer", Probe)
    settings = make_settings(
        sqlite_url,
        tmp_path,
        carrier="mediastream",
        mediastream_dial_url="http://127.0.0.1:9/dial",
        dialer_pace_period_seconds=0,
    )
    rt = Runtime(settings)
    rt.voice = VoiceRuntime(NoSpeech(), tmp_path / "recordings", capacity=4)
    stop = asyncio.Event()
    stop.set()  # the deliverer returns at once
    asyncio.run(rt.run_dialer(stop))
    assert seen == {"before": 4, "after": 3, "gauge": 3}
    assert value(parse(rt.metrics.exposition().decode()), "voxdial_spoken_call_limit") == 0


def test_the_backlog_counts_undelivered_rows_and_their_earliest_due_time(db_url):
    from datetime import UTC, datetime, timedelta

    from voxdial.store.models import WebhookOutbox
    from voxdial.store.tokens import get_or_create_workspace
    from voxdial.webhooks.outbox import backlog

    db = Database(db_url)
    t0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    try:
        with db.session() as s:
            assert backlog(s) == (0, None)
            ws, _ = get_or_create_workspace(s, name="acme", email="ops@acme.test")
            hook = Webhook(workspace_id=ws.id, url="https://example.test/h", events=[], secret="x")
            s.add(hook)
            s.flush()
            for minutes, delivered in [(5, False), (2, False), (0, True), (9, False)]:
                s.add(
                    WebhookOutbox(
                        workspace_id=ws.id,
                        webhook_id=hook.id,
                        event=ev.CALL_END,
                        payload={},
                        next_attempt_at=t0 + timedelta(minutes=minutes),
                        delivered_at=t0 if delivered else None,
                    )
                )
            s.commit()
            assert backlog(s) == (3, t0 + timedelta(minutes=2))
    finally:
        db.dispose()


@pytest.mark.parametrize(
    ("client", "authorization", "token", "refusal"),
    [
        ("127.0.0.1", None, "", None),
        ("127.8.9.10", None, "", None),
        ("::1", None, "", None),
        ("[::1]", None, "", None),
        ("10.0.0.7", None, "", 403),
        ("203.0.113.9", "Bearer anything", "", 403),
        ("testclient", None, "", 403),
        (None, None, "", 403),
        ("203.0.113.9", "Bearer s3", "s3", None),
        ("127.0.0.1", None, "s3", 401),  # once a token is set, loopback needs it too
        ("127.0.0.1", "Bearer s4", "s3", 401),
        ("127.0.0.1", "s3", "s3", 401),
        ("127.0.0.1", "bearer s3", "s3", None),  # the scheme in any case
        ("127.0.0.1", "Bearer s3x", "s3", 401),
        ("127.0.0.1", "Basic s3", "s3", 401),
        ("127.0.0.1", "Bearer s3é", "s3", 401),  # not ASCII: refused, not a crash
    ],
)
def test_who_may_scrape(client, authorization, token, refusal):
    assert scrape_refusal(client, authorization, token) == refusal


class BrokenQueue:
    name = "broken"

    def stats(self):
        raise RuntimeError("no figures")


def test_a_queue_whose_figures_fail_is_left_out_of_the_scrape():
    metrics = Metrics()
    good = AsrScheduler(BatchTones(WORDS), max_batch=2)
    try:
        metrics.watch(SpeechQueues(lambda: [("asr", BrokenQueue()), ("asr", good)]))
        samples = parse(metrics.exposition().decode())
    finally:
        good.close()
    assert value(samples, "voxdial_speech_queue_depth", kind="asr", model="tones") == 0
    assert not [x for x in samples["voxdial_speech_queue_depth"] if x[0]["model"] == "broken"]


def test_guesses_refused_on_a_deep_queue_and_kept_loops_are_scraped():
    metrics = Metrics()
    rec = BatchTones(WORDS)
    rec.kept_loops = 0
    gate, started = threading.Event(), threading.Event()
    decode = rec.transcribe_batch

    def held(clips):
        started.set()
        gate.wait(10)
        return decode(clips)

    rec.transcribe_batch = held
    asr = AsrScheduler(rec, max_batch=2, guess_queue=1)
    try:
        metrics.watch(SpeechQueues(lambda: [("asr", asr)]))
        first = asr.submit(said("yes"), language="en", hot_words=[])
        assert started.wait(5)  # decoding, held: what comes next waits
        queued = asr.submit(said("yes"), language="en", hot_words=[])
        assert not asr.may_guess() and not asr.may_guess()  # one job waits: no guess
        rec.kept_loops = 3  # what the recognizer counted
        samples = parse(metrics.exposition().decode())
    finally:
        gate.set()
        asr.close()
    assert first.result(5) == queued.result(5) == "yes"
    model = {"kind": "asr", "model": "tones"}
    assert value(samples, "voxdial_speech_skipped_guesses_total", **model) == 2
    assert value(samples, "voxdial_speech_kept_loops_total", **model) == 3
    assert value(samples, "voxdial_speech_queue_depth", **model) == 1


def test_the_tts_scheduler_shows_as_a_speech_queue():
    metrics = Metrics()
    tts = TtsScheduler(workers=1)
    try:
        tts.synthesize(ToneSynthesizer(), "hello there")
        tts.synthesize(ToneSynthesizer(), "and more")
        metrics.watch(SpeechQueues(lambda: [("tts", tts)]))
        samples = parse(metrics.exposition().decode())
    finally:
        tts.close()
    assert value(samples, "voxdial_speech_queue_depth", kind="tts", model="voices") == 0
    assert value(samples, "voxdial_speech_batch_size_sum", kind="tts", model="voices") == 2
    assert value(samples, "voxdial_speech_dropped_total", kind="tts", model="voices") == 0
    assert "voxdial_speech_redos_total" not in samples  # ASR figures: no series for TTS


def test_the_tts_cache_counts_hits_and_misses():
    metrics = Metrics()
    tts = TtsScheduler(workers=1, cache_bytes=1 << 20)
    voice = ToneSynthesizer()
    try:
        metrics.watch(SpeechQueues(lambda: [("tts", tts)]))
        before = parse(metrics.exposition().decode())
        for text in ("hello there", "hello there", "hello there", "and more"):
            tts.synthesize(voice, text)
        after = parse(metrics.exposition().decode())
    finally:
        tts.close()
    model = {"kind": "tts", "model": "voices"}
    assert value(before, "voxdial_speech_cache_hits_total", **model) == 0
    assert value(after, "voxdial_speech_cache_hits_total", **model) == 2
    assert value(after, "voxdial_speech_cache_misses_total", **model) == 2
    assert value(after, "voxdial_speech_cache_bytes", **model) > 0
    assert value(after, "voxdial_speech_batch_size_sum", **model) == 2  # made twice
