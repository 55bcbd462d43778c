"""The console log renders an exception as a plain traceback: no local variables.

With rich installed, structlog's console renderer defaults to a "pretty" traceback that prints
every frame's locals. For a database error that is some 60 KB per record and seconds of CPU
(the loops log each failure on the event loop, so a PostgreSQL outage stalled intake for
seconds per logged error), and the locals include connection parameters such as passwords.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from crossdock.observability.logging import configure_logging


@pytest.fixture
def console() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    configure_logging()
    stream = io.StringIO()
    handler = root.handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    yield stream
    root.handlers[:], root.level = saved


def connect(password: str) -> None:
    conninfo = f"host=db user=crossdock password={password}"
    raise ConnectionError(f"connection refused ({len(conninfo)} bytes of conninfo)")


def test_an_exception_is_logged_as_a_plain_traceback_without_locals(
    console: io.StringIO,
) -> None:
    secret = "-".join(("s3cret", "from", "the", "url"))  # not on a line the traceback quotes
    try:
        connect(secret)
    except ConnectionError:
        logging.getLogger("crossdock.test").exception("consumer loop failed; retrying")
    text = console.getvalue()
    assert "consumer loop failed; retrying" in text
    assert "Traceback (most recent call last):" in text
    assert "ConnectionError: connection refused" in text
    assert secret not in text  # no frame's locals
    assert len(text) < 4000
