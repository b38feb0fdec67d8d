"""Delivery of the webhook outbox: claim due rows, POST them signed, retry with back-off.

Guarantees, and how they hold:
- At least once. A row stays in the outbox until a receiver answers 2xx; it is then
  marked delivered and never sent again. A worker that dies mid-send leaves its rows
  leased (`locked_until`); once the lease runs out any worker sends them again. So a
  receiver may, rarely, see a delivery twice: `X-Voxdial-Delivery` (the outbox row id)
  is the same on every attempt, for de-duplication.
- One sender at a time. Claiming is one `UPDATE ... WHERE id IN (due rows) RETURNING`
  that sets the lease; on PostgreSQL the due rows are picked `FOR UPDATE SKIP LOCKED`,
  so concurrent workers take disjoint rows without waiting; on SQLite the statement
  holds the write lock. The attempt is counted when claimed, before the POST, so a
  crash still counts it. Results are written only while the lease is still ours
  (a 2xx always marks the row delivered).
- Back-off. After a failed attempt (non-2xx, timeout, connection error) the row is due
  again after `min(max_backoff_s, base_backoff_s * 2 ** (attempts - 1))`, shortened by
  up to `jitter` (a fraction) so failed deliveries do not retry in lock-step.
- Giving up. A row that failed `max_attempts` times is finished with as failed: with
  the defaults (20 attempts, back-off up to an hour) a receiver has about half a day to
  come back. `delivered_at` is when a row was finished with: delivered (2xx), dropped
  (webhook removed) or failed (`last_error` starts "gave up after"); see
  `outbox.delivery_status`.
- Where it connects. Before each attempt the URL is checked again and its host
  resolved; every address must pass the `AddressPolicy` (no internal address unless
  the operator allowed its network). The request then goes to that checked address
  itself, the URL's host kept in the `Host` header and, for https, as the TLS server
  name (SNI and certificate check), so a name that resolves differently a moment later
  cannot move it. A refused target is a failed attempt (`last_error` "refused: ...").
- Removed webhooks. Rows of a webhook deleted (made inactive) before they were sent are
  dropped, not sent: they are marked delivered with `last_error = "webhook removed"`
  and no `last_status`. Deleting a webhook means "stop sending events to it".

The body is `{"event_name", "event_data"}` as compact UTF-8 JSON (non-ASCII kept as
is). `X-Voxdial-Signature: sha256=<hex>` is the HMAC-SHA256 of exactly those bytes
with the webhook's secret; receivers check it with `verify_signature`. Responses are
not read, redirects are not followed (a 3xx is a failure), and neither the URL, the
secret nor the authorization value is ever logged or stored in `last_error`. The
deliverer's own HTTP client keeps one connection pool per host name (see
`transport.py`) and uses no proxy from the environment.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
import random
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import or_, select, update

from voxdial.clock import Clock, SystemClock
from voxdial.store.db import Database
from voxdial.store.models import Webhook, WebhookOutbox
from voxdial.webhooks.addresses import AddressPolicy, Refused, Resolver, check_authorization
from voxdial.webhooks.outbox import GAVE_UP, REMOVED
from voxdial.webhooks.transport import HostPools

log = logging.getLogger("voxdial.webhooks")

SIGNATURE_HEADER = "X-Voxdial-Signature"
EVENT_HEADER = "X-Voxdial-Event"
DELIVERY_HEADER = "X-Voxdial-Delivery"
USER_AGENT = "voxdial-webhooks/1"


def encode_body(event: str, data: Mapping[str, Any]) -> bytes:
    """The exact bytes POSTed (and signed) for one event."""
    body = {"event_name": event, "event_data": data}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def sign(secret: str, body: bytes) -> str:
    """The `X-Voxdial-Signature` value of `body`: `sha256=<hex HMAC-SHA256>`."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify_signature(secret: str, body: bytes, header: str | None) -> bool:
    """For receivers: does `header` (the `X-Voxdial-Signature` value) sign `body` with
    `secret`? Compared in constant time; any malformed header is False."""
    if not header:
        return False
    expected = sign(secret, body).encode("ascii")
    try:
        given = header.strip().lower().encode("ascii")
    except UnicodeEncodeError:
        return False
    return hmac.compare_digest(expected, given)


