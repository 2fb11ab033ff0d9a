"""The package layout: dependencies run one way, no module does two jobs, the public surface
is what it says.

Imports are read from the source, wherever they stand (module top, a function body, a
``TYPE_CHECKING`` block), so a cycle cannot hide behind a lazy import.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("index", "service")
MAX_LINES = 350
# The stages of index/ in dependency order: a module may import its own stage and earlier ones.
STAGES = (
    "text", "analyse", "group", "embed", "store", "search", "build", "live", "distribute",
    "evaluate",
)  # fmt: skip
SHARED = frozenset({"models", "errors", "articles"})


def modules() -> Iterator[tuple[str, Path]]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            yield name, path


MODULES = dict(modules())


def imported(path: Path) -> set[str]:
    """The project modules a source file imports, resolved to module names."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        for name in names:
            while name and name not in MODULES:
                name = name.rpartition(".")[0]
            if name:
                found.add(name)
    return found


GRAPH = {name: imported(path) - {name} for name, path in MODULES.items()}


def test_no_import_cycles() -> None:
    # Packages import their modules only through __init__ re-exports, never the reverse.
    graph = {
        name: {dep for dep in deps if not (name.startswith(dep + ".") and dep in MODULES)}
        for name, deps in GRAPH.items()
    }
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                cycles.append([*trail[trail.index(dep) :], dep] if dep in trail else [node, dep])
            elif dep not in state:
                visit(dep, [*trail, dep])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


def test_index_never_imports_service() -> None:
    upward = {
        name: sorted(dep for dep in deps if dep.split(".")[0] == "service")
        for name, deps in GRAPH.items()
        if name.split(".")[0] == "index"
    }
    assert {name: deps for name, deps in upward.items() if deps} == {}


def _stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "index" and parts[1] not in SHARED else None


def test_stages_depend_on_earlier_stages_only() -> None:
    backwards = []
    for name, deps in GRAPH.items():
        stage = _stage(name)
        if stage is None:
            continue
        for dep in deps:
            other = _stage(dep)
            if other is not None and STAGES.index(other) > STAGES.index(stage):
                backwards.append(f"{name} -> {dep}")
    assert backwards == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_modules_stay_small(name: str) -> None:
    lines = MODULES[name].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{name} has {lines} lines"


# What the service may use of the index, and nothing else (as httpx pins its exports).
PUBLIC = {
    "CHOICES", "DEFAULT", "DEFAULT_CACHE", "ArticleConflictError", "ArticleError",
    "ArticleRejectedError", "Catalog", "Choice", "Embedder", "EmbedderInfo", "Encoder",
    "IndexFormatError", "InvalidCursorError", "JournalError", "LiveIndex", "LoadedIndex",
    "Manifest", "Outcome", "OutletCounts", "OverBudgetError", "Searcher", "Serving",
    "SpeakerCounts",
    "UnknownIdError", "WhosaidError", "build_embedder", "build_index", "build_on_ray", "catch_up",
    "default_model_dir", "format_answer", "load_articles", "load_language", "models",
    "open_index", "outlets_of", "preflight", "select_articles", "simd_level",
}  # fmt: skip


def test_the_public_surface_is_pinned() -> None:
    import index

    assert set(index.__all__) == PUBLIC
    assert all(hasattr(index, name) for name in index.__all__)


def test_the_service_uses_the_public_surface_only() -> None:
    """The service imports ``index`` itself; ``whosaid eval`` (the CLI) also the evaluation."""
    reaching_in = sorted(
        f"{name} -> {dep}"
        for name, deps in GRAPH.items()
        if name.startswith("service")
        for dep in deps
        if dep.startswith("index.") and dep != "index.models"
    )
    assert reaching_in == ["service.cli -> index.evaluate.evaluate"]
