"""Time staff key wrapping at each Argon2id cost (a benchmark, not a test).

Run: python bench/kdf.py
Prints the median of three runs of create_staff_key and unwrap_staff_key per
cost, to choose the default for this hardware (a login pays one unwrap).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tropa.vault import (  # noqa: E402
    KDF_INTERACTIVE,
    KDF_MODERATE,
    KDF_SENSITIVE,
    KdfLimits,
    create_staff_key,
    random_token,
    unwrap_staff_key,
)

RUNS = 3
PASSWORD = random_token(12).hex()  # 24 characters, like a generated passphrase


def median_seconds(limits: KdfLimits) -> tuple[float, float]:
    """Median seconds to create and to unwrap a staff key at ``limits``."""
    creates, unwraps = [], []
    for _ in range(RUNS):
        started = time.perf_counter()
        _, wrapped = create_staff_key(PASSWORD, limits)
        created = time.perf_counter()
        unwrap_staff_key(wrapped, PASSWORD)
        creates.append(created - started)
        unwraps.append(time.perf_counter() - created)
    return statistics.median(creates), statistics.median(unwraps)


def main() -> None:
    print(f"{'cost':<12}{'ops':>4}{'memory':>10}{'create s':>10}{'unwrap s':>10}")
    for name, limits in [
        ("interactive", KDF_INTERACTIVE),
        ("moderate", KDF_MODERATE),
        ("sensitive", KDF_SENSITIVE),
    ]:
        create, unwrap = median_seconds(limits)
        memory = f"{limits.memlimit // 2**20} MiB"
        print(f"{name:<12}{limits.opslimit:>4}{memory:>10}{create:>10.3f}{unwrap:>10.3f}")


if __name__ == "__main__":
    main()
