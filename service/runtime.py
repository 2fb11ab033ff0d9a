"""What the app holds while it runs, and the lifespan that loads it.

The index and the model load once, in the lifespan, in a background thread: the server accepts
connections at once (liveness is 200), readiness and the index routes answer 503 until the
load finishes. On a first start without an index, the lifespan builds one from the articles the
settings name before opening it. Handlers get the loaded index by dependency injection.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import anyio
import anyio.from_thread
import anyio.lowlevel
import anyio.to_thread
from litestar import Litestar
from litestar.datastructures import State
from litestar.di import NamedDependency

from index.errors import WhosaidError
from service.catalog import Catalog
from service.errors import IndexUnavailableError, NotReadyError
from service.metrics import Metrics
from service.settings import Settings

if TYPE_CHECKING:
    from index.search import Searcher

T = TypeVar("T")
log = logging.getLogger("whosaid.service")


class LoadedIndex:
    """The searcher and the browse views over its corpus.

    A plain class, not a dataclass: litestar validates dependency values by their type, and
    an opaque class is checked with ``isinstance`` only.
    """

    __slots__ = ("catalog", "searcher")

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self.catalog = Catalog(searcher)


def index_present(folder: Path) -> bool:
    """Whether ``folder`` holds something to open (an empty mount point counts as missing)."""
    return folder.is_dir() and any(folder.iterdir())


def open_index(settings: Settings) -> LoadedIndex:
    """Open the index folder, building it from ``settings.articles`` first if it is missing.

    Blocking and CPU-heavy (model load, maybe a full build): never on the event loop.
    """
    from index.embed import SentenceTransformerEmbedder
    from index.search import Searcher

    if index_present(settings.index_dir):
        searcher = Searcher.open(settings.index_dir, model_dir=settings.model_dir)
    else:
        from index.articles import load_articles
        from index.build import build_index

        log.info("no index in %s: building it from %s", settings.index_dir, settings.articles)
        # Articles first: a bad source fails at once, not after the model has loaded.
        articles = load_articles(settings.articles)
        embedder = SentenceTransformerEmbedder(settings.model_dir)
        build_index(articles, settings.index_dir, embedder)
        searcher = Searcher.open(settings.index_dir, embedder=embedder)
    return LoadedIndex(searcher)


async def in_daemon_thread(work: Callable[[Settings], T], settings: Settings) -> T:
    """``work(settings)`` in a daemon thread, awaited without blocking the event loop.

    Not an anyio worker: the process waits for those at exit, and a shutdown during a
    first-start build must not wait for the build (it writes a staging folder and swaps it
    in with one rename, so stopping half-way leaves no half index behind).
    """
    done = anyio.Event()
    token = anyio.lowlevel.current_token()
    outcome: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(work(settings))
        except BaseException as exc:  # handed to the awaiting task, which re-raises it
            failure.append(exc)
        finally:
            with contextlib.suppress(anyio.RunFinishedError):
                anyio.from_thread.run_sync(done.set, token=token)

    threading.Thread(target=run, name="whosaid-load-index", daemon=True).start()
    await done.wait()
    if failure:
        raise failure[0]
    return outcome[0]


class Runtime:
    """Settings, metrics, the CPU limiter and (once loaded) the index, for one app."""

    def __init__(self, settings: Settings, metrics: Metrics, searcher: Searcher | None) -> None:
        self.settings = settings
        self.metrics = metrics
        self._given = searcher
        self._index: LoadedIndex | None = None
        self._failure: str | None = None
        self._limiter: anyio.CapacityLimiter | None = None

    @property
    def index(self) -> LoadedIndex:
        """The loaded index; raises a 503 error while loading and after a failed load."""
        if self._index is not None:
            return self._index
        if self._failure is not None:
            raise IndexUnavailableError(self._failure)
        raise NotReadyError("the index is loading; try again shortly")

    def attach(self, index: LoadedIndex) -> None:
        self._index = index
        self.metrics.observe_index(index.searcher)

    async def run_cpu(self, work: Callable[[], T]) -> T:
        """Run encoding or search in a worker thread, at most ``cpu_workers`` at a time."""
        if self._limiter is None:
            raise NotReadyError("the service is not started")
        return await anyio.to_thread.run_sync(work, limiter=self._limiter)

    async def load(self) -> None:
        try:
            index = await in_daemon_thread(open_index, self.settings)
        except Exception as exc:  # any failure is reported by readiness, not raised
            # Our own errors say what is wrong (no traceback needed); anything else is a bug.
            log.error(
                "loading the index from %s failed: %s",
                self.settings.index_dir,
                exc,
                exc_info=not isinstance(exc, WhosaidError),
            )
            self._failure = f"loading the index failed: {exc}"
            return
        self.attach(index)
        counts = index.searcher.manifest.counts
        log.info(
            "index ready: %d statements, %d quotes, %d articles",
            counts.groups,
            counts.quotes,
            counts.articles,
        )

    @asynccontextmanager
    async def lifespan(self) -> AsyncIterator[None]:
        self._limiter = anyio.CapacityLimiter(self.settings.cpu_workers)
        async with anyio.create_task_group() as tasks:
            if self._given is not None:
                self.attach(LoadedIndex(self._given))
            else:
                tasks.start_soon(self.load)
            try:
                yield
            finally:
                tasks.cancel_scope.cancel()
        self._index = None
        self.metrics.ready.set(0)


# What handlers declare to receive the app's runtime or its loaded index.
RuntimeDep = NamedDependency[Runtime]
IndexDep = NamedDependency[LoadedIndex]


def provide_runtime(state: State) -> Runtime:
    runtime: Runtime = state.runtime
    return runtime


def provide_index(state: State) -> LoadedIndex:
    runtime: Runtime = state.runtime
    return runtime.index


@asynccontextmanager
async def lifespan(app: Litestar) -> AsyncIterator[None]:
    runtime: Runtime = app.state.runtime
    async with runtime.lifespan():
        yield
