"""Posting to another system (a webhook, a group chat's bot) with the SSRF check made where the
connection is made, on the address
actually connected to: the host name is resolved once, refused if any of its addresses is not
public (common.addresses), and the socket connects to one of those vetted addresses. A
separate check before `requests` resolved the name again would leave a gap: a name can answer a
public address to the check and a private one to the connection (DNS rebinding).

Only the socket's destination changes: the request's Host header, TLS's SNI and certificate
check still use the URL's host name. No proxy from the environment (the check must be on the
receiver's address, not a proxy's) and no redirects are followed."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError

from common.addresses import Refused, is_public, private_allowed


def vetted_addresses(host: str, port: int) -> list[tuple]:
    """The host's addresses (getaddrinfo entries), or Refused if any of them is forbidden."""
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    if not private_allowed():
        for *_, sockaddr in found:
            if not is_public(sockaddr[0]):
                raise Refused(f"{host} resolves to {sockaddr[0]}, which is not public")
    return found


def connect(host: str, port: int, timeout, source_address=None, socket_options=None):
    """Like urllib3's create_connection, but only to the addresses vetted_addresses returned."""
    if not isinstance(timeout, int | float):  # urllib3's "default" sentinel
        timeout = socket.getdefaulttimeout()
    error: OSError | None = None
    for family, kind, proto, _name, sockaddr in vetted_addresses(host, port):
        sock = socket.socket(family, kind, proto)
        try:
            for option in socket_options or ():
                sock.setsockopt(*option)
            sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            return sock
        except OSError as failed:
            sock.close()
            error = failed
    raise error or OSError(f"no address for {host}")


class VettedConnectionMixin:
    def _new_conn(self) -> socket.socket:
        # As urllib3's own _new_conn, with `connect` instead of create_connection.
        try:
            return connect(
                self._dns_host, self.port, self.timeout, self.source_address, self.socket_options
            )
        except socket.gaierror as error:
            raise NameResolutionError(self.host, self, error) from error
        except TimeoutError as error:
            raise ConnectTimeoutError(self, f"connecting to {self.host} timed out") from error
        except OSError as error:
            raise NewConnectionError(
                self, f"Failed to establish a new connection: {error}"
            ) from error


class VettedHTTPConnection(VettedConnectionMixin, HTTPConnection):
    pass


class VettedHTTPSConnection(VettedConnectionMixin, HTTPSConnection):
    pass


class VettedHTTPPool(HTTPConnectionPool):
    ConnectionCls = VettedHTTPConnection


class VettedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = VettedHTTPSConnection


class VettedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": VettedHTTPPool, "https": VettedHTTPSPool}


def post(url: str, *, timeout, **arguments) -> requests.Response:
    """POST (with `requests`' arguments: data, json, params, headers) without following
    redirects. Raises Refused (an exception of its own, which `requests` lets through) for a
    forbidden scheme or address, and requests' exceptions for the rest."""
    scheme = urlsplit(url).scheme
    if scheme != "https" and not private_allowed():
        raise Refused(f"{scheme} is not allowed, only https")
    with requests.Session() as session:
        session.trust_env = False
        session.mount("http://", VettedAdapter())
        session.mount("https://", VettedAdapter())
        return session.post(url, timeout=timeout, allow_redirects=False, **arguments)
