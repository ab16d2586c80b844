"""The one gate for requests to URLs a client names (images, pages, videos, audio, webhooks).

A client of `vidflow serve` (or the author of a spec pulled from a PR) must not make the
engine reach what only the engine's machine can reach: loopback, private networks, link-local
(cloud metadata at 169.254.169.254) and the rest. So every hop is checked the same way:

  1. resolve the host once (getaddrinfo: this also reads every spelling of an address,
     2130706433, 0x7f000001, 0177.0.0.1, 127.1, [::ffff:127.0.0.1], localhost, ...);
  2. refuse unless every address is public (embedded IPv4 in mapped, 6to4, Teredo and
     NAT64 addresses is unwrapped first) or inside a network the operator opened;
  3. connect to the address that was checked (urllib3 pool on the IP; the Host header, TLS
     SNI and certificate check keep the name), so DNS cannot answer differently the second
     time;
  4. follow redirects by hand, each hop checked again, at most MAX_REDIRECTS;
  5. read at most max_bytes (streamed) within CONNECT_TIMEOUT and TOTAL_TIMEOUT.

A client learns one of two things: "refused: private address", or "could not fetch <url>"
(credentials removed), never whether it was DNS, a closed port, a timeout or an HTTP status:
that would turn the engine into a port scanner.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit, urlunsplit

from vidflow.errors import MediaError

if TYPE_CHECKING:  # urllib3 and requests load at the first fetch: a render needs neither
    import urllib3

log = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

REFUSED = "refused: private address"
CONNECT_TIMEOUT = 5.0
TOTAL_TIMEOUT = 30.0  # a whole fetch, every hop and byte included
MAX_REDIRECTS = 5
_CHUNK = 64 * 1024
_REDIRECTS = (301, 302, 303, 307, 308)
# Not public, whatever this Python's ipaddress tables say (they changed between versions):
# shared carrier-grade NAT, IETF protocol assignments, benchmarking, documentation.
_ALSO_SPECIAL = tuple(ipaddress.ip_network(n) for n in (
    "100.64.0.0/10", "192.0.0.0/24", "192.0.2.0/24", "198.18.0.0/15", "198.51.100.0/24",
    "203.0.113.0/24", "2001::/23", "2001:db8::/32", "64:ff9b:1::/48"))
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_HOSTNAME = re.compile(r"^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
                       r"(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$")


class OutboundRefused(MediaError):
    """The URL names (or resolves to, or redirects to) an address the engine must not reach."""

    def __init__(self) -> None:
        super().__init__(REFUSED)


class OutboundFailed(MediaError):
    """Anything else went wrong; `reason` is for the operator's log, never for the client."""

    def __init__(self, url: str, reason: str = "", detail: str = "") -> None:
        super().__init__(f"could not fetch {display_url(url)}{detail}")
        self.reason = reason


# --- addresses (pure) ---------------------------------------------------------------------

def embedded_ipv4(addr: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, Teredo client, NAT64)."""
    if addr.version == 4:
        return None
    assert isinstance(addr, ipaddress.IPv6Address)
    if addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    if addr.sixtofour is not None:
        return addr.sixtofour
    if addr.teredo is not None:
        return addr.teredo[1]
    if addr in _NAT64:
        return ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF)
    return None


def is_public(addr: IPAddress) -> bool:
    """True for an address on the public internet; False for anything local or special."""
    inner = embedded_ipv4(addr)
    if inner is not None and not is_public(inner):
        return False
    special = (addr.is_loopback or addr.is_private or addr.is_link_local or addr.is_multicast
               or addr.is_reserved or addr.is_unspecified)
    if any(addr in net for net in _ALSO_SPECIAL if net.version == addr.version):
        return False
    if addr.version == 6 and addr.is_site_local:
        return False
    return addr.is_global and not special


@dataclass(frozen=True)
class Opening:
    """Networks (CIDR or single addresses) and host names the operator lets the engine reach
    although they are not public. Empty (the default): public addresses only."""

    networks: tuple[IPNetwork, ...] = ()
    hosts: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def parse(cls, entries: Iterable[str]) -> Opening:
        """ValueError naming the first entry that is neither a network, an address nor a name."""
        networks: list[IPNetwork] = []
        hosts: set[str] = set()
        for raw in entries:
            entry = raw.strip()
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
                continue
            except ValueError:
                pass
            name = entry.lower().rstrip(".")
            if not _HOSTNAME.match(name) or name.replace(".", "").isdigit():
                raise ValueError(f"{raw!r} is not a network (e.g. 10.0.0.0/8), an address "
                                 "or a host name")
            hosts.add(name)
        return cls(tuple(networks), frozenset(hosts))

    def admits(self, addr: IPAddress) -> bool:
        candidates = [addr] + [a for a in (embedded_ipv4(addr),) if a is not None]
        return any(a in net for a in candidates for net in self.networks
                   if a.version == net.version)

    def __bool__(self) -> bool:
        return bool(self.networks or self.hosts)


CLOSED = Opening()


def allowed(addr: IPAddress, host: str, opening: Opening = CLOSED) -> bool:
    """May the engine connect to `addr`, which `host` resolved to?"""
    return (is_public(addr) or opening.admits(addr)
            or host.lower().rstrip(".") in opening.hosts)


def display_url(url: str) -> str:
    """The URL without user:password, for messages and logs."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<invalid URL>"
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


# --- requests -----------------------------------------------------------------------------

@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class _Budget:
    deadline: float

    def left(self, url: str) -> float:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise OutboundFailed(url, "total time limit")
        return remaining


