"""The HTTP layer under the app: uvicorn's h11 protocol with whosaid's edges.

- A request line or header block longer than h11's limit (``MAX_HEAD_BYTES``) is answered 414
  or 431 with a problem body, where stock uvicorn answers a plain-text 400 or resets.
- A client that has not sent its whole request head within ``head_timeout`` seconds of its first
  byte gets a 408 and is closed; one that has not sent its whole body ``body_timeout`` seconds
  after the head is closed (the app sees a disconnect). Idle keep-alive connections are closed
  by uvicorn's own keep-alive timeout.

uvicorn is given the class itself (``uvicorn.Config(http=WhosaidProtocol)``; a worker process
imports it by name). Its timeouts are the ones :func:`use_timeouts` set in this process, else
the ``WHOSAID_HEAD_TIMEOUT`` and ``WHOSAID_BODY_TIMEOUT`` settings (a worker's environment).
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

import h11
import msgspec
from uvicorn.protocols.http.h11_impl import H11Protocol

from service.errors import PROBLEM_BASE, PROBLEM_MEDIA_TYPE
from service.schemas import Problem

# h11's own default: the request line and the headers together, in bytes.
MAX_HEAD_BYTES = 16 * 1024
# How long an answered unreadable request's remaining bytes are read and dropped before closing.
DRAIN_SECONDS = 2.0


def _problem(status: int, slug: str, title: str, detail: str) -> bytes:
    return msgspec.json.encode(
        Problem(type=PROBLEM_BASE + slug, title=title, status=status, detail=detail)
    )


URI_TOO_LONG = (
    414,
    _problem(
        414,
        "uri-too-long",
        "URI too long",
        f"the request line is longer than {MAX_HEAD_BYTES} bytes; send long texts in a POST body",
    ),
)
HEADERS_TOO_LARGE = (
    431,
    _problem(
        431,
        "headers-too-large",
        "Request header fields too large",
        f"the request's headers are longer than {MAX_HEAD_BYTES} bytes together",
    ),
)
BAD_REQUEST = (
    400,
    _problem(400, "bad-request", "Bad request", "the request is not valid HTTP/1.1"),
)
HEAD_TIMEOUT = (
    408,
    _problem(
        408, "request-timeout", "Request timeout", "the request's head did not arrive in time"
    ),
)


class WhosaidProtocol(H11Protocol):
    """uvicorn's h11 protocol with problem bodies for unreadable requests and read timeouts."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.head_timeout, self.body_timeout = _TIMEOUTS or _timeouts_from_settings()
        self._deadline: asyncio.TimerHandle | None = None
        self._phase: object = None
        self._draining = False
        # The start of the request head being read, up to one byte past the limit.
        self._head = b""

    def data_received(self, data: bytes) -> None:
        if self._draining:  # the answer is sent; what the client still sends is dropped
            return
        if self.conn.their_state is h11.IDLE and self._head_too_long(data):
            return
        super().data_received(data)
        self._watch()

    def _head_too_long(self, data: bytes) -> bool:
        """Whether the request head now known is over the limit (then it is answered).

        h11's own limit only applies to a head that arrives in several reads; this one holds
        however the bytes arrive."""
        self._head += data[: MAX_HEAD_BYTES + 1 - len(self._head)]
        ends = [at for at in (self._head.find(b"\r\n\r\n"), self._head.find(b"\n\n")) if at >= 0]
        if ends and min(ends) + 2 <= MAX_HEAD_BYTES:
            self._head = b""
            return False
        if len(self._head) <= MAX_HEAD_BYTES:
            return False
        line_ended = b"\n" in self._head
        self._head = b""
        self._answer(*(HEADERS_TOO_LARGE if line_ended else URI_TOO_LONG))
        return True

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel()
        super().connection_lost(exc)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._watch()

    def _cancel(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline, self._phase = None, None

    def _watch(self) -> None:
        """Arm the timer of the phase the client is in (from its first byte of that phase)."""
        if self.transport is None or self.transport.is_closing():
            return self._cancel()
        state = self.conn.their_state
        pending, _closed = self.conn.trailing_data
        phase: object
        if state is h11.IDLE and pending:
            phase, seconds = h11.IDLE, self.head_timeout
        elif state is h11.SEND_BODY:
            phase, seconds = h11.SEND_BODY, self.body_timeout
        else:
            return self._cancel()
        if self._phase is not phase:
            self._cancel()
            self._phase = phase
            self._deadline = self.loop.call_later(seconds, self._expired, phase)

    def _expired(self, phase: object) -> None:
        self._deadline = None
        if self.transport is None or self.transport.is_closing() or self._phase is not phase:
            return
        self._phase = None
        if phase is h11.IDLE:
            self.logger.info("closing a connection whose request head did not arrive in time")
            self._answer(*HEAD_TIMEOUT)
        else:
            self.logger.info("closing a connection whose request body did not arrive in time")
            self.transport.close()

    def send_400_response(self, msg: str) -> None:
        """h11 could not read the request: too long a head is 414 or 431, else 400."""
        pending, _closed = self.conn.trailing_data
        if len(pending) > MAX_HEAD_BYTES:
            line_ended = b"\n" in pending[: MAX_HEAD_BYTES + 1]
            self._answer(*(HEADERS_TOO_LARGE if line_ended else URI_TOO_LONG))
        else:
            self._answer(*BAD_REQUEST)

    def _answer(self, status: int, body: bytes) -> None:
        """Write a problem response by hand and close: h11 may be in its error state."""
        from http import HTTPStatus

        head = (
            f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n"
            f"content-type: {PROBLEM_MEDIA_TYPE}\r\ncontent-length: {len(body)}\r\n"
            "connection: close\r\n\r\n"
        ).encode("ascii")
        self.transport.write(head + body)
        # Closing with unread request bytes would reset the connection, and the client could
        # lose the answer: stop sending, read and drop the rest for a moment, then close.
        self._draining = True
        self._cancel()
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(DRAIN_SECONDS, self.transport.close)


_TIMEOUTS: list[float] = []


def use_timeouts(*, head_timeout: float, body_timeout: float) -> None:
    """The read timeouts (seconds) of the connections this process serves from now on."""
    _TIMEOUTS[:] = [head_timeout, body_timeout]


@functools.cache
def _timeouts_from_settings() -> tuple[float, float]:
    from service.settings import load_settings

    settings = load_settings()
    return settings.head_timeout, settings.body_timeout
