"""Refuse URLs whose host is on a private network (SSRF defence for a fetcher fed with untrusted URLs).

The check resolves the host and refuses when any address it resolves to is not public: a name with one public
and one loopback address could still reach the loopback one.
"""

from __future__ import annotations

import ipaddress
import socket

from osiwire.errors import FetchError

__all__ = ["check_public_host", "is_forbidden_address", "public_addresses", "resolve"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def is_forbidden_address(address: IPAddress) -> bool:
    """True for loopback, private, link-local, reserved, multicast, unspecified and other non-global addresses."""
    if isinstance(address, ipaddress.IPv6Address):
        # ::ffff:127.0.0.1 and friends reach the IPv4 address they embed.
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is not None and is_forbidden_address(embedded):
            return True
    return (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
        or not address.is_global  # shared address space (100.64.0.0/10) and the like
    )


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to (an IP literal resolves to itself, without DNS)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]


def public_addresses(host: str, port: int) -> list[IPAddress]:
    """Every address of ``host``, once each; FetchError (without a URL) unless all of them are public."""
    try:
        found = list(dict.fromkeys(resolve(host, port)))
    except (OSError, UnicodeError, ValueError) as exc:
        raise FetchError(f"cannot resolve host {host!r}: {exc}") from exc
    for address in found:
        if is_forbidden_address(address):
            raise FetchError(f"host {host!r} resolves to non-public address {address}, refused")
    return found


def check_public_host(url: str, host: str, port: int) -> None:
    """Raise FetchError unless every address of ``host`` is public."""
    try:
        public_addresses(host, port)
    except FetchError as exc:
        raise FetchError(f"{url}: {exc}") from exc
