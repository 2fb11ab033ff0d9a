"""The README works in a fresh clone: every repository path it names exists, and it names no
file outside the repository (a path like ``../shared/...`` exists only in one workspace)."""

from __future__ import annotations

import re

import pytest

from tests.packaging.dockerfile_spec import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
# A path into one of the repository's folders, not part of a URL or an absolute path.
TOP = ("tests", "seeds", "index", "service", "docker", "bench", "openapi", r"\.ci")
PATH = re.compile(rf"(?<![\w./:-])((?:{'|'.join(TOP)})/[\w./-]*)")
FILES = re.compile(r"`([A-Z][A-Z_]*\.md)`")


def named_paths() -> list[str]:
    found = {match.rstrip(".,") for match in PATH.findall(README)}
    found |= set(FILES.findall(README))
    return sorted(found)


def test_the_readme_names_repository_paths() -> None:
    paths = named_paths()
    for expected in ("tests/data/seeds-gold.json", "seeds/", "docker/base-image.sh", ".ci/run"):
        assert expected in paths, paths


@pytest.mark.parametrize("path", named_paths())
def test_every_path_the_readme_names_exists(path: str) -> None:
    # A module may be named without its suffix, as a stage is (``index/build``).
    found = (REPO / path).exists() or (REPO / f"{path}.py").is_file()
    assert found, f"README.md names {path}, which is not in the repository"


def test_the_readme_names_nothing_outside_the_repository() -> None:
    outside = re.findall(r"(?<![\w.])\.\./[\w./-]+", README)
    assert not outside, outside
