"""Typed readers for TROPA_* environment variables.

Each helper refuses a bad value loudly instead of guessing. Secrets come from
``TROPA_X`` or from the file named by ``TROPA_X_FILE``; when neither is set the
caller decides whether a file in the data directory holds it, and otherwise
the server refuses to start. There is no insecure fallback anywhere.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

PREFIX = "TROPA_"


def _raw(name: str) -> str | None:
    value = os.environ.get(PREFIX + name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def env_str(name: str, default: str) -> str:
    value = _raw(name)
    return default if value is None else value


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(
            f"{PREFIX}{name} must be a whole number, not {value!r}"
        ) from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{PREFIX}{name} must be at least {minimum}, not {number}")
    return number


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{PREFIX}{name} must be true or false, not {value!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_days_by_name(name: str) -> dict[str, int]:
    """ "detained=730, lost_contact=90": a number of days (1 or more) per name."""
    found: dict[str, int] = {}
    for item in env_list(name, []):
        key, _, days = item.partition("=")
        try:
            number = int(days)
        except ValueError:
            number = 0
        if not key.strip() or number < 1:
            raise ImproperlyConfigured(
                f"{PREFIX}{name} must read like detained=730,lost_contact=90, not {item!r}"
            )
        found[key.strip()] = number
    return found


def env_secret(name: str, fallback_file: Path | None = None) -> str:
    """A secret from TROPA_<name>, TROPA_<name>_FILE, or a file in the data directory.

    Refuses to return an empty or missing secret: the caller must never run
    with a made-up one.
    """
    value = _raw(name)
    path_value = _raw(name + "_FILE")
    if value is not None and path_value is not None:
        raise ImproperlyConfigured(f"Set {PREFIX}{name} or {PREFIX}{name}_FILE, not both")
    if value is not None:
        secret = value
    else:
        path = Path(path_value) if path_value is not None else fallback_file
        if path is None or not path.is_file():
            where = f" or the file {path}" if path is not None else ""
            raise ImproperlyConfigured(
                f"No secret {PREFIX}{name}: set {PREFIX}{name}, {PREFIX}{name}_FILE{where}. "
                "Run `tropa init` to create a data directory with generated secrets."
            )
        secret = path.read_text(encoding="utf-8").strip()
    if len(secret) < 32:
        raise ImproperlyConfigured(f"{PREFIX}{name} is too short to be a secret (32+ characters)")
    return secret


def env_optional_secret(name: str, fallback_file: Path | None = None) -> str:
    """Like env_secret, for a feature that is off when its secret is absent."""
    configured = _raw(name) is not None or _raw(name + "_FILE") is not None
    if not configured and (fallback_file is None or not fallback_file.is_file()):
        return ""
    return env_secret(name, fallback_file)


def database_from_url(url: str) -> dict[str, object]:
    """Django DATABASES entry for a postgresql:// URL."""
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise ImproperlyConfigured(
            f"{PREFIX}DATABASE_URL must be postgresql://user@host:port/name, not {parts.scheme!r}"
        )
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise ImproperlyConfigured(f"{PREFIX}DATABASE_URL names no database")
    try:
        port = parts.port
    except ValueError:
        # urllib raises a bare ValueError; name the variable like every other helper.
        raise ImproperlyConfigured(f"{PREFIX}DATABASE_URL has a bad port number") from None
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(port or ""),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }
