"""The recovery key split among trustees (SLIP-39): `tropa init
--recovery-shares`, `tropa recovery-split`, and `tropa recover` with shares.
Any threshold of them restore access; fewer restore nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tropa import vault
from tropa.core.tests.test_cli import CHOOSE_PASSWORD
from tropa.testing.cli import NEEDS_INTAKE, django_eval, init, sql, tropa


def parse_shares(stdout: str) -> list[str]:
    found = []
    for block in re.split(r"Share \d+ of \d+ \(any \d+ restore the key\):\n", stdout)[1:]:
        numbered = dict(re.findall(r"\b(\d{1,2})\. +([a-z]+)\b", block))
        found.append(" ".join(numbered[str(n)] for n in range(1, 34)))
    return found


@pytest.fixture
def split(tmp_path) -> tuple[Path, list[str]]:
    data = tmp_path / "data"
    done = tropa("init", "--recovery-shares", "5", "--threshold", "3", data=data)
    assert done.returncode == 0, done.stderr
    assert "any 3 of them restore" in done.stdout and "Write the 24 words" not in done.stdout
    shares = parse_shares(done.stdout)
    assert len(shares) == 5 and all(len(s.split()) == 33 for s in shares)
    assert tropa("createstaff", "olga", "--role", "coordinator", data=data).returncode == 0
    django_eval(data, CHOOSE_PASSWORD)
    return data, shares


def recover_with(data: Path, shares: list[str], tmp_path: Path):
    given = tmp_path / "shares.txt"
    given.write_text("\n".join(shares) + "\n", encoding="utf-8")
    return tropa("recover", "olga", "--words-file", str(given), data=data)


def test_three_of_five_shares_restore_access_and_two_do_not(split, tmp_path):
    data, shares = split
    two = recover_with(data, [shares[0], shares[3]], tmp_path)
    assert two.returncode == 1 and "3 shares are needed, 2 given" in two.stderr
    assert "NEEDS True" in django_eval(data, NEEDS_INTAKE)
    three = recover_with(data, [shares[4], shares[1], shares[2]], tmp_path)
    assert three.returncode == 0, three.stderr
    assert "Restored 1 key(s) for olga." in three.stdout
    assert "NEEDS False" in django_eval(data, NEEDS_INTAKE)
    for share in shares:  # never repeated back
        assert " ".join(share.split()[:4]) not in three.stdout + three.stderr + two.stderr


def test_a_mistyped_or_repeated_share_is_named_by_position_only(split, tmp_path):
    data, shares = split
    words = shares[1].split()
    words[7] = "academic" if words[7] != "academic" else "acid"
    wrong = recover_with(data, [shares[0], " ".join(words), shares[2]], tmp_path)
    assert wrong.returncode == 1 and "share 2 is mistyped" in wrong.stderr
    twice = recover_with(data, [shares[0], shares[0], shares[2]], tmp_path)
    assert "share 2 was given twice" in twice.stderr
    assert "Traceback" not in wrong.stderr + twice.stderr


def test_an_existing_key_is_split_again_and_the_new_shares_restore_it(tmp_path):
    done = init(tmp_path / "data")
    words = tmp_path / "words.txt"
    words.write_text(" ".join(done.words), encoding="utf-8")
    again = tropa("recovery-split", "--shares", "3", "--threshold", "2",
                  "--words-file", str(words), data=done.data)  # fmt: skip
    assert again.returncode == 0, again.stderr
    shares = parse_shares(again.stdout)
    assert vault.recovery_key_from_shares(shares[1:]) == done.recovery
    assert sql(done.data, "SELECT count(*) FROM audit_entry WHERE action = ?",
               "recovery_split") == [(1,)]  # fmt: skip
    other = tmp_path / "other.txt"
    other.write_text(" ".join(vault.recovery_words(vault.generate_keypair())), encoding="utf-8")
    refused = tropa("recovery-split", "--shares", "3", "--threshold", "2",
                    "--words-file", str(other), data=done.data)  # fmt: skip
    assert refused.returncode == 1 and "not this organisation's recovery key" in refused.stderr
    bad = tropa("recovery-split", "--shares", "2", "--threshold", "3", data=done.data)
    assert bad.returncode == 2
