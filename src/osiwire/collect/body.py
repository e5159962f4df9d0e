"""Read a response body within a size cap, decompressing it ourselves.

httpx would inflate gzip without a limit before we could count; here zlib's ``max_length`` bounds every step,
so a gzip bomb costs at most the cap plus one chunk of memory.
"""

from __future__ import annotations

import zlib

from osiwire.errors import FetchError

__all__ = ["ACCEPT_ENCODING", "BodyReader"]

ACCEPT_ENCODING = "gzip, deflate"  # only what zlib can inflate under a cap
_GZIP = ("gzip", "x-gzip")
_DEFLATE = ("deflate",)
_IDENTITY = ("", "identity")
_GZIP_MAGIC = b"\x1f\x8b"


class BodyReader:
    """Feed raw chunks of one response, then ``finish``: decoded bytes, never more than ``max_bytes``."""

    def __init__(self, url: str, content_encoding: str, max_bytes: int) -> None:
        self._url = url
        self._encoding = content_encoding.strip().lower()
        if self._encoding not in _GZIP + _DEFLATE + _IDENTITY:
            raise FetchError(f"{url}: unsupported Content-Encoding {content_encoding!r}")
        self._max = max_bytes
        self._parts: list[bytes] = []
        self._size = 0
        self._inflater: zlib._Decompress | None = None
        self._pending = b""  # deflate: bytes held until the zlib header can be told from raw deflate
        self._done = False  # the compressed stream has ended

    def feed(self, chunk: bytes) -> None:
        """Add one raw chunk (as received, still compressed)."""
        if self._encoding in _IDENTITY:
            self._add(chunk)
        elif self._done:
            if self._another_member(chunk):
                self._inflate(chunk)
            # else padding after the last member: ignored, as gzip -d does
        elif self._inflater is not None:
            self._inflate(chunk)
        elif self._start(chunk):
            pending, self._pending = self._pending, b""
            self._inflate(pending)

    def finish(self) -> bytes:
        """The whole decoded body, once the last chunk is in."""
        if self._inflater is None and self._pending:
            self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)  # a one-byte deflate body: too short to tell
            pending, self._pending = self._pending, b""
            self._inflate(pending)
        if self._inflater is not None and not self._done:
            # A cut-off stream would store half an article as a new version: refuse it instead.
            raise FetchError(f"{self._url}: truncated {self._encoding} body")
        return b"".join(self._parts)

    def _start(self, chunk: bytes) -> bool:
        """Create the inflater once enough bytes tell which format this is."""
        if self._encoding in _GZIP:
            self._pending += chunk
            self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            return True
        self._pending += chunk
        if len(self._pending) < 2:
            return False
        # "deflate" should be zlib-wrapped (RFC 9110) but some servers send raw deflate: the zlib header's
        # first two bytes are a multiple of 31 with method 8; raw deflate almost never is.
        cmf, flg = self._pending[0], self._pending[1]
        wrapped = cmf & 0x0F == 8 and (cmf * 256 + flg) % 31 == 0
        self._inflater = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        return True

    def _inflate(self, data: bytes) -> None:
        assert self._inflater is not None
        try:
            while data:
                out = self._inflater.decompress(data, self._max - self._size + 1)
                self._add(out)
                data = self._inflater.unconsumed_tail
                if self._inflater.eof:
                    self._done = True
                    data = self._inflater.unused_data
                    if not self._another_member(data):
                        return
        except zlib.error as exc:
            raise FetchError(f"{self._url}: corrupt {self._encoding} body: {exc}") from exc

    def _another_member(self, data: bytes) -> bool:
        """After a gzip member: start the next one if ``data`` begins one (RFC 1952 allows several)."""
        if not data or self._encoding not in _GZIP or not _GZIP_MAGIC.startswith(data[:2]):
            return False
        self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self._done = False
        return True

    def _add(self, data: bytes) -> None:
        self._size += len(data)
        if self._size > self._max:
            raise FetchError(f"{self._url}: body larger than {self._max} bytes")
        if data:
            self._parts.append(data)
