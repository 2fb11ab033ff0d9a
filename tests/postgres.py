"""A real PostgreSQL server for the tests that need one: Debian's ``postgresql`` package
(installed by ``.ci/run``), a cluster made with ``initdb`` in a temporary folder and run with
``pg_ctl`` on a free loopback port, as the ``postgres`` user when the tests run as root
(PostgreSQL refuses to run as root). Each test gets a database of its own."""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.e2e.live_server import free_port
from tests.system import require_tool

USER = "whosaid"


def _bindir() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    assert found, "postgresql is installed (pg_ctlcluster found) but no initdb under it"
    return found[-1].parent


class Postgres:
    """A running cluster: ``url(name)`` is a connection string to a database of it."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._names = itertools.count(1)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh, empty database; its connection string."""
        import psycopg

        name = f"test_{next(self._names)}"
        with psycopg.connect(self.url(), autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {name}")
        return self.url(name)


@contextmanager
def postgres_server() -> Iterator[Postgres]:
    require_tool("pg_ctlcluster")
    bindir = _bindir()
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    # Not under pytest's tmp_path: its folders are private to root, and the server runs as
    # postgres.
    work = Path(tempfile.mkdtemp(prefix="whosaid-pg-"))
    work.chmod(0o777)
    data = work / "data"
    port = free_port()
    subprocess.run(
        [*as_postgres, str(bindir / "initdb"), "-D", str(data), "-U", USER, "-A", "trust",
         "--no-sync", "-E", "UTF8", "--locale", "C"],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    options = f"-p {port} -k {work} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        [*as_postgres, str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l",
         str(work / "server.log"), "-w", "-t", "60", "start"],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    try:
        yield Postgres(port)
    finally:
        subprocess.run(
            [*as_postgres, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            check=False, capture_output=True, timeout=120,
        )  # fmt: skip
        shutil.rmtree(work, ignore_errors=True)
