"""`tropa check`: is this installation safe and alive?"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core import checks as django_checks
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# Django's deploy checks that assume TLS; an onion service runs plain HTTP
# inside Tor, so these are notes, not failures, while TROPA_HTTPS is off.
TLS_ONLY = {"security.W004", "security.W008", "security.W012", "security.W016"}


def run_checks(report: Callable[[str], object]) -> int:
    problems = 0

    def fail(message: str) -> None:
        nonlocal problems
        problems += 1
        report(f"FAIL  {message}")

    def ok(message: str) -> None:
        report(f"ok    {message}")

    tls_notes = []
    for message in django_checks.run_checks(include_deployment_checks=True):
        if message.id in TLS_ONLY and not settings.TROPA_HTTPS:
            tls_notes.append(message.id)
        elif message.level >= django_checks.WARNING:
            fail(f"{message.id}: {message.msg}")
    if tls_notes:
        report(
            f"note  TLS is off ({', '.join(sorted(tls_notes))}): right for an onion service; "
            "set TROPA_HTTPS=true behind a TLS proxy"
        )
    if settings.DEBUG:
        fail("TROPA_DEBUG is on: it must be off on a real server")
    else:
        ok("debug is off")

    try:
        connection.ensure_connection()
    except Exception as error:  # noqa: BLE001 - any failure to connect is reported
        fail(f"database unreachable: {error}")
        return problems
    ok(f"database reachable ({connection.vendor})")
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        fail("database migrations are not applied: run `tropa manage migrate`")
        return problems
    ok("migrations applied")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
        (ok if mode == "wal" else fail)(f"SQLite journal mode is {mode}")

    from tropa.keyring.models import OrgKeys

    if OrgKeys.objects.exists():
        ok("organisation keys present")
    else:
        fail("organisation keys missing: run `tropa init`")

    for name in ("secret_key", "pepper", "telegram_token"):
        path = settings.SECRETS_DIR / name
        if path.exists() and path.stat().st_mode & 0o077:
            fail(f"{path} is readable by others: chmod 600 it")

    from tropa.core.context_processors import WATCHER, watcher_is_down
    from tropa.core.models import Heartbeat

    if watcher_is_down():
        age = Heartbeat.age_seconds(WATCHER)
        seen = "never ran" if age is None else f"last ran {int(age)} s ago"
        fail(f"the watcher is not running ({seen}): start `tropa serve` or `tropa watch`")
    else:
        ok("watcher heartbeat fresh")

    if settings.TROPA_TELEGRAM_TOKEN:
        from django.core.exceptions import ImproperlyConfigured

        from tropa.channels import texts
        from tropa.channels.runner import HEARTBEAT

        try:
            texts.check_hours()
            ok("Telegram consultant hours readable")
        except ImproperlyConfigured as error:
            fail(str(error))
        age = Heartbeat.age_seconds(HEARTBEAT)
        if age is None or age > settings.TROPA_WATCHER_STALE_SECONDS:
            seen = "never ran" if age is None else f"last ran {int(age)} s ago"
            fail(
                f"the Telegram bot is not running ({seen}): start `tropa serve` or `tropa telegram`"
            )
        else:
            ok("Telegram bot heartbeat fresh")
        if not settings.TROPA_TELEGRAM_OFFICIAL:
            fail("TROPA_TELEGRAM_OFFICIAL is empty: /official cannot name the helpline's handles")
    report("all checks passed" if problems == 0 else f"{problems} problem(s)")
    return problems
