"""Templates never compare raw status strings (STYLE.md item 17): they ask
the model what a status means (``badge_tone``, ``is_open``,
``portal_summary`` …), defined once next to its choices. Comparing two
variables (a filter link's ``status == value``) is fine."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", "node_modules", ".git", "staticfiles", "htmlcov"}

_LITERAL = r"""(?:"[^"]*"|'[^']*')"""
RAW_STATUS = re.compile(
    rf"""\bstatus\s*(?:==|!=)\s*{_LITERAL}"""  # status == "ready"
    rf"""|{_LITERAL}\s*(?:==|!=)\s*[\w.]*\bstatus\b"""  # "ready" == job.status
    rf"""|\bstatus\s+(?:not\s+)?in\s+{_LITERAL}"""  # p.status in "invited accepted"
)


def templates() -> list[Path]:
    return sorted(
        path
        for pattern in ("*.html", "*.txt")
        for path in ROOT.rglob(pattern)
        if "templates" in path.parts and not SKIP & set(path.relative_to(ROOT).parts)
    )


def raw_comparisons(text: str) -> list[str]:
    return [match.group(0) for match in RAW_STATUS.finditer(text)]


def test_no_template_compares_a_status_with_a_literal():
    found = [
        f"{path.relative_to(ROOT)}: {hit}"
        for path in templates()
        for hit in raw_comparisons(path.read_text(encoding="utf-8"))
    ]
    assert len(templates()) > 50
    assert found == []


def test_the_scan_sees_each_form_and_lets_variables_through():
    assert raw_comparisons(
        """{% if status == 'ready' %}{% elif p.status != "draft" %}"""
        """{% if "paid" == payment.status %}{% if item.status in "open done" %}"""
        """{% if job.status not in 'failed' %}"""
    ) == [
        "status == 'ready'",
        'status != "draft"',
        '"paid" == payment.status',
        'status in "open done"',
        "status not in 'failed'",
    ]
    assert raw_comparisons("{% if status == value %}{% if mode == 'online' %}") == []
