"""The Dockerfile's own commands, run on the host without a container engine.

The index is built with the index stage's ``RUN whosaid build ...``, and the server is started
with the final stage's CMD under its ENV and WORKDIR (inherited ones included), all read from
the Dockerfile. Image paths map to host ones (the virtualenv to this interpreter's, /app to a
temporary folder); the only words changed are the values of --host and --port, to a free
loopback port. So a Dockerfile whose CMD, ENV or build step does not work fails here, in
seconds rather than in a container build.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.http_checks import check_lookups, wait_until_ready
from tests.packaging.dockerfile_spec import REPO, Spec, flag_value, parse, with_flag

pytestmark = [pytest.mark.e2e, pytest.mark.model]


@dataclass(frozen=True, kw_only=True)
class HostImage:
    """The image's file system laid over the host: image path prefixes and their host folders."""

    mounts: tuple[tuple[str, Path], ...]

    def path(self, value: str) -> str:
        for prefix, host in self.mounts:
            if value == prefix or value.startswith(prefix + "/"):
                return str(host) + value[len(prefix) :]
        return value

    def words(self, value: str) -> str:
        """A PATH-like or plain value with each image path replaced."""
        return os.pathsep.join(self.path(part) for part in value.split(os.pathsep))

    def env(self, image_env: dict[str, str]) -> dict[str, str]:
        return {key: self.words(value) for key, value in image_env.items()}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def spec() -> Spec:
    return parse()


@pytest.fixture(scope="module")
def host_image(tmp_path_factory: pytest.TempPathFactory, spec: Spec) -> HostImage:
    app = tmp_path_factory.mktemp("image") / "app"
    app.mkdir()
    # The index stage's COPY seeds/ seeds/ into its WORKDIR.
    assert spec.workdir(spec.stage_running("whosaid", "build")) == "/app"
    shutil.copytree(REPO / "seeds", app / "seeds")
    venv_bin = Path(sys.executable).parent
    assert (venv_bin / "whosaid").exists(), f"install the project into {sys.prefix} first"
    return HostImage(
        mounts=(("/opt/venv/bin", venv_bin), ("/opt/venv", Path(sys.prefix)), ("/app", app))
    )


def run_env(host_image: HostImage, image_env: dict[str, str]) -> dict[str, str]:
    return {**os.environ, **host_image.env(image_env)}


@pytest.fixture(scope="module")
def built_index(spec: Spec, host_image: HostImage) -> Path:
    """The index stage's ``whosaid build`` step, replayed on the host."""
    stage = spec.stage_running("whosaid", "build")
    env = run_env(host_image, spec.env(stage, {"PATH": os.environ["PATH"]}))
    (argv,) = [argv for argv in stage.runs() if argv[:2] == ["whosaid", "build"]]
    argv = [host_image.path(word) for word in argv]
    argv[0] = shutil.which(argv[0], path=env["PATH"]) or argv[0]
    cwd = host_image.path(spec.workdir(stage))
    subprocess.run(argv, cwd=cwd, env=env, check=True, timeout=600)
    index = Path(flag_value(argv, "--out"))
    assert (index / "manifest.json").is_file()
    return index


@dataclass(frozen=True, kw_only=True)
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path


@pytest.fixture(scope="module")
def cmd_server(
    tmp_path_factory: pytest.TempPathFactory, spec: Spec, host_image: HostImage, built_index: Path
) -> Iterator[Server]:
    """The final stage's CMD, running and ready."""
    final = spec.final
    env = run_env(host_image, spec.env(final, {"PATH": os.environ["PATH"]}))
    assert Path(env["WHOSAID_INDEX_DIR"]) == built_index
    port = free_port()
    argv = with_flag(list(final.last("CMD").value), "--host", "127.0.0.1")
    argv = with_flag(argv, "--port", str(port))
    executable = shutil.which(argv[0], path=env["PATH"])
    assert executable, f"{argv[0]} not on the image's PATH {env['PATH']}"
    log = tmp_path_factory.mktemp("cmd") / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [executable, *argv[1:]],
            cwd=host_image.path(spec.workdir(final)),
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(url=f"http://127.0.0.1:{port}", process=process, log=log)

    def gone() -> str | None:
        code = process.poll()
        return None if code is None else f"exit {code}: {tail(log)}"

    try:
        wait_until_ready(server.url, alive=gone)
        yield server
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def tail(log: Path) -> str:
    return log.read_text(encoding="utf-8", errors="replace")[-3000:]


def test_cmd_answers_lookups(cmd_server: Server) -> None:
    check_lookups(cmd_server.url)


def test_cmd_stops_cleanly_on_sigterm(cmd_server: Server) -> None:
    """``docker stop`` sends SIGTERM; the server must shut its app down and end by itself.
    uvicorn re-raises the signal once shut down, so the status is 0 or "ended by SIGTERM"."""
    cmd_server.process.send_signal(signal.SIGTERM)
    try:
        code = cmd_server.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail(f"still running 30 s after SIGTERM: {tail(cmd_server.log)}")
    assert code in (0, -signal.SIGTERM), tail(cmd_server.log)
    assert "Application shutdown complete" in tail(cmd_server.log)
