"""The deliverer's HTTP transport: one connection pool per host name.

Deliveries go to the address checked for them (the URL's host replaced by it, the name
kept as `Host` and TLS server name), so a single pool would key its connections by
address alone and could carry one name's request over a TLS connection made for
another name on the same address (a CDN, shared hosting). Each name gets its own pool;
the least recently used ones are closed past `max_hosts`.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

import httpx


class HostPools(httpx.AsyncBaseTransport):
    def __init__(
        self,
        *,
        max_hosts: int = 64,
        make: Callable[[], httpx.AsyncBaseTransport] = httpx.AsyncHTTPTransport,
    ) -> None:
        if max_hosts < 1:
            raise ValueError("max_hosts must be >= 1")
        self.max_hosts = max_hosts
        self._make = make
        self._pools: OrderedDict[str, httpx.AsyncBaseTransport] = OrderedDict()

    def _key(self, request: httpx.Request) -> str:
        name = request.extensions.get("sni_hostname") or request.headers.get("host", "")
        return f"{request.url.scheme}://{name}"

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        key = self._key(request)
        pool = self._pools.pop(key, None) or self._make()
        self._pools[key] = pool
        while len(self._pools) > self.max_hosts:
            _, oldest = self._pools.popitem(last=False)
            await oldest.aclose()
        return await pool.handle_async_request(request)

    async def aclose(self) -> None:
        pools, self._pools = list(self._pools.values()), OrderedDict()
        for pool in pools:
            await pool.aclose()
