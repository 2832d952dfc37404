"""`tropa serve`: gunicorn (threads) for the web, plus the watcher beside it."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from tropa.core.logging import StripAddresses


class AddresslessLogger(Logger):
    """Gunicorn's logger with the access log off and addresses stripped from errors."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for handler in self.error_log.handlers:
            handler.addFilter(StripAddresses())

    def access(self, resp: Any, req: Any, environ: Any, request_time: Any) -> None:
        return None


class TropaServer(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from tropa.wsgi import application

        return application


def server_options(bind: str, workers: int, threads: int) -> dict[str, Any]:
    return {
        "bind": bind,
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "accesslog": None,
        "disable_redirect_access_to_syslog": True,
        "errorlog": "-",
        "loglevel": "warning",
        "logger_class": AddresslessLogger,
        "timeout": 60,
        "graceful_timeout": 20,
        "keepalive": 5,
        "limit_request_line": 8190,
        "limit_request_fields": 100,
        "proc_name": "tropa",
        "forwarded_allow_ips": "",
    }


def _helper(command: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "tropa.cli", command], env=os.environ.copy()
    )


def serve(bind: str, workers: int, threads: int, with_watcher: bool) -> int:
    """The web server, with the watcher and (when a token is set) the Telegram bot beside it."""
    from django.conf import settings

    helpers = {}
    if with_watcher:
        helpers["watcher"] = _helper("watch")
        if settings.TROPA_TELEGRAM_TOKEN:
            helpers["telegram bot"] = _helper("telegram")
    try:
        TropaServer(server_options(bind, workers, threads)).run()
    finally:
        for process in helpers.values():
            process.terminate()
        for name, process in helpers.items():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                logging.getLogger("tropa").error("%s did not stop; killed", name)
    return 0
