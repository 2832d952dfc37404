"""Rules of the code base that a reviewer should not have to catch by eye."""

from __future__ import annotations

import ast
from pathlib import Path

import tropa

ROOT = Path(tropa.__file__).parent
CRYPTO = {"nacl", "cryptography"}
CLIENT_TRACES = {"REMOTE_ADDR", "HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP", "HTTP_USER_AGENT"}


def production_modules():
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if "tests" in parts or "testing" in parts or "migrations" in parts:
            continue
        yield path


def test_only_the_vault_imports_cryptography():
    offenders = []
    for path in production_modules():
        if path.relative_to(ROOT).parts[0] == "vault":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path}: {n}" for n in names if n.split(".")[0] in CRYPTO]
    assert offenders == []


def test_no_code_reads_a_client_address_or_user_agent():
    offenders = [
        str(path)
        for path in production_modules()
        if any(trace in path.read_text(encoding="utf-8") for trace in CLIENT_TRACES)
    ]
    assert offenders == []


def test_no_template_loads_anything_from_elsewhere():
    offenders = []
    for path in ROOT.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for marker in ('src="http', "src='http", 'href="http', "<script", 'style="'):
            if marker in text:
                offenders.append(f"{path}: {marker}")
    assert offenders == []
