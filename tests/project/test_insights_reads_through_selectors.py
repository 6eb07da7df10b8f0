"""An upper app reads a lower one through its selectors, not its models
(docs/ARCHITECTURE.md): ``insights`` imports from another app's ``models``
only the choices and constants it labels its figures with. Imports under
``if TYPE_CHECKING:`` are for annotations only (they never run, so they
cannot query) and are left out."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# What insights may import from another app's models: choices and constants.
ALLOWED = {
    "compensation.models": {"ZERO", "LineKind", "TimeKind"},
    "consultants.models": {"ConsentScope"},
    "engagements.models": {"Audience", "EngagementType"},
    "impact.models": {"OutcomeStatus"},
    "network.models": {"LearningEvent"},  # its Kind's labels only (insights/reports.py)
}


def _is_type_checking_block(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and (
        (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING")
        or (isinstance(node.test, ast.Attribute) and node.test.attr == "TYPE_CHECKING")
    )


def _runtime_nodes(tree: ast.AST):
    """Every node except the bodies of ``if TYPE_CHECKING:`` blocks."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if _is_type_checking_block(child):
                stack.extend(child.orelse)
            else:
                stack.append(child)


def model_imports(source: str, own_app: str = "insights") -> list[tuple[int, str]]:
    """``(line, "module.name")`` for each import from another app's models
    outside the allowlist."""
    found = []
    for node in _runtime_nodes(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if "models" in parts[1:] and parts[0] != own_app:
                    found.append((node.lineno, alias.name))  # `import x.models`: the whole module
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            parts = node.module.split(".")
            if parts[0] == own_app or parts[0] == "django":
                continue
            if parts[-1] == "models":
                allowed = ALLOWED.get(node.module, set())
                found += [
                    (node.lineno, f"{node.module}.{alias.name}")
                    for alias in node.names
                    if alias.name not in allowed
                ]
            elif "models" in {alias.name for alias in node.names}:
                found.append((node.lineno, f"{node.module}.models"))  # `from x import models`
    return sorted(found)


def test_insights_imports_no_model_of_another_app():
    found = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in sorted((ROOT / "insights").rglob("*.py"))
        if "migrations" not in path.parts
        for line, name in model_imports(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_the_rule_sees_models_and_lets_choices_and_type_hints_through():
    source = (
        "from typing import TYPE_CHECKING\n"
        "from engagements.models import EngagementType, Feedback\n"
        "import checklists.models\n"
        "from compensation import models\n"
        "if TYPE_CHECKING:\n"
        "    from engagements.models import Engagement\n"
        "def f():\n"
        "    from consultants.models import Consultant\n"
    )
    assert model_imports(source) == [
        (2, "engagements.models.Feedback"),
        (3, "checklists.models"),
        (4, "compensation.models"),
        (8, "consultants.models.Consultant"),
    ]
