"""Bounded memory: lookups of ever new words fill the caches up to their limits and no further.

20,000 lookups of distinct random words go through the in-process app (the hash embedder
stands in for the model; the caches are the ones the real model's lookups fill). Every cache
of the service's code has a size limit, and after the caches are full they stop growing.
"""

from __future__ import annotations

import functools
import gc
import random
import string
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from service.schemas import MAX_BATCH_TEXTS

LOOKUPS = 20_000
WORDS_PER_LOOKUP = 5


def project_caches() -> list[Any]:
    """Every ``functools`` cache wrapping a function of the project's own modules (frozen
    objects too: opening an index freezes what it loaded)."""
    frozen = gc.get_freeze_count()
    gc.unfreeze()
    try:
        objects = gc.get_objects()
    finally:
        if frozen:
            gc.freeze()
    return [
        wrapper
        for wrapper in objects
        if type(wrapper) is functools._lru_cache_wrapper
        and getattr(wrapper, "__module__", "").split(".")[0] in {"index", "service"}
    ]


def sizes() -> dict[str, int]:
    return {f"{c.__module__}.{c.__qualname__}": c.cache_info().currsize for c in project_caches()}


def random_words(rng: random.Random, n: int) -> str:
    return " ".join(
        "".join(rng.choices(string.ascii_lowercase, k=rng.randint(6, 12))) for _ in range(n)
    )


def send(client: TestClient[Litestar], rng: random.Random, lookups: int) -> None:
    for _ in range(lookups // MAX_BATCH_TEXTS):
        texts = [random_words(rng, WORDS_PER_LOOKUP) for _ in range(MAX_BATCH_TEXTS)]
        response = client.post("/v1/lookup/batch", json={"texts": texts, "k": 1})
        assert response.status_code == 200, response.text


def test_every_cache_has_a_limit(client: TestClient[Litestar]) -> None:
    client.get("/v1/lookup", params={"text": "the new bridge"})
    caches = project_caches()
    assert caches
    for wrapper in caches:
        info = wrapper.cache_info()
        # A cache without a limit may only hold a loaded resource (one entry, no arguments).
        assert info.maxsize is not None or info.currsize <= 1, wrapper.__qualname__


def test_twenty_thousand_new_words_stop_growing_the_caches(client: TestClient[Litestar]) -> None:
    rng = random.Random(18)
    send(client, rng, LOOKUPS // 2)
    half = sizes()
    send(client, rng, LOOKUPS // 2)
    full = sizes()
    limits = {f"{c.__module__}.{c.__qualname__}": c.cache_info().maxsize for c in project_caches()}
    # The word caches saw 100,000 distinct words: they are full, and the second half of the
    # lookups, all new words, did not grow them.
    assert any(full[name] == limits[name] for name in full if limits[name])
    for name, size in full.items():
        limit = limits[name]
        assert limit is None or size <= limit, name
        if limit is not None and half.get(name) == limit:
            assert size == limit, name
