"""What one process shows at `GET /metrics`, in the Prometheus text format.

One `Metrics` per process, owned by the composition root (`runtime.Runtime`), with a
registry of its own: nothing records into a module-level registry, so two apps in one
process (tests) never mix their figures. The parts that record take plain callbacks or a
wrapper built here (`MeteredCarrier`); the figures that already exist elsewhere (the
speech queues' `stats()`, the webhook outbox) are read when scraped, by collectors.

Labels are the carrier's name, a call's outcome, a speech model's name and a delivery
state: never a workspace, task, phone number or anything a tenant typed. The series,
their labels and meaning: docs/metrics.md.

Who may scrape (`scrape_refusal`): with `metrics_token` set, whoever sends it as a
bearer token; without one, loopback clients only.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from voxdial.domain.status import HangupReason

log = logging.getLogger("voxdial.metrics")

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# around the 1.5 s turn target (dialer/pace.py), finer below it
TURN_BUCKETS = (0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 4.0, 6.0, 10.0)


class Metrics:
    """The figures of one process, in its own registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.calls_in_flight = Gauge(
            "voxdial_calls_in_flight",
            "Calls this process's dialer has placed that have not ended.",
            ["carrier"],
            registry=r,
        )
        self.dial_attempts = Counter(
            "voxdial_dial_attempts",
            "Calls this process's dialer placed that ended, by outcome.",
            ["carrier", "outcome"],
            registry=r,
        )
        self.turn_latency = Histogram(
            "voxdial_turn_latency_seconds",
            "Spoken calls: end of the callee's speech to the reply's first audio, per turn.",
            buckets=TURN_BUCKETS,
            registry=r,
        )
        self.spoken_sessions = Gauge(
            "voxdial_spoken_sessions",
            "Spoken conversations running in this process (dialled and inbound).",
            registry=r,
        )
        self.spoken_call_limit = Gauge(
            "voxdial_spoken_call_limit",
            "Lines this process's dialer may fill with spoken calls now (the adaptive "
            "pace's limit); 0: its dialer places no spoken calls.",
            registry=r,
        )

    def watch(self, collector: Any) -> None:
        """Add a collector whose figures are read at each scrape."""
        self.registry.register(collector)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)

    def observe_turn(self, latency_s: float) -> None:
        self.turn_latency.observe(latency_s)


def outcome_label(reason: object) -> str:
    """A call's outcome as a label: one of HangupReason's values, else "other"."""
    try:
        return HangupReason(reason).value
    except ValueError:
        return "other"


class MeteredCarrier:
    """A carrier that counts its calls: in flight, and ended by outcome. Everything
    else is the wrapped carrier's."""

    def __init__(self, carrier: Any, metrics: Metrics) -> None:
        self.carrier = carrier
        self.name = carrier.name
        self._in_flight = metrics.calls_in_flight.labels(carrier=self.name)
        self._attempts = metrics.dial_attempts

    def __getattr__(self, name: str) -> Any:
        return getattr(self.carrier, name)

    async def place_call(self, request: Any, *, clock: Any, engine: Any) -> Any:
        self._in_flight.inc()
        outcome = HangupReason.FAILED.value  # what the dialer records when a carrier raises
        try:
            result = await self.carrier.place_call(request, clock=clock, engine=engine)
            outcome = outcome_label(getattr(result, "outcome", None))
            return result
        finally:
            self._in_flight.dec()
            self._attempts.labels(carrier=self.name, outcome=outcome).inc()


