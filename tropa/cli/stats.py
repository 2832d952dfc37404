"""`tropa stats`: publish a period, check a release file, recount the tally.

Publishing signs with the release key, which only an analyst's or admin's own
keys open: the command signs that person in the ordinary way (password and
two-factor code, throttled like the web sign-in) and never keeps either.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path


def publish(args: argparse.Namespace) -> int:
    from tropa.accounts.signin import SignInState, sign_in
    from tropa.reports import releases, scope

    password = getpass.getpass(f"Password for {args.as_user}: ")
    code = getpass.getpass("Two-factor code: ")
    result = sign_in(args.as_user, password, code)
    if result.outcome != SignInState.OK or result.keys is None or result.staff is None:
        print("tropa: sign-in refused (name, password or code).", file=sys.stderr)
        return 1
    chosen = args.tables.split(",") if args.tables else [k for k, _t in releases.table_titles()]
    try:
        period = releases.parse_period(args.period, scope.today())
        release, new = releases.publish(
            period,
            chosen,
            result.staff,
            result.keys,
            supersede=args.supersede,
            reason=args.reason or "",
        )
    except releases.Refused as error:
        print(f"tropa: {error}", file=sys.stderr)
        return 1
    said = "Published" if new else "Already published (unchanged)"
    where = f"/impact/{release.period}/{release.number}/"
    print(f"{said}: {release.period} version {release.number}, {where}")
    return 0


def verify(args: argparse.Namespace) -> int:
    """Check a downloaded release file (its JSON) against its signature."""
    from tropa.reports import releases

    try:
        found = json.loads(Path(args.file).read_text(encoding="utf-8"))
        ok = releases.verify(
            found["document"].encode(),
            bytes.fromhex(found["signature"]),
            bytes.fromhex(args.key or found["verify_key"]),
        )
    except (OSError, ValueError, KeyError, TypeError) as error:
        print(f"tropa: not a release file: {error}", file=sys.stderr)
        return 1
    if not ok:
        print("Signature does NOT match: the figures were changed or the key is not ours.")
        return 1
    print("Signature valid: the figures are as published.")
    return 0


def rebuild(args: argparse.Namespace) -> int:
    from tropa.reports import recount

    if not args.confirm:
        print(
            "tropa: this recounts the statistics from the cases present; counts kept for "
            "cases shredded since are lost. Run again with --confirm.",
            file=sys.stderr,
        )
        return 2
    rows = recount.rebuild()
    print(f"Recounted: {rows} tally rows.")
    return 0


def add_parser(command: object) -> None:
    p = command("stats", None, "publish statistics, check a release, recount")  # type: ignore[operator]
    sub = p.add_subparsers(dest="stats_command", required=True)
    one = sub.add_parser("publish", help="freeze, make safe and sign a period's release")
    one.add_argument("--period", required=True, help="a month (2026-11) or a year (2026)")
    one.add_argument("--as", dest="as_user", required=True, help="an analyst's or admin's name")
    one.add_argument("--tables", help="comma-separated table keys (default: all)")
    one.add_argument("--supersede", action="store_true", help="replace the published release")
    one.add_argument("--reason", help="why it is replaced (printed with it)")
    one.set_defaults(stats_handler=publish)
    check = sub.add_parser("verify", help="check a downloaded release JSON file")
    check.add_argument("file")
    check.add_argument("--key", help="the verify key in hex (default: the one in the file)")
    check.set_defaults(stats_handler=verify)
    again = sub.add_parser("rebuild", help="recount the tally from the cases present")
    again.add_argument("--confirm", action="store_true")
    again.set_defaults(stats_handler=rebuild)
