"""The demo accounts' shared password: written by `tropa demo` (tropa/cli/demo.py),
shown on the sign-in page of a demo server only (settings.TROPA_DEMO)."""

DEMO_PASSWORD = "demo-only-passphrase"  # noqa: S105 (demo directories only)
