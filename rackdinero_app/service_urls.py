"""Where a configured URL points: at a public https service, or at this machine.

Production sends client secrets, tokens and users' API keys to its service URLs, so each must be
public and https; the demo and the tests sign with published secrets, so theirs must stay on
loopback. Only the URL's text is read (no DNS look-up at start), in every spelling a resolver
accepts for an address.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def public_https_problem(url: str) -> str | None:
    """Why ``url`` is no address for production, or None when it is public and https."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return "is not a URL."
    if parts.scheme != "https" or not host:
        return "must be an https:// address."
    if _local(host):
        return (
            f"points at this machine or a private network ({host}); production needs the "
            "service's public address."
        )
    return None


def loopback_problem(url: str) -> str | None:
    """Why ``url`` is off this machine, or None when it points at loopback."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return "is not a URL."
    if _loopback(host):
        return None
    return f"points at {host or 'no host'}, off this machine."


def _address(host: str) -> IPAddress | None:
    """The address a host spells, also in the short forms resolvers accept (``127.1``,
    ``2130706433``, ``0x7f.1``); an IPv4-mapped IPv6 address counts as its IPv4 address."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        try:
            address = ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return getattr(address, "ipv4_mapped", None) or address


def _localhost_name(host: str) -> bool:
    name = host.rstrip(".").lower()
    return name == "localhost" or name.endswith(".localhost")


def _loopback(host: str) -> bool:
    address = _address(host)
    return _localhost_name(host) or bool(address and address.is_loopback)


def _local(host: str) -> bool:
    """Loopback, private, link-local, shared, reserved or unspecified: not a public address."""
    address = _address(host)
    if address is None:
        return _localhost_name(host)
    return not address.is_global or address.is_multicast
