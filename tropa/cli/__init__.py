"""The `tropa` command."""

from __future__ import annotations

import argparse
import os
import sys

from tropa.cli import keys
from tropa.cli.setup import DEFAULT_DATA
from tropa.cli.setup import setup_django as _setup_django
from tropa.cli.setup import use_data_dir as _use_data_dir


def cmd_init(args: argparse.Namespace) -> int:
    from tropa.cli import bootstrap

    data = _use_data_dir(args.data)
    if args.recovery_shares and not 1 < args.threshold <= args.recovery_shares <= 16:
        print("tropa: use 2 <= --threshold <= --recovery-shares <= 16.", file=sys.stderr)
        return 2
    if (data / "secrets").exists():
        print(f"tropa: {data} is already initialised; nothing changed.", file=sys.stderr)
        return 1
    bootstrap.write_secrets(data)
    _setup_django()
    try:
        done = bootstrap.initialise_org(args.admin)
    except bootstrap.AlreadyInitialised:
        print(f"tropa: {data} is already initialised; nothing changed.", file=sys.stderr)
        return 1
    print(f"Tropa initialised in {data}\n")
    if args.recovery_shares:
        print(f"ORGANISATION RECOVERY KEY, split in {args.recovery_shares} shares: shown once,")
        print(f"never stored. Give each trustee one share; any {args.threshold} of them restore")
        print("the key, fewer reveal nothing. No single person can be forced to give it up.\n")
        print(bootstrap.shares_sheet(done.recovery, args.recovery_shares, args.threshold))
    else:
        print("ORGANISATION RECOVERY KEY: shown once, never stored. Write the 24 words on paper")
        print("(or print the QR code), keep them offline in two safe places. Without them,")
        print("cases of staff who lose their passwords cannot be restored.\n")
        print(bootstrap.recovery_sheet(done.recovery))
    print(f"First admin: {done.admin_username}")
    print(f"Temporary password (change it at first sign-in): {done.admin_password}\n")
    print("Next: tropa serve")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    _use_data_dir(args.data)
    _setup_django()
    from django.core.management import call_command

    from tropa.cli.server import serve

    if not args.no_migrate:
        call_command("migrate", interactive=False, verbosity=0)
    print(f"Tropa is serving on http://{args.bind}/  (staff: /staff/login/)", flush=True)
    return serve(args.bind, args.workers, args.threads, with_watcher=not args.no_watcher)


def _die_with_server() -> None:
    """Started by `tropa serve`: go when it goes, even if it was killed."""
    parent = os.environ.pop("TROPA_PARENT_PID", "")
    if parent.isdigit():
        from tropa.cli.server import die_with_parent

        die_with_parent(int(parent))


def cmd_watch(args: argparse.Namespace) -> int:
    _die_with_server()
    _use_data_dir(args.data)
    _setup_django()
    from tropa.core import watch

    if args.once:
        watch.run_cycle()
    else:
        watch.run_forever()
    return 0


def cmd_telegram(args: argparse.Namespace) -> int:
    _die_with_server()
    _use_data_dir(args.data)
    _setup_django()
    from tropa.channels import runner

    return runner.run()


def cmd_demo(args: argparse.Namespace) -> int:
    from tropa.cli import demo

    data = demo.fresh_demo_dir(args.data)
    os.environ["TROPA_DATA_DIR"] = str(data)
    os.environ["TROPA_DEMO"] = "true"
    _setup_django()
    logins = demo.populate()
    codename = demo.submit_requests()
    url = f"http://{args.bind}/"
    print(demo.banner(url, logins, codename), flush=True)
    if args.no_serve:
        return 0
    args.data, args.no_migrate, args.no_watcher = str(data), True, False
    return cmd_serve(args)


