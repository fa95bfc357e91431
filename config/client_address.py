"""The client's address: one answer for every throttle (personal-link guessing, django-axes).

Behind a reverse proxy, REMOTE_ADDR is the proxy's address: every executive would share it, so
one person guessing links would shut everyone out. The proxy appends the address it received the
request from to X-Forwarded-For; `TRUSTED_PROXIES` says how many proxies in front of the app do
so, and only the entry the outermost of them wrote is believed. Entries further left were written
by the client, who can put anything there.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """The client's IP address, normalised, or None when not even the peer's is known.

    With `TRUSTED_PROXIES` = 0 (the default), the peer: REMOTE_ADDR. With n proxies, the n-th
    X-Forwarded-For entry from the right. A header that is missing, too short or holds no
    address there means the request did not come through the proxies as configured (a health
    check, a direct connection): then the peer is the one address nobody could invent.
    """
    peer = _address(request.META.get("REMOTE_ADDR", ""))
    proxies = settings.TRUSTED_PROXIES
    if proxies < 1:
        return peer
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    if len(hops) < proxies:
        return peer
    return _address(hops[-proxies]) or peer


def _address(text: str) -> str | None:
    """An IP address as written by a proxy ("203.0.113.9", "203.0.113.9:51234",
    "[2001:db8::7]:443"), in its canonical form; IPv4 seen through IPv6 is given as IPv4."""
    text = text.strip()
    if text.startswith("["):  # [IPv6]:port
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:  # IPv4:port
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        if address.scope_id is not None:
            address = ipaddress.IPv6Address(text.partition("%")[0])
    return str(address)
