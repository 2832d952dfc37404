"""docs/security.md lists every column a dump shows, and says which are sealed.

The list is the promise "only the plaintext metadata listed" made concrete:
a column added to a model without a line there fails this test, and so does
a listed column that no longer exists.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.apps import apps

import tropa

DOC = Path(tropa.__file__).parent.parent / "docs" / "security.md"
SECTION = "## Every column, as a dump shows it"
SKIPPED_APPS = {"contenttypes", "auth"}  # Django's own, empty in Tropa


def documented() -> dict[str, set[str]]:
    text = DOC.read_text(encoding="utf-8").split(SECTION, 1)[1].split("\n## ", 1)[0]
    tables: dict[str, set[str]] = {}
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 4 or not cells[0].startswith("`"):
            continue
        table = cells[0].strip("`")
        tables[table] = {name for cell in cells[1:] for name in re.findall(r"`(\w+)`", cell)}
    return tables


def in_the_database() -> dict[str, set[str]]:
    return {
        model._meta.db_table: {field.column for field in model._meta.concrete_fields}
        for model in apps.get_models()
        if model._meta.app_label not in SKIPPED_APPS
    }


def test_the_security_page_names_every_table_and_column():
    listed, real = documented(), in_the_database()
    assert set(listed) == set(real)
    differences = {
        table: (sorted(real[table] - listed[table]), sorted(listed[table] - real[table]))
        for table in real
        if real[table] != listed[table]
    }
    assert differences == {}
