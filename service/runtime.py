"""What the app holds while it runs, and the lifespan that loads it.

The index and the model load once, in the lifespan, in a background thread: the server accepts
connections at once (liveness is 200), readiness and the index routes answer 503 until the
load finishes. On a first start without an index, the lifespan builds one from the articles the
settings name before opening it; then it replays the journal rows the index folder lacks
(:class:`index.live.LiveIndex`). Handlers get the current snapshot's views by dependency
injection: one request sees one snapshot, however many writes land meanwhile.

Writes (ingest, delete) run in a worker thread of their own, one at a time, so they never take
a lookup's place. A background task checkpoints the live index to its folder now and then, and
once more at shutdown.
"""

from __future__ import annotations

import contextlib
import logging
import math
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import partial
from typing import TYPE_CHECKING, TypeVar

import anyio
import anyio.from_thread
import anyio.lowlevel
import anyio.to_thread
from litestar import Litestar
from litestar.datastructures import State
from litestar.di import NamedDependency

from index import LoadedIndex, OverBudgetError, Serving, WhosaidError, open_index
from service.errors import (
    IndexUnavailableError,
    NotReadyError,
)
from service.metrics import Metrics
from service.settings import Settings

if TYPE_CHECKING:
    from index import Embedder, LiveIndex, Searcher

T = TypeVar("T")
log = logging.getLogger("whosaid.service")
# How often the background task asks whether a checkpoint is due, at most.
CHECKPOINT_POLL_SECONDS = 1.0
# After a failed checkpoint (a full disk, an index folder that is a mount point), wait this long
# at least before the next attempt.
CHECKPOINT_RETRY_SECONDS = 30.0
FOLLOW_RETRY_SECONDS = 2.0
# A batch's budget is the sum of its texts' budgets, but never more than this many.
MAX_BUDGET_PARTS = 4


