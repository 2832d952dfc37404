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
