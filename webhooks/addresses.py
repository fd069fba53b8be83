"""Where a webhook may point: HTTPS to a public address, unless an administrator allows private
addresses (WEBHOOKS_ALLOW_PRIVATE_ADDRESSES, which also allows plain HTTP). Without this check
anyone who may add a webhook could make Accord's workers call the company's internal services
or a cloud's metadata endpoint (SSRF)."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class Refused(Exception):
    """The URL points at an address webhooks may not reach."""


def private_allowed() -> bool:
    return bool(getattr(settings, "WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", False))


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone id is no part of it
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def validate_webhook_url(url: str) -> None:
    """On saving: HTTPS (or HTTP where private addresses are allowed), and no host that is
    plainly private. Names are resolved again at each delivery (check_destination)."""
    parts = urlsplit(url)
    schemes = ("https", "http") if private_allowed() else ("https",)
    if parts.scheme not in schemes:
        raise ValidationError(_("A webhook's URL must start with https://."), code="scheme")
    if private_allowed() or not parts.hostname:
        return
    host = parts.hostname
    try:
        plainly_private = host == "localhost" or host.endswith(".localhost") or not is_public(host)
    except ValueError:  # a name, not an address: checked when delivering
        plainly_private = False
    if plainly_private:
        raise ValidationError(
            _("A webhook cannot point at a private, loopback or link-local address."),
            code="private",
        )


def check_destination(url: str) -> None:
    """At delivery: resolve the host and refuse it if any of its addresses is not public."""
    if private_allowed():
        return
    parts = urlsplit(url)
    if parts.scheme != "https":
        raise Refused(f"{parts.scheme} is not allowed, only https")
    port = parts.port or 443
    try:
        found = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except socket.gaierror as error:
        raise OSError(f"cannot resolve {parts.hostname}: {error}") from error
    for _family, _type, _proto, _name, sockaddr in found:
        if not is_public(sockaddr[0]):
            raise Refused(f"{parts.hostname} resolves to {sockaddr[0]}, which is not public")
