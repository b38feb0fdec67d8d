"""Where a webhook may point. Delivery connects from inside the operator's network, so
a URL that reaches loopback, link-local, private, unique-local, shared (CGNAT),
multicast, unspecified, reserved or cloud-metadata addresses would let any API client
make the server call internal services. Those targets are refused, in every spelling a
resolver accepts (`127.1`, `0x7f000001`, `2130706433`, `017700000001`,
`[::ffff:127.0.0.1]`, IPv4 inside 6to4, Teredo or NAT64 addresses), unless the operator
allows their networks (`AddressPolicy.allow`). Metadata addresses and names are refused
even then: no receiver lives there.

`AddressPolicy.check_url` is the syntax and literal check made when a webhook is
created and again before each delivery; `AddressPolicy.resolve` is the delivery's
check of every address a name resolves to. The delivery then connects to a checked
address itself (see `delivery.py`), so a name that resolves differently a moment later
cannot move the request somewhere unchecked.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

import httpx

IPAddress = IPv4Address | IPv6Address
IPNetwork = IPv4Network | IPv6Network
# (host, port) -> the addresses it resolves to, as text or address objects
Resolver = Callable[[str, int], Awaitable[Sequence[str | IPAddress]]]

METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean, ...
        "169.254.170.2",  # AWS ECS task metadata
        "fd00:ec2::254",  # AWS over IPv6
        "100.100.100.200",  # Alibaba Cloud
    )
)
METADATA_NAMES = frozenset(
    {
        "metadata",
        "metadata.google.internal",
        "metadata.goog",
        "instance-data",
        "instance-data.ec2.internal",
    }
)
_LOOPBACK_NAME = ipaddress.ip_address("127.0.0.1")
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_UNIQUE_LOCAL = ipaddress.ip_network("fc00::/7")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_DIGITS = {10: set("0123456789"), 8: set("01234567"), 16: set("0123456789abcdefABCDEF")}


class Refused(ValueError):
    """A webhook URL or header that is refused. `message` says why, naming the URL's
    host but never its credentials (for the webhook's owner); `reason` says why without
    the host (for stored errors and logs, which never hold a URL). `allowable`: the
    operator could allow it (an internal address, not a metadata one)."""

    def __init__(self, message: str, *, reason: str | None = None, allowable: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason or message
        self.allowable = allowable


@dataclass(frozen=True)
class Target:
    """A checked webhook URL: where to connect, and what to call the host on the wire."""

    url: httpx.URL
    host: str  # ASCII (IDNA) form, no brackets
    port: int
    address: IPAddress | None  # the host is an address literal (in any spelling)

    @property
    def https(self) -> bool:
        return self.url.scheme == "https"


def parse_networks(text: str | Iterable[str]) -> tuple[IPNetwork, ...]:
    """`"127.0.0.0/8, ::1/128"` (or a list of entries) as networks; a bare address is
    its own /32 or /128. A bad entry raises ValueError naming it."""
    parts = text.split(",") if isinstance(text, str) else list(text)
    out: list[IPNetwork] = []
    for part in (p.strip() for p in parts):
        if not part:
            continue
        try:
            out.append(ipaddress.ip_network(part, strict=False))
        except ValueError as e:
            raise ValueError(f"{part!r} is not an IP network (write e.g. 10.0.0.0/8)") from e
    return tuple(out)


def _ipv4_part(part: str) -> int | None:
    """One dotted part as inet_aton and browsers read it: decimal, 0x hex, 0 octal."""
    base = 10
    if part[:2] in ("0x", "0X"):
        part, base = part[2:], 16
        if not part:
            return 0
    elif len(part) > 1 and part[0] == "0":
        part, base = part[1:], 8
    if not part or not set(part) <= _DIGITS[base]:
        return None
    return int(part, base)


def ipv4_literal(host: str) -> IPv4Address | None:
    """The IPv4 address a host written as 1 to 4 numbers means (`127.1`, `0x7f000001`,
    `2130706433`, `017700000001`, `127.0.0.1.`), or None for a name."""
    parts = host.split(".")
    if len(parts) > 1 and parts[-1] == "":
        parts.pop()
    if not 1 <= len(parts) <= 4:
        return None
    numbers = [_ipv4_part(p) for p in parts]
    if any(n is None for n in numbers):
        return None
    *head, last = [n for n in numbers if n is not None]
    if any(n > 255 for n in head) or last >= 256 ** (5 - len(parts)):
        return None
    return IPv4Address(sum(n << (8 * (3 - i)) for i, n in enumerate(head)) + last)


def address_literal(host: str) -> IPAddress | None:
    """The address a URL host spells, or None when it is a name."""
    bare = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        return ipaddress.ip_address(bare)
    except ValueError:
        pass
    return ipv4_literal(bare)


def embedded_ipv4(ip: IPv6Address) -> IPv4Address | None:
    """The IPv4 address an IPv6 address carries to (mapped, 6to4, Teredo, NAT64,
    IPv4-compatible), which is where a connection to it ends up."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64 or (ip in _IPV4_COMPATIBLE and int(ip) > 1):
        return IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _kind(ip: IPAddress) -> str | None:
    """What makes an address internal, or None for a public unicast address."""
    if ip.is_unspecified:
        return "the unspecified address"
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_multicast:
        return "a multicast address"
    if isinstance(ip, IPv4Address) and ip in _CGNAT:
        return "a shared (CGNAT) address"
    if isinstance(ip, IPv6Address) and ip in _UNIQUE_LOCAL:
        return "a unique-local address"
    if isinstance(ip, IPv6Address) and ip.is_site_local:
        return "a site-local address"
    if ip.is_reserved:
        return "a reserved address"
    if ip.is_private:
        return "a private address"
    if not ip.is_global:
        return "a reserved address"
    return None


@dataclass(frozen=True)
class AddressPolicy:
    """Which addresses webhooks may reach: public unicast ones, plus the networks in
    `allow` (the operator's `VOXDIAL_WEBHOOK_ALLOW_NETWORKS`)."""

    allow: tuple[IPNetwork, ...] = ()

    @classmethod
    def from_text(cls, text: str | Iterable[str]) -> AddressPolicy:
        return cls(parse_networks(text))

    def refusal(self, ip: IPAddress) -> str | None:
        """Why a connection to `ip` is refused ("a loopback address", ...), or None."""
        if isinstance(ip, IPv6Address) and ip.scope_id:
            ip = IPv6Address(int(ip))  # fe80::1%eth0 is fe80::1 on some link
        if ip in METADATA_ADDRESSES:
            return "a cloud metadata address"
        if any(ip in net for net in self.allow):
            return None
        if isinstance(ip, IPv6Address):
            inner = embedded_ipv4(ip)
            if inner is not None:
                return self.refusal(inner)
        return _kind(ip)

    def check_url(self, url: str) -> Target:
        """Parse and check a webhook URL without resolving it: http(s) with a host, no
        credentials, no spaces or control characters, no internal address literal, no
        loopback or metadata name. Raises `Refused` saying what is wrong."""
        if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
            raise Refused("must not contain spaces or control characters")
        try:
            parsed = httpx.URL(url)
            raw_host = parsed.raw_host.decode("ascii")
            port = parsed.port or (443 if parsed.scheme == "https" else 80)
        except (httpx.InvalidURL, UnicodeError, ValueError) as e:
            raise Refused("not a URL") from e
        if parsed.scheme not in ("http", "https") or not raw_host:
            raise Refused("give an http:// or https:// URL with a host")
        shown = parsed.host
        if parsed.userinfo:
            raise Refused(
                f"the URL for host {shown!r} carries credentials (user:password@); "
                "give them as `authorization` instead",
                reason="the URL carries credentials",
            )
        address = address_literal(raw_host)
        name = raw_host.rstrip(".").lower()
        if address is None and name in METADATA_NAMES:
            raise Refused(f"host {shown!r} is a cloud metadata name", reason="a metadata name")
        if address is None and (name == "localhost" or name.endswith(".localhost")):
            why = self.refusal(_LOOPBACK_NAME)
            if why is not None:
                raise Refused(
                    f"host {shown!r} is a loopback name", reason="a loopback name", allowable=True
                )
        if address is not None:
            why = self.refusal(address)
            if why is not None:
                meant = embedded_ipv4(address) if isinstance(address, IPv6Address) else None
                spelled = str(meant or address)
                spelled = "" if spelled == raw_host else f" ({spelled})"
                raise Refused(
                    f"host {shown!r}{spelled} is {why}", reason=why, allowable="metadata" not in why
                )
        return Target(parsed, raw_host, port, address)

    async def resolve(self, target: Target, *, resolver: Resolver | None = None) -> list[IPAddress]:
        """Every address `target` reaches, each checked: raises `Refused` when any of
        them is refused (a name that resolves to a public and a private address is
        refused: which one a client uses is not ours to choose), `OSError` when the
        name does not resolve."""
        if target.address is not None:
            found: list[IPAddress] = [target.address]
        else:
            raw = await (resolver or system_resolver)(target.host, target.port)
            found = list(dict.fromkeys(ipaddress.ip_address(str(a)) for a in raw))
            if not found:
                raise OSError("the host name has no address")
        for ip in found:
            why = self.refusal(ip)
            if why is not None:
                raise Refused(
                    f"host {target.host!r} resolves to {why}",
                    reason=f"resolves to {why}",
                    allowable="metadata" not in why,
                )
        return found


async def system_resolver(host: str, port: int) -> list[str]:
    """The addresses the system resolver gives for `host` (TCP), in its order."""
    infos = await asyncio.get_running_loop().getaddrinfo(
        host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
    )
    return [str(info[4][0]) for info in infos]


def check_authorization(value: str, *, sendable: bool = True) -> None:
    """The `authorization` value is sent as a header as is: refuse control characters
    (CR and LF would add headers of the caller's choosing) and, unless `sendable` is
    false, what no HTTP header can carry (non-Latin-1)."""
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise Refused(
            "authorization must not contain control characters (CR, LF, ...)",
            reason="authorization must not contain control characters",
        )
    if sendable:
        try:
            value.encode("latin-1")
        except UnicodeEncodeError as e:
            raise Refused("authorization must be ASCII (it is sent as an HTTP header)") from e
