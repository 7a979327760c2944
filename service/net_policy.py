"""Where the service may send webhooks: public addresses only, unless the deployment allows private networks.

A callback URL is chosen by the API client, so without this check a submitter could make the workers POST into the
deployment's own network (cloud metadata at 169.254.169.254, the database host, admin ports): server-side request
forgery. Submission refuses literal private addresses and local names at once; delivery resolves the host again just
before each POST and refuses if any address it resolves to is not public (a name may point elsewhere by then).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

__all__ = ["forbidden_reason", "resolved_forbidden_reason"]

# Names that always mean "this machine or its private network", whatever DNS says.
_LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".localdomain", ".home.arpa")


def _address_reason(address: str) -> str | None:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if not ip.is_global or ip.is_multicast:
        return f"{address} is not a public address"
    return None


def forbidden_reason(url: str) -> str | None:
    """Why this URL may not be a callback target judging by the URL alone (None: allowed so far)."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if not host:
        return "no host"
    if host == "localhost" or host.endswith(_LOCAL_SUFFIXES):
        return f"{host} is a local name"
    return _address_reason(host)


def resolved_forbidden_reason(url: str, port: int | None = None) -> str | None:
    """Why this URL may not be called now: its own reason, else any resolved address that is not public."""
    reason = forbidden_reason(url)
    if reason is not None:
        return reason
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        infos = socket.getaddrinfo(host, port or parts.port or (443 if parts.scheme == "https" else 80))
    except (OSError, UnicodeError) as exc:
        return f"{host} does not resolve ({type(exc).__name__})"
    for info in infos:
        reason = _address_reason(str(info[4][0]))
        if reason is not None:
            return f"{host} resolves to {reason.split(' is ', 1)[0]}, which is not a public address"
    return None
