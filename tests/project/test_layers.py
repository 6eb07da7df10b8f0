"""Dependencies point one way (docs/ARCHITECTURE.md): no module of an app
imports, at module or function level, an app of its own layer or above it.
Tests, benchmarks and migrations are outside the rule."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Lowest first. Apps on one line are siblings: neither may import the other.
LAYERS = [
    {"accounts"},
    {"core"},
    {"consultants", "reports"},
    {"engagements"},
    {"reminders"},
    {"checklists", "compensation"},
    {"impact"},
    {"network"},
    {"insights"},
    {"pages"},
    {"config"},
]
LEVEL = {app: level for level, apps in enumerate(LAYERS) for app in apps}


def _imported_modules(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module


def upward_imports() -> list[str]:
    found = []
    for app, level in LEVEL.items():
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for line, module in _imported_modules(tree):
                target = module.split(".")[0]
                if target != app and LEVEL.get(target, -1) >= level:
                    found.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    return found


def test_no_app_imports_its_own_layer_or_above():
    assert upward_imports() == []


def test_the_rule_sees_a_function_level_import():
    tree = ast.parse("def f():\n    from checklists import services\n")
    assert list(_imported_modules(tree)) == [(2, "checklists")]
