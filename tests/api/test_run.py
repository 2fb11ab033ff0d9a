"""``whosaid serve``: how settings reach uvicorn and its workers."""

from __future__ import annotations

import os
import pickle
import socket
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar

from service import run
from service.app import app_from_env
from service.settings import Settings, load_settings


@pytest.fixture
def uvicorn_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, dict[str, Any]]]:
    calls: list[tuple[Any, dict[str, Any]]] = []

    class Server:
        """Stands in for uvicorn's: records the app and where it would listen, serves nothing."""

        def __init__(self, config: Any) -> None:
            calls.append((config.app, {"host": config.host, "port": config.port, "config": config}))

        def run(self) -> None:
            pass

    monkeypatch.setattr(run.uvicorn, "Server", Server)
    monkeypatch.setattr(os, "environ", dict(os.environ))
    return calls


@pytest.mark.parametrize(
    "settings",
    [
        Settings(),
        Settings(host="0.0.0.0", port=9001, workers=3, index_dir=Path("/srv/index"),
                 articles=Path("/srv/articles.jsonl"), model_dir=Path("/models/x"),
                 cpu_workers=4, log_level="warning",
                 journal="postgresql://whosaid:pw@db:5432/whosaid", follow_seconds=0.5,
                 shutdown_grace_seconds=3),
    ],
)  # fmt: skip
def test_workers_read_back_the_same_settings(settings: Settings) -> None:
    assert load_settings(run.settings_environ(settings)) == settings


def test_one_worker_serves_the_app_object(
    uvicorn_calls: list[tuple[Any, dict[str, Any]]], hash_index: Path
) -> None:
    run.serve(Settings(host="127.0.0.2", port=9002, index_dir=hash_index))
    [(app, options)] = uvicorn_calls
    assert isinstance(app, Litestar)
    assert (options["host"], options["port"]) == ("127.0.0.2", 9002)


def test_several_workers_build_the_app_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, hash_index: Path
) -> None:
    started: list[tuple[Any, int]] = []

    class Supervisor:
        """Stands in for uvicorn's: records what the workers would get, starts none."""

        def __init__(self, config: Any, sockets: list[socket.socket]) -> None:
            [sock] = sockets
            started.append((config, sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)))
            sock.close()

        def run(self) -> None:
            pass

    monkeypatch.setattr("uvicorn.supervisors.Multiprocess", Supervisor)
    monkeypatch.setattr(os, "environ", dict(os.environ))
    settings = Settings(host="127.0.0.1", port=0, workers=2, index_dir=hash_index)
    run.serve(settings)
    [(config, nodelay)] = started
    assert config.app == run.FACTORY == "service.app:app_from_env"
    assert config.factory is True and config.workers == 2
    # Keep-alive responses must not wait for delayed ACKs: Nagle is off on the shared socket.
    assert nodelay
    assert load_settings() == settings
    assert isinstance(app_from_env(), Litestar)


def test_uvicorn_gets_whosaid_s_protocol_logging_and_no_access_log(
    uvicorn_calls: list[tuple[Any, dict[str, Any]]], hash_index: Path
) -> None:
    from service.http import MAX_HEAD_BYTES, WhosaidProtocol

    settings = Settings(index_dir=hash_index, head_timeout=2.5, shutdown_grace_seconds=4)
    assert run.serve(settings) == 0
    [(_, options)] = uvicorn_calls
    config = options["config"]
    assert config.timeout_graceful_shutdown == 4  # a runaway request cannot hold shutdown
    # A worker process imports the protocol by name, so it must pickle as a reference.
    assert config.http is WhosaidProtocol
    assert pickle.loads(pickle.dumps(config.http)) is WhosaidProtocol
    assert config.access_log is False and config.h11_max_incomplete_event_size == MAX_HEAD_BYTES
    assert config.log_config["root"]["level"] == "WARNING"
    from service import http

    assert http._TIMEOUTS == [2.5, 30.0]
