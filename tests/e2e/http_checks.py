"""What both image tests ask a running server: readiness, then the same lookup by GET and POST.

The server is either the Dockerfile's CMD run on the host (test_dockerfile_cmd.py) or the image
run by podman (test_container.py); the answers must be the same.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx

READY = "/v1/health/ready"
LOOKUP = "/v1/lookup"
# A paraphrase of a seed quote; the index attributes it to this speaker.
QUERY = "firm support on core interests"
SPEAKER = "Xi Jinping"


def wait_until_ready(
    base_url: str, *, alive: Callable[[], str | None], deadline_s: float = 240.0
) -> None:
    """Poll readiness until 200. ``alive`` returns why the server is gone, or None if it runs.
    Connection refused and 503 mean "not yet"; any other status is a failure."""
    give_up = time.monotonic() + deadline_s
    last = "no answer"
    with httpx.Client(base_url=base_url, timeout=5.0) as client:
        while time.monotonic() < give_up:
            gone = alive()
            if gone is not None:
                raise AssertionError(f"server exited before it was ready: {gone}")
            try:
                response = client.get(READY)
            except httpx.TransportError as exc:
                last = repr(exc)
            else:
                if response.status_code == 200:
                    return
                assert response.status_code == 503, response.text
                last = "503 not ready"
            time.sleep(0.5)
    raise AssertionError(f"not ready after {deadline_s:.0f} s: {last}")


def speaker_names(body: Any) -> Iterator[str]:
    """Every ``speaker.name`` in a JSON answer, in document order."""
    if isinstance(body, dict):
        speaker = body.get("speaker")
        if isinstance(speaker, dict) and isinstance(speaker.get("name"), str):
            yield speaker["name"]
        for value in body.values():
            yield from speaker_names(value)
    elif isinstance(body, list):
        for value in body:
            yield from speaker_names(value)


def check_lookups(base_url: str) -> None:
    with httpx.Client(base_url=base_url, timeout=60.0) as client:
        by_query = client.get(LOOKUP, params={"text": QUERY})
        by_body = client.post(LOOKUP, json={"text": QUERY, "k": 3})
    for response in (by_query, by_body):
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["matched"] is True, body
        names = list(speaker_names(body))
        assert names and names[0] == SPEAKER, names
    assert by_query.json()["matches"][0] == by_body.json()["matches"][0]
