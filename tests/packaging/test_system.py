"""tests/system.py: a missing system tool skips a test outside CI and fails it under CI, and the
packages it names are the ones .ci/run installs; no test installs packages itself."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests import system
from tests.packaging.dockerfile_spec import REPO


@pytest.fixture
def empty_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PATH", str(tmp_path))
    return tmp_path


def test_a_missing_tool_skips_with_the_package_outside_ci(
    empty_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"chromedriver .*install chromium-driver"):
        system.require_tool("chromedriver")


@pytest.mark.parametrize("value", ["true", "1", "yes"])
def test_a_missing_tool_fails_under_ci(
    empty_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.fail.Exception, match=r"podman, runc .*under CI"):
        system.require_tool("podman", "runc")


@pytest.mark.parametrize("value", ["", "0", "false"])
def test_ci_unset_or_false_is_not_ci(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("CI", value)
    assert not system.under_ci()


def test_a_present_tool_passes(empty_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    tool = empty_path / "podman"
    tool.write_text("#!/bin/sh\n", encoding="utf-8")
    tool.chmod(0o755)
    system.require_tool("podman")


def test_an_unknown_tool_is_a_mistake_in_the_test() -> None:
    with pytest.raises(AssertionError, match=r"PACKAGES and to \.ci/run"):
        system.require_tool("no-such-tool")


def test_ci_installs_every_package_the_tests_look_for() -> None:
    script = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    (listed,) = re.findall(r"^system_packages=\(([^)]*)\)$", script, re.MULTILINE)
    assert set(system.PACKAGES.values()) <= set(listed.split())


def test_no_test_runs_a_package_manager() -> None:
    """``apt-get`` (or apt, dpkg) as a program name anywhere in tests/: in an argv list or at
    the start of a shell string. Messages that merely mention it are f-strings and pass."""
    managers = ("apt-get", "apt", "dpkg")
    found = []
    for path in sorted((REPO / "tests").rglob("*.py")):
        if ".generated" in path.parts or path == Path(__file__).resolve():
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        in_fstrings = {
            id(part)
            for node in ast.walk(tree)
            if isinstance(node, ast.JoinedStr)
            for part in node.values
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                words = node.value.split()
                if id(node) not in in_fstrings and words and words[0] in managers:
                    found.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert not found, found
