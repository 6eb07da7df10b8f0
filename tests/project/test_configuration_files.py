"""The files a new machine depends on say the same thing as the code."""

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]


def _locked_versions() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[name.lower().replace("_", "-")] = version
    return pins


def test_every_dependency_is_pinned_within_its_range():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = project["dependencies"] + project["optional-dependencies"]["dev"]
    pins = _locked_versions()
    for line in declared:
        requirement = Requirement(line)
        name = requirement.name.lower().replace("_", "-")
        assert name in pins, f"{name} is in pyproject.toml but not in requirements.lock"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"{name}=={pins[name]} is outside {requirement.specifier}"
        )


def test_django_is_the_lts_series():
    assert _locked_versions()["django"].startswith("5.2.")


def test_every_environment_variable_read_by_settings_is_documented():
    documented = set(re.findall(r"^([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M))
    read = set()
    for path in (ROOT / "config").rglob("*.py"):
        source = path.read_text()
        read |= set(re.findall(r"env(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]+)\"", source))
        read |= set(re.findall(r"environ(?:\.get)?\(\s*\"([A-Z][A-Z0-9_]+)\"", source))
        read |= set(re.findall(r"environ\[\"([A-Z][A-Z0-9_]+)\"\]", source))
    # Set by the tools themselves for their children, not by a person.
    internal = {"PGHOST", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    missing = sorted(read - documented - internal)
    assert not missing, f"add to .env.example: {missing}"


def test_required_production_settings_are_the_documented_ones():
    source = (ROOT / "config/settings/production.py").read_text()
    required = re.search(r"REQUIRED = \(([^)]*)\)", source).group(1)
    names = re.findall(r"\"(\w+)\"", required)
    assert names, "no names found in production.py's REQUIRED: the check would be vacuous"
    for name in names:
        assert re.search(rf"^{name}=", (ROOT / ".env.example").read_text(), re.M)
