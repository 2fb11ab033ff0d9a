"""A real ``whosaid serve`` for the live-index tests: started on a free loopback port over an
index folder and journal of the test's own, with a test API key; killed or stopped at will."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

API_KEY = "e2e-live-key-91f0"
READY_TIMEOUT = 300.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class LiveServer:
    """One server process over ``work/index`` and ``work/journal.sqlite3``."""

    def __init__(self, work: Path, repo: Path, **settings: str) -> None:
        self.work = work
        self.repo = repo
        self.settings = settings
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def index_dir(self) -> Path:
        return self.work / "index"

    @property
    def log(self) -> Path:
        return self.work / f"server-{self.starts}.log"

    def start(self) -> None:
        self.starts += 1
        env = {k: v for k, v in os.environ.items() if not k.startswith("WHOSAID_")}
        env.update(
            WHOSAID_API_KEYS=API_KEY,
            WHOSAID_JOURNAL=str(self.work / "journal.sqlite3"),
            # Info, for the "index ready" line each worker logs (see wait_until_ready).
            WHOSAID_LOG_LEVEL="info",
        )
        env.update({f"WHOSAID_{name.upper()}": value for name, value in self.settings.items()})
        command = [
            sys.executable, "-m", "service.cli", "serve",
            "--host", "127.0.0.1", "--port", str(self.port),
            "--index", str(self.index_dir), "--articles", str(self.repo / "seeds"),
        ]  # fmt: skip
        with self.log.open("wb") as output:
            # A session of its own, so a kill reaches every worker process too.
            self.process = subprocess.Popen(
                command, cwd=self.repo, env=env, stdout=output, stderr=output,
                start_new_session=True,
            )  # fmt: skip
        self.wait_until_ready()

    @property
    def workers(self) -> int:
        return int(self.settings.get("workers", "1"))

    def wait_until_ready(self) -> None:
        """Until readiness answers 200 and every worker has logged that its index is ready.

        Readiness reaches whichever worker accepts the connection; with several workers a 200
        says only that one of them is ready, and another may still be loading (and answer 503
        to a request meanwhile). Each worker logs one "index ready" line when it is."""
        assert self.process is not None
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server exited: {self.log.read_text()[-4000:]}")
            try:
                answered = httpx.get(f"{self.url}/v1/health/ready", timeout=5).status_code
            except httpx.TransportError:
                answered = None  # not listening yet
            if answered == 200 and self.ready_workers() >= self.workers:
                return
            time.sleep(0.2)
        raise AssertionError(f"server not ready: {self.log.read_text()[-4000:]}")

    def ready_workers(self) -> int:
        """How many of this start's workers have logged that their index is ready."""
        return self.log.read_text(errors="replace").count("index ready:")

    def kill(self) -> None:
        """SIGKILL to the server and its worker processes: no shutdown, no final checkpoint,
        nothing flushed but what was."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def news_article(n: int) -> dict[str, str]:
    """An invented article with one quotation that no other article has (its figures differ)."""
    return {
        "id": f"council-{n:03d}",
        "outlet": "Riverside Gazette" if n % 2 else "Valley Courier",
        "text": (
            f"The town council met for the {n}th time this year on Tuesday.\n"
            f'"We will repaint footbridge number {n} before the {n + 1000} lantern festival," '
            "council member Ruth Okoye said.\n"
            "The work is expected to take three weeks."
        ),
    }


def quote_of(article: dict[str, str]) -> str:
    text = article["text"]
    start = text.index('"') + 1
    return text[start : text.index('"', start)]
