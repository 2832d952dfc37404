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


# --- Layers (shared DESIGN.md, "Layout, and the order of layers") ---------------

# Lowest first. An app imports only from apps before it: never upward, never in
# a circle, not even inside a function or under TYPE_CHECKING.
LAYERS = [
    "conf",
    "vault",
    "core",
    "audit",
    "keyring",
    "accounts",
    "notify",
    "cases",
    "journeys",
    "assistance",
    "reports",
    "intake",
    "channels",
]
# The top: may import anything; nothing below may import them.
TOP = {"cli", "settings", "test_settings", "urls", "wsgi", "__main__", "conftest", "testing"}
MAX_LINES = 400
WRITES = {"save", "create", "update", "delete", "bulk_create", "get_or_create", "update_or_create"}


def _app(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) < 2 or parts[0] != "tropa":
        return None
    return parts[1]


def _imports(path: Path) -> list[str]:
    """Every module `path` imports, at any depth of the file, relative ones resolved."""
    module = ".".join(("tropa", *path.relative_to(ROOT).with_suffix("").parts))
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.append(base)
            found += [f"{base}.{alias.name}" for alias in node.names]
    return found


def _edges() -> list[tuple[str, str, str]]:
    edges = []
    for path in production_modules():
        source = path.relative_to(ROOT).parts[0].removesuffix(".py")
        for target in _imports(path):
            app = _app(target)
            if app is not None and app != source:
                edges.append((source, app, f"{path.relative_to(ROOT)} -> {target}"))
    return edges


def test_every_app_has_a_place_in_the_layers():
    apps = {p.parent.name for p in ROOT.glob("*/apps.py")}
    assert apps - set(LAYERS) == set()


def test_no_import_runs_up_the_layers():
    rank = {name: i for i, name in enumerate(LAYERS)}
    upward = []
    for source, target, where in _edges():
        if source in TOP:
            continue
        if target in TOP or source in rank and target in rank and rank[target] > rank[source]:
            upward.append(where)
    assert upward == []


def test_no_two_apps_import_each_other():
    pairs = {(source, target) for source, target, _where in _edges()}
    assert sorted((a, b) for a, b in pairs if (b, a) in pairs and a < b) == []


def test_no_application_module_passes_the_size_limit():
    big = []
    for path in production_modules():
        lines = path.read_text(encoding="utf-8").count("\n")
        if lines > MAX_LINES:
            big.append(f"{path.relative_to(ROOT)} ({lines})")
    assert big == []


def _view_modules() -> set[Path]:
    """The modules that urls.py files take views from."""
    found = set()
    for urls in ROOT.rglob("urls.py"):
        for target in _imports(urls):
            candidate = ROOT.joinpath(*target.split(".")[1:]).with_suffix(".py")
            if candidate.exists() and candidate.name != "urls.py":
                found.add(candidate)
    return found


def test_views_write_only_through_actions():
    """Views parse, check, call a named action (which audits), redirect."""
    modules = _view_modules()
    assert ROOT / "cases" / "views.py" in modules  # the walk finds view modules at all
    offenders = []
    for path in modules:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in WRITES
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} .{node.func.attr}()")
    assert offenders == []
