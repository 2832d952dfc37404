"""`tropa telegram`: long polling (or a webhook) and the outbox, in one process.

Polling asks Telegram for updates from the stored offset. Each update is
stored in its own transaction, which also moves the offset past it, and only
the next `getUpdates` (from that offset) tells Telegram it may forget it. A
crash anywhere leaves the update with Telegram, and a second delivery of a
stored update changes nothing (tropa/channels/conversation/updates.py). So a restart
in the middle of a conversation loses nothing and repeats nothing.

A second thread delivers the outbox: woken after each batch of updates, and
every second for consultants' replies.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections import Counter

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connections

from tropa import vault
from tropa.channels import conversation, delivery, texts
from tropa.channels.api import Api, Failed, Incoming
from tropa.channels.models import BotState
from tropa.core.models import Heartbeat

log = logging.getLogger("tropa.telegram")
HEARTBEAT = "telegram"
# An update that fails this many times in a row (a bug, not the network) is
# set aside, logged, so it cannot stop every later message.
MAX_TRIES = 5


def webhook_secret() -> str:
    """The secret Telegram sends back with every webhook call (derived, not stored)."""
    token = settings.TROPA_TELEGRAM_TOKEN.encode()
    return vault.keyed_hash(settings.TROPA_PEPPER, b"telegram-hook", token).hex()


class Runner:
    def __init__(self, api: Api) -> None:
        self.api = api
        self.tries: Counter[int] = Counter()
        self.wake = threading.Event()

    def start(self) -> str:
        """Introduce ourselves to Telegram; set or clear the webhook."""
        texts.check_hours()  # a typo in the hours stops the bot here, not mid-conversation
        username = self.api.start()
        BotState.objects.update_or_create(pk=1, defaults={"username": username})
        if settings.TROPA_TELEGRAM_WEBHOOK_URL:
            self.api.set_webhook(settings.TROPA_TELEGRAM_WEBHOOK_URL, webhook_secret())
        else:
            self.api.delete_webhook()
        return username

    def offset(self) -> int | None:
        state = BotState.objects.filter(pk=1).first()
        return state.offset if state is not None and state.offset else None

    def poll_once(self, timeout: int | None = None) -> int:
        """One getUpdates and the storing of what it brought. Returns how many
        updates were stored."""
        updates = self.api.get_updates(self.offset(), timeout)
        stored = 0
        for update in updates:
            if not self.handle(update):
                break  # keep the order: the rest come again after this one
            stored += 1
        if updates:
            self.wake.set()
        return stored

    def handle(self, update: Incoming) -> bool:
        try:
            outcome = conversation.process(update, self.api.download)
        except Failed as failure:
            log.warning("telegram: could not fetch a file (%s); will retry", failure.code)
            return False
        except Exception:
            self.tries[update.update_id] += 1
            if self.tries[update.update_id] < MAX_TRIES:
                log.exception("telegram: storing an update failed; it will come again")
                return False
            log.exception("telegram: an update failed %d times; set aside", MAX_TRIES)
            conversation.set_aside(update)
            outcome = conversation.Handled(update.callback_id)
        self.tries.pop(update.update_id, None)
        if update.callback_id:
            self.api.answer_callback(update.callback_id, outcome.toast)
        return True

    def deliver_forever(self, stop: threading.Event) -> None:
        while not stop.is_set():
            close_old_connections()
            try:
                delivery.deliver_pending(self.api)
                Heartbeat.beat(HEARTBEAT)
            except Exception:
                log.exception("telegram delivery round failed; the next one retries")
            self.wake.wait(1.0)
            self.wake.clear()
        close_old_connections()

    def run_forever(self, stop: threading.Event | None = None) -> None:
        stop = stop or threading.Event()

        def _stop(signum: int, frame: object) -> None:
            log.info("telegram bot stopping")
            stop.set()
            self.wake.set()

        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, _stop)
            signal.signal(signal.SIGINT, _stop)
        username = self.start()
        log.info("telegram bot @%s running", username)
        sender = threading.Thread(
            target=self.deliver_forever, args=(stop,), name="telegram-outbox", daemon=True
        )
        sender.start()
        webhook = bool(settings.TROPA_TELEGRAM_WEBHOOK_URL)
        failures = 0
        while not stop.is_set():
            close_old_connections()
            if webhook:
                stop.wait(5)  # the web process receives updates; this one only sends
                continue
            try:
                self.poll_once()
                failures = 0
            except Failed as failure:
                log.warning("telegram: getUpdates failed (%s); retrying", failure.code)
                stop.wait(min(max(failure.retry_after, 2), 60))
            except DatabaseError as error:
                # The database is away: nothing was acknowledged to Telegram (that
                # happens only at the next getUpdates), so back off and poll again.
                failures += 1
                log.error("telegram: the database failed (%s); retrying", type(error).__name__)
                connections.close_all()
                stop.wait(min(2.0**failures, 60))
        self.wake.set()
        sender.join(timeout=30)
        self.api.close()
        close_old_connections()


def run() -> int:
    if not settings.TROPA_TELEGRAM_TOKEN:
        log.error("no Telegram token: set TROPA_TELEGRAM_TOKEN or TROPA_TELEGRAM_TOKEN_FILE")
        return 2
    api = Api(
        settings.TROPA_TELEGRAM_TOKEN,
        settings.TROPA_TELEGRAM_API_URL,
        poll_seconds=settings.TROPA_TELEGRAM_POLL_SECONDS,
    )
    Runner(api).run_forever()
    return 0
