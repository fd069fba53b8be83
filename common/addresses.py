"""Where Accord may post to another system (a webhook, a group chat's bot): HTTPS to a public
address, unless an administrator allows private addresses (WEBHOOKS_ALLOW_PRIVATE_ADDRESSES,
which also allows plain HTTP, for webhooks and chat bots alike). Without this check anyone who
may add a webhook or a bot could make Accord's workers call the company's internal services or a
cloud's metadata endpoint (SSRF)."""

from __future__ import annotations

import ipaddress
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
    plainly private. Names are checked where they are connected to, at each delivery
    (common.safe_http), so that a name cannot answer differently between check and use."""
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
