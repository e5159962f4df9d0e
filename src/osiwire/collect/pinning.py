"""Connections that go to the address that was checked (DNS rebinding defence).

httpx resolves a host's name again when it connects, so a name checked as public before a request may answer
127.0.0.1 or 169.254.169.254 to the connection a moment later. ``PinnedTransport`` resolves the name once per
connection, refuses it unless every address is public, and connects to those very addresses; TLS still verifies
the certificate against the host's name, which is also the SNI sent (httpcore takes both from the request's URL,
never from the address connected to). Requests through a proxy named in the environment (``HTTPS_PROXY`` ...)
are left to that proxy, which resolves the name itself: ``proxy_mounts`` keeps them working as before.
"""

from __future__ import annotations

from collections.abc import Iterable

import httpcore
import httpx

from osiwire.collect import addresses

__all__ = ["PinnedBackend", "PinnedTransport", "proxy_mounts"]

DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)  # httpx's own defaults


class PinnedBackend(httpcore.NetworkBackend):
    """httpcore's own sockets, opened to the checked addresses of a host rather than to its name."""

    def __init__(self, *, allow_private: bool, inner: httpcore.NetworkBackend | None = None) -> None:
        self._allow_private = allow_private
        self._inner = inner or httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        """Connect to the first address of ``host`` that answers; FetchError when any address is private."""
        if self._allow_private:  # nothing is checked, so there is nothing to pin
            return self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        checked = addresses.public_addresses(host, port)  # FetchError: httpx passes it through unchanged
        failure: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for address in checked:
            try:
                return self._inner.connect_tcp(str(address), port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc  # as socket.create_connection does: try the next address, raise the last error
        assert failure is not None  # public_addresses returns at least one address or raises
        raise failure

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        return self._inner.connect_unix_socket(path, timeout, socket_options)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class PinnedTransport(httpx.HTTPTransport):
    """httpx's transport, connecting through a ``PinnedBackend`` (certificates verified as usual)."""

    def __init__(
        self,
        *,
        allow_private: bool,
        limits: httpx.Limits = DEFAULT_LIMITS,
        backend: httpcore.NetworkBackend | None = None,
    ) -> None:
        # httpx's own SSL context: certifi, or SSL_CERT_FILE / SSL_CERT_DIR as before.
        ssl_context = httpx.create_ssl_context()
        super().__init__(verify=ssl_context, limits=limits)
        # httpx passes its pool no network backend, so the pool is built again with ours.
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=PinnedBackend(allow_private=allow_private, inner=backend),
        )


def proxy_mounts() -> dict[str, httpx.BaseTransport | None]:
    """The proxies named in the environment, mounted as httpx mounts them when given no transport of ours.

    httpx ignores ``HTTP_PROXY``, ``HTTPS_PROXY``, ``ALL_PROXY`` and ``NO_PROXY`` once a client has its own
    transport; a ``None`` mount (a ``NO_PROXY`` host) falls back to the client's transport, the pinned one.
    """
    # httpx's own reading of those variables (NO_PROXY's forms included), so both behave alike.
    from httpx._utils import get_environment_proxies

    return {
        pattern: None if url is None else httpx.HTTPTransport(proxy=url)
        for pattern, url in get_environment_proxies().items()
    }
