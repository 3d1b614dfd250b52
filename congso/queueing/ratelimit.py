"""A per-address limit on taking tickets, so a script cannot drain a day's numbers.

A fixed window counted in the cache (the database cache by default, Redis when configured: every app node sees the
same counts). The centre's own kiosk devices usually share one address behind the centre's router; list them in
CONGSO_QUEUE_KIOSK_NETWORKS and they are not limited.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from django.conf import settings

from congso.core import ratelimit
from congso.privacy.services import client_ip


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0


def _kiosk_networks() -> list:
    networks = []
    for raw in getattr(settings, "CONGSO_QUEUE_KIOSK_NETWORKS", []):
        try:
            networks.append(ipaddress.ip_network(raw.strip(), strict=False))
        except ValueError:
            continue  # a malformed entry must not open the gate to everyone
    return networks


def is_kiosk(ip: str | None) -> bool:
    if not ip:
        return False
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return any(address in network for network in _kiosk_networks())


def check_take(request) -> Verdict:
    """Count one attempt to take a ticket from this request's address; say whether it is within the limit."""
    ip = client_ip(request) or "unknown"
    if is_kiosk(ip):
        return Verdict(True)
    limit = getattr(settings, "CONGSO_QUEUE_TAKE_LIMIT", 5)
    window = getattr(settings, "CONGSO_QUEUE_TAKE_WINDOW_SECONDS", 600)
    allowed = ratelimit.hit(request, "queue_take", (limit, window), key=ip)
    return Verdict(allowed, 0 if allowed else window)