def get(url: str, *, max_bytes: int, opening: Opening = CLOSED,
        total_timeout: float = TOTAL_TIMEOUT, connect_timeout: float = CONNECT_TIMEOUT) -> Answer:
    """GET `url` (redirects followed, each hop checked); a 4xx/5xx is OutboundFailed."""
    budget = _Budget(time.monotonic() + total_timeout)
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        answer = _hop("GET", current, url, opening=opening, budget=budget, body=None,
                      headers={}, max_bytes=max_bytes, connect_timeout=connect_timeout,
                      follow=True)
        location = answer.headers.get("location")
        if answer.status in _REDIRECTS and location:
            current = urljoin(current, location)
            continue
        if answer.status >= 400 or answer.status in _REDIRECTS:
            raise OutboundFailed(url, f"HTTP {answer.status}")
        return answer
    raise OutboundFailed(url, "too many redirects")


def post_json(url: str, payload: object, *, opening: Opening = CLOSED,
              timeout: float = 10.0) -> int:
    """POST JSON (redirects not followed); the status code."""
    budget = _Budget(time.monotonic() + timeout)
    answer = _hop("POST", url, url, opening=opening, budget=budget,
                  body=json.dumps(payload).encode(),
                  headers={"Content-Type": "application/json"}, max_bytes=64 * 1024,
                  connect_timeout=min(CONNECT_TIMEOUT, timeout), follow=False)
    return answer.status


def _target(url: str, original: str) -> tuple[str, str, int, str, dict[str, str]]:
    """(scheme, host, port, path?query, auth headers) of an http(s) URL."""
    import urllib3

    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise OutboundFailed(original, "invalid URL") from exc
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    if scheme not in ("http", "https"):
        raise OutboundFailed(original, "scheme", " (only http and https URLs are fetched)")
    if not host:
        raise OutboundFailed(original, "no host")
    headers: dict[str, str] = {}
    if parts.username is not None:
        headers.update(urllib3.util.make_headers(
            basic_auth=f"{parts.username}:{parts.password or ''}"))
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, host, port or (443 if scheme == "https" else 80), path, headers


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address `host` names (once; the caller connects to one of these)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]


def _hop(method: str, url: str, original: str, *, opening: Opening, budget: _Budget,
         body: bytes | None, headers: dict[str, str], max_bytes: int,
         connect_timeout: float, follow: bool) -> Answer:
    import urllib3
    from requests.certs import where as ca_bundle

    scheme, host, port, path, auth = _target(url, original)
    try:
        addrs = resolve(host, port)
    except (OSError, UnicodeError, ValueError) as exc:
        raise OutboundFailed(original, f"resolve: {type(exc).__name__}") from exc
    if not addrs:
        raise OutboundFailed(original, "no address")
    if not all(allowed(a, host, opening) for a in addrs):
        log.info("refused %s: %s resolves to a private address", display_url(url), host)
        raise OutboundRefused()
    ip = str(addrs[0])
    try:
        host_header = host.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise OutboundFailed(original, "host name") from exc
    if ":" in host_header:
        host_header = f"[{host_header}]"
    default_port = 443 if scheme == "https" else 80
    if port != default_port:
        host_header += f":{port}"
    timeout = urllib3.Timeout(connect=min(connect_timeout, budget.left(original)),
                              read=budget.left(original))
    if scheme == "https":
        pool: urllib3.HTTPConnectionPool = urllib3.HTTPSConnectionPool(
            ip, port, timeout=timeout, retries=False, maxsize=1, cert_reqs="CERT_REQUIRED",
            ca_certs=ca_bundle(), server_hostname=host, assert_hostname=host)
    else:
        pool = urllib3.HTTPConnectionPool(ip, port, timeout=timeout, retries=False, maxsize=1)
    send = {"Host": host_header, "User-Agent": "vidflow-engine",
            "Accept-Encoding": "identity", **auth, **headers}
    try:
        with pool:
            resp = pool.urlopen(method, path, body=body, headers=send, redirect=False,
                                retries=False, preload_content=False, decode_content=False,
                                assert_same_host=False)
            try:
                status = resp.status
                got = {k.lower(): v for k, v in resp.headers.items()}
                if status in _REDIRECTS and follow:
                    return Answer(status, got, b"")
                data = b"" if status >= 300 else _read(resp, original, budget, max_bytes, got)
                return Answer(status, got, data)
            finally:
                resp.release_conn()
                resp.close()
    except urllib3.exceptions.HTTPError as exc:
        raise OutboundFailed(original, type(exc).__name__) from exc
    except OSError as exc:
        raise OutboundFailed(original, type(exc).__name__) from exc


def _read(resp: urllib3.BaseHTTPResponse, original: str, budget: _Budget, max_bytes: int,
          headers: dict[str, str]) -> bytes:
    too_large = f" (larger than {_size(max_bytes)})"
    try:
        declared = int(headers.get("content-length") or 0)
    except ValueError:
        declared = 0
    if declared > max_bytes:
        raise OutboundFailed(original, "too large", too_large)
    chunks: list[bytes] = []
    total = 0
    sock = getattr(getattr(resp, "connection", None), "sock", None)
    while True:
        if sock is not None:
            sock.settimeout(budget.left(original))  # the total limit, not one per read
        chunk = resp.read1(_CHUNK)
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > max_bytes:
            raise OutboundFailed(original, "too large", too_large)
        chunks.append(chunk)


def _size(n: int) -> str:
    return f"{n // (1024 * 1024)} MB" if n >= 1024 * 1024 else f"{n} bytes"