class SpeechQueues:
    """The speech queues' figures (`stats()` of the ASR scheduler, and of any model with
    the same figures), read at each scrape. `source()`: [(kind, model)]."""

    def __init__(self, source: Callable[[], Iterable[tuple[str, Any]]]) -> None:
        self.source = source

    def describe(self) -> list[Metric]:
        return []  # read at scrape time only

    def collect(self) -> Iterator[Metric]:
        labels = ["kind", "model"]
        depth = GaugeMetricFamily(
            "voxdial_speech_queue_depth", "Speech jobs waiting to be decoded now.", labels=labels
        )
        dropped = CounterMetricFamily(
            "voxdial_speech_dropped",
            "Speculative transcriptions dropped after waiting too long.",
            labels=labels,
        )
        wait = Metric(
            "voxdial_speech_queue_wait_seconds",
            "Time a speech job waited before its batch started (quantiles of the latest "
            "2000 jobs).",
            "summary",
        )
        batch = Metric(
            "voxdial_speech_batch_size",
            "Jobs decoded per batch (sum: jobs, count: batches).",
            "summary",
        )
        hits = CounterMetricFamily(
            "voxdial_speech_cache_hits",
            "Synthesized clauses answered from the TTS cache, or by the same clause's "
            "synthesis already running.",
            labels=labels,
        )
        misses = CounterMetricFamily(
            "voxdial_speech_cache_misses",
            "Synthesized clauses the TTS cache did not hold (each started a synthesis).",
            labels=labels,
        )
        cached = GaugeMetricFamily(
            "voxdial_speech_cache_bytes", "Audio the TTS cache holds now.", labels=labels
        )
        # the ASR scheduler's decode outcomes (voice/asr_scheduler.py)
        redos = CounterMetricFamily(
            "voxdial_speech_redos",
            "Turns whose fitted decode was weak, redone in the padded 30 s window.",
            labels=labels,
        )
        weak_guesses = CounterMetricFamily(
            "voxdial_speech_weak_guesses",
            "Speculative transcriptions whose fitted decode was weak: dropped, not redone.",
            labels=labels,
        )
        skipped_guesses = CounterMetricFamily(
            "voxdial_speech_skipped_guesses",
            "Speculative transcriptions not started: the ASR queue was deep.",
            labels=labels,
        )
        kept_loops = CounterMetricFamily(
            "voxdial_speech_kept_loops",
            "Fitted decodes that repeated themselves, kept (first turn) for their hot word.",
            labels=labels,
        )
        try:
            queues = list(self.source())
        except Exception as e:  # a scrape never fails on a model's figures
            log.warning("speech queues not read", extra={"error": type(e).__name__})
            queues = []
        for kind, model in queues:
            try:
                s = model.stats()
            except Exception as e:
                log.warning("speech queue not read", extra={"error": type(e).__name__})
                continue
            values = [kind, str(getattr(model, "name", "") or type(model).__name__)]
            key = dict(zip(labels, values, strict=True))
            depth.add_metric(values, s.queued)
            dropped.add_metric(values, s.dropped)
            wait.add_sample(wait.name, {**key, "quantile": "0.5"}, s.wait_p50_s)
            wait.add_sample(wait.name, {**key, "quantile": "0.95"}, s.wait_p95_s)
            wait.add_sample(wait.name + "_count", key, getattr(s, "waited", 0))
            wait.add_sample(wait.name + "_sum", key, getattr(s, "wait_sum_s", 0.0))
            batch.add_sample(batch.name + "_count", key, s.batches)
            batch.add_sample(batch.name + "_sum", key, s.decoded)
            if hasattr(s, "cache_hits"):  # a queue with a cache (the TTS scheduler)
                hits.add_metric(values, s.cache_hits)
                misses.add_metric(values, s.cache_misses)
                cached.add_metric(values, getattr(s, "cache_bytes", 0))
            if hasattr(s, "redos"):  # a queue of decodes (the ASR scheduler)
                redos.add_metric(values, s.redos)
                weak_guesses.add_metric(values, s.weak_guesses)
                skipped_guesses.add_metric(values, s.skipped_guesses)
                kept_loops.add_metric(values, s.kept_loops)
        yield from (depth, dropped, wait, batch, hits, misses, cached)
        yield from (redos, weak_guesses, skipped_guesses, kept_loops)


class WebhookBacklog:
    """Webhook deliveries waiting for a 2xx, of every workspace (the same figures from
    every process of one database). `count()`: (rows waiting, seconds the earliest due
    of them has been due), or None (no database)."""

    def __init__(self, count: Callable[[], tuple[int, float] | None]) -> None:
        self.count = count

    def describe(self) -> list[Metric]:
        return []

    def collect(self) -> Iterator[Metric]:
        try:
            counts = self.count()
        except Exception as e:  # a scrape never fails on a busy database
            log.warning("webhook backlog not counted", extra={"error": type(e).__name__})
            return
        if counts is None:
            return
        waiting, overdue = counts
        yield GaugeMetricFamily(
            "voxdial_webhook_backlog",
            "Webhook deliveries not yet acknowledged (never tried, or failed and due again).",
            value=waiting,
        )
        yield GaugeMetricFamily(
            "voxdial_webhook_overdue_seconds",
            "How long the earliest due unacknowledged delivery has been due (0: none is).",
            value=overdue,
        )


# -- who may scrape --------------------------------------------------------------------


def scrape_refusal(client: str | None, authorization: str | None, token: str) -> int | None:
    """Why a scrape is refused (401: a token is set and this is not it; 403: no token is
    set and the client is not on loopback), or None when it may go on."""
    if token:
        scheme, _, given = (authorization or "").partition(" ")
        given_b, token_b = given.strip().encode(), token.encode()  # any characters
        ok = scheme.lower() == "bearer" and hmac.compare_digest(given_b, token_b)
        return None if ok else 401
    return None if is_loopback(client) else 403


def is_loopback(host: str | None) -> bool:
    try:
        return ipaddress.ip_address((host or "").strip("[]")).is_loopback
    except ValueError:
        return False


REFUSALS = {
    401: "GET /metrics needs the metrics token (VOXDIAL_METRICS_TOKEN) as a bearer token",
    403: "GET /metrics answers loopback clients only; set VOXDIAL_METRICS_TOKEN to scrape "
    "it from elsewhere",
}


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass  # a scrape every few seconds is not worth a log line


def serve_metrics(metrics: Metrics, *, host: str, port: int, token: str = "") -> WSGIServer:
    """Serve `metrics` at `http://host:port/metrics` on a thread of its own (`voxdial
    worker --metrics-port`), with the rule of the API's `/metrics`. Stop it with
    `shutdown()`; `server_port` is the port it got (0 asks for a free one)."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        if environ.get("PATH_INFO") != "/metrics":
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found: the figures are at /metrics\n"]
        refusal = scrape_refusal(
            environ.get("REMOTE_ADDR"), environ.get("HTTP_AUTHORIZATION"), token
        )
        if refusal is not None:
            status = "401 Unauthorized" if refusal == 401 else "403 Forbidden"
            start_response(status, [("Content-Type", "text/plain")])
            return [REFUSALS[refusal].encode() + b"\n"]
        start_response("200 OK", [("Content-Type", CONTENT_TYPE)])
        return [metrics.exposition()]

    server = make_server(host, port, app, handler_class=_QuietHandler)
    threading.Thread(target=server.serve_forever, name="voxdial-metrics", daemon=True).start()
    return server
