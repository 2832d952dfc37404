"""The TROPA_* readers refuse bad values loudly and name the variable."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from tropa.conf import (
    database_from_url,
    env_bool,
    env_int,
    env_list,
    env_secret,
    env_str,
)

SECRET = "s" * 40


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ("TROPA_X", "TROPA_X_FILE"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_it_reads_a_string_or_falls_back_when_unset_or_blank(monkeypatch):
    assert env_str("X", "fallback") == "fallback"
    monkeypatch.setenv("TROPA_X", "   ")
    assert env_str("X", "fallback") == "fallback"
    monkeypatch.setenv("TROPA_X", "  value  ")
    assert env_str("X", "fallback") == "value"


def test_it_reads_whole_numbers(monkeypatch):
    assert env_int("X", 7) == 7
    monkeypatch.setenv("TROPA_X", " 42 ")
    assert env_int("X", 7) == 42
    monkeypatch.setenv("TROPA_X", "10")
    assert env_int("X", 7, minimum=10) == 10


@pytest.mark.parametrize("value", ["lots", "1.5", "0x10", "12abc"])
def test_it_refuses_a_number_that_is_not_whole(monkeypatch, value):
    monkeypatch.setenv("TROPA_X", value)
    with pytest.raises(ImproperlyConfigured, match=r"TROPA_X must be a whole number") as error:
        env_int("X", 7)
    assert repr(value) in str(error.value)


def test_it_refuses_a_number_below_the_minimum(monkeypatch):
    monkeypatch.setenv("TROPA_X", "9")
    with pytest.raises(ImproperlyConfigured, match=r"TROPA_X must be at least 10, not 9"):
        env_int("X", 12, minimum=10)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", True), ("true", True), ("YES", True), ("On", True)]
    + [("0", False), ("false", False), ("No", False), ("OFF", False)],
)
def test_it_reads_booleans(monkeypatch, value, expected):
    monkeypatch.setenv("TROPA_X", value)
    assert env_bool("X", not expected) is expected


def test_it_uses_the_boolean_default_when_unset():
    assert env_bool("X", True) is True
    assert env_bool("X", False) is False


@pytest.mark.parametrize("value", ["maybe", "tru", "2", "enabled"])
def test_it_refuses_a_boolean_it_cannot_read(monkeypatch, value):
    monkeypatch.setenv("TROPA_X", value)
    with pytest.raises(ImproperlyConfigured, match=r"TROPA_X must be true or false"):
        env_bool("X", False)


def test_it_reads_a_list_trimmed_and_without_empty_items(monkeypatch):
    assert env_list("X", ["a"]) == ["a"]
    monkeypatch.setenv("TROPA_X", " tropa.example , ,abc.onion,")
    assert env_list("X", ["a"]) == ["tropa.example", "abc.onion"]


def test_it_reads_a_secret_from_the_variable(monkeypatch):
    monkeypatch.setenv("TROPA_X", f"  {SECRET}  ")
    assert env_secret("X") == SECRET


def test_it_reads_a_secret_from_the_named_file(monkeypatch, tmp_path):
    path = tmp_path / "x"
    path.write_text(SECRET + "\n", encoding="utf-8")
    monkeypatch.setenv("TROPA_X_FILE", str(path))
    assert env_secret("X", fallback_file=tmp_path / "unused") == SECRET


def test_it_reads_a_secret_from_the_fallback_file(tmp_path):
    path = tmp_path / "x"
    path.write_text(SECRET, encoding="utf-8")
    assert env_secret("X", fallback_file=path) == SECRET


def test_it_prefers_the_variable_to_the_fallback_file(monkeypatch, tmp_path):
    path = tmp_path / "x"
    path.write_text("f" * 40, encoding="utf-8")
    monkeypatch.setenv("TROPA_X", SECRET)
    assert env_secret("X", fallback_file=path) == SECRET


def test_it_refuses_both_the_secret_and_its_file(monkeypatch, tmp_path):
    path = tmp_path / "x"
    path.write_text(SECRET, encoding="utf-8")
    monkeypatch.setenv("TROPA_X", SECRET)
    monkeypatch.setenv("TROPA_X_FILE", str(path))
    with pytest.raises(ImproperlyConfigured, match=r"Set TROPA_X or TROPA_X_FILE, not both"):
        env_secret("X")


def test_it_refuses_a_missing_secret_and_says_how_to_make_one(tmp_path):
    missing = tmp_path / "secrets" / "x"
    with pytest.raises(ImproperlyConfigured) as error:
        env_secret("X", fallback_file=missing)
    message = str(error.value)
    assert "No secret TROPA_X" in message
    assert "TROPA_X_FILE" in message
    assert str(missing) in message
    assert "tropa init" in message


def test_it_refuses_a_missing_secret_with_no_fallback_file():
    with pytest.raises(ImproperlyConfigured, match=r"No secret TROPA_X.*tropa init"):
        env_secret("X")


def test_it_refuses_a_secret_file_that_does_not_exist(monkeypatch, tmp_path):
    monkeypatch.setenv("TROPA_X_FILE", str(tmp_path / "nowhere"))
    with pytest.raises(ImproperlyConfigured, match=r"No secret TROPA_X.*nowhere"):
        env_secret("X")


def test_it_refuses_a_directory_as_the_secret_file(monkeypatch, tmp_path):
    monkeypatch.setenv("TROPA_X_FILE", str(tmp_path))
    with pytest.raises(ImproperlyConfigured, match=r"No secret TROPA_X"):
        env_secret("X")


@pytest.mark.parametrize("value", ["short", "x" * 31])
def test_it_refuses_a_short_secret(monkeypatch, value):
    monkeypatch.setenv("TROPA_X", value)
    with pytest.raises(ImproperlyConfigured, match=r"TROPA_X is too short"):
        env_secret("X")


def test_it_refuses_an_empty_secret_file(monkeypatch, tmp_path):
    path = tmp_path / "x"
    path.write_text("\n", encoding="utf-8")
    monkeypatch.setenv("TROPA_X_FILE", str(path))
    with pytest.raises(ImproperlyConfigured, match=r"TROPA_X is too short"):
        env_secret("X")


def test_it_accepts_a_secret_of_exactly_32_characters(monkeypatch):
    monkeypatch.setenv("TROPA_X", "x" * 32)
    assert env_secret("X") == "x" * 32


def test_it_reads_a_postgresql_url():
    db = database_from_url("postgresql://tropa:p%40ss%3Aword@db.internal:6432/tropa%20main")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert db["NAME"] == "tropa main"
    assert db["USER"] == "tropa"
    assert db["PASSWORD"] == "p@ss:word"
    assert db["HOST"] == "db.internal"
    assert db["PORT"] == "6432"


def test_it_accepts_the_postgres_scheme_and_no_port_or_password():
    db = database_from_url("postgres://tropa@localhost/tropa")
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "tropa",
        "tropa",
        "",
        "localhost",
        "",
    )


@pytest.mark.parametrize(
    "url", ["mysql://u@h/db", "sqlite:///tropa.sqlite3", "db.internal/tropa", ""]
)
def test_it_refuses_a_database_url_that_is_not_postgresql(url):
    with pytest.raises(ImproperlyConfigured, match=r"TROPA_DATABASE_URL must be postgresql://"):
        database_from_url(url)


@pytest.mark.parametrize("url", ["postgresql://u@h:5432", "postgresql://u@h:5432/"])
def test_it_refuses_a_database_url_without_a_database_name(url):
    with pytest.raises(ImproperlyConfigured, match=r"TROPA_DATABASE_URL names no database"):
        database_from_url(url)


@pytest.mark.parametrize("port", ["abc", "99999"])
def test_it_refuses_a_bad_port_without_repeating_the_password(port):
    with pytest.raises(ImproperlyConfigured, match=r"TROPA_DATABASE_URL has a bad port") as error:
        database_from_url(f"postgresql://u:hunter2secret@h:{port}/db")
    assert "hunter2secret" not in str(error.value)


def test_days_by_name_read_and_refused(monkeypatch):
    from tropa.conf import env_days_by_name

    monkeypatch.setenv("TROPA_X", " detained=730, lost_contact=90 ")
    assert env_days_by_name("X") == {"detained": 730, "lost_contact": 90}
    for bad in ("detained", "detained=0", "=5", "detained=many"):
        monkeypatch.setenv("TROPA_X", bad)
        with pytest.raises(ImproperlyConfigured, match="detained=730"):
            env_days_by_name("X")
