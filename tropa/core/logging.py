"""A logging filter that removes anything shaped like an IP address.

Tropa never reads a client address, and the WSGI server's access log is off;
this filter is the last line of defence for messages from libraries.
"""

from __future__ import annotations

import logging
import re

_IPV4 = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")
# Three or more colons, or a "::": an IPv6 address, never a clock time (10:48:04).
_IPV6 = re.compile(
    r"(?<![\w:])(?:(?:[0-9a-fA-F]{0,4}:){3,7}[0-9a-fA-F]{0,4}"
    r"|(?:[0-9a-fA-F]{1,4}(?::[0-9a-fA-F]{1,4})*)?::(?:[0-9a-fA-F]{1,4}(?::[0-9a-fA-F]{1,4})*)?)"
    r"(?![\w:])"
)


def strip_addresses(text: str) -> str:
    return _IPV6.sub("[address]", _IPV4.sub("[address]", text))


class StripAddresses(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg = strip_addresses(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = strip_addresses(logging.Formatter().formatException(record.exc_info))
        return True


class Refusals(logging.Filter):
    """Refused input is not an error of ours: one short line a minute per kind.

    For Django's `django.security.*` loggers (a body over the size limit, a
    malformed multipart body...) and gunicorn's complaints about malformed
    requests. Anyone can send a thousand of those a minute; without this each
    wrote a traceback, and some quoted what was sent. The line says only which
    kind of refusal happened, never what was sent.
    """

    EVERY_SECONDS = 60.0

    def __init__(self, name: str = "") -> None:
        super().__init__(name)
        self._last: dict[str, float] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        kind = record.name
        message = str(record.msg)
        if record.name.startswith("gunicorn"):
            if not message.startswith(("Invalid request", "Error handling request")):
                return True  # gunicorn's own life (start, stop, workers): keep
            kind = "malformed" if message.startswith("Invalid request") else "broken off"
        now = record.created
        last = self._last.get(kind)
        if last is not None and now - last < self.EVERY_SECONDS:
            return False
        self._last[kind] = now
        kind = kind.rsplit(".", 1)[-1]
        record.msg = f"refused a request ({kind}); more like it this minute are not logged"
        record.args = None
        record.exc_info = None
        record.exc_text = None
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True