@dataclass(frozen=True)
class _Job:
    id: int
    webhook_id: int
    event: str
    payload: dict[str, Any]
    attempts: int
    url: str
    authorization: str
    secret: str
    lock: datetime


@dataclass(frozen=True)
class _Result:
    job: _Job
    status: int | None
    error: str
    unreachable: bool = False  # nothing listened at the address (connection refused)

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class WebhookDeliverer:
    """Delivers the outbox. Any number of deliverers, in any processes, may share a
    database. `deliver_due()` does one pass (burst mode for tests and `simulate`);
    `run()` loops until stopped. Time comes from `clock` (`.now()` -> aware UTC) or
    from `now=` given to `deliver_due`, so tests move past back-off without sleeping.
    `policy` says which addresses may be reached (default: public ones only);
    `resolver` replaces the system's name look-up (tests); `http` is a client to send
    with instead of the deliverer's own (the address checks apply to it too)."""

    def __init__(
        self,
        db: Database,
        *,
        worker_id: str = "",
        clock: Clock | None = None,
        http: httpx.AsyncClient | None = None,
        timeout: float = 10.0,
        base_backoff_s: float = 10.0,
        max_backoff_s: float = 3600.0,
        jitter: float = 0.2,
        lock_s: float = 60.0,
        batch: int = 50,
        max_attempts: int = 20,
        policy: AddressPolicy | None = None,
        resolver: Resolver | None = None,
        rng: random.Random | None = None,
    ) -> None:
        if lock_s <= timeout:
            raise ValueError("lock_s must exceed timeout, or a slow send could be re-sent")
        if batch < 1 or base_backoff_s <= 0 or max_backoff_s < base_backoff_s:
            raise ValueError("batch must be >= 1 and 0 < base_backoff_s <= max_backoff_s")
        if not 0 <= jitter < 1:
            raise ValueError("jitter is a fraction in [0, 1)")
        if max_attempts < 1:
            raise ValueError("max_attempts must be >= 1")
        self.db = db
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}"
        self.clock: Clock = clock or SystemClock()
        self.timeout = timeout
        self.base_backoff_s = base_backoff_s
        self.max_backoff_s = max_backoff_s
        self.jitter = jitter
        self.lock_s = lock_s
        self.batch = batch
        self.max_attempts = max_attempts
        self.policy = policy or AddressPolicy()
        self._resolver = resolver
        self._rng = rng or random.Random()
        self._http = http
        self._owned: httpx.AsyncClient | None = None
        self._owned_loop: asyncio.AbstractEventLoop | None = None
        self._is_pg = db.engine.dialect.name == "postgresql"

    # -- public ----------------------------------------------------------------------

    async def deliver_due(self, now: datetime | None = None) -> int:
        """One pass: claim up to `batch` due rows, send them concurrently, record the
        results. Returns how many rows were handled (sent, or dropped as removed)."""
        at = self._now(now)
        jobs, dropped = await asyncio.to_thread(self._claim, at)
        if not jobs:
            return dropped
        client = self._client()
        results = await asyncio.gather(*(self._send(client, job) for job in jobs))
        done = at if now is not None else self._now(None)
        await asyncio.to_thread(self._record, results, done)
        return len(jobs) + dropped

    async def run(self, stop: asyncio.Event, poll_s: float = 1.0) -> None:
        """Deliver until `stop` is set: a pass, then wait `poll_s` unless the pass was
        full. A failing pass (database down) is logged and retried after `poll_s`."""
        try:
            while not stop.is_set():
                try:
                    handled = await self.deliver_due()
                except Exception as e:  # keep delivering once the database is back
                    log.warning(
                        "webhook delivery pass failed",
                        extra={"worker_id": self.worker_id, "error": type(e).__name__},
                    )
                    handled = 0
                if handled >= self.batch:
                    await asyncio.sleep(0)
                    continue
                try:
                    await asyncio.wait_for(stop.wait(), poll_s)
                except TimeoutError:
                    pass
        finally:
            await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP client this deliverer made (a given one is the caller's)."""
        if self._owned is not None:
            owned, self._owned = self._owned, None
            await owned.aclose()

    async def __aenter__(self) -> WebhookDeliverer:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def backoff(self, attempts: int) -> timedelta:
        """How long to wait after the `attempts`-th failed attempt."""
        exp = min(max(attempts - 1, 0), 60)
        delay = min(self.max_backoff_s, self.base_backoff_s * 2**exp)
        return timedelta(seconds=delay * (1 - self.jitter * self._rng.random()))

    # -- internals -------------------------------------------------------------------

    def _now(self, now: datetime | None) -> datetime:
        at = now if now is not None else self.clock.now()
        if at.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        return at.astimezone(UTC)

    def _client(self) -> httpx.AsyncClient:
        if self._http is not None:
            return self._http
        loop = asyncio.get_running_loop()
        if self._owned is None or self._owned_loop is not loop:
            # A client is bound to the loop it was first used on.
            self._owned = httpx.AsyncClient(
                timeout=self.timeout, follow_redirects=False, transport=HostPools()
            )
            self._owned_loop = loop
        return self._owned

    def _claim(self, now: datetime) -> tuple[list[_Job], int]:
        lock = now + timedelta(seconds=self.lock_s)
        o = WebhookOutbox
        due = (
            select(o.id)
            .where(
                o.delivered_at.is_(None),
                o.next_attempt_at <= now,
                or_(o.locked_until.is_(None), o.locked_until < now),
            )
            .order_by(o.next_attempt_at, o.id)
            .limit(self.batch)
        )
        if self._is_pg:
            due = due.with_for_update(skip_locked=True)
        with self.db.session() as s, s.begin():
            ids = list(
                s.execute(
                    update(o)
                    .where(o.id.in_(due))
                    .values(locked_until=lock, attempts=o.attempts + 1)
                    .returning(o.id)
                    .execution_options(synchronize_session=False)
                ).scalars()
            )
            if not ids:
                return [], 0
            rows = s.execute(
                select(
                    o.id,
                    o.webhook_id,
                    o.event,
                    o.payload,
                    o.attempts,
                    Webhook.url,
                    Webhook.authorization,
                    Webhook.secret,
                    Webhook.active,
                )
                .join(Webhook, Webhook.id == o.webhook_id)
                .where(o.id.in_(ids))
                .order_by(o.id)
            ).all()
            jobs: list[_Job] = []
            removed: list[int] = []
            for r in rows:
                if not r.active:
                    removed.append(r.id)
                    continue
                jobs.append(
                    _Job(
                        id=r.id,
                        webhook_id=r.webhook_id,
                        event=r.event,
                        payload=r.payload,
                        attempts=r.attempts,
                        url=r.url,
                        authorization=r.authorization or "",
                        secret=r.secret,
                        lock=lock,
                    )
                )
            if removed:
                s.execute(
                    update(o)
                    .where(o.id.in_(removed))
                    .values(
                        delivered_at=now,
                        locked_until=None,
                        last_error=REMOVED,
                        attempts=o.attempts - 1,  # claimed, but never sent
                    )
                    .execution_options(synchronize_session=False)
                )
                log.info(
                    "webhook outbox rows dropped: webhook removed",
                    extra={"worker_id": self.worker_id, "count": len(removed)},
                )
        return jobs, len(removed)

    async def _send(self, client: httpx.AsyncClient, job: _Job) -> _Result:
        try:
            target = self.policy.check_url(job.url)
            check_authorization(job.authorization, sendable=False)  # else: a send error
            addresses = await asyncio.wait_for(
                self.policy.resolve(target, resolver=self._resolver), self.timeout
            )
        except Refused as e:
            return _Result(job, None, f"refused: {e.reason}")
        except TimeoutError:
            return _Result(job, None, "timeout")
        except (OSError, UnicodeError, ValueError) as e:  # the name does not resolve
            return _Result(job, None, f"dns error: {type(e).__name__}")
        body = encode_body(job.event, job.payload)
        headers = {
            "Host": target.url.netloc.decode("ascii"),
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            SIGNATURE_HEADER: sign(job.secret, body),
            EVENT_HEADER: job.event,
            DELIVERY_HEADER: str(job.id),
        }
        if job.authorization:
            headers["Authorization"] = job.authorization
        # The TLS server name (and the certificate's) stays the URL's host name.
        named = target.https and target.address is None
        extensions = {"sni_hostname": target.host} if named else {}
        result = _Result(job, None, "connection error: no address")
        for address in addresses:
            url = target.url.copy_with(host=str(address))
            result = await self._post(client, job, url, body, headers, extensions)
            if not result.unreachable:
                break  # the name's next address is tried only when this one was not there
        return result

    async def _post(
        self,
        client: httpx.AsyncClient,
        job: _Job,
        url: httpx.URL,
        body: bytes,
        headers: dict[str, str],
        extensions: dict[str, Any],
    ) -> _Result:
        try:
            # Streamed so the response body is never read: only the status matters.
            async with client.stream(
                "POST",
                url,
                content=body,
                headers=headers,
                timeout=self.timeout,
                extensions=extensions,
            ) as response:
                status = response.status_code
        except httpx.TimeoutException:
            return _Result(job, None, "timeout")
        except httpx.ConnectError as e:
            return _Result(job, None, f"connection error: {type(e).__name__}", unreachable=True)
        except httpx.HTTPError as e:
            return _Result(job, None, f"connection error: {type(e).__name__}")
        except Exception as e:  # a bad stored URL or header must not stop the batch
            return _Result(job, None, f"send error: {type(e).__name__}")
        return _Result(job, status, "" if 200 <= status < 300 else f"HTTP {status}")

    def _record(self, results: list[_Result], now: datetime) -> None:
        o = WebhookOutbox
        with self.db.session() as s, s.begin():
            for r in results:
                fields = {
                    "worker_id": self.worker_id,
                    "outbox_id": r.job.id,
                    "webhook_id": r.job.webhook_id,
                    "event": r.job.event,
                    "attempts": r.job.attempts,
                    "status": r.status,
                }
                if r.ok:
                    s.execute(
                        update(o)
                        .where(o.id == r.job.id, o.delivered_at.is_(None))
                        .values(
                            delivered_at=now, last_status=r.status, last_error="", locked_until=None
                        )
                        .execution_options(synchronize_session=False)
                    )
                    log.info("webhook delivered", extra=fields)
                    continue
                mine = (o.id == r.job.id, o.delivered_at.is_(None), o.locked_until == r.job.lock)
                if r.job.attempts >= self.max_attempts:
                    error = f"{GAVE_UP} {r.job.attempts} attempts: {r.error}"
                    s.execute(
                        update(o)
                        .where(*mine)
                        .values(
                            last_status=r.status,
                            last_error=error[:200],
                            delivered_at=now,
                            locked_until=None,
                        )
                        .execution_options(synchronize_session=False)
                    )
                    log.warning(
                        "webhook delivery failed; gave up", extra={**fields, "error": r.error}
                    )
                    continue
                retry_at = now + self.backoff(r.job.attempts)
                s.execute(
                    update(o)
                    .where(*mine)
                    .values(
                        last_status=r.status,
                        last_error=r.error[:200],
                        next_attempt_at=retry_at,
                        locked_until=None,
                    )
                    .execution_options(synchronize_session=False)
                )
                log.warning(
                    "webhook delivery failed; will retry",
                    extra={**fields, "error": r.error, "retry_at": retry_at.isoformat()},
                )