def cmd_createstaff(args: argparse.Namespace) -> int:
    _use_data_dir(args.data)
    _setup_django()
    from django.core.exceptions import ValidationError

    from tropa.accounts.actions import create_staff, generate_temporary_password

    password = generate_temporary_password()
    try:
        staff = create_staff(username=args.username, password=password, role=args.role, actor=None)
    except ValidationError as error:
        print("tropa: " + " ".join(error.messages), file=sys.stderr)
        return 1
    print(f"Created {staff.role} {staff.username}.")
    print(f"Temporary password (they change it at first sign-in): {password}")
    if staff.role == "coordinator":
        print("They need the intake key. After their first sign-in (when they choose their own")
        print("password, their keys are made), a coordinator who has it shares it from their")
        print(f"staff page, or run: tropa recover {staff.username}")
    return 0


def cmd_recover(args: argparse.Namespace) -> int:
    _use_data_dir(args.data)
    _setup_django()
    from tropa import vault
    from tropa.accounts.actions import restore_access
    from tropa.accounts.models import Staff
    from tropa.cases import danger
    from tropa.keyring.actions import NoKeyYet

    staff = Staff.objects.filter(username=args.username.strip().lower()).first()
    if staff is None:
        print(f"tropa: no staff member {args.username!r}", file=sys.stderr)
        return 1
    try:
        recovery = keys.read_recovery_key(args.words_file)
        if args.orphans:
            count = danger.restore_orphans(staff, recovery)
        else:
            count = restore_access(staff, recovery)
    except vault.BadRecoveryWords as error:
        print(f"tropa: not valid recovery words or shares ({error}).", file=sys.stderr)
        return 1
    except vault.CannotOpen:
        print("tropa: those words are not this organisation's recovery key.", file=sys.stderr)
        return 1
    except danger.Refused:
        print(f"tropa: {staff.username} is not a coordinator of a team.", file=sys.stderr)
        return 1
    except NoKeyYet:
        print(
            f"tropa: {staff.username} has no keys yet: they are made at their first sign-in, "
            "when they choose their own password. Run this again after that.",
            file=sys.stderr,
        )
        return 1
    print(f"Restored {count} key(s) for {staff.username}.")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    _use_data_dir(args.data)
    _setup_django()
    from tropa.cli.checks import run_checks

    problems = run_checks(print)
    return 1 if problems else 0


def cmd_audit(args: argparse.Namespace) -> int:
    _use_data_dir(args.data)
    _setup_django()
    from tropa.audit.log import verify

    verdict = verify()
    if verdict.ok:
        print(f"Audit chain intact: {verdict.checked} entries.")
        if verdict.summarised:
            print(f"  after {verdict.summarised} older entries, summarised as counts in anchors.")
        print(f"  head hash {verdict.head} (note it outside the server now and then)")
        return 0
    print(
        f"Audit chain BROKEN at entry {verdict.broken_at}: {verdict.reason}. "
        f"{verdict.checked} entries before it are intact."
    )
    return 1


def cmd_panic_wipe(args: argparse.Namespace) -> int:
    _use_data_dir(args.data)
    _setup_django()
    from tropa.audit.log import record
    from tropa.audit.models import Action
    from tropa.keyring.actions import panic_wipe

    if args.confirm != "destroy-every-key":
        print(
            "tropa: this deletes every sealed key; nothing can be read afterwards.\n"
            "Run again with --confirm destroy-every-key",
            file=sys.stderr,
        )
        return 2
    count = panic_wipe()
    record(None, Action.PANIC_WIPE)
    print(f"Deleted {count} sealed key(s). The data that remains cannot be decrypted.")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    _use_data_dir(args.data)
    _setup_django()
    return int(args.stats_handler(args))


def cmd_manage(args: argparse.Namespace) -> int:
    _use_data_dir(args.data)
    _setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["tropa manage", *args.rest])
    return 0


