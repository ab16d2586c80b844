"""Address classification of the outbound guard (pure, no traffic): every spelling and
wrapping of a non-public IPv4 address is refused; public addresses pass; an opening admits
exactly the networks it names."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vidflow.engine.outbound import Opening, allowed, display_url, embedded_ipv4, is_public
from vidflow.engine.outbound import resolve as resolve_host

NON_PUBLIC_V4 = [ipaddress.ip_network(n) for n in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
    "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15",
    "224.0.0.0/4", "198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4", "255.255.255.255/32")]


@st.composite
def non_public_v4(draw: st.DrawFn) -> ipaddress.IPv4Address:
    net = draw(st.sampled_from(NON_PUBLIC_V4))
    offset = draw(st.integers(0, net.num_addresses - 1))
    return ipaddress.IPv4Address(int(net.network_address) + offset)


def spellings(addr: ipaddress.IPv4Address) -> list[str]:
    """Ways inet_aton (so getaddrinfo) reads one IPv4 address, none needing DNS."""
    n = int(addr)
    a, b, c, d = addr.packed
    return [str(addr), str(n), hex(n), f"0{oct(n)[2:]}", f"{a}.{(b << 16) | (c << 8) | d}",
            f"{a}.{b}.{(c << 8) | d}", f"0{a:o}.0{b:o}.0{c:o}.0{d:o}",
            f"{hex(a)}.{hex(b)}.{hex(c)}.{hex(d)}", f"::ffff:{addr}"]


def wrapped(addr: ipaddress.IPv4Address) -> list[ipaddress.IPv6Address]:
    """The IPv6 forms that carry an IPv4 address inside them."""
    n = int(addr)
    return [ipaddress.IPv6Address((0xFFFF << 32) | n),  # IPv4-mapped
            ipaddress.IPv6Address((0x2002 << 112) | (n << 80)),  # 6to4
            # Teredo: server 198.51.100.1, client stored inverted in the low 32 bits
            ipaddress.IPv6Address((0x20010000 << 96) | (0xC6336401 << 64) | (n ^ 0xFFFFFFFF)),
            ipaddress.IPv6Address((0x64FF9B << 96) | n)]  # NAT64


@given(non_public_v4())
def test_no_spelling_of_a_private_address_is_allowed(addr: ipaddress.IPv4Address) -> None:
    for spelling in spellings(addr):
        resolved = resolve_host(spelling, 80)  # numeric: parsed locally, no DNS query
        assert resolved, spelling
        for found in resolved:
            assert found == addr or embedded_ipv4(found) == addr
            assert not allowed(found, spelling), (spelling, found)


@given(non_public_v4())
def test_ipv6_wrappings_of_a_private_address_are_refused(addr: ipaddress.IPv4Address) -> None:
    for v6 in wrapped(addr):
        assert embedded_ipv4(v6) == addr
        assert not is_public(v6), v6


@given(st.integers(0, 2**32 - 1).map(ipaddress.IPv4Address))
def test_public_is_exactly_global_and_not_special(addr: ipaddress.IPv4Address) -> None:
    special = any(addr in net for net in NON_PUBLIC_V4) or not addr.is_global
    assert is_public(addr) is (not special)


@pytest.mark.parametrize("text", [
    "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "fec0::1", "2001:db8::1",
    "::ffff:127.0.0.1", "::ffff:169.254.169.254", "64:ff9b::a00:1", "2002:7f00:1::"])
def test_special_ipv6_addresses_are_not_public(text: str) -> None:
    assert not is_public(ipaddress.ip_address(text))


@pytest.mark.parametrize("text", ["8.8.8.8", "1.1.1.1", "93.184.216.34", "2606:4700::1111",
                                  "2002:0808:0808::1"])
def test_public_addresses_are_public(text: str) -> None:
    assert is_public(ipaddress.ip_address(text))


def test_an_opening_admits_exactly_what_it_names() -> None:
    opening = Opening.parse(["127.0.0.1/32", "10.1.0.0/16", "::1", "minio.internal"])
    ip = ipaddress.ip_address
    assert allowed(ip("127.0.0.1"), "127.0.0.1", opening)
    assert allowed(ip("::ffff:127.0.0.1"), "x", opening)  # the same address, mapped
    assert not allowed(ip("127.0.0.2"), "127.0.0.2", opening)
    assert allowed(ip("10.1.255.3"), "h", opening)
    assert not allowed(ip("10.2.0.1"), "h", opening)
    assert allowed(ip("::1"), "::1", opening)
    assert allowed(ip("10.9.9.9"), "MinIO.internal.", opening)  # by name, any address
    assert not allowed(ip("169.254.169.254"), "metadata.internal", opening)


@pytest.mark.parametrize("bad", ["10.0.0.0/33", "999.1.1.1", "not a host", "http://x", "1.2.3"])
def test_an_opening_entry_must_be_a_network_address_or_name(bad: str) -> None:
    with pytest.raises(ValueError, match="is not a network"):
        Opening.parse([bad])


def test_messages_never_carry_url_credentials() -> None:
    assert display_url("https://user:s3cret@example.com/a?b=1") == "https://example.com/a?b=1"
    assert display_url("http://example.com/x") == "http://example.com/x"
