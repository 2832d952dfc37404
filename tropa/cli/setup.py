"""Starting Django for a `tropa` command: the data directory, English."""

from __future__ import annotations

import os
import sys
from pathlib import Path

DEFAULT_DATA = "tropa-data"


def use_data_dir(path: str | None) -> Path:
    data = Path(path or os.environ.get("TROPA_DATA_DIR") or DEFAULT_DATA).resolve()
    os.environ["TROPA_DATA_DIR"] = str(data)
    return data


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tropa.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as error:
        sys.exit(f"tropa: {error}")
    from django.utils import translation

    # The command line speaks English: without this, messages from Django (a
    # refused username) came out in LANGUAGE_CODE, Russian, among English lines.
    translation.activate("en")
