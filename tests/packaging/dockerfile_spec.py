"""The repository's Dockerfile as data, read with BuildKit's own parser (the ``dockerfile``
package), so the tests check the instructions Docker will run rather than a regex's guess.

Used by the hadolint/structure unit test and by the two end-to-end tests (the CMD run outside a
container, and the podman build and run).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import dockerfile  # type: ignore[import-not-found]  # no stubs: a compiled extension

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO / "Dockerfile"
DOCKERIGNORE = REPO / ".dockerignore"

_VARIABLE = re.compile(r"\$(?:\{(\w+)\}|(\w+))")


@dataclass(frozen=True, kw_only=True)
class Stage:
    base: str
    name: str | None
    instructions: tuple[dockerfile.Command, ...]

    def all(self, cmd: str) -> list[dockerfile.Command]:
        return [instruction for instruction in self.instructions if instruction.cmd == cmd]

    def last(self, cmd: str) -> dockerfile.Command:
        found = self.all(cmd)
        assert found, f"stage {self.name or self.base} has no {cmd}"
        return found[-1]

    def runs(self) -> list[list[str]]:
        """The stage's shell-form RUN commands, split into words."""
        return [shlex.split(run.value[0]) for run in self.all("RUN")]


@dataclass(frozen=True, kw_only=True)
class Spec:
    args: dict[str, str]
    stages: tuple[Stage, ...]

    @property
    def final(self) -> Stage:
        """The stage the image is: the last one."""
        return self.stages[-1]

    def stage(self, name: str) -> Stage:
        return next(stage for stage in self.stages if stage.name == name)

    def parent(self, stage: Stage) -> Stage | None:
        """The earlier stage ``stage`` is built FROM, if it is not an image."""
        earlier = self.stages[: self.stages.index(stage)]
        return next((other for other in earlier if other.name == stage.base), None)

    def lineage(self, stage: Stage) -> list[Stage]:
        """``stage`` and the stages it is built on, the first one first."""
        parent = self.parent(stage)
        return [*(self.lineage(parent) if parent else []), stage]

    def env(self, stage: Stage, inherited: Mapping[str, str]) -> dict[str, str]:
        """The environment in ``stage``: ``inherited`` (the base image's) with each ENV of it
        and of the stages it is built on applied in order, quotes removed and ``$VAR`` and
        ``${VAR}`` expanded as Docker does."""
        environment = dict(inherited)
        for ancestor in self.lineage(stage):
            for instruction in ancestor.all("ENV"):
                pairs = instruction.value
                for key, raw in zip(pairs[::2], pairs[1::2], strict=True):
                    environment[key] = expand(unquote(raw), environment)
        return environment

    def workdir(self, stage: Stage) -> str:
        workdirs = [w.value[0] for s in self.lineage(stage) for w in s.all("WORKDIR")]
        assert workdirs and all(w.startswith("/") for w in workdirs), workdirs
        return str(workdirs[-1])

    def runs(self) -> list[list[str]]:
        """Every shell-form RUN of every stage, split into words."""
        return [argv for stage in self.stages for argv in stage.runs()]

    def stage_running(self, *prefix: str) -> Stage:
        """The one stage with a RUN that starts with these words."""
        (found,) = [
            s for s in self.stages if any(a[: len(prefix)] == list(prefix) for a in s.runs())
        ]
        return found


def unquote(raw: str) -> str:
    words = shlex.split(raw)
    assert len(words) == 1, f"ENV value {raw!r} is not one word"
    return words[0]


def expand(value: str, environment: Mapping[str, str]) -> str:
    return _VARIABLE.sub(lambda m: environment.get(m.group(1) or m.group(2), ""), value)


def parse(path: Path = DOCKERFILE) -> Spec:
    args: dict[str, str] = {}
    stages: list[Stage] = []
    current: list[dockerfile.Command] = []
    base = name = None
    for instruction in dockerfile.parse_file(str(path)):
        if instruction.cmd == "FROM":
            if base is not None:
                stages.append(Stage(base=base, name=name, instructions=tuple(current)))
            words = instruction.value
            base = words[0]
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            current = []
        elif base is None and instruction.cmd == "ARG":
            key, _, default = instruction.value[0].partition("=")
            args[key] = default
        else:
            current.append(instruction)
    assert base is not None, f"{path} has no FROM"
    stages.append(Stage(base=base, name=name, instructions=tuple(current)))
    return Spec(args=args, stages=tuple(stages))


def flag_value(argv: list[str], flag: str) -> str:
    return argv[argv.index(flag) + 1]


def with_flag(argv: list[str], flag: str, value: str) -> list[str]:
    """``argv`` with the value after ``flag`` replaced (the flag must be there already)."""
    index = argv.index(flag) + 1
    return [*argv[:index], value, *argv[index + 1 :]]