def build_parser() -> argparse.ArgumentParser:
    from tropa.conf import env_int

    parser = argparse.ArgumentParser(prog="tropa", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name: str, handler: object, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument(
            "--data", help=f"data directory (default ./{DEFAULT_DATA} or TROPA_DATA_DIR)"
        )
        p.set_defaults(handler=handler)
        return p

    p = command("init", cmd_init, "create a data directory, its keys and the first admin")
    p.add_argument("--admin", default="admin", help="the first admin's username")
    p.add_argument(
        "--recovery-shares", type=int, default=0, help="split the recovery key in N shares"
    )
    p.add_argument("--threshold", type=int, default=3, help="how many shares restore it")

    def serve_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--bind", default=os.environ.get("TROPA_BIND", "127.0.0.1:8000"))
        p.add_argument("--workers", type=int, default=env_int("WORKERS", 2, minimum=1))
        p.add_argument("--threads", type=int, default=env_int("THREADS", 8, minimum=1))
        p.add_argument("--no-watcher", action="store_true", help="run the web server only")
        p.add_argument("--no-migrate", action="store_true", help="do not apply migrations first")

    serve_options(command("serve", cmd_serve, "run the web server and the watcher"))
    p = command("watch", cmd_watch, "run the watcher loop (check-ins, escalations)")
    p.add_argument("--once", action="store_true", help="one cycle, then exit")
    command("telegram", cmd_telegram, "run the Telegram bot (long polling, or its webhook sender)")
    p = command("demo", cmd_demo, "a fresh demo with synthetic data, served at once")
    serve_options(p)
    p.add_argument("--no-serve", action="store_true", help="create the demo data and exit")
    p = command("createstaff", cmd_createstaff, "create a staff account")
    p.add_argument("username")
    p.add_argument(
        "--role", required=True, choices=["admin", "coordinator", "consultant", "analyst"]
    )
    p = command("recover", cmd_recover, "restore a staff member's access with the recovery key")
    p.add_argument("username")
    p.add_argument(
        "--words-file", help="read the 24 words, or the shares one per line, from this file"
    )
    p.add_argument(
        "--orphans",
        action="store_true",
        help="give this coordinator every case of their team that no one else can open",
    )
    p = command("backup", keys.cmd_backup, "write an encrypted backup, or check one")
    p.add_argument("--to", help="the backup file to write")
    p.add_argument("--verify", metavar="FILE", help="check a backup instead of writing one")
    p.add_argument("--words-file", help="with --verify: the recovery words or shares, to open it")
    p = command("restore", keys.cmd_restore, "restore a backup into an empty data directory")
    p.add_argument("file")
    p.add_argument("--words-file", help="the recovery words, or shares one per line")
    p = command("recovery-split", keys.cmd_recovery_split, "split the recovery key among trustees")
    p.add_argument("--shares", type=int, required=True, help="how many trustees")
    p.add_argument("--threshold", type=int, required=True, help="how many shares restore it")
    p.add_argument("--words-file", help="the current words, or shares one per line")
    command("check", cmd_check, "check the configuration and the running system")
    p = command("audit", cmd_audit, "verify the hash-chained audit log")
    p.add_argument("action", choices=["verify"])
    p = command("panic-wipe", cmd_panic_wipe, "delete every sealed key at once")
    p.add_argument("--confirm", default="")
    from tropa.cli import stats, surge

    surge.add_parser(command)
    stats.add_parser(lambda name, _h, text: command(name, cmd_stats, text))
    p = command("manage", cmd_manage, "run a Django management command")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    return parser


def main(argv: list[str] | None = None) -> int:
    from django.core.exceptions import ImproperlyConfigured

    try:
        parser = build_parser()
    except ImproperlyConfigured as error:  # a bad TROPA_WORKERS or TROPA_THREADS
        sys.exit(f"tropa: {error}")
    args = parser.parse_args(argv)
    # Everything Tropa creates (database, secrets, markers) is for its owner only.
    os.umask(0o077)
    return int(args.handler(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
