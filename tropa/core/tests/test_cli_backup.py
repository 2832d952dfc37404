"""`tropa backup`, `tropa backup --verify` and `tropa restore`, as an admin
runs them: the restored directory starts and its audit chain holds."""

from __future__ import annotations

from tropa.testing.cli import init, tropa


def test_backup_verify_and_restore_from_the_command_line(tmp_path):
    done = init(tmp_path / "live")
    backup = tmp_path / "night.backup"
    made = tropa("backup", "--to", str(backup), data=done.data)
    assert made.returncode == 0, made.stderr
    assert "opens only with the recovery key" in made.stdout
    words = tmp_path / "words.txt"
    words.write_text(" ".join(done.words), encoding="utf-8")
    checked = tropa("backup", "--verify", str(backup), "--words-file", str(words), data=done.data)
    assert checked.returncode == 0 and "every chunk authentic" in checked.stdout
    assert "tropa.sqlite3" in checked.stdout and "secrets" in checked.stdout

    restored = tmp_path / "restored"
    back = tropa("restore", str(backup), "--words-file", str(words), data=restored)
    assert back.returncode == 0, back.stderr
    assert (restored / "secrets" / "pepper").read_bytes() == (
        done.data / "secrets" / "pepper"
    ).read_bytes()
    chain = tropa("audit", "verify", data=restored)
    assert chain.returncode == 0 and "Audit chain intact" in chain.stdout

    again = tropa("restore", str(backup), "--words-file", str(words), data=restored)
    assert again.returncode == 1 and "not empty" in again.stderr
    backup.write_bytes(backup.read_bytes()[:-100])
    cut = tropa("backup", "--verify", str(backup), data=done.data)
    assert cut.returncode == 1 and "truncated or damaged" in cut.stderr
