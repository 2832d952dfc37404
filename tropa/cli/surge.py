"""`tropa surge on|off`: surge mode from the command line (an operator on the
server; audited with no staff member as the actor)."""

from __future__ import annotations

import argparse

from tropa.cli.setup import setup_django, use_data_dir


def cmd_surge(args: argparse.Namespace) -> int:
    use_data_dir(args.data)
    setup_django()
    from tropa.cases import surge

    state = surge.switch(None, on=args.state == "on", short=not args.full)
    if state.on:
        kind = "the full questionnaire" if args.full else "the questions triage needs"
        print(f"Surge mode is on: the start page and the bot answer at once; {kind}.")
    else:
        print("Surge mode is off.")
    return 0


def add_parser(command) -> None:  # type: ignore[no-untyped-def]
    p = command("surge", cmd_surge, "switch surge mode on or off")
    p.add_argument("state", choices=["on", "off"])
    p.add_argument("--full", action="store_true", help="keep the full questionnaire")