async def in_daemon_thread(work: Callable[[Serving], T], serving: Serving) -> T:
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
            outcome.append(work(serving))
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
    """Settings, metrics, the CPU limiter and (once loaded) the live index, for one app."""

    def __init__(
        self,
        settings: Settings,
        metrics: Metrics,
        searcher: Searcher | None,
        *,
        embedder: Embedder | None = None,
    ) -> None:
        self.settings = settings
        self.metrics = metrics
        self._given = searcher
        self._embedder = embedder
        self._live: LiveIndex | None = None
        self._failure: str | None = None
        self._limiter: anyio.CapacityLimiter | None = None
        self._writer: anyio.CapacityLimiter | None = None
        # Called once if loading the index fails (``whosaid serve`` stops the server then).
        self.on_failure: Callable[[], None] | None = None

    @property
    def failure(self) -> str | None:
        """Why loading the index failed; None while it loads and once it has."""
        return self._failure

    @property
    def live(self) -> LiveIndex:
        """The live index; raises a 503 error while loading and after a failed load."""
        if self._live is not None:
            return self._live
        if self._failure is not None:
            raise IndexUnavailableError(self._failure)
        raise NotReadyError("the index is loading; try again shortly")

    @property
    def index(self) -> LoadedIndex:
        """The current snapshot's searcher and browse views (503 until loaded)."""
        return self.live.current

    def writes_problem(self) -> str | None:
        """None when a write can be journaled now; else why not, in words."""
        return self.live.journal.problem()

    def attach(self, live: LiveIndex) -> None:
        self._live = live
        self.metrics.observe_index(live.current.searcher)

    async def run_cpu(self, work: Callable[[], T], parts: int = 1) -> T:
        """Run encoding or search in a worker thread, at most ``cpu_workers`` at a time,
        within the lookup budget (``parts`` texts: the sum of their budgets, capped).

        Past the budget the request answers 503 at once; the thread cannot be stopped and
        finishes on its own, but is no longer awaited (nor is its slot held)."""
        if self._limiter is None:
            raise NotReadyError("the service is not started")
        budget = self.settings.lookup_budget_seconds * min(max(parts, 1), MAX_BUDGET_PARTS)
        with anyio.move_on_after(budget) as scope:
            return await anyio.to_thread.run_sync(
                work, limiter=self._limiter, abandon_on_cancel=True
            )
        assert scope.cancelled_caught
        error = OverBudgetError(
            f"the lookup ran past its time budget of {budget:g} s; try again later, or with "
            "a shorter text or fewer texts"
        )
        error.headers = {"Retry-After": str(max(1, math.ceil(budget)))}
        raise error

    async def write(self, kind: str, work: Callable[[LiveIndex], T]) -> T:
        """Run a write on the live index in the writer thread, one at a time.

        A client that goes away does not cancel a write half-way: the thread finishes it.
        """
        live = self.live
        if self._writer is None:
            raise NotReadyError("the service is not started")
        with self.metrics.time_write(kind):
            result = await anyio.to_thread.run_sync(partial(work, live), limiter=self._writer)
            # The write's new snapshot is searchable; its browse indexes are built here too,
            # not by the first request that browses it.
            await anyio.to_thread.run_sync(live.current.warm, limiter=self._writer)
        self.metrics.observe_index(live.current.searcher)
        return result

    async def load(self) -> None:
        try:
            serving = self.settings.serving()
            live = await in_daemon_thread(partial(open_index, embedder=self._embedder), serving)
        except Exception as exc:  # any failure is reported by readiness, not raised
            # Our own errors say what is wrong (no traceback needed); anything else is a bug.
            log.error(
                "loading the index from %s failed: %s",
                self.settings.index_dir,
                exc,
                exc_info=not isinstance(exc, WhosaidError),
            )
            self._failure = f"loading the index failed: {exc}"
            if self.on_failure is not None:
                self.on_failure()
            return
        self.attach(live)
        counts = live.current.searcher.manifest.counts
        log.info(
            "index ready: %d statements, %d quotes, %d articles",
            counts.groups,
            counts.quotes,
            counts.articles,
        )
        await self.warm_up()

    async def warm_up(self) -> None:
        """After readiness (lookups are served): browsing's indexes and, for a server that
        writes, spaCy, so the first browse or ingest does not wait for them."""
        await anyio.to_thread.run_sync(self.live.current.warm)
        from index import load_language

        await anyio.to_thread.run_sync(load_language)
        self.metrics.warm.set(1)

    async def checkpoints(self) -> None:
        """Checkpoint the live index whenever enough rows or time have gone by."""
        settings = self.settings
        poll = min(CHECKPOINT_POLL_SECONDS, max(settings.checkpoint_seconds, 0.05))
        while True:
            await anyio.sleep(poll)
            live = self._live
            if live is None or not live.checkpoint_due(
                rows=settings.checkpoint_rows, seconds=settings.checkpoint_seconds
            ):
                continue
            try:
                await anyio.to_thread.run_sync(live.checkpoint)
            except Exception:  # the journal still holds everything; try again later
                log.exception("checkpoint of %s failed", live.folder)
                await anyio.sleep(max(settings.checkpoint_seconds, CHECKPOINT_RETRY_SECONDS))

    async def following(self) -> None:
        """Apply the rows other writers (worker processes, replicas) add to the journal: a
        write acknowledged by any of them is searchable here within about ``follow_seconds``
        (sooner on a PostgreSQL journal, which notifies)."""
        wait = max(self.settings.follow_seconds, 0.01)
        while True:
            live = self._live
            if live is None:
                await anyio.sleep(wait)
                continue
            try:
                # Not under the writer limiter: the wait must not hold up this server's writes
                # (the live index serialises the applying itself). Abandoned at shutdown.
                applied = await anyio.to_thread.run_sync(
                    partial(live.follow, wait), abandon_on_cancel=True
                )
            except Exception:  # the journal is unreachable for now: readiness says so
                log.warning("following the journal failed; trying again", exc_info=True)
                await anyio.sleep(max(wait, FOLLOW_RETRY_SECONDS))
                continue
            if applied:
                await anyio.to_thread.run_sync(live.current.warm, limiter=self._writer)
                self.metrics.observe_index(live.current.searcher)

    def _adopt_given(self) -> None:
        from index import LiveIndex

        assert self._given is not None
        self.attach(
            LiveIndex(
                self._given, folder=self.settings.index_dir, journal=self.settings.journal_location
            )
        )

    @asynccontextmanager
    async def lifespan(self) -> AsyncIterator[None]:
        self._limiter = anyio.CapacityLimiter(self.settings.cpu_workers)
        self._writer = anyio.CapacityLimiter(1)
        try:
            async with anyio.create_task_group() as tasks:
                if self._given is not None:
                    self._adopt_given()
                    tasks.start_soon(self.warm_up)
                else:
                    tasks.start_soon(self.load)
                tasks.start_soon(self.checkpoints)
                tasks.start_soon(self.following)
                try:
                    yield
                finally:
                    tasks.cancel_scope.cancel()
        finally:
            live, self._live = self._live, None
            self.metrics.ready.set(0)
            self.metrics.warm.set(0)
            if live is not None:
                # Shielded: a shutdown must finish its checkpoint, not be cut off by a cancel.
                with anyio.CancelScope(shield=True):
                    try:
                        await anyio.to_thread.run_sync(live.close)
                    except Exception:  # the journal still holds everything for the next start
                        log.exception("final checkpoint of %s failed", live.folder)


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
